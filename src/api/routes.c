/*
 * routes.c: handlers of the resource routes (health, border, events, sections, units).
 *
 * Writes follow one pattern: build the new document with domain/ on the loop thread, submit
 * an apply function that journals it with a version check, answer in the done callback once
 * the commit is durable. Nothing is answered 2xx before that.
 */
#include "api/api_int.h"

#include "api/stream.h"
#include "core/clock.h"
#include "crypto/crypto.h"
#include "domain/event.h"
#include "domain/field.h"
#include "domain/section.h"
#include "domain/unit.h"
#include "link/link.h"
#include "node/linktest.h"
#include "store/journal.h"
#include "store/peers.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define EVENTS_PAGE_DEFAULT 50
#define EVENTS_PAGE_MAX 500

void api_health(struct api_call *call)
{
    struct api_ctx *api = call->api;

    api_reply_json(call, 200,
                   json_pack("{s:s,s:s,s:s,s:s,s:I}", "status", "ok", "node", api->cfg->name,
                             "country", api->cfg->country, "version", SARHAD_VERSION, "journal_seq",
                             (json_int_t)stream_hub_seq(api->hub)),
                   NULL);
}

/* The part of the border line between two chainages, as GeoJSON coordinates. */
static json_t *line_slice(const struct geo_line *line, double from_km, double to_km)
{
    json_t *coords = json_array();
    struct geo_point p;

    geo_line_point_at(line, from_km, &p);
    json_array_append_new(coords, json_pack("[f,f]", p.lon, p.lat));
    for (size_t i = 0; i < line->n; i++)
        if (line->cum_km[i] > from_km && line->cum_km[i] < to_km)
            json_array_append_new(coords, json_pack("[f,f]", line->pts[i].lon, line->pts[i].lat));
    geo_line_point_at(line, to_km, &p);
    json_array_append_new(coords, json_pack("[f,f]", p.lon, p.lat));
    return coords;
}

void api_border(struct api_call *call)
{
    const struct border *b = call->api->border;
    json_t *sections = json_array(), *features = json_array(), *s;
    size_t i;

    if (sections_list(call->api->rdb, sections) != SH_OK) {
        json_decref(sections);
        json_decref(features);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    json_array_append_new(features, border_line_feature(b));
    json_array_foreach(sections, i, s)
    {
        json_t *props = json_deep_copy(s);
        json_object_set_new(props, "kind", json_string("section"));
        json_array_append_new(
            features,
            json_pack("{s:s,s:O,s:o,s:{s:s,s:o}}", "type", "Feature", "id",
                      json_object_get(s, "id"), "properties", props, "geometry", "type",
                      "LineString", "coordinates",
                      line_slice(&b->line, json_number_value(json_object_get(s, "from_km")),
                                 json_number_value(json_object_get(s, "to_km")))));
    }
    json_decref(sections);
    api_reply_json(call, 200,
                   json_pack("{s:s,s:o}", "type", "FeatureCollection", "features", features), NULL);
}

void api_me(struct api_call *call)
{
    api_reply_json(call, 200,
                   json_pack("{s:s,s:s,s:s?,s:s,s:s}", "name", call->user.name, "role",
                             role_name(call->user.role), "command",
                             call->user.command[0] ? call->user.command : NULL, "node",
                             call->api->cfg->name, "country", call->api->cfg->country),
                   NULL);
}

/* A UUID version 7 (RFC 9562): the Unix time in milliseconds, then 74 random bits. Ids made
 * later sort later, so the indexes keyed by id (events, patrols, the journal's record index)
 * grow at their right edge instead of touching a random page per insert: on a node with a
 * few hundred thousand events that was most of what a commit wrote (bench/RESULTS.md). */
void api_new_uuid(char out[37])
{
    uint8_t b[16];
    char hex[33];
    uint64_t ms = (uint64_t)clock_now_ms();

    if (crypto_random(b, sizeof(b)) != SH_OK)
        abort(); /* no randomness: nothing safe can be made */
    for (int i = 0; i < 6; i++)
        b[i] = (uint8_t)(ms >> (40 - 8 * i));
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x70);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    crypto_hex(b, sizeof(b), hex);
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
}

static enum sh_err apply_event(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;

    return events_put(tx, call->kind, call->doc, call->base_version, &call->payload, info);
}

