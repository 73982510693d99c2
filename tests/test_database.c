/* test_database.c: the database model. Scripted reads and writes with chosen keys at chosen
 * times (a driver node, as in test_cache.c) pin the stale reads of async replication to the
 * lag window exactly, read-your-writes, the pool's queue, reject and timeout; short random
 * runs check that sync replication never serves a stale read (quorums: test_quorum.c), and
 * that semi_sync waits for the k-th replica; every invalid configuration names its JSON path.
 * Sharding: hash, range and the ring place scripted keys exactly where their formulas say,
 * a directory costs one lookup per call, a Zipf hot key loads its shard by the probability
 * mass it owns, and a scatter call answers with its slowest shard. */
#include "harness.h"

static const char *scenario_nodes(const char *db_fields, const char *nodes, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"seed\": 11, \"duration\": \"10s\","
             " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"db\": {\"type\": \"database\", %s}%s}}",
             db_fields, nodes);
    return buf;
}

static const char *scenario(const char *db_fields, char *buf, size_t n)
{
    return scenario_nodes(db_fields, "", buf, n);
}

/* Runs steps against db, with other nodes beside it (JSON members, each after a comma). */
static struct harness_rig run_script_nodes(const char *db_fields, const char *nodes, struct harness_step *steps,
                                   int n)
{
    char text[4096];
    scenario_nodes(db_fields, nodes, text, sizeof text);
    return harness_script("db.json", text, "db", steps, n);
}

static struct harness_rig run_script(const char *db_fields, struct harness_step *steps, int n)
{
    return run_script_nodes(db_fields, "", steps, n);
}

static double figure(const struct harness_rig *r, const char *path)
{
    char full[160];
    snprintf(full, sizeof full, "nodes.db.%s", path);
    return harness_rig_figure(r, full);
}

#define R(t, k) {t, SIM_OP_READ, k, 0, SIM_OK, false}
#define W(t, k) {t, SIM_OP_WRITE, k, 0, SIM_OK, false}

/* A deterministic pseudo-random script: writes at even ms, reads at odd ms, over 5 keys. */
static int make_script(struct harness_step *steps, int n)
{
    uint64_t x = 12345;
    for (int i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        int ms = 1 + (int)((x >> 33) % 4000);
        bool write = (x >> 20) % 4 == 0;
        if (write && ms % 2) ms++;
        if (!write && ms % 2 == 0) ms++;
        steps[i] = (struct harness_step){.at = ms, .op = write ? SIM_OP_WRITE : SIM_OP_READ,
                                 .key = (x >> 40) % 5};
    }
    return n;
}

/* With zero service and link times a write is acknowledged as it arrives, and with a
 * constant lag L it lands on the replica exactly L later: a read is stale exactly when its
 * key had a write in the last L. The expected count is computed here from the script. */
static double stale_expected(const struct harness_step *s, int n, double lag_ms)
{
    int stale = 0;
    for (int i = 0; i < n; i++) {
        if (s[i].op != SIM_OP_READ) continue;
        bool recent = false;
        for (int k = 0; k < n; k++)
            if (s[k].op == SIM_OP_WRITE && s[k].key == s[i].key && s[k].at < s[i].at &&
                s[k].at > s[i].at - lag_ms)
                recent = true;
        stale += recent;
    }
    return stale;
}

#define ASYNC_ONE_REPLICA                                                                    \
    "\"replicas\": 1, \"replication\": \"async\", \"lag\": \"10500us\", \"read_from\": "   \
    "\"replicas\", \"workers\": 1000, \"service_time\": \"0s\""

