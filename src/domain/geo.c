/*
 * geo.c: spherical geometry of points and polylines.
 *
 * Design. Positions are turned into unit vectors of R^3 once, when a line is built, and each
 * segment A->B keeps its unit normal n = (A x B)/|A x B| and the unit tangents in the direction
 * of travel at both ends, tA = n x A and tB = n x B (struct geo_seg). For a point P:
 *
 *   sin(cross-track angle) = P.n          (> 0 left of A->B, < 0 right)
 *   along-track angle      = atan2(P.tA, P.A)
 *   foot inside the arc    <=> P.tA >= 0 and P.tB <= 0
 *
 * which is the classic cross-track/along-track construction without its per-segment
 * trigonometry: locating a point scans the segments with three dot products each and compares
 * squared chord lengths (monotonic in arc length), then spends trigonometry on the winner only.
 * Outside the arc the nearest point is the nearer end (arcs are shorter than a half circle,
 * geo_line_init refuses antipodal neighbours).
 *
 * Invariants of a line built here: n >= 2; no two consecutive points closer than
 * GEO_SAME_POINT_KM; cum_km is the running haversine sum with cum_km[n-1] == length_km;
 * seg[i] describes pts[i] -> pts[i+1]. Chainage inside a segment is scaled so that its ends map
 * exactly to cum_km[i] and cum_km[i+1], which keeps chainage monotonic along the line.
 */
#include "domain/geo.h"

#include <assert.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Consecutive points nearer than this (1 mm) are one point. */
#define GEO_SAME_POINT_KM 1e-6
/* Neighbours within this angle (~6 m) of antipodal have no defined great circle between them. */
#define GEO_ANTIPODAL_RAD 1e-9

#define DEG (M_PI / 180.0)

struct geo_seg {
    double a[3];    /* unit vector of the first point */
    double b[3];    /* unit vector of the second point */
    double n[3];    /* unit normal of the great circle, to the left of travel */
    double ta[3];   /* unit tangent at a, towards b */
    double tb[3];   /* unit tangent at b, away from a */
    double len_rad; /* arc length */
};

/* Which part of a segment is nearest to a point. */
enum seg_part { SEG_START, SEG_INSIDE, SEG_END };

static double dot(const double u[3], const double v[3])
{
    return u[0] * v[0] + u[1] * v[1] + u[2] * v[2];
}

static void cross(const double u[3], const double v[3], double out[3])
{
    out[0] = u[1] * v[2] - u[2] * v[1];
    out[1] = u[2] * v[0] - u[0] * v[2];
    out[2] = u[0] * v[1] - u[1] * v[0];
}

static double chord2(const double u[3], const double v[3])
{
    double dx = u[0] - v[0], dy = u[1] - v[1], dz = u[2] - v[2];

    return dx * dx + dy * dy + dz * dz;
}

static void vec_of(struct geo_point p, double v[3])
{
    double clat = cos(p.lat * DEG);

    v[0] = clat * cos(p.lon * DEG);
    v[1] = clat * sin(p.lon * DEG);
    v[2] = sin(p.lat * DEG);
}

static struct geo_point point_of(const double v[3])
{
    struct geo_point p;

    p.lat = atan2(v[2], hypot(v[0], v[1])) / DEG;
    p.lon = atan2(v[1], v[0]) / DEG;
    return p;
}

/* Arc between two unit vectors; atan2 keeps it accurate near 0 and near pi. */
static double angle_between(const double u[3], const double v[3])
{
    double c[3];

    cross(u, v, c);
    return atan2(sqrt(dot(c, c)), dot(u, v));
}

/* Fills `s` for the arc a->b, which must be neither degenerate nor antipodal. */
static void seg_make(const double a[3], const double b[3], struct geo_seg *s)
{
    double c[3], norm;

    cross(a, b, c);
    norm = sqrt(dot(c, c));
    assert(norm > 0);
    for (int k = 0; k < 3; k++) {
        s->a[k] = a[k];
        s->b[k] = b[k];
        s->n[k] = c[k] / norm;
    }
    cross(s->n, a, s->ta);
    cross(s->n, b, s->tb);
    s->len_rad = atan2(norm, dot(a, b));
}

