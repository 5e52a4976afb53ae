/*
 * section.c: section documents.
 */
#include "domain/section.h"

#include "core/clock.h"
#include "domain/field.h"

#include <math.h>
#include <string.h>

const char *const section_impacts[] = {"LOW", "MEDIUM", "HIGH", "CRITICAL", NULL};
const char *const section_fences[] = {"NONE",     "PLANNED", "UNDER_CONSTRUCTION",
                                      "COMPLETE", "DAMAGED", NULL};
static const char *const patch_fields[] = {"side",     "command",   "impact",         "fence",
                                           "fence_km", "fence_due", "critical_until", NULL};

static json_t *side_initial(void)
{
    return json_pack("{s:s,s:s,s:s}", "command", "", "impact", "LOW", "fence", "NONE");
}

json_t *section_initial(const struct border *b, int id, int64_t now_ms)
{
    double from, to;
    char ts[32];

    border_section_range(b, id, &from, &to);
    return json_pack("{s:i,s:f,s:f,s:i,s:s,s:{s:o,s:o}}", "id", id, "from_km",
                     round(from * 1000) / 1000, "to_km", round(to * 1000) / 1000, "version", 1,
                     "updated", clock_format_rfc3339(now_ms, ts, sizeof(ts)), "sides", b->left,
                     side_initial(), b->right, side_initial());
}

enum sh_err section_patch(const json_t *current, const json_t *patch, const char *own_country,
                          int64_t now_ms, json_t **out, struct sh_errinfo *info)
{
    const char *side = own_country, *command;
    int impact, fence, has_km, has_due, has_until;
    double km = 0, length;
    int64_t due = 0, until = 0;
    json_t *doc, *sides, *mine;
    enum sh_err rc;
    char ts[32];

    *out = NULL;
    if (!json_is_object(patch))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(patch, patch_fields, info)) ||
        (rc = field_string(patch, "command", 120, 0, &command, info)) ||
        (rc = field_enum(patch, "impact", section_impacts, 0, &impact, info)) ||
        (rc = field_enum(patch, "fence", section_fences, 0, &fence, info)) ||
        (rc = field_number(patch, "fence_km", 0, 1e6, 0, &km, &has_km, info)) ||
        (rc = field_time(patch, "fence_due", 0, &due, &has_due, info)) ||
        (rc = field_time(patch, "critical_until", 0, &until, &has_until, info)))
        return rc;
    length = json_number_value(json_object_get(current, "to_km")) -
             json_number_value(json_object_get(current, "from_km"));
    if (has_km && km > length + 1e-9)
        return err_set(info, SH_EINVAL, "fence_km",
                       "fence_km (%.3f) is more than the section's length (%.3f km)", km, length);
    if (json_object_get(patch, "side")) {
        rc = field_string(patch, "side", 3, 1, &side, info);
        if (rc)
            return rc;
    }
    if (command == NULL && impact < 0 && fence < 0 && !has_km && !has_due && !has_until)
        return err_set(info, SH_EINVAL, "",
                       "the patch changes nothing: give command, impact, fence, fence_km, "
                       "fence_due or critical_until");
    if (has_until && until <= now_ms)
        return err_set(info, SH_EINVAL, "critical_until", "critical_until must be in the future");
    sides = json_object_get(current, "sides");
    if (json_object_get(sides, side) == NULL)
        return err_set(info, SH_EINVAL, "side", "'%s' is not a side of this border", side);
    if (strcmp(side, own_country) != 0)
        return err_set(info, SH_EFORBIDDEN, "side",
                       "side %s belongs to the partner; a node changes only its own side (%s)",
                       side, own_country);
    {
        const char *now_impact =
            json_string_value(json_object_get(json_object_get(sides, side), "impact"));
        if (has_until && impact != 3 &&
            !(impact < 0 && now_impact && strcmp(now_impact, "CRITICAL") == 0))
            return err_set(info, SH_EINVAL, "critical_until",
                           "critical_until goes with impact CRITICAL (a temporary raise)");
    }
    doc = json_deep_copy(current);
    mine = json_object_get(json_object_get(doc, "sides"), side);
    if (command)
        json_object_set_new(mine, "command", json_string(command));
    if (impact >= 0) {
        /* CRITICAL is temporary: it records since when and, if given, until when; the level
         * before it is kept to fall back to (section_effective_impact). */
        const char *before = section_effective_impact(mine, now_ms);
        if (impact == 3 && strcmp(before, "CRITICAL") != 0) { /* a fresh raise */
            json_object_set_new(mine, "base_impact", json_string(before));
            json_object_set_new(mine, "critical_since",
                                json_string(clock_format_rfc3339(now_ms, ts, sizeof(ts))));
            json_object_del(mine, "critical_until");
        }
        if (impact != 3) {
            json_object_del(mine, "base_impact");
            json_object_del(mine, "critical_since");
            json_object_del(mine, "critical_until");
        }
        json_object_set_new(mine, "impact", json_string(section_impacts[impact]));
    }
    if (has_until)
        json_object_set_new(mine, "critical_until",
                            json_string(clock_format_rfc3339(until, ts, sizeof(ts))));
    if (fence >= 0) {
        json_object_set_new(mine, "fence", json_string(section_fences[fence]));
        if (fence == 3)
            json_object_set_new(mine, "fence_km", json_real(round(length * 1000) / 1000));
        else if (fence <= 1)
            json_object_set_new(mine, "fence_km", json_real(0));
    }
    if (has_km)
        json_object_set_new(mine, "fence_km", json_real(round(km * 1000) / 1000));
    if (has_due)
        json_object_set_new(mine, "fence_due",
                            json_string(clock_format_rfc3339(due, ts, sizeof(ts))));
    json_object_set_new(doc, "version",
                        json_integer(json_integer_value(json_object_get(current, "version")) + 1));
    json_object_set_new(doc, "updated", json_string(clock_format_rfc3339(now_ms, ts, sizeof(ts))));
    *out = doc;
    return SH_OK;
}

