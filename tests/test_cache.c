/* test_cache.c: the cache model, driven call by call. A test builds a world from a small
 * scenario (a cache in front of a constant-time backend, no traffic of its own), adds a
 * driver that sends scripted reads and writes with chosen keys at chosen times, and checks
 * which were hits, the eviction order of each policy, ttl expiry, coalescing, each write
 * policy, and the exact message of each invalid configuration. */
#include "harness.h"

/* One scripted call: at `at` ms, op on key. */
struct step {
    double at;
    int op;
    uint64_t key;
    /* filled in by the driver */
    double latency_ms;
    enum sim_status status;
    bool answered;
};

static struct step *script;
static int nscript;
static struct sim_component *cache_node;

static void fire(struct sim_component *self, void *arg)
{
    struct step *s = arg;
    struct sim_call *c = sim_call_new(self, cache_node, NULL, s->op, s->key, SIM_NEVER);
    c->caller_data = s;
    sim_call_send(c);
}

static void driver_respond(struct sim_component *self, struct sim_call *call)
{
    struct step *s = call->caller_data;
    s->latency_ms = (double)(sim_now(self) - call->start) / SIM_MS;
    s->status = call->status;
    s->answered = true;
}

static void driver_nothing(struct sim_component *self)
{
    (void)self;
}

static void driver_report(struct sim_component *self, struct sim_report *rep)
{
    (void)self;
    (void)rep;
}

static const struct sim_model driver_model = {
    .name = "driver",
    .size = sizeof(struct sim_component),
    .respond = driver_respond,
    .clear_stats = driver_nothing,
    .report = driver_report,
};

struct rig {
    struct sim_loader *ld;
    struct sim__scenario sc;
    struct sim_world *w;
    struct sim__results *res;
};

/* The scenario: cache (the given fields) in front of db, a backend answering in 1 ms. */
static const char *scenario(const char *cache_fields, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"seed\": 7, \"duration\": \"10s\","
             " \"workload\": {\"entry\": \"cache\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"cache\": {\"type\": \"cache\", \"backend\": \"db\", %s},"
             " \"db\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}}}",
             cache_fields);
    return buf;
}

/* Runs steps[] against a cache configured with cache_fields; the figures land in r.res. */
static struct rig run_script(const char *cache_fields, struct step *steps, int n)
{
    struct rig r = {0};
    char text[2048], err[1024];
    gsl_set_error_handler_off();
    scenario(cache_fields, text, sizeof text);
    r.ld = sim__loader_parse("web.json", text, strlen(text), err, sizeof err);
    if (!r.ld) fail_msg("%s", err);
    if (!sim__scenario_read(r.ld, &r.sc)) fail_msg("%s", sim__loader_error(r.ld));
    r.w = sim__world_build(r.ld, &r.sc, 0);
    if (!r.w) fail_msg("%s", sim__loader_error(r.ld));
    cache_node = sim__world_find(r.w, "cache");
    struct sim_component *driver = sim__world_add(r.w, &driver_model, "driver");
    script = steps;
    nscript = n;
    for (int i = 0; i < n; i++)
        sim_schedule(driver, (sim_time)llround(steps[i].at * SIM_MS), fire, &steps[i]);
    sim__world_run(r.w);
    r.res = sim_alloc(sizeof *r.res);
    r.res->replications = 1;
    sim__results_collect(r.res, r.w, 0);
    for (int i = 0; i < n; i++)
        if (!steps[i].answered) fail_msg("step %d (key %llu) was never answered", i,
                                         (unsigned long long)steps[i].key);
    return r;
}

static double figure(const struct rig *r, const char *path)
{
    char full[160];
    snprintf(full, sizeof full, "nodes.cache.%s", path);
    const struct sim__metric *m = sim__results_find(r->res, full);
    if (!m) fail_msg("no figure %s", full);
    return m->values[0];
}

static void rig_done(struct rig *r)
{
    sim__results_destroy(r->res);
    sim__world_destroy(r->w);
    sim__scenario_fini(&r->sc);
    sim__loader_destroy(r->ld);
}

#define R(t, k) {t, SIM_OP_READ, k, 0, SIM_OK, false}
#define W(t, k) {t, SIM_OP_WRITE, k, 0, SIM_OK, false}

