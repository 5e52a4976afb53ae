/*
 * link.c: connections, the replication protocol and link health.
 *
 * A peer's link:
 *
 *            dial_cb / accept_cb                 on_hello (names match)
 *   DOWN ------------------------> CONNECTING ---------------------------> UP
 *    ^  ^                             |  TLS fails, cert not pinned,       |
 *    |  +------ conn_close -----------+  wrong HELLO                       |
 *    +----------------- conn_close (EOF, garbage, 3 missed heartbeats) ----+
 *   (a peer with an address is re-dialled after a backoff: 0.5 s doubling to 30 s, jittered)
 *
 * Per stream, the sender holds `scan` (last journal seq examined), `prev` (last seq sent), a
 * window of sent, unacknowledged seqs and `acked` (the last seq a signed ACK covered); the
 * receiver holds `queued` (last origin seq handed to the writer) and `applied` (last
 * committed). Urgent frames are written first; a batch of bulk frames (SEND_BATCH) is
 * written only while the output holds less than BULK_LOW_WATER bytes, so an urgent entry waits
 * behind at most about one batch (32 entries, typically 20 KiB) and the kernel's small send
 * buffer (LINK_SNDBUF). While the writer holds an urgent op, bulk waits (bulk_held).
 *
 * What either side may later have to prove survives a cut at any moment. HELLO carries
 * `applied` (where the other resumes sending) and `acked` (what we hold receipts for); only a
 * signed ACK moves `acked`, so after a reconnect the receiver sends again its ACK and the
 * refusals past the sender's `acked` (on_hello), and on_ack takes an ACK that covers entries
 * the window no longer holds (window_relog). A refusal is signed and logged in the transaction
 * that stores it; a checkpoint and a cosignature are sent only once stored (receipt_done), and
 * a cosignature that never arrived is sent again when the peer proves from an older one.
 *
 * Memory per link is bounded: frames <= FRAME_MAX, input stops being read above that, the
 * sender's window (WINDOW entries per stream) bounds what is unacknowledged, and the receiver
 * holds at most PENDING_MAX frames per stream and PENDING_BYTES_MAX bytes: a peer that sends
 * beyond that is cut off. At most MAX_UNIDENTIFIED connections may be handshaking, each for
 * HANDSHAKE_TIMEOUT_S.
 * The receiver never has to stop reading a well-behaved peer, so an urgent frame is read as
 * soon as it arrives even while bulk entries wait for the writer.
 */
#include "link/link.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/backoff.h"
#include "domain/gate.h"
#include "domain/unit.h"
#include "link/frame.h"
#include "net/tls.h"
#include "store/journal.h"
#include "domain/merkle.h"
#include "domain/seal.h"
#include "store/peers.h"
#include "store/prefetch.h"
#include "store/xlog.h"

#include <arpa/inet.h>
#include <time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define WINDOW 1024 /* unacknowledged entries per stream */
#define READ_BATCH 256
#define SCAN_BUDGET 2048 /* journal rows examined per stream per loop turn: the loop stays live */
#define BULK_LOW_WATER (16 * 1024)
#define MAX_INFLIGHT 512         /* bulk entries handed to the writer and not yet done, per peer */
#define PENDING_MAX (2 * WINDOW) /* frames read and not yet checked, per stream */
#define PENDING_BYTES_MAX (64u << 20) /* and their bytes, per peer */
#define BULK_BUDGET 32   /* bulk entries checked per loop turn, so urgent frames get read */
#define HOLD_POLL_MS 20  /* longest the receiver polls while bulk is held (process_pending) */
#define LINK_PROTO 2     /* 2: binary ENTRY frames and batch seals; HELLO of another is refused */
#define TREE_BUDGET 4096 /* exchange-log leaves read into the tree per commit or heartbeat */
#define SEND_BATCH 32    /* entries sealed under one signature (domain/seal.h), at most */
#define SEND_BATCH_BYTES (256 * 1024) /* and their payload bytes */
/* Kernel socket buffers of a link, fixed: loopback and LAN autotuning grows them to megabytes,
 * and the kernel's queues are first in first out, so bulk frames queued there sit ahead of an
 * urgent frame. The send buffer is the smaller: at 64 KiB, up to 90 KB of bulk waited in it
 * ahead of a FLASH whenever the receiver fell behind (the A-to-B crossing's p99 was 20 ms);
 * at 16 KiB bulk waits in our output buffer instead, where BULK_LOW_WATER keeps it short.
 * The receive buffer stays at 64 KiB: at 16 KiB the window stalled and a catch-up fell from
 * 20,000 to 1,500 entries/s. */
#define LINK_SNDBUF (16 * 1024)
#define LINK_RCVBUF (64 * 1024)
/* Bytes a link connection reads (or writes) in one loop turn, instead of libevent's 16 KiB.
 * A TLS bufferevent still reads at most two TLS records per turn, which is why batch_send
 * writes a batch's frames contiguously (full 16 KiB records). Read into user space, urgent
 * frames are checked first (process_pending). */
#define LINK_SINGLE_IO (256 * 1024)
#define HANDSHAKE_TIMEOUT_S 10
#define LINK_PEERS_MAX 64   /* pinned peers one node serves */
#define MAX_UNIDENTIFIED 16 /* connections not yet up: a bound on what strangers can hold */

enum link_state { LINK_DOWN, LINK_CONNECTING, LINK_UP };
static const char *const state_names[] = {"down", "connecting", "up"};

struct link_conn;

struct link_peer {
    struct link *link;
    struct peer_row row;
    uint8_t pub[CRYPTO_ED25519_PUB_LEN];
    struct link_conn *conn;
    enum link_state state;
    int64_t since_ms;
    /* sender */
    int64_t scan[GATE_STREAMS], prev[GATE_STREAMS], acked[GATE_STREAMS];
    int64_t stuck[GATE_STREAMS];    /* the entry last reported too big to frame, not to repeat it */
    int64_t unlogged[GATE_STREAMS]; /* entries up to here may be acknowledged with no leaf here */
    int64_t window[GATE_STREAMS][WINDOW];
    uint8_t *leaf[GATE_STREAMS][WINDOW]; /* what was signed and sent: the exchange-log leaf */
    size_t leaf_len[GATE_STREAMS][WINDOW];
    int win_head[GATE_STREAMS], win_count[GATE_STREAMS];
    /* receiver */
    int64_t queued[GATE_STREAMS], applied[GATE_STREAMS], ack_sent[GATE_STREAMS];
    int expecting[GATE_STREAMS];
    struct seal_memo memo[GATE_STREAMS]; /* the peer's last batch statement verified */
    int inflight;                        /* entries handed to the writer, not yet done */
    int64_t held_since_ms; /* bulk checking held back (bulk_held) since then; 0 when not */
    uint8_t *pending[GATE_STREAMS][PENDING_MAX]; /* ENTRY frames read, not yet checked */
    uint32_t pending_len[GATE_STREAMS][PENDING_MAX];
    size_t pending_bytes;
    int pend_head[GATE_STREAMS], pend_count[GATE_STREAMS];
    struct event *recv_ev;
    struct event *ack_ev, *dial_ev, *pump_ev;
    int backoff_ms;
    /* health and counters */
    double rtt_ms;
    int64_t last_heartbeat_ms;
    uint64_t sent, acknowledged, received, rejected_in, rejected_out, bytes_in, bytes_out;
    char last_error[200];
    /* exchange log: our checkpoint awaiting the peer's cosignature, the last it cosigned */
    struct xlog_checkpoint ckpt_pending;
    int ckpt_stored; /* ckpt_pending is committed: it may be sent */
    int64_t ckpt_sent_size, cosigned_size;
};

struct link_conn {
    struct link *link;
    struct bufferevent *bev;
    struct link_peer *peer; /* known once the certificate matched a pin */
    int dialer;
    int up;
    int64_t last_rx_ms;
    int64_t opened_ms; /* a connection has HANDSHAKE_TIMEOUT_S from here to say HELLO */
    char remote[64];
    struct link_conn *next;
};

struct link {
    struct event_base *base;
    struct link_config cfg;
    char node[64], country[4], listen[128];
    SSL_CTX *server_ctx, *client_ctx;
    struct evconnlistener *listener;
    int port;
    struct link_peer *peers;
    int npeers;
    struct link_conn *conns;
    struct event *heartbeat_ev;
    int shut;
    /* the exchange log as the loop knows it (leaf hashes, for roots and proofs) */
    uint8_t (*leaves)[32];
    size_t nleaves, capleaves;
    struct merkle_cache cache; /* roots of its large subtrees: roots and proofs in O(log n) */
    struct send_batch *batch;  /* entries being sealed: filled and emptied within one call */
    struct prefetch *prefetch; /* reads the bulk backlog ahead of the scans (store/prefetch.h) */
};

/* Entries read for one peer and stream, sealed together (batch_seal) and then sent (pump) or
 * logged as acknowledged (relog). leaf[i]: entry_canonical_wire(wire[i]) || its seal. */
struct send_batch {
    int n;
    size_t bytes;
    int64_t seq[SEND_BATCH];
    struct journal_entry wire[SEND_BATCH];
    uint8_t *leaf[SEND_BATCH];
    size_t leaf_len[SEND_BATCH], seal_at[SEND_BATCH];
    uint8_t seal[SEND_BATCH][ENTRY_SEAL_MAX];
    size_t seal_len[SEND_BATCH];
};

/* A receiver-side write: one replicated entry, or one refusal. */
struct replica_op {
    struct writer_op op;
    struct link_peer *peer;
    int stream;
    struct journal_entry entry;
    json_t *doc;
    int as_sent;         /* entry.payload is doc's text (gate_inbound) */
    int64_t prev;        /* the stream position this entry follows */
    int late_refusal;    /* refused by the store rather than by the gate */
    char reason[200];    /* non-empty: refuse the entry with this reason */
    int64_t reject_time; /* the refusal as signed and stored in the writer's transaction */
    uint8_t reject_sig[ENTRY_SIG_LEN];
};

struct leaf_item {
    char ref[96];
    const char *direction;
    uint8_t *data; /* owned */
    size_t len;
};

struct receipt_op {
    struct writer_op op;
    struct link_peer *peer;
    int stream;
    int64_t seq, time_ms;
    uint8_t sig[ENTRY_SIG_LEN];
    char reason[200];         /* non-empty: the peer's signed rejection of our entry `seq` */
    struct leaf_item *leaves; /* exchange-log leaves to append with it (owned) */
    int nleaves;
    int no_receipt;                     /* only leaves (a receipt we issued) */
    struct xlog_checkpoint *checkpoint; /* a checkpoint to store (owned), or NULL */
    int announce;  /* `checkpoint` is our new one: send it once it is committed */
    json_t *reply; /* a COSIGN to send once `checkpoint` is committed (owned), or NULL */
};

