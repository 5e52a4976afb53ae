/* Unit tests of the hotline templates: date-time groups, validation, rendering in en/ur/fa,
 * the catalogue and the script of its Urdu and Persian text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "domain/event.h"
#include "domain/template.h"

/* ---- Helpers ----------------------------------------------------------------------------- */

/* Parses JSON written with single quotes (the tests' texts contain no apostrophes). */
static json_t *parse(const char *s)
{
    char *dq = strdup(s);
    json_t *j;

    assert_non_null(dq);
    for (char *p = dq; *p; p++)
        if (*p == '\'')
            *p = '"';
    j = json_loads(dq, 0, NULL);
    free(dq);
    assert_non_null(j);
    return j;
}

/* Decodes one UTF-8 sequence strictly (no overlongs, surrogates or > U+10FFFF); returns its
 * length, or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    size_t n = s[0] < 0x80 ? 1 : s[0] >> 5 == 6 ? 2 : s[0] >> 4 == 14 ? 3 : s[0] >> 3 == 30 ? 4 : 0;

    if (n == 0)
        return 0;
    *cp = n == 1 ? s[0] : s[0] & (0x7f >> n);
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

static int utf8_valid(const char *s)
{
    uint32_t cp;

    for (size_t n; *s; s += n)
        if ((n = utf8_decode((const unsigned char *)s, &cp)) == 0)
            return 0;
    return 1;
}

/* 1 if `s` holds a code point in [lo, hi]. `s` must be valid UTF-8. */
static int has_range(const char *s, uint32_t lo, uint32_t hi)
{
    uint32_t cp = 0;

    for (size_t n; *s; s += n) {
        n = utf8_decode((const unsigned char *)s, &cp);
        assert_true(n > 0);
        if (cp >= lo && cp <= hi)
            return 1;
    }
    return 0;
}

static int has_arabic_script(const char *s)
{
    return has_range(s, 0x0600, 0x06ff);
}

/* Letters that give away the wrong orthography. Persian writes ye and kaf as U+06CC and U+06A9,
 * never as Arabic U+064A and U+0643, and has none of the Urdu letters; Urdu writes he as gol he
 * U+06C1 (or do-chashmi U+06BE), never as Arabic/Persian U+0647. */
static const uint32_t not_persian[] = {0x064a, 0x0643, 0x06c1, 0x06be, 0x06d2,
                                       0x0679, 0x0688, 0x0691, 0x06ba, 0};
static const uint32_t not_urdu[] = {0x064a, 0x0643, 0x0647, 0};

static void assert_script(const char *s, const char *lang)
{
    const uint32_t *bad = strcmp(lang, "fa") == 0 ? not_persian : not_urdu;

    assert_true(utf8_valid(s));
    assert_true(has_arabic_script(s));
    for (; *bad; bad++)
        if (has_range(s, *bad, *bad))
            fail_msg("%s text \"%s\" contains U+%04X", lang, s, (unsigned)*bad);
}

/* ---- Date-time groups -------------------------------------------------------------------- */

static void check_dtg(int64_t ms, const char *want)
{
    char out[16];

    memset(out, 'x', sizeof(out));
    template_format_dtg(ms, out);
    assert_string_equal(out, want);
}

static void test_dtg(void **state)
{
    /* 2026-11-28: 56 years from 1970 (20440 days + 14 leap days, 1972..2024) plus 304 days of
     * Jan..Oct plus 27 = 20785 days = 1795824000 s; + 14 h 30 min = 1795876200 s. */
    check_dtg(1795876200000, "281430ZNOV26");
    /* Seconds and milliseconds are truncated, never rounded up into the next minute. */
    check_dtg(1795876259999, "281430ZNOV26");
    /* 2027-01-05: 20785 + 3 (rest of Nov) + 31 (Dec) + 4 = 20823 days = 1799107200 s;
     * + 03:07:59 = 11279 s. */
    check_dtg(1799118479000, "050307ZJAN27");
    check_dtg(0, "010000ZJAN70");
    /* One millisecond before the epoch is still 1969-12-31 23:59. */
    check_dtg(-1, "312359ZDEC69");
    /* 2028-02-29T23:59Z (leap day) and 2000-03-01T00:00Z (after a century leap day). */
    check_dtg(1835481540000, "292359ZFEB28");
    check_dtg(951868800000, "010000ZMAR00");
}

