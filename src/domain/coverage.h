/*
 * coverage.h: the arithmetic of coordinated border patrols (issue 5): who covers which stretch
 * of the border when, where nobody does, which of the partner's patrols pair with one of ours,
 * and whether a patrol's units keep to its plan.
 *
 * Pure: no database, no JSON, no clock. Callers convert documents into the plain structs below
 * and back. Times are int64 milliseconds since the epoch; every window is half-open
 * [start, end). Stretches are chainage kilometres along the border, half-open [from_km, to_km).
 *
 * Rules shared by every function here:
 *   - A patrol covers a section while start_ms <= t < end_ms, provided its stretch overlaps the
 *     section by a positive length: max(from) < min(to). A patrol that only touches a section's
 *     end (patrol [10, 20), section [20, 21)) does not cover it; neither do two windows that
 *     only touch ([8:00, 10:00) and [10:00, 12:00) share no time).
 *   - Union semantics: two patrols of one side over the same place and time count once.
 *   - "Both" is the time where at least one own and at least one partner patrol cover a section.
 *   - Results in minutes are doubles (ms / 60000), exact whenever the inputs are whole minutes.
 *
 * Ownership: every input array is borrowed for the call. Functions that return an array
 * allocate it with malloc and the caller releases it with free(); they say so.
 */
#ifndef SARHAD_DOMAIN_COVERAGE_H
#define SARHAD_DOMAIN_COVERAGE_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

/* Which side a patrol belongs to, as seen from this node. */
enum coverage_side { COVERAGE_OWN = 0, COVERAGE_PARTNER = 1 };

/* A border section: the stretch [from_km, to_km), to_km > from_km, and its impact weight
 * (coverage_impact_weight() of its impact level; >= 0). */
struct coverage_section {
    double from_km;
    double to_km;
    int weight;
};

/* A patrol: its side (enum coverage_side), the stretch [from_km, to_km) it walks and the
 * window [start_ms, end_ms) it is out. to_km == from_km or end_ms == start_ms is allowed and
 * covers nothing. */
struct coverage_patrol {
    int side;
    double from_km;
    double to_km;
    int64_t start_ms;
    int64_t end_ms;
};

/* What coverage_compute() and coverage_gaps() look at: the sections, the patrols of both sides
 * and the window [from_ms, to_ms). Patrols outside the window, or outside every section, are
 * valid and simply cover nothing. */
struct coverage_input {
    const struct coverage_section *sections;
    size_t nsections;
    const struct coverage_patrol *patrols;
    size_t npatrols;
    int64_t from_ms;
    int64_t to_ms;
};

/* One section during one time bucket. The three covered figures obey
 * both_min <= min(own_min, partner_min) and own_min + partner_min - both_min <= bucket length;
 * gap_max_min is the longest stretch of time inside the bucket covered by neither side (a gap
 * that runs on into the next bucket is cut at the bucket's edge). */
struct coverage_cell {
    double own_min;
    double partner_min;
    double both_min;
    double gap_max_min;
};

/* Whose absence makes a gap in coverage_gaps(). */
enum coverage_gap_of {
    COVERAGE_GAP_NOBODY = 0, /* covered by neither side */
    COVERAGE_GAP_OWN,        /* not covered by our side, whatever the partner does */
    COVERAGE_GAP_PARTNER     /* not covered by the partner, whatever we do */
};

/* A maximal interval [start_ms, end_ms) during which section `section` (an index into the
 * input's sections) is not covered. score = minutes * the section's weight, computed as
 * (end_ms - start_ms) * weight / 60000 so that equal products tie exactly. */
struct coverage_gap {
    size_t section;
    int64_t start_ms;
    int64_t end_ms;
    double minutes;
    double score;
};

/* Where one of the partner's patrols meets ours: `partner` indexes the array given to
 * coverage_pairs(); [from_km, to_km) and [start_ms, end_ms) are the common stretch and window,
 * both of positive length. */
struct coverage_pair {
    size_t partner;
    double from_km;
    double to_km;
    int64_t start_ms;
    int64_t end_ms;
};

/* What coverage_adherence() flags. */
enum coverage_flag_kind {
    COVERAGE_FLAG_OUTSIDE_STRETCH = 0, /* in the window, chainage off the stretch + tolerance */
    COVERAGE_FLAG_FAR_FROM_LINE,       /* in the window, farther from the line than allowed */
    COVERAGE_FLAG_OUTSIDE_WINDOW,      /* before start_ms or at/after end_ms (only if asked) */
    COVERAGE_FLAG_NO_POSITION          /* grace period over, no report inside the window */
};

/* A position report of one of a planned patrol's units. Which units belong to the patrol is
 * the caller's business: every report given is taken to be from one of them. */
struct coverage_report {
    size_t unit; /* the caller's index of the unit */
    int64_t time_ms;
    double chainage_km;
    double distance_km; /* from the line, >= 0 */
};

/* The flag's `unit` when no single unit is at fault (COVERAGE_FLAG_NO_POSITION). */
#define COVERAGE_NO_UNIT SIZE_MAX

/* One finding of coverage_adherence(). For the report flags, `report` indexes the reports
 * array and unit, time_ms, chainage_km and distance_km are copied from it. For
 * COVERAGE_FLAG_NO_POSITION, `report` and `unit` are COVERAGE_NO_UNIT, time_ms is the moment
 * the patrol became overdue (start_ms + grace_ms) and chainage_km and distance_km are NaN. */
