/* Unit tests of the link's reconnection backoff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "domain/backoff.h"

static void test_doubles_from_half_a_second_to_thirty(void **state)
{
    int expect[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    int step = 0;

    for (size_t i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
        step = backoff_next(step);
        assert_int_equal(step, expect[i]);
    }
}

static void test_jitter_stays_within_half_and_whole(void **state)
{
    uint32_t randoms[] = {0, 1, 7, 1000, 15000, 15001, 123456789, UINT32_MAX};

    for (int step = 500; step <= 30000; step = backoff_next(step)) {
        for (size_t i = 0; i < sizeof(randoms) / sizeof(randoms[0]); i++) {
            int d = backoff_delay(step, randoms[i]);
            assert_in_range(d, step / 2, step);
        }
        assert_int_equal(backoff_delay(step, 0), step / 2);
        assert_int_equal(backoff_delay(step, (uint32_t)(step - step / 2)), step);
        if (step == 30000)
            break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_doubles_from_half_a_second_to_thirty),
        cmocka_unit_test(test_jitter_stays_within_half_and_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
