/* test_keys.c: key popularity. Zipf and uniform draws against the exact pmf (chi-squared,
 * fixed seeds, 0.99 level), ranges and top-rank frequencies at N = 10^8 and beyond, the
 * harmonic number against a direct sum, and the JSON errors. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>

#include "kernel/internal.h"
#include "load/loader.h"

static struct sim_keys *keys_of(const char *json, struct sim_loader **ld)
{
    char err[512] = "";
    *ld = sim__loader_parse("web.json", json, strlen(json), err, sizeof err);
    if (!*ld) fail_msg("unexpected error: %s", err);
    struct sim_keys *k = sim_cfg_keys(sim__loader_root(*ld), "keys");
    if (sim__loader_error(*ld)) fail_msg("unexpected error: %s", sim__loader_error(*ld));
    sim__loader_check_unread(*ld);
    assert_null(sim__loader_error(*ld));
    return k;
}

static void keys_fail(const char *json, const char *message)
{
    char err[512] = "";
    struct sim_loader *ld = sim__loader_parse("web.json", json, strlen(json), err, sizeof err);
    if (!ld) fail_msg("unexpected error: %s", err);
    struct sim_keys *k = sim_cfg_keys(sim__loader_root(ld), "keys");
    assert_non_null(k);
    assert_int_equal(sim_keys_count(k), 1); /* the stand-in: one key */
    const char *e = sim__loader_error(ld);
    if (!e) fail_msg("no error, expected: %s", message);
    assert_string_equal(e, message);
    sim__loader_destroy(ld);
}

/* Chi-squared of `draws` draws over every rank of a small key space, against pmf. */
static void fit(const char *json, const double *pmf, uint64_t seed, long draws)
{
    struct sim_loader *ld;
    struct sim_keys *k = keys_of(json, &ld);
    uint64_t n = sim_keys_count(k);
    long *count = calloc(n, sizeof *count);
    assert_non_null(count);
    struct sim_rng *r = sim__rng_create(seed);
    for (long i = 0; i < draws; i++) {
        uint64_t rank = sim_keys_draw(k, r);
        assert_true(rank < n);
        count[rank]++;
    }
    double chi2 = 0;
    for (uint64_t i = 0; i < n; i++) {
        assert_float_equal(sim_keys_probability(k, i), pmf[i], 1e-12 * pmf[i]);
        double e = pmf[i] * (double)draws;
        chi2 += (count[i] - e) * (count[i] - e) / e;
    }
    double p = gsl_cdf_chisq_Q(chi2, (double)(n - 1));
    printf("  %-60s chi2 %7.1f (%d df) p %.3f\n", json, chi2, (int)(n - 1), p);
    assert_true(p > 0.01);
    assert_true(sim_keys_probability(k, n) == 0);
    free(count);
    sim__rng_destroy(r);
    sim__loader_destroy(ld);
}

static void zipf_pmf(double *pmf, int n, double s)
{
    double h = 0;
    for (int k = n; k >= 1; k--) h += pow(k, -s);
    for (int k = 1; k <= n; k++) pmf[k - 1] = pow(k, -s) / h;
}

static void test_zipf_fit(void **state)
{
    (void)state;
    static const double exponents[] = {0.8, 1.0, 1.2};
    double pmf[1000];
    char json[128];
    for (int i = 0; i < 3; i++) {
        zipf_pmf(pmf, 1000, exponents[i]);
        snprintf(json, sizeof json,
                 "{\"keys\": {\"count\": 1000, \"popularity\": {\"dist\": \"zipf\", \"s\": %g}}}",
                 exponents[i]);
        fit(json, pmf, 100 + (uint64_t)i, 1000000);
    }
    /* A tiny key space and a steep exponent: ranks 1 and 2 carry the first hat's edges. */
    zipf_pmf(pmf, 3, 3.5);
    fit("{\"keys\": {\"count\": 3, \"popularity\": {\"dist\": \"zipf\", \"s\": 3.5}}}", pmf, 7,
        1000000);
}

