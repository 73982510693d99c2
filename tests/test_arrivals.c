/* test_arrivals.c: arrival processes whose rate varies, against their integrals. The count
 * of a non-homogeneous Poisson process over an interval is Poisson with mean the integral
 * of the rate over it: a curve's (piecewise linear: trapezoids), a repeating curve's (whole
 * periods), a sinusoid's (closed form); a Markov-modulated one (MMPP-2, on-off) has mean
 * rate sum(rate_i stay_i) / sum(stay_i) and the variance of its count over t is known in
 * closed form. Intervals are checked for coverage over many seeds, not one lucky seed. */
#include <unistd.h>

#include "harness.h"

/* Arrivals into a service that answers everything at once; the window is [warmup, duration). */
static char *scenario(const char *duration, const char *warmup, int replications, const char *arrivals)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"name\": \"arrivals\", \"seed\": 5, \"duration\": \"%s\", \"warmup\": \"%s\","
             " \"replications\": %d, \"workload\": {\"entry\": \"app\", \"arrivals\": %s},"
             " \"nodes\": {\"app\": {\"type\": \"service\", \"workers\": 100000, \"service_time\": \"1us\"}}}",
             duration, warmup, replications, arrivals);
    return buf;
}

static const char *onoff = "{\"process\": \"mmpp\", \"states\": [{\"rate\": 500, \"stay\": \"1s\"},"
                          " {\"rate\": 0, \"stay\": \"4s\"}]}";
static const char *curve = "{\"process\": \"curve\", \"points\": [{\"at\": \"0s\", \"rate\": 100},"
                           " {\"at\": \"10s\", \"rate\": 300}, {\"at\": \"20s\", \"rate\": 0}]}";

/* Counts per replication of requests.offered, their mean and sample variance. */
static void counts(const struct harness_run *h, double *mean, double *var)
{
    int n = h->res->replications;
    double s = 0, ss = 0;
    for (int r = 0; r < n; r++) s += harness_count(h, "requests.offered", r);
    *mean = s / n;
    for (int r = 0; r < n; r++) {
        double d = harness_count(h, "requests.offered", r) - *mean;
        ss += d * d;
    }
    *var = ss / (n - 1);
}

/* Rate 100 -> 300 over [0, 10s], 300 -> 0 over [10s, 20s]; the window [5s, 15s) expects
 * (200 + 300) / 2 x 5 + (300 + 150) / 2 x 5 = 1250 + 1125 = 2375 arrivals, and a Poisson
 * count: variance = mean. */
static void a_curve_offers_its_integral(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("curve.json", scenario("15s", "5s", 200, curve), NULL, 0, false);
    const struct sim__metric *offered = harness_metric(&h, "requests.offered");
    printf("curve 100 -> 300 -> 0 per second, window [5s, 15s)\n");
    struct sim__metric count = *offered; /* the rate's interval, as a count over the window */
    count.ci.mean *= 10, count.ci.low *= 10, count.ci.high *= 10, count.ci.half *= 10;
    harness_inside("arrivals in the window = integral of the rate", 2375, &count, 0.01);
    double mean, var;
    counts(&h, &mean, &var);
    /* var / mean of a Poisson count: the sample variance of 200 near-normal counts has a
     * relative standard error of sqrt(2 / 199) = 10%: 0.8 to 1.2 is two of them. */
    printf("  variance / mean %.3f (Poisson: 1)\n", var / mean);
    assert_true(var / mean > 0.8 && var / mean < 1.2);
    /* After the last point (rate 0) nothing arrives. */
    harness_done(&h);
    h = harness_run_text("curve-after.json", scenario("40s", "20s", 3, curve), NULL, 0, false);
    harness_exact("arrivals after the last point's rate 0", 0, harness_total(&h, "requests.offered"), 0);
    harness_done(&h);
}

/* How many of `runs` seeds give a 95% interval of requests.offered that covers `rate`. */
static int covering(const char *text, double rate, int runs)
{
    int covered = 0;
    for (int k = 0; k < runs; k++) {
        char seed[32];
        snprintf(seed, sizeof seed, "seed=%d", 1000 + k);
        const char *sets[] = {seed};
        struct harness_run h = harness_run_text("cover.json", text, sets, 1, false);
        const struct sim__metric *m = harness_metric(&h, "requests.offered");
        covered += rate >= m->ci.low && rate <= m->ci.high;
        harness_done(&h);
    }
    return covered;
}

/* The intervals cover the integral in about 95% of seeds: 100 runs each; at 95% coverage,
 * 89 to 99 of them cover (a binomial 99.8% band). The on-off process's counts are far from
 * normal (bursts), and still its t intervals over 20 replications cover. */
