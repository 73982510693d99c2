/* test_resilience.c: the service model's per-call resilience (circuit breaker, bulkhead,
 * hedged requests) and load shedding, pinned by exact counts in deterministic scenarios
 * written inline (constant arrivals, constant service times, no link latency), and the
 * retry-storm examples' stories. */
#include "harness.h"

static const char *path(const char *node, const char *figure)
{
    static char buf[160];
    snprintf(buf, sizeof buf, "nodes.%s.%s", node, figure);
    return buf;
}

/* A caller (async, no service time) sending every call to a gate that admits the first 10
 * calls of each 1s window and rejects the rest (a fixed-window rate limiter in front of a
 * sink). `edge` is the call's extra fields (the breaker). Arrivals every 10ms from 10ms. */
static char *gate_scenario(const char *duration, const char *edge)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"name\": \"gate\", \"seed\": 1, \"duration\": \"%s\","
             " \"workload\": {\"entry\": \"caller\", \"arrivals\": {\"process\": \"constant\", \"rate\": 100}},"
             " \"nodes\": {"
             "  \"caller\": {\"type\": \"service\", \"workers\": 1000, \"io\": \"async\", \"service_time\": \"0s\","
             "              \"calls\": [{\"to\": \"gate\", %s}]},"
             "  \"gate\": {\"type\": \"ratelimit\", \"to\": \"sink\", \"algorithm\": \"fixed_window\","
             "            \"limit\": 10, \"window\": \"1s\"},"
             "  \"sink\": {\"type\": \"service\", \"workers\": 1000, \"service_time\": \"0s\"}}}",
             duration, edge);
    return buf;
}

/* consecutive_failures 5, open_for 300ms, 3 probes, calls at 10, 20, ... 1190ms:
 * - 10..100ms pass (the window's 10), 110..150 are rejected: the 5th failure trips it at 150;
 * - 160..440 (29 calls) are short-circuited; at 450 (= 150 + 300) it turns half-open and the
 *   probe is rejected (the window is spent): open again until 750, and again until 1050;
 * - in the new window the probes at 1050, 1060, 1070 pass: closed; 1080..1140 pass (7 more),
 *   1150..1190 are rejected and the 5th trips it at 1190.
 * So 4 trips, 3 x 29 = 87 short-circuited, 20 passed, 5 + 1 + 1 + 5 = 12 rejected by the
 * gate, and open for 3 x 300ms + 5ms (1190 to the end at 1195). */
static void breaker_opens_after_consecutive_failures_and_recovers_through_half_open(void **state)
{
    (void)state;
    const char *edge = "\"breaker\": {\"consecutive_failures\": 5, \"open_for\": \"300ms\","
                       " \"half_open_probes\": 3}";
    struct harness_run h = harness_run_text("breaker.json", gate_scenario("1.195s", edge), NULL, 0, false);
    printf("breaker: consecutive_failures 5, open_for 300ms, 3 probes\n");
    harness_exact("caller arrivals", 119, harness_count(&h, path("caller", "arrivals"), 0), 0);
    harness_exact("breaker.trips", 4, harness_count(&h, path("caller", "calls.0.breaker.trips"), 0), 0);
    harness_exact("breaker.short_circuited", 87,
                  harness_count(&h, path("caller", "calls.0.breaker.short_circuited"), 0), 0);
    harness_exact("breaker.time_open [s]", 0.905,
                  harness_metric(&h, path("caller", "calls.0.breaker.time_open"))->values[0], 1e-12);
    harness_exact("breaker.open_ratio", 0.905 / 1.195,
                  harness_metric(&h, path("caller", "calls.0.breaker.open_ratio"))->values[0], 1e-12);
    harness_exact("gate admitted (10 + 3 probes + 7)", 20, harness_count(&h, path("gate", "admitted"), 0), 0);
    harness_exact("gate throttled (5 + 1 + 1 + 5)", 12, harness_count(&h, path("gate", "throttled"), 0), 0);
    harness_exact("caller errors.rejected (12 + 87)", 99,
                  harness_count(&h, path("caller", "errors.rejected"), 0), 0);
    harness_exact("goodput count", 20, harness_count(&h, "goodput", 0), 0);
    harness_done(&h);

    /* 11 probes, one more than the new window admits: the probes at 1050..1140 pass, the
     * 11th (1150) is rejected and reopens it at once, so 1160..1190 are short-circuited (4
     * more) and the last trip is at 1150 instead of 1190. */
    const char *edge11 = "\"breaker\": {\"consecutive_failures\": 5, \"open_for\": \"300ms\","
                         " \"half_open_probes\": 11}";
    h = harness_run_text("breaker.json", gate_scenario("1.195s", edge11), NULL, 0, false);
    printf("breaker: 11 probes\n");
    harness_exact("breaker.trips", 4, harness_count(&h, path("caller", "calls.0.breaker.trips"), 0), 0);
    harness_exact("breaker.short_circuited (87 + 4)", 91,
                  harness_count(&h, path("caller", "calls.0.breaker.short_circuited"), 0), 0);
    harness_exact("gate throttled (5 + 1 + 1 + 1)", 8, harness_count(&h, path("gate", "throttled"), 0), 0);
    harness_exact("breaker.time_open [s] (3 x 300ms + 45ms)", 0.945,
                  harness_metric(&h, path("caller", "calls.0.breaker.time_open"))->values[0], 1e-12);
    harness_done(&h);
}

