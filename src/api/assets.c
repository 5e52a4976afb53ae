/*
 * assets.c: serving the embedded console (see assets.h).
 *
 * Caching: index.html is `no-store` (it names the other files, and a node upgrade changes
 * them); the other files are `no-cache`, so a browser revalidates each load. They are small
 * and served from memory over loopback or a LAN, and the names carry no content hash, so a
 * longer lifetime could pin a stale console to a newer node.
 */
#include "api/assets.h"

#include "api/api_int.h"

#include <string.h>

/* Nothing inline, nothing from elsewhere; img-src gains the tile server's origin when one is
 * configured (console.tile_url, checked by config_validate to hold no ';' ',' quote or space). */
#define CSP_FMT                                                                                    \
    "Content-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; "           \
    "img-src 'self' data:%s%.*s; connect-src 'self'; font-src 'self'; base-uri 'none'; "           \
    "form-action 'none'; frame-ancestors 'none'\r\n"

const struct console_asset *assets_find(const char *path)
{
    for (size_t i = 0; i < console_assets_count; i++)
        if (strcmp(console_assets[i].path, path) == 0)
            return &console_assets[i];
    return NULL;
}

/* The scheme://host[:port] part of the tile URL template, as (pointer, length). */
static size_t tile_origin(const char *url, const char **origin)
{
    const char *host = strstr(url, "://");

    *origin = url;
    if (url[0] == '\0' || host == NULL)
        return 0;
    return (size_t)(host + 3 - url) + strcspn(host + 3, "/");
}

static void reply_asset(struct api_call *call, const struct console_asset *a, const char *cache)
{
    char extra[1024];
    const char *origin;
    size_t olen = tile_origin(call->api->cfg->console_tile_url, &origin);

    snprintf(extra, sizeof(extra),
             "Cache-Control: %s\r\nX-Content-Type-Options: nosniff\r\n"
             "Referrer-Policy: no-referrer\r\n" CSP_FMT,
             cache, olen ? " " : "", (int)olen, origin);
    api_metrics_count(call->api, call->route, 200);
    http_respond(call->req, 200, a->content_type, extra, (const char *)a->data, a->len);
    api_call_free(call);
}

void api_console_index(struct api_call *call)
{
    const struct console_asset *a = assets_find("index.html");

    if (a == NULL) {
        api_reply_error(call, 404, "not_found", "", "this binary was built without the console");
        return;
    }
    reply_asset(call, a, "no-store");
}

void api_console_asset(struct api_call *call)
{
    const struct console_asset *a = assets_find(call->param);

    if (a == NULL || strcmp(call->param, "index.html") == 0) {
        api_reply_error(call, 404, "not_found", "", "no console file '%s'", call->param);
        return;
    }
    reply_asset(call, a, "no-cache");
}

void api_console_config(struct api_call *call)
{
    const char *url = call->api->cfg->console_tile_url;
    json_t *routes = json_array();

    /* The console asks only for routes that exist, so parts of the API that a node does not
     * have yet (patrols, landmarks) cost no failed request and no error in the browser. */
    for (int i = 0; i < api_route_count(); i++)
        json_array_append_new(routes, json_string(api_route_name(i)));
    api_reply_json(call, 200,
                   json_pack("{s:s?,s:o,s:b}", "tile_url", url[0] ? url : NULL, "routes", routes,
                             "test_clock", call->api->test_clock != 0),
                   NULL);
}
