/* test_dist.c: every distribution against its exact CDF (chi-squared over 100 equiprobable
 * bins, 200k draws, fixed seeds, 0.99 level), its moments against the sample's, the
 * exponential's ziggurat more finely (2 x 10^6 draws, 1000 bins, the tail), parameter
 * conversions, descriptions, and every JSON error with its path. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "kernel/internal.h"
#include "load/loader.h"

#define BINS 100
#define DRAWS 200000
#define Z99 2.3263478740408408

typedef double (*cdf_fn)(double x, const double *p);

/* The distribution at "d" of json; the loader (to destroy) in *ld. */
static struct sim_dist *dist_of(const char *json, enum sim_quantity q, struct sim_loader **ld)
{
    char err[512] = "";
    *ld = sim__loader_parse("web.json", json, strlen(json), err, sizeof err);
    if (!*ld) fail_msg("unexpected error: %s", err);
    struct sim_dist *d = sim_cfg_dist(sim__loader_root(*ld), "d", q, NULL);
    if (sim__loader_error(*ld)) fail_msg("unexpected error: %s", sim__loader_error(*ld));
    sim__loader_check_unread(*ld);
    assert_null(sim__loader_error(*ld));
    return d;
}

/* Reading json fails with exactly this message. */
static void dist_fails(const char *json, enum sim_quantity q, const char *message)
{
    char err[512] = "";
    struct sim_loader *ld = sim__loader_parse("web.json", json, strlen(json), err, sizeof err);
    if (!ld) fail_msg("unexpected error: %s", err);
    struct sim_dist *d = sim_cfg_dist(sim__loader_root(ld), "d", q, NULL);
    assert_non_null(d);
    assert_true(sim_dist_draw(d, NULL) == 0); /* the stand-in draws nothing at all */
    const char *e = sim__loader_error(ld);
    if (!e) fail_msg("no error, expected: %s", message);
    assert_string_equal(e, message);
    sim__loader_destroy(ld);
}

/* Chi-squared of F(X) over equiprobable bins, and the first two moments against the
 * sample's within 5 standard errors (the variance's from the sample fourth moment). */
static void fit(const char *json, enum sim_quantity q, cdf_fn cdf, const double *p,
                uint64_t seed, bool check_variance)
{
    struct sim_loader *ld;
    struct sim_dist *d = dist_of(json, q, &ld);
    struct sim_rng *r = sim__rng_create(seed);
    long count[BINS] = {0};
    double mean = 0, m2 = 0;
    double xs_sum4 = 0;
    static double xs[DRAWS];
    for (int i = 0; i < DRAWS; i++) {
        double x = xs[i] = sim_dist_draw(d, r);
        assert_true(x >= 0);
        int b = (int)(cdf(x, p) * BINS);
        count[b < 0 ? 0 : b >= BINS ? BINS - 1 : b]++;
        double delta = x - mean;
        mean += delta / (i + 1);
        m2 += delta * (x - mean);
    }
    double var = m2 / (DRAWS - 1);
    for (int i = 0; i < DRAWS; i++) xs_sum4 += pow(xs[i] - mean, 4);
    double m4 = xs_sum4 / DRAWS;
    double chi2 = 0, e = (double)DRAWS / BINS;
    for (int b = 0; b < BINS; b++) chi2 += (count[b] - e) * (count[b] - e) / e;
    double pvalue = gsl_cdf_chisq_Q(chi2, BINS - 1);
    double want_mean = sim_dist_mean(d), want_var = sim_dist_variance(d);
    char desc[128];
    sim_dist_describe(d, desc, sizeof desc);
    printf("  %-44s chi2 %6.1f p %.3f  mean %.6g (%.6g)  var %.6g (%.6g)\n", desc, chi2, pvalue,
           mean, want_mean, var, want_var);
    assert_true(pvalue > 0.01);
    assert_true(fabs(mean - want_mean) < 5 * sqrt(want_var / DRAWS));
    if (check_variance) assert_true(fabs(var - want_var) < 5 * sqrt((m4 - var * var) / DRAWS));
    sim__rng_destroy(r);
    sim__loader_destroy(ld);
}

