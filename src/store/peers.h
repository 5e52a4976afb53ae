/*
 * peers.h: the federation link's durable state: pinned peers, where each stream stands in each
 * direction, the signed receipts the partner gave us and the rejections either side made.
 *
 * Exactly-once rests on two rows written in the same transaction as what they describe:
 *  - link_in(peer, stream).last_seq: the partner's last origin seq applied here, updated with
 *    the replicated journal entry (replica_apply) or the rejection (rejection_add);
 *  - link_out(peer, stream).acked_seq: our last seq the partner acknowledged, with its receipt.
 * The journal itself is the outbox: what to send is read from it after acked_seq.
 */
#ifndef SARHAD_STORE_PEERS_H
#define SARHAD_STORE_PEERS_H

#include "core/err.h"
#include "domain/entry.h"
#include "store/journal.h"

#include <jansson.h>
#include <stdint.h>

struct peer_row {
    char name[64];
    char country[4];
    char fingerprint[65];
    char addr[128]; /* "" when the peer dials in */
    char *cert_pem; /* owned */
};

/* Pins a peer (journaled as peer.add, national). SH_EEXISTS on a duplicate name or cert. */
enum sh_err peers_add(struct store_tx *tx, const struct peer_row *p, struct sh_errinfo *info);

/* Unpins a peer. SH_ENOTFOUND if there is none of that name. */
enum sh_err peers_remove(struct store_tx *tx, const char *name, struct sh_errinfo *info);

/* Loads every peer; *out is a malloc'd array of *n rows (free with peers_free). */
enum sh_err peers_load(struct store_db *db, struct peer_row **out, int *n);

/* The country (ISO3) of pinned peer `name` into `out`; SH_ENOTFOUND if none is pinned. */
enum sh_err peers_country(struct store_db *db, const char *name, char out[4]);

/* Frees what peers_load returned. */
void peers_free(struct peer_row *rows, int n);

/* Last origin seq of `peer` applied here on `stream` (0 if none). */
int64_t link_in_get(struct store_db *db, const char *peer, int stream);

/* Our last seq `peer` acknowledged on `stream` (0 if none). */
int64_t link_out_get(struct store_db *db, const char *peer, int stream);

/* Applies a replicated entry `e` (origin fields and signature set) carrying the record `doc`
 * (whose text is e->payload when `as_sent`, gate_inbound): appends it to the journal, upserts
 * the record when its version is newer than ours, and advances link_in; hotline entries go
 * to store/hotline_store (a message makes its delivery receipt, released to `peer_country`).
 * SH_EEXISTS if origin_seq was applied already. */
enum sh_err replica_apply(struct store_tx *tx, const char *peer, const char *peer_country,
                          int stream, struct journal_entry *e, const json_t *doc, int as_sent,
                          struct sh_errinfo *info);

/* Records a signed cumulative acknowledgement from `peer` and advances link_out. */
enum sh_err receipt_add(struct store_tx *tx, const char *peer, int stream, int64_t seq,
                        int64_t time_ms, const uint8_t sig[ENTRY_SIG_LEN]);

/* Records a signed rejection. direction "in": we refused the peer's entry (advances link_in
 * past it on `stream`; sig is ours); "out": the peer refused ours (sig is theirs; a second
 * "out" for the same entry, sent again after a reconnect, is a no-op). */
enum sh_err rejection_add(struct store_tx *tx, const char *peer, const char *direction, int stream,
                          int64_t origin_seq, const char *reason, int64_t time_ms,
                          const uint8_t sig[ENTRY_SIG_LEN]);

typedef int (*rejection_visit_fn)(int64_t origin_seq, const char *reason, int64_t time_ms,
                                  const uint8_t sig[ENTRY_SIG_LEN], void *arg);

/* Calls `fn` for our signed rejections of `peer`'s entries with origin_seq > `after`, in
 * order (for sending them again); `fn` returns non-zero to stop. Rows written before
 * rejections were signed in their transaction carry no signature and are skipped. */
enum sh_err rejections_in_after(struct store_db *db, const char *peer, int64_t after,
                                rejection_visit_fn fn, void *arg);

/* Appends {peer, direction, origin_seq, reason, time} of the latest `limit` rejections. */
enum sh_err rejections_list(struct store_db *db, int limit, json_t *out);

#endif