/* Each step a hit ('H', answered at once: hit_time is 0) or a miss ('M', 1 ms backend). */
static void expect_pattern(const struct step *steps, int n, const char *pattern)
{
    char got[128];
    for (int i = 0; i < n; i++) got[i] = steps[i].latency_ms < 0.5 ? 'H' : 'M';
    got[n] = 0;
    assert_string_equal(got, pattern);
}

static void lru_evicts_the_least_recently_used(void **state)
{
    (void)state;
    struct step s[] = {R(0, 1), R(10, 2), R(20, 3), R(30, 1), R(40, 4) /* evicts 2 */,
                       R(50, 1), R(60, 3), R(70, 2) /* evicts 4 */, R(80, 4) /* evicts 1 */,
                       R(90, 3), R(100, 1)};
    struct rig r = run_script("\"capacity\": 3, \"eviction\": \"lru\"", s, 11);
    expect_pattern(s, 11, "MMMHMHHMMHM");
    assert_int_equal(figure(&r, "evictions"), 4);
    assert_int_equal(figure(&r, "entries"), 3);
    rig_done(&r);
}

static void fifo_evicts_the_oldest_fill_whatever_its_hits(void **state)
{
    (void)state;
    struct step s[] = {R(0, 1), R(10, 2), R(20, 3), R(30, 1), R(40, 4) /* evicts 1 */,
                       R(50, 1) /* evicts 2 */, R(60, 3), R(70, 2) /* evicts 3 */, R(80, 3)};
    struct rig r = run_script("\"capacity\": 3, \"eviction\": \"fifo\"", s, 9);
    expect_pattern(s, 9, "MMMHMMHMM");
    rig_done(&r);
}

static void lfu_evicts_the_least_frequently_used_then_the_oldest(void **state)
{
    (void)state;
    /* counts after the hits: 1 -> 3, 2 -> 2, 3 -> 1 */
    struct step s[] = {R(0, 1), R(10, 2), R(20, 3), R(30, 1), R(40, 1), R(50, 2),
                       R(60, 4) /* evicts 3 */, R(70, 3) /* evicts 4 */, R(80, 2), R(90, 1),
                       R(100, 4) /* evicts 3 */, R(110, 5) /* evicts 4 */, R(120, 3)};
    struct rig r = run_script("\"capacity\": 3, \"eviction\": \"lfu\"", s, 13);
    expect_pattern(s, 13, "MMMHHHMMHHMMM");
    rig_done(&r);

    /* equal counts: the least recently filled or used goes first */
    struct step t[] = {R(0, 1), R(10, 2), R(20, 3) /* evicts 1 */, R(30, 2), R(40, 1)};
    r = run_script("\"capacity\": 2, \"eviction\": \"lfu\"", t, 5);
    expect_pattern(t, 5, "MMMHM");
    rig_done(&r);
}

static void random_eviction_keeps_the_capacity(void **state)
{
    (void)state;
    struct step s[200];
    for (int i = 0; i < 200; i++) s[i] = (struct step)R(i * 5.0, (uint64_t)(i * 7919 % 13));
    struct rig r = run_script("\"capacity\": 5, \"eviction\": \"random\"", s, 200);
    double misses = figure(&r, "misses"), hits = figure(&r, "hits");
    assert_int_equal(hits + misses, 200);
    assert_true(hits > 0 && misses > 13);
    assert_int_equal(figure(&r, "evictions"), misses - 5);
    assert_int_equal(figure(&r, "entries"), 5);
    rig_done(&r);
}

static void ttl_expires_entries_counted_from_the_fill(void **state)
{
    (void)state;
    /* filled at 1 ms, expires at 51 ms; refilled at 61 ms */
    struct step s[] = {R(0, 1), R(30, 1), R(50.5, 1), R(60, 1), R(100, 1), R(112, 1)};
    struct rig r = run_script("\"eviction\": \"ttl\", \"ttl\": \"50ms\"", s, 6);
    expect_pattern(s, 6, "MHHMHM");
    assert_int_equal(figure(&r, "expirations"), 2);
    rig_done(&r);

    /* ttl on a bounded lru cache, with jitter: expiry within ttl +- jitter */
    struct step t[] = {R(0, 1), R(40, 1), R(70, 1)};
    r = run_script("\"capacity\": 10, \"ttl\": \"50ms\", \"ttl_jitter\": \"5ms\"", t, 3);
    expect_pattern(t, 3, "MHM");
    rig_done(&r);
}

