/*
 * hotline_store.h: channels and hotline messages in SQLite, derived from journal entries.
 *
 *   channel.create   (local, released to the channel's partner)  -> channels row
 *   hotline.message  (local: serial assigned here; or from a partner, then a
 *                     hotline.receipt entry is made in the same transaction) -> messages row
 *   hotline.receipt  (from the partner) -> the message is delivered
 *   hotline.ack      (local on the receiving side, or from the partner) -> acknowledged
 *   hotline.escalation (national) -> the message is marked escalated
 */
#ifndef SARHAD_STORE_HOTLINE_STORE_H
#define SARHAD_STORE_HOTLINE_STORE_H

#include "core/err.h"
#include "store/journal.h"

#include <jansson.h>
#include <stdint.h>

/* Creates channel `doc` (borrowed; doc.release names the partner). SH_EEXISTS if the name is
 * taken. */
enum sh_err channels_add(struct store_tx *tx, const json_t *doc, struct sh_errinfo *info);

/* The channel `name` (new reference), with its state: "local" (only here), "matched" (the
 * partner created it too) or "proposed" (only the partner has). */
enum sh_err channels_get(struct store_db *db, const char *name, json_t **out);

/* Appends every channel to the array `out`. */
enum sh_err channels_list(struct store_db *db, json_t *out);

/* Journals a new local message (doc without serial/id; they are assigned here, gap-free per
 * channel and originator). On success *payload_out holds the journaled JSON. */
enum sh_err messages_send(struct store_tx *tx, json_t *doc, char **payload_out,
                          struct sh_errinfo *info);

/* Records an acknowledgement made here of message `id` (from the partner) by `user`. */
enum sh_err messages_ack(struct store_tx *tx, const char *id, const char *ack, const char *remark,
                         const char *user, char **payload_out, struct sh_errinfo *info);

/* Marks message `id` escalated with a national journal entry naming `parent`. */
enum sh_err messages_escalate(struct store_tx *tx, const char *id, const char *parent,
                              struct sh_errinfo *info);

/* Applies a replicated hotline or channel entry (already journaled by the caller) carrying
 * `doc`; for a message it also makes the delivery receipt. `own_country` is this node's. */
enum sh_err hotline_replica_apply(struct store_tx *tx, const struct journal_entry *e,
                                  const json_t *doc, const char *peer_country,
                                  struct sh_errinfo *info);

/* The message `id` (new reference) with its derived state. */
enum sh_err messages_get(struct store_db *db, const char *id, json_t **out);

struct message_filter {
    const char *channel; /* NULL: any */
    const char *state;   /* sent, delivered, acknowledged, received, overdue; NULL: any */
    int64_t since_ms;
    int limit;
};

/* Appends matching messages, newest first, to `out`. */
enum sh_err messages_list(struct store_db *db, const struct message_filter *f, json_t *out);

/* The first message sent by `origin` that has neither a delivery receipt nor a signed
 * rejection, into `id`. SH_ENOTFOUND when there is none (all accounted for). */
enum sh_err messages_unreceipted(struct store_db *db, const char *origin, char *id, size_t len);

/* Appends the ids of messages that need an acknowledgement, have none, are past their
 * deadline at `now_ms` and are not escalated yet. */
enum sh_err messages_overdue(struct store_db *db, int64_t now_ms, json_t *out);

/* Appends the messages escalated and still unacknowledged, by deadline, as {id, channel,
 * precedence, subject, deadline, escalated, parent_command}: those whose channel's parent
 * command is `command`, or all when `command` is NULL. */
enum sh_err messages_escalated(struct store_db *db, const char *command, json_t *out);

#endif