/* failure_ratio 0.6 over a 100ms window (10 buckets of 10ms), min_calls 5: at 160ms the
 * window holds the calls of 70..160 (10 calls), 6 of them failures (110..160): it trips.
 * Without forgetting the calls before 70ms it would hold 16 calls, 6 failures (0.375), and
 * trip only at 250ms. Run to 195ms: 170..190 are short-circuited. */
static void breaker_failure_ratio_counts_only_the_sliding_window(void **state)
{
    (void)state;
    const char *edge = "\"breaker\": {\"failure_ratio\": 0.6, \"window\": \"100ms\", \"min_calls\": 5,"
                       " \"open_for\": \"1s\"}";
    struct harness_run h = harness_run_text("ratio.json", gate_scenario("0.195s", edge), NULL, 0, false);
    printf("breaker: failure_ratio 0.6 over 100ms, min_calls 5\n");
    harness_exact("breaker.trips", 1, harness_count(&h, path("caller", "calls.0.breaker.trips"), 0), 0);
    harness_exact("gate throttled: 110..160ms", 6, harness_count(&h, path("gate", "throttled"), 0), 0);
    harness_exact("breaker.short_circuited: 170..190ms", 3,
                  harness_count(&h, path("caller", "calls.0.breaker.short_circuited"), 0), 0);
    harness_exact("breaker.time_open [s]: 160ms to the end", 0.035,
                  harness_metric(&h, path("caller", "calls.0.breaker.time_open"))->values[0], 1e-12);
    harness_done(&h);

    /* min_calls 20: at 200ms the window (110..200) holds 10 calls, never 20: no trip. */
    const char *sets[] = {"nodes.caller.calls.0.breaker.min_calls=20"};
    h = harness_run_text("ratio.json", gate_scenario("0.995s", edge), sets, 1, false);
    printf("breaker: min_calls 20 over a window that holds 10 calls\n");
    harness_exact("breaker.trips", 0, harness_count(&h, path("caller", "calls.0.breaker.trips"), 0), 0);
    harness_exact("gate throttled: 110..990ms", 89, harness_count(&h, path("gate", "throttled"), 0), 0);
    harness_done(&h);
}

/* Timeouts count as failures: a 1ms timeout in front of a 5ms callee times out every call;
 * the 3rd consecutive timeout (call 3 at 30ms, timing out at 31ms) trips it. */
static void breaker_counts_timeouts_as_failures(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"t\", \"seed\": 1, \"duration\": \"0.095s\","
        " \"workload\": {\"entry\": \"caller\", \"arrivals\": {\"process\": \"constant\", \"rate\": 100}},"
        " \"nodes\": {"
        "  \"caller\": {\"type\": \"service\", \"workers\": 100, \"io\": \"async\", \"service_time\": \"0s\","
        "              \"timeout\": \"1ms\", \"breaker\": {\"consecutive_failures\": 3, \"open_for\": \"1s\"},"
        "              \"calls\": [{\"to\": \"down\"}]},"
        "  \"down\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"5ms\"}}}";
    struct harness_run h = harness_run_text("timeouts.json", text, NULL, 0, false);
    printf("breaker from the service defaults, on timeouts\n");
    harness_exact("caller errors.timeout", 3, harness_count(&h, path("caller", "errors.timeout"), 0), 0);
    harness_exact("breaker.trips", 1, harness_count(&h, path("caller", "calls.0.breaker.trips"), 0), 0);
    harness_exact("short_circuited: 40..90ms", 6,
                  harness_count(&h, path("caller", "calls.0.breaker.short_circuited"), 0), 0);
    harness_exact("down arrivals (only the 3 sent)", 3, harness_count(&h, path("down", "arrivals"), 0), 0);
    harness_exact("time_open: 31ms to 95ms", 0.064,
                  harness_metric(&h, path("caller", "calls.0.breaker.time_open"))->values[0], 1e-12);
    harness_done(&h);
}

