/* validate_queueing.c: the service model against queueing theory. Each case runs a
 * scenario under scenarios/validation/, prints the formula beside the simulated mean
 * and its 95% interval, and fails unless the formula lies inside an interval whose
 * half-width is under 3% of the mean. */
#include "harness.h"

#define TIGHT 0.03

static void mm1(const char *file, double lambda, double mu)
{
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (lambda %g, mu %g, rho %g)\n", file, lambda, mu, lambda / mu);
    /* Response time in M/M/1 FCFS is exponential with rate mu - lambda. */
    harness_inside("mean response 1/(mu-lambda) [s]", 1 / (mu - lambda),
                   harness_metric(&h, "latency.mean"), TIGHT);
    harness_inside("p99 response ln(100)/(mu-lambda) [s]", log(100) / (mu - lambda),
                   harness_metric(&h, "latency.p99"), TIGHT);
    harness_inside("utilisation lambda/mu", lambda / mu,
                   harness_metric(&h, "nodes.server.utilisation"), TIGHT);
    harness_done(&h);
}

static void mm1_at_half_load(void **s) { (void)s; mm1("scenarios/validation/mm1-rho50.json", 500, 1000); }
static void mm1_at_0_8(void **s) { (void)s; mm1("scenarios/validation/mm1-rho80.json", 800, 1000); }
static void mm1_at_0_95(void **s) { (void)s; mm1("scenarios/validation/mm1-rho95.json", 950, 1000); }

/* Erlang C: the probability that an arrival waits in M/M/c with offered load a. */
static double erlang_c(int c, double a)
{
    double term = 1, sum = 1; /* a^k / k! for k = 0 */
    for (int k = 1; k < c; k++) {
        term *= a / k;
        sum += term;
    }
    double last = term * a / c * c / (c - a); /* a^c / c! * c / (c - a) */
    return last / (sum + last);
}

static void mmc(const char *file, int c, double lambda, double mu)
{
    struct harness_run h = harness_run(file, NULL, 0);
    double a = lambda / mu, pw = erlang_c(c, a);
    printf("%s (c %d, lambda %g, mu %g, rho %g)\n", file, c, lambda, mu, a / c);
    harness_inside("P(wait), Erlang C", pw, harness_metric(&h, "nodes.server.wait.probability"),
                   TIGHT);
    harness_inside("mean wait C/(c mu - lambda) [s]", pw / (c * mu - lambda),
                   harness_metric(&h, "nodes.server.wait.mean"), TIGHT);
    harness_inside("mean response [s]", pw / (c * mu - lambda) + 1 / mu,
                   harness_metric(&h, "latency.mean"), TIGHT);
    harness_done(&h);
}

static void mmc_4(void **s) { (void)s; mmc("scenarios/validation/mmc4.json", 4, 3200, 1000); }
static void mmc_16(void **s) { (void)s; mmc("scenarios/validation/mmc16.json", 16, 14400, 1000); }

static void mmck_blocking(void **s)
{
    (void)s;
    const int c = 4, K = 10;
    const double lambda = 3600, mu = 1000, a = lambda / mu;
    /* p_n = p_0 a^n / n! for n <= c, p_0 a^n / (c! c^(n-c)) above. */
    double p[K + 1], sum = 0;
    p[0] = 1;
    for (int n = 1; n <= K; n++) p[n] = p[n - 1] * a / (n <= c ? n : c);
    for (int n = 0; n <= K; n++) sum += p[n];
    struct harness_run h = harness_run("scenarios/validation/mmck.json", NULL, 0);
    printf("scenarios/validation/mmck.json (c %d, K %d, offered %g erlangs)\n", c, K, a);
    harness_inside("blocking probability p_K", p[K] / sum,
                   harness_metric(&h, "nodes.server.rejection_ratio"), TIGHT);
    harness_done(&h);
}

/* Pollaczek-Khinchine: Wq = lambda E[S^2] / (2 (1 - rho)). */
static void pk(const char *file, double lambda, double mean, double variance)
{
    struct harness_run h = harness_run(file, NULL, 0);
    double rho = lambda * mean, wq = lambda * (variance + mean * mean) / (2 * (1 - rho));
    printf("%s (lambda %g, E[S] %g, Var[S] %g, rho %g)\n", file, lambda, mean, variance, rho);
    harness_inside("mean wait, Pollaczek-Khinchine [s]", wq,
                   harness_metric(&h, "nodes.server.wait.mean"), TIGHT);
    harness_done(&h);
}

