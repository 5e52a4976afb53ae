/*
 * cli.h: subcommands of the sarhad binary and their shared option parsing.
 */
#ifndef SARHAD_CLI_CLI_H
#define SARHAD_CLI_CLI_H

#include <stdio.h>

enum { CLI_OK = 0, CLI_FAIL = 1, CLI_USAGE = 2 };

struct cli_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv); /* argv[0] is the command's name */
};

/* One long option of a subcommand: "--name VALUE" or a flag "--name". */
struct cli_opt {
    const char *name;
    int takes_value;
    const char *help;
    const char *value; /* set by cli_parse: the value, or "1" for a present flag */
};

/* Parses argv against `opts` (NULL-name terminated). "--help" prints `usage_line`, the options
 * and `more` to stdout and returns 1 (the caller exits 0). A bad option prints a clear error
 * and returns -1 (exit 2). Positional arguments are collected into `pos` (up to `maxpos`). */
int cli_parse(int argc, char **argv, struct cli_opt *opts, const char *usage_line, const char *more,
              const char **pos, int maxpos, int *npos);

/* Prints "sarhad CMD: message" to stderr. */
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_journal(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_cert(int argc, char **argv);
int cmd_peer(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_patrol(int argc, char **argv);
int cmd_coverage(int argc, char **argv);

#endif
