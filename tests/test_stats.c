/* test_stats.c: unit tests for stats.c. Histogram quantiles are checked against the exact
 * nearest-rank quantile of the sorted data (within 1%, exact below 128); the rest against
 * hand-worked or two-pass figures. Every random draw uses a fixed seed. */
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

#include "kernel/internal.h"

#define N_DATA 200000

/* Quantiles as integer parts per 10000, so the reference rank is computed exactly. */
static const int per10k[] = {0, 1, 10, 100, 1000, 2500, 5000, 9000, 9500, 9900, 9990, 9999,
                             10000};

static int cmp_time(const void *a, const void *b)
{
    sim_time x = *(const sim_time *)a, y = *(const sim_time *)b;
    return (x > y) - (x < y);
}

/* The bucket layout exactly as sim.h describes it, written the obvious way. */
static size_t spec_index(sim_time v)
{
    if (v < 0) v = 0;
    if (v < 128) return (size_t)v;
    int msb = 63 - __builtin_clzll((uint64_t)v);
    return 128 + (size_t)(msb - 7) * 64 + (size_t)(((uint64_t)v >> (msb - 6)) - 64);
}

/* Records x[0..n), then checks every quantile in per10k against the sorted data. */
static void check_quantiles(sim_time *x, size_t n, double tolerance)
{
    static struct sim_hist h; /* static, so zeroed: sim_hist_fini empties it whatever it held */
    sim_hist_fini(&h);
    for (size_t i = 0; i < n; i++) sim_hist_record(&h, x[i]);
    qsort(x, n, sizeof *x, cmp_time);
    assert_int_equal(h.count, n);
    assert_int_equal(h.min, x[0]);
    assert_int_equal(h.max, x[n - 1]);
    for (size_t k = 0; k < sizeof per10k / sizeof per10k[0]; k++) {
        uint64_t rank = ((uint64_t)n * (uint64_t)per10k[k] + 9999) / 10000; /* ceil */
        if (rank < 1) rank = 1;
        sim_time exact = x[rank - 1];
        sim_time got = sim_hist_quantile(&h, per10k[k] / 10000.0);
        double err = exact ? fabs((double)(got - exact)) / (double)exact : (double)got;
        if (err > tolerance)
            fail_msg("q=%.4f: histogram %lld, exact %lld, relative error %g", per10k[k] / 1e4,
                     (long long)got, (long long)exact, err);
    }
}

static gsl_rng *rng_seeded(unsigned long seed)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, seed);
    return r;
}

static void test_hist_layout(void **state)
{
    (void)state;
    static struct sim_hist h;
    gsl_rng *r = rng_seeded(1);
    for (int i = 0; i < 200000; i++) {
        sim_time v;
        if (i < 63 * 3) /* 2^p - 1, 2^p, 2^p + 1 */
            v = (sim_time)(((uint64_t)1 << (i / 3)) + (uint64_t)(i % 3) - 1);
        else if (i < 63 * 3 + 3)
            v = INT64_MAX - (i % 3);
        else { /* random bit patterns of random length */
            uint64_t u = ((uint64_t)gsl_rng_get(r) << 32) ^ gsl_rng_get(r);
            v = (sim_time)(u >> (1 + gsl_rng_uniform_int(r, 63)));
        }
        sim_hist_fini(&h);
        sim_hist_record(&h, v);
        size_t want = spec_index(v);
        assert_true(want < SIM_HIST_BUCKETS);
        if (h.bucket[want] != 1) fail_msg("value %lld: not in bucket %zu", (long long)v, want);
    }
    assert_int_equal(spec_index(INT64_MAX), SIM_HIST_BUCKETS - 1);
    gsl_rng_free(r);
}

static void test_hist_empty_and_negative(void **state)
{
    (void)state;
    static struct sim_hist h;
    sim_hist_fini(&h);
    assert_int_equal(sim_hist_quantile(&h, 0.5), 0);
    assert_int_equal(sim_hist_quantile(&h, 0.0), 0);
    assert_int_equal(sim_hist_quantile(&h, 1.0), 0);
    assert_true(sim_hist_mean(&h) == 0.0);
    sim_hist_record(&h, -5); /* a caller bug, clamped */
    assert_int_equal(h.bucket[0], 1);
    assert_int_equal(h.min, 0);
    assert_int_equal(h.max, 0);
    assert_int_equal(sim_hist_quantile(&h, 0.5), 0);
}