static void etag_header(const json_t *doc, char *out, size_t outlen)
{
    snprintf(out, outlen, "ETag: \"%lld\"\r\n",
             (long long)json_integer_value(json_object_get(doc, "version")));
}

static void event_written(struct writer_op *op)
{
    struct api_call *call = op->arg;
    char extra[200];

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    etag_header(call->doc, extra, sizeof(extra) / 2);
    if (call->base_version == 0) {
        size_t n = strlen(extra);
        snprintf(extra + n, sizeof(extra) - n, "Location: /api/v1/events/%s\r\n",
                 json_string_value(json_object_get(call->doc, "id")));
    }
    /* Answer with exactly the bytes that were journaled. */
    api_reply_text(call, call->base_version == 0 ? 201 : 200, call->payload, extra);
}

void api_events_create(struct api_call *call)
{
    struct api_ctx *api = call->api;
    struct sh_errinfo info = {0};
    char id[37];
    enum sh_err rc;

    api_new_uuid(id);
    rc = event_create(call->body, api->border, id, call->user.name, api->cfg->name, clock_now_ms(),
                      &call->doc, &info);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    call->kind = "event.create";
    call->base_version = 0;
    api_submit(call, apply_event, event_written);
}

void api_events_get(struct api_call *call)
{
    json_t *doc;
    char extra[64];
    enum sh_err rc = events_get(call->api->rdb, call->param, &doc);

    if (rc == SH_ENOTFOUND) {
        api_reply_error(call, 404, "not_found", "id", "no event %s", call->param);
        return;
    }
    if (rc != SH_OK) {
        api_reply_err(call, rc, NULL);
        return;
    }
    etag_header(doc, extra, sizeof(extra));
    api_reply_json(call, 200, doc, extra);
}

int api_parse_if_match(const char *v, int64_t *out)
{
    char *end;
    long long n;

    if (strncmp(v, "W/", 2) == 0)
        v += 2;
    if (*v == '"')
        v++;
    errno = 0;
    n = strtoll(v, &end, 10);
    if (errno || end == v || n < 1 || (*end != '\0' && !(end[0] == '"' && end[1] == '\0')))
        return -1;
    *out = n;
    return 0;
}

json_t *api_patch_current(struct api_call *call, const char *what,
                          enum sh_err (*get)(struct store_db *, const char *, json_t **),
                          int64_t *base)
{
    const char *if_match = http_request_header(call->req, "if-match");
    json_t *current;
    int64_t have;
    enum sh_err rc;

    if (if_match == NULL) {
        api_reply_error(call, 428, "precondition_required", "If-Match",
                        "send If-Match: <version> with the version you are changing");
        return NULL;
    }
    if (api_parse_if_match(if_match, base) < 0) {
        api_reply_error(call, 400, "invalid", "If-Match", "If-Match must be a version number");
        return NULL;
    }
    rc = get(call->api->rdb, call->param, &current);
    if (rc == SH_ENOTFOUND) {
        api_reply_error(call, 404, "not_found", "id", "no %s %s", what, call->param);
        return NULL;
    }
    if (rc != SH_OK) {
        api_reply_err(call, rc, NULL);
        return NULL;
    }
    if (strcmp(json_string_value(json_object_get(current, "origin")), call->api->cfg->name) != 0) {
        api_reply_error(call, 403, "forbidden", "id",
                        "%s %s belongs to node %s; only its origin changes it", what, call->param,
                        json_string_value(json_object_get(current, "origin")));
        json_decref(current);
        return NULL;
    }
    have = json_integer_value(json_object_get(current, "version"));
    if (have != *base) {
        api_reply_error(call, 409, "conflict", "If-Match",
                        "%s %s is at version %lld, not %lld: reload and retry", what, call->param,
                        (long long)have, (long long)*base);
        json_decref(current);
        return NULL;
    }
    return current;
}

void api_events_patch(struct api_call *call)
{
    struct sh_errinfo info = {0};
    int64_t base;
    json_t *current = api_patch_current(call, "event", events_get, &base);
    enum sh_err rc;

    if (current == NULL)
        return;
    rc = event_patch(current, call->body, call->api->border, clock_now_ms(), &call->doc, &info);
    json_decref(current);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    call->kind = "event.update";
    call->base_version = base;
    api_submit(call, apply_event, event_written);
}

