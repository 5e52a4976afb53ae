/* Unit tests of the sovereignty gate and the signed encodings of the link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "domain/event.h"
#include "domain/gate.h"

static const char line_json[] = "{\"type\":\"LineString\",\"coordinates\":[[61,30],[61,29]]}";
static struct border border;

static int setup(void **state)
{
    struct sh_errinfo info;

    return border_init(&border, line_json, sizeof(line_json) - 1, "PAK", "IRN", 10, &info);
}

static int teardown(void **state)
{
    border_free(&border);
    return 0;
}

static const char event_payload[] =
    "{\"category\":\"SMUGGLING\",\"id\":\"e1\",\"impact\":\"LOW\",\"lat\":29.5,\"lon\":61.1,"
    "\"origin\":\"PK-SOUTH\",\"owner\":\"major.khan\",\"release\":[\"IRN\"],\"status\":\"OPEN\","
    "\"time\":\"2026-11-28T10:00:00Z\",\"version\":1}";

static void entry_init(struct journal_entry *e, const char *kind, const char *release,
                       const char *payload)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->kind, sizeof(e->kind), "%s", kind);
    snprintf(e->record_id, sizeof(e->record_id), "e1");
    snprintf(e->origin, sizeof(e->origin), "PK-SOUTH");
    snprintf(e->release, sizeof(e->release), "%s", release);
    e->seq = e->origin_seq = 42;
    e->version = 1;
    e->payload = (char *)payload;
    e->payload_len = strlen(payload);
}

static void test_outbound_only_released_and_shareable(void **state)
{
    struct journal_entry e, out;

    entry_init(&e, "event.create", "", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_EFORBIDDEN);
    entry_init(&e, "event.create", "AFG,TUR", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_EFORBIDDEN);
    entry_init(&e, "user.add", "IRN", "{\"name\":\"x\"}");
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_EFORBIDDEN);
    entry_init(&e, "section.update", "IRN", "{\"id\":1}");
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_EFORBIDDEN);
    entry_init(&e, "event.create", "IRN,TUR", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_OK);
    assert_null(strstr(out.payload, "owner")); /* national-only part removed */
    assert_null(strstr(out.payload, "major.khan"));
    assert_non_null(strstr(out.payload, "\"category\":\"SMUGGLING\""));
    assert_int_equal(out.origin_seq, 42);
    free(out.payload);
}

/* The copy as the parser's way builds it: the allowed members of `doc`, printed canonically. */
static char *expected_copy(const json_t *doc, const char *const *allowed)
{
    json_t *copy = json_object();
    char *text;

    for (int i = 0; allowed[i]; i++)
        if (json_object_get(doc, allowed[i]))
            json_object_set(copy, allowed[i], json_object_get(doc, allowed[i]));
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(copy);
    return text;
}

static json_t *random_value(int depth)
{
    static const char *const strings[] = {"",
                                          "plain",
                                          "a \"quoted\" ,\"owner\":\"x\" part",
                                          "back\\slash } ] { [",
                                          "\xd9\x85\xd8\xb1\xd8\xb2",
                                          "tab\tnew\nline"};
    switch (rand() % (depth < 2 ? 8 : 6)) {
    case 0:
        return json_integer(rand() - RAND_MAX / 2);
    case 1:
        return json_real((rand() % 2000000) / 1000.0 - 1000.0);
    case 2:
        return json_string(strings[rand() % 6]);
    case 3:
        return json_null();
    case 4:
        return json_true();
    case 5:
        return json_false();
    case 6: {
        json_t *o = json_object();
        json_object_set_new(o, "owner", random_value(depth + 1)); /* nested: not a member */
        json_object_set_new(o, "x", random_value(depth + 1));
        return o;
    }
    default: {
        json_t *a = json_array();
        for (int i = rand() % 4; i > 0; i--)
            json_array_append_new(a, random_value(depth + 1));
        return a;
    }
    }
}

/* The sender's text path (gate.c, filter_text) gives byte for byte what parsing, copying the
 * allowed fields and printing again gives, for stored payloads of every shape: national
 * fields among allowed ones, strings that look like members, nested objects and arrays. */
