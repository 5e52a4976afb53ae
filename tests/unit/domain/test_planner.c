/*
 * Unit tests of domain/planner. Expected values are worked by hand or come from a brute-force
 * reference written here from the model in planner.h (every schedule of every unit, cells as
 * bits of a 64-bit mask), never from planner.c. Every proposal is also checked against the
 * model on its own: shift counts, rest, window, home range and reach, and its coverage and
 * pairing recomputed from the patrols it lists.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/planner.h"

#define HOUR (3600 * 1000LL)
#define T0 1798761600000LL /* 2027-01-01T00:00:00Z */
#define MAX_SEC 512
#define MAX_UNITS 16
#define MAX_PATROLS 64

/* ---- the test's own randomness (xorshift64*) ---- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static int rnd_in(uint64_t *s, int lo, int hi)
{
    return lo + (int)(rnd(s) % (uint64_t)(hi - lo + 1));
}

/* ---- an instance: its arrays live here, the request points into them ---- */

struct inst {
    struct planner_section sec[MAX_SEC];
    struct planner_unit unit[MAX_UNITS];
    struct planner_patrol covered[MAX_PATROLS], partner[MAX_PATROLS];
    struct planner_request req;
};

/* n sections of 1 km with the given weights, a window of `hours` hours from T0. */
static void inst_init(struct inst *in, const int *weights, size_t n, int hours)
{
    memset(in, 0, sizeof(*in));
    for (size_t i = 0; i < n; i++)
        in->sec[i] = (struct planner_section){(double)i, (double)i + 1, weights[i]};
    in->req.sections = in->sec;
    in->req.n_sections = n;
    in->req.from_ms = T0;
    in->req.to_ms = T0 + hours * HOUR;
    in->req.units = in->unit;
    in->req.covered = in->covered;
    in->req.partner = in->partner;
}

/* A copy of `src` whose request points into the copy's own arrays. */
static void inst_copy(struct inst *dst, const struct inst *src)
{
    *dst = *src;
    dst->req.sections = dst->sec;
    dst->req.units = dst->unit;
    dst->req.covered = dst->covered;
    dst->req.partner = dst->partner;
}

static void add_unit(struct inst *in, int shift_h, int max_shifts, int rest_h, double reach)
{
    in->unit[in->req.n_units++] =
        (struct planner_unit){shift_h * HOUR, max_shifts, rest_h * HOUR, reach, 0, 0, 0};
}

static struct planner_patrol span(double from_km, double to_km, int64_t start, int64_t end)
{
    return (struct planner_patrol){-1, from_km, to_km, start, end};
}

static struct planner_result propose(const struct inst *in)
{
    struct planner_result res;
    struct sh_errinfo info = {{0}, {0}};
    enum sh_err rc = planner_propose(&in->req, &res, &info);

    if (rc != SH_OK)
        print_error("planner_propose: %d %s: %s\n", rc, info.field, info.message);
    assert_int_equal(rc, SH_OK);
    return res;
}

/* ---- the model, from planner.h ---- */

static int64_t slot_ms(const struct planner_request *r)
{
    return r->slot_ms ? r->slot_ms : PLANNER_SLOT_MS_DEFAULT;
}

static size_t n_slots(const struct planner_request *r)
{
    return (size_t)((r->to_ms - r->from_ms) / slot_ms(r));
}

/* The last section a patrol of unit u starting at section s covers; -1 if it cannot start
 * there. */
static int model_last(const struct planner_request *r, const struct planner_unit *u, size_t s)
{
    double limit = r->sections[s].from_km + u->reach_km;
    int last = -1;

    if (u->has_range) {
        if (r->sections[s].from_km < u->min_km)
            return -1;
        limit = fmin(limit, u->max_km);
    }
    for (size_t j = s; j < r->n_sections && r->sections[j].to_km <= limit + 1e-9; j++)
        last = (int)j;
    return last;
}

/* Cells covered before planning: a single covered patrol holds the section and the slot
 * (the random instances align covered patrols to slots, where this equals the union). */
static int model_before(const struct planner_request *r, size_t j, size_t k)
{
    int64_t a = r->from_ms + (int64_t)k * slot_ms(r), b = a + slot_ms(r);

    for (size_t i = 0; i < r->n_covered; i++) {
        const struct planner_patrol *p = &r->covered[i];
        if (p->from_km <= r->sections[j].from_km && r->sections[j].to_km <= p->to_km &&
            p->start_ms <= a && b <= p->end_ms)
            return 1;
    }
    return 0;
}

static int model_paired(const struct planner_request *r, size_t j, size_t k)
{
    int64_t a = r->from_ms + (int64_t)k * slot_ms(r), b = a + slot_ms(r);

    if (r->objective != PLANNER_OBJECTIVE_PAIR)
        return 0;
    for (size_t i = 0; i < r->n_partner; i++) {
        const struct planner_patrol *p = &r->partner[i];
        if (p->from_km < r->sections[j].to_km && r->sections[j].from_km < p->to_km &&
            p->start_ms < b && a < p->end_ms)
            return 1;
    }
    return 0;
}

