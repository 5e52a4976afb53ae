/*
 * planner.c: the patrol planner (the model and the algorithm are in planner.h).
 *
 * Data, for a window of n_slot slots over n_sec sections (cell c = slot * n_sec + section):
 *   base[c]   what covering the cell is worth: weight * scale if it was open, plus the weight
 *             again if it is paired (PAIR); scale is 1 for COVERAGE. So coverage = base / scale
 *             and pairing = base % scale, for any cell and any sum of cells.
 *   cover[c]  how many placed patrols cover the cell; val[c] is base[c] while cover is 0, else 0.
 *   prefix    per slot, the running sum of val over sections, so that a patrol's gain is
 *             len differences of two prefix entries.
 * Per shape (units with the same shift length and the same stretch from every start section):
 *   gain[t][s]         the marginal gain of a patrol starting at slot t, section s (-1: none);
 *   block_best[t][b]   its best start section among sections [32 b, 32 b + 32) with a
 *                      positive gain (-1: none), and block_gain[t][b] that gain;
 *   row_best[t]        the same over the whole slot, and row_gain[t];
 *   n_free[t]          how many of its units may start a shift at slot t.
 * Invariant: after every place()/unplace(), all of these agree with cover[]; region_update()
 * restores it for the rectangle of cells that changed. "Best" orders by gain, then by the
 * candidate's seeded priority.
 */
#include "domain/planner.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 32
#define KM_EPS 1e-9
#define DP_BUDGET (1 << 22) /* rows x shifts above which a unit's bound skips the spacing */

/* ---- randomness: splitmix64 (Steele, Lea and Flood 2014), written here because libc's
 * random() is global state and its sequence differs between C libraries ---- */

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t rng_next(uint64_t *state)
{
    *state += 0x9e3779b97f4a7c15ULL;
    return mix64(*state);
}

/* Uniform in [0, n), n > 0, without modulo bias. */
static uint64_t rng_below(uint64_t *state, uint64_t n)
{
    uint64_t limit = (0 - n) % n, r;

    do
        r = rng_next(state);
    while (r < limit);
    return r % n;
}

/* ---- state ---- */

struct shape {
    size_t len;   /* slots of one shift */
    size_t first; /* first section a patrol may start at (home range) */
    int *last;    /* last[s]: last section a patrol from s covers; < s: no patrol from s */
    size_t n_rows;
    int64_t *gain;
    int32_t *block_best;
    int64_t *block_gain; /* gain of block_best, -1 when none */
    int32_t *row_best;
    int64_t *row_gain; /* gain of row_best, -1 when none */
    int *n_free;
    int *units; /* the request's units of this shape */
    size_t n_units;
};

struct unit_state {
    size_t shape;
    size_t spacing; /* least distance between two starts: shift + rest, in slots */
    int max_shifts; /* as many as can fit in the window */
    int n_shifts;
    size_t *starts;
    unsigned char *can_start; /* can_start[t]: may start a shift at slot t now */
};

struct pick {
    int unit;
    size_t slot;
    size_t sec;
};

struct cand {
    size_t shape, slot, sec;
    int64_t gain;
};

struct planner {
    const struct planner_request *req;
    size_t n_sec, n_slot, n_blk;
    int64_t slot_ms, scale;
    int64_t *base, *val, *prefix;
    uint16_t *cover; /* at most one patrol per unit holds a slot: <= PLANNER_MAX_UNITS */
    struct shape *shapes;
    size_t n_shapes;
    struct unit_state *units;
    struct pick *picks;
    size_t n_picks, cap_picks;
    uint64_t rng;
    size_t n_candidates;
};

/* ---- validation ---- */

static enum sh_err bad_item(struct sh_errinfo *info, const char *list, size_t i, const char *member,
                            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static enum sh_err bad_item(struct sh_errinfo *info, const char *list, size_t i, const char *member,
                            const char *fmt, ...)
{
    char field[64], message[256];
    va_list ap;

    snprintf(field, sizeof(field), "%s[%zu].%s", list, i, member);
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    return err_set(info, SH_EINVAL, field, "%s", message);
}

static enum sh_err check_sections(const struct planner_request *req, struct sh_errinfo *info)
{
    if (req->n_sections == 0 || req->sections == NULL)
        return err_set(info, SH_EINVAL, "sections", "at least one section is needed");
    if (req->n_sections > PLANNER_MAX_SECTIONS)
        return err_set(info, SH_ELIMIT, "sections", "more than %d sections", PLANNER_MAX_SECTIONS);
    for (size_t i = 0; i < req->n_sections; i++) {
        const struct planner_section *s = &req->sections[i];
        if (!isfinite(s->from_km))
            return bad_item(info, "sections", i, "from_km", "must be a finite number");
        if (!isfinite(s->to_km) || s->to_km <= s->from_km)
            return bad_item(info, "sections", i, "to_km", "must be finite and above from_km");
        if (s->weight < 0 || s->weight > PLANNER_MAX_WEIGHT)
            return bad_item(info, "sections", i, "weight", "must be in [0, %d]",
                            PLANNER_MAX_WEIGHT);
        if (i > 0 && s->from_km < req->sections[i - 1].to_km)
            return bad_item(info, "sections", i, "from_km",
                            "overlaps the section before it (sections must be sorted by "
                            "chainage and must not overlap)");
    }
    return SH_OK;
}

static enum sh_err check_window(const struct planner_request *req, struct sh_errinfo *info,
                                int64_t *slot_ms, size_t *n_slot)
{
    uint64_t span;

    *slot_ms = req->slot_ms ? req->slot_ms : PLANNER_SLOT_MS_DEFAULT;
    if (*slot_ms < 0)
        return err_set(info, SH_EINVAL, "slot_ms", "must be positive (or 0 for one hour)");
    if (req->to_ms <= req->from_ms)
        return err_set(info, SH_EINVAL, "to_ms", "the window must end after it starts");
    span = (uint64_t)req->to_ms - (uint64_t)req->from_ms;
    if (span / (uint64_t)*slot_ms == 0)
        return err_set(info, SH_EINVAL, "to_ms", "the window is shorter than one slot (%lld ms)",
                       (long long)*slot_ms);
    if (span / (uint64_t)*slot_ms > PLANNER_MAX_SLOTS)
        return err_set(info, SH_ELIMIT, "to_ms",
                       "the window holds more than %d slots: choose a longer slot",
                       PLANNER_MAX_SLOTS);
    *n_slot = (size_t)(span / (uint64_t)*slot_ms);
    if (*n_slot * req->n_sections > PLANNER_MAX_CELLS)
        return err_set(info, SH_ELIMIT, "to_ms", "%zu slots of %zu sections are more than %d cells",
                       *n_slot, req->n_sections, PLANNER_MAX_CELLS);
    return SH_OK;
}

static enum sh_err check_unit(const struct planner_unit *u, size_t i, int64_t slot_ms,
                              struct sh_errinfo *info)
{
    if (u->shift_ms <= 0 || u->shift_ms % slot_ms != 0)
        return bad_item(info, "units", i, "shift_ms",
                        "must be a positive multiple of the slot "
                        "(%lld ms)",
                        (long long)slot_ms);
    if (u->max_shifts < 0)
        return bad_item(info, "units", i, "max_shifts", "must not be negative");
    if (u->min_rest_ms < 0)
        return bad_item(info, "units", i, "min_rest_ms", "must not be negative");
    if (!isfinite(u->reach_km) || u->reach_km <= 0)
        return bad_item(info, "units", i, "reach_km", "must be a positive number");
    if (u->has_range && !isfinite(u->min_km))
        return bad_item(info, "units", i, "min_km", "must be a finite number");
    if (u->has_range && (!isfinite(u->max_km) || u->max_km <= u->min_km))
        return bad_item(info, "units", i, "max_km", "must be finite and above min_km");
    return SH_OK;
}

static enum sh_err check_patrols(const struct planner_patrol *p, size_t n, const char *list,
                                 struct sh_errinfo *info)
{
    if (n > PLANNER_MAX_PATROLS)
        return err_set(info, SH_ELIMIT, list, "more than %d patrols", PLANNER_MAX_PATROLS);
    if (n > 0 && p == NULL)
        return err_set(info, SH_EINVAL, list, "%zu patrols announced, none given", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(p[i].from_km))
            return bad_item(info, list, i, "from_km", "must be a finite number");
        if (!isfinite(p[i].to_km) || p[i].to_km <= p[i].from_km)
            return bad_item(info, list, i, "to_km", "must be finite and above from_km");
        if (p[i].end_ms <= p[i].start_ms)
            return bad_item(info, list, i, "end_ms", "must be after start_ms");
    }
    return SH_OK;
}

