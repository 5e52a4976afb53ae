/* Unit tests of landmarks and places, patrol documents, fence kilometres and temporary
 * CRITICAL sections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "domain/landmark.h"
#include "domain/patrol.h"
#include "domain/section.h"

/* A straight meridian border at lon 61 from lat 30 (north) to lat 29 (south), 111.195 km long:
 * walking south, the east (lon > 61) is on the left (PAK), the west on the right (IRN). */
static const char line_json[] = "{\"type\":\"LineString\",\"coordinates\":[[61,30],[61,29]]}";
static struct border border;
#define KM_PER_DEG 111.19508

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

static void test_generated_pillars_and_sectors(void **state)
{
    static const char text[] =
        "{\"pillar_every_km\": 10,"
        " \"sectors\": [{\"name\": \"north\", \"from_km\": 0, \"to_km\": 50},"
        "               {\"name\": \"south\", \"from_km\": 50, \"to_km\": null}],"
        " \"crossings\": [{\"name\": \"X\", \"lat\": 29.5, \"lon\": 61.2}]}";
    struct landmarks lm;
    struct sh_errinfo info = {0};

    assert_int_equal(landmarks_init(&lm, &border, text, sizeof(text) - 1, &info), SH_OK);
    assert_int_equal(lm.npillars, 12); /* km 0, 10, ..., 110 */
    assert_int_equal(lm.pillars[3].n, 4);
    assert_float_equal(lm.pillars[3].from_km, 30.0, 1e-9);
    assert_float_equal(lm.pillars[3].at.lat, 30.0 - 30.0 / KM_PER_DEG, 1e-6);
    assert_string_equal(landmarks_sector_of(&lm, 0), "north");
    assert_string_equal(landmarks_sector_of(&lm, 49.999), "north");
    assert_string_equal(landmarks_sector_of(&lm, 50), "south");
    assert_string_equal(landmarks_sector_of(&lm, border.line.length_km), "south");
    /* The crossing snaps to the line: half way. */
    assert_int_equal(lm.ncrossings, 1);
    assert_float_equal(lm.crossings[0].from_km, 0.5 * border.line.length_km, 0.05);
    landmarks_free(&lm);
}

