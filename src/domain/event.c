/*
 * event.c: event documents.
 */
#include "domain/event.h"

#include "core/clock.h"
#include "domain/field.h"
#include "domain/release.h"

#include <math.h>
#include <string.h>

const char *const event_categories[] = {"UNAUTHORISED_CROSSING",
                                        "SMUGGLING",
                                        "ARMED_ATTACK",
                                        "FENCE_BREACH",
                                        "SENSOR_ALARM",
                                        "SUSPICIOUS_ACTIVITY",
                                        "CRISIS",
                                        "OTHER",
                                        NULL};
const char *const event_impacts[] = {"LOW", "MEDIUM", "HIGH", "VERY_HIGH", NULL};
const char *const event_statuses[] = {"OPEN", "CLOSED", NULL};

static const char *const create_fields[] = {"category", "impact",      "time",  "lat",     "lon",
                                            "title",    "description", "owner", "release", NULL};
static const char *const patch_fields[] = {"category", "impact", "time",         "lat",
                                           "lon",      "title",  "description",  "owner",
                                           "release",  "status", "close_reason", NULL};

#define EVENT_TITLE_MAX 200
#define EVENT_TEXT_MAX 8000
#define EVENT_NAME_MAX 64

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

/* Validates every field of a merged document and recomputes what derives from others. */
enum sh_err event_normalise(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    const char *s, *reason;
    double lat, lon, count;
    int status, idx;
    int64_t t;
    char rel[RELEASE_TEXT_MAX], ts[32];
    struct border_fix fix;
    enum sh_err rc;

    if ((rc = field_enum(doc, "category", event_categories, 1, &idx, info)) ||
        (rc = field_enum(doc, "impact", event_impacts, 1, &idx, info)) ||
        (rc = field_enum(doc, "status", event_statuses, 1, &status, info)) ||
        (rc = field_number(doc, "lat", -90, 90, 1, &lat, NULL, info)) ||
        (rc = field_number(doc, "lon", -180, 180, 1, &lon, NULL, info)) ||
        (rc = field_time(doc, "time", 1, &t, NULL, info)) ||
        (rc = field_string(doc, "title", EVENT_TITLE_MAX, 0, &s, info)) ||
        (rc = field_string(doc, "description", EVENT_TEXT_MAX, 0, &s, info)) ||
        (rc = field_string(doc, "owner", EVENT_NAME_MAX, 0, &s, info)) ||
        (rc = field_string(doc, "close_reason", EVENT_TITLE_MAX, 0, &reason, info)) ||
        (rc = field_string(doc, "sensor", EVENT_NAME_MAX, 0, &s, info)) ||
        (rc = field_number(doc, "count", 1, 1e9, 0, &count, NULL, info)) ||
        (rc = release_from_json(json_object_get(doc, "release"), "release", rel, info)))
        return rc;
    if (status == 1 && (reason == NULL || reason[0] == '\0'))
        return err_set(info, SH_EUNPROCESSABLE, "close_reason",
                       "closing an event takes a reason ('close_reason')");
    if (status == 0)
        field_set(doc, "close_reason", json_null());
    /* Store the time and release set in their one normal form. */
    field_set(doc, "time", json_string(clock_format_rfc3339(t, ts, sizeof(ts))));
    json_t *arr = json_array();
    for (const char *p = rel; *p; p += p[3] ? 4 : 3)
        json_array_append_new(arr, json_stringn(p, 3));
    field_set(doc, "release", arr);
    border_locate(b, lat, lon, &fix);
    field_set(doc, "chainage_km", json_real(round_to(fix.chainage_km, 0.001)));
    field_set(doc, "distance_km", json_real(round_to(fix.distance_km, 0.001)));
    field_set(doc, "side", json_string(fix.side));
    field_set(doc, "section", json_integer(fix.section));
    return SH_OK;
}

enum sh_err event_create(const json_t *body, const struct border *b, const char *id,
                         const char *owner, const char *origin, int64_t now_ms, json_t **out,
                         struct sh_errinfo *info)
{
    char ts[32];
    json_t *doc;
    enum sh_err rc;

    *out = NULL;
    if (!json_is_object(body))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(body, create_fields, info)))
        return rc;
    doc = json_deep_copy(body);
    clock_format_rfc3339(now_ms, ts, sizeof(ts));
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "status", json_string("OPEN"));
    if (!json_object_get(doc, "impact"))
        json_object_set_new(doc, "impact", json_string("LOW"));
    if (!json_object_get(doc, "time"))
        json_object_set_new(doc, "time", json_string(ts));
    if (!json_object_get(doc, "owner"))
        json_object_set_new(doc, "owner", json_string(owner));
    json_object_set_new(doc, "origin", json_string(origin));
    json_object_set_new(doc, "created", json_string(ts));
    json_object_set_new(doc, "updated", json_string(ts));
    rc = event_normalise(doc, b, info);
    if (rc != SH_OK) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return SH_OK;
}

enum sh_err event_patch(const json_t *current, const json_t *patch, const struct border *b,
                        int64_t now_ms, json_t **out, struct sh_errinfo *info)
{
    char ts[32];
    json_t *doc;
    enum sh_err rc;

    *out = NULL;
    if (!json_is_object(patch))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(patch, patch_fields, info)))
        return rc;
    if (json_object_size(patch) == 0)
        return err_set(info, SH_EINVAL, "", "the patch changes nothing");
    doc = json_deep_copy(current);
    json_object_update(doc, (json_t *)patch);
    json_object_set_new(doc, "version",
                        json_integer(json_integer_value(json_object_get(current, "version")) + 1));
    json_object_set_new(doc, "updated", json_string(clock_format_rfc3339(now_ms, ts, sizeof(ts))));
    rc = event_normalise(doc, b, info);
    if (rc != SH_OK) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return SH_OK;
}