static enum sh_err check_request(const struct planner_request *req, struct sh_errinfo *info,
                                 int64_t *slot_ms, size_t *n_slot)
{
    enum sh_err rc;

    if ((rc = check_sections(req, info)) || (rc = check_window(req, info, slot_ms, n_slot)))
        return rc;
    if (req->n_units == 0 || req->units == NULL)
        return err_set(info, SH_EINVAL, "units", "at least one unit is needed");
    if (req->n_units > PLANNER_MAX_UNITS)
        return err_set(info, SH_ELIMIT, "units", "more than %d units", PLANNER_MAX_UNITS);
    for (size_t i = 0; i < req->n_units; i++)
        if ((rc = check_unit(&req->units[i], i, *slot_ms, info)))
            return rc;
    if ((rc = check_patrols(req->covered, req->n_covered, "covered", info)) ||
        (rc = check_patrols(req->partner, req->n_partner, "partner", info)))
        return rc;
    if (req->objective != PLANNER_OBJECTIVE_COVERAGE && req->objective != PLANNER_OBJECTIVE_PAIR)
        return err_set(info, SH_EINVAL, "objective", "must be coverage or pair");
    if (req->mode != PLANNER_MODE_AUTO && req->mode != PLANNER_MODE_GREEDY &&
        req->mode != PLANNER_MODE_EXACT)
        return err_set(info, SH_EINVAL, "mode", "must be auto, greedy or exact");
    return SH_OK;
}

/* ---- the grid of cells: what is open, what is paired ---- */

/* The lowest section whose from_km is at least `km`. */
static size_t first_from_at_least(const struct planner *pl, double km)
{
    size_t lo = 0, hi = pl->n_sec;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->req->sections[mid].from_km >= km - KM_EPS)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The lowest section whose to_km is above `km`. */
static size_t first_to_above(const struct planner *pl, double km)
{
    size_t lo = 0, hi = pl->n_sec;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (pl->req->sections[mid].to_km > km + KM_EPS)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Slot index of the first slot starting at or after `ms` (ms within the window). */
static size_t slot_ceil(const struct planner *pl, int64_t ms)
{
    int64_t off = ms - pl->req->from_ms;

    return (size_t)((off + pl->slot_ms - 1) / pl->slot_ms);
}

static size_t slot_floor(const struct planner *pl, int64_t ms)
{
    return (size_t)((ms - pl->req->from_ms) / pl->slot_ms);
}

static int clip_window(const struct planner *pl, const struct planner_patrol *p, int64_t *a,
                       int64_t *b)
{
    *a = p->start_ms > pl->req->from_ms ? p->start_ms : pl->req->from_ms;
    *b = p->end_ms < pl->req->to_ms ? p->end_ms : pl->req->to_ms;
    return *a < *b;
}

/* Marks as covered the slots of section `sec` lying wholly within [a, b). */
static void mark_run(struct planner *pl, unsigned char *state, size_t sec, int64_t a, int64_t b)
{
    size_t lo = slot_ceil(pl, a), hi = slot_floor(pl, b);

    for (size_t k = lo; k < hi && k < pl->n_slot; k++)
        state[k * pl->n_sec + sec] |= 1;
}

static int by_start(const void *x, const void *y)
{
    const struct planner_patrol *p = x, *q = y;

    return (p->start_ms > q->start_ms) - (p->start_ms < q->start_ms);
}

/* Sweeps the covered patrols in order of start, keeping per section the current run of
 * contiguous or overlapping coverage [run_a, run_b); a run ends where a gap opens. */
static enum sh_err mark_covered(struct planner *pl, unsigned char *state)
{
    size_t n = pl->req->n_covered;
    struct planner_patrol *sorted = malloc((n ? n : 1) * sizeof(*sorted));
    int64_t *run_a = malloc(pl->n_sec * sizeof(*run_a)),
            *run_b = malloc(pl->n_sec * sizeof(*run_b));
    enum sh_err rc = SH_ENOMEM;

    if (sorted == NULL || run_a == NULL || run_b == NULL)
        goto out;
    if (n)
        memcpy(sorted, pl->req->covered, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), by_start);
    for (size_t j = 0; j < pl->n_sec; j++)
        run_a[j] = run_b[j] = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        int64_t a, b;
        if (!clip_window(pl, &sorted[i], &a, &b))
            continue;
        for (size_t j = first_from_at_least(pl, sorted[i].from_km);
             j < pl->n_sec && pl->req->sections[j].to_km <= sorted[i].to_km + KM_EPS; j++) {
            if (run_b[j] < a) {
                if (run_b[j] != INT64_MIN)
                    mark_run(pl, state, j, run_a[j], run_b[j]);
                run_a[j] = a;
                run_b[j] = b;
            } else if (b > run_b[j]) {
                run_b[j] = b;
            }
        }
    }
    for (size_t j = 0; j < pl->n_sec; j++)
        if (run_b[j] != INT64_MIN)
            mark_run(pl, state, j, run_a[j], run_b[j]);
    rc = SH_OK;
