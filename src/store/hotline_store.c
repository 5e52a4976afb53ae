/*
 * hotline_store.c: SQL of channels and messages. Derived rows are updated with SQLite's JSON
 * functions so that a receipt or an acknowledgement changes one field of the stored document.
 */
#include "store/hotline_store.h"

#include "store/peers.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/gate.h"
#include "domain/hotline.h"
#include "domain/release.h"

#include <stdlib.h>
#include <string.h>

static enum sh_err step_done(struct store_db *db, sqlite3_stmt *st, const char *op)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc == SQLITE_DONE)
        return SH_OK;
    if ((rc & 0xff) == SQLITE_CONSTRAINT) /* extended result codes are on */
        return SH_EEXISTS;
    log_error("db.error", "op=%s reason=\"%s\"", op, sqlite3_errmsg(db_handle(db)));
    return SH_EDB;
}

/* Journals `doc` as one entry of `kind` for record doc.id; the payload text is returned in
 * *payload (caller frees) when not NULL. */
static enum sh_err journal_doc(struct store_tx *tx, const char *kind, const json_t *doc,
                               int64_t *seq, char **payload)
{
    struct journal_entry e;
    enum sh_err rc;

    memset(&e, 0, sizeof(e));
    snprintf(e.kind, sizeof(e.kind), "%s", kind);
    snprintf(e.record_id, sizeof(e.record_id), "%s", json_string_value(json_object_get(doc, "id")));
    e.version = 1;
    if ((rc = release_from_json(json_object_get(doc, "release"), "release", e.release, NULL)))
        return rc;
    e.payload = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (e.payload == NULL)
        return SH_ENOMEM;
    e.payload_len = strlen(e.payload);
    e.urgent = gate_stream_of(kind, doc) == GATE_URGENT;
    rc = journal_append(tx, &e);
    if (seq)
        *seq = e.seq;
    if (rc == SH_OK && payload) {
        *payload = e.payload;
        e.payload = NULL;
    }
    entry_clear(&e);
    return rc;
}

enum sh_err channels_add(struct store_tx *tx, const json_t *doc, struct sh_errinfo *info)
{
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO channels(name,peer,doc) VALUES(?,?,?) "
                                       "ON CONFLICT(name) DO UPDATE SET peer=excluded.peer,"
                                       "doc=excluded.doc WHERE channels.doc IS NULL");
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    const char *name = json_string_value(json_object_get(doc, "name"));
    enum sh_err rc;

    if (st == NULL || text == NULL) {
        free(text);
        return SH_EDB;
    }
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, json_string_value(json_object_get(doc, "peer")));
    sqlite3_bind_text(st, 3, text, -1, free);
    rc = step_done(tx->db, st, "channels_add");
    if (rc == SH_OK && sqlite3_changes(db_handle(tx->db)) == 0)
        rc = SH_EEXISTS;
    if (rc == SH_EEXISTS)
        return err_set(info, rc, "name", "a channel named '%s' exists", name);
    if (rc != SH_OK)
        return rc;
    /* What crosses (gate allow-list): name and the two commands; the partner learns of it. */
    json_t *entry = json_pack("{s:s+,s:s,s:O,s:O,s:O,s:O,s:s,s:i}", "id", "channel-", name, "name",
                              name, "own_command", json_object_get(doc, "own_command"),
                              "partner_command", json_object_get(doc, "partner_command"), "release",
                              json_object_get(doc, "release"), "created",
                              json_object_get(doc, "created"), "origin", tx->node, "version", 1);
    rc = journal_doc(tx, "channel.create", entry, NULL, NULL);
    json_decref(entry);
    return rc;
}

/* A channel row as the API shows it. */
static json_t *channel_view(sqlite3_stmt *st)
{
    const char *doc = (const char *)sqlite3_column_text(st, 1);
    const char *partner = (const char *)sqlite3_column_text(st, 2);
    json_t *out =
        doc ? json_loads(doc, 0, NULL) : json_pack("{s:s}", "name", sqlite3_column_text(st, 0));
    json_t *pview = partner ? json_loads(partner, 0, NULL) : NULL;

    if (out == NULL)
        out = json_object();
    json_object_set_new(out, "state",
                        json_string(doc && pview ? "matched"
                                    : doc        ? "local"
                                                 : "proposed"));
    json_object_set_new(out, "partner_view", pview ? pview : json_null());
    return out;
}

enum sh_err channels_get(struct store_db *db, const char *name, json_t **out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT name,doc,partner_doc FROM channels WHERE name=?");
    enum sh_err rc = SH_ENOTFOUND;

    *out = NULL;
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, name);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = channel_view(st);
        rc = SH_OK;
    }
    sqlite3_reset(st);
    return rc;
}

