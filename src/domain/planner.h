/*
 * planner.h: the patrol planner behind POST /api/v1/patrols/plan (issue 5). Given the border's
 * sections, a planning window and own units with their shift limits, it proposes patrols that
 * maximise impact-weighted coverage, pairs them with the partner's coordinated patrols when
 * asked, and draws among equally good schedules with a caller-given seed so that the pattern is
 * not predictable (the security-game idea behind ARMOR and ERASER). It states how far the
 * proposal can be from the best possible one. Pure: no JSON, no clock, no I/O; the caller
 * converts the request and picks the seed (and reports it, so a plan can be reproduced).
 *
 * The model
 *   - Space: sections [from_km, to_km) of chainage, sorted and not overlapping (gaps allowed),
 *     each with a weight (the impact level: PLANNER_WEIGHT_LOW 1 .. _CRITICAL 8).
 *   - Time: the window [from_ms, to_ms) is cut into slots of slot_ms (default one hour);
 *     slot k is [from_ms + k slot_ms, from_ms + (k+1) slot_ms). A tail shorter than a slot is
 *     not planned. A cell is one (section, slot).
 *   - A candidate patrol is (unit, start slot, start section). It lasts the unit's shift (a
 *     whole number of slots) and covers the start section and the following ones as long as
 *     they lie wholly within from_km(start) + reach_km and, when the unit has a home range,
 *     within [min_km, max_km] (which the start section must also respect). A start section
 *     longer than the reach, or outside the home range, is no candidate. Patrols start at
 *     section boundaries.
 *   - A unit flies at most max_shifts patrols; between the end of one and the start of the next
 *     it rests at least min_rest_ms (rounded up to whole slots). Every patrol lies inside the
 *     window.
 *   - Already covered: a cell counts as covered before planning when the union of the `covered`
 *     patrols (own or the partner's, as the caller chooses) whose stretch holds the whole
 *     section spans the whole slot. Covering it again adds nothing.
 *   - Coverage of a schedule = the sum of the weights of the cells that it covers and that were
 *     not covered before (weighted maximum coverage: monotone and submodular). A patrol that
 *     adds nothing the other proposed patrols do not is not proposed: the unit's shift stays
 *     free rather than being spent where it changes nothing.
 *   - PLANNER_OBJECTIVE_PAIR: a cell is paired when its section overlaps the stretch and its
 *     slot overlaps the window of one of the partner's coordinated patrols. Pairing is worth the
 *     cell's weight once, and ranks strictly below coverage: the planner maximises coverage
 *     first and, among schedules of equal coverage, the paired weight. Pairing therefore never
 *     costs coverage. (Internally a cell is worth weight * scale + pairing, with scale larger
 *     than all pairing together.)
 *
 * The algorithm
 *   1. Greedy: repeatedly place the candidate of largest marginal gain that some unit may still
 *      fly, until none adds anything. Gains are kept exact, not lazily: the units fall into
 *      "shapes" (same shift length and same stretch per start section), each shape keeps the
 *      gain of every (start slot, start section) and the best of each block of 32 sections and
 *      of each start slot; placing a patrol recomputes only the gains whose cells it touched.
 *      The shape's patrol goes to the free unit it wastes least (fewest of that unit's free
 *      start slots newly blocked by its rest), ties at random.
 *   2. Improvement: each placed patrol in turn is lifted and its unit's best candidate put in
 *      its place if that is strictly better (or the shift freed if the patrol had become
 *      redundant); then the greedy fills what opened up. At most PLANNER_IMPROVE_PASSES passes.
 *   3. Exact (small instances, see enum planner_mode): branch and bound over each unit's sets
 *      of candidates, pruned by the total open weight and per-unit single-candidate gains, at
 *      most PLANNER_EXACT_MAX_NODES nodes. A search that runs out of nodes proves nothing: the
 *      result stays inexact and keeps the better of the greedy's schedule and the best found.
 *   Randomisation: every candidate has a pseudo-random priority drawn from the seed
 *   (splitmix64); among candidates of equal gain the highest priority wins, so one seed gives
 *   one plan and other seeds give other, equally good plans wherever ties exist. The exact
 *   search draws uniformly among the optimal schedules it visits (reservoir sampling).
 *
 * The bound (an upper bound on the coverage of any schedule)
 *   the least of: the open weight (cells not covered before); and, for the empty schedule and
 *   for the proposal S, coverage(S) + the sum over units of the best gains (relative to S) of
 *   max_shifts start slots spaced by shift + rest, each start slot counted with its best start
 *   section. This holds because coverage is submodular and any schedule's patrols of one unit
 *   are so spaced. gap_pct = 100 (bound - coverage) / bound; exact results have gap 0.
 */
#ifndef SARHAD_DOMAIN_PLANNER_H
#define SARHAD_DOMAIN_PLANNER_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

