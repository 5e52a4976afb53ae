/*
 * Unit tests of domain/coverage. Hand-worked cases carry their arithmetic in comments; the
 * random cases compare against references written here from the header's definitions alone:
 * coverage and gaps counted minute by minute (every random time is a whole minute, so the
 * count is exact), pairing by scanning half-kilometre cells and minutes.
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

#include "domain/coverage.h"

#define MIN 60000LL
#define HOUR (60 * MIN)
/* 2026-01-01T00:00:00Z: an arbitrary, realistic origin for the hand-worked cases. */
#define T0 1767225600000LL

/* "8:30" in the hand-worked cases is T0 + at(8, 30). */
static int64_t at(int h, int m)
{
    return T0 + h * HOUR + m * MIN;
}

static struct coverage_patrol own(double from_km, double to_km, int64_t start, int64_t end)
{
    return (struct coverage_patrol){COVERAGE_OWN, from_km, to_km, start, end};
}

static struct coverage_patrol partner(double from_km, double to_km, int64_t start, int64_t end)
{
    return (struct coverage_patrol){COVERAGE_PARTNER, from_km, to_km, start, end};
}

#define assert_cell(c, own_, partner_, both_, gap_)                                                \
    assert_cell_at(&(c), (own_), (partner_), (both_), (gap_), #c, __FILE__, __LINE__)

static void assert_cell_at(const struct coverage_cell *c, double own_min, double partner_min,
                           double both_min, double gap_min, const char *expr, const char *file,
                           int line)
{
    if (c->own_min != own_min || c->partner_min != partner_min || c->both_min != both_min ||
        c->gap_max_min != gap_min) {
        print_error("%s = {own %g, partner %g, both %g, gap %g}, expected {%g, %g, %g, %g}\n", expr,
                    c->own_min, c->partner_min, c->both_min, c->gap_max_min, own_min, partner_min,
                    both_min, gap_min);
        _fail(file, line);
    }
}

#define assert_gap(g, section_, start_, end_, minutes_, score_)                                    \
    assert_gap_at(&(g), (section_), (start_), (end_), (minutes_), (score_), #g, __FILE__, __LINE__)

static void assert_gap_at(const struct coverage_gap *g, size_t section, int64_t start, int64_t end,
                          double minutes, double score, const char *expr, const char *file,
                          int line)
{
    if (g->section != section || g->start_ms != start || g->end_ms != end ||
        g->minutes != minutes || g->score != score) {
        print_error("%s = {section %zu, T0%+lld min, T0%+lld min, %g min, score %g}, expected "
                    "{%zu, T0%+lld, T0%+lld, %g, %g}\n",
                    expr, g->section, (long long)((g->start_ms - T0) / MIN),
                    (long long)((g->end_ms - T0) / MIN), g->minutes, g->score, section,
                    (long long)((start - T0) / MIN), (long long)((end - T0) / MIN), minutes, score);
        _fail(file, line);
    }
}

/* Runs coverage_compute, which must succeed, into a fresh array of nsections * nbuckets. */
static struct coverage_cell *compute(const struct coverage_input *in, int64_t step, size_t *nb)
{
    struct sh_errinfo info = {{0}, {0}};
    struct coverage_cell *cells;

    *nb = coverage_bucket_count(in->from_ms, in->to_ms, step);
    cells = calloc(in->nsections * *nb + 1, sizeof(*cells));
    assert_non_null(cells);
    if (coverage_compute(in, step, cells, in->nsections * *nb, &info) != SH_OK) {
        print_error("coverage_compute: %s: %s\n", info.field, info.message);
        fail();
    }
    return cells;
}

static struct coverage_gap *gaps(const struct coverage_input *in, enum coverage_gap_of of,
                                 double min_minutes, size_t *n)
{
    struct sh_errinfo info = {{0}, {0}};
    struct coverage_gap *g = (struct coverage_gap *)1;

    if (coverage_gaps(in, of, min_minutes, &g, n, &info) != SH_OK) {
        print_error("coverage_gaps: %s: %s\n", info.field, info.message);
        fail();
    }
    return g;
}

static void test_impact_weights(void **state)
{
    assert_int_equal(coverage_impact_weight("LOW"), 1);
    assert_int_equal(coverage_impact_weight("MEDIUM"), 2);
    assert_int_equal(coverage_impact_weight("HIGH"), 4);
    assert_int_equal(coverage_impact_weight("CRITICAL"), 8);
    assert_int_equal(coverage_impact_weight("low"), -1);
    assert_int_equal(coverage_impact_weight("CRITICAL "), -1);
    assert_int_equal(coverage_impact_weight("VERY_HIGH"),
                     -1); /* an event impact, not a section's */
    assert_int_equal(coverage_impact_weight(""), -1);
    assert_int_equal(coverage_impact_weight(NULL), -1);
}

static void test_bucket_count(void **state)
{
    assert_int_equal(coverage_bucket_count(T0, T0 + HOUR, HOUR), 1);
    assert_int_equal(coverage_bucket_count(T0, T0 + HOUR + 1, HOUR), 2);
    assert_int_equal(coverage_bucket_count(T0, T0 + 150 * MIN, HOUR), 3); /* 60 + 60 + 30 */
    assert_int_equal(coverage_bucket_count(T0, T0 + HOUR * 24 * 7, HOUR), 168);
    assert_int_equal(coverage_bucket_count(T0, T0 + MIN, HOUR), 1);
    assert_int_equal(coverage_bucket_count(-5, 5, 3), 4); /* [-5,-2) [-2,1) [1,4) [4,5) */
    assert_int_equal(coverage_bucket_count(T0, T0, HOUR), 0);
    assert_int_equal(coverage_bucket_count(T0, T0 - 1, HOUR), 0);
    assert_int_equal(coverage_bucket_count(T0, T0 + HOUR, 0), 0);
    assert_int_equal(coverage_bucket_count(T0, T0 + HOUR, -HOUR), 0);
    assert_int_equal(coverage_bucket_count(INT64_MIN, INT64_MAX, HOUR), 0); /* too long */
    assert_int_equal(coverage_bucket_count(-1, INT64_MAX - 1, INT64_MAX), 1);
}

/*
 * The hand-worked instance. Sections S0 [0, 10) weight 1 and S1 [10, 20) weight 4; window
 * [0:00, 3:00) in hourly buckets B0 [0:00, 1:00), B1 [1:00, 2:00), B2 [2:00, 3:00).
 *   A own     [0, 15)   0:30-2:00   S0 and S1
 *   B own     [5, 10)   1:30-2:30   S0 only (touches S1 at km 10)
 *   C partner [8, 12)   1:00-1:45   S0 and S1
 *   D partner [10, 20) -1:00-0:15   S1, clipped to 0:00-0:15
 *   E own     [20, 30)   0:00-3:00  nothing (touches S1's end)
 *   F partner [0, 20)    3:00-4:00  nothing (starts at the window's end)
 */
static const struct coverage_section hand_sections[] = {{0, 10, 1}, {10, 20, 4}};

static struct coverage_input hand_input(struct coverage_patrol *p)
{
    p[0] = own(0, 15, at(0, 30), at(2, 0));
    p[1] = own(5, 10, at(1, 30), at(2, 30));
    p[2] = partner(8, 12, at(1, 0), at(1, 45));
    p[3] = partner(10, 20, at(-1, 0), at(0, 15));
    p[4] = own(20, 30, at(0, 0), at(3, 0));
    p[5] = partner(0, 20, at(3, 0), at(4, 0));
    return (struct coverage_input){hand_sections, 2, p, 6, at(0, 0), at(3, 0)};
}

static void test_compute_hand_worked(void **state)
{
    struct coverage_patrol p[6];
    struct coverage_input in = hand_input(p);
    size_t nb;
    struct coverage_cell *c = compute(&in, HOUR, &nb);

    assert_int_equal(nb, 3);
    /* S0: own = A u B = [0:30, 2:30); partner = C = [1:00, 1:45); nobody on [0:00, 0:30) and
     * [2:30, 3:00).
     *   B0: own 1:00-0:30 = 30, partner 0, both 0, longest gap 0:00-0:30 = 30
     *   B1: own 60, partner 45, both = partner (inside own) 45, gap 0
     *   B2: own 2:00-2:30 = 30, partner 0, both 0, gap 2:30-3:00 = 30 */
    assert_cell(c[0 * nb + 0], 30, 0, 0, 30);
    assert_cell(c[0 * nb + 1], 60, 45, 45, 0);
    assert_cell(c[0 * nb + 2], 30, 0, 0, 30);
    /* S1: own = A = [0:30, 2:00); partner = D u C = [0:00, 0:15) u [1:00, 1:45).
     *   B0: own 30, partner 15, both 0 (D ends before A starts), gap 0:15-0:30 = 15
     *   B1: own 60, partner 45, both 45, gap 0
     *   B2: nobody: own 0, partner 0, both 0, gap 60 */
    assert_cell(c[1 * nb + 0], 30, 15, 0, 15);
    assert_cell(c[1 * nb + 1], 60, 45, 45, 0);
    assert_cell(c[1 * nb + 2], 0, 0, 0, 60);
    free(c);
}

static void test_gaps_hand_worked(void **state)
{
    struct coverage_patrol p[6];
    struct coverage_input in = hand_input(p);
    struct coverage_gap *g;
    size_t n;

    /* Nobody: S0 [0:00, 0:30) 30 min x 1 = 30 and [2:30, 3:00) 30 x 1 = 30;
     * S1 [0:15, 0:30) 15 x 4 = 60 and [2:00, 3:00) 60 x 4 = 240.
     * By score: 240, 60, then the two 30s by earlier start. */
    g = gaps(&in, COVERAGE_GAP_NOBODY, 0, &n);
    assert_int_equal(n, 4);
    assert_gap(g[0], 1, at(2, 0), at(3, 0), 60, 240);
    assert_gap(g[1], 1, at(0, 15), at(0, 30), 15, 60);
    assert_gap(g[2], 0, at(0, 0), at(0, 30), 30, 30);
    assert_gap(g[3], 0, at(2, 30), at(3, 0), 30, 30);
    free(g);

    /* At least 20 minutes: S1's 15-minute gap goes, whatever its score. */
    g = gaps(&in, COVERAGE_GAP_NOBODY, 20, &n);
    assert_int_equal(n, 3);
    assert_gap(g[0], 1, at(2, 0), at(3, 0), 60, 240);
    assert_gap(g[1], 0, at(0, 0), at(0, 30), 30, 30);
    assert_gap(g[2], 0, at(2, 30), at(3, 0), 30, 30);
    free(g);

    /* A gap of exactly min_minutes is kept: 30 >= 30. */
    g = gaps(&in, COVERAGE_GAP_NOBODY, 30, &n);
    assert_int_equal(n, 3);
    free(g);

    /* Our side absent, the partner regardless: S0 own [0:30, 2:30) leaves 0:00-0:30 (30) and
     * 2:30-3:00 (30), scores 30 and 30; S1 own [0:30, 2:00) leaves 0:00-0:30 (30 x 4 = 120)
     * and 2:00-3:00 (60 x 4 = 240). */
    g = gaps(&in, COVERAGE_GAP_OWN, 0, &n);
    assert_int_equal(n, 4);
    assert_gap(g[0], 1, at(2, 0), at(3, 0), 60, 240);
    assert_gap(g[1], 1, at(0, 0), at(0, 30), 30, 120);
    assert_gap(g[2], 0, at(0, 0), at(0, 30), 30, 30);
    assert_gap(g[3], 0, at(2, 30), at(3, 0), 30, 30);
    free(g);

    /* The partner absent: S0 partner [1:00, 1:45) leaves 0:00-1:00 (60) and 1:45-3:00 (75);
     * S1 partner [0:00, 0:15) u [1:00, 1:45) leaves 0:15-1:00 (45 x 4 = 180) and 1:45-3:00
     * (75 x 4 = 300). */
    g = gaps(&in, COVERAGE_GAP_PARTNER, 0, &n);
    assert_int_equal(n, 4);
    assert_gap(g[0], 1, at(1, 45), at(3, 0), 75, 300);
    assert_gap(g[1], 1, at(0, 15), at(1, 0), 45, 180);
    assert_gap(g[2], 0, at(1, 45), at(3, 0), 75, 75);
    assert_gap(g[3], 0, at(0, 0), at(1, 0), 60, 60);
    free(g);
}

/* A patrol lying exactly on a section covers it and not its neighbours, which it touches. */
static void test_patrol_on_section_boundaries(void **state)
{
    static const struct coverage_section s[] = {{0, 10, 1}, {10, 20, 1}, {20, 30, 1}};
    struct coverage_patrol p[] = {own(10, 20, at(0, 0), at(1, 0))};
    struct coverage_input in = {s, 3, p, 1, at(0, 0), at(1, 0)};
    size_t nb;
    struct coverage_cell *c = compute(&in, HOUR, &nb);

    assert_int_equal(nb, 1);
    assert_cell(c[0], 0, 0, 0, 60);
    assert_cell(c[1], 60, 0, 0, 0);
    assert_cell(c[2], 0, 0, 0, 60);
    free(c);

    /* A sliver inside one section still counts: [19.999, 20.001) overlaps S1 and S2. */
    p[0] = partner(19.999, 20.001, at(0, 0), at(1, 0));
    c = compute(&in, HOUR, &nb);
    assert_cell(c[0], 0, 0, 0, 60);
    assert_cell(c[1], 0, 60, 0, 0);
    assert_cell(c[2], 0, 60, 0, 0);
    free(c);
}

/* Windows that touch: one side's patrols make one unbroken cover, the two sides never meet. */
static void test_touching_windows(void **state)
{
    static const struct coverage_section s[] = {{0, 10, 2}};
    struct coverage_patrol p[] = {
        own(0, 10, at(0, 0), at(1, 0)),
        own(0, 10, at(1, 0), at(2, 0)),
        partner(0, 10, at(2, 0), at(2, 30)),
    };
    struct coverage_input in = {s, 1, p, 3, at(0, 0), at(3, 0)};
    size_t nb, n;
    struct coverage_cell *c = compute(&in, HOUR, &nb);
    struct coverage_gap *g;

    /* Own [0:00, 2:00) without a seam; partner [2:00, 2:30): both 0 everywhere. */
    assert_cell(c[0], 60, 0, 0, 0);
    assert_cell(c[1], 60, 0, 0, 0);
    assert_cell(c[2], 0, 30, 0, 30);
    free(c);
    /* Nobody: only [2:30, 3:00). Our side absent: [2:00, 3:00) as one gap (60 x 2 = 120), not
     * split at the bucket edge. The partner absent: [0:00, 2:00) and [2:30, 3:00). */
    g = gaps(&in, COVERAGE_GAP_NOBODY, 0, &n);
    assert_int_equal(n, 1);
    assert_gap(g[0], 0, at(2, 30), at(3, 0), 30, 60);
    free(g);
    g = gaps(&in, COVERAGE_GAP_OWN, 0, &n);
    assert_int_equal(n, 1);
    assert_gap(g[0], 0, at(2, 0), at(3, 0), 60, 120);
    free(g);
    g = gaps(&in, COVERAGE_GAP_PARTNER, 0, &n);
    assert_int_equal(n, 2);
    assert_gap(g[0], 0, at(0, 0), at(2, 0), 120, 240);
    assert_gap(g[1], 0, at(2, 30), at(3, 0), 30, 60);
    free(g);
}

/* Two patrols of one side at the same place and time count once; two of each side too. */
static void test_union_not_double_counted(void **state)
{
    static const struct coverage_section s[] = {{0, 10, 1}};
    struct coverage_patrol p[] = {
        own(0, 10, at(0, 0), at(1, 0)),       own(2, 8, at(0, 0), at(1, 0)),
        own(0, 5, at(0, 20), at(0, 40)),      partner(0, 10, at(0, 10), at(0, 50)),
        partner(5, 10, at(0, 30), at(0, 50)),
    };
    struct coverage_input in = {s, 1, p, 5, at(0, 0), at(1, 0)};
    size_t nb;
    struct coverage_cell *c = compute(&in, HOUR, &nb);

    /* own 60 (not 60 + 60 + 20), partner 0:10-0:50 = 40, both 40. */
    assert_cell(c[0], 60, 40, 40, 0);
    free(c);
}

/* A step that does not divide the window leaves a shorter last bucket; gaps in it are cut to
 * it, and buckets count from from_ms, not from any round hour. */
static void test_short_last_bucket(void **state)
{
    static const struct coverage_section s[] = {{0, 1, 1}, {1, 2, 1}};
    struct coverage_patrol p[] = {own(1, 2, at(0, 50), at(2, 20))};
    struct coverage_input in = {s, 2, p, 1, at(0, 5), at(2, 35)};
    size_t nb;
    struct coverage_cell *c = compute(&in, HOUR, &nb);

    /* Window 0:05-2:35: buckets 0:05-1:05, 1:05-2:05, 2:05-2:35 (30 min).
     * S0, no patrol: gaps 60, 60, 30.
     * S1, own 0:50-2:20: B0 own 15 gap 45 (0:05-0:50); B1 own 60; B2 own 15, gap 2:20-2:35 15. */
    assert_int_equal(nb, 3);
    assert_cell(c[0], 0, 0, 0, 60);
    assert_cell(c[1], 0, 0, 0, 60);
    assert_cell(c[2], 0, 0, 0, 30);
    assert_cell(c[3], 15, 0, 0, 45);
    assert_cell(c[4], 60, 0, 0, 0);
    assert_cell(c[5], 15, 0, 0, 15);
    free(c);

    /* A step longer than the window: one bucket, the whole window (150 minutes). */
    c = compute(&in, 24 * HOUR, &nb);
    assert_int_equal(nb, 1);
    assert_cell(c[0], 0, 0, 0, 150);
    assert_cell(c[1], 90, 0, 0, 45);
    free(c);
}

/* Patrols that cover nothing: outside the window, outside every section, empty stretch or
 * empty window. */
static void test_patrols_that_cover_nothing(void **state)
{
    static const struct coverage_section s[] = {{100, 101, 1}};
    struct coverage_patrol p[] = {
        own(90, 110, at(-5, 0), at(0, 0)),   /* ends as the window starts */
        own(90, 110, at(1, 0), at(9, 0)),    /* starts as the window ends */
        partner(0, 100, at(0, 0), at(1, 0)), /* ends where the section starts */
        partner(101, 200, at(0, 0), at(1, 0)),
        own(100.5, 100.5, at(0, 0), at(1, 0)), /* no length */
        own(90, 110, at(0, 30), at(0, 30)),    /* no time */
    };
    struct coverage_input in = {s, 1, p, 6, at(0, 0), at(1, 0)};
    size_t nb, n;
    struct coverage_cell *c = compute(&in, 15 * MIN, &nb);
    struct coverage_gap *g;

    assert_int_equal(nb, 4);
    for (size_t b = 0; b < nb; b++)
        assert_cell(c[b], 0, 0, 0, 15);
    free(c);
    g = gaps(&in, COVERAGE_GAP_NOBODY, 0, &n);
    assert_int_equal(n, 1);
    assert_gap(g[0], 0, at(0, 0), at(1, 0), 60, 60);
    free(g);
}

/* No patrols: every section is one gap the length of the window; equal gaps go by section. */
static void test_zero_patrols_and_zero_sections(void **state)
{
    static const struct coverage_section s[] = {{0, 1, 2}, {1, 2, 2}, {2, 3, 0}};
    struct coverage_input in = {s, 3, NULL, 0, at(0, 0), at(2, 0)};
    struct sh_errinfo info;
    struct coverage_gap *g;
    size_t nb, n;
    struct coverage_cell *c = compute(&in, HOUR, &nb);

    for (size_t i = 0; i < 3 * nb; i++)
        assert_cell(c[i], 0, 0, 0, 60);
    free(c);
    /* 120 min x 2 = 240 for S0 and S1 (same start: lower section first), 0 for S2. */
    g = gaps(&in, COVERAGE_GAP_NOBODY, 0, &n);
    assert_int_equal(n, 3);
    assert_gap(g[0], 0, at(0, 0), at(2, 0), 120, 240);
    assert_gap(g[1], 1, at(0, 0), at(2, 0), 120, 240);
    assert_gap(g[2], 2, at(0, 0), at(2, 0), 120, 0);
    free(g);
    g = gaps(&in, COVERAGE_GAP_NOBODY, 121, &n);
    assert_null(g);
    assert_int_equal(n, 0);

    in.nsections = 0;
    in.sections = NULL;
    assert_int_equal(coverage_compute(&in, HOUR, NULL, 0, &info), SH_OK);
    g = gaps(&in, COVERAGE_GAP_PARTNER, 0, &n);
    assert_null(g);
    assert_int_equal(n, 0);
}

/* Sections need not tile the border: they may be unsorted, apart, or overlap one another. */
static void test_sections_in_any_order(void **state)
{
    static const struct coverage_section s[] = {
        {50, 60, 1}, /* a long section holding the next two */
        {55, 56, 1}, {52, 53, 1}, {0, 1, 1}, {70, 71, 1},
    };
    struct coverage_patrol p[] = {own(54, 57, at(0, 0), at(0, 40)),
                                  partner(59, 70, at(0, 20), at(1, 0))};
    struct coverage_input in = {s, 5, p, 2, at(0, 0), at(1, 0)};
    size_t nb;
    struct coverage_cell *c = compute(&in, HOUR, &nb);

    /* own [54,57) meets [50,60) and [55,56); partner [59,70) meets [50,60) only (touches
     * [70,71)). [50,60): own 40, partner 40, both 0:20-0:40 = 20, nobody never. */
    assert_cell(c[0], 40, 40, 20, 0);
    assert_cell(c[1], 40, 0, 0, 20);
    assert_cell(c[2], 0, 0, 0, 60);
    assert_cell(c[3], 0, 0, 0, 60);
    assert_cell(c[4], 0, 0, 0, 60);
    free(c);
}

#define assert_rejects(call, code, field_)                                                         \
    do {                                                                                           \
        memset(&info, 0, sizeof(info));                                                            \
        assert_int_equal((call), (code));                                                          \
        assert_string_equal(info.field, (field_));                                                 \
        assert_true(info.message[0] != '\0');                                                      \
    } while (0)

static void test_rejects_bad_input(void **state)
{
    struct coverage_section s[] = {{0, 10, 1}, {10, 20, 1}};
    struct coverage_patrol p[] = {own(0, 10, at(0, 0), at(1, 0)), own(0, 10, at(0, 0), at(1, 0))};
    struct coverage_input in = {s, 2, p, 2, at(0, 0), at(2, 0)};
    struct coverage_cell cells[4];
    struct coverage_gap *g = (struct coverage_gap *)1;
    struct sh_errinfo info;
    size_t n = 99;

    assert_int_equal(coverage_compute(&in, HOUR, cells, 4, &info), SH_OK);
    assert_rejects(coverage_compute(&in, HOUR, cells, 3, &info), SH_ELIMIT, "out");
    assert_rejects(coverage_compute(&in, 0, cells, 4, &info), SH_EINVAL, "step_ms");
    assert_rejects(coverage_compute(&in, -HOUR, cells, 4, &info), SH_EINVAL, "step_ms");
    in.to_ms = in.from_ms;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "to_ms");
    in.from_ms = INT64_MIN;
    in.to_ms = INT64_MAX;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "to_ms");
    in.from_ms = at(0, 0);
    in.to_ms = at(2, 0);
    s[1].to_km = 10;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "sections[1].to_km");
    s[1].to_km = NAN;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "sections[1].to_km");
    s[1].to_km = 20;
    s[0].weight = -1;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "sections[0].weight");
    s[0].weight = 1;
    p[1].side = 2;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "patrols[1].side");
    p[1].side = COVERAGE_PARTNER;
    p[1].from_km = -INFINITY;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "patrols[1].to_km");
    p[1].from_km = 11;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "patrols[1].to_km");
    p[1].from_km = 0;
    p[1].end_ms = p[1].start_ms - 1;
    assert_rejects(coverage_compute(&in, HOUR, cells, 4, &info), SH_EINVAL, "patrols[1].end_ms");
    assert_rejects(coverage_gaps(&in, COVERAGE_GAP_NOBODY, 0, &g, &n, &info), SH_EINVAL,
                   "patrols[1].end_ms");
    assert_null(g);
    assert_int_equal(n, 0);
    p[1].end_ms = p[1].start_ms;
    assert_int_equal(coverage_gaps(&in, COVERAGE_GAP_NOBODY, 0, &g, &n, &info), SH_OK);
    free(g);
    assert_rejects(coverage_gaps(&in, COVERAGE_GAP_NOBODY, -1, &g, &n, &info), SH_EINVAL,
                   "min_minutes");
    assert_rejects(coverage_gaps(&in, COVERAGE_GAP_NOBODY, NAN, &g, &n, &info), SH_EINVAL,
                   "min_minutes");
    assert_rejects(coverage_gaps(&in, (enum coverage_gap_of)3, 0, &g, &n, &info), SH_EINVAL, "of");
    assert_null(g);
}

