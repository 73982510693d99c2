/* test_lb_health.c: the lb's health checks and outlier ejection. When a failed instance is
 * removed (the window and mean of the removal time, against the arithmetic of the probe
 * schedule), what each check kind sees (a hang passes tcp, fails http and deep; a hung
 * shared dependency fails deep checks only), the return after healthy_after passes,
 * ejection of slow and erroring backends under max_ejected, every algorithm and zone
 * affinity skipping a removed backend, failing closed or open, hash keys moving only off
 * the removed backend, a slow fault timed to its ejection, and configuration errors. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The model's file-local functions, for the hashing test; its vtable under another name. */
#define lb_model lb_model_under_test
#include "lb.c"
#undef lb_model

/* Constant arrivals at `rate` for `duration` (warm-up `warmup`, `reps` replications) into
 * lb "lb" (its fields after "type"), backends `nodes`, then `faults` (a JSON array). */
static const char *scenario(double rate, const char *duration, const char *warmup, int reps,
                            const char *lb, const char *nodes, const char *faults)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"duration\": \"%s\", \"warmup\": \"%s\", \"replications\": %d, \"seed\": 23, "
             "\"workload\": {\"entry\": \"lb\", \"deadline\": \"1s\", "
             "\"arrivals\": {\"process\": \"constant\", \"rate\": %g}}, "
             "\"nodes\": {\"lb\": {\"type\": \"lb\", %s}, %s}, \"faults\": %s}",
             duration, warmup, reps, rate, lb, nodes, faults);
    return buf;
}

#define APP4 "\"app\": {\"type\": \"service\", \"instances\": 4, \"workers\": 8, \"service_time\": \"2ms\"}"

static const struct sim__metric *metric(const struct harness_run *h, const char *backend,
                                        const char *leaf)
{
    char path[160];
    snprintf(path, sizeof path, "nodes.lb.backends.%s.%s", backend, leaf);
    return harness_metric(h, path);
}

static double figure(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->values[0];
}

/* Fails unless every replication's time_to_removal of `backend` lies in (lo, hi]; prints
 * the range seen and returns the metric. */
static const struct sim__metric *removals_within(const struct harness_run *h, const char *backend,
                                                 double lo, double hi)
{
    const struct sim__metric *m = metric(h, backend, "time_to_removal");
    double least = INFINITY, most = -INFINITY;
    for (int r = 0; r < h->res->replications; r++) {
        double t = m->values[r];
        least = fmin(least, t);
        most = fmax(most, t);
        if (!(t > lo && t <= hi))
            fail_msg("replication %d: %s removed %.6gs after its failure, outside (%g, %g]", r,
                     backend, t, lo, hi);
    }
    printf("  %s removed %.3fs to %.3fs after its failure over %d replications (mean %.3fs), "
           "window (%g, %g]\n", backend, least, most, h->res->replications, m->ci.mean, lo, hi);
    return m;
}

/* tcp checks every 5s, out after 2: the first probe after the crash comes U later, U
 * uniform on (0, 5s] (each replication draws its own phase), and the second 5s after it.
 * A crashed instance refuses at once, so the removal comes (unhealthy_after - 1) x
 * interval + U after the crash: in (5s, 10s], at most interval x unhealthy_after, mean
 * 7.5s. Meanwhile round robin sends it every 4th call: 50 a second of 200. With
 * unhealthy_after 3 the window is (10s, 15s], mean 12.5s. A silent crash (the machine is
 * gone: nothing refuses, nothing answers) fails each probe only at its timeout, the
 * interval by default: with unhealthy_after 2 the window is (10s, 15s], the faults
 * issue's "health check 5 s x 2 removes an instance within 10 to 15 s". */