static void test_outbound_copy_matches_the_parser(void **state)
{
    static const char *const allowed[] = {
        "id",      "version",     "category",    "impact",  "status", "close_reason",
        "time",    "title",       "description", "lat",     "lon",    "chainage_km",
        "side",    "distance_km", "section",     "release", "origin", "created",
        "updated", "sensor",      "count",       NULL};
    static const char *const keys[] = {
        "category", "close_reason", "count", "id",    "lat",     "origin",      "owner", "release",
        "notes",    "sensor",       "time",  "title", "version", "zz_national", "a"};
    struct journal_entry e, out;

    srand(7);
    for (int round = 0; round < 2000; round++) {
        json_t *doc = json_object();
        char *text, *want;

        for (int k = rand() % 12; k > 0; k--)
            json_object_set_new(doc, keys[rand() % 15], random_value(0));
        text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
        entry_init(&e, "event.create", "IRN", text);
        assert_int_equal(gate_outbound(&e, "IRN", &out), SH_OK);
        want = expected_copy(doc, allowed);
        assert_string_equal(out.payload, want);
        assert_int_equal(out.payload_len, strlen(want));
        free(out.payload);
        free(want);
        free(text);
        json_decref(doc);
    }
}

/* Text the scanner does not expect goes the parser's way: the same fields come out of a
 * payload with spaces or an escaped key, and what is not a JSON object does not leave. */
static void test_outbound_unusual_text(void **state)
{
    static const char *const bad[] = {
        "not json", "[1,2]",         "{\"id\":\"e1\"", "{\"id\":1]",
        "{\"id\"}", "{\"id\":}",     "{\"id\":1,}",    "{\"id\":1}x",
        "",         "{\"id\x01\":1}"}; /* a raw control byte in a key */
    struct journal_entry e, out;
    json_t *doc;

    entry_init(&e, "event.create", "IRN",
               " { \"id\" : \"e1\" , \"owner\" : { \"id\" : 1 } , \"ti\\u0074le\" : \"t\","
               "\"own\\u0065r\":\"x\", \"version\" : 2 } ");
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_OK);
    doc = json_loads(out.payload, 0, NULL);
    assert_non_null(doc);
    assert_int_equal(json_object_size(doc), 3); /* id, title, version; owner twice removed */
    assert_string_equal(json_string_value(json_object_get(doc, "title")), "t");
    assert_null(strstr(out.payload, "owner"));
    json_decref(doc);
    free(out.payload);
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        entry_init(&e, "event.create", "IRN", bad[i]);
        assert_int_equal(gate_outbound(&e, "IRN", &out), SH_EFORBIDDEN);
    }
}

static void test_stream_classification(void **state)
{
    json_t *alarm = json_pack("{s:s}", "category", "FENCE_BREACH");
    json_t *other = json_pack("{s:s}", "category", "OTHER");

    assert_int_equal(gate_stream_of("event.create", alarm), GATE_URGENT);
    assert_int_equal(gate_stream_of("event.update", other), GATE_BULK);
    assert_int_equal(gate_stream_of("hotline.message", other), GATE_URGENT);
    json_decref(alarm);
    json_decref(other);
}

static void test_inbound_checks_again(void **state)
{
    struct journal_entry e, out;
    struct sh_errinfo info;
    int as_sent;
    json_t *doc;

    /* what a correct partner sends passes */
    entry_init(&e, "event.create", "IRN", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_OK);
    assert_int_equal(gate_inbound(&out, "PK-SOUTH", "IRN", &border, &doc, &as_sent, &info), SH_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "side")), "PAK");
    assert_false(as_sent); /* the sender's record lacked what the receiver derives */
    json_decref(doc);
    /* relayed from a third node */
    assert_int_equal(gate_inbound(&out, "XX-OTHER", "IRN", &border, &doc, &as_sent, &info),
                     SH_EFORBIDDEN);
    assert_string_equal(info.field, "origin");
    /* not released to us */
    assert_int_equal(gate_inbound(&out, "PK-SOUTH", "TUR", &border, &doc, &as_sent, &info),
                     SH_EFORBIDDEN);
    assert_string_equal(info.field, "release");
    free(out.payload);
    /* a field that may not cross (a careless or hostile sender) */
    entry_init(&e, "event.create", "IRN", event_payload);
    assert_int_equal(gate_inbound(&e, "PK-SOUTH", "IRN", &border, &doc, &as_sent, &info),
                     SH_EFORBIDDEN);
    assert_string_equal(info.field, "owner");
    /* a kind we do not accept */
    entry_init(&e, "user.add", "IRN", "{}");
    assert_int_equal(gate_inbound(&e, "PK-SOUTH", "IRN", &border, &doc, &as_sent, &info),
                     SH_EFORBIDDEN);
    /* an invalid record */
    entry_init(&e, "event.create", "IRN",
               "{\"id\":\"e1\",\"version\":1,\"origin\":\"PK-SOUTH\",\"category\":\"PICNIC\"}");
    assert_int_equal(gate_inbound(&e, "PK-SOUTH", "IRN", &border, &doc, &as_sent, &info),
                     SH_EINVAL);
    assert_string_equal(info.field, "category");
}