out:
    free(sorted);
    free(run_a);
    free(run_b);
    return rc;
}

/* Marks as paired every cell that overlaps a partner patrol in stretch and in time. */
static void mark_paired(struct planner *pl, unsigned char *state)
{
    for (size_t i = 0; i < pl->req->n_partner; i++) {
        const struct planner_patrol *p = &pl->req->partner[i];
        int64_t a, b;
        if (!clip_window(pl, p, &a, &b))
            continue;
        size_t lo = slot_floor(pl, a), hi = slot_ceil(pl, b);
        for (size_t j = first_to_above(pl, p->from_km);
             j < pl->n_sec && pl->req->sections[j].from_km < p->to_km - KM_EPS; j++)
            for (size_t k = lo; k < hi && k < pl->n_slot; k++)
                state[k * pl->n_sec + j] |= 2;
    }
}

static enum sh_err grid_init(struct planner *pl)
{
    size_t cells = pl->n_sec * pl->n_slot;
    unsigned char *state = calloc(cells, 1);
    int64_t pair_total = 0;
    enum sh_err rc = SH_ENOMEM;

    pl->base = malloc(cells * sizeof(*pl->base));
    pl->val = malloc(cells * sizeof(*pl->val));
    pl->cover = calloc(cells, sizeof(*pl->cover));
    pl->prefix = calloc(pl->n_slot * (pl->n_sec + 1), sizeof(*pl->prefix));
    if (!state || !pl->base || !pl->val || !pl->cover || !pl->prefix)
        goto out;
    if ((rc = mark_covered(pl, state)))
        goto out;
    if (pl->req->objective == PLANNER_OBJECTIVE_PAIR)
        mark_paired(pl, state);
    for (size_t c = 0; c < cells; c++)
        if (state[c] & 2)
            pair_total += pl->req->sections[c % pl->n_sec].weight;
    pl->scale = pair_total + 1;
    for (size_t c = 0; c < cells; c++) {
        int64_t w = pl->req->sections[c % pl->n_sec].weight;
        pl->base[c] = ((state[c] & 1) ? 0 : w * pl->scale) + ((state[c] & 2) ? w : 0);
        pl->val[c] = pl->base[c];
    }
    rc = SH_OK;
out:
    free(state);
    return rc;
}

/* ---- shapes and units ---- */

/* The stretch of unit `u` from every start section (see struct shape). */
static void unit_extent(const struct planner *pl, const struct planner_unit *u, int *last,
                        size_t *first)
{
    const struct planner_section *sec = pl->req->sections;
    size_t j = 0; /* sections [0, j) end within the current limit */

    for (size_t s = 0; s < pl->n_sec; s++) {
        double limit = sec[s].from_km + u->reach_km;
        if (u->has_range && u->max_km < limit)
            limit = u->max_km;
        while (j < pl->n_sec && sec[j].to_km <= limit + KM_EPS)
            j++;
        last[s] = (int)j - 1;
    }
    *first = u->has_range ? first_from_at_least(pl, u->min_km) : 0;
}

/* The shape of unit `i` (its extent is last[] and first), found among the existing ones or
 * added, in which case the shape takes `*last` and sets it to NULL. */
static size_t shape_of(struct planner *pl, size_t i, int **last, size_t first)
{
    size_t len = (size_t)(pl->req->units[i].shift_ms / pl->slot_ms);
    struct shape *sh;

    for (size_t h = 0; h < pl->n_shapes; h++) {
        sh = &pl->shapes[h];
        if (sh->len == len && sh->first == first &&
            memcmp(sh->last, *last, pl->n_sec * sizeof(int)) == 0)
            return h;
    }
    sh = &pl->shapes[pl->n_shapes];
    sh->len = len;
    sh->first = first;
    sh->last = *last;
    *last = NULL;
    sh->n_rows = len <= pl->n_slot ? pl->n_slot - len + 1 : 0;
    return pl->n_shapes++;
}

static enum sh_err shapes_init(struct planner *pl, size_t *gains, struct sh_errinfo *info)
{
    int *last = NULL;
    enum sh_err rc = SH_ENOMEM;

    pl->shapes = calloc(pl->req->n_units, sizeof(*pl->shapes));
    pl->units = calloc(pl->req->n_units, sizeof(*pl->units));
    if (pl->shapes == NULL || pl->units == NULL)
        goto out;
    *gains = 0;
    for (size_t i = 0; i < pl->req->n_units; i++) {
        size_t first, h, before = pl->n_shapes;
        if (last == NULL && (last = malloc(pl->n_sec * sizeof(*last))) == NULL)
            goto out;
        unit_extent(pl, &pl->req->units[i], last, &first);
        h = shape_of(pl, i, &last, first);
        pl->units[i].shape = h;
        if (pl->n_shapes > before)
            *gains += pl->shapes[h].n_rows * pl->n_sec;
        *gains += pl->n_slot;
        if (*gains > PLANNER_MAX_GAINS) {
            rc = err_set(info, SH_ELIMIT, "units",
                         "the units differ in too many ways (shift, reach, range) for the "
                         "window: more than %d candidate gains to keep",
                         PLANNER_MAX_GAINS);
            goto out;
        }
    }
    rc = SH_OK;
out:
    free(last);
    return rc;
}

static enum sh_err shape_alloc(struct planner *pl, struct shape *sh)
{
    size_t rows = sh->n_rows ? sh->n_rows : 1;

    sh->gain = malloc(rows * pl->n_sec * sizeof(*sh->gain));
    sh->block_best = malloc(rows * pl->n_blk * sizeof(*sh->block_best));
    sh->block_gain = malloc(rows * pl->n_blk * sizeof(*sh->block_gain));
    sh->row_best = malloc(rows * sizeof(*sh->row_best));
    sh->row_gain = malloc(rows * sizeof(*sh->row_gain));
    sh->n_free = calloc(rows, sizeof(*sh->n_free));
    sh->units = malloc(pl->req->n_units * sizeof(*sh->units));
    if (!sh->gain || !sh->block_best || !sh->block_gain || !sh->row_best || !sh->row_gain ||
        !sh->n_free || !sh->units)
        return SH_ENOMEM;
    for (size_t c = 0; c < sh->n_rows * pl->n_sec; c++)
        sh->gain[c] = -1;
    for (size_t t = 0; t < sh->n_rows; t++) {
        sh->row_best[t] = -1;
        sh->row_gain[t] = -1;
    }
    return SH_OK;
}

