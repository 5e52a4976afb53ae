/*
 * node.h: a node's life: creating its directory (init) and running it (serve).
 *
 * A node directory holds:
 *   sarhad.conf   configuration (INI)
 *   node.key      the node's Ed25519 private key, mode 0600
 *   cert.pem      its self-signed certificate
 *   sarhad.db     the SQLite database (with -wal and -shm beside it)
 */
#ifndef SARHAD_NODE_NODE_H
#define SARHAD_NODE_NODE_H

#include "core/err.h"
#include "crypto/crypto.h"
#include "domain/border.h"
#include "domain/landmark.h"
#include "node/config.h"

/* Creates the node directory for `cfg` (name, country, listen set): config, key, certificate,
 * database with the border's sections, and an admin user whose token is written to
 * `admin_token`. Refuses a directory that already holds a node (SH_EEXISTS). */
enum sh_err node_init(const struct config *cfg, char admin_token[CRYPTO_TOKEN_MAX],
                      struct sh_errinfo *info);

/* Loads the border named by the configuration (or the built-in line). */
enum sh_err node_load_border(const struct config *cfg, struct border *b, struct sh_errinfo *info);

/* Loads the pillars, sectors and crossings named by the configuration (or the built-in ones
 * when the line is the built-in one). */
enum sh_err node_load_landmarks(const struct config *cfg, const struct border *b,
                                struct landmarks *lm, struct sh_errinfo *info);

/* node_serve flags. NODE_SERVE_TEST_CLOCK: POST /api/v1/test/clock may move the clock (tests). */
#define NODE_SERVE_TEST_CLOCK 1u

/* Runs the node in `dir` until SIGINT or SIGTERM, then stops cleanly. */
enum sh_err node_serve(const char *dir, unsigned flags, struct sh_errinfo *info);

#endif
