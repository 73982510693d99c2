/* test_ratelimit.c: the ratelimit model on hand-made deterministic arrivals (constant
 * process): what each algorithm admits, delays and refuses, call by call; scopes; the
 * fixed window's boundary burst against the sliding log; and configuration errors, each
 * naming its JSON path. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Runs a scenario given as JSON text (one replication unless the text says otherwise),
 * with replication 0's timeline kept when asked. */
static struct harness_run run_text(const char *text, bool timeline)
{
    struct harness_run h = {0};
    char err[1024];
    gsl_set_error_handler_off();
    h.ld = sim__loader_parse("rl.json", text, strlen(text), err, sizeof err);
    if (!h.ld) fail_msg("%s", err);
    if (!sim__scenario_read(h.ld, &h.sc)) fail_msg("%s", sim__loader_error(h.ld));
    h.res = sim__run(h.ld, &h.sc, timeline);
    if (!h.res) fail_msg("%s", sim__loader_error(h.ld));
    return h;
}

/* The scenario: constant arrivals at `rate` into limiter "rl" (configured by `limiter`,
 * the fields after "type"), in front of an instant service "api", for 10s: arrivals come
 * at 1/rate, 2/rate, ..., 10s inclusive. `workload_extra` adds workload fields. */
static const char *scenario(double rate, const char *workload_extra, const char *limiter)
{
    static char buf[2048];
    snprintf(buf, sizeof buf,
             "{\"duration\": \"10s\", \"timeline\": {\"interval\": \"1ms\"}, "
             "\"workload\": {\"entry\": \"rl\", \"arrivals\": "
             "{\"process\": \"constant\", \"rate\": %g}%s}, \"nodes\": {"
             "\"rl\": {\"type\": \"ratelimit\", \"to\": \"api\", %s},"
             "\"api\": {\"type\": \"service\", \"workers\": 1000, \"service_time\": \"0s\"}}}",
             rate, workload_extra, limiter);
    return buf;
}

static double figure(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->values[0];
}

struct expected {
    double admitted, throttled, delayed, delay_mean, delay_max;
};

/* Runs the limiter at 20 calls/s for 10s (200 calls, at 50ms, 100ms, ..., 10s) and checks
 * its counts; the service behind it sees exactly the admitted calls, and clients see the
 * throttled ones as `rejected`. */
static void check(const char *limiter, struct expected want, bool delays)
{
    struct harness_run h = run_text(scenario(20, "", limiter), false);
    assert_int_equal(figure(&h, "nodes.rl.admitted"), want.admitted);
    assert_int_equal(figure(&h, "nodes.rl.throttled"), want.throttled);
    assert_int_equal(figure(&h, "nodes.rl.admitted") + figure(&h, "nodes.rl.throttled"), 200);
    assert_float_equal(figure(&h, "nodes.rl.throttled_ratio"), want.throttled / 200, 1e-12);
    assert_float_equal(figure(&h, "nodes.rl.admitted_rate"), want.admitted / 10, 1e-9);
    /* Clients see throttled calls as rejected; calls still held at the end never finish. */
    assert_float_equal(figure(&h, "errors.rejected"),
                       want.throttled / figure(&h, "requests.finished"), 1e-12);
    if (!delays) assert_int_equal(lround(figure(&h, "nodes.api.arrivals") * 10), want.admitted);
    assert_int_equal(figure(&h, "nodes.rl.scopes_tracked"), 1);
    if (delays) {
        assert_int_equal(figure(&h, "nodes.rl.delayed"), want.delayed);
        assert_int_equal(figure(&h, "nodes.rl.delay.count"), want.admitted);
        assert_float_equal(figure(&h, "nodes.rl.delay.mean"), want.delay_mean, 1e-9);
        assert_float_equal(figure(&h, "nodes.rl.delay.max"), want.delay_max, 1e-9);
    } else {
        assert_null(sim__results_find(h.res, "nodes.rl.delay.mean"));
    }
    harness_done(&h);
}

/* Rate 10/s, burst 5: the bucket is full at the first call (50ms) and holds (tat - t) <=
 * 400ms of credit. Calls 1-9 pass (the 5 tokens plus the 4.5 earned meanwhile), call 10
 * finds 0.5 token, then every other call passes: 9 + 95 (calls 11, 13, ..., 199) = 104,
 * that is floor(5 + 10 x 9.95). */