static void crashed_instance_is_removed_within_the_window(void **s)
{
    (void)s;
    static const struct {
        int after;
        double lo, hi, mean;
        bool silent;
    } cases[] = {{2, 5, 10, 7.5, false}, {3, 10, 15, 12.5, false}, {2, 10, 15, 12.5, true}};
    for (int c = 0; c < 3; c++) {
        char lb[256];
        snprintf(lb, sizeof lb, "\"backends\": [\"app\"], \"health_check\": {\"interval\": \"5s\", "
                 "\"unhealthy_after\": %d, \"kind\": \"tcp\"}", cases[c].after);
        char fault[160];
        snprintf(fault, sizeof fault, "[{\"target\": \"app.2\", \"kind\": \"crash\", \"at\": \"20s\"%s}]",
                 cases[c].silent ? ", \"silent\": true" : "");
        struct harness_run h = harness_run_text("health.json", scenario(200, "36s", "0s", 40, lb, APP4, fault),
                                                NULL, 0, false);
        printf("tcp checks every 5s, out after %d failed, %s crash:\n", cases[c].after,
               cases[c].silent ? "a silent" : "a refusing");
        const struct sim__metric *m = removals_within(&h, "app-2", cases[c].lo, cases[c].hi);
        harness_inside("mean time to removal (s)", cases[c].mean, m, 0.1);
        const struct sim__metric *sent = metric(&h, "app-2", "requests_while_failed");
        const struct sim__metric *detect = harness_metric(&h, "faults.0.detect");
        for (int r = 0; r < h.res->replications; r++) {
            /* Calls 1 in 4, every 5ms: 50 a second, give or take one at each end. */
            double want = 50 * m->values[r];
            if (fabs(sent->values[r] - want) > 2)
                fail_msg("replication %d: %g calls sent to the crashed instance, wanted %g +- 2", r,
                         sent->values[r], want);
            assert_float_equal(detect->values[r], m->values[r], 1e-9);
            assert_int_equal(metric(&h, "app-2", "removals")->values[r], 1);
            assert_int_equal(metric(&h, "app-0", "removals")->values[r], 0);
        }
        printf("  calls sent to it meanwhile: mean %.1f (50/s x %.3fs = %.1f)\n", sent->ci.mean,
               m->ci.mean, 50 * m->ci.mean);
        assert_non_null(h.res->story);
        assert_non_null(strstr(h.res->story, "lb: removes app-2 from rotation"));
        assert_non_null(strstr(h.res->story, "lb: detects fault 0 on app.2"));
        harness_done(&h);
    }
}

/* A hung instance accepts connections: tcp checks pass and it stays in rotation while its
 * calls time out (the clients' 1s deadline). http and deep checks get no answer and fail at
 * their timeout: removed in (5s + timeout, 10s + timeout]. With the timeout at its default,
 * the interval, that is (10s, 15s]. When the database behind every instance hangs, tcp and
 * http checks pass, and deep checks (real calls) fail on every instance: all are removed
 * and the lb answers "unavailable" itself - the known hazard of deep checks on a shared
 * dependency. */