static void concurrent_misses_share_one_backend_read(void **state)
{
    (void)state;
    struct step s[] = {R(0, 5), R(0.25, 5), R(0.5, 5), R(2, 5)};
    struct rig r = run_script("\"capacity\": 10", s, 4);
    assert_true(fabs(s[0].latency_ms - 1) < 1e-9);
    assert_true(fabs(s[1].latency_ms - 0.75) < 1e-9);
    assert_true(fabs(s[2].latency_ms - 0.5) < 1e-9);
    assert_true(s[3].latency_ms == 0);
    assert_int_equal(figure(&r, "coalesced"), 2);
    assert_int_equal(figure(&r, "misses"), 3);
    assert_true(fabs(figure(&r, "backend.reads") * 10 - 1) < 1e-9); /* one read in 10 s */
    rig_done(&r);

    struct step t[] = {R(0, 5), R(0.25, 5), R(0.5, 5), R(2, 5)};
    r = run_script("\"capacity\": 10, \"coalescing\": false", t, 4);
    for (int i = 0; i < 3; i++) assert_true(fabs(t[i].latency_ms - 1) < 1e-9);
    assert_int_equal(figure(&r, "coalesced"), 0);
    assert_true(fabs(figure(&r, "backend.reads") * 10 - 3) < 1e-9);
    rig_done(&r);
}

static void cache_aside_invalidates_after_the_backend_write(void **state)
{
    (void)state;
    struct step s[] = {R(0, 1), R(5, 1), W(10, 1), R(20, 1), R(30, 1)};
    struct rig r = run_script("\"capacity\": 10", s, 5);
    expect_pattern(s, 5, "MHMMH");
    assert_int_equal(figure(&r, "invalidations"), 1);
    assert_int_equal(figure(&r, "stale_reads"), 0);
    rig_done(&r);

    /* invalidated 20 ms after the write's acknowledgement (11 ms): the hit at 20 ms is stale */
    struct step t[] = {R(0, 1), W(10, 1), R(20, 1), R(40, 1)};
    r = run_script("\"capacity\": 10, \"invalidation_delay\": \"20ms\"", t, 4);
    expect_pattern(t, 4, "MMHM");
    assert_int_equal(figure(&r, "stale_reads"), 1);
    rig_done(&r);
}

static void write_through_updates_the_entry(void **state)
{
    (void)state;
    struct step s[] = {W(0, 1), R(10, 1), R(20, 2), W(30, 2), R(40, 2)};
    struct rig r = run_script("\"capacity\": 10, \"write_policy\": \"write_through\"", s, 5);
    expect_pattern(s, 5, "MHMMH");
    assert_int_equal(figure(&r, "stale_reads"), 0);
    assert_int_equal(figure(&r, "invalidations"), 0);
    rig_done(&r);
}

static void write_around_invalidates_on_arrival(void **state)
{
    (void)state;
    /* the read at 10.25 ms misses and refills the old value (read before the write's
     * acknowledgement at 11 ms): the hit at 20 ms is stale */
    struct step s[] = {R(0, 1), W(10, 1), R(10.25, 1), R(20, 1)};
    struct rig r = run_script("\"capacity\": 10, \"write_policy\": \"write_around\"", s, 4);
    expect_pattern(s, 4, "MMMH");
    assert_int_equal(figure(&r, "invalidations"), 1);
    assert_int_equal(figure(&r, "stale_reads"), 1);
    rig_done(&r);
}

