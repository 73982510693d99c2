/* stats.c: histograms, Welford accumulators, time-weighted levels and Student-t
 * intervals. Nothing here allocates. A histogram's buckets always sum to its count; while
 * it is empty, min is INT64_MAX and max is 0, so merging an empty one changes nothing. */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sim.h"

#define SUB_COUNT (1 << (SIM_HIST_SUB_BITS - 1)) /* sub-buckets per power of two: 64 */

_Static_assert(SIM_HIST_SUB_BITS == 7, "bucket_of and bucket_mid assume 64 sub-buckets");

/* Values below 128 index themselves. Above, with msb the top set bit, the index is
 * 128 + (msb - 7) * 64 + (the 6 bits below msb), which simplifies to
 * (msb - 6) * 64 + (v >> (msb - 6)); OR-ing in 127 makes msb 6 for small values, so
 * the same formula, without a branch, gives v itself there. */
static inline size_t bucket_of(uint64_t u)
{
    unsigned shift = (unsigned)(63 - __builtin_clzll(u | 127)) - (SIM_HIST_SUB_BITS - 1);
    return ((size_t)shift << (SIM_HIST_SUB_BITS - 1)) + (size_t)(u >> shift);
}

/* The middle of bucket i's integer range, rounded down: within 1/128 of any value in it. */
static sim_time bucket_mid(size_t i)
{
    if (i < 2 * SUB_COUNT) return (sim_time)i;
    unsigned shift = (unsigned)(i >> (SIM_HIST_SUB_BITS - 1)) - 1;
    uint64_t lo = (uint64_t)(SUB_COUNT + (i & (SUB_COUNT - 1))) << shift;
    uint64_t width = (uint64_t)1 << shift;
    return (sim_time)(lo + ((width - 1) >> 1));
}

void sim_hist_init(struct sim_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
    h->max = 0;
}

void sim_hist_record(struct sim_hist *h, sim_time v)
{
    v = v < 0 ? 0 : v; /* a caller bug, but a time must never index out of range */
    h->bucket[bucket_of((uint64_t)v)]++;
    h->count++;
    h->sum += (double)v;
    h->min = v < h->min ? v : h->min;
    h->max = v > h->max ? v : h->max;
}

void sim_hist_merge(struct sim_hist *into, const struct sim_hist *from)
{
    for (size_t i = 0; i < SIM_HIST_BUCKETS; i++) into->bucket[i] += from->bucket[i];
    into->count += from->count;
    into->sum += from->sum;
    if (from->min < into->min) into->min = from->min;
    if (from->max > into->max) into->max = from->max;
}

double sim_hist_mean(const struct sim_hist *h)
{
    return h->count ? h->sum / (double)h->count : 0.0;
}

/* Nearest rank: the smallest v with at least ceil(q * count) values <= v, reported as
 * the middle of v's bucket and kept inside [min, max]. */
sim_time sim_hist_quantile(const struct sim_hist *h, double q)
{
    if (h->count == 0) return 0;
    if (!(q > 0.0)) return h->min; /* also catches NaN */
    if (q >= 1.0) return h->max;
    /* Shave a few ulps so that 0.07 * 100 (7.000000000000001) ranks 7, not 8. */
    double r = q * (double)h->count * (1.0 - 4 * DBL_EPSILON);
    uint64_t rank = (uint64_t)ceil(r);
    if (rank < 1) rank = 1;
    if (rank > h->count) rank = h->count;
    uint64_t seen = 0;
    size_t i = 0;
    for (; i < SIM_HIST_BUCKETS; i++) {
        seen += h->bucket[i];
        if (seen >= rank) break;
    }
    sim_time v = bucket_mid(i);
    if (v < h->min) v = h->min;
    if (v > h->max) v = h->max;
    return v;
}

void sim_welford_add(struct sim_welford *w, double x)
{
    w->n++;
    double d = x - w->mean;
    w->mean += d / (double)w->n;
    w->m2 += d * (x - w->mean); /* old and new deviations: stable for large offsets */
}

double sim_welford_variance(const struct sim_welford *w)
{
    return w->n < 2 ? 0.0 : w->m2 / (double)(w->n - 1);
}

void sim_level_init(struct sim_level *l, sim_time now, double level)
{
    l->origin = l->since = now;
    l->level = l->max = level;
    l->area = 0.0;
}

void sim_level_add(struct sim_level *l, sim_time now, double delta)
{
    l->area += l->level * (double)(now - l->since);
    l->since = now;
    l->level += delta;
    if (l->level > l->max) l->max = l->level;
}

/* The warm-up ends: the area so far is dropped, but the current level carries over. */
void sim_level_restart(struct sim_level *l, sim_time now)
{
    l->area = 0.0;
    l->origin = l->since = now;
    l->max = l->level;
}

double sim_level_mean(const struct sim_level *l, sim_time now)
{
    if (now == l->origin) return l->level;
    double area = l->area + l->level * (double)(now - l->since);
    return area / (double)(now - l->origin);
}

struct sim_interval sim_interval95(const double *x, int n)
{
    /* A figure a replication did not have (NAN: a fault never detected) is left out. */
    struct sim_interval r = {0};
    double sum = 0.0;
    for (int i = 0; i < n; i++)
        if (!isnan(x[i])) {
            sum += x[i];
            r.n++;
        }
    if (r.n < 1) {
        r.mean = r.low = r.high = n ? NAN : 0;
        return r;
    }
    r.mean = sum / r.n;
    if (r.n >= 2) {
        double ss = 0.0; /* two passes: the data are few, and this is exact enough */
        for (int i = 0; i < n; i++)
            if (!isnan(x[i])) ss += (x[i] - r.mean) * (x[i] - r.mean);
        double s = sqrt(ss / (r.n - 1));
        r.half = gsl_cdf_tdist_Pinv(0.975, (double)(r.n - 1)) * s / sqrt((double)r.n);
    }
    r.low = r.mean - r.half;
    r.high = r.mean + r.half;
    return r;
}

/* Erlang C by the stable recurrence on Erlang B: B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
double sim_erlang_c(int c, double a)
{
    if (a >= c) return 1;
    double b = 1;
    for (int k = 1; k <= c; k++) b = a * b / (k + a * b);
    return c * b / (c - a * (1 - b));
}

/* Sums over the stationary probabilities of M/M/c/K, unnormalised and rescaled as they go
 * so that a large K cannot overflow: the total, the last (p_K) and the queued calls. */
static void mmck_states(int c, int64_t k, double a, double *total, double *last, double *queued)
{
    double p = 1, sum = 1, wq = 0;
    for (int64_t n = 1; n <= k; n++) {
        p *= a / (double)(n <= c ? n : c);
        sum += p;
        if (n > c) wq += (double)(n - c) * p;
        if (sum > 1e250) { /* rescale everything */
            p /= 1e250;
            sum /= 1e250;
            wq /= 1e250;
        }
    }
    *total = sum;
    *last = p;
    *queued = wq;
}

double sim_mmck_blocking(int c, int64_t k, double a)
{
    double total, last, queued;
    mmck_states(c, k, a, &total, &last, &queued);
    return last / total;
}

double sim_mmck_wait(int c, int64_t k, double a, double mean_service)
{
    if (k < 0) return a < c ? sim_erlang_c(c, a) * mean_service / (c - a) : INFINITY;
    double total, last, queued;
    mmck_states(c, k, a, &total, &last, &queued);
    /* Little's law on the queue: Lq = lambda (1 - P_K) Wq. */
    double lq = queued / total, admitted = a / mean_service * (1 - last / total);
    return admitted > 0 ? lq / admitted : 0;
}
