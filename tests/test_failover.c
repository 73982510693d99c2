/* test_failover.c: the database under faults. A crashed primary is declared dead after
 * `missed` heartbeats (3 to 4 intervals with 1s x 3), a replica is promoted after `promote`
 * and callers follow within the endpoint TTL, so the RTO is detection + promote + TTL
 * exactly; async replication with a constant lag L loses the lambda L writes acknowledged in
 * the last L; a restore loses the writes since the latest backup, lambda B / 2 on average;
 * sync and semi_sync (promoting the most up-to-date replica) lose none. Scripted calls pin
 * down disk_full, replication_paused, a crashed replica, a hang and a split brain. */
#include "harness.h"

static double value(const struct harness_run *h, const char *path, int r)
{
    return harness_metric(h, path)->values[r];
}

static void between(const char *what, double low, double x, double high)
{
    if (!(x >= low && x <= high)) fail_msg("%s: %.9g outside [%.9g, %.9g]", what, x, low, high);
}

/* ---- RTO: heartbeat 1s x 3, promote 30s, endpoint TTL 5s ---- */

static struct harness_run run_rto(const char *replication, int reps)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seed\": 3, \"duration\": \"50s\", \"replications\": %d,"
             " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 200},"
             " \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"keys\": {\"count\": 1000}},"
             " \"nodes\": {\"db\": {\"type\": \"database\", \"replicas\": 2, %s,"
             " \"lag\": {\"dist\": \"exp\", \"mean\": \"100ms\"}, \"read_from\": \"replicas\","
             " \"workers\": 64, \"service_time\": \"1ms\","
             " \"failover\": {\"heartbeat\": \"1s\", \"missed\": 3, \"promote\": \"30s\","
             " \"endpoint_ttl\": \"5s\"}}},"
             " \"faults\": [{\"target\": \"db.primary\", \"kind\": \"crash\", \"at\": \"10s\","
             " \"for\": \"60s\"}]}",
             reps, replication);
    return harness_run_text("rto.json", text, NULL, 0, false);
}

/* Detection: the first beat after the crash is at a uniform phase within 1s, and its third
 * miss is known 3 intervals later: 3 to 4s. Recovery: + 30s promote + 5s TTL exactly. Sync
 * and semi_sync lose nothing; async loses the writes acknowledged but on no replica. */
static void rto_is_detection_plus_promote_plus_ttl(void **state)
{
    (void)state;
    static const char *const modes[] = {"\"replication\": \"sync\"",
                                        "\"replication\": \"semi_sync\", \"acks\": 1",
                                        "\"replication\": \"async\""};
    const double ttl = 5, promote = 30;
    double async_lost = 0;
    for (int m = 0; m < 3; m++) {
        struct harness_run h = run_rto(modes[m], 6);
        printf("  %s\n", modes[m]);
        for (int r = 0; r < h.res->replications; r++) {
            double detect = value(&h, "faults.0.detect", r), recover = value(&h, "faults.0.recover", r);
            printf("    replication %d: detect %.3fs, recover %.3fs, lost %.0f\n", r, detect, recover,
                   value(&h, "faults.0.rpo_writes", r));
            between("detect", 3, detect, 4);
            between("recover", 33 + ttl, recover, 34 + ttl);
            harness_exact("recover - detect = promote + ttl", promote + ttl, recover - detect, 1e-9);
            harness_exact("promotions", 1, value(&h, "nodes.db.failover.promotions", r), 0);
            harness_exact("last promotion = 10s + detect + promote", 10 + detect + promote,
                          value(&h, "nodes.db.failover.last_promotion", r), 1e-9);
            assert_true(value(&h, "nodes.db.failover.primary", r) != 0);
            harness_exact("lost_writes = faults.0.rpo_writes", value(&h, "faults.0.rpo_writes", r),
                          value(&h, "nodes.db.lost_writes", r), 0);
            assert_true(value(&h, "faults.0.failed.unavailable", r) > 0);
            if (m < 2) harness_exact("sync and semi_sync: writes lost", 0,
                                     value(&h, "faults.0.rpo_writes", r), 0);
            else async_lost += value(&h, "faults.0.rpo_writes", r);
        }
        if (m == 2 && h.res->story) printf("  the story of replication 0:\n%s", h.res->story);
        harness_done(&h);
    }
    printf("  async: %.0f writes lost over 6 crashes\n", async_lost);
    assert_true(async_lost > 0);
}

