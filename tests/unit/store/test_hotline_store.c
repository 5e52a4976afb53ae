/* Unit tests of store/hotline_store: serials, overdue at the deadline, escalation once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/clock.h"
#include "domain/hotline.h"
#include "store/hotline_store.h"
#include "store/journal.h"
#include "store/writer.h"

static char dir[64], path[128];
static struct store_db *db;
static const int64_t t0 = 1795874520000LL; /* 2026-11-28T14:02:00Z */

static int setup(void **state)
{
    struct sh_errinfo info;

    snprintf(dir, sizeof(dir), "/tmp/sarhad-hl-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/t.db", dir);
    return db_open(path, 1, &db, &info) == SH_OK ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[160];

    db_close(db);
    clock_use_wall();
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

static enum sh_err add_channel(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    json_t *ch = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s],s:s}", "name", "c1", "own_command", "a",
                           "partner_command", "b", "peer", "IR-EAST", "parent_command",
                           "PAK Sector South", "release", "IRN", "created", "x");
    enum sh_err rc = channels_add(tx, ch, info);

    json_decref(ch);
    return rc;
}

static enum sh_err send_flash(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    json_t *req = json_pack("{s:s,s:s,s:s,s:s}", "channel", "c1", "precedence", "FLASH", "subject",
                            "s", "body", "b");
    json_t *ch = json_pack("{s:s}", "name", "c1"), *doc = NULL;
    char *payload = NULL;
    enum sh_err rc = hotline_message_new(req, ch, "IRN", "PK-SOUTH", "u", t0, &doc, info);

    if (rc == SH_OK)
        rc = messages_send(tx, doc, &payload, info);
    if (rc == SH_OK)
        snprintf((char *)arg, 220, "%s", json_string_value(json_object_get(doc, "id")));
    free(payload);
    json_decref(doc);
    json_decref(req);
    json_decref(ch);
    return rc;
}

static enum sh_err escalate(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    return messages_escalate(tx, arg, "PAK Sector South", info);
}

static void test_serials_deadline_and_escalation(void **state)
{
    struct sh_errinfo info;
    char id1[220], id2[220];
    json_t *due = json_array(), *msg;

    assert_int_equal(store_tx_run(db, "PK-SOUTH", add_channel, NULL, &info), SH_OK);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", add_channel, NULL, &info), SH_EEXISTS);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", send_flash, id1, &info), SH_OK);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", send_flash, id2, &info), SH_OK);
    assert_string_equal(id1, "PK-SOUTH:c1:1");
    assert_string_equal(id2, "PK-SOUTH:c1:2");
    /* FLASH: 10 minutes; one millisecond before, nothing is due */
    assert_int_equal(messages_overdue(db, t0 + 600000 - 1, due), SH_OK);
    assert_int_equal(json_array_size(due), 0);
    assert_int_equal(messages_overdue(db, t0 + 600000, due), SH_OK);
    assert_int_equal(json_array_size(due), 2);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", escalate, id1, &info), SH_OK);
    json_array_clear(due);
    assert_int_equal(messages_overdue(db, t0 + 600000, due), SH_OK);
    assert_int_equal(json_array_size(due), 1); /* escalated once, not again */
    assert_string_equal(json_string_value(json_array_get(due, 0)), id2);
    assert_int_equal(messages_get(db, id1, &msg), SH_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(msg, "escalated"), "parent_command")),
        "PAK Sector South");
    json_decref(msg);
    json_decref(due);
    /* a message we sent with no receipt is what audit verify reports */
    char first[220];
    assert_int_equal(messages_unreceipted(db, "PK-SOUTH", first, sizeof(first)), SH_OK);
    assert_string_equal(first, id1);
}

static enum sh_err receive_serial3(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    json_t *doc =
        json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:b,s:s,s:s}", "id", "IR-EAST:c9:3", "channel",
                  "c9", "serial", 3, "originator", "IR-EAST", "precedence", "ROUTINE", "time",
                  "2026-11-28T14:02:00Z", "deadline", "2026-11-28T20:02:00Z", "ack_required", 0,
                  "dtg", "281402ZNOV26", "body", "x");
    struct journal_entry e = {0};
    enum sh_err rc;

    snprintf(e.kind, sizeof(e.kind), "hotline.message");
    snprintf(e.record_id, sizeof(e.record_id), "IR-EAST:c9:3");
    snprintf(e.origin, sizeof(e.origin), "IR-EAST");
    e.seq = 99;
    rc = hotline_replica_apply(tx, &e, doc, "IRN", info);
    json_decref(doc);
    return rc;
}

/* Serials 1 and 2 never arrived: the reader is told. */
static void test_gap_in_serials_is_visible(void **state)
{
    struct sh_errinfo info;
    json_t *msg;

    assert_int_equal(store_tx_run(db, "PK-SOUTH", receive_serial3, NULL, &info), SH_OK);
    assert_int_equal(messages_get(db, "IR-EAST:c9:3", &msg), SH_OK);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(msg, "missing_serials"), 0)),
                     1);
    assert_int_equal(json_integer_value(json_array_get(json_object_get(msg, "missing_serials"), 1)),
                     2);
    assert_string_equal(json_string_value(json_object_get(msg, "state")), "received");
    json_decref(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_serials_deadline_and_escalation),
        cmocka_unit_test(test_gap_in_serials_is_visible),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