/* Segment i of `line`: the cached one, or one computed into `tmp` for a hand-built line. */
static const struct geo_seg *seg_get(const struct geo_line *line, size_t i, struct geo_seg *tmp)
{
    double a[3], b[3];

    if (line->seg != NULL)
        return &line->seg[i];
    vec_of(line->pts[i], a);
    vec_of(line->pts[i + 1], b);
    seg_make(a, b, tmp);
    return tmp;
}

int geo_point_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && lat >= -90.0 && lat <= 90.0 && lon >= -180.0 &&
           lon <= 180.0;
}

double geo_distance_km(struct geo_point a, struct geo_point b)
{
    double sdlat = sin((b.lat - a.lat) * DEG / 2), sdlon = sin((b.lon - a.lon) * DEG / 2);
    double h = sdlat * sdlat + cos(a.lat * DEG) * cos(b.lat * DEG) * sdlon * sdlon;

    return 2.0 * GEO_EARTH_RADIUS_KM * asin(fmin(1.0, sqrt(h)));
}

/* The common builder: validates, merges near-duplicates and fills the cache. `what` names the
 * input array in errors ("points", "geometry.coordinates"). */
static enum sh_err line_build(struct geo_line *line, const struct geo_point *pts, size_t n,
                              const char *what, struct sh_errinfo *info)
{
    char field[96];
    double(*vec)[3] = NULL;
    size_t m = 0;
    enum sh_err rc = SH_OK;

    memset(line, 0, sizeof(*line));
    if (n < 2) {
        rc = err_set(info, SH_EINVAL, what, "needs at least 2 points, got %zu", n);
        goto out;
    }
    line->pts = calloc(n, sizeof(*line->pts));
    line->cum_km = calloc(n, sizeof(*line->cum_km));
    line->seg = calloc(n - 1, sizeof(*line->seg));
    vec = calloc(n, sizeof(*vec));
    if (!line->pts || !line->cum_km || !line->seg || !vec) {
        rc = err_set(info, SH_ENOMEM, what, "out of memory for %zu points", n);
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(field, sizeof(field), "%s[%zu]", what, i);
        if (!geo_point_valid(pts[i].lat, pts[i].lon)) {
            rc = err_set(info, SH_EINVAL, field,
                         "lat %g, lon %g: need lat in [-90, 90], lon in [-180, 180]", pts[i].lat,
                         pts[i].lon);
            goto out;
        }
        vec_of(pts[i], vec[m]);
        if (m > 0) {
            double arc = angle_between(vec[m - 1], vec[m]);
            if (arc * GEO_EARTH_RADIUS_KM < GEO_SAME_POINT_KM)
                continue; /* same point again */
            if (arc > M_PI - GEO_ANTIPODAL_RAD) {
                rc = err_set(info, SH_EINVAL, field, "antipodal to the previous point");
                goto out;
            }
            seg_make(vec[m - 1], vec[m], &line->seg[m - 1]);
            line->cum_km[m] = line->cum_km[m - 1] + geo_distance_km(line->pts[m - 1], pts[i]);
        }
        line->pts[m++] = pts[i];
    }
    if (m < 2) {
        rc = err_set(info, SH_EINVAL, what, "needs at least 2 distinct points, got %zu", m);
        goto out;
    }
    line->n = m;
    line->length_km = line->cum_km[m - 1];
out:
    free(vec);
    if (rc != SH_OK)
        geo_line_free(line);
    return rc;
}

enum sh_err geo_line_init(struct geo_line *line, const struct geo_point *pts, size_t n,
                          struct sh_errinfo *info)
{
    return line_build(line, pts, n, "points", info);
}

void geo_line_free(struct geo_line *line)
{
    if (line == NULL)
        return;
    free(line->pts);
    free(line->cum_km);
    free(line->seg);
    memset(line, 0, sizeof(*line));
}

