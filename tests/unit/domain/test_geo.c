/*
 * Unit tests of domain/geo. Expected values come from closed forms of spherical trigonometry
 * (arcs on the equator and on meridians, Napier's rules for right spherical triangles), from a
 * published haversine example, and from the border file's own properties; never from geo.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "domain/geo.h"

#define R GEO_EARTH_RADIUS_KM
#define RAD (M_PI / 180.0)
/* Kilometres in one degree of a great circle. */
#define KM_PER_DEG (M_PI * R / 180.0)

#define assert_near(a, b, tol) assert_near_at((a), (b), (tol), #a, __FILE__, __LINE__)

static void assert_near_at(double got, double want, double tol, const char *expr, const char *file,
                           int line)
{
    if (!(fabs(got - want) <= tol)) {
        print_error("%s = %.12g, expected %.12g +- %g\n", expr, got, want, tol);
        _fail(file, line);
    }
}

static void line_of(struct geo_line *line, const struct geo_point *pts, size_t n)
{
    struct sh_errinfo info = {{0}, {0}};

    assert_int_equal(geo_line_init(line, pts, n, &info), SH_OK);
}

static struct geo_fix locate(const struct geo_line *line, double lat, double lon)
{
    struct geo_fix fix;

    memset(&fix, 0xff, sizeof(fix));
    geo_line_locate(line, (struct geo_point){lat, lon}, &fix);
    return fix;
}

/* Arc in km from (lat, lon) to (0, lon + dlon): spherical law of cosines with one point on
 * the equator, cos d = cos(lat) cos(dlon), rewritten without cancellation for small arcs:
 * with x = 1 - cos(lat) = 2 sin^2(lat/2) and y likewise, 1 - cos d = x + y - xy. */
static double km_to_equator_point(double lat, double dlon)
{
    double x = 2 * pow(sin(lat * RAD / 2), 2), y = 2 * pow(sin(dlon * RAD / 2), 2);

    return 2 * asin(sqrt((x + y - x * y) / 2)) * R;
}

static void test_point_valid(void **state)
{
    assert_true(geo_point_valid(0, 0));
    assert_true(geo_point_valid(90, 180));
    assert_true(geo_point_valid(-90, -180));
    assert_false(geo_point_valid(90.0001, 0));
    assert_false(geo_point_valid(-90.0001, 0));
    assert_false(geo_point_valid(0, 180.0001));
    assert_false(geo_point_valid(0, -180.0001));
    assert_false(geo_point_valid(NAN, 0));
    assert_false(geo_point_valid(0, NAN));
    assert_false(geo_point_valid(INFINITY, 0));
    assert_false(geo_point_valid(0, -INFINITY));
}

static void test_distance_known(void **state)
{
    struct geo_point bna = {36.12, -86.67}, lax = {33.94, -118.40};

    assert_near(geo_distance_km((struct geo_point){0, 0}, (struct geo_point){1, 0}), KM_PER_DEG,
                1e-9);
    assert_near(geo_distance_km((struct geo_point){45, 7}, (struct geo_point){46, 7}), KM_PER_DEG,
                1e-9);
    assert_near(geo_distance_km((struct geo_point){0, 0}, (struct geo_point){0, 90}), M_PI * R / 2,
                1e-9);
    assert_near(geo_distance_km((struct geo_point){90, 0}, (struct geo_point){-90, 0}), M_PI * R,
                1e-6);
    assert_near(geo_distance_km((struct geo_point){0, 179.5}, (struct geo_point){0, -179.5}),
                KM_PER_DEG, 1e-9);
    assert_near(geo_distance_km((struct geo_point){29.5, 60.9}, (struct geo_point){29.5, 60.9}), 0,
                0);
    /* Rosetta Code "Haversine formula": Nashville BNA to Los Angeles LAX is 2887.2599506071106
     * km on a sphere of 6372.8 km; arcs scale with the radius. */
    assert_near(geo_distance_km(bna, lax), 2887.2599506071106 * R / 6372.8, 1e-6);
    assert_near(geo_distance_km(lax, bna), geo_distance_km(bna, lax), 1e-12);
}

