/*
 * metrics.c: GET /metrics in the Prometheus text exposition format (version 0.0.4).
 */
#include "api/api_int.h"

#include "api/stream.h"
#include "core/clock.h"

#include <event2/buffer.h>
#include <stdlib.h>
#include <string.h>

static const int statuses[] = {200, 201, 202, 204, 400, 401, 403, 404, 405,
                               409, 411, 413, 415, 422, 428, 429, 500, 503};
#define NSTATUS ((int)(sizeof(statuses) / sizeof(statuses[0])))

struct api_metrics {
    uint64_t *counts; /* [(nroutes + 1) * NSTATUS]; the last row is "unmatched" */
    uint64_t other;   /* statuses not in the table */
};

enum sh_err api_init(struct api_ctx *api)
{
    api->metrics = calloc(1, sizeof(*api->metrics));
    if (api->metrics == NULL)
        return SH_ENOMEM;
    api->metrics->counts = calloc((size_t)(api_route_count() + 1) * NSTATUS, sizeof(uint64_t));
    if (api->metrics->counts == NULL) {
        free(api->metrics);
        api->metrics = NULL;
        return SH_ENOMEM;
    }
    return SH_OK;
}

void api_free(struct api_ctx *api)
{
    if (api->metrics == NULL)
        return;
    free(api->metrics->counts);
    free(api->metrics);
    api->metrics = NULL;
}

void api_metrics_count(struct api_ctx *api, int route, int status)
{
    int row = route < 0 ? api_route_count() : route;

    for (int i = 0; i < NSTATUS; i++) {
        if (statuses[i] == status) {
            api->metrics->counts[row * NSTATUS + i]++;
            return;
        }
    }
    api->metrics->other++;
}

static void add_gauge(struct evbuffer *b, const char *name, const char *type, const char *help,
                      double value)
{
    evbuffer_add_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %.17g\n", name, help, name, type, name,
                        value);
}

void api_metrics(struct api_call *call)
{
    struct api_ctx *api = call->api;
    struct evbuffer *b = evbuffer_new();
    struct writer_stats ws;
    uint64_t cumulative = 0;

    evbuffer_add_printf(b, "# HELP sarhad_http_requests_total HTTP requests answered, by route "
                           "and status.\n# TYPE sarhad_http_requests_total counter\n");
    for (int r = 0; r <= api_route_count(); r++)
        for (int i = 0; i < NSTATUS; i++)
            if (api->metrics->counts[r * NSTATUS + i])
                evbuffer_add_printf(b,
                                    "sarhad_http_requests_total{route=\"%s\",status=\"%d\"} "
                                    "%llu\n",
                                    api_route_name(r < api_route_count() ? r : -1), statuses[i],
                                    (unsigned long long)api->metrics->counts[r * NSTATUS + i]);
    writer_get_stats(api->writer, &ws);
    add_gauge(b, "sarhad_journal_seq", "gauge", "Last committed journal sequence number.",
              (double)stream_hub_seq(api->hub));
    add_gauge(b, "sarhad_stream_clients", "gauge", "Connected live stream readers.",
              stream_hub_clients(api->hub));
    add_gauge(b, "sarhad_stream_dropped_total", "counter",
              "Stream readers disconnected for falling behind.",
              (double)stream_hub_dropped(api->hub));
    add_gauge(b, "sarhad_http_connections", "gauge", "Open HTTP connections.",
              http_server_conns(api->http));
    add_gauge(b, "sarhad_units", "gauge", "Units with a known position.",
              (double)json_object_size(api->units));
    add_gauge(b, "sarhad_commit_ops_total", "counter", "Writes committed by the writer thread.",
              (double)ws.ops);
    add_gauge(b, "sarhad_uptime_seconds", "gauge", "Seconds since the node started.",
              (double)(clock_now_ms() - api->started_ms) / 1000.0);
    evbuffer_add_printf(b, "# HELP sarhad_commit_duration_seconds Duration of one group commit "
                           "(BEGIN to durable COMMIT).\n"
                           "# TYPE sarhad_commit_duration_seconds histogram\n");
    for (int i = 0; i < WRITER_LATENCY_BUCKETS; i++) {
        cumulative = ws.buckets[i];
        if (i == WRITER_LATENCY_BUCKETS - 1)
            evbuffer_add_printf(b, "sarhad_commit_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                                (unsigned long long)cumulative);
        else
            evbuffer_add_printf(b, "sarhad_commit_duration_seconds_bucket{le=\"%g\"} %llu\n",
                                writer_bucket_ms(i) / 1000.0, (unsigned long long)cumulative);
    }
    evbuffer_add_printf(b,
                        "sarhad_commit_duration_seconds_sum %.6f\n"
                        "sarhad_commit_duration_seconds_count %llu\n",
                        ws.sum_ms / 1000.0, (unsigned long long)ws.commits);
    size_t len = evbuffer_get_length(b);
    char *text = malloc(len + 1);
    if (text == NULL)
        abort();
    evbuffer_remove(b, text, len);
    evbuffer_free(b);
    api_metrics_count(api, call->route, 200);
    http_respond(call->req, 200, "text/plain; version=0.0.4; charset=utf-8", NULL, text, len);
    free(text);
    api_call_free(call);
}
