/*
 * frame.c: length-prefixed JSON frames.
 */
#include "link/frame.h"

#include <event2/buffer.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum sh_err frame_write(struct evbuffer *out, enum frame_type type, const json_t *body)
{
    char *text = json_dumps(body, JSON_COMPACT);
    size_t len;
    uint8_t head[5];

    if (text == NULL)
        return SH_ENOMEM;
    len = strlen(text) + 1;
    if (len > FRAME_MAX) {
        free(text);
        return SH_ELIMIT;
    }
    head[0] = (uint8_t)(len >> 24);
    head[1] = (uint8_t)(len >> 16);
    head[2] = (uint8_t)(len >> 8);
    head[3] = (uint8_t)len;
    head[4] = (uint8_t)type;
    evbuffer_add(out, head, 5);
    evbuffer_add(out, text, len - 1);
    free(text);
    return SH_OK;
}

enum sh_err frame_read(struct evbuffer *in, enum frame_type *type, json_t **body,
                       struct sh_errinfo *info)
{
    uint8_t head[5];
    uint32_t len;
    unsigned char *p;
    json_error_t jerr;

    *body = NULL;
    if (evbuffer_copyout(in, head, 5) < 5)
        return SH_ENOTFOUND;
    len = (uint32_t)head[0] << 24 | (uint32_t)head[1] << 16 | (uint32_t)head[2] << 8 | head[3];
    if (len > FRAME_MAX)
        return err_set(info, SH_ELIMIT, "frame", "frame of %u bytes exceeds the limit of %u", len,
                       FRAME_MAX);
    if (len < 1 || head[4] < 1 || head[4] > FRAME_TYPE_MAX)
        return err_set(info, SH_EINVAL, "frame", "unknown frame type %u", head[4]);
    if (evbuffer_get_length(in) < 4 + (size_t)len)
        return SH_ENOTFOUND;
    p = evbuffer_pullup(in, 4 + (ssize_t)len);
    *body = json_loadb((const char *)p + 5, len - 1, JSON_REJECT_DUPLICATES, &jerr);
    evbuffer_drain(in, 4 + (size_t)len);
    if (!json_is_object(*body)) {
        json_decref(*body);
        *body = NULL;
        return err_set(info, SH_EINVAL, "frame", "frame body is not a JSON object: %s", jerr.text);
    }
    *type = (enum frame_type)head[4];
    return SH_OK;
}
