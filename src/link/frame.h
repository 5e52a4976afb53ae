/*
 * frame.h: framing of the federation link.
 *
 *   +----------------+---------+-----------------------------------------------+
 *   | length: u32 BE | type u8 | body, length-1 bytes: a JSON object, or for    |
 *   |                |         | FRAME_ENTRY the binary layout below            |
 *   +----------------+---------+-----------------------------------------------+
 *
 * The length counts the type byte and the body and is at most FRAME_MAX: anything larger
 * (or garbage read as a length) is a protocol error and the connection is closed.
 *
 * FRAME_ENTRY, the bulk of the traffic, is binary, so that an entry crosses as the very bytes
 * its origin sealed, with no JSON to write, escape or parse on either side:
 *
 *   u8 stream | u64 prev | u32 n | entry_canonical_wire (n bytes; domain/entry.h) | seal
 *
 * (big-endian; `prev` is the origin_seq of the entry sent before it on the stream; the seal,
 * domain/seal.h, runs to the end of the frame.)
 */
#ifndef SARHAD_LINK_FRAME_H
#define SARHAD_LINK_FRAME_H

#include "core/err.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct evbuffer;

#define FRAME_MAX (1u << 20)
#define FRAME_HEAD 5        /* length (4 bytes, big-endian, type and body), type */
#define FRAME_ENTRY_HEAD 13 /* stream, prev, n */

/* Bytes an ENTRY frame carrying `total_len` bytes of entry and seal takes on the wire. */
static inline size_t frame_entry_bytes(size_t total_len)
{
    return FRAME_HEAD + FRAME_ENTRY_HEAD + total_len;
}

enum frame_type {
    FRAME_HELLO = 1,      /* {node, country, version, proto, applied:[urgent, bulk], acked:[..]}:
                             a peer of another `proto` (link.c LINK_PROTO) is refused */
    FRAME_ENTRY = 2,      /* binary, above */
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

/* A frame taken off the input: a JSON object in `body`, or, for FRAME_ENTRY, its bytes in
 * `bin` (bin_len of them). Owned by the caller: frame_clear(). */
struct frame {
    enum frame_type type;
    json_t *body;
    uint8_t *bin;
    size_t bin_len;
};

/* Appends one JSON frame. Returns SH_ELIMIT if the body would exceed FRAME_MAX. */
enum sh_err frame_write(struct evbuffer *out, enum frame_type type, const json_t *body);

/* Appends one ENTRY frame: the entry's wire encoding, wire[0..wire_len), is followed in
 * `wire` by its seal, up to total_len. SH_ELIMIT if it would exceed FRAME_MAX. */
enum sh_err frame_write_entry(struct evbuffer *out, int stream, int64_t prev, const uint8_t *wire,
                              size_t wire_len, size_t total_len);

/* The parts of an ENTRY frame's bytes; pointers into `bin`. -1 if they do not hold together. */
int frame_entry_parts(const uint8_t *bin, size_t len, int *stream, int64_t *prev,
                      const uint8_t **wire, size_t *wire_len, const uint8_t **seal,
                      size_t *seal_len);

/* Takes one complete frame off `in`. Returns SH_OK with `f` set, SH_ENOTFOUND when more bytes
 * are needed, or SH_EINVAL / SH_ELIMIT with `info` on a malformed or oversize frame. */
enum sh_err frame_read(struct evbuffer *in, struct frame *f, struct sh_errinfo *info);

/* Frees what `f` holds. */
void frame_clear(struct frame *f);

#endif
