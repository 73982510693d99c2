/* test_lb.c: the lb model. Spreading by round robin and weights, pinned by exact counts on
 * constant arrivals; stickiness for key_hash and consistent_hash (the model's own hashing
 * functions, by including models/lb.c; the ring's moves are in test_ring.c); the
 * lb's own capacity at saturation; answers passed back unchanged; configuration errors,
 * each naming its JSON path. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* The model's file-local functions, for the hashing tests; its vtable under another name,
 * so that it does not clash with the registered lb_model. */
#define lb_model lb_model_under_test
#include "lb.c"
#undef lb_model

/* Runs a scenario given as JSON text. */
static struct harness_run run_text(const char *text)
{
    return harness_run_text("lb.json", text, NULL, 0, false);
}

/* Constant arrivals at `rate` for `duration` into lb "lb" (its fields after "type"), then
 * `nodes` (more node definitions, after a comma). */
static const char *scenario(double rate, const char *duration, const char *workload_extra,
                            const char *lb, const char *nodes)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"duration\": \"%s\", \"seed\": 71, \"workload\": {\"entry\": \"lb\", "
             "\"arrivals\": {\"process\": \"constant\", \"rate\": %g}%s}, \"nodes\": {"
             "\"lb\": {\"type\": \"lb\", %s}, %s}}",
             duration, rate, workload_extra, lb, nodes);
    return buf;
}

static double figure(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->values[0];
}

static double backend(const struct harness_run *h, const char *name, const char *leaf)
{
    char path[160];
    snprintf(path, sizeof path, "nodes.lb.backends.%s.%s", name, leaf);
    return figure(h, path);
}

#define FAST "\"service_time\": \"0.1ms\""

/* Round robin over app's 4 instances and one single-instance node: 5 backends. 10,000
 * calls give 2,000 each; 10,001 (the duration's end inclusive) give one backend one more.
 * Every instance of app serves exactly the calls sent to it. */
static void round_robin_spreads_exactly_evenly(void **s)
{
    (void)s;
    static const char *const names[] = {"app-0", "app-1", "app-2", "app-3", "solo"};
    const char *nodes = "\"app\": {\"type\": \"service\", \"instances\": 4, " FAST "}, "
                        "\"solo\": {\"type\": \"service\", " FAST "}";
    for (int extra = 0; extra <= 3; extra++) {
        char duration[32];
        snprintf(duration, sizeof duration, "%dms", 10000 + extra);
        struct harness_run h = run_text(scenario(1000, duration, "",
                                                 "\"algorithm\": \"round_robin\", "
                                                 "\"backends\": [\"app\", \"solo\"]",
                                                 nodes));
        double calls = 10000 + extra, lo = INFINITY, hi = 0;
        printf("round robin, %g calls over 5 backends:", calls);
        for (int i = 0; i < 5; i++) {
            double n = backend(&h, names[i], "requests");
            printf(" %s %g", names[i], n);
            lo = fmin(lo, n);
            hi = fmax(hi, n);
            /* The first `extra` backends get the extra calls. */
            assert_int_equal(n, 2000 + (i < extra));
            assert_float_equal(backend(&h, names[i], "share"), n / calls, 1e-12);
        }
        printf("\n");
        assert_true(hi - lo <= 1);
        assert_float_equal(round(figure(&h, "nodes.lb.forwarded") * h.sc.duration / SIM_S), calls, 0);
        assert_float_equal(figure(&h, "nodes.lb.imbalance"), hi * 5 / calls, 1e-12);
        assert_float_equal(round(figure(&h, "nodes.app.arrivals") * h.sc.duration / SIM_S),
                           calls - backend(&h, "solo", "requests"), 0);
        harness_done(&h);
    }
}

/* Weights 3 and 1 on app (2 instances) and solo: each instance of app weighs 3, a cycle
 * is 7 calls. Over whole cycles the counts are exactly 3:3:1; the model's own sequence over
 * one cycle is smooth (no backend twice in a row where another is due). */
