/* test_service.c: the service model's behaviour, pinned by exact counts in deterministic
 * scenarios (constant arrivals and service times, under tests/scenarios/) and by closed
 * forms inside their 95% intervals where the scenario is random. */
#include "harness.h"

#define TIGHT 0.03
#define EXACT 1e-12 /* relative: a figure that is a ratio of exact integers */

static const char *path(const char *node, const char *figure)
{
    static char buf[160];
    snprintf(buf, sizeof buf, "nodes.%s.%s", node, figure);
    return buf;
}

/* Constant arrivals every 1ms over 10s into 4 instances x 1 worker, no queue. Round robin
 * sends instance j arrivals j, j+4, j+8...: spaced 4ms apart, so a 3.9ms job is never
 * rejected (any other assignment would put two of four consecutive arrivals on one
 * instance, 1-3ms apart). With 4.1ms every second job of each instance finds it busy:
 * exactly half are rejected, where one pool of 4 workers would reject one in five. */
static void round_robin_gives_each_instance_every_fourth_arrival(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/round-robin.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (service 3.9ms)\n", file);
    const double n = 10000, s = 3.9e-3, t = 10;
    double busy = 0, unfinished = 0; /* arrival k at k ms, busy until k ms + 3.9ms */
    for (int k = 1; k <= (int)n; k++) {
        double left = t - k * 1e-3;
        busy += left < s ? left : s;
        unfinished += k * 1e-3 + s > t;
    }
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("arrivals", n, harness_count(&h, path("pool", "arrivals"), r), 0);
        harness_exact("rejected", 0, harness_count(&h, path("pool", "errors.rejected"), r), 0);
        harness_exact("queue.max", 0, harness_count(&h, path("pool", "queue.max"), r), 0);
        harness_exact("completed: arrivals - still in service", n - unfinished,
                      harness_count(&h, path("pool", "latency.count"), r), 0);
        harness_exact("utilisation: busy time / (4 x 10s)", busy / (4 * t),
                      harness_metric(&h, path("pool", "utilisation"))->values[r], 1e-9);
    }
    harness_done(&h);

    const char *sets[] = {"nodes.pool.service_time=4.1ms"};
    h = harness_run(file, sets, 1);
    printf("%s (service 4.1ms)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("rejected: every second job of each instance", n / 2,
                      harness_count(&h, path("pool", "errors.rejected"), r), 0);
        harness_exact("rejection_ratio", 0.5,
                      harness_metric(&h, path("pool", "rejection_ratio"))->values[r], 0);
    }
    harness_done(&h);
}

/* One worker and no queue is M/M/1/1: an arrival is lost with the Erlang B probability
 * B(1, rho) = rho / (1 + rho). */
static void full_queue_rejects_at_the_erlang_b_rate(void **state)
{
    (void)state;
    const char *file = "scenarios/validation/erlang-loss.json";
    const double rho = 800 * 1e-3;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (rho %g)\n", file, rho);
    harness_inside("rejection ratio, Erlang B rho/(1+rho)", rho / (1 + rho),
                   harness_metric(&h, path("server", "rejection_ratio")), TIGHT);
    harness_done(&h);
}

/* A 1ms timeout in front of a 5ms downstream: the caller gives up on every attempt, and
 * the downstream still serves every call it was sent (retries included), because a
 * timeout abandons a call without cancelling the work. */
static void timeout_does_not_cancel_downstream_work(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/timeout.json";
    for (int retries = 0; retries <= 2; retries += 2) {
        const char *sets[] = {"nodes.caller.calls.0.retries={\"max\": 2, \"backoff\": \"0s\"}"};
        struct harness_run h = harness_run(file, sets, retries ? 1 : 0);
        printf("%s (retries max %d)\n", file, retries);
        for (int r = 0; r < h.res->replications; r++) {
            double jobs = harness_count(&h, path("caller", "arrivals"), r);
            harness_exact("caller arrivals: one every 10ms for 2s", 200, jobs, 0);
            harness_exact("caller errors.timeout: every job", jobs,
                          harness_count(&h, path("caller", "errors.timeout"), r), 0);
            harness_exact("caller retries", retries * jobs,
                          harness_count(&h, path("caller", "retries"), r), 0);
            harness_exact("caller residence: 0.5ms + (1 + retries) x 1ms", 0.5e-3 + (1 + retries) * 1e-3,
                          harness_metric(&h, path("caller", "residence.mean"))->values[r], EXACT);
            harness_exact("downstream arrivals: (1 + retries) x caller's", (1 + retries) * jobs,
                          harness_count(&h, path("down", "arrivals"), r), 0);
            harness_exact("downstream completed calls", (1 + retries) * jobs,
                          harness_count(&h, path("down", "latency.count"), r), 0);
            harness_exact("downstream throughput = its arrivals",
                          harness_metric(&h, path("down", "arrivals"))->values[r],
                          harness_metric(&h, path("down", "throughput"))->values[r], 0);
            harness_exact("client errors.timeout ratio (kind passed up)", 1,
                          harness_metric(&h, "errors.timeout")->values[r], 0);
        }
        harness_done(&h);
    }
}

