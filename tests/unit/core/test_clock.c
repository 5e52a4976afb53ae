/* Unit tests of core/clock: RFC 3339 both ways and the manual clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/clock.h"

static int64_t parse(const char *s)
{
    int64_t ms = -1;

    assert_int_equal(clock_parse_rfc3339(s, strlen(s), &ms), 0);
    return ms;
}

static void test_parse_known_instants(void **state)
{
    /* Expected values from `date -u -d ... +%s` */
    assert_int_equal(parse("1970-01-01T00:00:00Z"), 0);
    assert_int_equal(parse("2026-11-28T14:02:00Z"), 1795874520000LL);
    assert_int_equal(parse("2000-02-29T23:59:59.5Z"), 951868799500LL);
    assert_int_equal(parse("2026-11-28T19:02:00+05:00"), 1795874520000LL);
    assert_int_equal(parse("2026-11-28T10:32:00-03:30"), 1795874520000LL);
}

static void test_parse_rejects_malformed(void **state)
{
    const char *bad[] = {"",
                         "2026-11-28",
                         "2026-11-28T14:02:00",
                         "2026-13-01T00:00:00Z",
                         "2026-02-30T00:00:00Z",
                         "2026-11-28T24:00:00Z",
                         "2026-11-28T14:02:00ZZ",
                         "2026-11-28T14:02:00.Z",
                         "yesterday"};
    int64_t ms;

    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(clock_parse_rfc3339(bad[i], strlen(bad[i]), &ms), -1);
}

static void test_format_round_trip(void **state)
{
    char out[32];

    assert_string_equal(clock_format_rfc3339(1795874520123LL, out, sizeof(out)),
                        "2026-11-28T14:02:00.123Z");
    assert_int_equal(parse(out), 1795874520123LL);
}

static void test_manual_clock(void **state)
{
    clock_set_fixed(1000);
    assert_int_equal(clock_now_ms(), 1000);
    clock_advance(600000);
    assert_int_equal(clock_now_ms(), 601000);
    clock_use_wall();
    assert_true(clock_now_ms() > 1700000000000LL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_known_instants),
        cmocka_unit_test(test_parse_rejects_malformed),
        cmocka_unit_test(test_format_round_trip),
        cmocka_unit_test(test_manual_clock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
