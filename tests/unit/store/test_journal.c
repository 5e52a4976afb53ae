/* Unit tests of store/journal and store/writer on a real SQLite file. */
#define _GNU_SOURCE /* asprintf */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/journal.h"
#include "store/peers.h"
#include "store/prefetch.h"
#include "store/records.h"
#include "store/writer.h"

static char dir[64], path[128];

static int setup(void **state)
{
    snprintf(dir, sizeof(dir), "/tmp/sarhad-unit-XXXXXX");
    if (mkdtemp(dir) == NULL)
        return -1;
    snprintf(path, sizeof(path), "%s/t.db", dir);
    return 0;
}

static int teardown(void **state)
{
    char cmd[160];

    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    return system(cmd);
}

struct append_arg {
    const char *kind;
    int fail;
};

/* Journals one entry, version 1, with `payload` (taken over; NULL: out of memory). */
static enum sh_err append_entry(struct store_tx *tx, const char *kind, const char *record_id,
                                const char *release, char *payload, int urgent)
{
    struct journal_entry e = {0};
    enum sh_err rc;

    if (payload == NULL)
        return SH_ENOMEM;
    snprintf(e.kind, sizeof(e.kind), "%s", kind);
    snprintf(e.record_id, sizeof(e.record_id), "%s", record_id);
    snprintf(e.release, sizeof(e.release), "%s", release);
    e.version = 1;
    e.payload = payload;
    e.payload_len = strlen(payload);
    e.urgent = urgent;
    rc = journal_append(tx, &e);
    entry_clear(&e);
    return rc;
}

static enum sh_err append_one(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct append_arg *a = arg;
    enum sh_err rc = append_entry(tx, a->kind, "r1", "", strdup("{\"x\":1}"), 0);

    if (rc == SH_OK && a->fail)
        rc = err_set(info, SH_EINVAL, "x", "asked to fail");
    return rc;
}

static int count_entry(const struct journal_entry *e, void *arg)
{
    (*(int *)arg)++;
    return 0;
}

static void test_chain_and_tamper(void **state)
{
    struct store_db *db;
    struct sh_errinfo info;
    struct append_arg a = {"test.entry", 0};
    int64_t bad, seq;
    uint8_t hash[ENTRY_HASH_LEN], zero[ENTRY_HASH_LEN] = {0};

    unlink(path);
    assert_int_equal(db_open(path, 1, &db, &info), SH_OK);
    assert_int_equal(journal_head(db, &seq, hash), SH_OK);
    assert_int_equal(seq, 0);
    assert_memory_equal(hash, zero, ENTRY_HASH_LEN);
    for (int i = 0; i < 5; i++)
        assert_int_equal(store_tx_run(db, "N1", append_one, &a, &info), SH_OK);
    assert_int_equal(journal_verify(db, &bad), SH_OK);
    assert_int_equal(journal_head(db, &seq, hash), SH_OK);
    assert_int_equal(seq, 5);
    /* a failing apply leaves nothing behind */
    a.fail = 1;
    assert_int_equal(store_tx_run(db, "N1", append_one, &a, &info), SH_EINVAL);
    assert_int_equal(journal_head(db, &seq, hash), SH_OK);
    assert_int_equal(seq, 5);
    /* one changed byte in one stored entry is found, at that entry */
    assert_int_equal(db_exec(db, "UPDATE journal SET payload='{\"x\":2}' WHERE seq=3"), SH_OK);
    assert_int_equal(journal_verify(db, &bad), SH_ECONFLICT);
    assert_int_equal(bad, 3);
    db_close(db);
}

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int notified;

static void notify(void *arg)
{
    pthread_mutex_lock(&mu);
    notified++;
    pthread_mutex_unlock(&mu);
}

static int done_count;
static void op_done(struct writer_op *op)
{
    done_count++;
}

/* A new database at `path`, open in *db, and a writer on it taking up to `max_batch` ops. */
static struct writer *fresh_writer(struct store_db **db, int max_batch)
{
    struct sh_errinfo info;
    struct writer *w;

    unlink(path);
    assert_int_equal(db_open(path, 1, db, &info), SH_OK);
    assert_int_equal(writer_start(path, "N1", max_batch, notify, NULL, &w, &info), SH_OK);
    return w;
}

