/*
 * proof.c: writing and checking proofs about hotline messages (see proof.h).
 */
#include "cli/proof.h"

#include "cli/cli.h"
#include "core/clock.h"
#include "crypto/crypto.h"
#include "domain/entry.h"
#include "domain/gate.h"
#include "domain/merkle.h"
#include "domain/seal.h"
#include "store/hotline_store.h"
#include "store/journal.h"
#include "store/peers.h"
#include "store/xlog.h"

#include <stdlib.h>
#include <string.h>

/* `s`, or `fallback` when it is NULL (proof fields are optional to a hostile writer). */
static const char *or_default(const char *s, const char *fallback)
{
    return s ? s : fallback;
}

static json_t *hexj(const uint8_t *p, size_t n)
{
    char buf[2 * 64 + 1];

    crypto_hex(p, n, buf);
    return json_string(buf);
}

/* An entry's crossing fields and its origin's seal as JSON. */
static json_t *entry_json(const struct journal_entry *e, const uint8_t *seal, size_t seal_len)
{
    json_t *j = json_pack("{s:s,s:I,s:s,s:s,s:I,s:s,s:s%}", "origin", e->origin, "origin_seq",
                          (json_int_t)e->origin_seq, "kind", e->kind, "record_id", e->record_id,
                          "version", (json_int_t)e->version, "release", e->release, "payload",
                          e->payload, e->payload_len);

    if (j)
        seal_to_json(j, seal, seal_len);
    return j;
}

static int keep_first(const struct journal_entry *e, void *arg)
{
    json_t **out = arg;

    if (*out == NULL)
        *out = entry_json(e, e->seal, e->seal_len);
    return 1;
}

struct sent {
    const char *country;
    struct journal_entry wire;
    int found;
};

static int keep_wire(const struct journal_entry *e, void *arg)
{
    struct sent *s = arg;

    s->found = gate_outbound(e, s->country, &s->wire) == SH_OK;
    return 1;
}

static enum sh_err peer_of(struct store_db *db, const char *name, struct peer_row *out)
{
    struct peer_row *rows;
    int n;
    enum sh_err rc = SH_ENOTFOUND;

    if (peers_load(db, &rows, &n) != SH_OK)
        return SH_EDB;
    for (int i = 0; i < n; i++) {
        if (strcmp(rows[i].name, name) == 0) {
            *out = rows[i];
            rows[i].cert_pem = NULL;
            rc = SH_OK;
        }
    }
    peers_free(rows, n);
    return rc;
}

/* Gathers the message entry as it crossed and its leaf; -1 with a printed reason. */
static int proof_entry(struct store_db *db, const char *id, const struct peer_row *peer,
                       json_t *proof, int64_t *index)
{
    struct sent s = {.country = peer->country};
    uint8_t *data = NULL;
    size_t len = 0, n;
    char ref[96];

    journal_read_record(db, "hotline.message", id, keep_wire, &s);
    if (!s.found) {
        cli_error("audit", "no hotline message %s of this node released to %s", id, peer->name);
        return -1;
    }
    snprintf(ref, sizeof(ref), "%s:%lld", s.wire.origin, (long long)s.wire.origin_seq);
    n = entry_canonical_wire(&s.wire, NULL, 0);
    if (xlog_find(db, "sent", ref, index, &data, &len) != SH_OK || len <= n) {
        free(s.wire.payload);
        cli_error("audit",
                  "message %s is not in the exchange log yet (not acknowledged by the "
                  "link)",
                  id);
        return -1;
    }
    json_object_set_new(proof, "entry", entry_json(&s.wire, data + n, len - n));
    free(s.wire.payload);
    free(data);
    return 0;
}

static json_t *checkpoint_json(const struct xlog_checkpoint *c)
{
    return json_pack("{s:I,s:o,s:I,s:o,s:s,s:o}", "size", (json_int_t)c->size, "root",
                     hexj(c->root, 32), "time", (json_int_t)c->time_ms, "sig", hexj(c->sig, 64),
                     "cosigner", c->cosigner, "cosig", hexj(c->cosig, 64));
}