static void test_line_init_copies_and_merges(void **state)
{
    struct geo_point pts[] = {{0, 0}, {0, 0}, {0, 1}, {0, 1 + 1e-9}, {1, 1}};
    struct geo_line line;

    line_of(&line, pts, 5);
    pts[0].lat = 45; /* the line holds its own copy */
    assert_int_equal(line.n, 3);
    assert_near(line.pts[0].lat, 0, 0);
    assert_near(line.pts[1].lon, 1, 0);
    assert_near(line.pts[2].lat, 1, 0);
    assert_near(line.cum_km[0], 0, 0);
    assert_near(line.cum_km[1], KM_PER_DEG, 1e-9);
    assert_near(line.cum_km[2], 2 * KM_PER_DEG, 1e-9);
    assert_near(line.length_km, line.cum_km[2], 0);
    geo_line_free(&line);
}

static void test_line_init_rejects(void **state)
{
    struct geo_point one[] = {{10, 10}};
    struct geo_point bad[] = {{10, 10}, {11, 10}, {91, 10}};
    struct geo_point same[] = {{10, 10}, {10, 10}, {10, 10}};
    struct geo_point antipodes[] = {{10, 10}, {-10, -170}};
    struct geo_point nan_lon[] = {{10, NAN}, {11, 10}};
    struct sh_errinfo info;
    struct geo_line line;

    assert_int_equal(geo_line_init(&line, one, 1, &info), SH_EINVAL);
    assert_string_equal(info.field, "points");
    assert_null(line.pts);
    assert_int_equal(line.n, 0);
    assert_int_equal(geo_line_init(&line, bad, 3, &info), SH_EINVAL);
    assert_string_equal(info.field, "points[2]");
    assert_null(line.pts);
    assert_int_equal(geo_line_init(&line, same, 3, &info), SH_EINVAL);
    assert_string_equal(info.field, "points");
    assert_int_equal(geo_line_init(&line, antipodes, 2, &info), SH_EINVAL);
    assert_string_equal(info.field, "points[1]");
    assert_int_equal(geo_line_init(&line, nan_lon, 2, &info), SH_EINVAL);
    assert_string_equal(info.field, "points[0]");
    assert_int_equal(geo_line_init(&line, nan_lon, 2, NULL), SH_EINVAL);
}

static void test_line_free_is_idempotent(void **state)
{
    struct geo_point pts[] = {{0, 0}, {0, 1}};
    struct geo_line line, zero;

    memset(&zero, 0, sizeof(zero));
    geo_line_free(NULL);
    geo_line_free(&zero);
    line_of(&line, pts, 2);
    geo_line_free(&line);
    assert_memory_equal(&line, &zero, sizeof(line));
    geo_line_free(&line);
}

/* A line due north along the meridian 30 E, from 10 S to 10 N. */
static void test_meridian_line(void **state)
{
    struct geo_point pts[] = {{-10, 30}, {10, 30}};
    struct geo_point long_pts[] = {{0, 30}, {60, 30}};
    struct geo_line line;
    struct geo_fix fix;
    double lat = 40, dlon = 5, foot_lat, dist;

    line_of(&line, pts, 2);
    assert_near(line.length_km, 20 * KM_PER_DEG, 1e-9);
    /* On the equator one degree east: the perpendicular is the equator itself. */
    fix = locate(&line, 0, 31);
    assert_near(fix.distance_km, KM_PER_DEG, 1e-9);
    assert_near(fix.chainage_km, 10 * KM_PER_DEG, 1e-9);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT); /* east of a northbound walker */
    assert_near(fix.foot.lat, 0, 1e-12);
    assert_near(fix.foot.lon, 30, 1e-12);
    fix = locate(&line, 0, 29);
    assert_int_equal(fix.side, GEO_SIDE_LEFT);
    assert_near(fix.distance_km, KM_PER_DEG, 1e-9);
    geo_line_free(&line);

    /* Off the equator, Napier's rules for the right triangle (pole-free leg on the meridian):
     * sin d = cos(lat) sin(dlon), tan(foot_lat) = tan(lat) / cos(dlon). */
    line_of(&line, long_pts, 2);
    dist = asin(cos(lat * RAD) * sin(dlon * RAD)) * R;
    foot_lat = atan(tan(lat * RAD) / cos(dlon * RAD)) / RAD;
    fix = locate(&line, lat, 30 + dlon);
    assert_near(fix.distance_km, dist, 1e-9);
    assert_near(fix.chainage_km, foot_lat * KM_PER_DEG, 1e-9);
    assert_near(fix.foot.lat, foot_lat, 1e-10);
    assert_near(fix.foot.lon, 30, 1e-10);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    fix = locate(&line, lat, 30 - dlon);
    assert_near(fix.distance_km, dist, 1e-9);
    assert_int_equal(fix.side, GEO_SIDE_LEFT);
    geo_line_free(&line);
}