static void the_intervals_cover(void **state)
{
    (void)state;
    int c = covering(scenario("15s", "5s", 5, curve), 237.5, 100);
    printf("  curve: %d of 100 intervals cover the integral (95%% expected)\n", c);
    assert_true(c >= 89 && c <= 99);
    c = covering(scenario("20s", "0s", 20, onoff), 100, 100);
    printf("  on-off: %d of 100 intervals cover the mean rate (95%% expected)\n", c);
    assert_true(c >= 89 && c <= 99);
}

/* A triangle 0 -> 200 over 5s and back to 0 at 10s, repeating: 1,000 per period, so 3,000
 * over [10s, 40s). */
static void a_repeating_curve_offers_whole_periods(void **state)
{
    (void)state;
    const char *tri = "{\"process\": \"curve\", \"points\": [{\"at\": \"0s\", \"rate\": 0},"
                      " {\"at\": \"5s\", \"rate\": 200}], \"repeat\": \"10s\"}";
    struct harness_run h = harness_run_text("tri.json", scenario("40s", "10s", 100, tri), NULL, 0, false);
    const struct sim__metric *offered = harness_metric(&h, "requests.offered");
    printf("a triangle of 1,000 arrivals every 10s, window [10s, 40s)\n");
    harness_inside("requests.offered = 1000 / 10s", 100, offered, 0.01);
    harness_done(&h);
}

/* mean + amplitude cos(2 pi t / 10s) with peak 300, trough 100: over [0, 2.5s) the
 * integral is 200 x 2.5 + 100 x (10 / 2 pi) x sin(pi / 2) = 659.155. */
static void a_sinusoid_offers_its_integral(void **state)
{
    (void)state;
    const char *sin = "{\"process\": \"sinusoid\", \"peak\": 300, \"trough\": 100, \"period\": \"10s\"}";
    struct harness_run h = harness_run_text("sin.json", scenario("2.5s", "0s", 400, sin), NULL, 0, false);
    struct sim__metric count = *harness_metric(&h, "requests.offered");
    count.ci.mean *= 2.5, count.ci.low *= 2.5, count.ci.high *= 2.5, count.ci.half *= 2.5;
    double want = 200 * 2.5 + 100 * 10 / (2 * M_PI);
    printf("sinusoid 100..300 per second, period 10s, peak at 0, window [0, 2.5s)\n");
    harness_inside("arrivals = integral of the rate", want, &count, 0.01);
    harness_done(&h);
}

/* On-off: 500/s for Exp(1s), silent for Exp(4s): mean rate 100/s (checked with the
 * coverage of its intervals, above). Over t = 20s the count has
 * mean 2,000 and variance lambda t + 2 r1 r2 (l1 - l2)^2 / (r1 + r2)^3 (t - (1 - e^-(r1+r2)t)
 * / (r1 + r2)) with r1 = 1, r2 = 0.25: 1,230,800, 615 times a Poisson count's. */
static void an_mmpp_has_its_mean_and_burstiness(void **state)
{
    (void)state;
    struct harness_run h = harness_run_text("mmpp.json", scenario("20s", "0s", 800, onoff), NULL, 0, false);
    printf("on-off: 500/s for Exp(1s), off for Exp(4s) (its mean: the_intervals_cover)\n");
    double mean, var, r1 = 1, r2 = 0.25, a = r1 + r2, t = 20;
    counts(&h, &mean, &var);
    double want = 100 * t + 2 * r1 * r2 * 500.0 * 500.0 / (a * a * a) * (t - (1 - exp(-a * t)) / a);
    /* The counts are far from normal (a mixture of bursts), so the sample variance's spread
     * is estimated from the data: its standard error from the fourth central moment. */
    double m4 = 0;
    for (int r = 0; r < h.res->replications; r++) {
        double d = harness_count(&h, "requests.offered", r) - mean;
        m4 += d * d * d * d;
    }
    m4 /= h.res->replications;
    double se = sqrt((m4 - var * var) / h.res->replications);
    printf("  count variance %.6g, formula %.6g, +- %.3g (95%%)\n", var, want, 1.96 * se);
    assert_true(fabs(var - want) < 1.96 * se);
    harness_done(&h);
}