struct coverage_flag {
    enum coverage_flag_kind kind;
    size_t report;
    size_t unit;
    int64_t time_ms;
    double chainage_km;
    double distance_km;
};

/* How strict coverage_adherence() is. */
struct coverage_adherence_opts {
    double tolerance_km;     /* the stretch is widened by this at both ends; >= 0 */
    double max_distance_km;  /* > 0: flag reports farther from the line; 0: do not */
    int flag_outside_window; /* nonzero: flag reports outside the window too */
    int64_t now_ms;          /* the caller's clock */
    int64_t grace_ms;        /* how long after start_ms a first report may take; >= 0 */
};

/* The weight of an impact level, so that the API and the planner agree: "LOW" 1, "MEDIUM" 2,
 * "HIGH" 4, "CRITICAL" 8 (each level counts twice the one below). Exact, case-sensitive match
 * on a NUL-terminated string; -1 for anything else, NULL included. */
int coverage_impact_weight(const char *level);

/* The number of buckets of `step_ms` in [from_ms, to_ms): ceil((to_ms - from_ms) / step_ms).
 * The last bucket is shorter when the step does not divide the window. 0 when the window is
 * empty or reversed, or step_ms <= 0. The HTTP layer must bound this (and nsections times
 * this) before allocating cells: a client chooses the step. */
size_t coverage_bucket_count(int64_t from_ms, int64_t to_ms, int64_t step_ms);

/* Fills out[s * nbuckets + b] for every section s and bucket b, with nbuckets =
 * coverage_bucket_count(in->from_ms, in->to_ms, step_ms); bucket b is
 * [from_ms + b * step_ms, min(from_ms + (b + 1) * step_ms, to_ms)). `out` has room for
 * `out_len` cells, at least nsections * nbuckets. Does not keep any pointer.
 *
 * Cost: O(P log P + sum over patrols of the sections each overlaps + S * nbuckets), with
 * P patrols and S sections: patrols are indexed per section, never tried against every one.
 *
 * SH_EINVAL naming the field ("to_ms", "step_ms", "sections[3].to_km", "patrols[7].side", ...)
 * for a window that is empty or longer than INT64_MAX ms, a step <= 0, a section whose
 * stretch is not finite and positive or whose weight is negative, a patrol whose side is not
 * 0 or 1, whose km are not finite, or whose stretch or window runs backwards; SH_ELIMIT
 * ("out") if out_len is too small; SH_ENOMEM. `out` is unspecified after a failure. */
enum sh_err coverage_compute(const struct coverage_input *in, int64_t step_ms,
                             struct coverage_cell *out, size_t out_len, struct sh_errinfo *info);

/* The gaps of the window: for every section, the maximal intervals of [from_ms, to_ms) that
 * `of` leaves uncovered, at least `min_minutes` long, sorted by score descending, then by
 * earlier start, then by lower section index. Sections of weight 0 still have gaps (of score
 * 0). Allocates *out (NULL when there is none) with *n_out entries; the caller frees it.
 *
 * SH_EINVAL as coverage_compute() (step_ms aside), or naming "min_minutes" when it is
 * negative or not finite, or "of" when it is no enum coverage_gap_of; SH_ENOMEM. On failure
 * *out is NULL and *n_out 0. */
enum sh_err coverage_gaps(const struct coverage_input *in, enum coverage_gap_of of,
                          double min_minutes, struct coverage_gap **out, size_t *n_out,
                          struct sh_errinfo *info);

/* The partner's patrols partner[0..n) that overlap `mine` in stretch and time, both by a
 * positive length (touching ends do not overlap), written to `out`, which has room for n.
 * Returns how many. Order: largest joint effort first (common km times common hours), ties
 * by lower index, so out[0] is the natural pair. The `side` fields are not looked at (the
 * caller passes the partner's coordinated patrols). A patrol with a non-finite km or a
 * reversed stretch or window overlaps nothing. Does not allocate. */
size_t coverage_pairs(const struct coverage_patrol *mine, const struct coverage_patrol *partner,
                      size_t n, struct coverage_pair *out);

/* Checks the reports reports[0..n) of a planned patrol `plan` against it. Each report gives
 * at most one flag, the first that applies of:
 *   OUTSIDE_WINDOW   time_ms < start_ms or time_ms >= end_ms, if opts->flag_outside_window
 *                    (otherwise such a report is ignored altogether);
 *   OUTSIDE_STRETCH  chainage_km not in the closed range [from_km - tol, to_km + tol] (a unit
 *                    standing at the very end of its stretch is on it; a NaN chainage is off);
 *   FAR_FROM_LINE    opts->max_distance_km > 0 and distance_km > max_distance_km (or NaN).
 * Then one NO_POSITION flag if now_ms >= start_ms + grace_ms and no report has a time inside
 * [start_ms, end_ms); a report that is flagged OUTSIDE_STRETCH still counts as a position.
 * Flags come in report order, NO_POSITION last. Allocates *out (NULL when there is no flag)
 * with *n_out entries; the caller frees it.
 *
 * SH_EINVAL naming "plan.end_ms" (the window must not be empty), "plan.to_km" (the stretch
 * must be finite, to_km >= from_km), "tolerance_km", "max_distance_km" or "grace_ms"
 * (negative or not finite); SH_ENOMEM. On failure *out is NULL and *n_out 0. */
enum sh_err coverage_adherence(const struct coverage_patrol *plan,
                               const struct coverage_report *reports, size_t n,
                               const struct coverage_adherence_opts *opts,
                               struct coverage_flag **out, size_t *n_out, struct sh_errinfo *info);

#endif
