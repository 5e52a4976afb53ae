/*
 * peers.c: SQL of the link's durable state.
 */
#include "store/peers.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/release.h"
#include "store/hotline_store.h"
#include "store/records.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

static enum sh_err step_done(struct store_db *db, sqlite3_stmt *st, const char *op)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_DONE) {
        log_error("db.error", "op=%s reason=\"%s\"", op, sqlite3_errmsg(db_handle(db)));
        return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ? SH_EEXISTS
                                                                                    : SH_EDB;
    }
    return SH_OK;
}

static enum sh_err journal_peer(struct store_tx *tx, const char *kind, const char *name,
                                const char *country)
{
    struct journal_entry e;
    char *text;
    enum sh_err rc;
    json_t *doc = json_pack("{s:s,s:s}", "name", name, "country", country);

    memset(&e, 0, sizeof(e));
    snprintf(e.kind, sizeof(e.kind), "%s", kind);
    snprintf(e.record_id, sizeof(e.record_id), "peer-%s", name);
    e.version = 1;
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    json_decref(doc);
    if (text == NULL)
        return SH_ENOMEM;
    e.payload = text;
    e.payload_len = strlen(text);
    rc = journal_append(tx, &e);
    entry_clear(&e);
    return rc;
}

enum sh_err peers_add(struct store_tx *tx, const struct peer_row *p, struct sh_errinfo *info)
{
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO peers(name,country,cert_pem,fingerprint,"
                                       "addr,added_ms) VALUES(?,?,?,?,?,?)");
    enum sh_err rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, p->name);
    db_bind_text(st, 2, p->country);
    db_bind_text(st, 3, p->cert_pem);
    db_bind_text(st, 4, p->fingerprint);
    db_bind_text(st, 5, p->addr[0] ? p->addr : NULL);
    sqlite3_bind_int64(st, 6, tx->now_ms);
    rc = step_done(tx->db, st, "peers_add");
    if (rc == SH_EEXISTS)
        return err_set(info, rc, "name",
                       "a peer named '%s' or with that certificate is "
                       "already pinned",
                       p->name);
    if (rc != SH_OK)
        return rc;
    return journal_peer(tx, "peer.add", p->name, p->country);
}

enum sh_err peers_remove(struct store_tx *tx, const char *name, struct sh_errinfo *info)
{
    sqlite3_stmt *st = db_stmt(tx->db, "DELETE FROM peers WHERE name=?");
    enum sh_err rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, name);
    if ((rc = step_done(tx->db, st, "peers_remove")))
        return rc;
    if (sqlite3_changes(db_handle(tx->db)) == 0)
        return err_set(info, SH_ENOTFOUND, "name", "no peer named '%s'", name);
    return journal_peer(tx, "peer.remove", name, "");
}

enum sh_err peers_load(struct store_db *db, struct peer_row **out, int *n)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT name,country,fingerprint,coalesce(addr,''),cert_pem "
                                   "FROM peers ORDER BY name");
    struct peer_row *rows = NULL;
    int count = 0, rc;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return SH_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        struct peer_row *grown = realloc(rows, sizeof(*rows) * (size_t)(count + 1));
        if (grown == NULL)
            abort();
        rows = grown;
        struct peer_row *r = &rows[count++];
        memset(r, 0, sizeof(*r));
        snprintf(r->name, sizeof(r->name), "%s", (const char *)sqlite3_column_text(st, 0));
        snprintf(r->country, sizeof(r->country), "%s", (const char *)sqlite3_column_text(st, 1));
        snprintf(r->fingerprint, sizeof(r->fingerprint), "%s",
                 (const char *)sqlite3_column_text(st, 2));
        snprintf(r->addr, sizeof(r->addr), "%s", (const char *)sqlite3_column_text(st, 3));
        r->cert_pem = strdup((const char *)sqlite3_column_text(st, 4));
    }
    sqlite3_reset(st);
    *out = rows;
    *n = count;
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

void peers_free(struct peer_row *rows, int n)
{
    for (int i = 0; i < n; i++)
        free(rows[i].cert_pem);
    free(rows);
}

