/* test_workload.c: the clients. Arrival processes, the rate schedule, the operation mix,
 * closed-loop users (against the machine-repairman model), deadlines, and determinism:
 * the same scenario gives the same figures bit for bit, and an added node changes no
 * other node's figures (each name has its own random streams). */
#include <gsl/gsl_cdf.h>

#include "harness.h"

#define TIGHT 0.03

/* Poisson arrivals at 2000/s for 5s: the offered rate within its interval, and the counts
 * of the ten replications spread as a Poisson count does (variance = mean = lambda T: the
 * sample variance scaled by 9 / (lambda T) lies in the central 95% of chi-square(9)).
 * Constant arrivals: exactly rate x window requests, and no spread at all. */
static void arrivals_poisson_and_constant_offer_the_configured_rate(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/open-loop.json";
    const double lambda = 2000, t = 5;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (poisson)\n", file);
    harness_inside("offered rate = configured rate [1/s]", lambda,
                   harness_metric(&h, "requests.offered"), TIGHT);
    int n = h.res->replications;
    double mean = 0, m2 = 0;
    for (int r = 0; r < n; r++) mean += harness_count(&h, "requests.offered", r) / n;
    for (int r = 0; r < n; r++) m2 += pow(harness_count(&h, "requests.offered", r) - mean, 2);
    double stat = m2 / (lambda * t); /* (n-1) s^2 / sigma^2 */
    double lo = gsl_cdf_chisq_Pinv(0.025, n - 1), hi = gsl_cdf_chisq_Pinv(0.975, n - 1);
    printf("  count dispersion (n-1) s^2 / (lambda T)       %.4g, chi-square(%d) 95%% [%.4g, %.4g]\n",
           stat, n - 1, lo, hi);
    if (!(stat >= lo && stat <= hi))
        fail_msg("counts spread as %.4g, outside chi-square(%d) [%.4g, %.4g]", stat, n - 1, lo, hi);
    harness_done(&h);

    const char *sets[] = {"workload.arrivals.process=constant"};
    h = harness_run(file, sets, 1);
    printf("%s (constant)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        double count = harness_count(&h, "requests.offered", r);
        printf("  requests in replication %d: %.0f (rate x window = %.0f)\n", r, count, lambda * t);
        if (fabs(count - lambda * t) > 1) fail_msg("%.0f requests, wanted %.0f +- 1", count, lambda * t);
    }
    harness_done(&h);
}

/* The column called name in the timeline's header, or a failure. */
static int csv_column(const char *csv, const char *name)
{
    size_t len = strlen(name);
    int col = 0;
    for (const char *p = csv; *p && *p != '\n'; col++) {
        const char *end = p + strcspn(p, ",\n");
        if ((size_t)(end - p) == len && !strncmp(p, name, len)) return col;
        p = *end == ',' ? end + 1 : end;
    }
    fail_msg("no timeline column named %s", name);
    return -1;
}

/* A schedule from 100/s to 1000/s at 5s of 10s: the time-averaged offered rate is 550/s.
 * With constant arrivals the timeline shows each 1s interval's offered rate exactly, give
 * or take the one arrival an interval boundary or the change of rate moves. */
