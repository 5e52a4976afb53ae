/*
 * backoff.c: exponential backoff with equal jitter.
 */
#include "domain/backoff.h"

int backoff_next(int prev_ms)
{
    if (prev_ms <= 0)
        return BACKOFF_MIN_MS;
    return prev_ms >= BACKOFF_MAX_MS / 2 ? BACKOFF_MAX_MS : prev_ms * 2;
}

int backoff_delay(int step_ms, uint32_t random)
{
    int half = step_ms / 2;

    return half + (int)(random % (uint32_t)(step_ms - half + 1));
}