/* max_concurrent 4 over a callee taking 10.5ms, calls every 1ms from 1ms: calls 1..4 go,
 * 5..11 find 4 in flight and are refused, 12 goes (call 1 came back at 11.5)...: in each
 * 11ms, 4 go and 7 are refused. 1100 calls: 400 go, 700 refused; never more than 4 in
 * flight. Without the bulkhead every call goes, and 11 are in flight at once. */
static void bulkhead_caps_calls_in_flight(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"bulkhead\", \"seed\": 1, \"duration\": \"1.1005s\","
        " \"workload\": {\"entry\": \"caller\", \"arrivals\": {\"process\": \"constant\", \"rate\": 1000}},"
        " \"nodes\": {"
        "  \"caller\": {\"type\": \"service\", \"workers\": 1000, \"io\": \"async\", \"service_time\": \"0s\","
        "              \"calls\": [{\"to\": \"down\", \"max_concurrent\": 4}]},"
        "  \"down\": {\"type\": \"service\", \"workers\": 1000, \"service_time\": \"10.5ms\"}}}";
    struct harness_run h = harness_run_text("bulkhead.json", text, NULL, 0, false);
    printf("bulkhead: max_concurrent 4, callee 10.5ms, a call every 1ms\n");
    const double T = 1.1005;
    double area = 0;
    for (int k = 1; k <= 1100; k++)
        if ((k - 1) % 11 < 4) area += fmin(k * 1e-3 + 10.5e-3, T) - k * 1e-3;
    harness_exact("caller arrivals", 1100, harness_count(&h, path("caller", "arrivals"), 0), 0);
    harness_exact("down arrivals: 4 in 11", 400, harness_count(&h, path("down", "arrivals"), 0), 0);
    harness_exact("bulkhead_rejected: 7 in 11", 700,
                  harness_count(&h, path("caller", "calls.0.bulkhead_rejected"), 0), 0);
    harness_exact("caller errors.rejected", 700, harness_count(&h, path("caller", "errors.rejected"), 0), 0);
    harness_exact("in_flight.max", 4, harness_count(&h, path("caller", "calls.0.in_flight.max"), 0), 0);
    harness_exact("in_flight.mean: sum of in-flight times / T", area / T,
                  harness_metric(&h, path("caller", "calls.0.in_flight.mean"))->values[0], 1e-9);
    harness_done(&h);

    const char *sets[] = {"nodes.caller.calls.0.max_concurrent=11"};
    h = harness_run_text("bulkhead.json", text, sets, 1, false);
    printf("bulkhead: max_concurrent 11 (never reached but once per call)\n");
    harness_exact("bulkhead_rejected", 0, harness_count(&h, path("caller", "calls.0.bulkhead_rejected"), 0), 0);
    harness_exact("in_flight.max: 10.5ms of calls every 1ms", 11,
                  harness_count(&h, path("caller", "calls.0.in_flight.max"), 0), 0);
    harness_done(&h);
}

/* A callee of 2 instances whose service time is 1ms (92%) or 100ms (8%), 1000 calls/s for
 * 9.8s, then none, so every call is over by 10s. Alone, p99 is 100ms. A hedge after 5ms to
 * the other instance makes the latency min(S1, 5ms + S2): 1ms w.p. 0.92, 6ms w.p.
 * 0.08 x 0.92 = 0.0736, 100ms w.p. 0.0064: P(<= 6ms) = 0.9936 > 0.99, so p99 = 6ms (the
 * histogram's bucket within 0.8%; 0.9936 is 8 standard errors of the share above 0.99 at
 * 9,800 calls). A hedge is sent for every slow first copy (8%, binomial) and wins when its
 * own draw is fast (92% of those); the losers are abandoned but still served: the callee
 * receives and completes calls + hedges. */
