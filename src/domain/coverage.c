/*
 * coverage.c: coverage, gaps, pairing and adherence of border patrols.
 *
 * Design. Coverage and gaps share one pipeline:
 *
 *   1. index_build: clip every patrol's window to [from_ms, to_ms), drop what is left empty,
 *      sort the survivors by clipped start, and list them under every section they overlap
 *      (compressed rows: first[s] .. first[s + 1] in `patrol`). A patrol finds its sections by
 *      two binary searches over the sections sorted by from_km, so the work is proportional to
 *      the pairs (patrol, section) that really overlap, not to patrols times sections.
 *   2. Per section, union_of() sweeps the section's list (already in start order) once per
 *      side and merges it into disjoint, non-touching spans: the union semantics of the
 *      header. The intersection of the two sides' unions is "both"; the complement of a union
 *      within the window is its gaps.
 *   3. coverage_compute spreads those spans over the time buckets (bucket_spread);
 *      coverage_gaps keeps the complements that are long enough and sorts them.
 *
 * Invariants: spans are half-open, non-empty and inside the window; a union's spans are sorted
 * and separated by a positive gap (touching spans are merged, so gaps are maximal). All time
 * arithmetic is done on values inside a window whose length was checked to fit in int64.
 */
#include "domain/coverage.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MS_PER_MIN 60000.0

/* A half-open interval of time [start, end). */
struct span {
    int64_t start;
    int64_t end;
};

/* The patrols that cover each section: those of section s are patrol[first[s]..first[s+1]),
 * in order of clipped start. */
struct index {
    size_t *first;
    size_t *patrol;
    size_t max_per_section;
};

/* A patrol that has time inside the window, with its clipped start for sorting. */
struct live {
    int64_t start;
    size_t patrol;
};

/* A section's from_km for sorting. */
struct by_from {
    double from_km;
    size_t section;
};

int coverage_impact_weight(const char *level)
{
    static const struct {
        const char *name;
        int weight;
    } levels[] = {{"LOW", 1}, {"MEDIUM", 2}, {"HIGH", 4}, {"CRITICAL", 8}};

    if (level == NULL)
        return -1;
    for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++)
        if (strcmp(level, levels[i].name) == 0)
            return levels[i].weight;
    return -1;
}

/* 1 if [from, to) is non-empty and its length fits in int64. */
static int window_ok(int64_t from, int64_t to)
{
    return from < to && !(from < 0 && to > INT64_MAX + from);
}

size_t coverage_bucket_count(int64_t from_ms, int64_t to_ms, int64_t step_ms)
{
    int64_t len;

    if (step_ms <= 0 || !window_ok(from_ms, to_ms))
        return 0;
    len = to_ms - from_ms;
    return (size_t)(len / step_ms + (len % step_ms != 0));
}

