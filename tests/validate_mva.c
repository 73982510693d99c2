/* validate_mva.c: closed-loop users through a network of services against exact mean value
 * analysis (sim_mva, checked by hand in test_mva). scenarios/validation/closed-network.json:
 * 20 users thinking exp(100 ms), front (exp 4 ms) calls app (exp 6 ms), which calls db
 * (exp 10 ms) half the time, all async single-worker: a product-form network with visit
 * ratios 1, 1, 0.5. Then app as two workers of 12 ms each, a load-dependent station, still
 * exact. Each formula must lie inside the simulated 95% interval, half-width under 3%. */
#include "harness.h"

#define TIGHT 0.03

static const char *const file = "scenarios/validation/closed-network.json";

static void check(const char *const *sets, int nsets, double app_service, int app_workers)
{
    const int64_t users = 20;
    const double think = 0.100;
    const char *names[] = {"front", "app", "db"};
    const double service[] = {0.004, app_service, 0.010}, visits[] = {1, 1, 0.5};
    struct sim_mva_station st[3];
    for (int k = 0; k < 3; k++)
        st[k] = (struct sim_mva_station){.demand = visits[k] * service[k],
                                         .servers = k == 1 ? app_workers : 1, .copies = 1};
    bool exact;
    double x = sim_mva(st, 3, users, think, &exact);
    assert_true(exact);
    struct harness_run h = harness_run(file, sets, nsets);
    printf("%s (app %d x %g ms): X(N) %.6g/s, N/X - Z %.6g ms\n", file, app_workers,
           1e3 * app_service, x, 1e3 * (users / x - think));
    harness_inside("system throughput X(N) [1/s]", x, harness_metric(&h, "nodes.front.throughput"), TIGHT);
    harness_inside("response N/X - Z [s]", users / x - think, harness_metric(&h, "latency.mean"), TIGHT);
    for (int k = 0; k < 3; k++) {
        char what[64], path[64];
        double r = st[k].response / visits[k]; /* per call: wait and service */
        snprintf(what, sizeof what, "%s throughput X v [1/s]", names[k]);
        snprintf(path, sizeof path, "nodes.%s.throughput", names[k]);
        harness_inside(what, x * visits[k], harness_metric(&h, path), TIGHT);
        snprintf(what, sizeof what, "%s utilisation X D / c", names[k]);
        snprintf(path, sizeof path, "nodes.%s.utilisation", names[k]);
        harness_inside(what, st[k].utilisation, harness_metric(&h, path), TIGHT);
        snprintf(what, sizeof what, "%s mean wait [s]", names[k]);
        snprintf(path, sizeof path, "nodes.%s.wait.mean", names[k]);
        harness_inside(what, r - service[k], harness_metric(&h, path), TIGHT);
        snprintf(what, sizeof what, "%s mean queue X v (R - S)", names[k]);
        snprintf(path, sizeof path, "nodes.%s.queue.mean", names[k]);
        harness_inside(what, x * visits[k] * (r - service[k]), harness_metric(&h, path), TIGHT);
    }
    harness_done(&h);
}

static void three_single_servers(void **s)
{
    (void)s;
    check(NULL, 0, 0.006, 1);
}

static void a_two_worker_station(void **s)
{
    (void)s;
    const char *sets[] = {"nodes.app.workers=2", "nodes.app.service_time.mean=12ms"};
    check(sets, 2, 0.012, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_single_servers),
        cmocka_unit_test(a_two_worker_station),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