int proof_write(struct store_db *db, const struct config *cfg, const char *own_cert,
                const uint8_t (*leaves)[32], size_t nleaves, const char *id, const char *out_path)
{
    struct peer_row peer = {0};
    struct xlog_checkpoint c;
    json_t *msg = NULL, *proof = NULL, *path, *receipt = NULL, *ack = NULL;
    uint8_t hashes[MERKLE_MAX_PATH][32];
    size_t plen = 0;
    int64_t index = 0;
    char rid[240];
    int ret = CLI_FAIL;

    if (messages_get(db, id, &msg) != SH_OK ||
        strcmp(json_string_value(json_object_get(msg, "originator")), cfg->name) != 0) {
        cli_error("audit", "no hotline message %s sent by this node", id);
        goto out;
    }
    /* The channel's peer, from the message's release set. */
    const char *country = json_string_value(json_array_get(json_object_get(msg, "release"), 0));
    struct peer_row *rows;
    int n;
    if (country && peers_load(db, &rows, &n) == SH_OK) {
        for (int i = 0; i < n; i++)
            if (strcmp(rows[i].country, country) == 0 && peer.name[0] == '\0')
                peer_of(db, rows[i].name, &peer);
        peers_free(rows, n);
    }
    if (peer.name[0] == '\0') {
        cli_error("audit", "the peer message %s went to is not pinned any more", id);
        goto out;
    }
    proof = json_pack("{s:s,s:s,s:{s:s,s:s},s:{s:s,s:s}}", "format", "sarhad-proof-v2", "message",
                      id, "origin", "node", cfg->name, "cert", own_cert, "peer", "node", peer.name,
                      "cert", peer.cert_pem);
    if (proof_entry(db, id, &peer, proof, &index) < 0)
        goto out;
    if (xlog_checkpoint_covering(db, cfg->name, index, &c) != SH_OK) {
        cli_error("audit",
                  "no checkpoint cosigned by %s covers message %s yet; try again after "
                  "the next heartbeat",
                  peer.name, id);
        goto out;
    }
    if ((size_t)c.size > nleaves || merkle_inclusion_proof(NULL, leaves, (size_t)c.size,
                                                           (size_t)index, hashes, &plen) != SH_OK) {
        cli_error("audit", "cannot build the inclusion proof");
        goto out;
    }
    path = json_array();
    for (size_t i = 0; i < plen; i++)
        json_array_append_new(path, hexj(hashes[i], 32));
    json_object_set_new(proof, "leaf_index", json_integer(index));
    json_object_set_new(proof, "inclusion", path);
    json_object_set_new(proof, "checkpoint", checkpoint_json(&c));
    snprintf(rid, sizeof(rid), "%s#receipt", id);
    journal_read_record(db, "hotline.receipt", rid, keep_first, &receipt);
    snprintf(rid, sizeof(rid), "%s#ack", id);
    journal_read_record(db, "hotline.ack", rid, keep_first, &ack);
    json_object_set_new(proof, "receipt", receipt ? receipt : json_null());
    json_object_set_new(proof, "ack", ack ? ack : json_null());
    if (json_dump_file(proof, out_path ? out_path : "/dev/stdout", JSON_INDENT(1)) != 0) {
        cli_error("audit", "cannot write %s", out_path ? out_path : "stdout");
        goto out;
    }
    ret = CLI_OK;
out:
    free(peer.cert_pem);
    json_decref(msg);
    json_decref(proof);
    return ret;
}

/* ---- checking ------------------------------------------------------------------------- */

struct checker {
    json_t *proof;
    uint8_t origin_pub[32], peer_pub[32];
    char origin_fp[65], peer_fp[65];
    const char *origin, *peer;
    char why[300];
};

static int bad(struct checker *k, const char *what)
{
    if (k->why[0] == '\0')
        snprintf(k->why, sizeof(k->why), "%s", what);
    return -1;
}

static int unhex(const json_t *v, uint8_t *out, size_t n)
{
    const char *s = json_string_value(v);

    return s && crypto_unhex(s, strlen(s), out, n) == 0 ? 0 : -1;
}

/* Rebuilds an entry from its JSON and checks its seal with `pub`. *leaf (malloc'd, *len bytes)
 * is the entry's exchange-log leaf: what was signed, then the seal. */
static int entry_check(struct checker *k, const json_t *j, const uint8_t pub[32],
                       struct journal_entry *e, uint8_t **leaf, size_t *len)
{
    const char *fields[] = {"origin", "kind", "record_id", "release", "payload"};
    char *dst[] = {e->origin, e->kind, e->record_id, e->release, NULL};
    size_t cap[] = {sizeof(e->origin), sizeof(e->kind), sizeof(e->record_id), sizeof(e->release)};

