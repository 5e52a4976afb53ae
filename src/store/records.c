/*
 * records.c: journal-backed records and their derived tables.
 */
#include "store/records.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/gate.h"
#include "domain/release.h"

#include <stdlib.h>
#include <string.h>

/* Appends one entry for record `id` with `doc` as payload and the release set in doc.release. */
static enum sh_err journal_record(struct store_tx *tx, const char *kind, const char *id,
                                  int64_t version, const json_t *doc, struct journal_entry *e)
{
    enum sh_err rc;

    memset(e, 0, sizeof(*e));
    snprintf(e->kind, sizeof(e->kind), "%s", kind);
    snprintf(e->record_id, sizeof(e->record_id), "%s", id);
    e->version = version;
    rc = release_from_json(json_object_get(doc, "release"), "release", e->release, NULL);
    if (rc != SH_OK)
        return rc;
    e->payload = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    if (e->payload == NULL)
        return SH_ENOMEM;
    e->payload_len = strlen(e->payload);
    e->urgent = gate_stream_of(kind, doc) == GATE_URGENT;
    rc = journal_append(tx, e);
    return rc;
}

/* The current version of a row, 0 if absent. */
static enum sh_err current_version(struct store_db *db, const char *sql, const char *id_text,
                                   int64_t id_int, int64_t *version)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    int rc;

    *version = 0;
    if (st == NULL)
        return SH_EDB;
    if (id_text)
        db_bind_text(st, 1, id_text);
    else
        sqlite3_bind_int64(st, 1, id_int);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

static enum sh_err check_version(int64_t have, int64_t base, const char *what, const char *id,
                                 struct sh_errinfo *info)
{
    if (base == 0 && have != 0)
        return err_set(info, SH_EEXISTS, "id", "%s %s already exists", what, id);
    if (base != 0 && have == 0)
        return err_set(info, SH_ENOTFOUND, "id", "no %s %s", what, id);
    if (base != have)
        return err_set(info, SH_ECONFLICT, "version",
                       "%s %s is at version %lld, not %lld: reload and retry", what, id,
                       (long long)have, (long long)base);
    return SH_OK;
}

static enum sh_err step_done(struct store_db *db, sqlite3_stmt *st, const char *op)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("db.error", "op=%s reason=\"%s\"", op, sqlite3_errmsg(db_handle(db)));
        return SH_EDB;
    }
    return SH_OK;
}

enum sh_err events_row_upsert(struct store_db *db, const struct journal_entry *e, const json_t *doc,
                              const char *text, size_t len)
{
    /* Latest version wins: a replicated older version arriving late changes nothing, and a
     * local write was already checked against the version it was made on. */
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO events(id,version,category,impact,status,time_ms,"
                                   "lat,lon,release,origin,seq,doc) "
                                   "VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
                                   "ON CONFLICT(id) DO UPDATE SET version=excluded.version,"
                                   "category=excluded.category,impact=excluded.impact,"
                                   "status=excluded.status,time_ms=excluded.time_ms,"
                                   "lat=excluded.lat,lon=excluded.lon,release=excluded.release,"
                                   "seq=excluded.seq,doc=excluded.doc "
                                   "WHERE excluded.version > events.version AND "
                                   "events.origin = excluded.origin");
    const char *time = json_string_value(json_object_get(doc, "time"));
    int64_t t = 0;
    enum sh_err rc;

    if (st == NULL || time == NULL || clock_parse_rfc3339(time, strlen(time), &t) < 0)
        return SH_EDB;
    db_bind_text(st, 1, e->record_id);
    sqlite3_bind_int64(st, 2, e->version);
    db_bind_text(st, 3, json_string_value(json_object_get(doc, "category")));
    db_bind_text(st, 4, json_string_value(json_object_get(doc, "impact")));
    db_bind_text(st, 5, json_string_value(json_object_get(doc, "status")));
    sqlite3_bind_int64(st, 6, t);
    sqlite3_bind_double(st, 7, json_number_value(json_object_get(doc, "lat")));
    sqlite3_bind_double(st, 8, json_number_value(json_object_get(doc, "lon")));
    db_bind_text(st, 9, e->release);
    db_bind_text(st, 10, e->origin);
    sqlite3_bind_int64(st, 11, e->seq);
    sqlite3_bind_text(st, 12, text, (int)len, SQLITE_STATIC);
    rc = step_done(db, st, "events_upsert");
    sqlite3_clear_bindings(st);
    return rc;
}

