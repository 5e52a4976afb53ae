/*
 * landmark.c: pillars, sectors, crossings and places.
 */
#include "domain/landmark.h"

#include "domain/field.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PILLAR_KM 5.0
#define EARTH_KM 6371.0088
#define DEG (M_PI / 180.0)

static int by_from_km(const void *a, const void *b)
{
    const struct landmark *x = a, *y = b;

    return (x->from_km > y->from_km) - (x->from_km < y->from_km);
}

/* Prefixes the error in `info` with "key[i]: ". */
static enum sh_err prefixed(struct sh_errinfo *info, const char *key, size_t i)
{
    struct sh_errinfo why = *info; /* err_set must not read what it writes */

    return err_set(info, SH_EINVAL, key, "%s[%zu]: %s", key, i, why.message);
}

/* Reads the array `key` of point landmarks (named or numbered), snapping each to the line. */
static enum sh_err read_points(const json_t *root, const char *key, int named,
                               const struct border *b, struct landmark **out, int *count,
                               struct sh_errinfo *info)
{
    const json_t *arr = json_object_get(root, key);
    size_t i, n;
    json_t *v;

    *out = NULL;
    *count = 0;
    if (arr == NULL || json_is_null(arr))
        return SH_OK;
    if (!json_is_array(arr) || json_array_size(arr) > LANDMARK_MAX)
        return err_set(info, SH_EINVAL, key, "'%s' must be an array of at most %d", key,
                       LANDMARK_MAX);
    n = json_array_size(arr);
    if (n == 0)
        return SH_OK;
    *out = calloc(n, sizeof(**out));
    if (*out == NULL)
        return SH_ENOMEM;
    json_array_foreach(arr, i, v)
    {
        struct landmark *l = &(*out)[i];
        struct border_fix fix;
        const char *name = NULL;
        double num;
        int present;

        if (!json_is_object(v))
            return err_set(info, SH_EINVAL, key, "%s[%zu] is not an object", key, i);
        if (field_number(v, "lat", -90, 90, 1, &l->at.lat, &present, info) ||
            field_number(v, "lon", -180, 180, 1, &l->at.lon, &present, info))
            return prefixed(info, key, i);
        if (named) {
            if (field_string(v, "name", LANDMARK_NAME_MAX - 1, 1, &name, info))
                return prefixed(info, key, i);
            snprintf(l->name, sizeof(l->name), "%s", name);
        } else {
            if (field_number(v, "n", 1, 1e9, 1, &num, &present, info))
                return prefixed(info, key, i);
            l->n = (int)num;
        }
        border_locate(b, l->at.lat, l->at.lon, &fix);
        l->from_km = l->to_km = fix.chainage_km;
    }
    *count = (int)n;
    qsort(*out, n, sizeof(**out), by_from_km);
    return SH_OK;
}

static enum sh_err read_sectors(const json_t *root, const struct border *b, struct landmarks *lm,
                                struct sh_errinfo *info)
{
    const json_t *arr = json_object_get(root, "sectors");
    size_t i, n;
    json_t *v;

    if (arr == NULL || json_is_null(arr))
        return SH_OK;
    if (!json_is_array(arr) || json_array_size(arr) > LANDMARK_MAX)
        return err_set(info, SH_EINVAL, "sectors", "'sectors' must be an array");
    n = json_array_size(arr);
    if (n == 0)
        return SH_OK;
    lm->sectors = calloc(n, sizeof(*lm->sectors));
    if (lm->sectors == NULL)
        return SH_ENOMEM;
    json_array_foreach(arr, i, v)
    {
        struct landmark *s = &lm->sectors[i];
        const char *name = NULL;
        int present;

        if (!json_is_object(v) || field_string(v, "name", LANDMARK_NAME_MAX - 1, 1, &name, info) ||
            field_number(v, "from_km", 0, b->line.length_km, 1, &s->from_km, &present, info))
            return json_is_object(v)
                       ? prefixed(info, "sectors", i)
                       : err_set(info, SH_EINVAL, "sectors", "sectors[%zu] is not an object", i);
        s->to_km = b->line.length_km;
        if (!json_is_null(json_object_get(v, "to_km")) &&
            field_number(v, "to_km", 0, b->line.length_km, 0, &s->to_km, &present, info))
            return prefixed(info, "sectors", i);
        snprintf(s->name, sizeof(s->name), "%s", name);
        if (s->to_km <= s->from_km)
            return err_set(info, SH_EINVAL, "sectors", "sector '%s' ends before it starts", name);
        if (i > 0 && s->from_km < lm->sectors[i - 1].to_km)
            return err_set(info, SH_EINVAL, "sectors",
                           "sector '%s' overlaps '%s' (sectors go in chainage order)", name,
                           lm->sectors[i - 1].name);
    }
    lm->nsectors = (int)n;
    return SH_OK;
}

/* Pillars every `every` km from km 0 to the end of the line. */
static enum sh_err generate_pillars(struct landmarks *lm, const struct border *b, double every)
{
    int n = (int)floor(b->line.length_km / every) + 1;

