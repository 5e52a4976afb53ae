/*
 * hotline.h: the commanders' hotline (DESIGN.md "Hotline message"): channels, messages,
 * precedence and handling targets, receipts and acknowledgements. Pure.
 *
 * A message's life, as its originator sees it:
 *
 *   hotline_message_new       receipt entry arrives         ack entry arrives
 *   ---------------------> SENT ------------------> DELIVERED -----------------> ACKNOWLEDGED
 *                            \________ deadline passes, no ack: hotline_overdue() _____/
 *                                      (escalation entry; stays overdue until acknowledged)
 *
 * Messages, receipts and acknowledgements are journal entries ("hotline.message",
 * "hotline.receipt", "hotline.ack"): the receipt and the acknowledgement are made on the
 * receiving node and cross back, so each side's record derives from signed entries.
 */
#ifndef SARHAD_DOMAIN_HOTLINE_H
#define SARHAD_DOMAIN_HOTLINE_H

#include "core/err.h"

#include <jansson.h>
#include <stdint.h>

enum hotline_precedence { PREC_FLASH, PREC_IMMEDIATE, PREC_PRIORITY, PREC_ROUTINE, PREC_COUNT };

extern const char *const hotline_precedences[];
extern const char *const hotline_acks[];

#define HOTLINE_BRIEF_WORDS 200 /* FLASH and IMMEDIATE bodies are brief */
#define HOTLINE_NODE_CHANNEL "node-to-node"

/* Handling target of a precedence, in milliseconds (10 min, 30 min, 3 h, 6 h). */
int64_t hotline_target_ms(enum hotline_precedence p);

/* Words in `text` (runs of non-space). */
int hotline_count_words(const char *text);

/* Validates a channel creation body {name, own_command, partner_command, peer,
 * parent_command?} into a channel document (new reference). */
enum sh_err hotline_channel_new(const json_t *body, int64_t now_ms, json_t **out,
                                struct sh_errinfo *info);

/* Validates POST /api/v1/messages {channel, precedence, subject, body | template + fields,
 * ack_required?} and builds the message document without its serial and id (the writer
 * assigns them in the transaction, see hotline_message_number). `channel` is the channel
 * document, `partner_country` the ISO3 the message is released to. */
enum sh_err hotline_message_new(const json_t *body, const json_t *channel,
                                const char *partner_country, const char *originator,
                                const char *user, int64_t now_ms, json_t **out,
                                struct sh_errinfo *info);

/* Gives message `doc` its per-channel serial and id "ORIGINATOR:CHANNEL:SERIAL". */
void hotline_message_number(json_t *doc, int64_t serial);

/* 1 if the message needs an acknowledgement it has not had by `now_ms` past its deadline. */
int hotline_overdue(const json_t *msg, int64_t now_ms);

/* Validates an acknowledgement body {ack: ROGER|WILCO|UNABLE, remark?}. */
enum sh_err hotline_ack_check(const json_t *body, int *ack, const char **remark,
                              struct sh_errinfo *info);

/* Checks a message document that arrived from a partner (fields, types, precedence). */
enum sh_err hotline_message_check(const json_t *doc, struct sh_errinfo *info);

#endif
