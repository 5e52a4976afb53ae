/*
 * config.c: sarhad.conf, a table of keys with typed parsers.
 */
#include "node/config.h"

#include "core/log.h"
#include "domain/release.h"

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum key_type { KEY_STR, KEY_INT, KEY_SIZE, KEY_BOOL, KEY_DOUBLE, KEY_ISO3 };

struct key_def {
    const char *section, *name;
    enum key_type type;
    size_t offset, size; /* size: buffer size for strings */
    double min, max;
};

#define STR(sec, key, field)                                                                       \
    {                                                                                              \
        sec, key, KEY_STR, offsetof(struct config, field), sizeof(((struct config *)0)->field), 0, \
            0                                                                                      \
    }
#define ISO(sec, key, field)                                                                       \
    {                                                                                              \
        sec, key, KEY_ISO3, offsetof(struct config, field), sizeof(((struct config *)0)->field),   \
            0, 0                                                                                   \
    }
#define NUM(sec, key, type, field, lo, hi)                                                         \
    {                                                                                              \
        sec, key, type, offsetof(struct config, field), 0, lo, hi                                  \
    }

static const struct key_def keys[] = {
    STR("node", "name", name),
    ISO("node", "country", country),
    STR("node", "log_level", log_level),
    STR("http", "listen", http_listen),
    NUM("http", "tls", KEY_BOOL, http_tls, 0, 1),
    NUM("http", "max_body", KEY_SIZE, http_max_body, 1024, 64 << 20),
    NUM("http", "max_conns", KEY_INT, http_max_conns, 1, 100000),
    NUM("http", "idle_timeout", KEY_INT, http_idle_timeout, 1, 3600),
    NUM("http", "stream_backlog", KEY_SIZE, http_stream_backlog, 4096, 256 << 20),
    STR("border", "file", border_file),
    ISO("border", "left", border_left),
    ISO("border", "right", border_right),
    NUM("border", "section_km", KEY_DOUBLE, border_section_km, 0.1, 1000),
    STR("border", "landmarks", border_landmarks),
    NUM("store", "max_batch", KEY_INT, store_max_batch, 1, 100000),
    NUM("store", "unit_stale", KEY_INT, unit_stale_s, 1, 86400 * 7),
    NUM("store", "track_retention", KEY_INT, track_retention_h, 1, 24 * 365),
    NUM("store", "max_units", KEY_INT, max_units, 1, 10000000),
    STR("link", "listen", link_listen),
    NUM("link", "heartbeat", KEY_INT, link_heartbeat_s, 1, 3600),
    STR("link", "test_at", link_test_at),
    NUM("link", "test_timeout", KEY_INT, link_test_timeout_s, 1, 3600),
    NUM("patrol", "notice_km", KEY_DOUBLE, patrol_notice_km, 0, 100),
    NUM("fence", "alarm_release_km", KEY_DOUBLE, fence_alarm_release_km, 0, 100),
    NUM("fence", "alarm_fold", KEY_INT, fence_alarm_fold_s, 0, 86400),
    STR("console", "tile_url", console_tile_url),
};

void config_defaults(struct config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    snprintf(cfg->log_level, sizeof(cfg->log_level), "info");
    snprintf(cfg->http_listen, sizeof(cfg->http_listen), "127.0.0.1:8080");
    cfg->http_max_body = 1 << 20;
    cfg->http_max_conns = 4096;
    cfg->http_idle_timeout = 60;
    cfg->http_stream_backlog = 1 << 20;
    snprintf(cfg->border_left, sizeof(cfg->border_left), "PAK");
    snprintf(cfg->border_right, sizeof(cfg->border_right), "IRN");
    cfg->border_section_km = 10;
    cfg->store_max_batch = 1024;
    cfg->unit_stale_s = 300;
    cfg->track_retention_h = 72;
    cfg->max_units = 100000;
    cfg->link_heartbeat_s = 5;
    snprintf(cfg->link_test_at, sizeof(cfg->link_test_at), "06:00");
    cfg->link_test_timeout_s = 60;
    cfg->patrol_notice_km = 4;
    cfg->fence_alarm_release_km = 1;
    cfg->fence_alarm_fold_s = 300;
}

struct parse_ctx {
    struct config *cfg;
    struct sh_errinfo *info;
    enum sh_err rc;
    const char *path;
};