/* A record type whose documents are journaled and kept in a table, latest version wins. */
struct record_type {
    const char *what;        /* "event", for messages */
    const char *version_sql; /* the stored version of an id */
    enum sh_err (*upsert)(struct store_db *db, const struct journal_entry *e, const json_t *doc,
                          const char *text, size_t len);
};

/* Journals `doc` as entry `kind` after checking it was made against `base_version` (0: a new
 * record), then writes its row; *payload_out (if asked) gets the journaled text. */
static enum sh_err record_put(struct store_tx *tx, const struct record_type *t, const char *kind,
                              const json_t *doc, int64_t base_version, char **payload_out,
                              struct sh_errinfo *info)
{
    const char *id = json_string_value(json_object_get(doc, "id"));
    int64_t have, version = json_integer_value(json_object_get(doc, "version"));
    struct journal_entry e;
    enum sh_err rc;

    memset(&e, 0, sizeof(e));
    if (id == NULL)
        return err_set(info, SH_EINVAL, "", "%s document lacks an id", t->what);
    rc = current_version(tx->db, t->version_sql, id, 0, &have);
    if (rc == SH_OK)
        rc = check_version(have, base_version, t->what, id, info);
    if (rc == SH_OK)
        rc = journal_record(tx, kind, id, version, doc, &e);
    if (rc == SH_OK && (rc = t->upsert(tx->db, &e, doc, e.payload, e.payload_len)) == SH_EFORBIDDEN)
        err_set(info, rc, "id", "%s %s belongs to another node", t->what, id);
    if (rc == SH_OK && payload_out) {
        *payload_out = e.payload;
        e.payload = NULL;
    }
    entry_clear(&e);
    return rc;
}

static const struct record_type event_type = {"event", "SELECT version FROM events WHERE id=?",
                                              events_row_upsert};

enum sh_err events_put(struct store_tx *tx, const char *kind, const json_t *doc,
                       int64_t base_version, char **payload_out, struct sh_errinfo *info)
{
    if (json_string_value(json_object_get(doc, "time")) == NULL)
        return err_set(info, SH_EINVAL, "", "event document lacks a time");
    return record_put(tx, &event_type, kind, doc, base_version, payload_out, info);
}

/* Parses column `col` (a JSON document) into a new reference. */
static json_t *doc_column(sqlite3_stmt *st, int col)
{
    return json_loadb((const char *)sqlite3_column_text(st, col),
                      (size_t)sqlite3_column_bytes(st, col), 0, NULL);
}

/* One document by key (text key, or integer key when `text_key` is NULL). */
static enum sh_err doc_get(struct store_db *db, const char *sql, const char *text_key,
                           int64_t int_key, json_t **out)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    enum sh_err rc = SH_ENOTFOUND;

    *out = NULL;
    if (st == NULL)
        return SH_EDB;
    if (text_key)
        db_bind_text(st, 1, text_key);
    else
        sqlite3_bind_int64(st, 1, int_key);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = doc_column(st, 0);
        rc = *out ? SH_OK : SH_EDB;
    }
    sqlite3_reset(st);
    return rc;
}