/* ---- the brute-force references ---- */

/* splitmix64: a fixed, portable sequence per seed. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* An integer in [lo, hi]. */
static int64_t pick(uint64_t *state, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_random(state) % (uint64_t)(hi - lo + 1));
}

#define RS 5 /* sections */
#define RP 8 /* patrols */

struct instance {
    struct coverage_section s[RS];
    struct coverage_patrol p[RP];
    struct coverage_input in;
    int64_t step_min;
    double min_minutes;
};

/* Half-kilometre grid, whole minutes, so that boundaries coincide often; sections overlap and
 * leave holes at random; patrols run past the window and past the sections; a few are empty. */
static void random_instance(uint64_t *rs, struct instance *x)
{
    int64_t window_min = pick(rs, 30, 300);
    int64_t from = T0 + pick(rs, 0, 1440) * MIN;

    for (int i = 0; i < RS; i++) {
        double from_km = 0.5 * (double)pick(rs, 0, 30);
        x->s[i] = (struct coverage_section){from_km, from_km + 0.5 * (double)pick(rs, 1, 10),
                                            (int)pick(rs, 0, 8)};
    }
    for (int i = 0; i < RP; i++) {
        double from_km = 0.5 * (double)pick(rs, -4, 34);
        int64_t start = from + pick(rs, -90, window_min + 30) * MIN;
        x->p[i] = (struct coverage_patrol){(int)pick(rs, 0, 1), from_km,
                                           from_km + 0.5 * (double)pick(rs, 0, 16), start,
                                           start + pick(rs, 0, 180) * MIN};
    }
    x->in = (struct coverage_input){x->s, RS, x->p, RP, from, from + window_min * MIN};
    x->step_min = pick(rs, 1, 100);
    x->min_minutes = (double)pick(rs, 0, 40);
}

