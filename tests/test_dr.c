/* test_dr.c: the disaster-recovery model against arithmetic. Recovery is detection (the
 * k-th failed health check: between (k-1) and k intervals after the failure) plus the
 * strategy's preparation plus the DNS TTL, exactly; a backup every B loses lambda B / 2
 * writes on average, asynchronous replication lambda L, a hot standby none; the drill's
 * four strategies order as the guide's table; a split between two active regions counts
 * conflicting writes as Poisson arithmetic says, and fencing prevents them. */
#include "harness.h"

/* Clients in region a; dns over a-app (primary) and b-app; the region fails at 600s. */
static char *two_regions(const char *duration, double rate, int replications, const char *dns,
                         const char *faults)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"name\": \"dr\", \"seed\": 17, \"duration\": \"%s\", \"replications\": %d,"
             " \"workload\": {\"entry\": \"dns\", \"zones\": {\"a1\": 0.5, \"b1\": 0.5},"
             "   \"arrivals\": {\"rate\": %g}, \"mix\": {\"read\": 0.5, \"write\": 0.5},"
             "   \"keys\": {\"count\": 1000}},"
             " \"nodes\": {\"dns\": {\"type\": \"dr\", \"primary\": \"a-app\", \"standby\": \"b-app\", %s},"
             "  \"a-app\": {\"type\": \"service\", \"zone\": \"a1\", \"workers\": 100, \"service_time\": \"1ms\"},"
             "  \"b-app\": {\"type\": \"service\", \"zone\": \"b1\", \"workers\": 100, \"service_time\": \"1ms\"}},"
             " \"zones\": {\"default_link\": \"0s\", \"cross_region\": \"0s\","
             "   \"regions\": {\"a\": [\"a1\"], \"b\": [\"b1\"]}},"
             " \"faults\": [%s]}",
             duration, replications, rate, dns, faults);
    return buf;
}

static const char *region_down = "{\"target\": \"region:a\", \"kind\": \"crash\", \"at\": \"600s\"}";

static void recovery_is_detection_plus_preparation_plus_ttl(void **state)
{
    (void)state;
    const char *dns = "\"strategy\": \"pilot_light\", \"health_check\": {\"interval\": \"5s\", \"unhealthy_after\": 3},"
                      " \"dns_ttl\": \"30s\", \"pilot_light\": {\"scale_up\": \"10m\"}";
    struct harness_run h = harness_run_text("rto.json", two_regions("1800s", 20, 10, dns, region_down), NULL, 0, false);
    const struct sim__metric *detect = harness_metric(&h, "faults.0.detect");
    const struct sim__metric *recover = harness_metric(&h, "faults.0.recover");
    printf("pilot light: checks every 5s x 3, scale-up 10m, TTL 30s\n");
    for (int r = 0; r < h.res->replications; r++) {
        double d = detect->values[r];
        printf("  replication %d: detect %.3fs, recover %.3fs\n", r, d, recover->values[r]);
        if (!(d > 10 && d <= 15)) fail_msg("detect %.3fs outside (10s, 15s]", d);
        harness_exact("recover = detect + 600 + 30", d + 630, recover->values[r], 1e-12);
    }
    harness_done(&h);
}

/* Writes at 10/s (half of 20/s): a backup every 600s at a random phase is on average 300s
 * old when the region fails, so 3,000 writes are lost on average. Asynchronous replication
 * 2s behind loses the writes of the last 2s: 20. */
