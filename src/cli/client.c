/*
 * client.c: blocking HTTP over a TCP socket, Connection: close, reply read to EOF (bounded).
 */
#include "cli/client.h"

#include "cli/cli.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define CLIENT_MAX_REPLY (16 << 20)

int client_init(struct client *c, const char *url, const char *token_file)
{
    const char *u = url ? url : getenv("SARHAD_URL");
    const char *tok = getenv("SARHAD_TOKEN");
    char buf[128] = "";

    memset(c, 0, sizeof(*c));
    if (u == NULL)
        u = "http://127.0.0.1:8080";
    if (strncmp(u, "http://", 7) != 0 ||
        sscanf(u + 7, "%255[^:/]:%7[0-9]", c->host, c->port) != 2) {
        cli_error("client",
                  "--url must look like http://HOST:PORT (got '%s'); the CLI speaks "
                  "plain HTTP to a node on this host",
                  u);
        return -1;
    }
    if (token_file) {
        FILE *f = fopen(token_file, "r");
        if (f == NULL || fgets(buf, sizeof(buf), f) == NULL) {
            cli_error("client", "cannot read a token from %s", token_file);
            if (f)
                fclose(f);
            return -1;
        }
        fclose(f);
        buf[strcspn(buf, "\r\n")] = '\0';
        tok = buf;
    }
    if (tok == NULL || tok[0] == '\0') {
        cli_error("client", "no token: set SARHAD_TOKEN or pass --token-file FILE");
        return -1;
    }
    snprintf(c->token, sizeof(c->token), "%s", tok);
    return 0;
}

static int connect_to(const struct client *c)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM}, *res, *ai;
    int fd = -1;

    if (getaddrinfo(c->host, c->port, &hints, &res) != 0)
        return -1;
    for (ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

int client_call(const struct client *c, const char *method, const char *path, const json_t *body,
                int *status, json_t **reply)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL, head[1024], *resp = NULL, *sep;
    size_t len = 0, cap = 0;
    int fd = connect_to(c), ret = -1;

    *reply = NULL;
    *status = 0;
    if (fd < 0) {
        cli_error("client", "cannot reach the node at http://%s:%s (is `sarhad serve` running?)",
                  c->host, c->port);
        goto out;
    }
    snprintf(head, sizeof(head),
             "%s %s HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nConnection: close\r\n"
             "%sContent-Length: %zu\r\n\r\n",
             method, path, c->host, c->token, text ? "Content-Type: application/json\r\n" : "",
             text ? strlen(text) : 0);
    if (send_all(fd, head, strlen(head)) < 0 || (text && send_all(fd, text, strlen(text)) < 0))
        goto out;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            if (cap > CLIENT_MAX_REPLY)
                goto out;
            resp = realloc(resp, cap);
            if (resp == NULL)
                abort();
        }
        ssize_t r = read(fd, resp + len, 4096);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        len += (size_t)r;
    }
    resp[len] = '\0';
    if (sscanf(resp, "HTTP/1.1 %d", status) != 1 || (sep = strstr(resp, "\r\n\r\n")) == NULL)
        goto out;
    *reply = json_loads(sep + 4, JSON_DECODE_ANY, NULL);
    ret = 0;
out:
    if (ret < 0 && fd >= 0)
        cli_error("client", "bad or no answer from http://%s:%s", c->host, c->port);
    if (fd >= 0)
        close(fd);
    free(resp);
    free(text);
    return ret;
}

void client_print_error(const char *cmd, int status, const json_t *reply)
{
    const json_t *err = json_object_get(reply, "error");
    const char *msg = json_string_value(json_object_get(err, "message"));
    const char *field = json_string_value(json_object_get(err, "field"));

    cli_error(cmd, "%d: %s%s%s%s", status, msg ? msg : "request failed",
              field && field[0] ? " (" : "", field && field[0] ? field : "",
              field && field[0] ? ")" : "");
}