static int64_t model_open(const struct planner_request *r)
{
    int64_t open = 0;

    for (size_t k = 0; k < n_slots(r); k++)
        for (size_t j = 0; j < r->n_sections; j++)
            if (!model_before(r, j, k))
                open += r->sections[j].weight;
    return open;
}

/* Checks every rule of the model on `res` and recomputes its coverage and pairing. */
static void check_proposal(const struct planner_request *r, const struct planner_result *res)
{
    size_t ns = n_slots(r), cells = ns * r->n_sections;
    unsigned char *hit = calloc(cells, 1);
    int count[MAX_UNITS] = {0};
    int64_t coverage = 0, paired = 0;

    assert_non_null(hit);
    for (size_t i = 0; i < res->n_patrols; i++) {
        const struct planner_patrol *p = &res->patrols[i];
        assert_in_range(p->unit, 0, (int)r->n_units - 1);
        const struct planner_unit *u = &r->units[p->unit];
        assert_true(p->start_ms >= r->from_ms && p->end_ms <= r->to_ms);
        assert_int_equal(p->end_ms - p->start_ms, u->shift_ms);
        assert_int_equal((p->start_ms - r->from_ms) % slot_ms(r), 0);
        if (i > 0 && res->patrols[i - 1].unit == p->unit) {
            assert_true(p->start_ms >= res->patrols[i - 1].end_ms + u->min_rest_ms);
        } else if (i > 0) {
            assert_true(p->unit > res->patrols[i - 1].unit);
        }
        assert_true(++count[p->unit] <= u->max_shifts);
        size_t s = 0;
        while (s < r->n_sections && r->sections[s].from_km != p->from_km)
            s++;
        assert_true(s < r->n_sections);
        int last = model_last(r, u, s);
        assert_true(last >= (int)s);
        assert_true(p->to_km == r->sections[last].to_km);
        assert_true(p->to_km - p->from_km <= u->reach_km + 1e-9);
        if (u->has_range)
            assert_true(p->from_km >= u->min_km && p->to_km <= u->max_km);
        size_t k0 = (size_t)((p->start_ms - r->from_ms) / slot_ms(r));
        for (size_t k = k0; k < k0 + (size_t)(u->shift_ms / slot_ms(r)); k++)
            for (size_t j = s; j <= (size_t)last; j++)
                hit[k * r->n_sections + j]++;
    }
    /* no patrol is idle: each holds a cell worth something that no other patrol holds */
    for (size_t i = 0; i < res->n_patrols; i++) {
        const struct planner_patrol *p = &res->patrols[i];
        int worth = 0;
        for (size_t c = 0; c < cells; c++) {
            size_t j = c % r->n_sections, k = c / r->n_sections;
            int64_t a = r->from_ms + (int64_t)k * slot_ms(r);
            worth |= hit[c] == 1 && p->from_km <= r->sections[j].from_km &&
                     r->sections[j].to_km <= p->to_km && p->start_ms <= a &&
                     a + slot_ms(r) <= p->end_ms && r->sections[j].weight > 0 &&
                     (!model_before(r, j, k) || model_paired(r, j, k));
        }
        assert_true(worth);
    }
    for (size_t c = 0; c < cells; c++) {
        size_t j = c % r->n_sections, k = c / r->n_sections;
        if (!hit[c])
            continue;
        coverage += model_before(r, j, k) ? 0 : r->sections[j].weight;
        paired += model_paired(r, j, k) ? r->sections[j].weight : 0;
    }
    assert_int_equal(res->coverage, coverage);
    assert_int_equal(res->paired, paired);
    assert_int_equal(res->open, model_open(r));
    assert_true(res->coverage <= res->bound);
    assert_true(res->bound <= res->open);
    assert_int_equal(res->seed, r->seed);
    free(hit);
}

/* ---- brute force: every schedule of every unit, cells as bits ---- */

struct unit_sets {
    uint64_t *mask; /* the cells of each schedule of one unit */
    size_t n, cap;
};

static void sets_add(struct unit_sets *us, uint64_t m)
{
    for (size_t i = 0; i < us->n; i++)
        if (us->mask[i] == m)
            return;
    if (us->n == us->cap) {
        us->cap = us->cap ? 2 * us->cap : 64;
        us->mask = realloc(us->mask, us->cap * sizeof(*us->mask));
        assert_non_null(us->mask);
    }
    us->mask[us->n++] = m;
}

struct cands {
    uint64_t mask[512];
    int start[512];
    size_t n;
};