static double exp_cdf(double x, const double *p) { return gsl_cdf_exponential_P(x, p[0]); }
static double flat_cdf(double x, const double *p) { return gsl_cdf_flat_P(x, p[0], p[1]); }
static double lognormal_cdf(double x, const double *p) { return gsl_cdf_lognormal_P(x, p[0], p[1]); }
static double gamma_cdf(double x, const double *p) { return gsl_cdf_gamma_P(x, p[0], p[1]); }
static double weibull_cdf(double x, const double *p) { return gsl_cdf_weibull_P(x, p[1], p[0]); }
static double pareto_cdf(double x, const double *p) { return gsl_cdf_pareto_P(x, p[0], p[1]); }

/* Normal(mu, sd) conditioned on x >= 0. */
static double truncated_normal_cdf(double x, const double *p)
{
    double below = gsl_cdf_gaussian_P(-p[0], p[1]);
    return (gsl_cdf_gaussian_P(x - p[0], p[1]) - below) / (1 - below);
}

/* p = {p1, mean1, p2, mean2, ...} with p[0] the count of phases. */
static double hyperexp_cdf(double x, const double *p)
{
    double f = 0;
    for (int i = 0; i < (int)p[0]; i++) f += p[1 + 2 * i] * gsl_cdf_exponential_P(x, p[2 + 2 * i]);
    return f;
}

/* 0.7 x exp(mean 2ms) + 0.3 x uniform(5ms, 10ms) */
static double mixture_cdf(double x, const double *p)
{
    (void)p;
    return 0.7 * gsl_cdf_exponential_P(x, 0.002) + 0.3 * gsl_cdf_flat_P(x, 0.005, 0.010);
}

/* p = {n, q0, v0, q1, v1, ...}: piecewise linear between (value, percentile / 100). */
static double empirical_cdf(double x, const double *p)
{
    int n = (int)p[0];
    if (x <= p[2]) return 0;
    for (int i = 0; i + 1 < n; i++) {
        double q0 = p[1 + 2 * i] / 100, v0 = p[2 + 2 * i];
        double q1 = p[3 + 2 * i] / 100, v1 = p[4 + 2 * i];
        if (x <= v1) return q0 + (q1 - q0) * (x - v0) / (v1 - v0);
    }
    return 1;
}

static void test_exponential(void **state)
{
    (void)state;
    fit("{\"d\": {\"dist\": \"exp\", \"mean\": \"5ms\"}}", SIM_QTY_DURATION, exp_cdf,
        (double[]){0.005}, 1, true);
    fit("{\"d\": {\"dist\": \"exponential\", \"rate\": 200}}", SIM_QTY_DURATION, exp_cdf,
        (double[]){0.005}, 2, true);
    fit("{\"d\": {\"dist\": \"exp\", \"mean\": 3}}", SIM_QTY_NUMBER, exp_cdf, (double[]){3}, 3,
        true);
}

/* The ziggurat behind every exponential draw (sim/kernel/ziggurat.c), finer than fit():
 * 2 x 10^6 draws over 1000 equiprobable bins (a wrong layer edge shows as a step), the mean
 * and variance (1, and 1 with the sample variance's variance 8 / n) within 5 standard
 * errors, the share beyond the tail's start r = 7.697 (e^-r: the tail draws) and beyond
 * 2r within 5 binomial standard errors, and the excess over r of the tail draws, which
 * must be exponential again (chi-squared over 10 bins). */