/* A line due east along the equator from 0 E to 10 E. */
static void test_equator_line(void **state)
{
    struct geo_point pts[] = {{0, 0}, {0, 10}};
    struct geo_line line;
    struct geo_fix fix;

    line_of(&line, pts, 2);
    fix = locate(&line, 0.5, 5);
    assert_int_equal(fix.side, GEO_SIDE_LEFT); /* north of an eastbound walker */
    assert_near(fix.distance_km, M_PI * R * 0.5 / 180, 1e-9);
    assert_near(fix.chainage_km, 5 * KM_PER_DEG, 1e-9);
    assert_near(fix.foot.lat, 0, 1e-12);
    assert_near(fix.foot.lon, 5, 1e-12);
    fix = locate(&line, -0.5, 5);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_near(fix.distance_km, M_PI * R * 0.5 / 180, 1e-9);

    fix = locate(&line, 0, 3);
    assert_int_equal(fix.side, GEO_SIDE_ON);
    assert_near(fix.distance_km, 0, 1e-9);
    assert_near(fix.chainage_km, 3 * KM_PER_DEG, 1e-9);
    /* 0.5 m off the line is still on it; 2 m is not. */
    fix = locate(&line, 0.0005 / KM_PER_DEG, 3);
    assert_int_equal(fix.side, GEO_SIDE_ON);
    fix = locate(&line, -0.002 / KM_PER_DEG, 3);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_near(fix.distance_km, 0.002, 1e-9);

    /* Beyond either end the end point is nearest; the side is that of the extended line. */
    fix = locate(&line, 0.5, -2);
    assert_near(fix.chainage_km, 0, 0);
    assert_near(fix.distance_km, km_to_equator_point(0.5, 2), 1e-9);
    assert_int_equal(fix.side, GEO_SIDE_LEFT);
    assert_near(fix.foot.lon, 0, 0);
    fix = locate(&line, -0.5, 12);
    assert_near(fix.chainage_km, line.length_km, 0);
    assert_near(fix.distance_km, km_to_equator_point(0.5, 2), 1e-9);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    /* Exactly on the extension there is no side (documented). */
    fix = locate(&line, 0, 12);
    assert_near(fix.distance_km, 2 * KM_PER_DEG, 1e-9);
    assert_int_equal(fix.side, GEO_SIDE_ON);

    /* An invalid point gives NaN, never a made-up fix. */
    fix = locate(&line, NAN, 3);
    assert_true(isnan(fix.distance_km));
    assert_true(isnan(fix.chainage_km));
    geo_line_free(&line);
}

/* Walk from `v` by `r_deg` of arc in the direction `theta_deg` (0 = east, 90 = north); planar,
 * good enough within a few km of the equator for which side a point is on. */
static struct geo_point offset(struct geo_point v, double r_deg, double theta_deg)
{
    return (struct geo_point){v.lat + r_deg * sin(theta_deg * RAD),
                              v.lon + r_deg * cos(theta_deg * RAD) / cos(v.lat * RAD)};
}