/* ---- Good examples, rendered in every language ------------------------------------------- */

struct example {
    const char *id;
    const char *fields;
    const char *dtg;      /* the first datetime, as a DTG: in the body, and in the subject */
    const char *km;       /* a chainage as rendered, or NULL */
    const char *label[3]; /* an enum label in en, ur, fa, or NULLs */
    const char *verbatim; /* a free-text value that every rendering carries as is */
};

static const char *const langs[] = {"en", "ur", "fa"};

static const struct example examples[] = {
    {"incident_notification",
     "{'category':'SMUGGLING','time':'2026-11-28T14:30:00Z','chainage':412.5,"
     "'place':'Pillar 212','persons':4,'details':'Two pickups heading west'}",
     "281430ZNOV26",
     "km 412.5",
     {"Smuggling", "اسمگلنگ", "قاچاق"},
     "Two pickups heading west"},
    {"coordinated_patrol_request",
     "{'from_km':400,'to_km':425.3,'start_time':'2027-01-05T03:07:59Z',"
     "'end_time':'2027-01-05T09:00:00+03:30','strength':24,'rendezvous':'Crossing 7'}",
     "050307ZJAN27",
     "km 425.3",
     {NULL, NULL, NULL},
     "Crossing 7"},
    {"border_activity_notice",
     "{'activity':'FIRING','from_km':100,'to_km':102.5,'start_time':'2026-12-01T06:00:00Z',"
     "'end_time':'2026-12-01T12:00:00Z','distance_m':1500,'details':'Range practice'}",
     "010600ZDEC26",
     "km 100.0",
     {"Firing", "فائرنگ", "تیراندازی"},
     "Range practice"},
    {"flag_meeting_request",
     "{'level':'WING','venue':'Pillar 40','time':'2026-11-30T10:00:00Z',"
     "'delegation_size':6,'agenda':'Joint patrol schedule for December'}",
     "301000ZNOV26",
     NULL,
     {"Wing", "ونگ", "گردان"},
     "Pillar 40"},
    {"suspicious_movement",
     "{'time':'2026-11-28T23:45:00Z','chainage':617.8,'persons':3,'heading_deg':270,"
     "'description':'Three persons on foot with loads'}",
     "282345ZNOV26",
     "km 617.8",
     {NULL, NULL, NULL},
     "Three persons on foot with loads"},
    {"reply_to_request",
     "{'in_reply_to':42,'reply':'PARTIAL','time':'2026-12-02T08:15:00Z',"
     "'remarks':'Only the northern stretch'}",
     "020815ZDEC26",
     NULL,
     {"Partially accepted", "جزوی طور پر منظور", "موافقت جزئی"},
     "Only the northern stretch"},
};

#define NEXAMPLES (sizeof(examples) / sizeof(examples[0]))

static void check_rendering(const struct example *ex, int lang, const char *subject,
                            const char *body)
{
    assert_true(subject[0] != '\0' && body[0] != '\0');
    assert_null(strchr(subject, '\n'));
    assert_null(strchr(subject, '{'));
    assert_non_null(strstr(body, ex->dtg));
    /* The reply's subject carries the serial and the answer, not a time. */
    if (strcmp(ex->id, "reply_to_request") != 0)
        assert_non_null(strstr(subject, ex->dtg));
    if (ex->km)
        assert_non_null(strstr(body, ex->km));
    if (ex->label[lang]) {
        assert_non_null(strstr(subject, ex->label[lang]));
        assert_non_null(strstr(body, ex->label[lang]));
    }
    assert_non_null(strstr(body, ex->verbatim));
    if (lang == 0) {
        assert_false(has_arabic_script(subject) || has_arabic_script(body));
    } else {
        assert_true(template_lang_rtl(langs[lang]));
        assert_script(subject, langs[lang]);
        assert_true(utf8_valid(body) && has_arabic_script(body));
    }
}