static void test_uniform_fit(void **state)
{
    (void)state;
    double pmf[1000];
    for (int i = 0; i < 1000; i++) pmf[i] = 1e-3;
    fit("{\"keys\": {\"count\": 1000, \"popularity\": \"uniform\"}}", pmf, 200, 1000000);
    fit("{\"keys\": {\"count\": 1000, \"popularity\": {\"dist\": \"uniform\"}}}", pmf, 201, 1000000);
    fit("{\"keys\": {\"count\": 1000}}", pmf, 202, 1000000);
}

/* N = 10^8 (and 10^12): every draw in range, and the top ranks as often as the pmf says. */
static void test_large_key_spaces(void **state)
{
    (void)state;
    struct sim_loader *ld;
    struct sim_keys *k = keys_of(
        "{\"keys\": {\"count\": 100000000, \"popularity\": {\"dist\": \"zipf\", \"s\": 0.99}}}",
        &ld);
    assert_int_equal(sim_keys_count(k), 100000000);
    struct sim_rng *r = sim__rng_create(300);
    enum { DRAWS = 2000000, TOP = 10 };
    long top[TOP] = {0}, beyond_million = 0;
    uint64_t largest = 0;
    for (long i = 0; i < DRAWS; i++) {
        uint64_t rank = sim_keys_draw(k, r);
        assert_true(rank < 100000000);
        if (rank < TOP) top[rank]++;
        if (rank >= 1000000) beyond_million++;
        if (rank > largest) largest = rank;
    }
    for (int i = 0; i < TOP; i++) {
        double p = sim_keys_probability(k, (uint64_t)i), e = p * DRAWS;
        assert_true(fabs(top[i] - e) < 5 * sqrt(e * (1 - p)));
    }
    /* Roughly (H(10^8) - H(10^6)) / H(10^8) of the draws land past rank 10^6. */
    double tail = 0;
    for (uint64_t i = 0; i < 1000000; i++) tail += sim_keys_probability(k, i);
    tail = 1 - tail;
    printf("  N = 10^8: P(rank 0) %.5f seen %.5f; past 10^6: %.4f seen %.4f; largest %llu\n",
           sim_keys_probability(k, 0), (double)top[0] / DRAWS, tail,
           (double)beyond_million / DRAWS, (unsigned long long)largest);
    assert_true(fabs(beyond_million - tail * DRAWS) < 5 * sqrt(tail * DRAWS));
    assert_true(largest > 50000000); /* the far tail is reached */
    sim__loader_destroy(ld);

    k = keys_of("{\"keys\": {\"count\": 1000000000000, \"popularity\": {\"dist\": \"zipf\", "
                "\"s\": 1.2}}}",
                &ld);
    for (long i = 0; i < 100000; i++) assert_true(sim_keys_draw(k, r) < 1000000000000ULL);
    sim__loader_destroy(ld);

    k = keys_of("{\"keys\": {\"count\": 1000000000000}}", &ld);
    for (long i = 0; i < 100000; i++) assert_true(sim_keys_draw(k, r) < 1000000000000ULL);
    assert_float_equal(sim_keys_probability(k, 999999999999ULL), 1e-12, 1e-24);
    sim__loader_destroy(ld);
    sim__rng_destroy(r);
}