static void hedge_cuts_the_tail_and_the_loser_still_works(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"hedge\", \"seed\": 11, \"duration\": \"10s\","
        " \"workload\": {\"entry\": \"caller\", \"arrivals\": {\"process\": \"poisson\", \"rate\": 1000},"
        "   \"schedule\": [{\"at\": \"9.8s\", \"rate\": 0}]},"
        " \"nodes\": {"
        "  \"caller\": {\"type\": \"service\", \"workers\": 100000, \"io\": \"async\", \"service_time\": \"0s\","
        "              \"calls\": [{\"to\": \"down\", \"hedge\": {\"after\": \"5ms\", \"max\": 1}}]},"
        "  \"down\": {\"type\": \"service\", \"instances\": 2, \"workers\": 100000,"
        "            \"service_time\": {\"dist\": \"mixture\", \"of\": [{\"weight\": 92, \"value\": \"1ms\"},"
        "                                                      {\"weight\": 8, \"value\": \"100ms\"}]}}}}";
    struct harness_run h = harness_run_text("hedge.json", text, NULL, 0, false);
    printf("hedge after 5ms, callee 1ms (92%%) or 100ms (8%%)\n");
    double calls = harness_count(&h, path("caller", "arrivals"), 0);
    double hedges = harness_count(&h, path("caller", "calls.0.hedges"), 0);
    double won = harness_count(&h, path("caller", "calls.0.hedges_won"), 0);
    double p99 = harness_metric(&h, "latency.p99")->values[0];
    harness_exact("latency.p99 [s]: 5ms + 1ms (histogram within 0.8%)", 6e-3, p99, 0.008);
    harness_exact("latency.max [s]: both copies slow, the first wins", 100e-3,
                  harness_metric(&h, "latency.max")->values[0], 0);
    harness_binomial("hedges sent per call (slow first copy)", 0.08, hedges, calls);
    harness_binomial("hedges won per hedge (fast second copy)", 0.92, won, hedges);
    harness_exact("callee arrivals = calls + hedges", calls + hedges,
                  harness_count(&h, path("down", "arrivals"), 0), 0);
    harness_exact("callee completed every copy, losers included", calls + hedges,
                  harness_count(&h, path("down", "latency.count"), 0), 0);
    harness_exact("every call succeeded", calls, harness_count(&h, "goodput", 0), 0);
    harness_done(&h);

    /* The same draws without the hedge: p99 is the slow mode, 100ms. */
    char *plain = strdup(text);
    char *at = strstr(plain, ", \"hedge\"");
    memmove(at, strstr(at, "}}") + 1, strlen(strstr(at, "}}") + 1) + 1);
    h = harness_run_text("plain.json", plain, NULL, 0, false);
    free(plain);
    printf("no hedge\n");
    harness_exact("latency.p99 [s]: the slow mode", 100e-3, harness_metric(&h, "latency.p99")->values[0], 0.008);
    harness_done(&h);
}

/* One worker of 10ms, a queue of 20, 150 calls/s (utilisation 1.5), half checkout (priority
 * 0), half browse (priority 2), shed_above 5: a browse call arriving behind 5 or more
 * waiting calls is shed, a checkout call only meets the full queue. Exactly: no checkout is
 * ever shed, every shed call is a browse, and the browse calls that wait never find more
 * than 5 ahead. Checkout alone is 75/s against a capacity of 100/s, so it keeps its goodput
 * while browse absorbs the overload. */
