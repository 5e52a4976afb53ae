/*
 * cmd_node.c: sarhad init, serve and version.
 */
#include "cli/cli.h"

#include "domain/release.h"
#include "node/node.h"

#include <stdlib.h>
#include <string.h>

int cmd_init(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", 1, "node directory to create (must not hold a node)", NULL},
        {"node", 1, "node name, e.g. PK-SOUTH (letters, digits, - _ .)", NULL},
        {"country", 1, "the node's country, ISO 3166-1 alpha-3, e.g. PAK", NULL},
        {"http", 1, "HTTP listen address ADDR:PORT (default 127.0.0.1:8080)", NULL},
        {"border", 1, "GeoJSON LineString of the border (default: built-in Iran-Pakistan)", NULL},
        {"left", 1, "country left of the line walking first->last point (default PAK)", NULL},
        {"right", 1, "country right of the line (default IRN)", NULL},
        {"link", 1, "federation link listen address ADDR:PORT (default: none)", NULL},
        {"section-km", 1, "length of the border's sections in km (default 10)", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct config cfg;
    struct sh_errinfo info = {0};
    char token[CRYPTO_TOKEN_MAX];
    const char *pos[1];
    int npos, r;
    enum sh_err rc;

    r = cli_parse(
        argc, argv, opts,
        "sarhad init --dir DIR --node NAME --country ISO3 [--http ADDR:PORT] [--link ADDR:PORT]",
        "Creates DIR with sarhad.conf, the node's Ed25519 key (0600) and certificate,\n"
        "the database and an admin user, and prints the admin token once.",
        pos, 0, &npos);
    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    for (int i = 0; i < 3; i++) {
        if (opts[i].value == NULL) {
            cli_error("init", "--%s is required (see --help)", opts[i].name);
            return CLI_USAGE;
        }
    }
    config_defaults(&cfg);
    if (snprintf(cfg.dir, sizeof(cfg.dir), "%s", opts[0].value) >= (int)sizeof(cfg.dir) ||
        snprintf(cfg.name, sizeof(cfg.name), "%s", opts[1].value) >= (int)sizeof(cfg.name)) {
        cli_error("init", "--dir or --node is too long");
        return CLI_USAGE;
    }
    const char *iso[3] = {opts[2].value, opts[5].value, opts[6].value};
    char *dst[3] = {cfg.country, cfg.border_left, cfg.border_right};
    for (int i = 0; i < 3; i++) {
        if (iso[i] == NULL)
            continue;
        if (strlen(iso[i]) != 3 || !release_code_valid(iso[i])) {
            cli_error("init", "'%s' is not an ISO 3166-1 alpha-3 code (three capitals, e.g. PAK)",
                      iso[i]);
            return CLI_USAGE;
        }
        memcpy(dst[i], iso[i], 4);
    }
    if (opts[3].value)
        snprintf(cfg.http_listen, sizeof(cfg.http_listen), "%s", opts[3].value);
    if (opts[7].value)
        snprintf(cfg.link_listen, sizeof(cfg.link_listen), "%s", opts[7].value);
    if (opts[4].value)
        snprintf(cfg.border_file, sizeof(cfg.border_file), "%s", opts[4].value);
    if (opts[8].value) {
        char *end;
        cfg.border_section_km = strtod(opts[8].value, &end);
        if (end == opts[8].value || *end != '\0' || !(cfg.border_section_km >= 0.1) ||
            cfg.border_section_km > 1000) {
            cli_error("init", "--section-km must be a number of km from 0.1 to 1000");
            return CLI_USAGE;
        }
    }
    rc = config_validate(&cfg, &info);
    if (rc != SH_OK) {
        cli_error("init", "%s", info.message);
        return CLI_USAGE;
    }
    rc = node_init(&cfg, token, &info);
    if (rc != SH_OK) {
        cli_error("init", "%s", info.message[0] ? info.message : err_str(rc));
        return CLI_FAIL;
    }
    printf("initialised node %s (%s) in %s\n"
           "admin token (shown once, store it safely):\n%s\n",
           cfg.name, cfg.country, cfg.dir, token);
    return CLI_OK;
}

int cmd_serve(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", 1, "node directory (made by sarhad init)", NULL},
        {"test-clock", 0,
         "FOR TESTS ONLY: admins may move the node's clock forward (POST /api/v1/test/clock)",
         NULL},
        {NULL, 0, NULL, NULL},
    };
    struct sh_errinfo info = {0};
    const char *pos[1];
    int npos, r;
    enum sh_err rc;

    r = cli_parse(argc, argv, opts, "sarhad serve --dir DIR [--test-clock]",
                  "Runs the node until SIGINT or SIGTERM; logs logfmt lines to stderr.", pos, 0,
                  &npos);
    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (opts[0].value == NULL) {
        cli_error("serve", "--dir is required (see --help)");
        return CLI_USAGE;
    }
    rc = node_serve(opts[0].value, opts[1].value ? NODE_SERVE_TEST_CLOCK : 0, &info);
    if (rc != SH_OK) {
        cli_error("serve", "%s", info.message[0] ? info.message : err_str(rc));
        return CLI_FAIL;
    }
    return CLI_OK;
}

int cmd_version(int argc, char **argv)
{
    struct cli_opt opts[] = {{NULL, 0, NULL, NULL}};
    const char *pos[1];
    int npos, r = cli_parse(argc, argv, opts, "sarhad version", "", pos, 0, &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    printf("sarhad %s\n", SARHAD_VERSION);
    return CLI_OK;
}