static void test_bad_landmarks_are_named(void **state)
{
    static const struct {
        const char *text, *field, *words;
    } cases[] = {
        {"[1]", "landmarks", "not a JSON object"},
        {"{\"sectors\": [{\"name\": \"a\", \"from_km\": 10, \"to_km\": 5}]}", "sectors",
         "ends before it starts"},
        {"{\"sectors\": [{\"name\": \"a\", \"from_km\": 0, \"to_km\": 20},"
         " {\"name\": \"b\", \"from_km\": 10, \"to_km\": 30}]}",
         "sectors", "overlaps"},
        {"{\"crossings\": [{\"name\": \"X\", \"lat\": 99, \"lon\": 61}]}", "crossings",
         "crossings[0]"},
        {"{\"pillars\": [{\"lat\": 29.5, \"lon\": 61}]}", "pillars", "pillars[0]"},
        {"{\"colour\": 1}", "colour", "colour"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct landmarks lm;
        struct sh_errinfo info = {0};
        assert_int_equal(landmarks_init(&lm, &border, cases[i].text, strlen(cases[i].text), &info),
                         SH_EINVAL);
        assert_string_equal(info.field, cases[i].field);
        assert_non_null(strstr(info.message, cases[i].words));
    }
}

static void test_places_both_ways(void **state)
{
    struct landmarks lm;
    struct sh_errinfo info = {0};
    struct place p, q;

    assert_int_equal(landmarks_init(&lm, &border, NULL, 0, &info), SH_OK); /* every 5 km */
    /* Pillar 3 (km 10) + 250 m along, 400 m into PAK (east). */
    assert_int_equal(landmarks_place_pillar(&lm, &border, 3, 250, "PAK", 400, &p, &info), SH_OK);
    assert_string_equal(p.side, "PAK");
    assert_true(p.lon > 61);
    assert_float_equal(p.chainage_km, 10.25, 0.002);
    assert_float_equal(p.distance_km, 0.4, 0.002);
    assert_int_equal(p.pillar, 3);
    assert_float_equal(p.offset_m, 250, 2);
    assert_int_equal(p.section, 2);
    /* And back from lat/lon; the other side mirrors. */
    landmarks_place_latlon(&lm, &border, p.lat, p.lon, &q);
    assert_int_equal(q.pillar, 3);
    assert_float_equal(q.offset_m, 250, 2);
    assert_int_equal(landmarks_place_pillar(&lm, &border, 3, 250, "IRN", 400, &q, &info), SH_OK);
    assert_string_equal(q.side, "IRN");
    assert_float_equal(q.lon - 61, 61 - p.lon, 1e-6);
    /* Nearest pillar with a negative offset. */
    assert_int_equal(landmarks_place_pillar(&lm, &border, 4, -1000, NULL, 0, &q, &info), SH_OK);
    assert_int_equal(q.pillar, 4);
    assert_float_equal(q.offset_m, -1000, 2);
    assert_string_equal(q.side, "ON");
    /* Errors name the field. */
    assert_int_equal(landmarks_place_pillar(&lm, &border, 99, 0, NULL, 0, &q, &info), SH_EINVAL);
    assert_string_equal(info.field, "pillar");
    assert_int_equal(landmarks_place_pillar(&lm, &border, 1, -10, NULL, 0, &q, &info), SH_EINVAL);
    assert_string_equal(info.field, "offset_m");
    assert_int_equal(landmarks_place_pillar(&lm, &border, 1, 10, "AFG", 5, &q, &info), SH_EINVAL);
    assert_string_equal(info.field, "side");
    json_t *text = place_json(&p);
    assert_string_equal(json_string_value(json_object_get(text, "text")),
                        "pillar 3 +250 m, PAK side 400 m");
    json_decref(text);
    landmarks_free(&lm);
}

static json_t *parse(const char *s)
{
    json_t *j = json_loads(s, 0, NULL);
    assert_non_null(j);
    return j;
}

static void test_patrol_documents(void **state)
{
    struct sh_errinfo info = {0};
    json_t *body = parse("{\"units\":[\"PK-1\"],\"from_km\":10,\"to_km\":20.00049,"
                         "\"start\":\"2026-12-01T06:00:00+05:00\",\"end\":\"2026-12-01T09:00:00Z\","
                         "\"kind\":\"COORDINATED\",\"release_units\":true}");
    json_t *doc, *next, *patch;

    assert_int_equal(patrol_new(body, &border, "PAK", "IRN", "p1", "cdr", "PK-S", 0, &doc, &info),
                     SH_OK);
    assert_string_equal(json_string_value(json_object_get(doc, "start")),
                        "2026-12-01T01:00:00.000Z");
    assert_float_equal(json_number_value(json_object_get(doc, "to_km")), 20.0, 1e-9);
    assert_string_equal(json_string_value(json_array_get(json_object_get(doc, "release"), 0)),
                        "IRN");
    assert_true(json_equal(json_object_get(doc, "shared_units"), json_object_get(doc, "units")));
    assert_null(json_object_get(doc, "release_units"));
    /* The partner's copy: units from shared_units only. */
    json_t *copy = json_deep_copy(doc);
    json_object_del(copy, "units");
    assert_int_equal(patrol_check(copy, &border, &info), SH_OK);
    assert_string_equal(json_string_value(json_array_get(json_object_get(copy, "units"), 0)),
                        "PK-1");
    json_object_del(copy, "shared_units");
    assert_int_equal(patrol_check(copy, &border, &info), SH_OK);
    assert_int_equal(json_array_size(json_object_get(copy, "units")), 0);
    json_decref(copy);
    /* Cancelled stays cancelled. */
    patch = parse("{\"status\":\"CANCELLED\"}");
    assert_int_equal(patrol_patch(doc, patch, &border, 1000, &next, &info), SH_OK);
    assert_int_equal(json_integer_value(json_object_get(next, "version")), 2);
    assert_int_equal(patrol_patch(next, patch, &border, 2000, &copy, &info), SH_EUNPROCESSABLE);
    json_decref(next);
    json_decref(patch);
    json_decref(doc);
    json_decref(body);
    /* A regular patrol is national; the other side's is refused. */
    body = parse("{\"from_km\":1,\"to_km\":2,\"start\":\"2026-12-01T06:00:00Z\","
                 "\"end\":\"2026-12-01T07:00:00Z\"}");
    assert_int_equal(patrol_new(body, &border, "PAK", "IRN", "p2", "c", "n", 0, &doc, &info),
                     SH_OK);
    assert_int_equal(json_array_size(json_object_get(doc, "release")), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "kind")), "REGULAR");
    json_decref(doc);
    json_object_set_new(body, "side", json_string("IRN"));
    assert_int_equal(patrol_new(body, &border, "PAK", "IRN", "p3", "c", "n", 0, &doc, &info),
                     SH_EFORBIDDEN);
    json_object_del(body, "side");
    json_object_set_new(body, "to_km", json_real(200));
    assert_int_equal(patrol_new(body, &border, "PAK", "IRN", "p3", "c", "n", 0, &doc, &info),
                     SH_EINVAL);
    assert_string_equal(info.field, "to_km");
    json_decref(body);
}