/* Spacing, shifts that fit and arrays of unit `i`; counts its candidates. */
static enum sh_err unit_init(struct planner *pl, size_t i, size_t *shifts)
{
    const struct planner_unit *u = &pl->req->units[i];
    struct unit_state *us = &pl->units[i];
    struct shape *sh = &pl->shapes[us->shape];
    int64_t rest = u->min_rest_ms / pl->slot_ms + (u->min_rest_ms % pl->slot_ms != 0);
    size_t fit, starts = 0;

    us->spacing = sh->len + (rest > (int64_t)pl->n_slot ? pl->n_slot : (size_t)rest);
    fit = sh->n_rows ? (sh->n_rows - 1) / us->spacing + 1 : 0;
    us->max_shifts = (size_t)u->max_shifts < fit ? u->max_shifts : (int)fit;
    *shifts += (size_t)us->max_shifts;
    us->starts = malloc((us->max_shifts ? (size_t)us->max_shifts : 1) * sizeof(*us->starts));
    us->can_start = calloc(sh->n_rows ? sh->n_rows : 1, 1);
    if (us->starts == NULL || us->can_start == NULL)
        return SH_ENOMEM;
    sh->units[sh->n_units++] = (int)i;
    for (size_t s = sh->first; s < pl->n_sec; s++)
        starts += sh->last[s] >= (int)s;
    if (us->max_shifts > 0)
        pl->n_candidates += starts * sh->n_rows;
    return SH_OK;
}

/* ---- gains and the best of each block and row ---- */

static uint64_t prio(const struct planner *pl, size_t h, size_t t, size_t s)
{
    uint64_t idx = ((uint64_t)h * pl->n_slot + t) * pl->n_sec + s + 1;

    return mix64(pl->req->seed + idx * 0x9e3779b97f4a7c15ULL);
}

/* 1 if candidate a is better than b: larger gain, or equal gain and higher priority. */
static int cand_better(const struct planner *pl, const struct cand *a, const struct cand *b)
{
    if (a->gain != b->gain)
        return a->gain > b->gain;
    return prio(pl, a->shape, a->slot, a->sec) > prio(pl, b->shape, b->slot, b->sec);
}

/* Keeps in (*best, *best_gain) the better of it and start section s of gain g, in the row of
 * shape h at slot t. Only a positive gain counts: nothing places, moves to or bounds with a
 * patrol that adds nothing, and skipping zeros spares the tie-breaks among them. */
static void keep_better(const struct planner *pl, size_t h, size_t t, size_t s, int64_t g,
                        int32_t *best, int64_t *best_gain)
{
    if (g <= 0)
        return;
    if (*best >= 0 &&
        (g < *best_gain || (g == *best_gain && prio(pl, h, t, s) <= prio(pl, h, t, (size_t)*best))))
        return;
    *best = (int32_t)s;
    *best_gain = g;
}

static void block_refresh(struct planner *pl, size_t h, size_t t, size_t b)
{
    struct shape *sh = &pl->shapes[h];
    size_t end = (b + 1) * BLOCK < pl->n_sec ? (b + 1) * BLOCK : pl->n_sec;
    const int64_t *gain = &sh->gain[t * pl->n_sec];
    int32_t best = -1;
    int64_t best_gain = -1;

    for (size_t s = b * BLOCK; s < end; s++)
        keep_better(pl, h, t, s, gain[s], &best, &best_gain);
    sh->block_best[t * pl->n_blk + b] = best;
    sh->block_gain[t * pl->n_blk + b] = best_gain;
}

/* The row's best from its blocks' (whose gains sit side by side: no trip to gain[]). */
static void row_refresh(struct planner *pl, size_t h, size_t t)
{
    struct shape *sh = &pl->shapes[h];
    const int32_t *bb = &sh->block_best[t * pl->n_blk];
    const int64_t *bg = &sh->block_gain[t * pl->n_blk];
    int32_t best = -1;
    int64_t best_gain = -1;

    for (size_t b = 0; b < pl->n_blk; b++)
        if (bb[b] >= 0)
            keep_better(pl, h, t, (size_t)bb[b], bg[b], &best, &best_gain);
    sh->row_best[t] = best;
    sh->row_gain[t] = best_gain;
}

/* The gains of start section s at slots [t_lo, t_hi], sliding the window of len slots. */
static void gains_at(struct planner *pl, struct shape *sh, size_t s, size_t t_lo, size_t t_hi)
{
    size_t w = pl->n_sec + 1, e = (size_t)sh->last[s] + 1;
    const int64_t *p = pl->prefix;
    int64_t sum = 0;

    for (size_t y = t_lo; y < t_lo + sh->len; y++)
        sum += p[y * w + e] - p[y * w + s];
    sh->gain[t_lo * pl->n_sec + s] = sum;
    for (size_t t = t_lo + 1; t <= t_hi; t++) {
        size_t in = t + sh->len - 1, out = t - 1;
        sum += (p[in * w + e] - p[in * w + s]) - (p[out * w + e] - p[out * w + s]);
        sh->gain[t * pl->n_sec + s] = sum;
    }
}

/* Recomputes the gains of shape h that read a cell of slots [y_lo, y_hi] x sections
 * [x_lo, x_hi], and the bests of their blocks and rows. */
static void shape_update(struct planner *pl, size_t h, size_t y_lo, size_t y_hi, size_t x_lo,
                         size_t x_hi)
{
    struct shape *sh = &pl->shapes[h];
    size_t t_lo = y_lo + 1 > sh->len ? y_lo + 1 - sh->len : 0, t_hi, s_lo = x_lo;

    if (sh->n_rows == 0 || t_lo >= sh->n_rows)
        return;
    t_hi = y_hi < sh->n_rows - 1 ? y_hi : sh->n_rows - 1;
    /* last[] never decreases, so the patrols reaching x_lo start at a run ending at x_lo. */
    while (s_lo > 0 && sh->last[s_lo - 1] >= (int)x_lo)
        s_lo--;
    if (s_lo < sh->first)
        s_lo = sh->first;
    if (s_lo > x_hi)
        return;
    for (size_t s = s_lo; s <= x_hi; s++)
        if (sh->last[s] >= (int)s)
            gains_at(pl, sh, s, t_lo, t_hi);
    for (size_t t = t_lo; t <= t_hi; t++) {
        for (size_t b = s_lo / BLOCK; b <= x_hi / BLOCK; b++)
            block_refresh(pl, h, t, b);
        row_refresh(pl, h, t);
    }
}