static void write_back_acknowledges_then_flushes_in_batches(void **state)
{
    (void)state;
    struct step s[] = {W(0, 1), W(1, 2), W(2, 3), R(50, 1), W(150, 1), R(300, 4)};
    struct rig r = run_script("\"capacity\": 10, \"write_policy\": \"write_back\", "
                              "\"flush_interval\": \"100ms\", \"batch_size\": 2",
                              s, 6);
    expect_pattern(s, 6, "HHHHHM");
    /* 100 ms: keys 1 and 2, then key 3 when the first batch is acknowledged; 200 ms: key 1 */
    assert_int_equal(figure(&r, "flushes"), 3);
    assert_int_equal(figure(&r, "writes_at_risk.max"), 3);
    assert_true(fabs(figure(&r, "backend.writes") * 10 - 3) < 1e-9);
    /* key-seconds at risk: 1 x 1 ms + 2 x 1 ms + 3 x 99 ms + 1 x 1 ms, then key 1 from
     * 150 ms to its flush's acknowledgement at 201 ms; over 10 s */
    assert_true(fabs(figure(&r, "writes_at_risk.mean") - (0.301 + 0.051) / 10) < 1e-9);
    rig_done(&r);

    /* a dirty entry evicted before its flush goes to the backend alone */
    struct step t[] = {W(0, 1), W(1, 2), W(2, 3), R(3, 1)};
    r = run_script("\"capacity\": 2, \"eviction\": \"fifo\", \"write_policy\": \"write_back\"",
                   t, 4);
    expect_pattern(t, 4, "HHHM");
    assert_int_equal(figure(&r, "dirty_evictions"), 2); /* key 1, then key 2 for the refill */
    assert_int_equal(figure(&r, "writes_at_risk.max"), 3);
    rig_done(&r);
}

static void backend_errors_pass_up_and_fill_nothing(void **state)
{
    (void)state;
    struct step s[] = {R(0, 1), R(0, 1), R(0, 1), R(10, 1)};
    struct rig r = {0};
    char text[2048], err[1024];
    snprintf(text, sizeof text,
             "{\"seed\": 7, \"duration\": \"1s\","
             " \"workload\": {\"entry\": \"cache\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"cache\": {\"type\": \"cache\", \"backend\": \"db\", \"capacity\": 4,"
             " \"coalescing\": false},"
             " \"db\": {\"type\": \"service\", \"workers\": 1, \"queue\": 0,"
             " \"service_time\": \"1ms\"}}}");
    r.ld = sim__loader_parse("web.json", text, strlen(text), err, sizeof err);
    assert_non_null(r.ld);
    assert_true(sim__scenario_read(r.ld, &r.sc));
    r.w = sim__world_build(r.ld, &r.sc, 0);
    assert_non_null(r.w);
    cache_node = sim__world_find(r.w, "cache");
    struct sim_component *driver = sim__world_add(r.w, &driver_model, "driver");
    for (int i = 0; i < 4; i++)
        sim_schedule(driver, (sim_time)llround(s[i].at * SIM_MS), fire, &s[i]);
    sim__world_run(r.w);
    r.res = sim_alloc(sizeof *r.res);
    r.res->replications = 1;
    sim__results_collect(r.res, r.w, 0);
    assert_int_equal(s[0].status, SIM_OK);
    assert_int_equal(s[1].status, SIM_REJECTED); /* one worker, no queue */
    assert_int_equal(s[2].status, SIM_REJECTED);
    assert_int_equal(s[3].status, SIM_OK);
    assert_true(s[3].latency_ms == 0);
    assert_int_equal(figure(&r, "errors.rejected"), 2);
    rig_done(&r);
}