static void async_stale_reads_only_within_the_lag_of_a_write(void **state)
{
    (void)state;
    enum { N = 3000 };
    static struct harness_step steps[N];
    make_script(steps, N);
    double want = stale_expected(steps, N, 10.5);
    struct harness_rig r = run_script(ASYNC_ONE_REPLICA, steps, N);
    printf("  stale reads: expected %.0f (a write of the key within 10.5ms), got %.0f\n", want,
           figure(&r, "stale_reads"));
    assert_true(want > 100);
    assert_int_equal((int)figure(&r, "stale_reads"), (int)want);
    assert_true(figure(&r, "replicas.0.lag.p50") == 10.5e-3);
    assert_true(figure(&r, "replicas.0.lag.max") == 10.5e-3);
    harness_rig_done(&r);

    /* a single key: read 5ms and 10ms after the write are stale, 11ms and 50ms are not */
    struct harness_step two[] = {W(1, 7), R(6, 7), R(11, 7), R(12, 7), R(51, 7), R(52, 8)};
    r = run_script(ASYNC_ONE_REPLICA, two, 6);
    assert_int_equal((int)figure(&r, "stale_reads"), 2);
    assert_int_equal((int)figure(&r, "reads_of_written_keys"), 4);
    assert_int_equal((int)figure(&r, "keys_written"), 1);
    harness_rig_done(&r);
}

static void read_your_writes_removes_stale_reads(void **state)
{
    (void)state;
    enum { N = 3000 };
    static struct harness_step steps[N];
    make_script(steps, N);
    double want = stale_expected(steps, N, 10.5);
    struct harness_rig r = run_script(ASYNC_ONE_REPLICA ", \"read_your_writes\": true", steps, N);
    printf("  read_your_writes: stale %.0f, redirected to the primary %.0f (expected %.0f)\n",
           figure(&r, "stale_reads"), figure(&r, "read_your_writes_redirects"), want);
    assert_int_equal((int)figure(&r, "stale_reads"), 0);
    assert_int_equal((int)figure(&r, "read_your_writes_redirects"), (int)want);
    assert_int_equal((int)(figure(&r, "primary.reads") + figure(&r, "replicas.0.reads")),
                     (int)(figure(&r, "reads") * 10));
    harness_rig_done(&r);
}

static struct harness_run run_text(const char *db_fields, const char *extra)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seed\": 5, \"duration\": \"20s\", \"warmup\": \"1s\", \"replications\": 4,"
             " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 2000},"
             " \"mix\": {\"read\": 0.7, \"write\": 0.3},"
             " \"keys\": {\"count\": 50, \"popularity\": {\"dist\": \"zipf\", \"s\": 1}}},"
             " \"nodes\": {\"db\": {\"type\": \"database\", %s}}%s}",
             db_fields, extra);
    return harness_run_text("db.json", text, NULL, 0, false);
}

static void sync_replication_never_serves_a_stale_read(void **state)
{
    (void)state;
    const char *fields = "\"replicas\": 3, \"replication\": \"sync\", \"lag\": {\"dist\": \"exp\", "
                         "\"mean\": \"5ms\"}, \"read_from\": \"replicas\", \"workers\": 8,"
                         " \"service_time\": {\"dist\": \"exp\", \"mean\": \"1ms\"}";
    struct harness_run h = run_text(fields, "");
    for (int r = 0; r < h.res->replications; r++) {
        harness_exact("sync: stale reads", 0, harness_count(&h, "nodes.db.stale_reads", r), 0);
        assert_true(harness_count(&h, "nodes.db.reads_of_written_keys", r) > 10000);
        harness_exact("sync: replication lag max", 0,
                      harness_metric(&h, "nodes.db.replication_lag.max")->values[r], 0);
        harness_exact("sync: unreplicated writes max", 0,
                      harness_metric(&h, "nodes.db.replicas.0.unreplicated_writes.max")->values[r], 0);
    }
    harness_done(&h);
    /* the same with async: stale reads appear */
    h = run_text("\"replicas\": 3, \"replication\": \"async\", \"lag\": {\"dist\": \"exp\", "
                 "\"mean\": \"5ms\"}, \"read_from\": \"replicas\", \"workers\": 8,"
                 " \"service_time\": {\"dist\": \"exp\", \"mean\": \"1ms\"}", "");
    assert_true(harness_metric(&h, "nodes.db.stale_reads")->ci.mean > 100);
    assert_true(harness_metric(&h, "nodes.db.replicas.0.unreplicated_writes.mean")->ci.mean > 0);
    harness_done(&h);
}

