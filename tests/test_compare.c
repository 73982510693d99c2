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
    assert_string_equal(sim__verdict_word("latency.mean", d_crn), "better");
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
        assert_string_equal(sim__verdict_word(a.res->metrics[i].path, d), "no significant difference");
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
    assert_string_equal(sim__verdict_word("goodput", up), "better");
    assert_string_equal(sim__verdict_word("goodput", down), "worse");
    assert_string_equal(sim__verdict_word("latency.p99", up), "worse");
    assert_string_equal(sim__verdict_word("errors.ratio", down), "better");
    assert_string_equal(sim__verdict_word("nodes.db.utilisation", up), "higher");
    assert_string_equal(sim__verdict_word("latency.p99", none), "no significant difference");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(common_random_numbers_narrow_the_interval),
        cmocka_unit_test(identical_designs_differ_by_zero),
        cmocka_unit_test(verdicts_follow_direction),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
