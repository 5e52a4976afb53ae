/*
 * landmark.h: what commanders name places by along the border: pillars, sectors and crossing
 * points, and the conversion of a place between lat/lon and "pillar N + offset + side".
 *
 * Landmarks come as JSON (the built-in file data/iran_pakistan_landmarks.json, or a deployment's
 * own; see README "Configuration"):
 *   {"pillar_every_km": 5,
 *    "pillars":   [{"n": 1, "lat": .., "lon": ..}, ...],         (empty: generated, see below)
 *    "sectors":   [{"name": "northern", "from_km": 0, "to_km": 300}, ...] (to_km null: the end)
 *    "crossings": [{"name": "Taftan-Mirjaveh", "lat": .., "lon": ..}, ...]}
 * Listed pillars and crossings are snapped to the line (their chainage is where they are
 * closest to it). Without a pillar list, pillar n stands at chainage (n - 1) * pillar_every_km,
 * so pillar 1 is km 0. Sectors must be ordered, must not overlap, and cover what they cover:
 * a chainage outside every sector has no sector (""). Pure: no I/O.
 *
 * A place "pillar N + offset_m + side + depth_m" is the point of the line offset_m metres from
 * pillar N along the line (negative: towards km 0), then depth_m metres square to the line into
 * `side`'s country. The reverse takes the nearest pillar.
 */
#ifndef SARHAD_DOMAIN_LANDMARK_H
#define SARHAD_DOMAIN_LANDMARK_H

#include "core/err.h"
#include "domain/border.h"

#include <jansson.h>

#define LANDMARK_NAME_MAX 48
#define LANDMARK_MAX 100000 /* pillars, sectors or crossings in one file */

struct landmark {
    char name[LANDMARK_NAME_MAX]; /* sectors and crossings; pillars: "" */
    int n;                        /* pillars: the pillar's number */
    double from_km, to_km;        /* sectors; a point landmark has from_km == to_km */
    struct geo_point at;          /* points: as given (pillars generated: on the line) */
};

struct landmarks {
    struct landmark *pillars, *sectors, *crossings; /* ordered by chainage */
    int npillars, nsectors, ncrossings;
    double pillar_every_km; /* 0 when pillars were listed */
};

/* A place, both ways. */
struct place {
    double lat, lon;
    double chainage_km, distance_km; /* along the line; square to it */
    char side[4];                    /* ISO3, or "ON" within a metre of the line */
    int pillar;                      /* nearest pillar (0: none) */
    double offset_m;                 /* from that pillar along the line, signed */
    int section;                     /* 1-based */
    const char *sector;              /* borrowed from the landmarks, "" if none */
};

/* Parses landmarks JSON for border `b` into `lm`. `text` NULL: no sectors and no crossings,
 * pillars every 5 km. */
enum sh_err landmarks_init(struct landmarks *lm, const struct border *b, const char *text,
                           size_t len, struct sh_errinfo *info);

/* Frees what landmarks_init allocated. */
void landmarks_free(struct landmarks *lm);

/* The index in lm->sectors of the sector holding `km`, or -1. */
int landmarks_sector_index(const struct landmarks *lm, double km);

/* The sector holding `km`, or "". */
const char *landmarks_sector_of(const struct landmarks *lm, double km);

/* {pillars: [{n, km, lat, lon}], sectors: [{name, from_km, to_km}],
 *  crossings: [{name, km, lat, lon, sector}], pillar_every_km}. New reference. */
json_t *landmarks_json(const struct landmarks *lm, const struct border *b);

/* Fills `out` for the valid point (lat, lon). */
void landmarks_place_latlon(const struct landmarks *lm, const struct border *b, double lat,
                            double lon, struct place *out);

/* Fills `out` for "pillar N + offset_m along the line + depth_m into side". SH_EINVAL naming
 * the field if the pillar does not exist, the offset leaves the line, or `side` is not one of
 * the border's countries (it may be NULL when depth_m is 0). */
enum sh_err landmarks_place_pillar(const struct landmarks *lm, const struct border *b, int pillar,
                                   double offset_m, const char *side, double depth_m,
                                   struct place *out, struct sh_errinfo *info);

/* Reads a place from a JSON object holding either {lat, lon} or {pillar, offset_m?, side?,
 * depth_m?}. SH_EINVAL naming the field otherwise. */
enum sh_err landmarks_place_json(const struct landmarks *lm, const struct border *b,
                                 const json_t *obj, struct place *out, struct sh_errinfo *info);

/* {lat, lon, chainage_km, distance_km, side, section, sector, pillar, offset_m, text} where
 * text reads "pillar 12 +340 m, PAK side 150 m". New reference. */
json_t *place_json(const struct place *p);

#endif
