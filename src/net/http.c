/*
 * http.c: the HTTP/1.1 server behind the API (see http.h for why it is not evhttp).
 *
 * Connection states:
 *
 *   accept_cb --> READ_HEAD --conn_parse_head--> READ_BODY --conn_take_body--> HANDLING
 *                    ^                                 (no body) ----------------^ |
 *                    |                                                             |
 *                    +------------- http_respond (keep-alive) ---------------------+
 *                                   http_respond (close) --> DRAINING --write_cb--> freed
 *                                   http_stream_start --> STREAMING --http_stream_close--> freed
 *
 * At any point conn_lost() (EOF, error, timeout) frees the socket. If a request is outstanding
 * the connection lingers, marked dead, until its owner answers or closes it: a connection is
 * never freed while a handler still holds its request.
 *
 * A request is one allocation holding the struct and the raw head (parsed in place); the body
 * is a second allocation. request_free() releases both.
 */
#include "net/http.h"

#include "core/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <ctype.h>
#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum conn_state { CONN_READ_HEAD, CONN_READ_BODY, CONN_HANDLING, CONN_DRAINING, CONN_STREAMING };

struct http_conn {
    struct http_server *srv;
    struct bufferevent *bev; /* NULL once the socket is gone */
    enum conn_state state;
    struct http_request *req; /* outstanding request, owned by the handler while HANDLING */
    size_t body_need;
    int keep_alive;
    http_close_fn on_close;
    void *on_close_arg;
    http_close_fn on_drain;
    void *on_drain_arg;
    struct event *resume_ev; /* reads the next pipelined request on a later loop turn */
    char peer[64];
    struct http_conn *prev, *next;
};

struct http_server {
    struct event_base *base;
    struct evconnlistener *listener;
    struct http_config cfg;
    http_handler_fn handler;
    void *handler_arg;
    struct http_conn *conns;
    int nconns;
    int port;
};

static void conn_process(struct http_conn *c);
static void conn_free(struct http_conn *c);
static void conn_shut_write(struct http_conn *c);

static void request_free(struct http_request *req)
{
    if (req == NULL)
        return;
    free((char *)req->body);
    free(req);
}

static int64_t mono_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *http_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 304:
        return "Not Modified";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 428:
        return "Precondition Required";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    default:
        return "Unknown";
    }
}

/* Writes a status line, headers and body to the connection's output. */
static void conn_write_response(struct http_conn *c, int status, const char *content_type,
                                const char *extra, const char *body, size_t len, int head_only)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);

    evbuffer_add_printf(out,
                        "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\n"
                        "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n%s%s\r\n",
                        status, http_reason(status), content_type, len, extra ? extra : "",
                        c->keep_alive ? "" : "Connection: close\r\n");
    if (!head_only && len > 0)
        evbuffer_add(out, body, len);
}

/* Closes gracefully after the queued answer: the client may still be sending (a refused
 * oversized body), and closing with unread input would reset the connection before it reads
 * the answer. So input is read and discarded, the write side is shut once the answer is out,
 * and the socket closes on the client's EOF or after LINGER_SECONDS. */
#define LINGER_SECONDS 2
static void conn_linger(struct http_conn *c)
{
    struct timeval t = {LINGER_SECONDS, 0};

    c->state = CONN_DRAINING;
    bufferevent_set_timeouts(c->bev, &t, &t);
    bufferevent_setwatermark(c->bev, EV_READ, 0, 0);
    bufferevent_enable(c->bev, EV_READ);
    if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
        conn_shut_write(c);
}

/* Answers a protocol-level failure with the API's JSON error shape and closes. The messages
 * are ours, never the client's bytes, so they need no escaping. */