    lm->pillars = calloc((size_t)n, sizeof(*lm->pillars));
    if (lm->pillars == NULL)
        return SH_ENOMEM;
    for (int i = 0; i < n; i++) {
        struct landmark *p = &lm->pillars[i];

        p->n = i + 1;
        p->from_km = p->to_km = i * every;
        if (geo_line_point_at(&b->line, p->from_km, &p->at) != SH_OK)
            return SH_EINVAL;
    }
    lm->npillars = n;
    lm->pillar_every_km = every;
    return SH_OK;
}

enum sh_err landmarks_init(struct landmarks *lm, const struct border *b, const char *text,
                           size_t len, struct sh_errinfo *info)
{
    static const char *const keys[] = {"comment", "pillar_every_km", "pillars",
                                       "sectors", "crossings",       NULL};
    json_t *root = NULL;
    json_error_t jerr;
    double every = DEFAULT_PILLAR_KM;
    int present;
    enum sh_err rc;

    memset(lm, 0, sizeof(*lm));
    if (text) {
        root = json_loadb(text, len, 0, &jerr);
        if (!json_is_object(root)) {
            json_decref(root);
            return err_set(info, SH_EINVAL, "landmarks", "landmarks: line %d: %s", jerr.line,
                           root ? "not a JSON object" : jerr.text);
        }
        if ((rc = field_only(root, keys, info)) ||
            (rc = field_number(root, "pillar_every_km", 0.1, 1000, 0, &every, &present, info)) ||
            (rc = read_points(root, "pillars", 0, b, &lm->pillars, &lm->npillars, info)) ||
            (rc = read_points(root, "crossings", 1, b, &lm->crossings, &lm->ncrossings, info)) ||
            (rc = read_sectors(root, b, lm, info)))
            goto fail;
        json_decref(root);
        root = NULL;
    }
    if (lm->npillars == 0 && (rc = generate_pillars(lm, b, every)))
        goto fail;
    return SH_OK;
fail:
    json_decref(root);
    landmarks_free(lm);
    return rc;
}

void landmarks_free(struct landmarks *lm)
{
    if (lm == NULL)
        return;
    free(lm->pillars);
    free(lm->sectors);
    free(lm->crossings);
    memset(lm, 0, sizeof(*lm));
}

int landmarks_sector_index(const struct landmarks *lm, double km)
{
    for (int i = 0; i < lm->nsectors; i++)
        if (km >= lm->sectors[i].from_km &&
            (km < lm->sectors[i].to_km || (i == lm->nsectors - 1 && km == lm->sectors[i].to_km)))
            return i;
    return -1;
}

const char *landmarks_sector_of(const struct landmarks *lm, double km)
{
    int i = landmarks_sector_index(lm, km);

    return i < 0 ? "" : lm->sectors[i].name;
}

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

json_t *landmarks_json(const struct landmarks *lm, const struct border *b)
{
    json_t *pillars = json_array(), *sectors = json_array(), *crossings = json_array();

    for (int i = 0; i < lm->npillars; i++) {
        const struct landmark *p = &lm->pillars[i];
        json_array_append_new(pillars, json_pack("{s:i,s:f,s:f,s:f}", "n", p->n, "km",
                                                 round_to(p->from_km, 0.001), "lat", p->at.lat,
                                                 "lon", p->at.lon));
    }
    for (int i = 0; i < lm->nsectors; i++) {
        const struct landmark *s = &lm->sectors[i];
        json_array_append_new(sectors, json_pack("{s:s,s:f,s:f}", "name", s->name, "from_km",
                                                 s->from_km, "to_km", round_to(s->to_km, 0.001)));
    }
    for (int i = 0; i < lm->ncrossings; i++) {
        const struct landmark *c = &lm->crossings[i];
        struct geo_point on;
        if (geo_line_point_at(&b->line, c->from_km, &on) != SH_OK)
            on = c->at;
        json_array_append_new(crossings,
                              json_pack("{s:s,s:f,s:f,s:f,s:s}", "name", c->name, "km",
                                        round_to(c->from_km, 0.001), "lat", on.lat, "lon", on.lon,
                                        "sector", landmarks_sector_of(lm, c->from_km)));
    }
    return json_pack("{s:o,s:o,s:o,s:f}", "pillars", pillars, "sectors", sectors, "crossings",
                     crossings, "pillar_every_km", lm->pillar_every_km);
}

/* The pillar nearest chainage `km` (index), -1 if there are none. */
static int nearest_pillar(const struct landmarks *lm, double km)
{
    int lo = 0, hi = lm->npillars - 1;

    if (lm->npillars == 0)
        return -1;
    while (lo < hi) { /* first pillar at or after km */
        int mid = (lo + hi) / 2;
        if (lm->pillars[mid].from_km < km)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0 && km - lm->pillars[lo - 1].from_km <= lm->pillars[lo].from_km - km)
        lo--;
    return lo;
}

