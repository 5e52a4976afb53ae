/* Unit tests of the sovereignty gate and the signed encodings of the link. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

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
    enum gate_stream stream;

    entry_init(&e, "event.create", "", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out, &stream), SH_EFORBIDDEN);
    entry_init(&e, "event.create", "AFG,TUR", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out, &stream), SH_EFORBIDDEN);
    entry_init(&e, "user.add", "IRN", "{\"name\":\"x\"}");
    assert_int_equal(gate_outbound(&e, "IRN", &out, &stream), SH_EFORBIDDEN);
    entry_init(&e, "section.update", "IRN", "{\"id\":1}");
    assert_int_equal(gate_outbound(&e, "IRN", &out, &stream), SH_EFORBIDDEN);
    entry_init(&e, "event.create", "IRN,TUR", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out, &stream), SH_OK);
    assert_int_equal(stream, GATE_BULK);
    assert_null(strstr(out.payload, "owner")); /* national-only part removed */
    assert_null(strstr(out.payload, "major.khan"));
    assert_non_null(strstr(out.payload, "\"category\":\"SMUGGLING\""));
    assert_int_equal(out.origin_seq, 42);
    free(out.payload);
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
    enum gate_stream stream;
    json_t *doc;

    /* what a correct partner sends passes */
    entry_init(&e, "event.create", "IRN", event_payload);
    assert_int_equal(gate_outbound(&e, "IRN", &out, &stream), SH_OK);
    assert_int_equal(gate_inbound(&out, "PK-SOUTH", "IRN", &border, &doc, &info), SH_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "side")), "PAK");
    json_decref(doc);
    /* relayed from a third node */
    assert_int_equal(gate_inbound(&out, "XX-OTHER", "IRN", &border, &doc, &info), SH_EFORBIDDEN);
    assert_string_equal(info.field, "origin");
    /* not released to us */
    assert_int_equal(gate_inbound(&out, "PK-SOUTH", "TUR", &border, &doc, &info), SH_EFORBIDDEN);
    assert_string_equal(info.field, "release");
    free(out.payload);
    /* a field that may not cross (a careless or hostile sender) */
    entry_init(&e, "event.create", "IRN", event_payload);
    assert_int_equal(gate_inbound(&e, "PK-SOUTH", "IRN", &border, &doc, &info), SH_EFORBIDDEN);
    assert_string_equal(info.field, "owner");
    /* a kind we do not accept */
    entry_init(&e, "user.add", "IRN", "{}");
    assert_int_equal(gate_inbound(&e, "PK-SOUTH", "IRN", &border, &doc, &info), SH_EFORBIDDEN);
    /* an invalid record */
    entry_init(&e, "event.create", "IRN",
               "{\"id\":\"e1\",\"version\":1,\"origin\":\"PK-SOUTH\",\"category\":\"PICNIC\"}");
    assert_int_equal(gate_inbound(&e, "PK-SOUTH", "IRN", &border, &doc, &info), SH_EINVAL);
    assert_string_equal(info.field, "category");
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
        cmocka_unit_test(test_stream_classification),
        cmocka_unit_test(test_inbound_checks_again),
        cmocka_unit_test(test_signed_encodings_differ_by_purpose),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