/* All schedules of one unit: candidates from index i on, spaced, at most `left` more. */
static void enum_sets(const struct cands *c, size_t i, int left, int spacing, const int *chosen,
                      int n_chosen, uint64_t m, struct unit_sets *out)
{
    int picked[16];

    sets_add(out, m);
    if (left == 0)
        return;
    if (n_chosen > 0)
        memcpy(picked, chosen, (size_t)n_chosen * sizeof(int));
    for (size_t k = i; k < c->n; k++) {
        int ok = 1;
        for (int q = 0; q < n_chosen; q++)
            ok &= abs(c->start[k] - chosen[q]) >= spacing;
        if (!ok)
            continue;
        picked[n_chosen] = c->start[k];
        enum_sets(c, k + 1, left - 1, spacing, picked, n_chosen + 1, m | c->mask[k], out);
    }
}

static void unit_schedules(const struct planner_request *r, size_t u, struct unit_sets *out)
{
    const struct planner_unit *un = &r->units[u];
    size_t ns = n_slots(r), len = (size_t)(un->shift_ms / slot_ms(r));
    int64_t rest = (un->min_rest_ms + slot_ms(r) - 1) / slot_ms(r);
    struct cands c = {.n = 0};

    for (size_t t = 0; t + len <= ns; t++)
        for (size_t s = 0; s < r->n_sections; s++) {
            int last = model_last(r, un, s);
            if (last < (int)s)
                continue;
            uint64_t m = 0;
            for (size_t k = t; k < t + len; k++)
                for (size_t j = s; j <= (size_t)last; j++)
                    m |= 1ULL << (k * r->n_sections + j);
            assert_true(c.n < 512);
            c.mask[c.n] = m;
            c.start[c.n++] = (int)t;
        }
    memset(out, 0, sizeof(*out));
    enum_sets(&c, 0, un->max_shifts, (int)(len + (size_t)rest), NULL, 0, 0, out);
}

struct optimum {
    int64_t coverage, paired; /* the best coverage; the best pairing among those */
};

static void brute_rec(const struct unit_sets *sets, size_t n_units, size_t u, uint64_t m,
                      const int64_t *w_open, const int64_t *w_pair, size_t cells,
                      struct optimum *best)
{
    if (u == n_units) {
        int64_t cov = 0, pair = 0;
        for (size_t c = 0; c < cells; c++)
            if (m >> c & 1) {
                cov += w_open[c];
                pair += w_pair[c];
            }
        if (cov > best->coverage || (cov == best->coverage && pair > best->paired))
            *best = (struct optimum){cov, pair};
        return;
    }
    for (size_t i = 0; i < sets[u].n; i++)
        brute_rec(sets, n_units, u + 1, m | sets[u].mask[i], w_open, w_pair, cells, best);
}

static struct optimum brute_force(const struct planner_request *r)
{
    size_t ns = n_slots(r), cells = ns * r->n_sections;
    struct unit_sets sets[MAX_UNITS];
    int64_t w_open[64], w_pair[64];
    struct optimum best = {-1, -1};

    assert_true(cells <= 64);
    for (size_t c = 0; c < cells; c++) {
        size_t j = c % r->n_sections, k = c / r->n_sections;
        w_open[c] = model_before(r, j, k) ? 0 : r->sections[j].weight;
        w_pair[c] = model_paired(r, j, k) ? r->sections[j].weight : 0;
    }
    for (size_t u = 0; u < r->n_units; u++)
        unit_schedules(r, u, &sets[u]);
    brute_rec(sets, r->n_units, 0, 0, w_open, w_pair, cells, &best);
    for (size_t u = 0; u < r->n_units; u++)
        free(sets[u].mask);
    return best;
}

/* ---- hand-worked cases ---- */

static int64_t coverage_of(struct inst *in, enum planner_mode mode, int64_t *bound)
{
    in->req.mode = mode;
    struct planner_result res = propose(in);
    int64_t cov = res.coverage;

    check_proposal(&in->req, &res);
    if (bound)
        *bound = res.bound;
    planner_result_free(&res);
    return cov;
}

/* Weights 1, 4, 2 over three hours; one unit reaching 2 km with one-hour shifts. The best
 * patrol is km 1-3 (4 + 2 = 6) in any hour; rest decides how many hours it can take. */
static void test_hand_rest_decides_shifts(void **state)
{
    const int w[] = {1, 4, 2};
    const struct {
        int rest_h;
        int64_t expect;
    } cases[] = {{0, 12}, {1, 12}, {2, 6}};
    struct inst in;
    int64_t bound;

    for (size_t i = 0; i < 3; i++) {
        inst_init(&in, w, 3, 3);
        add_unit(&in, 1, 2, cases[i].rest_h, 2.0);
        assert_int_equal(coverage_of(&in, PLANNER_MODE_EXACT, NULL), cases[i].expect);
        assert_int_equal(coverage_of(&in, PLANNER_MODE_GREEDY, &bound), cases[i].expect);
        /* two spaced hours of at most 6 each: the bound is tight here */
        assert_int_equal(bound, cases[i].expect);
    }
}

