/* test_faults.c: the fault core against arithmetic. Deterministic scenarios (constant
 * arrivals, constant service times, no link latency) pin exact counts: a crash refuses
 * exactly the requests that arrive while it lasts, a hang holds them until the restart, a
 * partition loses calls one way or both, and the outage over the SLO window spans the
 * fault plus the window less one bucket. Random ones are checked against formulas: a slow
 * fault turns M/M/1 into a busier M/M/1, an error fault fails its share, and an instance
 * failing and repaired at random is up MTBF / (MTBF + MTTR) of the time. */
#include "harness.h"

#include "cli/cli.h"

/* One service behind constant arrivals at 100/s (from 10ms), answering in `service`. */
static char *one_service(const char *duration, const char *service, const char *node_extra,
                         const char *faults)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"name\": \"f\", \"seed\": 3, \"duration\": \"%s\","
             " \"workload\": {\"entry\": \"app\", \"arrivals\": {\"process\": \"constant\", \"rate\": 100}},"
             " \"nodes\": {\"app\": {\"type\": \"service\", \"workers\": 1000, \"service_time\": \"%s\"%s}},"
             " \"faults\": [%s]}",
             duration, service, node_extra, faults);
    return buf;
}

static double figure(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->values[0];
}

/* Arrivals at 10ms, 20ms, ...: those at 10.00s to 14.99s meet the crash (the fault's own
 * events were scheduled first, so it begins before the arrival at 10s and ends before the
 * one at 15s). With a window of 10s in buckets of 1s and the objective 99%, the window
 * first holds more than 1% failures at the boundary at 11s and last at 24s (it holds
 * [14s, 24s)): 14 buckets below, D + W - 1 bucket. */
static void crash_refuses_exactly_the_requests_it_spans(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text(
        "crash.json",
        one_service("40s", "1ms", "", "{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"10s\", \"for\": \"5s\"}"),
        NULL, 0, false);
    printf("crash of the only instance from 10s for 5s, arrivals every 10ms\n");
    harness_exact("faults.0.failed.unavailable", 500, figure(&h, "faults.0.failed.unavailable"), 0);
    harness_exact("faults.0.requests", 500, figure(&h, "faults.0.requests"), 0);
    harness_exact("errors.unavailable (share of 3999)", 500.0 / 3999, figure(&h, "errors.unavailable"), 1e-12);
    harness_exact("faults.0.downtime [s]", 5, figure(&h, "faults.0.downtime"), 0);
    harness_exact("faults.0.recover [s] (no failover: the fault's end)", 5,
                  figure(&h, "faults.0.recover"), 0);
    assert_true(isnan(figure(&h, "faults.0.detect"))); /* nothing watches a lone service */
    harness_exact("faults.0.outage [s] = 5 + 10 - 1", 14, figure(&h, "faults.0.outage"), 0);
    harness_exact("slo.outage [s]", 14, figure(&h, "slo.outage"), 0);
    harness_exact("slo.breaches", 1, figure(&h, "slo.breaches"), 0);
    /* The clients' success ratio, bucket by bucket: [10s, 15s) all fail, [15s, 16s) none. */
    harness_exact("faults.0.service_recover [s]", 5, figure(&h, "faults.0.service_recover"), 0);
    harness_done(&h);
}

/* The clients' recovery is measured at the SLO buckets' resolution (the window / 10): a
 * crash from 10.5s for 5s fails requests in the buckets [10s, 11s) to [15s, 16s), so the
 * clients are back at 16s, 5.5s after it began, while the target is back after 5s. A slow
 * fault that fails nothing never takes them below the objective: back at once (0s). */
