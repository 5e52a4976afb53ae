/*
 * test_merkle.c: unit tests for merkle.c.
 *
 * Expected hashes are the RFC 6962 reference data set that Certificate Transparency
 * implementations share (transparency-dev/merkle testonly/constants.go and proof/verify_test.go,
 * formerly certificate-transparency-go): eight leaf inputs, every complete subtree hash, the
 * roots of sizes 0..8, and their inclusion and consistency proofs. A few further proofs over
 * the same leaves are marked "derived": they were computed outside this code by a short Python
 * script (hashlib only) transcribing RFC 6962's recursive MTH, PATH and SUBPROOF definitions,
 * whose output also reproduced every published value below.
 *
 * Beyond the vectors, every proof of every tree up to ROUND_TRIP_MAX leaves is generated,
 * verified and then tampered with. Which wrong sizes must fail is decided by a reference
 * written here from RFC 6962's recursion (the "shape" of a proof: on which side each hash
 * joins), independent of the RFC 9162 bit walk that merkle.c verifies with.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "core/err.h"
#include "crypto/crypto.h"
#include "domain/merkle.h"

#define ROUND_TRIP_MAX ((size_t)40)
#define LEAVES_MAX 300

/* Leaf hashes of the 2-byte big-endian numbers 0..LEAVES_MAX-1, filled by the group setup. */
static uint8_t leaves[LEAVES_MAX][MERKLE_HASH_LEN];

/* RFC 6962 reference data (transparency-dev/merkle testonly.LeafInputs()). */
static const char *const rfc_leaf_inputs[8] = {
    "",
    "00",
    "10",
    "2021",
    "3031",
    "40414243",
    "5051525354555657",
    "606162636465666768696a6b6c6d6e6f",
};

/* Every complete subtree hash, by level (0: leaf hashes) and index within the level
 * (testonly.NodeHashes()). */
static const char *const rfc_nodes[4][8] = {
    {
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
        "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
        "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
        "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
    },
    {
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    },
    {
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    },
    {
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    },
};

/* Roots of the trees of the first 0..8 reference leaves (testonly.RootHashes()). */
static const char *const rfc_roots[9] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

/* A proof over the reference leaves: `first` is the leaf index (inclusion) or the old size
 * (consistency), `n` the tree size. */
struct proof_vector {
    size_t first, n, len;
    const char *path[4];
};