static void region_update(struct planner *pl, size_t y_lo, size_t y_hi, size_t x_lo, size_t x_hi)
{
    size_t w = pl->n_sec + 1;

    for (size_t y = y_lo; y <= y_hi; y++) {
        int64_t *p = &pl->prefix[y * w];
        const int64_t *v = &pl->val[y * pl->n_sec];
        for (size_t x = x_lo; x < pl->n_sec; x++)
            p[x + 1] = p[x] + v[x];
    }
    for (size_t h = 0; h < pl->n_shapes; h++)
        shape_update(pl, h, y_lo, y_hi, x_lo, x_hi);
}

/* ---- placing and lifting patrols ---- */

static int unit_compatible(const struct unit_state *us, size_t t)
{
    for (int i = 0; i < us->n_shifts; i++) {
        size_t d = t > us->starts[i] ? t - us->starts[i] : us->starts[i] - t;
        if (d < us->spacing)
            return 0;
    }
    return 1;
}

/* Brings can_start[] of unit u and n_free[] of its shape up to date. */
static void unit_refresh(struct planner *pl, size_t u)
{
    struct unit_state *us = &pl->units[u];
    struct shape *sh = &pl->shapes[us->shape];
    int room = us->n_shifts < us->max_shifts;

    for (size_t t = 0; t < sh->n_rows; t++) {
        unsigned char now = room && unit_compatible(us, t);
        if (now != us->can_start[t]) {
            sh->n_free[t] += now ? 1 : -1;
            us->can_start[t] = now;
        }
    }
}

static void place(struct planner *pl, const struct pick *p)
{
    struct unit_state *us = &pl->units[p->unit];
    const struct shape *sh = &pl->shapes[us->shape];
    size_t e = (size_t)sh->last[p->sec];

    for (size_t y = p->slot; y < p->slot + sh->len; y++)
        for (size_t c = y * pl->n_sec + p->sec; c <= y * pl->n_sec + e; c++)
            if (pl->cover[c]++ == 0)
                pl->val[c] = 0;
    region_update(pl, p->slot, p->slot + sh->len - 1, p->sec, e);
    us->starts[us->n_shifts++] = p->slot;
    unit_refresh(pl, (size_t)p->unit);
}

static void unplace(struct planner *pl, const struct pick *p)
{
    struct unit_state *us = &pl->units[p->unit];
    const struct shape *sh = &pl->shapes[us->shape];
    size_t e = (size_t)sh->last[p->sec];

    for (size_t y = p->slot; y < p->slot + sh->len; y++)
        for (size_t c = y * pl->n_sec + p->sec; c <= y * pl->n_sec + e; c++)
            if (--pl->cover[c] == 0)
                pl->val[c] = pl->base[c];
    region_update(pl, p->slot, p->slot + sh->len - 1, p->sec, e);
    for (int i = 0; i < us->n_shifts; i++)
        if (us->starts[i] == p->slot) {
            us->starts[i] = us->starts[--us->n_shifts];
            break;
        }
    unit_refresh(pl, (size_t)p->unit);
}

/* ---- greedy and improvement ---- */

/* The best candidate at a start slot in shape h, considering rows where free(t) is true. */
static int best_in_shape(const struct planner *pl, size_t h, const unsigned char *unit_free,
                         struct cand *best, int found)
{
    const struct shape *sh = &pl->shapes[h];

    for (size_t t = 0; t < sh->n_rows; t++) {
        if ((unit_free ? !unit_free[t] : sh->n_free[t] == 0) || sh->row_best[t] < 0)
            continue;
        struct cand c = {h, t, (size_t)sh->row_best[t], sh->row_gain[t]};
        if (c.gain > 0 && (!found || cand_better(pl, &c, best))) {
            *best = c;
            found = 1;
        }
    }
    return found;
}

/* Free start slots of unit `us` that a shift at t would block (best fit: fewer is better). */
static size_t blocked_by(const struct unit_state *us, size_t n_rows, size_t t)
{
    size_t lo = t + 1 > us->spacing ? t + 1 - us->spacing : 0, n = 0;

    for (size_t k = lo; k < t + us->spacing && k < n_rows; k++)
        n += us->can_start[k];
    return n;
}

/* The unit of shape h to fly a patrol starting at slot t: the free one it wastes least. */
static int choose_unit(struct planner *pl, size_t h, size_t t)
{
    const struct shape *sh = &pl->shapes[h];
    size_t best_waste = 0;
    uint64_t ties = 0;
    int best = -1;

    for (size_t i = 0; i < sh->n_units; i++) {
        const struct unit_state *us = &pl->units[sh->units[i]];
        if (!us->can_start[t])
            continue;
        size_t waste = blocked_by(us, sh->n_rows, t);
        if (best < 0 || waste < best_waste) {
            best = sh->units[i];
            best_waste = waste;
            ties = 1;
        } else if (waste == best_waste && rng_below(&pl->rng, ++ties) == 0) {
            best = sh->units[i];
        }
    }
    return best;
}

/* Places the best candidate until none adds anything; returns how many it placed. */
static size_t greedy(struct planner *pl)
{
    size_t placed = 0;

    for (;;) {
        struct cand c;
        int found = 0;
        for (size_t h = 0; h < pl->n_shapes; h++)
            found = best_in_shape(pl, h, NULL, &c, found);
        if (!found)
            break;
        struct pick p = {choose_unit(pl, c.shape, c.slot), c.slot, c.sec};
        assert(p.unit >= 0 && pl->n_picks < pl->cap_picks);
        place(pl, &p);
        pl->picks[pl->n_picks++] = p;
        placed++;
    }
    return placed;
}

/* Lifts each placed patrol and puts its unit's best candidate there if strictly better (or
 * leaves the shift free if the patrol added nothing and nothing better exists), then lets the
 * greedy fill what opened. Returns the number of changes. */