enum sh_err channels_list(struct store_db *db, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT name,doc,partner_doc FROM channels ORDER BY name");
    int rc;

    if (st == NULL)
        return SH_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, channel_view(st));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

static enum sh_err message_insert(struct store_tx *tx, const json_t *doc, const char *state,
                                  int64_t seq)
{
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO messages(id,channel,serial,origin,precedence,"
                                       "time_ms,deadline_ms,ack_required,state,seq,doc) "
                                       "VALUES(?,?,?,?,?,?,?,?,?,?,?)");
    const char *time = json_string_value(json_object_get(doc, "time"));
    const char *deadline = json_string_value(json_object_get(doc, "deadline"));
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);
    int64_t t = 0, d = 0;

    if (st == NULL || text == NULL || time == NULL || deadline == NULL) {
        free(text);
        return SH_EDB;
    }
    clock_parse_rfc3339(time, strlen(time), &t);
    clock_parse_rfc3339(deadline, strlen(deadline), &d);
    db_bind_text(st, 1, json_string_value(json_object_get(doc, "id")));
    db_bind_text(st, 2, json_string_value(json_object_get(doc, "channel")));
    sqlite3_bind_int64(st, 3, json_integer_value(json_object_get(doc, "serial")));
    db_bind_text(st, 4, json_string_value(json_object_get(doc, "originator")));
    db_bind_text(st, 5, json_string_value(json_object_get(doc, "precedence")));
    sqlite3_bind_int64(st, 6, t);
    sqlite3_bind_int64(st, 7, d);
    sqlite3_bind_int(st, 8, json_is_true(json_object_get(doc, "ack_required")));
    db_bind_text(st, 9, state);
    sqlite3_bind_int64(st, 10, seq);
    sqlite3_bind_text(st, 11, text, -1, free);
    return step_done(tx->db, st, "message_insert");
}

enum sh_err messages_send(struct store_tx *tx, json_t *doc, char **payload_out,
                          struct sh_errinfo *info)
{
    sqlite3_stmt *st = db_stmt(tx->db, "SELECT coalesce(max(serial),0)+1 FROM messages "
                                       "WHERE channel=? AND origin=?");
    int64_t serial = 0, seq = 0;
    enum sh_err rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, json_string_value(json_object_get(doc, "channel")));
    db_bind_text(st, 2, tx->node);
    if (sqlite3_step(st) == SQLITE_ROW)
        serial = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (serial < 1)
        return SH_EDB;
    hotline_message_number(doc, serial); /* in the transaction: serials have no gaps */
    if ((rc = journal_doc(tx, "hotline.message", doc, &seq, payload_out)))
        return rc;
    return message_insert(tx, doc, "sent", seq);
}

/* Sets $.field of message `id` to `value` (JSON text) and its state, where `where` holds. */
static enum sh_err message_update(struct store_tx *tx, const char *sql, const char *id,
                                  const char *value, int *changed)
{
    sqlite3_stmt *st = db_stmt(tx->db, sql);
    enum sh_err rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, value);
    db_bind_text(st, 2, id);
    db_bind_text(st, 3, tx->node);
    rc = step_done(tx->db, st, "message_update");
    *changed = sqlite3_changes(db_handle(tx->db));
    return rc;
}

static const char sql_delivered[] =
    "UPDATE messages SET doc=json_set(doc,'$.delivered',json(?1)),"
    "state=CASE WHEN state='sent' THEN 'delivered' ELSE state END WHERE id=?2 AND origin=?3";
static const char sql_acked_here[] =
    "UPDATE messages SET doc=json_set(doc,'$.ack',json(?1)),state='acknowledged' "
    "WHERE id=?2 AND origin<>?3 AND json_extract(doc,'$.ack') IS NULL";
static const char sql_acked_there[] =
    "UPDATE messages SET doc=json_set(doc,'$.ack',json(?1)),state='acknowledged' "
    "WHERE id=?2 AND origin=?3 AND json_extract(doc,'$.ack') IS NULL";
static const char sql_escalated[] =
    "UPDATE messages SET doc=json_set(doc,'$.escalated',json(?1)),escalated=1 "
    "WHERE id=?2 AND ?3 IS NOT NULL AND escalated=0";

