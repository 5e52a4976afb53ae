/*
 * geo.h: points and polylines on a spherical earth, and where a point lies relative to a line.
 *
 * Pure: no I/O. Angles are degrees (WGS84 latitude/longitude taken as spherical coordinates),
 * distances are kilometres on a sphere of radius GEO_EARTH_RADIUS_KM (the IUGG mean radius),
 * segments are great-circle arcs. "Chainage" is the distance along a line from its first point.
 */
#ifndef SARHAD_DOMAIN_GEO_H
#define SARHAD_DOMAIN_GEO_H

#include "core/err.h"

#include <stddef.h>

#define GEO_EARTH_RADIUS_KM 6371.0088

/* Within this distance of a line a point is GEO_SIDE_ON. */
#define GEO_ON_LINE_KM 0.001

/* A position in degrees, WGS84. */
struct geo_point {
    double lat;
    double lon;
};

/* Private to geo.c: the unit vectors of one segment, precomputed so that locating a point
 * needs no trigonometry per segment. */
struct geo_seg;

/* A polyline of great-circle segments. Owns its arrays; built by geo_line_init() or
 * geo_line_from_geojson(), released by geo_line_free(). No two consecutive points coincide. */
struct geo_line {
    struct geo_point *pts;
    double *cum_km; /* cum_km[i] = chainage of vertex i; cum_km[0] = 0 */
    size_t n;       /* number of points, >= 2 */
    double length_km;
    struct geo_seg *seg; /* private cache, n - 1 entries; NULL only for a hand-built line */
};

/* Side of a line, as one walks from its first point to its last. */
enum geo_side { GEO_SIDE_ON = 0, GEO_SIDE_LEFT = 1, GEO_SIDE_RIGHT = 2 };

/* Where a point lies relative to a line. */
struct geo_fix {
    double chainage_km;    /* km along the line from its first point to `foot` */
    double distance_km;    /* shortest distance from the point to the line */
    enum geo_side side;    /* GEO_SIDE_ON when distance_km < GEO_ON_LINE_KM */
    struct geo_point foot; /* nearest point on the line */
};

/* 1 if lat and lon are finite, lat is in [-90, 90] and lon in [-180, 180]; else 0. */
int geo_point_valid(double lat, double lon);

/* Great-circle distance in km between two valid points (haversine, GEO_EARTH_RADIUS_KM). */
double geo_distance_km(struct geo_point a, struct geo_point b);

/* Builds `line` from `n` points, which it copies (borrows `pts`). Consecutive points closer
 * than a millimetre are merged into the first of them. Fails with SH_EINVAL, naming
 * "points[i]", if a point is invalid or antipodal to the previous one (the great circle through
 * them is undefined), or if fewer than two distinct points remain; SH_ENOMEM if allocation
 * fails. On failure `line` is left zeroed. */
enum sh_err geo_line_init(struct geo_line *line, const struct geo_point *pts, size_t n,
                          struct sh_errinfo *info);

/* Releases what `line` owns and leaves it zeroed. NULL or a zeroed line is a no-op. */
void geo_line_free(struct geo_line *line);

/* Builds `line` from GeoJSON text (`len` bytes, need not be NUL-terminated): a bare LineString
 * geometry, a Feature whose geometry is a LineString, or a FeatureCollection (its first feature
 * with a LineString geometry). Positions are [lon, lat] with an optional, ignored altitude.
 * Fails with SH_EINVAL and info->field naming the culprit ("type", "geometry.type",
 * "features[2].geometry.coordinates[3]", ...), or SH_ENOMEM. On failure `line` is zeroed. */
enum sh_err geo_line_from_geojson(const char *text, size_t len, struct geo_line *line,
                                  struct sh_errinfo *info);

/* Finds the point of `line` nearest to `p` (great-circle cross-track and along-track distances,
 * clamped to each segment) and fills `fix`. Left/right comes from the cross-track sign of the
 * nearest segment; where the nearest point is a bend, from the turn, so that points around the
 * outside of a bend agree. A point exactly on the extension of the line beyond an end has no
 * side and is GEO_SIDE_ON. `p` must be valid (geo_point_valid); if not, the distances are NaN
 * and the side GEO_SIDE_ON. Does not allocate. */
void geo_line_locate(const struct geo_line *line, struct geo_point p, struct geo_fix *fix);

/* The point of `line` at `chainage_km`. SH_EINVAL (and `out` untouched) if chainage_km is not
 * within [0, line->length_km]. A chainage equal to a cum_km[i] gives exactly pts[i]. */
enum sh_err geo_line_point_at(const struct geo_line *line, double chainage_km,
                              struct geo_point *out);

#endif