static void service_recover_is_the_clients_success_ratio_back(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text(
        "crash-half.json",
        one_service("30s", "1ms", "", "{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"10.5s\", \"for\": \"5s\"}"),
        NULL, 0, false);
    harness_exact("faults.0.recover [s]", 5, figure(&h, "faults.0.recover"), 0);
    harness_exact("faults.0.service_recover [s] (buckets of 1s)", 5.5, figure(&h, "faults.0.service_recover"), 0);
    harness_done(&h);
    h = harness_run_text(
        "slow.json",
        one_service("30s", "1ms", "", "{\"target\": \"app\", \"kind\": \"slow\", \"factor\": 5, \"at\": \"10s\", \"for\": \"5s\"}"),
        NULL, 0, false);
    harness_exact("slow, nothing fails: faults.0.service_recover [s]", 0, figure(&h, "faults.0.service_recover"), 0);
    harness_done(&h);
    /* Still failing at the end of the run: censored, like recover. */
    h = harness_run_text(
        "crash-forever.json",
        one_service("30s", "1ms", "", "{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"10s\"}"),
        NULL, 0, false);
    assert_true(isnan(figure(&h, "faults.0.service_recover")));
    assert_true(isnan(figure(&h, "faults.0.recover")));
    harness_done(&h);
}

/* Work in progress is lost with the crash: a 50ms service time leaves 5 requests on the
 * instance at 10s (arrived at 9.96s .. 10.00s less the one refused), answered at once. */
static void crash_loses_the_work_in_progress(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text(
        "crash-work.json",
        one_service("20s", "50ms", "", "{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"10s\", \"for\": \"1s\"}"),
        NULL, 0, false);
    printf("crash at 10s with 50ms of work per request\n");
    /* In service at 10s: arrivals after 9.95s (9.95 finishes at exactly 10.00, after the
     * crash's event): 9.95 .. 9.99 = 5 requests, and the 100 refused during [10, 11). */
    harness_exact("faults.0.failed.unavailable", 105, figure(&h, "faults.0.failed.unavailable"), 0);
    harness_done(&h);
}

/* A caller retrying twice at once: while its sink is crashed every request reaches the
 * sink three times; the caller's own load is unchanged. Arrivals every 10ms from 10ms to
 * 20s, the crash from 10s for 5s: during, 500 requests x 3 calls in 5s = 300/s; otherwise
 * 999 + 501 calls in 15s = 100/s. 500 of the 1999 requests that finished failed (the one
 * sent at 20s is still in service). */
static void load_during_a_fault_shows_the_retries(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"load\", \"seed\": 1, \"duration\": \"20s\","
        " \"workload\": {\"entry\": \"caller\", \"arrivals\": {\"process\": \"constant\", \"rate\": 100}},"
        " \"nodes\": {\"caller\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"0s\","
        "   \"calls\": [{\"to\": \"sink\", \"retries\": {\"max\": 2, \"jitter\": \"none\"}}]},"
        "  \"sink\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}},"
        " \"faults\": [{\"target\": \"sink\", \"kind\": \"crash\", \"at\": \"10s\", \"for\": \"5s\"}]}";
    struct harness_run h = harness_run_text("load.json", text, NULL, 0, false);
    printf("a caller retrying twice, its sink crashed from 10s for 5s\n");
    harness_exact("faults.0.load.sink.during (/s)", 300, figure(&h, "faults.0.load.sink.during"), 1e-12);
    harness_exact("faults.0.load.sink.otherwise (/s)", 100, figure(&h, "faults.0.load.sink.otherwise"), 1e-12);
    harness_exact("faults.0.load.caller.during (/s)", 100, figure(&h, "faults.0.load.caller.during"), 1e-12);
    harness_exact("slo.availability", 1 - 500.0 / 1999, figure(&h, "slo.availability"), 1e-12);
    harness_exact("slo.nines", -log10(500.0 / 1999), figure(&h, "slo.nines"), 1e-12);
    harness_done(&h);
}

/* A hang accepts and never answers; the restart at its end fails everything held. */
static void hang_holds_calls_until_the_restart(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text(
        "hang.json",
        one_service("20s", "1ms", "", "{\"target\": \"app\", \"kind\": \"hang\", \"at\": \"10s\", \"for\": \"2s\"}"),
        NULL, 0, false);
    printf("hang from 10s for 2s\n");
    harness_exact("faults.0.failed.failed", 200, figure(&h, "faults.0.failed.failed"), 0);
    harness_exact("latency.max of successes [s] (1ms)", 0.001, figure(&h, "latency.max"), 0.01);
    harness_done(&h);
}

