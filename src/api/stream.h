/*
 * stream.h: the live stream (GET /api/v1/stream): Server-Sent Events of every journal entry a
 * reader may see, plus unit positions.
 *
 * Each journal entry is one SSE event with `id: <seq>`, so a reader that reconnects with
 * Last-Event-ID (or ?since=SEQ) resumes exactly after what it saw. Positions are sent as
 * `event: position` without an id: they are latest-wins state, not history.
 *
 * Memory is bounded: the hub keeps the most recent frames in a ring; a reader further behind
 * is fed from the database in batches. A reader is paused while half its backlog bound is
 * queued and resumed when it drains; one that fills the whole bound is disconnected (it can
 * resume with Last-Event-ID).
 */
#ifndef SARHAD_API_STREAM_H
#define SARHAD_API_STREAM_H

#include "store/db.h"

#include <jansson.h>
#include <stdint.h>

struct event_base;
struct stream_hub;
struct api_call;

/* Creates the hub; `head_seq` is the last committed journal seq. */
struct stream_hub *stream_hub_new(struct event_base *base, struct store_db *rdb, size_t backlog,
                                  int64_t head_seq);

/* Closes every stream and frees the hub. NULL is a no-op. */
void stream_hub_free(struct stream_hub *hub);

/* The last journal seq the hub has seen committed. */
int64_t stream_hub_seq(const struct stream_hub *hub);

/* Entries up to `seq` are committed: read them and send them to readers. */
void stream_hub_advance(struct stream_hub *hub, int64_t seq);

/* Sends a unit position (borrowed) to every reader. */
void stream_hub_position(struct stream_hub *hub, const json_t *unit);

/* Number of connected readers. */
int stream_hub_clients(const struct stream_hub *hub);

/* Readers disconnected for falling behind, since start. */
uint64_t stream_hub_dropped(const struct stream_hub *hub);

#endif