void landmarks_place_latlon(const struct landmarks *lm, const struct border *b, double lat,
                            double lon, struct place *out)
{
    struct border_fix fix;
    int p;

    border_locate(b, lat, lon, &fix);
    memset(out, 0, sizeof(*out));
    out->lat = lat;
    out->lon = lon;
    out->chainage_km = fix.chainage_km;
    out->distance_km = fix.distance_km;
    snprintf(out->side, sizeof(out->side), "%s", fix.side);
    out->section = fix.section;
    out->sector = landmarks_sector_of(lm, fix.chainage_km);
    p = nearest_pillar(lm, fix.chainage_km);
    if (p >= 0) {
        out->pillar = lm->pillars[p].n;
        out->offset_m = round_to((fix.chainage_km - lm->pillars[p].from_km) * 1000.0, 1.0);
    }
}

enum sh_err landmarks_place_pillar(const struct landmarks *lm, const struct border *b, int pillar,
                                   double offset_m, const char *side, double depth_m,
                                   struct place *out, struct sh_errinfo *info)
{
    const struct landmark *p = NULL;
    struct geo_point at, before, after;
    double km, east, north, norm, sign;

    for (int i = 0; i < lm->npillars && p == NULL; i++)
        if (lm->pillars[i].n == pillar)
            p = &lm->pillars[i];
    if (p == NULL)
        return err_set(info, SH_EINVAL, "pillar", "no pillar %d (pillars: GET /api/v1/landmarks)",
                       pillar);
    km = p->from_km + offset_m / 1000.0;
    if (geo_line_point_at(&b->line, km, &at) != SH_OK)
        return err_set(info, SH_EINVAL, "offset_m",
                       "pillar %d %+.0f m is off the line (it runs from km 0 to %.3f)", pillar,
                       offset_m, b->line.length_km);
    if (depth_m != 0) {
        if (side == NULL || !border_has_side(b, side))
            return err_set(info, SH_EINVAL, "side", "side must be %s or %s", b->left, b->right);
        /* The line's direction here, in a local flat frame (fine over a few kilometres). */
        if (geo_line_point_at(&b->line, fmax(0, km - 0.05), &before) != SH_OK ||
            geo_line_point_at(&b->line, fmin(b->line.length_km, km + 0.05), &after) != SH_OK)
            return err_set(info, SH_EINVAL, "offset_m", "pillar %d is off the line", pillar);
        east = (after.lon - before.lon) * cos(at.lat * DEG);
        north = after.lat - before.lat;
        norm = hypot(east, north);
        if (norm == 0)
            return err_set(info, SH_EINVAL, "pillar", "the line has no direction at pillar %d",
                           pillar);
        /* Left of the direction of travel is (-north, east). */
        sign = strcmp(side, b->left) == 0 ? 1.0 : -1.0;
        at.lat += sign * (east / norm) * (depth_m / 1000.0) / EARTH_KM / DEG;
        at.lon += sign * (-north / norm) * (depth_m / 1000.0) / EARTH_KM / DEG / cos(at.lat * DEG);
    }
    landmarks_place_latlon(lm, b, at.lat, at.lon, out);
    return SH_OK;
}

enum sh_err landmarks_place_json(const struct landmarks *lm, const struct border *b,
                                 const json_t *obj, struct place *out, struct sh_errinfo *info)
{
    double lat, lon, pillar, offset = 0, depth = 0;
    const char *side = NULL;
    int present;

    if (json_object_get(obj, "pillar")) {
        if (field_number(obj, "pillar", 1, 1e9, 1, &pillar, &present, info) ||
            field_number(obj, "offset_m", -1e6, 1e6, 0, &offset, &present, info) ||
            field_number(obj, "depth_m", 0, 1e5, 0, &depth, &present, info) ||
            field_string(obj, "side", 3, depth != 0, &side, info))
            return SH_EINVAL;
        return landmarks_place_pillar(lm, b, (int)pillar, offset, side, depth, out, info);
    }
    if (field_number(obj, "lat", -90, 90, 1, &lat, &present, info) ||
        field_number(obj, "lon", -180, 180, 1, &lon, &present, info)) {
        struct sh_errinfo why = *info; /* err_set must not read what it writes */
        return err_set(info, SH_EINVAL, why.field, "%s (or give pillar, offset_m, side)",
                       why.message);
    }
    landmarks_place_latlon(lm, b, lat, lon, out);
    return SH_OK;
}

json_t *place_json(const struct place *p)
{
    char text[128];
    int n;

    n = snprintf(text, sizeof(text), "pillar %d %+.0f m", p->pillar, p->offset_m);
    if (strcmp(p->side, "ON") == 0)
        snprintf(text + n, sizeof(text) - (size_t)n, ", on the line");
    else
        snprintf(text + n, sizeof(text) - (size_t)n, ", %s side %.0f m", p->side,
                 p->distance_km * 1000.0);
    return json_pack("{s:f,s:f,s:f,s:f,s:s,s:i,s:s,s:i,s:f,s:s}", "lat", p->lat, "lon", p->lon,
                     "chainage_km", round_to(p->chainage_km, 0.001), "distance_km",
                     round_to(p->distance_km, 0.001), "side", p->side, "section", p->section,
                     "sector", p->sector ? p->sector : "", "pillar", p->pillar, "offset_m",
                     p->offset_m, "text", text);
}
