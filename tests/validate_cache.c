/* validate_cache.c: the cache model against the published approximations. Each case runs a
 * scenario under scenarios/validation/ (10^5 Zipf keys, a zero-time backend unless said
 * otherwise), computes the formula from the exact Zipf probabilities, prints it beside
 * the simulated hit ratio and its 95% interval, and fails unless the formula lies inside
 * an interval whose half-width is under 3% of the mean. */
#include "harness.h"

#define TIGHT 0.03
#define NKEYS 100000

/* p[k] = (k+1)^-s / H(N, s): the probability of rank k, summed exactly. */
static double *zipf(int n, double s)
{
    double *p = malloc((size_t)n * sizeof *p), h = 0;
    for (int k = n - 1; k >= 0; k--) h += p[k] = pow(k + 1, -s); /* small terms first */
    for (int k = 0; k < n; k++) p[k] /= h;
    return p;
}

/* The root T of f(T) = target for an f that increases from 0, by bisection. */
static double solve(double (*f)(const double *, int, double), const double *p, int n,
                    double target)
{
    double lo = 0, hi = 1;
    while (f(p, n, hi) < target) hi *= 2;
    for (int i = 0; i < 200 && hi - lo > 1e-9 * hi; i++) {
        double mid = (lo + hi) / 2;
        if (f(p, n, mid) < target) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

/* Che: the expected number of keys held by an LRU cache with characteristic time T. */
static double che_occupancy(const double *p, int n, double t)
{
    double sum = 0;
    for (int i = 0; i < n; i++) sum += -expm1(-p[i] * t);
    return sum;
}

/* FIFO and RANDOM (Dan and Towsley; Gelenbe): each key held with probability pT/(1+pT). */
static double fifo_occupancy(const double *p, int n, double t)
{
    double sum = 0;
    for (int i = 0; i < n; i++) sum += p[i] * t / (1 + p[i] * t);
    return sum;
}

static const struct sim__metric *hit_ratio(const struct harness_run *h)
{
    return harness_metric(h, "nodes.cache.hit_ratio");
}

static void lru_che(const char *file, double s, double capacity)
{
    double *p = zipf(NKEYS, s);
    double t = solve(che_occupancy, p, NKEYS, capacity), formula = 0;
    for (int i = 0; i < NKEYS; i++) formula += p[i] * -expm1(-p[i] * t);
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (LRU, Zipf s %g, %g of %d keys, Che's T %.1f requests)\n", file, s, capacity,
           NKEYS, t);
    harness_inside("hit ratio, Che sum p_i (1 - e^(-p_i T))", formula, hit_ratio(&h), TIGHT);
    harness_done(&h);
    free(p);
}

static void lru_s08_1pct(void **st) { (void)st; lru_che("scenarios/validation/cache-lru-s08-c1.json", 0.8, 1000); }
static void lru_s08_10pct(void **st) { (void)st; lru_che("scenarios/validation/cache-lru-s08-c10.json", 0.8, 10000); }
static void lru_s10_1pct(void **st) { (void)st; lru_che("scenarios/validation/cache-lru-s10-c1.json", 1.0, 1000); }
static void lru_s10_10pct(void **st) { (void)st; lru_che("scenarios/validation/cache-lru-s10-c10.json", 1.0, 10000); }

static void fifo_random(const char *file, const char *policy, double s, double capacity)
{
    double *p = zipf(NKEYS, s);
    double t = solve(fifo_occupancy, p, NKEYS, capacity), formula = 0;
    for (int i = 0; i < NKEYS; i++) formula += p[i] * p[i] * t / (1 + p[i] * t);
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (%s, Zipf s %g, %g of %d keys, T %.1f requests)\n", file, policy, s, capacity,
           NKEYS, t);
    harness_inside("hit ratio, sum p_i p_i T / (1 + p_i T)", formula, hit_ratio(&h), TIGHT);
    harness_done(&h);
    free(p);
}

static void fifo_s08_10pct(void **st)
{
    (void)st;
    fifo_random("scenarios/validation/cache-fifo-s08-c10.json", "FIFO", 0.8, 10000);
}

static void random_s10_1pct(void **st)
{
    (void)st;
    fifo_random("scenarios/validation/cache-random-s10-c1.json", "RANDOM", 1.0, 1000);
}

/* A ttl-only cache under Poisson reads: key i arrives at rate lambda p_i; after a miss
 * fills it, it hits for T, so a renewal cycle holds lambda_i T hits and one miss. */
static void ttl_only(void **st)
{
    (void)st;
    const char *file = "scenarios/validation/cache-ttl.json";
    const double s = 0.8, lambda = 100000, ttl = 0.050;
    double *p = zipf(NKEYS, s), formula = 0;
    for (int i = 0; i < NKEYS; i++) {
        double x = lambda * p[i] * ttl;
        formula += p[i] * x / (1 + x);
    }
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (ttl-only, %g ms, Poisson %g/s, Zipf s %g over %d keys)\n", file, ttl * 1e3,
           lambda, s, NKEYS);
    harness_inside("hit ratio, sum p_i l_i T / (1 + l_i T)", formula, hit_ratio(&h), TIGHT);
    harness_done(&h);
    free(p);
}

