/*
 * xlog.h: the exchange log (DESIGN.md principle 3): an append-only Merkle log (RFC 6962, see
 * domain/merkle.h) of every entry this node sent to or received from a peer and every receipt
 * it issued, with signed checkpoints and the peer's cosignatures.
 *
 *   leaf data: "sent" / "received": entry_canonical_wire(entry) || the origin's seal
 *                                   (domain/seal.h: signature, batch index, count, path)
 *              "receipt":           entry_canonical_receipt(...) || our signature (64)
 *   A "received" leaf of an entry that was applied stores no data (an empty blob): its data
 *   is rebuilt from the journal row named by its ref, which holds the same fields and the
 *   seal. (It was stored twice: a third of the receiver's writes.) A refused entry, which
 *   has no journal row, keeps its data.
 *   leaf hash: SHA-256(0x00 || data); leaf index = xlog.idx (0-based)
 *   checkpoint note (signed by the log's node, cosigned by the peer):
 *              "sarhad-checkpoint-v1" 0x00 str origin | u64 size | root (32) | u64 time_ms
 *   cosignature: "sarhad-cosign-v1" 0x00 str cosigner | <the checkpoint note>
 */
#ifndef SARHAD_STORE_XLOG_H
#define SARHAD_STORE_XLOG_H

#include "core/err.h"
#include "store/journal.h"

#include <jansson.h>
#include <stdint.h>

struct xlog_checkpoint {
    char origin[64];
    int64_t size;
    uint8_t root[32];
    int64_t time_ms;
    uint8_t sig[64];
    char cosigner[64]; /* "" until cosigned */
    uint8_t cosig[64];
};

/* Appends a leaf. `ref` names what it is ("PK-SOUTH:42" for an entry, "ack:IR-EAST:1:900"
 * for a receipt). Borrows `data`. */
enum sh_err xlog_append(struct store_tx *tx, const char *peer, const char *direction,
                        const char *ref, const uint8_t *data, size_t len);

/* Appends the leaf of entry `e` received from `peer` (`ref` "origin:origin_seq"; data: what the
 * origin sealed, entry_canonical_wire, then the seal). When `journaled` (applied in this
 * transaction) the data is hashed into the leaf but not stored a second time: readers rebuild
 * it from the journal row, so that row is what the leaf proves. A refused entry has no row,
 * and its leaf keeps its data. */
enum sh_err xlog_append_received(struct store_tx *tx, const char *peer,
                                 const struct journal_entry *e, int journaled);

/* Appends to `*leaves` (grown with realloc) the hashes of leaves from index *n on, at most
 * `limit` of them (<= 0: all); updates *n and *cap. */
enum sh_err xlog_leaves(struct store_db *db, uint8_t (**leaves)[32], size_t *n, size_t *cap,
                        int limit);

/* The leaf of direction `direction` and ref `ref`: its index and data (malloc'd). */
enum sh_err xlog_find(struct store_db *db, const char *direction, const char *ref, int64_t *index,
                      uint8_t **data, size_t *len);

typedef int (*xlog_visit_fn)(int64_t index, const char *direction, const char *ref,
                             const uint8_t *data, size_t len, const uint8_t leaf[32], void *arg);

/* Visits every leaf in order (for audit verify). */
enum sh_err xlog_scan(struct store_db *db, xlog_visit_fn fn, void *arg);

/* The canonical checkpoint note and the cosignature message. Return the length written
 * (cap >= 256 suffices for names up to 63 bytes). */
size_t xlog_note(const struct xlog_checkpoint *c, uint8_t *buf, size_t cap);
size_t xlog_cosign_msg(const struct xlog_checkpoint *c, uint8_t *buf, size_t cap);

/* Stores a checkpoint (ours or a peer's); an existing (origin, size) row gets the cosignature. */
enum sh_err xlog_checkpoint_put(struct store_tx *tx, const struct xlog_checkpoint *c);

/* The latest checkpoint of `origin` (cosigned only, if `cosigned`). SH_ENOTFOUND if none. */
enum sh_err xlog_checkpoint_last(struct store_db *db, const char *origin, int cosigned,
                                 struct xlog_checkpoint *out);

/* The checkpoint of `origin` at exactly `size`. */
enum sh_err xlog_checkpoint_at(struct store_db *db, const char *origin, int64_t size,
                               struct xlog_checkpoint *out);

/* The smallest cosigned checkpoint of `origin` covering leaf `index`. */
enum sh_err xlog_checkpoint_covering(struct store_db *db, const char *origin, int64_t index,
                                     struct xlog_checkpoint *out);

/* Visits every checkpoint, by origin and size. */
enum sh_err xlog_checkpoints(struct store_db *db,
                             int (*fn)(const struct xlog_checkpoint *c, void *arg), void *arg);

#endif