static void weighted_round_robin_follows_the_weights(void **s)
{
    (void)s;
    const char *nodes = "\"app\": {\"type\": \"service\", \"instances\": 2, " FAST "}, "
                        "\"solo\": {\"type\": \"service\", " FAST "}";
    struct harness_run h = run_text(scenario(700, "10s", "",
                                             "\"algorithm\": \"weighted_round_robin\", "
                                             "\"backends\": [\"app\", \"solo\"], \"weights\": [3, 1]",
                                             nodes));
    printf("weighted round robin, 7000 calls, weights 3, 3, 1: %g %g %g\n",
           backend(&h, "app-0", "requests"), backend(&h, "app-1", "requests"),
           backend(&h, "solo", "requests"));
    assert_int_equal(backend(&h, "app-0", "requests"), 3000);
    assert_int_equal(backend(&h, "app-1", "requests"), 3000);
    assert_int_equal(backend(&h, "solo", "requests"), 1000);
    harness_done(&h);

    /* The sequence itself, from the model's picker: weights 5, 1, 1 (nginx's example). */
    struct lb lb = {.algorithm = WEIGHTED_ROUND_ROBIN, .n = 3, .ngroups = 1};
    struct backend b[3] = {{.weight = 5}, {.weight = 1}, {.weight = 1}};
    lb.b = b;
    struct group all = {0};
    lb.groups = &all;
    group_init(&lb, &all, -1);
    char seq[64] = "";
    for (int k = 0; k < 21; k++) seq[k] = (char)('a' + pick(&lb, &all, NULL));
    group_fini(&all);
    printf("weights 5, 1, 1 over three cycles: %s\n", seq);
    assert_string_equal(seq, "aaabcaaaaabcaaaaabcaa");
    assert_int_equal(b[0].picks, 15);
    assert_int_equal(b[1].picks, 3);
    assert_int_equal(b[2].picks, 3);
}

/* Every call carries key 0: a hashing lb sends all of them to one backend (sticky), so
 * one backend has share 1 and the imbalance is the number of backends. */
static void hashing_is_sticky(void **s)
{
    (void)s;
    static const char *const algorithms[] = {"key_hash", "consistent_hash"};
    static const char *const names[] = {"app-0", "app-1", "app-2", "app-3"};
    for (int a = 0; a < 2; a++) {
        char lbcfg[128];
        snprintf(lbcfg, sizeof lbcfg, "\"algorithm\": \"%s\", \"backends\": [\"app\"]", algorithms[a]);
        for (uint64_t count = 1; count <= 3; count += 2) {
            char keys[128];
            snprintf(keys, sizeof keys, ", \"keys\": {\"count\": %llu}", (unsigned long long)count);
            struct harness_run h =
                run_text(scenario(1000, "2s", keys, lbcfg,
                                  "\"app\": {\"type\": \"service\", \"instances\": 4, " FAST "}"));
            int used = 0;
            for (int i = 0; i < 4; i++) used += backend(&h, names[i], "requests") > 0;
            printf("%s, %llu key(s): %d backend(s) used, imbalance %g\n", algorithms[a],
                   (unsigned long long)count, used, figure(&h, "nodes.lb.imbalance"));
            assert_true(used >= 1 && used <= (int)count);
            if (count == 1) assert_float_equal(figure(&h, "nodes.lb.imbalance"), 4, 1e-12);
            harness_done(&h);
        }
    }
    /* And key by key: the same key always gets the same backend, whatever else happened. */
    struct sim_ring ring = {0};
    for (int i = 0; i < 4; i++) sim_ring_add_named(&ring, i, names[i], 100);
    sim_ring_sort(&ring);
    assert_int_equal(ring.count, 400);
    for (uint64_t key = 0; key < 1000; key++) {
        assert_int_equal(sim_ring_owner(&ring, key), sim_ring_owner(&ring, key));
        assert_int_equal(key_hash_pick(key, 4), key_hash_pick(key, 4));
    }
    sim_ring_fini(&ring);
}

/* least_conn with calls that never overlap: every backend has 0 in flight at each
 * arrival, and the tie goes to the lowest index, so backend 0 gets them all. */
static void least_conn_breaks_ties_by_lowest_index(void **s)
{
    (void)s;
    struct harness_run h = run_text(scenario(100, "2s", "",
                                             "\"algorithm\": \"least_conn\", \"backends\": [\"app\"]",
                                             "\"app\": {\"type\": \"service\", \"instances\": 3, " FAST "}"));
    assert_int_equal(backend(&h, "app-0", "requests"), 200);
    assert_int_equal(backend(&h, "app-1", "requests"), 0);
    assert_float_equal(figure(&h, "nodes.lb.imbalance"), 3, 1e-12);
    harness_done(&h);
}

/* The lb's own pool at saturation: one worker, 0.99ms per call, a queue of 2, calls every
 * 0.4ms for 10s (25,000). The worker never idles after the first call: 10,100 calls are
 * processed and forwarded, the queue holds 2, and the rest are rejected, except the one to
 * three calls still in the lb at the end. With max_connections 3 and no processing cost,
 * calls are held while the backend (one worker, 1ms, queue unbounded) serves them: at most
 * 3 at once, and the backend's queue never exceeds 2. */
