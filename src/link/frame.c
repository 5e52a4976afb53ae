/*
 * frame.c: length-prefixed frames, JSON ones and the binary ENTRY frame.
 */
#include "link/frame.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

static void put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (uint8_t)v;
}

static uint64_t get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

static void put_head(struct evbuffer *out, size_t len, enum frame_type type)
{
    uint8_t head[FRAME_HEAD];

    put_be(head, len, 4);
    head[4] = (uint8_t)type;
    evbuffer_add(out, head, sizeof(head));
}

enum sh_err frame_write(struct evbuffer *out, enum frame_type type, const json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    size_t len;

    if (text == NULL)
        return SH_ENOMEM;
    len = strlen(text) + 1;
    if (len > FRAME_MAX) {
        free(text);
        return SH_ELIMIT;
    }
    put_head(out, len, type);
    evbuffer_add(out, text, len - 1);
    free(text);
    return SH_OK;
}

enum sh_err frame_write_entry(struct evbuffer *out, int stream, int64_t prev, const uint8_t *wire,
                              size_t wire_len, size_t total_len)
{
    uint8_t head[FRAME_ENTRY_HEAD];
    size_t len = 1 + FRAME_ENTRY_HEAD + total_len;

    if (len > FRAME_MAX || wire_len > total_len)
        return SH_ELIMIT;
    head[0] = (uint8_t)stream;
    put_be(head + 1, (uint64_t)prev, 8);
    put_be(head + 9, wire_len, 4);
    put_head(out, len, FRAME_ENTRY);
    evbuffer_add(out, head, sizeof(head));
    evbuffer_add(out, wire, total_len);
    return SH_OK;
}

int frame_entry_parts(const uint8_t *bin, size_t len, int *stream, int64_t *prev,
                      const uint8_t **wire, size_t *wire_len, const uint8_t **seal,
                      size_t *seal_len)
{
    size_t n;

    if (len < FRAME_ENTRY_HEAD)
        return -1;
    n = (size_t)get_be(bin + 9, 4);
    if (n > len - FRAME_ENTRY_HEAD)
        return -1;
    *stream = bin[0];
    *prev = (int64_t)get_be(bin + 1, 8);
    *wire = bin + FRAME_ENTRY_HEAD;
    *wire_len = n;
    *seal = *wire + n;
    *seal_len = len - FRAME_ENTRY_HEAD - n;
    return 0;
}

enum sh_err frame_read(struct evbuffer *in, struct frame *f, struct sh_errinfo *info)
{
    uint8_t head[5];
    uint32_t len;
    json_error_t jerr;

    memset(f, 0, sizeof(*f));
    if (evbuffer_copyout(in, head, 5) < 5)
        return SH_ENOTFOUND;
    len = (uint32_t)get_be(head, 4);
    if (len > FRAME_MAX)
        return err_set(info, SH_ELIMIT, "frame", "frame of %u bytes exceeds the limit of %u", len,
                       FRAME_MAX);
    if (len < 1 || head[4] < 1 || head[4] > FRAME_TYPE_MAX)
        return err_set(info, SH_EINVAL, "frame", "unknown frame type %u", head[4]);
    if (evbuffer_get_length(in) < 4 + (size_t)len)
        return SH_ENOTFOUND;
    f->type = (enum frame_type)head[4];
    if (f->type == FRAME_ENTRY) {
        f->bin_len = len - 1;
        f->bin = malloc(f->bin_len ? f->bin_len : 1);
        if (f->bin == NULL)
            abort();
        evbuffer_drain(in, 5);
        evbuffer_remove(in, f->bin, f->bin_len);
        return SH_OK;
    }
    unsigned char *p = evbuffer_pullup(in, 4 + (ssize_t)len);
    f->body = json_loadb((const char *)p + 5, len - 1, JSON_REJECT_DUPLICATES, &jerr);
    evbuffer_drain(in, 4 + (size_t)len);
    if (!json_is_object(f->body)) {
        json_decref(f->body);
        f->body = NULL;
        return err_set(info, SH_EINVAL, "frame", "frame body is not a JSON object: %s", jerr.text);
    }
    return SH_OK;
}

void frame_clear(struct frame *f)
{
    json_decref(f->body);
    free(f->bin);
    f->body = NULL;
    f->bin = NULL;
}
