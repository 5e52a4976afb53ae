/*
 * api.h: the HTTP API under /api/v1 (JSON, bearer tokens), /metrics, and the SSE stream.
 *
 * The API is an ingress and egress adapter around the journal: handlers parse and authorise,
 * call domain/ to build records, submit writes to the writer thread and answer once the commit
 * is durable; GETs read the loop's read connection. A route table names each route's method,
 * path pattern and the permission it needs, so no route can skip authorisation.
 */
#ifndef SARHAD_API_API_H
#define SARHAD_API_API_H

#include "core/err.h"
#include "domain/border.h"
#include "domain/landmark.h"
#include "net/http.h"
#include "node/config.h"
#include "store/db.h"
#include "store/writer.h"

#include <jansson.h>
#include <stdint.h>

struct stream_hub;
struct link;
struct linktest;
struct plan_worker;

/* What the routes need, owned by the node (node/serve.c); the API borrows all of it. */
struct api_ctx {
    const struct config *cfg;
    const struct border *border;
    const struct landmarks *landmarks;
    struct store_db *rdb; /* read connection, loop thread only */
    struct writer *writer;
    struct stream_hub *hub;
    struct http_server *http;
    struct link *link;         /* the federation link, NULL before it starts */
    struct linktest *linktest; /* link tests, NULL before the link starts */
    json_t *units;             /* uid -> latest unit document */
    json_t *units_dirty;       /* uid -> document not yet flushed to the track table */
    int64_t started_ms;
    struct api_metrics *metrics;
    struct event_base *base;     /* the loop, for work done on other threads */
    struct plan_worker *planner; /* the planner's thread, made on first use */
    int test_clock; /* serve --test-clock: 0 off, 1 on (wall clock), 2 on (manual clock) */
};

/* Allocates the per-route counters. */
enum sh_err api_init(struct api_ctx *api);

/* Frees what api_init allocated. */
void api_free(struct api_ctx *api);

/* Waits for a plan being computed, drops its answer and frees the planner's worker. Call after
 * the loop has stopped, before api_free. */
void api_planner_free(struct api_ctx *api);

/* The http_handler_fn of the node: `arg` is the struct api_ctx. */
void api_handle(struct http_request *req, void *arg);

#endif