static void test_fence_km_and_critical(void **state)
{
    struct sh_errinfo info = {0};
    json_t *s = section_initial(&border, 1, 0), *next, *patch;
    double km[SECTION_FENCES];
    int64_t day = 24LL * 3600 * 1000;

    patch = parse("{\"fence\":\"UNDER_CONSTRUCTION\",\"fence_km\":3.5}");
    assert_int_equal(section_patch(s, patch, "PAK", 0, &next, &info), SH_OK);
    section_fence_km(next, "PAK", km);
    assert_float_equal(km[3], 3.5, 1e-9);
    assert_float_equal(km[2], 6.5, 1e-9);
    section_fence_km(next, "IRN", km);
    assert_float_equal(km[0], 10, 1e-9);
    json_decref(patch);
    json_decref(s);
    s = next;
    /* CRITICAL for a day, then back to what it was. */
    patch = parse("{\"impact\":\"HIGH\"}");
    assert_int_equal(section_patch(s, patch, "PAK", 0, &next, &info), SH_OK);
    json_decref(patch);
    json_decref(s);
    s = next;
    patch = parse("{\"impact\":\"CRITICAL\",\"critical_until\":\"1970-01-02T00:00:00Z\"}");
    assert_int_equal(section_patch(s, patch, "PAK", 1000, &next, &info), SH_OK);
    json_t *side = json_object_get(json_object_get(next, "sides"), "PAK");
    assert_string_equal(section_effective_impact(side, day - 1), "CRITICAL");
    assert_string_equal(section_effective_impact(side, day), "HIGH");
    json_decref(patch);
    /* critical_until alone on a section that is not CRITICAL is refused. */
    /* Raised again after it lapsed: a fresh raise from HIGH, with no stale until. */
    json_t *again, *raise = parse("{\"impact\":\"CRITICAL\"}");
    assert_int_equal(section_patch(next, raise, "PAK", 2 * day, &again, &info), SH_OK);
    side = json_object_get(json_object_get(again, "sides"), "PAK");
    assert_string_equal(section_effective_impact(side, 3 * day), "CRITICAL");
    assert_string_equal(json_string_value(json_object_get(side, "base_impact")), "HIGH");
    assert_null(json_object_get(side, "critical_until"));
    json_decref(again);
    json_decref(raise);
    json_t *bad;
    patch = parse("{\"critical_until\":\"1970-01-03T00:00:00Z\"}");
    assert_int_equal(section_patch(s, patch, "PAK", 1000, &bad, &info), SH_EINVAL);
    assert_string_equal(info.field, "critical_until");
    assert_int_equal(section_patch(next, patch, "PAK", 1000, &bad, &info), SH_OK); /* extends */
    json_decref(bad);
    json_decref(patch);
    patch = parse("{\"fence_km\":11}");
    assert_int_equal(section_patch(next, patch, "PAK", 1000, &bad, &info), SH_EINVAL);
    assert_string_equal(info.field, "fence_km");
    json_decref(patch);
    json_decref(next);
    json_decref(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generated_pillars_and_sectors),
        cmocka_unit_test(test_bad_landmarks_are_named),
        cmocka_unit_test(test_places_both_ways),
        cmocka_unit_test(test_patrol_documents),
        cmocka_unit_test(test_fence_km_and_critical),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