/* Backoff before retry k (from 1): backoff x multiplier^(k-1), capped at max_backoff. */
static double backoff_total(double backoff, double multiplier, int max, double cap)
{
    double total = 0;
    for (int k = 1; k <= max; k++) total += fmin(backoff * pow(multiplier, k - 1), cap);
    return total;
}

/* A downstream that rejects every call (its one worker taken for 100s during the warm-up,
 * no queue): each job makes 1 + max attempts and no more, the caller counts max retries per
 * job, and with no jitter and zero service and link times the job's residence is exactly
 * the sum of the backoffs. The error kind reaches the client. */
static void retries_follow_failures_and_exponential_backoff(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/retry-reject.json";
    static const struct {
        const char *sets[3];
        int max;
        double backoff, multiplier, cap;
    } cases[] = {
        {{NULL}, 3, 1e-3, 2, 30},
        {{"nodes.caller.calls.0.retries.backoff=2ms", "nodes.caller.calls.0.retries.multiplier=3"},
         3, 2e-3, 3, 30},
        {{"nodes.caller.calls.0.retries.backoff=2ms", "nodes.caller.calls.0.retries.multiplier=3",
          "nodes.caller.calls.0.retries.max_backoff=10ms"},
         3, 2e-3, 3, 10e-3},
        {{"nodes.caller.calls.0.retries.max=4", "nodes.caller.calls.0.retries.backoff=2ms",
          "nodes.caller.calls.0.retries.max_backoff=10ms"},
         4, 2e-3, 2, 10e-3},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int nsets = 0;
        while (nsets < 3 && cases[i].sets[nsets]) nsets++;
        struct harness_run h = harness_run(file, cases[i].sets, nsets);
        double total = backoff_total(cases[i].backoff, cases[i].multiplier, cases[i].max,
                                     cases[i].cap);
        printf("%s (max %d, backoff %gms, multiplier %g, max_backoff %gms)\n", file, cases[i].max,
               cases[i].backoff * 1e3, cases[i].multiplier, cases[i].cap * 1e3);
        for (int r = 0; r < h.res->replications; r++) {
            double jobs = harness_count(&h, path("caller", "arrivals"), r);
            harness_exact("caller arrivals: one every 50ms after the warm-up", 39, jobs, 0);
            harness_exact("caller retries = max x failed jobs", cases[i].max * jobs,
                          harness_count(&h, path("caller", "retries"), r), 0);
            harness_exact("caller retries_denied (no budget)", 0,
                          harness_count(&h, path("caller", "retries_denied"), r), 0);
            harness_exact("caller errors.rejected", jobs,
                          harness_count(&h, path("caller", "errors.rejected"), r), 0);
            harness_exact("downstream arrivals = (1 + max) x jobs", (1 + cases[i].max) * jobs,
                          harness_count(&h, path("down", "arrivals"), r), 0);
            harness_exact("downstream rejection_ratio", 1,
                          harness_metric(&h, path("down", "rejection_ratio"))->values[r], 0);
            harness_exact("caller residence = sum of backoffs [s]", total,
                          harness_metric(&h, path("caller", "residence.mean"))->values[r], 1e-9);
            harness_exact("client errors.rejected ratio", 1,
                          harness_metric(&h, "errors.rejected")->values[r], 0);
        }
        harness_done(&h);
    }
}

/* A retry budget of ratio 0.1, no floor and a burst of 1 in front of the always-rejecting
 * downstream: each first attempt deposits 0.1 of a token and a retry spends one, so over
 * J jobs there are 0.1 J retries give or take the burst, and every job that wanted a retry
 * and found the budget empty is counted in retries_denied (each job exactly once here,
 * since a granted retry always empties the budget). */
static void retry_budget_limits_retries_to_its_ratio(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/retry-budget.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (ratio 0.1, min_per_second 0, burst 1, max 3)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        double jobs = harness_count(&h, path("caller", "arrivals"), r);
        double retries = harness_count(&h, path("caller", "retries"), r);
        printf("  jobs %.0f, retries %.0f (%.3f%% of first attempts)\n", jobs, retries,
               100 * retries / jobs);
        if (!(retries >= 0.1 * jobs - 1 && retries <= 0.1 * jobs + 1))
            fail_msg("retries %.0f outside 0.1 x %.0f jobs +- the burst of 1", retries, jobs);
        harness_exact("retries_denied: one per job", jobs,
                      harness_count(&h, path("caller", "retries_denied"), r), 0);
        harness_exact("downstream arrivals = jobs + retries", jobs + retries,
                      harness_count(&h, path("down", "arrivals"), r), 0);
    }
    harness_done(&h);
}

/* Blocking io holds the caller's worker for its own service, the two link crossings and
 * the downstream's service: utilisation = lambda (1ms + 2 x 0.25ms + 2ms) / 8. Async io
 * releases it when the call is sent: lambda x 1ms / 8. */
