/* Unit tests of the pure domain rules: release sets, roles, events, sections, units. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "domain/event.h"
#include "domain/release.h"
#include "domain/role.h"
#include "domain/section.h"
#include "domain/unit.h"

/* A straight meridian border at lon 61 from lat 30 (north) to lat 29 (south): walking south,
 * the east (lon > 61) is on the left. One degree of latitude = 111.195 km on R=6371.0088. */
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

static json_t *parse(const char *s)
{
    json_t *j = json_loads(s, 0, NULL);
    assert_non_null(j);
    return j;
}

static void test_release_normalises(void **state)
{
    char out[RELEASE_TEXT_MAX];
    struct sh_errinfo info;
    json_t *a = parse("[\"TUR\",\"IRN\",\"TUR\"]"), *bad = parse("[\"IR\"]");

    assert_int_equal(release_from_json(a, "release", out, &info), SH_OK);
    assert_string_equal(out, "IRN,TUR");
    assert_true(release_contains(out, "TUR"));
    assert_false(release_contains(out, "IR"));
    assert_int_equal(release_from_json(NULL, "release", out, &info), SH_OK);
    assert_string_equal(out, "");
    assert_int_equal(release_from_json(bad, "release", out, &info), SH_EINVAL);
    assert_string_equal(info.field, "release");
    json_decref(a);
    json_decref(bad);
}

static void test_roles(void **state)
{
    enum role r;

    assert_int_equal(role_parse("patrol", &r), 0);
    assert_false(role_allows(r, PERM_SECTION_UPDATE));
    assert_true(role_allows(r, PERM_UNIT_REPORT));
    assert_false(role_allows(r, PERM_EVENT_UPDATE));
    assert_true(role_allows(ROLE_ADMIN, PERM_OPERATE | PERM_SECTION_UPDATE));
    assert_false(role_allows(ROLE_COMMANDER, PERM_OPERATE));
    assert_true(role_allows(ROLE_ANALYST, PERM_NONE));
    assert_int_equal(role_parse("king", &r), -1);
    assert_false(role_sees_kind(ROLE_ANALYST, "user.add"));
    assert_true(role_sees_kind(ROLE_ADMIN, "user.add"));
    assert_true(role_sees_kind(ROLE_PATROL, "event.create"));
}

static void test_event_create_locates(void **state)
{
    json_t *body = parse("{\"category\":\"SMUGGLING\",\"lat\":29.5,\"lon\":61.1,"
                         "\"release\":[\"IRN\"]}");
    struct sh_errinfo info;
    json_t *ev;

    assert_int_equal(event_create(body, &border, "id1", "alice", "PK-SOUTH", 0, &ev, &info), SH_OK);
    assert_string_equal(json_string_value(json_object_get(ev, "side")), "PAK");
    /* 0.5 degree south of the start: 55.6 km; 0.1 degree of longitude at 29.5N: 9.68 km */
    assert_true(fabs(json_number_value(json_object_get(ev, "chainage_km")) - 55.597) < 0.05);
    assert_true(fabs(json_number_value(json_object_get(ev, "distance_km")) - 9.678) < 0.05);
    assert_int_equal(json_integer_value(json_object_get(ev, "section")), 6);
    assert_string_equal(json_string_value(json_object_get(ev, "status")), "OPEN");
    assert_string_equal(json_string_value(json_object_get(ev, "impact")), "LOW");
    assert_string_equal(json_string_value(json_object_get(ev, "owner")), "alice");
    assert_int_equal(json_integer_value(json_object_get(ev, "version")), 1);
    json_decref(ev);
    json_decref(body);
}

static void test_event_rules(void **state)
{
    json_t *body = parse("{\"category\":\"OTHER\",\"lat\":29.5,\"lon\":60.9}");
    json_t *close_bad = parse("{\"status\":\"CLOSED\"}");
    json_t *close_ok = parse("{\"status\":\"CLOSED\",\"close_reason\":\"false alarm\"}");
    json_t *reopen = parse("{\"status\":\"OPEN\"}");
    json_t *unknown = parse("{\"colour\":\"red\"}");
    struct sh_errinfo info;
    json_t *ev, *closed, *open;

    assert_int_equal(event_create(body, &border, "id", "a", "N", 0, &ev, &info), SH_OK);
    assert_string_equal(json_string_value(json_object_get(ev, "side")), "IRN");
    assert_int_equal(event_patch(ev, close_bad, &border, 0, &closed, &info), SH_EUNPROCESSABLE);
    assert_string_equal(info.field, "close_reason");
    assert_int_equal(event_patch(ev, unknown, &border, 0, &closed, &info), SH_EINVAL);
    assert_string_equal(info.field, "colour");
    assert_int_equal(event_patch(ev, close_ok, &border, 0, &closed, &info), SH_OK);
    assert_int_equal(json_integer_value(json_object_get(closed, "version")), 2);
    assert_int_equal(event_patch(closed, reopen, &border, 0, &open, &info), SH_OK);
    assert_true(json_is_null(json_object_get(open, "close_reason")));
    assert_int_equal(json_integer_value(json_object_get(open, "version")), 3);
    json_decref(ev);
    json_decref(closed);
    json_decref(open);
    json_decref(body);
    json_decref(close_bad);
    json_decref(close_ok);
    json_decref(reopen);
    json_decref(unknown);
}

static void test_sections(void **state)
{
    json_t *s = section_initial(&border, 12, 0), *out;
    json_t *own = parse("{\"impact\":\"HIGH\",\"command\":\"Wing 1\"}");
    json_t *theirs = parse("{\"side\":\"IRN\",\"fence\":\"COMPLETE\"}");
    struct sh_errinfo info;

    assert_int_equal(border_section_count(&border), 12); /* 111.2 km in 10 km stretches */
    assert_true(fabs(json_number_value(json_object_get(s, "to_km")) - 111.195) < 0.01);
    assert_int_equal(section_patch(s, theirs, "PAK", 0, &out, &info), SH_EFORBIDDEN);
    assert_int_equal(section_patch(s, own, "PAK", 0, &out, &info), SH_OK);
    assert_string_equal(json_string_value(json_object_get(
                            json_object_get(json_object_get(out, "sides"), "PAK"), "impact")),
                        "HIGH");
    json_decref(out);
    json_decref(s);
    json_decref(own);
    json_decref(theirs);
}

static void test_units(void **state)
{
    json_t *body = parse("{\"lat\":29.9,\"lon\":61.0,\"time\":\"2026-11-28T10:00:00Z\"}");
    json_t *future = parse("{\"lat\":29.9,\"lon\":61.0,\"time\":\"2099-01-01T00:00:00Z\"}");
    struct sh_errinfo info;
    json_t *u;
    int64_t t0 = 1795860000000LL; /* 2026-11-28T10:00:00Z */

    assert_false(unit_uid_valid("has space"));
    assert_true(unit_uid_valid("ANDROID-1234:ab_c.d"));
    assert_int_equal(unit_position("U1", body, &border, t0, &u, &info), SH_OK);
    assert_false(unit_is_stale(u, t0 + 299000, 300));
    assert_true(unit_is_stale(u, t0 + 301000, 300));
    assert_string_equal(json_string_value(json_object_get(u, "border_side")), "ON");
    json_decref(u);
    assert_int_equal(unit_position("U1", future, &border, t0, &u, &info), SH_EINVAL);
    assert_string_equal(info.field, "time");
    json_decref(body);
    json_decref(future);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_release_normalises),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_event_create_locates),
        cmocka_unit_test(test_event_rules),
        cmocka_unit_test(test_sections),
        cmocka_unit_test(test_units),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
