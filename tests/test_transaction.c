/* test_transaction.c: the transaction coordinator against arithmetic. With constant times
 * a two-phase commit takes the prepare round trip plus the commit round trip, exactly; each
 * participant votes no with probability v, so a transaction aborts with 1 - (1 - v)^n; one
 * hot key serialises transactions at one per lock hold; a coordinator crash from t1 to t2
 * blocks its in-doubt transactions' participants for (t2 - t1) each, and every later
 * transaction on the key waits for t2; a saga whose last step fails compensates the
 * others in reverse order and its readers see its intermediate states. */
#include "harness.h"

/* A coordinator over three services taking prepare 3ms, commit/abort 2ms, step 4ms and
 * compensate 1ms, constant, with links of zero latency. */
static char *scenario(const char *duration, const char *arrivals, const char *mix, uint64_t keys,
                      int replications, const char *txn, const char *faults)
{
    static char buf[4096];
    static const char *part = "{\"type\": \"service\", \"workers\": 1000, \"service_time\": \"1ms\","
                              " \"service_time_by_op\": {\"prepare\": \"3ms\", \"commit\": \"2ms\", \"abort\": \"2ms\","
                              " \"step\": \"4ms\", \"compensate\": \"1ms\"}}";
    snprintf(buf, sizeof buf,
             "{\"name\": \"txn\", \"seed\": 23, \"duration\": \"%s\", \"replications\": %d,"
             " \"workload\": {\"entry\": \"txn\", \"arrivals\": %s, \"mix\": %s,"
             "   \"keys\": {\"count\": %llu}},"
             " \"nodes\": {\"txn\": {\"type\": \"transaction\", \"participants\": [\"orders\", \"payments\", \"stock\"], %s},"
             "  \"orders\": %s, \"payments\": %s, \"stock\": %s},"
             " \"faults\": [%s]}",
             duration, replications, arrivals, mix, (unsigned long long)keys, txn, part, part, part,
             faults);
    return buf;
}

static double figure(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->ci.mean;
}

static void commit_latency_is_prepare_plus_commit(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("2pc.json", scenario("20s", "{\"rate\": 50}", "{\"write\": 1}",
                                            1000000000, 2, "\"protocol\": \"2pc\"", ""), NULL, 0, false);
    printf("2pc, prepare 3ms, commit 2ms, no contention\n");
    harness_exact("latency.mean = 3ms + 2ms", 0.005, figure(&h, "latency.mean"), 1e-9);
    harness_exact("latency.max", 0.005, figure(&h, "latency.max"), 0.01);
    harness_exact("nodes.txn.lock_hold.mean", 0.005, figure(&h, "nodes.txn.lock_hold.mean"), 1e-9);
    harness_exact("nodes.txn.lock_wait.max", 0, figure(&h, "nodes.txn.lock_wait.max"), 0);
    harness_exact("nodes.txn.aborts", 0, harness_total(&h, "nodes.txn.aborts"), 0);
    harness_done(&h);
}

static void vote_no_aborts_its_share(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("vote.json", scenario("100s", "{\"rate\": 100}", "{\"write\": 1}",
                                            1000000000, 4, "\"protocol\": \"2pc\", \"vote_no\": 0.05", ""), NULL, 0, false);
    double commits = harness_total(&h, "nodes.txn.commits"), aborts = harness_total(&h, "nodes.txn.aborts");
    harness_binomial("abort share = 1 - (1 - 0.05)^3", 1 - pow(0.95, 3), aborts, commits + aborts);
    harness_binomial("errors.failed = abort share", 1 - pow(0.95, 3),
                     round(figure(&h, "errors.failed") * figure(&h, "requests.finished")), figure(&h, "requests.finished"));
    harness_done(&h);
}

/* 1,000 requests/s on one key: each holds the lock 5ms, so 200 commit per second. */
static void one_hot_key_serialises(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("hot.json", scenario("10s", "{\"rate\": 1000}", "{\"write\": 1}",
                                            1, 2, "\"protocol\": \"2pc\"", ""), NULL, 0, false);
    double window = harness_window(&h);
    printf("one key, 1000/s offered, lock held 5ms\n");
    harness_exact("commits / s = 1 / lock hold", 200, harness_total(&h, "nodes.txn.commits") / 2 / window, 0.002);
    harness_exact("nodes.txn.lock_hold.max", 0.005, figure(&h, "nodes.txn.lock_hold.max"), 0.01);
    assert_true(figure(&h, "nodes.txn.lock_wait.mean") > 1); /* the queue grows without end */
    harness_done(&h);
}

/* Two coordinators, 100 transactions/s on one key, every 10ms from 10ms. txn.0 crashes at
 * 5.014s, inside the transaction of 5.010s (prepared at 5.013s, committing): it stays in
 * doubt with three participants locked until 7.014s. */