static void lb_at_saturation_rejects_and_queues_as_configured(void **s)
{
    (void)s;
    const char *nodes = "\"app\": {\"type\": \"service\", \"workers\": 1000, " FAST "}";
    struct harness_run h = run_text(scenario(2500, "10s", "",
                                             "\"backends\": [\"app\"], \"mode\": \"l7\", "
                                             "\"processing_time\": \"0.9ms\", \"tls_time\": \"0.09ms\", "
                                             "\"workers\": 1, \"queue\": 2",
                                             nodes));
    double forwarded = figure(&h, "nodes.lb.forwarded") * 10, rejected = figure(&h, "nodes.lb.rejected");
    printf("lb of 1 worker x 0.99ms, queue 2, 25000 calls: forwarded %g, rejected %g, "
           "utilisation %.6f, queue.mean %.4f\n",
           forwarded, rejected, figure(&h, "nodes.lb.utilisation"), figure(&h, "nodes.lb.queue.mean"));
    assert_float_equal(figure(&h, "nodes.lb.arrivals") * 10, 25000, 1e-6);
    assert_true(forwarded >= 10099 && forwarded <= 10100);
    assert_true(rejected >= 25000 - forwarded - 3 && rejected <= 25000 - forwarded - 1);
    assert_float_equal(figure(&h, "nodes.lb.rejected_queue_full"), rejected, 0);
    assert_float_equal(figure(&h, "nodes.lb.rejected_max_connections"), 0, 0);
    assert_float_equal(figure(&h, "nodes.lb.errors.rejected"), rejected, 0);
    assert_int_equal(figure(&h, "nodes.lb.queue.max"), 2);
    assert_true(figure(&h, "nodes.lb.utilisation") > 0.9999);
    assert_float_equal(figure(&h, "errors.rejected"), rejected / figure(&h, "requests.finished"), 1e-12);
    harness_done(&h);

    h = run_text(scenario(2500, "10s", "", "\"backends\": [\"app\"], \"max_connections\": 3",
                          "\"app\": {\"type\": \"service\", \"service_time\": \"1ms\"}"));
    printf("lb with max_connections 3 before a 1ms backend: rejected %g, connections.max %g, "
           "backend queue.max %g\n", figure(&h, "nodes.lb.rejected"),
           figure(&h, "nodes.lb.connections.max"), figure(&h, "nodes.app.queue.max"));
    assert_int_equal(figure(&h, "nodes.lb.connections.max"), 3);
    assert_int_equal(figure(&h, "nodes.app.queue.max"), 2);
    assert_true(figure(&h, "nodes.lb.rejected_max_connections") > 14000);
    assert_float_equal(figure(&h, "nodes.lb.rejected"), figure(&h, "nodes.lb.rejected_max_connections"), 0);
    assert_null(sim__results_find(h.res, "nodes.lb.utilisation"));
    harness_done(&h);
}

/* A backend that rejects (one worker, no queue, busy 1ms, calls every 0.4ms): its errors
 * reach the client unchanged through the lb, which rejects nothing itself. */
static void answers_pass_back_unchanged(void **s)
{
    (void)s;
    struct harness_run h = run_text(scenario(2500, "4s", "", "\"backends\": [\"app\"]",
                                             "\"app\": {\"type\": \"service\", \"queue\": 0, "
                                             "\"service_time\": \"1ms\"}"));
    double down = figure(&h, "nodes.app.errors.rejected");
    printf("backend rejected %g; lb passed back %g as rejected; lb rejected %g itself\n", down,
           figure(&h, "nodes.lb.errors.rejected"), figure(&h, "nodes.lb.rejected"));
    assert_true(down > 5000);
    assert_float_equal(figure(&h, "nodes.lb.errors.rejected"), down, 0);
    assert_float_equal(figure(&h, "nodes.lb.backends.app.errors"), down, 0);
    assert_float_equal(figure(&h, "nodes.lb.rejected"), 0, 0);
    assert_float_equal(figure(&h, "errors.rejected"), down / figure(&h, "requests.finished"), 1e-12);
    harness_done(&h);
}

