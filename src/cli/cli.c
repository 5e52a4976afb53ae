/*
 * cli.c: option parsing shared by the subcommands (long options only, so every command reads
 * the same way: --dir DIR, --name NAME, ...).
 */
#include "cli/cli.h"

#include <stdarg.h>
#include <string.h>

static void print_help(const struct cli_opt *opts, const char *usage_line, const char *more)
{
    printf("usage: %s\n\noptions:\n", usage_line);
    for (const struct cli_opt *o = opts; o->name; o++)
        printf("  --%s%s%*s%s\n", o->name, o->takes_value ? " VALUE" : "",
               (int)(22 - strlen(o->name) - (o->takes_value ? 6 : 0)), "", o->help);
    printf("  --help%*s%s\n", 16, "", "show this help");
    if (more && more[0])
        printf("\n%s\n", more);
}

int cli_parse(int argc, char **argv, struct cli_opt *opts, const char *usage_line, const char *more,
              const char **pos, int maxpos, int *npos)
{
    *npos = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        struct cli_opt *o;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_help(opts, usage_line, more);
            return 1;
        }
        if (strncmp(a, "--", 2) != 0) {
            if (*npos >= maxpos) {
                cli_error(argv[0], "unexpected argument '%s' (see --help)", a);
                return -1;
            }
            pos[(*npos)++] = a;
            continue;
        }
        const char *eq = strchr(a + 2, '=');
        size_t n = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
        for (o = opts; o->name; o++)
            if (strlen(o->name) == n && strncmp(o->name, a + 2, n) == 0)
                break;
        if (o->name == NULL) {
            cli_error(argv[0], "unknown option '%.*s' (see --help)", (int)(n + 2), a);
            return -1;
        }
        if (!o->takes_value) {
            if (eq) {
                cli_error(argv[0], "option --%s takes no value", o->name);
                return -1;
            }
            o->value = "1";
        } else if (eq) {
            o->value = eq + 1;
        } else if (i + 1 < argc) {
            o->value = argv[++i];
        } else {
            cli_error(argv[0], "option --%s needs a value", o->name);
            return -1;
        }
    }
    return 0;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "sarhad %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
