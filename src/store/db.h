/*
 * db.h: the SQLite database of a node: opening, tuning, schema migrations, cached statements.
 *
 * store/ is the only code that includes sqlite3.h. A node opens one connection for the writer
 * thread (all writes) and one for reads on the event loop; WAL lets them run side by side.
 * Commits are durable (journal_mode=WAL, synchronous=FULL): a commit returns after the WAL is
 * fsynced, which is why the writer batches many operations into one commit.
 *
 * Schema versions are numbered migrations (PRAGMA user_version). Opening runs the missing ones
 * in one transaction each; a database newer than this binary is refused with SH_ESCHEMA.
 */
#ifndef SARHAD_STORE_DB_H
#define SARHAD_STORE_DB_H

#include "core/err.h"

#include <sqlite3.h>

struct store_db;

/* Opens (creating if `create`) the database at `path`, migrates it, and returns the handle. */
enum sh_err db_open(const char *path, int create, struct store_db **out, struct sh_errinfo *info);

/* Closes the connection. NULL is a no-op. */
void db_close(struct store_db *db);

/* The raw connection, for store/ modules only. */
sqlite3 *db_handle(struct store_db *db);

/* A prepared statement for `sql`, cached per connection by the address of `sql` (pass string
 * literals). The statement is reset and its bindings cleared. Never NULL for valid SQL; on a
 * prepare error it logs and returns NULL. */
sqlite3_stmt *db_stmt(struct store_db *db, const char *sql);

/* Runs SQL with no result rows (any number of statements, parsed each time). */
enum sh_err db_exec(struct store_db *db, const char *sql);

/* Runs one statement with no result rows through db_stmt's cache (`sql` a string literal):
 * for what runs per write (BEGIN, COMMIT, SAVEPOINT), where parsing it again each time was a
 * tenth of a busy writer's time. */
enum sh_err db_run(struct store_db *db, const char *sql);

/* The schema version this binary writes. */
int db_schema_version(void);

/* Value of key `key` in the meta table into `out`; SH_ENOTFOUND if absent. */
enum sh_err db_meta_get(struct store_db *db, const char *key, char *out, size_t outlen);

/* Sets `key` in the meta table (inside the caller's transaction, if any). */
enum sh_err db_meta_set(struct store_db *db, const char *key, const char *value);

/* PRAGMA data_version: changes when another connection commits. */
int db_data_version(struct store_db *db);

/* Binds `s` (may be NULL -> SQL NULL) as text. */
void db_bind_text(sqlite3_stmt *st, int idx, const char *s);

#endif
