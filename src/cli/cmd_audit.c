/*
 * cmd_audit.c: sarhad audit verify | prove | check-proof: what the exchange log can prove.
 *
 * verify       rechecks this node's records offline: the journal's hash chain, every
 *              exchange-log leaf against its data, every checkpoint's root, signature and
 *              cosignature, and that every hotline message sent has a delivery receipt or a
 *              signed rejection. Exit 0 when whole; 1 naming the first thing broken.
 * prove        writes a self-contained JSON proof about one hotline message we sent.
 * check-proof  verifies such a proof with no database: anyone with the file can.
 */
#include "cli/cli.h"

#include "crypto/crypto.h"
#include "domain/merkle.h"
#include "node/config.h"
#include "store/hotline_store.h"
#include "store/journal.h"
#include "store/peers.h"
#include "store/xlog.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/proof.h"

struct audit {
    struct store_db *db;
    struct config cfg;
    uint8_t own_pub[32];
    char own_cert[8192];
    char problem[300]; /* the first thing broken */
    /* leaf walk */
    struct merkle_cache cache; /* over leaves[0..n), once all are read: each root O(log n) */
    uint8_t (*leaves)[32];
    size_t n, cap;
};

static int fail(struct audit *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Records the first problem found (later ones would only be its consequences). */
static int fail(struct audit *a, const char *fmt, ...)
{
    va_list ap;

    if (a->problem[0] == '\0') {
        va_start(ap, fmt);
        vsnprintf(a->problem, sizeof(a->problem), fmt, ap);
        va_end(ap);
    }
    return 1;
}

static int leaf_visit(int64_t index, const char *direction, const char *ref, const uint8_t *data,
                      size_t len, const uint8_t leaf[32], void *arg)
{
    struct audit *a = arg;
    uint8_t h[32];

    merkle_leaf_hash(data, len, h);
    if (index != (int64_t)a->n || memcmp(h, leaf, 32) != 0)
        return fail(a, "exchange log leaf %s (index %lld) does not match its data", ref,
                    (long long)index);
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        a->leaves = realloc(a->leaves, a->cap * 32);
        if (a->leaves == NULL)
            abort();
    }
    memcpy(a->leaves[a->n++], h, 32);
    return 0;
}

static int peer_pub(struct audit *a, const char *name, uint8_t pub[32])
{
    struct peer_row *rows;
    int n, found = -1;

    if (peers_load(a->db, &rows, &n) != SH_OK)
        return -1;
    for (int i = 0; i < n; i++) {
        struct crypto_cert_info ci;
        if (strcmp(rows[i].name, name) == 0 &&
            crypto_cert_inspect(rows[i].cert_pem, strlen(rows[i].cert_pem), &ci) == SH_OK) {
            memcpy(pub, ci.public_key, 32);
            found = 0;
        }
    }
    peers_free(rows, n);
    return found;
}

static int checkpoint_visit(const struct xlog_checkpoint *c, void *arg)
{
    struct audit *a = arg;
    uint8_t msg[600], root[32], pub[32], cpub[32];
    int own = strcmp(c->origin, a->cfg.name) == 0;

    if (own) {
        if (c->size > (int64_t)a->n)
            return fail(a, "checkpoint of %s at size %lld is beyond the log", c->origin,
                        (long long)c->size);
        merkle_root(&a->cache, (const uint8_t(*)[32])a->leaves, (size_t)c->size, root);
        if (memcmp(root, c->root, 32) != 0)
            return fail(a, "checkpoint of %s at size %lld: the log's root differs", c->origin,
                        (long long)c->size);
        memcpy(pub, a->own_pub, 32);
    } else if (peer_pub(a, c->origin, pub) < 0) {
        return fail(a, "checkpoint of %s at size %lld: not a pinned peer", c->origin,
                    (long long)c->size);
    }
    if (crypto_verify(pub, msg, xlog_note(c, msg, sizeof(msg)), c->sig) != SH_OK)
        return fail(a, "checkpoint of %s at size %lld: bad signature", c->origin,
                    (long long)c->size);
    if (c->cosigner[0] == '\0')
        return 0;
    if (strcmp(c->cosigner, a->cfg.name) == 0)
        memcpy(cpub, a->own_pub, 32);
    else if (peer_pub(a, c->cosigner, cpub) < 0)
        return fail(a, "checkpoint cosigned by %s (size %lld): not a pinned peer", c->cosigner,
                    (long long)c->size);
    if (crypto_verify(cpub, msg, xlog_cosign_msg(c, msg, sizeof(msg)), c->cosig) != SH_OK)
        return fail(a, "checkpoint of size %lld: bad cosignature by %s", (long long)c->size,
                    c->cosigner);
    return 0;
}