static void test_hist_small_values_exact(void **state)
{
    (void)state;
    static sim_time x[N_DATA];
    gsl_rng *r = rng_seeded(2);
    for (size_t i = 0; i < N_DATA; i++) x[i] = (sim_time)gsl_rng_uniform_int(r, 128);
    check_quantiles(x, N_DATA, 0.0);
    /* a few values, where nearest rank is easy to work out by hand */
    sim_time y[] = {7, 3, 100, 42, 5}; /* sorted: 3 5 7 42 100 */
    static struct sim_hist h;
    sim_hist_fini(&h);
    for (int i = 0; i < 5; i++) sim_hist_record(&h, y[i]);
    assert_int_equal(sim_hist_quantile(&h, 0.0), 3);
    assert_int_equal(sim_hist_quantile(&h, 0.2), 3);
    assert_int_equal(sim_hist_quantile(&h, 0.21), 5);
    assert_int_equal(sim_hist_quantile(&h, 0.5), 7);
    assert_int_equal(sim_hist_quantile(&h, 0.8), 42);
    assert_int_equal(sim_hist_quantile(&h, 0.99), 100);
    assert_int_equal(sim_hist_quantile(&h, 1.0), 100);
    assert_true(sim_hist_mean(&h) == 157.0 / 5);
    /* 0.07 * 100 is 7.000000000000001 in doubles; the rank is still 7 */
    sim_hist_fini(&h);
    for (int i = 1; i <= 100; i++) sim_hist_record(&h, i);
    assert_int_equal(sim_hist_quantile(&h, 0.07), 7);
    assert_int_equal(sim_hist_quantile(&h, 0.29), 29);
    /* a midpoint outside [min, max] is clamped: 1000 and 1007 share bucket [1000, 1007] */
    sim_hist_fini(&h);
    sim_hist_record(&h, 1000);
    assert_int_equal(sim_hist_quantile(&h, 0.5), 1000);
    sim_hist_fini(&h);
    sim_hist_record(&h, 1007);
    assert_int_equal(sim_hist_quantile(&h, 0.5), 1007);
    gsl_rng_free(r);
}

static void test_hist_lognormal(void **state)
{
    (void)state;
    static sim_time x[N_DATA];
    gsl_rng *r = rng_seeded(3);
    /* median ~3 ms, 1 us to 10 s within about 3.2 sigma either side */
    double zeta = 0.5 * (log(1e3) + log(1e10)), sigma = (log(1e10) - log(1e3)) / 6.4;
    for (size_t i = 0; i < N_DATA; i++) x[i] = (sim_time)gsl_ran_lognormal(r, zeta, sigma);
    check_quantiles(x, N_DATA, 0.01);
    gsl_rng_free(r);
}

static void test_hist_exponential(void **state)
{
    (void)state;
    static sim_time x[N_DATA];
    gsl_rng *r = rng_seeded(4);
    for (size_t i = 0; i < N_DATA; i++) x[i] = (sim_time)gsl_ran_exponential(r, 5e6); /* 5 ms */
    check_quantiles(x, N_DATA, 0.01);
    gsl_rng_free(r);
}

static void test_hist_near_2_62(void **state)
{
    (void)state;
    static sim_time x[N_DATA];
    gsl_rng *r = rng_seeded(5);
    for (size_t i = 0; i < N_DATA; i++)
        x[i] = (sim_time)(ldexp(1.0, 62) * (0.5 + 1.49 * gsl_rng_uniform(r)));
    x[0] = INT64_MAX; /* the top bucket */
    check_quantiles(x, N_DATA, 0.01);
    gsl_rng_free(r);
}