/* Lags uniform on [0, 10ms], zero service, writes 11ms apart (so the in-order apply never
 * holds a shipment back): a semi_sync write waits for the k-th of 3 replicas, whose lag is
 * the k-th order statistic of 3 uniforms, mean 10ms x k / 4, variance 100 k (4 - k) / 80. */
static void semi_sync_waits_for_the_kth_replica(void **state)
{
    (void)state;
    enum { N = 900 };
    static struct harness_step steps[N];
    for (int k = 1; k <= 3; k++) {
        for (int i = 0; i < N; i++) steps[i] = (struct harness_step)W(1 + 11.0 * i, (uint64_t)i % 7);
        char fields[512];
        snprintf(fields, sizeof fields,
                 "\"replicas\": 3, \"replication\": \"%s\", %s \"lag\":"
                 " {\"dist\": \"uniform\", \"min\": \"0s\", \"max\": \"10ms\"}, \"workers\": 100,"
                 " \"service_time\": \"0s\"",
                 k < 3 ? "semi_sync" : "sync", k == 1 ? "\"acks\": 1," : k == 2 ? "\"acks\": 2," : "");
        struct harness_rig r = run_script(fields, steps, N);
        double sum = 0;
        for (int i = 0; i < N; i++) sum += steps[i].latency_ms;
        double mean = sum / N, want = 10.0 * k / 4, se = sqrt(100.0 * k * (4 - k) / 80 / N);
        printf("  %s (k = %d): write latency mean %.4f ms, k-th order statistic %.4f ms (se %.3f)\n",
               k < 3 ? "semi_sync" : "sync", k, mean, want, se);
        assert_true(fabs(mean - want) < 4 * se);
        assert_int_equal((int)figure(&r, "writes_acknowledged"), N);
        harness_rig_done(&r);
    }
}

/* One connection; each call holds it for 10ms of service. */
static void the_pool_queues_or_rejects(void **state)
{
    (void)state;
    const char *base = "\"service_time\": \"10ms\", \"workers\": 4, \"pool\": ";
    char fields[512];
    struct harness_step a[] = {R(1, 1), R(2, 1), R(3, 1)};
    snprintf(fields, sizeof fields, "%s{\"size\": 1, \"wait\": \"reject\"}", base);
    struct harness_rig r = run_script(fields, a, 3);
    assert_int_equal(a[0].status, SIM_OK);
    assert_int_equal(a[1].status, SIM_REJECTED);
    assert_int_equal(a[2].status, SIM_REJECTED);
    assert_int_equal((int)figure(&r, "pool.rejected"), 2);
    harness_rig_done(&r);

    struct harness_step b[] = {R(1, 1), R(2, 1), R(3, 1)};
    snprintf(fields, sizeof fields, "%s{\"size\": 1, \"wait\": \"queue\"}", base);
    r = run_script(fields, b, 3);
    for (int i = 0; i < 3; i++) assert_int_equal(b[i].status, SIM_OK);
    assert_true(fabs(b[0].latency_ms - 10) < 1e-9);
    assert_true(fabs(b[1].latency_ms - 19) < 1e-9); /* waits until 11ms, served until 21ms */
    assert_true(fabs(b[2].latency_ms - 28) < 1e-9);
    assert_int_equal((int)figure(&r, "pool.waiting.max"), 2);
    harness_rig_done(&r);

    struct harness_step c[] = {R(1, 1), R(2, 1), R(3, 1), R(4, 1)};
    snprintf(fields, sizeof fields, "%s{\"size\": 1, \"wait\": \"queue\", \"timeout\": \"12ms\"}", base);
    r = run_script(fields, c, 4);
    assert_int_equal(c[0].status, SIM_OK);
    assert_int_equal(c[1].status, SIM_OK);       /* gets the connection at 11ms, after 9ms */
    assert_int_equal(c[2].status, SIM_REJECTED); /* would get it at 21ms, after 18ms */
    assert_int_equal(c[3].status, SIM_REJECTED);
    assert_true(fabs(c[2].latency_ms - 12) < 1e-9);
    assert_int_equal((int)figure(&r, "pool.timeouts"), 2);
    harness_rig_done(&r);
}