static void hang_passes_tcp_and_fails_http_and_deep(void **s)
{
    (void)s;
    const char *hang = "[{\"target\": \"app.2\", \"kind\": \"hang\", \"at\": \"20s\"}]";
    const char *lb = "\"backends\": [\"app\"], \"health_check\": {\"interval\": \"5s\", "
                     "\"unhealthy_after\": 2, \"kind\": \"tcp\"}";
    struct harness_run h = harness_run_text("health.json", scenario(200, "36s", "0s", 4, lb, APP4, hang),
                                            NULL, 0, false);
    printf("tcp checks, app-2 hung from 20s:\n");
    for (int r = 0; r < 4; r++) {
        assert_int_equal(metric(&h, "app-2", "removals")->values[r], 0);
        assert_float_equal(metric(&h, "app-2", "healthy")->values[r], 1, 0);
        assert_true(isnan(metric(&h, "app-2", "time_to_removal")->values[r]));
    }
    double sent = figure(&h, "nodes.lb.backends.app-2.requests_while_failed");
    double timeouts = figure(&h, "errors.timeout") * figure(&h, "requests.finished");
    printf("  never removed; %g calls sent to it while hung, %g requests timed out\n", sent, timeouts);
    /* Every 4th call from 20s to 36s, and all of them but the last second's time out. */
    assert_true(fabs(sent - 800) <= 2);
    assert_true(fabs(timeouts - 750) <= 2);
    harness_done(&h);

    static const struct {
        const char *check;
        double lo, hi;
    } cases[] = {
        {"\"kind\": \"http\", \"timeout\": \"1s\"", 6, 11},
        {"\"kind\": \"deep\", \"timeout\": \"1s\"", 6, 11},
        {"\"kind\": \"http\"", 10, 15},
    };
    for (int c = 0; c < 3; c++) {
        char lbc[256];
        snprintf(lbc, sizeof lbc, "\"backends\": [\"app\"], \"health_check\": {\"interval\": "
                 "\"5s\", \"unhealthy_after\": 2, %s}", cases[c].check);
        h = harness_run_text("health.json", scenario(200, "36s", "0s", 20, lbc, APP4, hang), NULL, 0,
                             false);
        printf("%s, app-2 hung from 20s:\n", cases[c].check);
        removals_within(&h, "app-2", cases[c].lo, cases[c].hi);
        harness_done(&h);
    }

    const char *app_db = "\"app\": {\"type\": \"service\", \"instances\": 4, \"workers\": 8, "
                         "\"service_time\": \"2ms\", \"calls\": [{\"to\": \"db\"}]}, "
                         "\"db\": {\"type\": \"service\", \"workers\": 64, \"service_time\": \"1ms\"}";
    const char *db_hang = "[{\"target\": \"db\", \"kind\": \"hang\", \"at\": \"20s\"}]";
    static const char *const kinds[] = {"tcp", "http", "deep"};
    for (int k = 0; k < 3; k++) {
        char lbc[256];
        snprintf(lbc, sizeof lbc, "\"backends\": [\"app\"], \"health_check\": {\"interval\": "
                 "\"5s\", \"timeout\": \"1s\", \"unhealthy_after\": 2, \"kind\": \"%s\"}", kinds[k]);
        h = harness_run_text("health.json", scenario(200, "36s", "0s", 4, lbc, app_db, db_hang),
                             NULL, 0, false);
        double removed = 0;
        for (int i = 0; i < 4; i++) {
            char name[16];
            snprintf(name, sizeof name, "app-%d", i);
            removed += metric(&h, name, "removals")->values[0];
        }
        double none = figure(&h, "nodes.lb.no_healthy_backend");
        printf("%s checks, db hung from 20s: app instances removed %g, no_healthy_backend %g\n",
               kinds[k], removed, none);
        if (k < 2) {
            assert_float_equal(removed, 0, 0);
        } else {
            assert_float_equal(removed, 4, 0);
            /* Out by 31s at the latest: from then on every call (1,000 at least). */
            assert_true(none >= 1000 && none < 3200);
            /* The apps are not faulted themselves: no time_to_removal. */
            assert_true(isnan(figure(&h, "nodes.lb.backends.app-0.time_to_removal")));
        }
        harness_done(&h);
    }
}

/* A crash from 20s to 40s; checks every 5s, out after 2, back after 2. The phase is fixed,
 * and the fault begins and ends on multiples of the interval, so the instance is out from
 * 25s + U to 45s + U - exactly 20s of the 60s. Round robin gives it every 4th call while
 * in rotation (2,000 of the 40s it spends there), none while out. */
static void healthy_after_brings_it_back(void **s)
{
    (void)s;
    const char *lb = "\"backends\": [\"app\"], \"health_check\": {\"interval\": \"5s\", "
                     "\"unhealthy_after\": 2, \"healthy_after\": 2}";
    struct harness_run h = harness_run_text(
        "health.json",
        scenario(200, "60s", "0s", 8, lb, APP4,
                 "[{\"target\": \"app.2\", \"kind\": \"crash\", \"at\": \"20s\", \"for\": \"20s\"}]"),
        NULL, 0, false);
    const struct sim__metric *healthy = metric(&h, "app-2", "healthy");
    const struct sim__metric *req = metric(&h, "app-2", "requests");
    printf("crash from 20s to 40s: app-2 healthy %.6f (1 - 20/60 = %.6f), requests %g (2000)\n",
           healthy->ci.mean, 1 - 20.0 / 60, req->ci.mean);
    for (int r = 0; r < 8; r++) {
        assert_float_equal(healthy->values[r], 1 - 20.0 / 60, 1e-9);
        assert_true(fabs(req->values[r] - 2000) <= 2);
        assert_int_equal(metric(&h, "app-2", "removals")->values[r], 1);
        assert_float_equal(metric(&h, "app-0", "healthy")->values[r], 1, 0);
    }
    assert_non_null(strstr(h.res->story, "lb: returns app-2 to rotation: 2 tcp checks passed in a row"));
    harness_done(&h);
}

