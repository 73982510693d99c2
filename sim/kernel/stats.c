/* stats.c: histograms, Welford accumulators, time-weighted levels and Student-t
 * intervals. Nothing here allocates but the pooled histograms, which are built between
 * replications, never while one runs, and a histogram's buckets, on its first value. Its
 * buckets always sum to its count (and are NULL until it has one); while it is empty, min is
 * INT64_MAX and max is 0, so merging an empty one changes nothing. */
#include <float.h>
#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "internal.h"

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

/* Bucket i's integer range [lo, lo + width): values below 128 have a bucket each. */
static void bucket_range(size_t i, uint64_t *lo, uint64_t *width)
{
    if (i < 2 * SUB_COUNT) {
        *lo = i;
        *width = 1;
        return;
    }
    unsigned shift = (unsigned)(i >> (SIM_HIST_SUB_BITS - 1)) - 1;
    *lo = (uint64_t)(SUB_COUNT + (i & (SUB_COUNT - 1))) << shift;
    *width = (uint64_t)1 << shift;
}

/* The rank (1..count) of quantile q: the ceil(q * count)-th smallest value. */
static uint64_t rank_of(double q, uint64_t count)
{
    /* Shave a few ulps so that 0.07 * 100 (7.000000000000001) ranks 7, not 8. */
    double r = q * (double)count * (1.0 - 4 * DBL_EPSILON);
    uint64_t rank = (uint64_t)ceil(r);
    if (rank < 1) rank = 1;
    if (rank > count) rank = count;
    return rank;
}

/* The value of the rank-th smallest, known to lie in bucket i after `before` smaller ones:
 * the bucket's `in` values are taken as spread evenly over its range (the part of it
 * between min and max), so that quantiles move smoothly rather than in bucket steps. */
static sim_time interpolate(size_t i, uint64_t before, uint64_t in, uint64_t rank, sim_time min,
                            sim_time max)
{
    uint64_t lo, width;
    bucket_range(i, &lo, &width);
    double a = (double)lo, b = (double)(lo + width);
    if (a < (double)min) a = (double)min;
    if (b > (double)max + 1) b = (double)max + 1;
    if (width == 1 || !(b > a)) return (sim_time)a;
    double v = a + (b - a) * ((double)(rank - before) - 0.5) / (double)in;
    sim_time t = (sim_time)v;
    return t < min ? min : t > max ? max : t;
}

void sim_hist_init(struct sim_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INT64_MAX;
    h->max = 0;
}

void sim_hist_clear(struct sim_hist *h)
{
    if (h->bucket) memset(h->bucket, 0, SIM_HIST_BUCKETS * sizeof *h->bucket);
    h->count = 0;
    h->sum = 0;
    h->min = INT64_MAX;
    h->max = 0;
}

void sim_hist_fini(struct sim_hist *h)
{
    if (h->owns_bucket) sim_free(h->bucket);
    sim_hist_init(h);
}

/* Off the hot path: once per histogram that sees a value. */
static void __attribute__((noinline)) hist_alloc(struct sim_hist *h)
{
    h->bucket = sim_alloc(SIM_HIST_BUCKETS * sizeof *h->bucket);
    struct sim_world *w = sim__running_world();
    if (w) sim__own(w, h->bucket, sim_free);
    else h->owns_bucket = true;
}

void sim_hist_record(struct sim_hist *h, sim_time v)
{
    if (__builtin_expect(!h->bucket, 0)) hist_alloc(h);
    v = v < 0 ? 0 : v; /* a caller bug, but a time must never index out of range */
    h->bucket[bucket_of((uint64_t)v)]++;
    h->count++;
    h->sum += (double)v;
    h->min = v < h->min ? v : h->min;
    h->max = v > h->max ? v : h->max;
}

