/*
 * serve.c: the running node: one event loop, one writer thread.
 *
 *   main thread (event loop)                      writer thread
 *   ------------------------                      -------------
 *   http server -> api handlers --writer_submit-->  BEGIN; apply ops; COMMIT (fsync)
 *   writer_ev  <--------------- event_active ------ notify
 *     writer_complete: answer requests, stream_hub_advance
 *   units_ev (1 s): flush latest unit positions as one op
 *   poll_ev (0.5 s): notice journal entries written by other processes (the CLI)
 *   deadline_ev (1 s): hotline messages past their handling target get an escalation entry
 *   SIGINT/SIGTERM: stop accepting, commit what is queued, answer it, exit
 */
#include "node/node.h"

#include "api/api.h"
#include "api/stream.h"
#include "core/clock.h"
#include "core/log.h"
#include "link/link.h"
#include "node/linktest.h"
#include "net/http.h"
#include "net/tls.h"
#include "store/journal.h"
#include "store/hotline_store.h"
#include "store/records.h"

#include <event2/event.h>
#include <event2/thread.h>
#include <openssl/ssl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

struct node {
    struct config cfg;
    struct border border;
    struct landmarks landmarks;
    struct event_base *base;
    struct store_db *rdb;
    struct writer *writer;
    struct stream_hub *hub;
    struct http_server *http;
    SSL_CTX *tls;
    struct api_ctx api;
    struct crypto_key *key;
    struct link *link;
    struct linktest *linktest;
    struct event *writer_ev, *units_ev, *poll_ev, *sigint_ev, *sigterm_ev, *deadline_ev;
    int escalating; /* escalation ops in flight */
    int data_version;
    int units_flushing;
};

struct units_op {
    struct writer_op op;
    struct node *node;
    json_t *batch;
    int64_t keep_after_ms;
};

static void writer_notify(void *arg)
{
    struct node *n = arg;

    event_active(n->writer_ev, EV_READ, 0);
}

static void writer_ev_cb(evutil_socket_t fd, short what, void *arg)
{
    struct node *n = arg;
    struct writer_stats ws;

    if (n->writer == NULL)
        return;
    writer_complete(n->writer);
    writer_get_stats(n->writer, &ws);
    stream_hub_advance(n->hub, ws.committed_seq);
    link_notify(n->link);
}

static enum sh_err units_apply(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct units_op *u = arg;

    return units_flush(tx, u->batch, u->keep_after_ms);
}

static void units_done(struct writer_op *op)
{
    struct units_op *u = op->arg;

    if (op->result != SH_OK)
        log_warn("units.flush_failed", "units=%zu reason=\"%s\"", json_object_size(u->batch),
                 err_str(op->result));
    u->node->units_flushing = 0;
    json_decref(u->batch);
    free(u);
}

/* Hands the positions received since the last flush to the writer as one op. */
static void units_flush_now(struct node *n)
{
    struct units_op *u;

    if (n->writer == NULL || n->units_flushing || json_object_size(n->api.units_dirty) == 0)
        return;
    u = calloc(1, sizeof(*u));
    if (u == NULL)
        abort();
    u->node = n;
    u->batch = n->api.units_dirty;
    u->keep_after_ms = clock_now_ms() - (int64_t)n->cfg.track_retention_h * 3600 * 1000;
    n->api.units_dirty = json_object();
    u->op.apply = units_apply;
    u->op.arg = u;
    u->op.done = units_done;
    n->units_flushing = 1;
    writer_submit(n->writer, &u->op);
}

static void units_ev_cb(evutil_socket_t fd, short what, void *arg)
{
    units_flush_now(arg);
}

struct escalate_op {
    struct writer_op op;
    struct node *node;
    char id[220];
};

static enum sh_err escalate_apply(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct escalate_op *e = arg;
    json_t *msg = NULL, *channel = NULL;
    enum sh_err rc = messages_get(tx->db, e->id, &msg);

    if (rc != SH_OK)
        return rc;
    channels_get(tx->db, json_string_value(json_object_get(msg, "channel")), &channel);
    rc = messages_escalate(tx, e->id, json_string_value(json_object_get(channel, "parent_command")),
                           info);
    json_decref(channel);
    json_decref(msg);
    return rc;
}

static void escalate_done(struct writer_op *op)
{
    struct escalate_op *e = op->arg;

    if (op->result == SH_OK)
        log_warn("hotline.overdue", "message=%s escalated=true", e->id);
    e->node->escalating--;
    free(e);
}

/* Messages past their handling target without an acknowledgement are escalated once: an
 * entry on the stream naming the channel's parent command. The clock is clock_now_ms(), so
 * tests drive it with clock_set_fixed(). */