static int64_t max64(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static enum sh_err check_sections(const struct coverage_input *in, struct sh_errinfo *info)
{
    for (size_t i = 0; i < in->nsections; i++) {
        const struct coverage_section *s = &in->sections[i];
        char field[48];

        if (!isfinite(s->from_km) || !isfinite(s->to_km) || !(s->to_km > s->from_km)) {
            snprintf(field, sizeof(field), "sections[%zu].to_km", i);
            return err_set(info, SH_EINVAL, field,
                           "stretch [%g, %g) km must be finite and of positive length", s->from_km,
                           s->to_km);
        }
        if (s->weight < 0) {
            snprintf(field, sizeof(field), "sections[%zu].weight", i);
            return err_set(info, SH_EINVAL, field, "%d: must be >= 0 (an unknown impact level?)",
                           s->weight);
        }
    }
    return SH_OK;
}

static enum sh_err check_patrols(const struct coverage_input *in, struct sh_errinfo *info)
{
    for (size_t i = 0; i < in->npatrols; i++) {
        const struct coverage_patrol *p = &in->patrols[i];
        char field[48];

        if (p->side != COVERAGE_OWN && p->side != COVERAGE_PARTNER) {
            snprintf(field, sizeof(field), "patrols[%zu].side", i);
            return err_set(info, SH_EINVAL, field, "%d: must be 0 (own) or 1 (partner)", p->side);
        }
        if (!isfinite(p->from_km) || !isfinite(p->to_km) || p->to_km < p->from_km) {
            snprintf(field, sizeof(field), "patrols[%zu].to_km", i);
            return err_set(info, SH_EINVAL, field, "stretch [%g, %g) km must be finite, from <= to",
                           p->from_km, p->to_km);
        }
        if (p->end_ms < p->start_ms) {
            snprintf(field, sizeof(field), "patrols[%zu].end_ms", i);
            return err_set(info, SH_EINVAL, field, "%lld is before start_ms %lld",
                           (long long)p->end_ms, (long long)p->start_ms);
        }
    }
    return SH_OK;
}

static enum sh_err check_input(const struct coverage_input *in, struct sh_errinfo *info)
{
    enum sh_err rc;

    if (!window_ok(in->from_ms, in->to_ms))
        return err_set(info, SH_EINVAL, "to_ms",
                       "window [%lld, %lld) must be non-empty and shorter than 2^63 ms",
                       (long long)in->from_ms, (long long)in->to_ms);
    if ((rc = check_sections(in, info)) != SH_OK)
        return rc;
    return check_patrols(in, info);
}

static int cmp_live(const void *a, const void *b)
{
    const struct live *x = a, *y = b;

    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    return x->patrol < y->patrol ? -1 : x->patrol > y->patrol;
}

static int cmp_by_from(const void *a, const void *b)
{
    const struct by_from *x = a, *y = b;

    if (x->from_km != y->from_km)
        return x->from_km < y->from_km ? -1 : 1;
    return x->section < y->section ? -1 : x->section > y->section;
}

/* The patrols with time in the window and a stretch of positive length, in start order.
 * Allocates *out (*n entries; may be NULL when *n is 0). */
static enum sh_err live_patrols(const struct coverage_input *in, struct live **out, size_t *n)
{
    struct live *live = malloc((in->npatrols ? in->npatrols : 1) * sizeof(*live));
    size_t m = 0;

    if (live == NULL)
        return SH_ENOMEM;
    for (size_t i = 0; i < in->npatrols; i++) {
        const struct coverage_patrol *p = &in->patrols[i];
        int64_t s = max64(p->start_ms, in->from_ms), e = min64(p->end_ms, in->to_ms);

        if (s < e && p->from_km < p->to_km)
            live[m++] = (struct live){s, i};
    }
    qsort(live, m, sizeof(*live), cmp_live);
    *out = live;
    *n = m;
    return SH_OK;
}

/* The first position in sorted[0..n) whose from_km >= km. */
static size_t first_from_at_or_after(const struct by_from *sorted, size_t n, double km)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid].from_km < km)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The first position whose running maximum of to_km is > km. Sections before it all end at
 * or before km. The running maximum, not to_km itself, keeps this right for overlapping
 * sections; for the usual tiling it is just to_km. */
static size_t first_reach_past(const double *reach, size_t n, double km)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (reach[mid] <= km)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The sections sorted by from_km, with the running maximum of their to_km. */
struct finder {
    const struct coverage_input *in;
    struct by_from *sorted;
    double *reach;
};

/* Writes to `out` the sections that patrol `p` overlaps by a positive length; returns how
 * many. Sorted positions before `lo` end at or before p->from_km, those from `hi` on start at
 * or after p->to_km; the ones between still need their own end checked when sections overlap
 * one another (for the usual tiling they all pass). */
static size_t sections_of(const struct finder *f, const struct coverage_patrol *p, size_t *out)
{
    size_t n = f->in->nsections, m = 0;
    size_t lo = first_reach_past(f->reach, n, p->from_km);
    size_t hi = first_from_at_or_after(f->sorted, n, p->to_km);

    for (size_t pos = lo; pos < hi; pos++) {
        size_t s = f->sorted[pos].section;
        if (f->in->sections[s].to_km > p->from_km)
            out[m++] = s;
    }
    return m;
}