/* A caller with a 100ms timeout calls a sink; while a partition lasts its calls are lost
 * (both ways) or only the answers are (one way, sink to caller). */
static void partition_loses_calls_one_way_or_both(void **state)
{
    (void)state;
    for (int one_way = 0; one_way < 2; one_way++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "{\"name\": \"p\", \"seed\": 1, \"duration\": \"10s\","
                 " \"workload\": {\"entry\": \"caller\", \"arrivals\": {\"process\": \"constant\", \"rate\": 100}},"
                 " \"nodes\": {\"caller\": {\"type\": \"service\", \"workers\": 1000, \"io\": \"async\","
                 "   \"service_time\": \"0s\", \"calls\": [{\"to\": \"sink\", \"timeout\": \"100ms\"}]},"
                 "  \"sink\": {\"type\": \"service\", \"workers\": 1000, \"service_time\": \"1ms\"}},"
                 " \"faults\": [{\"kind\": \"partition\", \"from\": [\"%s\"], \"to\": [\"%s\"],"
                 "   \"one_way\": %s, \"at\": \"2s\", \"for\": \"2s\"}]}",
                 one_way ? "sink" : "caller", one_way ? "caller" : "sink", one_way ? "true" : "false");
        struct harness_run h = harness_run_text("partition.json", text, NULL, 0, false);
        printf("partition %s from 2s for 2s\n", one_way ? "sink -> caller (answers lost)" : "both ways");
        /* Calls sent at 2.00 .. 3.99s are lost, or their answers (sent 1ms later) are. */
        double lost = 200;
        double finished = harness_count(&h, "requests.finished", 0);
        harness_exact("timeouts", lost, round(figure(&h, "errors.timeout") * finished), 0);
        /* 1000 arrivals, 10ms to 10s (the one at the end instant too) */
        harness_exact("sink arrivals", 1000 - (one_way ? 0 : 200), harness_count(&h, "nodes.sink.arrivals", 0), 0);
        harness_done(&h);
    }
}

/* A partition is detected by whatever notices what it cuts off: deep health checks every
 * 1s (timeout 0.5s, out after 2) lose their probes to a2 and remove it 1.5 to 2.5s after
 * the partition begins (the first lost probe comes U(0, 1s] after it, the second 1s later,
 * each failing at its timeout). */
static void a_partition_is_detected_by_what_it_cuts_off(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"cut\", \"seed\": 4, \"duration\": \"20s\", \"replications\": 8,"
        " \"workload\": {\"entry\": \"lb\", \"arrivals\": {\"rate\": 100}, \"deadline\": \"1s\"},"
        " \"nodes\": {\"lb\": {\"type\": \"lb\", \"backends\": [\"a1\", \"a2\"],"
        "   \"health_check\": {\"kind\": \"deep\", \"interval\": \"1s\", \"timeout\": \"500ms\", \"unhealthy_after\": 2}},"
        "  \"a1\": {\"type\": \"service\", \"workers\": 10, \"service_time\": \"1ms\"},"
        "  \"a2\": {\"type\": \"service\", \"workers\": 10, \"service_time\": \"1ms\"}},"
        " \"faults\": [{\"kind\": \"partition\", \"from\": [\"lb\"], \"to\": [\"a2\"], \"at\": \"10s\", \"for\": \"5s\"}]}";
    struct harness_run h = harness_run_text("cut.json", text, NULL, 0, false);
    const struct sim__metric *d = harness_metric(&h, "faults.0.detect");
    printf("a partition between the lb and a2, deep checks every 1s\n");
    for (int r = 0; r < h.res->replications; r++) {
        printf("  replication %d: detected after %.3fs\n", r, d->values[r]);
        if (!(d->values[r] > 1.5 && d->values[r] <= 2.5))
            fail_msg("detected after %.3fs, outside (1.5s, 2.5s]", d->values[r]);
    }
    harness_done(&h);
}

