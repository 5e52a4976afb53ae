/*
 * http.h: a small HTTP/1.1 server on libevent bufferevents (plain TCP or TLS).
 *
 * Why not evhttp: libevent 2.1's evhttp answers protocol-level failures (body over the limit,
 * malformed headers) with its own HTML pages and has no hook to change them (evhttp_set_errorcb
 * arrived in 2.2), while our API promises a JSON error body on every 4xx/5xx. It also gives no
 * bound on a streaming reader's backlog. The protocol subset a node serves is small:
 * request line, headers, a Content-Length body, keep-alive, and one streaming response form
 * (Server-Sent Events). Chunked request bodies are refused with 411.
 *
 * Contract:
 *  - The server calls the handler once per complete request. The handler answers now or later
 *    with http_respond() (exactly once), or turns the request into a stream with
 *    http_stream_start().
 *  - A request stays valid until it is answered or its stream is closed, even if the client
 *    disconnects meanwhile (the connection is only marked dead, then freed once nothing refers
 *    to it). A close callback tells a deferred or streaming handler that the client is gone.
 *  - Requests on one connection are handled one at a time (pipelined bytes wait).
 *  - Limits: header block (HTTP_MAX_HEADER_BYTES), header count, body (config), connections
 *    (config), idle time. Hitting one answers a JSON error and closes the connection.
 */
#ifndef SARHAD_NET_HTTP_H
#define SARHAD_NET_HTTP_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct ssl_ctx_st;

#define HTTP_MAX_HEADER_BYTES 16384
#define HTTP_MAX_HEADERS 64

enum http_method {
    HTTP_GET,
    HTTP_HEAD,
    HTTP_POST,
    HTTP_PUT,
    HTTP_PATCH,
    HTTP_DELETE,
    HTTP_OPTIONS,
    HTTP_OTHER
};

struct http_header {
    const char *name; /* lower-cased */
    const char *value;
};

struct http_request {
    enum http_method method;
    const char *method_name;
    const char *path;  /* percent-decoded path, without the query string */
    const char *query; /* raw query string after '?', or "" */
    struct http_header headers[HTTP_MAX_HEADERS];
    int nheaders;
    const char *body; /* body bytes, NUL-terminated for convenience; body_len excludes the NUL */
    size_t body_len;
    char peer[64];    /* "ip:port" of the client */
    int64_t start_us; /* monotonic time the request was complete */
    void *user;       /* free for the handler */
    struct http_conn *conn;
};

struct http_config {
    const char *listen; /* "host:port"; port 0 picks one (see http_server_port) */
    size_t max_body;    /* bytes */
    int max_conns;
    int idle_timeout_s;
    size_t stream_max_backlog; /* bytes queued to a stream reader before it is cut off */
    struct ssl_ctx_st *tls;    /* borrowed; NULL for plain HTTP */
};

typedef void (*http_handler_fn)(struct http_request *req, void *arg);
typedef void (*http_close_fn)(struct http_request *req, void *arg);

struct http_server;

/* Binds and starts listening on cfg->listen. `handler` is called with `arg` for each request.
 * On failure returns an error with `info` naming the address. */
enum sh_err http_server_new(struct event_base *base, const struct http_config *cfg,
                            http_handler_fn handler, void *arg, struct http_server **out,
                            struct sh_errinfo *info);

/* The port actually bound (useful with port 0). */
int http_server_port(const struct http_server *srv);

/* Number of open connections. */
int http_server_conns(const struct http_server *srv);

/* Stops accepting connections; open ones are served on (shutdown: let answers go out). */
void http_server_stop_accepting(struct http_server *srv);

/* Stops listening and closes every connection; outstanding requests are freed once answered.
 * NULL is a no-op. */
void http_server_free(struct http_server *srv);

/* The value of header `name` (lower-case), or NULL. */
const char *http_request_header(const struct http_request *req, const char *name);

/* Answers `req` with `status`, optional extra header lines (each ending in "\r\n", or NULL)
 * and a body (copied). Frees the request. Safe if the client has gone. */
void http_respond(struct http_request *req, int status, const char *content_type,
                  const char *extra_headers, const char *body, size_t len);

/* Registers `fn(req, arg)` to run once if the client disconnects before the request is answered
 * or while it streams. The request must still be answered / closed by its owner. */
void http_request_on_close(struct http_request *req, http_close_fn fn, void *arg);

/* Sends a 200 header block for an unbounded streaming response of `content_type`. */
void http_stream_start(struct http_request *req, const char *content_type,
                       const char *extra_headers);

/* Queues bytes on a stream. Returns SH_ELIMIT when the reader's backlog would exceed the
 * configured bound (the caller should close the stream), SH_EIO if the client is gone. */
enum sh_err http_stream_write(struct http_request *req, const char *data, size_t len);

/* Registers `fn(req, arg)` to run whenever a stream's queued bytes have all been sent, so that
 * a writer that paused at a backlog can continue. */
void http_stream_on_drain(struct http_request *req, http_close_fn fn, void *arg);

/* Bytes queued on a stream and not yet sent (0 if the client is gone). */
size_t http_stream_pending(const struct http_request *req);

/* Ends a stream and frees the request. */
void http_stream_close(struct http_request *req);

/* 1 if the client of `req` is gone. */
int http_request_gone(const struct http_request *req);

/* A status code's reason phrase ("Not Found"). */
const char *http_reason(int status);

#endif