static void test_examples_render(void **state)
{
    for (size_t i = 0; i < NEXAMPLES; i++) {
        json_t *fields = parse(examples[i].fields), *norm = NULL;
        struct sh_errinfo info;

        assert_int_equal(template_validate(examples[i].id, fields, &norm, &info), SH_OK);
        assert_true(json_is_object(norm));
        for (int l = 0; l < 3; l++) {
            char *subject = NULL, *body = NULL;

            assert_int_equal(
                template_render(examples[i].id, fields, langs[l], &subject, &body, &info), SH_OK);
            check_rendering(&examples[i], l, subject, body);
            free(subject);
            free(body);
        }
        json_decref(norm);
        json_decref(fields);
    }
}

static void test_rendering_exact_en(void **state)
{
    json_t *fields = parse(examples[0].fields);
    char *subject, *body;

    assert_int_equal(template_render("incident_notification", fields, "en", &subject, &body, NULL),
                     SH_OK);
    assert_string_equal(subject, "Incident notification: Smuggling at km 412.5, 281430ZNOV26");
    assert_string_equal(body, "Category of incident: Smuggling\n"
                              "Time of incident: 281430ZNOV26\n"
                              "Location (km along the border): km 412.5\n"
                              "Nearest pillar or crossing: Pillar 212\n"
                              "Persons involved: 4\n"
                              "Details: Two pickups heading west\n");
    free(subject);
    free(body);
    json_decref(fields);
}

static void test_rendering_exact_fa_ur(void **state)
{
    json_t *fields = parse("{'in_reply_to':42,'reply':'ACCEPTED'}");
    char *subject, *body;

    assert_int_equal(template_render("reply_to_request", fields, "fa", &subject, &body, NULL),
                     SH_OK);
    assert_string_equal(subject, "پاسخ به درخواست شماره 42: موافقت شد");
    assert_string_equal(body, "عطف به پیام شماره: 42\nپاسخ: موافقت شد\n");
    free(subject);
    free(body);
    assert_int_equal(template_render("reply_to_request", fields, "ur", &subject, &body, NULL),
                     SH_OK);
    assert_string_equal(subject, "درخواست نمبر 42 کا جواب: منظور");
    free(subject);
    free(body);
    json_decref(fields);
}

/* Free text is the sender's: a Persian remark reaches an English reader as written, and a
 * brace typed by the sender is not taken for a placeholder. */
static void test_free_text_verbatim(void **state)
{
    json_t *fields = parse("{'level':'HQ','venue':'Pillar {time} 40','time':'2026-11-30T10:00:00Z',"
                           "'agenda':'هماهنگی گشت مشترک'}");
    char *subject, *body;

    assert_int_equal(template_render("flag_meeting_request", fields, "en", &subject, &body, NULL),
                     SH_OK);
    assert_string_equal(subject,
                        "Request for flag meeting at Pillar {time} 40, Headquarters level, "
                        "301000ZNOV26");
    assert_non_null(strstr(body, "Agenda: هماهنگی گشت مشترک\n"));
    free(subject);
    free(body);
    json_decref(fields);
}

static void test_normalised_values(void **state)
{
    json_t *fields = parse(examples[1].fields), *norm;
    struct sh_errinfo info;

    assert_int_equal(template_validate(examples[1].id, fields, &norm, &info), SH_OK);
    assert_string_equal(json_string_value(json_object_get(norm, "start_time")),
                        "2027-01-05T03:07:59.000Z");
    /* +03:30 folded into UTC. */
    assert_string_equal(json_string_value(json_object_get(norm, "end_time")),
                        "2027-01-05T05:30:00.000Z");
    assert_true(json_is_real(json_object_get(norm, "from_km")));
    assert_true(json_is_integer(json_object_get(norm, "strength")));
    assert_int_equal(json_integer_value(json_object_get(norm, "strength")), 24);
    assert_int_equal(json_object_size(norm), 6);
    json_decref(norm);
    json_decref(fields);

    /* 6.0 is a whole number; a null optional field and an empty optional text are dropped. */
    fields = parse("{'level':'SECTOR','venue':'Crossing 3','time':'2026-11-30T10:00:00Z',"
                   "'delegation_size':6.0,'alternative_time':null,'agenda':'Fence repair'}");
    assert_int_equal(template_validate("flag_meeting_request", fields, &norm, &info), SH_OK);
    assert_true(json_is_integer(json_object_get(norm, "delegation_size")));
    assert_null(json_object_get(norm, "alternative_time"));
    json_decref(norm);
    json_decref(fields);
}

