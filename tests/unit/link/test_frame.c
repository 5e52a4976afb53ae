/* Unit tests of the link's framing: round trip, partial input, and hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

#include "link/frame.h"

static void test_round_trip_and_partial(void **state)
{
    struct evbuffer *b = evbuffer_new(), *half = evbuffer_new();
    json_t *body = json_pack("{s:i,s:I}", "stream", 1, "after", (json_int_t)7);
    struct frame got;
    struct sh_errinfo info;
    unsigned char bytes[256];

    assert_int_equal(frame_write(b, FRAME_EXPECT, body), SH_OK);
    size_t n = evbuffer_get_length(b);
    evbuffer_copyout(b, bytes, n);
    /* byte by byte: nothing until the last byte */
    for (size_t i = 0; i + 1 < n; i++) {
        evbuffer_add(half, bytes + i, 1);
        assert_int_equal(frame_read(half, &got, &info), SH_ENOTFOUND);
    }
    evbuffer_add(half, bytes + n - 1, 1);
    assert_int_equal(frame_read(half, &got, &info), SH_OK);
    assert_int_equal(got.type, FRAME_EXPECT);
    assert_true(json_equal(got.body, body));
    assert_null(got.bin);
    assert_int_equal(evbuffer_get_length(half), 0);
    frame_clear(&got);
    json_decref(body);
    evbuffer_free(b);
    evbuffer_free(half);
}

/* An ENTRY frame is binary: the header, the wire bytes and the seal come back as written. */
static void test_entry_frame(void **state)
{
    struct evbuffer *b = evbuffer_new();
    const uint8_t leaf[] = "wire-bytes"
                           "SEAL";
    const uint8_t expect[] = {0x00, 0x00, 0x00, 0x1c, 0x02, /* length, type */
                              0x01, 0,    0,    0,    0,    0, 0,
                              0x01, 0x02, 0,    0,    0,    10}; /* head */
    uint8_t bytes[64];
    struct frame got;
    struct sh_errinfo info;
    const uint8_t *wire, *seal;
    size_t wire_len, seal_len;
    int stream;
    int64_t prev;

    assert_int_equal(frame_write_entry(b, 1, 258, leaf, 10, 14), SH_OK);
    assert_int_equal(evbuffer_get_length(b), 5 + 13 + 14);
    assert_int_equal(frame_entry_bytes(14), 5 + 13 + 14);
    evbuffer_copyout(b, bytes, sizeof(bytes));
    assert_memory_equal(bytes, expect, sizeof(expect));
    assert_int_equal(frame_read(b, &got, &info), SH_OK);
    assert_int_equal(got.type, FRAME_ENTRY);
    assert_null(got.body);
    assert_int_equal(got.bin_len, 27);
    assert_int_equal(
        frame_entry_parts(got.bin, got.bin_len, &stream, &prev, &wire, &wire_len, &seal, &seal_len),
        0);
    assert_int_equal(stream, 1);
    assert_int_equal(prev, 258);
    assert_int_equal(wire_len, 10);
    assert_memory_equal(wire, "wire-bytes", 10);
    assert_int_equal(seal_len, 4);
    assert_memory_equal(seal, "SEAL", 4);
    /* a wire length past the end of the frame, or a frame shorter than its head */
    assert_int_equal(
        frame_entry_parts(got.bin, 22, &stream, &prev, &wire, &wire_len, &seal, &seal_len), -1);
    assert_int_equal(
        frame_entry_parts(got.bin, 12, &stream, &prev, &wire, &wire_len, &seal, &seal_len), -1);
    frame_clear(&got);
    evbuffer_free(b);
}

static void test_hostile_input(void **state)
{
    struct evbuffer *b = evbuffer_new();
    struct frame got;
    struct sh_errinfo info;

    /* a length beyond the limit is refused before any body is awaited */
    evbuffer_add(b, "\x7f\xff\xff\xff\x02", 5);
    assert_int_equal(frame_read(b, &got, &info), SH_ELIMIT);
    assert_non_null(strstr(info.message, "exceeds the limit"));
    evbuffer_drain(b, evbuffer_get_length(b));
    /* an unknown type */
    evbuffer_add(b, "\x00\x00\x00\x03\x63{}", 7);
    assert_int_equal(frame_read(b, &got, &info), SH_EINVAL);
    evbuffer_drain(b, evbuffer_get_length(b));
    /* a body that is not a JSON object */
    evbuffer_add(b, "\x00\x00\x00\x03\x03[]", 7);
    assert_int_equal(frame_read(b, &got, &info), SH_EINVAL);
    assert_null(got.body);
    /* a zero length */
    evbuffer_add(b, "\x00\x00\x00\x00\x02", 5);
    assert_int_equal(frame_read(b, &got, &info), SH_EINVAL);
    evbuffer_free(b);
}

static void test_oversize_body_is_not_written(void **state)
{
    struct evbuffer *b = evbuffer_new();
    char *big = malloc(FRAME_MAX + 10);
    memset(big, 'x', FRAME_MAX + 9);
    big[FRAME_MAX + 9] = '\0';
    json_t *body = json_pack("{s:s}", "payload", big);

    assert_int_equal(frame_write(b, FRAME_POS, body), SH_ELIMIT);
    assert_int_equal(frame_write_entry(b, 1, 0, (const uint8_t *)big, FRAME_MAX, FRAME_MAX),
                     SH_ELIMIT);
    assert_int_equal(evbuffer_get_length(b), 0);
    json_decref(body);
    free(big);
    evbuffer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_partial),
        cmocka_unit_test(test_entry_frame),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_oversize_body_is_not_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
