/*
 * entry.h: the journal entry, the unit of every durable change (DESIGN.md, "the journal is the
 * spine"), and its canonical byte encoding.
 *
 * The hash chain is hash = SHA-256(prev_hash || entry_canonical(entry)). The canonical encoding
 * is versioned, length-prefixed and independent of JSON formatting, so that any implementation
 * can recompute a hash from the fields alone:
 *
 *   "sarhad-entry-v1" 0x00
 *   u64 seq | u64 time_ms | str kind | str record_id | u64 version | str origin |
 *   u64 origin_seq | str release | str payload
 *
 * where u64 is 8 bytes big-endian (two's complement) and str is a u32 big-endian length
 * followed by the bytes.
 */
#ifndef SARHAD_DOMAIN_ENTRY_H
#define SARHAD_DOMAIN_ENTRY_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define ENTRY_HASH_LEN 32
#define ENTRY_SIG_LEN 64
#define ENTRY_SEAL_DEPTH 10 /* a seal's path: batches of up to 2^10 entries (domain/seal.h) */
#define ENTRY_SEAL_MAX (ENTRY_SIG_LEN + 8 + 32 * ENTRY_SEAL_DEPTH)

struct journal_entry {
    int64_t seq;        /* local sequence number, 1-based, dense */
    int64_t time_ms;    /* when it was appended here, UTC */
    char kind[32];      /* "event.create", "section.update", ... */
    char record_id[64]; /* the record the entry changes */
    int64_t version;    /* the record's version after this entry */
    char origin[64];    /* node where the change was first made */
    int64_t origin_seq; /* its seq at the origin */
    char release[128];  /* release set: sorted ISO3 codes joined by ','; "" = national */
    char *payload;      /* the record as JSON after the change; owned */
    size_t payload_len;
    uint8_t prev_hash[ENTRY_HASH_LEN];
    uint8_t hash[ENTRY_HASH_LEN];
    int urgent;      /* leaves on the link's urgent stream: decided once, by the writer that
                        journals it, with gate_stream_of() (domain/gate.h) */
    size_t seal_len; /* an entry received over the link keeps its origin's seal; else 0 */
    uint8_t seal[ENTRY_SEAL_MAX]; /* signature and batch proof over entry_canonical_wire() */
};

/* Writes the canonical encoding of `e` into `buf` (capacity `cap`) and returns the number of
 * bytes it needs; when that exceeds `cap`, nothing useful was written: call again bigger. */
size_t entry_canonical(const struct journal_entry *e, uint8_t *buf, size_t cap);

/* The encoding an origin node signs when an entry crosses the link: what the entry is, not
 * where either journal keeps it (no local seq, time or hashes):
 *
 *   "sarhad-wire-v1" 0x00 str origin | u64 origin_seq | str kind | str record_id |
 *   u64 version | str release | str payload
 *
 * Same contract as entry_canonical(). */
size_t entry_canonical_wire(const struct journal_entry *e, uint8_t *buf, size_t cap);

/* The inverse: fills the identity fields and the payload (a new allocation, NUL-terminated) of
 * `e` from exactly `len` bytes of a wire encoding; the rest of `e` is zeroed. -1, with nothing
 * allocated, if the bytes are not one whole encoding, a field does not fit `e` or a text field
 * holds a NUL; then `what` names the first bad field. Re-encoding gives the same bytes. */
int entry_from_wire(const uint8_t *wire, size_t len, struct journal_entry *e, const char **what);

/* What a receiver signs to acknowledge, cumulatively, everything up to `seq` on `stream`:
 *   "sarhad-ack-v1" 0x00 str receiver | str sender | u64 stream | u64 seq | u64 time_ms
 * and to refuse one entry:
 *   "sarhad-reject-v1" 0x00 str receiver | str sender | u64 stream | u64 origin_seq |
 *   str reason | u64 time_ms
 * Same contract as entry_canonical(). `reason` NULL selects the acknowledgement form. */
size_t entry_canonical_receipt(const char *receiver, const char *sender, int stream, int64_t seq,
                               const char *reason, int64_t time_ms, uint8_t *buf, size_t cap);

/* What an origin signs for a batch of `count` entries sent over the link (domain/seal.h):
 *   "sarhad-batch-v1" 0x00 str origin | u64 count | root (32)
 * where root is the Merkle root over the entries' canonical wire encodings. Same contract as
 * entry_canonical(). */
size_t entry_canonical_batch(const char *origin, uint64_t count, const uint8_t root[ENTRY_HASH_LEN],
                             uint8_t *buf, size_t cap);

/* Frees the payload of `e` (not `e` itself). NULL is a no-op. */
void entry_clear(struct journal_entry *e);

/* The entry as a JSON object: seq, time (RFC 3339), kind, record_id, version, origin,
 * origin_seq, release (array), payload (parsed object), prev_hash and hash (hex). Returns a new
 * reference, or NULL if the payload is not valid JSON. */
json_t *entry_to_json(const struct journal_entry *e);

#endif