/* Appends the documents a prepared, bound statement yields (column 0) to `out`. */
static enum sh_err docs_collect(sqlite3_stmt *st, json_t *out)
{
    int rc;

    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = doc_column(st, 0);
        if (doc)
            json_array_append_new(out, doc);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err events_get(struct store_db *db, const char *id, json_t **out)
{
    return doc_get(db, "SELECT doc FROM events WHERE id=?", id, 0, out);
}

enum sh_err sections_get(struct store_db *db, int id, json_t **out)
{
    return doc_get(db, "SELECT doc FROM sections WHERE id=?", NULL, id, out);
}

enum sh_err sections_list(struct store_db *db, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT doc FROM sections ORDER BY id");

    return st ? docs_collect(st, out) : SH_EDB;
}

enum sh_err events_list(struct store_db *db, const struct event_filter *f, json_t *out)
{
    /* NULL-able parameters keep this one cached statement for every filter combination. */
    sqlite3_stmt *st =
        db_stmt(db, "SELECT doc FROM events WHERE time_ms >= ?1 AND (?2 IS NULL OR category = ?2) "
                    "AND (?3 IS NULL OR status = ?3) "
                    "AND (?4 IS NULL OR (lon >= ?4 AND lat >= ?5 AND lon <= ?6 AND lat <= ?7)) "
                    "AND (?8 IS NULL OR time_ms < ?8 OR (time_ms = ?8 AND id < ?9)) "
                    "ORDER BY time_ms DESC, id DESC LIMIT ?10");
    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, f->since_ms);
    db_bind_text(st, 2, f->category);
    db_bind_text(st, 3, f->status);
    if (f->has_bbox) {
        sqlite3_bind_double(st, 4, f->min_lon);
        sqlite3_bind_double(st, 5, f->min_lat);
        sqlite3_bind_double(st, 6, f->max_lon);
        sqlite3_bind_double(st, 7, f->max_lat);
    }
    if (f->before_id) {
        sqlite3_bind_int64(st, 8, f->before_time_ms);
        db_bind_text(st, 9, f->before_id);
    }
    sqlite3_bind_int(st, 10, f->limit);
    return docs_collect(st, out);
}

enum sh_err sections_put(struct store_tx *tx, const json_t *doc, int64_t base_version,
                         struct sh_errinfo *info)
{
    int64_t id = json_integer_value(json_object_get(doc, "id")), have;
    int64_t version = json_integer_value(json_object_get(doc, "version"));
    struct journal_entry e;
    char idtext[24];
    sqlite3_stmt *st;
    enum sh_err rc;

    memset(&e, 0, sizeof(e));
    snprintf(idtext, sizeof(idtext), "section-%lld", (long long)id);
    rc = current_version(tx->db, "SELECT version FROM sections WHERE id=?", NULL, id, &have);
    if (rc == SH_OK)
        rc = check_version(have, base_version, "section", idtext, info);
    if (rc == SH_OK)
        rc = journal_record(tx, base_version ? "section.update" : "section.create", idtext, version,
                            doc, &e);
    if (rc != SH_OK)
        goto out;
    st = db_stmt(tx->db, "INSERT INTO sections(id,from_km,to_km,version,doc) VALUES(?,?,?,?,?) "
                         "ON CONFLICT(id) DO UPDATE SET version=excluded.version,"
                         "doc=excluded.doc");
    if (st == NULL) {
        rc = SH_EDB;
        goto out;
    }
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_double(st, 2, json_number_value(json_object_get(doc, "from_km")));
    sqlite3_bind_double(st, 3, json_number_value(json_object_get(doc, "to_km")));
    sqlite3_bind_int64(st, 4, version);
    sqlite3_bind_text(st, 5, e.payload, (int)e.payload_len, SQLITE_STATIC);
    rc = step_done(tx->db, st, "sections_put");
    sqlite3_clear_bindings(st);
out:
    entry_clear(&e);
    return rc;
}

/* A user change as a journal entry; national by construction (no release), no token hash. */
static enum sh_err journal_user(struct store_tx *tx, const char *kind, const char *name,
                                const char *role, const char *command)
{
    json_t *doc = json_pack("{s:s,s:s,s:s?}", "name", name, "role", role, "command", command);
    struct journal_entry e;
    char id[80];
    enum sh_err rc;

    snprintf(id, sizeof(id), "user-%s", name);
    rc = journal_record(tx, kind, id, 1, doc, &e);
    entry_clear(&e);
    json_decref(doc);
    return rc;
}

