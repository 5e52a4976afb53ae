/*
 * journal.h: the append-only, hash-chained journal, and the write transaction it lives in.
 *
 * Every durable change is appended here, in the same transaction as the derived rows that
 * queries read (events, sections, users). An entry's hash covers the previous entry's hash,
 * so the journal is a chain that `journal_verify` can recheck end to end.
 *
 * Appends happen only inside a `struct store_tx`, which carries the chain head; store_tx_run()
 * (store/writer.h) and the writer thread create them.
 */
#ifndef SARHAD_STORE_JOURNAL_H
#define SARHAD_STORE_JOURNAL_H

#include "core/err.h"
#include "domain/entry.h"
#include "store/db.h"

#include <stdint.h>

/* One open write transaction. Borrowed by apply functions; never kept. */
struct store_tx {
    struct store_db *db;
    const char *node;                  /* origin name for entries made here */
    int64_t now_ms;                    /* time stamped on entries of this transaction */
    int64_t head_seq;                  /* last appended seq */
    uint8_t head_hash[ENTRY_HASH_LEN]; /* its hash (zeros before the first entry) */
    int64_t undo_seq;                  /* the head when the running op began (store_tx_undo) */
    uint8_t undo_hash[ENTRY_HASH_LEN];
};

/* Reads the chain head (last seq and hash; 0 and zeros for an empty journal). */
enum sh_err journal_head(struct store_db *db, int64_t *seq, uint8_t hash[ENTRY_HASH_LEN]);

/* The last seq in the journal (0 when empty or unreadable). */
int64_t journal_last_seq(struct store_db *db);

/* Appends `e`: sets seq, time_ms (to tx->now_ms), origin/origin_seq when origin is "",
 * prev_hash and hash, then inserts it. Borrows `e`. SH_EEXISTS if an entry with the same
 * (origin, origin_seq) is already in the journal, SH_EDB on any other failure. */
enum sh_err journal_append(struct store_tx *tx, struct journal_entry *e);

typedef int (*journal_visit_fn)(const struct journal_entry *e, void *arg);

/* Calls `fn` for entries with seq > `after`, in order, at most `limit` (<= 0: no limit).
 * `fn` returns non-zero to stop early. The entry is valid only during the call. */
enum sh_err journal_read(struct store_db *db, int64_t after, int limit, journal_visit_fn fn,
                         void *arg);

/* Like journal_read, for the entries made at `origin` (this node: their origin_seq is their
 * seq) whose release set names `country`: what the link may send to that country's node;
 * `after` is an origin_seq. With `only_urgent`, only those of the urgent stream (read by
 * index, without walking the others); without, all of them, each with its `urgent` flag. */
enum sh_err journal_read_released(struct store_db *db, int64_t after, const char *origin,
                                  const char *country, int only_urgent, int limit,
                                  journal_visit_fn fn, void *arg);

/* Calls `fn` for the entries of `kind` about `record_id`, in journal order. */
enum sh_err journal_read_record(struct store_db *db, const char *kind, const char *record_id,
                                journal_visit_fn fn, void *arg);

/* Calls `fn` for the entry made at `origin` with `origin_seq`, if the journal holds it. */
enum sh_err journal_read_origin(struct store_db *db, const char *origin, int64_t origin_seq,
                                journal_visit_fn fn, void *arg);

/* Recomputes every hash from the first entry. Returns SH_OK, or SH_ECONFLICT with *bad_seq set
 * to the first entry whose hash, chain link or sequence is wrong. */
enum sh_err journal_verify(struct store_db *db, int64_t *bad_seq);

#endif
