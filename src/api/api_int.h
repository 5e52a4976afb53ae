/*
 * api_int.h: shared by the files of the api module (route handlers, stream, metrics).
 */
#ifndef SARHAD_API_API_INT_H
#define SARHAD_API_API_INT_H

#include "api/api.h"
#include "domain/role.h"
#include "store/records.h"

/* One request being handled: lives until answered (possibly after a durable commit). */
struct api_call {
    struct api_ctx *api;
    struct http_request *req;
    int route;
    struct user user;
    char param[128]; /* the {} segment of the path, if the route has one */
    json_t *body;    /* parsed JSON body of POST/PATCH, owned */
    struct writer_op op;
    json_t *doc;   /* the document being written, owned */
    char *payload; /* the document as journaled, owned (set by the writer) */
    int64_t base_version;
    const char *kind;
    int variant; /* a handler's own note to its writer op (patrols: what a PATCH changed) */
};

/* Answers with `doc` (stolen) as JSON and frees the call. */
void api_reply_json(struct api_call *call, int status, json_t *doc, const char *extra_headers);

/* Answers with JSON text `json` (borrowed) and frees the call. */
void api_reply_text(struct api_call *call, int status, const char *json, const char *extra_headers);

/* Answers {"error":{code,message,field}} and frees the call. */
void api_reply_error(struct api_call *call, int status, const char *code, const char *field,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Answers the error `err` with `info` (status chosen from the error) and frees the call. */
void api_reply_err(struct api_call *call, enum sh_err err, const struct sh_errinfo *info);

/* Value of query parameter `name` (percent-decoded) into `out`. Returns 1 if present, 0 if
 * absent, -1 if malformed or too long. */
int api_query(const struct api_call *call, const char *name, char *out, size_t outlen);

/* Submits call->op (apply/arg set by the caller) to the writer; `done` answers. */
void api_submit(struct api_call *call, store_apply_fn apply, void (*done)(struct writer_op *op));

/* A random RFC 4122 version 4 UUID. */
void api_new_uuid(char out[37]);

/* Reads a positive integer version from If-Match ("3", "\"3\"" or W/"3"). Returns 0, or -1
 * if malformed. */
int api_parse_if_match(const char *v, int64_t *out);

/* The record a PATCH changes: checks If-Match (428 without, 400 malformed), loads record
 * `call->param` with `get` (404), and checks it is this node's (403) and at the version named
 * (409). Returns it (new reference) with *base set, or NULL after answering. */
json_t *api_patch_current(struct api_call *call, const char *what,
                          enum sh_err (*get)(struct store_db *, const char *, json_t **),
                          int64_t *base);

/* Route handlers (routes.c, stream.c, metrics.c). */
void api_health(struct api_call *call);
void api_border(struct api_call *call);
void api_events_create(struct api_call *call);
void api_events_list(struct api_call *call);
void api_events_get(struct api_call *call);
void api_events_patch(struct api_call *call);
void api_sections_list(struct api_call *call);
void api_sections_patch(struct api_call *call);
void api_units_post(struct api_call *call);
void api_units_list(struct api_call *call);
void api_stream(struct api_call *call);
void api_links(struct api_call *call);
void api_links_test(struct api_call *call);
void api_channels_list(struct api_call *call);
void api_channels_create(struct api_call *call);
void api_messages_create(struct api_call *call);
void api_messages_list(struct api_call *call);
void api_messages_get(struct api_call *call);
void api_messages_ack(struct api_call *call);
void api_templates(struct api_call *call);
void api_metrics(struct api_call *call);
void api_landmarks(struct api_call *call);
void api_me(struct api_call *call);
void api_escalations(struct api_call *call);
void api_place(struct api_call *call);
void api_patrols_create(struct api_call *call);
void api_patrols_list(struct api_call *call);
void api_patrols_get(struct api_call *call);
void api_patrols_patch(struct api_call *call);
void api_fence(struct api_call *call);
void api_coverage(struct api_call *call);
void api_coverage_gaps(struct api_call *call);
void api_patrols_adherence(struct api_call *call);
void api_patrols_plan(struct api_call *call);
void api_fence_alarms(struct api_call *call);
void api_fence_release(struct api_call *call);

/* Metrics: counts one answered request. */
void api_metrics_count(struct api_ctx *api, int route, int status);

/* The route's name for metrics ("GET /api/v1/events/{id}"). */
const char *api_route_name(int route);
int api_route_count(void);

/* Frees a call after its reply (used by the stream when it closes). */
void api_call_free(struct api_call *call);

#endif