static size_t improve_pass(struct planner *pl)
{
    size_t changed = 0;

    for (size_t i = 0; i < pl->n_picks;) {
        struct pick p = pl->picks[i];
        struct unit_state *us = &pl->units[p.unit];
        struct cand c;
        unplace(pl, &p);
        int64_t kept = pl->shapes[us->shape].gain[p.slot * pl->n_sec + p.sec];
        if (best_in_shape(pl, us->shape, us->can_start, &c, 0) && c.gain > kept) {
            p.slot = c.slot;
            p.sec = c.sec;
            changed++;
        } else if (kept <= 0) {
            pl->picks[i] = pl->picks[--pl->n_picks];
            changed++;
            continue;
        }
        place(pl, &p);
        pl->picks[i++] = p;
    }
    return changed + greedy(pl);
}

/* Drops the patrols that add nothing the others do not (made redundant by later ones): a unit
 * is not sent where it adds nothing. The value is unchanged. */
static enum sh_err drop_idle(struct planner *pl)
{
    uint16_t *count = calloc(pl->n_sec * pl->n_slot, sizeof(*count));

    if (count == NULL)
        return SH_ENOMEM;
    for (size_t i = 0; i < pl->n_picks; i++) {
        const struct pick *p = &pl->picks[i];
        const struct shape *sh = &pl->shapes[pl->units[p->unit].shape];
        for (size_t y = p->slot; y < p->slot + sh->len; y++)
            for (size_t x = p->sec; x <= (size_t)sh->last[p->sec]; x++)
                count[y * pl->n_sec + x]++;
    }
    for (size_t i = 0; i < pl->n_picks;) {
        const struct pick *p = &pl->picks[i];
        const struct shape *sh = &pl->shapes[pl->units[p->unit].shape];
        int64_t unique = 0;
        for (size_t y = p->slot; y < p->slot + sh->len; y++)
            for (size_t x = p->sec; x <= (size_t)sh->last[p->sec]; x++)
                unique += count[y * pl->n_sec + x] == 1 ? pl->base[y * pl->n_sec + x] : 0;
        if (unique > 0) {
            i++;
            continue;
        }
        for (size_t y = p->slot; y < p->slot + sh->len; y++)
            for (size_t x = p->sec; x <= (size_t)sh->last[p->sec]; x++)
                count[y * pl->n_sec + x]--;
        pl->picks[i] = pl->picks[--pl->n_picks];
    }
    free(count);
    return SH_OK;
}

/* ---- the bound ---- */

/* The best sum of at most m of rowmax[0..n) at indices spaced by at least `spacing`, each
 * partial sum capped at `cap`. f_prev and f_cur hold n + 1 entries. */
static int64_t spaced_best(const int64_t *rowmax, size_t n, size_t spacing, int m, int64_t cap,
                           int64_t *f_prev, int64_t *f_cur)
{
    memset(f_prev, 0, (n + 1) * sizeof(*f_prev));
    for (int k = 1; k <= m; k++) {
        f_cur[n] = 0;
        for (size_t t = n; t-- > 0;) {
            int64_t take = rowmax[t] + (t + spacing < n ? f_prev[t + spacing] : 0);
            take = take < cap ? take : cap;
            f_cur[t] = take > f_cur[t + 1] ? take : f_cur[t + 1];
        }
        int64_t *swap = f_prev;
        f_prev = f_cur;
        f_cur = swap;
    }
    return f_prev[0];
}

/* A unit's best gains under the spacing, or (when the DP would cost too much) m times the
 * best row, capped at `cap`. Reuses the figure of an earlier unit of the shape alike. */
static int64_t unit_bound(const struct planner *pl, const struct shape *sh, size_t i,
                          const int64_t *rowmax, int64_t *memo, int64_t cap, int64_t *f)
{
    const struct unit_state *us = &pl->units[sh->units[i]];
    int64_t top = 0;

    for (size_t j = 0; j < i; j++) {
        const struct unit_state *o = &pl->units[sh->units[j]];
        if (o->spacing == us->spacing && o->max_shifts == us->max_shifts)
            return memo[i] = memo[j];
    }
    if ((size_t)us->max_shifts * sh->n_rows <= DP_BUDGET)
        return memo[i] = spaced_best(rowmax, sh->n_rows, us->spacing, us->max_shifts, cap, f,
                                     f + sh->n_rows + 1);
    for (size_t t = 0; t < sh->n_rows; t++)
        top = rowmax[t] > top ? rowmax[t] : top;
    return memo[i] = top >= cap / us->max_shifts ? cap : top * us->max_shifts;
}

/* Coverage (and pairing) of the cells covered by picks[0..n), from scratch. */
static enum sh_err measure(const struct planner *pl, const struct pick *picks, size_t n,
                           int64_t *coverage, int64_t *paired)
{
    unsigned char *mark = calloc(pl->n_sec * pl->n_slot, 1);

    if (mark == NULL)
        return SH_ENOMEM;
    *coverage = *paired = 0;
    for (size_t i = 0; i < n; i++) {
        const struct shape *sh = &pl->shapes[pl->units[picks[i].unit].shape];
        for (size_t y = picks[i].slot; y < picks[i].slot + sh->len; y++)
            for (size_t x = picks[i].sec; x <= (size_t)sh->last[picks[i].sec]; x++)
                mark[y * pl->n_sec + x] = 1;
    }
    for (size_t c = 0; c < pl->n_sec * pl->n_slot; c++)
        if (mark[c]) {
            *coverage += pl->base[c] / pl->scale;
            *paired += pl->base[c] % pl->scale;
        }
    free(mark);
    return SH_OK;
}

/* coverage(placed) + the sum over units of their best spaced gains relative to it, in
 * coverage units (scaled gains over scale bound coverage gains from above). */
static enum sh_err bound_now(const struct planner *pl, int64_t open_scaled, int64_t *bound)
{
    int64_t *rowmax = malloc((pl->n_slot + 1) * sizeof(*rowmax));
    int64_t *f = malloc(2 * (pl->n_slot + 2) * sizeof(*f));
    int64_t *memo = malloc(pl->req->n_units * sizeof(*memo)), sum = 0, cov, paired;
    enum sh_err rc = SH_ENOMEM;

    if (!rowmax || !f || !memo || (rc = measure(pl, pl->picks, pl->n_picks, &cov, &paired)))
        goto out;
    for (size_t h = 0; h < pl->n_shapes; h++) {
        const struct shape *sh = &pl->shapes[h];
        for (size_t t = 0; t < sh->n_rows; t++) {
            rowmax[t] = sh->row_gain[t] > 0 ? sh->row_gain[t] : 0;
        }
        for (size_t i = 0; i < sh->n_units; i++) {
            sum += unit_bound(pl, sh, i, rowmax, memo, open_scaled, f);
            sum = sum < open_scaled ? sum : open_scaled;
        }
    }
    *bound = cov + sum / pl->scale;
out:
    free(rowmax);
    free(f);
    free(memo);
    return rc;
}

