/*
 * seal.c: batch signatures over entries crossing the link (see seal.h).
 */
#include "domain/seal.h"

#include "crypto/crypto.h"
#include "domain/merkle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEAL_HEAD (ENTRY_SIG_LEN + 8) /* signature, index, count: then the path */

_Static_assert(SEAL_BATCH_MAX <= UINT32_MAX, "a batch index fits a u32");
_Static_assert(MERKLE_HASH_LEN == ENTRY_HASH_LEN && MERKLE_HASH_LEN == 32, "one hash size");

static void put_u32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_u32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct seal_out {
    uint8_t (*seals)[ENTRY_SEAL_MAX];
    size_t *seal_len;
    size_t n;
};

static void seal_one(size_t index, const uint8_t (*path)[MERKLE_HASH_LEN], size_t len, void *arg)
{
    struct seal_out *o = arg;
    uint8_t *s = o->seals[index];

    /* A tree of at most 2^ENTRY_SEAL_DEPTH leaves has paths of at most ENTRY_SEAL_DEPTH. The
     * signature, over the root, is put in front once the tree is done. */
    put_u32(s + ENTRY_SIG_LEN, (uint32_t)index);
    put_u32(s + ENTRY_SIG_LEN + 4, (uint32_t)o->n);
    memcpy(s + SEAL_HEAD, path, len * MERKLE_HASH_LEN);
    o->seal_len[index] = SEAL_HEAD + len * MERKLE_HASH_LEN;
}

enum sh_err seal_batch(const struct crypto_key *key, const char *origin, const uint8_t *const *wire,
                       const size_t *len, size_t n, uint8_t (*seals)[ENTRY_SEAL_MAX],
                       size_t *seal_len)
{
    uint8_t(*leaves)[MERKLE_HASH_LEN], root[MERKLE_HASH_LEN], stmt[160], sig[ENTRY_SIG_LEN];
    struct seal_out o = {seals, seal_len, n};
    size_t slen;
    enum sh_err rc;

    if (n == 0 || n > SEAL_BATCH_MAX)
        return SH_EINVAL;
    leaves = malloc(n * MERKLE_HASH_LEN);
    if (leaves == NULL)
        return SH_ENOMEM;
    for (size_t i = 0; i < n; i++)
        merkle_leaf_hash(wire[i], len[i], leaves[i]);
    rc = merkle_all_paths((const uint8_t(*)[MERKLE_HASH_LEN])leaves, n, root, seal_one, &o);
    free(leaves);
    if (rc != SH_OK)
        return rc;
    slen = entry_canonical_batch(origin, n, root, stmt, sizeof(stmt));
    if (slen > sizeof(stmt))
        return SH_EINVAL;
    if ((rc = crypto_key_sign(key, stmt, slen, sig)) != SH_OK)
        return rc;
    for (size_t i = 0; i < n; i++)
        memcpy(seals[i], sig, ENTRY_SIG_LEN);
    return SH_OK;
}

enum sh_err seal_verify(const char *origin, const uint8_t *wire, size_t len, const uint8_t *seal,
                        size_t seal_len, const uint8_t pub[32], struct seal_memo *memo)
{
    uint8_t leaf[MERKLE_HASH_LEN], root[MERKLE_HASH_LEN], stmt[160];
    uint32_t index, count;
    size_t depth, slen;

    if (seal_len < SEAL_HEAD || (seal_len - SEAL_HEAD) % MERKLE_HASH_LEN != 0 ||
        seal_len > ENTRY_SEAL_MAX || strlen(origin) >= sizeof(memo->origin))
        return SH_EINVAL;
    index = get_u32(seal + ENTRY_SIG_LEN);
    count = get_u32(seal + ENTRY_SIG_LEN + 4);
    depth = (seal_len - SEAL_HEAD) / MERKLE_HASH_LEN;
    if (count == 0 || count > SEAL_BATCH_MAX || index >= count)
        return SH_EINVAL;
    merkle_leaf_hash(wire, len, leaf);
    if (merkle_root_from_inclusion(leaf, index, count,
                                   (const uint8_t(*)[MERKLE_HASH_LEN])(seal + SEAL_HEAD), depth,
                                   root) != SH_OK)
        return SH_ECRYPTO;
    if (memo && memo->valid && memo->count == count && strcmp(memo->origin, origin) == 0 &&
        memcmp(memo->pub, pub, 32) == 0 && memcmp(memo->root, root, MERKLE_HASH_LEN) == 0 &&
        memcmp(memo->sig, seal, ENTRY_SIG_LEN) == 0)
        return SH_OK;
    slen = entry_canonical_batch(origin, count, root, stmt, sizeof(stmt));
    if (slen > sizeof(stmt) || crypto_verify(pub, stmt, slen, seal) != SH_OK)
        return SH_ECRYPTO;
    if (memo) {
        memo->valid = 1;
        memcpy(memo->pub, pub, 32);
        snprintf(memo->origin, sizeof(memo->origin), "%s", origin);
        memo->count = count;
        memcpy(memo->root, root, MERKLE_HASH_LEN);
        memcpy(memo->sig, seal, ENTRY_SIG_LEN);
    }
    return SH_OK;
}

void seal_to_json(json_t *obj, const uint8_t *seal, size_t len)
{
    char hex[2 * ENTRY_SIG_LEN + 1];
    json_t *path;

    if (len < SEAL_HEAD)
        return;
    crypto_hex(seal, ENTRY_SIG_LEN, hex);
    json_object_set_new(obj, "sig", json_string(hex));
    path = json_array();
    for (size_t at = SEAL_HEAD; at + MERKLE_HASH_LEN <= len; at += MERKLE_HASH_LEN) {
        crypto_hex(seal + at, MERKLE_HASH_LEN, hex);
        json_array_append_new(path, json_string(hex));
    }
    json_object_set_new(obj, "batch",
                        json_pack("{s:I,s:I,s:o}", "index",
                                  (json_int_t)get_u32(seal + ENTRY_SIG_LEN), "count",
                                  (json_int_t)get_u32(seal + ENTRY_SIG_LEN + 4), "path", path));
}

static int unhex_str(const json_t *v, uint8_t *out, size_t n)
{
    const char *s = json_string_value(v);

    return s && crypto_unhex(s, strlen(s), out, n) == 0 ? 0 : -1;
}

int seal_from_json(const json_t *obj, uint8_t *seal, size_t *len)
{
    const json_t *batch = json_object_get(obj, "batch"), *path = json_object_get(batch, "path");
    json_int_t index = json_integer_value(json_object_get(batch, "index")),
               count = json_integer_value(json_object_get(batch, "count"));
    size_t n = json_array_size(path);

    if (unhex_str(json_object_get(obj, "sig"), seal, ENTRY_SIG_LEN) < 0 || !json_is_array(path) ||
        n > ENTRY_SEAL_DEPTH || index < 0 || count < 1 || count > SEAL_BATCH_MAX || index >= count)
        return -1;
    put_u32(seal + ENTRY_SIG_LEN, (uint32_t)index);
    put_u32(seal + ENTRY_SIG_LEN + 4, (uint32_t)count);
    for (size_t i = 0; i < n; i++)
        if (unhex_str(json_array_get(path, i), seal + SEAL_HEAD + i * MERKLE_HASH_LEN,
                      MERKLE_HASH_LEN) < 0)
            return -1;
    *len = SEAL_HEAD + n * MERKLE_HASH_LEN;
    return 0;
}