static int64_t cursor_get(struct store_db *db, const char *sql, const char *peer, int stream)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    int64_t v = 0;

    if (st == NULL)
        return 0;
    db_bind_text(st, 1, peer);
    sqlite3_bind_int(st, 2, stream);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return v;
}

int64_t link_in_get(struct store_db *db, const char *peer, int stream)
{
    return cursor_get(db, "SELECT last_seq FROM link_in WHERE peer=? AND stream=?", peer, stream);
}

int64_t link_out_get(struct store_db *db, const char *peer, int stream)
{
    return cursor_get(db, "SELECT acked_seq FROM link_out WHERE peer=? AND stream=?", peer, stream);
}

static enum sh_err cursor_set(struct store_db *db, const char *sql, const char *peer, int stream,
                              int64_t seq)
{
    sqlite3_stmt *st = db_stmt(db, sql);

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, peer);
    sqlite3_bind_int(st, 2, stream);
    sqlite3_bind_int64(st, 3, seq);
    return step_done(db, st, "link_cursor");
}

static enum sh_err link_in_advance(struct store_db *db, const char *peer, int stream, int64_t seq)
{
    return cursor_set(db,
                      "INSERT INTO link_in(peer,stream,last_seq) VALUES(?1,?2,?3) "
                      "ON CONFLICT(peer,stream) DO UPDATE SET "
                      "last_seq=max(last_seq,excluded.last_seq)",
                      peer, stream, seq);
}

/* Writes the derived row of a replicated document with `upsert` (events_row_upsert,
 * patrols_row_upsert), from the document's canonical text. */
/* Stores `doc` in its table through `upsert`, printed canonically unless e->payload is its
 * text already (`as_sent`). */
static enum sh_err row_upsert(struct store_tx *tx, const struct journal_entry *e, const json_t *doc,
                              int as_sent,
                              enum sh_err (*upsert)(struct store_db *, const struct journal_entry *,
                                                    const json_t *, const char *, size_t))
{
    char *text;
    enum sh_err rc;

    if (as_sent)
        return upsert(tx->db, e, doc, e->payload, e->payload_len);
    text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (text == NULL)
        return SH_ENOMEM;
    rc = upsert(tx->db, e, doc, text, strlen(text));
    free(text);
    return rc;
}

enum sh_err replica_apply(struct store_tx *tx, const char *peer, const char *peer_country,
                          int stream, struct journal_entry *e, const json_t *doc, int as_sent,
                          struct sh_errinfo *info)
{
    enum sh_err rc;

    if (e->origin_seq <= link_in_get(tx->db, peer, stream))
        return err_set(info, SH_EEXISTS, "origin_seq", "entry %lld of %s applied already",
                       (long long)e->origin_seq, peer);
    rc = journal_append(tx, e);
    if (rc == SH_EEXISTS)
        return err_set(info, rc, "origin_seq", "entry %lld of %s is in the journal already",
                       (long long)e->origin_seq, peer);
    if (rc != SH_OK)
        return err_set(info, rc, "", "could not journal entry %lld of %s", (long long)e->origin_seq,
                       peer);
    if (strncmp(e->kind, "event.", 6) == 0) {
        rc = row_upsert(tx, e, doc, as_sent, events_row_upsert);
    } else if (strcmp(e->kind, "fence.status") == 0) {
        const char *side = json_string_value(json_object_get(doc, "side"));
        if (side == NULL || strcmp(side, peer_country) != 0)
            return err_set(info, SH_EFORBIDDEN, "side", "%s states %s's fence, not %s's", peer,
                           peer_country, side ? side : "no one");
        rc = sections_partner_fence(tx->db, doc);
    } else if (strncmp(e->kind, "patrol.", 7) == 0) {
        const char *side = json_string_value(json_object_get(doc, "side"));
        if (side == NULL || strcmp(side, peer_country) != 0)
            return err_set(info, SH_EFORBIDDEN, "side",
                           "%s plans %s's patrols, not %s's: a side plans its own", peer,
                           peer_country, side ? side : "no one");
        rc = row_upsert(tx, e, doc, as_sent, patrols_row_upsert);
        if (rc == SH_EFORBIDDEN)
            return err_set(info, rc, "id", "patrol %s is another node's plan", e->record_id);
    } else {
        rc = hotline_replica_apply(tx, e, doc, peer_country, info);
    }
    if (rc)
        return rc;
    return link_in_advance(tx->db, peer, stream, e->origin_seq);
}

