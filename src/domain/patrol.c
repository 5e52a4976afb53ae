/*
 * patrol.c: patrol documents and fence alarms.
 */
#include "domain/patrol.h"

#include "core/clock.h"
#include "domain/field.h"
#include "domain/unit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const patrol_kinds[] = {"REGULAR", "COORDINATED", "JOINT_NIGHT", NULL};
const char *const patrol_statuses[] = {"PLANNED", "CANCELLED", NULL};
const char *const alarm_kinds[] = {"BREACH", "SENSOR", NULL};

static const char *const create_fields[] = {"units", "from_km", "to_km",         "start",
                                            "end",   "kind",    "depth_km",      "national",
                                            "side",  "remarks", "release_units", NULL};
static const char *const patch_fields[] = {"status", "units", "from_km", "to_km",
                                           "start",  "end",   "remarks", NULL};

#define PATROL_REMARKS_MAX 500
#define PATROL_DEPTH_MAX_KM 100.0

static double round_to(double v, double unit)
{
    return round(v / unit) * unit;
}

/* Validates the fields shared by a new, patched and received patrol and writes them back in
 * normal form (times as RFC 3339 UTC, km to the metre). */
static enum sh_err patrol_normalise(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    const char *s;
    double from, to, depth = 0;
    int64_t start, end;
    int idx, present;
    const json_t *units = json_object_get(doc, "units");
    size_t i;
    json_t *u;
    char ts[32];
    enum sh_err rc;

    if ((rc = field_enum(doc, "kind", patrol_kinds, 1, &idx, info)) ||
        (rc = field_enum(doc, "status", patrol_statuses, 1, &idx, info)) ||
        (rc = field_number(doc, "from_km", 0, b->line.length_km, 1, &from, &present, info)) ||
        (rc = field_number(doc, "to_km", 0, b->line.length_km, 1, &to, &present, info)) ||
        (rc = field_number(doc, "depth_km", 0, PATROL_DEPTH_MAX_KM, 0, &depth, &present, info)) ||
        (rc = field_time(doc, "start", 1, &start, &present, info)) ||
        (rc = field_time(doc, "end", 1, &end, &present, info)) ||
        (rc = field_string(doc, "remarks", PATROL_REMARKS_MAX, 0, &s, info)) ||
        (rc = field_string(doc, "side", 3, 1, &s, info)))
        return rc;
    if (!border_has_side(b, s))
        return err_set(info, SH_EINVAL, "side", "side must be %s or %s", b->left, b->right);
    if (to <= from)
        return err_set(info, SH_EINVAL, "to_km", "to_km (%.3f) must be beyond from_km (%.3f)", to,
                       from);
    if (end <= start)
        return err_set(info, SH_EINVAL, "end", "the patrol must end after it starts");
    if (end - start > PATROL_WINDOW_MAX_MS)
        return err_set(info, SH_EINVAL, "end", "a patrol lasts at most 31 days");
    if (!json_is_array(units) || json_array_size(units) > PATROL_UNITS_MAX)
        return err_set(info, SH_EINVAL, "units", "'units' must be an array of at most %d unit ids",
                       PATROL_UNITS_MAX);
    json_array_foreach(units, i, u)
    {
        if (!json_is_string(u) || !unit_uid_valid(json_string_value(u)))
            return err_set(info, SH_EINVAL, "units",
                           "units[%zu] is not a unit id (1-64 of A-Z a-z 0-9 . _ : -)", i);
    }
    json_object_set_new(doc, "from_km", json_real(round_to(from, 0.001)));
    json_object_set_new(doc, "to_km", json_real(round_to(to, 0.001)));
    json_object_set_new(doc, "depth_km", json_real(round_to(depth, 0.001)));
    json_object_set_new(doc, "start", json_string(clock_format_rfc3339(start, ts, sizeof(ts))));
    json_object_set_new(doc, "end", json_string(clock_format_rfc3339(end, ts, sizeof(ts))));
    return SH_OK;
}

enum sh_err patrol_new(const json_t *body, const struct border *b, const char *own,
                       const char *partner, const char *id, const char *by, const char *node,
                       int64_t now_ms, json_t **out, struct sh_errinfo *info)
{
    const char *side = json_string_value(json_object_get(body, "side"));
    const json_t *national = json_object_get(body, "national");
    const json_t *share = json_object_get(body, "release_units");
    json_t *doc;
    char ts[32];
    int kind;
    enum sh_err rc;

    *out = NULL;
    if (!json_is_object(body))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(body, create_fields, info)) ||
        (rc = field_enum(body, "kind", patrol_kinds, 0, &kind, info)))
        return rc;
    if (national && !json_is_boolean(national))
        return err_set(info, SH_EINVAL, "national", "'national' must be true or false");
    if (share && !json_is_boolean(share))
        return err_set(info, SH_EINVAL, "release_units", "'release_units' must be true or false");
    if (side && strcmp(side, own) != 0)
        return err_set(info, SH_EFORBIDDEN, "side",
                       "a node plans its own side's patrols (%s); %s plans its own", own, side);
    if (kind > 0 && json_is_true(national))
        return err_set(info, SH_EINVAL, "national",
                       "a %s patrol is agreed with the partner and cannot be national",
                       patrol_kinds[kind]);
    if (kind <= 0 && json_is_true(share))
        return err_set(info, SH_EINVAL, "release_units",
                       "release_units is for COORDINATED and JOINT_NIGHT patrols, which cross");
    doc = json_deep_copy(body);
    clock_format_rfc3339(now_ms, ts, sizeof(ts));
    json_object_del(doc, "release_units");
    json_object_set_new(doc, "id", json_string(id));
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "side", json_string(own));
    json_object_set_new(doc, "origin", json_string(node));
    json_object_set_new(doc, "status", json_string("PLANNED"));
    if (kind < 0) {
        kind = 0;
        json_object_set_new(doc, "kind", json_string(patrol_kinds[0]));
    }
    if (!json_object_get(doc, "units"))
        json_object_set_new(doc, "units", json_array());
    json_object_set_new(doc, "national", json_boolean(json_is_true(national)));
    /* Coordinated and joint patrols are agreed with the partner: they cross. */
    if (kind != 0 && partner[0]) {
        json_object_set_new(doc, "release", json_pack("[s]", partner));
        if (json_is_true(share))
            json_object_set(doc, "shared_units", json_object_get(doc, "units"));
    } else {
        json_object_set_new(doc, "release", json_array());
    }
    json_object_set_new(doc, "by", json_string(by));
    json_object_set_new(doc, "created", json_string(ts));
    json_object_set_new(doc, "updated", json_string(ts));
    if ((rc = patrol_normalise(doc, b, info))) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return SH_OK;
}