/* Without failover the primary simply resumes when its crash ends: nothing is lost, and the
 * RTO is the crash itself. */
static void without_failover_the_primary_resumes(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 4, \"duration\": \"20s\", \"replications\": 3,"
        " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 200},"
        " \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"keys\": {\"count\": 100}},"
        " \"nodes\": {\"db\": {\"type\": \"database\", \"replicas\": 1, \"replication\": \"async\","
        " \"lag\": \"100ms\", \"workers\": 64, \"service_time\": \"1ms\"}},"
        " \"faults\": [{\"target\": \"db.primary\", \"kind\": \"crash\", \"at\": \"5s\", \"for\": \"7s\"}]}";
    struct harness_run h = harness_run_text("nofailover.json", text, NULL, 0, false);
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("recover: the crash's length", 7, value(&h, "faults.0.recover", r), 1e-12);
        harness_exact("writes lost", 0, value(&h, "faults.0.rpo_writes", r), 0);
        assert_true(isnan(value(&h, "faults.0.detect", r)));
    }
    assert_null(sim__results_find(h.res, "nodes.db.failover.promotions"));
    harness_done(&h);
}

/* ---- RPO ---- */

/* Async, a constant lag L = 100ms, zero service and link times, Poisson writes at lambda =
 * 500/s: a write is acknowledged as it arrives and applied on the replica exactly L later,
 * and a crash stops every stream. So the promoted replica lacks exactly the writes
 * acknowledged in the last L before the crash: Poisson(lambda L), mean lambda L = 50. Each
 * one was acknowledged within L of the crash: rpo_window < L. */
static void async_loses_lambda_times_lag(void **state)
{
    (void)state;
    const double lambda = 500, lag = 0.1;
    const char *text =
        "{\"seed\": 1, \"duration\": \"2.7s\", \"replications\": 100,"
        " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 500}, \"mix\": {\"write\": 1},"
        " \"keys\": {\"count\": 100000}},"
        " \"nodes\": {\"db\": {\"type\": \"database\", \"replicas\": 1, \"replication\": \"async\","
        " \"lag\": \"100ms\", \"workers\": 100, \"service_time\": \"0s\","
        " \"failover\": {\"heartbeat\": \"100ms\", \"missed\": 3, \"promote\": \"200ms\"}}},"
        " \"faults\": [{\"target\": \"db.primary\", \"kind\": \"crash\", \"at\": \"2s\"}]}";
    struct harness_run h = harness_run_text("rpo.json", text, NULL, 0, false);
    for (int r = 0; r < h.res->replications; r++) {
        between("rpo_window", 0, value(&h, "faults.0.rpo_window", r), lag);
        harness_exact("promotions", 1, value(&h, "nodes.db.failover.promotions", r), 0);
    }
    harness_inside("writes lost, lambda L", lambda * lag, harness_metric(&h, "faults.0.rpo_writes"),
                   0.1);
    harness_done(&h);
}

/* No replica: the primary is restored from its latest backup, taken every B = 2s from a
 * uniform phase. The crash at 3s (>= B) is then a uniform time U(0, B) after the latest
 * backup, and the writes acknowledged since, Poisson(lambda U), are lost: lambda B / 2 on
 * average (lambda = 200/s: 200). RTO = detection + restore (500ms), exactly. */
