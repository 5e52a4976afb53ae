/*
 * main.c: the `sarhad` command: a table of subcommands, each with its own --help.
 *
 * Exit status: 0 success, 1 the command failed (message on stderr), 2 bad usage.
 */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct cli_command commands[] = {
    {"init", "create a node directory (config, keys, database, admin token)", cmd_init},
    {"serve", "run a node until SIGINT or SIGTERM", cmd_serve},
    {"user", "add, list or revoke API users", cmd_user},
    {"journal", "print journal entries as JSON lines, or verify the hash chain", cmd_journal},
    {"cert", "print the node's certificate for the partner to pin", cmd_cert},
    {"peer", "pin, list or remove partner nodes", cmd_peer},
    {"send", "send a hotline message through a running node", cmd_send},
    {"inbox", "list hotline messages of a running node", cmd_inbox},
    {"ack", "acknowledge a hotline message (ROGER, WILCO, UNABLE)", cmd_ack},
    {"audit", "verify the exchange log, prove or check what was exchanged", cmd_audit},
    {"patrol", "plan or list patrols through a running node", cmd_patrol},
    {"coverage", "print patrol coverage per section through a running node", cmd_coverage},
    {"version", "print the version", cmd_version},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *f)
{
    fprintf(f, "usage: sarhad COMMAND [OPTIONS]   (sarhad COMMAND --help for its options)\n\n"
               "sarhad runs one country's node of a bilateral border-security agreement.\n\n"
               "commands:\n");
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-9s %s\n", commands[i].name, commands[i].summary);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return CLI_OK;
    }
    if (strcmp(argv[1], "--version") == 0)
        return cmd_version(argc - 1, argv + 1);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "sarhad: unknown command '%s'\n\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
