/* test_rng.c: the streams' generator, xoshiro256++ (sim/kernel/xoshiro.h, rng.c). Its
 * output against the authors' reference implementation from fixed states; the seeding
 * (splitmix64 from the stream's 64-bit seed) against splitmix64's known outputs; the GSL
 * generator type drawing from the stream's own state; the bounds of sim_uniform; and
 * uniformity: chi-squared over equiprobable bins (fixed seeds, 0.99 level) and the first
 * two moments within 5 standard errors, for sim_uniform, gsl_rng_uniform, sim_uniform_int
 * and successive pairs. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "kernel/internal.h"
#include "kernel/rng_gsl.h"
#include "kernel/xoshiro.h"

#define DRAWS 1000000

/* The first outputs of the authors' xoshiro256plusplus.c from the state {1, 2, 3, 4} (the
 * same vector the Rust rand_xoshiro crate checks) and from {0, 0, 0, 1}. The first of each
 * follows by hand: rotl(1 + 4, 23) + 1 = 41943041, rotl(0 + 1, 23) + 0 = 0x800000. */
static void known_answers(void **state)
{
    (void)state;
    static const uint64_t from_1234[10] = {
        41943041ULL, 58720359ULL, 3588806011781223ULL, 3591011842654386ULL,
        9228616714210784205ULL, 9973669472204895162ULL, 14011001112246962877ULL,
        12406186145184390807ULL, 15849039046786891736ULL, 10450023813501588000ULL};
    static const uint64_t from_0001[10] = {
        0x800000ULL, 0x800011ULL, 0x2200000800011ULL, 0x2200044000020ULL,
        0x22000448008A1ULL, 0x1102100802208A0ULL, 0x114002284200880ULL,
        0x402896644A64095ULL, 0x8A14A0A244ACC891ULL, 0x8C88BA4680B20495ULL};
    uint64_t s[4] = {1, 2, 3, 4}, t[4] = {0, 0, 0, 1};
    for (int i = 0; i < 10; i++) {
        assert_true(sim__xoshiro_next(s) == from_1234[i]);
        assert_true(sim__xoshiro_next(t) == from_0001[i]);
    }
}

/* Seeding is splitmix64 from the seed: from 0 its outputs are the published
 * 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f, 0xf88bb8a8724c81ec. A world's
 * stream and a GSL generator of the type, set with the same seed, draw the same numbers. */
static void seeding(void **state)
{
    (void)state;
    uint64_t s[4];
    sim__xoshiro_seed(s, 0);
    assert_true(s[0] == 0xe220a8397b1dcdafULL && s[1] == 0x6e789e6aa1b965f4ULL);
    assert_true(s[2] == 0x06c45d188009454fULL && s[3] == 0xf88bb8a8724c81ecULL);

    uint64_t seed = sim__stream_seed(1, 0, "server", "service");
    struct sim_rng *r = sim__rng_create(seed);
    gsl_rng *g = gsl_rng_alloc(sim__rng_xoshiro256pp);
    gsl_rng_set(g, (unsigned long)seed);
    sim__xoshiro_seed(s, seed);
    for (int i = 0; i < 1000; i++) {
        uint64_t x = sim__xoshiro_next(s);
        assert_true(gsl_rng_get(g) == (unsigned long)(x >> 32));
        assert_true(sim_uniform(r) == ((double)(x >> 12) + 0.5) * 0x1p-52);
    }
    gsl_rng_free(g);
    sim__rng_destroy(r);
}

/* GSL's samplers draw from the stream's state itself: a GSL draw advances the stream. */
static void gsl_draws_from_the_stream(void **state)
{
    (void)state;
    struct sim_rng *r = sim__rng_create(42), *twin = sim__rng_create(42);
    gsl_rng *g = sim_rng_gsl(r);
    assert_string_equal(gsl_rng_name(g), "xoshiro256++");
    assert_string_equal(sim__rng_generator_name(), "xoshiro256++");
    assert_true(gsl_rng_max(g) == 0xffffffffUL && gsl_rng_min(g) == 0);
    for (int i = 0; i < 100; i++) {
        double u = gsl_rng_uniform(g);
        double v = sim_uniform(twin);
        assert_true(fabs(u - v) < 0x1p-51); /* the same draw, 53 bits against 52 and a half */
        assert_true(sim_uniform(r) == sim_uniform(twin));
    }
    sim__rng_destroy(r);
    sim__rng_destroy(twin);
}

