/*
 * linktest.h: the daily and on-demand link test (issue: "the nodes exchange a signed test
 * message daily at a configured time and on demand; a failed test raises an alarm").
 *
 * A test is a ROUTINE hotline message on the node-to-node channel. It passes when the
 * partner's signed delivery receipt comes back within the timeout; otherwise a
 * national "link.alarm" journal entry is made (it shows on the stream) and logged.
 *
 *   linktest_start --> PENDING --receipt seen (linktest_tick)--> PASSED
 *                         \------ timeout (linktest_tick) ------> FAILED + alarm entry
 */
#ifndef SARHAD_NODE_LINKTEST_H
#define SARHAD_NODE_LINKTEST_H

#include "core/err.h"
#include "store/db.h"
#include "store/writer.h"

#include <jansson.h>
#include <stdint.h>

struct linktest;

/* `node`: this node; `test_at`: "HH:MM" UTC of the daily test ("" for none); a test fails
 * when no receipt is back after `timeout_s` seconds. */
struct linktest *linktest_new(struct store_db *rdb, struct writer *writer, const char *node,
                              const char *test_at, int timeout_s);

/* Frees it. NULL is a no-op. */
void linktest_free(struct linktest *t);

/* Starts a test now (unless one is pending). SH_EUNPROCESSABLE if there is no node-to-node
 * channel (no peer pinned). */
enum sh_err linktest_start(struct linktest *t, struct sh_errinfo *info);

/* Advances pending tests and starts the daily one when its minute comes. Call every second. */
void linktest_tick(struct linktest *t, int64_t now_ms);

/* The last test, {state, started, message, finished, round_trip_ms} or null (new reference). */
json_t *linktest_status(const struct linktest *t);

/* Stops submitting writes (the writer is going away). */
void linktest_detach(struct linktest *t);

#endif