/* One read of each key 0..n-1, 0.5ms apart, on a database of zero service time. */
static struct harness_step *read_each_key(int n)
{
    struct harness_step *steps = calloc((size_t)n, sizeof *steps);
    for (int i = 0; i < n; i++) steps[i] = (struct harness_step)R(1 + 0.5 * i, (uint64_t)i);
    return steps;
}

#define SHARD_BASE "\"workers\": 1000, \"service_time\": \"0s\", "

static void expect_shard_calls(const struct harness_rig *r, const int *want, int nshards)
{
    for (int i = 0; i < nshards; i++) {
        char path[48], what[64];
        snprintf(path, sizeof path, "shards.%d.calls", i);
        snprintf(what, sizeof what, "shard %d calls", i);
        harness_exact(what, want[i], figure(r, path), 0);
    }
}

/* hash: key k goes to shard k mod S. */
static void hash_places_keys_by_key_mod_count(void **state)
{
    (void)state;
    enum { N = 1003, S = 4 };
    struct harness_step *steps = read_each_key(N);
    for (int i = 0; i < N; i++) steps[i].key = (uint64_t)i * 7 + 3;
    int want[S] = {0};
    for (int i = 0; i < N; i++) want[steps[i].key % S]++;
    struct harness_rig r = run_script(SHARD_BASE "\"shards\": {\"count\": 4}", steps, N);
    expect_shard_calls(&r, want, S);
    double most = 0;
    for (int i = 0; i < S; i++) most = want[i] > most ? want[i] : most;
    harness_exact("hot_shard_share", most / N, figure(&r, "hot_shard_share"), 1e-12);
    harness_rig_done(&r);
    free(steps);
}

/* range: shard i holds [b_i, b_(i+1)); key_count N gives b_i = floor(i N / S). */
static void range_routes_by_boundaries(void **state)
{
    (void)state;
    enum { N = 100 };
    struct harness_step *steps = read_each_key(N);
    struct harness_rig r = run_script(SHARD_BASE "\"shards\": {\"count\": 4, \"strategy\": \"range\","
                                         " \"boundaries\": [10, 20, 50]}", steps, N);
    expect_shard_calls(&r, (const int[]){10, 10, 30, 50}, 4);
    harness_rig_done(&r);
    r = run_script(SHARD_BASE "\"shards\": {\"count\": 3, \"strategy\": \"range\","
                              " \"key_count\": 100}", steps, N);
    expect_shard_calls(&r, (const int[]){33, 33, 34}, 3);
    harness_rig_done(&r);
    free(steps);
}

/* The ring as docs/scenario.md states it, computed here independently of the model. */
static int ring_shard(uint64_t key, int nshards, int vnodes)
{
    uint64_t at = sim_hash64(key), best = UINT64_MAX, lowest = UINT64_MAX;
    int best_shard = -1, lowest_shard = -1;
    for (int i = 0; i < nshards; i++)
        for (int v = 0; v < vnodes; v++) {
            uint64_t p = sim_hash64(sim_hash64((uint64_t)i << 32 | (uint64_t)v));
            if (p >= at && (p < best || (p == best && i < best_shard))) best = p, best_shard = i;
            if (p < lowest || (p == lowest && i < lowest_shard)) lowest = p, lowest_shard = i;
        }
    return best_shard >= 0 ? best_shard : lowest_shard;
}

/* consistent_hash: the model's placement matches the ring exactly, and adding a fifth
 * shard moves about 1/5 of the keys, every one of them to the new shard. */