/* 1 if patrol p covers section s at minute `m` of the window, straight from the definition. */
static int naive_covers(const struct instance *x, int p, int s, int64_t m)
{
    const struct coverage_patrol *pp = &x->p[p];
    const struct coverage_section *ss = &x->s[s];
    int64_t t = x->in.from_ms + m * MIN;

    return fmax(pp->from_km, ss->from_km) < fmin(pp->to_km, ss->to_km) && pp->start_ms <= t &&
           t < pp->end_ms;
}

/* Which sides cover section s at minute m: bit 0 own, bit 1 partner. */
static int naive_sides(const struct instance *x, int s, int64_t m)
{
    int sides = 0;

    for (int p = 0; p < RP; p++)
        if (naive_covers(x, p, s, m))
            sides |= 1 << x->p[p].side;
    return sides;
}

static void check_cells(const struct instance *x, uint64_t seed, int iter)
{
    int64_t window_min = (x->in.to_ms - x->in.from_ms) / MIN;
    size_t nb;
    struct coverage_cell *c = compute(&x->in, x->step_min * MIN, &nb);

    assert_int_equal(nb, (size_t)((window_min + x->step_min - 1) / x->step_min));
    for (int s = 0; s < RS; s++) {
        for (size_t b = 0; b < nb; b++) {
            double own_n = 0, partner_n = 0, both_n = 0, run = 0, longest = 0;
            for (int64_t m = (int64_t)b * x->step_min;
                 m < window_min && m < (int64_t)(b + 1) * x->step_min; m++) {
                int sides = naive_sides(x, s, m);
                own_n += (sides & 1) != 0;
                partner_n += (sides & 2) != 0;
                both_n += sides == 3;
                run = sides ? 0 : run + 1;
                longest = fmax(longest, run);
            }
            if (c[s * nb + b].own_min != own_n || c[s * nb + b].partner_min != partner_n ||
                c[s * nb + b].both_min != both_n || c[s * nb + b].gap_max_min != longest)
                print_message("seed %llu iteration %d section %d bucket %zu\n",
                              (unsigned long long)seed, iter, s, b);
            assert_cell(c[s * nb + b], own_n, partner_n, both_n, longest);
        }
    }
    free(c);
}