static void conn_close(struct link_conn *c, const char *reason);
static void checkpoint_announce(struct link_peer *p);
static void peer_pump(struct link_peer *p);
static int bulk_held(struct link_peer *p);
static void dial_schedule(struct link_peer *p);
static void tree_refresh(struct link *l, int budget);

static void hex(const uint8_t *in, size_t n, char *out)
{
    crypto_hex(in, n, out);
}

static int send_frame(struct link_conn *c, enum frame_type type, json_t *body)
{
    struct evbuffer *out = bufferevent_get_output(c->bev);
    size_t before = evbuffer_get_length(out);
    enum sh_err rc = frame_write(out, type, body);

    json_decref(body);
    if (rc != SH_OK)
        return -1;
    if (c->peer)
        c->peer->bytes_out += evbuffer_get_length(out) - before;
    return 0;
}

/* Signs a receipt we issue to `p` (an acknowledgement when reason is NULL, else a refusal)
 * and returns its exchange-log leaf, what was signed then the signature (malloc'd, *len), named
 * `ref`. Also called on the writer thread (a refusal is signed in the transaction that stores
 * it): the key is only read, which OpenSSL allows from several threads. */
static uint8_t *receipt_sign(struct link_peer *p, int stream, int64_t seq, const char *reason,
                             int64_t time_ms, uint8_t sig[ENTRY_SIG_LEN], size_t *len, char ref[96])
{
    struct link *l = p->link;
    size_t n = entry_canonical_receipt(l->node, p->row.name, stream, seq, reason, time_ms, NULL, 0);
    uint8_t *data = malloc(n + ENTRY_SIG_LEN);

    if (data == NULL)
        abort();
    entry_canonical_receipt(l->node, p->row.name, stream, seq, reason, time_ms, data, n);
    if (crypto_key_sign(l->cfg.key, data, n, sig) != SH_OK)
        memset(sig, 0, ENTRY_SIG_LEN);
    memcpy(data + n, sig, ENTRY_SIG_LEN);
    *len = n + ENTRY_SIG_LEN;
    snprintf(ref, 96, "%s:%s:%d:%lld", reason ? "reject" : "ack", p->row.name, stream,
             (long long)seq);
    return data;
}

static int verify_receipt(struct link_peer *p, int stream, int64_t seq, const char *reason,
                          int64_t time_ms, const char *sig_hex, uint8_t sig[ENTRY_SIG_LEN])
{
    uint8_t buf[512];
    size_t n = entry_canonical_receipt(p->row.name, p->link->node, stream, seq, reason, time_ms,
                                       buf, sizeof(buf));

    if (sig_hex == NULL || n > sizeof(buf) ||
        crypto_unhex(sig_hex, strlen(sig_hex), sig, ENTRY_SIG_LEN) != 0)
        return -1;
    return crypto_verify(p->pub, buf, n, sig) == SH_OK ? 0 : -1;
}

/* ---- sender ------------------------------------------------------------------------------ */

/* Adds the gated copy of journal entry `e` to the batch if anything of it goes to `p`. The
 * stream is the one the entry was journaled for (journal_read_released reads one stream). */
static void batch_add(struct send_batch *b, struct link_peer *p, const struct journal_entry *e)
{
    if (gate_outbound(e, p->row.country, &b->wire[b->n]) != SH_OK)
        return;
    b->seq[b->n] = e->seq;
    b->bytes += b->wire[b->n].payload_len;
    b->n++;
}

static int batch_full(const struct send_batch *b)
{
    return b->n >= SEND_BATCH || b->bytes >= SEND_BATCH_BYTES;
}

/* Frees what the batch holds from entry `from` on and empties it. */
static void batch_drop(struct send_batch *b, int from)
{
    for (int i = from; i < b->n; i++) {
        free(b->wire[i].payload);
        free(b->leaf[i]);
        b->leaf[i] = NULL;
    }
    b->n = 0;
    b->bytes = 0;
}

/* Seals the batch under one signature and makes each entry's exchange-log leaf: what was
 * signed, then its seal. -1 (and the batch dropped) if the key cannot sign. */
static int batch_seal(struct link *l, struct send_batch *b)
{
    const uint8_t *canon[SEND_BATCH];

    for (int i = 0; i < b->n; i++) {
        size_t n = entry_canonical_wire(&b->wire[i], NULL, 0);
        b->leaf[i] = malloc(n + ENTRY_SEAL_MAX);
        if (b->leaf[i] == NULL)
            abort();
        entry_canonical_wire(&b->wire[i], b->leaf[i], n);
        canon[i] = b->leaf[i];
        b->seal_at[i] = n;
    }
    if (seal_batch(l->cfg.key, l->node, canon, b->seal_at, (size_t)b->n, b->seal, b->seal_len) !=
        SH_OK) {
        log_error("link.seal_failed", "entries=%d", b->n);
        batch_drop(b, 0);
        return -1;
    }
    for (int i = 0; i < b->n; i++) {
        memcpy(b->leaf[i] + b->seal_at[i], b->seal[i], b->seal_len[i]);
        b->leaf_len[i] = b->seal_at[i] + b->seal_len[i];
    }
    return 0;
}

struct pump_ctx {
    struct link_peer *peer;
    int stream;
};

static int pump_one(const struct journal_entry *e, void *arg)
{
    struct pump_ctx *pc = arg;
    struct link_peer *p = pc->peer;
    struct send_batch *b = p->link->batch;

    p->scan[pc->stream] = e->seq;
    if (e->urgent == (pc->stream == GATE_URGENT))
        batch_add(b, p, e);
    return batch_full(b) || p->win_count[pc->stream] + b->n >= WINDOW;
}

/* Seals and sends the batch read for `stream`; returns the number of frames sent, or -1 when
 * it stopped short (the key could not sign, or an entry cannot be framed): the scan goes back
 * to read the rest again at the next pump, not in this one. */
static int batch_send(struct link_peer *p, int stream)
{
    struct send_batch *b = p->link->batch;
    int i;

    if (b->n == 0)
        return 0;
    if (batch_seal(p->link, b) < 0) {
        p->scan[stream] = p->prev[stream];
        return -1;
    }
    /* One contiguous stretch for the batch: the TLS bufferevent makes one record per piece of
     * its output (libevent's pieces are at most 4 KiB when written frame by frame), and the
     * receiver reads two records a loop turn, so small records left bulk in the kernel's
     * buffers, ahead of urgent frames. */
    size_t room = 0;
    for (i = 0; i < b->n; i++)
        room += frame_entry_bytes(b->leaf_len[i]);
    evbuffer_expand(bufferevent_get_output(p->conn->bev), room);
    for (i = 0; i < b->n; i++) {
        struct evbuffer *out = bufferevent_get_output(p->conn->bev);
        size_t before = evbuffer_get_length(out);
        if (frame_write_entry(out, stream, p->prev[stream], b->leaf[i], b->seal_at[i],
                              b->leaf_len[i]) != SH_OK) {
            /* Cannot happen within the field limits of today's kinds. Not skipped (the peer
             * would acknowledge past it, and the exchange log would call it sent): the
             * stream stops here, visibly, until the entry is dealt with. */
            if (p->stuck[stream] != b->seq[i])
                log_error("link.entry_too_big", "peer=%s stream=%d seq=%lld bytes=%zu", p->row.name,
                          stream, (long long)b->seq[i], b->leaf_len[i]);
            p->stuck[stream] = b->seq[i];
            snprintf(p->last_error, sizeof(p->last_error),
                     "entry %lld (%zu bytes) does not fit a link frame; its stream is stopped",
                     (long long)b->seq[i], b->leaf_len[i]);
            p->scan[stream] = p->prev[stream];
            batch_drop(b, i);
            return -1;
        }
        p->bytes_out += evbuffer_get_length(out) - before;
        free(b->wire[i].payload);
        b->wire[i].payload = NULL;
        p->prev[stream] = b->seq[i];
        int slot = (p->win_head[stream] + p->win_count[stream]) % WINDOW;
        p->window[stream][slot] = b->seq[i];
        free(p->leaf[stream][slot]);
        p->leaf[stream][slot] = b->leaf[i];
        p->leaf_len[stream][slot] = b->leaf_len[i];
        b->leaf[i] = NULL;
        p->win_count[stream]++;
        p->sent++;
    }
    batch_drop(b, i);
    return i;
}

/* Sends what may go on `stream`, in sealed batches; returns the number of frames sent. When
 * the scan budget runs out with more to examine, the pump continues on the next turn. */
static int pump_stream(struct link_peer *p, int stream)
{
    struct pump_ctx pc = {p, stream};
    struct send_batch *b = p->link->batch;
    int64_t before, start = p->scan[stream];
    int sent = 0;

    for (;;) {
        if (p->scan[stream] - start >= SCAN_BUDGET) {
            event_active(p->pump_ev, EV_TIMEOUT, 0);
            break;
        }
        if (p->conn == NULL || p->state != LINK_UP || p->win_count[stream] + b->n >= WINDOW)
            break;
        if (batch_full(b)) {
            int n = batch_send(p, stream);
            if (n < 0)
                return sent;
            sent += n;
            continue;
        }
        if (stream == GATE_BULK && bulk_held(p))
            break; /* link_notify pumps again when the urgent writes are done */
        if (stream == GATE_BULK) {
            prefetch_hint(p->link->prefetch, p->scan[stream]);
            if (evbuffer_get_length(bufferevent_get_output(p->conn->bev)) >= BULK_LOW_WATER)
                break;
        }
        before = p->scan[stream];
        if (journal_read_released(p->link->cfg.rdb, p->scan[stream], p->link->node, p->row.country,
                                  stream == GATE_URGENT, READ_BATCH, pump_one, &pc) != SH_OK ||
            p->scan[stream] == before)
            break;
    }
    int n = batch_send(p, stream);
    return n < 0 ? sent : sent + n;
}

/* Urgent first, end to end: while this node's writer holds an urgent op (a FLASH being stored
 * here or there, an urgent entry, a receipt of one), bulk work waits: no bulk frame is read
 * from the journal and sent, and no received one is checked and handed to the writer. On
 * saturated cores the urgent op's commit, and the loops and the crossing around it, then do not
 * share the CPU with a catch-up: about 10 ms off a FLASH round trip's p99 behind a backlog.
 * What a catch-up loses depends on the urgent traffic: nothing measurable with an urgent event
 * every 100 ms, about a third with 100 FLASH messages a second (bench/RESULTS.md). An urgent op
 * is one short transaction and never waits for bulk, so the hold ends; link_notify, which runs
 * after every commit, resumes both. */
