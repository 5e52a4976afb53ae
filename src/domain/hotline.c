/*
 * hotline.c: hotline rules.
 */
#include "domain/hotline.h"

#include "core/clock.h"
#include "domain/field.h"
#include "domain/template.h"

#include <ctype.h>
#include <string.h>

const char *const hotline_precedences[] = {"FLASH", "IMMEDIATE", "PRIORITY", "ROUTINE", NULL};
const char *const hotline_acks[] = {"ROGER", "WILCO", "UNABLE", NULL};

static const int64_t target_ms[PREC_COUNT] = {10 * 60 * 1000, 30 * 60 * 1000, 3 * 3600 * 1000,
                                              6 * 3600 * 1000};

static const char *const channel_fields[] = {"name", "own_command",    "partner_command",
                                             "peer", "parent_command", NULL};
static const char *const message_fields[] = {"channel",  "precedence", "subject",      "body",
                                             "template", "fields",     "ack_required", NULL};
static const char *const ack_fields[] = {"ack", "remark", NULL};

int64_t hotline_target_ms(enum hotline_precedence p)
{
    return (unsigned)p < PREC_COUNT ? target_ms[p] : target_ms[PREC_ROUTINE];
}

int hotline_count_words(const char *text)
{
    int words = 0, in_word = 0;

    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        int space = isspace(*p);
        if (!space && !in_word)
            words++;
        in_word = !space;
    }
    return words;
}

/* Channel names travel in message ids and URLs: [a-z0-9-], 1..48. */
static int channel_name_valid(const char *s)
{
    size_t n = strlen(s);

    if (n == 0 || n > 48)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
            return 0;
    return 1;
}

enum sh_err hotline_channel_new(const json_t *body, int64_t now_ms, json_t **out,
                                struct sh_errinfo *info)
{
    const char *name, *own, *partner, *peer, *parent;
    char ts[32];
    enum sh_err rc;

    *out = NULL;
    if (!json_is_object(body))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(body, channel_fields, info)) ||
        (rc = field_string(body, "name", 48, 1, &name, info)) ||
        (rc = field_string(body, "own_command", 120, 1, &own, info)) ||
        (rc = field_string(body, "partner_command", 120, 1, &partner, info)) ||
        (rc = field_string(body, "peer", 63, 1, &peer, info)) ||
        (rc = field_string(body, "parent_command", 120, 0, &parent, info)))
        return rc;
    if (!channel_name_valid(name))
        return err_set(info, SH_EINVAL, "name",
                       "a channel name is 1 to 48 of a-z, 0-9 and '-' (e.g. taftan-mirjaveh)");
    *out = json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s}", "name", name, "own_command", own,
                     "partner_command", partner, "peer", peer, "parent_command", parent, "created",
                     clock_format_rfc3339(now_ms, ts, sizeof(ts)));
    return SH_OK;
}

/* Subject and body, or template and fields (rendered later in the reader's language). */
static enum sh_err message_content(const json_t *body, int prec, json_t *doc,
                                   struct sh_errinfo *info)
{
    const char *subject, *text, *tmpl;
    json_t *fields = NULL;
    enum sh_err rc;

    if ((rc = field_string(body, "subject", 120, 0, &subject, info)) ||
        (rc = field_string(body, "body", 8000, 0, &text, info)) ||
        (rc = field_string(body, "template", 64, 0, &tmpl, info)))
        return rc;
    if ((text == NULL) == (tmpl == NULL))
        return err_set(info, SH_EINVAL, "body",
                       "give either 'body' (free text) or 'template' "
                       "with 'fields'");
    if (tmpl) {
        rc = template_validate(tmpl, json_object_get(body, "fields"), &fields, info);
        if (rc != SH_OK)
            return rc;
        json_object_set_new(doc, "template", json_string(tmpl));
        json_object_set_new(doc, "fields", fields);
    } else {
        if ((prec == PREC_FLASH || prec == PREC_IMMEDIATE) &&
            hotline_count_words(text) > HOTLINE_BRIEF_WORDS)
            return err_set(info, SH_EUNPROCESSABLE, "body",
                           "%s messages are brief: %d words is over the limit of %d",
                           hotline_precedences[prec], hotline_count_words(text),
                           HOTLINE_BRIEF_WORDS);
        json_object_set_new(doc, "body", json_string(text));
    }
    if (subject == NULL && tmpl == NULL)
        return err_set(info, SH_EINVAL, "subject", "'subject' is required with a free-text body");
    json_object_set_new(doc, "subject", subject ? json_string(subject) : json_null());
    return SH_OK;
}

enum sh_err hotline_message_new(const json_t *body, const json_t *channel,
                                const char *partner_country, const char *originator,
                                const char *user, int64_t now_ms, json_t **out,
                                struct sh_errinfo *info)
{
    char ts[32], dl[32], dtg[16];
    int prec;
    int ack_required;
    json_t *doc, *ack = json_object_get(body, "ack_required");
    enum sh_err rc;

