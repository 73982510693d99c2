/* test_compare.c: the paired comparison. Common random numbers (one seed, streams named
 * by node) must give a narrower interval on a difference than independent seeds, the
 * verdict must follow the interval and the figure's direction, and two identical designs
 * must differ by exactly zero in every replication. */
#include "cli/cli.h"
#include "harness.h"

static const char *const a_sets[] = {"duration=20s", "warmup=1s", "replications=10", "seed=5"};
static const char *const b_crn[] = {"duration=20s", "warmup=1s", "replications=10", "seed=5",
                                    "nodes.server.service_time.mean=0.97ms"};
static const char *const b_indep[] = {"duration=20s", "warmup=1s", "replications=10", "seed=6",
                                      "nodes.server.service_time.mean=0.97ms"};
#define FILE_ "scenarios/validation/mm1-rho80.json"

static void common_random_numbers_narrow_the_interval(void **state)
{
    (void)state;
    struct harness_run a = harness_run(FILE_, a_sets, 4);
    struct harness_run crn = harness_run(FILE_, b_crn, 5);
    struct harness_run ind = harness_run(FILE_, b_indep, 5);
    struct sim_interval d_crn = sim__paired_difference(harness_metric(&a, "latency.mean"),
                                                       harness_metric(&crn, "latency.mean"), 10);
    struct sim_interval d_ind = sim__paired_difference(harness_metric(&a, "latency.mean"),
                                                       harness_metric(&ind, "latency.mean"), 10);
    printf("  mean response, faster server minus slower: common random numbers %.4g ms +- %.3g, "
           "independent seeds %.4g ms +- %.3g\n",
           d_crn.mean * 1e3, d_crn.half * 1e3, d_ind.mean * 1e3, d_ind.half * 1e3);
    /* Theory: 1/(1000/0.97 - 800) - 1/(1000 - 800) = -0.676 ms. */
    double truth = 1 / (1000 / 0.97 - 800) - 1 / (1000.0 - 800);
    assert_true(d_crn.low <= truth && truth <= d_crn.high);
    assert_true(d_crn.half < d_ind.half / 2); /* here about four times narrower */
    assert_string_equal(sim__verdict_word(harness_metric(&a, "latency.mean")->direction, d_crn), "better");
    harness_done(&a);
    harness_done(&crn);
    harness_done(&ind);
}

static void identical_designs_differ_by_zero(void **state)
{
    (void)state;
    struct harness_run a = harness_run(FILE_, a_sets, 4);
    struct harness_run b = harness_run(FILE_, a_sets, 4);
    for (size_t i = 0; i < a.res->n; i++) {
        struct sim_interval d = sim__paired_difference(&a.res->metrics[i], &b.res->metrics[i], 10);
        assert_true(d.mean == 0 && d.half == 0);
        assert_string_equal(sim__verdict_word(a.res->metrics[i].direction, d), "no significant difference");
    }
    harness_done(&a);
    harness_done(&b);
}

static void verdicts_follow_direction(void **state)
{
    (void)state;
    struct sim_interval up = {.mean = 1, .low = 0.5, .high = 1.5, .half = 0.5, .n = 5};
    struct sim_interval down = {.mean = -1, .low = -1.5, .high = -0.5, .half = 0.5, .n = 5};
    struct sim_interval none = {.mean = 0.1, .low = -0.4, .high = 0.6, .half = 0.5, .n = 5};
    assert_string_equal(sim__verdict_word(1, up), "better");
    assert_string_equal(sim__verdict_word(1, down), "worse");
    assert_string_equal(sim__verdict_word(-1, up), "worse");
    assert_string_equal(sim__verdict_word(-1, down), "better");
    assert_string_equal(sim__verdict_word(0, up), "higher");
    assert_string_equal(sim__verdict_word(0, down), "lower");
    assert_string_equal(sim__verdict_word(-1, none), "no significant difference");
}

/* The direction is the one declared where the figure is reported, whatever words its path
 * holds: a node named "queue" or "goodput" keeps its latency lower-is-better. */
static void directions_come_from_the_figures(void **state)
{
    (void)state;
    static const char *const sets[] = {"duration=2s", "warmup=0.5s", "replications=2"};
    static const char text[] =
        "{\"name\": \"d\", \"workload\": {\"entry\": \"queue\", \"arrivals\": {\"process\": "
        "\"poisson\", \"rate\": 100}}, \"nodes\": {\"queue\": {\"type\": \"service\", "
        "\"service_time\": \"1ms\", \"calls\": [{\"to\": \"goodput\"}]}, \"goodput\": "
        "{\"type\": \"service\", \"service_time\": \"1ms\"}}}";
    struct harness_run h = harness_run_text("directions.json", text, sets, 3, false);
    assert_int_equal(harness_metric(&h, "latency.mean")->direction, -1);
    assert_int_equal(harness_metric(&h, "latency.p99")->direction, -1);
    assert_int_equal(harness_metric(&h, "goodput")->direction, 1);
    assert_int_equal(harness_metric(&h, "errors.ratio")->direction, -1);
    assert_int_equal(harness_metric(&h, "requests.offered")->direction, 0);
    assert_int_equal(harness_metric(&h, "nodes.queue.latency.mean")->direction, -1);
    assert_int_equal(harness_metric(&h, "nodes.goodput.latency.p99")->direction, -1);
    assert_int_equal(harness_metric(&h, "nodes.goodput.latency.count")->direction, 0);
    assert_int_equal(harness_metric(&h, "nodes.queue.utilisation")->direction, 0);
    harness_done(&h);
}

/* Welch's interval: from the two samples' variances, wider than either alone; a paired
 * interval on identical runs is exactly zero. */
static void welch_and_paired_intervals(void **state)
{
    (void)state;
    const double a[] = {10, 12, 11, 13, 9}, b[] = {14, 15, 13, 16, 12};
    struct sim_interval w = sim__welch_interval(sim__sample_of(a, 5), sim__sample_of(b, 5), 0.95);
    /* means 11 and 14, variances 2.5 and 2.5: se = 1, df = 8, t = 2.306 */
    assert_true(fabs((w.mean) - (3)) < 1e-12);
    assert_true(fabs((w.half) - (2.306004)) < 1e-5);
    struct sim_interval wider = sim__welch_interval(sim__sample_of(a, 5), sim__sample_of(b, 5), 0.99);
    assert_true(wider.half > w.half);
    struct sim_interval same = sim__paired_interval(a, a, 5, 0.99);
    assert_true(same.mean == 0 && same.half == 0);
    struct sim_interval p = sim__paired_interval(a, b, 5, 0.95); /* differences 4 3 2 3 3 */
    assert_true(fabs((p.mean) - (3)) < 1e-12);
    assert_true(fabs((p.half) - (2.776445 * sqrt(0.5 / 5))) < 1e-5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(common_random_numbers_narrow_the_interval),
        cmocka_unit_test(identical_designs_differ_by_zero),
        cmocka_unit_test(verdicts_follow_direction),
        cmocka_unit_test(directions_come_from_the_figures),
        cmocka_unit_test(welch_and_paired_intervals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