/* Each bad configuration is refused with exactly this message, naming the JSON path. */
static void errors_name_the_path(void **s)
{
    (void)s;
    static const struct {
        const char *lb, *message;
    } cases[] = {
        {"\"algorithm\": \"round_robin\"",
         "lb.json: nodes.lb.backends: required: the nodes to forward to"},
        {"\"backends\": []", "lb.json: nodes.lb.backends: expected at least one node name"},
        {"\"backends\": [\"app\", \"ap\"]",
         "lb.json: nodes.lb.backends.1: no node named 'ap' (did you mean 'app'?)"},
        {"\"backends\": [\"app\", 3]",
         "lb.json: nodes.lb.backends.1: expected the name of a node, got 3"},
        {"\"backends\": [\"app\", \"solo\", \"app\"]",
         "lb.json: nodes.lb.backends.2: 'app' is listed twice (give it a weight instead)"},
        {"\"backends\": [\"app\"], \"algorithm\": \"least_con\"",
         "lb.json: nodes.lb.algorithm: expected one of \"round_robin\", \"weighted_round_robin\", "
         "\"random\", \"least_conn\", \"power_of_two\", \"least_latency\", \"key_hash\" or "
         "\"consistent_hash\", got \"least_con\" (did you mean 'least_conn'?)"},
        {"\"backends\": [\"app\"], \"algorithm\": \"ip_hash\"",
         "lb.json: nodes.lb.algorithm: calls carry no client address: use \"key_hash\" (the "
         "workload's key stands for the client)"},
        {"\"backends\": [\"app\", \"solo\"], \"algorithm\": \"weighted_round_robin\"",
         "lb.json: nodes.lb.weights: required with weighted_round_robin: one positive integer "
         "per listed backend"},
        {"\"backends\": [\"app\", \"solo\"], \"algorithm\": \"weighted_round_robin\", "
         "\"weights\": [3, 1, 1]",
         "lb.json: nodes.lb.weights: expected 2 weights, one per listed backend, got 3"},
        {"\"backends\": [\"app\", \"solo\"], \"algorithm\": \"weighted_round_robin\", "
         "\"weights\": [3, 0.5]",
         "lb.json: nodes.lb.weights.1: expected an integer from 1 to 1000000, got 0.5"},
        {"\"backends\": [\"app\"], \"weights\": [3]",
         "lb.json: nodes.lb.weights: only with \"algorithm\": \"weighted_round_robin\", not "
         "'round_robin'"},
        {"\"backends\": [\"app\"], \"algorithm\": \"key_hash\", \"virtual_nodes\": 10",
         "lb.json: nodes.lb.virtual_nodes: only with \"algorithm\": \"consistent_hash\", not "
         "'key_hash'"},
        {"\"backends\": [\"app\"], \"algorithm\": \"consistent_hash\", \"virtual_nodes\": 0",
         "lb.json: nodes.lb.virtual_nodes: expected an integer from 1 to 10000, got 0"},
        {"\"backends\": [\"app\"], \"algorithm\": \"least_latency\", \"ewma_alpha\": 2",
         "lb.json: nodes.lb.ewma_alpha: expected a number from 1e-06 to 1, got 2"},
        {"\"backends\": [\"app\"], \"ewma_alpha\": 0.5",
         "lb.json: nodes.lb.ewma_alpha: only with \"algorithm\": \"least_latency\", not "
         "'round_robin'"},
        {"\"backends\": [\"app\"], \"mode\": \"l7\"",
         "lb.json: nodes.lb.processing_time: required field missing: expected a distribution "
         "(a duration such as \"5ms\", or an object with \"dist\")"},
        {"\"backends\": [\"app\"], \"mode\": \"l3\"",
         "lb.json: nodes.lb.mode: expected one of \"l4\" or \"l7\", got \"l3\" (did you mean "
         "'l4'?)"},
        {"\"backends\": [\"app\"], \"workers\": 4",
         "lb.json: nodes.lb.workers: the lb has no processing cost, so no worker is ever held: "
         "set processing_time or tls_time, or use max_connections"},
        {"\"backends\": [\"app\"], \"processing_time\": \"1ms\", \"queue\": 4",
         "lb.json: nodes.lb.queue: only with a bounded \"workers\" (unlimited workers never "
         "queue)"},
        {"\"backends\": [\"app\"], \"max_connections\": 0",
         "lb.json: nodes.lb.max_connections: expected an integer from 1 to 2147483647, got 0"},
        {"\"backends\": [\"app\"], \"max_conections\": 5",
         "lb.json: nodes.lb.max_conections: unknown field (did you mean 'max_connections'?)"},
        {"\"backends\": [\"app\", \"app-1\"]",
         "lb.json: nodes.lb.backends.1: 'app' and 'app-1' would share report paths (instance "
         "k of 'x' is reported as 'x-k'): rename one"},
    };
    const char *nodes = "\"app\": {\"type\": \"service\", \"instances\": 2, " FAST "}, "
                        "\"solo\": {\"type\": \"service\", " FAST "}, "
                        "\"app-1\": {\"type\": \"service\", " FAST "}";
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e = harness_refusal("lb.json", scenario(20, "1s", "", cases[i].lb, nodes));
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
        cmocka_unit_test(round_robin_spreads_exactly_evenly),
        cmocka_unit_test(weighted_round_robin_follows_the_weights),
        cmocka_unit_test(hashing_is_sticky),
        cmocka_unit_test(least_conn_breaks_ties_by_lowest_index),
        cmocka_unit_test(lb_at_saturation_rejects_and_queues_as_configured),
        cmocka_unit_test(answers_pass_back_unchanged),
        cmocka_unit_test(errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
