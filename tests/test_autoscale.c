/* test_autoscale.c: the service's target-tracking autoscaler, pinned by exact event times
 * in deterministic scenarios written inline (constant arrivals with a rate schedule,
 * constant service times, no link latency), and its configuration errors. */
#include "harness.h"

static const char *path(const char *figure)
{
    static char buf[160];
    snprintf(buf, sizeof buf, "nodes.app.%s", figure);
    return buf;
}

/* 10 workers per instance, 50ms per call, target utilisation 0.5, evaluated every 10s over
 * 2 periods, 5s to boot. 20/s until 10s (1 busy worker: desired ceil(2 x 0.05 / 0.5) = 1,
 * clamped to min 2), 250/s until 40.003s (each of 2 instances 6.25 busy: utilisation
 * 0.625, desired ceil(2 x 0.625 / 0.5) = 3), then 20/s again. `extra` adds autoscale
 * fields; `duration` is the run. */
static char *scenario(const char *duration, const char *extra)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"name\": \"autoscale\", \"seed\": 1, \"duration\": \"%s\", \"warmup\": \"0s\","
             " \"workload\": {\"entry\": \"app\", \"arrivals\": {\"process\": \"constant\", \"rate\": 20},"
             "  \"schedule\": [{\"at\": \"10s\", \"rate\": 250}, {\"at\": \"40.003s\", \"rate\": 20}]},"
             " \"nodes\": {\"app\": {\"type\": \"service\", \"instances\": 2, \"workers\": 10,"
             "  \"service_time\": \"50ms\", \"autoscale\": {\"min\": 2, \"max\": 20,"
             "  \"target\": {\"utilisation\": 0.5}, \"evaluation_period\": \"10s\", \"periods\": 2,"
             "  \"cooldown_out\": \"60s\", \"startup\": \"5s\"%s}}}}",
             duration, extra);
    return buf;
}

static double figure(const struct harness_run *h, const char *name)
{
    return harness_metric(h, path(name))->values[0];
}

/* The step at 10s is first seen beyond the target at the evaluation at 20s, again at 30s
 * (periods 2): one instance starts at 30s and runs from 35s. So time_to_target = 35 - 10 =
 * evaluation_period x periods + startup = 25s. With cooldown_in 300s the scale-in waits for
 * the first evaluation at or after 30 + 300s; an idle instance stops at once (arrivals
 * 50ms apart, 50ms each: at most one instance is busy). */
static void scale_out_reaches_the_target_in_periods_plus_startup(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("autoscale.json", scenario("400s", ""), NULL, 0, true);
    printf("step 20/s -> 250/s at 10s, back to 20/s at 40.003s; cooldown_in 300s\n");
    harness_exact("scale_out_events", 1, figure(&h, "scale_out_events"), 0);
    harness_exact("time_to_target.count", 1, figure(&h, "time_to_target.count"), 0);
    harness_exact("time_to_target: 10s x 2 + 5s", 25, figure(&h, "time_to_target.mean"), 1e-12);
    harness_exact("scale_in_events", 1, figure(&h, "scale_in_events"), 0);
    /* 2 x 30s + 3 x (330 - 30)s + 2 x (400 - 330)s = 1100 instance-seconds */
    harness_exact("instance_hours: 1100 instance-s", 1100.0 / 3600, figure(&h, "instance_hours"), 1e-12);
    harness_exact("instances.mean: 1100 / 400", 2.75, figure(&h, "instances.mean"), 1e-12);
    harness_exact("instances.min", 2, figure(&h, "instances.min"), 0);
    harness_exact("instances.max", 3, figure(&h, "instances.max"), 0);
    char *csv = sim__timeline_csv(h.res->timeline);
    assert_non_null(strstr(csv, "app.instances"));
    free(csv);
    harness_done(&h);

    /* cooldown_in 0: below the target at 50s and 60s (periods 2), so it scales in at 60s:
     * 2 x 30 + 3 x 30 + 2 x 340 = 830 instance-seconds. */
    h = harness_run_text("autoscale.json", scenario("400s", ", \"cooldown_in\": \"0s\""), NULL, 0, false);
    printf("cooldown_in 0s\n");
    harness_exact("scale_in_events", 1, figure(&h, "scale_in_events"), 0);
    harness_exact("instance_hours: 830 instance-s", 830.0 / 3600, figure(&h, "instance_hours"), 1e-12);
    harness_exact("instances.min: never below min", 2, figure(&h, "instances.min"), 0);
    harness_done(&h);

    /* periods 1: acts at the first evaluation beyond the target, 20s; up at 25s. */
    const char *sets[] = {"nodes.app.autoscale.periods=1"};
    h = harness_run_text("autoscale.json", scenario("40s", ""), sets, 1, false);
    printf("periods 1\n");
    harness_exact("time_to_target: 10s x 1 + 5s", 15, figure(&h, "time_to_target.mean"), 1e-12);
    harness_exact("instance_hours: 2 x 20 + 3 x 20", 100.0 / 3600, figure(&h, "instance_hours"), 1e-12);
    harness_done(&h);
}

