/*
 * border.c: the border model over a geo_line.
 */
#include "domain/border.h"

#include <math.h>
#include <string.h>

enum sh_err border_init(struct border *b, const char *geojson, size_t len, const char *left,
                        const char *right, double section_km, struct sh_errinfo *info)
{
    enum sh_err rc;
    json_t *doc;

    memset(b, 0, sizeof(*b));
    if (section_km <= 0)
        return err_set(info, SH_EINVAL, "section_km", "must be positive");
    rc = geo_line_from_geojson(geojson, len, &b->line, info);
    if (rc != SH_OK)
        return rc;
    snprintf(b->left, sizeof(b->left), "%s", left);
    snprintf(b->right, sizeof(b->right), "%s", right);
    b->section_km = section_km;
    doc = json_loadb(geojson, len, 0, NULL);
    if (doc) {
        json_t *props = json_object_get(doc, "properties");
        if (json_is_object(props))
            b->properties = json_deep_copy(props);
        json_decref(doc);
    }
    return SH_OK;
}

void border_free(struct border *b)
{
    if (b == NULL)
        return;
    geo_line_free(&b->line);
    json_decref(b->properties);
    b->properties = NULL;
}

int border_section_count(const struct border *b)
{
    int n = (int)ceil(b->line.length_km / b->section_km - 1e-9);

    return n < 1 ? 1 : n;
}

void border_section_range(const struct border *b, int id, double *from_km, double *to_km)
{
    *from_km = (id - 1) * b->section_km;
    *to_km = id * b->section_km;
    if (*to_km > b->line.length_km)
        *to_km = b->line.length_km;
}

void border_locate(const struct border *b, double lat, double lon, struct border_fix *fix)
{
    struct geo_fix g;
    int n = border_section_count(b);

    geo_line_locate(&b->line, (struct geo_point){lat, lon}, &g);
    fix->chainage_km = g.chainage_km;
    fix->distance_km = g.distance_km;
    switch (g.side) {
    case GEO_SIDE_LEFT:
        snprintf(fix->side, sizeof(fix->side), "%s", b->left);
        break;
    case GEO_SIDE_RIGHT:
        snprintf(fix->side, sizeof(fix->side), "%s", b->right);
        break;
    default:
        snprintf(fix->side, sizeof(fix->side), "ON");
        break;
    }
    fix->section = (int)floor(g.chainage_km / b->section_km) + 1;
    if (fix->section > n)
        fix->section = n;
    if (fix->section < 1)
        fix->section = 1;
}

int border_has_side(const struct border *b, const char *country)
{
    return strcmp(country, b->left) == 0 || strcmp(country, b->right) == 0;
}

json_t *border_line_feature(const struct border *b)
{
    json_t *coords = json_array(), *props;

    for (size_t i = 0; i < b->line.n; i++)
        json_array_append_new(coords, json_pack("[f,f]", b->line.pts[i].lon, b->line.pts[i].lat));
    props = b->properties ? json_deep_copy(b->properties) : json_object();
    json_object_set_new(props, "kind", json_string("border"));
    json_object_set_new(props, "length_km", json_real(round(b->line.length_km * 1000) / 1000));
    json_object_set_new(props, "left", json_string(b->left));
    json_object_set_new(props, "right", json_string(b->right));
    json_object_set_new(props, "section_km", json_real(b->section_km));
    return json_pack("{s:s,s:o,s:{s:s,s:o}}", "type", "Feature", "properties", props, "geometry",
                     "type", "LineString", "coordinates", coords);
}