/* proof/verify_test.go inclusionProofs, whose leaf numbers are 1-based: here 0-based. */
static const struct proof_vector rfc_inclusion[] = {
    {0, 1, 0, {NULL}},
    {0,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     3,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, 1, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1,
     5,
     3,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    /* Derived (see the top of the file): the last leaf, and leaves of the ragged size 7. */
    {7,
     8,
     3,
     {"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {4,
     7,
     3,
     {"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {6,
     7,
     2,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

/* proof/verify_test.go consistencyProofs. */
static const struct proof_vector rfc_consistency[] = {
    {1, 1, 0, {NULL}},
    {1,
     8,
     3,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6,
     8,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2,
     5,
     2,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6,
     7,
     3,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    /* Derived (see the top of the file). 3 -> 7 ends in MTH(leaves 4..6), a hash that is not a
     * complete subtree; 4 -> 8 starts from a power of two, whose root the proof leaves out. */
    {3,
     7,
     4,
     {"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
      "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "837dbb152e9b079010717e84e865da4ebc0fa198a806d59d31bf15accef22d0e"}},
    {4, 8, 1, {"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5,
     8,
     4,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {7,
     8,
     4,
     {"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void unhex(const char *hex, uint8_t out[MERKLE_HASH_LEN])
{
    assert_int_equal(crypto_unhex(hex, strlen(hex), out, MERKLE_HASH_LEN), 0);
}

/* The reference leaf hashes, from the published level-0 node hashes. */
static void rfc_leaf_hashes(uint8_t out[8][MERKLE_HASH_LEN])
{
    for (size_t i = 0; i < 8; i++)
        unhex(rfc_nodes[0][i], out[i]);
}

static void expect_rc(enum sh_err got, enum sh_err want, const char *what, size_t a, size_t b)
{
    if (got != want)
        fail_msg("%s (%zu, %zu): got %s, want %s", what, a, b, err_code(got), err_code(want));
}

/* Reference: the largest power of two below n, written plainly (test sizes are small). */
static size_t ref_split(size_t n)
{
    size_t k = 1;

    while (2 * k < n)
        k *= 2;
    return k;
}

/* Reference shape of RFC 6962 PATH(index, n), from the leaf up: 'R' where the hash joins as
 * the right child, 'L' where as the left. Returns the path length. */
static size_t ref_inclusion_shape(size_t index, size_t n, char *shape)
{
    size_t k, len;

    if (n == 1)
        return 0;
    k = ref_split(n);
    if (index < k) {
        len = ref_inclusion_shape(index, k, shape);
        shape[len] = 'R';
    } else {
        len = ref_inclusion_shape(index - k, n - k, shape);
        shape[len] = 'L';
    }
    return len + 1;
}

/* Reference shape of RFC 6962 SUBPROOF(m, n, b), in proof order: 'S' for the old tree's
 * subtree the walk starts from, then 'R' (a hash only the new tree has, joining on the right)
 * or 'L' (a hash both trees share, joining on the left). */
static size_t ref_consistency_shape(size_t m, size_t n, bool on_left_edge, char *shape)
{
    size_t k, len;

    if (m == n) {
        if (on_left_edge)
            return 0;
        shape[0] = 'S';
        return 1;
    }
    k = ref_split(n);
    if (m <= k) {
        len = ref_consistency_shape(m, k, on_left_edge, shape);
        shape[len] = 'R';
    } else {
        len = ref_consistency_shape(m - k, n - k, false, shape);
        shape[len] = 'L';
    }
    return len + 1;
}

static bool same_shape(const char *a, size_t alen, const char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

static int setup_leaves(void **state)
{
    for (size_t i = 0; i < LEAVES_MAX; i++) {
        uint8_t data[2] = {(uint8_t)(i >> 8), (uint8_t)i};

        merkle_leaf_hash(data, sizeof(data), leaves[i]);
    }
    return 0;
}

static void test_leaf_and_node_hashes_match_rfc6962(void **state)
{
    uint8_t input[16], got[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];
    uint8_t left[MERKLE_HASH_LEN], right[MERKLE_HASH_LEN];

    for (size_t i = 0; i < 8; i++) {
        size_t len = strlen(rfc_leaf_inputs[i]) / 2;

        assert_int_equal(crypto_unhex(rfc_leaf_inputs[i], 2 * len, input, len), 0);
        merkle_leaf_hash(len ? input : NULL, len, got);
        unhex(rfc_nodes[0][i], want);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
    }
    for (size_t level = 0; level < 3; level++) {
        for (size_t j = 0; j < ((size_t)8 >> (level + 1)); j++) {
            unhex(rfc_nodes[level][2 * j], left);
            unhex(rfc_nodes[level][2 * j + 1], right);
            unhex(rfc_nodes[level + 1][j], want);
            merkle_node_hash(left, right, got);
            assert_memory_equal(got, want, MERKLE_HASH_LEN);
            /* The output may be one of the inputs. */
            merkle_node_hash(left, right, left);
            assert_memory_equal(left, want, MERKLE_HASH_LEN);
        }
    }
}

static void test_roots_match_rfc6962(void **state)
{
    uint8_t rfc[8][MERKLE_HASH_LEN];
    uint8_t got[MERKLE_HASH_LEN], want[MERKLE_HASH_LEN];

    rfc_leaf_hashes(rfc);
    for (size_t n = 0; n <= 8; n++) {
        merkle_root(NULL, rfc, n, got);
        unhex(rfc_roots[n], want);
        assert_memory_equal(got, want, MERKLE_HASH_LEN);
    }
    /* The empty tree needs no array. */
    unhex(rfc_roots[0], want);
    merkle_root(NULL, NULL, 0, got);
    assert_memory_equal(got, want, MERKLE_HASH_LEN);
}

static void test_inclusion_proofs_match_published(void **state)
{
    uint8_t rfc[8][MERKLE_HASH_LEN], path[MERKLE_MAX_PATH][MERKLE_HASH_LEN],
        want[4][MERKLE_HASH_LEN];
    uint8_t root[MERKLE_HASH_LEN];
    size_t len;

    rfc_leaf_hashes(rfc);
    for (size_t v = 0; v < COUNT(rfc_inclusion); v++) {
        const struct proof_vector *pv = &rfc_inclusion[v];

        for (size_t i = 0; i < pv->len; i++)
            unhex(pv->path[i], want[i]);
        expect_rc(merkle_inclusion_proof(NULL, rfc, pv->n, pv->first, path, &len), SH_OK, "proof",
                  pv->first, pv->n);
        assert_int_equal(len, pv->len);
        if (len > 0)
            assert_memory_equal(path, want, len * MERKLE_HASH_LEN);
        unhex(rfc_roots[pv->n], root);
        expect_rc(merkle_verify_inclusion(rfc[pv->first], pv->first, pv->n, want, pv->len, root),
                  SH_OK, "verify", pv->first, pv->n);
    }
}

static void test_consistency_proofs_match_published(void **state)
{
    uint8_t rfc[8][MERKLE_HASH_LEN], path[MERKLE_MAX_PATH][MERKLE_HASH_LEN],
        want[4][MERKLE_HASH_LEN];
    uint8_t old_root[MERKLE_HASH_LEN], new_root[MERKLE_HASH_LEN];
    size_t len;

    rfc_leaf_hashes(rfc);
    for (size_t v = 0; v < COUNT(rfc_consistency); v++) {
        const struct proof_vector *pv = &rfc_consistency[v];

        for (size_t i = 0; i < pv->len; i++)
            unhex(pv->path[i], want[i]);
        expect_rc(merkle_consistency_proof(NULL, rfc, pv->n, pv->first, path, &len), SH_OK, "proof",
                  pv->first, pv->n);
        assert_int_equal(len, pv->len);
        if (len > 0)
            assert_memory_equal(path, want, len * MERKLE_HASH_LEN);
        unhex(rfc_roots[pv->first], old_root);
        unhex(rfc_roots[pv->n], new_root);
        expect_rc(merkle_verify_consistency(pv->first, pv->n, old_root, new_root, want, pv->len),
                  SH_OK, "verify", pv->first, pv->n);
    }
}

/* The stored subtree hashes are what a caller persists to resume appending, so they are part
 * of the contract, not only the root. */
static void test_single_leaf_tree(void **state)
{
    uint8_t path[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    uint8_t root[MERKLE_HASH_LEN];
    size_t len = 99;

    merkle_root(NULL, leaves, 1, root);
    assert_memory_equal(root, leaves[0], MERKLE_HASH_LEN);
    assert_int_equal(merkle_inclusion_proof(NULL, leaves, 1, 0, path, &len), SH_OK);
    assert_int_equal(len, 0);
    assert_int_equal(merkle_verify_inclusion(leaves[0], 0, 1, NULL, 0, root), SH_OK);
    assert_int_equal(merkle_verify_inclusion(leaves[1], 0, 1, NULL, 0, root), SH_ECONFLICT);
    assert_int_equal(merkle_verify_inclusion(leaves[0], 0, 1, NULL, 0, leaves[1]), SH_ECONFLICT);
}

static void test_inclusion_out_of_range(void **state)
{
    uint8_t path[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    uint8_t root[MERKLE_HASH_LEN];
    size_t len = 99;

    assert_int_equal(merkle_inclusion_proof(NULL, leaves, 0, 0, path, &len), SH_EINVAL);
    assert_int_equal(len, 0);
    len = 99;
    assert_int_equal(merkle_inclusion_proof(NULL, leaves, 5, 5, path, &len), SH_EINVAL);
    assert_int_equal(len, 0);
    assert_int_equal(merkle_inclusion_proof(NULL, leaves, 5, SIZE_MAX, path, &len), SH_EINVAL);

    merkle_root(NULL, leaves, 0, root);
    assert_int_equal(merkle_verify_inclusion(leaves[0], 0, 0, NULL, 0, root), SH_EINVAL);
    merkle_root(NULL, leaves, 5, root);
    assert_int_equal(merkle_inclusion_proof(NULL, leaves, 5, 4, path, &len), SH_OK);
    assert_int_equal(merkle_verify_inclusion(leaves[4], 5, 5, path, len, root), SH_EINVAL);
    assert_int_equal(merkle_verify_inclusion(leaves[4], SIZE_MAX, 5, path, len, root), SH_EINVAL);
}

/* Probes one generated inclusion proof of leaf `index` in a tree of n leaves with `root`. */
static void probe_inclusion(size_t index, size_t n, uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                            const uint8_t root[MERKLE_HASH_LEN], size_t *size_failures)
{
    uint8_t bad[MERKLE_MAX_PATH + 1][MERKLE_HASH_LEN], other[MERKLE_HASH_LEN];
    char shape[MERKLE_MAX_PATH], other_shape[MERKLE_MAX_PATH];
    size_t shape_len = ref_inclusion_shape(index, n, shape);

    assert_int_equal(len, shape_len);
    expect_rc(merkle_verify_inclusion(leaves[index], index, n, path, len, root), SH_OK, "valid",
              index, n);
    for (size_t p = 0; p < len; p++) {
        memcpy(bad, path, len * MERKLE_HASH_LEN);
        bad[p][p % MERKLE_HASH_LEN] ^= 0x08;
        expect_rc(merkle_verify_inclusion(leaves[index], index, n, bad, len, root), SH_ECONFLICT,
                  "flipped path byte", index, n);
    }
    memcpy(other, leaves[index], MERKLE_HASH_LEN);
    other[MERKLE_HASH_LEN - 1] ^= 0x01;
    expect_rc(merkle_verify_inclusion(other, index, n, path, len, root), SH_ECONFLICT,
              "flipped leaf byte", index, n);
    memcpy(other, root, MERKLE_HASH_LEN);
    other[0] ^= 0x80;
    expect_rc(merkle_verify_inclusion(leaves[index], index, n, path, len, other), SH_ECONFLICT,
              "flipped root byte", index, n);

    for (size_t j = 0; j < n; j++)
        if (j != index)
            expect_rc(merkle_verify_inclusion(leaves[index], j, n, path, len, root), SH_ECONFLICT,
                      "wrong index", j, n);

    /* A wrong size fails unless the leaf's path has the same shape in both trees (index 0 of
     * 5 and of 8, say): the proof does not carry the size, the signed tree head does. */
    for (size_t size = index + 1; size <= 2 * ROUND_TRIP_MAX; size++) {
        bool same;

        if (size == n)
            continue;
        same = same_shape(shape, shape_len, other_shape,
                          ref_inclusion_shape(index, size, other_shape));
        expect_rc(merkle_verify_inclusion(leaves[index], index, size, path, len, root),
                  same ? SH_OK : SH_ECONFLICT, "other size", index, size);
        *size_failures += !same;
    }

    /* Too short, too long. */
    if (len > 0) {
        expect_rc(merkle_verify_inclusion(leaves[index], index, n, path, len - 1, root),
                  SH_ECONFLICT, "last hash dropped", index, n);
        expect_rc(merkle_verify_inclusion(leaves[index], index, n, path + 1, len - 1, root),
                  SH_ECONFLICT, "first hash dropped", index, n);
    }
    memcpy(bad, path, len * MERKLE_HASH_LEN);
    memcpy(bad[len], root, MERKLE_HASH_LEN);
    expect_rc(merkle_verify_inclusion(leaves[index], index, n, bad, len + 1, root), SH_ECONFLICT,
              "root appended", index, n);
    memcpy(bad[0], leaves[index], MERKLE_HASH_LEN);
    memcpy(bad + 1, path, len * MERKLE_HASH_LEN);
    expect_rc(merkle_verify_inclusion(leaves[index], index, n, bad, len + 1, root), SH_ECONFLICT,
              "leaf prepended", index, n);
}

static void test_inclusion_round_trip_and_tampering(void **state)
{
    uint8_t path[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    uint8_t root[MERKLE_HASH_LEN];
    size_t len, size_failures = 0;

    for (size_t n = 1; n <= ROUND_TRIP_MAX; n++) {
        merkle_root(NULL, leaves, n, root);
        for (size_t index = 0; index < n; index++) {
            expect_rc(merkle_inclusion_proof(NULL, leaves, n, index, path, &len), SH_OK, "proof",
                      index, n);
            probe_inclusion(index, n, path, len, root, &size_failures);
        }
    }
    assert_true(size_failures > 0);
}

static void test_consistency_edge_sizes(void **state)
{
    uint8_t path[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    uint8_t empty[MERKLE_HASH_LEN], root5[MERKLE_HASH_LEN], root6[MERKLE_HASH_LEN];
    size_t len = 99;

    merkle_root(NULL, leaves, 0, empty);
    merkle_root(NULL, leaves, 5, root5);
    merkle_root(NULL, leaves, 6, root6);

    /* RFC 9162 proves consistency only from a non-empty tree. */
    assert_int_equal(merkle_consistency_proof(NULL, leaves, 5, 0, path, &len), SH_EINVAL);
    assert_int_equal(len, 0);
    assert_int_equal(merkle_consistency_proof(NULL, leaves, 0, 0, path, &len), SH_EINVAL);
    assert_int_equal(merkle_verify_consistency(0, 5, empty, root5, NULL, 0), SH_EINVAL);
    assert_int_equal(merkle_verify_consistency(0, 0, empty, empty, NULL, 0), SH_EINVAL);

    /* A tree does not shrink. */
    len = 99;
    assert_int_equal(merkle_consistency_proof(NULL, leaves, 5, 6, path, &len), SH_EINVAL);
    assert_int_equal(len, 0);
    assert_int_equal(merkle_verify_consistency(6, 5, root6, root5, NULL, 0), SH_EINVAL);

    /* The same size: an empty proof, valid exactly when the roots are equal. */
    len = 99;
    assert_int_equal(merkle_consistency_proof(NULL, leaves, 5, 5, path, &len), SH_OK);
    assert_int_equal(len, 0);
    assert_int_equal(merkle_verify_consistency(5, 5, root5, root5, NULL, 0), SH_OK);
    assert_int_equal(merkle_verify_consistency(5, 5, root5, root6, NULL, 0), SH_ECONFLICT);
    memcpy(path[0], root5, MERKLE_HASH_LEN);
    assert_int_equal(merkle_verify_consistency(5, 5, root5, root5, path, 1), SH_ECONFLICT);

    /* A growing tree needs a proof. */
    assert_int_equal(merkle_verify_consistency(5, 6, root5, root6, NULL, 0), SH_ECONFLICT);
    assert_int_equal(merkle_verify_consistency(4, 6, root5, root6, NULL, 0), SH_ECONFLICT);
}

/* Probes one generated proof that the tree of m leaves (old_root) is a prefix of the tree of n
 * (new_root), m < n. */
static void probe_consistency(size_t m, size_t n, uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                              const uint8_t old_root[MERKLE_HASH_LEN],
                              const uint8_t new_root[MERKLE_HASH_LEN], size_t *size_failures)
{
    uint8_t bad[MERKLE_MAX_PATH + 1][MERKLE_HASH_LEN], other[MERKLE_HASH_LEN];
    char shape[MERKLE_MAX_PATH], other_shape[MERKLE_MAX_PATH];
    size_t shape_len = ref_consistency_shape(m, n, true, shape);

    assert_int_equal(len, shape_len);
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, path, len), SH_OK, "valid", m, n);
    for (size_t p = 0; p < len; p++) {
        memcpy(bad, path, len * MERKLE_HASH_LEN);
        bad[p][p % MERKLE_HASH_LEN] ^= 0x10;
        expect_rc(merkle_verify_consistency(m, n, old_root, new_root, bad, len), SH_ECONFLICT,
                  "flipped path byte", m, n);
    }
    memcpy(other, old_root, MERKLE_HASH_LEN);
    other[7] ^= 0x01;
    expect_rc(merkle_verify_consistency(m, n, other, new_root, path, len), SH_ECONFLICT,
              "flipped old root", m, n);
    memcpy(other, new_root, MERKLE_HASH_LEN);
    other[MERKLE_HASH_LEN - 1] ^= 0x40;
    expect_rc(merkle_verify_consistency(m, n, old_root, other, path, len), SH_ECONFLICT,
              "flipped new root", m, n);
    expect_rc(merkle_verify_consistency(m, n, new_root, old_root, path, len), SH_ECONFLICT,
              "swapped roots", m, n);

    /* Wrong sizes near the right ones, and twice the new size: they fail unless the proof has
     * the same shape for them (a proof with the same size equal to each other fails too). */
    for (size_t m2 = m > 2 ? m - 2 : 1; m2 <= m + 2; m2++) {
        size_t sizes[6] = {n - 2, n - 1, n, n + 1, n + 2, 2 * n};

        for (size_t s = 0; s < COUNT(sizes); s++) {
            size_t n2 = sizes[s];
            enum sh_err want;

            if ((m2 == m && n2 == n) || n2 < 1 || n2 > 2 * ROUND_TRIP_MAX)
                continue;
            if (m2 > n2)
                want = SH_EINVAL;
            else if (m2 == n2)
                want = SH_ECONFLICT;
            else
                want = same_shape(shape, shape_len, other_shape,
                                  ref_consistency_shape(m2, n2, true, other_shape))
                           ? SH_OK
                           : SH_ECONFLICT;
            expect_rc(merkle_verify_consistency(m2, n2, old_root, new_root, path, len), want,
                      "other sizes", m2, n2);
            *size_failures += want == SH_ECONFLICT;
        }
    }

    /* Empty, too short, too long. */
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, NULL, 0), SH_ECONFLICT,
              "empty proof", m, n);
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, path, len - 1), SH_ECONFLICT,
              "last hash dropped", m, n);
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, path + 1, len - 1), SH_ECONFLICT,
              "first hash dropped", m, n);
    memcpy(bad, path, len * MERKLE_HASH_LEN);
    memcpy(bad[len], new_root, MERKLE_HASH_LEN);
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, bad, len + 1), SH_ECONFLICT,
              "new root appended", m, n);
    memcpy(bad[0], old_root, MERKLE_HASH_LEN);
    memcpy(bad + 1, path, len * MERKLE_HASH_LEN);
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, bad, len + 1), SH_ECONFLICT,
              "old root prepended", m, n);
    memcpy(bad[0], path[0], MERKLE_HASH_LEN);
    expect_rc(merkle_verify_consistency(m, n, old_root, new_root, bad, len + 1), SH_ECONFLICT,
              "first hash repeated", m, n);
}

static void test_consistency_round_trip_and_tampering(void **state)
{
    uint8_t path[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    uint8_t old_root[MERKLE_HASH_LEN], new_root[MERKLE_HASH_LEN];
    size_t len, size_failures = 0;

    for (size_t n = 1; n <= ROUND_TRIP_MAX; n++) {
        merkle_root(NULL, leaves, n, new_root);
        for (size_t m = 1; m <= n; m++) {
            merkle_root(NULL, leaves, m, old_root);
            expect_rc(merkle_consistency_proof(NULL, leaves, n, m, path, &len), SH_OK, "proof", m,
                      n);
            if (m == n) {
                assert_int_equal(len, 0);
                expect_rc(merkle_verify_consistency(m, n, old_root, new_root, path, len), SH_OK,
                          "same size", m, n);
                continue;
            }
            probe_consistency(m, n, path, len, old_root, new_root, &size_failures);
        }
    }
    assert_true(size_failures > 0);
}

/* merkle_all_paths() against the recursive definitions, for every size up to LEAVES_MAX
 * (ragged levels of every shape) and every leaf; and merkle_root_from_inclusion() back. */
struct all_paths_check {
    size_t n, calls;
    uint8_t root[MERKLE_HASH_LEN];
};

static void check_one_path(size_t index, const uint8_t (*path)[MERKLE_HASH_LEN], size_t len,
                           void *arg)
{
    struct all_paths_check *c = arg;
    uint8_t want[MERKLE_MAX_PATH][MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
    size_t want_len;

    assert_int_equal(index, c->calls++);
    assert_int_equal(merkle_inclusion_proof(NULL, (const uint8_t(*)[MERKLE_HASH_LEN])leaves, c->n,
                                            index, want, &want_len),
                     SH_OK);
    assert_int_equal(len, want_len);
    assert_memory_equal(path, want, len * MERKLE_HASH_LEN);
    assert_int_equal(merkle_root_from_inclusion(leaves[index], index, c->n, path, len, root),
                     SH_OK);
    assert_memory_equal(root, c->root, MERKLE_HASH_LEN);
    if (len > 0) /* one hash short, or one too many: not a path of this tree */
        assert_int_equal(
            merkle_root_from_inclusion(leaves[index], index, c->n, path, len - 1, root),
            SH_ECONFLICT);
    if (len < MERKLE_MAX_PATH) {
        memcpy(want[len], c->root, MERKLE_HASH_LEN);
        assert_int_equal(merkle_root_from_inclusion(leaves[index], index, c->n,
                                                    (const uint8_t(*)[MERKLE_HASH_LEN])want,
                                                    len + 1, root),
                         SH_ECONFLICT);
    }
}

static void test_all_paths_match_one_by_one(void **state)
{
    uint8_t want[MERKLE_HASH_LEN];

    (void)state;
    for (size_t n = 1; n <= LEAVES_MAX; n++) {
        struct all_paths_check c = {.n = n};
        assert_int_equal(merkle_all_paths((const uint8_t(*)[MERKLE_HASH_LEN])leaves, n, c.root,
                                          check_one_path, &c),
                         SH_OK);
        assert_int_equal(c.calls, n);
        merkle_root(NULL, (const uint8_t(*)[MERKLE_HASH_LEN])leaves, n, want);
        assert_memory_equal(c.root, want, MERKLE_HASH_LEN);
    }
    assert_int_equal(merkle_all_paths(NULL, 0, want, check_one_path, NULL), SH_EINVAL);
}

/* The cache gives the same roots and proofs as the leaves alone, at sizes around its block
 * boundaries, extended in uneven steps and also when it covers less than the tree. */
#define CACHE_MAX (5 * MERKLE_CACHE_BLOCK + 77)

static void big_leaves(uint8_t (*big)[MERKLE_HASH_LEN], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        uint8_t num[4] = {(uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        merkle_leaf_hash(num, sizeof(num), big[i]);
    }
}

static void assert_same_with_cache(const struct merkle_cache *cache,
                                   const uint8_t (*big)[MERKLE_HASH_LEN], size_t n)
{
    uint8_t a[MERKLE_HASH_LEN], b[MERKLE_HASH_LEN];
    uint8_t pa[MERKLE_MAX_PATH][MERKLE_HASH_LEN], pb[MERKLE_MAX_PATH][MERKLE_HASH_LEN];
    size_t la, lb;

    merkle_root(cache, big, n, a);
    merkle_root(NULL, big, n, b);
    if (memcmp(a, b, MERKLE_HASH_LEN) != 0)
        fail_msg("root with the cache differs at n = %zu", n);
    for (size_t i = 0; i < n; i += 1 + n / 7) {
        assert_int_equal(merkle_inclusion_proof(cache, big, n, i, pa, &la), SH_OK);
        assert_int_equal(merkle_inclusion_proof(NULL, big, n, i, pb, &lb), SH_OK);
        assert_int_equal(la, lb);
        if (memcmp(pa, pb, la * MERKLE_HASH_LEN) != 0)
            fail_msg("inclusion proof with the cache differs at n = %zu, index %zu", n, i);
        assert_int_equal(merkle_consistency_proof(cache, big, n, i + 1, pa, &la), SH_OK);
        assert_int_equal(merkle_consistency_proof(NULL, big, n, i + 1, pb, &lb), SH_OK);
        assert_int_equal(la, lb);
        if (memcmp(pa, pb, la * MERKLE_HASH_LEN) != 0)
            fail_msg("consistency proof with the cache differs at n = %zu, m = %zu", n, i + 1);
    }
}

static void test_cache_matches_leaves(void **state)
{
    static uint8_t big[CACHE_MAX][MERKLE_HASH_LEN];
    struct merkle_cache cache;
    const size_t sizes[] = {1, 255, 256, 257, 511, 512, 513, 768, 1024, 1025, 1280, CACHE_MAX};

    (void)state;
    big_leaves(big, CACHE_MAX);
    merkle_cache_init(&cache);
    /* Extended in steps that end inside blocks and on their edges. */
    for (size_t at = 0; at < CACHE_MAX;) {
        at += at % 3 == 0 ? 100 : 300;
        if (at > CACHE_MAX)
            at = CACHE_MAX;
        assert_int_equal(merkle_cache_extend(&cache, (const uint8_t(*)[MERKLE_HASH_LEN])big, at),
                         SH_OK);
        assert_int_equal(cache.n, at / MERKLE_CACHE_BLOCK * MERKLE_CACHE_BLOCK);
        assert_same_with_cache(&cache, (const uint8_t(*)[MERKLE_HASH_LEN])big, at);
    }
    assert_int_equal(cache.count[MERKLE_CACHE_LEVEL], 5);
    assert_int_equal(cache.count[MERKLE_CACHE_LEVEL + 1], 2);
    assert_int_equal(cache.count[MERKLE_CACHE_LEVEL + 2], 1);
    assert_int_equal(cache.count[MERKLE_CACHE_LEVEL + 3], 0);
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
        assert_same_with_cache(&cache, (const uint8_t(*)[MERKLE_HASH_LEN])big, sizes[i]);
    merkle_cache_free(&cache);
    assert_int_equal(cache.n, 0);
}

/* The cache is what is read for a block it covers (else it would save nothing): with one leaf
 * of a covered block changed in the array, the root with the cache stays the tree's. */
static void test_cache_is_used(void **state)
{
    static uint8_t big[4 * MERKLE_CACHE_BLOCK][MERKLE_HASH_LEN];
    uint8_t before[MERKLE_HASH_LEN], with[MERKLE_HASH_LEN], without[MERKLE_HASH_LEN];
    struct merkle_cache cache;
    const size_t n = 4 * MERKLE_CACHE_BLOCK;

    (void)state;
    big_leaves(big, n);
    merkle_cache_init(&cache);
    assert_int_equal(merkle_cache_extend(&cache, (const uint8_t(*)[MERKLE_HASH_LEN])big, n), SH_OK);
    merkle_root(NULL, (const uint8_t(*)[MERKLE_HASH_LEN])big, n, before);
    big[MERKLE_CACHE_BLOCK + 3][0] ^= 1;
    merkle_root(&cache, (const uint8_t(*)[MERKLE_HASH_LEN])big, n, with);
    merkle_root(NULL, (const uint8_t(*)[MERKLE_HASH_LEN])big, n, without);
    assert_memory_equal(with, before, MERKLE_HASH_LEN);
    assert_memory_not_equal(without, before, MERKLE_HASH_LEN);
    merkle_cache_free(&cache);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_leaf_and_node_hashes_match_rfc6962),
        cmocka_unit_test(test_roots_match_rfc6962),
        cmocka_unit_test(test_inclusion_proofs_match_published),
        cmocka_unit_test(test_consistency_proofs_match_published),
        cmocka_unit_test(test_single_leaf_tree),
        cmocka_unit_test(test_inclusion_out_of_range),
        cmocka_unit_test(test_inclusion_round_trip_and_tampering),
        cmocka_unit_test(test_consistency_edge_sizes),
        cmocka_unit_test(test_consistency_round_trip_and_tampering),
        cmocka_unit_test(test_all_paths_match_one_by_one),
        cmocka_unit_test(test_cache_matches_leaves),
        cmocka_unit_test(test_cache_is_used),
    };
    return cmocka_run_group_tests(tests, setup_leaves, NULL);
}
