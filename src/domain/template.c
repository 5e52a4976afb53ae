/*
 * template.c: the hotline template catalogue, its validation and its rendering.
 *
 * Design: everything a template is lives in static tables (templates -> fields -> options,
 * each with labels in en/ur/fa), and everything a field type does lives in one table of
 * { name, check, render } per type. Adding a template is adding rows, not code.
 *
 * Invariants (checked by tests/unit/domain/test_template.c):
 *  - every "{name}" in a subject pattern names a required field of its template, so a subject
 *    never has a hole;
 *  - every label exists in all three languages; Persian text uses Persian ye/kaf (U+06CC,
 *    U+06A9), Urdu text uses Urdu letters (gol he U+06C1, bari ye U+06D2, ...);
 *  - rendering goes through validation first, so only canonical values are rendered.
 *
 * Chainage is bounded by KM_MAX, not by the deployed border's length: this module is pure and
 * knows no border; the API layer may check chainage against the border model.
 */
#include "domain/template.h"

#include "core/clock.h"
#include "domain/field.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 1000  /* bytes of free text in a field (Urdu/Persian: ~2 bytes a letter) */
#define PLACE_MAX 120  /* bytes of a place name */
#define KM_MAX 10000.0 /* longer than any land border */
#define SERIAL_MAX 1e9 /* per-channel message serials */
#define OPTIONS_MAX 16 /* codes in one enum */

enum lang { LANG_EN, LANG_UR, LANG_FA, LANG_COUNT };

static const char *const lang_names[] = {"en", "ur", "fa", NULL};

/* ---- Enum options ---------------------------------------------------------------------- */

/* The event categories of DESIGN.md, in the order of event_categories[]. */
static const struct template_option incident_categories[] = {
    {"UNAUTHORISED_CROSSING",
     {"Unauthorised crossing", "سرحد کا غیر مجاز عبور", "عبور غیرمجاز از مرز"}},
    {"SMUGGLING", {"Smuggling", "اسمگلنگ", "قاچاق"}},
    {"ARMED_ATTACK", {"Armed attack", "مسلح حملہ", "حمله مسلحانه"}},
    {"FENCE_BREACH", {"Fence breach", "باڑ میں شگاف", "رخنه در حصار مرزی"}},
    {"SENSOR_ALARM", {"Sensor alarm", "سینسر الارم", "هشدار حسگر"}},
    {"SUSPICIOUS_ACTIVITY", {"Suspicious activity", "مشکوک سرگرمی", "فعالیت مشکوک"}},
    {"CRISIS", {"Crisis", "بحران", "بحران"}},
    {"OTHER", {"Other", "دیگر", "سایر"}},
    {NULL, {NULL, NULL, NULL}},
};

static const struct template_option activity_kinds[] = {
    {"PATROL", {"Patrol", "گشت", "گشت"}},
    {"CONSTRUCTION", {"Construction", "تعمیراتی کام", "عملیات ساختمانی"}},
    {"EXERCISE", {"Exercise", "فوجی مشق", "رزمایش"}},
    {"FIRING", {"Firing", "فائرنگ", "تیراندازی"}},
    {"OTHER", {"Other", "دیگر", "سایر"}},
    {NULL, {NULL, NULL, NULL}},
};

static const struct template_option meeting_levels[] = {
    {"SECTOR", {"Sector", "سیکٹر", "بخش"}},
    {"WING", {"Wing", "ونگ", "گردان"}},
    {"HQ", {"Headquarters", "ہیڈکوارٹرز", "ستاد"}},
    {NULL, {NULL, NULL, NULL}},
};

static const struct template_option replies[] = {
    {"ACCEPTED", {"Accepted", "منظور", "موافقت شد"}},
    {"DECLINED", {"Declined", "نامنظور", "موافقت نشد"}},
    {"PARTIAL", {"Partially accepted", "جزوی طور پر منظور", "موافقت جزئی"}},
    {NULL, {NULL, NULL, NULL}},
};

/* ---- Fields shared by several templates ------------------------------------------------- */