/* --- GeoJSON ------------------------------------------------------------------------------ */

/* The geometry of a Feature if it is a LineString; else NULL, with *type set to what it is. */
static const json_t *feature_linestring(const json_t *feature, const char **type)
{
    const json_t *geom = json_object_get(feature, "geometry");
    const char *t = json_string_value(json_object_get(geom, "type"));

    *type = t;
    return (t && strcmp(t, "LineString") == 0) ? geom : NULL;
}

/* Finds the LineString geometry in `doc`; `prefix` receives its path ("", "geometry.",
 * "features[2].geometry.") for error fields. */
static enum sh_err find_linestring(const json_t *doc, const json_t **geom, char *prefix,
                                   size_t prefix_size, struct sh_errinfo *info)
{
    const char *type = json_string_value(json_object_get(doc, "type")), *gtype;
    const json_t *features, *f;
    size_t i;

    if (!json_is_object(doc))
        return err_set(info, SH_EINVAL, "", "must be a GeoJSON object");
    if (type == NULL)
        return err_set(info, SH_EINVAL, "type", "missing or not a string");
    prefix[0] = '\0';
    if (strcmp(type, "LineString") == 0) {
        *geom = doc;
        return SH_OK;
    }
    if (strcmp(type, "Feature") == 0) {
        if (!json_is_object(json_object_get(doc, "geometry")))
            return err_set(info, SH_EINVAL, "geometry", "must be a geometry object");
        *geom = feature_linestring(doc, &gtype);
        if (*geom == NULL)
            return err_set(info, SH_EINVAL, "geometry.type", "must be \"LineString\", not %s%s%s",
                           gtype ? "\"" : "", gtype ? gtype : "missing", gtype ? "\"" : "");
        snprintf(prefix, prefix_size, "geometry.");
        return SH_OK;
    }
    if (strcmp(type, "FeatureCollection") == 0) {
        features = json_object_get(doc, "features");
        if (!json_is_array(features))
            return err_set(info, SH_EINVAL, "features", "must be an array");
        json_array_foreach(features, i, f)
        {
            *geom = feature_linestring(f, &gtype);
            if (*geom != NULL) {
                snprintf(prefix, prefix_size, "features[%zu].geometry.", i);
                return SH_OK;
            }
        }
        return err_set(info, SH_EINVAL, "features", "no feature has a LineString geometry");
    }
    return err_set(info, SH_EINVAL, "type",
                   "must be \"LineString\", \"Feature\" or \"FeatureCollection\", not \"%s\"",
                   type);
}

/* Reads position `pos` ([lon, lat] or [lon, lat, alt]) into `p`. */
static enum sh_err position_parse(const json_t *pos, const char *field, struct geo_point *p,
                                  struct sh_errinfo *info)
{
    size_t k, size = json_array_size(pos);

    if (!json_is_array(pos) || size < 2 || size > 3)
        return err_set(info, SH_EINVAL, field, "must be [lon, lat] or [lon, lat, altitude]");
    for (k = 0; k < size; k++)
        if (!json_is_number(json_array_get(pos, k)))
            return err_set(info, SH_EINVAL, field, "element %zu is not a number", k);
    p->lon = json_number_value(json_array_get(pos, 0));
    p->lat = json_number_value(json_array_get(pos, 1));
    if (!(p->lat >= -90.0 && p->lat <= 90.0))
        return err_set(info, SH_EINVAL, field, "latitude %g is outside [-90, 90]", p->lat);
    if (!(p->lon >= -180.0 && p->lon <= 180.0))
        return err_set(info, SH_EINVAL, field, "longitude %g is outside [-180, 180]", p->lon);
    return SH_OK;
}

static enum sh_err linestring_parse(const json_t *geom, const char *prefix, struct geo_line *line,
                                    struct sh_errinfo *info)
{
    const json_t *coords = json_object_get(geom, "coordinates");
    struct geo_point *pts = NULL;
    char what[64], field[96];
    size_t i, n = json_array_size(coords);
    enum sh_err rc = SH_OK;