static int bulk_held(struct link_peer *p)
{
    return writer_urgent_open(p->link->cfg.writer) > 0;
}

static void pump_cb(evutil_socket_t fd, short what, void *arg)
{
    peer_pump(arg);
}

static void peer_pump(struct link_peer *p)
{
    if (p->state != LINK_UP || p->link->shut)
        return;
    pump_stream(p, GATE_URGENT); /* urgent first, always */
    pump_stream(p, GATE_BULK);
}

void link_notify(struct link *l)
{
    if (l && !l->shut)
        tree_refresh(l, TREE_BUDGET);
    for (int i = 0; l && i < l->npeers; i++) {
        struct link_peer *p = &l->peers[i];
        peer_pump(p);
        if (p->conn && p->conn->up && p->pend_count[GATE_BULK] > 0)
            event_active(p->recv_ev, EV_TIMEOUT, 0); /* bulk held back by bulk_held */
    }
}

static void receipt_done(struct writer_op *op)
{
    struct receipt_op *r = op->arg;
    struct link_peer *p = r->peer;

    if (op->result != SH_OK && r->checkpoint)
        log_warn("link.checkpoint_not_stored", "peer=%s origin=%s size=%lld", p->row.name,
                 r->checkpoint->origin, (long long)r->checkpoint->size);
    else if (op->result != SH_OK)
        log_warn("link.receipt_not_stored", "peer=%s seq=%lld", p->row.name, (long long)r->seq);
    /* A checkpoint or a cosignature goes out only once stored: the other side builds on it
     * (the next consistency proof starts from the last cosigned), so a crash must not lose
     * here what the peer holds. */
    if (r->reply && op->result == SH_OK && p->conn && p->state == LINK_UP)
        send_frame(p->conn, FRAME_COSIGN, r->reply);
    else
        json_decref(r->reply);
    if (r->announce && op->result == SH_OK && r->checkpoint->size == p->ckpt_pending.size) {
        p->ckpt_stored = 1;
        checkpoint_announce(p);
    }
    for (int i = 0; i < r->nleaves; i++)
        free(r->leaves[i].data);
    free(r->leaves);
    free(r->checkpoint);
    free(r);
}

static enum sh_err receipt_apply(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct receipt_op *r = arg;
    enum sh_err rc;

    for (int i = 0; i < r->nleaves; i++)
        if ((rc = xlog_append(tx, r->peer->row.name, r->leaves[i].direction, r->leaves[i].ref,
                              r->leaves[i].data, r->leaves[i].len)))
            return rc;
    if (r->checkpoint)
        return xlog_checkpoint_put(tx, r->checkpoint);
    if (r->no_receipt)
        return SH_OK;
    if (r->reason[0])
        return rejection_add(tx, r->peer->row.name, "out", r->stream, r->seq, r->reason, r->time_ms,
                             r->sig);
    return receipt_add(tx, r->peer->row.name, r->stream, r->seq, r->time_ms, r->sig);
}

static struct receipt_op *receipt_op_new(struct link_peer *p)
{
    struct receipt_op *r = calloc(1, sizeof(*r));

    if (r == NULL)
        abort();
    r->peer = p;
    r->op = (struct writer_op){.apply = receipt_apply, .arg = r, .done = receipt_done};
    return r;
}

/* Adds a leaf to an op; takes ownership of `data`. */
static void receipt_op_leaf(struct receipt_op *r, const char *direction, const char *ref,
                            uint8_t *data, size_t len)
{
    struct leaf_item *grown = realloc(r->leaves, sizeof(*grown) * (size_t)(r->nleaves + 1));

    if (grown == NULL)
        abort();
    r->leaves = grown;
    r->leaves[r->nleaves] = (struct leaf_item){.direction = direction, .data = data, .len = len};
    snprintf(r->leaves[r->nleaves].ref, sizeof(r->leaves[r->nleaves].ref), "%s", ref);
    r->nleaves++;
}

static void window_clear(struct link_peer *p, int s)
{
    for (int i = 0; i < WINDOW; i++) {
        free(p->leaf[s][i]);
        p->leaf[s][i] = NULL;
    }
    p->win_count[s] = p->win_head[s] = 0;
}

/* Takes the oldest entry off the window: its leaf goes into `r` as acknowledged, or is
 * dropped when r is NULL (its receipt is recorded already). */
static void window_pop(struct link_peer *p, int s, struct receipt_op *r)
{
    int h = p->win_head[s];
    char ref[96];

    if (r && p->leaf[s][h]) {
        snprintf(ref, sizeof(ref), "%s:%lld", p->link->node, (long long)p->window[s][h]);
        receipt_op_leaf(r, "sent", ref, p->leaf[s][h], p->leaf_len[s][h]);
        p->acknowledged++;
    } else {
        free(p->leaf[s][h]);
    }
    p->leaf[s][h] = NULL;
    p->win_head[s] = (h + 1) % WINDOW;
    p->win_count[s]--;
}

/* Forgets the entries sent after `after`: sending resumes from there (HELLO, EXPECT). Entries
 * up to `after` stay until a signed acknowledgement covers them, whatever the peer says it
 * applied. What the window cannot vouch for, the forgotten entries (the peer may still apply
 * them from a connection now gone) and any up to `after` sent before the window began (by an
 * earlier run of the node), is marked `unlogged`: on_ack makes their leaves again. */
static void window_truncate(struct link_peer *p, int s, int64_t after)
{
    int64_t tail, hi = after;

    while (p->win_count[s] > 0) {
        int t = (p->win_head[s] + p->win_count[s] - 1) % WINDOW;
        if (p->window[s][t] <= after)
            break;
        hi = p->window[s][t] > hi ? p->window[s][t] : hi;
        free(p->leaf[s][t]);
        p->leaf[s][t] = NULL;
        p->win_count[s]--;
    }
    tail = p->win_count[s] > 0 ? p->window[s][(p->win_head[s] + p->win_count[s] - 1) % WINDOW]
                               : p->acked[s];
    if ((hi > after || after > tail) && hi > p->unlogged[s])
        p->unlogged[s] = hi;
}