enum sh_err users_add(struct store_tx *tx, const char *name, enum role role, const char *command,
                      const char *token_hash_hex, struct sh_errinfo *info)
{
    sqlite3_stmt *st;
    int64_t have;
    enum sh_err rc;

    rc = current_version(tx->db, "SELECT count(*) FROM users WHERE name=? AND revoked_ms IS NULL",
                         name, 0, &have);
    if (rc != SH_OK)
        return rc;
    if (have)
        return err_set(info, SH_EEXISTS, "name", "a user named '%s' already exists", name);
    /* A revoked user's name may be reused: the old row is renamed out of the way. */
    st = db_stmt(tx->db, "UPDATE users SET name = name || '~' || id WHERE name=?");
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, name);
    if ((rc = step_done(tx->db, st, "users_rename")))
        return rc;
    st = db_stmt(tx->db,
                 "INSERT INTO users(name,role,token_hash,created_ms,command) VALUES(?,?,?,?,?)");
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, name);
    db_bind_text(st, 2, role_name(role));
    db_bind_text(st, 3, token_hash_hex);
    sqlite3_bind_int64(st, 4, tx->now_ms);
    db_bind_text(st, 5, command && command[0] ? command : NULL);
    if ((rc = step_done(tx->db, st, "users_add")))
        return rc;
    return journal_user(tx, "user.add", name, role_name(role), command);
}

enum sh_err users_revoke(struct store_tx *tx, const char *name, struct sh_errinfo *info)
{
    sqlite3_stmt *st = db_stmt(tx->db, "UPDATE users SET revoked_ms=? WHERE name=? AND "
                                       "revoked_ms IS NULL RETURNING role");
    char role[16] = "";
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, tx->now_ms);
    db_bind_text(st, 2, name);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        snprintf(role, sizeof(role), "%s", (const char *)sqlite3_column_text(st, 0));
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return SH_EDB;
    if (role[0] == '\0')
        return err_set(info, SH_ENOTFOUND, "name", "no active user named '%s'", name);
    return journal_user(tx, "user.revoke", name, role, NULL);
}

enum sh_err users_find_by_token(struct store_db *db, const char *token_hash_hex, struct user *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT id,name,role,command FROM users WHERE token_hash=? "
                                   "AND revoked_ms IS NULL");
    enum sh_err rc = SH_EAUTH;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, token_hash_hex);
    if (sqlite3_step(st) == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->name, sizeof(out->name), "%s", (const char *)sqlite3_column_text(st, 1));
        out->revoked = 0;
        snprintf(out->command, sizeof(out->command), "%s",
                 sqlite3_column_type(st, 3) == SQLITE_NULL
                     ? ""
                     : (const char *)sqlite3_column_text(st, 3));
        if (role_parse((const char *)sqlite3_column_text(st, 2), &out->role) == 0)
            rc = SH_OK;
    }
    sqlite3_reset(st);
    return rc;
}

enum sh_err users_list(struct store_db *db, json_t *out)
{
    sqlite3_stmt *st =
        db_stmt(db, "SELECT name,role,created_ms,revoked_ms,command FROM users ORDER BY id");
    char ts[32], rs[32];
    int rc;