static void test_writer_isolates_failing_ops(void **state)
{
    enum { N = 200 };
    static struct writer_op ops[N];
    static struct append_arg args[N];
    struct store_db *db;
    struct writer *w = fresh_writer(&db, 64);
    struct writer_stats st;
    int n = 0;

    for (int i = 0; i < N; i++) {
        args[i] = (struct append_arg){"test.entry", i % 10 == 3};
        ops[i] = (struct writer_op){.apply = append_one, .arg = &args[i], .done = op_done};
        writer_submit(w, &ops[i]);
    }
    writer_stop(w); /* commits everything queued and runs the done callbacks */
    assert_int_equal(done_count, N);
    for (int i = 0; i < N; i++)
        assert_int_equal(ops[i].result, i % 10 == 3 ? SH_EINVAL : SH_OK);
    assert_int_equal(journal_read(db, 0, 0, count_entry, &n), SH_OK);
    assert_int_equal(n, N - N / 10);
    int64_t bad;
    assert_int_equal(journal_verify(db, &bad), SH_OK);
    assert_true(notified > 0);
    (void)st;
    db_close(db);
}

static enum sh_err append_big(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    char *payload = malloc(100 * 1024 + 1);

    if (payload) {
        memset(payload, 'x', 100 * 1024);
        payload[100 * 1024] = '\0';
    }
    return append_entry(tx, "test.big", "big", "", payload, 0);
}

static long file_size(const char *p)
{
    FILE *f = fopen(p, "rb");
    long n = -1;

    if (f && fseek(f, 0, SEEK_END) == 0)
        n = ftell(f);
    if (f)
        fclose(f);
    return n;
}

/* The writer's commits are checkpointed into the database file by the checkpointer thread
 * while the writer still runs (SQLite's automatic checkpoint is off on its connection). */
static void test_writer_checkpoints_in_the_background(void **state)
{
    enum { N = 250 }; /* 25 MB: past the 16 MB that asks for a checkpoint */
    static struct writer_op ops[N];
    struct store_db *db;
    struct writer *w = fresh_writer(&db, 16);
    struct writer_stats st;
    long size = 0;

    for (int i = 0; i < N; i++) {
        ops[i] = (struct writer_op){.apply = append_big, .done = op_done};
        writer_submit(w, &ops[i]);
    }
    for (int i = 0; i < 3000; i++) { /* up to 30 s: a slow, shared machine */
        writer_get_stats(w, &st);
        size = file_size(path);
        if (st.ops == N && size > 16L * 1024 * 1024)
            break;
        usleep(10 * 1000);
    }
    assert_int_equal(st.ops, N);
    assert_true(size > 16L * 1024 * 1024);
    writer_stop(w);
    db_close(db);
}

static struct writer *cut_writer;
static struct writer_op cut_urgent;
static struct append_arg cut_args = {"test.entry", 0};
static int cut_order[128], cut_n;

/* The first ordinary op submits an urgent one from inside the batch, as the loop would while
 * the writer is busy. */
static enum sh_err append_then_urgent(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    writer_submit(cut_writer, &cut_urgent);
    return append_one(tx, arg, info);
}

static void cut_done(struct writer_op *op)
{
    cut_order[cut_n++] = op == &cut_urgent ? -1 : (int)(intptr_t)op->arg;
}

static enum sh_err append_nth(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    usleep(1000); /* an op that takes a while, so the batch outlasts the 2 ms before a cut */
    return append_one(tx, &cut_args, info);
}

static volatile int cut_release;

/* Holds the writer thread in a batch of its own until the test has queued everything. */
static enum sh_err block_writer(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    while (!__atomic_load_n(&cut_release, __ATOMIC_ACQUIRE))
        usleep(1000);
    return SH_OK;
}

static void no_done(struct writer_op *op)
{
}

static int entry_times(const struct journal_entry *e, void *arg)
{
    ((int64_t *)arg)[e->seq] = e->time_ms;
    return 0;
}

/* An urgent op that arrives while a batch of ordinary ops is being applied is committed after
 * a few of them (2 ms of work, WRITER_CUT_MS), in their transaction, not after the whole
 * batch; the ordinary ops keep their order. */