static int window_has(const struct link_peer *p, int s, int64_t seq)
{
    int lo = 0, hi = p->win_count[s];

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int64_t v = p->window[s][(p->win_head[s] + mid) % WINDOW];
        if (v == seq)
            return 1;
        if (v < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

struct relog_ctx {
    struct link_peer *peer;
    struct receipt_op *r;
    int stream;
    int64_t upto, last;
};

/* The relogged batch's leaves go into the receipt op as acknowledged. */
static void relog_flush(struct relog_ctx *rc)
{
    struct send_batch *b = rc->peer->link->batch;
    char ref[96];

    if (b->n == 0 || batch_seal(rc->peer->link, b) < 0)
        return;
    for (int i = 0; i < b->n; i++) {
        snprintf(ref, sizeof(ref), "%s:%lld", rc->peer->link->node, (long long)b->seq[i]);
        receipt_op_leaf(rc->r, "sent", ref, b->leaf[i], b->leaf_len[i]);
        b->leaf[i] = NULL;
        rc->peer->acknowledged++;
    }
    batch_drop(b, 0);
}

static int relog_one(const struct journal_entry *e, void *arg)
{
    struct relog_ctx *rc = arg;
    struct send_batch *b = rc->peer->link->batch;

    if (e->seq > rc->upto)
        return 1;
    rc->last = e->seq;
    if (e->urgent == (rc->stream == GATE_URGENT) && !window_has(rc->peer, rc->stream, e->seq))
        batch_add(b, rc->peer, e);
    if (batch_full(b))
        relog_flush(rc);
    return 0;
}

/* Adds to `r` the leaves of the entries in (after, upto] on `stream` that the window does not
 * hold: read from the journal and sealed again, as the pump did when it sent them. The seals
 * are new ones (the batches they went in are not kept) over the same entries by the same key.
 * As much work as sending them, and only after a reconnect that lost an acknowledgement. */
static void window_relog(struct link_peer *p, struct receipt_op *r, int stream, int64_t after,
                         int64_t upto)
{
    struct relog_ctx rc = {p, r, stream, upto, after};
    int64_t before;

    do {
        before = rc.last;
        if (journal_read_released(p->link->cfg.rdb, rc.last, p->link->node, p->row.country,
                                  stream == GATE_URGENT, READ_BATCH, relog_one, &rc) != SH_OK)
            break;
    } while (rc.last != before && rc.last < upto);
    relog_flush(&rc);
}

static void submit_receipt_with(struct receipt_op *r, int stream, int64_t seq, int64_t time_ms,
                                const uint8_t sig[ENTRY_SIG_LEN], const char *reason)
{
    struct link_peer *p = r->peer;

    r->stream = stream;
    r->seq = seq;
    r->time_ms = time_ms;
    memcpy(r->sig, sig, ENTRY_SIG_LEN);
    snprintf(r->reason, sizeof(r->reason), "%s", reason ? reason : "");
    writer_submit(p->link->cfg.writer, &r->op);
}

static void submit_receipt(struct link_peer *p, int stream, int64_t seq, int64_t time_ms,
                           const uint8_t sig[ENTRY_SIG_LEN], const char *reason)
{
    submit_receipt_with(receipt_op_new(p), stream, seq, time_ms, sig, reason);
}

static int on_ack(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    int stream = (int)json_integer_value(json_object_get(body, "stream"));
    int64_t seq = json_integer_value(json_object_get(body, "seq"));
    int64_t t = json_integer_value(json_object_get(body, "time"));
    uint8_t sig[ENTRY_SIG_LEN];

    if (stream < 0 || stream >= GATE_STREAMS ||
        verify_receipt(p, stream, seq, NULL, t, json_string_value(json_object_get(body, "sig")),
                       sig) < 0) {
        conn_close(c, "acknowledgement with a bad signature");
        return -1;
    }
    /* Only a signed acknowledgement records one: the receipt, and the leaves of what it covers
     * (HELLO decides only where sending resumes). Anything it covers past our last receipt is
     * taken, in the window or not. */
    int64_t from = p->acked[stream];
    while (p->win_count[stream] > 0 &&
           p->window[stream][p->win_head[stream]] <= (seq < from ? seq : from))
        window_pop(p, stream, NULL);
    if (seq <= from)
        return 0;
    struct receipt_op *r = receipt_op_new(p);
    if (from < p->unlogged[stream])
        window_relog(p, r, stream, from, seq < p->unlogged[stream] ? seq : p->unlogged[stream]);
    while (p->win_count[stream] > 0 && p->window[stream][p->win_head[stream]] <= seq)
        window_pop(p, stream, r);
    p->acked[stream] = seq;
    submit_receipt_with(r, stream, seq, t, sig, NULL);
    peer_pump(p);
    return 0;
}

static int on_expect(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    int stream = (int)json_integer_value(json_object_get(body, "stream"));
    int64_t after = json_integer_value(json_object_get(body, "after"));

    if (stream < 0 || stream >= GATE_STREAMS || after < 0) {
        conn_close(c, "malformed EXPECT frame");
        return -1;
    }
    log_info("link.expect", "peer=%s stream=%d after=%lld", p->row.name, stream, (long long)after);
    window_truncate(p, stream, after);
    p->scan[stream] = p->prev[stream] = after;
    peer_pump(p);
    return 0;
}

static int on_reject(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    int stream = (int)json_integer_value(json_object_get(body, "stream"));
    int64_t seq = json_integer_value(json_object_get(body, "origin_seq"));
    int64_t t = json_integer_value(json_object_get(body, "time"));
    const char *reason = json_string_value(json_object_get(body, "reason"));
    uint8_t sig[ENTRY_SIG_LEN];

    if (reason == NULL || stream < 0 || stream >= GATE_STREAMS ||
        verify_receipt(p, stream, seq, reason, t, json_string_value(json_object_get(body, "sig")),
                       sig) < 0) {
        conn_close(c, "rejection with a bad signature");
        return -1;
    }
    p->rejected_out++;
    snprintf(p->last_error, sizeof(p->last_error), "peer refused entry %lld: %s", (long long)seq,
             reason);
    char q[256];
    log_warn("link.rejected_by_peer", "peer=%s origin_seq=%lld reason=%s", p->row.name,
             (long long)seq, log_quote(reason, strlen(reason), q, sizeof(q)));
    submit_receipt(p, stream, seq, t, sig, reason);
    return 0;
}

/* ---- receiver ---------------------------------------------------------------------------- */

/* Every acknowledgement we issue goes into the exchange log (a refusal goes in with the
 * rejection, in replica_op_apply). Takes ownership of `data`. */
static void log_receipt(struct link_peer *p, const char *ref, uint8_t *data, size_t len)
{
    struct receipt_op *r = receipt_op_new(p);

    receipt_op_leaf(r, "receipt", ref, data, len);
    r->no_receipt = 1;
    writer_submit(p->link->cfg.writer, &r->op);
}

static void send_reject(struct link_conn *c, int stream, int64_t seq, const char *reason,
                        int64_t time_ms, const uint8_t sig[ENTRY_SIG_LEN])
{
    char sighex[2 * ENTRY_SIG_LEN + 1];

    hex(sig, ENTRY_SIG_LEN, sighex);
    send_frame(c, FRAME_REJECT,
               json_pack("{s:i,s:I,s:s,s:I,s:s}", "stream", stream, "origin_seq", (json_int_t)seq,
                         "reason", reason, "time", (json_int_t)time_ms, "sig", sighex));
}

static void ack_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link_peer *p = arg;
    int64_t now = clock_now_ms();
    uint8_t sig[ENTRY_SIG_LEN], *data;
    char sighex[2 * ENTRY_SIG_LEN + 1], ref[96];
    size_t len;

    if (p->conn == NULL || p->state != LINK_UP)
        return;
    for (int s = 0; s < GATE_STREAMS; s++) {
        if (p->applied[s] <= p->ack_sent[s])
            continue;
        data = receipt_sign(p, s, p->applied[s], NULL, now, sig, &len, ref);
        hex(sig, sizeof(sig), sighex);
        log_receipt(p, ref, data, len);
        send_frame(p->conn, FRAME_ACK,
                   json_pack("{s:i,s:I,s:I,s:s}", "stream", s, "seq", (json_int_t)p->applied[s],
                             "time", (json_int_t)now, "sig", sighex));
        p->ack_sent[s] = p->applied[s];
    }
}

static void schedule_ack(struct link_peer *p, int force)
{
    if (force)
        for (int s = 0; s < GATE_STREAMS; s++)
            p->ack_sent[s] = 0 > p->ack_sent[s] - 1 ? 0 : p->ack_sent[s] - 1;
    event_active(p->ack_ev, EV_TIMEOUT, 0);
}

/* Our refusal of the peer's entry, signed here, stored with its signature and logged in the
 * transaction that moves the stream past the entry: what is sent, now (replica_op_done) or
 * after a reconnect (on_hello), is what is kept. */
static enum sh_err refusal_store(struct store_tx *tx, struct replica_op *r)
{
    struct link_peer *p = r->peer;
    char ref[96];
    size_t len;
    uint8_t *data;
    enum sh_err rc;

    r->reject_time = tx->now_ms;
    data = receipt_sign(p, r->stream, r->entry.origin_seq, r->reason, r->reject_time, r->reject_sig,
                        &len, ref);
    rc = xlog_append(tx, p->row.name, "receipt", ref, data, len);
    free(data);
    if (rc != SH_OK)
        return rc;
    return rejection_add(tx, p->row.name, "in", r->stream, r->entry.origin_seq, r->reason,
                         r->reject_time, r->reject_sig);
}

/* Applies one received entry in the writer's transaction. Entries of a stream apply strictly
 * after one another: if the one before this failed (and was rolled back), this one fails too
 * rather than leave a hole, and the link starts over from the last applied position. An entry
 * that can never apply (it refers to a message we do not have, it clashes with a record) is
 * refused, with a reason the sender is sent, instead of blocking the stream for ever. */
static enum sh_err replica_op_apply(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct replica_op *r = arg;
    const char *peer = r->peer->row.name;
    enum sh_err rc;

    if (link_in_get(tx->db, peer, r->stream) != r->prev)
        return err_set(info, SH_ECONFLICT, "prev", "the entry before %lld was not applied",
                       (long long)r->entry.origin_seq);
    if (r->reason[0] == '\0') {
        rc = replica_apply(tx, peer, r->peer->row.country, r->stream, &r->entry, r->doc, r->as_sent,
                           info);
        if (rc == SH_OK)
            return xlog_append_received(tx, peer, &r->entry, 1);
        if (rc == SH_EDB || rc == SH_EEXISTS)
            return rc;
        snprintf(r->reason, sizeof(r->reason), "%.190s",
                 info->message[0] ? info->message : err_str(rc));
        if ((rc = store_tx_undo(tx)))
            return rc;
        r->late_refusal = 1; /* counted and logged by replica_op_done, on the loop */
    }
    if ((rc = xlog_append_received(tx, peer, &r->entry, 0)))
        return rc;
    return refusal_store(tx, r);
}

static void replica_op_done(struct writer_op *op)
{
    struct replica_op *r = op->arg;
    struct link_peer *p = r->peer;
    int s = r->stream;

    p->inflight--;
    if (r->late_refusal && op->result == SH_OK) {
        char q[256];
        p->rejected_in++;
        log_warn("link.refused_entry", "peer=%s origin_seq=%lld reason=%s", p->row.name,
                 (long long)r->entry.origin_seq,
                 log_quote(r->reason, strlen(r->reason), q, sizeof(q)));
    }
    if (op->result == SH_OK || op->result == SH_EEXISTS) {
        if (r->entry.origin_seq > p->applied[s])
            p->applied[s] = r->entry.origin_seq;
        if (r->reason[0] && p->conn && p->state == LINK_UP)
            send_reject(p->conn, s, r->entry.origin_seq, r->reason, r->reject_time, r->reject_sig);
        schedule_ack(p, 0);
    } else {
        /* Not stored: forget what was queued after it and make the sender start over. */
        p->queued[s] = p->applied[s];
        if (p->conn)
            conn_close(p->conn, "could not store a replicated entry");
    }
    if (p->pend_count[GATE_BULK] > 0)
        event_active(p->recv_ev, EV_TIMEOUT, 0);
    json_decref(r->doc);
    entry_clear(&r->entry);
    free(r);
}

/* Copies a string field of a frame; -1 if absent or too long. */
/* An ENTRY frame (frame.h): the entry as its origin sealed it, checked here and then applied
 * by the writer (replica_op_apply). `bin` is only borrowed. */
static int on_entry(struct link_conn *c, const uint8_t *bin, size_t len)
{
    struct link_peer *p = c->peer;
    struct replica_op *r;
    struct journal_entry *e;
    struct sh_errinfo info = {0};
    const uint8_t *wire, *seal;
    size_t wire_len, seal_len;
    const char *what = "frame";
    int stream;
    int64_t prev;
    char why[64];

    if (frame_entry_parts(bin, len, &stream, &prev, &wire, &wire_len, &seal, &seal_len) < 0 ||
        stream >= GATE_STREAMS || seal_len > ENTRY_SEAL_MAX) {
        conn_close(c, "malformed ENTRY frame");
        return -1;
    }
    r = calloc(1, sizeof(*r));
    if (r == NULL)
        abort();
    e = &r->entry;
    if (entry_from_wire(wire, wire_len, e, &what) < 0 || e->origin_seq < 1) {
        entry_clear(e);
        free(r);
        snprintf(why, sizeof(why), "malformed ENTRY frame: bad %s", what ? what : "origin_seq");
        conn_close(c, why);
        return -1;
    }
    memcpy(e->seal, seal, seal_len);
    e->seal_len = seal_len;
    p->received++;
    if (e->origin_seq <= p->queued[stream]) { /* a duplicate: acknowledge again */
        int committed = e->origin_seq <= p->applied[stream];
        entry_clear(e);
        free(r);
        if (committed)
            schedule_ack(p, 1);
        return 0;
    }
    if (prev != p->queued[stream]) { /* a gap: ask once for what follows our position */
        entry_clear(e);
        free(r);
        if (!p->expecting[stream]) {
            p->expecting[stream] = 1;
            send_frame(
                c, FRAME_EXPECT,
                json_pack("{s:i,s:I}", "stream", stream, "after", (json_int_t)p->queued[stream]));
        }
        return 0;
    }
    p->expecting[stream] = 0;
    enum sh_err sealed =
        seal_verify(e->origin, wire, wire_len, e->seal, e->seal_len, p->pub, &p->memo[stream]);
    if (sealed == SH_EINVAL) { /* not a seal at all: the frame is broken, not the signature */
        entry_clear(e);
        free(r);
        conn_close(c, "malformed ENTRY frame: bad seal");
        return -1;
    }
    if (sealed != SH_OK)
        snprintf(r->reason, sizeof(r->reason), "bad signature");
    else if (gate_inbound(e, p->row.name, p->link->country, p->link->cfg.border, &r->doc,
                          &r->as_sent, &info) != SH_OK)
        snprintf(r->reason, sizeof(r->reason), "%.190s", info.message);
    if (r->reason[0]) {
        p->rejected_in++;
        char q[256];
        log_warn("link.refused_entry", "peer=%s origin_seq=%lld reason=%s", p->row.name,
                 (long long)e->origin_seq, log_quote(r->reason, strlen(r->reason), q, sizeof(q)));
    }
    r->peer = p;
    r->stream = stream;
    r->prev = prev;
    r->op = (struct writer_op){.apply = replica_op_apply,
                               .arg = r,
                               .done = replica_op_done,
                               .urgent = stream == GATE_URGENT};
    p->queued[stream] = e->origin_seq;
    p->inflight++;
    writer_submit(p->link->cfg.writer, &r->op);
    return 0;
}

/* ---- exchange log checkpoints ---------------------------------------------------------- */

/* Brings the in-memory tree up to the exchange log, reading at most `budget` new leaves (<= 0:
 * all). Called after every commit with a budget, so the loop never stops for long to catch up
 * (a heartbeat reading 5 s of leaves at once held it for about 100 ms under load); a
 * checkpoint covers what the tree holds, which is always a prefix of the log. */
static void tree_refresh(struct link *l, int budget)
{
    if (xlog_leaves(l->cfg.rdb, &l->leaves, &l->nleaves, &l->capleaves, budget) != SH_OK)
        return;
    /* On failure the cache covers less and proofs cost more, nothing else. */
    merkle_cache_extend(&l->cache, (const uint8_t(*)[32])l->leaves, l->nleaves);
}

static void hexn(const uint8_t *in, size_t n, char *out)
{
    crypto_hex(in, n, out);
}

/* Stores a checkpoint: ours, new (`announce`: sent once committed), or cosigned by the peer;
 * or the peer's with our cosignature (`reply`, owned: the COSIGN sent once committed). */
static void store_checkpoint(struct link_peer *p, const struct xlog_checkpoint *c, int announce,
                             json_t *reply)
{
    struct receipt_op *r = receipt_op_new(p);

    r->checkpoint = malloc(sizeof(*c));
    if (r->checkpoint == NULL)
        abort();
    *r->checkpoint = *c;
    r->announce = announce;
    r->reply = reply;
    writer_submit(p->link->cfg.writer, &r->op);
}

/* The CHECKPOINT frame of our checkpoint `c`, with a consistency proof from the last one the
 * peer cosigned; NULL if there is none to make. */
static json_t *checkpoint_frame(struct link_peer *p, const struct xlog_checkpoint *c)
{
    struct link *l = p->link;
    uint8_t path[MERKLE_MAX_PATH][32];
    size_t len = 0;
    char roothex[65], sighex[129], h[65];

    if (p->cosigned_size > 0 && p->cosigned_size < c->size &&
        merkle_consistency_proof(&l->cache, (const uint8_t(*)[32])l->leaves, (size_t)c->size,
                                 (size_t)p->cosigned_size, path, &len) != SH_OK)
        return NULL;
    json_t *proof = json_array();
    for (size_t i = 0; i < len; i++) {
        hexn(path[i], 32, h);
        json_array_append_new(proof, json_string(h));
    }
    hexn(c->root, 32, roothex);
    hexn(c->sig, 64, sighex);
    return json_pack("{s:I,s:s,s:I,s:s,s:I,s:o}", "size", (json_int_t)c->size, "root", roothex,
                     "time", (json_int_t)c->time_ms, "sig", sighex, "from",
                     (json_int_t)p->cosigned_size, "proof", proof);
}

/* Sends the pending checkpoint if it is stored, with a proof from the last one cosigned. */
static void checkpoint_announce(struct link_peer *p)
{
    json_t *frame;

    if (p->conn && p->state == LINK_UP && p->ckpt_stored &&
        (frame = checkpoint_frame(p, &p->ckpt_pending)) != NULL)
        send_frame(p->conn, FRAME_CHECKPOINT, frame);
}

/* Signs our log's current size and root; checkpoint_announce sends it once it is stored. */
static void checkpoint_send(struct link_peer *p)
{
    struct link *l = p->link;
    struct xlog_checkpoint c;
    uint8_t note[512];

    if (p->state != LINK_UP || (int64_t)l->nleaves <= p->ckpt_sent_size)
        return;
    memset(&c, 0, sizeof(c));
    snprintf(c.origin, sizeof(c.origin), "%s", l->node);
    c.size = (int64_t)l->nleaves;
    merkle_root(&l->cache, (const uint8_t(*)[32])l->leaves, l->nleaves, c.root);
    c.time_ms = clock_now_ms();
    crypto_key_sign(l->cfg.key, note, xlog_note(&c, note, sizeof(note)), c.sig);
    p->ckpt_pending = c;
    p->ckpt_stored = 0;
    p->ckpt_sent_size = c.size;
    store_checkpoint(p, &c, 1, NULL);
}

static json_t *cosign_frame(const struct xlog_checkpoint *c)
{
    char roothex[65], cosighex[129];

    hexn(c->root, 32, roothex);
    hexn(c->cosig, 64, cosighex);
    return json_pack("{s:I,s:s,s:I,s:s}", "size", (json_int_t)c->size, "root", roothex, "time",
                     (json_int_t)c->time_ms, "cosig", cosighex);
}

static int unhex_field(json_t *body, const char *key, uint8_t *out, size_t n)
{
    const char *s = json_string_value(json_object_get(body, key));

    return s && crypto_unhex(s, strlen(s), out, n) == 0 ? 0 : -1;
}

/* Checks the peer's checkpoint: its signature, and that it extends the last one we cosigned.
 * Returns a refusal reason, or NULL when it may be cosigned. */
static const char *checkpoint_check(struct link_peer *p, json_t *body, struct xlog_checkpoint *c)
{
    uint8_t note[512], path[MERKLE_MAX_PATH][32];
    struct xlog_checkpoint base;
    json_t *proof = json_object_get(body, "proof"), *v;
    int64_t from = json_integer_value(json_object_get(body, "from"));
    size_t i, n;

    memset(c, 0, sizeof(*c));
    snprintf(c->origin, sizeof(c->origin), "%s", p->row.name);
    c->size = json_integer_value(json_object_get(body, "size"));
    c->time_ms = json_integer_value(json_object_get(body, "time"));
    if (c->size < 1 || unhex_field(body, "root", c->root, 32) ||
        unhex_field(body, "sig", c->sig, 64) || !json_is_array(proof) ||
        json_array_size(proof) > MERKLE_MAX_PATH)
        return "malformed checkpoint";
    n = xlog_note(c, note, sizeof(note));
    if (crypto_verify(p->pub, note, n, c->sig) != SH_OK)
        return "checkpoint with a bad signature";
    if (from == 0)
        return xlog_checkpoint_last(p->link->cfg.rdb, p->row.name, 1, &base) == SH_ENOTFOUND
                   ? NULL
                   : "checkpoint without a proof from the last one we cosigned";
    /* Only from the latest we cosigned: a proof from an older one could carry a forked
     * history past the newer one. */
    if (xlog_checkpoint_last(p->link->cfg.rdb, p->row.name, 1, &base) != SH_OK ||
        base.size != from || c->size < from)
        return "checkpoint does not extend the last one we cosigned";
    json_array_foreach(proof, i, v)
    {
        const char *s = json_string_value(v);
        if (s == NULL || crypto_unhex(s, strlen(s), path[i], 32) != 0)
            return "malformed consistency proof";
    }
    if (merkle_verify_consistency((size_t)from, (size_t)c->size, base.root, c->root,
                                  (const uint8_t(*)[32])path, json_array_size(proof)) != SH_OK)
        return "the peer's log is not consistent with its last checkpoint";
    return NULL;
}

static int on_checkpoint(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    struct xlog_checkpoint ck, last;
    uint8_t msg[600];
    int64_t from = json_integer_value(json_object_get(body, "from"));
    const char *why;

    /* The peer proves from before the latest of its checkpoints we cosigned: our cosignature
     * never reached it (lost in a cut, or we stopped after storing it). Send it again; the
     * peer then proves from it. */
    if (xlog_checkpoint_last(p->link->cfg.rdb, p->row.name, 1, &last) == SH_OK &&
        from < last.size) {
        log_info("link.cosign_resent", "peer=%s size=%lld from=%lld", p->row.name,
                 (long long)last.size, (long long)from);
        send_frame(c, FRAME_COSIGN, cosign_frame(&last));
        return 0;
    }
    if ((why = checkpoint_check(p, body, &ck))) {
        snprintf(p->last_error, sizeof(p->last_error), "%s", why);
        log_error("link.checkpoint_refused", "peer=%s size=%lld reason=\"%s\"", p->row.name,
                  (long long)ck.size, why);
        return 0;
    }
    snprintf(ck.cosigner, sizeof(ck.cosigner), "%s", p->link->node);
    crypto_key_sign(p->link->cfg.key, msg, xlog_cosign_msg(&ck, msg, sizeof(msg)), ck.cosig);
    store_checkpoint(p, &ck, 0, cosign_frame(&ck));
    return 0;
}

static int on_cosign(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    struct xlog_checkpoint ck = p->ckpt_pending;
    uint8_t msg[600];
    int64_t size = json_integer_value(json_object_get(body, "size"));

    /* The pending checkpoint, or an older one of ours the peer cosigned without our hearing of
     * it (each is stored before it is sent); older than the last cosigned: superseded. */
    if (size < 1 || (size != ck.size &&
                     (size <= p->cosigned_size ||
                      xlog_checkpoint_at(p->link->cfg.rdb, p->link->node, size, &ck) != SH_OK)))
        return 0;
    if (unhex_field(body, "cosig", ck.cosig, 64) != 0)
        return 0;
    snprintf(ck.cosigner, sizeof(ck.cosigner), "%s", p->row.name);
    if (crypto_verify(p->pub, msg, xlog_cosign_msg(&ck, msg, sizeof(msg)), ck.cosig) != SH_OK) {
        conn_close(c, "cosignature with a bad signature");
        return -1;
    }
    if (ck.size > p->cosigned_size)
        p->cosigned_size = ck.size;
    store_checkpoint(p, &ck, 0, NULL);
    /* The pending one was refused for proving from an older base: send it again from this. */
    if (p->ckpt_pending.size > p->cosigned_size)
        checkpoint_announce(p);
    return 0;
}

/* ---- positions (latest wins, not journaled) -------------------------------------------- */

static void send_position(struct link_peer *p, const json_t *unit)
{
    if (p->conn == NULL || p->state != LINK_UP || json_object_get(unit, "origin") ||
        !unit_released_to(unit, p->row.country))
        return;
    send_frame(p->conn, FRAME_POS, json_pack("{s:o}", "unit", unit_shared_copy(unit)));
}

void link_position(struct link *l, const json_t *unit)
{
    for (int i = 0; l && !l->shut && i < l->npeers; i++)
        send_position(&l->peers[i], unit);
}

static void send_all_positions(struct link_peer *p)
{
    const char *uid;
    json_t *unit;

    if (p->link->cfg.units == NULL)
        return;
    json_object_foreach(p->link->cfg.units, uid, unit) send_position(p, unit);
}

static int on_pos(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    struct link *l = p->link;
    json_t *unit = json_object_get(body, "unit"), *report, *doc = NULL;
    const char *uid = json_string_value(json_object_get(unit, "uid"));
    struct sh_errinfo info = {0};

    if (!json_is_object(unit) || uid == NULL) {
        conn_close(c, "malformed POS frame");
        return -1;
    }
    if (l->cfg.units == NULL || l->cfg.position_cb == NULL)
        return 0;
    if (json_object_get(l->cfg.units, uid) == NULL &&
        (int)json_object_size(l->cfg.units) >= l->cfg.max_units) {
        snprintf(p->last_error, sizeof(p->last_error), "unit table full: position dropped");
        return 0;
    }
    report = json_deep_copy(unit);
    json_object_del(report, "uid");
    if (unit_position(uid, report, l->cfg.border, clock_now_ms(), &doc, &info) != SH_OK) {
        char q[256];
        log_warn("link.position_refused", "peer=%s reason=%s", p->row.name,
                 log_quote(info.message, strlen(info.message), q, sizeof(q)));
        json_decref(report);
        return 0;
    }
    json_decref(report);
    json_object_set_new(doc, "origin", json_string(p->row.name));
    json_object_del(doc, "release");
    l->cfg.position_cb(l->cfg.position_arg, doc);
    json_decref(doc);
    return 0;
}

/* ---- connection -------------------------------------------------------------------------- */

static void send_hello(struct link_conn *c)
{
    struct link_peer *p = c->peer;

    send_frame(c, FRAME_HELLO,
               json_pack("{s:s,s:s,s:s,s:i,s:[I,I],s:[I,I]}", "node", c->link->node, "country",
                         c->link->country, "version", SARHAD_VERSION, "proto", LINK_PROTO,
                         "applied", (json_int_t)p->applied[0], (json_int_t)p->applied[1], "acked",
                         (json_int_t)p->acked[0], (json_int_t)p->acked[1]));
}

struct resend_ctx {
    struct link_peer *peer;
    int64_t acked[GATE_STREAMS];
};

/* The table has no stream column; the refusal's exchange-log leaf, written in the same
 * transaction, names it. */
static int resend_one(int64_t seq, const char *reason, int64_t time_ms,
                      const uint8_t sig[ENTRY_SIG_LEN], void *arg)
{
    struct resend_ctx *rc = arg;
    struct link_peer *p = rc->peer;
    char ref[96];
    int64_t index;
    uint8_t *data;
    size_t len;

    for (int s = 0; s < GATE_STREAMS; s++) {
        snprintf(ref, sizeof(ref), "reject:%s:%d:%lld", p->row.name, s, (long long)seq);
        if (seq <= rc->acked[s] ||
            xlog_find(p->link->cfg.rdb, "receipt", ref, &index, &data, &len) != SH_OK)
            continue;
        free(data);
        send_reject(p->conn, s, seq, reason, time_ms, sig);
    }
    return 0;
}

/* Sends again, before the acknowledgement that covers them, our refusals of the peer's entries
 * past its last receipt: it records those it missed and ignores the others. Refusals are rare
 * (each one is logged as the peer's fault), so this reads them all at once. */
static void rejections_resend(struct link_peer *p, const int64_t acked[GATE_STREAMS])
{
    struct resend_ctx rc = {.peer = p};
    int64_t after = acked[0];

    for (int s = 0; s < GATE_STREAMS; s++) {
        rc.acked[s] = acked[s];
        after = acked[s] < after ? acked[s] : after;
    }
    rejections_in_after(p->link->cfg.rdb, p->row.name, after, resend_one, &rc);
}

static int on_hello(struct link_conn *c, json_t *body)
{
    struct link_peer *p = c->peer;
    const char *node = json_string_value(json_object_get(body, "node"));
    const char *country = json_string_value(json_object_get(body, "country"));
    json_t *applied = json_object_get(body, "applied");
    json_t *acked = json_object_get(body, "acked"); /* its receipts (older nodes omit it) */
    int64_t peer_acked[GATE_STREAMS] = {0};
    struct timeval hb = {c->link->cfg.heartbeat_s * 3, 0};

    if (node == NULL || country == NULL || strcmp(node, p->row.name) != 0 ||
        strcmp(country, p->row.country) != 0 || json_array_size(applied) != GATE_STREAMS) {
        conn_close(c, "HELLO does not match the pinned peer's name and country");
        return -1;
    }
    if (json_integer_value(json_object_get(body, "proto")) != LINK_PROTO) {
        char why[96];
        snprintf(why, sizeof(why), "peer speaks link protocol %lld, this node %d: upgrade both",
                 (long long)json_integer_value(json_object_get(body, "proto")), LINK_PROTO);
        conn_close(c, why);
        return -1;
    }
    if (json_array_size(acked) != GATE_STREAMS)
        acked = NULL;
    for (int s = 0; s < GATE_STREAMS; s++) {
        /* Sending resumes after what the peer applied; `acked` moves only with a signed
         * acknowledgement, which it sends again for what we have no receipt of. */
        int64_t a = json_integer_value(json_array_get(applied, (size_t)s));
        window_truncate(p, s, a);
        p->scan[s] = p->prev[s] = a;
        p->queued[s] = p->applied[s];
        p->expecting[s] = 0;
        peer_acked[s] = json_integer_value(json_array_get(acked, (size_t)s));
        p->ack_sent[s] = peer_acked[s];
    }
    c->up = 1;
    p->state = LINK_UP;
    p->since_ms = clock_now_ms();
    p->backoff_ms = 0;
    p->last_error[0] = '\0';
    bufferevent_set_timeouts(c->bev, &hb, NULL);
    log_info("link.up", "peer=%s remote=%s applied_by_peer=%lld,%lld", p->row.name, c->remote,
             (long long)p->prev[0], (long long)p->prev[1]);
    if (acked) /* a peer that does not say what it holds gets every acknowledgement again */
        rejections_resend(p, peer_acked);
    schedule_ack(p, 0);
    peer_pump(p);
    if (p->ckpt_pending.size > p->cosigned_size) /* its cosignature may have been lost */
        checkpoint_announce(p);
    send_all_positions(p);
    return 0;
}

static int on_ping(struct link_conn *c, json_t *body)
{
    json_t *t = json_object_get(body, "t");

    if (json_is_integer(t))
        send_frame(c, FRAME_PONG, json_pack("{s:O}", "t", t));
    return 0; /* -1 only ever means "closed" */
}

static int on_pong(struct link_conn *c, json_t *body)
{
    int64_t now = clock_now_ms();

    c->peer->rtt_ms = (double)(now - json_integer_value(json_object_get(body, "t")));
    c->peer->last_heartbeat_ms = now;
    return 0;
}

/* One handler per JSON frame type (frame_read has checked the type's range; ENTRY frames go
 * to on_entry through the pending queues). A handler returns -1 when it closed the
 * connection. */
static int (*const frame_handlers[FRAME_TYPE_MAX + 1])(struct link_conn *c, json_t *body) = {
    [FRAME_HELLO] = on_hello,   [FRAME_ENTRY] = NULL,       [FRAME_ACK] = on_ack,
    [FRAME_EXPECT] = on_expect, [FRAME_REJECT] = on_reject, [FRAME_PING] = on_ping,
    [FRAME_PONG] = on_pong,     [FRAME_POS] = on_pos,       [FRAME_CHECKPOINT] = on_checkpoint,
    [FRAME_COSIGN] = on_cosign,
};

static int dispatch(struct link_conn *c, enum frame_type type, json_t *body)
{
    if (!c->up && type != FRAME_HELLO) {
        conn_close(c, "frame before HELLO");
        return -1;
    }
    if (type == FRAME_HELLO && c->up) {
        conn_close(c, "second HELLO");
        return -1;
    }
    return frame_handlers[type](c, body); /* FRAME_ENTRY, once up, is held in read_cb */
}

static void pending_clear(struct link_peer *p)
{
    for (int s = 0; s < GATE_STREAMS; s++) {
        while (p->pend_count[s] > 0) {
            free(p->pending[s][p->pend_head[s]]);
            p->pending_bytes -= p->pending_len[s][p->pend_head[s]];
            p->pend_head[s] = (p->pend_head[s] + 1) % PENDING_MAX;
            p->pend_count[s]--;
        }
    }
}

/* Checks the held ENTRY frames: every urgent one, then a budget of bulk ones; more bulk
 * continues on the next loop turn, after any newly read urgent frame. Returns -1 if the
 * connection was closed. */
static int process_pending(struct link_conn *c)
{
    struct link_peer *p = c->peer;

    for (int s = 0; s < GATE_STREAMS; s++) {
        int budget = s == GATE_URGENT ? PENDING_MAX : BULK_BUDGET;
        if (s == GATE_BULK && bulk_held(p)) {
            /* Poll while the urgent op is in the writer, rather than sleep until link_notify:
             * the loop stays on a CPU and takes the commit, and the next frames, at once. Only
             * with bulk frames waiting, i.e. on the receiving side of a catch-up.
             * Measured, not explained: it halves a FLASH round trip behind a backlog (p50 16 to
             * 10 ms, p99 36 to 23), and waking the loop at once by other means did not. At most
             * HOLD_POLL_MS per hold, then link_notify resumes. */
            struct timespec ts;
            clock_gettime(CLOCK_MONOTONIC, &ts); /* not clock_now_ms: tests may stop that one */
            int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
            if (p->held_since_ms == 0)
                p->held_since_ms = now;
            if (p->pend_count[GATE_BULK] > 0 && now - p->held_since_ms < HOLD_POLL_MS)
                event_active(p->recv_ev, EV_TIMEOUT, 0);
            return 0;
        }
        if (s == GATE_BULK)
            p->held_since_ms = 0;
        while (p->pend_count[s] > 0 && budget-- > 0 &&
               (s == GATE_URGENT || p->inflight < MAX_INFLIGHT)) {
            uint8_t *bin = p->pending[s][p->pend_head[s]];
            uint32_t len = p->pending_len[s][p->pend_head[s]];
            p->pending_bytes -= len;
            p->pend_head[s] = (p->pend_head[s] + 1) % PENDING_MAX;
            p->pend_count[s]--;
            int r = on_entry(c, bin, len);
            free(bin);
            if (r < 0)
                return -1;
        }
    }
    if (p->pend_count[GATE_BULK] > 0 && p->inflight < MAX_INFLIGHT)
        event_active(p->recv_ev, EV_TIMEOUT, 0); /* else replica_op_done resumes */
    return 0;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
    struct link_conn *c = arg;
    struct link_peer *p = c->peer;
    struct evbuffer *in = bufferevent_get_input(bev);
    struct sh_errinfo info = {0};
    struct frame f;
    enum sh_err rc;

    if (p == NULL)
        return;
    c->last_rx_ms = clock_now_ms();
    for (;;) {
        size_t before = evbuffer_get_length(in);
        rc = frame_read(in, &f, &info);
        if (rc == SH_ENOTFOUND)
            break;
        if (rc != SH_OK) {
            conn_close(c, info.message);
            return;
        }
        p->bytes_in += before - evbuffer_get_length(in);
        if (f.type == FRAME_ENTRY && c->up) {
            /* Held, not checked yet: reading on finds urgent frames behind bulk ones. */
            int s = f.bin_len > 0 && f.bin[0] == GATE_URGENT ? GATE_URGENT : GATE_BULK;
            if (p->pend_count[s] == PENDING_MAX ||
                p->pending_bytes + f.bin_len > PENDING_BYTES_MAX) {
                frame_clear(&f);
                conn_close(c, "peer sent beyond its window");
                return;
            }
            int slot = (p->pend_head[s] + p->pend_count[s]) % PENDING_MAX;
            p->pending[s][slot] = f.bin;
            p->pending_len[s][slot] = (uint32_t)f.bin_len;
            p->pending_bytes += f.bin_len;
            p->pend_count[s]++;
            continue;
        }
        int r = dispatch(c, f.type, f.body);
        frame_clear(&f);
        if (r < 0)
            return; /* c is gone */
    }
    process_pending(c);
}

static void recv_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link_peer *p = arg;

    if (p->conn && p->conn->up)
        process_pending(p->conn);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
    struct link_conn *c = arg;

    if (c->up)
        peer_pump(c->peer);
}