    if (st == NULL)
        return SH_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int revoked = sqlite3_column_type(st, 3) != SQLITE_NULL;
        const char *name = (const char *)sqlite3_column_text(st, 0);
        const char *tilde = strchr(name, '~');
        json_array_append_new(
            out,
            json_pack("{s:s%,s:s,s:s?,s:s,s:s?}", "name", name,
                      tilde ? (size_t)(tilde - name) : strlen(name), "role",
                      (const char *)sqlite3_column_text(st, 1), "command",
                      (const char *)sqlite3_column_text(st, 4), "created",
                      clock_format_rfc3339(sqlite3_column_int64(st, 2), ts, sizeof(ts)), "revoked",
                      revoked ? clock_format_rfc3339(sqlite3_column_int64(st, 3), rs, sizeof(rs))
                              : NULL));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err units_flush(struct store_tx *tx, const json_t *units, int64_t keep_after_ms)
{
    sqlite3_stmt *up, *tr, *del;
    const char *uid;
    json_t *doc;
    enum sh_err rc = SH_OK;

    json_object_foreach((json_t *)units, uid, doc)
    {
        const char *time = json_string_value(json_object_get(doc, "time"));
        int64_t t = 0;
        char *text = json_dumps(doc, JSON_COMPACT);
        if (text == NULL)
            return SH_ENOMEM;
        clock_parse_rfc3339(time, strlen(time), &t);
        up = db_stmt(tx->db, "INSERT INTO units(uid,time_ms,doc) VALUES(?,?,?) ON CONFLICT(uid) "
                             "DO UPDATE SET time_ms=excluded.time_ms, doc=excluded.doc");
        tr = db_stmt(tx->db, "INSERT OR REPLACE INTO tracks(uid,time_ms,lat,lon,course,speed) "
                             "VALUES(?,?,?,?,?,?)");
        if (up == NULL || tr == NULL) {
            free(text);
            return SH_EDB;
        }
        db_bind_text(up, 1, uid);
        sqlite3_bind_int64(up, 2, t);
        sqlite3_bind_text(up, 3, text, -1, free);
        db_bind_text(tr, 1, uid);
        sqlite3_bind_int64(tr, 2, t);
        sqlite3_bind_double(tr, 3, json_number_value(json_object_get(doc, "lat")));
        sqlite3_bind_double(tr, 4, json_number_value(json_object_get(doc, "lon")));
        if (json_object_get(doc, "course"))
            sqlite3_bind_double(tr, 5, json_number_value(json_object_get(doc, "course")));
        if (json_object_get(doc, "speed"))
            sqlite3_bind_double(tr, 6, json_number_value(json_object_get(doc, "speed")));
        if ((rc = step_done(tx->db, up, "units_upsert")) ||
            (rc = step_done(tx->db, tr, "tracks_insert")))
            return rc;
        sqlite3_clear_bindings(up);
        sqlite3_clear_bindings(tr);
    }
    del = db_stmt(tx->db, "DELETE FROM tracks WHERE time_ms < ?");
    if (del == NULL)
        return SH_EDB;
    sqlite3_bind_int64(del, 1, keep_after_ms);
    return step_done(tx->db, del, "tracks_retention");
}

enum sh_err units_load(struct store_db *db, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT uid, doc FROM units");
    int rc;

    if (st == NULL)
        return SH_EDB;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = doc_column(st, 1);
        if (doc)
            json_object_set_new(out, (const char *)sqlite3_column_text(st, 0), doc);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

int64_t units_track_count(struct store_db *db)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT count(*) FROM tracks");
    int64_t n = -1;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        n = sqlite3_column_int64(st, 0);
    if (st)
        sqlite3_reset(st);
    return n;
}

enum sh_err records_note(struct store_tx *tx, const char *kind, const char *id, int64_t version,
                         const json_t *doc)
{
    struct journal_entry e;
    enum sh_err rc = journal_record(tx, kind, id, version, doc, &e);

    entry_clear(&e);
    return rc;
}

enum sh_err patrols_last_notice(struct store_db *db, const char *id, json_t **out)
{
    enum sh_err rc = doc_get(db,
                             "SELECT payload FROM journal WHERE kind='patrol.notice' AND "
                             "record_id=? ORDER BY seq DESC LIMIT 1",
                             id, 0, out);

    return rc == SH_ENOTFOUND ? SH_OK : rc;
}

enum sh_err patrols_row_upsert(struct store_db *db, const struct journal_entry *e,
                               const json_t *doc, const char *text, size_t len)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO patrols(id,version,side,origin,kind,status,from_km,"
                                   "to_km,start_ms,end_ms,seq,doc) VALUES(?,?,?,?,?,?,?,?,?,?,?,?) "
                                   "ON CONFLICT(id) DO UPDATE SET version=excluded.version,"
                                   "kind=excluded.kind,status=excluded.status,"
                                   "from_km=excluded.from_km,to_km=excluded.to_km,"
                                   "start_ms=excluded.start_ms,end_ms=excluded.end_ms,"
                                   "seq=excluded.seq,doc=excluded.doc "
                                   "WHERE excluded.version > patrols.version AND "
                                   "patrols.origin = excluded.origin");
    sqlite3_stmt *owner = db_stmt(db, "SELECT origin FROM patrols WHERE id=?");
    int64_t start, end;
    int taken = 0;

