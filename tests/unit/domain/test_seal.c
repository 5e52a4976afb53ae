/*
 * test_seal.c: unit tests for seal.c, batch signatures over entries.
 *
 * Each seal of a batch must prove its one entry alone, with the origin's key and nothing else;
 * any change to the entry, the seal (signature, index, count, path) or the key must make it
 * fail; the memo must only spare the signature check for the very statement it verified. The
 * signature itself is checked independently: the statement is rebuilt from the published
 * layout and verified with crypto_verify().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "domain/merkle.h"
#include "domain/seal.h"

#define N_MAX 70

static struct crypto_key *key, *other;
static uint8_t pub[32], other_pub[32];
static uint8_t wire[N_MAX][64];
static const uint8_t *wires[N_MAX];
static size_t lens[N_MAX];
static uint8_t seals[N_MAX][ENTRY_SEAL_MAX];
static size_t seal_lens[N_MAX];

static int setup(void **state)
{
    uint8_t seed[32] = {1}, seed2[32] = {2};

    (void)state;
    if (crypto_key_from_seed(seed, &key) != SH_OK || crypto_key_from_seed(seed2, &other) != SH_OK)
        return -1;
    crypto_key_public(key, pub);
    crypto_key_public(other, other_pub);
    for (int i = 0; i < N_MAX; i++) {
        lens[i] = (size_t)snprintf((char *)wire[i], sizeof(wire[i]), "entry number %d", i);
        wires[i] = wire[i];
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crypto_key_free(key);
    crypto_key_free(other);
    return 0;
}

static void test_every_entry_of_every_batch_size_verifies_alone(void **state)
{
    (void)state;
    for (size_t n = 1; n <= N_MAX; n++) {
        assert_int_equal(seal_batch(key, "PK-SOUTH", wires, lens, n, seals, seal_lens), SH_OK);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(
                seal_verify("PK-SOUTH", wire[i], lens[i], seals[i], seal_lens[i], pub, NULL),
                SH_OK);
            assert_memory_equal(seals[i], seals[0], ENTRY_SIG_LEN); /* one signature */
        }
    }
}

/* The signature is over the published statement: the batch's Merkle root, by the origin. */
static void test_signature_is_over_the_published_statement(void **state)
{
    uint8_t leaves[5][32], root[32], stmt[160];
    size_t len;

    (void)state;
    assert_int_equal(seal_batch(key, "PK-SOUTH", wires, lens, 5, seals, seal_lens), SH_OK);
    for (int i = 0; i < 5; i++)
        merkle_leaf_hash(wire[i], lens[i], leaves[i]);
    merkle_root(NULL, (const uint8_t(*)[32])leaves, 5, root);
    len = entry_canonical_batch("PK-SOUTH", 5, root, stmt, sizeof(stmt));
    assert_int_equal(len, sizeof("sarhad-batch-v1") + 4 + 8 + 8 + 32);
    assert_memory_equal(stmt, "sarhad-batch-v1\0\0\0\0\x08PK-SOUTH", 28);
    assert_int_equal(crypto_verify(pub, stmt, len, seals[3]), SH_OK);
    /* index 3 of 5: u32 index, u32 count, then a path of 3 hashes */
    assert_int_equal(seal_lens[3], ENTRY_SIG_LEN + 8 + 3 * 32);
    assert_memory_equal(seals[3] + ENTRY_SIG_LEN, "\0\0\0\3\0\0\0\5", 8);
}