/* ---- exact search: branch and bound over each unit's sets of candidates ---- */

struct bb {
    struct planner *pl;
    struct pick *cand; /* unit u's candidates are cand[off[u] .. off[u + 1]) */
    size_t *off;
    int64_t *sufub; /* sufub[u]: sum over units >= u of their best max_shifts lone gains */
    uint16_t *cover;
    int64_t cur, total, best;
    struct pick *stack, *best_set;
    size_t depth, best_n, nodes;
    uint64_t ties;
    int aborted;
};

/* Adds (sign 1) or removes (sign -1) candidate p's cells; returns the change of value. */
static int64_t bb_toggle(struct bb *bb, const struct pick *p, int sign)
{
    const struct planner *pl = bb->pl;
    const struct shape *sh = &pl->shapes[pl->units[p->unit].shape];
    int64_t delta = 0;

    for (size_t y = p->slot; y < p->slot + sh->len; y++)
        for (size_t c = y * pl->n_sec + p->sec; c <= y * pl->n_sec + (size_t)sh->last[p->sec];
             c++) {
            if (sign > 0 && bb->cover[c]++ == 0)
                delta += pl->base[c];
            else if (sign < 0 && --bb->cover[c] == 0)
                delta -= pl->base[c];
        }
    bb->cur += delta;
    return delta;
}

static int bb_fits(const struct bb *bb, const struct pick *p, int used)
{
    const struct unit_state *us = &bb->pl->units[p->unit];

    if (used >= us->max_shifts)
        return 0;
    for (size_t i = bb->depth; i-- > 0 && bb->stack[i].unit == p->unit;) {
        size_t d =
            p->slot > bb->stack[i].slot ? p->slot - bb->stack[i].slot : bb->stack[i].slot - p->slot;
        if (d < us->spacing)
            return 0;
    }
    return 1;
}

static void bb_leaf(struct bb *bb)
{
    if (bb->cur > bb->best) {
        bb->best = bb->cur;
        bb->ties = 0;
    }
    if (bb->cur == bb->best && rng_below(&bb->pl->rng, ++bb->ties) == 0) {
        memcpy(bb->best_set, bb->stack, bb->depth * sizeof(*bb->stack));
        bb->best_n = bb->depth;
    }
}

/* Unit u chooses among its candidates from k on (it has `used` already), or stops. */
static void bb_visit(struct bb *bb, size_t u, size_t k, int used)
{
    int64_t bound;

    if (bb->aborted || ++bb->nodes > PLANNER_EXACT_MAX_NODES) {
        bb->aborted = 1;
        return;
    }
    if (u == bb->pl->req->n_units) {
        bb_leaf(bb);
        return;
    }
    bound = bb->cur + bb->sufub[u] < bb->total ? bb->cur + bb->sufub[u] : bb->total;
    if (bound < bb->best)
        return;
    bb_visit(bb, u + 1, bb->off[u + 1], 0);
    for (; k < bb->off[u + 1]; k++) {
        if (!bb_fits(bb, &bb->cand[k], used))
            continue;
        if (bb_toggle(bb, &bb->cand[k], 1) > 0) {
            bb->stack[bb->depth++] = bb->cand[k];
            bb_visit(bb, u, k + 1, used + 1);
            bb->depth--;
        }
        bb_toggle(bb, &bb->cand[k], -1);
    }
}

static int by_gain_desc(const void *x, const void *y)
{
    int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;

    return (a < b) - (a > b);
}

/* Lists the candidates of every unit and the per-unit bounds of the search. */
static void bb_init(struct bb *bb, struct planner *pl, int64_t *lone)
{
    size_t n = 0, nu = pl->req->n_units;

    for (size_t u = 0; u < nu; u++) {
        const struct shape *sh = &pl->shapes[pl->units[u].shape];
        size_t mark = n;
        bb->off[u] = n;
        for (size_t t = 0; pl->units[u].max_shifts > 0 && t < sh->n_rows; t++)
            for (size_t s = sh->first; s < pl->n_sec; s++)
                if (sh->last[s] >= (int)s) {
                    bb->cand[n] = (struct pick){(int)u, t, s};
                    lone[n] = bb_toggle(bb, &bb->cand[n], 1);
                    bb_toggle(bb, &bb->cand[n], -1);
                    n++;
                }
        qsort(lone + mark, n - mark, sizeof(*lone), by_gain_desc);
        for (size_t i = mark; i < n && i < mark + (size_t)pl->units[u].max_shifts; i++)
            bb->sufub[u] += lone[i];
    }
    bb->off[nu] = n;
    for (size_t u = nu; u-- > 0;)
        bb->sufub[u] += bb->sufub[u + 1];
}

/* Solves exactly, starting from the greedy's value `floor`; on success (the search ended
 * within its budget) replaces the picks with an optimal schedule drawn among those found. */
static enum sh_err exact_solve(struct planner *pl, int64_t floor, int64_t total, int *exact)
{
    size_t nu = pl->req->n_units, nc = pl->n_candidates ? pl->n_candidates : 1;
    struct bb bb = {.pl = pl, .total = total, .best = floor};
    int64_t *lone = malloc(nc * sizeof(*lone));
    enum sh_err rc = SH_ENOMEM;

    bb.cand = malloc(nc * sizeof(*bb.cand));
    bb.off = malloc((nu + 1) * sizeof(*bb.off));
    bb.sufub = calloc(nu + 1, sizeof(*bb.sufub));
    bb.cover = calloc(pl->n_sec * pl->n_slot, sizeof(*bb.cover));
    bb.stack = malloc((pl->cap_picks + 1) * sizeof(*bb.stack));
    bb.best_set = malloc((pl->cap_picks + 1) * sizeof(*bb.best_set));
    if (!lone || !bb.cand || !bb.off || !bb.sufub || !bb.cover || !bb.stack || !bb.best_set)
        goto out;
    bb.cur = 0;
    bb_init(&bb, pl, lone);
    bb.best_n = SIZE_MAX;
    bb_visit(&bb, 0, bb.off[0], 0);
    *exact = !bb.aborted;
    /* Aborted: keep the greedy unless the search found better. */
    if (bb.best_n != SIZE_MAX && (!bb.aborted || bb.best > floor)) {
        memcpy(pl->picks, bb.best_set, bb.best_n * sizeof(*pl->picks));
        pl->n_picks = bb.best_n;
    }
    rc = SH_OK;
out:
    free(lone);
    free(bb.cand);
    free(bb.off);
    free(bb.sufub);
    free(bb.cover);
    free(bb.stack);
    free(bb.best_set);
    return rc;
}