/* East along the equator to 1 E, then a left turn north up the meridian 1 E. */
static void test_bent_line(void **state)
{
    struct geo_point pts[] = {{0, 0}, {0, 1}, {1, 1}};
    struct geo_line line;
    struct geo_fix fix;
    double foot_lat;

    line_of(&line, pts, 3);
    assert_near(line.length_km, 2 * KM_PER_DEG, 1e-9);
    /* Outside the corner the corner itself is nearest, on the right. */
    fix = locate(&line, -0.01, 1.01);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_near(fix.chainage_km, KM_PER_DEG, 1e-9);
    assert_near(fix.distance_km, km_to_equator_point(0.01, 0.01), 1e-9);
    assert_near(fix.foot.lat, 0, 0);
    assert_near(fix.foot.lon, 1, 0);
    /* Inside the corner, nearer the first leg: left, on the equator leg. */
    fix = locate(&line, 0.005, 0.99);
    assert_int_equal(fix.side, GEO_SIDE_LEFT);
    assert_near(fix.distance_km, 0.005 * KM_PER_DEG, 1e-9);
    assert_near(fix.chainage_km, 0.99 * KM_PER_DEG, 1e-9);
    /* East of the second leg: right; Napier for the foot on the meridian. */
    foot_lat = atan(tan(0.5 * RAD) / cos(0.2 * RAD)) / RAD;
    fix = locate(&line, 0.5, 1.2);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_near(fix.distance_km, asin(cos(0.5 * RAD) * sin(0.2 * RAD)) * R, 1e-9);
    assert_near(fix.chainage_km, (1 + foot_lat) * KM_PER_DEG, 1e-9);
    /* The corner itself. */
    fix = locate(&line, 0, 1);
    assert_int_equal(fix.side, GEO_SIDE_ON);
    assert_near(fix.distance_km, 0, 1e-9);
    assert_near(fix.chainage_km, KM_PER_DEG, 1e-9);
    /* All the way round the outside of the corner, from south of leg one to east of leg two. */
    for (double theta = -150; theta <= 60; theta += 5) {
        struct geo_point p = offset(pts[1], 0.05, theta);
        fix = locate(&line, p.lat, p.lon);
        if (fix.side != GEO_SIDE_RIGHT)
            fail_msg("theta %g: side %d", theta, fix.side);
    }
    /* And round the inside. */
    for (double theta = 95; theta <= 175; theta += 5) {
        struct geo_point p = offset(pts[1], 0.05, theta);
        fix = locate(&line, p.lat, p.lon);
        if (fix.side != GEO_SIDE_LEFT)
            fail_msg("theta %g: side %d", theta, fix.side);
    }
    geo_line_free(&line);
}

/* A hairpin: east to 1 E, then back west-north-west. Beyond the tip the two legs' cross-track
 * signs disagree; the point is outside the bend. */
static void test_hairpin(void **state)
{
    struct geo_point left_turn[] = {{0, 0}, {0, 1}, {0.2, 0}};
    struct geo_point right_turn[] = {{0, 0}, {0, 1}, {-0.2, 0}};
    struct geo_line line;
    struct geo_fix fix;

    line_of(&line, left_turn, 3);
    for (double theta = -80; theta <= 80; theta += 5) {
        struct geo_point p = offset(left_turn[1], 0.05, theta);
        fix = locate(&line, p.lat, p.lon);
        if (fix.side != GEO_SIDE_RIGHT)
            fail_msg("theta %g: side %d", theta, fix.side);
        if (fabs(theta) <= 45)
            assert_near(fix.chainage_km, KM_PER_DEG, 1e-9);
    }
    fix = locate(&line, 0.05, 0.5); /* between the legs */
    assert_int_equal(fix.side, GEO_SIDE_LEFT);
    geo_line_free(&line);

    line_of(&line, right_turn, 3);
    for (double theta = -80; theta <= 80; theta += 5) {
        struct geo_point p = offset(right_turn[1], 0.05, theta);
        fix = locate(&line, p.lat, p.lon);
        if (fix.side != GEO_SIDE_LEFT)
            fail_msg("theta %g: side %d", theta, fix.side);
    }
    fix = locate(&line, -0.05, 0.5);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    geo_line_free(&line);
}

static void test_point_at(void **state)
{
    struct geo_point pts[] = {{0, 0}, {0, 10}, {10, 10}};
    struct geo_point p = {99, 99};
    struct geo_line line;

    line_of(&line, pts, 3);
    assert_int_equal(geo_line_point_at(&line, 0, &p), SH_OK);
    assert_near(p.lat, 0, 0);
    assert_near(p.lon, 0, 0);
    assert_int_equal(geo_line_point_at(&line, 5 * KM_PER_DEG, &p), SH_OK);
    assert_near(p.lat, 0, 1e-12);
    assert_near(p.lon, 5, 1e-12);
    assert_int_equal(geo_line_point_at(&line, line.cum_km[1], &p), SH_OK);
    assert_near(p.lat, 0, 0);
    assert_near(p.lon, 10, 0);
    assert_int_equal(geo_line_point_at(&line, 13 * KM_PER_DEG, &p), SH_OK);
    assert_near(p.lat, 3, 1e-12);
    assert_near(p.lon, 10, 1e-12);
    assert_int_equal(geo_line_point_at(&line, line.length_km, &p), SH_OK);
    assert_near(p.lat, 10, 0);
    assert_near(p.lon, 10, 0);

    p = (struct geo_point){99, 99};
    assert_int_equal(geo_line_point_at(&line, -0.001, &p), SH_EINVAL);
    assert_int_equal(geo_line_point_at(&line, line.length_km + 0.001, &p), SH_EINVAL);
    assert_int_equal(geo_line_point_at(&line, NAN, &p), SH_EINVAL);
    assert_int_equal(geo_line_point_at(&line, INFINITY, &p), SH_EINVAL);
    assert_near(p.lat, 99, 0);
    geo_line_free(&line);
}

