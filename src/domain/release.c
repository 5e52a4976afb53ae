/*
 * release.c: parsing and normalising release sets.
 */
#include "domain/release.h"

#include <stdlib.h>
#include <string.h>

int release_code_valid(const char *s)
{
    for (int i = 0; i < 3; i++)
        if (s[i] < 'A' || s[i] > 'Z')
            return 0;
    return s[3] == '\0';
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

enum sh_err release_from_json(const json_t *arr, const char *field, char out[RELEASE_TEXT_MAX],
                              struct sh_errinfo *info)
{
    char codes[RELEASE_MAX_COUNTRIES][4];
    size_t n = 0, i, o = 0;
    const json_t *v;

    out[0] = '\0';
    if (arr == NULL || json_is_null(arr))
        return SH_OK;
    if (!json_is_array(arr))
        return err_set(info, SH_EINVAL, field, "must be an array of ISO 3166-1 alpha-3 codes");
    if (json_array_size(arr) > RELEASE_MAX_COUNTRIES)
        return err_set(info, SH_EINVAL, field, "at most %d countries", RELEASE_MAX_COUNTRIES);
    json_array_foreach(arr, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || strlen(s) != 3 || !release_code_valid(s))
            return err_set(info, SH_EINVAL, field,
                           "item %zu is not an ISO 3166-1 alpha-3 code (three capitals)", i);
        memcpy(codes[n++], s, 4);
    }
    qsort(codes, n, sizeof(codes[0]), cmp_code);
    for (i = 0; i < n; i++) {
        if (i > 0 && strcmp(codes[i], codes[i - 1]) == 0)
            continue;
        if (o > 0)
            out[o++] = ',';
        memcpy(out + o, codes[i], 3);
        o += 3;
    }
    out[o] = '\0';
    return SH_OK;
}

int release_contains(const char *release, const char *country)
{
    size_t n = strlen(country);

    for (const char *p = release; *p;) {
        const char *comma = strchr(p, ',');
        size_t len = comma ? (size_t)(comma - p) : strlen(p);
        if (len == n && strncmp(p, country, n) == 0)
            return 1;
        p += len + (comma ? 1 : 0);
    }
    return 0;
}