static void test_urgent_op_cuts_a_batch_short(void **state)
{
    enum { N = 100 };
    static struct writer_op ops[N];
    struct store_db *db;
    int n = 0;

    cut_writer = fresh_writer(&db, 1024);
    cut_urgent =
        (struct writer_op){.apply = append_one, .arg = &cut_args, .done = cut_done, .urgent = 1};
    for (int i = 0; i < N; i++) {
        ops[i] = (struct writer_op){.apply = i == 0 ? append_then_urgent : append_nth,
                                    .arg = (void *)(intptr_t)i,
                                    .done = cut_done};
    }
    ops[0].arg = &cut_args;
    /* all queued while the writer is held, so that they make one batch */
    static struct writer_op blocker = {.apply = block_writer, .done = no_done};
    writer_submit(cut_writer, &blocker);
    usleep(20 * 1000);
    for (int i = 0; i < N; i++)
        writer_submit(cut_writer, &ops[i]);
    __atomic_store_n(&cut_release, 1, __ATOMIC_RELEASE);
    writer_stop(cut_writer);
    assert_int_equal(cut_n, N + 1);
    int at = 1;
    while (at <= N && cut_order[at] != -1)
        at++;
    assert_true(at >= 1 && at < N / 2); /* after some ordinary ops (100 ms in all), not all */
    for (int i = 1; i <= N; i++)
        if (i != at)
            assert_int_equal(cut_order[i], i < at ? i : i - 1);
    assert_int_equal(journal_read(db, 0, 0, count_entry, &n), SH_OK);
    assert_int_equal(n, N + 1);
    /* entries of one transaction carry its time: the urgent one (seq at + 1) shares the first
     * op's, and the ops cut off were committed later */
    int64_t times[N + 2] = {0};
    assert_int_equal(journal_read(db, 0, 0, entry_times, times), SH_OK);
    assert_int_equal(times[at + 1], times[1]);
    assert_true(times[at + 2] > times[at + 1]);
    db_close(db);
}

/* writer_urgent_open counts an urgent op from its submission until its done callback has run
 * on the loop (the link holds bulk back meanwhile), not only until its commit. */
static void test_urgent_ops_are_open_until_done(void **state)
{
    static struct append_arg a = {"test.entry", 0};
    static struct writer_op ordinary = {.apply = append_one, .arg = &a, .done = op_done};
    static struct writer_op urgent = {.apply = append_one, .arg = &a, .done = op_done, .urgent = 1};
    struct store_db *db;
    struct writer_stats st;
    struct writer *w = fresh_writer(&db, 1024);

    done_count = 0;
    writer_submit(w, &ordinary);
    assert_int_equal(writer_urgent_open(w), 0);
    writer_submit(w, &urgent);
    assert_int_equal(writer_urgent_open(w), 1);
    do { /* both committed: the head is at seq 2 */
        usleep(1000);
        writer_get_stats(w, &st);
    } while (st.committed_seq < 2);
    assert_int_equal(writer_urgent_open(w), 1); /* committed, but done has not run */
    assert_int_equal(done_count, 0);
    writer_complete(w);
    assert_int_equal(done_count, 2);
    assert_int_equal(writer_urgent_open(w), 0);
    writer_stop(w);
    db_close(db);
}

static void test_records_versions(void **state)
{
    struct store_db *db;
    struct sh_errinfo info;
    json_t *doc = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:f,s:[s]}", "id", "e1", "version", 1,
                            "category", "OTHER", "impact", "LOW", "status", "OPEN", "time",
                            "2026-11-28T10:00:00Z", "lat", 29.0, "lon", 61.0, "release", "IRN");
    json_t *got;

    unlink(path);
    assert_int_equal(db_open(path, 1, &db, &info), SH_OK);
    struct store_tx tx = {.db = db, .node = "N1", .now_ms = 1};
    assert_int_equal(db_exec(db, "BEGIN"), SH_OK);
    assert_int_equal(events_put(&tx, "event.create", doc, 0, NULL, &info), SH_OK);
    assert_int_equal(events_put(&tx, "event.create", doc, 0, NULL, &info), SH_EEXISTS);
    json_object_set_new(doc, "version", json_integer(2));
    assert_int_equal(events_put(&tx, "event.update", doc, 5, NULL, &info), SH_ECONFLICT);
    assert_string_equal(info.field, "version");
    assert_int_equal(events_put(&tx, "event.update", doc, 1, NULL, &info), SH_OK);
    assert_int_equal(db_exec(db, "COMMIT"), SH_OK);
    assert_int_equal(events_get(db, "e1", &got), SH_OK);
    assert_int_equal(json_integer_value(json_object_get(got, "version")), 2);
    json_decref(got);
    json_decref(doc);
    db_close(db);
}

