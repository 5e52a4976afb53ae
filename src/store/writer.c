/*
 * writer.c: the writer thread and group commit (see writer.h for the flow).
 *
 * Invariants: only this thread writes through `w->db`; `queue` and `done` are guarded by
 * `mu`; an op is on exactly one of: the caller, `queue`, the thread's batch, `done`.
 *
 * Checkpoints: SQLite's automatic checkpoint runs inside the COMMIT that crosses its threshold,
 * copying the WAL into the database and fsyncing it on the writer thread; under load that
 * held a commit (and every urgent write queued behind it) for 100 ms and more. Here the
 * writer's WAL hook only counts and wakes a second thread, which checkpoints (PASSIVE) through
 * its own connection while the writer goes on committing. SQLite starts the WAL over only once
 * a checkpoint has copied all of it, which one running beside a busy writer rarely does: past
 * twice the threshold the writer checkpoints itself, as SQLite would have, copying only what
 * the other thread has not (a few MiB), and the WAL starts over. `ckpt_*` are guarded by `mu`.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "store/writer.h"

#include "core/clock.h"
#include "core/log.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct writer {
    struct store_db *db;
    char node[64];
    int max_batch;
    void (*notify)(void *);
    void *notify_arg;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct writer_op *queue, *queue_tail;
    struct writer_op *urgent, *urgent_tail; /* taken before `queue` */
    struct writer_op *done, *done_tail;
    atomic_int urgent_open;    /* urgent ops submitted whose done callback has not run */
    atomic_int urgent_waiting; /* `urgent` is not empty: a batch of ordinary ops stops early */
    int stopping;
    struct writer_stats stats;
    struct store_db *ckpt_db; /* the checkpointer's connection */
    pthread_t ckpt_thread;
    pthread_cond_t ckpt_cv;
    int ckpt_wanted;     /* the WAL has grown past WRITER_CHECKPOINT_PAGES */
    double hook_ckpt_ms; /* the writer's own checkpoint in the last commit (writer thread only) */
};

#define WRITER_CUT_MS 2.0 /* ordinary work (ms) applied before an urgent op may cut the batch */
#define WRITER_CHECKPOINT_PAGES 4000 /* WAL pages (4 KiB) before a checkpoint: about 16 MiB */
/* Nice values of the writer thread and the checkpointer (this thread's only; raising it needs
 * no privilege). When the cores are saturated (a catch-up), the loop, which reads the link and
 * answers requests in small steps, gets the CPU as soon as it has work; the writer, which
 * always has work then, takes the rest and makes its group commits larger. Measured: FLASH
 * round trips behind a backlog went from p99 ~58 to ~46 ms at the same catch-up rate. */
#define WRITER_NICE 6
#define WRITER_CKPT_NICE 10
#define WRITER_WAL_MAX_PAGES (2 * WRITER_CHECKPOINT_PAGES) /* then the writer checkpoints */
#define WRITER_SLOW_MS 100.0 /* a transaction longer than this is logged, with where it went */

static const double bucket_ms[WRITER_LATENCY_BUCKETS] = {0.5, 1,  2,   4,   8,    16,
                                                         32,  64, 128, 256, 1024, 1e300};

double writer_bucket_ms(int i)
{
    return bucket_ms[i];
}

static double mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

enum sh_err store_tx_undo(struct store_tx *tx)
{
    tx->head_seq = tx->undo_seq;
    memcpy(tx->head_hash, tx->undo_hash, ENTRY_HASH_LEN);
    return db_run(tx->db, "ROLLBACK TO op");
}

/* Runs `fn` under a savepoint, so that its failure (or store_tx_undo) undoes only its own
 * writes. */
static enum sh_err apply_under_savepoint(struct store_tx *tx, store_apply_fn fn, void *arg,
                                         struct sh_errinfo *info)
{
    enum sh_err rc;