static void conn_fail(struct http_conn *c, int status, const char *code, const char *message)
{
    char body[512];
    int n =
        snprintf(body, sizeof(body),
                 "{\"error\":{\"code\":\"%s\",\"message\":\"%s\",\"field\":\"\"}}", code, message);

    log_info("http.reject", "peer=%s status=%d code=%s", c->peer, status, code);
    c->keep_alive = 0;
    conn_write_response(c, status, "application/json", NULL, body, (size_t)n, 0);
    conn_linger(c);
}

static enum http_method method_of(const char *m)
{
    static const char *const names[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

    for (int i = 0; i < (int)(sizeof(names) / sizeof(names[0])); i++)
        if (strcmp(m, names[i]) == 0)
            return (enum http_method)i;
    return HTTP_OTHER;
}

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = (char)tolower((unsigned char)ch);
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    return -1;
}

/* Percent-decodes `s` in place. Returns -1 on a malformed escape or an encoded NUL. */
static int percent_decode(char *s)
{
    char *w = s;

    for (char *r = s; *r; r++) {
        if (*r == '%') {
            int hi = hexval(r[1]), lo = hi < 0 ? -1 : hexval(r[2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            *w++ = (char)(hi * 16 + lo);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return 0;
}

/* Splits the next CRLF-terminated line off *p; returns it NUL-terminated, or NULL. */
static char *next_line(char **p)
{
    char *line = *p, *eol = strstr(line, "\r\n");

    if (eol == NULL)
        return NULL;
    *eol = '\0';
    *p = eol + 2;
    return line;
}

static int parse_request_line(struct http_request *req, char *line, int *http11)
{
    char *sp1 = strchr(line, ' '), *sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL, *q;

    if (sp1 == NULL || sp2 == NULL)
        return -1;
    *sp1 = '\0';
    *sp2 = '\0';
    if (strcmp(sp2 + 1, "HTTP/1.1") == 0)
        *http11 = 1;
    else if (strcmp(sp2 + 1, "HTTP/1.0") == 0)
        *http11 = 0;
    else
        return -1;
    req->method_name = line;
    req->method = method_of(line);
    if (sp1[1] != '/')
        return -1;
    q = strchr(sp1 + 1, '?');
    req->query = "";
    if (q) {
        *q = '\0';
        req->query = q + 1;
    }
    if (percent_decode(sp1 + 1) < 0)
        return -1;
    req->path = sp1 + 1;
    return 0;
}

static int parse_header_line(struct http_request *req, char *line)
{
    char *colon = strchr(line, ':'), *v, *end;

    if (colon == NULL || colon == line || line[0] == ' ' || line[0] == '\t')
        return -1; /* obsolete line folding is refused (RFC 9112 5.2) */
    if (req->nheaders == HTTP_MAX_HEADERS)
        return -2;
    for (char *k = line; k < colon; k++) {
        if (*k == ' ' || *k == '\t')
            return -1;
        *k = (char)tolower((unsigned char)*k);
    }
    *colon = '\0';
    for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
        ;
    end = v + strlen(v);
    while (end > v && (end[-1] == ' ' || end[-1] == '\t'))
        *--end = '\0';
    req->headers[req->nheaders].name = line;
    req->headers[req->nheaders].value = v;
    req->nheaders++;
    return 0;
}

const char *http_request_header(const struct http_request *req, const char *name)
{
    for (int i = 0; i < req->nheaders; i++)
        if (strcmp(req->headers[i].name, name) == 0)
            return req->headers[i].value;
    return NULL;
}

/* Reads Content-Length strictly: digits only, no sign, no overflow. */
static int parse_length(const char *v, size_t *out)
{
    size_t n = 0;

    if (*v == '\0')
        return -1;
    for (; *v; v++) {
        if (*v < '0' || *v > '9' || n > (SIZE_MAX - 9) / 10)
            return -1;
        n = n * 10 + (size_t)(*v - '0');
    }
    *out = n;
    return 0;
}

/* Decides keep-alive and body length from the parsed headers. Returns 0, or answers an error
 * and returns -1. */
static int conn_check_headers(struct http_conn *c, struct http_request *req, int http11,
                              size_t *body_len)
{
    const char *conn_hdr = http_request_header(req, "connection");
    const char *cl = http_request_header(req, "content-length");

    if (http11)
        c->keep_alive = !(conn_hdr && strcasecmp(conn_hdr, "close") == 0);
    else
        c->keep_alive = conn_hdr && strcasecmp(conn_hdr, "keep-alive") == 0;
    *body_len = 0;
    if (http_request_header(req, "transfer-encoding")) {
        conn_fail(c, 411, "length_required",
                  "chunked request bodies are not accepted; "
                  "send Content-Length");
        return -1;
    }
    for (int i = 0, seen = 0; i < req->nheaders; i++) {
        if (strcmp(req->headers[i].name, "content-length") == 0 && seen++) {
            conn_fail(c, 400, "bad_request", "more than one Content-Length header");
            return -1;
        }
    }
    if (cl && parse_length(cl, body_len) < 0) {
        conn_fail(c, 400, "bad_request", "Content-Length is not a number");
        return -1;
    }
    if (*body_len > c->srv->cfg.max_body) {
        char msg[160];
        snprintf(msg, sizeof(msg), "request body of %zu bytes exceeds the limit of %zu bytes",
                 *body_len, c->srv->cfg.max_body);
        conn_fail(c, 413, "payload_too_large", msg);
        return -1;
    }
    return 0;
}

/* The head is complete in the input buffer at [0, head_len). Parses it into a new request. */
static void conn_parse_head(struct http_conn *c, size_t head_len)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    struct http_request *req;
    size_t body_len;
    char *raw, *p, *line;
    int http11 = 1, rc;

    /* One allocation: struct, head copy, then body (sized once the head is parsed). */
    req = calloc(1, sizeof(*req) + head_len + 1);
    if (req == NULL)
        abort();
    raw = (char *)(req + 1);
    evbuffer_remove(in, raw, head_len);
    raw[head_len] = '\0';
    req->conn = c;
    snprintf(req->peer, sizeof(req->peer), "%s", c->peer);
    p = raw;
    line = next_line(&p);
    if (line == NULL || parse_request_line(req, line, &http11) < 0) {
        free(req);
        conn_fail(c, 400, "bad_request", "malformed request line");
        return;
    }
    while ((line = next_line(&p)) != NULL && line[0] != '\0') {
        rc = parse_header_line(req, line);
        if (rc < 0) {
            free(req);
            conn_fail(c, rc == -2 ? 431 : 400, rc == -2 ? "too_many_headers" : "bad_request",
                      rc == -2 ? "too many header fields" : "malformed header field");
            return;
        }
    }
    if (conn_check_headers(c, req, http11, &body_len) < 0) {
        free(req);
        return;
    }
    /* The body gets its own allocation: header pointers into the head copy stay valid. */
    req->body = malloc(body_len + 1);
    if (req->body == NULL)
        abort();
    req->body_len = body_len;
    ((char *)req->body)[0] = '\0';
    c->req = req;
    c->body_need = body_len;
    c->state = CONN_READ_BODY;
    const char *expect = http_request_header(req, "expect");
    if (body_len > 0 && expect && strcasecmp(expect, "100-continue") == 0 &&
        evbuffer_get_length(in) < body_len)
        evbuffer_add_printf(bufferevent_get_output(c->bev), "HTTP/1.1 100 Continue\r\n\r\n");
}

/* Moves the body out of the input buffer once complete and hands the request over. */
static void conn_take_body(struct http_conn *c)
{
    struct evbuffer *in = bufferevent_get_input(c->bev);
    struct http_request *req = c->req;

    if (evbuffer_get_length(in) < c->body_need)
        return;
    if (c->body_need > 0) {
        evbuffer_remove(in, (char *)req->body, c->body_need);
        ((char *)req->body)[c->body_need] = '\0';
    }
    c->state = CONN_HANDLING;
    req->start_us = mono_us();
    c->srv->handler(req, c->srv->handler_arg);
}

static void conn_process(struct http_conn *c)
{
    struct evbuffer *in;
    struct evbuffer_ptr pos;

    while (c->bev != NULL) {
        in = bufferevent_get_input(c->bev);
        if (c->state == CONN_STREAMING || c->state == CONN_DRAINING) {
            evbuffer_drain(in, evbuffer_get_length(in)); /* nothing more will be answered */
            return;
        }
        if (c->state == CONN_READ_BODY) {
            conn_take_body(c);
            if (c->state == CONN_READ_BODY)
                return;
            continue;
        }
        if (c->state != CONN_READ_HEAD)
            return;
        /* Tolerate stray CRLFs between pipelined requests (RFC 9112 2.2). */
        while (evbuffer_get_length(in) >= 2) {
            unsigned char two[2];
            evbuffer_copyout(in, two, 2);
            if (two[0] != '\r' || two[1] != '\n')
                break;
            evbuffer_drain(in, 2);
        }
        pos = evbuffer_search(in, "\r\n\r\n", 4, NULL);
        if (pos.pos < 0) {
            if (evbuffer_get_length(in) > HTTP_MAX_HEADER_BYTES)
                conn_fail(c, 431, "header_too_large", "request head exceeds 16384 bytes");
            return;
        }
        if ((size_t)pos.pos + 4 > HTTP_MAX_HEADER_BYTES) {
            conn_fail(c, 431, "header_too_large", "request head exceeds 16384 bytes");
            return;
        }
        conn_parse_head(c, (size_t)pos.pos + 4);
    }
}

static void conn_unlink(struct http_conn *c)
{
    struct http_server *srv = c->srv;

    if (srv == NULL)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        srv->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = c->next = NULL;
    srv->nconns--;
    c->srv = NULL;
}

/* The answer is out: half-close so the client sees EOF, then wait for its EOF. TLS
 * connections are simply closed (a TLS close_notify would need its own dance). */
static void conn_shut_write(struct http_conn *c)
{
    if (c->srv && c->srv->cfg.tls) {
        conn_free(c);
        return;
    }
    shutdown(bufferevent_getfd(c->bev), SHUT_WR);
}

static void conn_free(struct http_conn *c)
{
    conn_unlink(c);
    if (c->bev)
        bufferevent_free(c->bev);
    if (c->resume_ev)
        event_free(c->resume_ev);
    free(c);
}

/* The socket is gone (EOF, error, timeout, shutdown). Frees it now if nothing holds the
 * connection, else leaves a dead shell for the request's owner to release. The close callback
 * runs last: it may answer or close the request, which frees the shell. */
static void conn_lost(struct http_conn *c)
{
    http_close_fn fn = c->on_close;
    void *arg = c->on_close_arg;
    struct http_request *req = c->req;

    if (req == NULL || (c->state != CONN_HANDLING && c->state != CONN_STREAMING)) {
        request_free(req); /* a request still being read belongs to us */
        c->req = NULL;
        conn_free(c);
        return;
    }
    conn_unlink(c);
    if (c->bev) {
        bufferevent_free(c->bev);
        c->bev = NULL;
    }
    c->on_close = NULL;
    if (fn)
        fn(req, arg);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    conn_process(arg);
}

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
    struct http_conn *c = arg;

    if (c->bev && c->state == CONN_READ_HEAD)
        conn_process(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    struct http_conn *c = arg;

    if (c->state == CONN_DRAINING && evbuffer_get_length(bufferevent_get_output(bev)) == 0)
        conn_shut_write(c);
    else if (c->state == CONN_STREAMING && c->on_drain)
        c->on_drain(c->req, c->on_drain_arg);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct http_conn *c = arg;

    if (what & BEV_EVENT_ERROR) {
        unsigned long ssl_err = bufferevent_get_openssl_error(bev);
        if (ssl_err)
            log_info("http.tls_error", "peer=%s reason=\"%s\"", c->peer,
                     ERR_reason_error_string(ssl_err) ? ERR_reason_error_string(ssl_err) : "?");
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
        conn_lost(c);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen,
                      void *arg)
{
    struct http_server *srv = arg;
    struct http_conn *c = calloc(1, sizeof(*c));
    char host[INET6_ADDRSTRLEN] = "?";
    int port = 0;

    if (c == NULL)
        abort();
    c->resume_ev = event_new(srv->base, -1, 0, resume_cb, c);
    if (c->resume_ev == NULL)
        abort();
    if (sa->sa_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
        port = ntohs(sin->sin_port);
    } else if (sa->sa_family == AF_INET6) {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
        port = ntohs(sin6->sin6_port);
    }
    snprintf(c->peer, sizeof(c->peer), "%s:%d", host, port);
    c->srv = srv;
    /* No Nagle: a stream event or an answer written after one the client has not yet
     * acknowledged would otherwise wait for its delayed ACK (up to 40 ms). */
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (srv->cfg.tls) {
        SSL *ssl = SSL_new(srv->cfg.tls);
        c->bev = bufferevent_openssl_socket_new(srv->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                                BEV_OPT_CLOSE_ON_FREE);
        if (c->bev)
            bufferevent_openssl_set_allow_dirty_shutdown(c->bev, 1);
    } else {
        c->bev = bufferevent_socket_new(srv->base, fd, BEV_OPT_CLOSE_ON_FREE);
    }
    if (c->bev == NULL) {
        evutil_closesocket(fd);
        event_free(c->resume_ev);
        free(c);
        return;
    }
    c->next = srv->conns;
    if (srv->conns)
        srv->conns->prev = c;
    srv->conns = c;
    srv->nconns++;
    struct timeval idle = {srv->cfg.idle_timeout_s, 0};
    bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
    bufferevent_set_timeouts(c->bev, &idle, &idle);
    /* Stop reading once a full request is buffered: bounds what a client can make us hold. */
    bufferevent_setwatermark(c->bev, EV_READ, 0, HTTP_MAX_HEADER_BYTES + srv->cfg.max_body + 1);
    bufferevent_enable(c->bev, EV_READ | EV_WRITE);
    if (srv->nconns > srv->cfg.max_conns) {
        c->keep_alive = 0;
        conn_fail(c, 503, "too_many_connections", "the node is at its connection limit");
    }
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
    int err = EVUTIL_SOCKET_ERROR();

    log_warn("http.accept_error", "reason=\"%s\"", evutil_socket_error_to_string(err));
}

enum sh_err http_server_new(struct event_base *base, const struct http_config *cfg,
                            http_handler_fn handler, void *arg, struct http_server **out,
                            struct sh_errinfo *info)
{
    struct sockaddr_storage ss;
    int sslen = sizeof(ss);
    struct http_server *srv;

    memset(&ss, 0, sizeof(ss));
    if (evutil_parse_sockaddr_port(cfg->listen, (struct sockaddr *)&ss, &sslen) < 0)
        return err_set(info, SH_EINVAL, "http.listen", "'%s' is not an ADDR:PORT", cfg->listen);
    srv = calloc(1, sizeof(*srv));
    if (srv == NULL)
        return SH_ENOMEM;
    srv->base = base;
    srv->cfg = *cfg;
    srv->handler = handler;
    srv->handler_arg = arg;
    srv->listener = evconnlistener_new_bind(
        base, accept_cb, srv, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
        1024, (struct sockaddr *)&ss, sslen);
    if (srv->listener == NULL) {
        int e = errno;
        free(srv);
        return err_set(info, SH_EIO, "http.listen", "cannot listen on %s: %s", cfg->listen,
                       strerror(e));
    }
    evconnlistener_set_error_cb(srv->listener, accept_error_cb);
    struct sockaddr_storage bound;
    socklen_t blen = sizeof(bound);
    if (getsockname(evconnlistener_get_fd(srv->listener), (struct sockaddr *)&bound, &blen) == 0)
        srv->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                      : ((struct sockaddr_in *)&bound)->sin_port);
    *out = srv;
    return SH_OK;
}

void http_server_stop_accepting(struct http_server *srv)
{
    if (srv && srv->listener)
        evconnlistener_disable(srv->listener);
}

int http_server_port(const struct http_server *srv)
{
    return srv->port;
}

int http_server_conns(const struct http_server *srv)
{
    return srv->nconns;
}

void http_server_free(struct http_server *srv)
{
    if (srv == NULL)
        return;
    evconnlistener_free(srv->listener);
    while (srv->conns)
        conn_lost(srv->conns);
    free(srv);
}

void http_request_on_close(struct http_request *req, http_close_fn fn, void *arg)
{
    req->conn->on_close = fn;
    req->conn->on_close_arg = arg;
}

int http_request_gone(const struct http_request *req)
{
    return req->conn->bev == NULL;
}

/* After a request is done: free it, then close, free a dead shell, or read the next one. */
static void conn_finish_request(struct http_conn *c, struct http_request *req)
{
    request_free(req);
    c->req = NULL;
    c->on_close = NULL;
    c->on_drain = NULL;
    if (c->bev == NULL) {
        event_free(c->resume_ev);
        free(c); /* dead shell: already unlinked */
        return;
    }
    if (!c->keep_alive) {
        conn_linger(c);
        return;
    }
    /* Not conn_process() here: answering inside a handler would recurse once per pipelined
     * request, and a client could grow the stack until the node falls over. */
    c->state = CONN_READ_HEAD;
    event_active(c->resume_ev, EV_TIMEOUT, 0);
}

void http_respond(struct http_request *req, int status, const char *content_type,
                  const char *extra_headers, const char *body, size_t len)
{
    struct http_conn *c = req->conn;

    if (c->bev != NULL)
        conn_write_response(c, status, content_type, extra_headers, body, len,
                            req->method == HTTP_HEAD);
    conn_finish_request(c, req);
}

void http_stream_start(struct http_request *req, const char *content_type,
                       const char *extra_headers)
{
    struct http_conn *c = req->conn;

    if (c->bev == NULL)
        return;
    c->state = CONN_STREAMING;
    c->keep_alive = 0;
    bufferevent_set_timeouts(c->bev, NULL, NULL);
    evbuffer_add_printf(bufferevent_get_output(c->bev),
                        "HTTP/1.1 200 OK\r\nContent-Type: %s\r\nCache-Control: no-store\r\n"
                        "X-Accel-Buffering: no\r\nConnection: close\r\n%s\r\n",
                        content_type, extra_headers ? extra_headers : "");
}

enum sh_err http_stream_write(struct http_request *req, const char *data, size_t len)
{
    struct http_conn *c = req->conn;
    struct evbuffer *out;

    if (c->bev == NULL)
        return SH_EIO;
    out = bufferevent_get_output(c->bev);
    if (evbuffer_get_length(out) + len > c->srv->cfg.stream_max_backlog)
        return SH_ELIMIT;
    evbuffer_add(out, data, len);
    return SH_OK;
}

void http_stream_close(struct http_request *req)
{
    struct http_conn *c = req->conn;

    c->keep_alive = 0;
    conn_finish_request(c, req);
}

void http_stream_on_drain(struct http_request *req, http_close_fn fn, void *arg)
{
    req->conn->on_drain = fn;
    req->conn->on_drain_arg = arg;
}

size_t http_stream_pending(const struct http_request *req)
{
    const struct http_conn *c = req->conn;

    return c->bev ? evbuffer_get_length(bufferevent_get_output(c->bev)) : 0;
}