    memset(e, 0, sizeof(*e));
    for (int i = 0; i < 5; i++) {
        const char *v = json_string_value(json_object_get(j, fields[i]));
        if (v == NULL || (dst[i] && strlen(v) >= cap[i]))
            return bad(k, "an entry of the proof is malformed");
        if (dst[i])
            memcpy(dst[i], v, strlen(v) + 1);
    }
    e->payload = (char *)json_string_value(json_object_get(j, "payload"));
    e->payload_len = json_string_length(json_object_get(j, "payload"));
    e->origin_seq = json_integer_value(json_object_get(j, "origin_seq"));
    e->version = json_integer_value(json_object_get(j, "version"));
    if (seal_from_json(j, e->seal, &e->seal_len) < 0)
        return bad(k, "an entry's signature or batch proof is malformed");
    size_t n = entry_canonical_wire(e, NULL, 0);
    *leaf = malloc(n + e->seal_len);
    if (*leaf == NULL)
        abort();
    entry_canonical_wire(e, *leaf, n);
    memcpy(*leaf + n, e->seal, e->seal_len);
    *len = n + e->seal_len;
    if (seal_verify(e->origin, *leaf, n, e->seal, e->seal_len, pub, NULL) != SH_OK)
        return bad(k, "an entry's signature does not verify");
    return 0;
}

static int check_inclusion(struct checker *k, const uint8_t *leaf_data, size_t len,
                           struct xlog_checkpoint *c)
{
    json_t *cp = json_object_get(k->proof, "checkpoint"),
           *path = json_object_get(k->proof, "inclusion"), *v;
    uint8_t leaf[32], hashes[MERKLE_MAX_PATH][32], msg[600];
    size_t i;

    memset(c, 0, sizeof(*c));
    snprintf(c->origin, sizeof(c->origin), "%s", k->origin);
    snprintf(c->cosigner, sizeof(c->cosigner), "%s",
             or_default(json_string_value(json_object_get(cp, "cosigner")), ""));
    c->size = json_integer_value(json_object_get(cp, "size"));
    c->time_ms = json_integer_value(json_object_get(cp, "time"));
    if (unhex(json_object_get(cp, "root"), c->root, 32) ||
        unhex(json_object_get(cp, "sig"), c->sig, 64) ||
        unhex(json_object_get(cp, "cosig"), c->cosig, 64) || !json_is_array(path) ||
        json_array_size(path) > MERKLE_MAX_PATH)
        return bad(k, "the checkpoint or inclusion proof is malformed");
    json_array_foreach(path, i, v)
    {
        if (unhex(v, hashes[i], 32) < 0)
            return bad(k, "the inclusion proof is malformed");
    }
    merkle_leaf_hash(leaf_data, len, leaf);
    if (merkle_verify_inclusion(
            leaf, (size_t)json_integer_value(json_object_get(k->proof, "leaf_index")),
            (size_t)c->size, (const uint8_t(*)[32])hashes, json_array_size(path), c->root) != SH_OK)
        return bad(k, "the message is not in the log under the checkpoint's root");
    if (crypto_verify(k->origin_pub, msg, xlog_note(c, msg, sizeof(msg)), c->sig) != SH_OK)
        return bad(k, "the checkpoint's signature does not verify");
    if (strcmp(c->cosigner, k->peer) != 0 ||
        crypto_verify(k->peer_pub, msg, xlog_cosign_msg(c, msg, sizeof(msg)), c->cosig) != SH_OK)
        return bad(k, "the peer's cosignature of the checkpoint does not verify");
    return 0;
}

static int load_party(struct checker *k, const char *key, uint8_t pub[32], const char **name,
                      char fp[65])
{
    json_t *party = json_object_get(k->proof, key);
    const char *cert = json_string_value(json_object_get(party, "cert"));
    struct crypto_cert_info ci;

    *name = json_string_value(json_object_get(party, "node"));
    if (*name == NULL || cert == NULL || crypto_cert_inspect(cert, strlen(cert), &ci) != SH_OK)
        return bad(k, "a node's certificate in the proof is unreadable");
    memcpy(pub, ci.public_key, 32);
    memcpy(fp, ci.fingerprint, 65);
    return 0;
}

