/* validate_database.c: the database model against closed forms. Each case runs a scenario
 * under scenarios/validation/ (its own fixed seed), prints the formula beside the simulated
 * figure and its 95% interval, and fails unless the formula lies inside an interval whose
 * half-width is under 3% of the mean (or, for "no stale read", unless the count is 0). */
#include "harness.h"

#define TIGHT 0.03

static double choose(int n, int k)
{
    if (k < 0 || k > n) return 0;
    double c = 1;
    for (int i = 1; i <= k; i++) c = c * (n - k + i) / i;
    return c;
}

/* W + R > N: every read set meets the write set of the key's latest acknowledged write,
 * and an applied version is never taken back, so no read returns an older one. */
static void quorum_overlap_gives_no_stale_read(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/db-quorum-overlap.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (n 5, w 3, r 3)\n", file);
    harness_exact("stale reads, W + R > N", 0, harness_total(&h, "nodes.db.stale_reads"), 0);
    assert_true(harness_total(&h, "nodes.db.reads_of_written_keys") > 100000);
    harness_done(&h);
}

/* W + R <= N, propagation off: the key's latest write sits on exactly the W replicas that
 * applied it first (chosen by latency draws, independent of the read), and the read asks
 * R replicas uniformly at random: it misses the write with probability C(N-W,R)/C(N,R).
 * Over 10^6 uniform keys a key is rewritten about every 100s, so the chance that another
 * write of the key is in flight during a read (a few ms) is about 5e-5, far below the
 * interval: the figure, over reads of keys with an acknowledged write, measures exactly
 * the miss right after the latest write. */
static void quorum_miss(const char *file, int n, int w, int r)
{
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (n %d, w %d, r %d, propagation off)\n", file, n, w, r);
    char what[96];
    snprintf(what, sizeof what, "stale reads, C(%d,%d)/C(%d,%d)", n - w, r, n, r);
    harness_inside(what, choose(n - w, r) / choose(n, r),
                   harness_metric(&h, "nodes.db.stale_read_ratio_written"), TIGHT);
    harness_done(&h);
}

static void quorum_miss_n5_w2_r2(void **state)
{
    (void)state;
    quorum_miss("scenarios/validation/db-quorum-miss-n5w2r2.json", 5, 2, 2);
}

static void quorum_miss_n3_w1_r1(void **state)
{
    (void)state;
    quorum_miss("scenarios/validation/db-quorum-miss-n3w1r1.json", 3, 1, 1);
}

/* Propagation after a constant anti-entropy delay D (replica latencies of ~10us, below the
 * interval): the latest write of a key sits on its one acknowledging replica at once and on
 * the other N - 1 only D later. A read asks one replica at random: stale when that is not the
 * acknowledging one, (N-1)/N, and the latest write is younger than D, which for Poisson writes
 * of rate lambda_k to the key happens with probability 1 - exp(-lambda_k D). */
static void quorum_stale_fraction_against_propagation_delay(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/db-quorum-propagation.json";
    const double n = 3, lambda_k = 1000.0 / 200, d = 0.050;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (n 3, w 1, r 1, anti-entropy 50ms, 5 writes/s per key)\n", file);
    harness_inside("stale reads, (N-1)/N (1 - e^(-lambda_k D))", (n - 1) / n * -expm1(-lambda_k * d),
                   harness_metric(&h, "nodes.db.stale_read_ratio_written"), TIGHT);
    harness_done(&h);
}

/* Async, constant lag L, zero service and link times: a write is acknowledged as it arrives
 * and lands on the replica exactly L later, so a read is stale exactly when its key had a
 * write in the last L. Writes to one key are Poisson at lambda_k = 1000/s / 100 keys, and
 * reads are Poisson (they see time averages): P(stale) = 1 - exp(-lambda_k L), the same for
 * every key under uniform popularity. */
static void async_stale(const char *file, double lag)
{
    const double lambda_k = 1000.0 / 100;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (lambda_k %g/s, L %g ms)\n", file, lambda_k, lag * 1e3);
    harness_inside("stale reads, 1 - exp(-lambda_k L)", -expm1(-lambda_k * lag),
                   harness_metric(&h, "nodes.db.stale_read_ratio"), TIGHT);
    harness_done(&h);
}

static void async_stale_lag_20ms(void **state)
{
    (void)state;
    async_stale("scenarios/validation/db-async-stale-lag20.json", 0.020);
}

static void async_stale_lag_100ms(void **state)
{
    (void)state;
    async_stale("scenarios/validation/db-async-stale-lag100.json", 0.100);
}

/* Write i, acknowledged at t_i, draws D_i ~ exp(mean m) and lands at max over j <= i of
 * (t_j + D_j) (in order per replica), so its lag W_i = max_j (D_j - (t_i - t_j)). With
 * Poisson writes at lambda the earlier t_i - t_j form a Poisson process, whence
 * P(W <= x) = F(x) exp(-lambda E[(D - x)+]) = (1 - e^(-x/m)) exp(-lambda m e^(-x/m)). */
