/*
 * cmd_journal.c: sarhad journal: entries as JSON lines, or a check of the hash chain.
 */
#include "cli/cli.h"

#include "node/config.h"
#include "store/journal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int print_entry(const struct journal_entry *e, void *arg)
{
    json_t *j = entry_to_json(e);
    char *line = j ? json_dumps(j, JSON_COMPACT) : NULL;

    if (line) {
        puts(line);
        free(line);
    }
    json_decref(j);
    return ferror(stdout) != 0;
}

int cmd_journal(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"dir", 1, "node directory", NULL},
        {"since", 1, "print entries after this seq (default 0: all)", NULL},
        {"verify", 0, "recompute the hash chain instead of printing", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct sh_errinfo info = {0};
    struct store_db *db = NULL;
    struct config cfg;
    char dbp[600], *end;
    const char *pos[1];
    long long since = 0;
    int npos, r, ret = CLI_FAIL;

    r = cli_parse(argc, argv, opts, "sarhad journal --dir DIR [--since SEQ] [--verify]",
                  "Prints one JSON object per line: seq, time, kind, record_id, version, origin,\n"
                  "origin_seq, release, payload, prev_hash, hash.",
                  pos, 0, &npos);
    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (opts[0].value == NULL) {
        cli_error("journal", "--dir is required");
        return CLI_USAGE;
    }
    if (opts[1].value) {
        errno = 0;
        since = strtoll(opts[1].value, &end, 10);
        if (errno || *end != '\0' || end == opts[1].value || since < 0) {
            cli_error("journal", "--since must be a journal seq (a whole number >= 0)");
            return CLI_USAGE;
        }
    }
    if (config_load(opts[0].value, &cfg, &info) != SH_OK) {
        cli_error("journal", "%s", info.message);
        return CLI_FAIL;
    }
    config_path(opts[0].value, "sarhad.db", dbp, sizeof(dbp));
    if (db_open(dbp, 0, &db, &info) != SH_OK) {
        cli_error("journal", "%s", info.message);
        return CLI_FAIL;
    }
    if (opts[2].value) {
        int64_t bad = 0;
        enum sh_err rc = journal_verify(db, &bad);
        if (rc == SH_OK) {
            printf("journal intact\n");
            ret = CLI_OK;
        } else if (rc == SH_ECONFLICT) {
            printf("journal broken at seq %lld\n", (long long)bad);
        } else {
            cli_error("journal", "cannot read the journal");
        }
        goto out;
    }
    if (journal_read(db, since, 0, print_entry, NULL) == SH_OK)
        ret = CLI_OK;
    else
        cli_error("journal", "cannot read the journal");
out:
    db_close(db);
    return ret;
}
