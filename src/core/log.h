/*
 * log.h: one logfmt line per notable happening, to stderr.
 *
 *   ts=2026-11-28T14:02:00.123Z level=info event=http.listen addr=127.0.0.1:8080
 *
 * `event` is a dotted name a reader can grep for; the rest are key=value pairs formatted by the
 * caller. Any value that may come from outside (a user name, a remote error) goes through
 * log_quote() so that it cannot forge fields or lines. Never pass a token, key or password.
 * Lines are written with one write(2) so that threads do not interleave.
 */
#ifndef SARHAD_CORE_LOG_H
#define SARHAD_CORE_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

/* Lines below `level` are dropped. Default LOG_INFO. */
void log_set_level(enum log_level level);

/* Parses "debug", "info", "warn" or "error". Returns 0, or -1 if unknown. */
int log_parse_level(const char *name, enum log_level *level);

/* Writes one line: `event` then the printf-formatted key=value pairs in `fmt` (may be ""). */
void log_write(enum log_level level, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Writes `s` (at most `len` bytes) as a double-quoted logfmt value into `out` with `"`, `\`
 * and control bytes escaped, truncated to fit `outlen`. Returns `out`. */
char *log_quote(const char *s, size_t len, char *out, size_t outlen);

#define log_debug(ev, ...) log_write(LOG_DEBUG, ev, __VA_ARGS__)
#define log_info(ev, ...) log_write(LOG_INFO, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_write(LOG_WARN, ev, __VA_ARGS__)
#define log_error(ev, ...) log_write(LOG_ERROR, ev, __VA_ARGS__)

#endif