    snprintf(what, sizeof(what), "%scoordinates", prefix);
    if (!json_is_array(coords)) {
        rc = err_set(info, SH_EINVAL, what, "must be an array of positions");
        goto out;
    }
    if (n < 2) {
        rc = err_set(info, SH_EINVAL, what, "needs at least 2 positions, got %zu", n);
        goto out;
    }
    pts = calloc(n, sizeof(*pts));
    if (pts == NULL) {
        rc = err_set(info, SH_ENOMEM, what, "out of memory for %zu positions", n);
        goto out;
    }
    for (i = 0; i < n; i++) {
        snprintf(field, sizeof(field), "%s[%zu]", what, i);
        rc = position_parse(json_array_get(coords, i), field, &pts[i], info);
        if (rc != SH_OK)
            goto out;
    }
    rc = line_build(line, pts, n, what, info);
out:
    free(pts);
    return rc;
}

enum sh_err geo_line_from_geojson(const char *text, size_t len, struct geo_line *line,
                                  struct sh_errinfo *info)
{
    json_error_t jerr;
    json_t *doc;
    const json_t *geom = NULL;
    char prefix[48];
    enum sh_err rc;

    memset(line, 0, sizeof(*line));
    doc = json_loadb(text, len, 0, &jerr);
    if (doc == NULL)
        return err_set(info, SH_EINVAL, "", "not JSON: %s at line %d, column %d", jerr.text,
                       jerr.line, jerr.column);
    rc = find_linestring(doc, &geom, prefix, sizeof(prefix), info);
    if (rc == SH_OK)
        rc = linestring_parse(geom, prefix, line, info);
    json_decref(doc);
    return rc;
}

/* --- Locating ----------------------------------------------------------------------------- */

static enum geo_side side_of(double cross_track)
{
    if (cross_track > 0)
        return GEO_SIDE_LEFT;
    if (cross_track < 0)
        return GEO_SIDE_RIGHT;
    return GEO_SIDE_ON;
}

/* Squared chord from `v` to the nearest point of segment `s`, and which part that point is. */
static double seg_nearest(const struct geo_seg *s, const double v[3], enum seg_part *part)
{
    double sa = dot(v, s->ta), sb = dot(v, s->tb), st, ca, cb;

    if (sa >= 0 && sb <= 0) {
        /* |P - F|^2 = 2 - 2 cos(xt) = 2 sin^2(xt) / (1 + cos(xt)), without cancellation. */
        st = dot(v, s->n);
        *part = SEG_INSIDE;
        return 2.0 * st * st / (1.0 + sqrt(fmax(0.0, 1.0 - st * st)));
    }
    ca = chord2(v, s->a);
    cb = chord2(v, s->b);
    *part = ca <= cb ? SEG_START : SEG_END;
    return ca <= cb ? ca : cb;
}

/*
 * Side of `v` whose nearest point is vertex k. At an end, the cross-track sign of the end
 * segment (extended). At a bend, the point lies in the wedge past the incoming segment and
 * before the outgoing one; there it can never be on the inner side of the turn, so if the two
 * cross-track signs disagree (sharp bends) it is on the outer side. If the line doubles back
 * exactly the side is undefined; the incoming segment decides.
 */
static enum geo_side vertex_side(const struct geo_line *line, size_t k, const double v[3])
{
    struct geo_seg tmp_in, tmp_out;
    const struct geo_seg *in, *out;
    double s_in, s_out, turn;

    if (k == 0)
        return side_of(dot(v, seg_get(line, 0, &tmp_in)->n));
    if (k == line->n - 1)
        return side_of(dot(v, seg_get(line, k - 1, &tmp_in)->n));
    in = seg_get(line, k - 1, &tmp_in);
    out = seg_get(line, k, &tmp_out);
    s_in = dot(v, in->n);
    s_out = dot(v, out->n);
    if ((s_in > 0 && s_out > 0) || (s_in < 0 && s_out < 0))
        return side_of(s_in);
    turn = dot(out->b, in->n); /* > 0: the line turns left */
    if (turn != 0)
        return turn > 0 ? GEO_SIDE_RIGHT : GEO_SIDE_LEFT;
    return side_of(fabs(s_in) >= fabs(s_out) ? s_in : s_out);
}

