/*
 * records.h: the node's records (events, sections, users, units) in SQLite.
 *
 * Writes (`*_put`, `users_add`, ...) run inside a store_tx: each appends one journal entry and
 * updates the derived table in the same transaction, with an optimistic version check so that
 * a stale PATCH fails with SH_ECONFLICT instead of overwriting. Reads take a store_db (the
 * loop's read connection or the CLI's).
 */
#ifndef SARHAD_STORE_RECORDS_H
#define SARHAD_STORE_RECORDS_H

#include "core/err.h"
#include "domain/coverage.h"
#include "domain/patrol.h"
#include "domain/role.h"
#include "store/journal.h"

#include <jansson.h>
#include <stdint.h>

/* Journals `doc` (borrowed) as entry `kind` for event doc.id and upserts the events table.
 * `base_version` is the version the change was made against: 0 for a new event. When
 * `payload_out` is not NULL it receives the journaled JSON text (caller frees), so that an
 * answer can repeat exactly the bytes that were stored. */
enum sh_err events_put(struct store_tx *tx, const char *kind, const json_t *doc,
                       int64_t base_version, char **payload_out, struct sh_errinfo *info);

/* Writes the events row of entry `e` with record `doc` and its JSON `text` (borrowed), unless
 * the row already holds this version or a newer one. Used by events_put and replica_apply. */
enum sh_err events_row_upsert(struct store_db *db, const struct journal_entry *e, const json_t *doc,
                              const char *text, size_t len);

/* The stored event `id` as a new reference in *out. */
enum sh_err events_get(struct store_db *db, const char *id, json_t **out);

struct event_filter {
    int64_t since_ms;     /* event time >= since (0: any) */
    const char *category; /* NULL: any */
    const char *status;   /* NULL: any */
    int has_bbox;
    double min_lon, min_lat, max_lon, max_lat;
    int64_t before_time_ms; /* paging cursor: strictly older than (time, id) */
    const char *before_id;  /* NULL: first page */
    int limit;
};

/* Appends matching events, newest first, to the array `out`. */
enum sh_err events_list(struct store_db *db, const struct event_filter *f, json_t *out);

/* Journals and stores a section document (borrowed). base_version 0 creates it. */
enum sh_err sections_put(struct store_tx *tx, const json_t *doc, int64_t base_version,
                         struct sh_errinfo *info);

/* Section `id` as a new reference. */
enum sh_err sections_get(struct store_db *db, int id, json_t **out);

/* Appends every section, by id, to the array `out`. */
enum sh_err sections_list(struct store_db *db, json_t *out);

struct user {
    int64_t id;
    char name[64];
    char command[128]; /* the command the user belongs to, "" if none */
    enum role role;
    int revoked;
};

/* Adds a user with the hash of their token (never the token). SH_EEXISTS if the name is
 * taken by an active user. */
enum sh_err users_add(struct store_tx *tx, const char *name, enum role role, const char *command,
                      const char *token_hash_hex, struct sh_errinfo *info);

/* Revokes the user `name`. SH_ENOTFOUND if no active user has it. */
enum sh_err users_revoke(struct store_tx *tx, const char *name, struct sh_errinfo *info);

/* Finds the active user holding the token whose hash is `token_hash_hex`. */
enum sh_err users_find_by_token(struct store_db *db, const char *token_hash_hex, struct user *out);

/* Appends {name, role, command, created, revoked} objects to the array `out`. */
enum sh_err users_list(struct store_db *db, json_t *out);

/* Upserts the latest unit documents of `units` (an object uid -> doc, borrowed) and appends
 * their positions to the track table; deletes tracks older than `keep_after_ms`. Not
 * journaled: positions are latest-wins state. */
enum sh_err units_flush(struct store_tx *tx, const json_t *units, int64_t keep_after_ms);

/* Loads every unit document into the object `out` (uid -> doc). */
enum sh_err units_load(struct store_db *db, json_t *out);

/* Rows in the track table (for tests and metrics). */
int64_t units_track_count(struct store_db *db);

/* Appends {time_ms, doc} for the latest `limit` section changes, oldest first, to `out`. */
enum sh_err section_versions(struct store_db *db, int limit, json_t *out);

/* Journals `doc` (borrowed) as entry `kind` of record `id` at `version`, with no derived
 * table: a decision to keep on record (a patrol notice sent or withheld). */
enum sh_err records_note(struct store_tx *tx, const char *kind, const char *id, int64_t version,
                         const json_t *doc);

/* The latest patrol.notice decision about patrol `id` (new reference), or NULL in *out if
 * there is none. */
enum sh_err patrols_last_notice(struct store_db *db, const char *id, json_t **out);

/* Journals and stores a patrol document (borrowed); base_version 0 creates it. */
enum sh_err patrols_put(struct store_tx *tx, const char *kind, const json_t *doc,
                        int64_t base_version, char **payload_out, struct sh_errinfo *info);

/* Writes the patrols row of entry `e` (latest version wins), for patrols_put and
 * replica_apply. SH_EFORBIDDEN if the id is another node's plan. */
enum sh_err patrols_row_upsert(struct store_db *db, const struct journal_entry *e,
                               const json_t *doc, const char *text, size_t len);

/* Patrol `id` as a new reference. */
enum sh_err patrols_get(struct store_db *db, const char *id, json_t **out);

/* Appends every patrol (both sides, any status) whose window overlaps [from_ms, to_ms), by
 * start, to `out`. */
enum sh_err patrols_list(struct store_db *db, int64_t from_ms, int64_t to_ms, json_t *out);

/* The stretch and window of every patrol not cancelled whose window overlaps [from_ms, to_ms),
 * without parsing documents (coverage reads thousands): side COVERAGE_OWN when the patrol's
 * side is `own`. *out is malloc'd (caller frees), NULL when none. */
enum sh_err patrols_spans(struct store_db *db, int64_t from_ms, int64_t to_ms, const char *own,
                          struct coverage_patrol **out, size_t *n);

/* For each section with open fence or sensor alarm events of time >= since_ms, sets
 * out[section id as text] = {open_alarms, reports (with folded repeats), last}. */
enum sh_err alarms_open_by_section(struct store_db *db, int64_t since_ms, json_t *out);

/* Journals a release of this side's fence facts (`doc` from section_fence_release, given the
 * next version of this node's releases here). */
enum sh_err fence_release_put(struct store_tx *tx, json_t *doc, struct sh_errinfo *info);

/* Writes the partner's released fence facts (a checked fence.status document) into its side of
 * our sections (a derived view: the journal keeps the entry). */
enum sh_err sections_partner_fence(struct store_db *db, const json_t *doc);

/* The latest alarm event of `sensor` made at node `origin` (new reference), SH_ENOTFOUND if none.
 */
enum sh_err alarms_last(struct store_db *db, const char *origin, const char *sensor, json_t **out);

/* Appends [time_ms, lat, lon] of unit `uid`'s track in [from_ms, to_ms) to `out` (the first
 * 20,000 reports). */
enum sh_err tracks_between(struct store_db *db, const char *uid, int64_t from_ms, int64_t to_ms,
                           json_t *out);

#endif
