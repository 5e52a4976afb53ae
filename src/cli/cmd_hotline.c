/*
 * cmd_hotline.c: sarhad send, inbox and ack: the hotline for commanders who live in a
 * terminal. They talk to a running node over its API (see client.h for URL and token).
 */
#include "cli/cli.h"

#include "cli/client.h"

#include <stdio.h>
#include <string.h>

int cmd_send(int argc, char **argv)
{
    struct cli_opt opts[] = {
        CLIENT_OPTS,
        {"channel", 1, "channel name (default node-to-node)", NULL},
        {"precedence", 1, "FLASH, IMMEDIATE, PRIORITY or ROUTINE (default ROUTINE)", NULL},
        {"subject", 1, "subject line (default: the first words of the text)", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct client c;
    const char *pos[1];
    char subject[64];
    json_t *reply = NULL, *body;
    int npos, status,
        r = cli_parse(argc, argv, opts, "sarhad send [--channel C] [--precedence P] TEXT",
                      "Sends TEXT on the hotline and prints the message id and DTG.", pos, 1,
                      &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (npos != 1 || pos[0][0] == '\0') {
        cli_error("send", "give the message TEXT (quote it)");
        return CLI_USAGE;
    }
    if (client_init(&c, opts[0].value, opts[1].value) < 0)
        return CLI_USAGE;
    snprintf(subject, sizeof(subject), "%s", opts[4].value ? opts[4].value : pos[0]);
    body = json_pack("{s:s,s:s,s:s,s:s}", "channel", opts[2].value ? opts[2].value : "node-to-node",
                     "precedence", opts[3].value ? opts[3].value : "ROUTINE", "subject", subject,
                     "body", pos[0]);
    r = client_call(&c, "POST", "/api/v1/messages", body, &status, &reply);
    json_decref(body);
    if (r < 0) {
        json_decref(reply);
        return CLI_FAIL;
    }
    if (status != 201) {
        client_print_error("send", status, reply);
        json_decref(reply);
        return CLI_FAIL;
    }
    printf("%s %s %s\n", json_string_value(json_object_get(reply, "id")),
           json_string_value(json_object_get(reply, "dtg")),
           json_string_value(json_object_get(reply, "precedence")));
    json_decref(reply);
    return CLI_OK;
}

int cmd_inbox(int argc, char **argv)
{
    struct cli_opt opts[] = {
        CLIENT_OPTS,
        {"channel", 1, "only this channel", NULL},
        {"state", 1, "received, sent, delivered, acknowledged or overdue", NULL},
        {"lang", 1, "render templates in en, ur or fa", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct client c;
    const char *pos[1];
    char path[256];
    json_t *reply = NULL, *m;
    size_t i;
    int npos, status,
        r = cli_parse(argc, argv, opts, "sarhad inbox [--channel C] [--state S]",
                      "Lists hotline messages, newest first.", pos, 0, &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (client_init(&c, opts[0].value, opts[1].value) < 0)
        return CLI_USAGE;
    snprintf(path, sizeof(path), "/api/v1/messages?limit=100%s%s%s%s%s%s",
             opts[2].value ? "&channel=" : "", opts[2].value ? opts[2].value : "",
             opts[3].value ? "&state=" : "", opts[3].value ? opts[3].value : "",
             opts[4].value ? "&lang=" : "", opts[4].value ? opts[4].value : "");
    if (client_call(&c, "GET", path, NULL, &status, &reply) < 0)
        return CLI_FAIL;
    if (status != 200) {
        client_print_error("inbox", status, reply);
        json_decref(reply);
        return CLI_FAIL;
    }
    printf("%-34s %-13s %-9s %-12s %s\n", "ID", "DTG", "PREC", "STATE", "SUBJECT");
    json_array_foreach(json_object_get(reply, "messages"), i, m)
    {
        json_t *rendered = json_object_get(m, "rendered");
        const char *subject =
            json_string_value(json_object_get(rendered ? rendered : m, "subject"));
        printf("%-34s %-13s %-9s %-12s %s%s\n", json_string_value(json_object_get(m, "id")),
               json_string_value(json_object_get(m, "dtg")),
               json_string_value(json_object_get(m, "precedence")),
               json_string_value(json_object_get(m, "state")), subject ? subject : "",
               json_is_true(json_object_get(m, "overdue")) ? "  [OVERDUE]" : "");
    }
    json_decref(reply);
    return CLI_OK;
}

int cmd_ack(int argc, char **argv)
{
    struct cli_opt opts[] = {
        CLIENT_OPTS,
        {"remark", 1, "a short remark with the acknowledgement", NULL},
        {NULL, 0, NULL, NULL},
    };
    struct client c;
    const char *pos[2];
    char path[300];
    json_t *reply = NULL, *body;
    int npos, status,
        r = cli_parse(argc, argv, opts, "sarhad ack ID ROGER|WILCO|UNABLE",
                      "Acknowledges a received hotline message.", pos, 2, &npos);

    if (r != 0)
        return r > 0 ? CLI_OK : CLI_USAGE;
    if (npos != 2) {
        cli_error("ack", "give the message ID and ROGER, WILCO or UNABLE");
        return CLI_USAGE;
    }
    if (client_init(&c, opts[0].value, opts[1].value) < 0)
        return CLI_USAGE;
    snprintf(path, sizeof(path), "/api/v1/messages/%s/ack", pos[0]);
    body = json_pack("{s:s,s:s?}", "ack", pos[1], "remark", opts[2].value);
    r = client_call(&c, "POST", path, body, &status, &reply);
    json_decref(body);
    if (r < 0)
        return CLI_FAIL;
    if (status != 201) {
        client_print_error("ack", status, reply);
        json_decref(reply);
        return CLI_FAIL;
    }
    printf("acknowledged %s: %s\n", pos[0], pos[1]);
    json_decref(reply);
    return CLI_OK;
}