/* Lists the live patrols under the sections they overlap: count, then fill. */
static enum sh_err index_fill(const struct finder *f, const struct live *live, size_t nlive,
                              struct index *idx)
{
    const struct coverage_input *in = f->in;
    size_t *next = calloc(in->nsections + 1, sizeof(*next));
    size_t *hits = malloc((in->nsections + 1) * sizeof(*hits));
    enum sh_err rc = SH_OK;

    idx->first = calloc(in->nsections + 1, sizeof(*idx->first));
    if (idx->first == NULL || next == NULL || hits == NULL) {
        rc = SH_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nlive; i++) {
        size_t nhits = sections_of(f, &in->patrols[live[i].patrol], hits);
        for (size_t k = 0; k < nhits; k++)
            idx->first[hits[k] + 1]++;
    }
    for (size_t s = 0; s < in->nsections; s++) {
        if (idx->first[s + 1] > idx->max_per_section)
            idx->max_per_section = idx->first[s + 1];
        idx->first[s + 1] += idx->first[s];
        next[s] = idx->first[s];
    }
    idx->patrol = malloc((idx->first[in->nsections] + 1) * sizeof(*idx->patrol));
    if (idx->patrol == NULL) {
        rc = SH_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < nlive; i++) {
        size_t nhits = sections_of(f, &in->patrols[live[i].patrol], hits);
        for (size_t k = 0; k < nhits; k++)
            idx->patrol[next[hits[k]]++] = live[i].patrol;
    }
out:
    free(next);
    free(hits);
    return rc;
}

static void index_free(struct index *idx)
{
    free(idx->first);
    free(idx->patrol);
    memset(idx, 0, sizeof(*idx));
}

static enum sh_err index_build(const struct coverage_input *in, struct index *idx,
                               struct sh_errinfo *info)
{
    struct live *live = NULL;
    struct by_from *sorted = NULL;
    double *reach = NULL;
    size_t nlive = 0;
    enum sh_err rc;

    memset(idx, 0, sizeof(*idx));
    if ((rc = live_patrols(in, &live, &nlive)) != SH_OK)
        goto out;
    sorted = malloc((in->nsections + 1) * sizeof(*sorted));
    reach = malloc((in->nsections + 1) * sizeof(*reach));
    if (sorted == NULL || reach == NULL) {
        rc = SH_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < in->nsections; i++)
        sorted[i] = (struct by_from){in->sections[i].from_km, i};
    qsort(sorted, in->nsections, sizeof(*sorted), cmp_by_from);
    for (size_t i = 0; i < in->nsections; i++) {
        double to_km = in->sections[sorted[i].section].to_km;
        reach[i] = (i > 0 && reach[i - 1] > to_km) ? reach[i - 1] : to_km;
    }
    rc = index_fill(&(struct finder){in, sorted, reach}, live, nlive, idx);
out:
    if (rc != SH_OK) {
        index_free(idx);
        err_set(info, rc, "", "out of memory indexing %zu patrols", in->npatrols);
    }
    free(live);
    free(sorted);
    free(reach);
    return rc;
}

/* The union of the windows (clipped to the input's window) of the patrols ids[0..n), which
 * are in start order, keeping those of `side` only, or all when side < 0. Writes at most n
 * spans to `out`; returns how many. */
static size_t union_of(const struct coverage_input *in, const size_t *ids, size_t n, int side,
                       struct span *out)
{
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        const struct coverage_patrol *p = &in->patrols[ids[i]];
        int64_t s, e;

        if (side >= 0 && p->side != side)
            continue;
        s = max64(p->start_ms, in->from_ms);
        e = min64(p->end_ms, in->to_ms);
        if (m > 0 && s <= out[m - 1].end)
            out[m - 1].end = max64(out[m - 1].end, e);
        else
            out[m++] = (struct span){s, e};
    }
    return m;
}