/* Parses "minLon,minLat,maxLon,maxLat". */
static int parse_bbox(const char *s, struct event_filter *f)
{
    char tail;

    if (sscanf(s, "%lf,%lf,%lf,%lf%c", &f->min_lon, &f->min_lat, &f->max_lon, &f->max_lat, &tail) !=
        4)
        return -1;
    if (f->min_lon > f->max_lon || f->min_lat > f->max_lat || f->min_lat < -90 || f->max_lat > 90 ||
        f->min_lon < -180 || f->max_lon > 180)
        return -1;
    f->has_bbox = 1;
    return 0;
}

/* Reads the query of GET /events into `f`; answers and returns -1 on a bad parameter. */
static int events_filter(struct api_call *call, struct event_filter *f, char *category,
                         char *status, char *cursor)
{
    char v[128], *end;
    int r;

    memset(f, 0, sizeof(*f));
    f->limit = EVENTS_PAGE_DEFAULT;
    if ((r = api_query(call, "since", v, sizeof(v))) < 0 ||
        (r == 1 && clock_parse_rfc3339(v, strlen(v), &f->since_ms) < 0))
        return api_reply_error(call, 400, "invalid", "since",
                               "since must be an RFC 3339 date-time"),
               -1;
    if ((r = api_query(call, "limit", v, sizeof(v))) < 0 ||
        (r == 1 &&
         ((f->limit = (int)strtol(v, &end, 10)) < 1 || f->limit > EVENTS_PAGE_MAX || *end != '\0')))
        return api_reply_error(call, 400, "invalid", "limit", "limit must be 1 to %d",
                               EVENTS_PAGE_MAX),
               -1;
    if ((r = api_query(call, "category", category, 32)) < 0 ||
        (r == 1 && field_lookup(event_categories, category) < 0))
        return api_reply_error(call, 400, "invalid", "category", "unknown category"), -1;
    f->category = r == 1 ? category : NULL;
    if ((r = api_query(call, "status", status, 16)) < 0 ||
        (r == 1 && strcmp(status, "OPEN") != 0 && strcmp(status, "CLOSED") != 0))
        return api_reply_error(call, 400, "invalid", "status", "status is OPEN or CLOSED"), -1;
    f->status = r == 1 ? status : NULL;
    if ((r = api_query(call, "bbox", v, sizeof(v))) < 0 || (r == 1 && parse_bbox(v, f) < 0))
        return api_reply_error(call, 400, "invalid", "bbox", "bbox is minLon,minLat,maxLon,maxLat"),
               -1;
    if ((r = api_query(call, "cursor", cursor, 96)) < 0)
        return api_reply_error(call, 400, "invalid", "cursor", "bad cursor"), -1;
    if (r == 1) {
        char *colon = strchr(cursor, ':');
        long long t = colon ? strtoll(cursor, &end, 10) : 0;
        if (colon == NULL || end != colon || colon[1] == '\0')
            return api_reply_error(call, 400, "invalid", "cursor",
                                   "cursor must be the 'next' value of a previous page"),
                   -1;
        f->before_time_ms = t;
        f->before_id = colon + 1;
    }
    return 0;
}

void api_events_list(struct api_call *call)
{
    struct event_filter f;
    char category[32], status[16], cursor[96], next[128];
    json_t *events, *last;
    int64_t t = 0;

    if (events_filter(call, &f, category, status, cursor) < 0)
        return;
    events = json_array();
    if (events_list(call->api->rdb, &f, events) != SH_OK) {
        json_decref(events);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    json_t *page = json_pack("{s:o}", "events", events);
    if ((int)json_array_size(events) == f.limit) {
        last = json_array_get(events, json_array_size(events) - 1);
        const char *time = json_string_value(json_object_get(last, "time"));
        clock_parse_rfc3339(time, strlen(time), &t);
        snprintf(next, sizeof(next), "%lld:%s", (long long)t,
                 json_string_value(json_object_get(last, "id")));
        json_object_set_new(page, "next", json_string(next));
    } else {
        json_object_set_new(page, "next", json_null());
    }
    api_reply_json(call, 200, page, NULL);
}

#define ATTENTION_WINDOW_MS (24LL * 3600 * 1000)

void api_sections_list(struct api_call *call)
{
    json_t *sections = json_array(), *alarms = json_object(), *s;
    char key[24];
    size_t i;

    if (sections_list(call->api->rdb, sections) != SH_OK ||
        alarms_open_by_section(call->api->rdb, clock_now_ms() - ATTENTION_WINDOW_MS, alarms) !=
            SH_OK) {
        json_decref(sections);
        json_decref(alarms);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    /* A section with open fence or sensor alarms of the last day asks for attention. */
    json_array_foreach(sections, i, s)
    {
        json_t *a;
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(s, "id")));
        a = json_object_get(alarms, key);
        json_object_set(s, "attention", a ? a : json_null());
    }
    json_decref(alarms);
    api_reply_json(call, 200, json_pack("{s:o}", "sections", sections), NULL);
}