static void test_exponential_ziggurat(void **state)
{
    (void)state;
    enum { N = 2000000, FINE = 1000, TAIL_BINS = 10 };
    const double r = 7.69711747013104972;
    static long count[FINE];
    long tail_count[TAIL_BINS] = {0}, beyond_r = 0, beyond_2r = 0;
    struct sim_rng *rng = sim__rng_create(sim__stream_seed(11, 0, "server", "service"));
    double mean = 0, m2 = 0;
    for (long i = 0; i < N; i++) {
        double x = sim_exponential(rng);
        assert_true(x >= 0 && isfinite(x));
        int b = (int)(gsl_cdf_exponential_P(x, 1) * FINE);
        count[b >= FINE ? FINE - 1 : b]++;
        double delta = x - mean;
        mean += delta / (double)(i + 1);
        m2 += delta * (x - mean);
        if (x > r) {
            beyond_r++;
            int t = (int)(gsl_cdf_exponential_P(x - r, 1) * TAIL_BINS);
            tail_count[t >= TAIL_BINS ? TAIL_BINS - 1 : t]++;
        }
        if (x > 2 * r) beyond_2r++;
    }
    double chi2 = 0, e = (double)N / FINE;
    for (int b = 0; b < FINE; b++) chi2 += (count[b] - e) * (count[b] - e) / e;
    double tail_chi2 = 0, te = (double)beyond_r / TAIL_BINS;
    for (int b = 0; b < TAIL_BINS; b++) tail_chi2 += (tail_count[b] - te) * (tail_count[b] - te) / te;
    double var = m2 / (N - 1), pr = exp(-r), p2r = exp(-2 * r);
    printf("  ziggurat: chi2 %.1f on %d bins p %.3f; mean %.6f var %.6f; beyond r %ld (%.1f)"
           ", beyond 2r %ld (%.3f); tail excess chi2 %.1f p %.3f\n",
           chi2, FINE, gsl_cdf_chisq_Q(chi2, FINE - 1), mean, var, beyond_r, N * pr, beyond_2r,
           N * p2r, tail_chi2, gsl_cdf_chisq_Q(tail_chi2, TAIL_BINS - 1));
    assert_true(gsl_cdf_chisq_Q(chi2, FINE - 1) > 0.01);
    assert_true(fabs(mean - 1) < 5 * sqrt(1.0 / N));
    assert_true(fabs(var - 1) < 5 * sqrt(8.0 / N));
    assert_true(fabs((double)beyond_r - N * pr) < 5 * sqrt(N * pr * (1 - pr)));
    assert_true(fabs((double)beyond_2r - N * p2r) < 5 * sqrt(N * p2r * (1 - p2r)) + 1);
    assert_true(gsl_cdf_chisq_Q(tail_chi2, TAIL_BINS - 1) > 0.01);
    sim__rng_destroy(rng);
}

static void test_uniform(void **state)
{
    (void)state;
    fit("{\"d\": {\"dist\": \"uniform\", \"min\": \"1ms\", \"max\": \"9ms\"}}", SIM_QTY_DURATION,
        flat_cdf, (double[]){0.001, 0.009}, 4, true);
}

static void test_normal(void **state)
{
    (void)state;
    /* Truncation at 0 matters here: one sd below the mean is 0. */
    fit("{\"d\": {\"dist\": \"normal\", \"mean\": \"2ms\", \"sd\": \"2ms\"}}", SIM_QTY_DURATION,
        truncated_normal_cdf, (double[]){0.002, 0.002}, 5, true);
    fit("{\"d\": {\"dist\": \"normal\", \"mean\": 10, \"sd\": 1}}", SIM_QTY_NUMBER,
        truncated_normal_cdf, (double[]){10, 1}, 6, true);
}

static void test_lognormal(void **state)
{
    (void)state;
    /* mean 4ms, sd 3ms: sigma^2 = ln(1 + (3/4)^2), zeta = ln(4ms) - sigma^2 / 2 */
    double s2 = log(1 + 0.5625);
    fit("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"sd\": \"3ms\"}}",
        SIM_QTY_DURATION, lognormal_cdf, (double[]){log(0.004) - s2 / 2, sqrt(s2)}, 7, true);
    /* median 4ms, p99 20ms: zeta = ln(4ms), sigma = ln(5) / z99 */
    fit("{\"d\": {\"dist\": \"lognormal\", \"median\": \"4ms\", \"p99\": \"20ms\"}}",
        SIM_QTY_DURATION, lognormal_cdf, (double[]){log(0.004), log(5) / Z99}, 8, true);
    /* mean 4ms, p99 20ms: sigma = z - sqrt(z^2 - 2 ln(p99 / mean)) */
    double sigma = Z99 - sqrt(Z99 * Z99 - 2 * log(5));
    fit("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"p99\": \"20ms\"}}",
        SIM_QTY_DURATION, lognormal_cdf, (double[]){log(0.004) - sigma * sigma / 2, sigma}, 9,
        true);
}

/* The conversions seen from outside: the moments give back sigma and zeta, and those give
 * the percentiles that were asked for. */
