/*
 * db.c: connection set-up, migrations and the statement cache.
 */
#include "store/db.h"

#include "core/log.h"
#include "domain/gate.h"

#include <jansson.h>
#include <stdio.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Statements are cached by the address of their SQL text (each a string literal at its one
 * call site), so the cache holds one entry per call site and grows with the code, not the data. */
struct stmt_slot {
    const char *sql;
    sqlite3_stmt *st;
};

struct store_db {
    sqlite3 *h;
    struct stmt_slot *cache;
    int ncache, capcache;
};

/* Migration N (1-based) is migrations[N-1]. Never edit a shipped one: append. */
static const char *const migrations[] = {
    /* 1: the journal, its derived tables, users, units and tracks */
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE journal("
    "  seq INTEGER PRIMARY KEY, time_ms INTEGER NOT NULL, kind TEXT NOT NULL,"
    "  record_id TEXT NOT NULL, version INTEGER NOT NULL, origin TEXT NOT NULL,"
    "  origin_seq INTEGER NOT NULL, release TEXT NOT NULL, payload TEXT NOT NULL,"
    "  prev_hash BLOB NOT NULL, hash BLOB NOT NULL, UNIQUE(origin, origin_seq));"
    "CREATE INDEX journal_record ON journal(record_id, version);"
    "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, role TEXT NOT NULL,"
    "  token_hash TEXT NOT NULL UNIQUE, created_ms INTEGER NOT NULL, revoked_ms INTEGER);"
    "CREATE TABLE events(id TEXT PRIMARY KEY, version INTEGER NOT NULL, category TEXT NOT NULL,"
    "  impact TEXT NOT NULL, status TEXT NOT NULL, time_ms INTEGER NOT NULL, lat REAL NOT NULL,"
    "  lon REAL NOT NULL, release TEXT NOT NULL, origin TEXT NOT NULL, seq INTEGER NOT NULL,"
    "  doc TEXT NOT NULL);"
    "CREATE INDEX events_time ON events(time_ms DESC, id DESC);"
    "CREATE TABLE sections(id INTEGER PRIMARY KEY, from_km REAL NOT NULL, to_km REAL NOT NULL,"
    "  version INTEGER NOT NULL, doc TEXT NOT NULL);"
    "CREATE TABLE units(uid TEXT PRIMARY KEY, time_ms INTEGER NOT NULL, doc TEXT NOT NULL);"
    "CREATE TABLE tracks(uid TEXT NOT NULL, time_ms INTEGER NOT NULL, lat REAL NOT NULL,"
    "  lon REAL NOT NULL, course REAL, speed REAL, PRIMARY KEY(uid, time_ms)) WITHOUT ROWID;"
    "CREATE INDEX tracks_time ON tracks(time_ms);",
    /* 2: the federation link: pinned peers, stream positions, receipts and rejections */
    "ALTER TABLE journal ADD COLUMN sig BLOB;"
    "CREATE TABLE peers(name TEXT PRIMARY KEY, country TEXT NOT NULL, cert_pem TEXT NOT NULL,"
    "  fingerprint TEXT NOT NULL UNIQUE, addr TEXT, added_ms INTEGER NOT NULL);"
    "CREATE TABLE link_in(peer TEXT NOT NULL, stream INTEGER NOT NULL, last_seq INTEGER NOT NULL,"
    "  PRIMARY KEY(peer, stream)) WITHOUT ROWID;"
    "CREATE TABLE link_out(peer TEXT NOT NULL, stream INTEGER NOT NULL,"
    "  acked_seq INTEGER NOT NULL, PRIMARY KEY(peer, stream)) WITHOUT ROWID;"
    "CREATE TABLE receipts(id INTEGER PRIMARY KEY, peer TEXT NOT NULL, stream INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, time_ms INTEGER NOT NULL, sig BLOB NOT NULL);"
    "CREATE TABLE rejections(id INTEGER PRIMARY KEY, peer TEXT NOT NULL, direction TEXT NOT NULL,"
    "  origin_seq INTEGER NOT NULL, reason TEXT NOT NULL, time_ms INTEGER NOT NULL, sig BLOB);",
    /* 3: the hotline: channels (ours and the partner's view) and messages */
    "CREATE TABLE channels(name TEXT PRIMARY KEY, peer TEXT NOT NULL, doc TEXT,"
    "  partner_doc TEXT);"
    "CREATE TABLE messages(id TEXT PRIMARY KEY, channel TEXT NOT NULL, serial INTEGER NOT NULL,"
    "  origin TEXT NOT NULL, precedence TEXT NOT NULL, time_ms INTEGER NOT NULL,"
    "  deadline_ms INTEGER NOT NULL, ack_required INTEGER NOT NULL, state TEXT NOT NULL,"
    "  escalated INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL, doc TEXT NOT NULL,"
    "  UNIQUE(origin, channel, serial));"
    "CREATE INDEX messages_time ON messages(time_ms DESC, id DESC);"
    "CREATE INDEX messages_open ON messages(deadline_ms) WHERE ack_required=1 AND escalated=0;",
    /* 4: the exchange log (Merkle leaves) and its checkpoints with cosignatures */
    "CREATE TABLE xlog(idx INTEGER PRIMARY KEY, peer TEXT NOT NULL, direction TEXT NOT NULL,"
    "  ref TEXT NOT NULL, time_ms INTEGER NOT NULL, data BLOB NOT NULL, leaf BLOB NOT NULL);"
    "CREATE INDEX xlog_ref ON xlog(direction, ref);"
    "CREATE TABLE checkpoints(id INTEGER PRIMARY KEY, origin TEXT NOT NULL, size INTEGER NOT NULL,"
    "  root BLOB NOT NULL, time_ms INTEGER NOT NULL, sig BLOB NOT NULL, cosigner TEXT,"
    "  cosig BLOB, UNIQUE(origin, size));",
    /* 5: patrol plans, ours and the partner's released ones, and the notice decisions */
    "CREATE TABLE patrols(id TEXT PRIMARY KEY, version INTEGER NOT NULL, side TEXT NOT NULL,"
    "  origin TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, from_km REAL NOT NULL,"
    "  to_km REAL NOT NULL, start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, seq INTEGER NOT "
    "NULL,"
    "  doc TEXT NOT NULL);"
    "CREATE INDEX patrols_window ON patrols(start_ms, end_ms);",
    /* 6: the command a user belongs to (escalations go to the parent command's users); the
     * lookups of a sensor's last alarm and of journal entries by kind */
    "ALTER TABLE users ADD COLUMN command TEXT;"
    "CREATE INDEX events_sensor ON events(origin, json_extract(doc,'$.sensor'), time_ms) "
    "  WHERE category IN ('FENCE_BREACH','SENSOR_ALARM');"
    "CREATE INDEX journal_kind ON journal(kind, seq);",
    /* 7: the link stream an entry leaves on, decided once when it is journaled (the sender used
     * to gate every entry once per stream to find out), and an index of the few urgent ones */
    "ALTER TABLE journal ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;"
    "UPDATE journal SET urgent=1 WHERE release<>'' AND sarhad_urgent(kind, payload);"
    "CREATE INDEX journal_urgent ON journal(origin, origin_seq) WHERE urgent=1;"
    /* (and the exchange log's leaf hashes in order, without reading the leaves' data) */
    "CREATE INDEX xlog_leaf ON xlog(idx, leaf);",
};

#define DB_SCHEMA_VERSION ((int)(sizeof(migrations) / sizeof(migrations[0])))

int db_schema_version(void)
{
    return DB_SCHEMA_VERSION;
}

sqlite3 *db_handle(struct store_db *db)
{
    return db->h;
}

enum sh_err db_exec(struct store_db *db, const char *sql)
{
    char *msg = NULL;

    if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
        log_error("db.error", "op=exec reason=\"%s\"", msg ? msg : sqlite3_errmsg(db->h));
        sqlite3_free(msg);
        return SH_EDB;
    }
    return SH_OK;
}

