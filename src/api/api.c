/*
 * api.c: routing, authentication, authorisation and replies.
 *
 * Each request goes: match a route (404/405) -> authenticate the bearer token (401) ->
 * check the route's permission against the user's role (403) -> check the body's media type
 * and parse it (415/400) -> the route's handler. Replies, errors included, go through
 * api_reply_json / api_reply_error so that every error has the same JSON shape and every
 * answer is counted in /metrics.
 */
#include "api/api_int.h"

#include "api/assets.h"
#include "core/log.h"
#include "crypto/crypto.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct route {
    enum http_method method;
    const char *pattern; /* "{}" matches one non-empty path segment */
    unsigned perm;
    int body; /* expects a JSON body */
    void (*handle)(struct api_call *call);
    const char *name;
};

static const struct route routes[] = {
    {HTTP_GET, "/api/v1/health", PERM_NONE, 0, api_health, "GET /api/v1/health"},
    {HTTP_GET, "/api/v1/border", PERM_READ, 0, api_border, "GET /api/v1/border"},
    {HTTP_POST, "/api/v1/events", PERM_EVENT_CREATE, 1, api_events_create, "POST /api/v1/events"},
    {HTTP_GET, "/api/v1/events", PERM_READ, 0, api_events_list, "GET /api/v1/events"},
    {HTTP_GET, "/api/v1/events/{}", PERM_READ, 0, api_events_get, "GET /api/v1/events/{id}"},
    {HTTP_PATCH, "/api/v1/events/{}", PERM_EVENT_UPDATE, 1, api_events_patch,
     "PATCH /api/v1/events/{id}"},
    {HTTP_GET, "/api/v1/sections", PERM_READ, 0, api_sections_list, "GET /api/v1/sections"},
    {HTTP_PATCH, "/api/v1/sections/{}", PERM_SECTION_UPDATE, 1, api_sections_patch,
     "PATCH /api/v1/sections/{id}"},
    {HTTP_POST, "/api/v1/units/{}/position", PERM_UNIT_REPORT, 1, api_units_post,
     "POST /api/v1/units/{uid}/position"},
    {HTTP_GET, "/api/v1/units", PERM_READ, 0, api_units_list, "GET /api/v1/units"},
    {HTTP_GET, "/api/v1/stream", PERM_READ, 0, api_stream, "GET /api/v1/stream"},
    {HTTP_GET, "/api/v1/links", PERM_READ, 0, api_links, "GET /api/v1/links"},
    {HTTP_POST, "/api/v1/links/{}/test", PERM_HOTLINE, 0, api_links_test,
     "POST /api/v1/links/{peer}/test"},
    {HTTP_GET, "/api/v1/channels", PERM_READ, 0, api_channels_list, "GET /api/v1/channels"},
    {HTTP_POST, "/api/v1/channels", PERM_OPERATE, 1, api_channels_create, "POST /api/v1/channels"},
    {HTTP_POST, "/api/v1/messages", PERM_HOTLINE, 1, api_messages_create, "POST /api/v1/messages"},
    {HTTP_GET, "/api/v1/messages", PERM_READ, 0, api_messages_list, "GET /api/v1/messages"},
    {HTTP_GET, "/api/v1/messages/{}", PERM_READ, 0, api_messages_get, "GET /api/v1/messages/{id}"},
    {HTTP_POST, "/api/v1/messages/{}/ack", PERM_HOTLINE, 1, api_messages_ack,
     "POST /api/v1/messages/{id}/ack"},
    {HTTP_GET, "/api/v1/templates", PERM_READ, 0, api_templates, "GET /api/v1/templates"},
    {HTTP_GET, "/api/v1/me", PERM_READ, 0, api_me, "GET /api/v1/me"},
    {HTTP_GET, "/api/v1/escalations", PERM_READ, 0, api_escalations, "GET /api/v1/escalations"},
    {HTTP_GET, "/api/v1/border/landmarks", PERM_READ, 0, api_landmarks,
     "GET /api/v1/border/landmarks"},
    {HTTP_GET, "/api/v1/place", PERM_READ, 0, api_place, "GET /api/v1/place"},
    {HTTP_POST, "/api/v1/patrols", PERM_PATROL, 1, api_patrols_create, "POST /api/v1/patrols"},
    {HTTP_GET, "/api/v1/patrols", PERM_READ, 0, api_patrols_list, "GET /api/v1/patrols"},
    {HTTP_POST, "/api/v1/patrols/plan", PERM_PATROL, 1, api_patrols_plan,
     "POST /api/v1/patrols/plan"},
    {HTTP_GET, "/api/v1/patrols/adherence", PERM_READ, 0, api_patrols_adherence,
     "GET /api/v1/patrols/adherence"},
    {HTTP_GET, "/api/v1/coverage", PERM_READ, 0, api_coverage, "GET /api/v1/coverage"},
    {HTTP_GET, "/api/v1/coverage/gaps", PERM_READ, 0, api_coverage_gaps,
     "GET /api/v1/coverage/gaps"},
    {HTTP_GET, "/api/v1/patrols/{}", PERM_READ, 0, api_patrols_get, "GET /api/v1/patrols/{id}"},
    {HTTP_PATCH, "/api/v1/patrols/{}", PERM_PATROL, 1, api_patrols_patch,
     "PATCH /api/v1/patrols/{id}"},
    {HTTP_GET, "/api/v1/fence", PERM_READ, 0, api_fence, "GET /api/v1/fence"},
    {HTTP_POST, "/api/v1/fence/release", PERM_SECTION_UPDATE, 0, api_fence_release,
     "POST /api/v1/fence/release"},
    {HTTP_POST, "/api/v1/fence/alarms", PERM_ALARM, 1, api_fence_alarms,
     "POST /api/v1/fence/alarms"},
    {HTTP_GET, "/metrics", PERM_OPERATE, 0, api_metrics, "GET /metrics"},
    {HTTP_GET, "/", PERM_NONE, 0, api_console_index, "GET /"},
    {HTTP_GET, "/assets/{}", PERM_NONE, 0, api_console_asset, "GET /assets/{name}"},
    {HTTP_GET, "/api/v1/console", PERM_READ, 0, api_console_config, "GET /api/v1/console"},
    {HTTP_POST, "/api/v1/test/clock", PERM_OPERATE, 1, api_test_clock, "POST /api/v1/test/clock"},
};