const char *section_effective_impact(const json_t *side, int64_t now_ms)
{
    const char *impact = json_string_value(json_object_get(side, "impact"));
    const char *until = json_string_value(json_object_get(side, "critical_until"));
    const char *base = json_string_value(json_object_get(side, "base_impact"));
    int64_t t;

    if (impact == NULL)
        return "LOW";
    if (strcmp(impact, "CRITICAL") == 0 && until &&
        clock_parse_rfc3339(until, strlen(until), &t) == 0 && now_ms >= t)
        return base ? base : "LOW";
    return impact;
}

void section_fence_km(const json_t *section, const char *country, double km[SECTION_FENCES])
{
    const json_t *side = json_object_get(json_object_get(section, "sides"), country);
    const char *fence = json_string_value(json_object_get(side, "fence"));
    double length = json_number_value(json_object_get(section, "to_km")) -
                    json_number_value(json_object_get(section, "from_km"));
    double done = json_number_value(json_object_get(side, "fence_km"));
    int f = fence ? field_lookup(section_fences, fence) : 0;

    for (int i = 0; i < SECTION_FENCES; i++)
        km[i] = 0;
    if (f < 0)
        f = 0;
    if (f == 2) { /* under construction: what is built counts as complete */
        done = fmin(fmax(done, 0), length);
        km[3] += done;
        km[2] += length - done;
    } else {
        km[f] += length;
    }
}

json_t *section_fence_release(const json_t *sections, const char *own, const char *partner,
                              const char *node, int64_t version, int64_t now_ms)
{
    json_t *list = json_array(), *s;
    char ts[32];
    size_t i;

    json_array_foreach(sections, i, s)
    {
        const json_t *side = json_object_get(json_object_get(s, "sides"), own);
        json_t *row = json_pack("{s:O,s:O,s:O,s:O,s:f}", "id", json_object_get(s, "id"), "from_km",
                                json_object_get(s, "from_km"), "to_km", json_object_get(s, "to_km"),
                                "fence", json_object_get(side, "fence"), "fence_km",
                                json_number_value(json_object_get(side, "fence_km")));
        if (json_object_get(side, "fence_due"))
            json_object_set(row, "fence_due", json_object_get(side, "fence_due"));
        json_array_append_new(list, row);
    }
    return json_pack("{s:s+,s:I,s:s,s:s,s:s,s:o,s:[s]}", "id", "fence-", own, "version",
                     (json_int_t)version, "origin", node, "side", own, "time",
                     clock_format_rfc3339(now_ms, ts, sizeof(ts)), "sections", list, "release",
                     partner);
}

enum sh_err section_fence_check(const json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    static const char *const row_fields[] = {"id",       "from_km",   "to_km", "fence",
                                             "fence_km", "fence_due", NULL};
    const json_t *list = json_object_get(doc, "sections"), *row;
    const char *side, *s;
    double num;
    int64_t t;
    int f;
    size_t i;
    enum sh_err rc;

    if ((rc = field_string(doc, "side", 3, 1, &side, info)) ||
        (rc = field_time(doc, "time", 1, &t, NULL, info)))
        return rc;
    if (!border_has_side(b, side))
        return err_set(info, SH_EINVAL, "side", "side must be %s or %s", b->left, b->right);
    if (!json_is_array(list) || json_array_size(list) > (size_t)border_section_count(b))
        return err_set(info, SH_EINVAL, "sections",
                       "'sections' must be an array of at most the border's %d sections",
                       border_section_count(b));
    json_array_foreach(list, i, row)
    {
        if (!json_is_object(row) || field_only(row, row_fields, info) ||
            field_number(row, "id", 1, border_section_count(b), 1, &num, NULL, info) ||
            field_enum(row, "fence", section_fences, 1, &f, info) ||
            field_number(row, "fence_km", 0, 1000, 0, &num, NULL, info) ||
            field_string(row, "fence_due", 40, 0, &s, info)) {
            struct sh_errinfo why = *info;
            return err_set(info, SH_EINVAL, "sections", "sections[%zu]: %s", i,
                           json_is_object(row) ? why.message : "not an object");
        }
    }
    return SH_OK;
}
