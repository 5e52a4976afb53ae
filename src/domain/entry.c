/*
 * entry.c: canonical encoding and JSON view of journal entries.
 */
#include "domain/entry.h"

#include "core/clock.h"
#include "domain/seal.h"

#include <stdlib.h>
#include <string.h>

static const char entry_magic[] = "sarhad-entry-v1";

struct writer {
    uint8_t *buf;
    size_t cap, len;
};

static void put_bytes(struct writer *w, const void *p, size_t n)
{
    if (w->len + n <= w->cap)
        memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void put_u64(struct writer *w, int64_t v)
{
    uint8_t b[8];
    uint64_t u = (uint64_t)v;

    for (int i = 7; i >= 0; i--, u >>= 8)
        b[i] = (uint8_t)(u & 0xff);
    put_bytes(w, b, 8);
}

static void put_str(struct writer *w, const char *s, size_t n)
{
    uint8_t b[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};

    put_bytes(w, b, 4);
    put_bytes(w, s, n);
}

size_t entry_canonical(const struct journal_entry *e, uint8_t *buf, size_t cap)
{
    struct writer w = {buf, cap, 0};

    put_bytes(&w, entry_magic, sizeof(entry_magic)); /* includes the NUL */
    put_u64(&w, e->seq);
    put_u64(&w, e->time_ms);
    put_str(&w, e->kind, strlen(e->kind));
    put_str(&w, e->record_id, strlen(e->record_id));
    put_u64(&w, e->version);
    put_str(&w, e->origin, strlen(e->origin));
    put_u64(&w, e->origin_seq);
    put_str(&w, e->release, strlen(e->release));
    put_str(&w, e->payload ? e->payload : "", e->payload ? e->payload_len : 0);
    return w.len;
}

size_t entry_canonical_wire(const struct journal_entry *e, uint8_t *buf, size_t cap)
{
    static const char wire_magic[] = "sarhad-wire-v1";
    struct writer w = {buf, cap, 0};

    put_bytes(&w, wire_magic, sizeof(wire_magic));
    put_str(&w, e->origin, strlen(e->origin));
    put_u64(&w, e->origin_seq);
    put_str(&w, e->kind, strlen(e->kind));
    put_str(&w, e->record_id, strlen(e->record_id));
    put_u64(&w, e->version);
    put_str(&w, e->release, strlen(e->release));
    put_str(&w, e->payload ? e->payload : "", e->payload ? e->payload_len : 0);
    return w.len;
}

struct reader {
    const uint8_t *p;
    size_t left;
};

static int get_u64(struct reader *r, int64_t *v)
{
    uint64_t u = 0;

    if (r->left < 8)
        return -1;
    for (int i = 0; i < 8; i++)
        u = u << 8 | r->p[i];
    r->p += 8;
    r->left -= 8;
    *v = (int64_t)u;
    return 0;
}

/* A str into `out` (capacity `cap`, NUL-terminated); with `out` NULL, *at and *n point into
 * the input instead. */
static int get_str(struct reader *r, char *out, size_t cap, const uint8_t **at, size_t *n)
{
    size_t len;

    if (r->left < 4)
        return -1;
    len = (size_t)r->p[0] << 24 | (size_t)r->p[1] << 16 | (size_t)r->p[2] << 8 | r->p[3];
    if (len > r->left - 4 || memchr(r->p + 4, '\0', len) != NULL)
        return -1;
    if (out != NULL) {
        if (len >= cap)
            return -1;
        memcpy(out, r->p + 4, len);
        out[len] = '\0';
    } else {
        *at = r->p + 4;
        *n = len;
    }
    r->p += 4 + len;
    r->left -= 4 + len;
    return 0;
}

int entry_from_wire(const uint8_t *wire, size_t len, struct journal_entry *e, const char **what)
{
    static const char wire_magic[] = "sarhad-wire-v1";
    struct reader r = {wire, len};
    const uint8_t *payload;
    size_t n;

    memset(e, 0, sizeof(*e));
    *what = "magic";
    if (len < sizeof(wire_magic) || memcmp(wire, wire_magic, sizeof(wire_magic)) != 0)
        return -1;
    r.p += sizeof(wire_magic);
    r.left -= sizeof(wire_magic);
    if ((*what = "origin", get_str(&r, e->origin, sizeof(e->origin), NULL, NULL)) ||
        (*what = "origin_seq", get_u64(&r, &e->origin_seq)) ||
        (*what = "kind", get_str(&r, e->kind, sizeof(e->kind), NULL, NULL)) ||
        (*what = "record_id", get_str(&r, e->record_id, sizeof(e->record_id), NULL, NULL)) ||
        (*what = "version", get_u64(&r, &e->version)) ||
        (*what = "release", get_str(&r, e->release, sizeof(e->release), NULL, NULL)) ||
        (*what = "payload", get_str(&r, NULL, 0, &payload, &n)))
        return -1;
    *what = "length";
    if (r.left != 0)
        return -1;
    e->payload = malloc(n + 1);
    if (e->payload == NULL)
        abort();
    memcpy(e->payload, payload, n);
    e->payload[n] = '\0';
    e->payload_len = n;
    *what = NULL;
    return 0;
}

size_t entry_canonical_receipt(const char *receiver, const char *sender, int stream, int64_t seq,
                               const char *reason, int64_t time_ms, uint8_t *buf, size_t cap)
{
    static const char ack_magic[] = "sarhad-ack-v1", reject_magic[] = "sarhad-reject-v1";
    struct writer w = {buf, cap, 0};

    if (reason)
        put_bytes(&w, reject_magic, sizeof(reject_magic));
    else
        put_bytes(&w, ack_magic, sizeof(ack_magic));
    put_str(&w, receiver, strlen(receiver));
    put_str(&w, sender, strlen(sender));
    put_u64(&w, stream);
    put_u64(&w, seq);
    if (reason)
        put_str(&w, reason, strlen(reason));
    put_u64(&w, time_ms);
    return w.len;
}

size_t entry_canonical_batch(const char *origin, uint64_t count, const uint8_t root[ENTRY_HASH_LEN],
                             uint8_t *buf, size_t cap)
{
    static const char batch_magic[] = "sarhad-batch-v1";
    struct writer w = {buf, cap, 0};

    put_bytes(&w, batch_magic, sizeof(batch_magic));
    put_str(&w, origin, strlen(origin));
    put_u64(&w, (int64_t)count);
    put_bytes(&w, root, ENTRY_HASH_LEN);
    return w.len;
}

void entry_clear(struct journal_entry *e)
{
    if (e == NULL)
        return;
    free(e->payload);
    e->payload = NULL;
    e->payload_len = 0;
}

static void hex32(const uint8_t *in, char *out)
{
    static const char digits[] = "0123456789abcdef";

    for (int i = 0; i < ENTRY_HASH_LEN; i++) {
        out[2 * i] = digits[in[i] >> 4];
        out[2 * i + 1] = digits[in[i] & 15];
    }
    out[2 * ENTRY_HASH_LEN] = '\0';
}

/* "PAK,IRN" -> ["PAK","IRN"] */
static json_t *release_array(const char *release)
{
    json_t *arr = json_array();
    const char *p = release;

    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, n));
        p += n + (comma ? 1 : 0);
    }
    return arr;
}

json_t *entry_to_json(const struct journal_entry *e)
{
    char ts[32], prev[2 * ENTRY_HASH_LEN + 1], hash[2 * ENTRY_HASH_LEN + 1];
    json_t *payload = json_loadb(e->payload ? e->payload : "null", e->payload ? e->payload_len : 4,
                                 JSON_DECODE_ANY, NULL);

    if (payload == NULL)
        return NULL;
    hex32(e->prev_hash, prev);
    hex32(e->hash, hash);
    json_t *j =
        json_pack("{s:I,s:s,s:s,s:s,s:I,s:s,s:I,s:o,s:o,s:s,s:s}", "seq", (json_int_t)e->seq,
                  "time", clock_format_rfc3339(e->time_ms, ts, sizeof(ts)), "kind", e->kind,
                  "record_id", e->record_id, "version", (json_int_t)e->version, "origin", e->origin,
                  "origin_seq", (json_int_t)e->origin_seq, "release", release_array(e->release),
                  "payload", payload, "prev_hash", prev, "hash", hash);
    if (j && e->seal_len > 0)
        seal_to_json(j, e->seal, e->seal_len);
    return j;
}
