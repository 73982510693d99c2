/* test_warmup.c: MSER on latency series with a known transient, a stationary one and one
 * that never settles; the noise test that keeps a chance excursion from being reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

#include <cmocka.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "run/warmup.h"

#define RUN (100 * SIM_S) /* slices of 200 ms */

static gsl_rng *rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

/* Ten requests per slice, latency `level(t)` ms plus exponential noise of mean 1 ms. */
static struct sim__series *series(double (*level)(double t), unsigned long seed)
{
    struct sim__series *s = sim__series_create(RUN);
    gsl_rng *r = rng_seeded(seed);
    for (sim_time t = 0; t < RUN; t += RUN / SIM__SLICES / 10) {
        double ms = level((double)t / SIM_S) + gsl_ran_exponential(r, 1.0);
        sim__series_add(s, t, (sim_time)(ms * SIM_MS));
    }
    gsl_rng_free(r);
    return s;
}

/* A queue that drains: 20 ms at the start, down linearly to 2 ms at 20 s, then flat. */
static double draining(double t) { return t < 20 ? 20 - 18 * t / 20 : 2; }
static double flat(double t) { (void)t; return 2; }
static double growing(double t) { return 2 + t; }

static void test_known_transient(void **state)
{
    (void)state;
    struct sim__series *s = series(draining, 1);
    sim_time cut = sim__mser(s);
    printf("  draining to 20s: MSER cut at %.2fs\n", (double)cut / SIM_S);
    /* past the steep part, and no later than the end of the ramp plus a slice or two */
    assert_true(cut >= 15 * SIM_S && cut <= 21 * SIM_S);
    assert_true(sim__transient_real(s, 5 * SIM_S, cut));  /* a 5 s warm-up is too short */
    assert_false(sim__transient_real(s, cut, cut));
    sim__series_destroy(s);
}

static void test_stationary(void **state)
{
    (void)state;
    for (unsigned long seed = 1; seed <= 20; seed++) {
        struct sim__series *s = series(flat, seed);
        sim_time cut = sim__mser(s);
        assert_true(cut >= 0);
        /* wherever MSER cuts, the part before it is not told apart from the rest */
        if (cut > 0) assert_false(sim__transient_real(s, 0, cut));
        sim__series_destroy(s);
    }
}

static void test_never_settles(void **state)
{
    (void)state;
    struct sim__series *s = series(growing, 3);
    assert_int_equal(sim__mser(s), SIM__MSER_UNSETTLED);
    assert_true(sim__transient_real(s, 0, RUN / 2));
    sim__series_destroy(s);
    s = sim__series_create(RUN);
    assert_int_equal(sim__mser(s), SIM__MSER_NONE);
    sim__series_add(s, RUN, SIM_MS); /* the run's last instant falls outside every slice */
    assert_int_equal(sim__mser(s), SIM__MSER_NONE);
    sim__series_destroy(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_transient),
        cmocka_unit_test(test_stationary),
        cmocka_unit_test(test_never_settles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