/* The intersection of two unions; at most na + nb spans. */
static size_t intersect(const struct span *a, size_t na, const struct span *b, size_t nb,
                        struct span *out)
{
    size_t i = 0, j = 0, m = 0;

    while (i < na && j < nb) {
        int64_t s = max64(a[i].start, b[j].start), e = min64(a[i].end, b[j].end);

        if (s < e)
            out[m++] = (struct span){s, e};
        if (a[i].end < b[j].end)
            i++;
        else
            j++;
    }
    return m;
}

/* The complement of a union within [from, to); at most n + 1 spans. */
static size_t complement(const struct span *u, size_t n, int64_t from, int64_t to, struct span *out)
{
    int64_t at = from;
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        if (u[i].start > at)
            out[m++] = (struct span){at, u[i].start};
        at = u[i].end;
    }
    if (at < to)
        out[m++] = (struct span){at, to};
    return m;
}

/* The time buckets of a computation. */
struct buckets {
    int64_t from, to, step;
    size_t n;
};

/* Spreads spans[0..n) over the buckets: adds each piece's length to acc[bucket], or with
 * `longest` keeps the longest piece. The walk stops at the last bucket before stepping past
 * `to`, so bucket starts never overflow. */
static void bucket_spread(const struct buckets *bk, const struct span *spans, size_t n, int longest,
                          int64_t *acc)
{
    for (size_t i = 0; i < n; i++) {
        const struct span *sp = &spans[i];
        size_t b = (size_t)((sp->start - bk->from) / bk->step);
        int64_t bs = bk->from + (int64_t)b * bk->step;

        for (; b < bk->n && bs < sp->end; b++, bs += bk->step) {
            int64_t be = (bk->to - bs > bk->step) ? bs + bk->step : bk->to;
            int64_t part = min64(be, sp->end) - max64(bs, sp->start);

            acc[b] = longest ? max64(acc[b], part) : acc[b] + part;
            if (be == bk->to)
                break;
        }
    }
}

/* Scratch space for one section at a time, sized for the busiest section. */
struct scratch {
    struct span *own, *partner, *both, *all, *gaps;
    int64_t *acc; /* 4 * nbuckets: own, partner, both, longest gap */
};

static void scratch_free(struct scratch *sc)
{
    free(sc->own);
    free(sc->partner);
    free(sc->both);
    free(sc->all);
    free(sc->gaps);
    free(sc->acc);
    memset(sc, 0, sizeof(*sc));
}

static enum sh_err scratch_init(struct scratch *sc, size_t max_spans, size_t nbuckets)
{
    size_t n = max_spans + 1; /* the complement has one more */

    sc->own = malloc(n * sizeof(struct span));
    sc->partner = malloc(n * sizeof(struct span));
    sc->both = malloc(2 * n * sizeof(struct span));
    sc->all = malloc(n * sizeof(struct span));
    sc->gaps = malloc(n * sizeof(struct span));
    sc->acc = malloc((4 * nbuckets + 1) * sizeof(int64_t));
    if (!sc->own || !sc->partner || !sc->both || !sc->all || !sc->gaps || !sc->acc) {
        scratch_free(sc);
        return SH_ENOMEM;
    }
    return SH_OK;
}