static void consistent_hashing_moves_one_in_s_plus_one(void **state)
{
    (void)state;
    enum { N = 4000, V = 1000 };
    struct harness_step *steps = read_each_key(N);
    static int before[N], after[N];
    int moved = 0;
    for (int S = 4; S <= 5; S++) {
        int want[5] = {0};
        for (int k = 0; k < N; k++) {
            int sh = ring_shard((uint64_t)k, S, V);
            want[sh]++;
            (S == 4 ? before : after)[k] = sh;
        }
        char fields[256];
        snprintf(fields, sizeof fields,
                 SHARD_BASE "\"shards\": {\"count\": %d, \"strategy\": \"consistent_hash\","
                            " \"virtual_nodes\": %d}", S, V);
        struct harness_rig r = run_script(fields, steps, N);
        expect_shard_calls(&r, want, S);
        harness_rig_done(&r);
    }
    for (int k = 0; k < N; k++)
        if (before[k] != after[k]) {
            moved++;
            assert_int_equal(after[k], 4);
        }
    double share = (double)moved / N;
    printf("  keys moved by a fifth shard: %d of %d = %.4f, 1/(S+1) = 0.2\n", moved, N, share);
    assert_true(fabs(share - 0.2) < 0.03); /* the new shard's arc: sd about 0.2 / sqrt(V) */
    free(steps);
}

/* directory: every data call costs exactly one call to the directory node first, whose
 * 2ms is added to the data call's own 1ms. */
static void directory_adds_one_lookup_per_call(void **state)
{
    (void)state;
    enum { N = 500 };
    struct harness_step *steps = read_each_key(N);
    for (int i = 0; i < N; i += 5) steps[i].op = SIM_OP_WRITE;
    struct harness_rig r = run_script_nodes("\"workers\": 1000, \"service_time\": \"1ms\", \"shards\":"
                                    " {\"count\": 4, \"strategy\": \"directory\", \"directory\":"
                                    " \"dir\"}",
                                    ", \"dir\": {\"type\": \"service\", \"workers\": 1000,"
                                    " \"service_time\": \"2ms\"}",
                                    steps, N);
    const struct sim__metric *m = sim__results_find(r.res, "nodes.dir.arrivals");
    assert_non_null(m);
    harness_exact("directory arrivals", N, round(m->values[0] * 10), 0);
    harness_exact("directory_lookups", N, figure(&r, "directory_lookups"), 0);
    int want[4] = {0};
    for (int i = 0; i < N; i++) want[steps[i].key % 4]++;
    expect_shard_calls(&r, want, 4);
    for (int i = 0; i < N; i++) assert_true(fabs(steps[i].latency_ms - 3) < 1e-9);
    harness_rig_done(&r);
    free(steps);
}

/* Zipf(1.1) over 40 keys, hash over 4 shards: shard i gets the probability mass of the keys
 * k = i mod 4, so shard 0 (key 0, the hottest) is the hot shard. */
static void a_zipf_hot_key_loads_its_shard(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 17, \"duration\": \"20s\", \"warmup\": \"1s\","
        " \"workload\": {\"entry\": \"db\", \"arrivals\": {\"rate\": 2000},"
        " \"keys\": {\"count\": 40, \"popularity\": {\"dist\": \"zipf\", \"s\": 1.1}}},"
        " \"nodes\": {\"db\": {\"type\": \"database\", \"workers\": 100, \"service_time\": \"1ms\","
        " \"shards\": {\"count\": 4}}}}";
    struct harness_rig r = {0};
    char err[1024];
    gsl_set_error_handler_off();
    r.ld = sim__loader_parse("db.json", text, strlen(text), err, sizeof err);
    if (!r.ld) fail_msg("%s", err);
    if (!sim__scenario_read(r.ld, &r.sc)) fail_msg("%s", sim__loader_error(r.ld));
    r.w = sim__world_build(r.ld, &r.sc, 0);
    if (!r.w) fail_msg("%s", sim__loader_error(r.ld));
    sim__world_run(r.w);
    r.res = sim_alloc(sizeof *r.res);
    r.res->replications = 1;
    sim__results_collect(r.res, r.w, 0);
    const struct sim_keys *keys = sim_workload_keys(sim__world_find(r.w, "db"));
    assert_non_null(keys);
    double mass[4] = {0}, total = 0;
    for (uint64_t k = 0; k < sim_keys_count(keys); k++) mass[k % 4] += sim_keys_probability(keys, k);
    for (int i = 0; i < 4; i++) total += figure(&r, (const char *[]){"shards.0.calls", "shards.1.calls",
                                                                       "shards.2.calls", "shards.3.calls"}[i]);
    for (int i = 0; i < 4; i++) {
        char path[48], what[64];
        snprintf(path, sizeof path, "shards.%d.calls", i);
        snprintf(what, sizeof what, "shard %d share, keys = %d mod 4", i, i);
        harness_binomial(what, mass[i], figure(&r, path), total);
    }
    harness_binomial("hot_shard_share (shard 0)", mass[0], figure(&r, "hot_shard_share") * total, total);
    assert_true(mass[0] > 0.4 && figure(&r, "shards.0.utilisation") > figure(&r, "shards.1.utilisation"));
    harness_rig_done(&r);
}