static void token_bucket_rejects(void **s)
{
    (void)s;
    check("\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5",
          (struct expected){.admitted = 104, .throttled = 96}, false);
}

/* The same with delay up to 1s: calls 1-9 pass at once; call n >= 10 (at 50n ms) would
 * get a token at 550 + 100 (n - 10) ms, a delay of 50n - 450 ms, so calls 10..29 wait
 * 50ms..1s; from then on the backlog stays at 1s: the odd calls wait exactly 1s and the
 * even ones would wait 1.05s and are refused. Admitted 9 + 20 + 85 = 114, delayed 105,
 * mean delay (50 x (1 + ... + 20) + 85 x 1000) / 114 ms. */
static void token_bucket_delays(void **s)
{
    (void)s;
    check("\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"action\": \"delay\", "
          "\"max_delay\": \"1s\"",
          (struct expected){.admitted = 114, .throttled = 86, .delayed = 105,
                            .delay_mean = (50.0 * 210 + 85 * 1000) / 114 / 1000, .delay_max = 1},
          true);
}

/* Leaky bucket, 10/s, queue 3: calls leave every 100ms from the first (50ms); call n
 * (2..7) leaves at 150 + 100 (n - 2) ms, waiting 50 (n - 1) ms; from call 8 on the queue
 * holds 3 whenever an even call arrives, so odd calls wait 300ms and even ones are refused.
 * Admitted 7 + 96 = 103, delayed 102, delays 50+...+300 and 96 x 300 ms. */
static void leaky_bucket_queues(void **s)
{
    (void)s;
    check("\"algorithm\": \"leaky_bucket\", \"rate\": 10, \"queue\": 3",
          (struct expected){.admitted = 103, .throttled = 97, .delayed = 102,
                            .delay_mean = (1050.0 + 96 * 300) / 103 / 1000, .delay_max = 0.3},
          true);
}

/* Fixed window of 1s, limit 5: windows [k, k+1)s; 5 in each of windows 0..9 and the call
 * at exactly 10s opens window 10: 51. */
static void fixed_window_rejects(void **s)
{
    (void)s;
    check("\"algorithm\": \"fixed_window\", \"limit\": 5, \"window\": \"1s\"",
          (struct expected){.admitted = 51, .throttled = 149}, false);
}

/* With delay up to 1s, calls reserve places in later windows: window 0 takes 50-250ms,
 * window 1 the next five (300-500ms, waiting 700-500ms); then only a call at the very
 * start of a second finds a place one window on within 1s: k.00-k.20s fill window k+1
 * (waits 1s down to 800ms) for k = 1..9, and the call at 10s reserves window 11. */
static void fixed_window_delays(void **s)
{
    (void)s;
    double sum = (700 + 650 + 600 + 550 + 500) + 9 * (1000 + 950 + 900 + 850 + 800) + 1000;
    check("\"algorithm\": \"fixed_window\", \"limit\": 5, \"window\": \"1s\", "
          "\"action\": \"delay\", \"max_delay\": \"1s\"",
          (struct expected){.admitted = 56, .throttled = 144, .delayed = 51,
                            .delay_mean = sum / 56 / 1000, .delay_max = 1},
          true);
}

/* Sliding log, 5 per 1s: admits k.05-k.25s for k = 0..9 (a call is admitted once the
 * oldest of the last five is at least 1s old); at 10s the oldest, 9.05s, is too young. */
static void sliding_window_log_rejects(void **s)
{
    (void)s;
    check("\"algorithm\": \"sliding_window_log\", \"limit\": 5, \"window\": \"1s\"",
          (struct expected){.admitted = 50, .throttled = 150}, false);
}

/* Sliding counter, 5 per 1s, admitting while prev x (1 - e) + count + 1 <= 5 (e the
 * fraction of the window gone): window 0 admits 5; window 1 (prev 5) at e = 0.2, 0.4,
 * 0.6, 0.8; each later window (prev 4) at e = 0, 0.25, 0.5, 0.75 (exact ties admitted);
 * and the call at 10s: 5 + 4 x 9 + 1 = 42. */
static void sliding_window_counter_rejects(void **s)
{
    (void)s;
    check("\"algorithm\": \"sliding_window_counter\", \"limit\": 5, \"window\": \"1s\"",
          (struct expected){.admitted = 42, .throttled = 158}, false);
}

