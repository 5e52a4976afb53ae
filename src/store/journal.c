/*
 * journal.c: appending to and reading the hash-chained journal.
 */
#include "store/journal.h"

#include "core/log.h"
#include "crypto/crypto.h"

#include <stdlib.h>
#include <string.h>

/* hash = SHA-256(prev_hash || canonical(e)) */
static void entry_hash(const struct journal_entry *e, uint8_t out[ENTRY_HASH_LEN])
{
    uint8_t small[1024], *buf = small;
    size_t need = entry_canonical(e, small, sizeof(small));

    if (need > sizeof(small)) {
        buf = malloc(need);
        if (buf == NULL)
            abort();
        entry_canonical(e, buf, need);
    }
    struct crypto_iov iov[2] = {{e->prev_hash, ENTRY_HASH_LEN}, {buf, need}};
    crypto_sha256_v(iov, 2, out);
    if (buf != small)
        free(buf);
}

enum sh_err journal_head(struct store_db *db, int64_t *seq, uint8_t hash[ENTRY_HASH_LEN])
{
    sqlite3_stmt *st = db_stmt(db, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1");
    int rc;

    *seq = 0;
    memset(hash, 0, ENTRY_HASH_LEN);
    if (st == NULL)
        return SH_EDB;
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        *seq = sqlite3_column_int64(st, 0);
        if (sqlite3_column_bytes(st, 1) == ENTRY_HASH_LEN)
            memcpy(hash, sqlite3_column_blob(st, 1), ENTRY_HASH_LEN);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

int64_t journal_last_seq(struct store_db *db)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT max(seq) FROM journal");
    int64_t seq = 0;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        seq = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return seq;
}

enum sh_err journal_append(struct store_tx *tx, struct journal_entry *e)
{
    sqlite3_stmt *st =
        db_stmt(tx->db, "INSERT INTO journal(seq,time_ms,kind,record_id,version,origin,"
                        "origin_seq,release,payload,prev_hash,hash,sig,urgent) "
                        "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?)");
    enum sh_err rc = SH_OK;