/* The proposal's patrol itself, in full: where, when and how long. */
static void test_hand_patrol_fields(void **state)
{
    const int w[] = {1, 4, 2};
    struct inst in;

    inst_init(&in, w, 3, 1);
    add_unit(&in, 1, 1, 0, 2.5);
    in.req.seed = 42;
    struct planner_result res = propose(&in);
    assert_int_equal(res.n_patrols, 1);
    assert_int_equal(res.patrols[0].unit, 0);
    assert_true(res.patrols[0].from_km == 1.0 && res.patrols[0].to_km == 3.0);
    assert_int_equal(res.patrols[0].start_ms, T0);
    assert_int_equal(res.patrols[0].end_ms, T0 + HOUR);
    assert_int_equal(res.coverage, 6);
    assert_int_equal(res.bound, 6);
    assert_true(res.gap_pct == 0.0);
    assert_int_equal(res.exact, 1);
    assert_int_equal(res.seed, 42);
    assert_int_equal(res.open, 7);
    assert_int_equal(res.n_candidates, 3); /* starts at km 0, 1, 2 in one hour */
    planner_result_free(&res);
    planner_result_free(&res);
    planner_result_free(NULL);
}

/* Existing coverage: the weight-4 section is held all three hours by someone else, so the
 * best is km 1-3 again but worth only 2 an hour. */
static void test_hand_existing_coverage(void **state)
{
    const int w[] = {1, 4, 2};
    struct inst in;

    inst_init(&in, w, 3, 3);
    add_unit(&in, 1, 2, 0, 2.0);
    in.covered[in.req.n_covered++] = span(1, 2, T0, T0 + 3 * HOUR);
    assert_int_equal(coverage_of(&in, PLANNER_MODE_EXACT, NULL), 4);
    assert_int_equal(coverage_of(&in, PLANNER_MODE_GREEDY, NULL), 4);
}

/* "Covered" needs the whole section and the whole slot, but two patrols may share a slot. */
static void test_hand_covered_union_and_wholeness(void **state)
{
    const int w[] = {1, 4, 2};
    struct inst in;
    struct planner_result res;

    inst_init(&in, w, 3, 3);
    add_unit(&in, 1, 0, 0, 2.0);
    in.covered[in.req.n_covered++] = span(1, 2, T0, T0 + HOUR / 2);
    res = propose(&in);
    assert_int_equal(res.open, 21); /* half an hour covers no slot */
    planner_result_free(&res);
    in.covered[in.req.n_covered++] = span(1, 2, T0 + HOUR / 2, T0 + HOUR);
    res = propose(&in);
    assert_int_equal(res.open, 17); /* together they cover (km 1-2, hour 0) */
    planner_result_free(&res);
    in.covered[in.req.n_covered++] = span(0.5, 2.5, T0 + HOUR, T0 + 2 * HOUR);
    res = propose(&in);
    assert_int_equal(res.open, 13); /* only km 1-2 lies wholly in km 0.5-2.5 */
    assert_int_equal(res.n_patrols, 0);
    assert_int_equal(res.coverage, 0);
    assert_int_equal(res.bound, 0);
    planner_result_free(&res);
    in.covered[in.req.n_covered++] = span(0, 3, T0 - HOUR, T0 + 10 * HOUR);
    res = propose(&in);
    assert_int_equal(res.open, 0); /* clipped to the window, it covers everything */
    planner_result_free(&res);
}

/* Home range and reach: a unit confined to km 2-3 takes the weight-1 section even though the
 * weight-8 ones are next door; a section longer than the reach cannot be a patrol. */
static void test_hand_range_and_reach(void **state)
{
    const int w[] = {8, 8, 1};
    struct inst in;

    inst_init(&in, w, 3, 2);
    add_unit(&in, 1, 2, 0, 3.0);
    in.unit[0].has_range = 1;
    in.unit[0].min_km = 2;
    in.unit[0].max_km = 3;
    assert_int_equal(coverage_of(&in, PLANNER_MODE_EXACT, NULL), 2);
    assert_int_equal(coverage_of(&in, PLANNER_MODE_GREEDY, NULL), 2);

    inst_init(&in, w, 2, 1);
    in.sec[0].weight = PLANNER_WEIGHT_LOW;
    in.sec[1] = (struct planner_section){1, 5, PLANNER_WEIGHT_CRITICAL};
    add_unit(&in, 1, 1, 0, 2.0);
    assert_int_equal(coverage_of(&in, PLANNER_MODE_EXACT, NULL), 1);
    assert_int_equal(coverage_of(&in, PLANNER_MODE_GREEDY, NULL), 1);
}