/* ---- Errors name the field --------------------------------------------------------------- */

struct bad_case {
    size_t example;    /* index into examples[] */
    const char *patch; /* merged into the example; null deletes a key */
    const char *field; /* expected info.field */
};

static const struct bad_case bad_cases[] = {
    {0, "{'colour':'red'}", "fields.colour"},
    {0, "{'category':null}", "fields.category"},
    {0, "{'category':'PIRACY'}", "fields.category"},
    {0, "{'category':5}", "fields.category"},
    {0, "{'time':'yesterday'}", "fields.time"},
    {0, "{'time':1795876200}", "fields.time"},
    {0, "{'chainage':'412.5'}", "fields.chainage"},
    {0, "{'chainage':-0.1}", "fields.chainage"},
    {0, "{'chainage':20000}", "fields.chainage"},
    {0, "{'persons':2.5}", "fields.persons"},
    {0, "{'persons':-1}", "fields.persons"},
    {0, "{'persons':'4'}", "fields.persons"},
    {0, "{'place':'Pillar\\n212'}", "fields.place"},
    {0, "{'place':212}", "fields.place"},
    {0, "{'details':true}", "fields.details"},
    {1, "{'to_km':399.9}", "fields.to_km"},
    {1, "{'end_time':'2027-01-05T03:00:00Z'}", "fields.end_time"},
    {1, "{'strength':0}", "fields.strength"},
    {2, "{'distance_m':4001}", "fields.distance_m"},
    {2, "{'activity':'DANCING'}", "fields.activity"},
    {2, "{'start_time':null}", "fields.start_time"},
    {3, "{'agenda':''}", "fields.agenda"},
    {3, "{'level':'sector'}", "fields.level"},
    {3, "{'venue':null}", "fields.venue"},
    {3, "{'alternative_time':'2026-13-01T00:00:00Z'}", "fields.alternative_time"},
    {4, "{'description':null}", "fields.description"},
    {4, "{'heading_deg':360}", "fields.heading_deg"},
    {5, "{'reply':'MAYBE'}", "fields.reply"},
    {5, "{'in_reply_to':0}", "fields.in_reply_to"},
};

static void check_bad(const char *id, const json_t *fields, const char *field)
{
    struct sh_errinfo info;
    json_t *norm = (json_t *)1;
    char *subject = (char *)1, *body = (char *)1;

    memset(&info, 0, sizeof(info));
    assert_int_equal(template_validate(id, fields, &norm, &info), SH_EINVAL);
    assert_null(norm);
    if (strcmp(info.field, field) != 0)
        fail_msg("%s: expected field %s, got %s (%s)", id, field, info.field, info.message);
    /* The message is English and names the field as the client wrote it. */
    assert_non_null(strstr(info.message, strcmp(field, "template") ? field : id));
    assert_int_equal(template_validate(id, fields, &norm, NULL), SH_EINVAL);
    memset(&info, 0, sizeof(info));
    assert_int_equal(template_render(id, fields, "ur", &subject, &body, &info), SH_EINVAL);
    assert_null(subject);
    assert_null(body);
    assert_string_equal(info.field, field);
}

static void test_errors_name_field(void **state)
{
    for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
        const struct bad_case *c = &bad_cases[i];
        json_t *fields = parse(examples[c->example].fields), *patch = parse(c->patch);
        const char *key;
        json_t *v;

        json_object_foreach(patch, key, v)
        {
            if (json_is_null(v))
                json_object_del(fields, key);
            else
                json_object_set(fields, key, v);
        }
        check_bad(examples[c->example].id, fields, c->field);
        json_decref(patch);
        json_decref(fields);
    }
}