static void test_hist_merge(void **state)
{
    (void)state;
    static struct sim_hist a, b, all;
    sim_hist_fini(&a);
    sim_hist_fini(&b);
    sim_hist_fini(&all);
    gsl_rng *r = rng_seeded(6);
    for (int i = 0; i < 100000; i++) {
        sim_time v = (sim_time)gsl_ran_lognormal(r, 13.0, 2.0);
        sim_hist_record(i % 3 ? &a : &b, v);
        sim_hist_record(&all, v);
    }
    struct sim_hist *merged = &a;
    sim_hist_merge(merged, &b);
    for (size_t i = 0; i < SIM_HIST_BUCKETS; i++)
        if (merged->bucket[i] != all.bucket[i]) fail_msg("bucket %zu differs", i);
    assert_int_equal(merged->count, all.count);
    assert_true(all.sum < 0x1p53); /* so both sums are exact integers */
    assert_true(merged->sum == all.sum);
    assert_int_equal(merged->min, all.min);
    assert_int_equal(merged->max, all.max);
    /* an empty histogram merges as nothing, either way round */
    static struct sim_hist empty;
    sim_hist_fini(&empty);
    sim_hist_merge(merged, &empty);
    assert_int_equal(merged->min, all.min);
    assert_int_equal(merged->max, all.max);
    sim_hist_merge(&empty, &all);
    assert_int_equal(empty.min, all.min);
    assert_int_equal(empty.max, all.max);
    assert_int_equal(empty.count, all.count);
    gsl_rng_free(r);
}

/* Values that all fall in one bucket still get distinct quantiles: 1000 values evenly
 * spaced over 7.000-7.000999 ms share a bucket 65.5 us wide, and interpolating inside it
 * (between min and max) gives back p50 within a value's spacing. */
static void test_hist_interpolates_inside_a_bucket(void **state)
{
    (void)state;
    static struct sim_hist h;
    sim_hist_fini(&h);
    for (int i = 0; i < 1000; i++) sim_hist_record(&h, 7000000 + i);
    assert_int_equal(spec_index(7000000), spec_index(7000999));
    sim_time p50 = sim_hist_quantile(&h, 0.5), p90 = sim_hist_quantile(&h, 0.9);
    assert_true(llabs(p50 - 7000499) <= 1);
    assert_true(llabs(p90 - 7000899) <= 1);
    /* a constant has no spread to interpolate over */
    sim_hist_fini(&h);
    for (int i = 0; i < 10; i++) sim_hist_record(&h, 6980000);
    assert_int_equal(sim_hist_quantile(&h, 0.5), 6980000);
}

/* A pooled histogram answers as the full one it was built from, merges as full ones do,
 * and its distribution function inverts its quantiles. */
static void test_pooled(void **state)
{
    (void)state;
    static struct sim_hist a, b, all;
    sim_hist_fini(&a);
    sim_hist_fini(&b);
    sim_hist_fini(&all);
    gsl_rng *r = rng_seeded(9);
    for (int i = 0; i < 50000; i++) {
        sim_time v = (sim_time)gsl_ran_exponential(r, 5e6);
        sim_hist_record(i % 4 ? &a : &b, v);
        sim_hist_record(&all, v);
    }
    struct sim__pooled pa = {0}, pb = {0};
    sim__pooled_add(&pa, &a);
    sim__pooled_add(&pb, &b);
    sim__pooled_merge(&pa, &pb);
    assert_int_equal(pa.count, all.count);
    assert_int_equal(pa.min, all.min);
    assert_int_equal(pa.max, all.max);
    for (size_t k = 0; k < sizeof per10k / sizeof *per10k; k++) {
        double q = per10k[k] / 10000.0;
        assert_int_equal(sim__pooled_quantile(&pa, q), sim_hist_quantile(&all, q));
        if (q > 0 && q < 1) {
            /* the q-quantile is the value of rank ceil(q n), at (rank - 1/2) / n */
            double f = sim__pooled_cdf(&pa, (double)sim__pooled_quantile(&pa, q));
            assert_true(fabs(f - q) < 2.0 / (double)all.count);
        }
    }
    assert_true(sim__pooled_cdf(&pa, -1) == 0);
    assert_true(sim__pooled_cdf(&pa, 1e18) == 1);
    struct sim__pooled empty = {0};
    assert_true(isnan(sim__pooled_cdf(&empty, 1)));
    assert_int_equal(sim__pooled_quantile(&empty, 0.5), 0);
    sim__pooled_fini(&pa);
    sim__pooled_fini(&pb);
    gsl_rng_free(r);
}