static void a_restore_loses_half_a_backup_interval(void **state)
{
    (void)state;
    const double lambda = 200, interval = 2;
    const char *text =
        "{\"seed\": 8, \"duration\": \"4s\", \"replications\": 200,"
        " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 200}, \"mix\": {\"write\": 1},"
        " \"keys\": {\"count\": 100000}},"
        " \"nodes\": {\"db\": {\"type\": \"database\", \"workers\": 100, \"service_time\": \"0s\","
        " \"failover\": {\"heartbeat\": \"100ms\", \"missed\": 3},"
        " \"backup\": {\"interval\": \"2s\", \"restore\": \"500ms\"}}},"
        " \"faults\": [{\"target\": \"db.primary\", \"kind\": \"crash\", \"at\": \"3s\"}]}";
    struct harness_run h = harness_run_text("backup.json", text, NULL, 0, false);
    for (int r = 0; r < h.res->replications; r++) {
        double detect = value(&h, "faults.0.detect", r), recover = value(&h, "faults.0.recover", r);
        between("detect", 0.3, detect, 0.4);
        harness_exact("recover - detect = restore", 0.5, recover - detect, 1e-9);
        between("rpo_window", 0, value(&h, "faults.0.rpo_window", r), interval);
        harness_exact("restores", 1, value(&h, "nodes.db.backup.restores", r), 0);
    }
    harness_inside("writes lost, lambda B / 2", lambda * interval / 2,
                   harness_metric(&h, "faults.0.rpo_writes"), 0.1);
    harness_done(&h);
}

/* ---- scripted calls ---- */

#define R(t, k) {t, SIM_OP_READ, k, 0, SIM_OK, false}
#define W(t, k) {t, SIM_OP_WRITE, k, 0, SIM_OK, false}

static struct harness_rig run_script(const char *db_fields, const char *faults,
                                     struct harness_step *steps, int n)
{
    char text[4096];
    snprintf(text, sizeof text,
             "{\"seed\": 11, \"duration\": \"2s\","
             " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"db\": {\"type\": \"database\", %s}}, \"faults\": [%s]}",
             db_fields, faults);
    return harness_script("db.json", text, "db", steps, n);
}

static double figure(const struct harness_rig *r, const char *path)
{
    return harness_rig_figure(r, path);
}

#define ONE_REPLICA                                                                          \
    "\"replicas\": 1, \"replication\": \"async\", \"lag\": \"1ms\", \"workers\": 100,"     \
    " \"service_time\": \"0s\""

/* disk_full on the primary rejects writes only; replication_paused on the replica holds a
 * write acknowledged at 350ms until the pause ends at 500ms: reads of it are stale until
 * then, and its lag is 150ms. */
static void disk_full_rejects_writes_and_a_pause_holds_replication(void **state)
{
    (void)state;
    const char *faults =
        "{\"target\": \"db.primary\", \"kind\": \"disk_full\", \"at\": \"100ms\", \"for\": \"100ms\"},"
        " {\"target\": \"db.replica.0\", \"kind\": \"replication_paused\", \"at\": \"300ms\","
        " \"for\": \"200ms\"}";
    struct harness_step s[] = {W(50, 1),  W(150, 2), R(160, 1), W(250, 3), R(260, 3), W(350, 4),
                               R(360, 4), R(400, 3), R(450, 4), R(510, 4)};
    struct harness_rig r = run_script(ONE_REPLICA ", \"read_from\": \"replicas\"", faults, s, 10);
    static const enum sim_status want[] = {SIM_OK, SIM_REJECTED, SIM_OK, SIM_OK, SIM_OK,
                                           SIM_OK, SIM_OK, SIM_OK, SIM_OK, SIM_OK};
    for (int i = 0; i < 10; i++) assert_int_equal(s[i].status, want[i]);
    harness_exact("stale reads (360ms and 450ms)", 2, figure(&r, "nodes.db.stale_reads"), 0);
    harness_exact("errors.rejected", 1, figure(&r, "nodes.db.errors.rejected"), 0);
    harness_exact("writes acknowledged", 3, figure(&r, "nodes.db.writes_acknowledged"), 0);
    harness_exact("replica lag max: 500ms - 350ms", 0.150, figure(&r, "nodes.db.replicas.0.lag.max"),
                  1e-9);
    harness_exact("writes lost", 0, figure(&r, "faults.1.rpo_writes"), 0);
    harness_rig_done(&r);

    /* reads from the primary are fine while its disk is full */
    struct harness_step p[] = {W(150, 2), R(160, 2), W(250, 2), R(260, 2)};
    r = run_script(ONE_REPLICA, faults, p, 4);
    assert_int_equal(p[0].status, SIM_REJECTED);
    assert_int_equal(p[1].status, SIM_OK);
    assert_int_equal(p[2].status, SIM_OK);
    assert_int_equal(p[3].status, SIM_OK);
    harness_rig_done(&r);
}

