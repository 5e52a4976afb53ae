/*
 * patrol.c: routes of coordinated patrolling and the fence: landmarks and places, patrol plans
 * (with their pairing and the near-border notice), fence progress and fence alarms.
 *
 * The computations are domain/'s (patrol.h, landmark.h, section.h, coverage.h, planner.h);
 * these handlers read, convert and submit.
 */
#include "api/api_int.h"

#include "core/clock.h"
#include "domain/coverage.h"
#include "domain/event.h"
#include "domain/field.h"
#include "domain/hotline.h"
#include "domain/patrol.h"
#include "domain/planner.h"
#include "crypto/crypto.h"
#include "domain/section.h"
#include "domain/unit.h"
#include "store/hotline_store.h"
#include "store/peers.h"

#include <event2/event.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS (24LL * 3600 * 1000)
#define PATROLS_SPAN_MAX_MS (92 * DAY_MS) /* a list or coverage spans at most a quarter */
#define FENCE_HISTORY_MAX 5000

/* The other side of the border, or "" if this node's country is not on it. */
static const char *partner_country(const struct api_ctx *api)
{
    const struct border *b = api->border;

    if (strcmp(api->cfg->country, b->left) == 0)
        return b->right;
    if (strcmp(api->cfg->country, b->right) == 0)
        return b->left;
    return "";
}

/* Reads ?name= as an RFC 3339 time into *out (default `dflt`). Answers and returns -1 if bad. */
static int query_time(struct api_call *call, const char *name, int64_t dflt, int64_t *out)
{
    char v[64];
    int r = api_query(call, name, v, sizeof(v));

    *out = dflt;
    if (r < 0 || (r == 1 && clock_parse_rfc3339(v, strlen(v), out) < 0)) {
        api_reply_error(call, 400, "invalid", name, "%s must be an RFC 3339 date-time", name);
        return -1;
    }
    return 0;
}

/* Reads ?from=&to= (default: the start of this hour to a day later) and checks the span. */
static int query_window(struct api_call *call, int64_t *from, int64_t *to)
{
    int64_t now = clock_now_ms() / 3600000 * 3600000;

    if (query_time(call, "from", now, from) < 0 || query_time(call, "to", *from + DAY_MS, to) < 0)
        return -1;
    if (*to <= *from || *to - *from > PATROLS_SPAN_MAX_MS) {
        api_reply_error(call, 400, "invalid", "to", "to must be after from, by at most 92 days");
        return -1;
    }
    return 0;
}

/* ---- Landmarks and places ----------------------------------------------------------------- */

void api_landmarks(struct api_call *call)
{
    api_reply_json(call, 200, landmarks_json(call->api->landmarks, call->api->border), NULL);
}

void api_place(struct api_call *call)
{
    static const char *const keys[] = {"lat", "lon", "pillar", "offset_m", "side", "depth_m"};
    struct sh_errinfo info = {0};
    struct place p;
    json_t *q = json_object();
    char v[64], *end;

    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        int r = api_query(call, keys[i], v, sizeof(v));
        if (r < 0) {
            json_decref(q);
            api_reply_error(call, 400, "invalid", keys[i], "%s is malformed", keys[i]);
            return;
        }
        if (r == 0)
            continue;
        if (strcmp(keys[i], "side") == 0) {
            json_object_set_new(q, keys[i], json_string(v));
            continue;
        }
        double d = strtod(v, &end);
        if (end == v || *end != '\0' || !isfinite(d)) {
            json_decref(q);
            api_reply_error(call, 400, "invalid", keys[i], "%s must be a number", keys[i]);
            return;
        }
        json_object_set_new(q, keys[i], json_real(d));
    }
    enum sh_err rc = landmarks_place_json(call->api->landmarks, call->api->border, q, &p, &info);
    json_decref(q);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    api_reply_json(call, 200, place_json(&p), NULL);
}

/* ---- Patrols ------------------------------------------------------------------------------- */

static int is_shared_plan(const json_t *p)
{
    const char *kind = json_string_value(json_object_get(p, "kind"));
    const char *status = json_string_value(json_object_get(p, "status"));

    return kind && status && strcmp(kind, "REGULAR") != 0 && strcmp(status, "CANCELLED") != 0;
}

/* The stretch and window of patrol document `p`, for domain/coverage. */
static struct coverage_patrol patrol_of(const json_t *p, int side)
{
    struct coverage_patrol c = {.side = side,
                                .from_km = json_number_value(json_object_get(p, "from_km")),
                                .to_km = json_number_value(json_object_get(p, "to_km"))};

    patrol_window(p, &c.start_ms, &c.end_ms);
    return c;
}

/* Adds "pairing": [{id, side, kind, from_km, to_km, start, end, overlap}] to every patrol of
 * `patrols`: for a coordinated or joint one, the other side's coordinated or joint patrols
 * that overlap it in stretch and time, the largest joint effort first. */
static void add_pairing(json_t *patrols)
{
    size_t n = json_array_size(patrols), i, k, nshared = 0;
    struct coverage_patrol *c = calloc(n + 1, sizeof(*c));
    struct coverage_pair *pairs = calloc(n + 1, sizeof(*pairs));
    size_t *at = calloc(n + 1, sizeof(*at));
    json_t *p;
    char s[32], e[32];

    json_array_foreach(patrols, i, p)
    {
        if (c && at && is_shared_plan(p)) {
            c[nshared] = patrol_of(p, 0);
            at[nshared++] = i;
        }
    }
    json_array_foreach(patrols, i, p)
    {
        json_t *pairing = json_array();
        const char *side = json_string_value(json_object_get(p, "side"));
        size_t m;
        if (pairs && c && at && is_shared_plan(p)) {
            struct coverage_patrol mine = patrol_of(p, 0);
            m = coverage_pairs(&mine, c, nshared, pairs);
            for (k = 0; k < m; k++) {
                const json_t *q = json_array_get(patrols, at[pairs[k].partner]);
                if (strcmp(side, json_string_value(json_object_get(q, "side"))) == 0)
                    continue; /* one side's patrols do not pair with each other */
                json_array_append_new(
                    pairing,
                    json_pack("{s:O,s:O,s:O,s:O,s:O,s:O,s:O,s:{s:f,s:f,s:s,s:s}}", "id",
                              json_object_get(q, "id"), "side", json_object_get(q, "side"), "kind",
                              json_object_get(q, "kind"), "from_km", json_object_get(q, "from_km"),
                              "to_km", json_object_get(q, "to_km"), "start",
                              json_object_get(q, "start"), "end", json_object_get(q, "end"),
                              "overlap", "from_km", pairs[k].from_km, "to_km", pairs[k].to_km,
                              "start", clock_format_rfc3339(pairs[k].start_ms, s, sizeof(s)), "end",
                              clock_format_rfc3339(pairs[k].end_ms, e, sizeof(e))));
            }
        }
        json_object_set_new(p, "pairing", pairing);
    }
    free(c);
    free(pairs);
    free(at);
}

