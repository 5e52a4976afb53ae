/*
 * link.h: the federation link: one mutually authenticated TLS 1.3 connection per pinned peer,
 * replicating released journal entries exactly once, in order, per stream.
 *
 * The journal is the outbox. For each peer and stream the sender reads, after the position
 * the peer last applied, the entries made here whose release set names the peer's country,
 * passes each through the egress gate (domain/gate.h), signs it and sends it. The receiver
 * checks signature and gate, applies the entry and records the stream position in one
 * transaction, and returns a signed cumulative acknowledgement, which the sender keeps as a
 * receipt. Duplicates are acknowledged again; a gap is answered "expected after N". Receipts,
 * signed refusals and cosigned checkpoints reach the other side even when the connection dies
 * just after they were made: they are sent again after the reconnect.
 */
#ifndef SARHAD_LINK_LINK_H
#define SARHAD_LINK_LINK_H

#include "core/err.h"
#include "crypto/crypto.h"
#include "domain/border.h"
#include "store/db.h"
#include "store/writer.h"

#include <jansson.h>

struct event_base;
struct link;

struct link_config {
    const char *node;    /* our node name */
    const char *country; /* our ISO3 */
    const char *listen;  /* "ADDR:PORT" to accept peers on, or "" */
    const char *cert_path;
    const char *key_path;
    int heartbeat_s;
    const struct crypto_key *key; /* borrowed: signs entries and receipts */
    const struct border *border;  /* borrowed: validates incoming records */
    struct store_db *rdb;         /* borrowed: the loop's read connection */
    const char *db_path;          /* the database, for the read-ahead thread (NULL: none) */
    struct writer *writer;        /* borrowed */
    json_t *units;                /* borrowed: uid -> latest unit document (own and partners') */
    int max_units;                /* bound on `units` for positions arriving from peers */
    void (*position_cb)(void *arg, json_t *unit); /* a partner's position arrived (borrowed) */
    void *position_arg;
};

/* Loads the pinned peers, starts listening (if configured) and dialling peers that have an
 * address. */
enum sh_err link_start(struct event_base *base, const struct link_config *cfg, struct link **out,
                       struct sh_errinfo *info);

/* Picks up peers pinned since the start (sarhad peer add on a running node): accepts them and
 * dials those with an address. Peers unpinned meanwhile stay until the node restarts. */
void link_peers_refresh(struct link *l);

/* New entries are committed: send what peers may receive. */
void link_notify(struct link *l);

/* Sends the latest position of an own unit (borrowed) to the peers its release list names.
 * Latest wins: a position that cannot be sent now is superseded by the next one, and every
 * released unit's latest position is sent again when a link comes up. */
void link_position(struct link *l, const json_t *unit);

/* Per-peer status for GET /api/v1/links (new reference). */
json_t *link_status(const struct link *l);

/* The port the link listens on (0 if it does not). */
int link_port(const struct link *l);

/* Closes every connection and the listener; peers stay so that writes still in flight can
 * finish. Call before writer_stop. */
void link_shutdown(struct link *l);

/* Frees the link. Call after writer_stop. NULL is a no-op. */
void link_free(struct link *l);

#endif
