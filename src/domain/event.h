/*
 * event.h: incidents on the border (DESIGN.md "Event"): validation and the stored document.
 *
 * The stored document is a JSON object:
 *   id, version, category, impact, status (OPEN|CLOSED), close_reason, time, title,
 *   description, owner, lat, lon, chainage_km, side, distance_km, section, release[],
 *   origin, created, updated
 * Creation and PATCH both end in one normalising step, so a document is valid whichever way
 * it was made: place fields are recomputed from lat/lon, CLOSED requires a reason, OPEN clears
 * it.
 */
#ifndef SARHAD_DOMAIN_EVENT_H
#define SARHAD_DOMAIN_EVENT_H

#include "core/err.h"
#include "domain/border.h"

#include <jansson.h>
#include <stdint.h>

extern const char *const event_categories[];
extern const char *const event_impacts[];
extern const char *const event_statuses[];

/* Builds a new event (version 1, OPEN) from a POST body. `id`, `owner` (default owner: the
 * reporting user) and `origin` are the server's. On success *out is a new reference. */
enum sh_err event_create(const json_t *body, const struct border *b, const char *id,
                         const char *owner, const char *origin, int64_t now_ms, json_t **out,
                         struct sh_errinfo *info);

/* Applies a PATCH body to `current` (not modified) into a new document with version + 1.
 * SH_EUNPROCESSABLE when a rule is broken (closing without a reason). */
enum sh_err event_patch(const json_t *current, const json_t *patch, const struct border *b,
                        int64_t now_ms, json_t **out, struct sh_errinfo *info);

/* Validates every field of a complete document and recomputes the place fields against `b`
 * (used for documents that arrive from a partner). */
enum sh_err event_normalise(json_t *doc, const struct border *b, struct sh_errinfo *info);

#endif