/* M/M/1: exp(5ms) at 100/s is rho 0.5; slowed x1.5 for the whole run it is M/M/1 with mean
 * 7.5ms: response 1 / (1/7.5ms - 100/s) = 30ms. */
static void slow_fault_scales_the_service_time(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"slow\", \"seed\": 5, \"duration\": \"200s\", \"warmup\": \"10s\", \"replications\": 10,"
        " \"workload\": {\"entry\": \"app\", \"arrivals\": {\"process\": \"poisson\", \"rate\": 100}},"
        " \"nodes\": {\"app\": {\"type\": \"service\", \"workers\": 1,"
        "   \"service_time\": {\"dist\": \"exp\", \"mean\": \"5ms\"}}},"
        " \"faults\": [{\"target\": \"app\", \"kind\": \"slow\", \"factor\": 1.5, \"at\": \"0s\"}]}";
    struct harness_run h = harness_run_text("slow.json", text, NULL, 0, false);
    printf("M/M/1 slowed x1.5: mean 7.5ms at 100/s\n");
    harness_inside("latency.mean [s] = 1 / (mu - lambda)", 1 / (1 / 0.0075 - 100),
                   harness_metric(&h, "latency.mean"), 0.05);
    harness_inside("utilisation = 0.75", 0.75, harness_metric(&h, "nodes.app.utilisation"), 0.02);
    harness_done(&h);
}

static void error_fault_fails_its_share(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"err\", \"seed\": 9, \"duration\": \"100s\","
        " \"workload\": {\"entry\": \"app\", \"arrivals\": {\"process\": \"poisson\", \"rate\": 200}},"
        " \"nodes\": {\"app\": {\"type\": \"service\", \"instances\": 2, \"workers\": 100, \"service_time\": \"1ms\"}},"
        " \"faults\": [{\"target\": \"app\", \"kind\": \"error\", \"ratio\": 0.2, \"at\": \"0s\"},"
        "             {\"target\": \"app.1\", \"kind\": \"error\", \"ratio\": 0.5, \"at\": \"0s\"}]}";
    struct harness_run h = harness_run_text("error.json", text, NULL, 0, false);
    /* Instance 1 (half the calls, dealt in turn) fails 0.2 at the node, then 0.5 of the rest. */
    double p = 0.2 + 0.8 * 0.5 * 0.5;
    double n = harness_count(&h, "requests.finished", 0);
    printf("error 0.2 on the node and 0.5 on instance 1\n");
    harness_binomial("errors.failed", p, round(figure(&h, "errors.failed") * n), n);
    harness_done(&h);
}

/* Each of 4 instances alternates up exp(20s) and down exp(5s), starting up: its expected
 * up share over [0, T] is A + (1 - A)(1 - e^{-rT}) / (rT), A = 20/25, r = 1/20 + 1/5. With
 * no service time a request dealt to a down instance is refused, so the share refused is
 * the down share. */
static void mtbf_and_mttr_give_the_availability_formula(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"mtbf\", \"seed\": 2, \"duration\": \"2000s\", \"replications\": 100,"
        " \"workload\": {\"entry\": \"app\", \"arrivals\": {\"process\": \"poisson\", \"rate\": 2}},"
        " \"nodes\": {\"app\": {\"type\": \"service\", \"instances\": 4, \"workers\": 10, \"service_time\": \"0s\"}},"
        " \"faults\": [{\"target\": \"app\", \"kind\": \"crash\","
        "   \"mtbf\": {\"dist\": \"exp\", \"mean\": \"20s\"}, \"mttr\": {\"dist\": \"exp\", \"mean\": \"5s\"}}]}";
    struct harness_run h = harness_run_text("mtbf.json", text, NULL, 0, false);
    double a = 0.8, r = 1.0 / 20 + 1.0 / 5, t = 2000;
    double expected = a + (1 - a) * (1 - exp(-r * t)) / (r * t);
    printf("4 instances, MTBF exp(20s), MTTR exp(5s), 2000s\n");
    harness_inside("faults.0.availability", expected, harness_metric(&h, "faults.0.availability"), 0.005);
    harness_inside("errors.unavailable = 1 - availability", 1 - expected,
                   harness_metric(&h, "errors.unavailable"), 0.05);
    harness_inside("faults.0.recover [s] = MTTR", 5, harness_metric(&h, "faults.0.recover"), 0.05);
    harness_done(&h);
}

