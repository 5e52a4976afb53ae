/*
 * client.h: a small blocking HTTP/1.1 client for the CLI commands that talk to a running node
 * (send, inbox, ack). The CLI may block; the daemon never uses this.
 */
#ifndef SARHAD_CLI_CLIENT_H
#define SARHAD_CLI_CLIENT_H

#include <jansson.h>

/* Where and as whom: --url (default $SARHAD_URL or http://127.0.0.1:8080) and the token from
 * --token-file or $SARHAD_TOKEN (never from the command line, where `ps` would show it). */
struct client {
    char host[256];
    char port[8];
    char token[128];
};

/* The options every client command takes first (opts[0] and opts[1]). */
#define CLIENT_OPTS                                                                                \
    {"url", 1, "node API, http://HOST:PORT (default $SARHAD_URL or http://127.0.0.1:8080)", NULL}, \
    {                                                                                              \
        "token-file", 1, "file holding the API token (default: $SARHAD_TOKEN)", NULL               \
    }

/* Fills `c` from the options (either may be NULL). Prints the problem and returns -1. */
int client_init(struct client *c, const char *url, const char *token_file);

/* Sends a request with an optional JSON body; *status gets the HTTP status and *reply the
 * parsed JSON answer (new reference, NULL if none). Returns 0, or -1 if the node could not be
 * reached (printed). */
int client_call(const struct client *c, const char *method, const char *path, const json_t *body,
                int *status, json_t **reply);

/* Prints an error answer {"error":{...}} as "sarhad CMD: message (field)" on stderr. */
void client_print_error(const char *cmd, int status, const json_t *reply);

#endif