/* The reference order of gaps, from the header: score down, then start, then section. */
static int naive_gap_order(const void *a, const void *b)
{
    const struct coverage_gap *x = a, *y = b;

    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    if (x->start_ms != y->start_ms)
        return x->start_ms < y->start_ms ? -1 : 1;
    return (x->section > y->section) - (x->section < y->section);
}

static void check_gaps(const struct instance *x, enum coverage_gap_of of, uint64_t seed, int iter)
{
    static const int absent_mask[] = {3, 1, 2}; /* sides whose absence makes the gap */
    int64_t window_min = (x->in.to_ms - x->in.from_ms) / MIN;
    struct coverage_gap want[RS * 200];
    size_t nwant = 0, n;
    struct coverage_gap *got;

    for (int s = 0; s < RS; s++) {
        int64_t run_start = -1;
        for (int64_t m = 0; m <= window_min; m++) {
            int open = m < window_min && !(naive_sides(x, s, m) & absent_mask[of]);
            if (open && run_start < 0)
                run_start = m;
            if (!open && run_start >= 0) {
                double len = (double)(m - run_start);
                if (len >= x->min_minutes)
                    want[nwant++] =
                        (struct coverage_gap){(size_t)s, x->in.from_ms + run_start * MIN,
                                              x->in.from_ms + m * MIN, len, len * x->s[s].weight};
                run_start = -1;
            }
        }
    }
    qsort(want, nwant, sizeof(*want), naive_gap_order);
    got = gaps(&x->in, of, x->min_minutes, &n);
    if (n != nwant)
        print_message("seed %llu iteration %d of %d: %zu gaps, expected %zu\n",
                      (unsigned long long)seed, iter, (int)of, n, nwant);
    assert_int_equal(n, nwant);
    for (size_t i = 0; i < n; i++)
        assert_gap(got[i], want[i].section, want[i].start_ms, want[i].end_ms, want[i].minutes,
                   want[i].score);
    free(got);
}