static enum sh_err set_value(const struct key_def *k, struct config *cfg, const char *value,
                             char *why, size_t whylen)
{
    char *base = (char *)cfg + k->offset, *end;
    double d;

    errno = 0;
    switch (k->type) {
    case KEY_STR:
        if (strlen(value) >= k->size)
            return snprintf(why, whylen, "longer than %zu bytes", k->size - 1), SH_EINVAL;
        memcpy(base, value, strlen(value) + 1);
        return SH_OK;
    case KEY_ISO3:
        if (!release_code_valid(value))
            return snprintf(why, whylen, "must be an ISO 3166-1 alpha-3 code"), SH_EINVAL;
        memcpy(base, value, 4);
        return SH_OK;
    case KEY_BOOL:
        if (strcmp(value, "true") == 0 || strcmp(value, "yes") == 0 || strcmp(value, "1") == 0)
            *(int *)(void *)base = 1;
        else if (strcmp(value, "false") == 0 || strcmp(value, "no") == 0 || strcmp(value, "0") == 0)
            *(int *)(void *)base = 0;
        else
            return snprintf(why, whylen, "must be true or false"), SH_EINVAL;
        return SH_OK;
    default:
        break;
    }
    d = strtod(value, &end);
    if (errno || end == value || *end != '\0' || d < k->min || d > k->max)
        return snprintf(why, whylen, "must be a number in [%g, %g]", k->min, k->max), SH_EINVAL;
    if (k->type == KEY_DOUBLE)
        *(double *)(void *)base = d;
    else if (d != (double)(long long)d)
        return snprintf(why, whylen, "must be a whole number"), SH_EINVAL;
    else if (k->type == KEY_INT)
        *(int *)(void *)base = (int)d;
    else
        *(size_t *)(void *)base = (size_t)d;
    return SH_OK;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    struct parse_ctx *ctx = user;
    char why[128];

    if (ctx->rc != SH_OK)
        return 1;
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strcmp(keys[i].section, section) != 0 || strcmp(keys[i].name, name) != 0)
            continue;
        if (set_value(&keys[i], ctx->cfg, value, why, sizeof(why)) != SH_OK)
            ctx->rc = err_set(ctx->info, SH_EINVAL, name, "%s: [%s] %s %s", ctx->path, section,
                              name, why);
        return 1;
    }
    ctx->rc = err_set(ctx->info, SH_EINVAL, name, "%s: unknown key '%s' in section [%s]", ctx->path,
                      name, section);
    return 1;
}

enum sh_err config_path(const char *dir, const char *name, char *out, size_t outlen)
{
    int n = snprintf(out, outlen, "%s/%s", dir, name);

    return n < 0 || (size_t)n >= outlen ? SH_ELIMIT : SH_OK;
}

enum sh_err config_load(const char *dir, struct config *cfg, struct sh_errinfo *info)
{
    char path[600];
    struct parse_ctx ctx = {cfg, info, SH_OK, path};
    int line;

    config_defaults(cfg);
    if (config_path(dir, "sarhad.conf", path, sizeof(path)) ||
        snprintf(cfg->dir, sizeof(cfg->dir), "%s", dir) >= (int)sizeof(cfg->dir))
        return err_set(info, SH_EINVAL, "dir", "directory path too long");
    line = ini_parse(path, on_key, &ctx);
    if (line < 0)
        return err_set(info, SH_EIO, "dir",
                       "cannot read %s: is %s an initialised node "
                       "directory? (sarhad init)",
                       path, dir);
    if (ctx.rc != SH_OK)
        return ctx.rc;
    if (line > 0)
        return err_set(info, SH_EINVAL, "", "%s: line %d is not valid INI", path, line);
    return config_validate(cfg, info);
}

/* The tile URL goes into the console's Content-Security-Policy header as an origin, so it
 * must not carry characters that would end a header value or a CSP directive. */
static int tile_url_valid(const char *url)
{
    if (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0)
        return 0;
    for (const char *p = url; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || strchr("\"';,", *p))
            return 0;
    return strstr(url, "{z}") && strstr(url, "{x}") && strstr(url, "{y}");
}

enum sh_err config_validate(const struct config *cfg, struct sh_errinfo *info)
{
    enum log_level lvl;