/* Autoscaling's status check runs every evaluation period (10s: at 10s, 20s, ...): the
 * crash at 105s is found at 110s (detect 5s), the instance leaves the rotation and a new
 * machine boots in its slot for 30s (recover 35s). Until 110s a quarter of the requests,
 * dealt in turn, reach the dead instance: 500 arrivals in [105s, 110s), 125 of them. */
static void autoscaling_replaces_a_crashed_instance(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text(
        "replace.json",
        one_service("300s", "1ms",
                    ", \"instances\": 4, \"autoscale\": {\"min\": 4, \"max\": 4, \"target\": {\"utilisation\": 0.5},"
                    " \"evaluation_period\": \"10s\", \"startup\": \"30s\"}",
                    "{\"target\": \"app.1\", \"kind\": \"crash\", \"at\": \"105s\", \"for\": \"1000s\"}"),
        NULL, 0, false);
    printf("autoscaling (evaluation 10s, startup 30s) and a crash of instance 1 at 105s\n");
    harness_exact("faults.0.detect [s]", 5, figure(&h, "faults.0.detect"), 0);
    harness_exact("faults.0.recover [s] = 5 + 30", 35, figure(&h, "faults.0.recover"), 0);
    harness_exact("faults.0.failed.unavailable", 125, figure(&h, "faults.0.failed.unavailable"), 0);
    harness_exact("nodes.app.replaced", 1, figure(&h, "nodes.app.replaced"), 0);
    harness_done(&h);
}

static void fault_flag_becomes_an_entry(void **state)
{
    (void)state;
    static const struct {
        const char *flag, *json;
    } cases[] = {
        {"db.primary:crash@40s+60s",
         "{\"kind\":\"crash\",\"target\":\"db.primary\",\"at\":\"40s\",\"for\":\"60s\",\"name\":\"db.primary:crash@40s+60s\"}"},
        {"app.1:slow*5+2ms@30s",
         "{\"kind\":\"slow\",\"factor\":5,\"add\":\"2ms\",\"target\":\"app.1\",\"at\":\"30s\",\"name\":\"app.1:slow*5+2ms@30s\"}"},
        {"api:error=10%@1s+2s",
         "{\"kind\":\"error\",\"ratio\":0.1,\"target\":\"api\",\"at\":\"1s\",\"for\":\"2s\",\"name\":\"api:error=10%@1s+2s\"}"},
        {"zone:a,db>zone:b:partition@5s",
         "{\"kind\":\"partition\",\"from\":[\"zone:a\",\"db\"],\"to\":[\"zone:b\"],\"one_way\":true,\"at\":\"5s\",\"name\":\"zone:a,db>zone:b:partition@5s\"}"},
    };
    static const char *const bad[] = {"db.primary:crash", "crash@40s", ":crash@4s", "app:slow*x@1s",
                                      "app:crash@soon", "app:crash@1s+ever", "app:error=lots@1s"};
    char err[512];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct sim_loader *ld = sim__loader_parse("f.json", "{}", 2, err, sizeof err);
        assert_true(sim__fault_flag(ld, cases[i].flag, err, sizeof err));
        cJSON *entry = cJSON_GetArrayItem(cJSON_GetObjectItem(sim__loader_json(ld), "faults"), 0);
        char *got = cJSON_PrintUnformatted(entry);
        printf("  %-36s -> %s\n", cases[i].flag, got);
        assert_string_equal(got, cases[i].json);
        cJSON_free(got);
        sim__loader_destroy(ld);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct sim_loader *ld = sim__loader_parse("f.json", "{}", 2, err, sizeof err);
        assert_false(sim__fault_flag(ld, bad[i], err, sizeof err));
        assert_non_null(strstr(err, "expected TARGET:KIND@AT[+FOR]"));
        sim__loader_destroy(ld);
    }
}

