/* test_estimate.c: `archsim estimate` reproduces the guide's three worked examples, reads
 * its units and refuses bad input; the scenario it writes, simulated, runs its servers at
 * the utilisation it planned. */
#include <unistd.h>

#include "harness.h"
#include "cli/estimate.h"

static struct sim__estimate_input inputs(const char *const *pairs, int n)
{
    struct sim__estimate_input in;
    char err[256];
    sim__estimate_input_init(&in);
    for (int i = 0; i < n; i += 2)
        if (!sim__estimate_set(&in, pairs[i], pairs[i + 1], err, sizeof err)) fail_msg("%s: %s", pairs[i], err);
    return in;
}

static struct sim__estimate estimate(const char *const *pairs, int n)
{
    struct sim__estimate_input in = inputs(pairs, n);
    struct sim__estimate e;
    char err[256];
    if (!sim__estimate_compute(&in, &e, err, sizeof err)) fail_msg("%s", err);
    sim__estimate_print(stdout, &e);
    return e;
}

/* 1M DAU x 5 requests = about 58 average and 174 peak QPS. */
static void dau_gives_58_average_and_174_peak_qps(void **state)
{
    (void)state;
    const char *const in[] = {"dau", "1M", "requests_per_user", "5"};
    struct sim__estimate e = estimate(in, 4);
    harness_exact("average QPS = 1e6 x 5 / 86400", 1e6 * 5 / 86400, e.average_qps, 1e-12);
    harness_exact("average QPS, rounded (about 58)", 58, round(e.average_qps), 0);
    harness_exact("peak QPS, rounded (about 174)", 174, round(e.peak_qps), 0);
}

/* 100M URLs/day x 500 B x 5 years x 3 copies = about 275 TB (273.75 TB exactly). */
static void urls_give_about_275_tb(void **state)
{
    (void)state;
    const char *const in[] = {"writes_per_day", "100M", "record_size", "500B", "retention", "5y",
                              "replication", "3"};
    struct sim__estimate e = estimate(in, 8);
    harness_exact("storage = 1e8 x 500 x 365 x 5 x 3 bytes", 1e8 * 500 * 365 * 5 * 3, e.storage, 1e-12);
    printf("  storage %.2f TB (10^12 bytes), the guide's 'about 275 TB'\n", e.storage / 1e12);
    assert_true(fabs(e.storage / 1e12 - 275) / 275 < 0.01);
}

/* 3,000 peak QPS at 500 per server with 1.5 headroom = 9 servers. */
static void peak_3000_at_500_per_server_gives_9_servers(void **state)
{
    (void)state;
    const char *const in[] = {"peak_qps", "3000", "server_qps", "500", "headroom", "1.5"};
    struct sim__estimate e = estimate(in, 6);
    harness_exact("servers = ceil(3000 / 500 x 1.5)", 9, e.servers, 0);
    harness_exact("planned utilisation = 3000 / (9 x 500)", 3000.0 / 4500, e.planned_utilisation, 1e-12);
}