static void test_lognormal_conversions(void **state)
{
    (void)state;
    struct sim_loader *ld;
    struct sim_dist *d =
        dist_of("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"sd\": \"3ms\"}}",
                SIM_QTY_DURATION, &ld);
    assert_float_equal(sim_dist_mean(d), 0.004, 1e-15);
    assert_float_equal(sqrt(sim_dist_variance(d)), 0.003, 1e-15);
    sim__loader_destroy(ld);

    static const char *const by_p99[] = {
        "{\"d\": {\"dist\": \"lognormal\", \"median\": \"4ms\", \"p99\": \"20ms\"}}",
        "{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"p99\": \"20ms\"}}",
    };
    for (int i = 0; i < 2; i++) {
        d = dist_of(by_p99[i], SIM_QTY_DURATION, &ld);
        double m = sim_dist_mean(d), v = sim_dist_variance(d);
        double sig2 = log1p(v / (m * m)), zeta = log(m) - sig2 / 2;
        assert_float_equal(gsl_cdf_lognormal_P(0.020, zeta, sqrt(sig2)), 0.99, 1e-9);
        if (i == 0) assert_float_equal(exp(zeta), 0.004, 1e-12);
        else assert_float_equal(m, 0.004, 1e-15);
        sim__loader_destroy(ld);
    }

    /* The largest p99 for a mean: mean * exp(z^2 / 2), about 14.97 times the mean. */
    d = dist_of("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"p99\": \"59.8ms\"}}",
                SIM_QTY_DURATION, &ld);
    sim__loader_destroy(ld);
    dist_fails("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"p99\": \"100ms\"}}",
               SIM_QTY_DURATION,
               "web.json: d.p99: no lognormal has this mean and a p99 of 100ms: the largest p99 "
               "possible for that mean is 59.8ms");
    dist_fails("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"p99\": \"3ms\"}}",
               SIM_QTY_DURATION,
               "web.json: d.p99: expected a value greater than the mean for a lognormal");
    dist_fails("{\"d\": {\"dist\": \"lognormal\", \"median\": \"4ms\", \"p99\": \"4ms\"}}",
               SIM_QTY_DURATION, "web.json: d.p99: expected a value greater than the median");
    dist_fails("{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"sd\": \"1ms\", "
               "\"p99\": \"9ms\"}}",
               SIM_QTY_DURATION,
               "web.json: d: expected exactly one pair of parameters: \"mean\" and \"sd\", "
               "\"median\" and \"p99\", or \"mean\" and \"p99\"");
    dist_fails("{\"d\": {\"dist\": \"lognormal\", \"median\": \"4ms\", \"p95\": \"9ms\"}}",
               SIM_QTY_DURATION, "web.json: d.p95: unknown field (did you mean 'p99'?)");
}

static void test_gamma_weibull_pareto(void **state)
{
    (void)state;
    fit("{\"d\": {\"dist\": \"gamma\", \"shape\": 2.5, \"mean\": \"10ms\"}}", SIM_QTY_DURATION,
        gamma_cdf, (double[]){2.5, 0.004}, 10, true);
    fit("{\"d\": {\"dist\": \"gamma\", \"shape\": 0.5, \"scale\": 2}}", SIM_QTY_NUMBER,
        gamma_cdf, (double[]){0.5, 2}, 11, true);
    fit("{\"d\": {\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": \"10ms\"}}",
        SIM_QTY_DURATION, weibull_cdf, (double[]){1.5, 0.010}, 12, true);
    fit("{\"d\": {\"dist\": \"weibull\", \"shape\": 0.7, \"scale\": 4}}", SIM_QTY_NUMBER,
        weibull_cdf, (double[]){0.7, 4}, 13, true);
    fit("{\"d\": {\"dist\": \"pareto\", \"shape\": 5, \"scale\": \"1ms\"}}", SIM_QTY_DURATION,
        pareto_cdf, (double[]){5, 0.001}, 21, true); /* seed 14 is among the 1% at p < 0.01 */
    /* shape 2.5: the mean exists, the fourth moment does not: check the fit and the mean. */
    fit("{\"d\": {\"dist\": \"pareto\", \"shape\": 2.5, \"scale\": \"1ms\"}}", SIM_QTY_DURATION,
        pareto_cdf, (double[]){2.5, 0.001}, 15, false);

    struct sim_loader *ld;
    struct sim_dist *d = dist_of("{\"d\": {\"dist\": \"pareto\", \"shape\": 2, \"scale\": 1}}",
                                 SIM_QTY_NUMBER, &ld);
    assert_float_equal(sim_dist_mean(d), 2, 1e-15);
    assert_true(isinf(sim_dist_variance(d)));
    sim__loader_destroy(ld);
    d = dist_of("{\"d\": {\"dist\": \"pareto\", \"shape\": 1, \"scale\": 1}}", SIM_QTY_NUMBER,
                &ld);
    assert_true(isinf(sim_dist_mean(d)) && isinf(sim_dist_variance(d)));
    sim__loader_destroy(ld);
    d = dist_of("{\"d\": {\"dist\": \"weibull\", \"shape\": 1, \"scale\": \"5ms\"}}",
                SIM_QTY_DURATION, &ld);
    assert_float_equal(sim_dist_mean(d), 0.005, 1e-15); /* shape 1: exponential */
    assert_float_equal(sim_dist_variance(d), 0.005 * 0.005, 1e-15);
    sim__loader_destroy(ld);
}