static void shedding_rejects_low_priority_first(void **state)
{
    (void)state;
    const char *text =
        "{\"name\": \"shed\", \"seed\": 5, \"duration\": \"60s\", \"warmup\": \"5s\","
        " \"workload\": {\"entry\": \"svc\", \"arrivals\": {\"rate\": 150},"
        "   \"mix\": {\"checkout\": 0.5, \"browse\": 0.5}},"
        " \"nodes\": {\"svc\": {\"type\": \"service\", \"workers\": 1, \"queue\": 20,"
        "   \"service_time\": \"10ms\", \"priorities\": {\"checkout\": 0, \"browse\": 2},"
        "   \"shed_above\": 5}}}";
    struct harness_run h = harness_run_text("shed.json", text, NULL, 0, false);
    printf("shedding: browse (2) above 5 waiting, checkout (0) never\n");
    double shed = harness_count(&h, path("svc", "shed"), 0);
    double full = harness_count(&h, path("svc", "errors.rejected"), 0) - shed;
    printf("  shed %.0f (%.1f%% of arrivals), full-queue rejections %.0f\n", shed,
           100 * harness_metric(&h, path("svc", "shed_ratio"))->values[0], full);
    harness_exact("shed_by_op.checkout", 0, harness_count(&h, path("svc", "shed_by_op.checkout"), 0), 0);
    harness_exact("shed_by_op.browse = shed", shed, harness_count(&h, path("svc", "shed_by_op.browse"), 0), 0);
    if (!(shed > 0.2 * harness_count(&h, path("svc", "arrivals"), 0)))
        fail_msg("at utilisation 1.5 about a third of the calls must be shed, got %.0f", shed);
    harness_exact("utilisation (saturated)", 1, harness_metric(&h, path("svc", "utilisation"))->values[0], 0.01);
    harness_done(&h);

    /* Everything important: nothing is shed, the full queue rejects instead. */
    const char *sets[] = {"nodes.svc.priorities.browse=0"};
    h = harness_run_text("shed.json", text, sets, 1, false);
    printf("shedding with every operation at priority 0\n");
    harness_exact("shed", 0, harness_count(&h, path("svc", "shed"), 0), 0);
    harness_exact("queue.max: the limit", 20, harness_count(&h, path("svc", "queue.max"), 0), 0);
    harness_done(&h);
}

/* A scenario that must be refused, with this exact message. */
static void refused(const char *text, const char *message)
{
    harness_refused("bad.json", text, message);
}

static void resilience_config_errors_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *service, *message;
    } cases[] = {
        {"\"calls\": [{\"to\": \"down\", \"breaker\": {\"open_for\": \"1s\"}}]",
         "bad.json: nodes.app.calls.0.breaker: expected failure_ratio or consecutive_failures (or both)"},
        {"\"calls\": [{\"to\": \"down\", \"breaker\": {\"failure_ratio\": 1.5}}]",
         "bad.json: nodes.app.calls.0.breaker.failure_ratio: expected a number from 0.001 to 1, got 1.5"},
        {"\"calls\": [{\"to\": \"down\", \"breaker\": {\"consecutive_failures\": 3, \"min_calls\": 5}}]",
         "bad.json: nodes.app.calls.0.breaker.min_calls: only with failure_ratio"},
        {"\"breaker\": {\"consecutive_failures\": 0}, \"calls\": [{\"to\": \"down\"}]",
         "bad.json: nodes.app.breaker.consecutive_failures: expected an integer from 1 to 1000000000, got 0"},
        {"\"calls\": [{\"to\": \"down\", \"breaker\": {\"consecutive_failures\": 3, \"opn_for\": \"1s\"}}]",
         "bad.json: nodes.app.calls.0.breaker.opn_for: unknown field (did you mean 'open_for'?)"},
        {"\"calls\": [{\"to\": \"down\", \"max_concurrent\": 0}]",
         "bad.json: nodes.app.calls.0.max_concurrent: expected an integer from 1 to 1000000000, got 0"},
        {"\"calls\": [{\"to\": \"down\", \"hedge\": {\"max\": 1}}]",
         "bad.json: nodes.app.calls.0.hedge.after: required field missing: expected a positive duration of at most 1000000s"},
        {"\"calls\": [{\"to\": \"down\", \"hedge\": {\"after\": \"5ms\", \"max\": 4}}]",
         "bad.json: nodes.app.calls.0.hedge.max: expected an integer from 1 to 3, got 4"},
        {"\"shed_above\": \"80%\", \"calls\": [{\"to\": \"down\"}]",
         "bad.json: nodes.app.shed_above: a percentage needs a bounded queue"},
        {"\"queue\": 10, \"shed_above\": \"eighty\", \"calls\": [{\"to\": \"down\"}]",
         "bad.json: nodes.app.shed_above: expected a queue length or a percentage of the queue such as \"80%\", got \"eighty\""},
        {"\"shed_priority\": 1, \"calls\": [{\"to\": \"down\"}]",
         "bad.json: nodes.app.shed_priority: only with shed_above"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[2048];
        snprintf(text, sizeof text,
                 "{\"duration\": \"1s\", \"workload\": {\"entry\": \"app\", \"arrivals\": {\"rate\": 10}},"
                 " \"nodes\": {\"app\": {\"type\": \"service\", \"service_time\": \"1ms\", %s},"
                 " \"down\": {\"type\": \"service\", \"service_time\": \"1ms\"}}}",
                 cases[i].service);
        refused(text, cases[i].message);
    }
}