/* Hand-formatted: clang-format cannot lay out initialiser macros, and aligned backslashes
 * would not stay aligned, Urdu and Persian letters being two bytes wide but one column. */
// clang-format off
#define FIELD_CHAINAGE(req) \
    {.name = "chainage", .type = TEMPLATE_CHAINAGE, .required = (req), .min = 0, .max = KM_MAX, \
     .label = {"Location (km along the border)", "مقام (سرحد کے ساتھ کلومیٹر)", \
               "موقعیت (کیلومتر در امتداد مرز)"}}
#define FIELD_NEAREST_PLACE \
    {.name = "place", .type = TEMPLATE_PLACE, .max_len = PLACE_MAX, \
     .label = {"Nearest pillar or crossing", "قریب ترین سرحدی ستون یا گزرگاہ", \
               "نزدیک\u200cترین میله مرزی یا گذرگاه"}}
/* A stretch of the border [from_km, to_km]. */
#define FIELD_STRETCH \
    {.name = "from_km", .type = TEMPLATE_CHAINAGE, .required = 1, .min = 0, .max = KM_MAX, \
     .label = {"Stretch from", "حصہ از", "محدوده از"}}, \
    {.name = "to_km", .type = TEMPLATE_CHAINAGE, .required = 1, .min = 0, .max = KM_MAX, \
     .not_before = "from_km", .label = {"Stretch to", "حصہ تا", "محدوده تا"}}
/* A time window [start_time, end_time]. */
#define FIELD_WINDOW \
    {.name = "start_time", .type = TEMPLATE_DATETIME, .required = 1, \
     .label = {"Start time", "آغاز کا وقت", "زمان شروع"}}, \
    {.name = "end_time", .type = TEMPLATE_DATETIME, .required = 1, .not_before = "start_time", \
     .label = {"End time", "اختتام کا وقت", "زمان پایان"}}
#define FIELD_TEXT(nm, req, en, ur, fa) \
    {.name = (nm), .type = TEMPLATE_TEXT, .required = (req), .max_len = TEXT_MAX, \
     .label = {en, ur, fa}}
#define FIELD_COUNT(nm, hi, en, ur, fa) \
    {.name = (nm), .type = TEMPLATE_INTEGER, .min = 0, .max = (hi), .label = {en, ur, fa}}
// clang-format on

/* ---- Templates --------------------------------------------------------------------------- */

static const struct template_field incident_fields[] = {
    {.name = "category",
     .type = TEMPLATE_ENUM,
     .required = 1,
     .options = incident_categories,
     .label = {"Category of incident", "واقعے کی نوعیت", "نوع حادثه"}},
    {.name = "time",
     .type = TEMPLATE_DATETIME,
     .required = 1,
     .label = {"Time of incident", "واقعے کا وقت", "زمان حادثه"}},
    FIELD_CHAINAGE(1),
    FIELD_NEAREST_PLACE,
    FIELD_COUNT("persons", 10000, "Persons involved", "ملوث افراد کی تعداد", "تعداد افراد درگیر"),
    FIELD_TEXT("details", 0, "Details", "تفصیلات", "جزئیات"),
};

static const struct template_field patrol_fields[] = {
    FIELD_STRETCH,
    FIELD_WINDOW,
    {.name = "strength",
     .type = TEMPLATE_INTEGER,
     .min = 1,
     .max = 500,
     .label = {"Patrol strength (personnel)", "گشتی دستے کی نفری", "تعداد نفرات گشت"}},
    {.name = "rendezvous",
     .type = TEMPLATE_PLACE,
     .max_len = PLACE_MAX,
     .label = {"Rendezvous point", "ملاقات کا مقام", "محل ملاقات"}},
    FIELD_TEXT("remarks", 0, "Remarks", "تبصرہ", "ملاحظات"),
};