    tx->undo_seq = tx->head_seq;
    memcpy(tx->undo_hash, tx->head_hash, ENTRY_HASH_LEN);
    if (db_run(tx->db, "SAVEPOINT op"))
        return SH_EDB;
    rc = fn(tx, arg, info);
    if (rc != SH_OK)
        store_tx_undo(tx);
    db_run(tx->db, "RELEASE op");
    return rc;
}

static void apply_one(struct store_tx *tx, struct writer_op *op)
{
    memset(&op->info, 0, sizeof(op->info));
    op->result = apply_under_savepoint(tx, op->apply, op->arg, &op->info);
}

/* Moves up to `max` ops from the list (*head, *tail) to the end of (*bhead, *btail). */
static int take(struct writer_op **head, struct writer_op **tail, int max, struct writer_op **bhead,
                struct writer_op **btail)
{
    int n = 0;

    while (*head && n < max) {
        struct writer_op *op = *head;
        *head = op->next;
        op->next = NULL;
        if (*btail)
            (*btail)->next = op;
        else
            *bhead = op;
        *btail = op;
        n++;
    }
    if (*head == NULL)
        *tail = NULL;
    return n;
}

/* One transaction over `batch`. On commit failure every op of it fails with SH_EDB. A batch
 * of ordinary ops stops early when an urgent op arrives: once WRITER_CUT_MS of it is applied
 * (so that a stream of urgent ops cannot bring ordinary ones down to one per commit; in time,
 * not ops, as an op may be one row or, for an acknowledgement, hundreds), the urgent ops
 * waiting are applied in this transaction and it commits: they wait for a few ops and one
 * commit, not for the whole batch and two. The ordinary ops not applied, from `rest`, go back
 * to the head of the queue; the batch list is then what was applied, up to *last. */
static struct writer_op *commit_batch(struct writer *w, struct writer_op *batch,
                                      struct writer_op **last)
{
    struct writer_op *rest = NULL;
    struct store_tx tx = {.db = w->db, .node = w->node, .now_ms = clock_now_ms()};
    double t0 = mono_ms();
    int n = 0;

    if (db_run(w->db, "BEGIN IMMEDIATE") || journal_head(w->db, &tx.head_seq, tx.head_hash)) {
        db_exec(w->db, "ROLLBACK");
        for (struct writer_op *op = batch; op; op = op->next)
            op->result = err_set(&op->info, SH_EDB, "", "the database refused the write");
        return NULL;
    }
    for (struct writer_op *op = batch, *prev = NULL; op; prev = op, op = op->next) {
        if (rest == NULL && prev && !op->urgent &&
            atomic_load_explicit(&w->urgent_waiting, memory_order_relaxed) &&
            mono_ms() - t0 >= WRITER_CUT_MS) {
            struct writer_op *urgent = NULL, *urgent_last = NULL;
            rest = op;
            pthread_mutex_lock(&w->mu);
            take(&w->urgent, &w->urgent_tail, w->max_batch, &urgent, &urgent_last);
            atomic_store(&w->urgent_waiting, w->urgent != NULL);
            pthread_mutex_unlock(&w->mu);
            prev->next = urgent;
            *last = urgent ? urgent_last : prev;
            if (urgent == NULL)
                break;
            op = urgent;
        }
        /* SQLITE_FULL, IOERR, NOMEM... can roll back the whole transaction: what would run
         * after that would commit on its own, outside the batch. Fail it instead. */
        if (sqlite3_get_autocommit(db_handle(w->db))) {
            op->result = err_set(&op->info, SH_EDB, "", "the transaction was aborted");
            continue;
        }
        apply_one(&tx, op);
        n++;
    }
    double t_applied = mono_ms();
    w->hook_ckpt_ms = 0;
    if (db_run(w->db, "COMMIT")) {
        db_exec(w->db, "ROLLBACK");
        for (struct writer_op *op = batch; op; op = op->next)
            if (op->result == SH_OK)
                op->result = err_set(&op->info, SH_EDB, "", "commit failed");
        return rest;
    }
    double dt = mono_ms() - t0;
    if (dt > WRITER_SLOW_MS)
        log_warn("db.slow_commit", "ms=%.1f ops=%d apply_ms=%.1f commit_ms=%.1f checkpoint_ms=%.1f",
                 dt, n, t_applied - t0, dt - (t_applied - t0) - w->hook_ckpt_ms, w->hook_ckpt_ms);
    pthread_mutex_lock(&w->mu);
    w->stats.commits++;
    w->stats.ops += (uint64_t)n;
    w->stats.sum_ms += dt;
    for (int i = 0; i < WRITER_LATENCY_BUCKETS; i++)
        if (dt <= bucket_ms[i])
            w->stats.buckets[i]++;
    w->stats.committed_seq = tx.head_seq;
    pthread_mutex_unlock(&w->mu);
    return rest;
}