/* The handshake finished: the certificate must be one we pinned. */
static int conn_identify(struct link_conn *c)
{
    struct link *l = c->link;
    char fp[65];
    SSL *ssl = bufferevent_openssl_get_ssl(c->bev);

    if (tls_peer_fingerprint(ssl, fp) < 0) {
        conn_close(c, "no peer certificate");
        return -1;
    }
    for (int i = 0; i < l->npeers; i++) {
        struct link_peer *p = &l->peers[i];
        if (strcmp(p->row.fingerprint, fp) != 0)
            continue;
        if (c->dialer && c->peer != p) {
            conn_close(c, "the certificate is not the dialled peer's");
            return -1;
        }
        if (p->conn && p->conn != c)
            conn_close(p->conn, "replaced by a newer connection");
        c->peer = p;
        p->conn = c;
        p->state = LINK_CONNECTING;
        send_hello(c);
        return 0;
    }
    char why[120];
    snprintf(why, sizeof(why), "certificate %.16s... is not pinned (sarhad peer add)", fp);
    conn_close(c, why);
    return -1;
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    struct link_conn *c = arg;
    char why[256];

    if (what & BEV_EVENT_CONNECTED) {
        conn_identify(c);
        return;
    }
    if (what & BEV_EVENT_TIMEOUT) {
        conn_close(c, c->up ? "missed heartbeats" : "handshake timed out");
        return;
    }
    if (what & BEV_EVENT_ERROR) {
        unsigned long e = bufferevent_get_openssl_error(bev);
        int se = EVUTIL_SOCKET_ERROR();
        SSL *ssl = bufferevent_openssl_get_ssl(bev);
        long verify = ssl ? SSL_get_verify_result(ssl) : X509_V_OK;
        if (e && verify != X509_V_OK) /* "certificate verify failed" alone does not say why */
            snprintf(why, sizeof(why), "the peer's certificate: %s",
                     X509_verify_cert_error_string(verify));
        else if (e)
            ERR_error_string_n(e, why, sizeof(why));
        else
            snprintf(why, sizeof(why), "%s", se ? evutil_socket_error_to_string(se) : "error");
        conn_close(c, why);
        return;
    }
    if (what & BEV_EVENT_EOF)
        conn_close(c, "closed by the other end");
}

