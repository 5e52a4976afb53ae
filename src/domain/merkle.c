/*
 * merkle.c: the RFC 6962 Merkle tree, its inclusion and consistency proofs, and the cache of
 * its large subtrees' roots.
 *
 * Two formulations on purpose. Building (roots, proofs) follows RFC 6962's recursive
 * definitions over the leaf array, split at the largest power of two below the size; the
 * recursion is as deep as the tree (under 64 levels). Verifying follows RFC 9162's iterative
 * algorithms, which walk the bits of (index, size - 1) and need no tree at all, only the
 * proof. The unit tests check each against the other and against published vectors.
 *
 * Invariant of struct merkle_cache: count[j] == n >> j for every j >= MERKLE_CACHE_LEVEL, and
 * level[j][i] is the root of leaves [i * 2^j, (i + 1) * 2^j).
 */
#include "domain/merkle.h"

#include "crypto/crypto.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* Domain separation of RFC 6962 section 2.1: a leaf can never be taken for an interior node. */
static const uint8_t merkle_leaf_prefix = 0x00;
static const uint8_t merkle_node_prefix = 0x01;

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
    struct crypto_iov iov[2] = {{&merkle_leaf_prefix, 1}, {data, len}};

    crypto_sha256_v(iov, 2, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
                      uint8_t out[MERKLE_HASH_LEN])
{
    struct crypto_iov iov[3] = {
        {&merkle_node_prefix, 1}, {left, MERKLE_HASH_LEN}, {right, MERKLE_HASH_LEN}};
    uint8_t digest[MERKLE_HASH_LEN];

    /* Through a local so that `out` may alias an input whatever crypto_sha256_v() does. */
    crypto_sha256_v(iov, 3, digest);
    memcpy(out, digest, MERKLE_HASH_LEN);
}

/* The largest power of two strictly below n (n >= 2): the size of the left subtree. Written as
 * k <= (n - 1) / 2 rather than 2 * k < n so that it cannot overflow near SIZE_MAX. */
static size_t split_point(size_t n)
{
    size_t k = 1;

    assert(n >= 2);
    while (k <= (n - 1) / 2)
        k <<= 1;
    return k;
}

/* The leaves and, if the caller keeps one, the cache over them: what the builders read. Ranges
 * are absolute, [at, at + n), so that a subtree can be looked up in the cache. */
struct view {
    const uint8_t (*leaves)[MERKLE_HASH_LEN];
    const struct merkle_cache *cache;
};

/* The cached root of [at, at + n) if it is a cached block: n a power of two of at least
 * MERKLE_CACHE_BLOCK, `at` a multiple of it, the block covered. NULL otherwise. */
static const uint8_t *cached_root(const struct merkle_cache *c, size_t at, size_t n)
{
    int j = 0;

    if (c == NULL || n < MERKLE_CACHE_BLOCK || (n & (n - 1)) != 0 || at % n != 0 || at + n > c->n)
        return NULL;
    while (((size_t)1 << j) < n)
        j++;
    return c->level[j][at >> j];
}

/* MTH(leaves[at .. at + n)) for n >= 1. In a tree split the RFC's way every perfect subtree is
 * aligned, so with a cache only the last, ragged, block is hashed from its leaves. */
static void subtree_root(const struct view *v, size_t at, size_t n, uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
    const uint8_t *hit = cached_root(v->cache, at, n);
    size_t k;

    assert(n >= 1);
    if (hit) {
        memcpy(out, hit, MERKLE_HASH_LEN);
        return;
    }
    if (n == 1) {
        memcpy(out, v->leaves[at], MERKLE_HASH_LEN);
        return;
    }
    k = split_point(n);
    subtree_root(v, at, k, left);
    subtree_root(v, at + k, n - k, right);
    merkle_node_hash(left, right, out);
}

void merkle_root(const struct merkle_cache *cache, const uint8_t (*leaves)[MERKLE_HASH_LEN],
                 size_t n, uint8_t out[MERKLE_HASH_LEN])
{
    struct view v = {leaves, cache};

    if (n == 0)
        crypto_sha256(NULL, 0, out);
    else
        subtree_root(&v, 0, n, out);
}

/* Appends MTH(leaves[at .. at + n)) to the proof being built. A proof gains one hash per level
 * plus at most one, and an array of n hashes that fits in memory makes a tree under 59 levels
 * deep. */
static void path_push(uint8_t (*path)[MERKLE_HASH_LEN], size_t *len, const struct view *v,
                      size_t at, size_t n)
{
    assert(*len < MERKLE_MAX_PATH);
    subtree_root(v, at, n, path[*len]);
    (*len)++;
}

/* RFC 6962 PATH(index, leaves[at .. at + n)), index relative to `at`: the sibling of every
 * node from the leaf up. */
static void inclusion_path(const struct view *v, size_t at, size_t n, size_t index,
                           uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    size_t k;

    if (n == 1)
        return;
    k = split_point(n);
    if (index < k) {
        inclusion_path(v, at, k, index, path, len);
        path_push(path, len, v, at + k, n - k);
    } else {
        inclusion_path(v, at + k, n - k, index - k, path, len);
        path_push(path, len, v, at, k);
    }
}