/* H(N, s) = 1 / P(rank 0): Euler-Maclaurin beyond the first terms, against a direct sum. */
static void test_harmonic(void **state)
{
    (void)state;
    static const double exponents[] = {0.5, 0.8, 0.99, 1.0, 1.01, 1.2, 2.0, 3.5};
    for (size_t i = 0; i < sizeof exponents / sizeof exponents[0]; i++) {
        double s = exponents[i], sum = 0, c = 0;
        for (long k = 1000000; k >= 1; k--) { /* Kahan, small terms first */
            double y = pow((double)k, -s) - c, t = sum + y;
            c = (t - sum) - y;
            sum = t;
        }
        char json[128];
        snprintf(json, sizeof json,
                 "{\"keys\": {\"count\": 1000000, \"popularity\": {\"dist\": \"zipf\", \"s\": %g}}}",
                 s);
        struct sim_loader *ld;
        struct sim_keys *k = keys_of(json, &ld);
        double h = 1 / sim_keys_probability(k, 0);
        printf("  s = %-4g H(10^6, s) = %.15g, direct sum %.15g\n", s, h, sum);
        assert_float_equal(h, sum, 1e-13 * sum);
        sim__loader_destroy(ld);
    }
}

static void test_probabilities_sum_to_one(void **state)
{
    (void)state;
    struct sim_loader *ld;
    struct sim_keys *k =
        keys_of("{\"keys\": {\"count\": 5000, \"popularity\": {\"dist\": \"zipf\", \"s\": 1}}}", &ld);
    assert_ptr_equal(k, sim_cfg_keys(sim__loader_root(ld), "keys")); /* read once, shared */
    double total = 0;
    for (uint64_t i = 0; i < 5000; i++) total += sim_keys_probability(k, i);
    assert_float_equal(total, 1, 1e-12);
    assert_true(sim_keys_probability(k, 0) > sim_keys_probability(k, 1));
    sim__loader_destroy(ld);
}

static void test_errors(void **state)
{
    (void)state;
    keys_fail("{\"keys\": {\"count\": 0}}",
              "web.json: keys.count: expected an integer from 1 to 1000000000000, got 0");
    keys_fail("{\"keys\": {\"count\": 1e13}}",
              "web.json: keys.count: expected an integer from 1 to 1000000000000, got 10000000000000");
    keys_fail("{\"keys\": {\"count\": 10.5}}",
              "web.json: keys.count: expected an integer from 1 to 1000000000000, got 10.5");
    keys_fail("{\"keys\": {}}",
              "web.json: keys.count: required field missing: expected an integer from 1 to "
              "1000000000000");
    keys_fail("{}", "web.json: keys: required field missing: expected an object");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": \"zipf\"}}",
              "web.json: keys.popularity: Zipf needs its exponent: write {\"dist\": \"zipf\", "
              "\"s\": 0.99}");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": \"unifrom\"}}",
              "web.json: keys.popularity: expected one of \"uniform\" or \"zipf\", got "
              "\"unifrom\" (did you mean 'uniform'?)");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": 3}}",
              "web.json: keys.popularity: expected \"uniform\" or an object such as {\"dist\": "
              "\"zipf\", \"s\": 0.99}, got 3");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": {\"dist\": \"zpif\", \"s\": 1}}}",
              "web.json: keys.popularity.dist: expected one of \"uniform\" or \"zipf\", got "
              "\"zpif\" (did you mean 'zipf'?)");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": {\"dist\": \"zipf\"}}}",
              "web.json: keys.popularity.s: required field missing: expected a positive number "
              "of at most 10");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": {\"dist\": \"zipf\", \"s\": 0}}}",
              "web.json: keys.popularity.s: expected a positive number of at most 10, got 0");
    keys_fail("{\"keys\": {\"count\": 10, \"popularity\": {\"dist\": \"zipf\", \"s\": 1, "
              "\"alpha\": 1}}}",
              "web.json: keys.popularity.alpha: unknown field");
    keys_fail("{\"keys\": {\"count\": 10, \"popularty\": \"uniform\"}}",
              "web.json: keys.popularty: unknown field (did you mean 'popularity'?)");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zipf_fit),
        cmocka_unit_test(test_uniform_fit),
        cmocka_unit_test(test_large_key_spaces),
        cmocka_unit_test(test_harmonic),
        cmocka_unit_test(test_probabilities_sum_to_one),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