void api_patrols_list(struct api_call *call)
{
    int64_t from, to;
    char side[8];
    int r;
    json_t *all = json_array(), *out;
    size_t i;
    json_t *p;

    if (query_window(call, &from, &to) < 0) {
        json_decref(all);
        return;
    }
    if ((r = api_query(call, "side", side, sizeof(side))) < 0) {
        json_decref(all);
        api_reply_error(call, 400, "invalid", "side", "side is an ISO3 code");
        return;
    }
    if (patrols_list(call->api->rdb, from, to, all) != SH_OK) {
        json_decref(all);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    add_pairing(all);
    out = json_array();
    json_array_foreach(all, i, p)
    {
        if (r == 0 || strcmp(json_string_value(json_object_get(p, "side")), side) == 0)
            json_array_append(out, p);
    }
    json_decref(all);
    api_reply_json(call, 200, json_pack("{s:o}", "patrols", out), NULL);
}

void api_patrols_get(struct api_call *call)
{
    json_t *doc;
    enum sh_err rc = patrols_get(call->api->rdb, call->param, &doc);

    if (rc == SH_ENOTFOUND) {
        api_reply_error(call, 404, "not_found", "id", "no patrol %s", call->param);
        return;
    }
    if (rc != SH_OK) {
        api_reply_err(call, rc, NULL);
        return;
    }
    api_reply_json(call, 200, doc, NULL);
}

/* Journals the near-border notice decision for a new patrol and, when it is to be sent, the
 * activity notice itself on the node-to-node channel, in the patrol's own transaction: the
 * plan and its notice are recorded together or not at all. */
static enum sh_err patrol_notice(struct store_tx *tx, struct api_call *call,
                                 enum patrol_change change, struct sh_errinfo *info)
{
    const json_t *doc = call->doc;
    const char *decision, *kind = json_string_value(json_object_get(doc, "kind"));
    json_t *channel = NULL, *msg = NULL, *body, *note;
    char country[4] = "", ts[32];
    enum sh_err rc = SH_OK;

    if (json_number_value(json_object_get(doc, "depth_km")) > call->api->cfg->patrol_notice_km)
        return SH_OK; /* beyond the notice distance: nothing to announce */
    if (json_is_true(json_object_get(doc, "national")))
        decision = "NATIONAL";
    else if (strcmp(kind, "REGULAR") != 0)
        decision = "SHARED"; /* the partner receives the plan itself */
    else if (channels_get(tx->db, HOTLINE_NODE_CHANNEL, &channel) != SH_OK ||
             peers_country(tx->db, json_string_value(json_object_get(channel, "peer")), country) !=
                 SH_OK)
        decision = "NO_PARTNER";
    else
        decision = "NOTIFIED";
    if (strcmp(decision, "NOTIFIED") == 0) {
        body = json_pack("{s:s,s:s,s:s,s:o,s:b}", "channel", HOTLINE_NODE_CHANNEL, "precedence",
                         "PRIORITY", "template", "border_activity_notice", "fields",
                         patrol_notice_fields(doc, change), "ack_required", 0);
        rc = hotline_message_new(body, channel, country, call->api->cfg->name, call->user.name,
                                 tx->now_ms, &msg, info);
        json_decref(body);
        if (rc == SH_OK)
            rc = messages_send(tx, msg, NULL, info);
    }
    json_decref(channel);
    if (rc == SH_OK) {
        note =
            json_pack("{s:O,s:s,s:s,s:s,s:s,s:o}", "patrol", json_object_get(doc, "id"), "change",
                      change == PATROL_NEW       ? "NEW"
                      : change == PATROL_CHANGED ? "CHANGED"
                                                 : "CANCELLED",
                      "decision", decision, "by", call->user.name, "time",
                      clock_format_rfc3339(tx->now_ms, ts, sizeof(ts)), "message",
                      msg ? json_incref(json_object_get(msg, "id")) : json_null());
        json_object_set_new(note, "release", json_array());
        rc = records_note(tx, "patrol.notice", json_string_value(json_object_get(doc, "id")),
                          json_integer_value(json_object_get(doc, "version")), note);
        json_decref(note);
        json_object_set_new(call->doc, "notice", json_string(decision));
    }
    json_decref(msg);
    return rc;
}

static enum sh_err apply_patrol(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;
    enum sh_err rc = patrols_put(tx, call->kind, call->doc, call->base_version, NULL, info);

    json_t *last = NULL;
    const char *told;

    if (rc != SH_OK)
        return rc;
    if (call->base_version == 0)
        return patrol_notice(tx, call, PATROL_NEW, info);
    if (call->variant == PATROL_NEW) /* nothing the partner was told of has changed */
        return SH_OK;
    /* A plan the partner was told of is told again when its stretch or window moves or it is
     * cancelled; one it never heard of is not. */
    if ((rc = patrols_last_notice(tx->db, json_string_value(json_object_get(call->doc, "id")),
                                  &last)))
        return rc;
    told = json_string_value(json_object_get(last, "decision"));
    if (told && strcmp(told, "NOTIFIED") == 0)
        rc = patrol_notice(tx, call, (enum patrol_change)call->variant, info);
    json_decref(last);
    return rc;
}

static void patrol_written(struct writer_op *op)
{
    struct api_call *call = op->arg;
    char extra[200];

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    snprintf(extra, sizeof(extra), "ETag: \"%lld\"\r\nLocation: /api/v1/patrols/%s\r\n",
             (long long)json_integer_value(json_object_get(call->doc, "version")),
             json_string_value(json_object_get(call->doc, "id")));
    api_reply_json(call, call->base_version == 0 ? 201 : 200, json_incref(call->doc), extra);
}

void api_patrols_create(struct api_call *call)
{
    struct sh_errinfo info = {0};
    char id[37];
    enum sh_err rc;

    api_new_uuid(id);
    rc = patrol_new(call->body, call->api->border, call->api->cfg->country,
                    partner_country(call->api), id, call->user.name, call->api->cfg->name,
                    clock_now_ms(), &call->doc, &info);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    call->kind = "patrol.create";
    call->base_version = 0;
    api_submit(call, apply_patrol, patrol_written);
}

void api_patrols_patch(struct api_call *call)
{
    struct sh_errinfo info = {0};
    int64_t base;
    json_t *current = api_patch_current(call, "patrol", patrols_get, &base);
    enum sh_err rc;

    if (current == NULL)
        return;
    rc = patrol_patch(current, call->body, call->api->border, clock_now_ms(), &call->doc, &info);
    if (rc != SH_OK) {
        json_decref(current);
        api_reply_err(call, rc, &info);
        return;
    }
    /* What the partner might need to hear again (PATROL_NEW: nothing it was told changed). */
    call->variant = PATROL_NEW;
    if (strcmp(json_string_value(json_object_get(call->doc, "status")), "CANCELLED") == 0)
        call->variant = PATROL_CANCELLED;
    else
        for (const char *const *k = (const char *const[]){"from_km", "to_km", "start", "end", NULL};
             *k; k++)
            if (!json_equal(json_object_get(current, *k), json_object_get(call->doc, *k)))
                call->variant = PATROL_CHANGED;
    json_decref(current);
    call->kind = "patrol.update";
    call->base_version = base;
    api_submit(call, apply_patrol, patrol_written);
}

/* ---- The fence ----------------------------------------------------------------------------- */

/* [{name, km: {none, planned, under_construction, complete, damaged}, length_km,
 *   share_complete}, ...] for `country`'s side of `sections`: one row per sector (or one "all"
 * without sectors), then a row named "total". */
static json_t *fence_side(const struct api_ctx *api, const json_t *sections, const char *country)
{
    const struct landmarks *lm = api->landmarks;
    int nsec = lm->nsectors ? lm->nsectors : 1;
    double(*km)[SECTION_FENCES] = calloc((size_t)nsec + 1, sizeof(*km));
    json_t *out = json_array(), *s;
    size_t i;

    if (km == NULL)
        return out;
    json_array_foreach(sections, i, s)
    {
        double part[SECTION_FENCES];
        double mid = (json_number_value(json_object_get(s, "from_km")) +
                      json_number_value(json_object_get(s, "to_km"))) /
                     2;
        int k = lm->nsectors ? landmarks_sector_index(lm, mid) : 0;
        section_fence_km(s, country, part);
        for (int f = 0; f < SECTION_FENCES; f++) {
            if (k >= 0)
                km[k][f] += part[f];
            km[nsec][f] += part[f];
        }
    }
    for (int k = 0; k <= nsec; k++) {
        double total = 0;
        for (int f = 0; f < SECTION_FENCES; f++)
            total += km[k][f];
        json_t *row = json_pack(
            "{s:{s:f,s:f,s:f,s:f,s:f},s:f,s:f}", "km", "none", round(km[k][0] * 1000) / 1000,
            "planned", round(km[k][1] * 1000) / 1000, "under_construction",
            round(km[k][2] * 1000) / 1000, "complete", round(km[k][3] * 1000) / 1000, "damaged",
            round(km[k][4] * 1000) / 1000, "length_km", round(total * 1000) / 1000,
            "share_complete", total > 0 ? round(km[k][3] / total * 10000) / 10000 : 0.0);
        if (k == nsec) {
            json_object_set_new(row, "name", json_string("total"));
        } else {
            json_object_set_new(row, "name",
                                json_string(lm->nsectors ? lm->sectors[k].name : "all"));
        }
        json_array_append_new(out, row);
    }
    free(km);
    return out;
}

/* The fence's history on `country`'s side: after each change of a section's fence, the km
 * planned, under construction, complete and damaged along the whole line (running sums: each
 * change takes out the section's old part and adds its new one). */
static json_t *fence_history(const json_t *versions, const json_t *sections, const char *country)
{
    double sum[SECTION_FENCES] = {0};
    json_t *state = json_object(), *history = json_array(), *v, *s;
    size_t i;
    char key[24], ts[32];

    /* Start from the initial state: every section as it was before the changes listed. */
    json_array_foreach(sections, i, s)
    {
        snprintf(key, sizeof(key), "%lld", (long long)json_integer_value(json_object_get(s, "id")));
        json_object_set_new(
            state, key,
            json_pack("{s:O,s:O,s:{s:{s:s}}}", "from_km", json_object_get(s, "from_km"), "to_km",
                      json_object_get(s, "to_km"), "sides", country, "fence", "NONE"));
    }
    json_array_foreach(versions, i, v)
    {
        const json_t *doc = json_object_get(v, "doc");
        const json_t *side = json_object_get(json_object_get(doc, "sides"), country);
        double before[SECTION_FENCES], after[SECTION_FENCES];
        json_t *t;
        snprintf(key, sizeof(key), "%lld",
                 (long long)json_integer_value(json_object_get(doc, "id")));
        t = json_object_get(state, key);
        if (t == NULL || side == NULL)
            continue;
        const json_t *was = json_object_get(json_object_get(t, "sides"), country);
        if (json_equal(json_object_get(was, "fence"), json_object_get(side, "fence")) &&
            json_number_value(json_object_get(was, "fence_km")) ==
                json_number_value(json_object_get(side, "fence_km")))
            continue; /* a change of the other side, the command or the impact */
        section_fence_km(t, country, before);
        json_object_set_new(json_object_get(t, "sides"), country, json_deep_copy(side));
        section_fence_km(t, country, after);
        for (int f = 0; f < SECTION_FENCES; f++)
            sum[f] += after[f] - before[f];
        json_array_append_new(
            history,
            json_pack("{s:s,s:f,s:f,s:f,s:f}", "time",
                      clock_format_rfc3339(json_integer_value(json_object_get(v, "time_ms")), ts,
                                           sizeof(ts)),
                      "planned", round(sum[1] * 1000) / 1000, "under_construction",
                      round(sum[2] * 1000) / 1000, "complete", round(sum[3] * 1000) / 1000,
                      "damaged", round(sum[4] * 1000) / 1000));
    }
    json_decref(state);
    return history;
}

void api_fence(struct api_call *call)
{
    const struct border *b = call->api->border;
    json_t *sections = json_array(), *versions = json_array(), *sides, *history;

    if (sections_list(call->api->rdb, sections) != SH_OK ||
        section_versions(call->api->rdb, FENCE_HISTORY_MAX, versions) != SH_OK) {
        json_decref(sections);
        json_decref(versions);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    sides = json_object();
    history = json_object();
    json_object_set_new(sides, b->left, fence_side(call->api, sections, b->left));
    json_object_set_new(sides, b->right, fence_side(call->api, sections, b->right));
    json_object_set_new(history, b->left, fence_history(versions, sections, b->left));
    json_object_set_new(history, b->right, fence_history(versions, sections, b->right));
    json_decref(sections);
    json_decref(versions);
    api_reply_json(call, 200, json_pack("{s:o,s:o}", "sides", sides, "history", history), NULL);
}

/* Runs on the writer: this side's fence facts as they are now, released to the partner. */
static enum sh_err apply_fence_release(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;
    json_t *sections = json_array();
    enum sh_err rc = sections_list(tx->db, sections);

    if (rc == SH_OK) {
        call->doc =
            section_fence_release(sections, call->api->cfg->country, partner_country(call->api),
                                  call->api->cfg->name, 0, tx->now_ms);
        rc = call->doc ? fence_release_put(tx, call->doc, info) : SH_ENOMEM;
    }
    json_decref(sections);
    return rc;
}

static void fence_released(struct writer_op *op)
{
    struct api_call *call = op->arg;

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    api_reply_json(call, 201,
                   json_pack("{s:O,s:O,s:O,s:O,s:I}", "id", json_object_get(call->doc, "id"),
                             "version", json_object_get(call->doc, "version"), "time",
                             json_object_get(call->doc, "time"), "release",
                             json_object_get(call->doc, "release"), "sections",
                             (json_int_t)json_array_size(json_object_get(call->doc, "sections"))),
                   NULL);
}

void api_fence_release(struct api_call *call)
{
    if (partner_country(call->api)[0] == '\0') {
        api_reply_error(call, 422, "unprocessable", "", "this node's country is not on the border");
        return;
    }
    api_submit(call, apply_fence_release, fence_released);
}

/* ---- Fence alarms -------------------------------------------------------------------------- */

/* Runs on the writer: folds the alarm into the sensor's open alarm event of the last
 * alarm_fold seconds (count + 1, a new version), or journals a new event. In the writer, so
 * that two alarms racing each other cannot both start an event. */
static enum sh_err apply_alarm(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;
    const char *sensor = json_string_value(json_object_get(call->doc, "sensor"));
    json_t *last = NULL;
    int64_t t_last = 0, t_new = 0;
    const char *s;
    char ts[32];
    enum sh_err rc;

    s = json_string_value(json_object_get(call->doc, "time"));
    clock_parse_rfc3339(s, strlen(s), &t_new);
    if (alarms_last(tx->db, call->api->cfg->name, sensor, &last) == SH_OK &&
        strcmp(json_string_value(json_object_get(last, "status")), "OPEN") == 0 &&
        (s = json_string_value(json_object_get(last, "time"))) &&
        clock_parse_rfc3339(s, strlen(s), &t_last) == 0 && t_new >= t_last &&
        t_new - t_last <= (int64_t)call->api->cfg->fence_alarm_fold_s * 1000 &&
        strcmp(json_string_value(json_object_get(last, "category")),
               json_string_value(json_object_get(call->doc, "category"))) == 0) {
        json_t *doc = json_deep_copy(last);
        int64_t version = json_integer_value(json_object_get(last, "version"));
        json_object_set_new(doc, "version", json_integer(version + 1));
        json_object_set_new(doc, "count",
                            json_integer(json_integer_value(json_object_get(last, "count")) + 1));
        json_object_set_new(doc, "time", json_string(clock_format_rfc3339(t_new, ts, sizeof(ts))));
        json_object_set_new(doc, "updated",
                            json_string(clock_format_rfc3339(tx->now_ms, ts, sizeof(ts))));
        json_decref(call->doc);
        call->doc = doc;
        rc = events_put(tx, "event.update", doc, version, &call->payload, info);
    } else {
        rc = events_put(tx, "event.create", call->doc, 0, &call->payload, info);
    }
    json_decref(last);
    return rc;
}

static void alarm_written(struct writer_op *op)
{
    struct api_call *call = op->arg;
    char extra[200];

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    snprintf(extra, sizeof(extra), "Location: /api/v1/events/%s\r\n",
             json_string_value(json_object_get(call->doc, "id")));
    api_reply_text(call, json_integer_value(json_object_get(call->doc, "count")) == 1 ? 201 : 200,
                   call->payload, extra);
}

void api_fence_alarms(struct api_call *call)
{
    static const char *const keys[] = {"sensor", "kind",     "time", "chainage_km", "lat", "lon",
                                       "pillar", "offset_m", "side", "depth_m",     NULL};
    const struct api_ctx *api = call->api;
    struct sh_errinfo info = {0};
    struct place p;
    json_t *body = call->body, *ev = NULL;
    const char *sensor;
    int kind;
    double km;
    int has_km;
    int64_t t = clock_now_ms();
    int has_t;
    char id[37];
    enum sh_err rc;

    if (!json_is_object(body)) {
        api_reply_error(call, 400, "invalid", "", "the body must be a JSON object");
        return;
    }
    if ((rc = field_only(body, keys, &info)) ||
        (rc = field_string(body, "sensor", UNIT_UID_MAX, 1, &sensor, &info)) ||
        (rc = field_enum(body, "kind", alarm_kinds, 1, &kind, &info)) ||
        (rc = field_number(body, "chainage_km", 0, api->border->line.length_km, 0, &km, &has_km,
                           &info)) ||
        (rc = field_time(body, "time", 0, &t, &has_t, &info))) {
        api_reply_err(call, rc, &info);
        return;
    }
    if (has_t && t > clock_now_ms() + 5 * 60 * 1000) {
        api_reply_error(call, 400, "invalid", "time", "the alarm's time is in the future");
        return;
    }
    if (has_km) {
        struct geo_point at;
        geo_line_point_at(&api->border->line, km, &at);
        landmarks_place_latlon(api->landmarks, api->border, at.lat, at.lon, &p);
    } else if (!json_object_get(body, "lat") && !json_object_get(body, "pillar")) {
        api_reply_error(call, 400, "invalid", "lat",
                        "an alarm needs a place: chainage_km, lat and lon, or pillar (with "
                        "offset_m, side, depth_m)");
        return;
    } else if ((rc = landmarks_place_json(api->landmarks, api->border, body, &p, &info))) {
        api_reply_err(call, rc, &info);
        return;
    }
    rc = alarm_event_body(body, p.lat, p.lon, t,
                          p.distance_km <= api->cfg->fence_alarm_release_km &&
                                  partner_country(call->api)[0]
                              ? partner_country(call->api)
                              : NULL,
                          &ev, &info);
    if (rc == SH_OK) {
        api_new_uuid(id);
        rc = event_create(ev, api->border, id, call->user.name, api->cfg->name, clock_now_ms(),
                          &call->doc, &info);
    }
    json_decref(ev);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    json_object_set(call->doc, "sensor", json_object_get(body, "sensor"));
    json_object_set_new(call->doc, "count", json_integer(1));
    call->op.urgent = 1; /* alarms ride the link's urgent stream: no wait behind bulk writes */
    api_submit(call, apply_alarm, alarm_written);
}

/* ---- Coverage, gaps and adherence ---------------------------------------------------------- */

#define COVERAGE_CELLS_MAX 2000000 /* sections x buckets in one answer */

/* The sections and patrols of [from, to) as domain/coverage sees them; weights are this
 * side's impact levels now (each section gets "impact" set to it). Answers and returns -1 on a
 * storage failure. */
static int coverage_load(struct api_call *call, int64_t from, int64_t to, json_t **sections,
                         struct coverage_section **cs, struct coverage_patrol **cp, size_t *np)
{
    const char *own = call->api->cfg->country;
    json_t *s;
    size_t i;
    enum sh_err rc;

    *sections = json_array();
    *cs = NULL;
    *cp = NULL;
    *np = 0;
    if ((rc = sections_list(call->api->rdb, *sections)) != SH_OK ||
        (rc = patrols_spans(call->api->rdb, from, to, own, cp, np)) != SH_OK)
        goto fail;
    *cs = calloc(json_array_size(*sections) + 1, sizeof(**cs));
    if (*cs == NULL) {
        rc = SH_ENOMEM;
        goto fail;
    }
    json_array_foreach(*sections, i, s)
    {
        const char *impact = section_effective_impact(
            json_object_get(json_object_get(s, "sides"), own), clock_now_ms());
        int w = coverage_impact_weight(impact);
        (*cs)[i] = (struct coverage_section){json_number_value(json_object_get(s, "from_km")),
                                             json_number_value(json_object_get(s, "to_km")),
                                             w < 0 ? 1 : w};
        json_object_set_new(s, "impact", json_string(impact));
    }
    return 0;
fail:
    json_decref(*sections);
    free(*cs);
    free(*cp);
    *sections = NULL;
    *cs = NULL;
    *cp = NULL;
    api_reply_err(call, rc, NULL);
    return -1;
}

static double minutes(double m)
{
    return round(m * 100) / 100;
}

/* A growable text buffer for answers too large to build as JSON objects. */
struct textbuf {
    char *p;
    size_t len, cap;
    int failed;
};

static void tb_printf(struct textbuf *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void tb_printf(struct textbuf *t, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (t->failed)
        return;
    for (;;) {
        va_start(ap, fmt);
        n = vsnprintf(t->p + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        if (n < 0) {
            t->failed = 1;
            return;
        }
        if ((size_t)n < t->cap - t->len) {
            t->len += (size_t)n;
            return;
        }
        size_t cap = (t->cap + (size_t)n + 1) * 2;
        char *grown = realloc(t->p, cap);
        if (grown == NULL) {
            t->failed = 1;
            return;
        }
        t->p = grown;
        t->cap = cap;
    }
}

/* Minutes as JSON number text (to the hundredth; whole minutes, the common case, without
 * going through printf's floating point). */
static const char *number_text(double m, char out[24])
{
    double r = minutes(m);
    long long whole = (long long)r;

    if ((double)whole == r && whole >= 0 && whole < 1000000000LL) {
        char *p = out + 23;
        *p = '\0';
        do {
            *--p = (char)('0' + whole % 10);
            whole /= 10;
        } while (whole);
        return p;
    }
    snprintf(out, 24, "%.15g", r);
    return out;
}

/* The JSON text of GET /api/v1/coverage, or NULL when out of memory. */
static char *coverage_text(const json_t *sections, const struct coverage_cell *cells, size_t nb,
                           int64_t from, int64_t to, int64_t step_s)
{
    struct textbuf t = {malloc(1 << 16), 0, 1 << 16, 0};
    char a[32], b[32];
    const json_t *s;
    size_t i;

    if (t.p == NULL)
        return NULL;
    tb_printf(&t, "{\"from\":\"%s\",\"to\":\"%s\",\"step\":%lld,\"buckets\":[",
              clock_format_rfc3339(from, a, sizeof(a)), clock_format_rfc3339(to, b, sizeof(b)),
              (long long)step_s);
    for (size_t k = 0; k < nb; k++)
        tb_printf(&t, "%s\"%s\"", k ? "," : "",
                  clock_format_rfc3339(from + (int64_t)k * step_s * 1000, a, sizeof(a)));
    tb_printf(&t, "],\"sections\":[");
    json_array_foreach(sections, i, s)
    {
        tb_printf(&t,
                  "%s{\"id\":%lld,\"from_km\":%.15g,\"to_km\":%.15g,\"impact\":\"%s\","
                  "\"cells\":[",
                  i ? "," : "", (long long)json_integer_value(json_object_get(s, "id")),
                  json_number_value(json_object_get(s, "from_km")),
                  json_number_value(json_object_get(s, "to_km")),
                  json_string_value(json_object_get(s, "impact")));
        for (size_t k = 0; k < nb; k++) {
            const struct coverage_cell *c = &cells[i * nb + k];
            char o[24], p[24], bo[24], g[24];
            tb_printf(&t,
                      "%s{\"own_min\":%s,\"partner_min\":%s,\"both_min\":%s,"
                      "\"longest_gap_min\":%s}",
                      k ? "," : "", number_text(c->own_min, o), number_text(c->partner_min, p),
                      number_text(c->both_min, bo), number_text(c->gap_max_min, g));
        }
        tb_printf(&t, "]}");
    }
    tb_printf(&t, "]}");
    if (t.failed) {
        free(t.p);
        return NULL;
    }
    return t.p;
}

void api_coverage(struct api_call *call)
{
    struct coverage_section *cs;
    struct coverage_patrol *cp;
    struct coverage_cell *cells = NULL;
    struct sh_errinfo info = {0};
    json_t *sections;
    int64_t from, to, step_s = 3600;
    size_t np, nb, ns;
    char v[32], *end, *text;
    int r;

    if (query_window(call, &from, &to) < 0)
        return;
    errno = 0;
    if ((r = api_query(call, "step", v, sizeof(v))) < 0 ||
        (r == 1 && ((step_s = strtoll(v, &end, 10)) < 60 || *end != '\0' || errno ||
                    step_s > (to - from) / 1000 + 60))) {
        api_reply_error(call, 400, "invalid", "step",
                        "step is a number of seconds, from 60 to the window's length");
        return;
    }
    if (coverage_load(call, from, to, &sections, &cs, &cp, &np) < 0)
        return;
    ns = json_array_size(sections);
    nb = coverage_bucket_count(from, to, step_s * 1000);
    if (nb == 0 || ns * nb > COVERAGE_CELLS_MAX) {
        api_reply_error(call, 400, "invalid", "step",
                        "%zu sections x %zu buckets is more than %d cells: use a larger step or "
                        "a shorter window",
                        ns, nb, COVERAGE_CELLS_MAX);
        goto out;
    }
    cells = calloc(ns * nb, sizeof(*cells));
    struct coverage_input in = {cs, ns, cp, np, from, to};
    if (cells == NULL || coverage_compute(&in, step_s * 1000, cells, ns * nb, &info) != SH_OK) {
        api_reply_err(call, cells ? SH_EINVAL : SH_ENOMEM, cells ? &info : NULL);
        goto out;
    }
    /* Written as text: a week of 1 km sections is 140,000 cells, too many to build as
     * jansson objects first. The shape is the documented one. */
    text = coverage_text(sections, cells, nb, from, to, step_s);
    if (text == NULL)
        api_reply_err(call, SH_ENOMEM, NULL);
    else
        api_reply_text(call, 200, text, NULL);
    free(text);
out:
    free(cells);
    free(cs);
    free(cp);
    json_decref(sections);
}

void api_coverage_gaps(struct api_call *call)
{
    static const char *const ofs[] = {"nobody", "own", "partner", NULL};
    struct coverage_section *cs;
    struct coverage_patrol *cp;
    struct coverage_gap *gaps = NULL;
    struct sh_errinfo info = {0};
    json_t *sections, *out;
    int64_t from, to;
    double min_minutes = 0;
    long limit = 200;
    size_t np, ng = 0;
    char v[32], *end, s[32], e[32];
    int r, of = 0;

    if (query_window(call, &from, &to) < 0)
        return;
    if ((r = api_query(call, "min_minutes", v, sizeof(v))) < 0 ||
        (r == 1 && (!((min_minutes = strtod(v, &end)) >= 0) || !isfinite(min_minutes) ||
                    *end != '\0' || end == v))) {
        api_reply_error(call, 400, "invalid", "min_minutes", "min_minutes is a number >= 0");
        return;
    }
    if ((r = api_query(call, "of", v, sizeof(v))) < 0 ||
        (r == 1 && (of = field_lookup(ofs, v)) < 0)) {
        api_reply_error(call, 400, "invalid", "of", "of is nobody, own or partner");
        return;
    }
    if ((r = api_query(call, "limit", v, sizeof(v))) < 0 ||
        (r == 1 && ((limit = strtol(v, &end, 10)) < 1 || limit > 10000 || *end != '\0'))) {
        api_reply_error(call, 400, "invalid", "limit", "limit is 1 to 10000");
        return;
    }
    if (coverage_load(call, from, to, &sections, &cs, &cp, &np) < 0)
        return;
    struct coverage_input in = {cs, json_array_size(sections), cp, np, from, to};
    if (coverage_gaps(&in, (enum coverage_gap_of)of, min_minutes, &gaps, &ng, &info) != SH_OK) {
        api_reply_err(call, SH_EINVAL, &info);
        goto out;
    }
    out = json_array();
    for (size_t i = 0; i < ng && (long)i < limit; i++) {
        const json_t *sec = json_array_get(sections, gaps[i].section);
        json_array_append_new(
            out,
            json_pack("{s:O,s:O,s:O,s:O,s:s,s:s,s:f,s:f}", "section", json_object_get(sec, "id"),
                      "from_km", json_object_get(sec, "from_km"), "to_km",
                      json_object_get(sec, "to_km"), "impact", json_object_get(sec, "impact"),
                      "start", clock_format_rfc3339(gaps[i].start_ms, s, sizeof(s)), "end",
                      clock_format_rfc3339(gaps[i].end_ms, e, sizeof(e)), "minutes",
                      minutes(gaps[i].minutes), "score", minutes(gaps[i].score)));
    }
    api_reply_json(call, 200,
                   json_pack("{s:s,s:I,s:o}", "of", ofs[of], "total", (json_int_t)ng, "gaps", out),
                   NULL);
out:
    free(gaps);
    free(cs);
    free(cp);
    json_decref(sections);
}

#define ADHERENCE_TOLERANCE_KM 1.0
#define ADHERENCE_GRACE_MS (15 * 60 * 1000)

/* Flags of one own patrol `p` against its units' tracks up to `now`. */
static void adherence_of(struct api_call *call, const json_t *p, int64_t now, json_t *out)
{
    const json_t *units = json_object_get(p, "units");
    struct coverage_patrol plan = patrol_of(p, 0);
    struct coverage_adherence_opts opts = {
        .tolerance_km = ADHERENCE_TOLERANCE_KM, .now_ms = now, .grace_ms = ADHERENCE_GRACE_MS};
    struct coverage_report *reports = NULL;
    struct coverage_flag *flags = NULL;
    struct sh_errinfo info = {0};
    size_t n = 0, cap = 0, nf = 0, i, k;
    json_t *u, *track = json_array(), *pt;
    char ts[32];

    json_array_foreach(units, i, u)
    {
        json_array_clear(track);
        if (tracks_between(call->api->rdb, json_string_value(u), plan.start_ms,
                           plan.end_ms < now ? plan.end_ms : now, track) != SH_OK)
            continue;
        json_array_foreach(track, k, pt)
        {
            struct border_fix fix;
            if (n == cap) {
                size_t ncap = cap ? cap * 2 : 256;
                struct coverage_report *grown = realloc(reports, ncap * sizeof(*grown));
                if (grown == NULL)
                    break;
                reports = grown;
                cap = ncap;
            }
            border_locate(call->api->border, json_real_value(json_array_get(pt, 1)),
                          json_real_value(json_array_get(pt, 2)), &fix);
            reports[n++] = (struct coverage_report){i, json_integer_value(json_array_get(pt, 0)),
                                                    fix.chainage_km, fix.distance_km};
        }
    }
    json_decref(track);
    if (coverage_adherence(&plan, reports, n, &opts, &flags, &nf, &info) == SH_OK) {
        static const char *const kinds[] = {"OUTSIDE_STRETCH", "FAR_FROM_LINE", "OUTSIDE_WINDOW",
                                            "NO_POSITION"};
        for (i = 0; i < nf; i++) {
            json_t *f = json_pack("{s:O,s:s,s:s}", "patrol", json_object_get(p, "id"), "kind",
                                  kinds[flags[i].kind], "time",
                                  clock_format_rfc3339(flags[i].time_ms, ts, sizeof(ts)));
            if (flags[i].unit != COVERAGE_NO_UNIT) {
                json_object_set(f, "unit", json_array_get(units, flags[i].unit));
                json_object_set_new(f, "chainage_km",
                                    json_real(round(flags[i].chainage_km * 1000) / 1000));
            }
            json_array_append_new(out, f);
        }
    }
    free(flags);
    free(reports);
}

void api_patrols_adherence(struct api_call *call)
{
    int64_t now = clock_now_ms();
    json_t *patrols = json_array(), *flags = json_array(), *p;
    size_t i;

    if (patrols_list(call->api->rdb, now - DAY_MS, now, patrols) != SH_OK) {
        json_decref(patrols);
        json_decref(flags);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    json_array_foreach(patrols, i, p)
    {
        if (strcmp(json_string_value(json_object_get(p, "origin")), call->api->cfg->name) != 0 ||
            strcmp(json_string_value(json_object_get(p, "status")), "CANCELLED") == 0 ||
            json_array_size(json_object_get(p, "units")) == 0)
            continue;
        adherence_of(call, p, now, flags);
    }
    json_decref(patrols);
    api_reply_json(call, 200, json_pack("{s:o}", "flags", flags), NULL);
}

/* ---- The planner ---------------------------------------------------------------------------- */

#define PLAN_UNITS_MAX 1000
#define PLAN_SPAN_MAX_MS (31 * DAY_MS)

/* Reads units[i] of a plan request into `u`. */
static enum sh_err plan_unit(const json_t *v, size_t i, struct planner_unit *u, const char **uid,
                             struct sh_errinfo *info)
{
    static const char *const keys[] = {"uid",      "shift_hours", "max_shifts", "min_rest_hours",
                                       "reach_km", "min_km",      "max_km",     NULL};
    double shift = 8, shifts = 1, rest = 12, reach = 10, lo = 0, hi = 0;
    int has_lo = 0, has_hi = 0;
    enum sh_err rc;

    if (!json_is_object(v))
        return err_set(info, SH_EINVAL, "units", "units[%zu] is not an object", i);
    if ((rc = field_only(v, keys, info)) ||
        (rc = field_string(v, "uid", UNIT_UID_MAX, 1, uid, info)) ||
        (rc = field_number(v, "shift_hours", 1, 24, 0, &shift, NULL, info)) ||
        (rc = field_number(v, "max_shifts", 0, 62, 0, &shifts, NULL, info)) ||
        (rc = field_number(v, "min_rest_hours", 0, 72, 0, &rest, NULL, info)) ||
        (rc = field_number(v, "reach_km", 0.1, 500, 0, &reach, NULL, info)) ||
        (rc = field_number(v, "min_km", 0, 1e5, 0, &lo, &has_lo, info)) ||
        (rc = field_number(v, "max_km", 0, 1e5, 0, &hi, &has_hi, info))) {
        struct sh_errinfo why = *info;
        return err_set(info, rc, why.field, "units[%zu]: %s", i, why.message);
    }
    if (!unit_uid_valid(*uid))
        return err_set(info, SH_EINVAL, "units", "units[%zu].uid is not a unit id", i);
    if (shift != floor(shift) || shifts != floor(shifts))
        return err_set(info, SH_EINVAL, "units",
                       "units[%zu]: shift_hours and max_shifts are whole numbers", i);
    if (has_lo != has_hi || (has_lo && hi <= lo))
        return err_set(info, SH_EINVAL, "units",
                       "units[%zu]: min_km and max_km go together, min_km < max_km", i);
    *u = (struct planner_unit){.shift_ms = (int64_t)shift * 3600 * 1000,
                               .max_shifts = (int)shifts,
                               .min_rest_ms = (int64_t)llround(rest * 3600 * 1000),
                               .reach_km = reach,
                               .has_range = has_lo,
                               .min_km = lo,
                               .max_km = hi};
    return SH_OK;
}

static const char *const plan_objectives[] = {"coverage", "pair", NULL};

/* One planner request: what it owns while the worker thread computes, and the result. */
struct plan_job {
    struct api_call *call;
    struct planner_request req;
    struct planner_unit *pu;
    struct planner_patrol *covered, *partner;
    struct planner_section *ps;
    const char **uids; /* borrowed from call->body */
    int objective, kind;
    struct planner_result res;
    enum sh_err rc;
    struct sh_errinfo info;
};

/* The planner runs on its own thread (it may take a second or two: the loop must not wait),
 * one request at a time; its end wakes the loop through `done_ev`, which answers. */
struct plan_worker {
    pthread_t thread;
    int busy;
    struct event *done_ev;
    struct plan_job *job;
};

static void plan_job_free(struct plan_job *job)
{
    if (job == NULL)
        return;
    planner_result_free(&job->res);
    free(job->pu);
    free(job->uids);
    free(job->ps);
    free(job->covered);
    free(job->partner);
    free(job);
}

/* Answers with the job's proposal and frees the job. */
static void plan_reply(struct plan_job *job)
{
    struct api_call *call = job->call;
    const struct planner_result *res = &job->res;
    json_t *proposal = json_array();
    char s[32], e[32], seedbuf[24];

    if (job->rc != SH_OK) {
        api_reply_err(call, job->rc, &job->info);
        plan_job_free(job);
        return;
    }
    for (size_t i = 0; i < res->n_patrols; i++) {
        const struct planner_patrol *q = &res->patrols[i];
        json_array_append_new(proposal,
                              json_pack("{s:[s],s:f,s:f,s:s,s:s,s:s}", "units", job->uids[q->unit],
                                        "from_km", round(q->from_km * 1000) / 1000, "to_km",
                                        round(q->to_km * 1000) / 1000, "start",
                                        clock_format_rfc3339(q->start_ms, s, sizeof(s)), "end",
                                        clock_format_rfc3339(q->end_ms, e, sizeof(e)), "kind",
                                        patrol_kinds[job->kind]));
    }
    snprintf(seedbuf, sizeof(seedbuf), "%llu", (unsigned long long)res->seed);
    api_reply_json(call, 200,
                   json_pack("{s:o,s:I,s:I,s:I,s:I,s:f,s:b,s:s,s:I,s:s}", "proposal", proposal,
                             "value", (json_int_t)res->coverage, "paired", (json_int_t)res->paired,
                             "open", (json_int_t)res->open, "bound", (json_int_t)res->bound,
                             "gap_pct", round(res->gap_pct * 100) / 100, "exact", res->exact,
                             "seed", seedbuf, "candidates", (json_int_t)res->n_candidates,
                             "objective", plan_objectives[job->objective]),
                   NULL);
    plan_job_free(job);
}

static void *plan_thread(void *arg)
{
    struct plan_worker *w = arg;

    w->job->rc = planner_propose(&w->job->req, &w->job->res, &w->job->info);
    event_active(w->done_ev, EV_READ, 0);
    return NULL;
}

static void plan_done_cb(evutil_socket_t fd, short what, void *arg)
{
    struct plan_worker *w = arg;
    struct plan_job *job = w->job;

    pthread_join(w->thread, NULL);
    w->job = NULL;
    w->busy = 0;
    plan_reply(job);
}

void api_planner_free(struct api_ctx *api)
{
    struct plan_worker *w = api->planner;

    if (w == NULL)
        return;
    if (w->busy) { /* the node is stopping: let the computation end, then answer "later"
                    * (on a connection already closed, that only frees what it held) */
        pthread_join(w->thread, NULL);
        api_reply_error(w->job->call, 503, "shutting_down", "",
                        "the node is stopping; retry shortly");
        plan_job_free(w->job);
    }
    event_free(w->done_ev);
    free(w);
    api->planner = NULL;
}

/* Hands `job` to the planner's thread, or answers 503 while another plan is computing. */
static void plan_start(struct plan_job *job)
{
    struct api_ctx *api = job->call->api;
    struct plan_worker *w = api->planner;

    if (w == NULL && api->base) {
        w = calloc(1, sizeof(*w));
        if (w && (w->done_ev = event_new(api->base, -1, 0, plan_done_cb, w)) == NULL) {
            free(w);
            w = NULL;
        }
        api->planner = w;
    }
    if (w == NULL) { /* no loop to come back to (or no memory): compute here */
        job->rc = planner_propose(&job->req, &job->res, &job->info);
        plan_reply(job);
        return;
    }
    if (w->busy) {
        api_reply_error(job->call, 503, "busy", "",
                        "another plan is being computed; retry in a few seconds");
        plan_job_free(job);
        return;
    }
    w->job = job;
    w->busy = 1;
    if (pthread_create(&w->thread, NULL, plan_thread, w) != 0) {
        w->busy = 0;
        w->job = NULL;
        job->rc = planner_propose(&job->req, &job->res, &job->info);
        plan_reply(job);
    }
}

void api_patrols_plan(struct api_call *call)
{
    static const char *const keys[] = {"units", "from", "to", "objective", "seed", "kind", NULL};
    const json_t *body = call->body, *units = json_object_get(body, "units"), *v;
    struct plan_job *job = calloc(1, sizeof(*job));
    struct sh_errinfo info = {0};
    struct coverage_section *cs = NULL;
    struct coverage_patrol *cp = NULL;
    json_t *sections = NULL, *patrols = json_array(), *p;
    const char *seed_text = NULL;
    int64_t from, to;
    size_t i, np = 0, ncov = 0, npart = 0;
    int objective = 0, kind = 0;
    uint64_t seed = 0;
    enum sh_err rc;

    if (job == NULL) {
        api_reply_err(call, SH_ENOMEM, NULL);
        goto out;
    }
    job->call = call;
    /* Refuse early what plan_start would refuse after all the reading. */
    if (call->api->writer == NULL) {
        api_reply_error(call, 503, "shutting_down", "", "the node is stopping; retry shortly");
        goto out;
    }
    if (call->api->planner && call->api->planner->busy) {
        api_reply_error(call, 503, "busy", "",
                        "another plan is being computed; retry in a few seconds");
        goto out;
    }

    if (!json_is_object(body)) {
        api_reply_error(call, 400, "invalid", "", "the body must be a JSON object");
        goto out;
    }
    if ((rc = field_only(body, keys, &info)) ||
        (rc = field_time(body, "from", 1, &from, NULL, &info)) ||
        (rc = field_time(body, "to", 1, &to, NULL, &info)) ||
        (rc = field_enum(body, "objective", plan_objectives, 0, &objective, &info)) ||
        (rc = field_enum(body, "kind", patrol_kinds, 0, &kind, &info))) {
        api_reply_err(call, rc, &info);
        goto out;
    }
    if (objective < 0)
        objective = 0; /* coverage */
    if (to <= from || to - from > PLAN_SPAN_MAX_MS) {
        api_reply_error(call, 400, "invalid", "to", "to must be after from, by at most 31 days");
        goto out;
    }
    if (!json_is_array(units) || json_array_size(units) == 0 ||
        json_array_size(units) > PLAN_UNITS_MAX) {
        api_reply_error(call, 400, "invalid", "units", "units is an array of 1 to %d units",
                        PLAN_UNITS_MAX);
        goto out;
    }
    v = json_object_get(body, "seed");
    if (json_is_integer(v) && json_integer_value(v) >= 0) {
        seed = (uint64_t)json_integer_value(v);
    } else if (json_is_string(v)) {
        char *end;
        seed_text = json_string_value(v);
        errno = 0;
        seed = strtoull(seed_text, &end, 10);
        if (*seed_text < '0' || *seed_text > '9' || *end != '\0' || errno) {
            api_reply_error(call, 400, "invalid", "seed", "seed is a decimal number");
            goto out;
        }
    } else if (v) {
        api_reply_error(call, 400, "invalid", "seed", "seed is a decimal number");
        goto out;
    } else if (crypto_random((uint8_t *)&seed, sizeof(seed)) != SH_OK) {
        api_reply_err(call, SH_EIO, NULL);
        goto out;
    }
    job->pu = calloc(json_array_size(units), sizeof(*job->pu));
    job->uids = calloc(json_array_size(units), sizeof(*job->uids));
    if (job->pu == NULL || job->uids == NULL) {
        api_reply_err(call, SH_ENOMEM, NULL);
        goto out;
    }
    json_array_foreach(units, i, v)
    {
        if ((rc = plan_unit(v, i, &job->pu[i], &job->uids[i], &info))) {
            api_reply_err(call, rc, &info);
            goto out;
        }
    }
    /* The border with this side's weights, and what is planned already (both sides). */
    if (coverage_load(call, from, to, &sections, &cs, &cp, &np) < 0)
        goto out; /* answered */
    if (patrols_list(call->api->rdb, from, to, patrols) != SH_OK) {
        api_reply_err(call, SH_EDB, NULL);
        goto out;
    }
    job->ps = calloc(json_array_size(sections) + 1, sizeof(*job->ps));
    job->covered = calloc(np + 1, sizeof(*job->covered));
    job->partner = calloc(json_array_size(patrols) + 1, sizeof(*job->partner));
    if (job->ps == NULL || job->covered == NULL || job->partner == NULL) {
        api_reply_err(call, SH_ENOMEM, NULL);
        goto out;
    }
    for (i = 0; i < json_array_size(sections); i++)
        job->ps[i] = (struct planner_section){cs[i].from_km, cs[i].to_km, cs[i].weight};
    for (i = 0; i < np; i++)
        job->covered[ncov++] =
            (struct planner_patrol){-1, cp[i].from_km, cp[i].to_km, cp[i].start_ms, cp[i].end_ms};
    json_array_foreach(patrols, i, p)
    {
        if (is_shared_plan(p) &&
            strcmp(json_string_value(json_object_get(p, "side")), call->api->cfg->country) != 0) {
            struct coverage_patrol c = patrol_of(p, 1);
            job->partner[npart++] =
                (struct planner_patrol){-1, c.from_km, c.to_km, c.start_ms, c.end_ms};
        }
    }
    job->req = (struct planner_request){.sections = job->ps,
                                        .n_sections = json_array_size(sections),
                                        .from_ms = from,
                                        .to_ms = to,
                                        .units = job->pu,
                                        .n_units = json_array_size(units),
                                        .covered = job->covered,
                                        .n_covered = ncov,
                                        .partner = job->partner,
                                        .n_partner = npart,
                                        .objective = objective == 1 ? PLANNER_OBJECTIVE_PAIR
                                                                    : PLANNER_OBJECTIVE_COVERAGE,
                                        .mode = PLANNER_MODE_AUTO,
                                        .seed = seed};
    job->objective = objective;
    job->kind = kind < 0 ? (objective == 1 ? 1 : 0) : kind; /* pair: coordinated patrols */
    plan_start(job);
    job = NULL; /* the worker (or the answer) has it */
out:
    plan_job_free(job);
    json_decref(sections);
    json_decref(patrols);
    free(cs);
    free(cp);
}