/* Two replicas dealt in turn; replica 0 crashes from 100ms to 300ms: every read then goes
 * to replica 1, a write meanwhile reaches replica 0 when it is back (it catches up), and
 * afterwards the two share the reads again. */
static void a_crashed_replica_serves_no_reads(void **state)
{
    (void)state;
    enum { N = 23 };
    struct harness_step s[N];
    for (int i = 0; i < 20; i++) s[i] = (struct harness_step)R(105 + 10 * i, 9);
    s[20] = (struct harness_step)W(150, 9);
    s[21] = (struct harness_step)R(400, 9);
    s[22] = (struct harness_step)R(410, 9);
    struct harness_rig r = run_script("\"replicas\": 2, \"replication\": \"async\", \"lag\": \"1ms\","
                                      " \"workers\": 100, \"service_time\": \"0s\","
                                      " \"read_from\": \"replicas\"",
                                      "{\"target\": \"db.replica.0\", \"kind\": \"crash\", \"at\": \"100ms\","
                                      " \"for\": \"200ms\"}",
                                      s, N);
    for (int i = 0; i < N; i++) assert_int_equal(s[i].status, SIM_OK);
    harness_exact("replica 0 reads (one, after it is back)", 1, figure(&r, "nodes.db.replicas.0.reads"), 0);
    harness_exact("replica 1 reads", 21, figure(&r, "nodes.db.replicas.1.reads"), 0);
    harness_exact("stale reads (replica 0 caught up)", 0, figure(&r, "nodes.db.stale_reads"), 0);
    harness_exact("detected at once (routed around)", 0, figure(&r, "faults.0.detect"), 0);
    harness_rig_done(&r);
}

/* Sync replication with two replicas: replica 0 crashes from 100ms to 200ms, replica 1's
 * stream is paused from 100ms to 300ms. A write at 150ms waits for replica 1, the only one
 * up when it was applied; replica 0 back at 200ms catches up at once, but that apply must not
 * stand in for replica 1's: the write is acknowledged at 300ms (latency 150ms), so reads of
 * replica 1 at 250ms and 251ms are not stale (the acknowledged version is still the old one). */
static void sync_waits_for_the_replica_that_stayed_up(void **state)
{
    (void)state;
    struct harness_step s[] = {W(50, 7), W(150, 7), R(250, 7), R(251, 7), R(400, 7), R(401, 7)};
    struct harness_rig r = run_script("\"replicas\": 2, \"replication\": \"sync\", \"lag\": \"1ms\","
                                      " \"workers\": 100, \"service_time\": \"0s\","
                                      " \"read_from\": \"replicas\"",
                                      "{\"target\": \"db.replica.0\", \"kind\": \"crash\", \"at\": \"100ms\","
                                      " \"for\": \"100ms\"}, {\"target\": \"db.replica.1\", \"kind\":"
                                      " \"replication_paused\", \"at\": \"100ms\", \"for\": \"200ms\"}",
                                      s, 6);
    for (int i = 0; i < 6; i++) assert_int_equal(s[i].status, SIM_OK);
    harness_exact("the first write: both replicas, 1ms", 1, s[0].latency_ms, 1e-9);
    harness_exact("the second write: replica 1's pause, 300ms - 150ms", 150, s[1].latency_ms, 1e-9);
    harness_exact("reads on each replica", 2, figure(&r, "nodes.db.replicas.0.reads"), 0);
    harness_exact("stale reads", 0, figure(&r, "nodes.db.stale_reads"), 0);
    harness_rig_done(&r);
}