/* Per key: 4 keys drawn uniformly, 100 calls/s, a fixed window of 1 per key per second:
 * each key is admitted once per window (a key missing from a window of 100 draws has
 * probability 4 x 0.75^100, about 1e-12), plus the call at 10s: 41. Per client with 2
 * clients (key mod 2): 21. */
static void scopes_per_key_and_per_client(void **s)
{
    (void)s;
    const char *keys = ", \"keys\": {\"count\": 4}";
    struct harness_run h = run_text(
        scenario(100, keys,
                 "\"algorithm\": \"fixed_window\", \"limit\": 1, \"window\": \"1s\", "
                 "\"scope\": \"per_key\""),
        false);
    assert_int_equal(figure(&h, "nodes.rl.admitted"), 41);
    assert_true(figure(&h, "nodes.rl.scopes_tracked") >= 1);
    assert_true(figure(&h, "nodes.rl.scopes_tracked") <= 4);
    assert_int_equal(figure(&h, "nodes.rl.scopes_evicted"), 0);
    harness_done(&h);

    h = run_text(scenario(100, keys,
                          "\"algorithm\": \"fixed_window\", \"limit\": 1, \"window\": \"1s\", "
                          "\"scope\": \"per_client\", \"clients\": 2"),
                 false);
    assert_int_equal(figure(&h, "nodes.rl.admitted"), 21);
    assert_true(figure(&h, "nodes.rl.scopes_tracked") <= 2);
    harness_done(&h);

    /* One key per key scope behaves exactly as the global scope. */
    h = run_text(scenario(20, ", \"keys\": {\"count\": 1}",
                          "\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, "
                          "\"scope\": \"per_key\""),
                 false);
    assert_int_equal(figure(&h, "nodes.rl.admitted"), 104);
    harness_done(&h);
}

/* Memory is bounded: 1000 keys through a table of 10 scopes. Each key is called about
 * once a second and stays limited for 10s or more, so the table stays full of active
 * scopes, and the least recently used is forgotten for each new key, and counted. */
static void scope_table_is_bounded(void **s)
{
    (void)s;
    for (int a = 0; a < 5; a++) {
        static const char *const algorithms[] = {
            "\"algorithm\": \"token_bucket\", \"rate\": 0.1, \"burst\": 1",
            "\"algorithm\": \"leaky_bucket\", \"rate\": 0.1, \"queue\": 2",
            "\"algorithm\": \"fixed_window\", \"limit\": 1, \"window\": \"20s\"",
            "\"algorithm\": \"sliding_window_log\", \"limit\": 3, \"window\": \"10s\"",
            "\"algorithm\": \"sliding_window_counter\", \"limit\": 3, \"window\": \"10s\""};
        char limiter[256];
        snprintf(limiter, sizeof limiter, "%s, \"scope\": \"per_key\", \"max_scopes\": 10",
                 algorithms[a]);
        struct harness_run h = run_text(scenario(1000, ", \"keys\": {\"count\": 1000}", limiter),
                                        false);
        assert_int_equal(figure(&h, "nodes.rl.scopes_tracked"), 10);
        assert_true(figure(&h, "nodes.rl.scopes_evicted") > 5000);
        harness_done(&h);
    }
}

/* Scopes at rest (in the same state as a fresh one) are forgotten as calls go by: a
 * burst over 500 keys (2 calls per key per second, burst 2, rate 1: every bucket busy),
 * 7s of silence, then 100 calls. Each call first forgets up to two scopes at rest from
 * the least recently used end (all 500 old buckets are full again by then) and adds at
 * most one, so at most 500 - 200 + 100 remain. */
static void idle_scopes_are_forgotten(void **s)
{
    (void)s;
    struct harness_run h = run_text(
        scenario(1000, ", \"keys\": {\"count\": 500}, \"schedule\": [{\"at\": \"2s\", \"rate\": 0}, "
                       "{\"at\": \"9s\", \"rate\": 100}]",
                 "\"algorithm\": \"token_bucket\", \"rate\": 1, \"burst\": 2, "
                 "\"scope\": \"per_key\""),
        false);
    double tracked = figure(&h, "nodes.rl.scopes_tracked");
    printf("  scopes tracked after the idle spell and 100 calls: %g (500 before)\n", tracked);
    assert_true(tracked <= 400);
    assert_int_equal(figure(&h, "nodes.rl.scopes_evicted"), 0);
    harness_done(&h);
}

