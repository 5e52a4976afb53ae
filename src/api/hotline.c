/*
 * hotline.c: routes of the commanders' hotline: channels, messages, acknowledgements and the
 * template catalogue. Writes go through the writer like every other record; the serial of a
 * message is assigned inside its transaction.
 */
#include "api/api_int.h"

#include "core/clock.h"
#include "domain/hotline.h"
#include "domain/template.h"
#include "store/hotline_store.h"
#include "store/peers.h"

#include <stdlib.h>
#include <string.h>

void api_channels_list(struct api_call *call)
{
    json_t *channels = json_array();

    if (channels_list(call->api->rdb, channels) != SH_OK) {
        json_decref(channels);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    api_reply_json(call, 200, json_pack("{s:o}", "channels", channels), NULL);
}

static enum sh_err apply_channel(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;

    return channels_add(tx, call->doc, info);
}

static void doc_written(struct writer_op *op)
{
    struct api_call *call = op->arg;
    json_t *doc = call->doc;

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    call->doc = NULL;
    api_reply_json(call, 201, doc, NULL);
}

void api_channels_create(struct api_call *call)
{
    struct sh_errinfo info = {0};
    char country[4];
    enum sh_err rc = hotline_channel_new(call->body, clock_now_ms(), &call->doc, &info);

    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    if (peers_country(call->api->rdb, json_string_value(json_object_get(call->doc, "peer")),
                      country)) {
        api_reply_error(call, 422, "unprocessable", "peer",
                        "'%s' is not a pinned peer (sarhad peer add)",
                        json_string_value(json_object_get(call->doc, "peer")));
        return;
    }
    json_object_set_new(call->doc, "release", json_pack("[s]", country));
    api_submit(call, apply_channel, doc_written);
}

static enum sh_err apply_message(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;

    return messages_send(tx, call->doc, &call->payload, info);
}

static void message_written(struct writer_op *op)
{
    struct api_call *call = op->arg;
    char extra[300];

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    snprintf(extra, sizeof(extra), "Location: /api/v1/messages/%s\r\n",
             json_string_value(json_object_get(call->doc, "id")));
    api_reply_text(call, 201, call->payload, extra);
}

void api_escalations(struct api_call *call)
{
    /* A user of a command sees what is escalated to it; one of no command (an admin, a
     * watch officer) sees every escalation, as does ?all=1. */
    char all[8];
    const char *command = call->user.command[0] ? call->user.command : NULL;
    json_t *out = json_array();

    if (api_query(call, "all", all, sizeof(all)) == 1 && strcmp(all, "1") == 0)
        command = NULL;
    if (messages_escalated(call->api->rdb, command, out) != SH_OK) {
        json_decref(out);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    api_reply_json(call, 200, json_pack("{s:s?,s:o}", "command", command, "escalations", out),
                   NULL);
}

void api_messages_create(struct api_call *call)
{
    struct sh_errinfo info = {0};
    const char *name = json_string_value(json_object_get(call->body, "channel"));
    json_t *channel = NULL;
    char country[4];
    enum sh_err rc;

    if (name == NULL) {
        api_reply_error(call, 400, "invalid", "channel", "'channel' is required");
        return;
    }
    if (channels_get(call->api->rdb, name, &channel) != SH_OK ||
        json_object_get(channel, "peer") == NULL) {
        json_decref(channel);
        api_reply_error(call, 422, "unprocessable", "channel",
                        "no channel '%s' of ours (POST /api/v1/channels)", name);
        return;
    }
    if (peers_country(call->api->rdb, json_string_value(json_object_get(channel, "peer")),
                      country)) {
        json_decref(channel);
        api_reply_error(call, 422, "unprocessable", "channel",
                        "the channel's peer is no longer pinned");
        return;
    }
    rc = hotline_message_new(call->body, channel, country, call->api->cfg->name, call->user.name,
                             clock_now_ms(), &call->doc, &info);
    json_decref(channel);
    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    call->op.urgent = json_string_value(json_object_get(call->doc, "precedence"))[0] == 'F';
    api_submit(call, apply_message, message_written);
}

/* Adds "overdue" and, with ?lang=, the template rendered in that language. */
static int message_decorate(struct api_call *call, json_t *msg, const char *lang)
{
    const char *tmpl = json_string_value(json_object_get(msg, "template"));
    struct sh_errinfo info = {0};
    char *subject = NULL, *body = NULL;

    json_object_set_new(msg, "overdue", json_boolean(hotline_overdue(msg, clock_now_ms())));
    if (lang == NULL || tmpl == NULL)
        return 0;
    if (template_render(tmpl, json_object_get(msg, "fields"), lang, &subject, &body, &info) !=
        SH_OK) {
        api_reply_error(call, 400, "invalid", "lang", "%s", info.message);
        return -1;
    }
    json_object_set_new(msg, "rendered",
                        json_pack("{s:s,s:s,s:s,s:b}", "lang", lang, "subject", subject, "body",
                                  body, "rtl", template_lang_rtl(lang)));
    free(subject);
    free(body);
    return 0;
}

void api_messages_get(struct api_call *call)
{
    char lang[8];
    json_t *msg;
    int r = api_query(call, "lang", lang, sizeof(lang));

    if (r < 0) {
        api_reply_error(call, 400, "invalid", "lang", "lang is en, ur or fa");
        return;
    }
    if (messages_get(call->api->rdb, call->param, &msg) != SH_OK) {
        api_reply_error(call, 404, "not_found", "id", "no message %s", call->param);
        return;
    }
    if (message_decorate(call, msg, r == 1 ? lang : NULL) < 0) {
        json_decref(msg);
        return;
    }
    api_reply_json(call, 200, msg, NULL);
}

void api_messages_list(struct api_call *call)
{
    struct message_filter f = {.limit = 100};
    char channel[64], state[16], since[40], lang[8];
    json_t *list, *m;
    size_t i;
    int rl;

    if (api_query(call, "channel", channel, sizeof(channel)) == 1)
        f.channel = channel;
    if (api_query(call, "state", state, sizeof(state)) == 1) {
        static const char *const states[] = {"sent",     "delivered", "acknowledged",
                                             "received", "overdue",   NULL};
        int ok = 0;
        for (int k = 0; states[k]; k++)
            ok |= strcmp(states[k], state) == 0;
        if (!ok) {
            api_reply_error(call, 400, "invalid", "state",
                            "state is sent, delivered, acknowledged, received or overdue");
            return;
        }
        f.state = state;
    }
    if (api_query(call, "since", since, sizeof(since)) == 1 &&
        clock_parse_rfc3339(since, strlen(since), &f.since_ms) < 0) {
        api_reply_error(call, 400, "invalid", "since", "since must be an RFC 3339 date-time");
        return;
    }
    rl = api_query(call, "lang", lang, sizeof(lang));
    list = json_array();
    if (messages_list(call->api->rdb, &f, list) != SH_OK) {
        json_decref(list);
        api_reply_err(call, SH_EDB, NULL);
        return;
    }
    json_array_foreach(list, i, m)
    {
        if (message_decorate(call, m, rl == 1 ? lang : NULL) < 0) {
            json_decref(list);
            return;
        }
    }
    api_reply_json(call, 200, json_pack("{s:o}", "messages", list), NULL);
}

static enum sh_err apply_ack(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct api_call *call = arg;

    return messages_ack(tx, call->param, json_string_value(json_object_get(call->doc, "ack")),
                        json_string_value(json_object_get(call->doc, "remark")), call->user.name,
                        &call->payload, info);
}

static void ack_written(struct writer_op *op)
{
    struct api_call *call = op->arg;

    if (op->result != SH_OK) {
        api_reply_err(call, op->result, &op->info);
        return;
    }
    api_reply_text(call, 201, call->payload, NULL);
}

void api_messages_ack(struct api_call *call)
{
    struct sh_errinfo info = {0};
    const char *remark;
    int ack;
    enum sh_err rc = hotline_ack_check(call->body, &ack, &remark, &info);

    if (rc != SH_OK) {
        api_reply_err(call, rc, &info);
        return;
    }
    call->doc = json_pack("{s:s,s:s?}", "ack", hotline_acks[ack], "remark", remark);
    call->op.urgent = 1;
    api_submit(call, apply_ack, ack_written);
}

void api_templates(struct api_call *call)
{
    api_reply_json(call, 200, json_pack("{s:o}", "templates", template_catalogue()), NULL);
}