static void bad_arrivals_name_the_path(void **state)
{
    (void)state;
    harness_refused("a.json", scenario("1s", "0s", 1, "{\"process\": \"curve\", \"rate\": 5, \"points\": [{\"at\": \"0s\", \"rate\": 1}]}"),
                    "a.json: workload.arrivals.rate: a curve process sets its rates itself: remove \"rate\"");
    harness_refused("a.json", scenario("1s", "0s", 1, "{\"process\": \"curve\", \"points\": [{\"at\": \"1s\", \"rate\": 1}]}"),
                    "a.json: workload.arrivals.points.0.at: expected the first point at 0s");
    harness_refused("a.json", scenario("1s", "0s", 1, "{\"process\": \"curve\", \"points\": [{\"at\": \"0s\", \"rate\": 1}, {\"at\": \"0s\", \"rate\": 2}]}"),
                    "a.json: workload.arrivals.points.1.at: expected times in increasing order");
    harness_refused("a.json", scenario("1s", "0s", 1, "{\"process\": \"curve\", \"points\": [{\"at\": \"0s\", \"rate\": 1}, {\"at\": \"5s\", \"rate\": 2}], \"repeat\": \"5s\"}"),
                    "a.json: workload.arrivals.repeat: expected a period longer than the last point's time");
    harness_refused("a.json", scenario("1s", "0s", 1, "{\"process\": \"sinusoid\", \"peak\": 1, \"trough\": 2}"),
                    "a.json: workload.arrivals.trough: expected a rate at most the peak (1), got 2");
    harness_refused("a.json", scenario("1s", "0s", 1, "{\"process\": \"mmpp\", \"states\": [{\"rate\": 1, \"stay\": \"1s\"}]}"),
                    "a.json: workload.arrivals.states: expected at least two states {\"rate\": ..., \"stay\": ...}");
}

/* ---- traces ---- */

/* Writes text to a new file under /tmp and returns its path (static storage). */
static const char *trace_file(const char *name, const char *text)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/archsim-test-%d-%s", (int)getpid(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

static char *trace_scenario(const char *duration, const char *warmup, const char *arrivals, const char *nodes)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"name\": \"trace\", \"seed\": 5, \"duration\": \"%s\", \"warmup\": \"%s\","
             " \"workload\": {\"entry\": \"app\", \"arrivals\": %s}, \"nodes\": {%s},"
             " \"zones\": {\"default_link\": \"0s\", \"cross_zone\": \"0s\", \"cross_region\": \"0s\", \"regions\": {\"r1\": [\"a\"], \"r2\": [\"b\"]}}}",
             duration, warmup, arrivals, nodes);
    return buf;
}

static const char *plain_app = "\"app\": {\"type\": \"service\", \"workers\": 1000, \"service_time\": \"1ms\"}";

/* Lines at 100.5s, 101.5s, ..., 109.5s (a log's own clock): the replay starts at the first,
 * so they arrive at 0s, 1s, ..., 9s and the window [1.5s, 7.5s) holds 6 of them; at speed 2
 * they arrive every 0.5s and [0.75s, 3.25s) holds 5; looping, a pass lasts the span plus
 * one mean gap (10s), so [1.5s, 37.5s) holds 36. */
static void a_trace_is_replayed_exactly(void **state)
{
    (void)state;
    char text[512] = "time\n";
    for (int i = 0; i < 10; i++) snprintf(text + strlen(text), sizeof text - strlen(text), "%d.5\n", 100 + i);
    const char *path = trace_file("ten.csv", text);
    char arrivals[512];
    snprintf(arrivals, sizeof arrivals, "{\"process\": \"trace\", \"file\": \"%s\"}", path);
    struct harness_run h = harness_run_text("t.json", trace_scenario("7.5s", "1.5s", arrivals, plain_app), NULL, 0, false);
    harness_exact("requests in [1.5s, 7.5s)", 6, harness_total(&h, "requests.offered"), 0);
    harness_done(&h);
    snprintf(arrivals, sizeof arrivals, "{\"process\": \"trace\", \"file\": \"%s\", \"speed\": 2}", path);
    h = harness_run_text("t.json", trace_scenario("3.25s", "0.75s", arrivals, plain_app), NULL, 0, false);
    harness_exact("speed 2: requests in [0.75s, 3.25s)", 5, harness_total(&h, "requests.offered"), 0);
    harness_done(&h);
    snprintf(arrivals, sizeof arrivals, "{\"process\": \"trace\", \"file\": \"%s\", \"loop\": true}", path);
    h = harness_run_text("t.json", trace_scenario("37.5s", "1.5s", arrivals, plain_app), NULL, 0, false);
    harness_exact("looping: requests in [1.5s, 37.5s)", 36, harness_total(&h, "requests.offered"), 0);
    harness_done(&h);
    unlink(path);
}

/* A line's operation, key and zone are the request's: every fourth line is a "buy" of
 * 200ms (the rest 1ms), so the mean latency is (5 x 200 + 15 x 1) / 20 ms; zone b's clients
 * (even seconds) are counted in region r2; one key read 20 times through a cache misses
 * once. JSON lines carry the same, keys up to 2^64-1 as strings. */