/* One worker per shard, 10ms of service. A point read of key 0 at 1ms holds shard 0 until
 * 11ms; a search at 5ms waits there until 11ms and ends at 21ms (16ms), the other shards'
 * parts end at 15ms (10ms): the search answers after the slowest, 16ms exactly. */
static void scatter_answers_with_the_slowest_shard(void **state)
{
    (void)state;
    const char *fields = "\"workers\": 1, \"service_time\": \"10ms\", \"shards\": {\"count\": 3,"
                         " \"scatter_ops\": [\"search\"]}";
    char text[2048], err[1024];
    scenario(fields, text, sizeof text);
    struct sim_loader *ld = sim__loader_parse("db.json", text, strlen(text), err, sizeof err);
    struct sim__scenario sc;
    assert_true(sim__scenario_read(ld, &sc));
    struct sim_world *w = sim__world_build(ld, &sc, 0);
    assert_non_null(w);
    int search = -1;
    struct sim_component *db = sim__world_find(w, "db");
    for (int op = 0; op < sim_op_count(db); op++)
        if (!strcmp(sim_op_name(db, op), "search")) search = op;
    assert_true(search > SIM_OP_WRITE);
    sim__world_destroy(w);
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);

    struct harness_step steps[] = {R(1, 0), {5, search, 7, 0, SIM_OK, false}, {100, search, 8, 0, SIM_OK, false}};
    struct harness_rig r = run_script(fields, steps, 3);
    printf("  point read %.3f ms, search behind it %.3f ms, search on idle shards %.3f ms\n",
           steps[0].latency_ms, steps[1].latency_ms, steps[2].latency_ms);
    assert_true(fabs(steps[0].latency_ms - 10) < 1e-9);
    assert_true(fabs(steps[1].latency_ms - 16) < 1e-9);
    assert_true(fabs(steps[2].latency_ms - 10) < 1e-9);
    harness_exact("scatter_latency.count", 2, figure(&r, "scatter_latency.count"), 0);
    harness_exact("scatter_latency.max", 0.016, figure(&r, "scatter_latency.max"), 1e-9);
    harness_exact("shard 0 latency.max (the slowest part)", 0.016, figure(&r, "shards.0.latency.max"), 1e-9);
    harness_exact("shard 1 latency.max", 0.010, figure(&r, "shards.1.latency.max"), 1e-9);
    expect_shard_calls(&r, (const int[]){3, 2, 2}, 3);
    harness_rig_done(&r);
}

