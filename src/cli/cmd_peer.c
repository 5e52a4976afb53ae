/*
 * cmd_peer.c: sarhad cert and sarhad peer add|list|remove: pinning the partner node.
 *
 * Operators exchange certificates out of band (`sarhad cert` on each side), compare the
 * fingerprints by voice, and pin each other. The node reads its peers when it starts.
 */
#include "cli/cli.h"

#include "crypto/crypto.h"
#include "domain/release.h"
#include "node/config.h"
#include "core/clock.h"
#include "domain/hotline.h"
#include "store/hotline_store.h"
#include "store/peers.h"
#include "store/writer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;

    if (f == NULL)
        return NULL;
    buf = malloc(max + 1);
    if (buf == NULL)
        abort();
    *len = fread(buf, 1, max + 1, f);
    fclose(f);
    if (*len == 0 || *len > max) {
        free(buf);
        return NULL;
    }
    buf[*len] = '\0';
    return buf;
}

int cmd_cert(int argc, char **argv)
{
    struct cli_opt opts[] = {{"dir", 1, "node directory", NULL}, {NULL, 0, NULL, NULL}};
    struct crypto_cert_info ci;
    const char *pos[1];
    char path[600], *pem;
    size_t len;
    int npos, r;

    r = cli_parse(argc, argv, opts, "sarhad cert --dir DIR",
                  "Prints the node's certificate (PEM) for the partner's `sarhad peer add`,\n"
                  "and its SHA-256 fingerprint on stderr to compare by voice.",
                  pos, 0, &npos);
    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (opts[0].value == NULL) {
        cli_error("cert", "--dir is required");
        return CLI_USAGE;
    }
    config_path(opts[0].value, "cert.pem", path, sizeof(path));
    pem = read_file(path, 64 * 1024, &len);
    if (pem == NULL || crypto_cert_inspect(pem, len, &ci) != SH_OK) {
        cli_error("cert", "cannot read a certificate from %s", path);
        free(pem);
        return CLI_FAIL;
    }
    fputs(pem, stdout);
    fprintf(stderr, "fingerprint (SHA-256): %s\n", ci.fingerprint);
    free(pem);
    return CLI_OK;
}

struct peer_change {
    struct peer_row row;
    const char *name;
};

/* Pins the peer and opens the node-to-node hotline channel with it (the first peer's, if
 * several are pinned). */
static enum sh_err apply_add(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct peer_row *row = &((struct peer_change *)arg)->row;
    char ts[32];
    enum sh_err rc = peers_add(tx, row, info);
    json_t *channel;

    if (rc != SH_OK)
        return rc;
    channel = json_pack("{s:s,s:s,s:s,s:s,s:[s],s:s}", "name", HOTLINE_NODE_CHANNEL, "own_command",
                        tx->node, "partner_command", row->name, "peer", row->name, "release",
                        row->country, "created", clock_format_rfc3339(tx->now_ms, ts, sizeof(ts)));
    rc = channels_add(tx, channel, info);
    json_decref(channel);
    return rc == SH_EEXISTS ? SH_OK : rc;
}

static enum sh_err apply_remove(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    return peers_remove(tx, ((struct peer_change *)arg)->name, info);
}

static int peer_list(struct store_db *db)
{
    struct peer_row *rows;
    int n;

    if (peers_load(db, &rows, &n) != SH_OK) {
        cli_error("peer", "cannot read peers");
        return CLI_FAIL;
    }
    printf("%-20s %-7s %-22s %s\n", "NAME", "COUNTRY", "ADDRESS", "FINGERPRINT");
    for (int i = 0; i < n; i++)
        printf("%-20s %-7s %-22s %s\n", rows[i].name, rows[i].country,
               rows[i].addr[0] ? rows[i].addr : "(dials in)", rows[i].fingerprint);
    peers_free(rows, n);
    return CLI_OK;
}