static void data_lost_matches_the_strategy(void **state)
{
    (void)state;
    const char *backup = "\"strategy\": \"backup_and_restore\", \"backup_and_restore\": {\"backup_interval\": \"600s\", \"restore\": \"1h\"}";
    struct harness_run h = harness_run_text("rpo-backup.json", two_regions("700s", 20, 60, backup, region_down), NULL, 0, false);
    printf("backup every 600s, writes at 10/s\n");
    harness_inside("faults.0.rpo_writes = lambda B / 2", 10 * 600 / 2.0, harness_metric(&h, "faults.0.rpo_writes"), 0.2);
    harness_inside("faults.0.rpo_window = B / 2", 300, harness_metric(&h, "faults.0.rpo_window"), 0.2);
    harness_done(&h);

    const char *warm = "\"strategy\": \"warm_standby\", \"warm_standby\": {\"replication_lag\": \"2s\"}";
    h = harness_run_text("rpo-async.json", two_regions("700s", 20, 60, warm, region_down), NULL, 0, false);
    printf("asynchronous replication 2s behind, writes at 10/s\n");
    harness_inside("faults.0.rpo_writes = lambda L", 20, harness_metric(&h, "faults.0.rpo_writes"), 0.1);
    harness_done(&h);

    const char *hot = "\"strategy\": \"hot_standby\"";
    h = harness_run_text("rpo-hot.json", two_regions("700s", 20, 5, hot, region_down), NULL, 0, false);
    harness_exact("hot standby: faults.0.rpo_writes", 0, harness_metric(&h, "faults.0.rpo_writes")->ci.mean, 0);
    harness_done(&h);
}

/* The drill's four strategies under one outage: the guide's table, in order. */
static void the_drill_orders_the_strategies_as_the_guide(void **state)
{
    (void)state;
    static const char *const strategies[] = {"backup_and_restore", "pilot_light", "warm_standby", "hot_standby"};
    double rto[4], rpo[4], cost[4];
    for (int i = 0; i < 4; i++) {
        char set[96];
        snprintf(set, sizeof set, "nodes.dns.strategy=\"%s\"", strategies[i]);
        const char *sets[] = {set, "replications=3"};
        struct harness_run h = harness_run("scenarios/drills/region-outage-dr.json", sets, 2);
        rto[i] = harness_metric(&h, "faults.0.recover")->ci.mean;
        rpo[i] = harness_metric(&h, "faults.0.rpo_window")->ci.mean;
        cost[i] = harness_metric(&h, "nodes.dns.cost.standby_per_hour")->ci.mean;
        printf("  %-20s RTO %8.1fs  RPO window %7.1fs  standby cost %.3f/h\n", strategies[i], rto[i], rpo[i], cost[i]);
        harness_done(&h);
    }
    assert_true(rto[0] > 3600 && rto[1] > 600 && rto[1] < 3600 && rto[2] > 60 && rto[2] < 600 && rto[3] < 60);
    assert_true(rpo[0] > 60 * 5 && rpo[1] > rpo[2] && rpo[2] > 0 && rpo[3] == 0);
    assert_true(cost[0] < cost[1] && cost[1] < cost[2] && cost[2] < cost[3]);
}

/* Active-active, clients split evenly: writes at 10/s on each side over 1,000 keys. While
 * a partition parts the regions for D = 100s, a write on one side at time t into the split
 * conflicts when the other side wrote its key since: 1 - exp(-10 t / 1000). Both sides:
 * 2 x 10 x (D - (1 - exp(-0.01 D)) / 0.01) = 2 x 10 x 36.79 = 735.8 writes. */
static void split_brain_counts_conflicts_and_fencing_prevents_them(void **state)
{
    (void)state;
    const char *split = "{\"kind\": \"partition\", \"from\": [\"region:a\"], \"to\": [\"region:b\"],"
                        " \"at\": \"100s\", \"for\": \"100s\"}";
    struct harness_run h = harness_run_text(
        "split.json", two_regions("300s", 40, 20, "\"strategy\": \"active_active\"", split), NULL, 0, false);
    double d = 100, rate = 10, k = 1000;
    double expected = 2 * rate * (d - (1 - exp(-rate * d / k)) / (rate / k));
    printf("active-active, a 100s split, writes at 10/s per side over 1,000 keys\n");
    harness_inside("conflicting_writes", expected, harness_metric(&h, "nodes.dns.conflicting_writes"), 0.05);
    harness_done(&h);

    h = harness_run_text("fenced.json",
                         two_regions("300s", 40, 5, "\"strategy\": \"active_active\","
                                     " \"active_active\": {\"fencing\": true, \"witness\": \"primary\"}", split),
                         NULL, 0, false);
    harness_exact("fenced: conflicting_writes", 0, harness_metric(&h, "nodes.dns.conflicting_writes")->ci.mean, 0);
    harness_inside("fenced_writes = 10/s x 100s (side b)", 1000, harness_metric(&h, "nodes.dns.fenced_writes"), 0.05);
    harness_done(&h);
}