/* A record the sender derived as the receiver does arrives "as sent": its text is stored as it
 * came. One the check changes (a chainage that does not match our border) is not. */
static void test_inbound_as_sent(void **state)
{
    json_t *body = json_pack("{s:s,s:f,s:f,s:[s]}", "category", "SMUGGLING", "lat", 29.512345,
                             "lon", 61.1, "release", "IRN");
    struct journal_entry e, out;
    struct sh_errinfo info;
    json_t *rec, *doc;
    char *text;
    int as_sent;

    assert_int_equal(
        event_create(body, &border, "e1", "major.khan", "PK-SOUTH", 1795000000123, &rec, &info),
        SH_OK);
    text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    entry_init(&e, "event.create", "IRN", text);
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_OK);
    assert_int_equal(gate_inbound(&out, "PK-SOUTH", "IRN", &border, &doc, &as_sent, &info), SH_OK);
    assert_true(as_sent);
    json_decref(doc);
    free(out.payload);
    free(text);
    /* a sender whose border puts the event elsewhere */
    json_object_set_new(rec, "chainage_km", json_real(12.5));
    text = json_dumps(rec, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    entry_init(&e, "event.create", "IRN", text);
    assert_int_equal(gate_outbound(&e, "IRN", &out), SH_OK);
    assert_int_equal(gate_inbound(&out, "PK-SOUTH", "IRN", &border, &doc, &as_sent, &info), SH_OK);
    assert_false(as_sent);
    assert_true(json_real_value(json_object_get(doc, "chainage_km")) != 12.5);
    json_decref(doc);
    free(out.payload);
    free(text);
    json_decref(rec);
    json_decref(body);
}

static void test_signed_encodings_differ_by_purpose(void **state)
{
    uint8_t a[256], b[256];
    size_t na = entry_canonical_receipt("IR-EAST", "PK-SOUTH", 1, 42, NULL, 1000, a, sizeof(a));
    size_t nb = entry_canonical_receipt("IR-EAST", "PK-SOUTH", 1, 42, "bad", 1000, b, sizeof(b));
    struct journal_entry e;
    uint8_t w1[512], w2[512];

    assert_true(na < sizeof(a) && nb < sizeof(b));
    assert_false(na == nb && memcmp(a, b, na) == 0);
    assert_memory_equal(a, "sarhad-ack-v1", 14);
    assert_memory_equal(b, "sarhad-reject-v1", 17);
    /* the wire encoding ignores where the entry sits in either journal */
    entry_init(&e, "event.create", "IRN", event_payload);
    size_t n1 = entry_canonical_wire(&e, w1, sizeof(w1));
    e.seq = 7;
    e.time_ms = 123;
    memset(e.prev_hash, 1, sizeof(e.prev_hash));
    size_t n2 = entry_canonical_wire(&e, w2, sizeof(w2));
    assert_int_equal(n1, n2);
    assert_memory_equal(w1, w2, n1);
    e.version = 2;
    entry_canonical_wire(&e, w2, sizeof(w2));
    assert_memory_not_equal(w1, w2, n1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_outbound_only_released_and_shareable),
        cmocka_unit_test(test_outbound_copy_matches_the_parser),
        cmocka_unit_test(test_outbound_unusual_text),
        cmocka_unit_test(test_stream_classification),
        cmocka_unit_test(test_inbound_checks_again),
        cmocka_unit_test(test_inbound_as_sent),
        cmocka_unit_test(test_signed_encodings_differ_by_purpose),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