static void bad_faults_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *faults, *message;
    } cases[] = {
        {"{\"target\": \"app\", \"kind\": \"melt\", \"at\": \"1s\"}",
         "bad.json: faults.0.kind: expected one of \"crash\", \"hang\", \"slow\", \"error\", \"partition\", "
         "\"flush\", \"disk_full\" or \"replication_paused\", got \"melt\""},
        {"{\"target\": \"ap\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "bad.json: faults.0.target: no node named 'ap' (did you mean 'app'?)"},
        {"{\"target\": \"app.3\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "bad.json: faults.0.target: 'app' has instances 0 to 1, not 3"},
        {"{\"target\": \"app.primary\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "bad.json: faults.0.target: 'app' (a service) has no instance called 'primary': name an "
         "instance by its number"},
        {"{\"target\": \"app\", \"kind\": \"flush\", \"at\": \"1s\"}",
         "bad.json: faults.0.kind: 'app' (a service) cannot take a flush fault (it takes: crash, hang, "
         "slow, error)"},
        {"{\"target\": \"app\", \"kind\": \"crash\"}",
         "bad.json: faults.0.at: required field missing: expected a non-negative duration"},
        {"{\"target\": \"app\", \"kind\": \"slow\", \"at\": \"1s\"}",
         "bad.json: faults.0: a slow fault needs \"factor\" (service time x k) or \"add\" (a delay added)"},
        {"{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"1s\", \"mtbf\": \"1h\", \"mttr\": \"1m\"}",
         "bad.json: faults.0.at: a fault drawn from mtbf and mttr takes no \"at\" or \"for\""},
        {"{\"kind\": \"partition\", \"from\": [\"app\"], \"at\": \"1s\"}",
         "bad.json: faults.0.to: expected a non-empty array of node names, \"zone:Z\" or \"region:R\""},
        {"{\"target\": \"zone:a\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "bad.json: faults.0.target: no zones are declared: list them under zones.regions"},
        {"{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"1s\", \"fro\": \"2s\"}",
         "bad.json: faults.0.fro: unknown field (did you mean 'for'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text,
                 "{\"duration\": \"10s\", \"workload\": {\"entry\": \"app\", \"arrivals\": {\"rate\": 1}},"
                 " \"nodes\": {\"app\": {\"type\": \"service\", \"instances\": 2, \"service_time\": \"1ms\"}},"
                 " \"faults\": [%s]}",
                 cases[i].faults);
        harness_refused("bad.json", text, cases[i].message);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crash_refuses_exactly_the_requests_it_spans),
        cmocka_unit_test(crash_loses_the_work_in_progress),
        cmocka_unit_test(load_during_a_fault_shows_the_retries),
        cmocka_unit_test(hang_holds_calls_until_the_restart),
        cmocka_unit_test(partition_loses_calls_one_way_or_both),
        cmocka_unit_test(a_partition_is_detected_by_what_it_cuts_off),
        cmocka_unit_test(slow_fault_scales_the_service_time),
        cmocka_unit_test(error_fault_fails_its_share),
        cmocka_unit_test(mtbf_and_mttr_give_the_availability_formula),
        cmocka_unit_test(autoscaling_replaces_a_crashed_instance),
        cmocka_unit_test(fault_flag_becomes_an_entry),
        cmocka_unit_test(service_recover_is_the_clients_success_ratio_back),
        cmocka_unit_test(bad_faults_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