/* Every message we sent has a delivery receipt (its state moved on) or a signed rejection. */
static void check_messages(struct audit *a)
{
    char id[220];

    if (messages_unreceipted(a->db, a->cfg.name, id, sizeof(id)) == SH_OK)
        fail(a, "hotline message %s has neither a delivery receipt nor a signed rejection", id);
}

static int audit_open(const char *dir, struct audit *a)
{
    struct sh_errinfo info = {0};
    struct crypto_cert_info ci;
    char path[600];
    FILE *f;
    size_t n;

    memset(a, 0, sizeof(*a));
    if (config_load(dir, &a->cfg, &info) != SH_OK) {
        cli_error("audit", "%s", info.message);
        return -1;
    }
    config_path(dir, "cert.pem", path, sizeof(path));
    f = fopen(path, "r");
    n = f ? fread(a->own_cert, 1, sizeof(a->own_cert) - 1, f) : 0;
    if (f)
        fclose(f);
    if (n == 0 || crypto_cert_inspect(a->own_cert, n, &ci) != SH_OK) {
        cli_error("audit", "cannot read the node certificate %s", path);
        return -1;
    }
    memcpy(a->own_pub, ci.public_key, 32);
    config_path(dir, "sarhad.db", path, sizeof(path));
    if (db_open(path, 0, &a->db, &info) != SH_OK) {
        cli_error("audit", "%s", info.message);
        return -1;
    }
    return 0;
}

static int audit_verify(struct audit *a)
{
    int64_t bad = 0;

    if (journal_verify(a->db, &bad) != SH_OK)
        fail(a, "journal broken at seq %lld", (long long)bad);
    if (a->problem[0] == '\0')
        xlog_scan(a->db, leaf_visit, a);
    if (a->problem[0] == '\0' &&
        merkle_cache_extend(&a->cache, (const uint8_t(*)[32])a->leaves, a->n) != SH_OK)
        fail(a, "out of memory");
    if (a->problem[0] == '\0')
        xlog_checkpoints(a->db, checkpoint_visit, a);
    if (a->problem[0] == '\0')
        check_messages(a);
    if (a->problem[0]) {
        printf("BROKEN: %s\n", a->problem);
        return CLI_FAIL;
    }
    printf("intact: journal, %zu exchange-log leaves, checkpoints and cosignatures, hotline "
           "receipts\n",
           a->n);
    return CLI_OK;
}

int cmd_audit(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", 1, "node directory (verify, prove)", NULL},
        {"message", 1, "hotline message id (prove)", NULL},
        {"out", 1, "file to write the proof to (prove; default stdout)", NULL},
        {"origin-fp", 1, "SHA-256 fingerprint the origin's certificate must have (check-proof)",
         NULL},
        {"peer-fp", 1, "SHA-256 fingerprint the peer's certificate must have (check-proof)", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct audit a;
    const char *pos[2];
    int npos, ret;
    int r = cli_parse(argc, argv, opts,
                      "sarhad audit verify --dir DIR | prove --dir DIR --message ID [--out F] | "
                      "check-proof FILE",
                      "verify       recheck the journal, the exchange log, its checkpoints and\n"
                      "             cosignatures, and every hotline message's receipt\n"
                      "prove        write a self-contained proof about a message we sent\n"
                      "check-proof  verify such a proof without any node's database",
                      pos, 2, &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (npos >= 1 && strcmp(pos[0], "check-proof") == 0) {
        if (npos != 2) {
            cli_error("audit", "check-proof takes the proof FILE");
            return CLI_USAGE;
        }
        return proof_check(pos[1], opts[3].value, opts[4].value);
    }
    if (npos != 1 || (strcmp(pos[0], "verify") != 0 && strcmp(pos[0], "prove") != 0)) {
        cli_error("audit", "say verify, prove or check-proof (see --help)");
        return CLI_USAGE;
    }
    if (opts[0].value == NULL || (strcmp(pos[0], "prove") == 0 && opts[1].value == NULL)) {
        cli_error("audit", "%s needs --dir%s", pos[0],
                  strcmp(pos[0], "prove") == 0 ? " and --message" : "");
        return CLI_USAGE;
    }
    if (audit_open(opts[0].value, &a) < 0)
        return CLI_FAIL;
    merkle_cache_init(&a.cache);
    if (strcmp(pos[0], "verify") == 0) {
        ret = audit_verify(&a);
    } else {
        xlog_scan(a.db, leaf_visit, &a);
        ret = proof_write(a.db, &a.cfg, a.own_cert, (const uint8_t(*)[32])a.leaves, a.n,
                          opts[1].value, opts[2].value);
    }
    merkle_cache_free(&a.cache);
    free(a.leaves);
    db_close(a.db);
    return ret;
}
