/*
 * proof.h: self-contained proofs about hotline messages ("you were told at 14:02").
 *
 * A proof is one JSON document:
 *   format       "sarhad-proof-v2"
 *   origin,peer  {node, cert}: both nodes' certificates (their Ed25519 keys)
 *   entry        the message as it crossed: origin, origin_seq, kind, record_id, version,
 *                release, payload, sig and batch {index, count, path}: the origin's seal
 *                (domain/seal.h), a signature over the root of the batch the entry went in
 *   leaf_index, inclusion[]: where that signed entry sits in the origin's exchange log
 *   checkpoint   {size, root, time, sig, cosigner, cosig}: the log's signed head, cosigned by
 *                the peer
 *   receipt      the peer's signed delivery receipt entry; ack: its acknowledgement, if any
 * Checking needs nothing but the file: every signature and hash is recomputed from it.
 */
#ifndef SARHAD_CLI_PROOF_H
#define SARHAD_CLI_PROOF_H

#include "node/config.h"
#include "store/db.h"

#include <stddef.h>
#include <stdint.h>

/* Writes the proof about message `id` (sent by this node) to `out_path` or stdout.
 * `leaves` are the exchange log's leaf hashes. Returns a CLI exit status. */
int proof_write(struct store_db *db, const struct config *cfg, const char *own_cert,
                const uint8_t (*leaves)[32], size_t nleaves, const char *id, const char *out_path);

/* Verifies the proof in `path` and prints what it establishes, with the fingerprints of the
 * keys that signed it; `expect_origin` / `expect_peer` (or NULL) are fingerprints the keys must
 * have. Returns a CLI exit status. */
int proof_check(const char *path, const char *expect_origin, const char *expect_peer);

#endif