static void invalid_configurations_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *fields, *message;
    } cases[] = {
        {"\"replicas\": 2",
         "db.json: nodes.db.service_time: required field missing: expected a distribution (a "
         "duration such as \"5ms\", or an object with \"dist\")"},
        {"\"service_time\": \"1ms\", \"replicas\": 65",
         "db.json: nodes.db.replicas: expected an integer from 0 to 64, got 65"},
        {"\"service_time\": \"1ms\", \"replicas\": 2, \"replication\": \"semi_sync\", \"acks\": 3",
         "db.json: nodes.db.acks: expected an integer from 1 to 2, got 3"},
        {"\"service_time\": \"1ms\", \"replicas\": 2, \"replication\": \"semi_sync\"",
         "db.json: nodes.db.acks: required field missing: expected an integer from 1 to 2"},
        {"\"service_time\": \"1ms\", \"replicas\": 2, \"acks\": 1",
         "db.json: nodes.db.acks: only with replication \"semi_sync\""},
        {"\"service_time\": \"1ms\", \"replication\": \"semisync\"",
         "db.json: nodes.db.replication: expected one of \"sync\", \"semi_sync\" or \"async\", got "
         "\"semisync\" (did you mean 'semi_sync'?)"},
        {"\"service_time\": \"1ms\", \"replicas\": 1, \"read_your_writes\": true",
         "db.json: nodes.db.read_your_writes: only with read_from \"replicas\" or \"nearest\""},
        {"\"service_time\": \"1ms\", \"replica_choice\": \"random\"",
         "db.json: nodes.db.replica_choice: only with read_from \"replicas\""},
        {"\"service_time\": \"1ms\", \"w\": 2", "db.json: nodes.db.w: only with \"type\": \"quorum\""},
        {"\"service_time\": \"1ms\", \"pool\": {\"size\": 0}",
         "db.json: nodes.db.pool.size: expected an integer from 1 to 1000000, got 0"},
        {"\"service_time\": \"1ms\", \"pool\": {\"size\": 4, \"wait\": \"reject\", \"timeout\": \"1s\"}",
         "db.json: nodes.db.pool.timeout: only with wait \"queue\""},
        {"\"service_time\": \"1ms\", \"pool\": {\"size\": 4, \"wiat\": \"queue\"}",
         "db.json: nodes.db.pool.wiat: unknown field (did you mean 'wait'?)"},
        {"\"service_time\": \"1ms\", \"service_time_by_op\": {\"update\": \"1ms\"}",
         "db.json: nodes.db.service_time_by_op.update: unknown field"},
        {"\"service_time\": \"1ms\", \"shards\": {\"count\": 2, \"virtual_nodes\": 10}",
         "db.json: nodes.db.shards.virtual_nodes: only with strategy \"consistent_hash\""},
        {"\"service_time\": \"1ms\", \"shards\": {\"count\": 3, \"strategy\": \"range\","
         " \"boundaries\": [5]}",
         "db.json: nodes.db.shards.boundaries: expected 2 keys (count - 1), got 1"},
        {"\"service_time\": \"1ms\", \"shards\": {\"count\": 3, \"strategy\": \"range\","
         " \"boundaries\": [5, 5]}",
         "db.json: nodes.db.shards.boundaries[1]: expected an integer key above the one before, got 5"},
        {"\"service_time\": \"1ms\", \"shards\": {\"count\": 3, \"strategy\": \"range\"}",
         "db.json: nodes.db.shards: strategy \"range\" needs either \"boundaries\" or \"key_count\""},
        {"\"service_time\": \"1ms\", \"shards\": {\"count\": 2, \"scatter_ops\": [\"write\"]}",
         "db.json: nodes.db.shards.scatter_ops: a write goes to its key's shard: only reads scatter"},
        {"\"service_time\": \"1ms\", \"shards\": {\"count\": 2, \"strategy\": \"directory\"}",
         "db.json: nodes.db.shards.directory: required field missing: expected the name of a node"},
        {"\"mode\": \"leaderless\"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[2048];
        scenario(cases[i].fields, text, sizeof text);
        char *e = harness_refusal("db.json", text);
        if (cases[i].message) assert_string_equal(e, cases[i].message);
        else assert_non_null(strstr(e, "db.json: nodes.db.mode: "));
        free(e);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(async_stale_reads_only_within_the_lag_of_a_write),
        cmocka_unit_test(read_your_writes_removes_stale_reads),
        cmocka_unit_test(sync_replication_never_serves_a_stale_read),
        cmocka_unit_test(semi_sync_waits_for_the_kth_replica),
        cmocka_unit_test(the_pool_queues_or_rejects),
        cmocka_unit_test(hash_places_keys_by_key_mod_count),
        cmocka_unit_test(range_routes_by_boundaries),
        cmocka_unit_test(consistent_hashing_moves_one_in_s_plus_one),
        cmocka_unit_test(directory_adds_one_lookup_per_call),
        cmocka_unit_test(a_zipf_hot_key_loads_its_shard),
        cmocka_unit_test(scatter_answers_with_the_slowest_shard),
        cmocka_unit_test(invalid_configurations_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
