/* validate_delay.c: the example model (models/delay.c) against M/G/infinity, and its
 * forwarding. Under Poisson arrivals at lambda with delays D of any distribution, the
 * calls in flight are Poisson with mean lambda E[D]: the node is idle exp(-lambda E[D]) of
 * the time. A delay in front of a service adds its time to every call, exactly, and passes
 * the service's errors up unchanged. */
#include "harness.h"

#define TIGHT 0.03
#define Z99 2.3263478740408408 /* the standard normal's 99th percentile */

static void calls_in_flight_are_poisson(void **state)
{
    (void)state;
    struct harness_run h = harness_run("scenarios/validation/delay-mginf.json", NULL, 0);
    /* lognormal by median m and p99 q: sigma = ln(q / m) / z99, E[D] = m exp(sigma^2 / 2) */
    double lambda = 1000, m = 1.5e-3, sigma = log(6e-3 / m) / Z99;
    double load = lambda * m * exp(sigma * sigma / 2);
    printf("M/G/inf, lambda %g, E[D] %.6gs: load %.6g\n", lambda, load / lambda, load);
    /* Little's law per replication, on the arrivals each one drew: in flight / (rate E[D])
     * is 1, so the interval of the ratio across replications must hold 1. */
    const struct sim__metric *in_flight = harness_metric(&h, "nodes.hop.in_flight.mean"),
                             *calls = harness_metric(&h, "nodes.hop.calls");
    double ratio[64];
    int n = h.res->replications;
    assert_true(n >= 2 && n <= 64);
    for (int r = 0; r < n; r++) ratio[r] = in_flight->values[r] / (calls->values[r] * load / lambda);
    struct sim_interval ci = sim_interval95(ratio, n);
    printf("  %-44s formula 1            simulated %-12.6g 95%% [%.6g, %.6g]\n",
           "Little: in flight / (rate E[D])", ci.mean, ci.low, ci.high);
    assert_true(ci.half < TIGHT && ci.low <= 1 && ci.high >= 1);
    harness_inside("idle share, exp(-lambda E[D])", exp(-load), harness_metric(&h, "nodes.hop.idle"),
                   TIGHT);
    harness_done(&h);
}

/* No link latency is configured: every request takes the 5ms delay plus the 1ms service. A
 * service of one worker and no queue refuses what finds it busy; the delay passes each
 * refusal up, so the workload's errors, the service's and the delay's agree. */
static void forwarding_adds_the_delay_and_passes_answers_up(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 3, \"duration\": \"10s\", \"workload\": {\"entry\": \"hop\","
        " \"arrivals\": {\"process\": \"poisson\", \"rate\": 100}},"
        " \"nodes\": {\"hop\": {\"type\": \"delay\", \"time\": \"5ms\", \"to\": \"api\"},"
        " \"api\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}}}";
    struct harness_run h = harness_run_text("fwd.json", text, NULL, 0, false);
    /* histogram quantiles are within 1% */
    harness_exact("latency, p50 [s]", 6e-3, harness_metric(&h, "latency.p50")->values[0], 0.01);
    harness_exact("latency, max [s]", 6e-3, harness_metric(&h, "latency.max")->values[0], 0.01);
    harness_done(&h);

    text = "{\"seed\": 3, \"duration\": \"10s\", \"workload\": {\"entry\": \"hop\","
           " \"arrivals\": {\"process\": \"poisson\", \"rate\": 500}},"
           " \"nodes\": {\"hop\": {\"type\": \"delay\", \"time\": {\"dist\": \"exp\", \"mean\": \"5ms\"},"
           " \"to\": \"api\"}, \"api\": {\"type\": \"service\", \"workers\": 1, \"queue\": 0,"
           " \"service_time\": \"1ms\"}}}";
    h = harness_run_text("fwd.json", text, NULL, 0, false);
    double hop = harness_count(&h, "nodes.hop.errors.rejected", 0);
    printf("rejected: %g at the delay\n", hop);
    assert_true(hop > 100);
    harness_exact("rejected, delay = service", harness_count(&h, "nodes.api.errors.rejected", 0), hop, 0);
    harness_done(&h);
}

static void errors_name_the_path(void **state)
{
    (void)state;
    const char *base = "{\"duration\": \"10s\", \"workload\": {\"entry\": \"hop\", \"arrivals\": {\"rate\": 1}},"
                       " \"nodes\": {\"hop\": {\"type\": \"delay\"%s}}}";
    char text[512];
    snprintf(text, sizeof text, base, "");
    harness_refused("d.json", text, "d.json: nodes.hop.time: required field missing: expected a "
                                    "distribution (a duration such as \"5ms\", or an object with \"dist\")");
    snprintf(text, sizeof text, base, ", \"time\": \"1ms\", \"too\": \"x\"");
    harness_refused("d.json", text, "d.json: nodes.hop.too: unknown field (did you mean 'to'?)");
    snprintf(text, sizeof text, base, ", \"time\": \"1ms\", \"to\": \"nowhere\"");
    char *e = harness_refusal("d.json", text);
    assert_non_null(strstr(e, "d.json: nodes.hop.to: "));
    free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(calls_in_flight_are_poisson),
        cmocka_unit_test(forwarding_adds_the_delay_and_passes_answers_up),
        cmocka_unit_test(errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
