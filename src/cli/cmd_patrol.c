/*
 * cmd_patrol.c: sarhad patrol add|list and sarhad coverage: patrol plans and their coverage
 * from a terminal, through a running node's API (see client.h for URL and token).
 */
#include "cli/cli.h"

#include "cli/client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GETs or POSTs `path`; prints the error and returns NULL unless the status is `want`. */
static json_t *call_or_fail(const char *cmd, const struct client *c, const char *method,
                            const char *path, const json_t *body, int want)
{
    json_t *reply = NULL;
    int status;

    if (client_call(c, method, path, body, &status, &reply) < 0)
        return NULL;
    if (status != want) {
        client_print_error(cmd, status, reply);
        json_decref(reply);
        return NULL;
    }
    return reply;
}

/* Appends "?key=value" or "&key=value" to `path` when value is given, percent-encoding the
 * value (a time's "+03:30" must not arrive as a space). */
static void add_query(char *path, size_t len, const char *key, const char *value)
{
    size_t n = strlen(path);

    if (value == NULL || n >= len)
        return;
    n += (size_t)snprintf(path + n, len - n, "%c%s=", strchr(path, '?') ? '&' : '?', key);
    for (const unsigned char *p = (const unsigned char *)value; *p && n + 4 < len; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == ':')
            path[n++] = (char)*p;
        else
            n += (size_t)snprintf(path + n, len - n, "%%%02X", *p);
    }
    path[n < len ? n : len - 1] = '\0';
}

/* "A,B,C" as a JSON array of strings. */
static json_t *split_list(const char *s)
{
    json_t *arr = json_array();
    const char *p = s;

    while (p && *p) {
        size_t n = strcspn(p, ",");
        if (n > 0)
            json_array_append_new(arr, json_stringn(p, n));
        p += n + (p[n] == ',');
    }
    return arr;
}