/* Outlier ejection, from real answers only (no health checks). A slow backend (300ms
 * against 2ms for app's three instances), with latency_above 100ms: round robin sends it
 * every 4th call (every 20ms), and its 5th slow answer in a row (sent at 80ms, back at
 * 380ms) ejects it for 10s; back, it takes its turn within 20ms, answers 5 more slowly and
 * goes again: five ejections in 45s, in rotation 0.38s to 0.40s each time. Three backends
 * of four failing every call (error faults), with max_ejected 0.5: never more than two
 * ejected at once (0.25: one). */
static void outlier_ejection_ejects_within_max_ejected(void **s)
{
    (void)s;
    const char *lb = "\"backends\": [\"app\", \"slow\"], \"outlier_ejection\": "
                     "{\"consecutive_errors\": 5, \"latency_above\": \"100ms\", \"eject_for\": \"10s\"}";
    const char *nodes = "\"app\": {\"type\": \"service\", \"instances\": 3, \"workers\": 8, "
                        "\"service_time\": \"2ms\"}, \"slow\": {\"type\": \"service\", \"workers\": 64, "
                        "\"service_time\": \"300ms\"}";
    struct harness_run h = harness_run_text("health.json", scenario(200, "45s", "0s", 1, lb, nodes, "[]"),
                                            NULL, 0, false);
    double healthy = figure(&h, "nodes.lb.backends.slow.healthy");
    printf("a 300ms backend among 2ms ones: ejections %g, healthy %.6f (5 x 0.38s to 0.40s over "
           "45s: %.6f to %.6f)\n", figure(&h, "nodes.lb.backends.slow.ejections"), healthy,
           5 * 0.38 / 45, 5 * 0.40 / 45);
    assert_float_equal(figure(&h, "nodes.lb.backends.slow.ejections"), 5, 0);
    assert_true(healthy >= 5 * 0.38 / 45 && healthy <= 5 * 0.40 / 45);
    assert_float_equal(figure(&h, "nodes.lb.backends.app-0.ejections"), 0, 0);
    assert_float_equal(figure(&h, "nodes.lb.ejected.max"), 1, 0);
    assert_non_null(strstr(h.res->story, "lb: ejects slow for 10s: 5 errors or slow answers in a row"));
    harness_done(&h);

    static const struct {
        const char *max;
        int most;
    } caps[] = {{"0.5", 2}, {"0.25", 1}};
    for (int c = 0; c < 2; c++) {
        char lbc[256];
        snprintf(lbc, sizeof lbc, "\"backends\": [\"app\"], \"outlier_ejection\": "
                 "{\"consecutive_errors\": 3, \"eject_for\": \"5s\", \"max_ejected\": %s}", caps[c].max);
        h = harness_run_text(
            "health.json",
            scenario(200, "30s", "0s", 1, lbc, APP4,
                     "[{\"target\": \"app.1\", \"kind\": \"error\", \"ratio\": 1, \"at\": \"5s\"}, "
                     "{\"target\": \"app.2\", \"kind\": \"error\", \"ratio\": 1, \"at\": \"5s\"}, "
                     "{\"target\": \"app.3\", \"kind\": \"error\", \"ratio\": 1, \"at\": \"5s\"}]"),
            NULL, 0, false);
        double total = 0;
        for (int i = 1; i <= 3; i++) {
            char name[16];
            snprintf(name, sizeof name, "app-%d", i);
            total += metric(&h, name, "ejections")->values[0];
        }
        printf("3 of 4 backends failing, max_ejected %s: ejected.max %g, ejections %g, "
               "ejected.mean %.3f\n", caps[c].max, figure(&h, "nodes.lb.ejected.max"), total,
               figure(&h, "nodes.lb.ejected.mean"));
        assert_float_equal(figure(&h, "nodes.lb.ejected.max"), caps[c].most, 0);
        assert_true(total >= caps[c].most * 4);
        assert_float_equal(figure(&h, "nodes.lb.backends.app-0.ejections"), 0, 0);
        assert_non_null(strstr(h.res->story, "backends are ejected already"));
        /* The first ejected: its 3rd error in a row, calls to it every 20ms from 5s. */
        double first = INFINITY;
        for (int i = 1; i <= 3; i++) {
            char name[16];
            snprintf(name, sizeof name, "app-%d", i);
            double t = metric(&h, name, "time_to_removal")->values[0];
            if (!isnan(t)) first = fmin(first, t);
        }
        printf("  the first ejected %.3fs after its fault began\n", first);
        assert_true(first >= 0.04 && first < 0.06);
        harness_done(&h);
    }
}

