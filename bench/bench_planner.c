/*
 * bench_planner: the patrol planner at the size of issue 5's target ("the planner for 200
 * units over 7 days in under 2 s"): a 900 km border in 1 km sections with random impact
 * levels (fixed seed), 200 units with 8 h shifts, 7 shifts each, 12 h rest and a reach of
 * 10-20 km, hourly slots over 7 days. A second scenario adds what a real plan meets: 1,000
 * patrols already covering part of the week and 300 of the partner's coordinated patrols to
 * pair with. Prints the median wall time of RUNS runs (CLOCK_MONOTONIC), the coverage, the
 * bound and the gap, and the peak RSS. Build for release:
 *   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DSARHAD_TESTS=OFF
 *   cmake --build build/release --target bench_planner && build/release/bench_planner
 */
#include "domain/planner.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

#define N_SECTIONS 900
#define N_UNITS 200
#define DAYS 7
#define HOUR (3600 * 1000LL)
#define T0 1798761600000LL /* 2027-01-01T00:00:00Z */
#define RUNS 5
#define TARGET_MS 2000.0

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static double uniform(uint64_t *s)
{
    return (double)(rnd(s) >> 11) / 9007199254740992.0;
}

/* Impact levels: 40 % LOW, 30 % MEDIUM, 20 % HIGH, 10 % CRITICAL. */
static int random_weight(uint64_t *s)
{
    double u = uniform(s);

    return u < 0.4   ? PLANNER_WEIGHT_LOW
           : u < 0.7 ? PLANNER_WEIGHT_MEDIUM
           : u < 0.9 ? PLANNER_WEIGHT_HIGH
                     : PLANNER_WEIGHT_CRITICAL;
}

static struct planner_patrol random_patrol(uint64_t *s, double max_len_km, int max_hours)
{
    double from = uniform(s) * N_SECTIONS;
    int64_t start = T0 + (int64_t)(uniform(s) * DAYS * 24) * HOUR;

    return (struct planner_patrol){-1, from, from + 1 + uniform(s) * max_len_km, start,
                                   start + (1 + (int64_t)(uniform(s) * max_hours)) * HOUR};
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return (x > y) - (x < y);
}

static double now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int run(const char *name, const struct planner_request *req)
{
    double ms[RUNS];
    struct planner_result res = {0};
    struct sh_errinfo info = {{0}, {0}};

    for (int i = 0; i < RUNS; i++) {
        planner_result_free(&res);
        double t = now_ms();
        enum sh_err rc = planner_propose(req, &res, &info);
        ms[i] = now_ms() - t;
        if (rc != SH_OK) {
            fprintf(stderr, "%s: %s: %s: %s\n", name, err_code(rc), info.field, info.message);
            return 1;
        }
    }
    qsort(ms, RUNS, sizeof(ms[0]), by_double);
    printf("%-34s %8.1f ms (min %.1f, max %.1f)  patrols %zu  coverage %lld  bound %lld  "
           "gap %.2f %%  open %lld  paired %lld  candidates %zu  seed %llu  %s\n",
           name, ms[RUNS / 2], ms[0], ms[RUNS - 1], res.n_patrols, (long long)res.coverage,
           (long long)res.bound, res.gap_pct, (long long)res.open, (long long)res.paired,
           res.n_candidates, (unsigned long long)res.seed,
           ms[RUNS / 2] < TARGET_MS ? "target met" : "TARGET NOT MET");
    planner_result_free(&res);
    return 0;
}

int main(void)
{
    static struct planner_section sections[N_SECTIONS];
    static struct planner_unit units[N_UNITS];
    static struct planner_patrol covered[1000], partner[300];
    struct planner_request req = {0};
    struct rusage ru;
    uint64_t s = 0x9e3779b97f4a7c15ULL;
    int rc;

    for (int i = 0; i < N_SECTIONS; i++)
        sections[i] = (struct planner_section){i, i + 1, random_weight(&s)};
    for (int i = 0; i < N_UNITS; i++)
        units[i] = (struct planner_unit){8 * HOUR, 7, 12 * HOUR, 10 + 10 * uniform(&s), 0, 0, 0};
    for (int i = 0; i < 1000; i++)
        covered[i] = random_patrol(&s, 20, 8);
    for (int i = 0; i < 300; i++)
        partner[i] = random_patrol(&s, 20, 8);
    req.sections = sections;
    req.n_sections = N_SECTIONS;
    req.from_ms = T0;
    req.to_ms = T0 + (int64_t)DAYS * 24 * HOUR;
    req.units = units;
    req.n_units = N_UNITS;
    req.seed = 20261128;

    printf("planner: %d sections of 1 km, %d units (8 h shifts, 7 each, 12 h rest, reach 10-20 "
           "km), %d days of hourly slots; median of %d runs\n",
           N_SECTIONS, N_UNITS, DAYS, RUNS);
    rc = run("coverage", &req);
    req.covered = covered;
    req.n_covered = 1000;
    req.partner = partner;
    req.n_partner = 300;
    req.objective = PLANNER_OBJECTIVE_PAIR;
    rc |= run("pair, 1000 covered, 300 partner", &req);
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS %ld kB\n", ru.ru_maxrss);
    return rc;
}