static const double LAMBDA = 1000, MEAN = 1e-3;

static double lag_cdf(double x)
{
    return -expm1(-x / MEAN) * exp(-LAMBDA * MEAN * exp(-x / MEAN));
}

static double lag_quantile(double q)
{
    double lo = 0, hi = 100 * MEAN;
    for (int i = 0; i < 200; i++) {
        double mid = (lo + hi) / 2;
        if (lag_cdf(mid) < q) lo = mid;
        else hi = mid;
    }
    return (lo + hi) / 2;
}

static void async_lag_distribution(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/db-async-lag-exp.json";
    double mean = 0, dx = MEAN / 10000;
    for (double x = dx / 2; x < 60 * MEAN; x += dx) mean += (1 - lag_cdf(x)) * dx;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (exp lag mean %g ms, in order, Poisson writes %g/s)\n", file, MEAN * 1e3, LAMBDA);
    harness_inside("lag mean, integral of 1 - G", mean,
                   harness_metric(&h, "nodes.db.replication_lag.mean"), TIGHT);
    harness_inside("lag p50, G(x) = 0.5", lag_quantile(0.5),
                   harness_metric(&h, "nodes.db.replication_lag.p50"), TIGHT);
    harness_inside("lag p99, G(x) = 0.99", lag_quantile(0.99),
                   harness_metric(&h, "nodes.db.replication_lag.p99"), TIGHT);
    /* Little's law: acknowledged writes not yet on a replica = lambda x mean lag */
    harness_inside("replica 0 unreplicated writes, lambda E[W]", LAMBDA * mean,
                   harness_metric(&h, "nodes.db.replicas.0.unreplicated_writes.mean"), TIGHT);
    harness_done(&h);
}

/* Sharding by hash over uniform keys: each Poisson arrival's key is an independent draw,
 * so the shards see independent Poisson streams of lambda / S (thinning), and with one
 * exponential worker each is an M/M/1 whose mean response is 1 / (mu - lambda / S). */
static void sharded_mm1_per_shard_response(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/db-shard-mm1.json";
    const double lambda = 3000, mu = 1000, S = 4;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (S %g, lambda %g/s, mu %g/s, rho %g)\n", file, S, lambda, mu, lambda / S / mu);
    for (int i = 0; i < (int)S; i++) {
        char path[64], what[64];
        snprintf(path, sizeof path, "nodes.db.shards.%d.latency.mean", i);
        snprintf(what, sizeof what, "shard %d response, 1/(mu - lambda/S)", i);
        harness_inside(what, 1 / (mu - lambda / S), harness_metric(&h, path), TIGHT);
        snprintf(path, sizeof path, "nodes.db.shards.%d.utilisation", i);
        snprintf(what, sizeof what, "shard %d utilisation, lambda/(S mu)", i);
        harness_inside(what, lambda / S / mu, harness_metric(&h, path), TIGHT);
    }
    harness_done(&h);
}

/* Failover with async replication, a constant lag L and zero service and link times: a
 * write is acknowledged as it arrives and applied on the replica exactly L later, and the
 * crash stops the stream. The promoted replica lacks exactly the writes acknowledged in the
 * last L before the crash, a Poisson count of mean lambda L. */
static void failover_loses_lambda_times_lag(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/db-failover-async-rpo.json";
    const double lambda = 500, lag = 0.1;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (lambda %g/s, L %g ms)\n", file, lambda, lag * 1e3);
    harness_inside("writes lost by the failover, lambda L", lambda * lag,
                   harness_metric(&h, "faults.0.rpo_writes"), TIGHT);
    harness_done(&h);
}

/* A restore from the latest backup, taken every B from a uniform phase: a crash at a fixed
 * time t >= B falls U(0, B) after the latest backup, and loses the writes acknowledged since,
 * Poisson(lambda U): lambda B / 2 on average (and the window since the backup, B / 2). */
static void restore_loses_half_a_backup_interval(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/db-backup-rpo.json";
    const double lambda = 200, interval = 2;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (lambda %g/s, B %g s)\n", file, lambda, interval);
    harness_inside("writes lost by the restore, lambda B / 2", lambda * interval / 2,
                   harness_metric(&h, "faults.0.rpo_writes"), TIGHT);
    harness_done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(quorum_overlap_gives_no_stale_read),
        cmocka_unit_test(quorum_miss_n5_w2_r2),
        cmocka_unit_test(quorum_miss_n3_w1_r1),
        cmocka_unit_test(quorum_stale_fraction_against_propagation_delay),
        cmocka_unit_test(async_stale_lag_20ms),
        cmocka_unit_test(async_stale_lag_100ms),
        cmocka_unit_test(async_lag_distribution),
        cmocka_unit_test(sharded_mm1_per_shard_response),
        cmocka_unit_test(failover_loses_lambda_times_lag),
        cmocka_unit_test(restore_loses_half_a_backup_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
