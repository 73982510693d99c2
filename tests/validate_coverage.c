/* validate_coverage.c: do the 95% intervals cover the truth 95% of the time? 200
 * independent runs (seeds 1..200) of M/M/1 at utilisation 0.8 (lambda 800/s, mu 1000/s),
 * each 10 replications of 10 s with the scenario's 5 s warm-up, the short autocorrelated
 * runs where a replication's own p99 is biased low. Sojourn time is exponential with rate
 * mu - lambda, so the mean is 1/(mu - lambda) and the q-quantile -ln(1 - q)/(mu - lambda).
 * Each coverage must lie within three binomial standard deviations of 95%. */
#include "harness.h"

#define RUNS 200

static void coverage(void **state)
{
    (void)state;
    const double rate = 200; /* mu - lambda */
    static const struct {
        const char *path;
        double truth;
    } figures[] = {
        {"latency.mean", 1 / rate},
        {"latency.p90", 2.302585092994046 / rate},  /* ln 10 */
        {"latency.p99", 4.605170185988092 / rate},  /* ln 100 */
    };
    enum { NF = sizeof figures / sizeof *figures };
    int covered[NF] = {0};
    for (int run = 1; run <= RUNS; run++) {
        char seed[32];
        snprintf(seed, sizeof seed, "seed=%d", run);
        const char *sets[] = {seed, "duration=10s", "replications=10"};
        struct harness_run h = harness_run("scenarios/validation/mm1-rho80.json", sets, 3);
        for (int f = 0; f < NF; f++) {
            const struct sim__metric *m = harness_metric(&h, figures[f].path);
            covered[f] += figures[f].truth >= m->ci.low && figures[f].truth <= m->ci.high;
        }
        harness_done(&h);
    }
    double sd = sqrt(RUNS * 0.95 * 0.05);
    bool ok = true;
    for (int f = 0; f < NF; f++) {
        printf("  %-14s truth %-10.6g covered %3d of %d (%.1f%%), want %.0f +- %.1f\n",
               figures[f].path, figures[f].truth, covered[f], RUNS, 100.0 * covered[f] / RUNS,
               0.95 * RUNS, 3 * sd);
        ok &= fabs(covered[f] - 0.95 * RUNS) <= 3 * sd;
    }
    if (!ok) fail_msg("a coverage is more than three binomial standard deviations from 95%%");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(coverage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