/* Gaps between sections are allowed; the reach is measured in chainage across them. */
static void test_hand_gap_between_sections(void **state)
{
    const int w[] = {1, 1, 1};
    struct inst in;
    struct planner_result res;

    inst_init(&in, w, 3, 1);
    in.sec[1] = (struct planner_section){5, 6, 2};
    in.sec[2] = (struct planner_section){6, 7, 2};
    add_unit(&in, 1, 1, 0, 2.0);
    res = propose(&in);
    check_proposal(&in.req, &res);
    assert_int_equal(res.coverage, 4);
    assert_true(res.patrols[0].from_km == 5.0 && res.patrols[0].to_km == 7.0);
    planner_result_free(&res);
}

/* ---- pairing ---- */

/* Every patrol is worth the same, so pairing decides: the unit must meet the partner's
 * coordinated patrol at km 2-4, hours 2-4, whatever the seed. */
static void test_pair_meets_partner_when_free(void **state)
{
    const int w[] = {1, 1, 1, 1};
    struct inst in;

    inst_init(&in, w, 4, 4);
    add_unit(&in, 2, 1, 0, 2.0);
    in.partner[in.req.n_partner++] = span(2, 4, T0 + 2 * HOUR, T0 + 4 * HOUR);
    in.req.objective = PLANNER_OBJECTIVE_PAIR;
    for (uint64_t seed = 1; seed <= 8; seed++)
        for (int mode = PLANNER_MODE_GREEDY; mode <= PLANNER_MODE_EXACT; mode++) {
            in.req.seed = seed;
            in.req.mode = (enum planner_mode)mode;
            struct planner_result res = propose(&in);
            check_proposal(&in.req, &res);
            assert_int_equal(res.n_patrols, 1);
            assert_true(res.patrols[0].from_km == 2.0 && res.patrols[0].to_km == 4.0);
            assert_int_equal(res.patrols[0].start_ms, T0 + 2 * HOUR);
            assert_int_equal(res.coverage, 4);
            assert_int_equal(res.paired, 4);
            planner_result_free(&res);
        }
}

/* Pairing never costs coverage: the partner already holds the LOW section, so meeting it
 * there adds nothing, and the unit goes to the open HIGH section instead. */
static void test_pair_never_costs_coverage(void **state)
{
    const int w[] = {PLANNER_WEIGHT_LOW, PLANNER_WEIGHT_HIGH};
    struct inst in;

    inst_init(&in, w, 2, 1);
    add_unit(&in, 1, 1, 0, 1.0);
    in.partner[in.req.n_partner++] = span(0, 1, T0, T0 + HOUR);
    in.covered[in.req.n_covered++] = span(0, 1, T0, T0 + HOUR);
    in.req.objective = PLANNER_OBJECTIVE_PAIR;
    for (int mode = PLANNER_MODE_GREEDY; mode <= PLANNER_MODE_EXACT; mode++) {
        in.req.mode = (enum planner_mode)mode;
        struct planner_result res = propose(&in);
        check_proposal(&in.req, &res);
        assert_int_equal(res.n_patrols, 1);
        assert_true(res.patrols[0].from_km == 1.0);
        assert_int_equal(res.coverage, 4);
        assert_int_equal(res.paired, 0);
        planner_result_free(&res);
    }
}

/* ---- randomisation ---- */

static int same_patrols(const struct planner_result *a, const struct planner_result *b)
{
    return a->n_patrols == b->n_patrols &&
           memcmp(a->patrols, b->patrols, a->n_patrols * sizeof(*a->patrols)) == 0;
}

/* A symmetric instance: nine equally good patrols for one unit, and for two units many
 * equally good schedules. Seeds pick different ones, always of the same value; one seed
 * always picks the same. */
static void test_seeds_draw_among_equal_schedules(void **state)
{
    const int w[] = {1, 1, 1, 1, 1, 1};
    struct inst in;

    for (int units = 1; units <= 2; units++)
        for (int mode = PLANNER_MODE_GREEDY; mode <= PLANNER_MODE_EXACT; mode++) {
            struct planner_result first, res, again;
            int differ = 0;
            inst_init(&in, w, units == 1 ? 4 : 6, 4);
            for (int u = 0; u < units; u++)
                add_unit(&in, 2, 1, 0, 2.0);
            in.req.mode = (enum planner_mode)mode;
            in.req.seed = 1;
            first = propose(&in);
            for (uint64_t seed = 2; seed <= 16; seed++) {
                in.req.seed = seed;
                res = propose(&in);
                again = propose(&in);
                check_proposal(&in.req, &res);
                assert_int_equal(res.coverage, first.coverage);
                assert_int_equal(res.exact, mode == PLANNER_MODE_EXACT);
                assert_true(same_patrols(&res, &again));
                differ += !same_patrols(&res, &first);
                planner_result_free(&res);
                planner_result_free(&again);
            }
            assert_int_equal(first.coverage, 4 * units);
            assert_true(differ >= 5);
            planner_result_free(&first);
        }
}

/* ---- brute force on random small instances ---- */

