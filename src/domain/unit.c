/*
 * unit.c: position reports.
 */
#include "domain/unit.h"

#include "core/clock.h"
#include "domain/field.h"
#include "domain/release.h"

#include <math.h>
#include <string.h>

static const char *const position_fields[] = {"lat",      "lon",  "time", "course",  "speed",
                                              "callsign", "side", "type", "release", NULL};

/* What of a unit may cross the link when its position is released (nothing else does). */
static const char *const shared_fields[] = {"uid", "callsign", "side",   "type",  "lat",
                                            "lon", "time",     "course", "speed", NULL};

int unit_uid_valid(const char *uid)
{
    size_t n = strlen(uid);

    if (n == 0 || n > UNIT_UID_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = uid[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == ':' || c == '-'))
            return 0;
    }
    return 1;
}

enum sh_err unit_position(const char *uid, const json_t *body, const struct border *b,
                          int64_t now_ms, json_t **out, struct sh_errinfo *info)
{
    double lat, lon, course = 0, speed = 0;
    int has_course, has_speed, has_time;
    int64_t t = now_ms;
    const char *callsign, *side, *type;
    struct border_fix fix;
    char ts[32], rs[32];
    enum sh_err rc;

    *out = NULL;
    if (!unit_uid_valid(uid))
        return err_set(info, SH_EINVAL, "uid", "a unit uid is 1 to 64 of A-Z a-z 0-9 . _ : -");
    if (!json_is_object(body))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(body, position_fields, info)) ||
        (rc = field_number(body, "lat", -90, 90, 1, &lat, NULL, info)) ||
        (rc = field_number(body, "lon", -180, 180, 1, &lon, NULL, info)) ||
        (rc = field_time(body, "time", 0, &t, &has_time, info)) ||
        (rc = field_number(body, "course", 0, 360, 0, &course, &has_course, info)) ||
        (rc = field_number(body, "speed", 0, 1000, 0, &speed, &has_speed, info)) ||
        (rc = field_string(body, "callsign", 64, 0, &callsign, info)) ||
        (rc = field_string(body, "side", 3, 0, &side, info)) ||
        (rc = field_string(body, "type", 64, 0, &type, info)))
        return rc;
    if (has_time && t > now_ms + 5 * 60 * 1000)
        return err_set(info, SH_EINVAL, "time", "'time' is more than 5 minutes in the future");
    if (side && !border_has_side(b, side))
        return err_set(info, SH_EINVAL, "side", "'side' must be %s or %s", b->left, b->right);
    char rel[RELEASE_TEXT_MAX];
    if ((rc = release_from_json(json_object_get(body, "release"), "release", rel, info)))
        return rc;
    border_locate(b, lat, lon, &fix);
    *out = json_pack(
        "{s:s,s:s,s:s?,s:s,s:f,s:f,s:s,s:o?,s:o?,s:f,s:f,s:s,s:i,s:s}", "uid", uid, "callsign",
        callsign ? callsign : uid, "side", side, "type", type ? type : "ground", "lat", lat, "lon",
        lon, "time", clock_format_rfc3339(t, ts, sizeof(ts)), "course",
        has_course ? json_real(course) : NULL, "speed", has_speed ? json_real(speed) : NULL,
        "chainage_km", round(fix.chainage_km * 1000) / 1000, "distance_km",
        round(fix.distance_km * 1000) / 1000, "border_side", fix.side, "section", fix.section,
        "received", clock_format_rfc3339(now_ms, rs, sizeof(rs)));
    if (*out == NULL)
        return err_set(info, SH_EINVAL, "", "cannot build the unit");
    json_t *arr = json_array();
    for (const char *p = rel; *p; p += p[3] ? 4 : 3)
        json_array_append_new(arr, json_stringn(p, 3));
    json_object_set_new(*out, "release", arr);
    return SH_OK;
}

json_t *unit_shared_copy(const json_t *unit)
{
    json_t *copy = json_object();

    for (int i = 0; shared_fields[i]; i++) {
        json_t *v = json_object_get(unit, shared_fields[i]);
        if (v && !json_is_null(v))
            json_object_set(copy, shared_fields[i], v);
    }
    return copy;
}

int unit_released_to(const json_t *unit, const char *country)
{
    size_t i;
    json_t *v;

    json_array_foreach(json_object_get(unit, "release"), i, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), country) == 0)
            return 1;
    }
    return 0;
}

int unit_is_stale(const json_t *unit, int64_t now_ms, int stale_s)
{
    const char *t = json_string_value(json_object_get(unit, "time"));
    int64_t ms;

    if (t == NULL || clock_parse_rfc3339(t, strlen(t), &ms) < 0)
        return 1;
    return now_ms - ms > (int64_t)stale_s * 1000;
}