/* The per-interval counts of limiter rl's admitted calls in replication 0's timeline,
 * one per row. */
static int timeline_counts(const struct harness_run *h, int *counts, int max)
{
    char *csv = sim__timeline_csv(h->res->timeline);
    char *line = strtok(csv, "\n");
    int col = -1, n = 0, i = 0;
    for (char *f = line; f; f = strchr(f, ','), f = f ? f + 1 : NULL, i++)
        if (!strncmp(f, "rl.admitted", 11) && (f[11] == ',' || !f[11])) col = i;
    assert_true(col > 0);
    double last = 0;
    while ((line = strtok(NULL, "\n")) && n < max) {
        double t = strtod(line, NULL), v = 0;
        char *f = line;
        for (int k = 0; k < col; k++) f = strchr(f, ',') + 1;
        v = strtod(f, NULL);
        counts[n++] = (int)lround(v * (t - last));
        last = t;
    }
    sim_free(csv);
    return n;
}

/* The most calls admitted in any window of 1000 consecutive 1ms intervals. Arrivals come
 * 0.5ms off the millisecond, so this is the most in any (t - 1s, t]. */
static int most_in_a_second(const int *counts, int n)
{
    int best = 0, sum = 0;
    for (int i = 0; i < n; i++) {
        sum += counts[i] - (i >= 1000 ? counts[i - 1000] : 0);
        if (sum > best) best = sum;
    }
    return best;
}

/* The test, on a 1ms timeline: a limit of 10 per 1s. Quiet, then 200 calls/s from
 * 0.9005s to 1.1005s (19 calls before the 1s boundary and 20 after), quiet again, then a
 * steady 50/s from 1.5005s to 2.8005s, then quiet. The fixed window lets 10 through on each side of the boundary,
 * 20 within 140ms: twice the limit. The sliding log never admits more than 10 in any 1s. */
static void fixed_window_boundary_burst_against_sliding_log(void **s)
{
    (void)s;
    const char *shape = ", \"schedule\": [{\"at\": \"900.5ms\", \"rate\": 200}, "
                        "{\"at\": \"1100.5ms\", \"rate\": 0}, {\"at\": \"1500.5ms\", \"rate\": 50}, "
                        "{\"at\": \"2800.5ms\", \"rate\": 0}]";
    static const struct {
        const char *algorithm;
        int admitted, most;
    } cases[] = {
        {"fixed_window", 30, 20},       /* 10 + 10 in the burst, 10 from 2.0005s */
        {"sliding_window_log", 20, 10}, /* 10 in the burst, 10 from 1.9205s */
    };
    for (int c = 0; c < 2; c++) {
        char limiter[160];
        snprintf(limiter, sizeof limiter,
                 "\"algorithm\": \"%s\", \"limit\": 10, \"window\": \"1s\"", cases[c].algorithm);
        struct harness_run h = run_text(scenario(0, shape, limiter), true);
        static int counts[20000];
        int n = timeline_counts(&h, counts, 20000);
        assert_int_equal(n, 10000);
        int total = 0;
        for (int i = 0; i < n; i++) total += counts[i];
        int most = most_in_a_second(counts, n);
        printf("  %-20s admitted %d, at most %d in any 1s window (limit 10)\n", cases[c].algorithm,
               total, most);
        assert_int_equal(figure(&h, "nodes.rl.admitted"), cases[c].admitted);
        assert_int_equal(total, cases[c].admitted);
        assert_int_equal(most, cases[c].most);
        harness_done(&h);
    }
}

