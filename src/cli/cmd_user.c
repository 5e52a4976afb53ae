/*
 * cmd_user.c: sarhad user add|list|revoke, working on the node's database directly (the node
 * may be running: SQLite serialises the writers, and the node notices the new entries).
 */
#include "cli/cli.h"

#include "crypto/crypto.h"
#include "node/config.h"
#include "store/records.h"
#include "store/writer.h"

#include <string.h>

struct user_change {
    const char *name;
    enum role role;
    const char *command;
    const char *token_hash;
};

static enum sh_err apply_add(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct user_change *u = arg;

    return users_add(tx, u->name, u->role, u->command, u->token_hash, info);
}

static enum sh_err apply_revoke(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct user_change *u = arg;

    return users_revoke(tx, u->name, info);
}

static int valid_user_name(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 48)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '-' || *s == '_' || *s == '.' || *s == '@'))
            return 0;
    return 1;
}

/* Opens the node's database (with its config for the node name). */
static int open_node(const char *dir, struct config *cfg, struct store_db **db)
{
    struct sh_errinfo info = {0};
    char dbp[600];

    if (config_load(dir, cfg, &info) != SH_OK) {
        cli_error("user", "%s", info.message);
        return -1;
    }
    config_path(dir, "sarhad.db", dbp, sizeof(dbp));
    if (db_open(dbp, 0, db, &info) != SH_OK) {
        cli_error("user", "%s", info.message);
        return -1;
    }
    return 0;
}

static int user_list(struct store_db *db)
{
    json_t *users = json_array(), *u;
    size_t i;

    if (users_list(db, users) != SH_OK) {
        json_decref(users);
        cli_error("user", "cannot read users");
        return CLI_FAIL;
    }
    printf("%-24s %-10s %-26s %-26s %s\n", "NAME", "ROLE", "CREATED", "REVOKED", "COMMAND");
    json_array_foreach(users, i, u)
    {
        const char *revoked = json_string_value(json_object_get(u, "revoked"));
        const char *command = json_string_value(json_object_get(u, "command"));
        printf("%-24s %-10s %-26s %-26s %s\n", json_string_value(json_object_get(u, "name")),
               json_string_value(json_object_get(u, "role")),
               json_string_value(json_object_get(u, "created")), revoked ? revoked : "-",
               command ? command : "-");
    }
    json_decref(users);
    return CLI_OK;
}

int cmd_user(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", 1, "node directory", NULL},
        {"name", 1, "user name (add, revoke)", NULL},
        {"role", 1, "admin, commander, liaison, analyst, patrol or sensor (add)", NULL},
        {"command", 1, "the command the user belongs to, as channels name it (add; optional)",
         NULL},
        {NULL, 0, NULL, NULL},
    };
    struct user_change u = {0};
    struct sh_errinfo info = {0};
    struct store_db *db = NULL;
    struct config cfg;
    char token[CRYPTO_TOKEN_MAX], hash[2 * CRYPTO_SHA256_LEN + 1];
    const char *pos[1];
    int npos, r, ret = CLI_FAIL;
    enum sh_err rc;

    r = cli_parse(argc, argv, opts,
                  "sarhad user add|list|revoke --dir DIR [--name NAME] [--role ROLE] "
                  "[--command C]",
                  "add     creates a user and prints their API token once (only its hash is "
                  "stored)\nlist    lists users and their roles\nrevoke  revokes a user's token",
                  pos, 1, &npos);
    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (npos != 1 ||
        (strcmp(pos[0], "add") && strcmp(pos[0], "list") && strcmp(pos[0], "revoke"))) {
        cli_error("user", "say add, list or revoke (see --help)");
        return CLI_USAGE;
    }
    if (opts[0].value == NULL) {
        cli_error("user", "--dir is required");
        return CLI_USAGE;
    }
    if (strcmp(pos[0], "list") != 0) {
        if (opts[1].value == NULL || !valid_user_name(opts[1].value)) {
            cli_error("user", "--name NAME is required: 1 to 48 of letters, digits, - _ . @");
            return CLI_USAGE;
        }
        u.name = opts[1].value;
    }
    if (strcmp(pos[0], "add") == 0 &&
        (opts[2].value == NULL || role_parse(opts[2].value, &u.role))) {
        cli_error("user", "--role must be admin, commander, liaison, analyst, patrol or sensor");
        return CLI_USAGE;
    }
    if (opts[3].value && (strlen(opts[3].value) > 120 || strpbrk(opts[3].value, "\r\n\t"))) {
        cli_error("user", "--command is at most 120 bytes on one line");
        return CLI_USAGE;
    }
    u.command = opts[3].value;
    if (open_node(opts[0].value, &cfg, &db) < 0)
        return CLI_FAIL;
    if (strcmp(pos[0], "list") == 0) {
        ret = user_list(db);
        goto out;
    }
    if (strcmp(pos[0], "add") == 0) {
        if (crypto_token_new(token) != SH_OK)
            goto out;
        crypto_token_hash(token, strlen(token), hash);
        u.token_hash = hash;
        rc = store_tx_run(db, cfg.name, apply_add, &u, &info);
    } else {
        rc = store_tx_run(db, cfg.name, apply_revoke, &u, &info);
    }
    if (rc != SH_OK) {
        cli_error("user", "%s", info.message[0] ? info.message : err_str(rc));
        goto out;
    }
    if (strcmp(pos[0], "add") == 0)
        printf("added %s (%s); API token (shown once):\n%s\n", u.name, role_name(u.role), token);
    else
        printf("revoked %s\n", u.name);
    ret = CLI_OK;
out:
    db_close(db);
    return ret;
}
