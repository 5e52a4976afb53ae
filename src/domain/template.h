/*
 * template.h: language-neutral hotline message templates (DESIGN.md "Hotline message").
 *
 * A commander may send a hotline message as free text or as a template with typed fields. The
 * sender fills the fields (language-neutral values where possible: numbers, times, chainage,
 * enum codes); each receiver reads the message rendered in its own language, "en", "ur" or
 * "fa" (the last two right-to-left). Free text and place names are the sender's words and are
 * rendered verbatim.
 *
 * The catalogue is static, read-only data compiled into the binary; template and field names
 * are stable wire identifiers and must never be renamed, only added. Nothing here assumes
 * which two countries share the border.
 *
 * Flow of a template message:
 *   client JSON --template_validate()--> normalised fields --(journal, link)-->
 *   stored fields --template_render(lang)--> subject + body in the reader's language
 * template_render() validates again, so a document from a partner or an old journal entry is
 * never rendered unchecked.
 */
#ifndef SARHAD_DOMAIN_TEMPLATE_H
#define SARHAD_DOMAIN_TEMPLATE_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* The kinds of template field, and how each is validated and rendered. */
enum template_type {
    TEMPLATE_TEXT,     /* free text up to max_len bytes, rendered verbatim */
    TEMPLATE_INTEGER,  /* a whole number in [min, max], rendered in ASCII digits */
    TEMPLATE_DATETIME, /* RFC 3339, stored as UTC 'Z', rendered as a DTG "281430ZNOV26" */
    TEMPLATE_CHAINAGE, /* km along the border in [min, max], rendered "km 412.5" */
    TEMPLATE_ENUM,     /* a code from `options`, rendered as the code's label */
    TEMPLATE_PLACE     /* one line naming a crossing or pillar, rendered verbatim */
};

/* One phrase in each supported language (UTF-8). */
struct template_text {
    const char *en;
    const char *ur;
    const char *fa;
};

/* One code of an enum field; tables end with a NULL code. */
struct template_option {
    const char *code;
    struct template_text label;
};

struct template_field {
    const char *name; /* key in the message's "fields" object */
    enum template_type type;
    int required;
    struct template_text label;
    size_t max_len;                        /* TEXT, PLACE: bytes */
    double min, max;                       /* INTEGER, CHAINAGE */
    const struct template_option *options; /* ENUM */
    const char *not_before;                /* DATETIME, CHAINAGE: must be >= this field */
};

/* A template: `subject` holds one pattern per language in which "{name}" stands for the
 * rendered value of the required field `name`. */
struct template_def {
    const char *id;
    struct template_text title;
    struct template_text subject;
    const struct template_field *fields;
    size_t nfields;
};

/* Number of templates in the catalogue. */
size_t template_count(void);

/* The i-th template (borrowed, static), or NULL when i >= template_count(). */
const struct template_def *template_at(size_t i);

/* The template with this id (borrowed, static), or NULL if unknown or `id` is NULL. */
const struct template_def *template_find(const char *id);

/* The catalogue as JSON for GET /api/v1/templates:
 *   [{id, title:{en,ur,fa}, fields:[{name, type, required, label:{en,ur,fa},
 *     max_len? (text, place), min?/max? (integer, chainage),
 *     options?:[{code, label:{en,ur,fa}}] (enum)}]}]
 * Returns a new reference, or NULL if out of memory. */
json_t *template_catalogue(void);

/* Validates `fields` (a JSON object, borrowed) against template `id`. Fails with SH_EINVAL on
 * an unknown template (info->field "template"), `fields` not an object ("fields"), or an
 * unknown field, missing required field, wrong type, value out of range, unknown enum code,
 * or a range whose end comes before its start ("fields.<name>"), with an English message. On
 * success *normalised is a new object (the caller owns it) with canonical values: datetimes
 * as RFC 3339 UTC "2026-11-28T14:30:00.000Z", integers as JSON integers, chainage as JSON
 * reals; absent and null optional fields are left out. On failure *normalised is NULL. */
enum sh_err template_validate(const char *id, const json_t *fields, json_t **normalised,
                              struct sh_errinfo *info);

/* Renders a message of template `id` with `fields` (borrowed; validated again here) in `lang`
 * ("en", "ur" or "fa"; anything else is SH_EINVAL with info->field "lang"). On success
 * *subject is one line and *body has one "label: value" line per present field, both
 * malloc'd UTF-8 strings that the caller frees; on failure both are NULL. Free-text and place
 * values are inserted verbatim, in the sender's language. */
enum sh_err template_render(const char *id, const json_t *fields, const char *lang, char **subject,
                            char **body, struct sh_errinfo *info);

/* 1 if `lang` is written right-to-left ("ur", "fa"), else 0 (also for NULL or unknown). */
int template_lang_rtl(const char *lang);

/* Formats `ms` since the epoch (UTC; seconds are truncated) as a date-time group
 * "DDHHMMZMONYY" ("281430ZNOV26"; months JAN..DEC in every language) into `out`, which must
 * hold at least 13 bytes. */
void template_format_dtg(int64_t ms, char out[16]);

#endif