static void test_hyperexp_mixture(void **state)
{
    (void)state;
    fit("{\"d\": {\"dist\": \"hyperexp\", \"phases\": [{\"p\": 0.9, \"mean\": \"1ms\"}, "
        "{\"p\": 0.1, \"mean\": \"50ms\"}]}}",
        SIM_QTY_DURATION, hyperexp_cdf, (double[]){2, 0.9, 0.001, 0.1, 0.050}, 16, true);
    fit("{\"d\": {\"dist\": \"mixture\", \"of\": [{\"weight\": 7, \"value\": {\"dist\": \"exp\", "
        "\"mean\": \"2ms\"}}, {\"weight\": 3, \"value\": {\"dist\": \"uniform\", \"min\": "
        "\"5ms\", \"max\": \"10ms\"}}]}}",
        SIM_QTY_DURATION, mixture_cdf, NULL, 17, true);
}

static void test_empirical(void **state)
{
    (void)state;
    fit("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\", \"50\": \"4ms\", "
        "\"90\": \"10ms\", \"99\": \"20ms\", \"99.9\": \"45ms\", \"100\": \"50ms\"}}}",
        SIM_QTY_DURATION, empirical_cdf,
        (double[]){6, 0, 0.001, 50, 0.004, 90, 0.010, 99, 0.020, 99.9, 0.045, 100, 0.050}, 18,
        true);
    /* Moments exact for the piecewise-uniform shape: uniform(0, 10) in two pieces. */
    struct sim_loader *ld;
    struct sim_dist *d = dist_of("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": 0, "
                                 "\"30\": 3, \"100\": 10}}}",
                                 SIM_QTY_NUMBER, &ld);
    assert_float_equal(sim_dist_mean(d), 5, 1e-12);
    assert_float_equal(sim_dist_variance(d), 100.0 / 12, 1e-12);
    sim__loader_destroy(ld);
}

static void test_constant(void **state)
{
    (void)state;
    struct sim_loader *ld;
    struct sim_rng *r = sim__rng_create(19);
    struct sim_dist *d = dist_of("{\"d\": \"1.5ms\"}", SIM_QTY_DURATION, &ld);
    assert_true(sim_dist_draw(d, r) == 0.0015);
    assert_int_equal(sim_dist_draw_time(d, r), 1500 * SIM_US);
    assert_true(sim_dist_mean(d) == 0.0015 && sim_dist_variance(d) == 0);
    assert_false(sim_dist_is_zero(d));
    sim__loader_destroy(ld);

    d = dist_of("{\"d\": {\"dist\": \"constant\", \"value\": \"0s\"}}", SIM_QTY_DURATION, &ld);
    assert_true(sim_dist_is_zero(d));
    assert_int_equal(sim_dist_draw_time(d, r), 0);
    sim__loader_destroy(ld);

    d = dist_of("{\"d\": 2.5}", SIM_QTY_NUMBER, &ld);
    assert_true(sim_dist_draw(d, r) == 2.5);
    sim__loader_destroy(ld);

    /* Draws in ns are clamped to 10^18. */
    d = dist_of("{\"d\": \"2000000000s\"}", SIM_QTY_DURATION, &ld);
    assert_int_equal(sim_dist_draw_time(d, r), 1000000000000000000LL);
    sim__loader_destroy(ld);
    sim__rng_destroy(r);
}