static void units_and_derived_figures(void **state)
{
    (void)state;
#define AT(field) offsetof(struct sim__estimate_input, field)
    struct { const char *name, *text; double want; size_t at; } cases[] = {
        {"record_size", "2KB", 2000, AT(record_size)},
        {"record_size", "1KiB", 1024, AT(record_size)},
        {"record_size", "1.5MB", 1.5e6, AT(record_size)},
        {"record_size", "500", 500, AT(record_size)},
        {"retention", "30d", 30 * 86400.0, AT(retention)},
        {"retention", "1y", 365 * 86400.0, AT(retention)},
        {"retention", "2w", 14 * 86400.0, AT(retention)},
        {"read_share", "90%", 0.9, AT(read_share)},
        {"read_share", "0.75", 0.75, AT(read_share)},
        {"read_write", "10:1", 10.0 / 11, AT(read_share)},
        {"dau", "2.5K", 2500, AT(dau)},
        {"server_qps", "1e3", 1000, AT(server_qps)},
        {"service_time", "20ms", 0.02, AT(service_time)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *const pair[] = {cases[i].name, cases[i].text};
        struct sim__estimate_input in = inputs(pair, 2);
        char what[64];
        snprintf(what, sizeof what, "%s %s", cases[i].name, cases[i].text);
        harness_exact(what, cases[i].want, *(const double *)((const char *)&in + cases[i].at), 1e-12);
    }
    /* Writes from the read share; bandwidth at the peak in bytes per second. */
    const char *const in[] = {"qps", "1000", "read_write", "4:1", "record_size", "1KB",
                              "response_size", "10KB", "peak_factor", "2"};
    struct sim__estimate e = estimate(in, 10);
    harness_exact("writes per day = 1000 x 0.2 x 86400", 1000 * 0.2 * 86400, e.writes_per_day, 1e-12);
    harness_exact("bandwidth in = 2000 x 0.2 x 1000 B/s", 400e3, e.bandwidth_in, 1e-12);
    harness_exact("bandwidth out = 2000 x 0.8 x 10000 B/s", 16e6, e.bandwidth_out, 1e-12);
    assert_true(isnan(e.storage)); /* no retention given */
    char *json = sim__estimate_json(&e);
    assert_non_null(strstr(json, "\"bandwidth_out_bytes_per_second\":\t16000000"));
    sim_free(json);
}

static void bad_input_is_refused_with_a_reason(void **state)
{
    (void)state;
    struct sim__estimate_input in;
    sim__estimate_input_init(&in);
    char err[512];
    struct { const char *name, *text, *message; } bad[] = {
        {"dau", "-3", "expected a positive number such as 1000000, 1e6 or 1M (K, M, B), got -3"},
        {"dau", "1Q", "expected a positive number such as 1000000, 1e6 or 1M (K, M, B), got 1Q"},
        {"read_share", "1.2", "expected a share from 0 to 1 or a percentage such as 90%, got 1.2"},
        {"read_write", "10", "expected reads:writes such as 10:1, got 10"},
        {"record_size", "5 TB", "expected a size such as 500B, 2KB or 1.5MB (decimal; KiB, MiB, GiB binary), got 5 TB"},
        {"retention", "5", "expected a period such as 30d, 6w or 5y (a year is 365 days), got 5"},
        {"replication", "2.5", "expected an integer from 1 to 65, got 2.5"},
        {"headroom", "0.5", "expected a number of at least 1, got 0.5"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_false(sim__estimate_set(&in, bad[i].name, bad[i].text, err, sizeof err));
        printf("  %s %s: %s\n", bad[i].name, bad[i].text, err);
        assert_string_equal(err, bad[i].message);
    }
    assert_false(sim__estimate_set(&in, "daux", "3", err, sizeof err));
    assert_string_equal(err, "");

    struct sim__estimate e;
    assert_false(sim__estimate_compute(&in, &e, err, sizeof err));
    assert_non_null(strstr(err, "no traffic"));
    const char *const twice[] = {"dau", "1M", "requests_per_user", "5", "qps", "10"};
    in = inputs(twice, 6);
    assert_false(sim__estimate_compute(&in, &e, err, sizeof err));
    assert_non_null(strstr(err, "give the traffic once"));

    char path[] = "/tmp/test_estimate_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char text[] = "{\"dau\": \"1M\", \"requests_per_user\": 5, \"reed_share\": 0.9}";
    assert_true(write(fd, text, sizeof text - 1) == (ssize_t)(sizeof text - 1));
    close(fd);
    sim__estimate_input_init(&in);
    assert_false(sim__estimate_read(&in, path, err, sizeof err));
    printf("  %s\n", err);
    assert_non_null(strstr(err, "reed_share: unknown field (did you mean 'read_share'?)"));
    FILE *f = fopen(path, "w");
    fputs("{\"dau\": -3, \"requests_per_user\": 5}", f);
    fclose(f);
    assert_false(sim__estimate_read(&in, path, err, sizeof err));
    printf("  %s\n", err);
    assert_non_null(strstr(err, ": dau: expected a positive number"));
    assert_non_null(strstr(err, "got -3"));
    unlink(path);
}

/* The scenario sized from the third example (with a 9:1 read/write mix) runs its nine
 * servers at the utilisation the estimate planned: 3000 / (9 x 500) = 66.7%. */
static void the_written_scenario_runs_at_the_planned_utilisation(void **state)
{
    (void)state;
    const char *const pairs[] = {"peak_qps", "3000", "server_qps", "500", "headroom", "1.5",
                                 "read_write", "9:1"};
    struct sim__estimate e = estimate(pairs, 8);
    char err[256];
    char *text = sim__estimate_scenario(&e, err, sizeof err);
    assert_non_null(text);
    const char *const sets[] = {"duration=20s"};
    struct harness_run h = harness_run_text("estimate.json", text, sets, 1, false);
    harness_inside("nodes.app.utilisation = 3000 / (9 x 500)", e.planned_utilisation,
                   harness_metric(&h, "nodes.app.utilisation"), 0.02);
    struct sim__verdict v[8];
    assert_true(h.sc.nexpect <= 8);
    assert_true(sim__expect_check(&h.sc, h.res, v, err, sizeof err));
    for (int i = 0; i < h.sc.nexpect; i++) assert_true(v[i].pass);
    harness_done(&h);
    sim_free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dau_gives_58_average_and_174_peak_qps),
        cmocka_unit_test(urls_give_about_275_tb),
        cmocka_unit_test(peak_3000_at_500_per_server_gives_9_servers),
        cmocka_unit_test(units_and_derived_figures),
        cmocka_unit_test(bad_input_is_refused_with_a_reason),
        cmocka_unit_test(the_written_scenario_runs_at_the_planned_utilisation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