#define PLANNER_WEIGHT_LOW 1
#define PLANNER_WEIGHT_MEDIUM 2
#define PLANNER_WEIGHT_HIGH 4
#define PLANNER_WEIGHT_CRITICAL 8
#define PLANNER_MAX_WEIGHT 64 /* weights are 0 (not worth patrolling) .. this */

#define PLANNER_SLOT_MS_DEFAULT (3600 * 1000LL)
#define PLANNER_MAX_SECTIONS (1 << 16)
#define PLANNER_MAX_SLOTS (1 << 14)   /* a year of hours fits; a week of minutes does not */
#define PLANNER_MAX_CELLS (1 << 21)   /* sections x slots: 900 km hourly over three months */
#define PLANNER_MAX_UNITS 4096        /* units in one request */
#define PLANNER_MAX_SHIFTS (1 << 16)  /* the units' max_shifts together (as far as they fit) */
#define PLANNER_MAX_PATROLS (1 << 20) /* covered and partner patrols, each list */
#define PLANNER_MAX_GAINS (1 << 23)   /* shapes x start slots x sections + units x slots */
#define PLANNER_IMPROVE_PASSES 4
#define PLANNER_EXACT_AUTO_CANDIDATES 40 /* PLANNER_MODE_AUTO solves exactly up to this many */
#define PLANNER_EXACT_MAX_CANDIDATES 512 /* PLANNER_MODE_EXACT tries up to this many */
#define PLANNER_EXACT_MAX_NODES 2000000  /* search nodes before the exact search gives up */

enum planner_objective {
    PLANNER_OBJECTIVE_COVERAGE = 0, /* impact-weighted coverage only */
    PLANNER_OBJECTIVE_PAIR = 1      /* coverage first, then pairing with partner patrols */
};

enum planner_mode {
    PLANNER_MODE_AUTO = 0, /* exact when the candidates are at most PLANNER_EXACT_AUTO_CANDIDATES */
    PLANNER_MODE_GREEDY,   /* greedy and improvement only */
    PLANNER_MODE_EXACT     /* exact when at most PLANNER_EXACT_MAX_CANDIDATES */
};

/* A stretch of the border with its impact weight. */
struct planner_section {
    double from_km;
    double to_km;
    int weight;
};

/* An own unit and its limits. All durations are milliseconds. */
struct planner_unit {
    int64_t shift_ms;    /* length of one patrol: a positive multiple of the slot */
    int max_shifts;      /* patrols in the window, >= 0 */
    int64_t min_rest_ms; /* least rest between two of its patrols, >= 0 */
    double reach_km;     /* length of border one patrol covers, > 0 */
    int has_range;       /* 1: it can only reach [min_km, max_km] */
    double min_km;
    double max_km;
};

/* A patrol: a stretch and a window. In a result, `unit` indexes the request's units; in a
 * request (covered, partner) `unit` is ignored. */
struct planner_patrol {
    int unit;
    double from_km;
    double to_km;
    int64_t start_ms;
    int64_t end_ms;
};

/* A planning request. Borrows every array for the call. */
struct planner_request {
    const struct planner_section *sections;
    size_t n_sections;
    int64_t from_ms; /* the window [from_ms, to_ms) */
    int64_t to_ms;
    int64_t slot_ms; /* 0: PLANNER_SLOT_MS_DEFAULT */
    const struct planner_unit *units;
    size_t n_units;
    const struct planner_patrol *covered; /* coverage to account for (own and partner) */
    size_t n_covered;
    const struct planner_patrol *partner; /* the partner's coordinated patrols (PAIR) */
    size_t n_partner;
    enum planner_objective objective;
    enum planner_mode mode;
    uint64_t seed;
};

/* A proposal. Owns `patrols`; release with planner_result_free(). */
struct planner_result {
    struct planner_patrol *patrols; /* sorted by unit, then start; to_km is the end of the
                                       last section the patrol covers */
    size_t n_patrols;
    int64_t coverage;    /* weight of the cells the proposal newly covers */
    int64_t paired;      /* PAIR: weight of the paired cells it covers; else 0 */
    int64_t open;        /* weight of the cells not covered before: no plan can exceed it */
    int64_t bound;       /* upper bound on the coverage of any schedule */
    double gap_pct;      /* 100 (bound - coverage) / bound; 0 when bound is 0 */
    int exact;           /* 1: coverage (and, for PAIR, pairing) proven optimal */
    uint64_t seed;       /* the request's seed */
    size_t n_candidates; /* candidate patrols (unit, start slot, start section) */
};

/* Proposes a schedule for `req` into `out`. SH_EINVAL with info->field naming the culprit
 * ("sections[3].to_km", "units[0].shift_ms", "covered[2].end_ms", "to_ms", ...) for bad input;
 * SH_ELIMIT when the request is larger than the PLANNER_MAX_* bounds; SH_ENOMEM. On failure
 * `out` is zeroed. */
enum sh_err planner_propose(const struct planner_request *req, struct planner_result *out,
                            struct sh_errinfo *info);

/* Releases what `res` owns and zeroes it. NULL is a no-op. */
void planner_result_free(struct planner_result *res);

#endif