static void *writer_main(void *arg)
{
    struct writer *w = arg;

    pthread_setname_np(pthread_self(), "sarhad-writer"); /* in top -H and perf */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WRITER_NICE);
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->queue == NULL && w->urgent == NULL && !w->stopping)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->queue == NULL && w->urgent == NULL && w->stopping)
            break;
        /* Up to max_batch ops: the urgent ones alone if there are any, so that their commit
         * does not wait for a batch of ordinary ones to be applied; else ordinary ones. */
        struct writer_op *batch = NULL, *last = NULL;
        if (take(&w->urgent, &w->urgent_tail, w->max_batch, &batch, &last) == 0)
            take(&w->queue, &w->queue_tail, w->max_batch, &batch, &last);
        atomic_store(&w->urgent_waiting, w->urgent != NULL);
        pthread_mutex_unlock(&w->mu);

        struct writer_op *rest_tail = last, *rest = commit_batch(w, batch, &last);

        pthread_mutex_lock(&w->mu);
        if (rest) { /* cut short for urgent ops: the rest goes first among ordinary ones */
            rest_tail->next = w->queue;
            w->queue = rest;
            if (w->queue_tail == NULL)
                w->queue_tail = rest_tail;
        }
        if (w->done_tail)
            w->done_tail->next = batch;
        else
            w->done = batch;
        w->done_tail = last;
        pthread_mutex_unlock(&w->mu);
        w->notify(w->notify_arg);
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

/* The writer's WAL hook, after each commit: ask for a checkpoint once the WAL is big enough,
 * and past WRITER_WAL_MAX_PAGES finish one here (see the top of the file). */
static int wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct writer *w = arg;

    if (pages >= WRITER_WAL_MAX_PAGES) {
        double t0 = mono_ms();
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        w->hook_ckpt_ms = mono_ms() - t0;
        return SQLITE_OK;
    }
    if (pages >= WRITER_CHECKPOINT_PAGES) {
        pthread_mutex_lock(&w->mu);
        w->ckpt_wanted = 1;
        pthread_cond_signal(&w->ckpt_cv);
        pthread_mutex_unlock(&w->mu);
    }
    return SQLITE_OK;
}

static void *checkpoint_main(void *arg)
{
    struct writer *w = arg;

    pthread_setname_np(pthread_self(), "sarhad-ckpt");
    /* Background work: on a busy machine the loop and the writer go first. */
    setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), WRITER_CKPT_NICE);
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->ckpt_wanted && !w->stopping)
            pthread_cond_wait(&w->ckpt_cv, &w->mu);
        if (w->stopping)
            break;
        w->ckpt_wanted = 0;
        pthread_mutex_unlock(&w->mu);
        int log = 0, done = 0;
        int rc = sqlite3_wal_checkpoint_v2(db_handle(w->ckpt_db), NULL, SQLITE_CHECKPOINT_PASSIVE,
                                           &log, &done);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY)
            log_warn("db.checkpoint_failed", "reason=\"%s\"",
                     sqlite3_errmsg(db_handle(w->ckpt_db)));
        pthread_mutex_lock(&w->mu);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

enum sh_err writer_start(const char *db_path, const char *node, int max_batch,
                         void (*notify)(void *), void *notify_arg, struct writer **out,
                         struct sh_errinfo *info)
{
    struct writer *w = calloc(1, sizeof(*w));
    enum sh_err rc;