static void test_errors_template_and_shape(void **state)
{
    json_t *fields = parse(examples[0].fields), *array = parse("[1]");
    struct sh_errinfo info;
    json_t *norm;
    char long_text[1002];

    check_bad("no_such", fields, "template");
    assert_int_equal(template_validate(NULL, fields, &norm, &info), SH_EINVAL);
    assert_string_equal(info.field, "template");
    check_bad("incident_notification", array, "fields");
    assert_int_equal(template_validate("incident_notification", NULL, &norm, &info), SH_EINVAL);
    assert_string_equal(info.field, "fields");

    /* 1000 bytes of details are accepted; 1001 are not. */
    memset(long_text, 'a', 1001);
    long_text[1000] = '\0';
    json_object_set_new(fields, "details", json_string(long_text));
    assert_int_equal(template_validate("incident_notification", fields, &norm, &info), SH_OK);
    json_decref(norm);
    long_text[1000] = 'a';
    long_text[1001] = '\0';
    json_object_set_new(fields, "details", json_string(long_text));
    check_bad("incident_notification", fields, "fields.details");
    json_decref(array);
    json_decref(fields);
}

static void test_unknown_language(void **state)
{
    json_t *fields = parse(examples[0].fields);
    const char *bad[] = {"de", "EN", "", "urd"};
    struct sh_errinfo info;
    char *subject, *body;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(
            template_render("incident_notification", fields, bad[i], &subject, &body, &info),
            SH_EINVAL);
        assert_string_equal(info.field, "lang");
        assert_null(subject);
        assert_null(body);
    }
    assert_int_equal(template_render("incident_notification", fields, NULL, &subject, &body, &info),
                     SH_EINVAL);
    assert_string_equal(info.field, "lang");
    json_decref(fields);
}

static void test_rtl(void **state)
{
    assert_false(template_lang_rtl("en"));
    assert_true(template_lang_rtl("ur"));
    assert_true(template_lang_rtl("fa"));
    assert_false(template_lang_rtl("de"));
    assert_false(template_lang_rtl(NULL));
}

/* ---- The catalogue ----------------------------------------------------------------------- */

static const char *const template_ids[] = {"incident_notification",  "coordinated_patrol_request",
                                           "border_activity_notice", "flag_meeting_request",
                                           "suspicious_movement",    "reply_to_request"};

/* Every Urdu and Persian string seen, to check that the Urdu-specific letters are used. */
static char urdu_seen[16384], persian_seen[16384];

static void check_labels(const json_t *label)
{
    const char *en = json_string_value(json_object_get(label, "en"));
    const char *ur = json_string_value(json_object_get(label, "ur"));
    const char *fa = json_string_value(json_object_get(label, "fa"));

    assert_true(json_is_object(label));
    assert_int_equal(json_object_size(label), 3);
    assert_true(en && ur && fa && en[0] && ur[0] && fa[0]);
    assert_true(utf8_valid(en) && !has_arabic_script(en));
    assert_script(ur, "ur");
    assert_script(fa, "fa");
    strncat(urdu_seen, ur, sizeof(urdu_seen) - strlen(urdu_seen) - 1);
    strncat(persian_seen, fa, sizeof(persian_seen) - strlen(persian_seen) - 1);
}

static void check_catalogue_field(const json_t *f)
{
    static const char *const types[] = {"text", "integer", "datetime", "chainage", "enum", "place"};
    const char *type = json_string_value(json_object_get(f, "type"));
    const json_t *options = json_object_get(f, "options");
    size_t i;
    json_t *o;

    assert_non_null(json_string_value(json_object_get(f, "name")));
    assert_true(strlen(json_string_value(json_object_get(f, "name"))) < 50);
    assert_true(json_is_boolean(json_object_get(f, "required")));
    assert_non_null(type);
    for (i = 0; i < 6 && strcmp(types[i], type) != 0; i++)
        ;
    assert_true(i < 6);
    check_labels(json_object_get(f, "label"));
    if (!strcmp(type, "text") || !strcmp(type, "place"))
        assert_true(json_is_integer(json_object_get(f, "max_len")));
    if (!strcmp(type, "integer") || !strcmp(type, "chainage"))
        assert_true(json_is_number(json_object_get(f, "min")) &&
                    json_is_number(json_object_get(f, "max")));
    assert_int_equal(strcmp(type, "enum") == 0, json_is_array(options));
    json_array_foreach(options, i, o)
    {
        assert_non_null(json_string_value(json_object_get(o, "code")));
        check_labels(json_object_get(o, "label"));
    }
}