static void test_random_against_minute_by_minute(void **state)
{
    static const uint64_t seeds[] = {1, 42, 20260101, 0xdeadbeef};

    for (size_t k = 0; k < sizeof(seeds) / sizeof(seeds[0]); k++) {
        uint64_t rs = seeds[k];
        for (int iter = 0; iter < 400; iter++) {
            struct instance x;
            random_instance(&rs, &x);
            check_cells(&x, seeds[k], iter);
            check_gaps(&x, COVERAGE_GAP_NOBODY, seeds[k], iter);
            check_gaps(&x, COVERAGE_GAP_OWN, seeds[k], iter);
            check_gaps(&x, COVERAGE_GAP_PARTNER, seeds[k], iter);
        }
    }
}

/* ---- pairing ---- */

#define assert_pair(pr, partner_, from_, to_, start_, end_)                                        \
    do {                                                                                           \
        assert_int_equal((pr).partner, (partner_));                                                \
        assert_true((pr).from_km == (from_) && (pr).to_km == (to_));                               \
        assert_int_equal((pr).start_ms, (start_));                                                 \
        assert_int_equal((pr).end_ms, (end_));                                                     \
    } while (0)

static void test_pairs_hand_worked(void **state)
{
    struct coverage_patrol mine = own(100, 130, at(8, 0), at(12, 0));
    struct coverage_patrol theirs[] = {
        partner(120, 150, at(10, 0), at(14, 0)), /* [120,130) 10-12: 10 km x 2 h = 20 */
        partner(130, 160, at(8, 0), at(12, 0)),  /* touches at km 130: no */
        partner(90, 140, at(12, 0), at(14, 0)),  /* touches at 12:00: no */
        partner(105, 110, at(7, 0), at(9, 0)),   /* [105,110) 8-9: 5 x 1 = 5 */
        partner(90, 140, at(6, 0), at(13, 0)),   /* all of mine: 30 x 4 = 120 */
        partner(125, 135, at(9, 0), at(11, 0)),  /* [125,130) 9-11: 5 x 2 = 10 */
        partner(110, 120, at(9, 0), at(10, 0)),  /* [110,120) 9-10: 10 x 1 = 10, after 5 */
        partner(NAN, 120, at(8, 0), at(12, 0)),  /* no stretch: no */
        partner(110, 110, at(8, 0), at(12, 0)),  /* no length: no */
        partner(110, 120, at(9, 0), at(9, 0)),   /* no time: no */
        partner(120, 110, at(8, 0), at(12, 0)),  /* reversed: no */
    };
    struct coverage_pair out[11];
    size_t n = coverage_pairs(&mine, theirs, 11, out);

    /* By joint km x hours: 120, 20, 10 and 10 (lower index first), 5. */
    assert_int_equal(n, 5);
    assert_pair(out[0], 4, 100, 130, at(8, 0), at(12, 0));
    assert_pair(out[1], 0, 120, 130, at(10, 0), at(12, 0));
    assert_pair(out[2], 5, 125, 130, at(9, 0), at(11, 0));
    assert_pair(out[3], 6, 110, 120, at(9, 0), at(10, 0));
    assert_pair(out[4], 3, 105, 110, at(8, 0), at(9, 0));

    assert_int_equal(coverage_pairs(&mine, NULL, 0, out), 0);
    mine.end_ms = mine.start_ms - 1; /* a reversed plan pairs with nothing */
    assert_int_equal(coverage_pairs(&mine, theirs, 11, out), 0);
}

