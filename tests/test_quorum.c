/* test_quorum.c: the leaderless quorum store (models/quorum.c). Short random runs: W + R > N
 * never serves a stale read, W + R <= N does, and propagation makes stale reads rarer;
 * every invalid configuration names its JSON path, a database's field on a quorum store
 * names the type it belongs to, and the old "mode": "quorum" on a database names the new
 * type. The stale-read ratio against C(N-W,R)/C(N,R) is in validate_database.c. */
#include "harness.h"

static const char *scenario(const char *type, const char *fields, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"seed\": 5, \"duration\": \"20s\", \"warmup\": \"1s\", \"replications\": 4,"
             " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 2000},"
             " \"mix\": {\"read\": 0.7, \"write\": 0.3},"
             " \"keys\": {\"count\": 50, \"popularity\": {\"dist\": \"zipf\", \"s\": 1}}},"
             " \"nodes\": {\"db\": {\"type\": \"%s\", %s}}}",
             type, fields);
    return buf;
}

static struct harness_run run_text(const char *fields)
{
    char text[2048];
    return harness_run_text("db.json", scenario("quorum", fields, text, sizeof text), NULL, 0, false);
}

#define LATENCY " \"replica_latency\": {\"dist\": \"exp\", \"mean\": \"2ms\"}"

static void overlapping_quorums_never_serve_a_stale_read(void **state)
{
    (void)state;
    struct harness_run h = run_text("\"n\": 5, \"w\": 3, \"r\": 3, \"propagation\": \"off\"," LATENCY);
    for (int r = 0; r < h.res->replications; r++)
        harness_exact("quorum W+R>N: stale reads", 0, harness_count(&h, "nodes.db.stale_reads", r), 0);
    assert_true(harness_metric(&h, "nodes.db.writes_acknowledged")->ci.mean > 10000);
    harness_done(&h);
    h = run_text("\"n\": 5, \"w\": 2, \"r\": 2, \"propagation\": \"off\"," LATENCY);
    assert_true(harness_metric(&h, "nodes.db.stale_reads")->ci.mean > 100);
    harness_done(&h);
}

/* Propagation (the N - W slower replicas apply the write 50ms later) makes stale reads rarer. */
static void propagation_heals_replicas(void **state)
{
    (void)state;
    struct harness_run a = run_text("\"n\": 5, \"w\": 1, \"r\": 1, \"propagation\": \"on\","
                                    " \"anti_entropy\": \"50ms\"," LATENCY);
    struct harness_run b = run_text("\"n\": 5, \"w\": 1, \"r\": 1, \"propagation\": \"off\"," LATENCY);
    double with = harness_metric(&a, "nodes.db.stale_read_ratio")->ci.mean,
           without = harness_metric(&b, "nodes.db.stale_read_ratio")->ci.mean;
    printf("N 5, W 1, R 1: stale read ratio %.4f with propagation, %.4f without\n", with, without);
    assert_true(with < without);
    harness_done(&a);
    harness_done(&b);
}

static void errors_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *type, *fields, *message;
    } cases[] = {
        {"quorum", "\"n\": 3, \"w\": 4, \"r\": 1, \"replica_latency\": \"1ms\"",
         "db.json: nodes.db.w: expected an integer from 1 to 3, got 4"},
        {"quorum", "\"n\": 3, \"w\": 2, \"replica_latency\": \"1ms\"",
         "db.json: nodes.db.r: required field missing: expected an integer from 1 to 3"},
        {"quorum", "\"n\": 33, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\"",
         "db.json: nodes.db.n: expected an integer from 1 to 32, got 33"},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"replicas\": 3",
         "db.json: nodes.db.replicas: only with \"type\": \"database\""},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"shards\": {\"count\": 2}",
         "db.json: nodes.db.shards: only with \"type\": \"database\""},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"failover\": {}",
         "db.json: nodes.db.failover: only with \"type\": \"database\""},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"mode\": \"quorum\"",
         "db.json: nodes.db.mode: only with \"type\": \"database\""},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"propagation\": \"off\","
                   " \"anti_entropy\": \"1s\"",
         "db.json: nodes.db.anti_entropy: only with propagation \"on\""},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"pool\": {\"size\": 0}",
         "db.json: nodes.db.pool.size: expected an integer from 1 to 1000000, got 0"},
        {"quorum", "\"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\", \"read_repiar\": true",
         "db.json: nodes.db.read_repiar: unknown field (did you mean 'read_repair'?)"},
        /* the old form, and a quorum field on a database */
        {"database", "\"mode\": \"quorum\", \"n\": 3, \"w\": 2, \"r\": 2, \"replica_latency\": \"1ms\"",
         "db.json: nodes.db.mode: the leaderless quorum store is a model of its own: write "
         "\"type\": \"quorum\" instead of \"type\": \"database\" with \"mode\": \"quorum\""},
        {"database", "\"service_time\": \"1ms\", \"w\": 2",
         "db.json: nodes.db.w: only with \"type\": \"quorum\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[2048];
        harness_refused("db.json", scenario(cases[i].type, cases[i].fields, text, sizeof text),
                        cases[i].message);
    }
}

/* A slow fault needs a service time, which a quorum store does not have: it is refused. */
static void a_slow_fault_is_refused(void **state)
{
    (void)state;
    char text[2048];
    snprintf(text, sizeof text,
             "{\"duration\": \"10s\", \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 10}},"
             " \"nodes\": {\"db\": {\"type\": \"quorum\", \"n\": 3, \"w\": 2, \"r\": 2,"
             " \"replica_latency\": \"1ms\"}},"
             " \"faults\": [{\"target\": \"db\", \"kind\": \"slow\", \"factor\": 2, \"at\": \"1s\"}]}");
    char *e = harness_refusal("db.json", text);
    assert_non_null(strstr(e, "db.json: faults.0.kind: "));
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlapping_quorums_never_serve_a_stale_read),
        cmocka_unit_test(propagation_heals_replicas),
        cmocka_unit_test(errors_name_the_path),
        cmocka_unit_test(a_slow_fault_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