    *out = NULL;
    if (!json_is_object(body))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(body, message_fields, info)) ||
        (rc = field_enum(body, "precedence", hotline_precedences, 1, &prec, info)))
        return rc;
    if (ack && !json_is_boolean(ack))
        return err_set(info, SH_EINVAL, "ack_required", "'ack_required' must be true or false");
    ack_required = ack ? json_is_true(ack) : (prec == PREC_FLASH || prec == PREC_IMMEDIATE);
    template_format_dtg(now_ms, dtg);
    doc = json_pack(
        "{s:O,s:s,s:s,s:s,s:s,s:s,s:b,s:s,s:[s],s:s,s:n,s:n,s:i}", "channel",
        json_object_get(channel, "name"), "originator", originator, "from", user, "precedence",
        hotline_precedences[prec], "dtg", dtg, "time", clock_format_rfc3339(now_ms, ts, sizeof(ts)),
        "ack_required", ack_required, "deadline",
        clock_format_rfc3339(now_ms + hotline_target_ms((enum hotline_precedence)prec), dl,
                             sizeof(dl)),
        "release", partner_country, "origin", originator, "delivered", "ack", "version", 1);
    rc = message_content(body, prec, doc, info);
    if (rc != SH_OK) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return SH_OK;
}

void hotline_message_number(json_t *doc, int64_t serial)
{
    char id[200];

    snprintf(id, sizeof(id), "%s:%s:%lld", json_string_value(json_object_get(doc, "originator")),
             json_string_value(json_object_get(doc, "channel")), (long long)serial);
    json_object_set_new(doc, "serial", json_integer(serial));
    json_object_set_new(doc, "id", json_string(id));
}

int hotline_overdue(const json_t *msg, int64_t now_ms)
{
    const char *deadline = json_string_value(json_object_get(msg, "deadline"));
    int64_t d;

    if (!json_is_true(json_object_get(msg, "ack_required")) ||
        json_is_object(json_object_get(msg, "ack")) || deadline == NULL ||
        clock_parse_rfc3339(deadline, strlen(deadline), &d) < 0)
        return 0;
    return now_ms >= d;
}

enum sh_err hotline_ack_check(const json_t *body, int *ack, const char **remark,
                              struct sh_errinfo *info)
{
    enum sh_err rc;

    if (!json_is_object(body))
        return err_set(info, SH_EINVAL, "", "the body must be a JSON object");
    if ((rc = field_only(body, ack_fields, info)) ||
        (rc = field_enum(body, "ack", hotline_acks, 1, ack, info)) ||
        (rc = field_string(body, "remark", 500, 0, remark, info)))
        return rc;
    return SH_OK;
}

enum sh_err hotline_message_check(const json_t *doc, struct sh_errinfo *info)
{
    const char *s;
    int prec;
    int64_t t;
    enum sh_err rc;

    if ((rc = field_string(doc, "id", 200, 1, &s, info)) ||
        (rc = field_string(doc, "channel", 48, 1, &s, info)) ||
        (rc = field_string(doc, "originator", 63, 1, &s, info)) ||
        (rc = field_enum(doc, "precedence", hotline_precedences, 1, &prec, info)) ||
        (rc = field_time(doc, "time", 1, &t, NULL, info)) ||
        (rc = field_time(doc, "deadline", 1, &t, NULL, info)) ||
        (rc = field_string(doc, "dtg", 15, 1, &s, info)))
        return rc;
    if (!json_is_integer(json_object_get(doc, "serial")) ||
        json_integer_value(json_object_get(doc, "serial")) < 1)
        return err_set(info, SH_EINVAL, "serial", "'serial' must be a positive integer");
    /* A node speaks only for itself, and a message's id is what its fields say it is. */
    const char *originator = json_string_value(json_object_get(doc, "originator"));
    const char *origin = json_string_value(json_object_get(doc, "origin"));
    char id[200];
    if (origin == NULL || strcmp(originator, origin) != 0)
        return err_set(info, SH_EINVAL, "originator", "'originator' must be the sending node");
    snprintf(id, sizeof(id), "%s:%s:%lld", originator,
             json_string_value(json_object_get(doc, "channel")),
             (long long)json_integer_value(json_object_get(doc, "serial")));
    if (strcmp(id, json_string_value(json_object_get(doc, "id"))) != 0)
        return err_set(info, SH_EINVAL, "id", "'id' must be ORIGINATOR:CHANNEL:SERIAL (%s)", id);
    if (json_object_get(doc, "template")) {
        json_t *norm = NULL;
        rc = template_validate(json_string_value(json_object_get(doc, "template")),
                               json_object_get(doc, "fields"), &norm, info);
        json_decref(norm);
        return rc;
    }
    return field_string(doc, "body", 8000, 1, &s, info);
}
