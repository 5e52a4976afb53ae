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
    json_t *body = json_pack("{s:i,s:s}", "stream", 1, "payload", "{\"x\":1}"), *got;
    enum frame_type type;
    struct sh_errinfo info;
    unsigned char bytes[256];

    assert_int_equal(frame_write(b, FRAME_ENTRY, body), SH_OK);
    size_t n = evbuffer_get_length(b);
    evbuffer_copyout(b, bytes, n);
    /* byte by byte: nothing until the last byte */
    for (size_t i = 0; i + 1 < n; i++) {
        evbuffer_add(half, bytes + i, 1);
        assert_int_equal(frame_read(half, &type, &got, &info), SH_ENOTFOUND);
    }
    evbuffer_add(half, bytes + n - 1, 1);
    assert_int_equal(frame_read(half, &type, &got, &info), SH_OK);
    assert_int_equal(type, FRAME_ENTRY);
    assert_true(json_equal(got, body));
    assert_int_equal(evbuffer_get_length(half), 0);
    json_decref(got);
    json_decref(body);
    evbuffer_free(b);
    evbuffer_free(half);
}

static void test_hostile_input(void **state)
{
    struct evbuffer *b = evbuffer_new();
    enum frame_type type;
    json_t *got;
    struct sh_errinfo info;

    /* a length beyond the limit is refused before any body is awaited */
    evbuffer_add(b, "\x7f\xff\xff\xff\x02", 5);
    assert_int_equal(frame_read(b, &type, &got, &info), SH_ELIMIT);
    assert_non_null(strstr(info.message, "exceeds the limit"));
    evbuffer_drain(b, evbuffer_get_length(b));
    /* an unknown type */
    evbuffer_add(b, "\x00\x00\x00\x03\x63{}", 7);
    assert_int_equal(frame_read(b, &type, &got, &info), SH_EINVAL);
    evbuffer_drain(b, evbuffer_get_length(b));
    /* a body that is not a JSON object */
    evbuffer_add(b, "\x00\x00\x00\x03\x02[]", 7);
    assert_int_equal(frame_read(b, &type, &got, &info), SH_EINVAL);
    assert_null(got);
    /* a zero length */
    evbuffer_add(b, "\x00\x00\x00\x00\x02", 5);
    assert_int_equal(frame_read(b, &type, &got, &info), SH_EINVAL);
    evbuffer_free(b);
}

static void test_oversize_body_is_not_written(void **state)
{
    struct evbuffer *b = evbuffer_new();
    char *big = malloc(FRAME_MAX + 10);
    memset(big, 'x', FRAME_MAX + 9);
    big[FRAME_MAX + 9] = '\0';
    json_t *body = json_pack("{s:s}", "payload", big);

    assert_int_equal(frame_write(b, FRAME_ENTRY, body), SH_ELIMIT);
    assert_int_equal(evbuffer_get_length(b), 0);
    json_decref(body);
    free(big);
    evbuffer_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_and_partial),
        cmocka_unit_test(test_hostile_input),
        cmocka_unit_test(test_oversize_body_is_not_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