static void test_catalogue(void **state)
{
    json_t *cat = template_catalogue(), *t, *f;
    size_t i, j;

    urdu_seen[0] = persian_seen[0] = '\0';
    assert_true(json_is_array(cat));
    assert_int_equal(json_array_size(cat), 6);
    assert_int_equal(template_count(), 6);
    json_array_foreach(cat, i, t)
    {
        assert_string_equal(json_string_value(json_object_get(t, "id")), template_ids[i]);
        check_labels(json_object_get(t, "title"));
        assert_true(json_array_size(json_object_get(t, "fields")) > 0);
        json_array_foreach(json_object_get(t, "fields"), j, f) check_catalogue_field(f);
    }
    /* Urdu's own letters: bari ye, noon ghunna, tteh, ddal, rreh, gol he, do-chashmi he. */
    for (const uint32_t *cp =
             (const uint32_t[]){0x6d2, 0x6ba, 0x679, 0x688, 0x691, 0x6c1, 0x6be, 0};
         *cp; cp++)
        assert_true(has_range(urdu_seen, *cp, *cp));
    /* Persian ye and kaf. */
    assert_true(has_range(persian_seen, 0x6cc, 0x6cc) && has_range(persian_seen, 0x6a9, 0x6a9));
    json_decref(cat);
}

static void test_catalogue_access(void **state)
{
    for (size_t i = 0; i < 6; i++) {
        assert_non_null(template_at(i));
        assert_ptr_equal(template_find(template_ids[i]), template_at(i));
    }
    assert_null(template_at(6));
    assert_null(template_find("Incident_Notification"));
    assert_null(template_find(NULL));
}

/* The incident categories are DESIGN.md's event categories, code for code. */
static void test_categories_match_events(void **state)
{
    const struct template_def *t = template_find("incident_notification");
    const struct template_option *o = NULL;
    size_t i;

    assert_non_null(t);
    for (i = 0; t && i < t->nfields; i++)
        if (strcmp(t->fields[i].name, "category") == 0)
            o = t->fields[i].options;
    assert_non_null(o);
    for (i = 0; o && event_categories[i]; i++)
        assert_string_equal(o[i].code, event_categories[i]);
    assert_null(o ? o[i].code : "");
}

/* Every "{name}" in a subject names a required field, so no subject has a hole; subjects are
 * in the right script. */
static void check_subject(const struct template_def *t, const char *pattern)
{
    const char *p = pattern, *open, *close;
    size_t placeholders = 0;

    while ((open = strchr(p, '{')) != NULL) {
        const struct template_field *f = NULL;

        assert_non_null(close = strchr(open, '}'));
        for (size_t i = 0; i < t->nfields; i++)
            if (strlen(t->fields[i].name) == (size_t)(close - open - 1) &&
                strncmp(t->fields[i].name, open + 1, (size_t)(close - open - 1)) == 0)
                f = &t->fields[i];
        if (f == NULL || !f->required)
            fail_msg("%s: subject placeholder %.*s is not a required field", t->id,
                     (int)(close - open - 1), open + 1);
        placeholders++;
        p = close + 1;
    }
    assert_true(placeholders > 0);
}

static void test_subject_patterns(void **state)
{
    for (size_t i = 0; i < template_count(); i++) {
        const struct template_def *t = template_at(i);

        check_subject(t, t->subject.en);
        check_subject(t, t->subject.ur);
        check_subject(t, t->subject.fa);
        assert_script(t->subject.ur, "ur");
        assert_script(t->subject.fa, "fa");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dtg),
        cmocka_unit_test(test_examples_render),
        cmocka_unit_test(test_rendering_exact_en),
        cmocka_unit_test(test_rendering_exact_fa_ur),
        cmocka_unit_test(test_free_text_verbatim),
        cmocka_unit_test(test_normalised_values),
        cmocka_unit_test(test_errors_name_field),
        cmocka_unit_test(test_errors_template_and_shape),
        cmocka_unit_test(test_unknown_language),
        cmocka_unit_test(test_rtl),
        cmocka_unit_test(test_catalogue),
        cmocka_unit_test(test_catalogue_access),
        cmocka_unit_test(test_categories_match_events),
        cmocka_unit_test(test_subject_patterns),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
