/*
 * section.h: border sections (DESIGN.md "section"): a stretch [from_km, to_km) with, per side,
 * the responsible command, an impact level and the fence status.
 *
 * Document: {id, from_km, to_km, version, updated,
 *            sides: {ISO3: {command, impact, fence, fence_km?, fence_due?,
 *                           base_impact?, critical_since?, critical_until?}, ISO3: {...}}}
 * fence_km is the fence completed in the section (all of it when COMPLETE); fence_due the
 * planned completion. CRITICAL is a temporary level: it keeps the level it raised
 * (base_impact), since when, and optionally until when.
 * A node changes only its own country's side: the partner's side is the partner's to state.
 */
#ifndef SARHAD_DOMAIN_SECTION_H
#define SARHAD_DOMAIN_SECTION_H

#include "core/err.h"
#include "domain/border.h"

#include <jansson.h>
#include <stdint.h>

extern const char *const section_impacts[];
extern const char *const section_fences[]; /* NONE PLANNED UNDER_CONSTRUCTION COMPLETE DAMAGED */
#define SECTION_FENCES 5

/* The initial document of section `id` (version 1, LOW, fence NONE, no command). */
json_t *section_initial(const struct border *b, int id, int64_t now_ms);

/* Applies a PATCH body {side?, command?, impact?, fence?} (side defaults to `own_country`) to
 * `current` into a new document with version + 1. SH_EFORBIDDEN for the partner's side. */
enum sh_err section_patch(const json_t *current, const json_t *patch, const char *own_country,
                          int64_t now_ms, json_t **out, struct sh_errinfo *info);

/* The side's impact level at `now_ms`: a CRITICAL past its critical_until falls back to the
 * level it raised. */
const char *section_effective_impact(const json_t *side, int64_t now_ms);

/* Kilometres of the section's fence on `country`'s side in each status (indexes of
 * section_fences); an UNDER_CONSTRUCTION section's fence_km counts as COMPLETE. */
void section_fence_km(const json_t *section, const char *country, double km[SECTION_FENCES]);

/* A side's fence facts, released explicitly to the partner (POST /api/v1/fence/release):
 * {id: "fence-ISO3", version, origin, side, time, sections: [{id, from_km, to_km, fence,
 * fence_km, fence_due?}], release: [partner]} from `own`'s side of `sections`. New reference. */
json_t *section_fence_release(const json_t *sections, const char *own, const char *partner,
                              const char *node, int64_t version, int64_t now_ms);

/* Checks a released fence document received from the partner. */
enum sh_err section_fence_check(const json_t *doc, const struct border *b, struct sh_errinfo *info);

#endif