static void test_draw_time_rounds(void **state)
{
    (void)state;
    struct sim_loader *ld;
    struct sim_rng *r = sim__rng_create(20);
    struct sim_dist *d =
        dist_of("{\"d\": {\"dist\": \"uniform\", \"min\": \"0s\", \"max\": \"10ns\"}}",
                SIM_QTY_DURATION, &ld);
    long hist[11] = {0};
    for (int i = 0; i < 110000; i++) {
        sim_time t = sim_dist_draw_time(d, r);
        assert_true(t >= 0 && t <= 10);
        hist[t]++;
    }
    /* Rounding to nearest: the end values get half the weight of the others. */
    assert_true(hist[0] > 4000 && hist[0] < 7000 && hist[10] > 4000 && hist[10] < 7000);
    assert_true(hist[5] > 9500 && hist[5] < 12500);
    sim__loader_destroy(ld);
    sim__rng_destroy(r);
}

static void test_fallback_and_required(void **state)
{
    (void)state;
    char err[256];
    const char *json = "{\"app\": {}}";
    struct sim_loader *ld = sim__loader_parse("web.json", json, strlen(json), err, sizeof err);
    struct sim_cfg *app = sim_cfg_object(sim__loader_root(ld), "app", true);
    struct sim_dist *d = sim_cfg_dist(app, "delay", SIM_QTY_DURATION, "\"0s\"");
    assert_true(sim_dist_is_zero(d));
    d = sim_cfg_dist(app, "think", SIM_QTY_DURATION, "{\"dist\": \"exp\", \"mean\": \"1s\"}");
    assert_float_equal(sim_dist_mean(d), 1, 1e-15);
    /* Read again (the next replication): the same object, nothing new allocated. */
    assert_ptr_equal(d, sim_cfg_dist(app, "think", SIM_QTY_DURATION,
                                     "{\"dist\": \"exp\", \"mean\": \"1s\"}"));
    sim__loader_check_unread(ld);
    assert_null(sim__loader_error(ld));
    d = sim_cfg_dist(app, "service_time", SIM_QTY_DURATION, NULL);
    assert_true(sim_dist_is_zero(d));
    assert_string_equal(sim__loader_error(ld),
                        "web.json: app.service_time: required field missing: expected a "
                        "distribution (a duration such as \"5ms\", or an object with \"dist\")");
    /* After an error every read gives the stand-in. */
    d = sim_cfg_dist(app, "delay", SIM_QTY_DURATION, "\"5ms\"");
    assert_true(sim_dist_is_zero(d));
    sim__loader_destroy(ld);
}