/* max 2: the desired 3 is clamped, nothing starts. */
static void desired_count_is_clamped_to_max(void **state)
{
    (void)state;
    const char *sets[] = {"nodes.app.autoscale.max=2"};
    struct harness_run h = harness_run_text("autoscale.json", scenario("60s", ""), sets, 1, false);
    printf("max 2\n");
    harness_exact("scale_out_events", 0, figure(&h, "scale_out_events"), 0);
    harness_exact("instances.max", 2, figure(&h, "instances.max"), 0);
    /* 1 busy worker for 10s, 12.5 for 30.003s, 1 for 19.997s, over 20 workers x 60s, up to
     * the calls cut at the step times and the end (under 0.1%) */
    harness_exact("utilisation: (10 + 30.003 x 12.5 + 19.997) / 1200",
                  (10 + 30.003 * 12.5 + 19.997 * 1) / 1200, figure(&h, "utilisation"), 1e-3);
    harness_done(&h);
}

/* A schedule raises min to 5 at 100s (3 more instances, up at 105s) and lowers max to 3 at
 * 200.01s (2 idle instances stop at once; cooldown_in then holds the count at 3). From a
 * constant 20/s: 2 x 100 + 5 x 100.01 + 3 x 99.99 = 1000.02 instance-seconds. */
static void scheduled_capacity_applies_at_its_time(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"scheduled\", \"seed\": 1, \"duration\": \"300s\", \"warmup\": \"0s\","
        " \"workload\": {\"entry\": \"app\", \"arrivals\": {\"process\": \"constant\", \"rate\": 20}},"
        " \"nodes\": {\"app\": {\"type\": \"service\", \"workers\": 10, \"service_time\": \"50ms\","
        "  \"autoscale\": {\"min\": 2, \"max\": 20, \"desired\": 2, \"target\": {\"utilisation\": 0.5},"
        "  \"evaluation_period\": \"10s\", \"cooldown_in\": \"1000s\", \"startup\": \"5s\","
        "  \"schedule\": [{\"at\": \"100s\", \"min\": 5, \"max\": 20}, {\"at\": \"200.01s\", \"min\": 2, \"max\": 3}]}}}}";
    struct harness_run h = harness_run_text("scheduled.json", text, NULL, 0, false);
    printf("schedule: min 5 at 100s, max 3 at 200.01s\n");
    harness_exact("scale_out_events", 1, figure(&h, "scale_out_events"), 0);
    harness_exact("scale_in_events", 1, figure(&h, "scale_in_events"), 0);
    harness_exact("instances.max", 5, figure(&h, "instances.max"), 0);
    harness_exact("instance_hours: 1000.02 instance-s", 1000.02 / 3600, figure(&h, "instance_hours"), 1e-9);
    harness_done(&h);
}

/* A scenario that must be refused, with this exact message. */
static void refused(const char *text, const char *message)
{
    harness_refused("bad.json", text, message);
}

static void autoscale_config_errors_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *fields, *message;
    } cases[] = {
        {"\"autoscale\": {\"min\": 4, \"max\": 2, \"target\": {\"utilisation\": 0.5}}",
         "bad.json: nodes.app.autoscale.max: expected at least min (4), got 2"},
        {"\"autoscale\": {\"min\": 2, \"max\": 8, \"desired\": 9, \"target\": {\"utilisation\": 0.5}}",
         "bad.json: nodes.app.autoscale.desired: expected from min to max (2 to 8), got 9"},
        {"\"autoscale\": {\"min\": 3, \"max\": 8, \"target\": {\"utilisation\": 0.5}}",
         "bad.json: nodes.app.instances: the initial count with autoscale: expected from "
         "autoscale.min to autoscale.max (3 to 8), got 2"},
        {"\"autoscale\": {\"min\": 2, \"max\": 8, \"target\": {}}",
         "bad.json: nodes.app.autoscale.target: expected utilisation or requests_per_instance (one of the two)"},
        {"\"autoscale\": {\"min\": 2, \"max\": 8, \"target\": {\"utilisation\": 1.5}}",
         "bad.json: nodes.app.autoscale.target.utilisation: expected a number from 0.01 to 1, got 1.5"},
        {"\"autoscale\": {\"min\": 2, \"max\": 8, \"target\": {\"utilisation\": 0.5},"
         " \"schedule\": [{\"at\": \"10m\", \"min\": 4, \"max\": 8}, {\"at\": \"5m\", \"min\": 2, \"max\": 8}]}",
         "bad.json: nodes.app.autoscale.schedule.1.at: expected times in increasing order"},
        {"\"autoscale\": {\"min\": 2, \"max\": 8, \"target\": {\"utilisation\": 0.5}, \"period\": \"1m\"}",
         "bad.json: nodes.app.autoscale.period: unknown field (did you mean 'periods'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"duration\": \"1s\", \"workload\": {\"entry\": \"app\", \"arrivals\": {\"rate\": 10}},"
                 " \"nodes\": {\"app\": {\"type\": \"service\", \"instances\": 2, \"service_time\": \"1ms\", %s}}}",
                 cases[i].fields);
        refused(text, cases[i].message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scale_out_reaches_the_target_in_periods_plus_startup),
        cmocka_unit_test(desired_count_is_clamped_to_max),
        cmocka_unit_test(scheduled_capacity_applies_at_its_time),
        cmocka_unit_test(autoscale_config_errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
