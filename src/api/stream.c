/*
 * stream.c: the SSE hub.
 *
 * Reader life:
 *
 *   api_stream --> LIVE <--drain_cb-- PAUSED (queued >= backlog/2)
 *                   |  \--client_pump--^
 *                   +--(bound hit / client gone)--> client_close --> freed
 *
 * The hub's cursor is `seq` (last committed entry it has read); each reader has its own
 * cursor and is pumped from the ring when the ring still holds the next entry, else from the
 * database.
 */
#include "api/stream.h"

#include "api/api_int.h"
#include "core/log.h"
#include "domain/entry.h"
#include "store/journal.h"

#include <event2/event.h>
#include <stdlib.h>
#include <string.h>

#define RING_SIZE 4096 /* recent frames kept in memory */
#define DB_BATCH 256
#define PING_SECONDS 15

struct frame {
    int64_t seq;
    char kind[32];
    char *text; /* the full SSE event, owned */
    size_t len;
};

struct client {
    struct stream_hub *hub;
    struct api_call *call;
    int64_t cursor; /* last seq sent */
    struct client *prev, *next;
};

struct stream_hub {
    struct store_db *rdb;
    struct event *ping;
    size_t backlog;
    int64_t seq;
    struct frame ring[RING_SIZE]; /* ring[seq % RING_SIZE] */
    int64_t ring_first;           /* oldest seq held, 0 when empty */
    struct client *clients;
    int nclients;
    uint64_t dropped;
};

static void client_pump(struct client *cl);

/* Formats an entry as an SSE event. Returns a malloc'd string. */
static char *frame_format(const struct journal_entry *e, size_t *len)
{
    json_t *j = entry_to_json(e);
    char *data, *out = NULL;

    /* FLASH is flagged where a watch floor sees it first. */
    const char *prec =
        json_string_value(json_object_get(json_object_get(j, "payload"), "precedence"));
    if (j && strcmp(e->kind, "hotline.message") == 0 && prec && strcmp(prec, "FLASH") == 0)
        json_object_set_new(j, "flash", json_true());
    data = j ? json_dumps(j, JSON_COMPACT) : NULL;

    json_decref(j);
    if (data == NULL)
        return NULL;
    size_t cap = strlen(data) + 96;
    out = malloc(cap);
    if (out)
        *len = (size_t)snprintf(out, cap, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)e->seq,
                                e->kind, data);
    free(data);
    return out;
}

static void client_close(struct client *cl)
{
    struct stream_hub *hub = cl->hub;

    if (cl->prev)
        cl->prev->next = cl->next;
    else
        hub->clients = cl->next;
    if (cl->next)
        cl->next->prev = cl->prev;
    hub->nclients--;
    api_metrics_count(cl->call->api, cl->call->route, 200);
    http_stream_close(cl->call->req);
    api_call_free(cl->call);
    free(cl);
}

static void on_client_gone(struct http_request *req, void *arg)
{
    client_close(arg);
}

static void on_client_drain(struct http_request *req, void *arg)
{
    client_pump(arg);
}

/* Writes bytes to a reader; on a full backlog or a gone client, closes it and returns -1. */
static int client_write(struct client *cl, const char *data, size_t len)
{
    enum sh_err rc = http_stream_write(cl->call->req, data, len);

    if (rc == SH_OK)
        return 0;
    if (rc == SH_ELIMIT) {
        cl->hub->dropped++;
        log_info("stream.drop", "peer=%s user=%s reason=\"reader fell behind\" cursor=%lld",
                 cl->call->req->peer, cl->call->user.name, (long long)cl->cursor);
    }
    client_close(cl);
    return -1;
}

struct db_feed {
    struct client *cl;
    int stop;
};

static int feed_one(const struct journal_entry *e, void *arg)
{
    struct db_feed *f = arg;
    struct client *cl = f->cl;
    size_t len;
    char *text;

    cl->cursor = e->seq;
    if (!role_sees_kind(cl->call->user.role, e->kind))
        return 0;
    text = frame_format(e, &len);
    if (text == NULL)
        return 0;
    f->stop = client_write(cl, text, len);
    free(text);
    if (f->stop)
        return 1;
    return http_stream_pending(cl->call->req) >= cl->hub->backlog / 2;
}

/* Sends what the reader has not seen, until its backlog is half full (then drain_cb resumes).
 * May free the reader. */
static void client_pump(struct client *cl)
{
    struct stream_hub *hub = cl->hub;

    while (cl->cursor < hub->seq) {
        if (http_stream_pending(cl->call->req) >= hub->backlog / 2)
            return;
        int64_t next = cl->cursor + 1;
        struct frame *f = &hub->ring[next % RING_SIZE];
        if (hub->ring_first != 0 && next >= hub->ring_first && f->seq == next) {
            cl->cursor = next;
            if (f->text && role_sees_kind(cl->call->user.role, f->kind) &&
                client_write(cl, f->text, f->len) < 0)
                return;
            continue;
        }
        struct db_feed feed = {cl, 0};
        int64_t before = cl->cursor;
        if (journal_read(hub->rdb, cl->cursor, DB_BATCH, feed_one, &feed) != SH_OK || feed.stop)
            return; /* on a read error the reader stays where it is; the next advance retries */
        if (cl->cursor == before)
            return;
    }
}