/* A line filled in by hand, without geo_line_init's cache, answers the same. */
static void test_hand_built_line(void **state)
{
    struct geo_point pts[] = {{0, 0}, {0, 1}, {1, 1}};
    double cum[] = {0, KM_PER_DEG, 2 * KM_PER_DEG};
    struct geo_line hand = {.pts = pts, .cum_km = cum, .n = 3, .length_km = cum[2]};
    struct geo_fix fix;
    struct geo_point p;

    fix = locate(&hand, -0.01, 1.01);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_near(fix.chainage_km, KM_PER_DEG, 1e-9);
    fix = locate(&hand, 0.5, 1.2);
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_near(fix.distance_km, asin(cos(0.5 * RAD) * sin(0.2 * RAD)) * R, 1e-9);
    assert_int_equal(geo_line_point_at(&hand, 1.5 * KM_PER_DEG, &p), SH_OK);
    assert_near(p.lat, 0.5, 1e-12);
    assert_near(p.lon, 1, 1e-12);
}

static struct geo_line parse_ok(const char *text)
{
    struct sh_errinfo info = {{0}, {0}};
    struct geo_line line;
    enum sh_err rc = geo_line_from_geojson(text, strlen(text), &line, &info);

    if (rc != SH_OK)
        fail_msg("%s: %s: %s", text, info.field, info.message);
    return line;
}

static void test_geojson_forms(void **state)
{
    struct geo_line line;
    char buf[] = "{\"type\":\"LineString\",\"coordinates\":[[60,29],[61,28]]}garbage";

    line = parse_ok("{\"type\":\"LineString\",\"coordinates\":[[60.5,29.25],[61,28],[62,27]]}");
    assert_int_equal(line.n, 3);
    assert_near(line.pts[0].lon, 60.5, 0); /* GeoJSON is [lon, lat] */
    assert_near(line.pts[0].lat, 29.25, 0);
    geo_line_free(&line);

    line = parse_ok("{\"type\":\"Feature\",\"properties\":{\"name\":\"x\"},"
                    "\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]}}");
    assert_int_equal(line.n, 2);
    assert_near(line.pts[1].lat, 4, 0);
    geo_line_free(&line);

    line =
        parse_ok("{\"type\":\"FeatureCollection\",\"features\":["
                 "{\"type\":\"Feature\",\"geometry\":null},"
                 "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[0,0]}},"
                 "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
                 "\"coordinates\":[[5,6,100],[7,8,120],[7,8,130],[9,10]]}},"
                 "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
                 "\"coordinates\":[[50,60],[70,80]]}}]}");
    assert_int_equal(line.n, 3); /* the repeated [7,8] merged, the altitude ignored */
    assert_near(line.pts[0].lon, 5, 0);
    assert_near(line.pts[2].lat, 10, 0);
    geo_line_free(&line);

    /* (pointer, length): the bytes after the length are not read. */
    assert_int_equal(geo_line_from_geojson(buf, strlen(buf) - strlen("garbage"), &line, NULL),
                     SH_OK);
    assert_int_equal(line.n, 2);
    geo_line_free(&line);
}