/* The extreme outputs, 0 and 2^64 - 1, give the ends of (0, 1), never 0 or 1. */
static void uniform_never_reaches_its_ends(void **state)
{
    (void)state;
    uint64_t zero[4] = {0, 1, 0, 0}, ones[4] = {0, 0, 0, UINT64_MAX};
    assert_true(sim__xoshiro_uniform_pos(zero) == 0x1p-53);
    assert_true(sim__xoshiro_uniform_pos(ones) == 1 - 0x1p-53);
}

/* Chi-squared of counts over n equiprobable bins; asserts p > 0.01. */
static void chi2_fits(const long *count, int n, long draws, const char *what)
{
    double chi2 = 0, e = (double)draws / n;
    for (int b = 0; b < n; b++) chi2 += (count[b] - e) * (count[b] - e) / e;
    double p = gsl_cdf_chisq_Q(chi2, n - 1);
    printf("  %-36s chi2 %8.1f on %4d bins, p %.3f\n", what, chi2, n, p);
    assert_true(p > 0.01);
}

/* sim_uniform and gsl_rng_uniform: 1000 bins, mean 1/2 and variance 1/12 within 5
 * standard errors (the variance's from the fourth central moment, 1/80). */
static void uniform_fits(void **state)
{
    (void)state;
    static long count[1000];
    for (int which = 0; which < 2; which++) {
        memset(count, 0, sizeof count);
        struct sim_rng *r = sim__rng_create(sim__stream_seed(7, 0, "@workload", "arrivals"));
        double sum = 0, sum2 = 0;
        for (long i = 0; i < DRAWS; i++) {
            double u = which ? gsl_rng_uniform(sim_rng_gsl(r)) : sim_uniform(r);
            assert_true(u >= 0 && u < 1 && (which || u > 0));
            count[(int)(u * 1000)]++;
            sum += u;
            sum2 += (u - 0.5) * (u - 0.5);
        }
        chi2_fits(count, 1000, DRAWS, which ? "gsl_rng_uniform" : "sim_uniform");
        double mean = sum / DRAWS, var = sum2 / DRAWS;
        assert_true(fabs(mean - 0.5) < 5 * sqrt(1.0 / 12 / DRAWS));
        assert_true(fabs(var - 1.0 / 12) < 5 * sqrt((1.0 / 80 - 1.0 / 144) / DRAWS));
        sim__rng_destroy(r);
    }
}

/* Successive draws are independent: pairs over a 32 x 32 grid. */
static void pairs_fit(void **state)
{
    (void)state;
    static long count[32 * 32];
    struct sim_rng *r = sim__rng_create(sim__stream_seed(3, 1, "db", "service"));
    for (long i = 0; i < DRAWS; i++) {
        int a = (int)(sim_uniform(r) * 32), b = (int)(sim_uniform(r) * 32);
        count[a * 32 + b]++;
    }
    chi2_fits(count, 32 * 32, DRAWS, "successive pairs");
    sim__rng_destroy(r);
}

/* sim_uniform_int over a small range, one that is not a power of two, and one above 2^63
 * (binned by its top bits: n / 8 equal parts), where a modulo reduction would be biased. */
static void uniform_int_fits(void **state)
{
    (void)state;
    static long count[1000];
    struct sim_rng *r = sim__rng_create(99);
    memset(count, 0, sizeof count);
    for (long i = 0; i < DRAWS; i++) {
        uint64_t k = sim_uniform_int(r, 10);
        assert_true(k < 10);
        count[k]++;
    }
    chi2_fits(count, 10, DRAWS, "sim_uniform_int(10)");
    memset(count, 0, sizeof count);
    for (long i = 0; i < DRAWS; i++) count[sim_uniform_int(r, 999)]++;
    chi2_fits(count, 999, DRAWS, "sim_uniform_int(999)");
    memset(count, 0, sizeof count);
    uint64_t big = 3ULL << 62, part = big / 8;
    for (long i = 0; i < DRAWS; i++) {
        uint64_t k = sim_uniform_int(r, big);
        assert_true(k < big);
        count[k / part]++;
    }
    chi2_fits(count, 8, DRAWS, "sim_uniform_int(3 * 2^62)");
    assert_true(sim_uniform_int(r, 1) == 0);
    assert_true(sim_uniform_int(r, 0) == 0);
    sim__rng_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_answers),
        cmocka_unit_test(seeding),
        cmocka_unit_test(gsl_draws_from_the_stream),
        cmocka_unit_test(uniform_never_reaches_its_ends),
        cmocka_unit_test(uniform_fits),
        cmocka_unit_test(pairs_fit),
        cmocka_unit_test(uniform_int_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