static const char *crash = "{\"target\": \"txn.0\", \"kind\": \"crash\", \"at\": \"5.014s\", \"for\": \"2s\"}";

static void coordinator_crash_blocks_until_recovery(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("crash.json", scenario("10s", "{\"process\": \"constant\", \"rate\": 100}",
                                            "{\"write\": 1}", 1, 2, "\"protocol\": \"2pc\", \"instances\": 2", crash), NULL, 0, false);
    if (h.res->story) printf("  the story of replication 0:\n%s", h.res->story);
    double doubt = figure(&h, "nodes.txn.in_doubt.count");
    printf("2pc: txn.0 down from 5.014s to 7.014s\n");
    assert_true(doubt >= 1);
    harness_exact("blocked_time = in doubt x 3 x (t2 - t1)", doubt * 3 * 2, figure(&h, "nodes.txn.blocked_time"), 1e-9);
    harness_exact("in_doubt.max", 1, figure(&h, "nodes.txn.in_doubt.max"), 0);
    assert_true(figure(&h, "nodes.txn.lock_hold.max") >= 2.004);
    assert_true(figure(&h, "nodes.txn.lock_wait.max") >= 1.99);
    harness_exact("goodput.during_fault", 0, figure(&h, "nodes.txn.goodput.during_fault"), 0);
    harness_done(&h);
}

/* The same fault on sagas whose last step always fails: each compensates payments, then
 * orders; readers of the key see the sagas mid-way; the suspended sagas resume at 7.014s
 * while txn.1 keeps going. */
static void saga_compensates_in_reverse_order(void **state)
{
    (void)state;
    char faults[512];
    snprintf(faults, sizeof faults, "%s, {\"target\": \"stock\", \"kind\": \"error\", \"ratio\": 1, \"at\": \"1ms\"}", crash);
    struct harness_run h = harness_run_text("saga.json", scenario("10s", "{\"process\": \"constant\", \"rate\": 1000}",
                                            "{\"write\": 0.5, \"read\": 0.5}", 1, 2, "\"protocol\": \"saga\", \"instances\": 2", faults),
                                            NULL, 0, false);
    assert_non_null(h.res->story);
    printf("  the story of replication 0:\n%s", h.res->story);
    assert_non_null(strstr(h.res->story, "step 3 (stock) failed; compensating payments, then orders"));
    double aborts = harness_total(&h, "nodes.txn.aborts"), comps = harness_total(&h, "nodes.txn.compensations");
    printf("saga: %.0f failed sagas, %.0f compensations\n", aborts, comps);
    assert_true(aborts > 9000);
    harness_exact("compensations = failed sagas x 2 steps done", 2 * aborts, comps, 0.002);
    harness_exact("commits", 0, harness_total(&h, "nodes.txn.commits"), 0);
    double reads = harness_total(&h, "nodes.txn.reads"), bad = harness_total(&h, "nodes.txn.inconsistent_reads");
    printf("  %.0f of %.0f reads saw a saga mid-way\n", bad, reads);
    assert_true(bad > 0 && bad <= reads);
    assert_true(figure(&h, "nodes.txn.in_doubt.count") >= 1);
    /* Only txn.0's own requests in flight are lost: txn.1 takes every new one, no lock waits. */
    double lost = figure(&h, "faults.0.failed.unavailable");
    printf("  requests refused or lost during the crash: %.1f of %.0f\n", lost, figure(&h, "faults.0.requests"));
    assert_true(lost < 10);
    harness_done(&h);
}

static void bad_settings_name_the_path(void **state)
{
    (void)state;
    harness_refused("t.json", scenario("1s", "{\"rate\": 1}", "{\"write\": 1}", 1, 1, "\"protocol\": \"3pc\"", ""),
                    "t.json: nodes.txn.protocol: expected one of \"2pc\" or \"saga\", got \"3pc\" (did you mean '2pc'?)");
    harness_refused("t.json", scenario("1s", "{\"rate\": 1}", "{\"write\": 1}", 1, 1, "\"protocol\": \"saga\", \"vote_no\": 0.1", ""),
                    "t.json: nodes.txn.vote_no: only with \"protocol\": \"2pc\" (a saga takes step_fail)");
    harness_refused("t.json", scenario("1s", "{\"rate\": 1}", "{\"write\": 1}", 1, 1, "\"protocol\": \"2pc\", \"vote_no\": 2", ""),
                    "t.json: nodes.txn.vote_no: expected a number from 0 to 1, got 2");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(commit_latency_is_prepare_plus_commit),
        cmocka_unit_test(vote_no_aborts_its_share),
        cmocka_unit_test(one_hot_key_serialises),
        cmocka_unit_test(coordinator_crash_blocks_until_recovery),
        cmocka_unit_test(saga_compensates_in_reverse_order),
        cmocka_unit_test(bad_settings_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