/* ---- the whole ---- */

static void planner_free(struct planner *pl)
{
    for (size_t h = 0; pl->shapes && h < pl->req->n_units; h++) {
        free(pl->shapes[h].last);
        free(pl->shapes[h].gain);
        free(pl->shapes[h].block_best);
        free(pl->shapes[h].row_best);
        free(pl->shapes[h].block_gain);
        free(pl->shapes[h].row_gain);
        free(pl->shapes[h].n_free);
        free(pl->shapes[h].units);
    }
    for (size_t u = 0; pl->units && u < pl->req->n_units; u++) {
        free(pl->units[u].starts);
        free(pl->units[u].can_start);
    }
    free(pl->shapes);
    free(pl->units);
    free(pl->picks);
    free(pl->base);
    free(pl->val);
    free(pl->cover);
    free(pl->prefix);
}

static enum sh_err planner_init(struct planner *pl, struct sh_errinfo *info)
{
    size_t gains, shifts = 0;
    enum sh_err rc;

    pl->n_blk = (pl->n_sec + BLOCK - 1) / BLOCK;
    pl->rng = pl->req->seed;
    if ((rc = grid_init(pl)) || (rc = shapes_init(pl, &gains, info)))
        return rc;
    for (size_t h = 0; h < pl->n_shapes; h++)
        if ((rc = shape_alloc(pl, &pl->shapes[h])))
            return rc;
    for (size_t u = 0; u < pl->req->n_units; u++)
        if ((rc = unit_init(pl, u, &shifts)))
            return rc;
    if (shifts > PLANNER_MAX_SHIFTS)
        return err_set(info, SH_ELIMIT, "units", "%zu shifts in all: more than %d", shifts,
                       PLANNER_MAX_SHIFTS);
    pl->cap_picks = shifts;
    if ((pl->picks = malloc((shifts ? shifts : 1) * sizeof(*pl->picks))) == NULL)
        return SH_ENOMEM;
    region_update(pl, 0, pl->n_slot - 1, 0, pl->n_sec - 1);
    for (size_t u = 0; u < pl->req->n_units; u++)
        unit_refresh(pl, u);
    return SH_OK;
}

static int by_unit_start(const void *x, const void *y)
{
    const struct planner_patrol *p = x, *q = y;

    if (p->unit != q->unit)
        return (p->unit > q->unit) - (p->unit < q->unit);
    return (p->start_ms > q->start_ms) - (p->start_ms < q->start_ms);
}

static enum sh_err result_fill(const struct planner *pl, struct planner_result *out)
{
    enum sh_err rc;

    out->patrols = malloc((pl->n_picks ? pl->n_picks : 1) * sizeof(*out->patrols));
    if (out->patrols == NULL)
        return SH_ENOMEM;
    for (size_t i = 0; i < pl->n_picks; i++) {
        const struct pick *p = &pl->picks[i];
        const struct shape *sh = &pl->shapes[pl->units[p->unit].shape];
        struct planner_patrol *o = &out->patrols[i];
        o->unit = p->unit;
        o->from_km = pl->req->sections[p->sec].from_km;
        o->to_km = pl->req->sections[sh->last[p->sec]].to_km;
        o->start_ms = pl->req->from_ms + (int64_t)p->slot * pl->slot_ms;
        o->end_ms = o->start_ms + (int64_t)sh->len * pl->slot_ms;
    }
    out->n_patrols = pl->n_picks;
    qsort(out->patrols, out->n_patrols, sizeof(*out->patrols), by_unit_start);
    if ((rc = measure(pl, pl->picks, pl->n_picks, &out->coverage, &out->paired)))
        return rc;
    if (out->exact)
        out->bound = out->coverage;
    assert(out->bound >= out->coverage);
    out->gap_pct =
        out->bound > 0 ? 100.0 * (double)(out->bound - out->coverage) / (double)out->bound : 0.0;
    return SH_OK;
}

/* Greedy, improvement, the bound, and the exact search where the mode asks for it. */
static enum sh_err plan(struct planner *pl, struct planner_result *out)
{
    int64_t open_scaled = 0, bound, value, paired;
    size_t limit = pl->req->mode == PLANNER_MODE_EXACT  ? PLANNER_EXACT_MAX_CANDIDATES
                   : pl->req->mode == PLANNER_MODE_AUTO ? PLANNER_EXACT_AUTO_CANDIDATES
                                                        : 0;
    enum sh_err rc;

    for (size_t c = 0; c < pl->n_sec * pl->n_slot; c++) {
        open_scaled += pl->base[c];
        out->open += pl->base[c] / pl->scale;
    }
    if ((rc = bound_now(pl, open_scaled, &out->bound)))
        return rc;
    out->bound = out->bound < out->open ? out->bound : out->open;
    greedy(pl);
    for (int pass = 0; pass < PLANNER_IMPROVE_PASSES && improve_pass(pl) > 0; pass++)
        ;
    if ((rc = bound_now(pl, open_scaled, &bound)))
        return rc;
    out->bound = bound < out->bound ? bound : out->bound;
    if (limit > 0 && pl->n_candidates <= limit) {
        if ((rc = measure(pl, pl->picks, pl->n_picks, &value, &paired)))
            return rc;
        value = value * pl->scale + paired;
        if ((rc = exact_solve(pl, value, open_scaled, &out->exact)))
            return rc;
    }
    if ((rc = drop_idle(pl)))
        return rc;
    return result_fill(pl, out);
}

enum sh_err planner_propose(const struct planner_request *req, struct planner_result *out,
                            struct sh_errinfo *info)
{
    struct planner pl;
    enum sh_err rc;

    memset(out, 0, sizeof(*out));
    memset(&pl, 0, sizeof(pl));
    pl.req = req;
    if ((rc = check_request(req, info, &pl.slot_ms, &pl.n_slot)))
        return rc;
    pl.n_sec = req->n_sections;
    if ((rc = planner_init(&pl, info)) || (rc = plan(&pl, out)))
        goto out;
    out->seed = req->seed;
    out->n_candidates = pl.n_candidates;
out:
    planner_free(&pl);
    if (rc != SH_OK)
        planner_result_free(out);
    return rc;
}

void planner_result_free(struct planner_result *res)
{
    if (res == NULL)
        return;
    free(res->patrols);
    memset(res, 0, sizeof(*res));
}