static int patrol_add(int argc, char **argv)
{
    struct cli_opt opts[] = {
        CLIENT_OPTS,
        {"from-km", 1, "start of the stretch (chainage, km)", NULL},
        {"to-km", 1, "end of the stretch (chainage, km)", NULL},
        {"start", 1, "start time, RFC 3339 (2026-12-01T06:00:00Z)", NULL},
        {"end", 1, "end time, RFC 3339", NULL},
        {"kind", 1, "REGULAR (default), COORDINATED or JOINT_NIGHT", NULL},
        {"units", 1, "unit ids, comma-separated", NULL},
        {"depth-km", 1, "how far from the line the patrol goes (default 0)", NULL},
        {"national", 0, "keep it national: no near-border notice to the partner", NULL},
        {"release-units", 0, "let the partner see the unit ids of a coordinated patrol", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct client c;
    json_t *body, *reply;
    char *end;
    int npos,
        r = cli_parse(argc, argv, opts,
                      "sarhad patrol add --from-km A --to-km B --start T --end T "
                      "[--kind K] [--units U,..]",
                      "Plans a patrol of this node's side and prints its id.", NULL, 0, &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    for (int i = 2; i <= 5; i++) {
        if (opts[i].value == NULL) {
            cli_error("patrol", "--%s is required (see sarhad patrol add --help)", opts[i].name);
            return CLI_USAGE;
        }
    }
    double from = strtod(opts[2].value, &end);
    if (*end != '\0' || end == opts[2].value) {
        cli_error("patrol", "--from-km must be a number of km");
        return CLI_USAGE;
    }
    double to = strtod(opts[3].value, &end);
    if (*end != '\0' || end == opts[3].value) {
        cli_error("patrol", "--to-km must be a number of km");
        return CLI_USAGE;
    }
    if (client_init(&c, opts[0].value, opts[1].value) < 0)
        return CLI_USAGE;
    body = json_pack("{s:f,s:f,s:s,s:s,s:s,s:o,s:b,s:b}", "from_km", from, "to_km", to, "start",
                     opts[4].value, "end", opts[5].value, "kind",
                     opts[6].value ? opts[6].value : "REGULAR", "units", split_list(opts[7].value),
                     "national", opts[9].value != NULL, "release_units", opts[10].value != NULL);
    if (opts[8].value) {
        double depth = strtod(opts[8].value, &end);
        if (*end != '\0' || end == opts[8].value) {
            json_decref(body);
            cli_error("patrol", "--depth-km must be a number of km");
            return CLI_USAGE;
        }
        json_object_set_new(body, "depth_km", json_real(depth));
    }
    reply = call_or_fail("patrol", &c, "POST", "/api/v1/patrols", body, 201);
    json_decref(body);
    if (reply == NULL)
        return CLI_FAIL;
    const char *notice = json_string_value(json_object_get(reply, "notice"));
    printf("%s %s km %.3f-%.3f %s%s%s\n", json_string_value(json_object_get(reply, "id")),
           json_string_value(json_object_get(reply, "kind")),
           json_number_value(json_object_get(reply, "from_km")),
           json_number_value(json_object_get(reply, "to_km")),
           json_array_size(json_object_get(reply, "release")) ? "released" : "national",
           notice ? " notice=" : "", notice ? notice : "");
    json_decref(reply);
    return CLI_OK;
}

static int patrol_list(int argc, char **argv)
{
    struct cli_opt opts[] = {
        CLIENT_OPTS,
        {"from", 1, "window start, RFC 3339 (default now)", NULL},
        {"to", 1, "window end, RFC 3339 (default from + 1 day)", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct client c;
    json_t *reply, *p;
    char path[300];
    size_t i;
    int npos, r = cli_parse(argc, argv, opts, "sarhad patrol list [--from T] [--to T]",
                            "Lists both sides' patrols in the window, with their pairing.", NULL, 0,
                            &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (client_init(&c, opts[0].value, opts[1].value) < 0)
        return CLI_USAGE;
    snprintf(path, sizeof(path), "/api/v1/patrols");
    add_query(path, sizeof(path), "from", opts[2].value);
    add_query(path, sizeof(path), "to", opts[3].value);
    if ((reply = call_or_fail("patrol", &c, "GET", path, NULL, 200)) == NULL)
        return CLI_FAIL;
    printf("%-36s %-4s %-11s %-9s %-17s %-24s %-24s %s\n", "ID", "SIDE", "KIND", "STATUS", "KM",
           "START", "END", "PAIRED WITH");
    json_array_foreach(json_object_get(reply, "patrols"), i, p)
    {
        char km[32];
        const json_t *pair = json_array_get(json_object_get(p, "pairing"), 0);
        snprintf(km, sizeof(km), "%.1f-%.1f", json_number_value(json_object_get(p, "from_km")),
                 json_number_value(json_object_get(p, "to_km")));
        printf("%-36s %-4s %-11s %-9s %-17s %-24s %-24s %s\n",
               json_string_value(json_object_get(p, "id")),
               json_string_value(json_object_get(p, "side")),
               json_string_value(json_object_get(p, "kind")),
               json_string_value(json_object_get(p, "status")), km,
               json_string_value(json_object_get(p, "start")),
               json_string_value(json_object_get(p, "end")),
               pair ? json_string_value(json_object_get(pair, "id")) : "-");
    }
    json_decref(reply);
    return CLI_OK;
}

int cmd_patrol(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return patrol_add(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "list") == 0)
        return patrol_list(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: sarhad patrol add|list [OPTIONS]\n\n"
               "  add   plan a patrol of this node's side\n"
               "  list  both sides' patrols in a window, with their pairing\n\n"
               "sarhad patrol add --help and sarhad patrol list --help give the options.\n");
        return CLI_OK;
    }
    cli_error("patrol", "give add or list (sarhad patrol --help)");
    return CLI_USAGE;
}

/* One character per bucket: '#' both sides, 'O' own only, 'P' partner only, '.' a gap, '-'
 * partly covered. */
static char cell_mark(const json_t *cell, double bucket_min)
{
    double own = json_number_value(json_object_get(cell, "own_min"));
    double partner = json_number_value(json_object_get(cell, "partner_min"));
    double both = json_number_value(json_object_get(cell, "both_min"));
    double gap = json_number_value(json_object_get(cell, "longest_gap_min"));

    if (both >= bucket_min)
        return '#';
    if (own >= bucket_min)
        return 'O';
    if (partner >= bucket_min)
        return 'P';
    if (gap >= bucket_min)
        return '.';
    return '-';
}

int cmd_coverage(int argc, char **argv)
{
    struct cli_opt opts[] = {
        CLIENT_OPTS,
        {"from", 1, "window start, RFC 3339 (default now)", NULL},
        {"to", 1, "window end, RFC 3339 (default from + 1 day)", NULL},
        {"step", 1, "bucket length in seconds (default 3600)", NULL},
        {"all", 0, "list every section, not only those with a patrol", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct client c;
    json_t *reply, *gaps, *s, *cell, *g;
    char path[300];
    size_t i, j;
    int npos, r = cli_parse(argc, argv, opts, "sarhad coverage [--from T] [--to T] [--step S]",
                            "Prints, per section, the minutes covered by this side, the partner "
                            "and both, the longest gap, and one mark per bucket:\n"
                            "  # both sides   O own side   P partner   . nobody   - partly",
                            NULL, 0, &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (client_init(&c, opts[0].value, opts[1].value) < 0)
        return CLI_USAGE;
    snprintf(path, sizeof(path), "/api/v1/coverage");
    add_query(path, sizeof(path), "from", opts[2].value);
    add_query(path, sizeof(path), "to", opts[3].value);
    add_query(path, sizeof(path), "step", opts[4].value);
    if ((reply = call_or_fail("coverage", &c, "GET", path, NULL, 200)) == NULL)
        return CLI_FAIL;
    /* The longest gap of each section over the whole window (the cells only know buckets). */
    snprintf(path, sizeof(path), "/api/v1/coverage/gaps?limit=10000&from=%s&to=%s",
             json_string_value(json_object_get(reply, "from")),
             json_string_value(json_object_get(reply, "to")));
    if ((gaps = call_or_fail("coverage", &c, "GET", path, NULL, 200)) == NULL) {
        json_decref(reply);
        return CLI_FAIL;
    }
    double bucket_min = (double)json_integer_value(json_object_get(reply, "step")) / 60.0;
    printf("coverage %s to %s, buckets of %.0f min\n",
           json_string_value(json_object_get(reply, "from")),
           json_string_value(json_object_get(reply, "to")), bucket_min);
    printf("%-4s %-15s %-8s %8s %8s %8s %8s  %s\n", "SEC", "KM", "IMPACT", "OWN", "PARTNER", "BOTH",
           "MAX GAP", "BUCKETS");
    json_array_foreach(json_object_get(reply, "sections"), i, s)
    {
        double own = 0, partner = 0, both = 0, gap = 0;
        json_t *cells = json_object_get(s, "cells");
        json_array_foreach(cells, j, cell)
        {
            own += json_number_value(json_object_get(cell, "own_min"));
            partner += json_number_value(json_object_get(cell, "partner_min"));
            both += json_number_value(json_object_get(cell, "both_min"));
        }
        json_array_foreach(json_object_get(gaps, "gaps"), j, g)
        {
            if (json_equal(json_object_get(g, "section"), json_object_get(s, "id")) &&
                json_number_value(json_object_get(g, "minutes")) > gap)
                gap = json_number_value(json_object_get(g, "minutes"));
        }
        if (own == 0 && partner == 0 && opts[5].value == NULL)
            continue;
        char km[32];
        snprintf(km, sizeof(km), "%.1f-%.1f", json_number_value(json_object_get(s, "from_km")),
                 json_number_value(json_object_get(s, "to_km")));
        printf("%-4lld %-15s %-8s %8.0f %8.0f %8.0f %8.0f  ",
               (long long)json_integer_value(json_object_get(s, "id")), km,
               json_string_value(json_object_get(s, "impact")), own, partner, both, gap);
        json_array_foreach(cells, j, cell)
        {
            if (j < 200)
                putchar(cell_mark(cell, bucket_min - 0.01));
        }
        putchar('\n');
    }
    printf("(minutes; MAX GAP: the longest time in the window that nobody covers the section)\n");
    json_decref(gaps);
    json_decref(reply);
    return CLI_OK;
}