static void test_geojson_errors(void **state)
{
    static const struct {
        const char *text, *field;
    } cases[] = {
        {"", ""},
        {"not json", ""},
        {"{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]", ""},
        {"[[1,2],[3,4]]", ""},
        {"{\"coordinates\":[[1,2],[3,4]]}", "type"},
        {"{\"type\":\"Polygon\",\"coordinates\":[[[1,2],[3,4],[5,6],[1,2]]]}", "type"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]}}",
         "geometry.type"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"MultiLineString\","
         "\"coordinates\":[[[1,2],[3,4]]]}}",
         "geometry.type"},
        {"{\"type\":\"Feature\",\"properties\":{}}", "geometry"},
        {"{\"type\":\"LineString\",\"coordinates\":[[1,2]]}", "coordinates"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2]]}}",
         "geometry.coordinates"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":{}}}",
         "geometry.coordinates"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[1,2],[1,2]]}}",
         "geometry.coordinates"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[3,4],[5,6],[7,95]]}}",
         "geometry.coordinates[3]"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[181,4]]}}",
         "geometry.coordinates[1]"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[\"61\",\"29\"]]}}",
         "geometry.coordinates[1]"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[3]]}}",
         "geometry.coordinates[1]"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,2],[3,4,5,6]]}}",
         "geometry.coordinates[1]"},
        {"{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[10,10],[-170,-10]]}}",
         "geometry.coordinates[1]"},
        {"{\"type\":\"FeatureCollection\",\"features\":[]}", "features"},
        {"{\"type\":\"FeatureCollection\",\"features\":{}}", "features"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":"
         "{\"type\":\"Point\",\"coordinates\":[1,2]}}]}",
         "features"},
        {"{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null},"
         "{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\","
         "\"coordinates\":[[1,-91],[3,4]]}}]}",
         "features[1].geometry.coordinates[0]"},
    };
    struct sh_errinfo info;
    struct geo_line line;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        memset(&info, 0, sizeof(info));
        memset(&line, 0xab, sizeof(line));
        if (geo_line_from_geojson(cases[i].text, strlen(cases[i].text), &line, &info) != SH_EINVAL)
            fail_msg("case %zu accepted: %s", i, cases[i].text);
        if (strcmp(info.field, cases[i].field) != 0)
            fail_msg("case %zu: field \"%s\", expected \"%s\" (%s)", i, info.field, cases[i].field,
                     info.message);
        assert_true(info.message[0] != '\0');
        assert_null(line.pts);
        assert_null(line.cum_km);
        assert_int_equal(line.n, 0);
    }
}

/* --- The real border ---------------------------------------------------------------------- */

#define BORDER_FILE "data/iran_pakistan_border_10m.geojson"

/* The border file: under $SARHAD_SOURCE_DIR, else under the tree this source file is in. */
static char *border_text(size_t *len)
{
    const char *root = getenv("SARHAD_SOURCE_DIR"), *here = __FILE__, *tests;
    char path[4096];
    FILE *f;
    char *text;
    long size;

    tests = strstr(here, "tests/unit/");
    if (root != NULL)
        snprintf(path, sizeof(path), "%s/%s", root, BORDER_FILE);
    else
        snprintf(path, sizeof(path), "%.*s%s", (int)(tests ? tests - here : 0), here, BORDER_FILE);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open %s", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    text = malloc((size_t)size);
    assert_non_null(text);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return text;
}

static int border_setup(void **state)
{
    struct geo_line *line = calloc(1, sizeof(*line));
    struct sh_errinfo info = {{0}, {0}};
    size_t len;
    char *text = border_text(&len);
    enum sh_err rc = geo_line_from_geojson(text, len, line, &info);

    free(text);
    if (rc != SH_OK) {
        print_error("border: %s: %s\n", info.field, info.message);
        free(line);
        return -1;
    }
    *state = line;
    return 0;
}

static int border_teardown(void **state)
{
    geo_line_free(*state);
    free(*state);
    return 0;
}

static void test_border_file(void **state)
{
    const struct geo_line *line = *state;
    struct geo_fix fix, again;

    /* The file's own properties: "points": 223, "length_km_haversine": 817.4. */
    assert_int_equal(line->n, 223);
    assert_near(line->length_km, 817.4, 0.5);
    assert_near(line->cum_km[line->n - 1], line->length_km, 0);
    /* Its first point is the Afghanistan tripoint, its last on the Gulf of Oman. */
    assert_near(line->pts[0].lat, 29.85798, 0);
    assert_near(line->pts[0].lon, 60.846008, 0);
    assert_near(line->pts[line->n - 1].lat, 25.202573, 0);

    /* Walking north to south, Iran (west) is on the right. */
    fix = locate(line, 29.4963, 60.8629); /* Zahedan */
    assert_int_equal(fix.side, GEO_SIDE_RIGHT);
    assert_true(fix.distance_km > 5 && fix.distance_km < 60);
    /* Its foot is on the line, at the same chainage. */
    again = locate(line, fix.foot.lat, fix.foot.lon);
    assert_near(again.distance_km, 0, 1e-6);
    assert_near(again.chainage_km, fix.chainage_km, 1e-6);
    assert_int_equal(again.side, GEO_SIDE_ON);
    fix = locate(line, 28.8947, 64.4110); /* Dalbandin, Pakistan */
    assert_int_equal(fix.side, GEO_SIDE_LEFT);
    assert_true(fix.distance_km > 100);

    for (size_t i = 0; i < line->n; i++) {
        fix = locate(line, line->pts[i].lat, line->pts[i].lon);
        assert_near(fix.distance_km, 0, 1e-6);
        assert_near(fix.chainage_km, line->cum_km[i], 1e-6);
        assert_int_equal(fix.side, GEO_SIDE_ON);
        if (i > 0)
            assert_true(line->cum_km[i] > line->cum_km[i - 1]);
    }
}