static void deadline_ev_cb(evutil_socket_t fd, short what, void *arg)
{
    struct node *n = arg;
    json_t *ids = json_array(), *id;
    size_t i;

    linktest_tick(n->linktest, clock_now_ms());
    if (n->writer == NULL || n->escalating > 0 ||
        messages_overdue(n->rdb, clock_now_ms(), ids) != SH_OK) {
        json_decref(ids);
        return;
    }
    json_array_foreach(ids, i, id)
    {
        struct escalate_op *e = calloc(1, sizeof(*e));
        if (e == NULL)
            abort();
        e->node = n;
        snprintf(e->id, sizeof(e->id), "%s", json_string_value(id));
        e->op = (struct writer_op){
            .apply = escalate_apply, .arg = e, .done = escalate_done, .urgent = 1};
        n->escalating++;
        writer_submit(n->writer, &e->op);
    }
    json_decref(ids);
}

/* Entries appended by another process (sarhad user add) reach the stream too. */
static void poll_ev_cb(evutil_socket_t fd, short what, void *arg)
{
    struct node *n = arg;
    int v = db_data_version(n->rdb);

    if (v == n->data_version)
        return;
    n->data_version = v;
    stream_hub_advance(n->hub, journal_last_seq(n->rdb));
    link_peers_refresh(n->link);
    link_notify(n->link);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    struct node *n = arg;
    struct timeval grace = {0, 200000};

    log_info("node.stopping", "signal=%d", (int)sig);
    units_flush_now(n);
    /* Stop taking connections, commit everything already accepted and answer it on the open
     * connections; the grace period lets those answers go out before the loop ends. */
    http_server_stop_accepting(n->http);
    linktest_detach(n->linktest);
    link_shutdown(n->link);
    writer_stop(n->writer);
    n->writer = NULL;
    n->api.writer = NULL;
    event_base_loopexit(n->base, &grace);
}

/* A partner's released unit position: latest wins, shown and kept like our own. */
static void partner_position(void *arg, json_t *unit)
{
    struct node *n = arg;
    const char *uid = json_string_value(json_object_get(unit, "uid"));

    json_object_set(n->api.units, uid, unit);
    json_object_set(n->api.units_dirty, uid, unit);
    stream_hub_position(n->hub, unit);
}

static enum sh_err node_open_link(struct node *n, const char *dir, struct sh_errinfo *info)
{
    char certp[600], keyp[600], dbp[600];
    enum sh_err rc;

    config_path(dir, "cert.pem", certp, sizeof(certp));
    config_path(dir, "node.key", keyp, sizeof(keyp));
    config_path(dir, "sarhad.db", dbp, sizeof(dbp));
    if ((rc = crypto_key_load(keyp, &n->key)))
        return err_set(info, rc, "node.key", "cannot load the node key %s (it must be mode 0600)",
                       keyp);
    struct link_config lc = {.node = n->cfg.name,
                             .country = n->cfg.country,
                             .listen = n->cfg.link_listen,
                             .cert_path = certp,
                             .key_path = keyp,
                             .heartbeat_s = n->cfg.link_heartbeat_s,
                             .key = n->key,
                             .border = &n->border,
                             .rdb = n->rdb,
                             .db_path = dbp,
                             .writer = n->writer,
                             .units = n->api.units,
                             .max_units = n->cfg.max_units,
                             .position_cb = partner_position,
                             .position_arg = n};
    if ((rc = link_start(n->base, &lc, &n->link, info)))
        return rc;
    n->api.link = n->link;
    n->linktest = linktest_new(n->rdb, n->writer, n->cfg.name, n->cfg.link_test_at,
                               n->cfg.link_test_timeout_s);
    n->api.linktest = n->linktest;
    return SH_OK;
}

static enum sh_err node_open(struct node *n, const char *dir, unsigned flags,
                             struct sh_errinfo *info)
{
    char dbp[600], certp[600], keyp[600];
    enum sh_err rc;
    enum log_level lvl = LOG_INFO;
    int64_t seq;
    uint8_t hash[ENTRY_HASH_LEN];