static void test_hist_fixed_memory(void **state)
{
    (void)state;
    assert_int_equal(SIM_HIST_BUCKETS, 3712);
    /* The 29 KiB of buckets come with the first value: an idle node's histogram is small. */
    assert_true(sizeof(struct sim_hist) <= 48);
    static struct sim_hist h;
    sim_hist_fini(&h);
    assert_null(h.bucket);
    uint64_t x = 88172645463325252ull; /* xorshift64: cheap, deterministic */
    for (int i = 0; i < 10000000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        sim_hist_record(&h, (sim_time)(x >> (x & 63)));
    }
    uint64_t total = 0;
    for (size_t i = 0; i < SIM_HIST_BUCKETS; i++) total += h.bucket[i];
    assert_int_equal(h.count, 10000000);
    assert_int_equal(total, h.count);
    sim_hist_fini(&h);
    assert_null(h.bucket);
    assert_int_equal(h.count, 0);
}

/* Buckets on the first value only; clear keeps them, fini frees them (no world runs here,
 * so the histogram owns them: ASan's leak check holds this test to that). */
static void test_hist_lazy_buckets(void **state)
{
    (void)state;
    struct sim_hist a, b;
    sim_hist_init(&a);
    sim_hist_init(&b);
    sim_hist_merge(&a, &b); /* empty into empty: nothing to allocate */
    assert_null(a.bucket);
    assert_int_equal(sim_hist_quantile(&a, 0.5), 0);
    assert_true(sim_hist_mean(&a) == 0.0);
    assert_true(a.min == INT64_MAX && a.max == 0);
    sim_hist_record(&b, 1000);
    sim_hist_record(&b, 3000);
    assert_non_null(b.bucket);
    sim_hist_merge(&a, &b); /* into an empty one: it gets buckets of its own */
    assert_non_null(a.bucket);
    assert_true(a.bucket != b.bucket);
    assert_int_equal(a.count, 2);
    assert_int_equal(sim_hist_quantile(&a, 1.0), 3000);
    uint64_t *kept = b.bucket;
    sim_hist_clear(&b);
    assert_ptr_equal(b.bucket, kept);
    assert_int_equal(b.count, 0);
    assert_true(b.min == INT64_MAX && b.max == 0);
    assert_int_equal(sim_hist_quantile(&b, 0.5), 0);
    uint64_t total = 0;
    for (size_t i = 0; i < SIM_HIST_BUCKETS; i++) total += b.bucket[i];
    assert_int_equal(total, 0);
    sim_hist_record(&b, 7);
    assert_int_equal(sim_hist_quantile(&b, 0.5), 7);
    sim_hist_fini(&a);
    sim_hist_fini(&b);
    assert_null(a.bucket);
    assert_null(b.bucket);
}

static void test_welford(void **state)
{
    (void)state;
    enum { N = 100000 };
    static double x[N];
    gsl_rng *r = rng_seeded(7);
    struct sim_welford w = {0};
    assert_true(sim_welford_variance(&w) == 0.0);
    sim_welford_add(&w, 3.0);
    assert_true(sim_welford_variance(&w) == 0.0); /* n < 2 */
    assert_true(w.mean == 3.0);
    w = (struct sim_welford){0};
    for (int i = 0; i < N; i++) { /* a large offset: the case naive sum-of-squares loses */
        x[i] = 1e9 + gsl_ran_gaussian(r, 2.0);
        sim_welford_add(&w, x[i]);
    }
    double mean = 0.0, ss = 0.0;
    for (int i = 0; i < N; i++) mean += x[i];
    mean /= N;
    for (int i = 0; i < N; i++) ss += (x[i] - mean) * (x[i] - mean);
    double var = ss / (N - 1);
    assert_int_equal(w.n, N);
    assert_true(fabs(w.mean - mean) <= 1e-12 * mean);
    assert_true(fabs(sim_welford_variance(&w) - var) <= 1e-8 * var);
    gsl_rng_free(r);
}