#define NROUTES ((int)(sizeof(routes) / sizeof(routes[0])))

int api_route_count(void)
{
    return NROUTES;
}

const char *api_route_name(int route)
{
    return route >= 0 && route < NROUTES ? routes[route].name : "unmatched";
}

/* Matches `path` against `pattern`; copies the {} segment into `param`. */
static int path_match(const char *pattern, const char *path, char *param, size_t paramlen)
{
    while (*pattern && *path) {
        if (pattern[0] == '{' && pattern[1] == '}') {
            size_t n = strcspn(path, "/");
            if (n == 0 || n >= paramlen)
                return 0;
            memcpy(param, path, n);
            param[n] = '\0';
            path += n;
            pattern += 2;
            continue;
        }
        if (*pattern++ != *path++)
            return 0;
    }
    return *pattern == '\0' && (*path == '\0' || (path[0] == '/' && path[1] == '\0'));
}

void api_call_free(struct api_call *call)
{
    if (call == NULL)
        return;
    json_decref(call->body);
    json_decref(call->doc);
    free(call->payload);
    free(call);
}

static void reply_raw(struct api_call *call, int status, const char *type, const char *extra,
                      const char *body, size_t len)
{
    api_metrics_count(call->api, call->route, status);
    http_respond(call->req, status, type, extra, body, len);
    api_call_free(call);
}