/* 1 if the half-open grid ranges [a0, a1) and [b0, b1) share a cell; fills the first and last. */
static int naive_common_cells(int64_t a0, int64_t a1, int64_t b0, int64_t b1, int64_t lo,
                              int64_t hi, int64_t *first, int64_t *last)
{
    *first = -1;
    for (int64_t c = lo; c < hi; c++) {
        if (a0 <= c && c < a1 && b0 <= c && c < b1) {
            if (*first < 0)
                *first = c;
            *last = c;
        }
    }
    return *first >= 0;
}

static int naive_pair_order(const void *a, const void *b)
{
    const struct coverage_pair *x = a, *y = b;
    double ex = (x->to_km - x->from_km) * (double)(x->end_ms - x->start_ms);
    double ey = (y->to_km - y->from_km) * (double)(y->end_ms - y->start_ms);

    if (ex != ey)
        return ex > ey ? -1 : 1;
    return (x->partner > y->partner) - (x->partner < y->partner);
}

/* Stretches on a half-km grid of cells 0..59 and windows on minutes 0..599: a pair exists
 * when some cell and some minute are covered by both, and its overlap runs from the first
 * common cell (minute) to the end of the last. */
static void test_pairs_random_against_grid(void **state)
{
    uint64_t rs = 7;

    for (int iter = 0; iter < 3000; iter++) {
        int64_t km[RP + 1][2], mn[RP + 1][2];
        struct coverage_patrol p[RP + 1];
        struct coverage_pair want[RP], got[RP];
        size_t nwant = 0, n;

        for (int i = 0; i <= RP; i++) {
            km[i][0] = pick(&rs, 0, 50);
            km[i][1] = km[i][0] + pick(&rs, 0, 12);
            mn[i][0] = pick(&rs, 0, 500);
            mn[i][1] = mn[i][0] + pick(&rs, 0, 99);
            p[i] = partner(0.5 * (double)km[i][0], 0.5 * (double)km[i][1], T0 + mn[i][0] * MIN,
                           T0 + mn[i][1] * MIN);
        }
        for (int i = 1; i <= RP; i++) {
            int64_t k0 = 0, k1 = 0, m0 = 0, m1 = 0;
            if (naive_common_cells(km[0][0], km[0][1], km[i][0], km[i][1], 0, 64, &k0, &k1) &&
                naive_common_cells(mn[0][0], mn[0][1], mn[i][0], mn[i][1], 0, 600, &m0, &m1))
                want[nwant++] = (struct coverage_pair){(size_t)(i - 1), 0.5 * (double)k0,
                                                       0.5 * (double)(k1 + 1), T0 + m0 * MIN,
                                                       T0 + (m1 + 1) * MIN};
        }
        qsort(want, nwant, sizeof(*want), naive_pair_order);
        n = coverage_pairs(&p[0], &p[1], RP, got);
        if (n != nwant)
            print_message("iteration %d: %zu pairs, expected %zu\n", iter, n, nwant);
        assert_int_equal(n, nwant);
        for (size_t i = 0; i < n; i++)
            assert_pair(got[i], want[i].partner, want[i].from_km, want[i].to_km, want[i].start_ms,
                        want[i].end_ms);
    }
}

