/*
 * err.h: the project-wide error codes.
 *
 * Every function that can fail returns an `enum sh_err` (SH_OK is 0) and passes its results
 * through out-parameters. Errors that come from outside input carry the offending field in a
 * `struct sh_errinfo` so that the HTTP layer can answer {"error":{"code","message","field"}}.
 */
#ifndef SARHAD_CORE_ERR_H
#define SARHAD_CORE_ERR_H

#include <stddef.h>

enum sh_err {
    SH_OK = 0,
    SH_ENOMEM,         /* allocation failed */
    SH_EIO,            /* file or socket I/O failed */
    SH_EINVAL,         /* input is malformed or a field is out of range */
    SH_ENOTFOUND,      /* no such record */
    SH_ECONFLICT,      /* stale version or concurrent change */
    SH_EEXISTS,        /* already there (initialised directory, duplicate name) */
    SH_EDB,            /* the database failed */
    SH_ECRYPTO,        /* a cryptographic operation failed */
    SH_ELIMIT,         /* a bound was hit (size, count, rate) */
    SH_EAUTH,          /* missing or bad credentials */
    SH_EFORBIDDEN,     /* authenticated but not allowed */
    SH_ESCHEMA,        /* the database schema is newer than this binary */
    SH_EUNPROCESSABLE, /* well-formed but violates a rule (closing without a reason) */
    SH_ECOUNT
};

/* Detail about an error caused by outside input. `field` is "" when no single field is at
 * fault. Both strings are NUL-terminated and truncated to fit. */
struct sh_errinfo {
    char field[64];
    char message[256];
};

/* A stable lower-case code for `err` ("invalid", "not_found", ...), for logs and JSON. */
const char *err_code(enum sh_err err);

/* A short English description of `err`. */
const char *err_str(enum sh_err err);

/* Fills `info` (which may be NULL) with `field` and a printf-style message; returns `err`, so
 * that callers can write `return err_set(info, SH_EINVAL, "lat", "must be in [-90, 90]")`. */
enum sh_err err_set(struct sh_errinfo *info, enum sh_err err, const char *field, const char *fmt,
                    ...) __attribute__((format(printf, 4, 5)));

#endif
