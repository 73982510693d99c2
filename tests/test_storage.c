/* test_storage.c: each storage tier's preset, simulated, has the mean service time and the
 * throughput cap its table gives: utilisation = lambda x mean / workers at half load, and
 * the saturation throughput = workers / mean service time under overload. */
#include "harness.h"
#include "load/loader.h"

static struct sim_storage read_tier(const char *json)
{
    char err[512], text[512];
    snprintf(text, sizeof text, "{\"storage\": %s}", json);
    struct sim_loader *ld = sim__loader_parse("tier.json", text, strlen(text), err, sizeof err);
    if (!ld) fail_msg("%s", err);
    struct sim_storage st = {0};
    bool ok = sim_storage_read(sim__loader_root(ld), "storage", &st);
    if (!ok) fail_msg("%s", sim__loader_error(ld));
    sim__loader_destroy(ld);
    return st;
}

static struct harness_run run_tier(const char *tier, double rate, const char *extra)
{
    char text[1024];
    snprintf(text, sizeof text,
             "{\"seed\": 7, \"duration\": \"12s\", \"warmup\": \"2s\", \"replications\": 5,"
             " \"workload\": {\"entry\": \"disk\", \"arrivals\": {\"rate\": %.17g}},"
             " \"nodes\": {\"disk\": {\"type\": \"service\", \"storage\": \"%s\"%s}}}",
             rate, tier, extra);
    return harness_run_text("storage.json", text, NULL, 0, false);
}

static void check_tier(const char *tier, double median, double p99, double iops)
{
    char json[64];
    snprintf(json, sizeof json, "\"%s\"", tier);
    struct sim_storage st = read_tier(json);
    double sigma = log(p99 / median) / 2.3263478740408408, mean = median * exp(sigma * sigma / 2);
    printf("%s: lognormal median %gs p99 %gs, mean %.6gs, %d workers, cap %.6g/s (table %g IOPS)\n",
           tier, median, p99, mean, st.workers, st.workers / mean, iops);
    harness_exact("mean service time", mean, st.mean, 1e-12);
    harness_exact("workers = round(IOPS x mean)", round(iops * mean), st.workers, 0);
    /* The cap is the table's IOPS to within the rounding to whole workers. */
    assert_true(fabs(st.workers / mean - iops) / iops < 0.05);

    double cap = st.workers / mean;
    struct harness_run h = run_tier(tier, 0.5 * cap, "");
    harness_inside("utilisation at half the cap = 0.5", 0.5, harness_metric(&h, "nodes.disk.utilisation"), 0.02);
    harness_done(&h);
    h = run_tier(tier, 1.5 * cap, ", \"queue\": 100");
    harness_inside("throughput at 1.5 x the cap = workers / mean", cap,
                   harness_metric(&h, "nodes.disk.throughput"), 0.02);
    harness_done(&h);
}

static void block_tier(void **state)
{
    (void)state;
    check_tier("block", 0.5e-3, 0.9e-3, 16000);
}

static void file_tier(void **state)
{
    (void)state;
    check_tier("file", 3e-3, 10e-3, 7000);
}

static void object_tier(void **state)
{
    (void)state;
    check_tier("object", 120e-3, 200e-3, 5500);
}

/* Overrides: the tier's fields, the throughput cap, and the node's own fields win. */
static void overrides(void **state)
{
    (void)state;
    struct sim_storage st = read_tier("{\"tier\": \"object\", \"iops\": 1000}");
    harness_exact("object at 1000 IOPS: workers", round(1000 * st.mean), st.workers, 0);
    st = read_tier("{\"tier\": \"block\", \"throughput\": 32, \"io_size\": 16000}");
    harness_exact("block at 32 MB/s of 16 KB: 2000 ops/s", round(2000 * st.mean), st.workers, 0);
    st = read_tier("{\"tier\": \"file\", \"median\": \"1ms\", \"p99\": \"2ms\"}");
    harness_exact("file with median 1ms: median", 1e-3, st.median, 0);
    struct harness_run h = run_tier("file", 1000, ", \"workers\": 8, \"service_time\": \"4ms\"");
    harness_inside("own workers and service time: 1000 x 4ms / 8", 0.5,
                   harness_metric(&h, "nodes.disk.utilisation"), 0.03);
    harness_done(&h);
    harness_refused("bad.json",
                    "{\"duration\": \"1s\", \"workload\": {\"entry\": \"d\", \"arrivals\": {\"rate\": 1}},"
                    " \"nodes\": {\"d\": {\"type\": \"service\", \"storage\": \"tape\"}}}",
                    "bad.json: nodes.d.storage: expected one of \"block\", \"file\" or \"object\", got \"tape\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(block_tier),
        cmocka_unit_test(file_tier),
        cmocka_unit_test(object_tier),
        cmocka_unit_test(overrides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