enum sh_err merkle_inclusion_proof(const struct merkle_cache *cache,
                                   const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t index,
                                   uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    struct view v = {leaves, cache};

    *len = 0;
    if (index >= n)
        return SH_EINVAL;
    inclusion_path(&v, 0, n, index, path, len);
    return SH_OK;
}

/*
 * RFC 6962 SUBPROOF(m, leaves[at .. at + n), on_left_edge). `on_left_edge` (the RFC's b)
 * holds while every step went left: then the subtree of the first m leaves reached at the
 * bottom is the old tree itself, whose root the verifier already has, so it is left out.
 */
static void consistency_path(const struct view *v, size_t at, size_t n, size_t m, bool on_left_edge,
                             uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    size_t k;

    if (m == n) {
        if (!on_left_edge)
            path_push(path, len, v, at, n);
        return;
    }
    k = split_point(n);
    if (m <= k) {
        consistency_path(v, at, k, m, on_left_edge, path, len);
        path_push(path, len, v, at + k, n - k);
    } else {
        consistency_path(v, at + k, n - k, m - k, false, path, len);
        path_push(path, len, v, at, k);
    }
}

enum sh_err merkle_consistency_proof(const struct merkle_cache *cache,
                                     const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t m,
                                     uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    struct view v = {leaves, cache};

    *len = 0;
    if (m == 0 || m > n)
        return SH_EINVAL;
    if (m < n)
        consistency_path(&v, 0, n, m, true, path, len);
    return SH_OK;
}

void merkle_cache_init(struct merkle_cache *c)
{
    memset(c, 0, sizeof(*c));
}

void merkle_cache_free(struct merkle_cache *c)
{
    for (int j = 0; j < 64; j++)
        free(c->level[j]);
    merkle_cache_init(c);
}

/* Room in level j for one more root; -1 if there is no memory. */
static int level_reserve(struct merkle_cache *c, int j)
{
    if (c->count[j] == c->cap[j]) {
        size_t cap = c->cap[j] ? 2 * c->cap[j] : 64;
        void *grown = realloc(c->level[j], cap * MERKLE_HASH_LEN);
        if (grown == NULL)
            return -1;
        c->level[j] = grown;
        c->cap[j] = cap;
    }
    return 0;
}

/* Each block completed is hashed from its leaves into the lowest level; every second root of a
 * level completes a block of the level above, whose root is the pair's interior hash. Block
 * number b (from 0) adds a root to one level more than the trailing 1 bits of b: room is made
 * in all of them first, so that a failure changes nothing. */
enum sh_err merkle_cache_extend(struct merkle_cache *c, const uint8_t (*leaves)[MERKLE_HASH_LEN],
                                size_t n)
{
    struct view v = {leaves, NULL};
    uint8_t root[MERKLE_HASH_LEN];

    while (n >= c->n && n - c->n >= MERKLE_CACHE_BLOCK) {
        size_t block = c->n >> MERKLE_CACHE_LEVEL;
        int top = MERKLE_CACHE_LEVEL;
        for (size_t b = block; (b & 1) && top < 63; b >>= 1)
            top++;
        for (int j = MERKLE_CACHE_LEVEL; j <= top; j++)
            if (level_reserve(c, j) < 0)
                return SH_ENOMEM;
        subtree_root(&v, c->n, MERKLE_CACHE_BLOCK, root);
        for (int j = MERKLE_CACHE_LEVEL;; j++) {
            memcpy(c->level[j][c->count[j]++], root, MERKLE_HASH_LEN);
            if (j == top)
                break;
            merkle_node_hash(c->level[j][c->count[j] - 2], root, root);
        }
        c->n += MERKLE_CACHE_BLOCK;
    }
    return SH_OK;
}

/* One step up both indices of the RFC 9162 walks: to the parent level. */
static void shift_up(size_t *fn, size_t *sn)
{
    *fn >>= 1;
    *sn >>= 1;
}

/*
 * RFC 9162 section 2.1.3.2. fn is the node's index within its level, sn the last index of the
 * level. A right child (odd fn) or the last node of a ragged level (fn == sn) takes its
 * sibling from the left; the last node climbs past the levels where it has no sibling.
 */
enum sh_err merkle_root_from_inclusion(const uint8_t leaf[MERKLE_HASH_LEN], size_t index, size_t n,
                                       const uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                                       uint8_t root[MERKLE_HASH_LEN])
{
    uint8_t r[MERKLE_HASH_LEN];
    size_t fn = index, sn;

    if (index >= n)
        return SH_EINVAL;
    sn = n - 1;
    memcpy(r, leaf, MERKLE_HASH_LEN);
    for (size_t i = 0; i < len; i++) {
        if (sn == 0)
            return SH_ECONFLICT; /* path too long */
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(path[i], r, r);
            while (!(fn & 1) && fn != 0)
                shift_up(&fn, &sn);
        } else {
            merkle_node_hash(r, path[i], r);
        }
        shift_up(&fn, &sn);
    }
    if (sn != 0)
        return SH_ECONFLICT; /* path too short */
    memcpy(root, r, MERKLE_HASH_LEN);
    return SH_OK;
}

