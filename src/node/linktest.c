/*
 * linktest.c: link tests as hotline messages (see linktest.h).
 */
#include "node/linktest.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/gate.h"
#include "domain/hotline.h"
#include "domain/template.h"
#include "store/hotline_store.h"
#include "store/journal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum test_state { TEST_NONE, TEST_PENDING, TEST_PASSED, TEST_FAILED };
static const char *const state_names[] = {"none", "pending", "passed", "failed"};

struct linktest {
    struct store_db *rdb;
    struct writer *writer;
    char node[64], test_at[8];
    enum test_state state;
    int64_t started_ms, finished_ms, round_trip_ms;
    char message[220];
    int daily_done_day; /* days since the epoch of the last daily test */
    int64_t timeout_ms;
};

struct test_op {
    struct writer_op op;
    struct linktest *t;
    json_t *doc;
    char *payload;
    int alarm;
};

struct linktest *linktest_new(struct store_db *rdb, struct writer *writer, const char *node,
                              const char *test_at, int timeout_s)
{
    struct linktest *t = calloc(1, sizeof(*t));

    if (t == NULL)
        abort();
    t->rdb = rdb;
    t->writer = writer;
    snprintf(t->node, sizeof(t->node), "%s", node);
    snprintf(t->test_at, sizeof(t->test_at), "%s", test_at);
    t->daily_done_day = -1;
    t->timeout_ms = (int64_t)timeout_s * 1000;
    return t;
}

void linktest_free(struct linktest *t)
{
    free(t);
}

void linktest_detach(struct linktest *t)
{
    if (t)
        t->writer = NULL;
}

static enum sh_err test_apply(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct test_op *o = arg;
    struct journal_entry e;
    enum sh_err rc;

    if (!o->alarm)
        return messages_send(tx, o->doc, &o->payload, info);
    memset(&e, 0, sizeof(e));
    snprintf(e.kind, sizeof(e.kind), "link.alarm");
    snprintf(e.record_id, sizeof(e.record_id), "link-test-%lld", (long long)tx->now_ms);
    e.version = 1;
    e.payload = json_dumps(o->doc, JSON_COMPACT | JSON_SORT_KEYS);
    e.payload_len = e.payload ? strlen(e.payload) : 0;
    e.urgent = gate_stream_of(e.kind, o->doc) == GATE_URGENT;
    rc = e.payload ? journal_append(tx, &e) : SH_ENOMEM;
    entry_clear(&e);
    return rc;
}

static void test_done(struct writer_op *op)
{
    struct test_op *o = op->arg;
    struct linktest *t = o->t;

    if (!o->alarm) {
        if (op->result == SH_OK) {
            snprintf(t->message, sizeof(t->message), "%s",
                     json_string_value(json_object_get(o->doc, "id")));
        } else {
            t->state = TEST_FAILED;
            t->finished_ms = clock_now_ms();
        }
    }
    json_decref(o->doc);
    free(o->payload);
    free(o);
}

static void submit(struct linktest *t, json_t *doc, int alarm)
{
    struct test_op *o = calloc(1, sizeof(*o));

    if (o == NULL)
        abort();
    o->t = t;
    o->doc = doc;
    o->alarm = alarm;
    o->op = (struct writer_op){.apply = test_apply, .arg = o, .done = test_done, .urgent = 1};
    writer_submit(t->writer, &o->op);
}

enum sh_err linktest_start(struct linktest *t, struct sh_errinfo *info)
{
    json_t *channel = NULL, *req, *doc = NULL;
    const json_t *release;
    char dtg[16];
    enum sh_err rc;