    if ((rc = config_load(dir, &n->cfg, info)))
        return rc;
    log_parse_level(n->cfg.log_level, &lvl);
    log_set_level(lvl);
    if ((rc = node_load_border(&n->cfg, &n->border, info)) ||
        (rc = node_load_landmarks(&n->cfg, &n->border, &n->landmarks, info)))
        return rc;
    config_path(dir, "sarhad.db", dbp, sizeof(dbp));
    if ((rc = db_open(dbp, 0, &n->rdb, info)))
        return rc;
    if ((rc = writer_start(dbp, n->cfg.name, n->cfg.store_max_batch, writer_notify, n, &n->writer,
                           info)))
        return rc;
    if (n->cfg.http_tls) {
        config_path(dir, "cert.pem", certp, sizeof(certp));
        config_path(dir, "node.key", keyp, sizeof(keyp));
        if ((rc = tls_server_ctx(certp, keyp, &n->tls, info)))
            return rc;
    }
    journal_head(n->rdb, &seq, hash);
    n->data_version = db_data_version(n->rdb);
    n->hub = stream_hub_new(n->base, n->rdb, n->cfg.http_stream_backlog, seq);
    n->api = (struct api_ctx){.cfg = &n->cfg,
                              .border = &n->border,
                              .landmarks = &n->landmarks,
                              .rdb = n->rdb,
                              .writer = n->writer,
                              .hub = n->hub,
                              .units = json_object(),
                              .units_dirty = json_object(),
                              .started_ms = clock_now_ms(),
                              .base = n->base,
                              .test_clock = (flags & NODE_SERVE_TEST_CLOCK) != 0};
    if ((rc = api_init(&n->api)) || (rc = units_load(n->rdb, n->api.units)))
        return rc;
    struct http_config hc = {.listen = n->cfg.http_listen,
                             .max_body = n->cfg.http_max_body,
                             .max_conns = n->cfg.http_max_conns,
                             .idle_timeout_s = n->cfg.http_idle_timeout,
                             .stream_max_backlog = n->cfg.http_stream_backlog,
                             .tls = n->tls};
    if ((rc = http_server_new(n->base, &hc, api_handle, &n->api, &n->http, info)))
        return rc;
    n->api.http = n->http;
    return node_open_link(n, dir, info);
}

static void node_close(struct node *n)
{
    http_server_free(n->http);
    link_shutdown(n->link);
    writer_stop(n->writer);
    link_free(n->link);
    linktest_free(n->linktest);
    crypto_key_free(n->key);
    stream_hub_free(n->hub);
    api_planner_free(&n->api);
    api_free(&n->api);
    json_decref(n->api.units);
    json_decref(n->api.units_dirty);
    db_close(n->rdb);
    tls_ctx_free(n->tls);
    landmarks_free(&n->landmarks);
    border_free(&n->border);
    struct event *evs[] = {n->writer_ev, n->units_ev,   n->poll_ev,
                           n->sigint_ev, n->sigterm_ev, n->deadline_ev};
    for (size_t i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
        if (evs[i])
            event_free(evs[i]);
    if (n->base)
        event_base_free(n->base);
}

enum sh_err node_serve(const char *dir, unsigned flags, struct sh_errinfo *info)
{
    struct node n;
    struct timeval second = {1, 0}, half = {0, 500000};
    enum sh_err rc;

    memset(&n, 0, sizeof(n));
    signal(SIGPIPE, SIG_IGN);
    evthread_use_pthreads();
    n.base = event_base_new();
    if (n.base == NULL)
        return err_set(info, SH_EIO, "", "cannot create the event loop");
    n.writer_ev = event_new(n.base, -1, 0, writer_ev_cb, &n);
    if ((rc = node_open(&n, dir, flags, info)))
        goto out;
    n.units_ev = event_new(n.base, -1, EV_PERSIST, units_ev_cb, &n);
    n.poll_ev = event_new(n.base, -1, EV_PERSIST, poll_ev_cb, &n);
    n.deadline_ev = event_new(n.base, -1, EV_PERSIST, deadline_ev_cb, &n);
    n.sigint_ev = evsignal_new(n.base, SIGINT, signal_cb, &n);
    n.sigterm_ev = evsignal_new(n.base, SIGTERM, signal_cb, &n);
    event_add(n.units_ev, &second);
    event_add(n.poll_ev, &half);
    event_add(n.deadline_ev, &second);
    event_add(n.sigint_ev, NULL);
    event_add(n.sigterm_ev, NULL);
    log_info("node.serving",
             "node=%s country=%s listen=%s port=%d tls=%s journal_seq=%lld "
             "version=%s",
             n.cfg.name, n.cfg.country, n.cfg.http_listen, http_server_port(n.http),
             n.tls ? "on" : "off", (long long)stream_hub_seq(n.hub), SARHAD_VERSION);
    if (flags & NODE_SERVE_TEST_CLOCK)
        log_warn("node.test_clock", "enabled=true route=\"POST /api/v1/test/clock\"");
    event_base_dispatch(n.base);
    log_info("node.stopped", "node=%s journal_seq=%lld", n.cfg.name,
             (long long)stream_hub_seq(n.hub));
out:
    node_close(&n);
    return rc;
}
