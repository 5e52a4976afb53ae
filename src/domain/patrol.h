/*
 * patrol.h: patrol plans (DESIGN.md "Patrol") and fence alarms, as documents.
 *
 * A patrol document:
 *   {id, version, side, origin, units: [uid...], from_km, to_km, start, end,
 *    kind REGULAR|COORDINATED|JOINT_NIGHT, status PLANNED|CANCELLED, depth_km, national,
 *    release: [ISO3...], shared_units?: [uid...], by, created, updated}
 * `side` is the planning node's country: a side patrols its own side. COORDINATED and
 * JOINT_NIGHT patrols are released to the partner (the release set names it) as stretch, window
 * and kind; their unit identities cross only when the plan says so (`release_units`: they are
 * then copied into `shared_units`, the field the gate lets through instead of `units`).
 * REGULAR patrols are national; only they may be marked `national` (no notice), and only the
 * shared kinds take `release_units`. `depth_km` is how far from the line the patrol goes (default
 * 0): a patrol within the notice distance of the line makes the node send the partner an activity
 * notice, unless a commander marked it `national` (see api/patrol.c).
 */
#ifndef SARHAD_DOMAIN_PATROL_H
#define SARHAD_DOMAIN_PATROL_H

#include "core/err.h"
#include "domain/border.h"

#include <jansson.h>
#include <stdint.h>

#define PATROL_UNITS_MAX 64
#define PATROL_WINDOW_MAX_MS (31LL * 24 * 3600 * 1000) /* one plan spans at most a month */

extern const char *const patrol_kinds[];    /* REGULAR, COORDINATED, JOINT_NIGHT */
extern const char *const patrol_statuses[]; /* PLANNED, CANCELLED */

/* Builds a new patrol document from POST /api/v1/patrols {units, from_km, to_km, start, end,
 * kind, depth_km?, national?, release_units?, side?} for a node of `own` country whose partner
 * is `partner` ("" when there is none: nothing is released). */
enum sh_err patrol_new(const json_t *body, const struct border *b, const char *own,
                       const char *partner, const char *id, const char *by, const char *node,
                       int64_t now_ms, json_t **out, struct sh_errinfo *info);

/* Applies PATCH {status?, units?, from_km?, to_km?, start?, end?} to `current` into a new
 * document with version + 1. A cancelled patrol stays cancelled. */
enum sh_err patrol_patch(const json_t *current, const json_t *patch, const struct border *b,
                         int64_t now_ms, json_t **out, struct sh_errinfo *info);

/* Checks a patrol received from the partner (the gate's copy) and gives it `units` from
 * `shared_units`. */
enum sh_err patrol_check(json_t *doc, const struct border *b, struct sh_errinfo *info);

/* The window of a patrol document in ms. */
void patrol_window(const json_t *doc, int64_t *start_ms, int64_t *end_ms);

/* What a notice announces: a new plan, a change of its stretch or window, a cancellation. */
enum patrol_change { PATROL_NEW, PATROL_CHANGED, PATROL_CANCELLED };

/* The fields of the hotline template border_activity_notice announcing `change` of patrol
 * `doc`. New reference. */
json_t *patrol_notice_fields(const json_t *doc, enum patrol_change change);

/* Fence alarm kinds and the event category each becomes. */
extern const char *const alarm_kinds[]; /* BREACH, SENSOR */

/* Validates POST /api/v1/fence/alarms {sensor, kind, time?, chainage_km | lat+lon | pillar...}
 * (the place is resolved by the caller) and builds the event body it becomes, for
 * event_create: {category FENCE_BREACH|SENSOR_ALARM, impact HIGH, title, lat, lon, time,
 * release} (the caller adds `sensor` and `count` to the event it makes). `release_to` is the
 * partner's country when the policy releases it, else NULL. */
enum sh_err alarm_event_body(const json_t *alarm, double lat, double lon, int64_t time_ms,
                             const char *release_to, json_t **out, struct sh_errinfo *info);

#endif