    if (st == NULL || owner == NULL)
        return SH_EDB;
    /* A plan is its origin's: another node's entry with the same id changes nothing. */
    db_bind_text(owner, 1, e->record_id);
    if (sqlite3_step(owner) == SQLITE_ROW)
        taken = strcmp((const char *)sqlite3_column_text(owner, 0), e->origin) != 0;
    sqlite3_reset(owner);
    if (taken)
        return SH_EFORBIDDEN;
    patrol_window(doc, &start, &end);
    db_bind_text(st, 1, e->record_id);
    sqlite3_bind_int64(st, 2, e->version);
    db_bind_text(st, 3, json_string_value(json_object_get(doc, "side")));
    db_bind_text(st, 4, e->origin);
    db_bind_text(st, 5, json_string_value(json_object_get(doc, "kind")));
    db_bind_text(st, 6, json_string_value(json_object_get(doc, "status")));
    sqlite3_bind_double(st, 7, json_number_value(json_object_get(doc, "from_km")));
    sqlite3_bind_double(st, 8, json_number_value(json_object_get(doc, "to_km")));
    sqlite3_bind_int64(st, 9, start);
    sqlite3_bind_int64(st, 10, end);
    sqlite3_bind_int64(st, 11, e->seq);
    sqlite3_bind_text(st, 12, text, (int)len, SQLITE_STATIC);
    return step_done(db, st, "patrols_upsert");
}

static const struct record_type patrol_type = {"patrol", "SELECT version FROM patrols WHERE id=?",
                                               patrols_row_upsert};

enum sh_err patrols_put(struct store_tx *tx, const char *kind, const json_t *doc,
                        int64_t base_version, char **payload_out, struct sh_errinfo *info)
{
    return record_put(tx, &patrol_type, kind, doc, base_version, payload_out, info);
}

enum sh_err patrols_get(struct store_db *db, const char *id, json_t **out)
{
    return doc_get(db, "SELECT doc FROM patrols WHERE id=?", id, 0, out);
}

enum sh_err patrols_list(struct store_db *db, int64_t from_ms, int64_t to_ms, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT doc FROM patrols WHERE start_ms < ?2 AND end_ms > ?1 "
                                   "ORDER BY start_ms, id");

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    return docs_collect(st, out);
}

enum sh_err alarms_last(struct store_db *db, const char *origin, const char *sensor, json_t **out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT doc FROM events WHERE origin=?1 AND "
                                   "json_extract(doc,'$.sensor')=?2 AND "
                                   "category IN ('FENCE_BREACH','SENSOR_ALARM') "
                                   "ORDER BY time_ms DESC LIMIT 1");
    enum sh_err rc = SH_ENOTFOUND;

    *out = NULL;
    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, origin);
    db_bind_text(st, 2, sensor);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *out = doc_column(st, 0);
        rc = *out ? SH_OK : SH_EDB;
    }
    sqlite3_reset(st);
    return rc;
}

enum sh_err tracks_between(struct store_db *db, const char *uid, int64_t from_ms, int64_t to_ms,
                           json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT time_ms, lat, lon FROM tracks WHERE uid=? AND "
                                   "time_ms >= ? AND time_ms < ? ORDER BY time_ms LIMIT 20000");
    int rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, uid);
    sqlite3_bind_int64(st, 2, from_ms);
    sqlite3_bind_int64(st, 3, to_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        json_array_append_new(out, json_pack("[I,f,f]", (json_int_t)sqlite3_column_int64(st, 0),
                                             sqlite3_column_double(st, 1),
                                             sqlite3_column_double(st, 2)));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err section_versions(struct store_db *db, int limit, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT time_ms, payload FROM (SELECT seq, time_ms, payload "
                                   "FROM journal WHERE kind='section.update' ORDER BY seq DESC "
                                   "LIMIT ?) ORDER BY seq");
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int(st, 1, limit);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        json_t *doc = doc_column(st, 1);
        if (doc)
            json_array_append_new(out,
                                  json_pack("{s:I,s:o}", "time_ms",
                                            (json_int_t)sqlite3_column_int64(st, 0), "doc", doc));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err patrols_spans(struct store_db *db, int64_t from_ms, int64_t to_ms, const char *own,
                          struct coverage_patrol **out, size_t *n)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT side=?3, from_km, to_km, start_ms, end_ms FROM patrols "
                                   "WHERE start_ms < ?2 AND end_ms > ?1 AND status != 'CANCELLED'");
    size_t cap = 0;
    int rc;

    *out = NULL;
    *n = 0;
    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, from_ms);
    sqlite3_bind_int64(st, 2, to_ms);
    db_bind_text(st, 3, own);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            size_t ncap = cap ? cap * 2 : 1024;
            struct coverage_patrol *grown = realloc(*out, ncap * sizeof(*grown));
            if (grown == NULL) {
                sqlite3_reset(st);
                free(*out);
                *out = NULL;
                *n = 0;
                return SH_ENOMEM;
            }
            *out = grown;
            cap = ncap;
        }
        (*out)[(*n)++] = (struct coverage_patrol){
            .side = sqlite3_column_int(st, 0) ? COVERAGE_OWN : COVERAGE_PARTNER,
            .from_km = sqlite3_column_double(st, 1),
            .to_km = sqlite3_column_double(st, 2),
            .start_ms = sqlite3_column_int64(st, 3),
            .end_ms = sqlite3_column_int64(st, 4)};
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return SH_EDB;
    }
    return SH_OK;
}