static enum sh_err apply_replica(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct journal_entry e = {0};
    json_t *doc = arg;
    enum sh_err rc;

    snprintf(e.kind, sizeof(e.kind), "event.create");
    snprintf(e.record_id, sizeof(e.record_id), "e9");
    snprintf(e.origin, sizeof(e.origin), "IR-EAST");
    snprintf(e.release, sizeof(e.release), "PAK");
    e.origin_seq = 7;
    e.version = 1;
    e.payload = json_dumps(doc, JSON_COMPACT);
    e.payload_len = strlen(e.payload);
    rc = replica_apply(tx, "IR-EAST", "IRN", 1, &e, doc, 0, info);
    entry_clear(&e);
    return rc;
}

/* A replicated entry applies once; a second copy is a duplicate; a real storage failure is
 * never reported as a duplicate (it would be acknowledged and lost). */
static void test_replica_duplicate_versus_failure(void **state)
{
    struct store_db *db;
    struct sh_errinfo info;
    json_t *doc = json_pack("{s:s,s:i,s:s,s:s,s:s,s:s,s:f,s:f,s:s}", "id", "e9", "version", 1,
                            "category", "OTHER", "impact", "LOW", "status", "OPEN", "time",
                            "2026-11-28T10:00:00Z", "lat", 29.0, "lon", 61.0, "origin", "IR-EAST");

    unlink(path);
    assert_int_equal(db_open(path, 1, &db, &info), SH_OK);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", apply_replica, doc, &info), SH_OK);
    assert_int_equal(link_in_get(db, "IR-EAST", 1), 7);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", apply_replica, doc, &info), SH_EEXISTS);
    /* forget the stream position so that only the journal's UNIQUE constraint can tell */
    assert_int_equal(db_exec(db, "DELETE FROM link_in"), SH_OK);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", apply_replica, doc, &info), SH_EEXISTS);
    /* any other failure of the insert is a failure */
    assert_int_equal(db_exec(db, "DELETE FROM journal WHERE origin='IR-EAST';"
                                 "CREATE TRIGGER no_writes BEFORE INSERT ON journal "
                                 "BEGIN SELECT RAISE(ABORT, 'disk on fire'); END;"),
                     SH_OK);
    assert_int_equal(store_tx_run(db, "PK-SOUTH", apply_replica, doc, &info), SH_EDB);
    json_decref(doc);
    db_close(db);
}

struct released_arg {
    const char *kind, *category, *release;
    int urgent;
};

/* Journals a released entry as a writer would, with the stream gate_stream_of() gives it. */
static enum sh_err append_released(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    struct released_arg *a = arg;
    char id[64], *payload;

    snprintf(id, sizeof(id), "r-%s", a->category);
    if (asprintf(&payload, "{\"category\":\"%s\"}", a->category) < 0)
        payload = NULL;
    return append_entry(tx, a->kind, id, a->release, payload, a->urgent);
}

/* seqs[0] counts; the seqs follow, urgent ones negated. */
static int collect_seq(const struct journal_entry *e, void *arg)
{
    int64_t *seqs = arg;

    seqs[++seqs[0]] = e->urgent ? -e->seq : e->seq;
    return 0;
}

/* The outbox reads the urgent entries alone, or all released ones with their stream;
 * national entries and other countries' never. Migration 7 sets the stream of entries journaled
 * before the column existed from their kind and payload, as gate_stream_of() does. */