enum sh_err messages_ack(struct store_tx *tx, const char *id, const char *ack, const char *remark,
                         const char *user, char **payload_out, struct sh_errinfo *info)
{
    json_t *msg = NULL, *entry;
    char ts[32], rid[220], country[4];
    char *text;
    int changed = 0;
    enum sh_err rc = messages_get(tx->db, id, &msg);

    if (rc != SH_OK)
        return err_set(info, rc, "id", "no message %s", id);
    const char *origin = json_string_value(json_object_get(msg, "originator"));
    if (strcmp(origin, tx->node) == 0) {
        json_decref(msg);
        return err_set(info, SH_EUNPROCESSABLE, "id",
                       "message %s is ours; the receiving side acknowledges it", id);
    }
    if (peers_country(tx->db, origin, country) != SH_OK) {
        json_decref(msg);
        return err_set(info, SH_EUNPROCESSABLE, "id", "the originator %s is not a pinned peer",
                       origin);
    }
    json_decref(msg);
    snprintf(rid, sizeof(rid), "%s#ack", id);
    entry = json_pack("{s:s,s:s,s:s,s:s?,s:s,s:s,s:[s],s:s,s:i}", "id", rid, "message", id, "ack",
                      ack, "remark", remark, "by", user, "time",
                      clock_format_rfc3339(tx->now_ms, ts, sizeof(ts)), "release", country,
                      "origin", tx->node, "version", 1);
    text = json_dumps(entry, JSON_COMPACT);
    rc = message_update(tx, sql_acked_here, id, text, &changed);
    free(text);
    if (rc == SH_OK && changed == 0)
        rc = err_set(info, SH_ECONFLICT, "id", "message %s is acknowledged already", id);
    if (rc == SH_OK)
        rc = journal_doc(tx, "hotline.ack", entry, NULL, payload_out);
    json_decref(entry);
    return rc;
}

enum sh_err messages_escalate(struct store_tx *tx, const char *id, const char *parent,
                              struct sh_errinfo *info)
{
    char ts[32], rid[220];
    json_t *entry;
    char *text;
    int changed = 0;
    enum sh_err rc;

    snprintf(rid, sizeof(rid), "%s#escalation", id);
    entry = json_pack("{s:s,s:s,s:s?,s:s,s:s}", "id", rid, "message", id, "parent_command", parent,
                      "time", clock_format_rfc3339(tx->now_ms, ts, sizeof(ts)), "origin", tx->node);
    text = json_dumps(entry, JSON_COMPACT);
    rc = message_update(tx, sql_escalated, id, text, &changed);
    free(text);
    if (rc == SH_OK && changed == 0)
        rc = err_set(info, SH_ENOTFOUND, "id", "no message %s", id);
    if (rc == SH_OK)
        rc = journal_doc(tx, "hotline.escalation", entry, NULL, NULL);
    json_decref(entry);
    return rc;
}

/* A partner's channel.create: remember their view beside ours (or alone, "proposed"). */
static enum sh_err channel_seen(struct store_tx *tx, const json_t *doc, const char *peer)
{
    sqlite3_stmt *st = db_stmt(tx->db, "INSERT INTO channels(name,peer,partner_doc) VALUES(?,?,?) "
                                       "ON CONFLICT(name) DO UPDATE SET "
                                       "partner_doc=excluded.partner_doc");
    char *text = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);

    if (st == NULL || text == NULL) {
        free(text);
        return SH_EDB;
    }
    db_bind_text(st, 1, json_string_value(json_object_get(doc, "name")));
    db_bind_text(st, 2, peer);
    sqlite3_bind_text(st, 3, text, -1, free);
    return step_done(tx->db, st, "channel_seen");
}

/* The highest serial stored for (originator, channel), 0 if none. */
static int64_t last_serial(struct store_db *db, const json_t *doc)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT coalesce(max(serial),0) FROM messages "
                                   "WHERE origin=? AND channel=?");
    int64_t n = 0;

    if (st == NULL)
        return 0;
    db_bind_text(st, 1, json_string_value(json_object_get(doc, "originator")));
    db_bind_text(st, 2, json_string_value(json_object_get(doc, "channel")));
    if (sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return n;
}

/* A partner's message arrived: store it (marking a gap in the channel's serials, so that the
 * reader sees a message is missing) and make the node's delivery receipt at once. */
static enum sh_err message_received(struct store_tx *tx, const struct journal_entry *e,
                                    const json_t *doc, const char *peer_country_code)
{
    char ts[32], rid[220];
    json_t *receipt, *stored = json_deep_copy(doc);
    int64_t prev = last_serial(tx->db, doc);
    enum sh_err rc;

    if (json_integer_value(json_object_get(doc, "serial")) > prev + 1)
        json_object_set_new(stored, "missing_serials",
                            json_pack("[I,I]", (json_int_t)(prev + 1),
                                      json_integer_value(json_object_get(doc, "serial")) - 1));
    rc = message_insert(tx, stored, "received", e->seq);
    json_decref(stored);

    if (rc != SH_OK)
        return rc;
    snprintf(rid, sizeof(rid), "%s#receipt", e->record_id);
    receipt = json_pack("{s:s,s:s,s:s,s:s,s:[s],s:s,s:i}", "id", rid, "message", e->record_id,
                        "delivered", clock_format_rfc3339(tx->now_ms, ts, sizeof(ts)), "by",
                        tx->node, "release", peer_country_code, "origin", tx->node, "version", 1);
    rc = journal_doc(tx, "hotline.receipt", receipt, NULL, NULL);
    json_decref(receipt);
    return rc;
}

