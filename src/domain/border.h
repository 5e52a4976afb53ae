/*
 * border.h: the border as the node sees it: a line with chainage, the country on each side,
 * and sections (stretches [from_km, to_km) with per-side properties).
 *
 * Pure: the line comes in as GeoJSON text (the caller reads the file or uses the built-in one).
 */
#ifndef SARHAD_DOMAIN_BORDER_H
#define SARHAD_DOMAIN_BORDER_H

#include "core/err.h"
#include "domain/geo.h"

#include <jansson.h>

struct border {
    struct geo_line line;
    char left[4]; /* country on the left walking from the first point to the last */
    char right[4];
    double section_km;
    json_t *properties; /* the source Feature's properties (attribution), owned, may be NULL */
};

/* Where a point lies relative to the border. */
struct border_fix {
    double chainage_km;
    double distance_km;
    char side[4]; /* ISO3 of the side's country, or "ON" within a metre of the line */
    int section;  /* 1-based section id */
};

/* Builds the border from GeoJSON text. `left`/`right` are ISO3 codes. */
enum sh_err border_init(struct border *b, const char *geojson, size_t len, const char *left,
                        const char *right, double section_km, struct sh_errinfo *info);

/* Frees what border_init allocated. NULL is a no-op. */
void border_free(struct border *b);

/* Locates a (valid) point. */
void border_locate(const struct border *b, double lat, double lon, struct border_fix *fix);

/* Number of sections covering the line. */
int border_section_count(const struct border *b);

/* The stretch of section `id` (1-based). */
void border_section_range(const struct border *b, int id, double *from_km, double *to_km);

/* 1 if `country` is one of the border's two sides. */
int border_has_side(const struct border *b, const char *country);

/* The GeoJSON Feature of the line, with properties length_km, left, right and the source's
 * attribution. New reference. */
json_t *border_line_feature(const struct border *b);

#endif