/* Fills the nbuckets cells of one section. */
static void section_cells(const struct coverage_input *in, const struct index *idx, size_t s,
                          const struct buckets *bk, struct scratch *sc, struct coverage_cell *cells)
{
    const size_t *ids = &idx->patrol[idx->first[s]];
    size_t n = idx->first[s + 1] - idx->first[s];
    size_t nown = union_of(in, ids, n, COVERAGE_OWN, sc->own);
    size_t npartner = union_of(in, ids, n, COVERAGE_PARTNER, sc->partner);
    size_t nboth = intersect(sc->own, nown, sc->partner, npartner, sc->both);
    size_t nall = union_of(in, ids, n, -1, sc->all);
    size_t ngaps = complement(sc->all, nall, in->from_ms, in->to_ms, sc->gaps);
    int64_t *own = sc->acc, *partner = own + bk->n, *both = partner + bk->n, *gap = both + bk->n;

    memset(sc->acc, 0, 4 * bk->n * sizeof(int64_t));
    bucket_spread(bk, sc->own, nown, 0, own);
    bucket_spread(bk, sc->partner, npartner, 0, partner);
    bucket_spread(bk, sc->both, nboth, 0, both);
    bucket_spread(bk, sc->gaps, ngaps, 1, gap);
    for (size_t b = 0; b < bk->n; b++) {
        cells[b].own_min = (double)own[b] / MS_PER_MIN;
        cells[b].partner_min = (double)partner[b] / MS_PER_MIN;
        cells[b].both_min = (double)both[b] / MS_PER_MIN;
        cells[b].gap_max_min = (double)gap[b] / MS_PER_MIN;
    }
}

enum sh_err coverage_compute(const struct coverage_input *in, int64_t step_ms,
                             struct coverage_cell *out, size_t out_len, struct sh_errinfo *info)
{
    struct buckets bk = {in->from_ms, in->to_ms, step_ms, 0};
    struct index idx = {0};
    struct scratch sc = {0};
    enum sh_err rc;

    if ((rc = check_input(in, info)) != SH_OK)
        return rc;
    if (step_ms <= 0)
        return err_set(info, SH_EINVAL, "step_ms", "%lld: must be > 0", (long long)step_ms);
    bk.n = coverage_bucket_count(in->from_ms, in->to_ms, step_ms);
    assert(bk.n > 0); /* check_input vouched for the window */
    if (in->nsections > SIZE_MAX / bk.n || out_len < in->nsections * bk.n)
        return err_set(info, SH_ELIMIT, "out", "room for %zu cells, need %zu sections x %zu",
                       out_len, in->nsections, bk.n);
    if ((rc = index_build(in, &idx, info)) != SH_OK)
        return rc;
    if ((rc = scratch_init(&sc, idx.max_per_section, bk.n)) != SH_OK) {
        err_set(info, rc, "", "out of memory for %zu buckets", bk.n);
        goto out;
    }
    for (size_t s = 0; s < in->nsections; s++)
        section_cells(in, &idx, s, &bk, &sc, &out[s * bk.n]);
    scratch_free(&sc);
out:
    index_free(&idx);
    return rc;
}

static int cmp_gap(const void *a, const void *b)
{
    const struct coverage_gap *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return x->section < y->section ? -1 : x->section > y->section;
}

/* A growable array of gaps. */
struct gap_list {
    struct coverage_gap *v;
    size_t n, cap;
};

static enum sh_err gap_push(struct gap_list *l, struct coverage_gap g)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 64;
        struct coverage_gap *v = realloc(l->v, cap * sizeof(*v));
        if (v == NULL)
            return SH_ENOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = g;
    return SH_OK;
}

/* Appends the gaps of section s that are at least min_minutes long. */
static enum sh_err section_gaps(const struct coverage_input *in, const struct index *idx, size_t s,
                                int side, double min_minutes, struct scratch *sc,
                                struct gap_list *l)
{
    const size_t *ids = &idx->patrol[idx->first[s]];
    size_t n = idx->first[s + 1] - idx->first[s];
    size_t nu = union_of(in, ids, n, side, sc->all);
    size_t ngaps = complement(sc->all, nu, in->from_ms, in->to_ms, sc->gaps);
    int weight = in->sections[s].weight;
    enum sh_err rc = SH_OK;

    for (size_t i = 0; i < ngaps && rc == SH_OK; i++) {
        int64_t len = sc->gaps[i].end - sc->gaps[i].start;
        double minutes = (double)len / MS_PER_MIN;

        if (minutes >= min_minutes)
            rc = gap_push(l, (struct coverage_gap){s, sc->gaps[i].start, sc->gaps[i].end, minutes,
                                                   (double)len * weight / MS_PER_MIN});
    }
    return rc;
}

