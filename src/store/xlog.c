/*
 * xlog.c: SQL of the exchange log and its checkpoints.
 */
#include "store/xlog.h"

#include "core/log.h"
#include "domain/merkle.h"
#include "store/journal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One leaf row; `data` NULL stores it by reference (an empty blob) while `hashed` is what its
 * leaf hash covers. */
static enum sh_err leaf_insert(struct store_tx *tx, const char *peer, const char *direction,
                               const char *ref, const uint8_t *data, const uint8_t *hashed,
                               size_t len)
{
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO xlog(idx,peer,direction,ref,time_ms,data,leaf) "
                                       "VALUES((SELECT coalesce(max(idx)+1,0) FROM xlog),"
                                       "?,?,?,?,?,?)");
    uint8_t leaf[MERKLE_HASH_LEN];
    int rc;

    if (st == NULL)
        return SH_EDB;
    merkle_leaf_hash(hashed, len, leaf);
    db_bind_text(st, 1, peer);
    db_bind_text(st, 2, direction);
    db_bind_text(st, 3, ref);
    sqlite3_bind_int64(st, 4, tx->now_ms);
    if (data)
        sqlite3_bind_blob(st, 5, data, (int)len, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(st, 5, 0);
    sqlite3_bind_blob(st, 6, leaf, MERKLE_HASH_LEN, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        log_error("db.error", "op=xlog_append reason=\"%s\"", sqlite3_errmsg(db_handle(tx->db)));
        return SH_EDB;
    }
    return SH_OK;
}

enum sh_err xlog_append(struct store_tx *tx, const char *peer, const char *direction,
                        const char *ref, const uint8_t *data, size_t len)
{
    return leaf_insert(tx, peer, direction, ref, data, data, len);
}

/* The data of a received entry's leaf (malloc'd). */
static uint8_t *received_data(const struct journal_entry *e, size_t *len)
{
    size_t n = entry_canonical_wire(e, NULL, 0);
    uint8_t *data = malloc(n + e->seal_len + 1);

    if (data == NULL)
        abort();
    entry_canonical_wire(e, data, n);
    memcpy(data + n, e->seal, e->seal_len);
    *len = n + e->seal_len;
    return data;
}

enum sh_err xlog_append_received(struct store_tx *tx, const char *peer,
                                 const struct journal_entry *e, int journaled)
{
    char ref[96];
    size_t len;
    uint8_t *data = received_data(e, &len);
    enum sh_err rc;

    snprintf(ref, sizeof(ref), "%s:%lld", e->origin, (long long)e->origin_seq);
    rc = leaf_insert(tx, peer, "received", ref, journaled ? NULL : data, data, len);
    free(data);
    return rc;
}

struct rebuilt {
    uint8_t *data;
    size_t len;
};

static int rebuild_one(const struct journal_entry *e, void *arg)
{
    struct rebuilt *r = arg;

    r->data = received_data(e, &r->len);
    return 1;
}

/* The data of a leaf stored by reference (an empty "received" row): rebuilt from the journal
 * entry its ref names, or NULL (and *len 0) when the journal no longer holds it, which then
 * fails the leaf's hash check. */
static uint8_t *leaf_data_rebuilt(struct store_db *db, const char *direction, const char *ref,
                                  size_t *len)
{
    struct rebuilt r = {NULL, 0};
    const char *colon = ref ? strrchr(ref, ':') : NULL;
    char origin[64];
    char *end;
    long long seq;

    *len = 0;
    if (direction == NULL || strcmp(direction, "received") != 0 || colon == NULL ||
        (size_t)(colon - ref) >= sizeof(origin))
        return NULL;
    memcpy(origin, ref, (size_t)(colon - ref));
    origin[colon - ref] = '\0';
    seq = strtoll(colon + 1, &end, 10);
    if (*end != '\0' || journal_read_origin(db, origin, seq, rebuild_one, &r) != SH_OK)
        return NULL;
    *len = r.len;
    return r.data;
}

