/*
 * init.c: creating a node directory (sarhad init) and loading the border.
 *
 * Order matters for "refuses to touch an initialised directory": the config file is created
 * with O_EXCL first, so two concurrent inits cannot both win, and nothing of an existing node
 * is overwritten.
 */
#include "node/node.h"

#include "core/clock.h"
#include "core/log.h"
#include "domain/section.h"
#include "store/records.h"
#include "store/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char border_default_geojson[];
extern const unsigned long border_default_geojson_len;

extern const char border_default_landmarks[];
extern const unsigned long border_default_landmarks_len;

/* Reads the whole file `path` (at most 64 MiB) into a new buffer. */
static enum sh_err read_file(const char *path, const char *field, char **out, size_t *len,
                             struct sh_errinfo *info)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;

    *out = NULL;
    if (f == NULL)
        return err_set(info, SH_EIO, field, "cannot read %s: %s", path, strerror(errno));
    if (fseek(f, 0, SEEK_END) == 0) {
        long n = ftell(f);
        if (n > 0 && n < 64L << 20) {
            *len = (size_t)n;
            text = malloc(*len);
            rewind(f);
            if (text && fread(text, 1, *len, f) != *len) {
                free(text);
                text = NULL;
            }
        }
    }
    fclose(f);
    if (text == NULL)
        return err_set(info, SH_EIO, field, "cannot read %s (empty or over 64 MiB)", path);
    *out = text;
    return SH_OK;
}

enum sh_err node_load_border(const struct config *cfg, struct border *b, struct sh_errinfo *info)
{
    char *text = NULL;
    size_t len = 0;
    enum sh_err rc;

    if (cfg->border_file[0] == '\0')
        return border_init(b, border_default_geojson, border_default_geojson_len, cfg->border_left,
                           cfg->border_right, cfg->border_section_km, info);
    if ((rc = read_file(cfg->border_file, "border.file", &text, &len, info)))
        return rc;
    rc = border_init(b, text, len, cfg->border_left, cfg->border_right, cfg->border_section_km,
                     info);
    free(text);
    if (rc != SH_OK && info)
        snprintf(info->field, sizeof(info->field), "border.file");
    return rc;
}

enum sh_err node_load_landmarks(const struct config *cfg, const struct border *b,
                                struct landmarks *lm, struct sh_errinfo *info)
{
    char *text = NULL;
    size_t len = 0;
    enum sh_err rc;

    if (cfg->border_landmarks[0] == '\0')
        return landmarks_init(lm, b, cfg->border_file[0] ? NULL : border_default_landmarks,
                              border_default_landmarks_len, info);
    if ((rc = read_file(cfg->border_landmarks, "border.landmarks", &text, &len, info)))
        return rc;
    rc = landmarks_init(lm, b, text, len, info);
    free(text);
    if (rc != SH_OK && info) {
        struct sh_errinfo why = *info; /* err_set must not read what it writes */
        err_set(info, rc, "border.landmarks", "%s: %s", cfg->border_landmarks, why.message);
    }
    return rc;
}

struct init_tx {
    const struct config *cfg;
    const struct border *border;
    const char *token_hash;
};

static enum sh_err init_apply(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct init_tx *it = arg;
    enum sh_err rc;
    char ts[32];

    if ((rc = db_meta_set(tx->db, "node", it->cfg->name)) ||
        (rc = db_meta_set(tx->db, "country", it->cfg->country)) ||
        (rc = db_meta_set(tx->db, "created", clock_format_rfc3339(tx->now_ms, ts, sizeof(ts)))))
        return rc;
    for (int id = 1; id <= border_section_count(it->border); id++) {
        json_t *doc = section_initial(it->border, id, tx->now_ms);
        rc = sections_put(tx, doc, 0, info);
        json_decref(doc);
        if (rc)
            return rc;
    }
    return users_add(tx, "admin", ROLE_ADMIN, NULL, it->token_hash, info);
}

static enum sh_err write_config(const struct config *cfg, const char *path, struct sh_errinfo *info)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    FILE *f;

    if (fd < 0 && errno == EEXIST)
        return err_set(info, SH_EEXISTS, "dir",
                       "%s already holds a node (%s exists); "
                       "sarhad init never overwrites one",
                       cfg->dir, path);
    if (fd < 0 || (f = fdopen(fd, "w")) == NULL) {
        if (fd >= 0)
            close(fd);
        return err_set(info, SH_EIO, "dir", "cannot create %s: %s", path, strerror(errno));
    }
    config_write(cfg, f);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
        fclose(f);
        return err_set(info, SH_EIO, "dir", "cannot write %s", path);
    }
    fclose(f);
    return SH_OK;
}

enum sh_err node_init(const struct config *cfg, char admin_token[CRYPTO_TOKEN_MAX],
                      struct sh_errinfo *info)
{
    char conf[600], keyp[600], certp[600], dbp[600], hash[2 * CRYPTO_SHA256_LEN + 1];
    struct crypto_key *key = NULL;
    struct store_db *db = NULL;
    struct border border;
    struct init_tx it = {cfg, &border, hash};
    enum sh_err rc;

    memset(&border, 0, sizeof(border));
    if ((rc = config_validate(cfg, info)))
        return rc;
    if (config_path(cfg->dir, "sarhad.conf", conf, sizeof(conf)) ||
        config_path(cfg->dir, "node.key", keyp, sizeof(keyp)) ||
        config_path(cfg->dir, "cert.pem", certp, sizeof(certp)) ||
        config_path(cfg->dir, "sarhad.db", dbp, sizeof(dbp)))
        return err_set(info, SH_EINVAL, "dir", "directory path too long");
    if ((rc = node_load_border(cfg, &border, info)))
        return rc;
    if (mkdir(cfg->dir, 0700) != 0 && errno != EEXIST) {
        rc = err_set(info, SH_EIO, "dir", "cannot create %s: %s", cfg->dir, strerror(errno));
        goto out;
    }
    if (access(dbp, F_OK) == 0 || access(keyp, F_OK) == 0) {
        rc = err_set(info, SH_EEXISTS, "dir",
                     "%s already holds a node; sarhad init never "
                     "overwrites one",
                     cfg->dir);
        goto out;
    }
    if ((rc = write_config(cfg, conf, info)))
        goto out;
    if ((rc = crypto_key_generate(&key)) || (rc = crypto_key_save(key, keyp)) ||
        (rc = crypto_cert_create(key, cfg->name, cfg->country, 3650, certp))) {
        rc = err_set(info, rc, "", "cannot create the node's key and certificate in %s", cfg->dir);
        goto out;
    }
    if ((rc = crypto_token_new(admin_token)))
        goto out;
    crypto_token_hash(admin_token, strlen(admin_token), hash);
    if ((rc = db_open(dbp, 1, &db, info)) ||
        (rc = store_tx_run(db, cfg->name, init_apply, &it, info)))
        goto out;
out:
    db_close(db);
    crypto_key_free(key);
    border_free(&border);
    return rc;
}