/* The mean of a timeline column over the rows whose interval ends in (from, to] seconds. */
static double column_mean(const char *csv, const char *column, double from, double to)
{
    const char *p = csv, *eol = strchr(p, '\n');
    int col = -1, k = 0;
    size_t n = strlen(column);
    for (const char *f = p; f < eol; k++) {
        const char *end = f;
        while (end < eol && *end != ',') end++;
        if ((size_t)(end - f) == n && strncmp(f, column, n) == 0) col = k;
        f = end + 1;
    }
    if (col < 0) fail_msg("no timeline column %s", column);
    double sum = 0;
    int rows = 0;
    for (p = eol + 1; *p; p = strchr(p, '\n') + 1) {
        double t = strtod(p, NULL);
        const char *f = p;
        for (int i = 0; i < col; i++) f = strchr(f, ',') + 1;
        if (t > from && t <= to) {
            sum += strtod(f, NULL);
            rows++;
        }
    }
    return rows ? sum / rows : NAN;
}

/* The two retry-storm examples at their own length: every expectation holds (goodput
 * collapsed after the spike without defences, recovered with them), and the timeline shows
 * the phases: before the spike (0-10s), during it (10-20s) and after it (20-40s). */
static void retry_storm_collapses_and_the_defended_design_survives(void **state)
{
    (void)state;
    static const char *const files[] = {"scenarios/examples/retry-storm.json",
                                        "scenarios/examples/retry-storm-survives.json"};
    double after[2];
    for (int i = 0; i < 2; i++) {
        char *text = harness_read_file(files[i]);
        struct harness_run h = harness_run_text(files[i], text, NULL, 0, true);
        free(text);
        struct sim__verdict v[16];
        char err[256];
        assert_true(h.sc.nexpect <= 16);
        if (!sim__expect_check(&h.sc, h.res, v, err, sizeof err)) fail_msg("%s", err);
        printf("%s\n", files[i]);
        for (int k = 0; k < h.sc.nexpect; k++) {
            printf("  expect %-28s %-6s %g\n", v[k].e->metric, v[k].pass ? "holds" : "FAILS", v[k].value);
            if (!v[k].pass) fail_msg("%s: expect.%d (%s) fails", files[i], k, v[k].e->metric);
        }
        char *csv = sim__timeline_csv(h.res->timeline); /* ours to free, whatever timeline.h says */
        double before = column_mean(csv, "goodput", 0, 10), during = column_mean(csv, "goodput", 10, 20);
        after[i] = column_mean(csv, "goodput", 20, 40);
        printf("  goodput before %.1f/s, during %.1f/s, after %.1f/s (replication 0)\n", before,
               during, after[i]);
        printf("  db busy workers (of 4) before %.2f, during %.2f, after %.2f\n",
               column_mean(csv, "db.busy", 0, 10), column_mean(csv, "db.busy", 10, 20),
               column_mean(csv, "db.busy", 20, 40));
        sim_free(csv);
        harness_done(&h);
        if (!(before > 90)) fail_msg("goodput before the spike %.1f/s: the baseline should hold", before);
    }
    if (!(after[0] < 1)) fail_msg("retry-storm: goodput after the spike %.1f/s, wanted a collapse", after[0]);
    if (!(after[1] > 90)) fail_msg("retry-storm-survives: goodput after the spike %.1f/s", after[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(breaker_opens_after_consecutive_failures_and_recovers_through_half_open),
        cmocka_unit_test(breaker_failure_ratio_counts_only_the_sliding_window),
        cmocka_unit_test(breaker_counts_timeouts_as_failures),
        cmocka_unit_test(bulkhead_caps_calls_in_flight),
        cmocka_unit_test(hedge_cuts_the_tail_and_the_loser_still_works),
        cmocka_unit_test(shedding_rejects_low_priority_first),
        cmocka_unit_test(resilience_config_errors_name_the_path),
        cmocka_unit_test(retry_storm_collapses_and_the_defended_design_survives),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