enum sh_err xlog_leaves(struct store_db *db, uint8_t (**leaves)[32], size_t *n, size_t *cap,
                        int limit)
{
    /* xlog_leaf covers (idx, leaf): the rows themselves hold each leaf's data, often in
     * overflow pages that would be read to reach the leaf column behind it. */
    sqlite3_stmt *st =
        db_stmt(db, "SELECT leaf FROM xlog INDEXED BY xlog_leaf WHERE idx>=? ORDER BY idx LIMIT ?");
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, (int64_t)*n);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == *cap) {
            *cap = *cap ? *cap * 2 : 1024;
            *leaves = realloc(*leaves, *cap * 32);
            if (*leaves == NULL)
                abort();
        }
        if (sqlite3_column_bytes(st, 0) == 32)
            memcpy((*leaves)[*n], sqlite3_column_blob(st, 0), 32);
        (*n)++;
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err xlog_find(struct store_db *db, const char *direction, const char *ref, int64_t *index,
                      uint8_t **data, size_t *len)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT idx,data FROM xlog WHERE direction=? AND ref=? "
                                   "ORDER BY idx LIMIT 1");
    enum sh_err rc = SH_ENOTFOUND;

    *data = NULL;
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, direction);
    db_bind_text(st, 2, ref);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *index = sqlite3_column_int64(st, 0);
        *len = (size_t)sqlite3_column_bytes(st, 1);
        *data = malloc(*len ? *len : 1);
        if (*data == NULL)
            abort();
        memcpy(*data, sqlite3_column_blob(st, 1), *len);
        rc = SH_OK;
    }
    sqlite3_reset(st);
    if (rc == SH_OK && *len == 0) {
        free(*data);
        *data = leaf_data_rebuilt(db, direction, ref, len);
        if (*data == NULL)
            rc = SH_ENOTFOUND;
    }
    return rc;
}

enum sh_err xlog_scan(struct store_db *db, xlog_visit_fn fn, void *arg)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT idx,direction,ref,data,leaf FROM xlog ORDER BY idx");
    int rc;

    if (st == NULL)
        return SH_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t leaf[32] = {0}, *rebuilt = NULL;
        const char *direction = (const char *)sqlite3_column_text(st, 1);
        const char *ref = (const char *)sqlite3_column_text(st, 2);
        const uint8_t *data = sqlite3_column_blob(st, 3);
        size_t len = (size_t)sqlite3_column_bytes(st, 3);
        int stop;

        if (sqlite3_column_bytes(st, 4) == 32)
            memcpy(leaf, sqlite3_column_blob(st, 4), 32);
        if (len == 0)
            data = rebuilt = leaf_data_rebuilt(db, direction, ref, &len);
        stop = fn(sqlite3_column_int64(st, 0), direction, ref, data, len, leaf, arg);
        free(rebuilt);
        if (stop)
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

static size_t put(uint8_t *buf, size_t cap, size_t o, const void *p, size_t n)
{
    if (o + n <= cap)
        memcpy(buf + o, p, n);
    return o + n;
}

static size_t put_u64(uint8_t *buf, size_t cap, size_t o, int64_t v)
{
    uint8_t b[8];

    for (int i = 7; i >= 0; i--, v = (int64_t)((uint64_t)v >> 8))
        b[i] = (uint8_t)((uint64_t)v & 0xff);
    return put(buf, cap, o, b, 8);
}