enum sh_err patrol_patch(const json_t *current, const json_t *patch, const struct border *b,
                         int64_t now_ms, json_t **out, struct sh_errinfo *info)
{
    json_t *doc;
    char ts[32];
    enum sh_err rc;

    *out = NULL;
    if (!json_is_object(patch))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(patch, patch_fields, info)))
        return rc;
    if (json_object_size(patch) == 0)
        return err_set(info, SH_EINVAL, "", "the patch changes nothing");
    if (strcmp(json_string_value(json_object_get(current, "status")), "CANCELLED") == 0)
        return err_set(info, SH_EUNPROCESSABLE, "status", "the patrol is cancelled");
    doc = json_deep_copy(current);
    json_object_update(doc, (json_t *)patch);
    if (json_object_get(doc, "shared_units") && json_object_get(patch, "units"))
        json_object_set(doc, "shared_units", json_object_get(doc, "units"));
    json_object_set_new(doc, "version",
                        json_integer(json_integer_value(json_object_get(current, "version")) + 1));
    json_object_set_new(doc, "updated", json_string(clock_format_rfc3339(now_ms, ts, sizeof(ts))));
    if ((rc = patrol_normalise(doc, b, info))) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return SH_OK;
}

enum sh_err patrol_check(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    const json_t *shared = json_object_get(doc, "shared_units");

    json_object_set_new(doc, "units", shared ? json_deep_copy(shared) : json_array());
    return patrol_normalise(doc, b, info);
}

void patrol_window(const json_t *doc, int64_t *start_ms, int64_t *end_ms)
{
    const char *s = json_string_value(json_object_get(doc, "start"));
    const char *e = json_string_value(json_object_get(doc, "end"));

    *start_ms = *end_ms = 0;
    if (s)
        clock_parse_rfc3339(s, strlen(s), start_ms);
    if (e)
        clock_parse_rfc3339(e, strlen(e), end_ms);
}

json_t *patrol_notice_fields(const json_t *doc, enum patrol_change change)
{
    double depth = json_number_value(json_object_get(doc, "depth_km"));
    const char *details = depth > 0 ? "patrol operating up to the stated depth from the line"
                                    : "patrol along the line";

    if (change == PATROL_CHANGED)
        details = depth > 0 ? "CHANGED PLAN: patrol operating up to the stated depth from the "
                              "line; this replaces the earlier notice"
                            : "CHANGED PLAN: patrol along the line; this replaces the earlier "
                              "notice";
    else if (change == PATROL_CANCELLED)
        details = "CANCELLED: the patrol announced for this stretch and window will not take place";
    return json_pack("{s:s,s:O,s:O,s:O,s:O,s:I,s:s}", "activity", "PATROL", "from_km",
                     json_object_get(doc, "from_km"), "to_km", json_object_get(doc, "to_km"),
                     "start_time", json_object_get(doc, "start"), "end_time",
                     json_object_get(doc, "end"), "distance_m", (json_int_t)0, "details", details);
}

enum sh_err alarm_event_body(const json_t *alarm, double lat, double lon, int64_t time_ms,
                             const char *release_to, json_t **out, struct sh_errinfo *info)
{
    const char *sensor;
    char ts[32], title[160];
    int kind;
    enum sh_err rc;

    *out = NULL;
    if ((rc = field_string(alarm, "sensor", UNIT_UID_MAX, 1, &sensor, info)) ||
        (rc = field_enum(alarm, "kind", alarm_kinds, 1, &kind, info)))
        return rc;
    if (!unit_uid_valid(sensor))
        return err_set(info, SH_EINVAL, "sensor",
                       "'sensor' must be 1-64 of A-Z a-z 0-9 . _ : - (the sensor's id)");
    snprintf(title, sizeof(title), "%s: sensor %s", kind == 0 ? "Fence breach" : "Sensor alarm",
             sensor);
    *out = json_pack("{s:s,s:s,s:s,s:f,s:f,s:s,s:o}", "category",
                     kind == 0 ? "FENCE_BREACH" : "SENSOR_ALARM", "impact", "HIGH", "title", title,
                     "lat", lat, "lon", lon, "time", clock_format_rfc3339(time_ms, ts, sizeof(ts)),
                     "release", release_to ? json_pack("[s]", release_to) : json_array());
    return *out ? SH_OK : SH_ENOMEM;
}
