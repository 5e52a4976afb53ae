/*
 * frame.h: framing of the federation link.
 *
 *   +----------------+---------+---------------------------+
 *   | length: u32 BE | type u8 | body: JSON, length-1 bytes |
 *   +----------------+---------+---------------------------+
 *
 * The length counts the type byte and the body and is at most FRAME_MAX: anything larger
 * (or garbage read as a length) is a protocol error and the connection is closed.
 */
#ifndef SARHAD_LINK_FRAME_H
#define SARHAD_LINK_FRAME_H

#include "core/err.h"

#include <jansson.h>

struct evbuffer;

#define FRAME_MAX (1u << 20)

enum frame_type {
    FRAME_HELLO = 1,      /* {node, country, version, applied:[urgent, bulk]} */
    FRAME_ENTRY = 2,      /* {stream, prev, origin, origin_seq, kind, record_id, version, release,
                             payload (JSON text), seal (hex; domain/seal.h)} */
    FRAME_ACK = 3,        /* {stream, seq, time, sig}: cumulative, signed by the receiver */
    FRAME_EXPECT = 4,     /* {stream, after}: gap; resend after `after` */
    FRAME_REJECT = 5,     /* {stream, origin_seq, reason, time, sig} */
    FRAME_PING = 6,       /* {t} */
    FRAME_PONG = 7,       /* {t} echoed */
    FRAME_POS = 8,        /* {unit}: latest position of a released unit; latest wins, no ack */
    FRAME_CHECKPOINT = 9, /* {size, root, time, sig, from, proof[]}: our exchange log, signed,
                             with a consistency proof from the last size the peer cosigned */
    FRAME_COSIGN = 10,    /* {size, root, time, cosig}: the peer's cosignature */
    FRAME_TYPE_MAX = 10
};

/* Appends one frame. Returns SH_ELIMIT if the body would exceed FRAME_MAX. */
enum sh_err frame_write(struct evbuffer *out, enum frame_type type, const json_t *body);

/* Takes one complete frame off `in`. Returns SH_OK with *type and *body (new reference) set,
 * SH_ENOTFOUND when more bytes are needed, or SH_EINVAL / SH_ELIMIT with `info` on a
 * malformed or oversize frame. */
enum sh_err frame_read(struct evbuffer *in, enum frame_type *type, json_t **body,
                       struct sh_errinfo *info);

#endif
