/* Unit tests of the hotline rules: targets, brevity, numbering, deadlines on a test clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/clock.h"
#include "domain/hotline.h"

static const int64_t t0 = 1795874520000LL; /* 2026-11-28T14:02:00Z */

static json_t *channel(void)
{
    return json_pack("{s:s,s:s}", "name", "taftan-mirjaveh", "peer", "IR-EAST");
}

static json_t *send(const char *prec, const char *body)
{
    json_t *req = json_pack("{s:s,s:s,s:s,s:s}", "channel", "taftan-mirjaveh", "precedence", prec,
                            "subject", "s", "body", body);
    json_t *ch = channel(), *out = NULL;
    struct sh_errinfo info;

    hotline_message_new(req, ch, "IRN", "PK-SOUTH", "maj.khan", t0, &out, &info);
    json_decref(req);
    json_decref(ch);
    return out;
}

static void test_targets_and_words(void **state)
{
    assert_int_equal(hotline_target_ms(PREC_FLASH), 600000);
    assert_int_equal(hotline_target_ms(PREC_IMMEDIATE), 1800000);
    assert_int_equal(hotline_target_ms(PREC_PRIORITY), 10800000);
    assert_int_equal(hotline_target_ms(PREC_ROUTINE), 21600000);
    assert_int_equal(hotline_count_words(""), 0);
    assert_int_equal(hotline_count_words("  one\ttwo\nthree  "), 3);
}

static void test_new_message(void **state)
{
    json_t *m = send("FLASH", "Armed group at km 412.");

    assert_non_null(m);
    assert_string_equal(json_string_value(json_object_get(m, "dtg")), "281402ZNOV26");
    assert_string_equal(json_string_value(json_object_get(m, "deadline")),
                        "2026-11-28T14:12:00.000Z");
    assert_true(json_is_true(json_object_get(m, "ack_required")));
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "release"), 0)), "IRN");
    hotline_message_number(m, 17);
    assert_string_equal(json_string_value(json_object_get(m, "id")), "PK-SOUTH:taftan-mirjaveh:17");
    json_decref(m);
    m = send("ROUTINE", "weekly report");
    assert_false(json_is_true(json_object_get(m, "ack_required")));
    json_decref(m);
}

static void test_brevity(void **state)
{
    char body[2000] = "";
    json_t *req, *ch = channel(), *out;
    struct sh_errinfo info;

    for (int i = 0; i < 201; i++)
        strcat(body, "w ");
    req = json_pack("{s:s,s:s,s:s,s:s}", "channel", "c", "precedence", "IMMEDIATE", "subject", "s",
                    "body", body);
    assert_int_equal(hotline_message_new(req, ch, "IRN", "N", "u", t0, &out, &info),
                     SH_EUNPROCESSABLE);
    assert_string_equal(info.field, "body");
    json_object_set_new(req, "precedence", json_string("PRIORITY"));
    assert_int_equal(hotline_message_new(req, ch, "IRN", "N", "u", t0, &out, &info), SH_OK);
    json_decref(out);
    json_decref(req);
    json_decref(ch);
}

/* The deadline is a boundary: overdue exactly at it on the test clock, not a millisecond
 * before, and never once acknowledged. */
static void test_overdue_exactly_at_the_deadline(void **state)
{
    json_t *m = send("FLASH", "x");

    clock_set_fixed(t0 + 600000 - 1);
    assert_false(hotline_overdue(m, clock_now_ms()));
    clock_advance(1);
    assert_true(hotline_overdue(m, clock_now_ms()));
    json_object_set_new(m, "ack", json_pack("{s:s}", "ack", "ROGER"));
    assert_false(hotline_overdue(m, clock_now_ms()));
    clock_use_wall();
    json_decref(m);
    m = send("ROUTINE", "no ack needed");
    assert_false(hotline_overdue(m, t0 + 100LL * 3600 * 1000));
    json_decref(m);
}

static void test_ack_and_channel_checks(void **state)
{
    json_t *good = json_pack("{s:s,s:s}", "ack", "WILCO", "remark", "ok");
    json_t *bad = json_pack("{s:s}", "ack", "MAYBE");
    json_t *ch = json_pack("{s:s,s:s,s:s,s:s}", "name", "Bad Name", "own_command", "a",
                           "partner_command", "b", "peer", "P");
    struct sh_errinfo info;
    const char *remark;
    int ack;
    json_t *out;

    assert_int_equal(hotline_ack_check(good, &ack, &remark, &info), SH_OK);
    assert_string_equal(hotline_acks[ack], "WILCO");
    assert_int_equal(hotline_ack_check(bad, &ack, &remark, &info), SH_EINVAL);
    assert_string_equal(info.field, "ack");
    assert_int_equal(hotline_channel_new(ch, t0, &out, &info), SH_EINVAL);
    assert_string_equal(info.field, "name");
    json_decref(good);
    json_decref(bad);
    json_decref(ch);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets_and_words),
        cmocka_unit_test(test_new_message),
        cmocka_unit_test(test_brevity),
        cmocka_unit_test(test_overdue_exactly_at_the_deadline),
        cmocka_unit_test(test_ack_and_channel_checks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