/* Fills a peer row from the options; prints and returns -1 on a bad one. */
static int peer_row_from(struct cli_opt *opts, struct peer_row *row, const char *own_country)
{
    struct crypto_cert_info ci;
    size_t len;

    if (opts[1].value == NULL || opts[2].value == NULL || opts[3].value == NULL) {
        cli_error("peer", "add needs --name, --country and --cert (see --help)");
        return -1;
    }
    if (strlen(opts[1].value) >= sizeof(row->name) || strlen(opts[2].value) != 3 ||
        !release_code_valid(opts[2].value)) {
        cli_error("peer", "--country must be an ISO 3166-1 alpha-3 code and --name at most 63 "
                          "bytes");
        return -1;
    }
    if (strcmp(opts[2].value, own_country) == 0) {
        cli_error("peer", "the peer's country must differ from this node's (%s)", own_country);
        return -1;
    }
    if (opts[4].value &&
        (strlen(opts[4].value) >= sizeof(row->addr) || strchr(opts[4].value, ':') == NULL)) {
        cli_error("peer", "--addr must be IP:PORT");
        return -1;
    }
    row->cert_pem = read_file(opts[3].value, 64 * 1024, &len);
    if (row->cert_pem == NULL || crypto_cert_inspect(row->cert_pem, len, &ci) != SH_OK) {
        cli_error("peer", "%s is not a PEM certificate with an Ed25519 key", opts[3].value);
        return -1;
    }
    if (ci.expired || ci.not_yet_valid) {
        cli_error("peer", "the certificate in %s is %s", opts[3].value,
                  ci.expired ? "expired" : "not yet valid");
        return -1;
    }
    snprintf(row->name, sizeof(row->name), "%s", opts[1].value);
    memcpy(row->country, opts[2].value, 4);
    snprintf(row->fingerprint, sizeof(row->fingerprint), "%s", ci.fingerprint);
    snprintf(row->addr, sizeof(row->addr), "%s", opts[4].value ? opts[4].value : "");
    return 0;
}

int cmd_peer(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", 1, "node directory", NULL},
        {"name", 1, "the peer node's name (add, remove)", NULL},
        {"country", 1, "the peer's country, ISO 3166-1 alpha-3 (add)", NULL},
        {"cert", 1, "file with the peer's certificate from its `sarhad cert` (add)", NULL},
        {"addr", 1, "IP:PORT of the peer's link to dial; omit if the peer dials in", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct peer_change pc;
    struct sh_errinfo info = {0};
    struct store_db *db = NULL;
    struct config cfg;
    char dbp[600];
    const char *pos[1];
    int npos, r, ret = CLI_FAIL;
    enum sh_err rc;

    memset(&pc, 0, sizeof(pc));
    r = cli_parse(argc, argv, opts, "sarhad peer add|list|remove --dir DIR [--name NAME ...]",
                  "add     pins a partner node by its certificate (a running node picks it up)\n"
                  "list    shows pinned peers and their fingerprints\n"
                  "remove  unpins a peer",
                  pos, 1, &npos);
    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (npos != 1 ||
        (strcmp(pos[0], "add") && strcmp(pos[0], "list") && strcmp(pos[0], "remove"))) {
        cli_error("peer", "say add, list or remove (see --help)");
        return CLI_USAGE;
    }
    if (opts[0].value == NULL) {
        cli_error("peer", "--dir is required");
        return CLI_USAGE;
    }
    if (config_load(opts[0].value, &cfg, &info) != SH_OK) {
        cli_error("peer", "%s", info.message);
        return CLI_FAIL;
    }
    if (strcmp(pos[0], "add") == 0 && peer_row_from(opts, &pc.row, cfg.country) < 0) {
        ret = CLI_USAGE;
        goto out;
    }
    if (strcmp(pos[0], "remove") == 0 && (pc.name = opts[1].value) == NULL) {
        cli_error("peer", "remove needs --name");
        ret = CLI_USAGE;
        goto out;
    }
    config_path(opts[0].value, "sarhad.db", dbp, sizeof(dbp));
    if (db_open(dbp, 0, &db, &info) != SH_OK) {
        cli_error("peer", "%s", info.message);
        goto out;
    }
    if (strcmp(pos[0], "list") == 0) {
        ret = peer_list(db);
        goto out;
    }
    rc = store_tx_run(db, cfg.name, strcmp(pos[0], "add") == 0 ? apply_add : apply_remove, &pc,
                      &info);
    if (rc != SH_OK) {
        cli_error("peer", "%s", info.message[0] ? info.message : err_str(rc));
        goto out;
    }
    if (strcmp(pos[0], "add") == 0)
        printf("pinned %s (%s), fingerprint %s; a running node connects within a second\n",
               pc.row.name, pc.row.country, pc.row.fingerprint);
    else
        printf("removed %s; restart the node to drop its link\n", pc.name);
    ret = CLI_OK;
out:
    free(pc.row.cert_pem);
    db_close(db);
    return ret;
}