static void test_released_by_stream(void **state)
{
    struct store_db *db;
    struct sh_errinfo info;
    struct released_arg rows[] = {
        {"event.create", "SUSPICIOUS_ACTIVITY", "IRN", 0}, /* 1: bulk */
        {"event.create", "ARMED_ATTACK", "IRN", 1},        /* 2: urgent */
        {"event.create", "ARMED_ATTACK", "", 0},           /* 3: national */
        {"hotline.message", "none", "IRN", 1},             /* 4: urgent */
        {"event.create", "SMUGGLING", "AFG,IRN", 0},       /* 5: bulk */
        {"event.create", "CRISIS", "AFG", 1},              /* 6: not for IRN */
    };
    int64_t seqs[16];

    unlink(path);
    assert_int_equal(db_open(path, 1, &db, &info), SH_OK);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
        assert_int_equal(store_tx_run(db, "PK-SOUTH", append_released, &rows[i], &info), SH_OK);
    for (int pass = 0; pass < 2; pass++) {
        seqs[0] = 0;
        assert_int_equal(journal_read_released(db, 0, "PK-SOUTH", "IRN", 1, 0, collect_seq, seqs),
                         SH_OK);
        assert_int_equal(seqs[0], 2);
        assert_int_equal(seqs[1], -2);
        assert_int_equal(seqs[2], -4);
        seqs[0] = 0;
        assert_int_equal(journal_read_released(db, 1, "PK-SOUTH", "IRN", 0, 0, collect_seq, seqs),
                         SH_OK);
        assert_int_equal(seqs[0], 3); /* all of them, urgent ones flagged */
        assert_int_equal(seqs[1], -2);
        assert_int_equal(seqs[2], -4);
        assert_int_equal(seqs[3], 5);
        if (pass == 1)
            break;
        /* back to schema 6, as a node journaled these before the column existed */
        assert_int_equal(db_exec(db, "DROP INDEX journal_urgent; DROP INDEX xlog_leaf;"
                                     "ALTER TABLE journal DROP COLUMN urgent;"
                                     "PRAGMA user_version=6;"),
                         SH_OK);
        db_close(db);
        assert_int_equal(db_open(path, 0, &db, &info), SH_OK);
    }
    db_close(db);
}

static enum sh_err append_many(struct store_tx *tx, void *arg, struct sh_errinfo *info)
{
    enum sh_err rc = SH_OK;

    for (int i = 0; i < *(int *)arg && rc == SH_OK; i++)
        rc = append_entry(tx, "event.create", "r1", "IRN", strdup("{\"x\":1}"), 0);
    return rc;
}

/* Waits up to 10 s for the read-ahead thread to have read up to `at` at least. */
static int64_t prefetched(struct prefetch *pf, int64_t at)
{
    for (int i = 0; i < 1000 && prefetch_done(pf) < at; i++)
        usleep(10 * 1000);
    return prefetch_done(pf);
}

/* The read-ahead thread reads nothing before a hint, then runs ahead of the scan by a bounded
 * number of entries (50,000, in chunks of 2,000), and starts at the scan when it went past. */
static void test_prefetch_reads_ahead_of_the_scan(void **state)
{
    struct sh_errinfo info;
    struct store_db *db;
    struct prefetch *pf;
    int n = 3000;

    unlink(path);
    assert_int_equal(db_open(path, 1, &db, &info), SH_OK);
    assert_int_equal(store_tx_run(db, "N1", append_many, &n, &info), SH_OK);
    assert_int_equal(prefetch_start(path, "N1", &pf, &info), SH_OK);
    usleep(50 * 1000);
    assert_int_equal(prefetch_done(pf), 0); /* no hint, nothing read */
    prefetch_hint(pf, 100);
    assert_int_equal(prefetched(pf, 100 + 50000), 100 + 50000); /* ahead, and no further */
    usleep(50 * 1000);
    assert_int_equal(prefetch_done(pf), 100 + 50000);
    prefetch_hint(pf, 50);     /* a scan does not go back: nothing changes */
    prefetch_hint(pf, 200000); /* the scan went past: read from it */
    assert_int_equal(prefetched(pf, 250000), 250000);
    prefetch_stop(pf);
    prefetch_stop(NULL);
    db_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chain_and_tamper),
        cmocka_unit_test(test_writer_isolates_failing_ops),
        cmocka_unit_test(test_writer_checkpoints_in_the_background),
        cmocka_unit_test(test_urgent_op_cuts_a_batch_short),
        cmocka_unit_test(test_urgent_ops_are_open_until_done),
        cmocka_unit_test(test_records_versions),
        cmocka_unit_test(test_replica_duplicate_versus_failure),
        cmocka_unit_test(test_released_by_stream),
        cmocka_unit_test(test_prefetch_reads_ahead_of_the_scan),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