static void md1(void **s) { (void)s; pk("scenarios/validation/md1.json", 800, 1e-3, 0); }
static void mg1_lognormal(void **s)
{
    (void)s;
    pk("scenarios/validation/mg1-lognormal.json", 700, 1e-3, 4e-6);
}

static void tandem_jackson(void **s)
{
    (void)s;
    struct harness_run h = harness_run("scenarios/validation/tandem.json", NULL, 0);
    const double lambda = 600, mu[3] = {1000, 800, 1250};
    double total = 0;
    printf("scenarios/validation/tandem.json (lambda %g, mu %g, %g, %g)\n", lambda, mu[0], mu[1],
           mu[2]);
    for (int i = 0; i < 3; i++) total += 1 / (mu[i] - lambda);
    harness_inside("end-to-end mean, sum 1/(mu_i - lambda) [s]", total,
                   harness_metric(&h, "latency.mean"), TIGHT);
    harness_done(&h);
}

/* Little's law, L = lambda W, on every node of the default scenario: the time-average
 * number in the node against arrivals per second times the mean residence time. */
static void littles_law_on_the_default_scenario(void **s)
{
    (void)s;
    struct harness_run h = harness_run("scenarios/examples/web-tier.json", NULL, 0);
    printf("scenarios/examples/web-tier.json\n");
    for (int k = 0; k < h.res->nnodes; k++) {
        char path[160];
        const char *node = h.res->nodes[k].name;
        snprintf(path, sizeof path, "nodes.%s.arrivals", node);
        const struct sim__metric *lambda = harness_metric(&h, path);
        snprintf(path, sizeof path, "nodes.%s.residence.mean", node);
        const struct sim__metric *w = harness_metric(&h, path);
        snprintf(path, sizeof path, "nodes.%s.in_system.mean", node);
        const struct sim__metric *l = harness_metric(&h, path);
        double lw = 0;
        for (int r = 0; r < h.res->replications; r++) lw += lambda->values[r] * w->values[r];
        lw /= h.res->replications;
        char what[96];
        snprintf(what, sizeof what, "%s: L = lambda W", node);
        harness_inside(what, lw, l, TIGHT);
    }
    harness_done(&h);
}

/* Poisson arrivals dealt round robin to n single-worker instances: each instance sees every
 * n-th arrival, Erlang-n gaps, a GI/M/1 queue. sigma is the root in (0, 1) of
 * sigma = (n lambda_i / (n lambda_i + mu (1 - sigma)))^n (found here by fixed-point
 * iteration, which converges from 0); an arrival waits with probability sigma and its
 * response time is exponential with rate mu (1 - sigma). */
static void round_robin_erlang(void **s)
{
    (void)s;
    const int n = 4;
    const double lambda = 1700, mu = 500, li = lambda / n, rho = li / mu;
    double sigma = 0;
    for (int i = 0; i < 100000; i++) sigma = pow(n * li / (n * li + mu * (1 - sigma)), n);
    printf("scenarios/validation/round-robin-erlang4.json (%d instances, rho %g, sigma %.6f)\n", n,
           rho, sigma);
    harness_exact("sigma, the engine's root", sigma, sim_gim1_sigma_erlang(n, rho), 1e-9);
    struct harness_run h = harness_run("scenarios/validation/round-robin-erlang4.json", NULL, 0);
    harness_inside("P(wait) = sigma", sigma, harness_metric(&h, "nodes.server.wait.probability"),
                   TIGHT);
    harness_inside("mean wait sigma/(mu (1 - sigma)) [s]", sigma / (mu * (1 - sigma)),
                   harness_metric(&h, "nodes.server.wait.mean"), TIGHT);
    harness_inside("mean response 1/(mu (1 - sigma)) [s]", 1 / (mu * (1 - sigma)),
                   harness_metric(&h, "latency.mean"), TIGHT);
    harness_inside("p99 response ln(100)/(mu (1 - sigma)) [s]", log(100) / (mu * (1 - sigma)),
                   harness_metric(&h, "latency.p99"), TIGHT);
    harness_done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mm1_at_half_load),
        cmocka_unit_test(mm1_at_0_8),
        cmocka_unit_test(mm1_at_0_95),
        cmocka_unit_test(mmc_4),
        cmocka_unit_test(mmc_16),
        cmocka_unit_test(mmck_blocking),
        cmocka_unit_test(md1),
        cmocka_unit_test(mg1_lognormal),
        cmocka_unit_test(tandem_jackson),
        cmocka_unit_test(round_robin_erlang),
        cmocka_unit_test(littles_law_on_the_default_scenario),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
