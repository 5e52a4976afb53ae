/*
 * section.h: border sections (DESIGN.md "section"): a stretch [from_km, to_km) with, per side,
 * the responsible command, an impact level and the fence status.
 *
 * Document: {id, from_km, to_km, version, updated,
 *            sides: {ISO3: {command, impact, fence}, ISO3: {...}}}
 * A node changes only its own country's side: the partner's side is the partner's to state.
 */
#ifndef SARHAD_DOMAIN_SECTION_H
#define SARHAD_DOMAIN_SECTION_H

#include "core/err.h"
#include "domain/border.h"

#include <jansson.h>
#include <stdint.h>

extern const char *const section_impacts[];
extern const char *const section_fences[];

/* The initial document of section `id` (version 1, LOW, fence NONE, no command). */
json_t *section_initial(const struct border *b, int id, int64_t now_ms);

/* Applies a PATCH body {side?, command?, impact?, fence?} (side defaults to `own_country`) to
 * `current` into a new document with version + 1. SH_EFORBIDDEN for the partner's side. */
enum sh_err section_patch(const json_t *current, const json_t *patch, const char *own_country,
                          int64_t now_ms, json_t **out, struct sh_errinfo *info);

#endif