static void test_describe(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        enum sim_quantity q;
        const char *text;
    } cases[] = {
        {"{\"d\": \"5ms\"}", SIM_QTY_DURATION, "5ms"},
        {"{\"d\": 0.25}", SIM_QTY_NUMBER, "0.25"},
        {"{\"d\": {\"dist\": \"exp\", \"mean\": \"5ms\"}}", SIM_QTY_DURATION, "exp(mean 5ms)"},
        {"{\"d\": {\"dist\": \"exp\", \"rate\": 200}}", SIM_QTY_DURATION, "exp(rate 200/s)"},
        {"{\"d\": {\"dist\": \"lognormal\", \"mean\": \"4ms\", \"p99\": \"20ms\"}}",
         SIM_QTY_DURATION, "lognormal(mean 4ms, p99 20ms)"},
        {"{\"d\": {\"dist\": \"uniform\", \"min\": \"250us\", \"max\": \"1.5s\"}}",
         SIM_QTY_DURATION, "uniform(min 250us, max 1.5s)"},
        {"{\"d\": {\"dist\": \"normal\", \"mean\": \"5ms\", \"sd\": \"1ms\"}}", SIM_QTY_DURATION,
         "normal(mean 5ms, sd 1ms)"},
        {"{\"d\": {\"dist\": \"gamma\", \"shape\": 2, \"mean\": \"5ms\"}}", SIM_QTY_DURATION,
         "gamma(shape 2, mean 5ms)"},
        {"{\"d\": {\"dist\": \"weibull\", \"shape\": 1.5, \"scale\": 3}}", SIM_QTY_NUMBER,
         "weibull(shape 1.5, scale 3)"},
        {"{\"d\": {\"dist\": \"pareto\", \"shape\": 2.5, \"scale\": \"1ms\"}}", SIM_QTY_DURATION,
         "pareto(shape 2.5, scale 1ms)"},
        {"{\"d\": {\"dist\": \"hyperexp\", \"phases\": [{\"p\": 0.9, \"mean\": \"1ms\"}, "
         "{\"p\": 0.1, \"mean\": \"50ms\"}]}}",
         SIM_QTY_DURATION, "hyperexp(0.9: 1ms, 0.1: 50ms)"},
        {"{\"d\": {\"dist\": \"mixture\", \"of\": [{\"weight\": 3, \"value\": \"1ms\"}, "
         "{\"weight\": 1, \"value\": {\"dist\": \"exp\", \"mean\": \"9ms\"}}]}}",
         SIM_QTY_DURATION, "mixture(0.75: 1ms, 0.25: exp(mean 9ms))"},
        {"{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\", \"99\": \"20ms\", "
         "\"100\": \"50ms\"}}}",
         SIM_QTY_DURATION, "empirical(p0 1ms, p99 20ms, p100 50ms)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sim_loader *ld;
        struct sim_dist *d = dist_of(cases[i].json, cases[i].q, &ld);
        char buf[128];
        sim_dist_describe(d, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
        sim__loader_destroy(ld);
    }
}

static void test_errors(void **state)
{
    (void)state;
    const enum sim_quantity D = SIM_QTY_DURATION, N = SIM_QTY_NUMBER;
    dist_fails("{\"d\": {\"dist\": \"lognormall\", \"mean\": \"4ms\"}}", D,
               "web.json: d.dist: expected one of \"constant\", \"exp\", \"exponential\", "
               "\"uniform\", \"normal\", \"lognormal\", \"gamma\", \"weibull\", \"pareto\", "
               "\"hyperexp\", \"mixture\" or \"empirical\", got \"lognormall\" (did you mean "
               "'lognormal'?)");
    dist_fails("{\"d\": {\"mean\": \"4ms\"}}", D,
               "web.json: d.dist: required field missing: expected one of \"constant\", \"exp\", "
               "\"exponential\", \"uniform\", \"normal\", \"lognormal\", \"gamma\", \"weibull\", "
               "\"pareto\", \"hyperexp\", \"mixture\" or \"empirical\"");
    dist_fails("{\"d\": 5}", D, "web.json: d: expected a duration with a unit, such as \"5ms\", got 5");
    dist_fails("{\"d\": \"5 ms\"}", D,
               "web.json: d: expected a duration with a unit (ns, us, ms, s, m or h), such as "
               "\"5ms\", got \"5 ms\"");
    dist_fails("{\"d\": [1]}", D,
               "web.json: d: expected a distribution (a duration such as \"5ms\", or an object "
               "with \"dist\"), got [1]");
    dist_fails("{\"d\": \"5ms\"}", N,
               "web.json: d: expected a distribution (a number, or an object with \"dist\"), got "
               "\"5ms\"");
    dist_fails("{\"d\": -1}", N, "web.json: d: expected a non-negative number, got -1");
    dist_fails("{\"d\": {\"dist\": \"exp\"}}", D,
               "web.json: d.mean: required field missing: expected a positive duration (or "
               "\"rate\", per second)");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"mena\": \"5ms\"}}", D,
               "web.json: d.mena: unknown field (did you mean 'mean'?)");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"mean\": \"5ms\", \"rate\": 3}}", D,
               "web.json: d: expected \"mean\" or \"rate\", not both");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"mean\": \"5ms\", \"sd\": \"1ms\"}}", D,
               "web.json: d.sd: unknown field");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"mean\": \"0s\"}}", D,
               "web.json: d.mean: expected a positive duration, got \"0s\"");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"mean\": 5}}", D,
               "web.json: d.mean: expected a duration with a unit, such as \"5ms\", got 5");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"mean\": 0}}", N,
               "web.json: d.mean: expected a positive number, got 0");
    dist_fails("{\"d\": {\"dist\": \"exp\", \"rate\": -2}}", D,
               "web.json: d.rate: expected a positive number, got -2");
    dist_fails("{\"d\": {\"dist\": \"uniform\", \"min\": \"5ms\", \"max\": \"1ms\"}}", D,
               "web.json: d.max: expected a value of at least min (5ms), got 1ms");
    dist_fails("{\"d\": {\"dist\": \"uniform\", \"min\": \"5ms\"}}", D,
               "web.json: d.max: required field missing: expected a non-negative duration");
    dist_fails("{\"d\": {\"dist\": \"normal\", \"mean\": \"5ms\", \"sd\": \"0s\"}}", D,
               "web.json: d.sd: expected a positive duration, got \"0s\"");
    dist_fails("{\"d\": {\"dist\": \"gamma\", \"shape\": 0, \"mean\": \"5ms\"}}", D,
               "web.json: d.shape: expected a positive number, got 0");
    dist_fails("{\"d\": {\"dist\": \"gamma\", \"shape\": 2}}", D,
               "web.json: d: expected exactly one of \"mean\" and \"scale\" with \"shape\"");
    dist_fails("{\"d\": {\"dist\": \"gamma\", \"shape\": \"2\", \"scale\": \"1ms\"}}", D,
               "web.json: d.shape: expected a positive number, got \"2\"");
    dist_fails("{\"d\": {\"dist\": \"weibull\", \"shape\": 2}}", D,
               "web.json: d.scale: required field missing: expected a positive duration");
    dist_fails("{\"d\": {\"dist\": \"pareto\", \"shape\": 2, \"scale\": \"-1ms\"}}", D,
               "web.json: d.scale: expected a positive duration, got \"-1ms\"");
    dist_fails("{\"d\": {\"dist\": \"hyperexp\", \"phases\": [{\"p\": 0.9, \"mean\": \"1ms\"}, "
               "{\"p\": 0.2, \"mean\": \"50ms\"}]}}",
               D, "web.json: d.phases: expected the probabilities \"p\" to add up to 1, got 1.1");
    dist_fails("{\"d\": {\"dist\": \"hyperexp\", \"phases\": [{\"p\": 1, \"mean\": \"1ms\", "
               "\"rate\": 5}]}}",
               D, "web.json: d.phases.0.rate: unknown field");
    dist_fails("{\"d\": {\"dist\": \"hyperexp\", \"phases\": []}}", D,
               "web.json: d.phases: expected a non-empty array, got []");
    dist_fails("{\"d\": {\"dist\": \"hyperexp\"}}", D,
               "web.json: d.phases: required field missing: expected a non-empty array");
    dist_fails("{\"d\": {\"dist\": \"mixture\", \"of\": [{\"weight\": 1, \"value\": \"1ms\"}, "
               "{\"weight\": 0, \"value\": \"2ms\"}]}}",
               D, "web.json: d.of.1.weight: expected a positive number, got 0");
    dist_fails("{\"d\": {\"dist\": \"mixture\", \"of\": [{\"weight\": 1, \"value\": {\"dist\": "
               "\"exp\", \"mean\": \"-1ms\"}}]}}",
               D,
               "web.json: d.of.0.value.mean: expected a positive duration, got \"-1ms\"");
    dist_fails("{\"d\": {\"dist\": \"mixture\", \"of\": [{\"weight\": 1}]}}", D,
               "web.json: d.of.0.value: required field missing: expected a distribution (a "
               "duration such as \"5ms\", or an object with \"dist\")");
    dist_fails("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\", \"99\": "
               "\"20ms\"}}}",
               D, "web.json: d.percentiles.99: expected the last percentile to be \"100\"");
    dist_fails("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"1\": \"1ms\", \"100\": "
               "\"20ms\"}}}",
               D, "web.json: d.percentiles.1: expected the first percentile to be \"0\"");
    dist_fails("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\", \"90\": "
               "\"9ms\", \"50\": \"5ms\", \"100\": \"20ms\"}}}",
               D,
               "web.json: d.percentiles.50: expected percentiles in increasing order: 50 comes "
               "after 90");
    dist_fails("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\", \"50\": "
               "\"9ms\", \"90\": \"5ms\", \"100\": \"20ms\"}}}",
               D, "web.json: d.percentiles.90: expected a value of at least that of percentile 50");
    dist_fails("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\", \"p50\": "
               "\"9ms\", \"100\": \"20ms\"}}}",
               D, "web.json: d.percentiles.p50: expected a percentile from 0 to 100 as the key");
    dist_fails("{\"d\": {\"dist\": \"empirical\", \"percentiles\": {\"0\": \"1ms\"}}}", D,
               "web.json: d.percentiles: expected an object with at least the percentiles "
               "\"0\" and \"100\", got {\"0\":\"1ms\"}");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exponential),
        cmocka_unit_test(test_exponential_ziggurat),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_lognormal_conversions),
        cmocka_unit_test(test_gamma_weibull_pareto),
        cmocka_unit_test(test_hyperexp_mixture),
        cmocka_unit_test(test_empirical),
        cmocka_unit_test(test_constant),
        cmocka_unit_test(test_draw_time_rounds),
        cmocka_unit_test(test_fallback_and_required),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
