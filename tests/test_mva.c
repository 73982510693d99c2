/* test_mva.c: exact mean value analysis against a network solved by hand, against the
 * finite-source birth-death chain (M/M/c//N, sim_mmcn) for one and several servers, and at
 * its edges (a million users, copies, the work limit). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>

#include "sim.h"

static bool exact;

#define NEAR(a, b, tol) assert_true(fabs((a) - (b)) <= (tol) * fabs(b))

/* Think 1 s, two single-server stations with demands 0.5 s and 0.25 s, by hand:
 * n=1: R = 0.5, 0.25; X = 1/1.75 = 4/7; Q = 2/7, 1/7.
 * n=2: R = 0.5 (9/7) = 9/14, 0.25 (8/7) = 2/7; X = 2/(27/14) = 28/27; Q = 2/3, 8/27.
 * n=3: R = 0.5 (5/3) = 5/6, 0.25 (35/27) = 35/108; cycle 233/108; X = 324/233.
 * Response N/X - Z = 125/108; P(wait) at the first = X(2) D = 14/27 (arrival theorem). */
static void two_stations_by_hand(void **state)
{
    (void)state;
    struct sim_mva_station st[2] = {{.demand = 0.5, .servers = 1, .copies = 1},
                                    {.demand = 0.25, .servers = 1, .copies = 1}};
    NEAR(sim_mva(st, 2, 1, 1.0, &exact), 4.0 / 7, 1e-14);
    NEAR(st[0].queue, 2.0 / 7, 1e-14);
    NEAR(st[1].queue, 1.0 / 7, 1e-14);
    NEAR(sim_mva(st, 2, 2, 1.0, &exact), 28.0 / 27, 1e-14);
    NEAR(st[0].response, 9.0 / 14, 1e-14);
    NEAR(st[1].queue, 8.0 / 27, 1e-14);
    double x = sim_mva(st, 2, 3, 1.0, &exact);
    NEAR(x, 324.0 / 233, 1e-14);
    NEAR(3 / x - 1.0, 125.0 / 108, 1e-13);
    NEAR(st[0].response, 5.0 / 6, 1e-14);
    NEAR(st[1].response, 35.0 / 108, 1e-14);
    NEAR(st[0].utilisation, 162.0 / 233, 1e-14);
    NEAR(st[0].wait_probability, 14.0 / 27, 1e-14);
    NEAR(st[1].wait_probability, 7.0 / 27, 1e-14);
    assert_true(exact);
}

/* The normalising constant by brute force: every way to place n users at a single server
 * (demand d1), a c-server station (d2) and thinking (z), weighted d1^i f(j) z^t / t!,
 * f(j) = d2^j / prod_{i<=j} min(i, c). X(n) = G(n - 1) / G(n); the mean number at the
 * c-server station is sum j weight / G(n). */
static double brute(int n, double d1, double d2, int c, double z, double *at2)
{
    double g = 0, l2 = 0;
    for (int i = 0; i <= n; i++)
        for (int j = 0; i + j <= n; j++) {
            int t = n - i - j;
            double w = pow(d1, i), f = 1, zt = 1;
            for (int m = 1; m <= j; m++) f *= d2 / (m < c ? m : c);
            for (int m = 1; m <= t; m++) zt *= z / m;
            g += w * f * zt;
            l2 += j * w * f * zt;
        }
    if (at2) *at2 = l2 / g;
    return g;
}

/* A single server, a 3-server station and think time, against brute force for 1 to 12
 * users, near and past saturation: the load-dependent recursion is exact. Two multi-server
 * stations are Seidmann's approximation and say so. */