/* A hung primary (no failover) holds the calls it gets; the restart at 200ms answers them
 * "failed". */
static void a_hung_primary_holds_its_calls(void **state)
{
    (void)state;
    struct harness_step s[] = {W(150, 1), R(160, 1), W(250, 1)};
    struct harness_rig r = run_script(ONE_REPLICA,
                                      "{\"target\": \"db.primary\", \"kind\": \"hang\", \"at\": \"100ms\","
                                      " \"for\": \"100ms\"}",
                                      s, 3);
    assert_int_equal(s[0].status, SIM_FAILED);
    assert_int_equal(s[1].status, SIM_FAILED);
    assert_int_equal(s[2].status, SIM_OK);
    assert_true(fabs(s[0].latency_ms - 50) < 1e-9);
    assert_true(fabs(s[1].latency_ms - 40) < 1e-9);
    harness_rig_done(&r);
}

/* The primary hangs from 100ms to 200ms; declared dead after 3 missed 10ms beats and
 * promoted 50ms later (about 180ms), callers follow within a TTL of 100ms. Its hang ends
 * before they all have: with fencing, it is a read-only replica and refuses their writes;
 * without, it acknowledges them, and they are lost when the split brain ends. */
static void fencing_prevents_a_split_brain(void **state)
{
    (void)state;
    enum { N = 79 };
    int refused = -1; /* with fencing: the same endpoint draws send the same writes there */
    for (int fencing = 1; fencing >= 0; fencing--) {
        struct harness_step s[N];
        for (int i = 0; i < N; i++) s[i] = (struct harness_step)W(201 + i, (uint64_t)i);
        char fields[512];
        snprintf(fields, sizeof fields,
                 ONE_REPLICA ", \"failover\": {\"heartbeat\": \"10ms\", \"missed\": 3, \"promote\":"
                             " \"50ms\", \"endpoint_ttl\": \"100ms\", \"fencing\": %s}",
                 fencing ? "true" : "false");
        struct harness_rig r = run_script(fields,
                                          "{\"target\": \"db.primary\", \"kind\": \"hang\", \"at\":"
                                          " \"100ms\", \"for\": \"100ms\"}",
                                          s, N);
        int ok = 0, rejected = 0;
        for (int i = 0; i < N; i++) {
            ok += s[i].status == SIM_OK;
            rejected += s[i].status == SIM_REJECTED;
        }
        double promoted = figure(&r, "nodes.db.failover.last_promotion");
        printf("  fencing %s: promoted at %.3fs, %d writes ok, %d refused, %.0f lost\n",
               fencing ? "on" : "off", promoted, ok, rejected, figure(&r, "nodes.db.lost_writes"));
        between("promotion", 0.180, promoted, 0.190);
        if (fencing) {
            assert_int_equal(ok + rejected, N);
            assert_true(rejected > 10);
            refused = rejected;
            assert_null(sim__results_find(r.res, "nodes.db.failover.split_brain_writes"));
            harness_exact("lost", 0, figure(&r, "nodes.db.lost_writes"), 0);
        } else {
            assert_int_equal(ok, N);
            harness_exact("split-brain writes: those refused with fencing", refused,
                          figure(&r, "nodes.db.failover.split_brain_writes"), 0);
            harness_exact("all lost", refused, figure(&r, "nodes.db.lost_writes"), 0);
        }
        harness_rig_done(&r);
    }
}