enum sh_err coverage_gaps(const struct coverage_input *in, enum coverage_gap_of of,
                          double min_minutes, struct coverage_gap **out, size_t *n_out,
                          struct sh_errinfo *info)
{
    static const int side_of[] = {-1, COVERAGE_OWN, COVERAGE_PARTNER};
    struct index idx = {0};
    struct scratch sc = {0};
    struct gap_list l = {0};
    enum sh_err rc;

    *out = NULL;
    *n_out = 0;
    if ((rc = check_input(in, info)) != SH_OK)
        return rc;
    if (!isfinite(min_minutes) || min_minutes < 0)
        return err_set(info, SH_EINVAL, "min_minutes", "%g: must be finite and >= 0", min_minutes);
    if ((int)of < 0 || (int)of > COVERAGE_GAP_PARTNER)
        return err_set(info, SH_EINVAL, "of", "%d: no such side", (int)of);
    if ((rc = index_build(in, &idx, info)) != SH_OK)
        return rc;
    if ((rc = scratch_init(&sc, idx.max_per_section, 0)) != SH_OK) {
        err_set(info, rc, "", "out of memory listing gaps");
        goto out;
    }
    for (size_t s = 0; s < in->nsections && rc == SH_OK; s++)
        rc = section_gaps(in, &idx, s, side_of[of], min_minutes, &sc, &l);
    scratch_free(&sc);
    if (rc != SH_OK) {
        err_set(info, rc, "", "out of memory listing %zu gaps", l.n);
        goto out;
    }
    if (l.n > 1) /* qsort's pointer must not be NULL, even for no elements */
        qsort(l.v, l.n, sizeof(*l.v), cmp_gap);
    *out = l.v;
    *n_out = l.n;
    l.v = NULL;
out:
    free(l.v);
    index_free(&idx);
    return rc;
}

/* 1 if the patrol's stretch and window are well-formed enough to overlap anything. */
static int patrol_sane(const struct coverage_patrol *p)
{
    return isfinite(p->from_km) && isfinite(p->to_km) && p->from_km <= p->to_km &&
           p->start_ms <= p->end_ms;
}

/* Common km times common hours: how much the two patrols can do together. */
static double joint_effort(const struct coverage_pair *p)
{
    return (p->to_km - p->from_km) * (double)(p->end_ms - p->start_ms);
}

static int cmp_pair(const void *a, const void *b)
{
    const struct coverage_pair *x = a, *y = b;
    double ex = joint_effort(x), ey = joint_effort(y);

    if (ex != ey)
        return ex > ey ? -1 : 1;
    return x->partner < y->partner ? -1 : x->partner > y->partner;
}

size_t coverage_pairs(const struct coverage_patrol *mine, const struct coverage_patrol *partner,
                      size_t n, struct coverage_pair *out)
{
    size_t m = 0;

    if (!patrol_sane(mine))
        return 0;
    for (size_t i = 0; i < n; i++) {
        const struct coverage_patrol *p = &partner[i];
        struct coverage_pair pair = {
            i, fmax(mine->from_km, p->from_km), fmin(mine->to_km, p->to_km),
            max64(mine->start_ms, p->start_ms), min64(mine->end_ms, p->end_ms)};

        if (patrol_sane(p) && pair.from_km < pair.to_km && pair.start_ms < pair.end_ms)
            out[m++] = pair;
    }
    if (m > 1)
        qsort(out, m, sizeof(*out), cmp_pair);
    return m;
}