enum sh_err db_run(struct store_db *db, const char *sql)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    int rc;

    if (st == NULL)
        return SH_EDB;
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE) {
        log_error("db.error", "op=run sql=\"%s\" reason=\"%s\"", sql, sqlite3_errmsg(db->h));
        return SH_EDB;
    }
    return SH_OK;
}

static int pragma_int(struct store_db *db, const char *sql)
{
    sqlite3_stmt *st = db_stmt(db, sql);
    int v = -1;

    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int(st, 0);
    if (st)
        sqlite3_reset(st);
    return v;
}

int db_data_version(struct store_db *db)
{
    return pragma_int(db, "PRAGMA data_version");
}

/* SQL sarhad_urgent(kind, payload): 1 if the entry leaves on the link's urgent stream, as
 * gate_stream_of() decides; for migration 7, which sets the column for existing entries. */
static void sql_urgent(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    json_t *payload = text ? json_loadb(text, (size_t)sqlite3_value_bytes(argv[1]), 0, NULL) : NULL;

    (void)argc;
    sqlite3_result_int(ctx, kind && gate_stream_of(kind, payload) == GATE_URGENT);
    json_decref(payload);
}

static enum sh_err db_migrate(struct store_db *db, const char *path, struct sh_errinfo *info)
{
    int have = pragma_int(db, "PRAGMA user_version");
    char sql[64];

    if (have > DB_SCHEMA_VERSION)
        return err_set(info, SH_ESCHEMA, "",
                       "database %s has schema version %d, newer than "
                       "the %d this sarhad knows; run a newer sarhad",
                       path, have, DB_SCHEMA_VERSION);
    for (int v = have + 1; v <= DB_SCHEMA_VERSION; v++) {
        snprintf(sql, sizeof(sql), "PRAGMA user_version=%d", v);
        if (db_exec(db, "BEGIN IMMEDIATE") || db_exec(db, migrations[v - 1]) || db_exec(db, sql) ||
            db_exec(db, "COMMIT")) {
            db_exec(db, "ROLLBACK");
            return err_set(info, SH_EDB, "", "migration to schema version %d failed", v);
        }
        /* A fresh database is not news; an upgrade of an existing one is. */
        log_write(have == 0 ? LOG_DEBUG : LOG_INFO, "db.migrated", "path=%s version=%d", path, v);
    }
    return SH_OK;
}

