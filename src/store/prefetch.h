/*
 * prefetch.h: reads the journal ahead of the link's bulk scan, on a thread of its own.
 *
 * The link's sender reads its backlog on the event loop (link.c, pump_stream). A backlog that
 * is not in the OS page cache (older than the cache, or reclaimed from it) was read from disk
 * there, a page at a time: the loop sat in pread for up to 120 ms (off-CPU profile of a
 * million-entry catch-up), and every urgent frame and request behind it waited. This thread
 * reads the entries a scan is about to reach, through a connection of its own, so that the
 * loop finds their pages in the cache. It only reads; it changes nothing the loop relies on,
 * and a hint it has not caught up with costs the loop nothing but the old behaviour.
 *
 *   loop: prefetch_hint(pf, origin, after) ──> thread: SELECT ... origin_seq in (after,
 *         after + PREFETCH_AHEAD], in chunks (the index and the rows, as the scan reads them)
 */
#ifndef SARHAD_STORE_PREFETCH_H
#define SARHAD_STORE_PREFETCH_H

#include "core/err.h"

#include <stdint.h>

struct prefetch;

/* Starts the thread on its own read connection to `db_path`; entries of `origin` are read. */
enum sh_err prefetch_start(const char *db_path, const char *origin, struct prefetch **out,
                           struct sh_errinfo *info);

/* The scan is at origin_seq `after`: read on from there. Cheap; called on every pump. */
void prefetch_hint(struct prefetch *pf, int64_t after);

/* The origin_seq up to which entries have been read ahead (for tests). */
int64_t prefetch_done(struct prefetch *pf);

/* Stops and joins the thread, closes its connection. NULL is a no-op. */
void prefetch_stop(struct prefetch *pf);

#endif