void api_reply_json(struct api_call *call, int status, json_t *doc, const char *extra_headers)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_REAL_PRECISION(10));
    size_t len = text ? strlen(text) : 0;

    json_decref(doc);
    if (text == NULL) {
        reply_raw(call, 500, "application/json", NULL,
                  "{\"error\":{\"code\":\"internal\",\"message\":\"cannot encode the answer\","
                  "\"field\":\"\"}}",
                  86);
        return;
    }
    reply_raw(call, status, "application/json", extra_headers, text, len);
    free(text);
}

void api_reply_text(struct api_call *call, int status, const char *json, const char *extra_headers)
{
    reply_raw(call, status, "application/json", extra_headers, json, strlen(json));
}

void api_reply_error(struct api_call *call, int status, const char *code, const char *field,
                     const char *fmt, ...)
{
    char message[512];
    va_list ap;
    const char *extra = NULL;

    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (status == 401)
        extra = "WWW-Authenticate: Bearer realm=\"sarhad\"\r\n";
    api_reply_json(call, status,
                   json_pack("{s:{s:s,s:s,s:s}}", "error", "code", code, "message", message,
                             "field", field ? field : ""),
                   extra);
}

void api_reply_err(struct api_call *call, enum sh_err err, const struct sh_errinfo *info)
{
    int status;

    switch (err) {
    case SH_EINVAL:
        status = 400;
        break;
    case SH_EAUTH:
        status = 401;
        break;
    case SH_EFORBIDDEN:
        status = 403;
        break;
    case SH_ENOTFOUND:
        status = 404;
        break;
    case SH_ECONFLICT:
    case SH_EEXISTS:
        status = 409;
        break;
    case SH_EUNPROCESSABLE:
        status = 422;
        break;
    case SH_ELIMIT:
        status = 429;
        break;
    default:
        status = 500;
        break;
    }
    if (status == 500)
        log_error("api.error", "route=\"%s\" code=%s message=\"%s\"", api_route_name(call->route),
                  err_code(err), info && info->message[0] ? info->message : err_str(err));
    api_reply_error(call, status, err_code(err), info ? info->field : "", "%s",
                    info && info->message[0] ? info->message : err_str(err));
}

int api_query(const struct api_call *call, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *q = call->req->query;

    while (q && *q) {
        const char *amp = strchr(q, '&');
        size_t seglen = amp ? (size_t)(amp - q) : strlen(q);
        if (seglen > nlen && strncmp(q, name, nlen) == 0 && q[nlen] == '=') {
            size_t o = 0;
            for (size_t i = nlen + 1; i < seglen; i++) {
                char c = q[i];
                if (o + 1 >= outlen)
                    return -1;
                if (c == '+') {
                    c = ' ';
                } else if (c == '%') {
                    unsigned v;
                    if (i + 2 >= seglen + 0 || sscanf(q + i + 1, "%2x", &v) != 1 || v == 0)
                        return -1;
                    c = (char)v;
                    i += 2;
                }
                out[o++] = c;
            }
            out[o] = '\0';
            return 1;
        }
        q = amp ? amp + 1 : NULL;
    }
    return 0;
}

/* Finds the user holding the request's bearer token. */
static enum sh_err authenticate(struct api_call *call)
{
    const char *auth = http_request_header(call->req, "authorization");
    char hash[2 * CRYPTO_SHA256_LEN + 1];

    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0)
        return SH_EAUTH;
    auth += 7;
    while (*auth == ' ')
        auth++;
    if (*auth == '\0' || strlen(auth) >= CRYPTO_TOKEN_MAX)
        return SH_EAUTH;
    crypto_token_hash(auth, strlen(auth), hash);
    return users_find_by_token(call->api->rdb, hash, &call->user);
}

