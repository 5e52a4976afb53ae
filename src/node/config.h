/*
 * config.h: the node's configuration, read from DIR/sarhad.conf (INI, parsed by inih).
 *
 *   [node]    name, country (ISO3), log_level
 *   [http]    listen, tls, max_body, max_conns, idle_timeout, stream_backlog
 *   [border]  file (GeoJSON LineString; empty: the built-in Iran-Pakistan line),
 *             left, right (ISO3 of the country on each side walking first point -> last),
 *             section_km, landmarks (pillars, sectors, crossings JSON; empty: the built-in
 *             ones for the built-in line)
 *   [store]   max_batch, unit_stale, track_retention, max_units
 *   [link]    listen (federation link address; empty: accept no peers), heartbeat,
 *             test_at (HH:MM UTC of the daily link test; empty: none)
 *   [patrol]  notice_km (a patrol this close to the line is announced to the partner)
 *   [fence]   alarm_release_km (alarms this close to the line go to the partner),
 *             alarm_fold (seconds within which one sensor's alarms fold into one event)
 *
 * Every key has a default except node.name and node.country. An unknown section or key, or a
 * bad value, is an error naming the file, the section and the key.
 */
#ifndef SARHAD_NODE_CONFIG_H
#define SARHAD_NODE_CONFIG_H

#include "core/err.h"

#include <stddef.h>
#include <stdio.h>

struct config {
    char dir[512];
    char name[64];
    char country[4];
    char log_level[16];
    char http_listen[128];
    int http_tls;
    size_t http_max_body;
    int http_max_conns;
    int http_idle_timeout;
    size_t http_stream_backlog;
    char border_file[512];
    char border_left[4];
    char border_right[4];
    double border_section_km;
    char border_landmarks[512];
    int store_max_batch;
    int unit_stale_s;
    int track_retention_h;
    int max_units;
    char link_listen[128];
    int link_heartbeat_s;
    char link_test_at[8];
    int link_test_timeout_s;
    double patrol_notice_km;
    double fence_alarm_release_km;
    int fence_alarm_fold_s;
    char console_tile_url[512]; /* map tile URL template for the web console; empty: none */
};

/* Fills `cfg` with defaults (name and country empty). */
void config_defaults(struct config *cfg);

/* Reads DIR/sarhad.conf over the defaults and validates it. */
enum sh_err config_load(const char *dir, struct config *cfg, struct sh_errinfo *info);

/* Checks cross-field rules (node identity present, sides distinct, ...). */
enum sh_err config_validate(const struct config *cfg, struct sh_errinfo *info);

/* Writes `cfg` as an INI file with comments to `f`. */
void config_write(const struct config *cfg, FILE *f);

/* Builds "DIR/name" into `out`. Returns SH_ELIMIT if it does not fit. */
enum sh_err config_path(const char *dir, const char *name, char *out, size_t outlen);

#endif