/* ---- adherence ---- */

/*
 * The scripted track: plan [100, 120) km, 8:00-12:00, tolerance 0.5 km (so [99.5, 120.5]),
 * at most 5 km from the line, grace 30 min.
 */
static const struct coverage_report track[] = {
    {0, T0 + 7 * HOUR + 50 * MIN, 100.0, 0.2}, /* 0: before the window */
    {0, T0 + 8 * HOUR, 100.0, 0.1},            /* 1: at the start, at from_km: fine */
    {1, T0 + 8 * HOUR + 10 * MIN, 99.6, 0.3},  /* 2: 0.4 km short, within tolerance */
    {1, T0 + 9 * HOUR, 99.4, 0.3},             /* 3: 0.6 km short: OUTSIDE_STRETCH */
    {0, T0 + 10 * HOUR, 120.5, 1.0},           /* 4: exactly to_km + tolerance: fine */
    {0, T0 + 10 * HOUR + 30 * MIN, 121, 7.0},  /* 5: off the stretch and far: OUTSIDE_STRETCH */
    {1, T0 + 11 * HOUR, 110, 6.0},             /* 6: 6 km > 5 km: FAR_FROM_LINE */
    {1, T0 + 12 * HOUR, 130, 0},               /* 7: at the window's end: outside it */
    {0, T0 + 11 * HOUR + 30 * MIN, NAN, 0},    /* 8: no chainage: OUTSIDE_STRETCH */
};

static struct coverage_adherence_opts track_opts(void)
{
    return (struct coverage_adherence_opts){0.5, 5.0, 0, at(13, 0), 30 * MIN};
}

static void assert_flag(const struct coverage_flag *f, enum coverage_flag_kind kind, size_t report)
{
    assert_int_equal(f->kind, kind);
    assert_int_equal(f->report, report);
    assert_int_equal(f->unit, track[report].unit);
    assert_int_equal(f->time_ms, track[report].time_ms);
    if (isnan(track[report].chainage_km))
        assert_true(isnan(f->chainage_km));
    else
        assert_true(f->chainage_km == track[report].chainage_km);
    assert_true(f->distance_km == track[report].distance_km);
}

static void test_adherence_scripted_track(void **state)
{
    struct coverage_patrol plan = own(100, 120, at(8, 0), at(12, 0));
    struct coverage_adherence_opts opts = track_opts();
    struct sh_errinfo info;
    struct coverage_flag *f;
    size_t n;

    assert_int_equal(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_OK);
    assert_int_equal(n, 4);
    assert_flag(&f[0], COVERAGE_FLAG_OUTSIDE_STRETCH, 3);
    assert_flag(&f[1], COVERAGE_FLAG_OUTSIDE_STRETCH, 5);
    assert_flag(&f[2], COVERAGE_FLAG_FAR_FROM_LINE, 6);
    assert_flag(&f[3], COVERAGE_FLAG_OUTSIDE_STRETCH, 8);
    free(f);

    opts.flag_outside_window = 1;
    assert_int_equal(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_OK);
    assert_int_equal(n, 6);
    assert_flag(&f[0], COVERAGE_FLAG_OUTSIDE_WINDOW, 0);
    assert_flag(&f[1], COVERAGE_FLAG_OUTSIDE_STRETCH, 3);
    assert_flag(&f[2], COVERAGE_FLAG_OUTSIDE_STRETCH, 5);
    assert_flag(&f[3], COVERAGE_FLAG_FAR_FROM_LINE, 6);
    assert_flag(&f[4], COVERAGE_FLAG_OUTSIDE_WINDOW, 7);
    assert_flag(&f[5], COVERAGE_FLAG_OUTSIDE_STRETCH, 8);
    free(f);

    /* Distance not checked: report 6 passes; with no tolerance, report 2 (99.6) is off and
     * report 4 (120.5) too. */
    opts = track_opts();
    opts.max_distance_km = 0;
    opts.tolerance_km = 0;
    assert_int_equal(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_OK);
    assert_int_equal(n, 5);
    assert_flag(&f[0], COVERAGE_FLAG_OUTSIDE_STRETCH, 2);
    assert_flag(&f[1], COVERAGE_FLAG_OUTSIDE_STRETCH, 3);
    assert_flag(&f[2], COVERAGE_FLAG_OUTSIDE_STRETCH, 4);
    assert_flag(&f[3], COVERAGE_FLAG_OUTSIDE_STRETCH, 5);
    assert_flag(&f[4], COVERAGE_FLAG_OUTSIDE_STRETCH, 8);
    free(f);

    /* With no tolerance a unit at exactly to_km is still on its stretch (a closed range). */
    struct coverage_report at_end[] = {{3, at(9, 0), 120.0, 0}, {3, at(9, 1), 100.0, 0}};
    assert_int_equal(coverage_adherence(&plan, at_end, 2, &opts, &f, &n, &info), SH_OK);
    assert_null(f);
    assert_int_equal(n, 0);

    /* Exactly the allowed distance is fine; an unknown (NaN) distance is not. */
    struct coverage_report distances[] = {{2, at(9, 5), 110, 5.0}, {2, at(9, 6), 110, NAN}};
    opts = track_opts();
    assert_int_equal(coverage_adherence(&plan, distances, 2, &opts, &f, &n, &info), SH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].kind, COVERAGE_FLAG_FAR_FROM_LINE);
    assert_int_equal(f[0].report, 1);
    free(f);

    /* Only the clean reports: no flag, no array. */
    assert_int_equal(coverage_adherence(&plan, &track[1], 2, &opts, &f, &n, &info), SH_OK);
    assert_null(f);
    assert_int_equal(n, 0);
}