/* EAT: the measured mean read latency against h t_hit + (1 - h) t_miss, both from the
 * measured h, t_hit and t_miss (an identity the report must keep) and from first
 * principles: t_hit = E[hit_time] = 0.2 ms, t_miss = two 0.5 ms links + E[backend] 2 ms. */
static void eat(void **st)
{
    (void)st;
    const char *file = "scenarios/validation/cache-eat.json";
    struct harness_run h = harness_run(file, NULL, 0);
    const struct sim__metric *measured = harness_metric(&h, "nodes.cache.eat.measured");
    const struct sim__metric *formula = harness_metric(&h, "nodes.cache.eat.formula");
    const struct sim__metric *ratio = hit_ratio(&h);
    printf("%s (LRU 5000 of %d keys, Zipf s 0.9, no coalescing)\n", file, NKEYS);
    harness_inside("EAT = h t_hit + (1-h) t_miss, measured parts", formula->ci.mean, measured,
                   TIGHT);
    double first = ratio->ci.mean * 0.0002 + (1 - ratio->ci.mean) * 0.003;
    harness_inside("EAT = h 0.2ms + (1-h) 3ms [s]", first, measured, TIGHT);
    harness_inside("t_hit = E[hit_time] [s]", 0.0002,
                   harness_metric(&h, "nodes.cache.hit_latency.mean"), TIGHT);
    harness_inside("t_miss = 2 links + E[backend] [s]", 0.003,
                   harness_metric(&h, "nodes.cache.miss_latency.mean"), TIGHT);
    for (int r = 0; r < h.res->replications; r++) /* per replication, up to the window's edge */
        if (fabs(formula->values[r] - measured->values[r]) > 1e-3 * measured->values[r])
            fail_msg("replication %d: eat.formula %g, eat.measured %g", r, formula->values[r],
                     measured->values[r]);
    harness_done(&h);
}

/* The cluster's ring, as docs/scenario.md gives it: virtual node v of shard i at
 * sim_hash64(sim_hash64(i << 32 | v)), a key at sim_hash64(key) owned by the first point at
 * or after it (wrapping). */
struct point {
    uint64_t at;
    uint32_t shard;
};

static int point_order(const void *a, const void *b)
{
    const struct point *x = a, *y = b;
    if (x->at != y->at) return x->at < y->at ? -1 : 1;
    return x->shard < y->shard ? -1 : x->shard > y->shard;
}

static uint32_t owner(const struct point *ring, int npoints, uint64_t key)
{
    uint64_t at = sim_hash64(key);
    for (int i = 0; i < npoints; i++) /* linear: a check on the model's binary search */
        if (ring[i].at >= at) return ring[i].shard;
    return ring[0].shard;
}

/* Each shard of an LRU cluster is an LRU cache of capacity/N over the keys it owns, whose
 * reads are the workload's reads of those keys: Che's approximation applies shard by shard
 * with the probabilities conditioned on the shard, q_i = p_i / P_s. */
static void cluster_che(void **st)
{
    (void)st;
    enum { NODES = 4, VNODES = 100 };
    const char *file = "scenarios/validation/cache-cluster-lru.json";
    const double s = 0.8, capacity = 10000.0 / NODES;
    double *p = zipf(NKEYS, s), *q = malloc(NKEYS * sizeof *q);
    struct point ring[NODES * VNODES];
    for (int i = 0, n = 0; i < NODES; i++)
        for (int v = 0; v < VNODES; v++, n++)
            ring[n] = (struct point){sim_hash64(sim_hash64((uint64_t)i << 32 | (uint64_t)v)),
                                     (uint32_t)i};
    qsort(ring, NODES * VNODES, sizeof *ring, point_order);
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (LRU cluster of %d x %g entries, %d virtual nodes each, Zipf s %g over %d keys)\n",
           file, NODES, capacity, VNODES, s, NKEYS);
    for (int shard = 0; shard < NODES; shard++) {
        int m = 0;
        double mass = 0, formula = 0;
        for (int i = 0; i < NKEYS; i++)
            if (owner(ring, NODES * VNODES, (uint64_t)i) == (uint32_t)shard) mass += q[m++] = p[i];
        for (int i = 0; i < m; i++) q[i] /= mass;
        double t = solve(che_occupancy, q, m, capacity);
        for (int i = 0; i < m; i++) formula += q[i] * -expm1(-q[i] * t);
        char path[64], what[96];
        snprintf(path, sizeof path, "nodes.cache.shards.%d.share", shard);
        snprintf(what, sizeof what, "shard %d: share of reads, P_s = sum of its p_i", shard);
        harness_inside(what, mass, harness_metric(&h, path), TIGHT);
        snprintf(path, sizeof path, "nodes.cache.shards.%d.hit_ratio", shard);
        snprintf(what, sizeof what, "shard %d (%d keys): hit ratio, Che over q_i", shard, m);
        harness_inside(what, formula, harness_metric(&h, path), TIGHT);
    }
    harness_done(&h);
    free(q);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lru_s08_1pct),    cmocka_unit_test(lru_s08_10pct),
        cmocka_unit_test(lru_s10_1pct),    cmocka_unit_test(lru_s10_10pct),
        cmocka_unit_test(fifo_s08_10pct),  cmocka_unit_test(random_s10_1pct),
        cmocka_unit_test(ttl_only),        cmocka_unit_test(eat),
        cmocka_unit_test(cluster_che),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
