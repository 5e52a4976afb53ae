/*
 * testclock.c: POST /api/v1/test/clock, the manual clock for browser and integration tests
 * (see assets.h). It exists only on a node started with `sarhad serve --test-clock`; without
 * the flag the route answers 404 like an unknown path, so production nodes do not have it.
 *
 * The clock is process-wide (core/clock.h) and atomic, so the writer thread reads the moved
 * time too: the next deadline check (node/serve.c, every second) sees messages go overdue.
 */
#include "api/assets.h"

#include "api/api_int.h"
#include "core/clock.h"
#include "domain/field.h"

#define TEST_CLOCK_MAX_S (31.0 * 86400)

void api_test_clock(struct api_call *call)
{
    struct sh_errinfo info = {0};
    double advance_s = 0;
    int present = 0;
    enum sh_err rc;
    char now[32];

    if (!call->api->test_clock) {
        api_reply_error(call, 404, "not_found", "", "no such route");
        return;
    }
    if ((rc = field_only(call->body, (const char *[]){"advance_s", NULL}, &info)) ||
        (rc = field_number(call->body, "advance_s", 0, TEST_CLOCK_MAX_S, 1, &advance_s, &present,
                           &info))) {
        api_reply_err(call, rc, &info);
        return;
    }
    if (call->api->test_clock == 1) {
        clock_set_fixed(clock_now_ms());
        call->api->test_clock = 2;
    }
    clock_advance((int64_t)(advance_s * 1000));
    clock_format_rfc3339(clock_now_ms(), now, sizeof(now));
    api_reply_json(call, 200, json_pack("{s:s}", "now", now), NULL);
}
