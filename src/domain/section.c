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
static const char *const patch_fields[] = {"side", "command", "impact", "fence", NULL};

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
    int impact, fence;
    json_t *doc, *sides, *mine;
    enum sh_err rc;
    char ts[32];

    *out = NULL;
    if (!json_is_object(patch))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(patch, patch_fields, info)) ||
        (rc = field_string(patch, "command", 120, 0, &command, info)) ||
        (rc = field_enum(patch, "impact", section_impacts, 0, &impact, info)) ||
        (rc = field_enum(patch, "fence", section_fences, 0, &fence, info)))
        return rc;
    if (json_object_get(patch, "side")) {
        rc = field_string(patch, "side", 3, 1, &side, info);
        if (rc)
            return rc;
    }
    if (command == NULL && impact < 0 && fence < 0)
        return err_set(info, SH_EINVAL, "",
                       "the patch changes nothing: give command, impact "
                       "or fence");
    sides = json_object_get(current, "sides");
    if (json_object_get(sides, side) == NULL)
        return err_set(info, SH_EINVAL, "side", "'%s' is not a side of this border", side);
    if (strcmp(side, own_country) != 0)
        return err_set(info, SH_EFORBIDDEN, "side",
                       "side %s belongs to the partner; a node changes only its own side (%s)",
                       side, own_country);
    doc = json_deep_copy(current);
    mine = json_object_get(json_object_get(doc, "sides"), side);
    if (command)
        json_object_set_new(mine, "command", json_string(command));
    if (impact >= 0)
        json_object_set_new(mine, "impact", json_string(section_impacts[impact]));
    if (fence >= 0)
        json_object_set_new(mine, "fence", json_string(section_fences[fence]));
    json_object_set_new(doc, "version",
                        json_integer(json_integer_value(json_object_get(current, "version")) + 1));
    json_object_set_new(doc, "updated", json_string(clock_format_rfc3339(now_ms, ts, sizeof(ts))));
    *out = doc;
    return SH_OK;
}