    if (t->writer == NULL)
        return err_set(info, SH_EUNPROCESSABLE, "", "the node is stopping");
    if (t->state == TEST_PENDING)
        return err_set(info, SH_ECONFLICT, "", "a link test is already running (%s)", t->message);
    if (channels_get(t->rdb, HOTLINE_NODE_CHANNEL, &channel) != SH_OK ||
        json_object_get(channel, "release") == NULL) {
        json_decref(channel);
        return err_set(info, SH_EUNPROCESSABLE, "peer",
                       "no node-to-node channel: pin a peer first (sarhad peer add)");
    }
    release = json_object_get(channel, "release");
    template_format_dtg(clock_now_ms(), dtg);
    req =
        json_pack("{s:s,s:s,s:s,s:s+,s:b}", "channel", HOTLINE_NODE_CHANNEL, "precedence",
                  "ROUTINE", "subject", "LINK TEST", "body", "Link test ", dtg, "ack_required", 0);
    rc = hotline_message_new(req, channel, json_string_value(json_array_get(release, 0)), t->node,
                             "link-test", clock_now_ms(), &doc, info);
    json_decref(req);
    json_decref(channel);
    if (rc != SH_OK)
        return rc;
    t->state = TEST_PENDING;
    t->started_ms = clock_now_ms();
    t->message[0] = '\0';
    submit(t, doc, 0);
    log_info("link.test_started", "node=%s", t->node);
    return SH_OK;
}

/* Has the receipt of the test message come back? */
static int delivered(struct linktest *t, int64_t *at)
{
    json_t *msg = NULL;
    const char *when;
    int yes = 0;

    if (t->message[0] && messages_get(t->rdb, t->message, &msg) == SH_OK) {
        when = json_string_value(json_object_get(json_object_get(msg, "delivered"), "delivered"));
        yes = when && clock_parse_rfc3339(when, strlen(when), at) == 0;
    }
    json_decref(msg);
    return yes;
}

static void daily(struct linktest *t, int64_t now_ms)
{
    time_t secs = (time_t)(now_ms / 1000);
    struct tm tm;
    char hhmm[8];

    if (t->test_at[0] == '\0')
        return;
    gmtime_r(&secs, &tm);
    snprintf(hhmm, sizeof(hhmm), "%02d:%02d", tm.tm_hour, tm.tm_min);
    if (strcmp(hhmm, t->test_at) == 0 && t->daily_done_day != (int)(now_ms / 86400000)) {
        t->daily_done_day = (int)(now_ms / 86400000);
        linktest_start(t, NULL);
    }
}

void linktest_tick(struct linktest *t, int64_t now_ms)
{
    int64_t at = 0;

    if (t == NULL || t->writer == NULL)
        return;
    daily(t, now_ms);
    if (t->state != TEST_PENDING)
        return;
    if (delivered(t, &at)) {
        t->state = TEST_PASSED;
        t->finished_ms = now_ms;
        t->round_trip_ms = at - t->started_ms;
        log_info("link.test_passed", "message=%s", t->message);
    } else if (now_ms - t->started_ms > t->timeout_ms) {
        char ts[32];
        t->state = TEST_FAILED;
        t->finished_ms = now_ms;
        log_error("link.test_failed", "message=%s reason=\"no delivery receipt within %lld s\"",
                  t->message, (long long)(t->timeout_ms / 1000));
        submit(t,
               json_pack("{s:s,s:s,s:s,s:s}", "alarm", "link test failed", "message", t->message,
                         "reason", "no delivery receipt in time", "started",
                         clock_format_rfc3339(t->started_ms, ts, sizeof(ts))),
               1);
    }
}

json_t *linktest_status(const struct linktest *t)
{
    char s[32], f[32];

    if (t == NULL || t->state == TEST_NONE)
        return json_null();
    return json_pack("{s:s,s:s,s:s?,s:s?,s:I}", "state", state_names[t->state], "started",
                     clock_format_rfc3339(t->started_ms, s, sizeof(s)), "message",
                     t->message[0] ? t->message : NULL, "finished",
                     t->finished_ms ? clock_format_rfc3339(t->finished_ms, f, sizeof(f)) : NULL,
                     "round_trip_ms", (json_int_t)t->round_trip_ms);
}