static void rate_schedule_changes_the_offered_rate_at_its_time(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/schedule.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (poisson)\n", file);
    harness_inside("time-averaged offered rate (100 x 5 + 1000 x 5) / 10", 550,
                   harness_metric(&h, "requests.offered"), TIGHT);
    harness_done(&h);

    char *text = harness_read_file(file);
    const char *sets[] = {"workload.arrivals.process=constant"};
    h = harness_run_text(file, text, sets, 1, true);
    free(text);
    char *csv = sim__timeline_csv(h.res->timeline);
    int col = csv_column(csv, "offered"), rows = 0;
    printf("%s (constant, timeline)\n  t [s]  offered [1/s]  wanted\n", file);
    for (const char *line = strchr(csv, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        const char *p = line + 1;
        double t = strtod(p, NULL);
        for (int c = 0; c < col; c++) p = strchr(p, ',') + 1;
        double offered = strtod(p, NULL), want = t <= 5 ? 100 : 1000;
        printf("  %5g  %13g  %6g\n", t, offered, want);
        if (fabs(offered - want) > 1) fail_msg("at t=%gs offered %g/s, wanted %g +- 1", t, offered, want);
        rows++;
    }
    sim_free(csv);
    harness_exact("timeline rows (10s at 1s)", 10, rows, 0);
    harness_done(&h);
}

/* The operation mix read 0.6, write 0.3, scan 0.1: each share within its binomial interval
 * (counted by a router that forwards each operation to its own node), and every request
 * has exactly one of them. */
static void operation_mix_draws_each_operation_at_its_share(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/mix.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s\n", file);
    double n = harness_total(&h, "nodes.router.arrivals");
    double reads = harness_total(&h, "nodes.reads.arrivals");
    double writes = harness_total(&h, "nodes.writes.arrivals");
    double scans = harness_total(&h, "nodes.scans.arrivals");
    harness_exact("requests, 4 x 5s at 2000/s", 40000, n, 0);
    harness_binomial("read share", 0.6, reads, n);
    harness_binomial("write share", 0.3, writes, n);
    harness_binomial("scan share (a named operation)", 0.1, scans, n);
    harness_exact("reads + writes + scans = requests", n, reads + writes + scans, 0);
    harness_done(&h);
}

/* The machine-repairman model M/M/1//N: N users thinking exp(Z) in front of one exp(S)
 * server. p0 = [sum_{k=0..N} N!/(N-k)! (S/Z)^k]^-1, X = (1 - p0)/S, R = N/X - Z. */
static void closed_loop_users_match_the_machine_repairman_model(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/machine-repairman.json";
    const int users = 10;
    const double z = 50e-3, s = 5e-3;
    double term = 1, sum = 1;
    for (int k = 1; k <= users; k++) {
        term *= (users - k + 1) * s / z;
        sum += term;
    }
    double p0 = 1 / sum, x = (1 - p0) / s;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (N %d, Z %gs, S %gs, p0 %.6g)\n", file, users, z, s, p0);
    harness_inside("throughput X = (1 - p0)/S [1/s]", x, harness_metric(&h, "throughput"), TIGHT);
    harness_inside("response R = N/X - Z [s]", users / x - z, harness_metric(&h, "latency.mean"),
                   TIGHT);
    harness_inside("server utilisation 1 - p0", 1 - p0,
                   harness_metric(&h, "nodes.server.utilisation"), TIGHT);
    harness_done(&h);
}

/* A 2ms deadline in front of a constant 5ms service: every request ends in
 * errors.timeout and nothing is good, while the service still serves each one. A 10ms
 * deadline: none times out and every latency is exactly 5ms. */
static void deadline_times_out_requests_slower_than_it(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/deadline.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (deadline 2ms)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("requests finished (every 10ms for 2s)", 200,
                      harness_count(&h, "requests.finished", r), 0);
        harness_exact("errors.timeout ratio", 1, harness_metric(&h, "errors.timeout")->values[r], 0);
        harness_exact("goodput", 0, harness_metric(&h, "goodput")->values[r], 0);
        harness_exact("the service still served every request", 200,
                      harness_count(&h, "nodes.svc.latency.count", r), 0);
    }
    harness_done(&h);

    const char *sets[] = {"workload.deadline=10ms"};
    h = harness_run(file, sets, 1);
    printf("%s (deadline 10ms)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("errors.timeout ratio", 0, harness_metric(&h, "errors.timeout")->values[r], 0);
        harness_exact("goodput count", 200, harness_count(&h, "goodput", r), 0);
        harness_exact("latency.max [s]", 5e-3, harness_metric(&h, "latency.max")->values[r], 1e-12);
    }
    harness_done(&h);
}

/* Fails unless every figure of a is in b under the same path with bit-identical values in
 * every replication. Returns how many of b's figures were matched. */
