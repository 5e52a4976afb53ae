/*
 * writer.h: durable writes, off the event loop, with group commit.
 *
 * The event loop must never wait for an fsync. It hands each write (a `struct writer_op`) to the
 * writer thread, which owns the only write connection. The thread takes every queued op,
 * opens one transaction, applies each op under its own savepoint (a failing op is rolled back
 * alone, the others stay), commits once and then hands the ops back. The loop runs each op's
 * `done` callback after the commit is durable, so an API answers success only then.
 *
 *   loop: writer_submit(op) ──queue──> thread: BEGIN; apply…; COMMIT ──done list──> notify()
 *   loop (woken by notify): writer_complete() ─> op->done(op) for each finished op
 *
 * Urgent ops (the link's urgent stream, FLASH messages) are taken before ordinary ops already
 * queued, in a transaction of their own; one that arrives while a batch of ordinary ops is
 * being applied cuts it short once 2 ms of them are applied, is applied in that transaction
 * and commits with it (the rest goes back first in the queue), so it waits for a few ops and
 * one commit, not for a whole batch and two. Until their done callbacks have run they are
 * counted (writer_urgent_open), and the link holds bulk work back meanwhile.
 *
 * A second thread, on its own connection, checkpoints the WAL into the database (writer.c), so
 * that no commit waits for a checkpoint. Both threads run at a lower priority than the loop
 * (nice 6 and 10): on saturated cores the loop's small steps go first.
 *
 * store_tx_run() applies one op synchronously in its own transaction, for the CLI.
 */
#ifndef SARHAD_STORE_WRITER_H
#define SARHAD_STORE_WRITER_H

#include "core/err.h"
#include "store/journal.h"

#include <stdint.h>

/* Runs inside a write transaction on the writer thread (or in store_tx_run). Returns SH_OK or
 * an error with `info` filled; on error everything the function wrote is rolled back. */
typedef enum sh_err (*store_apply_fn)(struct store_tx *tx, void *arg, struct sh_errinfo *info);

/* Undoes what the running op has written so far, journal entries included, and lets it go on
 * to write something else in their place (the link refusing an entry the store would not
 * take). */
enum sh_err store_tx_undo(struct store_tx *tx);

struct writer_op {
    store_apply_fn apply;
    void *arg;
    void (*done)(struct writer_op *op); /* on the loop thread, after commit */
    int urgent; /* committed before ordinary ops already queued (order kept within each kind) */
    enum sh_err result;
    struct sh_errinfo info;
    struct writer_op *next; /* private to the writer */
};

#define WRITER_LATENCY_BUCKETS 12

/* Commit statistics, read by /metrics. Bucket i counts commits taking <= writer_bucket_ms(i). */
struct writer_stats {
    uint64_t commits;
    uint64_t ops;
    uint64_t buckets[WRITER_LATENCY_BUCKETS];
    double sum_ms;
    int64_t committed_seq; /* journal head after the last commit */
};

struct writer;

/* Opens `db_path` for writing and starts the thread. `notify(notify_arg)` is called from the
 * writer thread whenever finished ops are waiting: it must only wake the loop. */
enum sh_err writer_start(const char *db_path, const char *node, int max_batch,
                         void (*notify)(void *), void *notify_arg, struct writer **out,
                         struct sh_errinfo *info);

/* Queues `op` (borrowed: it must live until its done callback). Thread-safe. */
void writer_submit(struct writer *w, struct writer_op *op);

/* On the loop thread: runs the done callbacks of every finished op. */
void writer_complete(struct writer *w);

/* Urgent ops submitted whose done callback has not run yet: while there are any, the link holds
 * back bulk work (link.c, bulk_held), so that the CPU and the writer go to them. Thread-safe. */
int writer_urgent_open(struct writer *w);
/* Copies the statistics (thread-safe). */
void writer_get_stats(struct writer *w, struct writer_stats *out);

/* Upper bound of latency bucket `i` in milliseconds (the last is +Inf). */
double writer_bucket_ms(int i);

/* Commits what is queued, stops the thread, runs the remaining done callbacks, frees `w`.
 * NULL is a no-op. */
void writer_stop(struct writer *w);

/* Applies `fn` in one transaction on `db` now (BEGIN IMMEDIATE ... COMMIT). */
enum sh_err store_tx_run(struct store_db *db, const char *node, store_apply_fn fn, void *arg,
                         struct sh_errinfo *info);

#endif