static void conn_close(struct link_conn *c, const char *reason)
{
    char q[256]; /* the reason may carry a peer's words: quoted, it cannot forge log fields */
    struct link *l = c->link;
    struct link_peer *p = c->peer;
    struct link_conn **pp;

    for (pp = &l->conns; *pp && *pp != c; pp = &(*pp)->next)
        ;
    if (*pp)
        *pp = c->next;
    if (p && p->conn == c) {
        p->conn = NULL;
        pending_clear(p); /* unchecked frames are sent again after the next HELLO */
        p->state = LINK_DOWN;
        p->since_ms = clock_now_ms();
        snprintf(p->last_error, sizeof(p->last_error), "%.190s", reason);
        log_warn("link.down", "peer=%s remote=%s reason=%s", p->row.name, c->remote,
                 log_quote(reason, strlen(reason), q, sizeof(q)));
        if (p->row.addr[0] && !l->shut)
            dial_schedule(p);
    } else {
        log_warn("link.refused", "remote=%s reason=%s", c->remote,
                 log_quote(reason, strlen(reason), q, sizeof(q)));
    }
    bufferevent_free(c->bev);
    free(c);
}

/* Small kernel buffers (bulk queued ahead of an urgent frame stays short) and no Nagle: a
 * lone urgent frame or acknowledgement must not wait for the peer's delayed ACK (up to 40 ms
 * on Linux; it was most of a FLASH round trip on an idle link). */