static void ping_cb(evutil_socket_t fd, short what, void *arg)
{
    struct stream_hub *hub = arg;
    struct client *cl = hub->clients, *next;

    for (; cl; cl = next) {
        next = cl->next;
        client_write(cl, ": ping\n\n", 8);
    }
}

struct stream_hub *stream_hub_new(struct event_base *base, struct store_db *rdb, size_t backlog,
                                  int64_t head_seq)
{
    struct stream_hub *hub = calloc(1, sizeof(*hub));
    struct timeval every = {PING_SECONDS, 0};

    if (hub == NULL)
        abort();
    hub->rdb = rdb;
    hub->backlog = backlog;
    hub->seq = head_seq;
    hub->ping = event_new(base, -1, EV_PERSIST, ping_cb, hub);
    event_add(hub->ping, &every);
    return hub;
}

void stream_hub_free(struct stream_hub *hub)
{
    if (hub == NULL)
        return;
    while (hub->clients)
        client_close(hub->clients);
    for (int i = 0; i < RING_SIZE; i++)
        free(hub->ring[i].text);
    event_free(hub->ping);
    free(hub);
}

int64_t stream_hub_seq(const struct stream_hub *hub)
{
    return hub->seq;
}

int stream_hub_clients(const struct stream_hub *hub)
{
    return hub->nclients;
}

uint64_t stream_hub_dropped(const struct stream_hub *hub)
{
    return hub->dropped;
}

static int ring_add(const struct journal_entry *e, void *arg)
{
    struct stream_hub *hub = arg;
    struct frame *f = &hub->ring[e->seq % RING_SIZE];

    free(f->text);
    f->seq = e->seq;
    snprintf(f->kind, sizeof(f->kind), "%s", e->kind);
    f->text = frame_format(e, &f->len);
    if (e->seq - hub->ring_first >= RING_SIZE)
        hub->ring_first = e->seq - RING_SIZE + 1;
    hub->seq = e->seq;
    return 0;
}

void stream_hub_advance(struct stream_hub *hub, int64_t seq)
{
    struct client *cl, *next;

    if (seq <= hub->seq)
        return;
    if (hub->clients == NULL) {
        /* Nobody listens: no frames to build. A later reader starts from the database. */
        hub->seq = seq;
        hub->ring_first = 0;
        return;
    }
    /* A gap (entries the hub never held) restarts the ring after it. */
    if (hub->ring_first != 0 && hub->seq + 1 < hub->ring_first)
        hub->ring_first = 0;
    if (hub->ring_first == 0)
        hub->ring_first = hub->seq + 1;
    while (hub->seq < seq) {
        int64_t before = hub->seq;
        if (journal_read(hub->rdb, hub->seq, 1024, ring_add, hub) != SH_OK || hub->seq == before)
            break;
    }
    for (cl = hub->clients; cl; cl = next) {
        next = cl->next;
        client_pump(cl);
    }
}

void stream_hub_position(struct stream_hub *hub, const json_t *unit)
{
    char *data = json_dumps(unit, JSON_COMPACT), *frame;
    struct client *cl, *next;
    size_t len;

    if (data == NULL || hub->clients == NULL) {
        free(data);
        return;
    }
    len = strlen(data) + 32;
    frame = malloc(len);
    if (frame) {
        len = (size_t)snprintf(frame, len, "event: position\ndata: %s\n\n", data);
        for (cl = hub->clients; cl; cl = next) {
            next = cl->next;
            client_write(cl, frame, len);
        }
    }
    free(frame);
    free(data);
}

void api_stream(struct api_call *call)
{
    struct stream_hub *hub = call->api->hub;
    const char *last = http_request_header(call->req, "last-event-id");
    char since[32], *end;
    struct client *cl;
    int64_t cursor = hub->seq;
    int r = api_query(call, "since", since, sizeof(since));

    if (last == NULL && r != 0) {
        cursor = r == 1 ? strtoll(since, &end, 10) : -1;
        if (r < 0 || *end != '\0' || end == since || cursor < 0) {
            api_reply_error(call, 400, "invalid", "since", "since must be a journal seq");
            return;
        }
    }
    if (last) {
        cursor = strtoll(last, &end, 10);
        if (*end != '\0' || end == last || cursor < 0) {
            api_reply_error(call, 400, "invalid", "Last-Event-ID",
                            "Last-Event-ID must be a journal seq");
            return;
        }
    }
    if (cursor > hub->seq)
        cursor = hub->seq;
    cl = calloc(1, sizeof(*cl));
    if (cl == NULL)
        abort();
    cl->hub = hub;
    cl->call = call;
    cl->cursor = cursor;
    cl->next = hub->clients;
    if (hub->clients)
        hub->clients->prev = cl;
    hub->clients = cl;
    hub->nclients++;
    http_request_on_close(call->req, on_client_gone, cl);
    http_stream_on_drain(call->req, on_client_drain, cl);
    http_stream_start(call->req, "text/event-stream", NULL);
    log_info("stream.open", "peer=%s user=%s since=%lld", call->req->peer, call->user.name,
             (long long)cursor);
    if (client_write(cl, "retry: 2000\n\n", 13) == 0)
        client_pump(cl);
}
