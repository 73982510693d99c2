/* keys.c: key popularity over ranks [0, count), uniform or Zipf(s), 0 the most popular.
 * Zipf draws use rejection-inversion (Hormann and Derflinger, 1996): O(1) per draw, no
 * table, exact for any count. A sim_keys is immutable once made; load/keys_config.c reads it from JSON. */
#include <float.h>
#include <math.h>

#include "internal.h"

#define EXACT_TERMS 4096         /* H(N, s) summed term by term up to here */

/* Owned by the loader. The hat for rank k (1-based) is x^-s over [k - 1/2, k + 1/2],
 * except rank 1's, cut to area exactly 1; hat_lo and hat_hi bound its integral. */
struct sim_keys {
    uint64_t count;
    bool zipf;
    double s;
    double harmonic; /* H(count, s) = sum of k^-s for k = 1..count */
    double hat_lo, hat_hi;
};

/* What a failed read returns: one key, so a model can run on until the error is reported. */
static const struct sim_keys failed_keys = {.count = 1, .harmonic = 1};

/* log1p(y) / y and expm1(y) / y, both 1 at y = 0, without cancellation near 0. */
static double log1p_ratio(double y)
{
    return fabs(y) > 1e-8 ? log1p(y) / y : 1 - y / 2 + y * y / 3;
}

static double expm1_ratio(double y)
{
    return fabs(y) > 1e-8 ? expm1(y) / y : 1 + y / 2 + y * y / 6;
}

/* H(x) = integral of t^-s from 1 to x: (x^(1-s) - 1) / (1-s), or ln x when s = 1. */
static double hat_integral(double x, double s)
{
    double lx = log(x);
    return lx * expm1_ratio((1 - s) * lx);
}

/* The inverse of hat_integral: x with H(x) = u. */
static double hat_integral_inverse(double u, double s)
{
    double t = (1 - s) * u;
    if (t <= -1) return INFINITY; /* beyond the hat's total area (s > 1): rounding only */
    return exp(u * log1p_ratio(t));
}

/* The generalised harmonic number: an exact sum for small n, Euler-Maclaurin beyond. */
static double harmonic(uint64_t n, double s)
{
    uint64_t m = n < EXACT_TERMS ? n : EXACT_TERMS;
    double sum = 0;
    for (uint64_t k = m; k >= 1; k--) sum += pow((double)k, -s); /* small terms first */
    if (n <= EXACT_TERMS) return sum;
    /* sum of f(k) for k = M+1..N = integral from M to N + (f(N) - f(M))/2 + Bernoulli terms */
    double M = (double)m, N = (double)n, L = log(N / M);
    double integral = pow(M, 1 - s) * L * expm1_ratio((1 - s) * L);
    double d1 = -s * (pow(N, -s - 1) - pow(M, -s - 1));
    double c3 = -s * (s + 1) * (s + 2), c5 = c3 * (s + 3) * (s + 4);
    double d3 = c3 * (pow(N, -s - 3) - pow(M, -s - 3));
    double d5 = c5 * (pow(N, -s - 5) - pow(M, -s - 5));
    double tail = integral + (pow(N, -s) - pow(M, -s)) / 2 + d1 / 12 - d3 / 720 + d5 / 30240;
    return sum + tail;
}

struct sim_keys *sim__keys_create(uint64_t count, bool zipf, double s)
{
    struct sim_keys *k = sim_alloc(sizeof *k);
    k->count = count;
    k->zipf = zipf;
    k->s = s;
    k->harmonic = zipf ? harmonic(count, s) : (double)count;
    k->hat_lo = hat_integral(1.5, s) - 1;
    k->hat_hi = hat_integral((double)count + 0.5, s);
    return k;
}

const struct sim_keys *sim__keys_failed(void)
{
    return &failed_keys;
}

/* Rejection-inversion: invert the hat's integral at a uniform point, round to the nearest
 * rank k, and accept when the point lies in the last k^-s of rank k's share of the hat.
 * x^-s is convex, so each share is at least k^-s wide, and rank k is accepted with a
 * probability proportional to k^-s exactly. */
uint64_t sim_keys_draw(const struct sim_keys *k, struct sim_rng *r)
{
    if (!k->zipf) return sim_uniform_int(r, k->count);
    double n = (double)k->count;
    for (;;) {
        double u = k->hat_lo + sim_uniform(r) * (k->hat_hi - k->hat_lo);
        double x = hat_integral_inverse(u, k->s);
        double rank = floor(x + 0.5);
        if (!(rank >= 1)) rank = 1; /* NaN included */
        if (rank > n) rank = n;
        if (u >= hat_integral(rank + 0.5, k->s) - pow(rank, -k->s))
            return (uint64_t)rank - 1;
    }
}

uint64_t sim_keys_count(const struct sim_keys *k)
{
    return k->count;
}

double sim_keys_probability(const struct sim_keys *k, uint64_t rank)
{
    if (rank >= k->count) return 0;
    if (!k->zipf) return 1 / (double)k->count;
    return pow((double)rank + 1, -k->s) / k->harmonic;
}