/* A slow fault (x150: 2ms becomes 300ms) on app.1 from 5s, round robin over 4 instances at
 * 200 calls/s: app-1 gets a call every 20ms, its first slowed one sent within 20ms of 5s,
 * and the 5th slow answer in a row (sent 80ms later, back 300ms after that) ejects it: the
 * time to removal, from the fault's start, lies in (0.38s, 0.40s]. */
static void a_slow_fault_is_timed_to_its_ejection(void **s)
{
    (void)s;
    const char *lb = "\"backends\": [\"app\"], \"outlier_ejection\": "
                     "{\"consecutive_errors\": 5, \"latency_above\": \"100ms\", \"eject_for\": \"10s\"}";
    struct harness_run h = harness_run_text(
        "health.json",
        scenario(200, "8s", "0s", 1, lb, APP4,
                 "[{\"target\": \"app.1\", \"kind\": \"slow\", \"factor\": 150, \"at\": \"5s\"}]"),
        NULL, 0, false);
    assert_float_equal(figure(&h, "nodes.lb.backends.app-1.ejections"), 1, 0);
    removals_within(&h, "app-1", 0.38, 0.40);
    assert_float_equal(figure(&h, "faults.0.detected"), 1, 0);
    harness_done(&h);
}

/* app-3 crashes at 1s and is out by 2s (checks every second, out after 1). Measured from
 * 5s to 17s (3,600 calls), round robin deals them over the other three: 1,200 each. */
static void round_robin_spreads_evenly_over_the_rest(void **s)
{
    (void)s;
    const char *lb = "\"backends\": [\"app\"], \"health_check\": {\"interval\": \"1s\", "
                     "\"unhealthy_after\": 1}";
    struct harness_run h = harness_run_text(
        "health.json",
        scenario(300, "17s", "5s", 1, lb, APP4,
                 "[{\"target\": \"app.3\", \"kind\": \"crash\", \"at\": \"1s\"}]"),
        NULL, 0, false);
    printf("round robin with app-3 removed:");
    for (int i = 0; i < 4; i++) {
        char name[16];
        snprintf(name, sizeof name, "app-%d", i);
        double n = metric(&h, name, "requests")->values[0];
        printf(" %s %g", name, n);
        assert_int_equal(n, i < 3 ? 1200 : 0);
    }
    printf("\n");
    assert_float_equal(figure(&h, "nodes.lb.backends.app-3.healthy"), 0, 0);
    assert_float_equal(figure(&h, "errors.ratio"), 0, 0);
    harness_done(&h);
}

/* Every algorithm skips a removed backend, with and without zone affinity (clients in a1,
 * app's instances in a1, a2, b1, a1: with app-3 out, a1's calls all go to app-0). */
static void every_algorithm_skips_a_removed_backend(void **s)
{
    (void)s;
    static const char *const algorithms[] = {"round_robin", "weighted_round_robin", "random",
                                             "least_conn", "power_of_two", "least_latency",
                                             "key_hash", "consistent_hash"};
    const char *crash = "[{\"target\": \"app.3\", \"kind\": \"crash\", \"at\": \"1s\"}]";
    for (size_t a = 0; a < sizeof algorithms / sizeof *algorithms; a++) {
        for (int zoned = 0; zoned < 2; zoned++) {
            if (zoned && a == 1) continue; /* the same heap as least_conn */
            char lb[512], nodes[512], text[4096];
            snprintf(lb, sizeof lb, "\"algorithm\": \"%s\", \"backends\": [\"app\"], %s%s"
                     "\"health_check\": {\"interval\": \"1s\", \"unhealthy_after\": 1}",
                     algorithms[a], a == 1 ? "\"weights\": [2], " : "",
                     zoned ? "\"zone_affinity\": true, " : "");
            snprintf(nodes, sizeof nodes, "\"app\": {\"type\": \"service\", \"instances\": 4, "
                     "\"workers\": 8, \"service_time\": \"2ms\"%s}",
                     zoned ? ", \"zones\": [\"a1\", \"a2\", \"b1\", \"a1\"]" : "");
            snprintf(text, sizeof text,
                     "{\"duration\": \"10s\", \"warmup\": \"3s\", \"seed\": 5, \"workload\": "
                     "{\"entry\": \"lb\", %s\"keys\": {\"count\": 1000}, \"arrivals\": {\"rate\": 500}}, "
                     "\"nodes\": {\"lb\": {\"type\": \"lb\", %s}, %s}, \"faults\": %s%s}",
                     zoned ? "\"zone\": \"a1\", " : "", lb, nodes, crash,
                     zoned ? ", \"zones\": {\"cross_zone\": \"100us\", \"cross_region\": \"10ms\", "
                             "\"regions\": {\"r1\": [\"a1\", \"a2\"], \"r2\": [\"b1\"]}}" : "");
            struct harness_run h = harness_run_text("health.json", text, NULL, 0, false);
            double n[4], fwd = figure(&h, "nodes.lb.forwarded") * harness_window(&h);
            for (int i = 0; i < 4; i++) {
                char name[16];
                snprintf(name, sizeof name, "app-%d", i);
                n[i] = metric(&h, name, "requests")->values[0];
            }
            printf("%-22s%s: %g %g %g %g\n", algorithms[a], zoned ? " (zoned)" : "", n[0], n[1],
                   n[2], n[3]);
            assert_int_equal(n[3], 0);
            if (zoned) assert_float_equal(n[0], fwd, 1e-9);
            else assert_true(n[0] > 0 && n[1] > 0 && n[2] > 0);
            assert_float_equal(figure(&h, "errors.ratio"), 0, 0);
            harness_done(&h);
        }
    }
}