static void a_multi_server_station_in_a_network(void **state)
{
    (void)state;
    const double d1 = 0.004, d2 = 0.015, z = 0.02;
    for (int n = 1; n <= 12; n++) {
        struct sim_mva_station st[2] = {{.demand = d1, .servers = 1, .copies = 1},
                                        {.demand = d2, .servers = 3, .copies = 1}};
        double l2, x = sim_mva(st, 2, n, z, &exact);
        double want = brute(n - 1, d1, d2, 3, z, NULL) / brute(n, d1, d2, 3, z, &l2);
        assert_true(exact);
        NEAR(x, want, 1e-12);
        NEAR(st[1].queue, l2, 1e-11);
    }
    struct sim_mva_station two[2] = {{.demand = 0.01, .servers = 2, .copies = 1},
                                     {.demand = 0.015, .servers = 3, .copies = 1}};
    double x = sim_mva(two, 2, 20, 0.02, &exact);
    assert_false(exact);
    assert_true(isnan(two[0].wait_probability) && x > 0 && x <= 200 + 1e-9);
    struct sim_mva_station copies = {.demand = 0.01, .servers = 2, .copies = 2};
    sim_mva(&copies, 1, 5, 0.02, &exact);
    assert_false(exact);
}

/* One station in front of think time is M/M/c//N: the chain and the recursion agree, with
 * one worker and with several (the load-dependent marginals). */
static void one_station_is_the_finite_source_queue(void **state)
{
    (void)state;
    const int cs[] = {1, 2, 4, 16};
    const int64_t ns[] = {1, 3, 10, 50, 400};
    for (size_t i = 0; i < sizeof cs / sizeof *cs; i++)
        for (size_t j = 0; j < sizeof ns / sizeof *ns; j++) {
            double z = 0.05, s = 0.005 * cs[i];
            struct sim_mva_station st = {.demand = s, .servers = cs[i], .copies = 1};
            double x = sim_mva(&st, 1, ns[j], z, &exact);
            struct sim_closed r = sim_mmcn(cs[i], ns[j], z, s);
            NEAR(x, r.throughput, 1e-9);
            NEAR(st.response, r.response, 1e-9);
            NEAR(st.utilisation, r.utilisation, 1e-9);
            NEAR(st.queue, r.in_system, 1e-9);
            if (r.wait_probability > 1e-12) NEAR(st.wait_probability, r.wait_probability, 1e-8);
        }
}

/* Copies: two identical stations each taking half the demand solve as one station with
 * copies = 2. A million users saturate the bottleneck, X = 1 / D_max, finite. Beyond the
 * work limit: NAN, not a long wait. */
static void copies_saturation_and_the_work_limit(void **state)
{
    (void)state;
    struct sim_mva_station two[3] = {{.demand = 0.002, .servers = 1, .copies = 1},
                                     {.demand = 0.002, .servers = 1, .copies = 1},
                                     {.demand = 0.003, .servers = 1, .copies = 1}};
    struct sim_mva_station one[2] = {{.demand = 0.002, .servers = 1, .copies = 2},
                                     {.demand = 0.003, .servers = 1, .copies = 1}};
    double a = sim_mva(two, 3, 7, 0.01, &exact), b = sim_mva(one, 2, 7, 0.01, &exact);
    NEAR(a, b, 1e-14);
    NEAR(one[0].queue, two[0].queue, 1e-14);
    struct sim_mva_station big[2] = {{.demand = 0.001, .servers = 1, .copies = 1},
                                     {.demand = 0.002, .servers = 4, .copies = 1}};
    double x = sim_mva(big, 2, 1000000, 1.0, &exact);
    NEAR(x, 1000.0, 1e-9);
    assert_true(isfinite(big[1].response) && big[1].utilisation <= 1 + 1e-12);
    struct sim_mva_station wide = {.demand = 1, .servers = 1000, .copies = 1};
    assert_true(isnan(sim_mva(&wide, 1, 1000000, 1.0, &exact)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_stations_by_hand),
        cmocka_unit_test(one_station_is_the_finite_source_queue),
        cmocka_unit_test(a_multi_server_station_in_a_network),
        cmocka_unit_test(copies_saturation_and_the_work_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