/* A random instance of at most 64 cells: 2-3 units, sections of 1 or 2 km, some covered
 * (slot-aligned) and, for PAIR, partner patrols that need not be aligned. */
static void random_instance(struct inst *in, uint64_t *rs)
{
    int w[MAX_SEC], n_units = rnd_in(rs, 2, 3);
    int n_sec = rnd_in(rs, 2, n_units == 3 ? 3 : 4), hours = rnd_in(rs, 3, n_units == 3 ? 4 : 5);
    double km = 0;

    for (int i = 0; i < n_sec; i++)
        w[i] = 1 << rnd_in(rs, 0, 3);
    inst_init(in, w, (size_t)n_sec, hours);
    for (int i = 0; i < n_sec; i++) {
        double len = rnd_in(rs, 0, 3) == 0 ? 2 : 1;
        in->sec[i].from_km = km;
        in->sec[i].to_km = km + len;
        km += len + (rnd_in(rs, 0, 5) == 0 ? 0.5 : 0);
    }
    for (int u = 0; u < n_units; u++) {
        add_unit(in, rnd_in(rs, 1, 2), rnd_in(rs, 1, 2), rnd_in(rs, 0, 1), rnd_in(rs, 2, 5) * 0.5);
        if (rnd_in(rs, 0, 3) == 0) {
            in->unit[u].has_range = 1;
            in->unit[u].min_km = rnd_in(rs, 0, 2);
            in->unit[u].max_km = in->unit[u].min_km + rnd_in(rs, 2, 4);
        }
    }
    for (int i = rnd_in(rs, 0, 2); i > 0; i--) {
        int a = rnd_in(rs, 0, hours - 1);
        in->covered[in->req.n_covered++] = span(rnd_in(rs, 0, 2), rnd_in(rs, 3, 6), T0 + a * HOUR,
                                                T0 + rnd_in(rs, a + 1, hours) * HOUR);
    }
    in->req.objective = rnd_in(rs, 0, 1) ? PLANNER_OBJECTIVE_PAIR : PLANNER_OBJECTIVE_COVERAGE;
    for (int i = rnd_in(rs, 0, 2); i > 0; i--) {
        int64_t a = T0 + rnd_in(rs, 0, 2 * hours - 1) * HOUR / 2;
        double from = rnd_in(rs, 0, 6) * 0.5;
        in->partner[in->req.n_partner++] =
            span(from, from + rnd_in(rs, 1, 4) * 0.5, a, a + rnd_in(rs, 1, 4) * HOUR / 2);
    }
    in->req.seed = rnd(rs);
}

static void test_exact_and_greedy_against_brute_force(void **state)
{
    uint64_t rs = 0x5eed5eed12345ULL;
    int exact_pair = 0, greedy_below = 0;

    for (int trial = 0; trial < 150; trial++) {
        struct inst in;
        random_instance(&in, &rs);
        struct optimum opt = brute_force(&in.req);

        in.req.mode = PLANNER_MODE_EXACT;
        struct planner_result ex = propose(&in);
        check_proposal(&in.req, &ex);
        assert_int_equal(ex.exact, 1);
        if (ex.coverage != opt.coverage || ex.paired != opt.paired)
            print_error("trial %d: exact %lld/%lld, brute force %lld/%lld\n", trial,
                        (long long)ex.coverage, (long long)ex.paired, (long long)opt.coverage,
                        (long long)opt.paired);
        assert_int_equal(ex.coverage, opt.coverage);
        if (in.req.objective == PLANNER_OBJECTIVE_PAIR) {
            assert_int_equal(ex.paired, opt.paired);
            exact_pair += opt.paired > 0;
        }
        assert_int_equal(ex.bound, ex.coverage);
        assert_true(ex.gap_pct == 0.0);
        planner_result_free(&ex);

        in.req.mode = PLANNER_MODE_GREEDY;
        struct planner_result gr = propose(&in);
        check_proposal(&in.req, &gr);
        assert_int_equal(gr.exact, 0);
        assert_true(gr.coverage <= opt.coverage);
        assert_true(gr.bound >= opt.coverage);
        greedy_below += gr.coverage < opt.coverage;
        planner_result_free(&gr);
    }
    /* the cases exercise what they claim to */
    assert_true(exact_pair > 10);
    print_message("greedy below the optimum in %d of 150 instances\n", greedy_below);
}

/* ---- larger random instances: rules hold, and the greedy leaves nothing on the table ---- */