/* Each bad configuration is refused with exactly this message, naming the JSON path. */
static void errors_name_the_path(void **s)
{
    (void)s;
    static const struct {
        const char *limiter, *message;
    } cases[] = {
        {"\"rate\": 10, \"burst\": 5",
         "rl.json: nodes.rl.algorithm: required field missing: expected one of "
         "\"token_bucket\", \"leaky_bucket\", \"fixed_window\", \"sliding_window_log\" or "
         "\"sliding_window_counter\""},
        {"\"algorithm\": \"token_buket\", \"rate\": 10, \"burst\": 5",
         "rl.json: nodes.rl.algorithm: expected one of \"token_bucket\", \"leaky_bucket\", "
         "\"fixed_window\", \"sliding_window_log\" or \"sliding_window_counter\", got "
         "\"token_buket\" (did you mean 'token_bucket'?)"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10",
         "rl.json: nodes.rl.burst: required field missing: expected an integer from 1 to 1000000000"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 0, \"burst\": 5",
         "rl.json: nodes.rl.rate: expected a number from 1e-06 to 1000000000, got 0"},
        {"\"algorithm\": \"fixed_window\", \"limit\": 5, \"window\": \"1s\", \"burst\": 5",
         "rl.json: nodes.rl.burst: not a field of algorithm 'fixed_window' (it takes limit and "
         "window)"},
        {"\"algorithm\": \"fixed_window\", \"limit\": 5, \"window\": 1",
         "rl.json: nodes.rl.window: expected a duration with a unit, such as \"5ms\", got 1"},
        {"\"algorithm\": \"leaky_bucket\", \"rate\": 5, \"queue\": 2, \"action\": \"delay\"",
         "rl.json: nodes.rl.action: not a field of algorithm 'leaky_bucket' (calls wait in its "
         "queue; a full queue rejects)"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"action\": \"delay\"",
         "rl.json: nodes.rl.max_delay: required field missing: expected a duration of at most "
         "1000000s"},
        {"\"algorithm\": \"leaky_bucket\", \"rate\": 0.001, \"queue\": 2000000",
         "rl.json: nodes.rl.queue: queue / rate is the longest wait: expected at most 1000000s, "
         "got 2e+09s"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"max_delay\": \"1s\"",
         "rl.json: nodes.rl.max_delay: only with \"action\": \"delay\""},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"scope\": \"per_client\"",
         "rl.json: nodes.rl.clients: required field missing: expected a positive integer"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"clients\": 4",
         "rl.json: nodes.rl.clients: only with \"scope\": \"per_client\""},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"max_scopes\": 4",
         "rl.json: nodes.rl.max_scopes: only with a per_client or per_key scope"},
        {"\"algorithm\": \"sliding_window_log\", \"limit\": 1000, \"window\": \"1s\", "
         "\"scope\": \"per_key\", \"max_scopes\": 100000",
         "rl.json: nodes.rl.limit: the log keeps limit x max_scopes timestamps: expected at most "
         "67108864, got 1000 x 100000"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"bust\": 5",
         "rl.json: nodes.rl.burst: required field missing: expected an integer from 1 to 1000000000"},
        {"\"algorithm\": \"token_bucket\", \"rate\": 10, \"burst\": 5, \"bust\": 5",
         "rl.json: nodes.rl.bust: unknown field (did you mean 'burst'?)"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *e = harness_refusal("rl.json", scenario(20, "", cases[i].limiter));
        if (strcmp(e, cases[i].message)) {
            printf("case %zu:\n got  %s\n want %s\n", i, e, cases[i].message);
            wrong++;
        }
        free(e);
    }
    assert_int_equal(wrong, 0);

    /* A reference to a node that does not exist. */
    const char *text = "{\"duration\": \"1s\", \"workload\": {\"entry\": \"rl\", \"arrivals\": "
                       "{\"rate\": 1}}, \"nodes\": {\"rl\": {\"type\": \"ratelimit\", \"to\": "
                       "\"apx\", \"algorithm\": \"token_bucket\", \"rate\": 1, \"burst\": 1}, "
                       "\"api\": {\"type\": \"service\", \"service_time\": \"1ms\"}}}";
    char err[1024];
    struct sim_loader *ld = sim__loader_parse("rl.json", text, strlen(text), err, sizeof err);
    struct sim__scenario sc;
    assert_true(sim__scenario_read(ld, &sc));
    assert_null(sim__run(ld, &sc, false));
    assert_string_equal(sim__loader_error(ld),
                        "rl.json: nodes.rl.to: no node named 'apx' (did you mean 'api'?)");
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(token_bucket_rejects),
        cmocka_unit_test(token_bucket_delays),
        cmocka_unit_test(leaky_bucket_queues),
        cmocka_unit_test(fixed_window_rejects),
        cmocka_unit_test(fixed_window_delays),
        cmocka_unit_test(sliding_window_log_rejects),
        cmocka_unit_test(sliding_window_counter_rejects),
        cmocka_unit_test(scopes_per_key_and_per_client),
        cmocka_unit_test(scope_table_is_bounded),
        cmocka_unit_test(idle_scopes_are_forgotten),
        cmocka_unit_test(fixed_window_boundary_burst_against_sliding_log),
        cmocka_unit_test(errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
