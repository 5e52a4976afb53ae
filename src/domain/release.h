/*
 * release.h: release sets ("REL TO" a list of partner countries).
 *
 * A record is national unless its release set names countries. On the wire and in the API a
 * release set is a JSON array of ISO 3166-1 alpha-3 codes; in the journal it is the sorted,
 * de-duplicated codes joined by commas ("IRN,TUR"), "" when national. Only the code's form is
 * checked here (three letters A-Z); which partners exist is the link's business.
 */
#ifndef SARHAD_DOMAIN_RELEASE_H
#define SARHAD_DOMAIN_RELEASE_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>

#define RELEASE_MAX_COUNTRIES 16
#define RELEASE_TEXT_MAX 128

/* 1 if `s` is three upper-case ASCII letters. */
int release_code_valid(const char *s);

/* Normalises a JSON array of codes into "AAA,BBB" (sorted, unique) in `out`. `field` names the
 * array in errors. NULL `arr` gives "". */
enum sh_err release_from_json(const json_t *arr, const char *field, char out[RELEASE_TEXT_MAX],
                              struct sh_errinfo *info);

/* 1 if the normalised release text `release` contains `country`. */
int release_contains(const char *release, const char *country);

#endif