static enum sh_err apply_section(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;

    return sections_put(tx, call->doc, call->base_version, info);
}

static void section_written(struct writer_op *op)
{
    struct api_call *call = op->arg;
    char extra[64];
    json_t *doc = call->doc;

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    call->doc = NULL;
    etag_header(doc, extra, sizeof(extra));
    api_reply_json(call, 200, doc, extra);
}

void api_sections_patch(struct api_call *call)
{
    const char *if_match = http_request_header(call->req, "if-match");
    struct sh_errinfo info = {0};
    json_t *current;
    char *end;
    long id = strtol(call->param, &end, 10);
    int64_t base;
    enum sh_err rc;

    if (*end != '\0' || id < 1 || sections_get(call->api->rdb, (int)id, &current) != SH_OK) {
        api_reply_error(call, 404, "not_found", "id", "no section %s", call->param);
        return;
    }
    base = json_integer_value(json_object_get(current, "version"));
    if (if_match) {
        int64_t want;
        if (api_parse_if_match(if_match, &want) < 0 || want != base) {
            json_decref(current);
            api_reply_error(call, 409, "conflict", "If-Match", "section %ld is at version %lld", id,
                            (long long)base);
            return;
        }
    }
    rc = section_patch(current, call->body, call->api->cfg->country, clock_now_ms(), &call->doc,
                       &info);
    json_decref(current);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    call->base_version = base;
    api_submit(call, apply_section, section_written);
}

void api_units_post(struct api_call *call)
{
    struct api_ctx *api = call->api;
    struct sh_errinfo info = {0};
    json_t *doc;
    enum sh_err rc;

    rc = unit_position(call->param, call->body, api->border, clock_now_ms(), &doc, &info);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    if (json_object_get(api->units, call->param) == NULL &&
        (int)json_object_size(api->units) >= api->cfg->max_units) {
        json_decref(doc);
        api_reply_error(call, 429, "limit", "uid", "the node tracks its maximum of %d units",
                        api->cfg->max_units);
        return;
    }
    json_object_set(api->units, call->param, doc);
    json_object_set(api->units_dirty, call->param, doc);
    stream_hub_position(api->hub, doc);
    link_position(api->link, doc);
    /* 202: positions are latest-wins state, flushed to the track table in batches. */
    api_reply_json(call, 202, doc, NULL);
}

void api_units_list(struct api_call *call)
{
    struct api_ctx *api = call->api;
    json_t *units = json_array(), *doc;
    const char *uid;
    int64_t now = clock_now_ms();

    json_object_foreach(api->units, uid, doc)
    {
        json_t *copy = json_copy(doc);
        json_object_set_new(copy, "stale",
                            json_boolean(unit_is_stale(doc, now, api->cfg->unit_stale_s)));
        json_array_append_new(units, copy);
    }
    api_reply_json(call, 200, json_pack("{s:o}", "units", units), NULL);
}

void api_links(struct api_call *call)
{
    json_t *rejections = json_array();

    rejections_list(call->api->rdb, 20, rejections);
    api_reply_json(call, 200,
                   json_pack("{s:o,s:o,s:o}", "links", link_status(call->api->link),
                             "recent_rejections", rejections, "last_test",
                             linktest_status(call->api->linktest)),
                   NULL);
}

void api_links_test(struct api_call *call)
{
    struct sh_errinfo info = {0};
    json_t *links = link_status(call->api->link), *l;
    size_t i;
    int known = 0;
    enum sh_err rc;

    json_array_foreach(links, i, l)
    {
        known |= strcmp(json_string_value(json_object_get(l, "peer")), call->param) == 0;
    }
    json_decref(links);
    if (!known) {
        api_reply_error(call, 404, "not_found", "peer", "no pinned peer %s", call->param);
        return;
    }
    rc = linktest_start(call->api->linktest, &info);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    api_reply_json(call, 202, linktest_status(call->api->linktest), NULL);
}