static void invalid_configurations_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *fields, *message;
    } cases[] = {
        {"\"eviction\": \"lru\"",
         "web.json: nodes.cache.capacity: required field missing: expected an integer from 1 to "
         "1000000000"},
        {"\"capacity\": 0", "web.json: nodes.cache.capacity: expected an integer from 1 to "
                            "1000000000, got 0"},
        {"\"capacity\": 10, \"eviction\": \"lfru\"",
         "web.json: nodes.cache.eviction: expected one of \"lru\", \"lfu\", \"fifo\", \"random\" or "
         "\"ttl\", got \"lfru\" (did you mean 'lru'?)"},
        {"\"eviction\": \"ttl\"",
         "web.json: nodes.cache.ttl: required field missing: expected a positive duration of at "
         "most 1000000s"},
        {"\"eviction\": \"ttl\", \"ttl\": \"1s\", \"capacity\": 5",
         "web.json: nodes.cache.capacity: a ttl-only cache (eviction \"ttl\") has no capacity: "
         "remove it, or choose another eviction"},
        {"\"capacity\": 5, \"ttl\": \"1s\", \"ttl_jitter\": \"1s\"",
         "web.json: nodes.cache.ttl_jitter: expected less than the ttl"},
        {"\"capacity\": 5, \"ttl_jitter\": \"1s\"", "web.json: nodes.cache.ttl_jitter: needs a ttl"},
        {"\"capacity\": 5, \"write_policy\": \"write_through\", \"invalidation_delay\": \"1s\"",
         "web.json: nodes.cache.invalidation_delay: only with write_policy \"cache_aside\""},
        {"\"capacity\": 5, \"flush_interval\": \"1s\"",
         "web.json: nodes.cache.flush_interval: only with write_policy \"write_back\""},
        {"\"capacity\": 5, \"write_policy\": \"write_back\", \"batch_size\": 0",
         "web.json: nodes.cache.batch_size: expected an integer from 1 to 1000000, got 0"},
        {"\"capacity\": 5, \"write_policy\": \"write_behind\"",
         "web.json: nodes.cache.write_policy: expected one of \"cache_aside\", \"write_through\", "
         "\"write_around\" or \"write_back\", got \"write_behind\" (did you mean 'write_around'?)"},
        {"\"capacity\": 5, \"coalescing\": 1",
         "web.json: nodes.cache.coalescing: expected true or false, got 1"},
        {"\"capacity\": 5, \"capacty\": 6",
         "web.json: nodes.cache.capacty: unknown field (did you mean 'capacity'?)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[2048], err[1024] = "";
        scenario(cases[i].fields, text, sizeof text);
        struct sim_loader *ld = sim__loader_parse("web.json", text, strlen(text), err, sizeof err);
        assert_non_null(ld);
        struct sim__scenario sc;
        bool ok = sim__scenario_read(ld, &sc);
        struct sim_world *w = ok ? sim__world_build(ld, &sc, 0) : NULL;
        if (w) fail_msg("case %zu (%s): accepted", i, cases[i].fields);
        const char *e = sim__loader_error(ld);
        assert_non_null(e);
        printf("  %s\n", e);
        if (cases[i].message) assert_string_equal(e, cases[i].message);
        else assert_non_null(strstr(e, "web.json: nodes.cache."));
        if (ok) sim__scenario_fini(&sc);
        sim__loader_destroy(ld);
    }
    /* an unknown backend */
    char text[1024], err[512];
    snprintf(text, sizeof text,
             "{\"duration\": \"1s\", \"workload\": {\"entry\": \"c\", \"arrivals\": {\"rate\": 1}},"
             " \"nodes\": {\"c\": {\"type\": \"cache\", \"capacity\": 5, \"backend\": \"dbb\"},"
             " \"db\": {\"type\": \"service\", \"service_time\": \"1ms\"}}}");
    struct sim_loader *ld = sim__loader_parse("web.json", text, strlen(text), err, sizeof err);
    struct sim__scenario sc;
    assert_true(sim__scenario_read(ld, &sc));
    assert_null(sim__world_build(ld, &sc, 0));
    assert_string_equal(sim__loader_error(ld),
                        "web.json: nodes.c.backend: no node named 'dbb' (did you mean 'db'?)");
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(lru_evicts_the_least_recently_used),
        cmocka_unit_test(fifo_evicts_the_oldest_fill_whatever_its_hits),
        cmocka_unit_test(lfu_evicts_the_least_frequently_used_then_the_oldest),
        cmocka_unit_test(random_eviction_keeps_the_capacity),
        cmocka_unit_test(ttl_expires_entries_counted_from_the_fill),
        cmocka_unit_test(concurrent_misses_share_one_backend_read),
        cmocka_unit_test(cache_aside_invalidates_after_the_backend_write),
        cmocka_unit_test(write_through_updates_the_entry),
        cmocka_unit_test(write_around_invalidates_on_arrival),
        cmocka_unit_test(write_back_acknowledges_then_flushes_in_batches),
        cmocka_unit_test(backend_errors_pass_up_and_fill_nothing),
        cmocka_unit_test(invalid_configurations_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