enum sh_err hotline_replica_apply(struct store_tx *tx, const struct journal_entry *e,
                                  const json_t *doc, const char *peer_country_code,
                                  struct sh_errinfo *info)
{
    const char *message = json_string_value(json_object_get(doc, "message"));
    char *text;
    int changed = 0;
    enum sh_err rc;

    if (strcmp(e->kind, "channel.create") == 0)
        return channel_seen(tx, doc, e->origin);
    if (strcmp(e->kind, "hotline.message") == 0)
        return message_received(tx, e, doc, peer_country_code);
    if (message == NULL)
        return err_set(info, SH_EINVAL, "message", "'message' is required");
    text = json_dumps(doc, JSON_COMPACT);
    rc = message_update(tx,
                        strcmp(e->kind, "hotline.receipt") == 0 ? sql_delivered : sql_acked_there,
                        message, text, &changed);
    free(text);
    if (rc == SH_OK && changed == 0)
        return err_set(info, SH_ENOTFOUND, "message", "no message %s of ours", message);
    return rc;
}

static json_t *message_view(sqlite3_stmt *st, int col)
{
    json_t *doc = json_loads((const char *)sqlite3_column_text(st, col), 0, NULL);

    if (doc)
        json_object_set_new(doc, "state",
                            json_string((const char *)sqlite3_column_text(st, col + 1)));
    return doc;
}

enum sh_err messages_get(struct store_db *db, const char *id, json_t **out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT doc,state FROM messages WHERE id=?");
    enum sh_err rc = SH_ENOTFOUND;

    *out = NULL;
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = message_view(st, 0);
        rc = *out ? SH_OK : SH_EDB;
    }
    sqlite3_reset(st);
    return rc;
}

enum sh_err messages_list(struct store_db *db, const struct message_filter *f, json_t *out)
{
    sqlite3_stmt *st = db_stmt(
        db, "SELECT doc,state FROM messages WHERE time_ms>=?1 AND (?2 IS NULL OR channel=?2) "
            "AND (?3 IS NULL OR state=?3 OR (?3='overdue' AND ack_required=1 AND "
            "state<>'acknowledged' AND deadline_ms<=?4)) ORDER BY time_ms DESC, id DESC LIMIT ?5");
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, f->since_ms);
    db_bind_text(st, 2, f->channel);
    db_bind_text(st, 3, f->state);
    sqlite3_bind_int64(st, 4, clock_now_ms());
    sqlite3_bind_int(st, 5, f->limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = message_view(st, 0);
        if (doc)
            json_array_append_new(out, doc);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err messages_unreceipted(struct store_db *db, const char *origin, char *id, size_t len)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT m.id FROM messages m WHERE m.origin=? AND "
                                   "m.state='sent' AND NOT EXISTS (SELECT 1 FROM rejections r "
                                   "WHERE r.direction='out' AND r.origin_seq=m.seq) "
                                   "ORDER BY m.seq LIMIT 1");
    enum sh_err rc = SH_ENOTFOUND;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, origin);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(id, len, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SH_OK;
    }
    sqlite3_reset(st);
    return rc;
}

enum sh_err messages_overdue(struct store_db *db, int64_t now_ms, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id FROM messages WHERE ack_required=1 AND "
                                   "state<>'acknowledged' AND escalated=0 AND deadline_ms<=? "
                                   "ORDER BY deadline_ms LIMIT 100");
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, now_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, json_string((const char *)sqlite3_column_text(st, 0)));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err messages_escalated(struct store_db *db, const char *command, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT m.doc, json_extract(c.doc,'$.parent_command') "
                                   "FROM messages m LEFT JOIN channels c ON c.name=m.channel "
                                   "WHERE m.escalated=1 AND m.state<>'acknowledged' AND "
                                   "(?1 IS NULL OR json_extract(c.doc,'$.parent_command')=?1) "
                                   "ORDER BY m.deadline_ms LIMIT 500");
    int rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, command);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = json_loadb((const char *)sqlite3_column_text(st, 0),
                                 (size_t)sqlite3_column_bytes(st, 0), 0, NULL);
        const char *parent = (const char *)sqlite3_column_text(st, 1);
        if (doc == NULL)
            continue;
        json_array_append_new(
            out,
            json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:s?}", "id", json_object_get(doc, "id"), "channel",
                      json_object_get(doc, "channel"), "precedence",
                      json_object_get(doc, "precedence"), "subject",
                      json_object_get(doc, "subject"), "deadline", json_object_get(doc, "deadline"),
                      "escalated", json_object_get(doc, "escalated"), "parent_command", parent));
        json_decref(doc);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}
