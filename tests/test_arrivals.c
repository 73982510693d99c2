/* test_arrivals.c: arrival processes whose rate varies, against their integrals. The count
 * of a non-homogeneous Poisson process over an interval is Poisson with mean the integral
 * of the rate over it: a curve's (piecewise linear: trapezoids), a repeating curve's (whole
 * periods), a sinusoid's (closed form); a Markov-modulated one (MMPP-2, on-off) has mean
 * rate sum(rate_i stay_i) / sum(stay_i) and the variance of its count over t is known in
 * closed form. Intervals are checked for coverage over many seeds, not one lucky seed. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_curve_offers_its_integral),
        cmocka_unit_test(the_intervals_cover),
        cmocka_unit_test(a_repeating_curve_offers_whole_periods),
        cmocka_unit_test(a_sinusoid_offers_its_integral),
        cmocka_unit_test(an_mmpp_has_its_mean_and_burstiness),
        cmocka_unit_test(bad_arrivals_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
