/*
 * prefetch.c: the read-ahead thread (see prefetch.h).
 *
 * Invariants: `hint`, `done` and `stopping` are guarded by `mu`; only the thread uses `db`.
 * The thread reads at most PREFETCH_AHEAD entries past the last hint, PREFETCH_CHUNK at a
 * time, so that a stop or a new hint is seen between chunks.
 */
#define _GNU_SOURCE /* pthread_setname_np */
#include "store/prefetch.h"

#include "core/log.h"
#include "store/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

#define PREFETCH_AHEAD 50000 /* entries read ahead of the scan: two seconds of a catch-up */
#define PREFETCH_CHUNK 2000  /* entries per query */

struct prefetch {
    struct store_db *db;
    char origin[64];
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int64_t hint; /* the scan's position */
    int64_t done; /* entries up to here were read */
    int stopping;
    int warned; /* a failed read was logged (once: the thread retries with every hint) */
};

/* Reads the index entries and rows of (from, to] as the scan will, touching their pages. */
static void read_range(struct prefetch *pf, int64_t from, int64_t to)
{
    sqlite3_stmt *st = db_stmt(pf->db, "SELECT sum(length(payload)) FROM journal "
                                       "WHERE origin=? AND origin_seq>? AND origin_seq<=?");

    if (st == NULL)
        return;
    sqlite3_bind_text(st, 1, pf->origin, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    if (sqlite3_step(st) != SQLITE_ROW && !pf->warned++)
        log_warn("link.prefetch_failed", "reason=\"%s\"", sqlite3_errmsg(db_handle(pf->db)));
    sqlite3_reset(st);
}

static void *prefetch_main(void *arg)
{
    struct prefetch *pf = arg;

    pthread_setname_np(pthread_self(), "sarhad-prefetch");
    pthread_mutex_lock(&pf->mu);
    for (;;) {
        while (!pf->stopping && pf->done >= pf->hint + PREFETCH_AHEAD)
            pthread_cond_wait(&pf->cv, &pf->mu);
        if (pf->stopping)
            break;
        if (pf->done < pf->hint)
            pf->done = pf->hint; /* the scan went past what was read: start at it */
        int64_t from = pf->done, to = from + PREFETCH_CHUNK;
        pthread_mutex_unlock(&pf->mu);
        read_range(pf, from, to);
        pthread_mutex_lock(&pf->mu);
        pf->done = to > pf->done ? to : pf->done;
    }
    pthread_mutex_unlock(&pf->mu);
    return NULL;
}

enum sh_err prefetch_start(const char *db_path, const char *origin, struct prefetch **out,
                           struct sh_errinfo *info)
{
    struct prefetch *pf = calloc(1, sizeof(*pf));
    enum sh_err rc;

    *out = NULL;
    if (pf == NULL)
        return SH_ENOMEM;
    if ((rc = db_open(db_path, 0, &pf->db, info))) {
        free(pf);
        return rc;
    }
    /* Its pages are for the OS cache, not its own: a small cache of its own. */
    db_exec(pf->db, "PRAGMA cache_size=-1024;");
    snprintf(pf->origin, sizeof(pf->origin), "%s", origin);
    pthread_mutex_init(&pf->mu, NULL);
    pthread_cond_init(&pf->cv, NULL);
    /* Nothing is read before the first hint: done == hint + AHEAD holds the thread. */
    pf->hint = -PREFETCH_AHEAD;
    if (pthread_create(&pf->thread, NULL, prefetch_main, pf) != 0) {
        db_close(pf->db);
        pthread_mutex_destroy(&pf->mu);
        pthread_cond_destroy(&pf->cv);
        free(pf);
        return err_set(info, SH_ENOMEM, "", "cannot start the read-ahead thread");
    }
    *out = pf;
    return SH_OK;
}

void prefetch_hint(struct prefetch *pf, int64_t after)
{
    if (pf == NULL)
        return;
    pthread_mutex_lock(&pf->mu);
    if (after > pf->hint) {
        pf->hint = after;
        if (pf->done < pf->hint + PREFETCH_AHEAD)
            pthread_cond_signal(&pf->cv);
    }
    pthread_mutex_unlock(&pf->mu);
}

int64_t prefetch_done(struct prefetch *pf)
{
    int64_t done;

    pthread_mutex_lock(&pf->mu);
    done = pf->done;
    pthread_mutex_unlock(&pf->mu);
    return done;
}

void prefetch_stop(struct prefetch *pf)
{
    if (pf == NULL)
        return;
    pthread_mutex_lock(&pf->mu);
    pf->stopping = 1;
    pthread_cond_signal(&pf->cv);
    pthread_mutex_unlock(&pf->mu);
    pthread_join(pf->thread, NULL);
    db_close(pf->db);
    pthread_mutex_destroy(&pf->mu);
    pthread_cond_destroy(&pf->cv);
    free(pf);
}