static void blocking_io_holds_the_worker_and_async_io_does_not(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/io.json";
    const double lambda = 1000, own = 1e-3, link = 0.25e-3, down = 2e-3, workers = 8;
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s (io blocking)\n", file);
    harness_inside("caller utilisation lambda (S + 2L + S_down) / c",
                   lambda * (own + 2 * link + down) / workers,
                   harness_metric(&h, path("caller", "utilisation")), TIGHT);
    harness_inside("downstream utilisation lambda S_down / 64", lambda * down / 64,
                   harness_metric(&h, path("down", "utilisation")), TIGHT);
    harness_done(&h);

    const char *sets[] = {"nodes.caller.io=async"};
    h = harness_run(file, sets, 1);
    printf("%s (io async)\n", file);
    harness_inside("caller utilisation lambda S / c", lambda * own / workers,
                   harness_metric(&h, path("caller", "utilisation")), TIGHT);
    harness_done(&h);
}

/* A call with probability 0.3 is made for 30% of jobs; a call with "ops" is made only for
 * those operations: reads and writes split the jobs exactly, and a node that only ever
 * receives writes never forwards a read. */
static void call_probability_and_ops_choose_which_calls_are_made(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/calls.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s\n", file);
    double jobs = harness_total(&h, path("caller", "arrivals"));
    double writes = harness_total(&h, path("writes", "arrivals"));
    harness_exact("caller arrivals, 4 x 10s at 1000/s", 40000, jobs, 0);
    harness_binomial("call with probability 0.3", 0.3, harness_total(&h, path("sometimes", "arrivals")),
                     jobs);
    harness_binomial("call for writes (mix write 0.1)", 0.1, writes, jobs);
    harness_exact("reads + writes = every job", jobs,
                  harness_total(&h, path("reads", "arrivals")) + writes, 0);
    harness_exact("reads forwarded by the writes node", 0, harness_total(&h, path("leak", "arrivals")), 0);
    harness_exact("writes forwarded by the writes node", writes,
                  harness_total(&h, path("echo", "arrivals")), 0);
    harness_done(&h);
}

/* service_time_by_op: writes take exp 5ms, reads the default exp 1ms, mix 0.9/0.1 at
 * 500/s on one worker: utilisation = 500 x (0.9 x 1ms + 0.1 x 5ms) = 0.7. */
static void service_time_by_op_is_used_for_that_operation(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/by-op.json";
    struct harness_run h = harness_run(file, NULL, 0);
    printf("%s\n", file);
    harness_inside("utilisation lambda (0.9 S_read + 0.1 S_write)", 500 * (0.9e-3 + 0.1 * 5e-3),
                   harness_metric(&h, path("db", "utilisation")), TIGHT);
    harness_done(&h);
}

/* on_error: "ignore" moves on to the next call and the job succeeds although every
 * attempt (retries included) was rejected; "propagate" (the default) answers with the
 * downstream's error kind, which the client counts as errors.rejected. */
static void on_error_ignore_succeeds_and_propagate_passes_the_kind_up(void **state)
{
    (void)state;
    const char *file = "tests/scenarios/retry-reject.json";
    const char *sets[] = {"nodes.caller.calls.0.on_error=ignore"};
    struct harness_run h = harness_run(file, sets, 1);
    printf("%s (on_error ignore)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        double jobs = harness_count(&h, path("caller", "arrivals"), r);
        harness_exact("caller retries still made", 3 * jobs,
                      harness_count(&h, path("caller", "retries"), r), 0);
        harness_exact("caller succeeded jobs", jobs, harness_count(&h, path("caller", "latency.count"), r), 0);
        harness_exact("client goodput count", jobs, harness_count(&h, "goodput", r), 0);
        harness_exact("client errors.ratio", 0, harness_metric(&h, "errors.ratio")->values[r], 0);
    }
    harness_done(&h);

    h = harness_run(file, NULL, 0);
    printf("%s (on_error propagate)\n", file);
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("client errors.rejected ratio", 1,
                      harness_metric(&h, "errors.rejected")->values[r], 0);
        harness_exact("client errors.ratio", 1, harness_metric(&h, "errors.ratio")->values[r], 0);
        harness_exact("client goodput", 0, harness_metric(&h, "goodput")->values[r], 0);
    }
    harness_done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_robin_gives_each_instance_every_fourth_arrival),
        cmocka_unit_test(full_queue_rejects_at_the_erlang_b_rate),
        cmocka_unit_test(timeout_does_not_cancel_downstream_work),
        cmocka_unit_test(retries_follow_failures_and_exponential_backoff),
        cmocka_unit_test(retry_budget_limits_retries_to_its_ratio),
        cmocka_unit_test(blocking_io_holds_the_worker_and_async_io_does_not),
        cmocka_unit_test(call_probability_and_ops_choose_which_calls_are_made),
        cmocka_unit_test(service_time_by_op_is_used_for_that_operation),
        cmocka_unit_test(on_error_ignore_succeeds_and_propagate_passes_the_kind_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
