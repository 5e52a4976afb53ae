/*
 * gate.c: what may cross the link, and in which stream.
 */
#include "domain/gate.h"

#include "domain/event.h"
#include "domain/field.h"
#include "domain/hotline.h"
#include "domain/patrol.h"
#include "domain/release.h"
#include "domain/section.h"

#include <stdlib.h>
#include <string.h>

/* Kinds that may cross, and the fields of their record that may. Anything else stays. */
static const char *const event_fields[] = {
    "id",      "version",     "category",    "impact",  "status", "close_reason",
    "time",    "title",       "description", "lat",     "lon",    "chainage_km",
    "side",    "distance_km", "section",     "release", "origin", "created",
    "updated", "sensor",      "count",       NULL};

static const char *const message_fields[] = {
    "id",           "channel",  "serial",  "originator", "from",     "precedence",
    "dtg",          "time",     "subject", "body",       "template", "fields",
    "ack_required", "deadline", "release", "origin",     "version",  NULL};
static const char *const receipt_fields[] = {"id",      "message", "delivered", "by",
                                             "release", "origin",  "version",   NULL};
static const char *const ack_fields[] = {"id",   "message", "ack",    "remark",  "by",
                                         "time", "release", "origin", "version", NULL};
static const char *const channel_fields[] = {"id",      "name",    "own_command", "partner_command",
                                             "release", "created", "origin",      "version",
                                             NULL};

static const char *const patrol_fields[] = {
    "id",    "version", "side",     "origin",  "kind",         "status",  "from_km", "to_km",
    "start", "end",     "depth_km", "release", "shared_units", "created", "updated", NULL};

static enum sh_err check_patrol(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    return patrol_check(doc, b, info);
}

static const char *const fence_fields[] = {"id",   "version",  "origin",  "side",
                                           "time", "sections", "release", NULL};

static enum sh_err check_fence(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    return section_fence_check(doc, b, info);
}

static enum sh_err check_event(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    return event_normalise(doc, b, info);
}

static enum sh_err check_message(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    return hotline_message_check(doc, info);
}

static enum sh_err check_reference(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    const char *s;
    int ack;

    if (json_object_get(doc, "ack") && field_enum(doc, "ack", hotline_acks, 1, &ack, info) != SH_OK)
        return SH_EINVAL;
    return field_string(doc, "message", 200, 1, &s, info);
}

static enum sh_err check_channel(json_t *doc, const struct border *b, struct sh_errinfo *info)
{
    const char *s;

    return field_string(doc, "name", 48, 1, &s, info);
}

/* Kinds that may cross, the fields of their record that may, and the receiver's check.
 * Anything else stays home. */
static const struct {
    const char *kind;
    const char *const *fields;
    enum sh_err (*check)(json_t *doc, const struct border *b, struct sh_errinfo *info);
} shareable[] = {
    {"event.create", event_fields, check_event},
    {"event.update", event_fields, check_event},
    {"hotline.message", message_fields, check_message},
    {"hotline.receipt", receipt_fields, check_reference},
    {"hotline.ack", ack_fields, check_reference},
    {"channel.create", channel_fields, check_channel},
    {"patrol.create", patrol_fields, check_patrol},
    {"patrol.update", patrol_fields, check_patrol},
    {"fence.status", fence_fields, check_fence},
};

static const char *const urgent_categories[] = {"ARMED_ATTACK", "CRISIS", "FENCE_BREACH",
                                                "SENSOR_ALARM", NULL};

static int shareable_index(const char *kind)
{
    for (int i = 0; i < (int)(sizeof(shareable) / sizeof(shareable[0])); i++)
        if (strcmp(kind, shareable[i].kind) == 0)
            return i;
    return -1;
}

static const char *const *fields_of(const char *kind)
{
    int i = shareable_index(kind);

    return i < 0 ? NULL : shareable[i].fields;
}

enum gate_stream gate_stream_of(const char *kind, const json_t *payload)
{
    const char *category = json_string_value(json_object_get(payload, "category"));

    if (strncmp(kind, "hotline.", 8) == 0)
        return GATE_URGENT;
    if (strncmp(kind, "event.", 6) == 0 && category &&
        field_lookup(urgent_categories, category) >= 0)
        return GATE_URGENT;
    return GATE_BULK;
}

static size_t skip_space(const char *s, size_t n, size_t i)
{
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r'))
        i++;
    return i;
}

/* The allow-listed members of the JSON object `s`, copied as text into `out` (room for n + 1
 * bytes): a stored payload is compact JSON with sorted keys (the one encoding every writer
 * uses), so this is what parsing, copying the allowed fields and printing again would give,
 * without the cost that made it the sender's largest (a third of its loop under load). Scans
 * only the top level: a member is its key, then its value up to the ',' or '}' at depth 0
 * (strings skipped with their escapes). 0 for text it does not expect (a key with an escape,
 * no object, trailing bytes): the caller then takes the parser's way, which decides. */