enum sh_err merkle_verify_inclusion(const uint8_t leaf[MERKLE_HASH_LEN], size_t index, size_t n,
                                    const uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                                    const uint8_t root[MERKLE_HASH_LEN])
{
    uint8_t r[MERKLE_HASH_LEN];
    enum sh_err rc = merkle_root_from_inclusion(leaf, index, n, path, len, r);

    if (rc == SH_OK && memcmp(r, root, MERKLE_HASH_LEN) != 0)
        rc = SH_ECONFLICT;
    return rc;
}

/*
 * Bottom-up, level by level: a level's nodes pair off left to right and the last one of an odd
 * level climbs unchanged, which builds the same tree as the RFC's split at the largest power of
 * two. A leaf's path is then the sibling it has at each level, where it has one.
 */
enum sh_err merkle_all_paths(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n,
                             uint8_t root[MERKLE_HASH_LEN], merkle_path_fn fn, void *arg)
{
    uint8_t(*nodes)[MERKLE_HASH_LEN], path[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    size_t start[MERKLE_MAX_PATH + 1], size[MERKLE_MAX_PATH + 1], total = 0;
    int levels = 0;

    if (n == 0)
        return SH_EINVAL;
    for (size_t s = n;; s = (s + 1) / 2) { /* the levels, leaves first: fewer than 2n nodes */
        start[levels] = total;
        size[levels++] = s;
        total += s;
        if (s == 1)
            break;
    }
    nodes = malloc(total * MERKLE_HASH_LEN);
    if (nodes == NULL)
        return SH_ENOMEM;
    memcpy(nodes, leaves, n * MERKLE_HASH_LEN);
    for (int l = 1; l < levels; l++) {
        const uint8_t(*below)[MERKLE_HASH_LEN] = nodes + start[l - 1];
        for (size_t i = 0; i < size[l]; i++) {
            if (2 * i + 1 < size[l - 1])
                merkle_node_hash(below[2 * i], below[2 * i + 1], nodes[start[l] + i]);
            else
                memcpy(nodes[start[l] + i], below[2 * i], MERKLE_HASH_LEN);
        }
    }
    memcpy(root, nodes[start[levels - 1]], MERKLE_HASH_LEN);
    for (size_t index = 0; index < n; index++) {
        size_t len = 0, at = index;
        for (int l = 0; l < levels - 1; l++, at >>= 1)
            if ((at ^ 1) < size[l])
                memcpy(path[len++], nodes[start[l] + (at ^ 1)], MERKLE_HASH_LEN);
        fn(index, (const uint8_t(*)[MERKLE_HASH_LEN])path, len, arg);
    }
    free(nodes);
    return SH_OK;
}

/*
 * RFC 9162 section 2.1.4.2, for 0 < m < n. fr rebuilds the old root, sr the new one, from the
 * same walk: a hash from the left belongs to both trees, one from the right only to the new.
 * When m is a power of two the old tree is a perfect subtree of the new one and the proof
 * omits it; the old root stands in as the proof's first hash (the RFC's "prepend").
 */
static enum sh_err verify_consistency_path(size_t m, size_t n,
                                           const uint8_t old_root[MERKLE_HASH_LEN],
                                           const uint8_t new_root[MERKLE_HASH_LEN],
                                           const uint8_t (*path)[MERKLE_HASH_LEN], size_t len)
{
    uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
    size_t fn = m - 1, sn = n - 1, i = 0;
    const uint8_t *start;
    enum sh_err rc = SH_ECONFLICT;

    if (len == 0)
        goto out;
    start = (m & (m - 1)) == 0 ? old_root : path[i++];
    memcpy(fr, start, MERKLE_HASH_LEN);
    memcpy(sr, start, MERKLE_HASH_LEN);
    while (fn & 1)
        shift_up(&fn, &sn);
    for (; i < len; i++) {
        if (sn == 0)
            goto out; /* path too long */
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(path[i], fr, fr);
            merkle_node_hash(path[i], sr, sr);
            while (!(fn & 1) && fn != 0)
                shift_up(&fn, &sn);
        } else {
            merkle_node_hash(sr, path[i], sr);
        }
        shift_up(&fn, &sn);
    }
    if (sn == 0 && memcmp(fr, old_root, MERKLE_HASH_LEN) == 0 &&
        memcmp(sr, new_root, MERKLE_HASH_LEN) == 0)
        rc = SH_OK;
out:
    return rc;
}

enum sh_err merkle_verify_consistency(size_t m, size_t n, const uint8_t old_root[MERKLE_HASH_LEN],
                                      const uint8_t new_root[MERKLE_HASH_LEN],
                                      const uint8_t (*path)[MERKLE_HASH_LEN], size_t len)
{
    if (m == 0 || m > n)
        return SH_EINVAL;
    if (m == n)
        return len == 0 && memcmp(old_root, new_root, MERKLE_HASH_LEN) == 0 ? SH_OK : SH_ECONFLICT;
    return verify_consistency_path(m, n, old_root, new_root, path, len);
}