static const struct template_field activity_fields[] = {
    {.name = "activity",
     .type = TEMPLATE_ENUM,
     .required = 1,
     .options = activity_kinds,
     .label = {"Activity", "سرگرمی کی نوعیت", "نوع فعالیت"}},
    FIELD_STRETCH,
    FIELD_WINDOW,
    {.name = "distance_m",
     .type = TEMPLATE_INTEGER,
     .min = 0,
     .max = 4000,
     .label = {"Closest distance to the border (m)", "سرحد سے کم از کم فاصلہ (میٹر)",
               "کمترین فاصله از مرز (متر)"}},
    FIELD_TEXT("details", 0, "Details", "تفصیلات", "جزئیات"),
};

static const struct template_field meeting_fields[] = {
    {.name = "level",
     .type = TEMPLATE_ENUM,
     .required = 1,
     .options = meeting_levels,
     .label = {"Meeting level", "میٹنگ کی سطح", "سطح نشست"}},
    {.name = "venue",
     .type = TEMPLATE_PLACE,
     .required = 1,
     .max_len = PLACE_MAX,
     .label = {"Venue (crossing or pillar)", "مقام (گزرگاہ یا سرحدی ستون)",
               "محل (گذرگاه یا میله مرزی)"}},
    {.name = "time",
     .type = TEMPLATE_DATETIME,
     .required = 1,
     .label = {"Proposed time", "مجوزہ وقت", "زمان پیشنهادی"}},
    {.name = "alternative_time",
     .type = TEMPLATE_DATETIME,
     .label = {"Alternative time", "متبادل وقت", "زمان جایگزین"}},
    {.name = "delegation_size",
     .type = TEMPLATE_INTEGER,
     .min = 1,
     .max = 50,
     .label = {"Delegation size", "وفد کے ارکان کی تعداد", "تعداد اعضای هیئت"}},
    FIELD_TEXT("agenda", 1, "Agenda", "ایجنڈا", "دستور جلسه"),
};

static const struct template_field movement_fields[] = {
    {.name = "time",
     .type = TEMPLATE_DATETIME,
     .required = 1,
     .label = {"Time observed", "مشاہدے کا وقت", "زمان مشاهده"}},
    FIELD_CHAINAGE(1),
    FIELD_NEAREST_PLACE,
    FIELD_COUNT("persons", 10000, "Number of persons", "افراد کی تعداد", "تعداد افراد"),
    FIELD_COUNT("vehicles", 1000, "Number of vehicles", "گاڑیوں کی تعداد", "تعداد خودروها"),
    FIELD_COUNT("heading_deg", 359, "Direction of movement (degrees)", "نقل و حرکت کی سمت (ڈگری)",
                "جهت حرکت (درجه)"),
    FIELD_TEXT("description", 1, "Description", "تفصیل", "شرح"),
};

static const struct template_field reply_fields[] = {
    {.name = "in_reply_to",
     .type = TEMPLATE_INTEGER,
     .required = 1,
     .min = 1,
     .max = SERIAL_MAX,
     .label = {"In reply to message no.", "حوالہ پیغام نمبر", "عطف به پیام شماره"}},
    {.name = "reply",
     .type = TEMPLATE_ENUM,
     .required = 1,
     .options = replies,
     .label = {"Reply", "جواب", "پاسخ"}},
    {.name = "time",
     .type = TEMPLATE_DATETIME,
     .label = {"Confirmed or proposed time", "تصدیق شدہ یا مجوزہ وقت",
               "زمان تأیید شده یا پیشنهادی"}},
    FIELD_TEXT("remarks", 0, "Remarks", "تبصرہ", "ملاحظات"),
};

#define FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