/* 1 if some unit with a shift to spare could still add coverage or pairing somewhere. */
static int could_add(const struct planner_request *r, const struct planner_result *res)
{
    size_t ns = n_slots(r);
    int64_t sm = slot_ms(r);

    for (size_t u = 0; u < r->n_units; u++) {
        const struct planner_unit *un = &r->units[u];
        int used = 0;
        for (size_t i = 0; i < res->n_patrols; i++)
            used += res->patrols[i].unit == (int)u;
        if (used >= un->max_shifts)
            continue;
        for (size_t t = 0; t + (size_t)(un->shift_ms / sm) <= ns; t++) {
            int64_t start = r->from_ms + (int64_t)t * sm, end = start + un->shift_ms;
            int free = 1;
            for (size_t i = 0; i < res->n_patrols; i++)
                if (res->patrols[i].unit == (int)u &&
                    !(start >= res->patrols[i].end_ms + un->min_rest_ms ||
                      res->patrols[i].start_ms >= end + un->min_rest_ms))
                    free = 0;
            for (size_t s = 0; free && s < r->n_sections; s++) {
                int last = model_last(r, un, s);
                for (int j = (int)s; j <= last; j++)
                    for (size_t k = t; k < t + (size_t)(un->shift_ms / sm); k++) {
                        int held = 0;
                        for (size_t i = 0; i < res->n_patrols; i++) {
                            const struct planner_patrol *p = &res->patrols[i];
                            held |= p->from_km <= r->sections[j].from_km &&
                                    r->sections[j].to_km <= p->to_km &&
                                    p->start_ms <= r->from_ms + (int64_t)k * sm &&
                                    r->from_ms + (int64_t)(k + 1) * sm <= p->end_ms;
                        }
                        if (!held && r->sections[j].weight > 0 &&
                            (!model_before(r, (size_t)j, k) || model_paired(r, (size_t)j, k)))
                            return 1;
                    }
            }
        }
    }
    return 0;
}

static void test_rules_hold_on_larger_instances(void **state)
{
    uint64_t rs = 0xfeedbeef77ULL;

    for (int trial = 0; trial < 12; trial++) {
        int w[MAX_SEC];
        struct inst in;
        int n_sec = rnd_in(&rs, 20, MAX_SEC), hours = rnd_in(&rs, 12, 48);
        for (int i = 0; i < n_sec; i++)
            w[i] = rnd_in(&rs, 0, 8);
        inst_init(&in, w, (size_t)n_sec, hours);
        for (int u = rnd_in(&rs, 3, MAX_UNITS); u > 0; u--) {
            add_unit(&in, rnd_in(&rs, 2, 8), rnd_in(&rs, 0, 4), rnd_in(&rs, 0, 12),
                     rnd_in(&rs, 2, 12));
            if (rnd_in(&rs, 0, 2) == 0) {
                struct planner_unit *un = &in.unit[in.req.n_units - 1];
                un->has_range = 1;
                un->min_km = rnd_in(&rs, 0, n_sec / 2);
                un->max_km = un->min_km + rnd_in(&rs, 1, n_sec / 2);
            }
        }
        for (int i = rnd_in(&rs, 0, 10); i > 0; i--) {
            int a = rnd_in(&rs, 0, hours - 1), from = rnd_in(&rs, 0, n_sec - 1);
            in.covered[in.req.n_covered++] = span(from, from + rnd_in(&rs, 1, 10), T0 + a * HOUR,
                                                  T0 + rnd_in(&rs, a + 1, hours) * HOUR);
        }
        in.req.objective = trial % 2 ? PLANNER_OBJECTIVE_PAIR : PLANNER_OBJECTIVE_COVERAGE;
        for (int i = rnd_in(&rs, 0, 6); i > 0; i--) {
            int a = rnd_in(&rs, 0, hours - 1), from = rnd_in(&rs, 0, n_sec - 1);
            in.partner[in.req.n_partner++] = span(from, from + rnd_in(&rs, 1, 10), T0 + a * HOUR,
                                                  T0 + (a + rnd_in(&rs, 1, 8)) * HOUR);
        }
        in.req.seed = rnd(&rs);
        struct planner_result res = propose(&in);
        check_proposal(&in.req, &res);
        assert_false(could_add(&in.req, &res));
        assert_true(res.gap_pct >= 0 && res.gap_pct <= 100);
        planner_result_free(&res);
    }
}

/* ---- bad input ---- */

static void expect_bad(const struct inst *in, enum sh_err err, const char *field)
{
    struct planner_result res;
    struct sh_errinfo info = {{0}, {0}};

    memset(&res, 0x55, sizeof(res));
    assert_int_equal(planner_propose(&in->req, &res, &info), err);
    assert_string_equal(info.field, field);
    assert_true(info.message[0] != '\0');
    assert_null(res.patrols);
    assert_int_equal(res.n_patrols, 0);
}

