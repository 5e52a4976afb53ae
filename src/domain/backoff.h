/*
 * backoff.h: reconnection delays of the federation link: exponential from BACKOFF_MIN_MS,
 * capped at BACKOFF_MAX_MS, with "equal jitter" (a delay drawn from [b/2, b]) so that two
 * nodes that lost each other do not redial in lockstep. Pure: the caller supplies the random
 * number, so tests need no sleeping and no luck.
 */
#ifndef SARHAD_DOMAIN_BACKOFF_H
#define SARHAD_DOMAIN_BACKOFF_H

#include <stdint.h>

#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 30000

/* The next backoff step after `prev_ms` (0: first failure). */
int backoff_next(int prev_ms);

/* The delay to wait at step `step_ms`, drawn from [step/2, step] by `random`. */
int backoff_delay(int step_ms, uint32_t random);

#endif