static void test_any_change_fails(void **state)
{
    uint8_t s[ENTRY_SEAL_MAX], e[64];
    size_t n = 13, i = 6, len;

    (void)state;
    assert_int_equal(seal_batch(key, "PK-SOUTH", wires, lens, n, seals, seal_lens), SH_OK);
    len = seal_lens[i];
    /* another entry, or this one changed */
    assert_int_equal(seal_verify("PK-SOUTH", wire[7], lens[7], seals[i], len, pub, NULL),
                     SH_ECRYPTO);
    memcpy(e, wire[i], lens[i]);
    e[0] ^= 1;
    assert_int_equal(seal_verify("PK-SOUTH", e, lens[i], seals[i], len, pub, NULL), SH_ECRYPTO);
    /* another origin name or key */
    assert_int_equal(seal_verify("IR-EAST", wire[i], lens[i], seals[i], len, pub, NULL),
                     SH_ECRYPTO);
    assert_int_equal(seal_verify("PK-SOUTH", wire[i], lens[i], seals[i], len, other_pub, NULL),
                     SH_ECRYPTO);
    /* every byte of the seal: signature, index, count and path */
    for (size_t b = 0; b < len; b++) {
        memcpy(s, seals[i], len);
        s[b] ^= 0x10;
        assert_int_not_equal(seal_verify("PK-SOUTH", wire[i], lens[i], s, len, pub, NULL), SH_OK);
    }
    /* a path cut short or grown, and shapes that cannot be a seal */
    assert_int_not_equal(seal_verify("PK-SOUTH", wire[i], lens[i], seals[i], len - 32, pub, NULL),
                         SH_OK);
    memcpy(s, seals[i], len);
    memcpy(s + len, s + len - 32, 32);
    assert_int_not_equal(seal_verify("PK-SOUTH", wire[i], lens[i], s, len + 32, pub, NULL), SH_OK);
    assert_int_equal(seal_verify("PK-SOUTH", wire[i], lens[i], seals[i], len - 1, pub, NULL),
                     SH_EINVAL);
    assert_int_equal(seal_verify("PK-SOUTH", wire[i], lens[i], seals[i], 10, pub, NULL), SH_EINVAL);
}

/* The memo spares the signature only for the statement it verified, by the key it used. */
static void test_memo_spares_only_the_same_statement(void **state)
{
    struct seal_memo memo = {0};
    uint8_t s[ENTRY_SEAL_MAX], first[ENTRY_SEAL_MAX];
    size_t first_len;

    (void)state;
    assert_int_equal(seal_batch(key, "PK-SOUTH", wires, lens, 8, seals, seal_lens), SH_OK);
    for (int i = 0; i < 8; i++)
        assert_int_equal(
            seal_verify("PK-SOUTH", wire[i], lens[i], seals[i], seal_lens[i], pub, &memo), SH_OK);
    assert_true(memo.valid);
    memcpy(first, seals[2], seal_lens[2]);
    first_len = seal_lens[2];
    /* the same statement with a different signature is checked, and fails */
    memcpy(s, seals[2], seal_lens[2]);
    s[5] ^= 1;
    assert_int_equal(seal_verify("PK-SOUTH", wire[2], lens[2], s, seal_lens[2], pub, &memo),
                     SH_ECRYPTO);
    /* by another key, or of another origin: checked, and fails */
    assert_int_equal(
        seal_verify("PK-SOUTH", wire[2], lens[2], seals[2], seal_lens[2], other_pub, &memo),
        SH_ECRYPTO);
    assert_int_equal(seal_verify("IR-EAST", wire[2], lens[2], seals[2], seal_lens[2], pub, &memo),
                     SH_ECRYPTO);
    /* a batch signed by another key, under the memo of the first: fails */
    assert_int_equal(seal_batch(other, "PK-SOUTH", wires, lens, 8, seals, seal_lens), SH_OK);
    assert_int_equal(seal_verify("PK-SOUTH", wire[1], lens[1], seals[1], seal_lens[1], pub, &memo),
                     SH_ECRYPTO);
    /* and the memo still holds the statement it verified */
    assert_int_equal(seal_verify("PK-SOUTH", wire[2], lens[2], first, first_len, pub, &memo),
                     SH_OK);
}

static void test_json_round_trip(void **state)
{
    uint8_t back[ENTRY_SEAL_MAX];
    size_t len = 0;
    json_t *j = json_object();

    (void)state;
    assert_int_equal(seal_batch(key, "PK-SOUTH", wires, lens, 9, seals, seal_lens), SH_OK);
    seal_to_json(j, seals[8], seal_lens[8]);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "batch"), "index")), 8);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "batch"), "count")), 9);
    assert_int_equal(seal_from_json(j, back, &len), 0);
    assert_int_equal(len, seal_lens[8]);
    assert_memory_equal(back, seals[8], len);
    json_object_set_new(json_object_get(j, "batch"), "index", json_integer(9));
    assert_int_equal(seal_from_json(j, back, &len), -1);
    json_object_del(j, "sig");
    assert_int_equal(seal_from_json(j, back, &len), -1);
    json_decref(j);
    assert_int_equal(seal_batch(key, "PK-SOUTH", wires, lens, 0, seals, seal_lens), SH_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_entry_of_every_batch_size_verifies_alone),
        cmocka_unit_test(test_signature_is_over_the_published_statement),
        cmocka_unit_test(test_any_change_fails),
        cmocka_unit_test(test_memo_spares_only_the_same_statement),
        cmocka_unit_test(test_json_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