static void test_level(void **state)
{
    (void)state;
    struct sim_level l;
    sim_level_init(&l, 0, 0.0);
    assert_true(sim_level_mean(&l, 0) == 0.0); /* now == origin: the level itself */
    sim_level_add(&l, 10, +2);                 /* 0 over [0,10) */
    sim_level_add(&l, 30, +1);                 /* 2 over [10,30): area 40 */
    sim_level_add(&l, 40, -3);                 /* 3 over [30,40): area 70 */
    assert_true(l.max == 3.0);
    assert_true(sim_level_mean(&l, 50) == 70.0 / 50); /* 0 over [40,50) */
    sim_level_add(&l, 50, +4);
    assert_true(sim_level_mean(&l, 60) == 110.0 / 60);
    sim_level_restart(&l, 60); /* warm-up ends with the level at 4 */
    assert_true(l.max == 4.0);
    assert_true(sim_level_mean(&l, 60) == 4.0);
    sim_level_add(&l, 70, -1); /* 4 over [60,70) */
    sim_level_add(&l, 80, -3); /* 3 over [70,80) */
    assert_true(l.max == 4.0);
    assert_true(sim_level_mean(&l, 100) == 70.0 / 40); /* 0 over [80,100) */
    sim_level_restart(&l, 100);
    assert_true(l.max == 0.0); /* the old peak is forgotten too */
    sim_level_add(&l, 100, +1); /* a change at the same instant adds no area */
    assert_true(sim_level_mean(&l, 100) == 1.0);
    assert_true(sim_level_mean(&l, 110) == 1.0);
}

/* GI/M/1 with Erlang-k gaps: k = 1 is M/M/1 (sigma = rho); Erlang-4 at 0.85 solved by
 * hand (fixed-point iteration to convergence): 0.767668955406304, which makes the mean
 * response of a 2 ms server 2 ms / (1 - sigma) = 8.609 ms where M/M/1 says 13.33 ms. */
static void test_gim1_erlang(void **state)
{
    (void)state;
    assert_true(fabs(sim_gim1_sigma_erlang(1, 0.8) - 0.8) < 1e-12);
    assert_true(fabs(sim_gim1_sigma_erlang(4, 0.85) - 0.767668955406304) < 1e-12);
    assert_true(fabs(0.002 / (1 - sim_gim1_sigma_erlang(4, 0.85)) - 0.0086084) < 1e-6);
    /* Erlang-50 gaps are nearly constant: D/M/1, sigma = exp(-(1 - sigma)/rho) = 0.2032
     * at 0.5, and Erlang-50 lies a little above it (0.21182, by fixed-point iteration). */
    double s = sim_gim1_sigma_erlang(50, 0.5);
    assert_true(fabs(s - 0.2118190274498271) < 1e-9 && s > 0.20318786997998);
}

/* M/M/c//N against the textbook forms: with p_k = N!/(N-k)! (S/Z)^k p_0 for one worker,
 * X = (1 - p0)/S and R = N/X - Z (the response time law); computed by hand for 10 users,
 * think 50 ms, service 5 ms: X 157.0835/s, R 13.6604 ms, P(wait) 0.726792. And for two
 * workers, 5 users, think 20 ms, service 10 ms: X 150.2591/s, R 13.2759 ms. */
static void test_mmcn(void **state)
{
    (void)state;
    struct sim_closed r = sim_mmcn(1, 10, 0.05, 0.005);
    assert_true(fabs(r.throughput - 157.08353137853052) < 1e-9);
    assert_true(fabs(r.response - 0.013660397192768708) < 1e-12);
    assert_true(fabs(r.response - (10 / r.throughput - 0.05)) < 1e-12);
    assert_true(fabs(r.utilisation - 0.7854176568926526) < 1e-12);
    assert_true(fabs(r.wait_probability - 0.7267920561446259) < 1e-12);
    assert_true(fabs(r.wait - (r.response - 0.005)) < 1e-12);
    r = sim_mmcn(2, 5, 0.02, 0.01);
    assert_true(fabs(r.throughput - 150.25906735751295) < 1e-9);
    assert_true(fabs(r.response - 0.013275862068965518) < 1e-12);
    /* a million users do not overflow: the server is saturated, X = 1/S */
    r = sim_mmcn(1, 1000000, 1.0, 0.001);
    assert_true(isfinite(r.response) && fabs(r.throughput - 1000) < 1e-6);
}