/* Checks a receipt or acknowledgement entry by the peer about the message. */
static int check_reply(struct checker *k, const char *key, const char *kind, json_t **doc)
{
    struct journal_entry e;
    uint8_t *wire = NULL;
    size_t len;
    json_t *j = json_object_get(k->proof, key);
    int rc;

    *doc = NULL;
    if (json_is_null(j) || j == NULL)
        return 0;
    rc = entry_check(k, j, k->peer_pub, &e, &wire, &len);
    free(wire);
    if (rc < 0)
        return rc;
    *doc = json_loadb(e.payload, e.payload_len, 0, NULL);
    if (strcmp(e.origin, k->peer) != 0 || strcmp(e.kind, kind) != 0 ||
        strcmp(or_default(json_string_value(json_object_get(*doc, "message")), ""),
               or_default(json_string_value(json_object_get(k->proof, "message")), "")) != 0)
        return bad(k, "a receipt or acknowledgement is not the peer's about this message");
    return 0;
}

/* The entry must be the message the proof names, made by the node it names. */
static int check_claims(struct checker *k, const struct journal_entry *e)
{
    const char *id = or_default(json_string_value(json_object_get(k->proof, "message")), "");

    if (strcmp(e->kind, "hotline.message") != 0 || strcmp(e->record_id, id) != 0 ||
        strcmp(e->origin, k->origin) != 0)
        return bad(k, "the signed entry is not the message the proof names");
    return 0;
}

int proof_check(const char *path, const char *expect_origin, const char *expect_peer)
{
    struct checker k = {0};
    struct journal_entry e;
    struct xlog_checkpoint c;
    json_error_t jerr;
    uint8_t *wire = NULL;
    size_t len = 0;
    json_t *receipt = NULL, *ack = NULL, *msg = NULL;
    int ret = CLI_FAIL;

    k.proof = json_load_file(path, 0, &jerr);
    if (k.proof == NULL) {
        cli_error("audit", "%s is not a proof: %s", path, jerr.text);
        return CLI_FAIL;
    }
    if (strcmp(or_default(json_string_value(json_object_get(k.proof, "format")), ""),
               "sarhad-proof-v2") ||
        load_party(&k, "origin", k.origin_pub, &k.origin, k.origin_fp) ||
        load_party(&k, "peer", k.peer_pub, &k.peer, k.peer_fp) ||
        (expect_origin && strcmp(expect_origin, k.origin_fp) != 0 &&
         bad(&k, "the origin's key is not the one expected (--origin-fp)")) ||
        (expect_peer && strcmp(expect_peer, k.peer_fp) != 0 &&
         bad(&k, "the peer's key is not the one expected (--peer-fp)")) ||
        entry_check(&k, json_object_get(k.proof, "entry"), k.origin_pub, &e, &wire, &len) ||
        check_claims(&k, &e) || check_inclusion(&k, wire, len, &c) ||
        check_reply(&k, "receipt", "hotline.receipt", &receipt) ||
        check_reply(&k, "ack", "hotline.ack", &ack)) {
        printf("INVALID: %s\n", k.why[0] ? k.why : "not a sarhad proof");
        goto out;
    }
    msg = json_loadb(e.payload, e.payload_len, 0, NULL);
    char ts[32];
    printf("VALID: message %s\n  sent by %s, %s, DTG %s, signed by %s\n"
           "  in %s's exchange log at index %lld of %lld (checkpoint %s, cosigned by %s)\n",
           json_string_value(json_object_get(k.proof, "message")), k.origin,
           or_default(json_string_value(json_object_get(msg, "precedence")), "?"),
           or_default(json_string_value(json_object_get(msg, "dtg")), "?"), k.origin, k.origin,
           (long long)json_integer_value(json_object_get(k.proof, "leaf_index")), (long long)c.size,
           clock_format_rfc3339(c.time_ms, ts, sizeof(ts)), c.cosigner);
    if (receipt)
        printf("  delivered to %s at %s (receipt signed by %s)\n", k.peer,
               or_default(json_string_value(json_object_get(receipt, "delivered")), "?"), k.peer);
    if (ack)
        printf("  acknowledged %s by %s at %s (signed by %s)\n",
               or_default(json_string_value(json_object_get(ack, "ack")), "?"),
               or_default(json_string_value(json_object_get(ack, "by")), "?"),
               or_default(json_string_value(json_object_get(ack, "time")), "?"), k.peer);
    printf("  keys: %s %s, %s %s\n"
           "  (the proof carries its own certificates: compare these fingerprints with the ones\n"
           "   the nodes' operators exchanged, or pass --origin-fp and --peer-fp)\n",
           k.origin, k.origin_fp, k.peer, k.peer_fp);
    ret = CLI_OK;
out:
    free(wire);
    json_decref(msg);
    json_decref(receipt);
    json_decref(ack);
    json_decref(k.proof);
    return ret;
}