    if (w == NULL)
        return SH_ENOMEM;
    rc = db_open(db_path, 0, &w->db, info);
    if (rc != SH_OK) {
        free(w);
        return rc;
    }
    snprintf(w->node, sizeof(w->node), "%s", node);
    w->max_batch = max_batch > 0 ? max_batch : 1024;
    w->notify = notify;
    w->notify_arg = notify_arg;
    journal_head(w->db, &w->stats.committed_seq, (uint8_t[ENTRY_HASH_LEN]){0});
    rc = db_open(db_path, 0, &w->ckpt_db, info);
    if (rc != SH_OK) {
        db_close(w->db);
        free(w);
        return rc;
    }
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    pthread_cond_init(&w->ckpt_cv, NULL);
    sqlite3_wal_hook(db_handle(w->db), wal_hook, w); /* replaces the automatic checkpoint */
    int started = pthread_create(&w->ckpt_thread, NULL, checkpoint_main, w) == 0;
    if (!started || pthread_create(&w->thread, NULL, writer_main, w) != 0) {
        if (started) {
            pthread_mutex_lock(&w->mu);
            w->stopping = 1;
            pthread_cond_signal(&w->ckpt_cv);
            pthread_mutex_unlock(&w->mu);
            pthread_join(w->ckpt_thread, NULL);
        }
        db_close(w->ckpt_db);
        db_close(w->db);
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        pthread_cond_destroy(&w->ckpt_cv);
        free(w);
        return err_set(info, SH_EIO, "", "cannot start the writer threads");
    }
    *out = w;
    return SH_OK;
}

void writer_submit(struct writer *w, struct writer_op *op)
{
    struct writer_op **head = op->urgent ? &w->urgent : &w->queue;
    struct writer_op **tail = op->urgent ? &w->urgent_tail : &w->queue_tail;

    op->next = NULL;
    pthread_mutex_lock(&w->mu);
    if (*tail)
        (*tail)->next = op;
    else
        *head = op;
    *tail = op;
    if (op->urgent) {
        atomic_fetch_add(&w->urgent_open, 1);
        atomic_store(&w->urgent_waiting, 1);
    }
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
}

void writer_complete(struct writer *w)
{
    struct writer_op *list, *next;

    pthread_mutex_lock(&w->mu);
    list = w->done;
    w->done = w->done_tail = NULL;
    pthread_mutex_unlock(&w->mu);
    for (; list; list = next) {
        next = list->next; /* done() may free the op */
        if (list->urgent)
            atomic_fetch_sub(&w->urgent_open, 1);
        list->done(list);
    }
}

int writer_urgent_open(struct writer *w)
{
    return atomic_load(&w->urgent_open);
}

void writer_get_stats(struct writer *w, struct writer_stats *out)
{
    pthread_mutex_lock(&w->mu);
    *out = w->stats;
    pthread_mutex_unlock(&w->mu);
}

void writer_stop(struct writer *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->cv);
    pthread_cond_signal(&w->ckpt_cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    pthread_join(w->ckpt_thread, NULL);
    writer_complete(w);
    db_close(w->ckpt_db);
    db_close(w->db);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    pthread_cond_destroy(&w->ckpt_cv);
    free(w);
}

enum sh_err store_tx_run(struct store_db *db, const char *node, store_apply_fn fn, void *arg,
                         struct sh_errinfo *info)
{
    struct store_tx tx = {.db = db, .node = node, .now_ms = clock_now_ms()};
    enum sh_err rc;

    if (db_exec(db, "BEGIN IMMEDIATE"))
        return err_set(info, SH_EDB, "", "cannot start a write transaction");
    rc = journal_head(db, &tx.head_seq, tx.head_hash);
    if (rc == SH_OK)
        rc = apply_under_savepoint(&tx, fn, arg, info);
    if (rc == SH_OK && db_exec(db, "COMMIT"))
        rc = err_set(info, SH_EDB, "", "commit failed");
    if (rc != SH_OK)
        db_exec(db, "ROLLBACK");
    return rc;
}