enum sh_err receipt_add(struct store_tx *tx, const char *peer, int stream, int64_t seq,
                        int64_t time_ms, const uint8_t sig[ENTRY_SIG_LEN])
{
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO receipts(peer,stream,seq,time_ms,sig) "
                                       "VALUES(?,?,?,?,?)");
    enum sh_err rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, peer);
    sqlite3_bind_int(st, 2, stream);
    sqlite3_bind_int64(st, 3, seq);
    sqlite3_bind_int64(st, 4, time_ms);
    sqlite3_bind_blob(st, 5, sig, ENTRY_SIG_LEN, SQLITE_TRANSIENT);
    if ((rc = step_done(tx->db, st, "receipt_add")))
        return rc;
    return cursor_set(tx->db,
                      "INSERT INTO link_out(peer,stream,acked_seq) VALUES(?1,?2,?3) "
                      "ON CONFLICT(peer,stream) DO UPDATE SET "
                      "acked_seq=max(acked_seq,excluded.acked_seq)",
                      peer, stream, seq);
}

enum sh_err rejection_add(struct store_tx *tx, const char *peer, const char *direction, int stream,
                          int64_t origin_seq, const char *reason, int64_t time_ms,
                          const uint8_t sig[ENTRY_SIG_LEN])
{
    /* No unique index on rejections (migration 2): "out" rows are made unique here. */
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO rejections(peer,direction,origin_seq,reason,"
                                       "time_ms,sig) SELECT ?1,?2,?3,?4,?5,?6 WHERE ?2='in' OR "
                                       "NOT EXISTS (SELECT 1 FROM rejections WHERE peer=?1 AND "
                                       "direction=?2 AND origin_seq=?3)");
    enum sh_err rc;

    assert(sig != NULL);
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, peer);
    db_bind_text(st, 2, direction);
    sqlite3_bind_int64(st, 3, origin_seq);
    db_bind_text(st, 4, reason);
    sqlite3_bind_int64(st, 5, time_ms);
    sqlite3_bind_blob(st, 6, sig, ENTRY_SIG_LEN, SQLITE_TRANSIENT);
    if ((rc = step_done(tx->db, st, "rejection_add")))
        return rc;
    if (strcmp(direction, "in") == 0)
        return link_in_advance(tx->db, peer, stream, origin_seq);
    return SH_OK;
}

enum sh_err rejections_in_after(struct store_db *db, const char *peer, int64_t after,
                                rejection_visit_fn fn, void *arg)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT origin_seq,reason,time_ms,sig FROM rejections "
                                   "WHERE peer=? AND direction='in' AND origin_seq>? AND "
                                   "length(sig)=64 ORDER BY origin_seq");
    int rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, peer);
    sqlite3_bind_int64(st, 2, after);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (fn(sqlite3_column_int64(st, 0), (const char *)sqlite3_column_text(st, 1),
               sqlite3_column_int64(st, 2), sqlite3_column_blob(st, 3), arg) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err rejections_list(struct store_db *db, int limit, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT peer,direction,origin_seq,reason,time_ms "
                                   "FROM rejections ORDER BY id DESC LIMIT ?");
    char ts[32];
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int(st, 1, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(
            out,
            json_pack("{s:s,s:s,s:I,s:s,s:s}", "peer", sqlite3_column_text(st, 0), "direction",
                      sqlite3_column_text(st, 1), "origin_seq",
                      (json_int_t)sqlite3_column_int64(st, 2), "reason", sqlite3_column_text(st, 3),
                      "time", clock_format_rfc3339(sqlite3_column_int64(st, 4), ts, sizeof(ts))));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err peers_country(struct store_db *db, const char *name, char out[4])
{
    sqlite3_stmt *st = db_stmt(db, "SELECT country FROM peers WHERE name=?");
    enum sh_err rc = SH_ENOTFOUND;

    if (st == NULL)
        return SH_EDB;
    if (name == NULL)
        return SH_ENOTFOUND;
    db_bind_text(st, 1, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, 4, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SH_OK;
    }
    sqlite3_reset(st);
    return rc;
}