/* The whole of app crashes from 2s to 6s: with every backend out, calls are answered
 * "unavailable" by the lb itself (no_healthy_backend); failing open, they go to the
 * backends anyway (and are refused there). Both come back after the crash. */
static void no_backend_fails_closed_or_open(void **s)
{
    (void)s;
    static const char *const open[] = {"false", "true"};
    for (int o = 0; o < 2; o++) {
        char lb[256];
        snprintf(lb, sizeof lb, "\"backends\": [\"app\"], \"fail_open\": %s, \"health_check\": "
                 "{\"interval\": \"500ms\", \"unhealthy_after\": 1, \"healthy_after\": 1}", open[o]);
        struct harness_run h = harness_run_text(
            "health.json",
            scenario(200, "10s", "0s", 1, lb, APP4,
                     "[{\"target\": \"app\", \"kind\": \"crash\", \"at\": \"2s\", \"for\": \"4s\"}]"),
            NULL, 0, false);
        double none = figure(&h, "nodes.lb.no_healthy_backend");
        double sent = 0, unavailable = figure(&h, "nodes.lb.errors.unavailable");
        for (int i = 0; i < 4; i++) {
            char name[16];
            snprintf(name, sizeof name, "app-%d", i);
            sent += metric(&h, name, "requests_while_failed")->values[0];
            assert_int_equal(metric(&h, name, "removals")->values[0], 1);
        }
        printf("whole node down 2s-6s, fail_open %s: no_healthy_backend %g, sent while failed %g, "
               "unavailable %g, throughput %g/s\n", open[o], none, sent, unavailable,
               figure(&h, "throughput"));
        assert_float_equal(unavailable, none + sent, 0);
        if (o == 0) assert_true(none > 600 && sent < 200 && none + sent <= 900);
        else assert_true(none == 0 && sent == 800);
        assert_non_null(strstr(h.res->story, "no backend is in rotation"));
        /* Every call not failed was served: the backends came back. */
        assert_true(fabs(figure(&h, "goodput") * 10 + unavailable - 2000) <= 1);
        harness_done(&h);
    }
}

/* Hashing with a backend out: keys move only off the removed backend (consistent_hash to
 * the next point on the ring, key_hash rehashed among those in rotation); the others stay. */
