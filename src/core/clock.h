/*
 * clock.h: the node's notion of "now", injectable so that deadlines, staleness and backoff are
 * tested without sleeping.
 *
 * Production code calls clock_now_ms(); tests call clock_set_fixed() / clock_advance() to drive
 * a manual clock. The clock is process-wide: nodes are one per process.
 */
#ifndef SARHAD_CORE_CLOCK_H
#define SARHAD_CORE_CLOCK_H

#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC (wall clock, or the manual clock when set). */
int64_t clock_now_ms(void);

/* Switches to a manual clock that reads `ms` until changed. */
void clock_set_fixed(int64_t ms);

/* Moves the manual clock forward by `ms`. No effect on the wall clock. */
void clock_advance(int64_t ms);

/* Returns to the wall clock. */
void clock_use_wall(void);

/* Formats `ms` as RFC 3339 UTC with milliseconds ("2026-11-28T14:02:00.000Z") into `out`
 * (at least 25 bytes). Returns `out`. */
char *clock_format_rfc3339(int64_t ms, char *out, size_t outlen);

/* Parses an RFC 3339 date-time ("2026-11-28T14:02:00Z", optional fraction, 'Z' or +hh:mm)
 * of `len` bytes. Returns 0 and sets *ms on success, -1 if malformed. */
int clock_parse_rfc3339(const char *s, size_t len, int64_t *ms);

#endif
