/*
 * merkle.h: the RFC 6962 (Certificate Transparency) Merkle tree over SHA-256, the same tree as
 * C2SP tlog and Go's golang.org/x/mod/sumdb/tlog, so that a node's ledger can be checked with
 * their tools.
 *
 *   leaf hash      = SHA-256(0x00 || data)
 *   interior hash  = SHA-256(0x01 || left || right)
 *   MTH({})        = SHA-256("")
 *   MTH(D[0:n])    = interior(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n
 *
 * Pure: no I/O and no state of its own. The caller keeps the leaf hashes (in the database) and
 * hands them in as an array `leaves[0..n)` of MERKLE_HASH_LEN-byte hashes, borrowed for the call.
 * Building a root or a proof from the array alone costs O(n) hashes: a second or more over a
 * few million leaves. A caller that asks again and again over a growing log (a node's link,
 * `audit verify`) keeps a `struct merkle_cache` beside the array and passes it in, which
 * brings each to O(MERKLE_CACHE_BLOCK * log n).
 *
 * Results: functions that can fail return SH_OK, SH_EINVAL when the sizes cannot describe a
 * tree or proof at all (an index past the end, a consistency proof from size 0 or from a
 * larger tree), and the verifiers SH_ECONFLICT when a well-formed question gets the answer
 * "this proof does not show that".
 */
#ifndef SARHAD_DOMAIN_MERKLE_H
#define SARHAD_DOMAIN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MERKLE_HASH_LEN 32

/* The most hashes a proof from merkle_inclusion_proof() or merkle_consistency_proof() holds,
 * and so the size of the `path` array they need. A tree whose leaf hashes fit in memory is
 * less than 59 levels deep, so neither proof comes near it. */
#define MERKLE_MAX_PATH 64

/*
 * Roots of the tree's large perfect subtrees, kept as leaves are appended. Level j (from
 * MERKLE_CACHE_LEVEL up) holds the roots of the aligned blocks of 2^j leaves,
 * [i * 2^j, (i + 1) * 2^j), as far as the leaves covered complete them: about n / 128 hashes
 * in all (256 KiB for a million leaves). Every function below that takes a cache takes NULL
 * for none, and gives the same result either way; the leaves it is given must be the ones
 * the cache was extended with, as far as it covers them.
 */
#define MERKLE_CACHE_LEVEL 8
#define MERKLE_CACHE_BLOCK ((size_t)1 << MERKLE_CACHE_LEVEL)
struct merkle_cache {
    size_t n;                              /* leaves covered */
    uint8_t (*level[64])[MERKLE_HASH_LEN]; /* level[j], j >= MERKLE_CACHE_LEVEL */
    size_t count[64], cap[64];             /* roots in level[j], and room for them */
};

/* Makes `c` the empty cache. */
void merkle_cache_init(struct merkle_cache *c);

/* Takes in leaves[c->n .. n) (leaves[0 .. c->n) must be the ones it already covers): caches
 * the root of every block they complete, about one hash per leaf. SH_ENOMEM leaves the cache
 * covering fewer leaves, which is still correct. */
enum sh_err merkle_cache_extend(struct merkle_cache *c, const uint8_t (*leaves)[MERKLE_HASH_LEN],
                                size_t n);

/* Frees the cache's levels and makes it empty. */
void merkle_cache_free(struct merkle_cache *c);

/* The leaf hash of the `len` bytes at `data` (NULL allowed when `len` is 0). */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN]);

/* The interior hash of two children. `out` may be the same buffer as `left` or `right`. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN]);

/* The root (tree head hash) of the tree over leaves[0..n). With n 0, `leaves` may be NULL and
 * the root is SHA-256 of the empty string. */
void merkle_root(const struct merkle_cache *cache, const uint8_t (*leaves)[MERKLE_HASH_LEN],
                 size_t n, uint8_t out[MERKLE_HASH_LEN]);

/* The inclusion (audit) path of leaf `index` in the tree over leaves[0..n) (RFC 6962 section
 * 2.1.1 PATH): writes *len hashes, at most MERKLE_MAX_PATH, to `path`, nearest the leaf first.
 * A tree of one leaf has the empty path. SH_EINVAL (and *len 0) if index >= n. */
enum sh_err merkle_inclusion_proof(const struct merkle_cache *cache,
                                   const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t index,
                                   uint8_t (*path)[MERKLE_HASH_LEN], size_t *len);

/* Checks that `leaf` (a leaf hash) is leaf number `index` of the tree of `n` leaves whose root
 * is `root`, given its inclusion path path[0..len) (RFC 9162 section 2.1.3.2). SH_OK if it is,
 * SH_ECONFLICT if the path does not show it (a wrong hash, or a path too long or too short for
 * the index and size), SH_EINVAL if index >= n. The size is not in the proof: it is the
 * signed tree head's, and a path that fits two sizes equally proves both. */
enum sh_err merkle_verify_inclusion(const uint8_t leaf[MERKLE_HASH_LEN], size_t index, size_t n,
                                    const uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                                    const uint8_t root[MERKLE_HASH_LEN]);

/* The root of the tree of `n` leaves in which `leaf` is leaf number `index`, computed from its
 * inclusion path path[0..len): what merkle_verify_inclusion() compares with a known root, for
 * a caller that learns the root this way and then checks a signature over it. SH_ECONFLICT if
 * the path is too long or too short for the index and size, SH_EINVAL if index >= n. */
enum sh_err merkle_root_from_inclusion(const uint8_t leaf[MERKLE_HASH_LEN], size_t index, size_t n,
                                       const uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                                       uint8_t root[MERKLE_HASH_LEN]);

typedef void (*merkle_path_fn)(size_t index, const uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                               void *arg);

/* Every leaf's inclusion path at once, in O(n) hashes rather than merkle_inclusion_proof()'s
 * O(n) per leaf: writes the root of the tree over leaves[0..n) to `root`, then calls fn once per
 * leaf in order, with its path (the same as merkle_inclusion_proof() gives, borrowed for the
 * call). SH_EINVAL if n is 0, SH_ENOMEM if the scratch levels (under 2n hashes) cannot be had. */
enum sh_err merkle_all_paths(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n,
                             uint8_t root[MERKLE_HASH_LEN], merkle_path_fn fn, void *arg);

/* The consistency proof that the tree of the first `m` leaves is a prefix of the tree over
 * leaves[0..n) (RFC 6962 section 2.1.2 PROOF/SUBPROOF): writes *len hashes, at most
 * MERKLE_MAX_PATH, to `path`. Empty when m == n. SH_EINVAL (and *len 0) when m == 0 (RFC 9162
 * defines no proof from the empty tree: every tree extends it) or m > n. */
enum sh_err merkle_consistency_proof(const struct merkle_cache *cache,
                                     const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t m,
                                     uint8_t (*path)[MERKLE_HASH_LEN], size_t *len);

/* Checks that the tree of size `m` with root `old_root` is a prefix of the tree of size `n`
 * with root `new_root`, given the proof path[0..len) (RFC 9162 section 2.1.4.2). When m == n
 * the proof must be empty and the roots equal. SH_OK if consistent, SH_ECONFLICT if the proof
 * does not show it, SH_EINVAL if m == 0 or m > n. */
enum sh_err merkle_verify_consistency(size_t m, size_t n, const uint8_t old_root[MERKLE_HASH_LEN],
                                      const uint8_t new_root[MERKLE_HASH_LEN],
                                      const uint8_t (*path)[MERKLE_HASH_LEN], size_t len);

#endif