static const struct template_def templates[] = {
    {"incident_notification",
     {"Incident notification", "واقعے کی اطلاع", "اعلام حادثه"},
     {"Incident notification: {category} at {chainage}, {time}",
      "واقعے کی اطلاع: {chainage} پر {category}، {time}",
      "اعلام حادثه: {category}، محل {chainage}، {time}"},
     FIELDS(incident_fields)},
    {"coordinated_patrol_request",
     {"Request for coordinated patrol", "ہم آہنگ گشت کی درخواست", "درخواست گشت هماهنگ"},
     {"Request for coordinated patrol: {from_km} to {to_km}, {start_time} to {end_time}",
      "ہم آہنگ گشت کی درخواست: {from_km} تا {to_km}، {start_time} تا {end_time}",
      "درخواست گشت هماهنگ: {from_km} تا {to_km}، {start_time} تا {end_time}"},
     FIELDS(patrol_fields)},
    {"border_activity_notice",
     {"Notice of activity within 4 km of the border", "سرحد سے 4 کلومیٹر کے اندر سرگرمی کی اطلاع",
      "اطلاعیه فعالیت در فاصله 4 کیلومتری مرز"},
     {"Activity near the border: {activity}, {from_km} to {to_km}, {start_time} to {end_time}",
      "سرحد کے قریب سرگرمی: {activity}، {from_km} تا {to_km}، {start_time} تا {end_time}",
      "فعالیت نزدیک مرز: {activity}، {from_km} تا {to_km}، {start_time} تا {end_time}"},
     FIELDS(activity_fields)},
    {"flag_meeting_request",
     {"Request for flag meeting", "فلیگ میٹنگ کی درخواست", "درخواست نشست مرزی"},
     {"Request for flag meeting at {venue}, {level} level, {time}",
      "فلیگ میٹنگ کی درخواست بمقام {venue}، {level} سطح پر، {time}",
      "درخواست نشست مرزی در {venue}، سطح {level}، {time}"},
     FIELDS(meeting_fields)},
    {"suspicious_movement",
     {"Suspicious movement", "مشکوک نقل و حرکت", "تحرکات مشکوک"},
     {"Suspicious movement at {chainage}, {time}", "مشکوک نقل و حرکت: {chainage}، {time}",
      "تحرکات مشکوک در {chainage}، {time}"},
     FIELDS(movement_fields)},
    {"reply_to_request",
     {"Reply to request", "درخواست کا جواب", "پاسخ به درخواست"},
     {"Reply to request no. {in_reply_to}: {reply}", "درخواست نمبر {in_reply_to} کا جواب: {reply}",
      "پاسخ به درخواست شماره {in_reply_to}: {reply}"},
     FIELDS(reply_fields)},
};

#define NTEMPLATES (sizeof(templates) / sizeof(templates[0]))

size_t template_count(void)
{
    return NTEMPLATES;
}

const struct template_def *template_at(size_t i)
{
    return i < NTEMPLATES ? &templates[i] : NULL;
}

const struct template_def *template_find(const char *id)
{
    for (size_t i = 0; id && i < NTEMPLATES; i++)
        if (strcmp(templates[i].id, id) == 0)
            return &templates[i];
    return NULL;
}

int template_lang_rtl(const char *lang)
{
    int l = lang ? field_lookup(lang_names, lang) : -1;

    return l == LANG_UR || l == LANG_FA;
}

static const char *text_in(const struct template_text *t, enum lang l)
{
    const char *const v[LANG_COUNT] = {t->en, t->ur, t->fa};

    return v[l];
}