static void invalid_configurations_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *db, *faults, *message;
    } cases[] = {
        {"\"service_time\": \"1ms\", \"replicas\": 1, \"failover\": {\"missed\": 0}", "",
         "db.json: nodes.db.failover.missed: expected an integer from 1 to 1000, got 0"},
        {"\"service_time\": \"1ms\", \"failover\": {\"heartbeat\": \"0s\"}", "",
         "db.json: nodes.db.failover.heartbeat: expected a duration from 1us to 1000000s, got \"0s\""},
        {"\"service_time\": \"1ms\", \"failover\": {\"promte\": \"1s\"}", "",
         "db.json: nodes.db.failover.promte: unknown field (did you mean 'promote'?)"},
        {"\"service_time\": \"1ms\", \"backup\": {\"interval\": \"1h\", \"restore\": \"2h\"}", "",
         "db.json: nodes.db.backup: a restore begins when the heartbeat monitor declares the "
         "primary dead: add \"failover\""},
        {"\"service_time\": \"1ms\", \"failover\": {}, \"backup\": {\"interval\": \"1h\"}", "",
         "db.json: nodes.db.backup.restore: required field missing: expected a distribution (a "
         "duration such as \"5ms\", or an object with \"dist\")"},
        {"\"service_time\": \"1ms\", \"replicas\": 1",
         "{\"target\": \"db.replica.1\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "db.json: faults.0.target: 'db' (a database) has no instance called 'replica.1'"},
        {"\"service_time\": \"1ms\", \"replicas\": 1, \"shards\": {\"count\": 2}",
         "{\"target\": \"db.primary\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "db.json: faults.0.target: 'db' (a database) has no instance called 'primary'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "{\"duration\": \"10s\", \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 0}},"
                 " \"nodes\": {\"db\": {\"type\": \"database\", %s}}%s%s%s}",
                 cases[i].db, *cases[i].faults ? ", \"faults\": [" : "", cases[i].faults,
                 *cases[i].faults ? "]" : "");
        harness_refused("db.json", text, cases[i].message);
    }
}

/* Sharded: "shard.S.primary" names shard S's primary; its failover leaves the other shard
 * alone. */
static void a_shard_fails_over_alone(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 5, \"duration\": \"3s\", \"replications\": 2,"
        " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 400},"
        " \"mix\": {\"read\": 0.5, \"write\": 0.5}, \"keys\": {\"count\": 1000}},"
        " \"nodes\": {\"db\": {\"type\": \"database\", \"replicas\": 1, \"replication\": \"sync\","
        " \"lag\": \"5ms\", \"workers\": 64, \"service_time\": \"1ms\", \"shards\": {\"count\": 2},"
        " \"failover\": {\"heartbeat\": \"100ms\", \"missed\": 2, \"promote\": \"300ms\"}}},"
        " \"faults\": [{\"target\": \"db.shard.1.primary\", \"kind\": \"crash\", \"at\": \"1s\"}]}";
    struct harness_run h = harness_run_text("shards.json", text, NULL, 0, false);
    for (int r = 0; r < h.res->replications; r++) {
        between("detect", 0.2, value(&h, "faults.0.detect", r), 0.3);
        harness_exact("recover - detect = promote", 0.3,
                      value(&h, "faults.0.recover", r) - value(&h, "faults.0.detect", r), 1e-9);
        harness_exact("promotions", 1, value(&h, "nodes.db.failover.promotions", r), 0);
        harness_exact("sync: lost", 0, value(&h, "faults.0.rpo_writes", r), 0);
    }
    harness_done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rto_is_detection_plus_promote_plus_ttl),
        cmocka_unit_test(without_failover_the_primary_resumes),
        cmocka_unit_test(async_loses_lambda_times_lag),
        cmocka_unit_test(a_restore_loses_half_a_backup_interval),
        cmocka_unit_test(disk_full_rejects_writes_and_a_pause_holds_replication),
        cmocka_unit_test(a_crashed_replica_serves_no_reads),
        cmocka_unit_test(sync_waits_for_the_replica_that_stayed_up),
        cmocka_unit_test(a_hung_primary_holds_its_calls),
        cmocka_unit_test(fencing_prevents_a_split_brain),
        cmocka_unit_test(a_shard_fails_over_alone),
        cmocka_unit_test(invalid_configurations_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
