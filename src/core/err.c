/*
 * err.c: names and messages of the project-wide error codes.
 */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *code;
    const char *text;
} err_table[SH_ECOUNT] = {
    [SH_OK] = {"ok", "success"},
    [SH_ENOMEM] = {"no_memory", "out of memory"},
    [SH_EIO] = {"io", "input/output error"},
    [SH_EINVAL] = {"invalid", "invalid input"},
    [SH_ENOTFOUND] = {"not_found", "not found"},
    [SH_ECONFLICT] = {"conflict", "version conflict"},
    [SH_EEXISTS] = {"exists", "already exists"},
    [SH_EDB] = {"database", "database error"},
    [SH_ECRYPTO] = {"crypto", "cryptographic failure"},
    [SH_ELIMIT] = {"limit", "limit exceeded"},
    [SH_EAUTH] = {"unauthorized", "missing or invalid credentials"},
    [SH_EFORBIDDEN] = {"forbidden", "not allowed for this role"},
    [SH_ESCHEMA] = {"schema", "database schema is newer than this binary"},
    [SH_EUNPROCESSABLE] = {"unprocessable", "request violates a rule"},
};

const char *err_code(enum sh_err err)
{
    if ((unsigned)err >= SH_ECOUNT)
        return "unknown";
    return err_table[err].code;
}

const char *err_str(enum sh_err err)
{
    if ((unsigned)err >= SH_ECOUNT)
        return "unknown error";
    return err_table[err].text;
}

enum sh_err err_set(struct sh_errinfo *info, enum sh_err err, const char *field, const char *fmt,
                    ...)
{
    va_list ap;

    if (info == NULL)
        return err;
    snprintf(info->field, sizeof(info->field), "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(info->message, sizeof(info->message), fmt, ap);
    va_end(ap);
    return err;
}