static const struct template_field *field_find(const struct template_def *t, const char *name)
{
    for (size_t i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

/* ---- Date-time groups ------------------------------------------------------------------- */

static const char *const month_abbr[12] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                           "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};

/* Floor division, so that instants before 1970 fall in the right day and minute. */
static int64_t floor_div(int64_t a, int64_t b)
{
    return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* Civil date from days since 1970-01-01 (H. Hinnant's civil_from_days). Written out
 * rather than gmtime_r() because it cannot fail for any int64 input and needs no time_t. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;

    z += 719468;
    era = floor_div(z, 146097);
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

void template_format_dtg(int64_t ms, char out[16])
{
    int64_t minutes = floor_div(ms, 60000), days = floor_div(minutes, 1440), year;
    int minute_of_day = (int)(minutes - days * 1440), month, day;
    int yy;

    civil_from_days(days, &year, &month, &day);
    yy = (int)(((year % 100) + 100) % 100);
    snprintf(out, 13, "%02d%02d%02dZ%s%02d", day % 100, minute_of_day / 60 % 100,
             minute_of_day % 60, month_abbr[(month - 1) % 12], yy);
}

/* ---- A growing string (outputs are bounded by the input limits above) ------------------ */

struct sbuf {
    char *p;
    size_t len, cap;
    int failed;
};

static void sb_add(struct sbuf *b, const char *s, size_t n)
{
    char *np;
    size_t ncap;

    if (b->failed)
        return;
    if (b->p == NULL || b->len + n + 1 > b->cap) {
        ncap = b->cap ? b->cap : 256;
        while (ncap < b->len + n + 1)
            ncap *= 2;
        if ((np = realloc(b->p, ncap)) == NULL) {
            b->failed = 1;
            return;
        }
        b->p = np;
        b->cap = ncap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void sb_puts(struct sbuf *b, const char *s)
{
    sb_add(b, s, strlen(s));
}

/* Hands the string to the caller (an empty string if nothing was added), or NULL on failure. */
static char *sb_take(struct sbuf *b)
{
    if (b->p == NULL && !b->failed)
        sb_add(b, "", 0);
    if (b->failed) {
        free(b->p);
        return NULL;
    }
    return b->p;
}

/* ---- Field types: check (outside JSON -> canonical value) and render --------------------- */

/* Each check reads `f` from `fields` and sets *value to a new reference, or NULL when the
 * field is absent and optional. Errors name the bare field; the caller qualifies them. */
typedef enum sh_err (*check_fn)(const struct template_field *f, const json_t *fields,
                                json_t **value, struct sh_errinfo *info);
/* Each render appends the rendered canonical `value` in language `l`. */
typedef void (*render_fn)(const struct template_field *f, const json_t *value, enum lang l,
                          struct sbuf *b);

static enum sh_err check_text(const struct template_field *f, const json_t *fields, json_t **value,
                              struct sh_errinfo *info)
{
    const char *s;
    enum sh_err rc = field_string(fields, f->name, f->max_len, f->required, &s, info);

    if (rc == SH_OK && s && s[0] != '\0' && (*value = json_string(s)) == NULL)
        rc = SH_ENOMEM;
    return rc;
}

static enum sh_err check_place(const struct template_field *f, const json_t *fields, json_t **value,
                               struct sh_errinfo *info)
{
    enum sh_err rc = check_text(f, fields, value, info);

    if (rc == SH_OK && *value && strpbrk(json_string_value(*value), "\n\t")) {
        json_decref(*value);
        *value = NULL;
        rc = err_set(info, SH_EINVAL, f->name, "'%s' must be a single line", f->name);
    }
    return rc;
}

static enum sh_err check_integer(const struct template_field *f, const json_t *fields,
                                 json_t **value, struct sh_errinfo *info)
{
    double d;
    int present;
    enum sh_err rc = field_number(fields, f->name, f->min, f->max, f->required, &d, &present, info);

    if (rc != SH_OK || !present)
        return rc;
    if (d != floor(d))
        return err_set(info, SH_EINVAL, f->name, "'%s' must be a whole number", f->name);
    return (*value = json_integer((json_int_t)d)) ? SH_OK : SH_ENOMEM;
}

static enum sh_err check_chainage(const struct template_field *f, const json_t *fields,
                                  json_t **value, struct sh_errinfo *info)
{
    double km;
    int present;
    enum sh_err rc =
        field_number(fields, f->name, f->min, f->max, f->required, &km, &present, info);

    if (rc != SH_OK || !present)
        return rc;
    return (*value = json_real(km)) ? SH_OK : SH_ENOMEM;
}

static enum sh_err check_datetime(const struct template_field *f, const json_t *fields,
                                  json_t **value, struct sh_errinfo *info)
{
    int64_t ms;
    int present;
    char ts[32];
    enum sh_err rc = field_time(fields, f->name, f->required, &ms, &present, info);

    if (rc != SH_OK || !present)
        return rc;
    clock_format_rfc3339(ms, ts, sizeof(ts));
    return (*value = json_string(ts)) ? SH_OK : SH_ENOMEM;
}

static enum sh_err check_enum(const struct template_field *f, const json_t *fields, json_t **value,
                              struct sh_errinfo *info)
{
    const char *codes[OPTIONS_MAX + 1];
    size_t n = 0;
    int idx;
    enum sh_err rc;

    while (f->options[n].code) {
        assert(n < OPTIONS_MAX);
        codes[n] = f->options[n].code;
        n++;
    }
    codes[n] = NULL;
    rc = field_enum(fields, f->name, codes, f->required, &idx, info);
    if (rc != SH_OK || idx < 0)
        return rc;
    return (*value = json_string(codes[idx])) ? SH_OK : SH_ENOMEM;
}

static void render_verbatim(const struct template_field *f, const json_t *value, enum lang l,
                            struct sbuf *b)
{
    sb_add(b, json_string_value(value), json_string_length(value));
}

static void render_integer(const struct template_field *f, const json_t *value, enum lang l,
                           struct sbuf *b)
{
    char num[32];

    snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT, json_integer_value(value));
    sb_puts(b, num);
}

static void render_chainage(const struct template_field *f, const json_t *value, enum lang l,
                            struct sbuf *b)
{
    char km[48];

    snprintf(km, sizeof(km), "km %.1f", json_number_value(value));
    sb_puts(b, km);
}

static void render_datetime(const struct template_field *f, const json_t *value, enum lang l,
                            struct sbuf *b)
{
    int64_t ms = 0;
    char dtg[16];

    /* Canonical by construction: check_datetime() wrote it. */
    clock_parse_rfc3339(json_string_value(value), json_string_length(value), &ms);
    template_format_dtg(ms, dtg);
    sb_puts(b, dtg);
}

static void render_enum(const struct template_field *f, const json_t *value, enum lang l,
                        struct sbuf *b)
{
    const char *code = json_string_value(value);

    for (const struct template_option *o = f->options; o->code; o++)
        if (strcmp(o->code, code) == 0)
            sb_puts(b, text_in(&o->label, l));
}

static const struct {
    const char *name;
    check_fn check;
    render_fn render;
} types[] = {
    [TEMPLATE_TEXT] = {"text", check_text, render_verbatim},
    [TEMPLATE_INTEGER] = {"integer", check_integer, render_integer},
    [TEMPLATE_DATETIME] = {"datetime", check_datetime, render_datetime},
    [TEMPLATE_CHAINAGE] = {"chainage", check_chainage, render_chainage},
    [TEMPLATE_ENUM] = {"enum", check_enum, render_enum},
    [TEMPLATE_PLACE] = {"place", check_place, render_verbatim},
};

/* ---- Validation -------------------------------------------------------------------------- */

/* The field readers name the bare key; in a message the field lives under "fields". Rewrites
 * info->field to "fields.<name>" and a leading "'<name>'" of the message likewise. */
static enum sh_err qualify(enum sh_err rc, const char *name, struct sh_errinfo *info)
{
    char msg[sizeof(info->message)];
    size_t n = strlen(name);

    if (rc == SH_OK || info == NULL)
        return rc;
    snprintf(info->field, sizeof(info->field), "fields.%s", name);
    if (info->message[0] == '\'' && strncmp(info->message + 1, name, n) == 0 &&
        info->message[n + 1] == '\'') {
        snprintf(msg, sizeof(msg), "'fields.%s", info->message + 1);
        memcpy(info->message, msg, sizeof(msg));
    }
    return rc;
}

static enum sh_err check_known_keys(const struct template_def *t, const json_t *fields,
                                    struct sh_errinfo *info)
{
    const char *key;
    json_t *v;
    char name[64];

    json_object_foreach((json_t *)fields, key, v)
    {
        if (field_find(t, key) != NULL)
            continue;
        snprintf(name, sizeof(name), "fields.%.50s", key);
        return err_set(info, SH_EINVAL, name, "unknown field '%s' for template '%s'", name, t->id);
    }
    return SH_OK;
}

/* Datetimes compare as instants, chainages as numbers. */
static double order_key(const json_t *v)
{
    int64_t ms = 0;

    if (json_is_string(v))
        clock_parse_rfc3339(json_string_value(v), json_string_length(v), &ms);
    return json_is_string(v) ? (double)ms : json_number_value(v);
}

/* Ranges (stretch, time window) must not end before they start. */
static enum sh_err check_order(const struct template_def *t, const json_t *norm,
                               struct sh_errinfo *info)
{
    char name[64];

    for (size_t i = 0; i < t->nfields; i++) {
        const struct template_field *f = &t->fields[i];
        const json_t *end = json_object_get(norm, f->name), *start;

        if (f->not_before == NULL || end == NULL ||
            (start = json_object_get(norm, f->not_before)) == NULL)
            continue;
        if (order_key(end) < order_key(start)) {
            snprintf(name, sizeof(name), "fields.%s", f->name);
            return err_set(info, SH_EINVAL, name, "'%s' must not be before 'fields.%s'", name,
                           f->not_before);
        }
    }
    return SH_OK;
}

/* Checks each field of `t` into the canonical object `norm`. */
static enum sh_err check_fields(const struct template_def *t, const json_t *fields, json_t *norm,
                                struct sh_errinfo *info)
{
    enum sh_err rc = SH_OK;

    for (size_t i = 0; i < t->nfields && rc == SH_OK; i++) {
        const struct template_field *f = &t->fields[i];
        json_t *value = NULL;

        rc = qualify(types[f->type].check(f, fields, &value, info), f->name, info);
        if (rc == SH_OK && value && json_object_set_new(norm, f->name, value) < 0)
            rc = SH_ENOMEM;
    }
    return rc;
}

enum sh_err template_validate(const char *id, const json_t *fields, json_t **normalised,
                              struct sh_errinfo *info)
{
    const struct template_def *t = template_find(id);
    json_t *norm = NULL;
    enum sh_err rc;

    *normalised = NULL;
    if (t == NULL)
        return err_set(info, SH_EINVAL, "template", "unknown template '%.60s'", id ? id : "");
    if (!json_is_object(fields))
        return err_set(info, SH_EINVAL, "fields", "'fields' must be an object");
    if ((rc = check_known_keys(t, fields, info)) != SH_OK)
        return rc;
    if ((norm = json_object()) == NULL)
        return SH_ENOMEM;
    if ((rc = check_fields(t, fields, norm, info)) != SH_OK ||
        (rc = check_order(t, norm, info)) != SH_OK) {
        json_decref(norm);
        return rc;
    }
    *normalised = norm;
    return SH_OK;
}

/* ---- Rendering --------------------------------------------------------------------------- */

/* Appends the rendered value of the field named by the `n` bytes at `name`. */
static void render_named(const struct template_def *t, const json_t *norm, const char *name,
                         size_t n, enum lang l, struct sbuf *b)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const struct template_field *f = &t->fields[i];
        const json_t *v;

        if (strncmp(f->name, name, n) != 0 || f->name[n] != '\0')
            continue;
        if ((v = json_object_get(norm, f->name)) != NULL)
            types[f->type].render(f, v, l, b);
        return;
    }
    assert(!"subject pattern names no field of its template");
}

/* Expands "{name}" in the subject pattern; values are not rescanned, so a '{' typed by the
 * sender is just a character. */
static void render_subject(const struct template_def *t, const json_t *norm, enum lang l,
                           struct sbuf *b)
{
    const char *p = text_in(&t->subject, l), *open, *close;

    while ((open = strchr(p, '{')) != NULL && (close = strchr(open, '}')) != NULL) {
        sb_add(b, p, (size_t)(open - p));
        render_named(t, norm, open + 1, (size_t)(close - open - 1), l, b);
        p = close + 1;
    }
    sb_puts(b, p);
}

static void render_body(const struct template_def *t, const json_t *norm, enum lang l,
                        struct sbuf *b)
{
    for (size_t i = 0; i < t->nfields; i++) {
        const struct template_field *f = &t->fields[i];
        const json_t *v = json_object_get(norm, f->name);

        if (v == NULL)
            continue;
        sb_puts(b, text_in(&f->label, l));
        sb_puts(b, ": ");
        types[f->type].render(f, v, l, b);
        sb_puts(b, "\n");
    }
}

enum sh_err template_render(const char *id, const json_t *fields, const char *lang, char **subject,
                            char **body, struct sh_errinfo *info)
{
    struct sbuf sb_subject = {0}, sb_body = {0};
    json_t *norm = NULL;
    int l = lang ? field_lookup(lang_names, lang) : -1;
    enum sh_err rc;

    *subject = *body = NULL;
    if (l < 0)
        return err_set(info, SH_EINVAL, "lang", "'lang' must be one of en, ur, fa");
    if ((rc = template_validate(id, fields, &norm, info)) != SH_OK)
        return rc;
    render_subject(template_find(id), norm, (enum lang)l, &sb_subject);
    render_body(template_find(id), norm, (enum lang)l, &sb_body);
    json_decref(norm);
    *subject = sb_take(&sb_subject);
    *body = sb_take(&sb_body);
    if (*subject == NULL || *body == NULL) {
        free(*subject);
        free(*body);
        *subject = *body = NULL;
        rc = SH_ENOMEM;
    }
    return rc;
}

/* ---- The catalogue as JSON --------------------------------------------------------------- */

static json_t *text_json(const struct template_text *t)
{
    return json_pack("{s:s, s:s, s:s}", "en", t->en, "ur", t->ur, "fa", t->fa);
}

static json_t *options_json(const struct template_option *o)
{
    json_t *arr = json_array();

    for (; arr && o->code; o++) {
        if (json_array_append_new(
                arr, json_pack("{s:s, s:o}", "code", o->code, "label", text_json(&o->label))) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}

/* The type-specific constraints of `f`, added to `j`; -1 if out of memory. */
static int constraints_json(const struct template_field *f, json_t *j)
{
    int rc = 0;

    if (f->type == TEMPLATE_TEXT || f->type == TEMPLATE_PLACE)
        rc |= json_object_set_new(j, "max_len", json_integer((json_int_t)f->max_len));
    if (f->type == TEMPLATE_INTEGER) {
        rc |= json_object_set_new(j, "min", json_integer((json_int_t)f->min));
        rc |= json_object_set_new(j, "max", json_integer((json_int_t)f->max));
    }
    if (f->type == TEMPLATE_CHAINAGE) {
        rc |= json_object_set_new(j, "min", json_real(f->min));
        rc |= json_object_set_new(j, "max", json_real(f->max));
    }
    if (f->type == TEMPLATE_ENUM)
        rc |= json_object_set_new(j, "options", options_json(f->options));
    if (f->not_before)
        rc |= json_object_set_new(j, "not_before", json_string(f->not_before));
    return rc ? -1 : 0;
}

static json_t *field_json(const struct template_field *f)
{
    json_t *j = json_pack("{s:s, s:s, s:b, s:o}", "name", f->name, "type", types[f->type].name,
                          "required", f->required, "label", text_json(&f->label));

    if (j && constraints_json(f, j) < 0) {
        json_decref(j);
        j = NULL;
    }
    return j;
}

static json_t *template_json(const struct template_def *t)
{
    json_t *fields = json_array();

    for (size_t i = 0; fields && i < t->nfields; i++) {
        if (json_array_append_new(fields, field_json(&t->fields[i])) < 0) {
            json_decref(fields);
            fields = NULL;
        }
    }
    return json_pack("{s:s, s:o, s:o}", "id", t->id, "title", text_json(&t->title), "fields",
                     fields);
}

json_t *template_catalogue(void)
{
    json_t *arr = json_array();

    for (size_t i = 0; arr && i < NTEMPLATES; i++) {
        if (json_array_append_new(arr, template_json(&templates[i])) < 0) {
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}
