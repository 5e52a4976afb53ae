/*
 * field.c: typed, self-explaining JSON field access.
 */
#include "domain/field.h"

#include "core/clock.h"

#include <math.h>
#include <string.h>

void field_set(json_t *obj, const char *key, json_t *value)
{
    json_t *old = json_object_get(obj, key);

    if (old && json_is_number(old) && json_is_number(value)) {
        double a = json_number_value(old), b = json_number_value(value);
        if (json_typeof(old) == json_typeof(value) &&
            fabs(a - b) <= 1e-12 * fmax(1.0, fmax(fabs(a), fabs(b)))) {
            json_decref(value);
            return;
        }
    } else if (old && json_equal(old, value)) {
        json_decref(value);
        return;
    }
    json_object_set_new(obj, key, value);
}

enum sh_err field_only(const json_t *obj, const char *const *allowed, struct sh_errinfo *info)
{
    const char *key;
    json_t *v;

    json_object_foreach((json_t *)obj, key, v)
    {
        if (field_lookup(allowed, key) < 0)
            return err_set(info, SH_EINVAL, key, "unknown field '%.60s'", key);
    }
    return SH_OK;
}

int field_lookup(const char *const *names, const char *s)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

static enum sh_err missing(const char *key, int required, struct sh_errinfo *info)
{
    return required ? err_set(info, SH_EINVAL, key, "'%s' is required", key) : SH_OK;
}

enum sh_err field_string(const json_t *obj, const char *key, size_t maxlen, int required,
                         const char **out, struct sh_errinfo *info)
{
    const json_t *v = json_object_get(obj, key);
    const char *s;
    size_t len;

    *out = NULL;
    if (v == NULL || json_is_null(v))
        return missing(key, required, info);
    if (!json_is_string(v))
        return err_set(info, SH_EINVAL, key, "'%s' must be a string", key);
    s = json_string_value(v);
    len = json_string_length(v);
    if (len > maxlen)
        return err_set(info, SH_EINVAL, key, "'%s' is longer than %zu bytes", key, maxlen);
    if (strlen(s) != len)
        return err_set(info, SH_EINVAL, key, "'%s' contains a NUL character", key);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return err_set(info, SH_EINVAL, key, "'%s' contains a control character", key);
    }
    if (required && len == 0)
        return err_set(info, SH_EINVAL, key, "'%s' must not be empty", key);
    *out = s;
    return SH_OK;
}

enum sh_err field_enum(const json_t *obj, const char *key, const char *const *names, int required,
                       int *out, struct sh_errinfo *info)
{
    const json_t *v = json_object_get(obj, key);
    char list[256];
    size_t o = 0;

    *out = -1;
    if (v == NULL || json_is_null(v))
        return missing(key, required, info);
    if (json_is_string(v) && (*out = field_lookup(names, json_string_value(v))) >= 0)
        return SH_OK;
    list[0] = '\0';
    for (int i = 0; names[i] && o < sizeof(list); i++)
        o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", names[i]);
    return err_set(info, SH_EINVAL, key, "'%s' must be one of %s", key, list);
}

enum sh_err field_number(const json_t *obj, const char *key, double min, double max, int required,
                         double *out, int *present, struct sh_errinfo *info)
{
    const json_t *v = json_object_get(obj, key);
    double d;

    if (present)
        *present = 0;
    if (v == NULL || json_is_null(v))
        return missing(key, required, info);
    if (!json_is_number(v))
        return err_set(info, SH_EINVAL, key, "'%s' must be a number", key);
    d = json_number_value(v);
    if (!isfinite(d) || d < min || d > max)
        return err_set(info, SH_EINVAL, key, "'%s' must be in [%g, %g]", key, min, max);
    *out = d;
    if (present)
        *present = 1;
    return SH_OK;
}

enum sh_err field_time(const json_t *obj, const char *key, int required, int64_t *out, int *present,
                       struct sh_errinfo *info)
{
    const json_t *v = json_object_get(obj, key);

    if (present)
        *present = 0;
    if (v == NULL || json_is_null(v))
        return missing(key, required, info);
    if (!json_is_string(v) ||
        clock_parse_rfc3339(json_string_value(v), json_string_length(v), out) < 0)
        return err_set(info, SH_EINVAL, key,
                       "'%s' must be an RFC 3339 date-time such as 2026-11-28T14:02:00Z", key);
    if (present)
        *present = 1;
    return SH_OK;
}