/* Process-wide settings, before SQLite's first use. Memory statistics take one global mutex
 * on every allocation of every connection: the writer, the loop's readers, the checkpointer
 * and the read-ahead thread all queued on it, for figures nothing here reads. */
static pthread_once_t sqlite_once = PTHREAD_ONCE_INIT;

static void sqlite_configure(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum sh_err db_open(const char *path, int create, struct store_db **out, struct sh_errinfo *info)
{
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    struct store_db *db = calloc(1, sizeof(*db));
    enum sh_err rc = SH_OK;

    if (db == NULL)
        return SH_ENOMEM;
    pthread_once(&sqlite_once, sqlite_configure);
    if (sqlite3_open_v2(path, &db->h, flags, NULL) != SQLITE_OK) {
        rc = err_set(info, SH_EDB, "", "cannot open database %s: %s", path,
                     db->h ? sqlite3_errmsg(db->h) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db->h, 10000);
    sqlite3_extended_result_codes(db->h, 1);
    sqlite3_create_function(db->h, "sarhad_urgent", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, NULL,
                            sql_urgent, NULL, NULL);
    /* cache_size: a writer transaction (up to a few thousand rows with their indexes) must fit
     * in the page cache; at SQLite's default of 2 MiB it could spill dirty pages to the WAL in
     * mid-transaction. temp_store: each writer op runs in a savepoint (store/writer.c), whose
     * statement journal, a temporary file by default, took a write() per page an op touched. */
    if (db_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;"
                    "PRAGMA wal_autocheckpoint=4000; PRAGMA cache_size=-32768;"
                    "PRAGMA temp_store=MEMORY;")) {
        rc = err_set(info, SH_EDB, "", "cannot configure database %s: %s", path,
                     sqlite3_errmsg(db->h));
        goto out;
    }
    rc = db_migrate(db, path, info);
out:
    if (rc != SH_OK) {
        db_close(db);
        db = NULL;
    }
    *out = db;
    return rc;
}

void db_close(struct store_db *db)
{
    if (db == NULL)
        return;
    for (int i = 0; i < db->ncache; i++)
        sqlite3_finalize(db->cache[i].st);
    free(db->cache);
    sqlite3_close(db->h);
    free(db);
}

sqlite3_stmt *db_stmt(struct store_db *db, const char *sql)
{
    sqlite3_stmt *st = NULL;

    for (int i = 0; i < db->ncache; i++) {
        if (db->cache[i].sql == sql) {
            sqlite3_reset(db->cache[i].st);
            sqlite3_clear_bindings(db->cache[i].st);
            return db->cache[i].st;
        }
    }
    if (sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
        log_error("db.error", "op=prepare reason=\"%s\"", sqlite3_errmsg(db->h));
        return NULL;
    }
    if (db->ncache == db->capcache) {
        int cap = db->capcache ? db->capcache * 2 : 64;
        struct stmt_slot *grown = realloc(db->cache, (size_t)cap * sizeof *grown);
        if (!grown) {
            log_error("db.error", "op=prepare reason=\"out of memory\"");
            sqlite3_finalize(st);
            return NULL;
        }
        db->cache = grown;
        db->capcache = cap;
    }
    db->cache[db->ncache].sql = sql;
    db->cache[db->ncache].st = st;
    db->ncache++;
    return st;
}

void db_bind_text(sqlite3_stmt *st, int idx, const char *s)
{
    if (s)
        sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, idx);
}

enum sh_err db_meta_get(struct store_db *db, const char *key, char *out, size_t outlen)
{
    sqlite3_stmt *st = db_stmt(db, "SELECT value FROM meta WHERE key=?");
    enum sh_err rc = SH_ENOTFOUND;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, key);
    if (sqlite3_step(st) == SQLITE_ROW) {
        snprintf(out, outlen, "%s", (const char *)sqlite3_column_text(st, 0));
        rc = SH_OK;
    }
    sqlite3_reset(st);
    return rc;
}

enum sh_err db_meta_set(struct store_db *db, const char *key, const char *value)
{
    sqlite3_stmt *st = db_stmt(db, "INSERT INTO meta(key,value) VALUES(?,?) "
                                   "ON CONFLICT(key) DO UPDATE SET value=excluded.value");
    enum sh_err rc = SH_OK;

    if (st == NULL)
        return SH_EDB;
    db_bind_text(st, 1, key);
    db_bind_text(st, 2, value);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = SH_EDB;
    sqlite3_reset(st);
    return rc;
}