static void hashing_moves_only_the_removed_backends_keys(void **s)
{
    (void)s;
    static const enum algorithm algos[] = {KEY_HASH, CONSISTENT_HASH};
    for (int a = 0; a < 2; a++) {
        struct backend b[5] = {0};
        for (int i = 0; i < 5; i++) snprintf(b[i].name, sizeof b[i].name, "app-%d", i);
        struct group g = {0};
        struct lb lb = {.algorithm = algos[a], .n = 5, .ngroups = 1, .virtual_nodes = 100,
                        .b = b, .groups = &g};
        group_init(&lb, &g, -1);
        enum { KEYS = 20000 };
        static int before[KEYS];
        for (uint64_t k = 0; k < KEYS; k++) {
            struct sim_call c = {.key = k};
            before[k] = pick(&lb, &g, &c);
        }
        b[2].removed = true;
        group_rebuild(&lb, &g, true);
        int moved = 0, wrong = 0, per[5] = {0};
        for (uint64_t k = 0; k < KEYS; k++) {
            struct sim_call c = {.key = k};
            int x = pick(&lb, &g, &c);
            per[x]++;
            if (x != before[k]) moved++;
            if (x == 2 || (before[k] != 2 && x != before[k])) wrong++;
        }
        printf("%s, app-2 out: moved %d of %d keys (%.3f); now %d %d %d %d %d\n",
               algorithm_names[algos[a]], moved, KEYS, (double)moved / KEYS, per[0], per[1],
               per[2], per[3], per[4]);
        assert_int_equal(wrong, 0);
        assert_true(fabs((double)moved / KEYS - 0.2) < 0.03);
        b[2].removed = false;
        group_rebuild(&lb, &g, true);
        for (uint64_t k = 0; k < KEYS; k++) {
            struct sim_call c = {.key = k};
            assert_int_equal(pick(&lb, &g, &c), before[k]);
        }
        group_fini(&g);
    }
}

/* Each bad configuration is refused with exactly this message, naming the JSON path. */
static void errors_name_the_path(void **s)
{
    (void)s;
    static const struct {
        const char *lb, *message;
    } cases[] = {
        {"\"health_check\": {\"kind\": \"ping\"}",
         "health.json: nodes.lb.health_check.kind: expected one of \"tcp\", \"http\" or \"deep\", "
         "got \"ping\""},
        {"\"health_check\": {\"interval\": \"5s\", \"timeout\": \"6s\"}",
         "health.json: nodes.lb.health_check.timeout: expected at most the interval (5s): a probe "
         "is answered or failed before the next one, got \"6s\""},
        {"\"health_check\": {\"interval\": 5}",
         "health.json: nodes.lb.health_check.interval: expected a duration with a unit, such as "
         "\"5ms\", got 5"},
        {"\"health_check\": {\"unhealthy_after\": 0}",
         "health.json: nodes.lb.health_check.unhealthy_after: expected an integer from 1 to 1000, "
         "got 0"},
        {"\"health_check\": {\"kind\": \"http\", \"op\": \"read\"}",
         "health.json: nodes.lb.health_check.op: only with \"kind\": \"deep\" (a http check calls "
         "no operation)"},
        {"\"health_check\": {\"intervall\": \"5s\"}",
         "health.json: nodes.lb.health_check.intervall: unknown field (did you mean 'interval'?)"},
        {"\"health_check\": true",
         "health.json: nodes.lb.health_check: expected an object, got true"},
        {"\"outlier_ejection\": {\"max_ejected\": 0}",
         "health.json: nodes.lb.outlier_ejection.max_ejected: expected a number from 1e-06 to 1, "
         "got 0"},
        {"\"outlier_ejection\": {\"latency_above\": \"0s\"}",
         "health.json: nodes.lb.outlier_ejection.latency_above: expected a positive duration of "
         "at most 1000000s, got \"0s\""},
        {"\"fail_open\": true",
         "health.json: nodes.lb.fail_open: only with health_check or outlier_ejection (nothing "
         "else takes a backend out of rotation)"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char lb[512];
        snprintf(lb, sizeof lb, "\"backends\": [\"app\"], %s", cases[i].lb);
        char *e = harness_refusal("health.json", scenario(20, "1s", "0s", 1, lb, APP4, "[]"));
        if (strcmp(e, cases[i].message)) {
            printf("case %zu:\n got  %s\n want %s\n", i, e, cases[i].message);
            wrong++;
        }
        free(e);
    }
    assert_int_equal(wrong, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crashed_instance_is_removed_within_the_window),
        cmocka_unit_test(hang_passes_tcp_and_fails_http_and_deep),
        cmocka_unit_test(healthy_after_brings_it_back),
        cmocka_unit_test(outlier_ejection_ejects_within_max_ejected),
        cmocka_unit_test(a_slow_fault_is_timed_to_its_ejection),
        cmocka_unit_test(round_robin_spreads_evenly_over_the_rest),
        cmocka_unit_test(every_algorithm_skips_a_removed_backend),
        cmocka_unit_test(no_backend_fails_closed_or_open),
        cmocka_unit_test(hashing_moves_only_the_removed_backends_keys),
        cmocka_unit_test(errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