static size_t expect_same_figures(const struct sim__results *a, const struct sim__results *b)
{
    size_t differ = 0;
    assert_int_equal(a->replications, b->replications);
    for (size_t i = 0; i < a->n; i++) {
        const struct sim__metric *m = &a->metrics[i], *o = sim__results_find(b, m->path);
        if (!o) fail_msg("figure %s is missing from the second run", m->path);
        if (memcmp(m->values, o->values, (size_t)a->replications * sizeof *m->values)) {
            for (int r = 0; r < a->replications; r++)
                if (memcmp(&m->values[r], &o->values[r], sizeof m->values[r]) && differ++ < 10)
                    printf("  %s, replication %d: %.17g then %.17g\n", m->path, r, m->values[r],
                           o->values[r]);
        }
    }
    if (differ) fail_msg("%zu values differ", differ);
    return a->n;
}

/* The same scenario, run twice from fresh loaders and once more from the first loader,
 * gives every figure of every replication bit for bit, in the same order. */
static void same_scenario_gives_identical_figures(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/determinism.json";
    struct harness_run a = harness_run(file, NULL, 0), b = harness_run(file, NULL, 0);
    printf("%s: %zu figures x %d replications\n", file, a.res->n, a.res->replications);
    assert_true(a.res->n >= 80); /* the workload and three services */
    assert_int_equal(a.res->n, b.res->n);
    for (size_t i = 0; i < a.res->n; i++) assert_string_equal(a.res->metrics[i].path, b.res->metrics[i].path);
    expect_same_figures(a.res, b.res);
    struct sim__results *again = sim__run(a.ld, &a.sc, false);
    assert_non_null(again);
    assert_int_equal(a.res->n, again->n);
    expect_same_figures(a.res, again);
    printf("  identical: two fresh loaders, and a second run from one loader\n");
    sim__results_destroy(again);
    harness_done(&a);
    harness_done(&b);
}

/* A service nobody calls, placed first in "nodes" (it calls two of the others and brings
 * its own operation name): every figure of the workload and of the other nodes stays bit
 * for bit the same, because a node's random streams depend on its name, not its position. */
static void unrelated_node_leaves_every_other_figure_unchanged(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/determinism.json";
    static const char extra[] =
        "\n    \"aardvark\": {\"type\": \"service\", \"instances\": 2, \"workers\": 3, \"queue\": 5,"
        " \"service_time\": {\"dist\": \"exp\", \"mean\": \"2ms\"},"
        " \"service_time_by_op\": {\"audit\": \"1ms\"}, \"timeout\": \"5ms\","
        " \"retries\": {\"max\": 1, \"backoff\": \"1ms\"},"
        " \"calls\": [{\"to\": \"db\"}, {\"to\": \"auth\", \"probability\": 0.2}]},";
    char *text = harness_read_file(file);
    char *at = strstr(text, "\"nodes\": {");
    assert_non_null(at);
    at += strlen("\"nodes\": {");
    size_t head = (size_t)(at - text), len = strlen(text);
    char *more = malloc(len + sizeof extra);
    memcpy(more, text, head);
    memcpy(more + head, extra, sizeof extra - 1);
    memcpy(more + head + sizeof extra - 1, at, len - head + 1);

    struct harness_run a = harness_run_text(file, text, NULL, 0, false);
    struct harness_run b = harness_run_text("determinism.json with aardvark first", more, NULL, 0, false);
    assert_string_equal(b.res->nodes[0].name, "aardvark");
    size_t own = 0;
    for (size_t i = 0; i < b.res->n; i++) own += !strncmp(b.res->metrics[i].path, "nodes.aardvark.", 15);
    printf("%s: %zu figures; with aardvark first: %zu (%zu of them aardvark's)\n", file, a.res->n,
           b.res->n, own);
    assert_true(own > 0);
    assert_int_equal(a.res->n + own, b.res->n);
    expect_same_figures(a.res, b.res);
    printf("  every figure of the workload and of api, auth, db is bit-for-bit unchanged\n");
    harness_done(&a);
    harness_done(&b);
    free(text);
    free(more);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(arrivals_poisson_and_constant_offer_the_configured_rate),
        cmocka_unit_test(rate_schedule_changes_the_offered_rate_at_its_time),
        cmocka_unit_test(operation_mix_draws_each_operation_at_its_share),
        cmocka_unit_test(closed_loop_users_match_the_machine_repairman_model),
        cmocka_unit_test(deadline_times_out_requests_slower_than_it),
        cmocka_unit_test(same_scenario_gives_identical_figures),
        cmocka_unit_test(unrelated_node_leaves_every_other_figure_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
