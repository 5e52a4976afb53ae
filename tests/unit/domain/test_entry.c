/*
 * test_entry.c: unit tests for the wire encoding of entries (entry.c), the bytes an origin
 * seals and the link carries.
 *
 * The expected bytes are built here from the layout published in entry.h, not by the code
 * under test; decoding must give back every field and re-encode to the same bytes, and any
 * truncation, trailing byte, oversize field or embedded NUL must be refused, naming the field.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/entry.h"

struct buf {
    uint8_t b[4096];
    size_t n;
};

static void raw(struct buf *w, const void *p, size_t n)
{
    memcpy(w->b + w->n, p, n);
    w->n += n;
}

static void u64(struct buf *w, uint64_t v)
{
    for (int i = 7; i >= 0; i--)
        w->b[w->n++] = (uint8_t)(v >> (8 * i));
}

static void str(struct buf *w, const char *s, size_t n)
{
    uint8_t len[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

    raw(w, len, 4);
    raw(w, s, n);
}

/* The published layout, field by field. */
static void layout(struct buf *w, const char *origin, const char *record_id, const char *payload,
                   size_t payload_len)
{
    w->n = 0;
    raw(w, "sarhad-wire-v1", 15); /* with its NUL */
    str(w, origin, strlen(origin));
    u64(w, 42);
    str(w, "event.create", 12);
    str(w, record_id, strlen(record_id));
    u64(w, 3);
    str(w, "AFG,IRN", 7);
    str(w, payload, payload_len);
}

static void test_round_trip(void **state)
{
    struct buf w;
    struct journal_entry e;
    const char *what = "unset";
    uint8_t again[4096];

    (void)state;
    layout(&w, "PK-SOUTH", "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b", "{\"title\":\"Taftan\"}", 18);
    assert_int_equal(entry_from_wire(w.b, w.n, &e, &what), 0);
    assert_null(what);
    assert_string_equal(e.origin, "PK-SOUTH");
    assert_int_equal(e.origin_seq, 42);
    assert_string_equal(e.kind, "event.create");
    assert_string_equal(e.record_id, "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b");
    assert_int_equal(e.version, 3);
    assert_string_equal(e.release, "AFG,IRN");
    assert_int_equal(e.payload_len, 18);
    assert_string_equal(e.payload, "{\"title\":\"Taftan\"}");
    assert_int_equal(e.seq, 0);
    assert_int_equal(e.seal_len, 0);
    assert_int_equal(entry_canonical_wire(&e, again, sizeof(again)), w.n);
    assert_memory_equal(again, w.b, w.n);
    entry_clear(&e);

    layout(&w, "IR-EAST", "r", "", 0); /* an empty payload is still one */
    assert_int_equal(entry_from_wire(w.b, w.n, &e, &what), 0);
    assert_int_equal(e.payload_len, 0);
    assert_string_equal(e.payload, "");
    entry_clear(&e);
}

static void expect_refused(const uint8_t *b, size_t n, const char *field)
{
    struct journal_entry e;
    const char *what = NULL;

    assert_int_equal(entry_from_wire(b, n, &e, &what), -1);
    assert_non_null(what);
    assert_string_equal(what, field);
    assert_null(e.payload);
}

static void test_malformed_is_refused(void **state)
{
    struct buf w;
    char big[200];

    (void)state;
    layout(&w, "PK-SOUTH", "r1", "{}", 2);
    for (size_t n = 0; n < w.n; n++) { /* every truncation */
        struct journal_entry e;
        const char *what;
        assert_int_equal(entry_from_wire(w.b, n, &e, &what), -1);
        assert_null(e.payload);
    }
    w.b[w.n++] = 0; /* a trailing byte */
    expect_refused(w.b, w.n, "length");

    layout(&w, "PK-SOUTH", "r1", "{}", 2);
    w.b[3] = 'X';
    expect_refused(w.b, w.n, "magic");

    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    layout(&w, "PK-SOUTH", big, "{}", 2); /* record_id longer than its field */
    expect_refused(w.b, w.n, "record_id");

    layout(&w, "PK\0SOUTH", "r1", "{}", 2); /* 8 bytes of origin with a NUL inside */
    w.n = 0;
    raw(&w, "sarhad-wire-v1", 15);
    str(&w, "PK\0SOUTH", 8);
    expect_refused(w.b, w.n, "origin");

    layout(&w, "PK-SOUTH", "r1", "{\"a\":\"\0\"}", 9);
    expect_refused(w.b, w.n, "payload");

    /* a length that runs past the end */
    layout(&w, "PK-SOUTH", "r1", "{}", 2);
    w.b[w.n - 2 - 4] = 0x7f;
    expect_refused(w.b, w.n, "payload");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