static void expect_no_position(const struct coverage_patrol *plan,
                               const struct coverage_report *reports, size_t nreports,
                               int64_t now_ms, int64_t grace_ms, int flagged)
{
    struct coverage_adherence_opts opts = {0.5, 0, 0, now_ms, grace_ms};
    struct sh_errinfo info;
    struct coverage_flag *f;
    size_t n;

    assert_int_equal(coverage_adherence(plan, reports, nreports, &opts, &f, &n, &info), SH_OK);
    assert_int_equal(n, (size_t)flagged);
    if (flagged) {
        assert_int_equal(f[0].kind, COVERAGE_FLAG_NO_POSITION);
        assert_int_equal(f[0].unit, COVERAGE_NO_UNIT);
        assert_int_equal(f[0].report, COVERAGE_NO_UNIT);
        assert_int_equal(f[0].time_ms, plan->start_ms + grace_ms);
        assert_true(isnan(f[0].chainage_km));
    }
    free(f);
}

static void test_adherence_no_position(void **state)
{
    struct coverage_patrol plan = own(100, 120, at(8, 0), at(12, 0));
    struct coverage_report outside[] = {track[0], track[7]};
    struct coverage_report off_stretch[] = {track[3]};
    struct coverage_adherence_opts opts = track_opts(); /* now 13:00 */
    struct sh_errinfo info;
    struct coverage_flag *f;
    size_t n;

    /* Nothing inside the window: overdue from 8:00 + 30 min = 8:30 on, after the window too. */
    expect_no_position(&plan, outside, 2, at(7, 0), 30 * MIN, 0);
    expect_no_position(&plan, outside, 2, at(8, 29), 30 * MIN, 0);
    expect_no_position(&plan, outside, 2, at(8, 30), 30 * MIN, 1);
    expect_no_position(&plan, outside, 2, at(20, 0), 30 * MIN, 1);
    expect_no_position(&plan, NULL, 0, at(8, 30), 30 * MIN, 1);
    /* No grace: due the moment the window opens. */
    expect_no_position(&plan, NULL, 0, at(8, 0), 0, 1);
    expect_no_position(&plan, NULL, 0, at(8, 0) - 1, 0, 0);
    /* A report off the stretch is still a position: its own flag, no NO_POSITION. */
    assert_int_equal(coverage_adherence(&plan, off_stretch, 1, &opts, &f, &n, &info), SH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(f[0].kind, COVERAGE_FLAG_OUTSIDE_STRETCH);
    free(f);
    /* A grace longer than time itself never ends. */
    expect_no_position(&plan, NULL, 0, INT64_MAX, INT64_MAX, 0);
}

static void test_adherence_rejects(void **state)
{
    struct coverage_patrol plan = own(100, 120, at(8, 0), at(12, 0));
    struct coverage_adherence_opts opts = track_opts();
    struct coverage_flag *f = (struct coverage_flag *)1;
    struct sh_errinfo info;
    size_t n = 9;

    plan.end_ms = plan.start_ms;
    assert_rejects(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_EINVAL,
                   "plan.end_ms");
    assert_null(f);
    assert_int_equal(n, 0);
    plan.end_ms = at(12, 0);
    plan.to_km = 99;
    assert_rejects(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_EINVAL,
                   "plan.to_km");
    plan.to_km = 120;
    opts.tolerance_km = -0.1;
    assert_rejects(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_EINVAL,
                   "tolerance_km");
    opts = track_opts();
    opts.max_distance_km = NAN;
    assert_rejects(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_EINVAL,
                   "max_distance_km");
    opts = track_opts();
    opts.grace_ms = -1;
    assert_rejects(coverage_adherence(&plan, track, 9, &opts, &f, &n, &info), SH_EINVAL,
                   "grace_ms");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_impact_weights),
        cmocka_unit_test(test_bucket_count),
        cmocka_unit_test(test_compute_hand_worked),
        cmocka_unit_test(test_gaps_hand_worked),
        cmocka_unit_test(test_patrol_on_section_boundaries),
        cmocka_unit_test(test_touching_windows),
        cmocka_unit_test(test_union_not_double_counted),
        cmocka_unit_test(test_short_last_bucket),
        cmocka_unit_test(test_patrols_that_cover_nothing),
        cmocka_unit_test(test_zero_patrols_and_zero_sections),
        cmocka_unit_test(test_sections_in_any_order),
        cmocka_unit_test(test_rejects_bad_input),
        cmocka_unit_test(test_random_against_minute_by_minute),
        cmocka_unit_test(test_pairs_hand_worked),
        cmocka_unit_test(test_pairs_random_against_grid),
        cmocka_unit_test(test_adherence_scripted_track),
        cmocka_unit_test(test_adherence_no_position),
        cmocka_unit_test(test_adherence_rejects),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