static size_t put_str(uint8_t *buf, size_t cap, size_t o, const char *s)
{
    size_t n = strlen(s);
    uint8_t b[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

    o = put(buf, cap, o, b, 4);
    return put(buf, cap, o, s, n);
}

size_t xlog_note(const struct xlog_checkpoint *c, uint8_t *buf, size_t cap)
{
    static const char magic[] = "sarhad-checkpoint-v1";
    size_t o = put(buf, cap, 0, magic, sizeof(magic));

    o = put_str(buf, cap, o, c->origin);
    o = put_u64(buf, cap, o, c->size);
    o = put(buf, cap, o, c->root, 32);
    return put_u64(buf, cap, o, c->time_ms);
}

size_t xlog_cosign_msg(const struct xlog_checkpoint *c, uint8_t *buf, size_t cap)
{
    static const char magic[] = "sarhad-cosign-v1";
    size_t o = put(buf, cap, 0, magic, sizeof(magic));

    o = put_str(buf, cap, o, c->cosigner);
    return o + xlog_note(c, o < cap ? buf + o : buf, o < cap ? cap - o : 0);
}

enum sh_err xlog_checkpoint_put(struct store_tx *tx, const struct xlog_checkpoint *c)
{
    sqlite3_stmt *st =
        db_stmt(tx->db, "INSERT INTO checkpoints(origin,size,root,time_ms,sig,cosigner,cosig) "
                        "VALUES(?,?,?,?,?,?,?) ON CONFLICT(origin,size) DO UPDATE SET "
                        "root=excluded.root,time_ms=excluded.time_ms,sig=excluded.sig,"
                        "cosigner=excluded.cosigner,cosig=excluded.cosig "
                        "WHERE excluded.cosig IS NOT NULL");
    int rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, c->origin);
    sqlite3_bind_int64(st, 2, c->size);
    sqlite3_bind_blob(st, 3, c->root, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, c->time_ms);
    sqlite3_bind_blob(st, 5, c->sig, 64, SQLITE_STATIC);
    db_bind_text(st, 6, c->cosigner[0] ? c->cosigner : NULL);
    if (c->cosigner[0])
        sqlite3_bind_blob(st, 7, c->cosig, 64, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

static void checkpoint_row(sqlite3_stmt *st, struct xlog_checkpoint *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->origin, sizeof(c->origin), "%s", (const char *)sqlite3_column_text(st, 0));
    c->size = sqlite3_column_int64(st, 1);
    if (sqlite3_column_bytes(st, 2) == 32)
        memcpy(c->root, sqlite3_column_blob(st, 2), 32);
    c->time_ms = sqlite3_column_int64(st, 3);
    if (sqlite3_column_bytes(st, 4) == 64)
        memcpy(c->sig, sqlite3_column_blob(st, 4), 64);
    if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
        snprintf(c->cosigner, sizeof(c->cosigner), "%s", (const char *)sqlite3_column_text(st, 5));
        if (sqlite3_column_bytes(st, 6) == 64)
            memcpy(c->cosig, sqlite3_column_blob(st, 6), 64);
    }
}

static enum sh_err checkpoint_one(struct store_db *db, const char *sql, const char *origin,
                                  int64_t arg, struct xlog_checkpoint *out)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    enum sh_err rc = SH_ENOTFOUND;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, origin);
    sqlite3_bind_int64(st, 2, arg);
    if (sqlite3_step(st) == SQLITE_ROW) {
        checkpoint_row(st, out);
        rc = SH_OK;
    }
    sqlite3_reset(st);
    return rc;
}

#define CHECKPOINT_COLS "SELECT origin,size,root,time_ms,sig,cosigner,cosig FROM checkpoints "

enum sh_err xlog_checkpoint_last(struct store_db *db, const char *origin, int cosigned,
                                 struct xlog_checkpoint *out)
{
    return checkpoint_one(db,
                          CHECKPOINT_COLS "WHERE origin=?1 AND (?2=0 OR cosig IS NOT NULL) "
                                          "ORDER BY size DESC LIMIT 1",
                          origin, cosigned, out);
}

enum sh_err xlog_checkpoint_at(struct store_db *db, const char *origin, int64_t size,
                               struct xlog_checkpoint *out)
{
    return checkpoint_one(db, CHECKPOINT_COLS "WHERE origin=?1 AND size=?2", origin, size, out);
}

enum sh_err xlog_checkpoint_covering(struct store_db *db, const char *origin, int64_t index,
                                     struct xlog_checkpoint *out)
{
    return checkpoint_one(db,
                          CHECKPOINT_COLS "WHERE origin=?1 AND size>?2 AND cosig IS NOT NULL "
                                          "ORDER BY size LIMIT 1",
                          origin, index, out);
}

enum sh_err xlog_checkpoints(struct store_db *db,
                             int (*fn)(const struct xlog_checkpoint *c, void *arg), void *arg)
{
    sqlite3_stmt *st = db_stmt(db, CHECKPOINT_COLS "ORDER BY origin, size");
    struct xlog_checkpoint c;
    int rc;

    if (st == NULL)
        return SH_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        checkpoint_row(st, &c);
        if (fn(&c, arg))
            break;
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SH_OK : SH_EDB;
}
