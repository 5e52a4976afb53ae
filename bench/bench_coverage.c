/*
 * bench_coverage: the issue-5 target scenario for domain/coverage. A 900 km border in 1 km
 * sections, 5,000 patrols of both sides (5-30 km, 2-8 h) over 7 days, built from a fixed seed;
 * times coverage_compute in hourly buckets (900 x 168 cells) and coverage_gaps (nobody, and
 * the partner's gaps) over several repetitions, and prints the median and maximum in ms and
 * the peak RSS. Target: coverage well under 50 ms on one core.
 *
 * Run from a release build:
 *   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSARHAD_TESTS=OFF
 *   cmake --build build/release --target bench_coverage && build/release/bench_coverage
 */
#include "domain/coverage.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define SECTIONS 900
#define PATROLS 5000
#define DAYS 7
#define REPS 21

#define MIN_MS 60000LL
#define HOUR_MS (60 * MIN_MS)
#define WINDOW_FROM 1767225600000LL /* 2026-01-01T00:00:00Z */
#define WINDOW_TO (WINDOW_FROM + HOUR_MS * 24 * DAYS)

/* splitmix64, so that the instance is the same on every machine. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static int64_t pick(uint64_t *state, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(next_random(state) % (uint64_t)(hi - lo + 1));
}

/* Sections [k, k+1) km with impact weights 1, 2, 4, 8; patrols start anywhere in the week,
 * whole minutes, and may run past its end or past the border's. */
static void build(struct coverage_section *s, struct coverage_patrol *p)
{
    static const int weights[] = {1, 2, 4, 8};
    uint64_t rs = 20260101;

    for (int k = 0; k < SECTIONS; k++)
        s[k] = (struct coverage_section){k, k + 1, weights[pick(&rs, 0, 3)]};
    for (int i = 0; i < PATROLS; i++) {
        double from_km = (double)pick(&rs, 0, SECTIONS * 10 - 1) / 10.0;
        double len_km = (double)pick(&rs, 50, 300) / 10.0;
        int64_t start = WINDOW_FROM + pick(&rs, 0, DAYS * 24 * 60 - 1) * MIN_MS;
        int64_t len = pick(&rs, 120, 480) * MIN_MS;

        p[i] = (struct coverage_patrol){(int)pick(&rs, 0, 1), from_km, from_km + len_km, start,
                                        start + len};
    }
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static void report(const char *what, double *ms, const char *extra)
{
    qsort(ms, REPS, sizeof(*ms), cmp_double);
    printf("%-28s median %7.2f ms   max %7.2f ms   %s\n", what, ms[REPS / 2], ms[REPS - 1], extra);
}

int main(void)
{
    static struct coverage_section sections[SECTIONS];
    static struct coverage_patrol patrols[PATROLS];
    struct coverage_input in = {sections, SECTIONS, patrols, PATROLS, WINDOW_FROM, WINDOW_TO};
    size_t nb = coverage_bucket_count(WINDOW_FROM, WINDOW_TO, HOUR_MS), ngaps = 0;
    struct coverage_cell *cells = malloc(SECTIONS * nb * sizeof(*cells));
    double t_cov[REPS], t_gaps[REPS], t_partner[REPS], covered = 0;
    struct sh_errinfo info;
    struct rusage ru;
    char extra[96];

    if (cells == NULL)
        return 1;
    build(sections, patrols);
    for (int r = 0; r < REPS; r++) {
        struct coverage_gap *g = NULL;
        double t = now_ms();

        if (coverage_compute(&in, HOUR_MS, cells, SECTIONS * nb, &info) != SH_OK)
            goto fail;
        t_cov[r] = now_ms() - t;
        t = now_ms();
        if (coverage_gaps(&in, COVERAGE_GAP_NOBODY, 30, &g, &ngaps, &info) != SH_OK)
            goto fail;
        t_gaps[r] = now_ms() - t;
        free(g);
        t = now_ms();
        if (coverage_gaps(&in, COVERAGE_GAP_PARTNER, 30, &g, &ngaps, &info) != SH_OK)
            goto fail;
        t_partner[r] = now_ms() - t;
        free(g);
    }
    for (size_t i = 0; i < SECTIONS * nb; i++)
        covered += cells[i].own_min + cells[i].partner_min - cells[i].both_min;
    printf("%d sections x %zu hourly buckets, %d patrols, %d days, %d repetitions\n", SECTIONS, nb,
           PATROLS, DAYS, REPS);
    snprintf(extra, sizeof(extra), "(%.1f%% of section-time covered)",
             100.0 * covered / (SECTIONS * DAYS * 24 * 60.0));
    report("coverage_compute", t_cov, extra);
    report("coverage_gaps (nobody)", t_gaps, "");
    snprintf(extra, sizeof(extra), "(%zu gaps >= 30 min)", ngaps);
    report("coverage_gaps (partner)", t_partner, extra);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %.1f MB\n", (double)ru.ru_maxrss / 1024.0);
    free(cells);
    return 0;
fail:
    fprintf(stderr, "bench_coverage: %s: %s\n", info.field, info.message);
    free(cells);
    return 1;
}