/* point_at and locate invert each other along the whole line. */
static void test_border_round_trip(void **state)
{
    const struct geo_line *line = *state;
    struct geo_point p;
    struct geo_fix fix;

    for (double c = 0; c <= line->length_km; c += 0.731) {
        assert_int_equal(geo_line_point_at(line, c, &p), SH_OK);
        fix = locate(line, p.lat, p.lon);
        assert_near(fix.distance_km, 0, 1e-6);
        assert_near(fix.chainage_km, c, 1e-6);
    }
}

/* Local planar frame around `origin`, in km east and north. */
static void to_local(struct geo_point origin, struct geo_point p, double *east, double *north)
{
    *east = (p.lon - origin.lon) * KM_PER_DEG * cos(origin.lat * RAD);
    *north = (p.lat - origin.lat) * KM_PER_DEG;
}

static struct geo_point from_local(struct geo_point origin, double east, double north)
{
    return (struct geo_point){origin.lat + north / KM_PER_DEG,
                              origin.lon + east / (KM_PER_DEG * cos(origin.lat * RAD))};
}

/* At every bend of the border, a point 20 m off the vertex along the bisector of the two legs'
 * right-hand normals is on the right, and its mirror on the left: inside and outside of every
 * bend, whichever way it turns. Bends sharper than ~170 degrees are skipped (bisector
 * undefined). */
static void test_border_bends(void **state)
{
    const struct geo_line *line = *state;
    const double eps_km = 0.02;
    struct geo_fix fix;
    size_t checked = 0;

    for (size_t i = 1; i + 1 < line->n; i++) {
        struct geo_point v = line->pts[i], q;
        double e1, n1, e2, n2, l1, l2, re, rn, rl;

        to_local(v, line->pts[i - 1], &e1, &n1);
        to_local(v, line->pts[i + 1], &e2, &n2);
        e1 = -e1; /* direction of travel into v */
        n1 = -n1;
        l1 = hypot(e1, n1);
        l2 = hypot(e2, n2);
        /* right-hand normal of (e, n) is (n, -e) */
        re = n1 / l1 + n2 / l2;
        rn = -e1 / l1 - e2 / l2;
        rl = hypot(re, rn);
        if (rl < 0.2)
            continue;
        q = from_local(v, eps_km * re / rl, eps_km * rn / rl);
        fix = locate(line, q.lat, q.lon);
        if (fix.side != GEO_SIDE_RIGHT)
            fail_msg("vertex %zu: right-hand point on side %d", i, fix.side);
        q = from_local(v, -eps_km * re / rl, -eps_km * rn / rl);
        fix = locate(line, q.lat, q.lon);
        if (fix.side != GEO_SIDE_LEFT)
            fail_msg("vertex %zu: left-hand point on side %d", i, fix.side);
        checked++;
    }
    assert_true(checked > 200);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_point_valid),
        cmocka_unit_test(test_distance_known),
        cmocka_unit_test(test_line_init_copies_and_merges),
        cmocka_unit_test(test_line_init_rejects),
        cmocka_unit_test(test_line_free_is_idempotent),
        cmocka_unit_test(test_meridian_line),
        cmocka_unit_test(test_equator_line),
        cmocka_unit_test(test_bent_line),
        cmocka_unit_test(test_hairpin),
        cmocka_unit_test(test_point_at),
        cmocka_unit_test(test_hand_built_line),
        cmocka_unit_test(test_geojson_forms),
        cmocka_unit_test(test_geojson_errors),
        cmocka_unit_test_setup_teardown(test_border_file, border_setup, border_teardown),
        cmocka_unit_test_setup_teardown(test_border_round_trip, border_setup, border_teardown),
        cmocka_unit_test_setup_teardown(test_border_bends, border_setup, border_teardown),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
