/*
 * assets.h: the web console's routes: its files (built from web/ and embedded in the binary),
 * its configuration, and the test clock its browser tests drive.
 *
 * The files are a table generated at build time by web/build.mjs (gen/console_assets.c): one
 * row per file under the flat prefix /assets/, plus index.html served at /. They are served
 * without a token (they hold no data); everything they fetch is under /api/v1 and needs the
 * bearer token the user types in. Every file is sent with a strict Content-Security-Policy
 * (scripts and styles from this origin only, nothing inline), so a record's text shown by the
 * console cannot run as script.
 */
#ifndef SARHAD_API_ASSETS_H
#define SARHAD_API_ASSETS_H

#include <stddef.h>

struct api_call;

/* One embedded file. `path` is relative to /assets/ ("app.js"), or "index.html". */
struct console_asset {
    const char *path;
    const char *content_type;
    const unsigned char *data;
    size_t len;
};

/* The generated table and its length (gen/console_assets.c). */
extern const struct console_asset console_assets[];
extern const size_t console_assets_count;

/* The embedded file at `path` ("index.html", "app.js"), or NULL. */
const struct console_asset *assets_find(const char *path);

/* GET / : the console's index.html. */
void api_console_index(struct api_call *call);

/* GET /assets/{name} : one embedded file, or 404. */
void api_console_asset(struct api_call *call);

/* GET /api/v1/console : what the console needs to know about this node: {"tile_url": URL or
 * null, "routes": ["GET /api/v1/health", ...] (every route's method and pattern, so the console
 * calls only those that exist), "test_clock": bool}. */
void api_console_config(struct api_call *call);

/* POST /api/v1/test/clock {"advance_s": N} : for tests only. Unless the node was started with
 * `serve --test-clock`, answers 404 as if the route did not exist. The first call switches the
 * process to a manual clock reading the current time; each call moves it forward N seconds
 * (0 to 31 days), so deadlines and escalations run without waiting. Answers {"now": time}. */
void api_test_clock(struct api_call *call);

#endif