enum sh_err alarms_open_by_section(struct store_db *db, int64_t since_ms, json_t *out)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT json_extract(doc,'$.section'), count(*), "
                                   "sum(coalesce(json_extract(doc,'$.count'),1)), max(time_ms) "
                                   "FROM events WHERE category IN ('FENCE_BREACH','SENSOR_ALARM') "
                                   "AND status='OPEN' AND time_ms >= ? GROUP BY 1");
    char key[24], ts[32];
    int rc;

    if (st == NULL)
        return SH_EDB;
    sqlite3_bind_int64(st, 1, since_ms);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        snprintf(key, sizeof(key), "%lld", (long long)sqlite3_column_int64(st, 0));
        json_object_set_new(
            out, key,
            json_pack("{s:I,s:I,s:s}", "open_alarms", (json_int_t)sqlite3_column_int64(st, 1),
                      "reports", (json_int_t)sqlite3_column_int64(st, 2), "last",
                      clock_format_rfc3339(sqlite3_column_int64(st, 3), ts, sizeof(ts))));
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SH_OK : SH_EDB;
}

enum sh_err fence_release_put(struct store_tx *tx, json_t *doc, struct sh_errinfo *info)
{
    sqlite3_stmt *st = db_stmt(tx->db, "SELECT coalesce(max(version),0) FROM journal WHERE "
                                       "kind='fence.status' AND origin=?");
    struct journal_entry e;
    int64_t version = 0;
    enum sh_err rc;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, tx->node);
    if (sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    json_object_set_new(doc, "version", json_integer(version + 1));
    rc = journal_record(tx, "fence.status", json_string_value(json_object_get(doc, "id")),
                        version + 1, doc, &e);
    entry_clear(&e);
    return rc;
}

enum sh_err sections_partner_fence(struct store_db *db, const json_t *doc)
{
    const char *side = json_string_value(json_object_get(doc, "side"));
    char p_fence[32], p_km[32], p_due[32];
    sqlite3_stmt *st = db_stmt(db, "UPDATE sections SET doc=json_set(doc,?1,?2,?3,?4,?5,?6) "
                                   "WHERE id=?7");
    const json_t *row;
    size_t i;
    enum sh_err rc = SH_OK;

    if (st == NULL || side == NULL || strlen(side) != 3)
        return SH_EDB;
    /* The side is a checked ISO3 code (three capitals): safe in a JSON path. */
    snprintf(p_fence, sizeof(p_fence), "$.sides.%s.fence", side);
    snprintf(p_km, sizeof(p_km), "$.sides.%s.fence_km", side);
    snprintf(p_due, sizeof(p_due), "$.sides.%s.fence_due", side);
    json_array_foreach(json_object_get(doc, "sections"), i, row)
    {
        db_bind_text(st, 1, p_fence);
        db_bind_text(st, 2, json_string_value(json_object_get(row, "fence")));
        db_bind_text(st, 3, p_km);
        sqlite3_bind_double(st, 4, json_number_value(json_object_get(row, "fence_km")));
        db_bind_text(st, 5, p_due);
        db_bind_text(st, 6, json_string_value(json_object_get(row, "fence_due")));
        sqlite3_bind_int64(st, 7, json_integer_value(json_object_get(row, "id")));
        if ((rc = step_done(db, st, "sections_partner_fence")))
            break;
    }
    return rc;
}