/* Merging an empty one changes nothing (and allocates nothing). */
void sim_hist_merge(struct sim_hist *into, const struct sim_hist *from)
{
    if (!from->count) return;
    if (!into->bucket) hist_alloc(into);
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

/* Nearest rank, interpolated inside the bucket that holds it and kept in [min, max]. */
sim_time sim_hist_quantile(const struct sim_hist *h, double q)
{
    if (h->count == 0) return 0;
    if (!(q > 0.0)) return h->min; /* also catches NaN */
    if (q >= 1.0) return h->max;
    uint64_t rank = rank_of(q, h->count), seen = 0;
    size_t i = 0;
    for (; i < SIM_HIST_BUCKETS; i++) {
        if (seen + h->bucket[i] >= rank) break;
        seen += h->bucket[i];
    }
    return interpolate(i, seen, h->bucket[i], rank, h->min, h->max);
}

double sim__pooled_cdf(const struct sim__pooled *p, double x)
{
    if (p->count == 0) return NAN;
    double below = 0;
    for (size_t k = 0; k < p->n; k++) {
        uint64_t lo, width;
        bucket_range(p->index[k], &lo, &width);
        double a = (double)lo, b = (double)(lo + width);
        if (a < (double)p->min) a = (double)p->min;
        if (b > (double)p->max + 1) b = (double)p->max + 1;
        if (x >= b) {
            below += (double)p->bucket[k];
            continue;
        }
        if (x > a) below += (double)p->bucket[k] * (x - a) / (b - a); /* as interpolate() */
        break;
    }
    return below / (double)p->count;
}

void sim__pooled_fini(struct sim__pooled *p)
{
    sim_free(p->index);
    sim_free(p->bucket);
    memset(p, 0, sizeof *p);
}

/* Both lists are sorted by bucket index: one pass over the two. */
static void pooled_merge_arrays(struct sim__pooled *into, const uint32_t *index,
                                const uint64_t *bucket, size_t n)
{
    size_t cap = into->n + n, k = 0, a = 0, b = 0;
    uint32_t *ix = sim_alloc((cap ? cap : 1) * sizeof *ix);
    uint64_t *bk = sim_alloc((cap ? cap : 1) * sizeof *bk);
    while (a < into->n || b < n) {
        if (b == n || (a < into->n && into->index[a] < index[b])) {
            ix[k] = into->index[a];
            bk[k++] = into->bucket[a++];
        } else if (a == into->n || index[b] < into->index[a]) {
            ix[k] = index[b];
            bk[k++] = bucket[b++];
        } else {
            ix[k] = index[b];
            bk[k++] = into->bucket[a++] + bucket[b++];
        }
    }
    sim_free(into->index);
    sim_free(into->bucket);
    into->index = ix;
    into->bucket = bk;
    into->n = k;
}

void sim__pooled_add(struct sim__pooled *p, const struct sim_hist *h)
{
    if (!h->count) return;
    size_t n = 0;
    for (size_t i = 0; i < SIM_HIST_BUCKETS; i++) n += h->bucket[i] != 0;
    uint32_t *ix = sim_alloc(n * sizeof *ix);
    uint64_t *bk = sim_alloc(n * sizeof *bk);
    for (size_t i = 0, k = 0; i < SIM_HIST_BUCKETS; i++)
        if (h->bucket[i]) {
            ix[k] = (uint32_t)i;
            bk[k++] = h->bucket[i];
        }
    pooled_merge_arrays(p, ix, bk, n);
    sim_free(ix);
    sim_free(bk);
    if (!p->count || h->min < p->min) p->min = h->min;
    if (!p->count || h->max > p->max) p->max = h->max;
    p->count += h->count;
}

void sim__pooled_merge(struct sim__pooled *into, const struct sim__pooled *from)
{
    if (!from->count) return;
    pooled_merge_arrays(into, from->index, from->bucket, from->n);
    if (!into->count || from->min < into->min) into->min = from->min;
    if (!into->count || from->max > into->max) into->max = from->max;
    into->count += from->count;
}

sim_time sim__pooled_quantile(const struct sim__pooled *p, double q)
{
    if (p->count == 0) return 0;
    if (!(q > 0.0)) return p->min;
    if (q >= 1.0) return p->max;
    uint64_t rank = rank_of(q, p->count), seen = 0;
    size_t k = 0;
    for (; k + 1 < p->n; k++) {
        if (seen + p->bucket[k] >= rank) break;
        seen += p->bucket[k];
    }
    return interpolate(p->index[k], seen, p->bucket[k], rank, p->min, p->max);
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

double sim_gim1_sigma_erlang(int k, double rho)
{
    /* Bisection on f(x) = A*(1 - x) - x with mu = 1, lambda = rho: f(0) > 0, and f < 0
     * just below the trivial root 1 because rho < 1; f is convex, so one root between. */
    double lo = 0, hi = 1;
    for (int i = 0; i < 200 && hi - lo > 1e-15; i++) {
        double x = (lo + hi) / 2, kl = k * rho;
        double f = pow(kl / (kl + 1 - x), k) - x;
        if (f > 0) lo = x;
        else hi = x;
    }
    return (lo + hi) / 2;
}

/* With a_j = e^-rho rho^j / j! (j arrivals in one service), the departure-epoch
 * probabilities pi_0..pi_{K-1} satisfy pi_j = pi_0 a_j + sum_{i=1..j+1} pi_i a_{j-i+1};
 * solved forward for pi_{j+1} and normalised. The server is busy rho (1 - P_K) of the
 * time and idle pi_0 (1 - P_K), so P_K = 1 - 1 / (pi_0 + rho). */
double sim_md1k_blocking(double rho, int k)
{
    double a[SIM_MD1K_MAX + 1], pi[SIM_MD1K_MAX], sum = 0;
    if (k < 1 || k > SIM_MD1K_MAX) return NAN;
    a[0] = exp(-rho);
    for (int j = 1; j <= k; j++) a[j] = a[j - 1] * rho / j;
    pi[0] = 1;
    for (int j = 0; j + 1 < k; j++) {
        double x = pi[j] - pi[0] * a[j];
        for (int i = 1; i <= j; i++) x -= pi[i] * a[j - i + 1];
        pi[j + 1] = x / a[0];
    }
    for (int j = 0; j < k; j++) sum += pi[j];
    return 1 - 1 / (pi[0] / sum + rho);
}

/* p_k, users at the workers, is proportional to prod_{j=1..k} (n - j + 1) (service / think)
 * / min(j, c); rescaled as it goes so that a million users cannot overflow. An arriving
 * user sees the others' distribution (the arrival theorem): p_k weighted by n - k. */
struct sim_closed sim_mmcn(int c, int64_t n, double think, double service)
{
    struct sim_closed r = {0};
    /* k = 0 first: p_0 = 1, nobody at the workers, n users thinking */
    double p = 1, sum = 1, l = 0, lq = 0, busy = 0, x = (double)n / think, arr = (double)n;
    double arr_wait = 0;
    for (int64_t k = 1; k <= n; k++) {
        double m = (double)(k < c ? k : c);
        p *= (double)(n - k + 1) / think * service / m;
        sum += p;
        l += (double)k * p;
        lq += (double)(k > c ? k - c : 0) * p;
        busy += m * p;
        x += p * (double)(n - k) / think;
        arr += p * (double)(n - k);
        if (k >= c) arr_wait += p * (double)(n - k);
        if (sum > 1e250) { /* rescale every sum alike */
            double *all[] = {&p, &sum, &l, &lq, &busy, &x, &arr, &arr_wait};
            for (size_t i = 0; i < sizeof all / sizeof *all; i++) *all[i] /= 1e250;
        }
    }
    r.throughput = x / sum;
    r.in_system = l / sum;
    r.queue = lq / sum;
    r.utilisation = busy / sum / c;
    r.response = r.in_system / r.throughput; /* Little's law at the workers */
    r.wait = r.queue / r.throughput;
    r.wait_probability = arr_wait / arr;
    return r;
}
