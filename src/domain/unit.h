/*
 * unit.h: unit positions (DESIGN.md "Unit"), latest-wins state.
 *
 * A position report becomes a unit document:
 *   {uid, callsign, side, type, lat, lon, time, course, speed, chainage_km, distance_km,
 *    border_side, section, received}
 * A report may carry "release": [ISO3...]: its latest position then crosses the link to
 * those partners on a latest-wins stream (DESIGN.md: released positions only).
 * Positions are not journal entries (they arrive at 1 Hz from thousands of units); the node
 * keeps the latest per unit in memory and batches them into a track table.
 */
#ifndef SARHAD_DOMAIN_UNIT_H
#define SARHAD_DOMAIN_UNIT_H

#include "core/err.h"
#include "domain/border.h"

#include <jansson.h>
#include <stdint.h>

#define UNIT_UID_MAX 64

/* 1 if `uid` is 1..64 bytes of [A-Za-z0-9._:-]. */
int unit_uid_valid(const char *uid);

/* Builds the unit document from a position report for `uid`. `time` defaults to now; a time
 * more than 5 minutes in the future is refused. */
enum sh_err unit_position(const char *uid, const json_t *body, const struct border *b,
                          int64_t now_ms, json_t **out, struct sh_errinfo *info);

/* The part of a unit document that may cross the link once released: identity, kind and
 * position (new reference). */
json_t *unit_shared_copy(const json_t *unit);

/* 1 if the unit's release list names `country`. */
int unit_released_to(const json_t *unit, const char *country);

/* 1 if the unit's last report is older than `stale_s` seconds at `now_ms`. */
int unit_is_stale(const json_t *unit, int64_t now_ms, int stale_s);

#endif
