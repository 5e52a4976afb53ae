/*
 * seal.h: how an origin signs the entries it sends over the link, many at once, so that each
 * entry can still be proven alone.
 *
 * The sender seals a batch (what one turn of the link sends on a stream, up to SEAL_BATCH_MAX
 * entries) with one Ed25519 signature over the root of an RFC 6962 Merkle tree of the batch
 * (domain/merkle.h):
 *
 *   leaf       SHA-256(0x00 || entry_canonical_wire(entry))
 *   statement  entry_canonical_batch(): "sarhad-batch-v1" 0x00 str origin | u64 count | root
 *   seal       signature (64) | u32 index | u32 count | inclusion path (32 each, leaf first)
 *
 * (u64/u32 big-endian, str a u32 length and the bytes, as in domain/entry.h.) Checking a seal
 * needs only the entry, the seal and the origin's public key: hash the entry, climb the path
 * to the root, verify the signature over the statement. A batch of one has an empty path and
 * its root is the entry's leaf hash.
 *
 * Why batches: an Ed25519 signature (about 40 µs here) and a verification (about 105 µs) per
 * entry held replication near 5,000 entries/s on two cores; per batch they cost well under a
 * microsecond an entry, and a seal stays a proof about its one entry (bench/RESULTS.md).
 */
#ifndef SARHAD_DOMAIN_SEAL_H
#define SARHAD_DOMAIN_SEAL_H

#include "core/err.h"
#include "domain/entry.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define SEAL_BATCH_MAX (1 << ENTRY_SEAL_DEPTH) /* entries under one signature */

struct crypto_key;

/* Seals n entries of `origin` (1 <= n <= SEAL_BATCH_MAX) given their canonical wire encodings
 * wire[i] of len[i] bytes: one signature, then seal i written to seals[i] with its length in
 * seal_len[i]. SH_EINVAL for a bad n, SH_ENOMEM, SH_ECRYPTO if the key cannot sign. */
enum sh_err seal_batch(const struct crypto_key *key, const char *origin, const uint8_t *const *wire,
                       const size_t *len, size_t n, uint8_t (*seals)[ENTRY_SEAL_MAX],
                       size_t *seal_len);

/* The last statement a receiver verified: entries of one batch arrive one after another, and
 * each after the first is checked with hashes alone. Zero-initialise; one per sender. */
struct seal_memo {
    int valid;
    uint8_t pub[32];
    char origin[64];
    uint64_t count;
    uint8_t root[32];
    uint8_t sig[64];
};

/* Checks `seal` over the entry of `origin` whose canonical wire encoding is wire[0..len), by
 * the key `pub`. `memo` may be NULL. SH_OK if it holds, SH_EINVAL if the seal is malformed,
 * SH_ECRYPTO if it does not prove the entry. */
enum sh_err seal_verify(const char *origin, const uint8_t *wire, size_t len, const uint8_t *seal,
                        size_t seal_len, const uint8_t pub[32], struct seal_memo *memo);

/* Sets on `obj` "sig" (hex) and "batch" {index, count, path: [hex, ...]}: a seal as people
 * and proofs read it. */
void seal_to_json(json_t *obj, const uint8_t *seal, size_t len);

/* The seal from an object with "sig" and "batch" as seal_to_json() writes them; -1 if they are
 * missing or malformed. `seal` holds ENTRY_SEAL_MAX bytes. */
int seal_from_json(const json_t *obj, uint8_t *seal, size_t *len);

#endif
