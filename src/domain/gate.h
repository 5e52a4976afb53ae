/*
 * gate.h: the sovereignty gate of the federation link (DESIGN.md principle 1).
 *
 * Outbound, gate_outbound() is the one place that builds what leaves the node: only an entry
 * whose release set names the partner's country, of a kind that may cross, and only the
 * allow-listed fields of its record (no national-only parts such as the reporting user).
 * Inbound, gate_inbound() checks again what arrives: made by that partner, released to us, of
 * a kind we accept, and a valid record. Both are pure.
 */
#ifndef SARHAD_DOMAIN_GATE_H
#define SARHAD_DOMAIN_GATE_H

#include "core/err.h"
#include "domain/border.h"
#include "domain/entry.h"

#include <jansson.h>

/* The link's streams: urgent traffic (alarms, later the hotline) never waits behind bulk. */
enum gate_stream { GATE_URGENT = 0, GATE_BULK = 1, GATE_STREAMS = 2 };

/* The stream an entry travels on. */
enum gate_stream gate_stream_of(const char *kind, const json_t *payload);

/* Builds in `out` the copy of local entry `e` that may go to a node of `country`: same
 * identity fields, payload reduced to the allow-list (a new allocation in out->payload).
 * SH_EFORBIDDEN if nothing of it may leave. (Its stream is e->urgent, decided when it was
 * journaled.) */
enum sh_err gate_outbound(const struct journal_entry *e, const char *country,
                          struct journal_entry *out);

/* Checks entry `e` received from peer `peer_name` by a node of `own_country`. On SH_OK *doc
 * is the validated record (new reference), and *as_sent is 1 when checking it changed
 * nothing (what it derives, such as the border chainage, came out as the sender had it):
 * e->payload is then its text and need not be printed again. Otherwise `info` says why it
 * is refused. */
enum sh_err gate_inbound(const struct journal_entry *e, const char *peer_name,
                         const char *own_country, const struct border *b, json_t **doc,
                         int *as_sent, struct sh_errinfo *info);

#endif