static enum sh_err check_adherence(const struct coverage_patrol *plan,
                                   const struct coverage_adherence_opts *opts,
                                   struct sh_errinfo *info)
{
    if (plan->end_ms <= plan->start_ms)
        return err_set(info, SH_EINVAL, "plan.end_ms", "window [%lld, %lld) is empty",
                       (long long)plan->start_ms, (long long)plan->end_ms);
    if (!isfinite(plan->from_km) || !isfinite(plan->to_km) || plan->to_km < plan->from_km)
        return err_set(info, SH_EINVAL, "plan.to_km",
                       "stretch [%g, %g) km must be finite, from <= to", plan->from_km,
                       plan->to_km);
    if (!isfinite(opts->tolerance_km) || opts->tolerance_km < 0)
        return err_set(info, SH_EINVAL, "tolerance_km", "%g: must be finite and >= 0",
                       opts->tolerance_km);
    if (!isfinite(opts->max_distance_km) || opts->max_distance_km < 0)
        return err_set(info, SH_EINVAL, "max_distance_km", "%g: must be finite and >= 0",
                       opts->max_distance_km);
    if (opts->grace_ms < 0)
        return err_set(info, SH_EINVAL, "grace_ms", "%lld: must be >= 0",
                       (long long)opts->grace_ms);
    return SH_OK;
}

/* The flag report `r` earns, or -1 for none. Sets *in_window. */
static int report_flag(const struct coverage_patrol *plan, const struct coverage_report *r,
                       const struct coverage_adherence_opts *opts, int *in_window)
{
    double tol = opts->tolerance_km;

    *in_window = r->time_ms >= plan->start_ms && r->time_ms < plan->end_ms;
    if (!*in_window)
        return opts->flag_outside_window ? COVERAGE_FLAG_OUTSIDE_WINDOW : -1;
    if (!(r->chainage_km >= plan->from_km - tol && r->chainage_km <= plan->to_km + tol))
        return COVERAGE_FLAG_OUTSIDE_STRETCH;
    if (opts->max_distance_km > 0 && !(r->distance_km <= opts->max_distance_km))
        return COVERAGE_FLAG_FAR_FROM_LINE;
    return -1;
}

/* 1 if now_ms >= start_ms + grace_ms, without overflowing. */
static int grace_over(int64_t start_ms, int64_t grace_ms, int64_t now_ms)
{
    return now_ms >= start_ms && (uint64_t)now_ms - (uint64_t)start_ms >= (uint64_t)grace_ms;
}

enum sh_err coverage_adherence(const struct coverage_patrol *plan,
                               const struct coverage_report *reports, size_t n,
                               const struct coverage_adherence_opts *opts,
                               struct coverage_flag **out, size_t *n_out, struct sh_errinfo *info)
{
    struct coverage_flag *flags = NULL;
    size_t m = 0;
    int seen = 0;
    enum sh_err rc;

    *out = NULL;
    *n_out = 0;
    if ((rc = check_adherence(plan, opts, info)) != SH_OK)
        return rc;
    if (n >= SIZE_MAX / sizeof(*flags) || (flags = malloc((n + 1) * sizeof(*flags))) == NULL)
        return err_set(info, SH_ENOMEM, "", "out of memory for %zu reports", n);
    for (size_t i = 0; i < n; i++) {
        const struct coverage_report *r = &reports[i];
        int in_window, kind = report_flag(plan, r, opts, &in_window);

        seen |= in_window;
        if (kind >= 0)
            flags[m++] = (struct coverage_flag){(enum coverage_flag_kind)kind,
                                                i,
                                                r->unit,
                                                r->time_ms,
                                                r->chainage_km,
                                                r->distance_km};
    }
    if (!seen && grace_over(plan->start_ms, opts->grace_ms, opts->now_ms))
        flags[m++] = (struct coverage_flag){COVERAGE_FLAG_NO_POSITION,
                                            COVERAGE_NO_UNIT,
                                            COVERAGE_NO_UNIT,
                                            plan->start_ms + opts->grace_ms,
                                            NAN,
                                            NAN};
    if (m == 0) {
        free(flags);
        flags = NULL;
    }
    *out = flags;
    *n_out = m;
    return SH_OK;
}
