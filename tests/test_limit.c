/* test_limit.c: limit's SLOs parse with or without spaces, a duration needs its unit
 * ('latency.p99<50' is refused with '50ms' as the suggestion), and the rule for "measured"
 * asks ten requests beyond the percentile. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <math.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"

static void parses_operators_and_spaces(void **state)
{
    (void)state;
    struct sim__expect e;
    bool bare;
    char err[512];
    assert_true(sim__slo_parse("latency.p99<50ms", &e, &bare, err, sizeof err));
    assert_string_equal(e.metric, "latency.p99");
    assert_int_equal(e.op, EXPECT_BELOW);
    assert_true(fabs(e.a - 0.05) < 1e-12);
    assert_false(bare);
    sim_free((char *)e.metric);
    assert_true(sim__slo_parse("  latency.p99 <= 50ms ", &e, &bare, err, sizeof err));
    assert_string_equal(e.metric, "latency.p99");
    assert_int_equal(e.op, EXPECT_AT_MOST);
    assert_true(fabs(e.a - 0.05) < 1e-12);
    sim_free((char *)e.metric);
    assert_true(sim__slo_parse("errors.ratio < 1%", &e, &bare, err, sizeof err));
    assert_true(fabs(e.a - 0.01) < 1e-12);
    assert_false(bare);
    sim_free((char *)e.metric);
    assert_true(sim__slo_parse("throughput>=900", &e, &bare, err, sizeof err));
    assert_int_equal(e.op, EXPECT_AT_LEAST);
    assert_true(e.a == 900);
    assert_true(bare);
    sim_free((char *)e.metric);
}

static void refuses_malformed_slos(void **state)
{
    (void)state;
    struct sim__expect e;
    bool bare;
    char err[512];
    const char *bad[] = {"latency.p99", "<50ms", "latency.p99<", "latency.p99<fast", "latency p99<5ms",
                         "latency.p99<50 ms", "latency.p99<1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(sim__slo_parse(bad[i], &e, &bare, err, sizeof err));
        assert_non_null(strstr(err, "expected METRIC<VALUE"));
    }
}

static void a_duration_needs_its_unit(void **state)
{
    (void)state;
    struct sim__expect e;
    bool bare;
    char err[512];
    assert_true(sim__slo_parse("latency.p99<50", &e, &bare, err, sizeof err));
    assert_true(bare);
    assert_false(sim__slo_check_unit(&e, bare, SIM_UNIT_SECONDS, "latency.p99<50", err, sizeof err));
    assert_non_null(strstr(err, "50ms"));
    assert_true(sim__slo_check_unit(&e, bare, SIM_UNIT_RATE, "latency.p99<50", err, sizeof err));
    sim_free((char *)e.metric);
    assert_true(sim__slo_parse("latency.p99<0.05s", &e, &bare, err, sizeof err));
    assert_true(sim__slo_check_unit(&e, bare, SIM_UNIT_SECONDS, "latency.p99<0.05s", err, sizeof err));
    sim_free((char *)e.metric);
}

static void a_percentile_needs_ten_requests_beyond_it(void **state)
{
    (void)state;
    assert_true(sim__slo_min_requests(0.99) == 1000);
    assert_true(sim__slo_min_requests(0.999) == 10000);
    assert_true(sim__slo_min_requests(0.5) == 20);
    assert_true(sim__slo_min_requests(0.9) == 100);
    assert_true(sim__slo_min_requests(0) == 10); /* a mean, a ratio, a rate */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(parses_operators_and_spaces),
        cmocka_unit_test(refuses_malformed_slos),
        cmocka_unit_test(a_duration_needs_its_unit),
        cmocka_unit_test(a_percentile_needs_ten_requests_beyond_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