/* Fills `fix` for the foot inside segment i. */
static void fix_inside(const struct geo_line *line, size_t i, const double v[3],
                       struct geo_fix *fix)
{
    struct geo_seg tmp;
    const struct geo_seg *s = seg_get(line, i, &tmp);
    double st = dot(v, s->n), along = atan2(dot(v, s->ta), dot(v, s->a)), foot[3];

    along = fmin(fmax(along, 0.0), s->len_rad);
    fix->chainage_km =
        line->cum_km[i] + (line->cum_km[i + 1] - line->cum_km[i]) * (along / s->len_rad);
    fix->distance_km = asin(fmin(1.0, fabs(st))) * GEO_EARTH_RADIUS_KM;
    fix->side = side_of(st);
    for (int k = 0; k < 3; k++)
        foot[k] = cos(along) * s->a[k] + sin(along) * s->ta[k];
    fix->foot = point_of(foot);
}

void geo_line_locate(const struct geo_line *line, struct geo_point p, struct geo_fix *fix)
{
    struct geo_seg tmp;
    enum seg_part part, best_part = SEG_START;
    double v[3], key, best_key = INFINITY;
    size_t i, best = 0, k;

    assert(line != NULL && line->n >= 2);
    if (!geo_point_valid(p.lat, p.lon)) {
        fix->chainage_km = fix->distance_km = NAN;
        fix->side = GEO_SIDE_ON;
        fix->foot = line->pts[0];
        return;
    }
    vec_of(p, v);
    for (i = 0; i + 1 < line->n; i++) {
        key = seg_nearest(seg_get(line, i, &tmp), v, &part);
        if (key < best_key) {
            best_key = key;
            best = i;
            best_part = part;
        }
    }
    if (best_part == SEG_INSIDE) {
        fix_inside(line, best, v, fix);
    } else {
        k = best_part == SEG_START ? best : best + 1;
        fix->chainage_km = line->cum_km[k];
        fix->distance_km = 2.0 * asin(fmin(1.0, sqrt(best_key) / 2)) * GEO_EARTH_RADIUS_KM;
        fix->side = vertex_side(line, k, v);
        fix->foot = line->pts[k];
    }
    if (fix->distance_km < GEO_ON_LINE_KM)
        fix->side = GEO_SIDE_ON;
}

enum sh_err geo_line_point_at(const struct geo_line *line, double chainage_km,
                              struct geo_point *out)
{
    struct geo_seg tmp;
    const struct geo_seg *s;
    size_t lo = 0, hi, mid;
    double along, q[3];

    assert(line != NULL && line->n >= 2);
    if (!(chainage_km >= 0 && chainage_km <= line->length_km))
        return SH_EINVAL;
    /* The last segment i with cum_km[i] <= chainage_km. */
    hi = line->n - 2;
    while (lo < hi) {
        mid = lo + (hi - lo + 1) / 2;
        if (line->cum_km[mid] <= chainage_km)
            lo = mid;
        else
            hi = mid - 1;
    }
    if (chainage_km == line->cum_km[lo]) {
        *out = line->pts[lo];
        return SH_OK;
    }
    if (chainage_km >= line->cum_km[lo + 1]) {
        *out = line->pts[lo + 1];
        return SH_OK;
    }
    s = seg_get(line, lo, &tmp);
    along =
        s->len_rad * (chainage_km - line->cum_km[lo]) / (line->cum_km[lo + 1] - line->cum_km[lo]);
    for (int k = 0; k < 3; k++)
        q[k] = cos(along) * s->a[k] + sin(along) * s->ta[k];
    *out = point_of(q);
    return SH_OK;
}