/* Active-active, clients split evenly, region a fails at 600s: nothing to prepare, so its
 * clients are all back (on region b) one TTL after detection, exactly; region a's writes
 * (20/s x 0.5 x 0.5 = 5/s) of the last L = 2s are lost: lambda L = 10; region b's clients
 * never fail, so the failed requests are region a's between the failure and the switch. */
static void active_active_sends_a_failed_regions_clients_to_the_other(void **state)
{
    (void)state;
    const char *dns = "\"strategy\": \"active_active\", \"health_check\": {\"interval\": \"5s\", \"unhealthy_after\": 2},"
                      " \"dns_ttl\": \"20s\", \"active_active\": {\"replication_lag\": \"2s\"}";
    struct harness_run h = harness_run_text("aa.json", two_regions("700s", 20, 40, dns, region_down), NULL, 0, false);
    const struct sim__metric *detect = harness_metric(&h, "faults.0.detect");
    const struct sim__metric *recover = harness_metric(&h, "faults.0.recover");
    for (int r = 0; r < h.res->replications; r++) {
        double d = detect->values[r];
        if (!(d > 5 && d <= 10)) fail_msg("detect %.3fs outside (5s, 10s]", d);
        harness_exact("recover = detect + TTL 20s", d + 20, recover->values[r], 1e-12);
    }
    harness_exact("failed_over", 1, harness_metric(&h, "nodes.dns.failed_over")->ci.mean, 0);
    harness_inside("faults.0.rpo_writes = lambda L", 10, harness_metric(&h, "faults.0.rpo_writes"), 0.15);
    /* Region a's clients (10/s) fail until detection, then a share shrinking over the TTL:
     * 10 x (detect + TTL / 2), with detect uniform on (5, 10]: 10 x (7.5 + 10) = 175. */
    harness_inside("faults.0.failed.total = 10/s x (E[detect] + TTL/2)", 175,
                   harness_metric(&h, "faults.0.failed.total"), 0.1);
    harness_done(&h);
}

static void bad_dr_settings_name_the_path(void **state)
{
    (void)state;
    harness_refused("dr.json", two_regions("10s", 1, 1, "\"strategy\": \"cold\"", region_down),
                    "dr.json: nodes.dns.strategy: expected one of \"backup_and_restore\", \"pilot_light\", "
                    "\"warm_standby\", \"hot_standby\" or \"active_active\", got \"cold\"");
    harness_refused("dr.json", two_regions("10s", 1, 1, "\"strategy\": \"pilot_light\", \"pilot_light\": {\"scale_out\": \"5m\"}", region_down),
                    "dr.json: nodes.dns.pilot_light.scale_out: unknown field (did you mean 'scale_up'?)");
    harness_refused("dr.json", two_regions("10s", 1, 1, "\"strategy\": \"hot_standby\", \"cost\": {\"prices\": {\"app\": 1}, \"region\": {\"ap\": 2}}", region_down),
                    "dr.json: nodes.dns.cost.region.ap: unknown field (did you mean 'app'?)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(recovery_is_detection_plus_preparation_plus_ttl),
        cmocka_unit_test(data_lost_matches_the_strategy),
        cmocka_unit_test(the_drill_orders_the_strategies_as_the_guide),
        cmocka_unit_test(split_brain_counts_conflicts_and_fencing_prevents_them),
        cmocka_unit_test(active_active_sends_a_failed_regions_clients_to_the_other),
        cmocka_unit_test(bad_dr_settings_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