static void test_interval95(void **state)
{
    (void)state;
    double x[] = {1, 2, 3, 4, 5};
    struct sim_interval r = sim_interval95(x, 5);
    /* s = sqrt(2.5); t(0.975, 4) = 2.776445; half = 2.776445 * sqrt(2.5) / sqrt(5) */
    double half = 2.776445 * sqrt(2.5) / sqrt(5.0);
    assert_int_equal(r.n, 5);
    assert_true(r.mean == 3.0);
    assert_true(fabs(r.half - half) < 1e-6);
    assert_true(fabs(r.half - 1.963243) < 1e-6);
    assert_true(fabs(r.low - (3.0 - half)) < 1e-6);
    assert_true(fabs(r.high - (3.0 + half)) < 1e-6);

    r = sim_interval95(x + 3, 1);
    assert_int_equal(r.n, 1);
    assert_true(r.mean == 4.0 && r.low == 4.0 && r.high == 4.0 && r.half == 0.0);

    r = sim_interval95(NULL, 0);
    assert_int_equal(r.n, 0);
    assert_true(r.half == 0.0);
}

#define assert_close(x, y, tol) assert_true(fabs((x) - (y)) <= (tol))

/* Erlang C and M/M/c/K against values worked by hand from the defining sums. */
static void test_queueing_formulas(void **state)
{
    (void)state;
    /* M/M/1: P(wait) = rho. M/M/4 at a = 3.2: sum_{k<4} a^k/k! = 1 + 3.2 + 5.12 + 5.461333,
     * last = a^4/4! * 4/(4-3.2) = 4.369067 * 5 = 21.845333; C = last / (sum + last). */
    assert_close(sim_erlang_c(1, 0.7), 0.7, 1e-12);
    double sum = 1 + 3.2 + 5.12 + 3.2 * 3.2 * 3.2 / 6, last = pow(3.2, 4) / 24 * 4 / 0.8;
    assert_close(sim_erlang_c(4, 3.2), last / (sum + last), 1e-12);
    assert_close(sim_erlang_c(2, 2.5), 1, 0); /* overloaded: everyone waits */
    /* M/M/1/1 (Erlang loss with one server): P_K = a / (1 + a). */
    assert_close(sim_mmck_blocking(1, 1, 0.8), 0.8 / 1.8, 1e-12);
    /* M/M/1/2: p = (1, a, a^2) / (1 + a + a^2); Lq = p_2; Wq = Lq / (lambda (1 - p_2)). */
    double a = 0.5, norm = 1 + a + a * a;
    assert_close(sim_mmck_blocking(1, 2, a), a * a / norm, 1e-12);
    assert_close(sim_mmck_wait(1, 2, a, 1e-3), (a * a / norm) / (a / 1e-3 * (1 - a * a / norm)),
                        1e-15);
    /* Unbounded M/M/1: Wq = rho S / (1 - rho); a very large K converges to it without overflow. */
    assert_close(sim_mmck_wait(1, -1, 0.8, 1e-3), 0.8e-3 / 0.2, 1e-15);
    assert_close(sim_mmck_wait(1, 100000, 0.8, 1e-3), 0.8e-3 / 0.2, 1e-12);
    assert_true(isinf(sim_mmck_wait(2, -1, 2.0, 1e-3)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hist_layout),
        cmocka_unit_test(test_hist_empty_and_negative),
        cmocka_unit_test(test_hist_small_values_exact),
        cmocka_unit_test(test_hist_lognormal),
        cmocka_unit_test(test_hist_exponential),
        cmocka_unit_test(test_hist_near_2_62),
        cmocka_unit_test(test_hist_merge),
        cmocka_unit_test(test_hist_fixed_memory),
        cmocka_unit_test(test_hist_lazy_buckets),
        cmocka_unit_test(test_welford),
        cmocka_unit_test(test_level),
        cmocka_unit_test(test_hist_interpolates_inside_a_bucket),
        cmocka_unit_test(test_pooled),
        cmocka_unit_test(test_gim1_erlang),
        cmocka_unit_test(test_mmcn),
        cmocka_unit_test(test_interval95),
        cmocka_unit_test(test_queueing_formulas),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