static void a_traces_lines_give_op_key_and_zone(void **state)
{
    (void)state;
    char text[1024] = "# a comment, then the header\ntime,op,key,zone\n";
    for (int i = 0; i < 20; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,%s,7,%s\n", i, i % 4 ? "read" : "buy", i % 2 ? "a" : "b");
    const char *path = trace_file("ops.csv", text);
    char arrivals[512];
    snprintf(arrivals, sizeof arrivals, "{\"process\": \"trace\", \"file\": \"%s\"}", path);
    const char *by_op = "\"app\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\","
                        " \"service_time_by_op\": {\"buy\": \"200ms\"}}";
    struct harness_run h = harness_run_text("t.json", trace_scenario("30s", "0s", arrivals, by_op), NULL, 0, false);
    harness_exact("latency.mean [s] = (5 x 0.2 + 15 x 0.001) / 20", (5 * 0.2 + 15 * 0.001) / 20,
                  harness_metric(&h, "latency.mean")->values[0], 1e-9);
    harness_exact("latency.by_region.r2.count (zone b: even seconds)", 10, harness_metric(&h, "latency.by_region.r2.count")->values[0], 0);
    harness_done(&h);
    const char *cached = "\"app\": {\"type\": \"cache\", \"capacity\": 10, \"eviction\": \"lru\", \"backend\": \"db\"},"
                         " \"db\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}";
    h = harness_run_text("t.json", trace_scenario("30s", "0s", arrivals, cached), NULL, 0, false);
    harness_exact("one key through a cache: misses", 1, harness_metric(&h, "nodes.app.misses")->values[0], 0);
    harness_done(&h);
    unlink(path);
    path = trace_file("ops.jsonl", "{\"time\": 0.5, \"op\": \"buy\", \"zone\": \"b\"}\n\n{\"time\": 1.5, \"key\": \"18446744073709551615\"}\n");
    snprintf(arrivals, sizeof arrivals, "{\"process\": \"trace\", \"file\": \"%s\"}", path);
    h = harness_run_text("t.json", trace_scenario("5s", "0s", arrivals, plain_app), NULL, 0, false);
    harness_exact("JSON lines: requests", 2, harness_total(&h, "requests.offered"), 0);
    harness_exact("JSON lines: zone b's request", 1, harness_metric(&h, "latency.by_region.r2.count")->values[0], 0);
    harness_done(&h);
    unlink(path);
}

static void bad_traces_name_the_file_and_line(void **state)
{
    (void)state;
    static const struct {
        const char *name, *text, *message;
    } cases[] = {
        {"nohdr.csv", "1.5\n", "expected a header of column names (time, and any of op, key, zone, size), got '1.5'"},
        {"notime.csv", "op\nread\n", "the header has no 'time' column"},
        {"twice.csv", "time,time\n1,2\n", "the header names 'time' twice"},
        {"bad.csv", "time,op\n1,read\nx,read\n", ":3: time: expected seconds (a number, at least 0), got 'x'"},
        {"back.csv", "time\n2\n1\n", ":3: times must not decrease: 1 after 2"},
        {"cols.csv", "time,op\n1\n", ":2: expected 2 values (as the header), got 1"},
        {"key.csv", "time,key\n1,-3\n", ":2: key: expected an integer from 0 to 2^64-1, got '-3'"},
        {"empty.csv", "time\n", "no requests in the trace"},
        {"obj.jsonl", "[1]\n", ":1: expected a JSON object on the line"},
        {"field.jsonl", "{\"time\": 1, \"when\": 2}\n", ":1: unknown field 'when' (expected time, op, key, zone, size)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *path = trace_file(cases[i].name, cases[i].text);
        char arrivals[512];
        snprintf(arrivals, sizeof arrivals, "{\"process\": \"trace\", \"file\": \"%s\"}", path);
        char *got = harness_refusal("t.json", trace_scenario("5s", "0s", arrivals, plain_app));
        if (!strstr(got, cases[i].message) || !strstr(got, "t.json: workload.arrivals.file: "))
            fail_msg("%s: wanted '%s'", cases[i].name, cases[i].message);
        free(got);
        unlink(path);
    }
    harness_refused("t.json", trace_scenario("5s", "0s", "{\"process\": \"trace\", \"file\": \"/nonexistent/x.csv\"}", plain_app),
                    "t.json: workload.arrivals.file: cannot read /nonexistent/x.csv: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_curve_offers_its_integral),
        cmocka_unit_test(the_intervals_cover),
        cmocka_unit_test(a_repeating_curve_offers_whole_periods),
        cmocka_unit_test(a_sinusoid_offers_its_integral),
        cmocka_unit_test(an_mmpp_has_its_mean_and_burstiness),
        cmocka_unit_test(bad_arrivals_name_the_path),
        cmocka_unit_test(a_trace_is_replayed_exactly),
        cmocka_unit_test(a_traces_lines_give_op_key_and_zone),
        cmocka_unit_test(bad_traces_name_the_file_and_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