static void test_bad_input_names_the_field(void **state)
{
    const int w[] = {1, 2, 4};
    struct inst in, good;

    inst_init(&good, w, 3, 4);
    add_unit(&good, 1, 1, 0, 2);
    inst_copy(&in, &good), in.req.n_sections = 0;
    expect_bad(&in, SH_EINVAL, "sections");
    inst_copy(&in, &good), in.sec[1].from_km = 0.5;
    expect_bad(&in, SH_EINVAL, "sections[1].from_km");
    inst_copy(&in, &good), in.sec[2].to_km = 2;
    expect_bad(&in, SH_EINVAL, "sections[2].to_km");
    inst_copy(&in, &good), in.sec[0].weight = PLANNER_MAX_WEIGHT + 1;
    expect_bad(&in, SH_EINVAL, "sections[0].weight");
    inst_copy(&in, &good), in.req.to_ms = in.req.from_ms;
    expect_bad(&in, SH_EINVAL, "to_ms");
    inst_copy(&in, &good), in.req.to_ms = in.req.from_ms + HOUR / 2;
    expect_bad(&in, SH_EINVAL, "to_ms");
    inst_copy(&in, &good), in.req.to_ms = in.req.from_ms + (PLANNER_MAX_SLOTS + 1) * HOUR;
    expect_bad(&in, SH_ELIMIT, "to_ms");
    inst_copy(&in, &good), in.req.slot_ms = -1;
    expect_bad(&in, SH_EINVAL, "slot_ms");
    inst_copy(&in, &good), in.req.n_units = 0;
    expect_bad(&in, SH_EINVAL, "units");
    inst_copy(&in, &good), in.unit[0].shift_ms = HOUR * 3 / 2;
    expect_bad(&in, SH_EINVAL, "units[0].shift_ms");
    inst_copy(&in, &good), in.unit[0].max_shifts = -1;
    expect_bad(&in, SH_EINVAL, "units[0].max_shifts");
    inst_copy(&in, &good), in.unit[0].min_rest_ms = -1;
    expect_bad(&in, SH_EINVAL, "units[0].min_rest_ms");
    inst_copy(&in, &good), in.unit[0].reach_km = 0;
    expect_bad(&in, SH_EINVAL, "units[0].reach_km");
    inst_copy(&in, &good), in.unit[0].has_range = 1, in.unit[0].min_km = 3, in.unit[0].max_km = 3;
    expect_bad(&in, SH_EINVAL, "units[0].max_km");
    inst_copy(&in, &good), in.covered[0] = span(1, 2, T0 + HOUR, T0 + HOUR), in.req.n_covered = 1;
    expect_bad(&in, SH_EINVAL, "covered[0].end_ms");
    inst_copy(&in, &good), in.partner[1] = span(1, NAN, T0, T0 + HOUR), in.req.n_partner = 2;
    in.partner[0] = span(0, 1, T0, T0 + HOUR);
    expect_bad(&in, SH_EINVAL, "partner[1].to_km");
    inst_copy(&in, &good), in.req.objective = (enum planner_objective)7;
    expect_bad(&in, SH_EINVAL, "objective");
    inst_copy(&in, &good), in.req.mode = (enum planner_mode)7;
    expect_bad(&in, SH_EINVAL, "mode");
}

/* Requests too large to hold are refused, not attempted. */
static void test_limits(void **state)
{
    static int w[500];
    static struct inst in;

    for (int i = 0; i < 500; i++)
        w[i] = 1;
    inst_init(&in, w, 500, 1500);
    for (int u = 0; u < MAX_UNITS; u++)
        add_unit(&in, 1, 1, 0, u + 1); /* each reach its own shape of 1500 x 500 gains */
    expect_bad(&in, SH_ELIMIT, "units");
    in.req.n_units = 4;
    in.req.to_ms = T0 + 5000 * HOUR;
    expect_bad(&in, SH_ELIMIT, "to_ms"); /* 2.5 million cells */
}

/* A shift longer than the window, or no shifts at all, is no error: the unit stays home. */
static void test_units_that_cannot_patrol(void **state)
{
    const int w[] = {1, 2, 4};
    struct inst in;

    inst_init(&in, w, 3, 4);
    add_unit(&in, 5, 3, 0, 2);
    add_unit(&in, 1, 0, 0, 2);
    struct planner_result res = propose(&in);
    check_proposal(&in.req, &res);
    assert_int_equal(res.n_patrols, 0);
    assert_int_equal(res.bound, 0);
    assert_int_equal(res.n_candidates, 0);
    assert_int_equal(res.exact, 1);
    planner_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_rest_decides_shifts),
        cmocka_unit_test(test_hand_patrol_fields),
        cmocka_unit_test(test_hand_existing_coverage),
        cmocka_unit_test(test_hand_covered_union_and_wholeness),
        cmocka_unit_test(test_hand_range_and_reach),
        cmocka_unit_test(test_hand_gap_between_sections),
        cmocka_unit_test(test_pair_meets_partner_when_free),
        cmocka_unit_test(test_pair_never_costs_coverage),
        cmocka_unit_test(test_seeds_draw_among_equal_schedules),
        cmocka_unit_test(test_exact_and_greedy_against_brute_force),
        cmocka_unit_test(test_rules_hold_on_larger_instances),
        cmocka_unit_test(test_bad_input_names_the_field),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_units_that_cannot_patrol),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
