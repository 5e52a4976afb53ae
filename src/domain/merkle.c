/*
 * merkle.c: the RFC 6962 Merkle tree, its inclusion and consistency proofs, and the compact
 * range used to append.
 *
 * Two formulations on purpose. Building (roots, proofs) follows RFC 6962's recursive
 * definitions over the leaf array, split at the largest power of two below the size; the
 * recursion is as deep as the tree (under 64 levels). Verifying follows RFC 9162's iterative
 * algorithms, which walk the bits of (index, size - 1) and need no tree at all, only the
 * proof. The unit tests check each against the other and against published vectors.
 *
 * Invariant of struct merkle_compact: depth == popcount(n), and stack[i] is the root of the
 * i-th perfect subtree from the left, whose sizes are the set bits of n, largest first.
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

/* MTH(leaves[0..n)) for n >= 1. */
static void subtree_root(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n,
                         uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];
    size_t k;

    assert(n >= 1);
    if (n == 1) {
        memcpy(out, leaves[0], MERKLE_HASH_LEN);
        return;
    }
    k = split_point(n);
    subtree_root(leaves, k, left);
    subtree_root(leaves + k, n - k, right);
    merkle_node_hash(left, right, out);
}

void merkle_root(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, uint8_t out[MERKLE_HASH_LEN])
{
    if (n == 0)
        crypto_sha256(NULL, 0, out);
    else
        subtree_root(leaves, n, out);
}

/* Appends MTH(leaves[0..n)) to the proof being built. A proof gains one hash per level plus at
 * most one, and an array of n hashes that fits in memory makes a tree under 59 levels deep. */
static void path_push(uint8_t (*path)[MERKLE_HASH_LEN], size_t *len,
                      const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n)
{
    assert(*len < MERKLE_MAX_PATH);
    subtree_root(leaves, n, path[*len]);
    (*len)++;
}

/* RFC 6962 PATH(index, leaves[0..n)): the sibling of every node from the leaf up. */
static void inclusion_path(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t index,
                           uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    size_t k;

    if (n == 1)
        return;
    k = split_point(n);
    if (index < k) {
        inclusion_path(leaves, k, index, path, len);
        path_push(path, len, leaves + k, n - k);
    } else {
        inclusion_path(leaves + k, n - k, index - k, path, len);
        path_push(path, len, leaves, k);
    }
}

enum sh_err merkle_inclusion_proof(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t index,
                                   uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    *len = 0;
    if (index >= n)
        return SH_EINVAL;
    inclusion_path(leaves, n, index, path, len);
    return SH_OK;
}

/*
 * RFC 6962 SUBPROOF(m, leaves[0..n), on_left_edge). `on_left_edge` (the RFC's b) holds while
 * every step went left: then the subtree of the first m leaves reached at the bottom is the
 * old tree itself, whose root the verifier already has, so it is left out.
 */
static void consistency_path(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t m,
                             bool on_left_edge, uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    size_t k;

    if (m == n) {
        if (!on_left_edge)
            path_push(path, len, leaves, n);
        return;
    }
    k = split_point(n);
    if (m <= k) {
        consistency_path(leaves, k, m, on_left_edge, path, len);
        path_push(path, len, leaves + k, n - k);
    } else {
        consistency_path(leaves + k, n - k, m - k, false, path, len);
        path_push(path, len, leaves, k);
    }
}

enum sh_err merkle_consistency_proof(const uint8_t (*leaves)[MERKLE_HASH_LEN], size_t n, size_t m,
                                     uint8_t (*path)[MERKLE_HASH_LEN], size_t *len)
{
    *len = 0;
    if (m == 0 || m > n)
        return SH_EINVAL;
    if (m < n)
        consistency_path(leaves, n, m, true, path, len);
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

void merkle_compact_init(struct merkle_compact *c)
{
    memset(c, 0, sizeof(*c));
}

/*
 * Like binary increment: the new leaf is a perfect subtree of size 1, and every trailing 1 bit
 * of the old n is a subtree of the same size to its left that it now merges with. The stack
 * needs popcount(n) + 1 <= 64 entries, which holds for every n < SIZE_MAX.
 */
void merkle_compact_append(struct merkle_compact *c, const uint8_t leaf_hash[MERKLE_HASH_LEN])
{
    assert(c->n < SIZE_MAX && c->depth >= 0 && c->depth < 64);
    memcpy(c->stack[c->depth], leaf_hash, MERKLE_HASH_LEN);
    c->depth++;
    for (size_t carry = c->n; carry & 1; carry >>= 1) {
        c->depth--;
        merkle_node_hash(c->stack[c->depth - 1], c->stack[c->depth], c->stack[c->depth - 1]);
    }
    c->n++;
}

/* The split at the largest power of two below n is the split between the first perfect
 * subtree and the rest, so the root folds the stack from the right. */
void merkle_compact_root(const struct merkle_compact *c, uint8_t out[MERKLE_HASH_LEN])
{
    uint8_t acc[MERKLE_HASH_LEN];

    if (c->depth == 0) {
        crypto_sha256(NULL, 0, out);
        return;
    }
    memcpy(acc, c->stack[c->depth - 1], MERKLE_HASH_LEN);
    for (int i = c->depth - 2; i >= 0; i--)
        merkle_node_hash(c->stack[i], acc, acc);
    memcpy(out, acc, MERKLE_HASH_LEN);
}