    if (st == NULL)
        return SH_EDB;
    e->seq = tx->head_seq + 1;
    e->time_ms = tx->now_ms;
    if (e->origin[0] == '\0') {
        snprintf(e->origin, sizeof(e->origin), "%s", tx->node);
        e->origin_seq = e->seq;
    }
    memcpy(e->prev_hash, tx->head_hash, ENTRY_HASH_LEN);
    entry_hash(e, e->hash);
    sqlite3_bind_int64(st, 1, e->seq);
    sqlite3_bind_int64(st, 2, e->time_ms);
    db_bind_text(st, 3, e->kind);
    db_bind_text(st, 4, e->record_id);
    sqlite3_bind_int64(st, 5, e->version);
    db_bind_text(st, 6, e->origin);
    sqlite3_bind_int64(st, 7, e->origin_seq);
    db_bind_text(st, 8, e->release);
    sqlite3_bind_text(st, 9, e->payload, (int)e->payload_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 10, e->prev_hash, ENTRY_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_blob(st, 11, e->hash, ENTRY_HASH_LEN, SQLITE_STATIC);
    if (e->seal_len > 0)
        sqlite3_bind_blob(st, 12, e->seal, (int)e->seal_len, SQLITE_STATIC);
    sqlite3_bind_int(st, 13, e->urgent != 0);
    if (sqlite3_step(st) != SQLITE_DONE) {
        /* UNIQUE(origin, origin_seq): the entry is here already. Anything else is a failure
         * the caller must not mistake for a duplicate. */
        if (sqlite3_extended_errcode(db_handle(tx->db)) == SQLITE_CONSTRAINT_UNIQUE) {
            rc = SH_EEXISTS;
        } else {
            log_error("db.error", "op=journal_append reason=\"%s\"",
                      sqlite3_errmsg(db_handle(tx->db)));
            rc = SH_EDB;
        }
    } else {
        tx->head_seq = e->seq;
        memcpy(tx->head_hash, e->hash, ENTRY_HASH_LEN);
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

static void copy_col(sqlite3_stmt *st, int col, char *out, size_t outlen)
{
    const unsigned char *s = sqlite3_column_text(st, col);

    snprintf(out, outlen, "%s", s ? (const char *)s : "");
}

/* The columns entry_from_row reads, in its order. */
#define ENTRY_SELECT                                                                               \
    "SELECT seq,time_ms,kind,record_id,version,origin,origin_seq,release,payload,prev_hash,hash,"  \
    "sig,urgent FROM journal "

/* Fills `e` from a row of SELECT seq,time_ms,kind,record_id,version,origin,origin_seq,release,
 * payload,prev_hash,hash,sig,urgent. The payload borrows the statement's memory. */
static void entry_from_row(sqlite3_stmt *st, struct journal_entry *e)
{
    memset(e, 0, sizeof(*e));
    e->seq = sqlite3_column_int64(st, 0);
    e->time_ms = sqlite3_column_int64(st, 1);
    copy_col(st, 2, e->kind, sizeof(e->kind));
    copy_col(st, 3, e->record_id, sizeof(e->record_id));
    e->version = sqlite3_column_int64(st, 4);
    copy_col(st, 5, e->origin, sizeof(e->origin));
    e->origin_seq = sqlite3_column_int64(st, 6);
    copy_col(st, 7, e->release, sizeof(e->release));
    e->payload = (char *)sqlite3_column_text(st, 8);
    e->payload_len = (size_t)sqlite3_column_bytes(st, 8);
    if (sqlite3_column_bytes(st, 9) == ENTRY_HASH_LEN)
        memcpy(e->prev_hash, sqlite3_column_blob(st, 9), ENTRY_HASH_LEN);
    if (sqlite3_column_bytes(st, 10) == ENTRY_HASH_LEN)
        memcpy(e->hash, sqlite3_column_blob(st, 10), ENTRY_HASH_LEN);
    if (sqlite3_column_bytes(st, 11) > 0 && sqlite3_column_bytes(st, 11) <= ENTRY_SEAL_MAX) {
        e->seal_len = (size_t)sqlite3_column_bytes(st, 11);
        memcpy(e->seal, sqlite3_column_blob(st, 11), e->seal_len);
    }
    e->urgent = sqlite3_column_int(st, 12);
}

enum sh_err journal_read(struct store_db *db, int64_t after, int limit, journal_visit_fn fn,
                         void *arg)
{
    sqlite3_stmt *st = db_stmt(db, ENTRY_SELECT "WHERE seq>? "
                                                "ORDER BY seq LIMIT ?");
    struct journal_entry e;
    enum sh_err rc = SH_OK;
    int step;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        entry_from_row(st, &e);
        if (fn(&e, arg))
            break;
    }
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = SH_EDB;
    sqlite3_reset(st);
    return rc;
}

/* Runs a prepared SELECT of entry rows and visits each. */
static enum sh_err visit_rows(sqlite3_stmt *st, journal_visit_fn fn, void *arg)
{
    struct journal_entry e;
    int step;

    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        entry_from_row(st, &e);
        if (fn(&e, arg))
            break;
    }
    sqlite3_reset(st);
    return step == SQLITE_ROW || step == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err journal_read_released(struct store_db *db, int64_t after, const char *origin,
                                  const char *country, int only_urgent, int limit,
                                  journal_visit_fn fn, void *arg)
{
    /* Codes are three letters joined by commas, so a match of ",XXX," in ",release," is exact.
     * Entries made here have origin_seq = seq, so the (origin, origin_seq) index serves the
     * range; filtering on seq instead would make SQLite walk every entry of the origin. Urgent
     * entries are few: the partial index journal_urgent holds only them, so the urgent stream
     * does not walk the bulk backlog (a statement of its own, since a partial index serves
     * only a query whose WHERE names its literal condition). The bulk stream gets the urgent
     * entries too and skips them: filtering them out here would leave its position behind a
     * run of urgent entries, to be walked again on every read. */
#define RELEASED_SQL(cond)                                                                         \
    ENTRY_SELECT "WHERE origin=?2 AND origin_seq>?1 AND " cond "release<>'' AND "                  \
                 "instr(','||release||',', ','||?3||',')>0 ORDER BY origin_seq LIMIT ?4"
    sqlite3_stmt *st = db_stmt(db, only_urgent ? RELEASED_SQL("urgent=1 AND ") : RELEASED_SQL(""));
#undef RELEASED_SQL

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, after);
    db_bind_text(st, 2, origin);
    db_bind_text(st, 3, country);
    sqlite3_bind_int64(st, 4, limit > 0 ? limit : -1);
    return visit_rows(st, fn, arg);
}

enum sh_err journal_read_record(struct store_db *db, const char *kind, const char *record_id,
                                journal_visit_fn fn, void *arg)
{
    sqlite3_stmt *st = db_stmt(db, ENTRY_SELECT "WHERE record_id=? AND kind=? ORDER BY seq");

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, record_id);
    db_bind_text(st, 2, kind);
    return visit_rows(st, fn, arg);
}

enum sh_err journal_read_origin(struct store_db *db, const char *origin, int64_t origin_seq,
                                journal_visit_fn fn, void *arg)
{
    sqlite3_stmt *st = db_stmt(db, ENTRY_SELECT "WHERE origin=? AND origin_seq=?");

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, origin);
    sqlite3_bind_int64(st, 2, origin_seq);
    return visit_rows(st, fn, arg);
}

struct verify_state {
    int64_t expect_seq;
    uint8_t prev[ENTRY_HASH_LEN];
    int64_t bad_seq;
};

static int verify_one(const struct journal_entry *e, void *arg)
{
    struct verify_state *vs = arg;
    uint8_t h[ENTRY_HASH_LEN];

    if (e->seq != vs->expect_seq || memcmp(e->prev_hash, vs->prev, ENTRY_HASH_LEN) != 0) {
        vs->bad_seq = e->seq;
        return 1;
    }
    entry_hash(e, h);
    if (memcmp(h, e->hash, ENTRY_HASH_LEN) != 0) {
        vs->bad_seq = e->seq;
        return 1;
    }
    memcpy(vs->prev, e->hash, ENTRY_HASH_LEN);
    vs->expect_seq++;
    return 0;
}

enum sh_err journal_verify(struct store_db *db, int64_t *bad_seq)
{
    struct verify_state vs = {.expect_seq = 1, .bad_seq = 0};
    enum sh_err rc = journal_read(db, 0, 0, verify_one, &vs);

    *bad_seq = vs.bad_seq;
    if (rc == SH_OK && vs.bad_seq != 0)
        rc = SH_ECONFLICT;
    return rc;
}