static int media_is_json(const char *type)
{
    size_t n = strlen("application/json");

    return type && strncasecmp(type, "application/json", n) == 0 &&
           (type[n] == '\0' || type[n] == ';' || type[n] == ' ');
}

/* Parses the JSON body; answers and returns -1 on failure. */
static int parse_body(struct api_call *call)
{
    json_error_t jerr;

    if (!media_is_json(http_request_header(call->req, "content-type"))) {
        api_reply_error(call, 415, "unsupported_media_type", "",
                        "send the body as Content-Type: application/json");
        return -1;
    }
    call->body = json_loadb(call->req->body, call->req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (call->body == NULL) {
        api_reply_error(call, 400, "bad_json", "",
                        "the body is not valid JSON: %s (line %d, "
                        "column %d)",
                        jerr.text, jerr.line, jerr.column);
        return -1;
    }
    return 0;
}

/* Finds the route; answers 404/405 and returns -1 when there is none. */
static int route_find(struct api_call *call)
{
    char allow[128] = "";
    size_t o = 0;
    int path_ok = 0;
    enum http_method m = call->req->method == HTTP_HEAD ? HTTP_GET : call->req->method;

    for (int i = 0; i < NROUTES; i++) {
        if (!path_match(routes[i].pattern, call->req->path, call->param, sizeof(call->param)))
            continue;
        path_ok = 1;
        if (routes[i].method == m)
            return i;
        if (o < sizeof(allow))
            o += (size_t)snprintf(allow + o, sizeof(allow) - o, "%s%s", o ? ", " : "",
                                  routes[i].name);
    }
    call->route = -1;
    if (path_ok) {
        char extra[160];
        /* "GET /x, PATCH /x" -> "GET, PATCH" */
        char methods[64] = "";
        size_t mo = 0;
        for (char *p = allow; *p;) {
            size_t n = strcspn(p, " ");
            mo += (size_t)snprintf(methods + mo, sizeof(methods) - mo, "%s%.*s", mo ? ", " : "",
                                   (int)n, p);
            p = strstr(p, ", ");
            if (p == NULL)
                break;
            p += 2;
        }
        snprintf(extra, sizeof(extra), "Allow: %s\r\n", methods);
        api_metrics_count(call->api, -1, 405);
        char body[256];
        int len = snprintf(body, sizeof(body),
                           "{\"error\":{\"code\":\"method_not_allowed\","
                           "\"message\":\"allowed: %s\",\"field\":\"\"}}",
                           methods);
        http_respond(call->req, 405, "application/json", extra, body, (size_t)len);
        api_call_free(call);
        return -1;
    }
    api_reply_error(call, 404, "not_found", "", "no such route");
    return -1;
}

void api_handle(struct http_request *req, void *arg)
{
    struct api_call *call = calloc(1, sizeof(*call));
    int r;

    if (call == NULL)
        abort();
    call->api = arg;
    call->req = req;
    call->route = -1;
    if ((r = route_find(call)) < 0)
        return;
    call->route = r;
    if (routes[r].perm != PERM_NONE) {
        if (authenticate(call) != SH_OK) {
            api_reply_error(call, 401, "unauthorized", "",
                            "a valid 'Authorization: Bearer "
                            "TOKEN' header is required");
            return;
        }
        if (!role_allows(call->user.role, routes[r].perm)) {
            api_reply_error(call, 403, "forbidden", "", "role '%s' may not %s",
                            role_name(call->user.role), routes[r].name);
            return;
        }
    }
    if (routes[r].body && parse_body(call) < 0)
        return;
    routes[r].handle(call);
}

void api_submit(struct api_call *call, store_apply_fn apply, void (*done)(struct writer_op *op))
{
    if (call->api->writer == NULL) {
        api_reply_error(call, 503, "shutting_down", "", "the node is stopping; retry shortly");
        return;
    }
    call->op.apply = apply;
    call->op.arg = call;
    call->op.done = done;
    writer_submit(call->api->writer, &call->op);
}
