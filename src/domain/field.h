/*
 * field.h: typed reads of fields from a JSON object, each failing with an error that names
 * the field and says what was expected. Every parser of outside JSON uses these, so that the
 * messages read the same across the API.
 */
#ifndef SARHAD_DOMAIN_FIELD_H
#define SARHAD_DOMAIN_FIELD_H

#include "core/err.h"

#include <jansson.h>
#include <stdint.h>

/* Fails on any key of `obj` not in the NULL-terminated `allowed` list (catches typos). */
enum sh_err field_only(const json_t *obj, const char *const *allowed, struct sh_errinfo *info);

/* A string of at most `maxlen` bytes, valid UTF-8 (jansson guarantees it) with no control
 * characters other than newline and tab. *out is NULL when absent and not required. */
enum sh_err field_string(const json_t *obj, const char *key, size_t maxlen, int required,
                         const char **out, struct sh_errinfo *info);

/* One of the NULL-terminated `names`; *out is its index, or -1 when absent and not required. */
enum sh_err field_enum(const json_t *obj, const char *key, const char *const *names, int required,
                       int *out, struct sh_errinfo *info);

/* A finite number in [min, max]. *present tells whether it was there. */
enum sh_err field_number(const json_t *obj, const char *key, double min, double max, int required,
                         double *out, int *present, struct sh_errinfo *info);

/* An RFC 3339 date-time string, as ms since the epoch. */
enum sh_err field_time(const json_t *obj, const char *key, int required, int64_t *out, int *present,
                       struct sh_errinfo *info);

/* Sets `key` of `obj` to `value` (a reference it takes), unless `obj` holds an equal value
 * there already, which it then keeps: numbers within 1e-12 of each other count as equal, as
 * a value printed to 15 digits and read back may not be the very double it was. So a record
 * that needed no change is left as it came (gate_inbound relies on it). */
void field_set(json_t *obj, const char *key, json_t *value);

/* The index of `s` in `names`, or -1. */
int field_lookup(const char *const *names, const char *s);

#endif