static int filter_text(const char *s, size_t n, const char *const *fields, char *out,
                       size_t *out_len)
{
    size_t i = skip_space(s, n, 0), o = 0;
    int copied = 0;
    char key[64];

    if (i >= n || s[i] != '{')
        return 0;
    out[o++] = '{';
    i = skip_space(s, n, i + 1);
    if (i < n && s[i] == '}')
        goto end;
    for (;;) {
        size_t start = i, k = 0;
        int depth = 0;

        if (i >= n || s[i++] != '"')
            return 0;
        while (i < n && s[i] != '"' && s[i] != '\\' && (unsigned char)s[i] >= 0x20 &&
               k < sizeof(key) - 1)
            key[k++] = s[i++];
        if (i >= n || s[i] != '"')
            return 0; /* an escape or control byte in a key, or a key longer than any allowed */
        key[k] = '\0';
        i = skip_space(s, n, i + 1);
        if (i >= n || s[i] != ':')
            return 0;
        i = skip_space(s, n, i + 1);
        if (i >= n || s[i] == ',' || s[i] == '}')
            return 0;
        for (; i < n; i++) {
            char c = s[i];
            if (c == '"') {
                for (i++; i < n && s[i] != '"'; i++)
                    if (s[i] == '\\')
                        i++;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0 && c == ']')
                    return 0;
                if (depth-- == 0)
                    break;
            } else if (c == ',' && depth == 0) {
                break;
            }
        }
        if (i >= n)
            return 0;
        if (field_lookup(fields, key) >= 0) {
            if (copied++)
                out[o++] = ',';
            memcpy(out + o, s + start, i - start);
            o += i - start;
        }
        if (s[i] == '}')
            break;
        i = skip_space(s, n, i + 1);
    }
end:
    if (skip_space(s, n, i + 1) != n)
        return 0;
    out[o++] = '}';
    out[o] = '\0';
    *out_len = o;
    return 1;
}

enum sh_err gate_outbound(const struct journal_entry *e, const char *country,
                          struct journal_entry *out)
{
    const char *const *fields = fields_of(e->kind);
    json_t *payload, *copy;
    char *text;
    size_t len;

    memset(out, 0, sizeof(*out));
    if (fields == NULL || !release_contains(e->release, country))
        return SH_EFORBIDDEN;
    if ((text = malloc(e->payload_len + 1)) == NULL)
        return SH_ENOMEM;
    if (!filter_text(e->payload, e->payload_len, fields, text, &len)) {
        free(text);
        payload = json_loadb(e->payload, e->payload_len, 0, NULL);
        if (!json_is_object(payload)) {
            json_decref(payload);
            return SH_EFORBIDDEN;
        }
        copy = json_object();
        for (int i = 0; fields[i]; i++) {
            json_t *v = json_object_get(payload, fields[i]);
            if (v)
                json_object_set(copy, fields[i], v);
        }
        text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
        json_decref(copy);
        json_decref(payload);
        if (text == NULL)
            return SH_ENOMEM;
        len = strlen(text);
    }
    *out = *e;
    out->seq = 0;
    out->seal_len = 0;
    out->payload = text;
    out->payload_len = len;
    return SH_OK;
}

static const char *string_of(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));

    return s ? s : "";
}

/* At most this many members are remembered to tell whether the check changed the record;
 * a record of more is taken as changed (no allow-list is that long). */
#define GATE_SNAPSHOT 32

enum sh_err gate_inbound(const struct journal_entry *e, const char *peer_name,
                         const char *own_country, const struct border *b, json_t **doc,
                         int *as_sent, struct sh_errinfo *info)
{
    const char *const *fields = fields_of(e->kind);
    json_t *payload, *before[GATE_SNAPSHOT];
    const char *key;
    json_t *v;
    size_t n = 0;
    enum sh_err rc;

    *doc = NULL;
    *as_sent = 0;
    if (strcmp(e->origin, peer_name) != 0)
        return err_set(info, SH_EFORBIDDEN, "origin",
                       "entry made at '%s' relayed by '%s': a peer sends only its own entries",
                       e->origin, peer_name);
    if (!release_contains(e->release, own_country))
        return err_set(info, SH_EFORBIDDEN, "release", "entry %lld is not released to %s",
                       (long long)e->origin_seq, own_country);
    if (fields == NULL)
        return err_set(info, SH_EFORBIDDEN, "kind", "kind '%s' may not cross the link", e->kind);
    payload = json_loadb(e->payload, e->payload_len, JSON_REJECT_DUPLICATES, NULL);
    if (!json_is_object(payload)) {
        json_decref(payload);
        return err_set(info, SH_EINVAL, "payload", "payload is not a JSON object");
    }
    json_object_foreach(payload, key, v)
    {
        if (field_lookup(fields, key) < 0) {
            err_set(info, SH_EFORBIDDEN, key, "field '%.60s' may not cross the link", key);
            json_decref(payload); /* after: `key` lives in it */
            return SH_EFORBIDDEN;
        }
    }
    if (strcmp(string_of(payload, "id"), e->record_id) != 0 ||
        json_integer_value(json_object_get(payload, "version")) != e->version ||
        strcmp(string_of(payload, "origin"), peer_name) != 0) {
        json_decref(payload);
        return err_set(info, SH_EINVAL, "payload",
                       "payload id, version or origin disagree with the entry");
    }
    /* The values as they came, each held so that none is freed and its address reused. */
    if (json_object_size(payload) <= GATE_SNAPSHOT)
        json_object_foreach(payload, key, v) before[n++] = json_incref(v);
    rc = shareable[shareable_index(e->kind)].check(payload, b, info);
    if (rc == SH_OK && n > 0 && json_object_size(payload) == n) {
        size_t i = 0;
        json_object_foreach(payload, key, v)
        {
            if (v != before[i])
                break;
            i++;
        }
        *as_sent = i == n;
    }
    for (size_t i = 0; i < n; i++)
        json_decref(before[i]);
    if (rc != SH_OK) {
        json_decref(payload);
        return rc;
    }
    *doc = payload;
    return SH_OK;
}