    if (cfg->name[0] == '\0')
        return err_set(info, SH_EINVAL, "name", "node.name is required");
    for (const char *p = cfg->name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            return err_set(info, SH_EINVAL, "name",
                           "node name may hold only letters, digits, '-', '_' and '.'");
    if (!release_code_valid(cfg->country))
        return err_set(info, SH_EINVAL, "country",
                       "node.country must be an ISO 3166-1 alpha-3 code such as PAK");
    if (strcmp(cfg->border_left, cfg->border_right) == 0)
        return err_set(info, SH_EINVAL, "border.left",
                       "border.left and border.right must be different countries");
    if (cfg->link_test_at[0] &&
        (strlen(cfg->link_test_at) != 5 || cfg->link_test_at[2] != ':' ||
         cfg->link_test_at[0] < '0' || cfg->link_test_at[0] > '2' || cfg->link_test_at[1] < '0' ||
         cfg->link_test_at[1] > '9' || cfg->link_test_at[3] < '0' || cfg->link_test_at[3] > '5' ||
         cfg->link_test_at[4] < '0' || cfg->link_test_at[4] > '9' ||
         (cfg->link_test_at[0] == '2' && cfg->link_test_at[1] > '3')))
        return err_set(info, SH_EINVAL, "test_at", "link.test_at must be HH:MM (UTC) or empty");
    if (cfg->console_tile_url[0] && !tile_url_valid(cfg->console_tile_url))
        return err_set(info, SH_EINVAL, "tile_url",
                       "console.tile_url must be an http:// or https:// URL template with {z}, "
                       "{x} and {y}, without spaces, quotes, ';' or ','");
    if (log_parse_level(cfg->log_level, &lvl) < 0)
        return err_set(info, SH_EINVAL, "log_level",
                       "node.log_level must be debug, info, warn or error");
    return SH_OK;
}

void config_write(const struct config *cfg, FILE *f)
{
    fprintf(f,
            "# sarhad node configuration. Restart the node after a change.\n"
            "[node]\nname = %s\ncountry = %s\n# debug, info, warn or error\nlog_level = %s\n\n"
            "[http]\n# address of the HTTP API and console\nlisten = %s\n"
            "# serve HTTPS with the node's certificate (cert.pem, node.key)\ntls = %s\n"
            "max_body = %zu\nmax_conns = %d\n# seconds an idle connection is kept\n"
            "idle_timeout = %d\n# bytes queued to a slow stream reader before it is cut off\n"
            "stream_backlog = %zu\n\n"
            "[border]\n# GeoJSON LineString; empty: the built-in Iran-Pakistan line "
            "(Natural Earth)\nfile = %s\n"
            "# country on each side, walking from the line's first point to its last\n"
            "left = %s\nright = %s\nsection_km = %g\n"
            "# pillars, sectors and crossing points (JSON); empty: the built-in ones for the\n"
            "# built-in line, none for another line\nlandmarks = %s\n\n"
            "[store]\n# most writes committed together in one fsync\nmax_batch = %d\n"
            "# seconds after which a unit's position is stale\nunit_stale = %d\n"
            "# hours of unit tracks kept\ntrack_retention = %d\nmax_units = %d\n\n"
            "[link]\n# address the federation link accepts pinned peers on (empty: none)\n"
            "listen = %s\n# seconds between heartbeats; three missed mark the link down\n"
            "heartbeat = %d\n# HH:MM (UTC) of the daily link test message; empty: none\n"
            "test_at = %s\n# seconds a link test waits for the partner's receipt\n"
            "test_timeout = %d\n\n"
            "[patrol]\n# a patrol planned this close to the line (km) is announced to the partner\n"
            "notice_km = %g\n\n"
            "[fence]\n# a fence alarm this close to the line (km) is released to the partner\n"
            "alarm_release_km = %g\n# seconds within which one sensor's alarms fold into one "
            "event\nalarm_fold = %d\n",
            cfg->name, cfg->country, cfg->log_level, cfg->http_listen,
            cfg->http_tls ? "true" : "false", cfg->http_max_body, cfg->http_max_conns,
            cfg->http_idle_timeout, cfg->http_stream_backlog, cfg->border_file, cfg->border_left,
            cfg->border_right, cfg->border_section_km, cfg->border_landmarks, cfg->store_max_batch,
            cfg->unit_stale_s, cfg->track_retention_h, cfg->max_units, cfg->link_listen,
            cfg->link_heartbeat_s, cfg->link_test_at, cfg->link_test_timeout_s,
            cfg->patrol_notice_km, cfg->fence_alarm_release_km, cfg->fence_alarm_fold_s);
    fprintf(f,
            "\n[console]\n# map tiles for the web console, e.g. "
            "https://tiles.example.org/{z}/{x}/{y}.png;\n# empty: country outlines only (works "
            "offline)\ntile_url = %s\n",
            cfg->console_tile_url);
}