static void set_sockopts(evutil_socket_t fd)
{
    int snd = LINK_SNDBUF, rcv = LINK_RCVBUF, one = 1;

    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static struct link_conn *conn_new(struct link *l, struct bufferevent *bev, const char *remote)
{
    struct link_conn *c = calloc(1, sizeof(*c));
    struct timeval hs = {HANDSHAKE_TIMEOUT_S, 0};

    if (c == NULL)
        abort();
    c->link = l;
    c->bev = bev;
    c->last_rx_ms = c->opened_ms = clock_now_ms();
    snprintf(c->remote, sizeof(c->remote), "%s", remote);
    c->next = l->conns;
    l->conns = c;
    bufferevent_openssl_set_allow_dirty_shutdown(bev, 1);
    bufferevent_setcb(bev, read_cb, write_cb, event_cb, c);
    bufferevent_setwatermark(bev, EV_READ, 0, 2 * FRAME_MAX + 16);
    bufferevent_setwatermark(bev, EV_WRITE, BULK_LOW_WATER / 2, 0);
    bufferevent_set_max_single_read(bev, LINK_SINGLE_IO);
    bufferevent_set_max_single_write(bev, LINK_SINGLE_IO);
    bufferevent_set_timeouts(bev, &hs, NULL);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
    return c;
}

static void accept_cb(struct evconnlistener *lis, evutil_socket_t fd, struct sockaddr *sa,
                      int salen, void *arg)
{
    struct link *l = arg;
    char remote[64] = "?";
    SSL *ssl;
    struct bufferevent *bev;
    int unidentified = 0;

    for (struct link_conn *c = l->conns; c; c = c->next)
        unidentified += !c->up;
    if (unidentified >= MAX_UNIDENTIFIED) {
        log_warn("link.refused", "reason=\"%d connections are still handshaking\"",
                 MAX_UNIDENTIFIED);
        evutil_closesocket(fd);
        return;
    }
    ssl = SSL_new(l->server_ctx);

    if (sa->sa_family == AF_INET) {
        char ip[INET_ADDRSTRLEN];
        struct sockaddr_in *sin = (struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
        snprintf(remote, sizeof(remote), "%s:%d", ip, ntohs(sin->sin_port));
    }
    bev = bufferevent_openssl_socket_new(l->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
                                         BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        evutil_closesocket(fd);
        return;
    }
    set_sockopts(fd);
    conn_new(l, bev, remote);
}

static void dial_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link_peer *p = arg;
    struct link *l = p->link;
    struct sockaddr_storage ss;
    int sslen = sizeof(ss);
    struct bufferevent *bev;
    struct link_conn *c;

    if (p->conn || l->shut)
        return;
    if (evutil_parse_sockaddr_port(p->row.addr, (struct sockaddr *)&ss, &sslen) < 0) {
        snprintf(p->last_error, sizeof(p->last_error), "address '%s' is not IP:PORT", p->row.addr);
        return;
    }
    fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0 || evutil_make_socket_nonblocking(fd) < 0 ||
        evutil_make_socket_closeonexec(fd) < 0) {
        if (fd >= 0)
            evutil_closesocket(fd);
        snprintf(p->last_error, sizeof(p->last_error), "cannot create a socket");
        dial_schedule(p);
        return;
    }
    set_sockopts(fd);
    bev = bufferevent_openssl_socket_new(l->base, fd, SSL_new(l->client_ctx),
                                         BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (bev == NULL) {
        evutil_closesocket(fd);
        dial_schedule(p);
        return;
    }
    c = conn_new(l, bev, p->row.addr);
    c->dialer = 1;
    c->peer = p;
    p->conn = c;
    p->state = LINK_CONNECTING;
    p->since_ms = clock_now_ms();
    if (bufferevent_socket_connect(bev, (struct sockaddr *)&ss, sslen) < 0)
        conn_close(c, "connect failed");
}

static void dial_schedule(struct link_peer *p)
{
    uint32_t jitter = 0;
    struct timeval tv;
    int ms;

    p->backoff_ms = backoff_next(p->backoff_ms);
    crypto_random(&jitter, sizeof(jitter));
    ms = backoff_delay(p->backoff_ms, jitter);
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    event_add(p->dial_ev, &tv);
}

static void heartbeat_cb(evutil_socket_t fd, short what, void *arg)
{
    struct link *l = arg;
    int64_t now = clock_now_ms();
    struct link_conn *c, *next;

    tree_refresh(l, TREE_BUDGET);
    for (int i = 0; i < l->npeers; i++)
        checkpoint_send(&l->peers[i]);
    for (c = l->conns; c; c = next) {
        next = c->next;
        if (!c->up) {
            /* An absolute deadline: a read timeout alone is reset by a byte every few s. */
            if (now - c->opened_ms > HANDSHAKE_TIMEOUT_S * 1000)
                conn_close(c, "no HELLO in time");
            continue;
        }
        if (now - c->last_rx_ms > (int64_t)l->cfg.heartbeat_s * 3000) {
            conn_close(c, "missed heartbeats");
            continue;
        }
        send_frame(c, FRAME_PING, json_pack("{s:I}", "t", (json_int_t)now));
    }
}

/* ---- life ------------------------------------------------------------------------------- */

/* Sets up the peer in slot `p` from its pinned row (the row's certificate text moves to it)
 * and starts dialling it if it has an address. */
static void peer_setup(struct link *l, struct link_peer *p, struct peer_row *row)
{
    struct crypto_cert_info ci;
    struct xlog_checkpoint last;

    p->link = l;
    p->row = *row;
    row->cert_pem = NULL; /* moved */
    if (crypto_cert_inspect(p->row.cert_pem, strlen(p->row.cert_pem), &ci) == SH_OK)
        memcpy(p->pub, ci.public_key, sizeof(p->pub));
    for (int s = 0; s < GATE_STREAMS; s++) {
        p->applied[s] = p->queued[s] = link_in_get(l->cfg.rdb, p->row.name, s);
        p->acked[s] = p->scan[s] = p->prev[s] = link_out_get(l->cfg.rdb, p->row.name, s);
    }
    if (xlog_checkpoint_last(l->cfg.rdb, l->node, 1, &last) == SH_OK)
        p->cosigned_size = last.size;
    if (xlog_checkpoint_last(l->cfg.rdb, l->node, 0, &last) == SH_OK) {
        p->ckpt_sent_size = last.size; /* never sign one size twice with two times */
        p->ckpt_pending = last;        /* sent again at HELLO if not cosigned */
        p->ckpt_stored = 1;
    }
    p->ack_ev = event_new(l->base, -1, 0, ack_cb, p);
    p->dial_ev = event_new(l->base, -1, 0, dial_cb, p);
    p->pump_ev = event_new(l->base, -1, 0, pump_cb, p);
    p->recv_ev = event_new(l->base, -1, 0, recv_cb, p);
    p->since_ms = clock_now_ms();
    if (p->row.addr[0])
        event_active(p->dial_ev, EV_TIMEOUT, 0);
}

/* The slots are allocated once (LINK_PEERS_MAX), so that the events and connections pointing
 * at a peer stay valid when peers pinned later are added. */
static enum sh_err peers_init(struct link *l, struct sh_errinfo *info)
{
    struct peer_row *rows;
    int n;
    enum sh_err rc = peers_load(l->cfg.rdb, &rows, &n);

    if (rc != SH_OK)
        return err_set(info, rc, "", "cannot load the pinned peers");
    l->peers = calloc(LINK_PEERS_MAX, sizeof(*l->peers));
    if (l->peers == NULL)
        abort();
    for (int i = 0; i < n && i < LINK_PEERS_MAX; i++)
        peer_setup(l, &l->peers[l->npeers++], &rows[i]);
    if (n > LINK_PEERS_MAX)
        log_warn("link.too_many_peers", "pinned=%d served=%d", n, LINK_PEERS_MAX);
    peers_free(rows, n);
    return SH_OK;
}

void link_peers_refresh(struct link *l)
{
    struct peer_row *rows;
    int n;

    if (l == NULL || l->shut || peers_load(l->cfg.rdb, &rows, &n) != SH_OK)
        return;
    for (int i = 0; i < n; i++) {
        int known = 0;
        for (int j = 0; j < l->npeers && !known; j++)
            known = strcmp(l->peers[j].row.name, rows[i].name) == 0;
        if (known)
            continue;
        if (l->npeers == LINK_PEERS_MAX) {
            log_warn("link.too_many_peers", "peer=%s served=%d", rows[i].name, LINK_PEERS_MAX);
            continue;
        }
        log_info("link.peer_added", "peer=%s country=%s addr=%s", rows[i].name, rows[i].country,
                 rows[i].addr[0] ? rows[i].addr : "-");
        peer_setup(l, &l->peers[l->npeers++], &rows[i]);
    }
    peers_free(rows, n);
}

enum sh_err link_start(struct event_base *base, const struct link_config *cfg, struct link **out,
                       struct sh_errinfo *info)
{
    struct link *l = calloc(1, sizeof(*l));
    struct timeval hb = {cfg->heartbeat_s, 0};
    enum sh_err rc;

    if (l == NULL || (l->batch = calloc(1, sizeof(*l->batch))) == NULL)
        abort();
    l->base = base;
    l->cfg = *cfg;
    snprintf(l->node, sizeof(l->node), "%s", cfg->node);
    snprintf(l->country, sizeof(l->country), "%s", cfg->country);
    snprintf(l->listen, sizeof(l->listen), "%s", cfg->listen);
    l->cfg.node = l->node;
    l->cfg.country = l->country;
    l->cfg.listen = l->listen;
    if ((rc = tls_link_ctx(cfg->cert_path, cfg->key_path, 1, &l->server_ctx, info)) ||
        (rc = tls_link_ctx(cfg->cert_path, cfg->key_path, 0, &l->client_ctx, info)) ||
        (rc = peers_init(l, info)))
        goto fail;
    if (l->listen[0]) {
        struct sockaddr_storage ss;
        int sslen = sizeof(ss);
        if (evutil_parse_sockaddr_port(l->listen, (struct sockaddr *)&ss, &sslen) < 0) {
            rc = err_set(info, SH_EINVAL, "link.listen", "'%s' is not an ADDR:PORT", l->listen);
            goto fail;
        }
        l->listener = evconnlistener_new_bind(
            base, accept_cb, l, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC,
            64, (struct sockaddr *)&ss, sslen);
        if (l->listener == NULL) {
            rc = err_set(info, SH_EIO, "link.listen", "cannot listen on %s", l->listen);
            goto fail;
        }
        struct sockaddr_storage bound;
        socklen_t blen = sizeof(bound);
        getsockname(evconnlistener_get_fd(l->listener), (struct sockaddr *)&bound, &blen);
        l->port = ntohs(((struct sockaddr_in *)&bound)->sin_port);
    }
    if (cfg->db_path && (rc = prefetch_start(cfg->db_path, l->node, &l->prefetch, info)))
        goto fail;
    l->cfg.db_path = NULL; /* not kept: the caller's */
    merkle_cache_init(&l->cache);
    tree_refresh(l, 0);
    l->heartbeat_ev = event_new(base, -1, EV_PERSIST, heartbeat_cb, l);
    event_add(l->heartbeat_ev, &hb);
    log_info("link.started", "listen=%s peers=%d heartbeat_s=%d", l->listen[0] ? l->listen : "-",
             l->npeers, cfg->heartbeat_s);
    *out = l;
    return SH_OK;
fail:
    link_shutdown(l);
    link_free(l);
    *out = NULL;
    return rc;
}

int link_port(const struct link *l)
{
    return l ? l->port : 0;
}

json_t *link_status(const struct link *l)
{
    json_t *arr = json_array();
    char ts[32], hb[32];

    for (int i = 0; l && i < l->npeers; i++) {
        const struct link_peer *p = &l->peers[i];
        int64_t pending = (int64_t)p->win_count[0] + p->win_count[1];
        json_array_append_new(
            arr,
            json_pack(
                "{s:s,s:s,s:s?,s:s,s:s,s:f,s:s?,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,"
                "s:[I,I],s:[I,I],s:s?}",
                "peer", p->row.name, "country", p->row.country, "addr",
                p->row.addr[0] ? p->row.addr : NULL, "state", state_names[p->state], "since",
                clock_format_rfc3339(p->since_ms, ts, sizeof(ts)), "rtt_ms", p->rtt_ms,
                "last_heartbeat",
                p->last_heartbeat_ms ? clock_format_rfc3339(p->last_heartbeat_ms, hb, sizeof(hb))
                                     : NULL,
                "entries_sent", (json_int_t)p->sent, "entries_acknowledged",
                (json_int_t)p->acknowledged, "entries_in_flight", (json_int_t)pending,
                "entries_received", (json_int_t)p->received, "rejected_by_us",
                (json_int_t)p->rejected_in, "rejected_by_peer", (json_int_t)p->rejected_out,
                "bytes_in", (json_int_t)p->bytes_in, "bytes_out", (json_int_t)p->bytes_out,
                "acked_seq", (json_int_t)(p->acked[0] > p->acked[1] ? p->acked[0] : p->acked[1]),
                "applied_seq",
                (json_int_t)(p->applied[0] > p->applied[1] ? p->applied[0] : p->applied[1]),
                "acked_by_stream", (json_int_t)p->acked[0], (json_int_t)p->acked[1],
                "applied_by_stream", (json_int_t)p->applied[0], (json_int_t)p->applied[1],
                "last_error", p->last_error[0] ? p->last_error : NULL));
    }
    return arr;
}

void link_shutdown(struct link *l)
{
    if (l == NULL || l->shut)
        return;
    l->shut = 1;
    if (l->listener)
        evconnlistener_free(l->listener);
    l->listener = NULL;
    while (l->conns)
        conn_close(l->conns, "node stopping");
}

void link_free(struct link *l)
{
    if (l == NULL)
        return;
    for (int i = 0; i < l->npeers; i++) {
        if (l->peers[i].ack_ev)
            event_free(l->peers[i].ack_ev);
        if (l->peers[i].dial_ev)
            event_free(l->peers[i].dial_ev);
        if (l->peers[i].pump_ev)
            event_free(l->peers[i].pump_ev);
        if (l->peers[i].recv_ev)
            event_free(l->peers[i].recv_ev);
        for (int s = 0; s < GATE_STREAMS; s++)
            window_clear(&l->peers[i], s);
        pending_clear(&l->peers[i]);
        free(l->peers[i].row.cert_pem);
    }
    prefetch_stop(l->prefetch);
    free(l->peers);
    merkle_cache_free(&l->cache);
    free(l->leaves);
    free(l->batch);
    if (l->heartbeat_ev)
        event_free(l->heartbeat_ev);
    SSL_CTX_free(l->server_ctx);
    SSL_CTX_free(l->client_ctx);
    free(l);
}
