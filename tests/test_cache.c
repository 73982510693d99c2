/* test_cache.c: the cache model, driven call by call. A test builds a world from a small
 * scenario (a cache in front of a constant-time backend, no traffic of its own), adds a
 * driver that sends scripted reads and writes with chosen keys at chosen times, and checks
 * which were hits, the eviction order of each policy, ttl expiry, coalescing, each write
 * policy, and the exact message of each invalid configuration. */
#include "harness.h"

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
static struct harness_rig run_script(const char *cache_fields, struct harness_step *steps, int n)
{
    char text[2048];
    scenario(cache_fields, text, sizeof text);
    return harness_script("web.json", text, "cache", steps, n);
}

static double figure(const struct harness_rig *r, const char *path)
{
    char full[160];
    snprintf(full, sizeof full, "nodes.cache.%s", path);
    return harness_rig_figure(r, full);
}

#define R(t, k) {t, SIM_OP_READ, k, 0, SIM_OK, false}
#define W(t, k) {t, SIM_OP_WRITE, k, 0, SIM_OK, false}

/* Each step a hit ('H', answered at once: hit_time is 0) or a miss ('M', 1 ms backend). */
static void expect_pattern(const struct harness_step *steps, int n, const char *pattern)
{
    char got[128];
    for (int i = 0; i < n; i++) got[i] = steps[i].latency_ms < 0.5 ? 'H' : 'M';
    got[n] = 0;
    assert_string_equal(got, pattern);
}

static void lru_evicts_the_least_recently_used(void **state)
{
    (void)state;
    struct harness_step s[] = {R(0, 1), R(10, 2), R(20, 3), R(30, 1), R(40, 4) /* evicts 2 */,
                       R(50, 1), R(60, 3), R(70, 2) /* evicts 4 */, R(80, 4) /* evicts 1 */,
                       R(90, 3), R(100, 1)};
    struct harness_rig r = run_script("\"capacity\": 3, \"eviction\": \"lru\"", s, 11);
    expect_pattern(s, 11, "MMMHMHHMMHM");
    assert_int_equal(figure(&r, "evictions"), 4);
    assert_int_equal(figure(&r, "entries"), 3);
    harness_rig_done(&r);
}

static void fifo_evicts_the_oldest_fill_whatever_its_hits(void **state)
{
    (void)state;
    struct harness_step s[] = {R(0, 1), R(10, 2), R(20, 3), R(30, 1), R(40, 4) /* evicts 1 */,
                       R(50, 1) /* evicts 2 */, R(60, 3), R(70, 2) /* evicts 3 */, R(80, 3)};
    struct harness_rig r = run_script("\"capacity\": 3, \"eviction\": \"fifo\"", s, 9);
    expect_pattern(s, 9, "MMMHMMHMM");
    harness_rig_done(&r);
}

static void lfu_evicts_the_least_frequently_used_then_the_oldest(void **state)
{
    (void)state;
    /* counts after the hits: 1 -> 3, 2 -> 2, 3 -> 1 */
    struct harness_step s[] = {R(0, 1), R(10, 2), R(20, 3), R(30, 1), R(40, 1), R(50, 2),
                       R(60, 4) /* evicts 3 */, R(70, 3) /* evicts 4 */, R(80, 2), R(90, 1),
                       R(100, 4) /* evicts 3 */, R(110, 5) /* evicts 4 */, R(120, 3)};
    struct harness_rig r = run_script("\"capacity\": 3, \"eviction\": \"lfu\"", s, 13);
    expect_pattern(s, 13, "MMMHHHMMHHMMM");
    harness_rig_done(&r);

    /* equal counts: the least recently filled or used goes first */
    struct harness_step t[] = {R(0, 1), R(10, 2), R(20, 3) /* evicts 1 */, R(30, 2), R(40, 1)};
    r = run_script("\"capacity\": 2, \"eviction\": \"lfu\"", t, 5);
    expect_pattern(t, 5, "MMMHM");
    harness_rig_done(&r);
}

static void random_eviction_keeps_the_capacity(void **state)
{
    (void)state;
    struct harness_step s[200];
    for (int i = 0; i < 200; i++) s[i] = (struct harness_step)R(i * 5.0, (uint64_t)(i * 7919 % 13));
    struct harness_rig r = run_script("\"capacity\": 5, \"eviction\": \"random\"", s, 200);
    double misses = figure(&r, "misses"), hits = figure(&r, "hits");
    assert_int_equal(hits + misses, 200);
    assert_true(hits > 0 && misses > 13);
    assert_int_equal(figure(&r, "evictions"), misses - 5);
    assert_int_equal(figure(&r, "entries"), 5);
    harness_rig_done(&r);
}

/* The kernel's policies through the model: the exact cases of test_evict.c (which shows the
 * hand computation) give the same hits, and a write's invalidation leaves the policy too. */
static void kernel_policies_evict_as_computed_by_hand(void **state)
{
    (void)state;
    struct harness_step s[11];
    uint64_t sieve[] = {1, 2, 3, 1, 4, 2, 1, 5, 2, 6, 7};
    for (int i = 0; i < 11; i++) s[i] = (struct harness_step)R(i * 10.0, sieve[i]);
    struct harness_rig r = run_script("\"capacity\": 3, \"eviction\": \"sieve\"", s, 11);
    expect_pattern(s, 11, "MMMHMMHMHMM");
    assert_int_equal(figure(&r, "evictions"), 5);
    assert_int_equal(figure(&r, "entries"), 3);
    harness_rig_done(&r);

    uint64_t arc[] = {1, 2, 3, 1, 4, 2, 5, 1, 6, 2};
    for (int i = 0; i < 10; i++) s[i] = (struct harness_step)R(i * 10.0, arc[i]);
    r = run_script("\"capacity\": 3, \"eviction\": \"arc\"", s, 10);
    expect_pattern(s, 10, "MMMHMMMMMH");
    harness_rig_done(&r);

    const char *policies[] = {"arc", "2q", "s3_fifo", "sieve", "w_tinylfu"};
    for (int p = 0; p < 5; p++) {
        struct harness_step t[] = {R(0, 1), R(5, 1), W(10, 1), R(20, 1), R(30, 1), R(40, 2)};
        char fields[96];
        snprintf(fields, sizeof fields, "\"capacity\": 2, \"eviction\": \"%s\"", policies[p]);
        r = run_script(fields, t, 6);
        expect_pattern(t, 6, "MHMMHM");
        assert_int_equal(figure(&r, "invalidations"), 1);
        assert_int_equal(figure(&r, "entries"), 2);
        harness_rig_done(&r);
    }
}

static void ttl_expires_entries_counted_from_the_fill(void **state)
{
    (void)state;
    /* filled at 1 ms, expires at 51 ms; refilled at 61 ms */
    struct harness_step s[] = {R(0, 1), R(30, 1), R(50.5, 1), R(60, 1), R(100, 1), R(112, 1)};
    struct harness_rig r = run_script("\"eviction\": \"ttl\", \"ttl\": \"50ms\"", s, 6);
    expect_pattern(s, 6, "MHHMHM");
    assert_int_equal(figure(&r, "expirations"), 2);
    harness_rig_done(&r);

    /* ttl on a bounded lru cache, with jitter: expiry within ttl +- jitter */
    struct harness_step t[] = {R(0, 1), R(40, 1), R(70, 1)};
    r = run_script("\"capacity\": 10, \"ttl\": \"50ms\", \"ttl_jitter\": \"5ms\"", t, 3);
    expect_pattern(t, 3, "MHM");
    harness_rig_done(&r);
}

static void concurrent_misses_share_one_backend_read(void **state)
{
    (void)state;
    struct harness_step s[] = {R(0, 5), R(0.25, 5), R(0.5, 5), R(2, 5)};
    struct harness_rig r = run_script("\"capacity\": 10", s, 4);
    assert_true(fabs(s[0].latency_ms - 1) < 1e-9);
    assert_true(fabs(s[1].latency_ms - 0.75) < 1e-9);
    assert_true(fabs(s[2].latency_ms - 0.5) < 1e-9);
    assert_true(s[3].latency_ms == 0);
    assert_int_equal(figure(&r, "coalesced"), 2);
    assert_int_equal(figure(&r, "misses"), 3);
    assert_true(fabs(figure(&r, "backend.reads") * 10 - 1) < 1e-9); /* one read in 10 s */
    harness_rig_done(&r);

    struct harness_step t[] = {R(0, 5), R(0.25, 5), R(0.5, 5), R(2, 5)};
    r = run_script("\"capacity\": 10, \"coalescing\": false", t, 4);
    for (int i = 0; i < 3; i++) assert_true(fabs(t[i].latency_ms - 1) < 1e-9);
    assert_int_equal(figure(&r, "coalesced"), 0);
    assert_true(fabs(figure(&r, "backend.reads") * 10 - 3) < 1e-9);
    harness_rig_done(&r);
}

static void cache_aside_invalidates_after_the_backend_write(void **state)
{
    (void)state;
    struct harness_step s[] = {R(0, 1), R(5, 1), W(10, 1), R(20, 1), R(30, 1)};
    struct harness_rig r = run_script("\"capacity\": 10", s, 5);
    expect_pattern(s, 5, "MHMMH");
    assert_int_equal(figure(&r, "invalidations"), 1);
    assert_int_equal(figure(&r, "stale_reads"), 0);
    harness_rig_done(&r);

    /* invalidated 20 ms after the write's acknowledgement (11 ms): the hit at 20 ms is stale */
    struct harness_step t[] = {R(0, 1), W(10, 1), R(20, 1), R(40, 1)};
    r = run_script("\"capacity\": 10, \"invalidation_delay\": \"20ms\"", t, 4);
    expect_pattern(t, 4, "MMHM");
    assert_int_equal(figure(&r, "stale_reads"), 1);
    harness_rig_done(&r);
}

static void write_through_updates_the_entry(void **state)
{
    (void)state;
    struct harness_step s[] = {W(0, 1), R(10, 1), R(20, 2), W(30, 2), R(40, 2)};
    struct harness_rig r = run_script("\"capacity\": 10, \"write_policy\": \"write_through\"", s, 5);
    expect_pattern(s, 5, "MHMMH");
    assert_int_equal(figure(&r, "stale_reads"), 0);
    assert_int_equal(figure(&r, "invalidations"), 0);
    harness_rig_done(&r);
}

static void write_around_invalidates_on_arrival(void **state)
{
    (void)state;
    /* the read at 10.25 ms misses and refills the old value (read before the write's
     * acknowledgement at 11 ms): the hit at 20 ms is stale */
    struct harness_step s[] = {R(0, 1), W(10, 1), R(10.25, 1), R(20, 1)};
    struct harness_rig r = run_script("\"capacity\": 10, \"write_policy\": \"write_around\"", s, 4);
    expect_pattern(s, 4, "MMMH");
    assert_int_equal(figure(&r, "invalidations"), 1);
    assert_int_equal(figure(&r, "stale_reads"), 1);
    harness_rig_done(&r);
}

static void write_back_acknowledges_then_flushes_in_batches(void **state)
{
    (void)state;
    struct harness_step s[] = {W(0, 1), W(1, 2), W(2, 3), R(50, 1), W(150, 1), R(300, 4)};
    struct harness_rig r = run_script("\"capacity\": 10, \"write_policy\": \"write_back\", "
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
    harness_rig_done(&r);

    /* a dirty entry evicted before its flush goes to the backend alone */
    struct harness_step t[] = {W(0, 1), W(1, 2), W(2, 3), R(3, 1)};
    r = run_script("\"capacity\": 2, \"eviction\": \"fifo\", \"write_policy\": \"write_back\"",
                   t, 4);
    expect_pattern(t, 4, "HHHM");
    assert_int_equal(figure(&r, "dirty_evictions"), 2); /* key 1, then key 2 for the refill */
    assert_int_equal(figure(&r, "writes_at_risk.max"), 3);
    harness_rig_done(&r);
}

static void backend_errors_pass_up_and_fill_nothing(void **state)
{
    (void)state;
    struct harness_step s[] = {R(0, 1), R(0, 1), R(0, 1), R(10, 1)};
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seed\": 7, \"duration\": \"1s\","
             " \"workload\": {\"entry\": \"cache\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"cache\": {\"type\": \"cache\", \"backend\": \"db\", \"capacity\": 4,"
             " \"coalescing\": false},"
             " \"db\": {\"type\": \"service\", \"workers\": 1, \"queue\": 0,"
             " \"service_time\": \"1ms\"}}}");
    struct harness_rig r = harness_script("web.json", text, "cache", s, 4);
    assert_int_equal(s[0].status, SIM_OK);
    assert_int_equal(s[1].status, SIM_REJECTED); /* one worker, no queue */
    assert_int_equal(s[2].status, SIM_REJECTED);
    assert_int_equal(s[3].status, SIM_OK);
    assert_true(s[3].latency_ms == 0);
    assert_int_equal(figure(&r, "errors.rejected"), 2);
    harness_rig_done(&r);
}

/* The ring of docs/scenario.md, rebuilt here: virtual node v of shard i sits at
 * sim_hash64(sim_hash64(i << 32 | v)); a key at sim_hash64(key) belongs to the first point
 * at or after it, wrapping. A linear scan: the test checks the model's binary search. */
static uint32_t ring_owner(uint32_t nodes, uint32_t vnodes, uint64_t key)
{
    uint64_t at = sim_hash64(key), best = UINT64_MAX, lowest = UINT64_MAX;
    uint32_t owner = 0, lowest_owner = 0;
    for (uint32_t i = 0; i < nodes; i++)
        for (uint32_t v = 0; v < vnodes; v++) {
            uint64_t p = sim_hash64(sim_hash64((uint64_t)i << 32 | v));
            if (p >= at && p < best) best = p, owner = i;
            if (p < lowest) lowest = p, lowest_owner = i;
        }
    return best == UINT64_MAX ? lowest_owner : owner;
}

static void cluster_places_keys_by_consistent_hashing(void **state)
{
    (void)state;
    /* 100 reads of hot key 7, then one read of each key 0..99: 200 reads on 4 shards of
     * 100 entries, so only each key's first read misses */
    enum { NODES = 4, VNODES = 100, N = 200 };
    struct harness_step s[N];
    double reads[NODES] = {0}, distinct[NODES] = {0};
    for (int i = 0; i < 100; i++) s[i] = (struct harness_step)R(i * 2.0, 7);
    for (int i = 0; i < 100; i++) s[100 + i] = (struct harness_step)R(200 + i * 2.0, (uint64_t)i);
    for (int i = 0; i < N; i++) reads[ring_owner(NODES, VNODES, s[i].key)]++;
    for (uint64_t k = 0; k < 100; k++) distinct[ring_owner(NODES, VNODES, k)]++;
    struct harness_rig r = run_script("\"capacity\": 400, \"cluster\": {\"nodes\": 4}", s, N);
    uint32_t hot = ring_owner(NODES, VNODES, 7);
    double busiest = 0;
    for (int i = 0; i < NODES; i++) {
        char path[64];
        snprintf(path, sizeof path, "shards.%d.share", i);
        harness_exact(path, reads[i] / N, figure(&r, path), 1e-12);
        snprintf(path, sizeof path, "shards.%d.hit_ratio", i);
        harness_exact(path, (reads[i] - distinct[i]) / reads[i], figure(&r, path), 1e-12);
        snprintf(path, sizeof path, "shards.%d.entries", i);
        harness_exact(path, distinct[i], figure(&r, path), 0);
        if (reads[i] > busiest) busiest = reads[i];
    }
    harness_exact("hot_shard_share (the hot key's shard)", reads[hot] / N,
                  figure(&r, "hot_shard_share"), 1e-12);
    assert_true(busiest == reads[hot] && reads[hot] >= 100);
    harness_exact("hit_ratio", 100.0 / N, figure(&r, "hit_ratio"), 1e-12);
    harness_rig_done(&r);
}

static void cluster_shards_evict_on_their_own(void **state)
{
    (void)state;
    /* capacity 4 on 2 nodes: 2 entries a shard. Three keys of shard 0 and one of shard 1:
     * the third key of shard 0 evicts its first while shard 1 has room */
    uint64_t on0[3], on1 = 0;
    int n0 = 0;
    for (uint64_t k = 0; n0 < 3 || !on1; k++) {
        if (ring_owner(2, 100, k) == 0) {
            if (n0 < 3) on0[n0++] = k;
        } else if (!on1) {
            on1 = k;
        }
    }
    struct harness_step s[] = {R(0, on0[0]), R(10, on0[1]), R(20, on0[2]) /* evicts on0[0] */,
                       R(30, on1), R(40, on0[0]) /* evicts on0[1] */, R(50, on1)};
    struct harness_rig r = run_script("\"capacity\": 4, \"cluster\": {\"nodes\": 2}", s, 6);
    expect_pattern(s, 6, "MMMMMH");
    assert_int_equal(figure(&r, "evictions"), 2);
    assert_int_equal(figure(&r, "entries"), 3);
    assert_int_equal(figure(&r, "shards.0.entries"), 2);
    harness_rig_done(&r);

    /* the same reads on one node of 4 entries: nothing is evicted */
    struct harness_step t[] = {R(0, on0[0]), R(10, on0[1]), R(20, on0[2]), R(30, on1), R(40, on0[0]),
                       R(50, on1)};
    r = run_script("\"capacity\": 4", t, 6);
    expect_pattern(t, 6, "MMMMHH");
    harness_rig_done(&r);
}

/* Readers of one hot key every 20 us (50 per backend read of 1 ms), for 1 s, through a
 * cache with a 100 ms ttl and no coalescing. The first 51 readers (to the cold fill at
 * 1 ms) all miss, with or without early expiration. Returns the most misses that started
 * in any one millisecond after that; the figures land in *r. */
static int hot_key_herd(const char *fields, struct harness_rig *r)
{
    enum { N = 50000 };
    struct harness_step *s = calloc(N, sizeof *s);
    for (int i = 0; i < N; i++) s[i] = (struct harness_step)R(i * 0.02, 1);
    *r = run_script(fields, s, N);
    int per_ms[1000] = {0}, most = 0;
    for (int i = 0; i < 51; i++) assert_true(s[i].latency_ms > 0.5);
    for (int i = 51; i < N; i++)
        if (s[i].latency_ms > 0.5 && ++per_ms[(int)(s[i].at)] > most) most = per_ms[(int)(s[i].at)];
    free(s);
    return most;
}

static void early_expiration_prevents_the_thundering_herd(void **state)
{
    (void)state;
    struct harness_rig r;
    int burst = hot_key_herd("\"capacity\": 10, \"ttl\": \"100ms\", \"coalescing\": false", &r);
    double misses = figure(&r, "misses"), expirations = figure(&r, "expirations");
    printf("  without: %g misses, %g expirations, at most %d misses in one ms\n", misses,
           expirations, burst);
    /* the fill at 1 ms expires at 101 ms, and so on: 9 expiries in 1 s, each sending the
     * 51 readers until the refill (its inclusive millisecond) to the backend */
    harness_exact("expirations", 9, expirations, 0);
    harness_exact("misses: 51 cold + 9 x 51 at expiry", 510, misses, 0);
    harness_exact("burst: misses in one ms", 50, burst, 0);
    harness_rig_done(&r);

    burst = hot_key_herd("\"capacity\": 10, \"ttl\": \"100ms\", \"coalescing\": false, "
                         "\"early_expiration\": {\"beta\": 1}", &r);
    misses = figure(&r, "misses");
    double early = figure(&r, "early_refreshes");
    printf("  with XFetch: %g misses, %g early refreshes, %g expirations, at most %d misses "
           "in one ms\n", misses, early, figure(&r, "expirations"), burst);
    harness_exact("expirations", 0, figure(&r, "expirations"), 0);
    harness_exact("misses = 51 cold + early refreshes", 51 + early, misses, 0);
    assert_true(early >= 10 && early <= 40); /* one to four a period, not fifty */
    assert_true(burst <= 5); /* 4 on this seed, against 50 */
    harness_exact("backend reads = misses", misses, figure(&r, "backend.reads") * 10, 1e-9);
    harness_rig_done(&r);
}

static void early_expiration_never_fires_without_a_recompute_time(void **state)
{
    (void)state;
    /* write_through fills carry no backend read time (delta 0): no early refresh */
    struct harness_step s[] = {W(0, 1), R(10, 1), R(49, 1), R(49.9, 1), R(52, 1)};
    struct harness_rig r = run_script("\"capacity\": 10, \"ttl\": \"50ms\", \"write_policy\": "
                              "\"write_through\", \"early_expiration\": {\"beta\": 100}",
                              s, 5);
    expect_pattern(s, 5, "MHHHM");
    harness_exact("early_refreshes", 0, figure(&r, "early_refreshes"), 0);
    harness_rig_done(&r);
}

/* The size the cache gives key (a 1-key run of a large byte capacity). */
static double probe_size(const char *size_dist, uint64_t key)
{
    char fields[512];
    snprintf(fields, sizeof fields, "\"capacity_bytes\": 1000000, \"value_size\": %s", size_dist);
    struct harness_step s[] = {R(0, key)};
    struct harness_rig r = run_script(fields, s, 1);
    double size = figure(&r, "bytes_used.max");
    harness_rig_done(&r);
    return size;
}

static void byte_capacity_evicts_until_the_value_fits(void **state)
{
    (void)state;
    const char *dist = "{\"dist\": \"mixture\", \"of\": [{\"weight\": 1, \"value\": "
                       "{\"dist\": \"constant\", \"value\": 100}}, {\"weight\": 1, \"value\": "
                       "{\"dist\": \"constant\", \"value\": 300}}]}";
    uint64_t small[2], large = 0;
    int nsmall = 0;
    for (uint64_t k = 1; nsmall < 2 || !large; k++) {
        double size = probe_size(dist, k);
        assert_true(size == 100 || size == 300);
        assert_true(probe_size(dist, k) == size); /* the same key, the same size */
        if (size == 100 && nsmall < 2) small[nsmall++] = k;
        else if (size == 300 && !large) large = k;
    }
    char fields[512];
    snprintf(fields, sizeof fields, "\"capacity_bytes\": 300, \"value_size\": %s", dist);
    /* 100 + 100 held; the 300-byte value evicts both; a 100-byte one evicts it */
    struct harness_step s[] = {R(0, small[0]), R(10, small[1]), R(20, large), R(30, small[0]),
                       R(40, small[0])};
    struct harness_rig r = run_script(fields, s, 5);
    expect_pattern(s, 5, "MMMMH");
    harness_exact("evictions", 3, figure(&r, "evictions"), 0);
    harness_exact("bytes_used.max", 300, figure(&r, "bytes_used.max"), 0);
    /* held: 100 B from 1 ms, 200 B from 11 ms, 300 B from 21 ms, 100 B from 31 ms to 10 s */
    harness_exact("bytes_used.mean", (100 * 0.010 + 200 * 0.010 + 300 * 0.010 + 100 * 9.969) / 10,
                  figure(&r, "bytes_used.mean"), 1e-12);
    harness_rig_done(&r);

    /* a value larger than the capacity is never held */
    snprintf(fields, sizeof fields, "\"capacity_bytes\": 250, \"value_size\": %s", dist);
    struct harness_step t[] = {R(0, large), R(10, large), R(20, small[0]), R(30, small[0])};
    r = run_script(fields, t, 4);
    expect_pattern(t, 4, "MMMH");
    harness_exact("too_large", 2, figure(&r, "too_large"), 0);
    harness_exact("entries", 1, figure(&r, "entries"), 0);
    harness_rig_done(&r);

    /* with an item capacity as well, whichever limit binds first */
    snprintf(fields, sizeof fields, "\"capacity\": 1, \"capacity_bytes\": 300, \"value_size\": %s",
             dist);
    struct harness_step u[] = {R(0, small[0]), R(10, small[1]), R(20, small[0])};
    r = run_script(fields, u, 3);
    expect_pattern(u, 3, "MMM");
    harness_exact("evictions", 2, figure(&r, "evictions"), 0);
    harness_rig_done(&r);
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
         "web.json: nodes.cache.eviction: expected one of \"lru\", \"lfu\", \"fifo\", \"random\", "
         "\"ttl\", \"arc\", \"2q\", \"s3_fifo\", \"sieve\" or \"w_tinylfu\", got \"lfru\" (did you "
         "mean 'lru'?)"},
        {"\"capacity\": 5, \"kin\": 0.5",
         "web.json: nodes.cache.kin: only with eviction \"2q\""},
        {"\"capacity\": 5, \"eviction\": \"2q\", \"kout\": 0",
         "web.json: nodes.cache.kout: expected a number from 0.001 to 4, got 0"},
        {"\"capacity_bytes\": 5000, \"eviction\": \"arc\"",
         "web.json: nodes.cache.capacity_bytes: arc counts entries: use capacity"},
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
        {"\"capacity\": 5, \"cluster\": {\"nodes\": 0}",
         "web.json: nodes.cache.cluster.nodes: expected an integer from 1 to 1024, got 0"},
        {"\"capacity\": 5, \"cluster\": {}",
         "web.json: nodes.cache.cluster.nodes: required field missing: expected an integer from "
         "1 to 1024"},
        {"\"capacity\": 5, \"cluster\": {\"nodes\": 2, \"virtual_nodes\": 0}",
         "web.json: nodes.cache.cluster.virtual_nodes: expected an integer from 1 to 10000, got 0"},
        {"\"capacity\": 3, \"cluster\": {\"nodes\": 4}",
         "web.json: nodes.cache.capacity: expected at least one entry per cluster node (4), got 3"},
        {"\"capacity\": 5, \"cluster\": {\"nodes\": 2, \"vnodes\": 10}",
         "web.json: nodes.cache.cluster.vnodes: unknown field (did you mean 'nodes'?)"},
        {"\"capacity\": 5, \"cluster\": 4",
         "web.json: nodes.cache.cluster: expected an object, got 4"},
        {"\"capacity\": 5, \"early_expiration\": {\"beta\": 1}",
         "web.json: nodes.cache.early_expiration: needs a ttl"},
        {"\"capacity\": 5, \"ttl\": \"1s\", \"early_expiration\": {\"beta\": 0}",
         "web.json: nodes.cache.early_expiration.beta: expected a number from 0.01 to 100, got 0"},
        {"\"capacity\": 5, \"ttl\": \"1s\", \"early_expiration\": 1",
         "web.json: nodes.cache.early_expiration: expected true, false or an object such as "
         "{\"beta\": 1}"},
        {"\"capacity_bytes\": 1000",
         "web.json: nodes.cache.value_size: required field missing: expected a distribution "
         "(a number, or an object with \"dist\")"},
        {"\"capacity\": 5, \"value_size\": 100",
         "web.json: nodes.cache.value_size: only with capacity_bytes"},
        {"\"capacity_bytes\": 0, \"value_size\": 100",
         "web.json: nodes.cache.capacity_bytes: expected an integer from 1 to 1000000000000000, "
         "got 0"},
        {"\"eviction\": \"ttl\", \"ttl\": \"1s\", \"capacity_bytes\": 5, \"value_size\": 1",
         "web.json: nodes.cache.capacity_bytes: a ttl-only cache (eviction \"ttl\") has no "
         "capacity: remove it, or choose another eviction"},
        {"\"capacity_bytes\": 3, \"value_size\": 1, \"cluster\": {\"nodes\": 4}",
         "web.json: nodes.cache.capacity_bytes: expected at least one byte per cluster node (4), "
         "got 3"},
        {"\"capacity\": 5, \"preload\": {\"keys\": 6}",
         "web.json: nodes.cache.preload.keys: expected an integer from 1 to 5, got 6"},
        {"\"capacity\": 5, \"preload\": {\"keys\": 5, \"push\": 1}",
         "web.json: nodes.cache.preload.push: expected true or false, got 1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[2048];
        scenario(cases[i].fields, text, sizeof text);
        char *e = harness_refusal("web.json", text);
        if (cases[i].message) assert_string_equal(e, cases[i].message);
        else assert_non_null(strstr(e, "web.json: nodes.cache."));
        free(e);
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
        cmocka_unit_test(kernel_policies_evict_as_computed_by_hand),
        cmocka_unit_test(ttl_expires_entries_counted_from_the_fill),
        cmocka_unit_test(concurrent_misses_share_one_backend_read),
        cmocka_unit_test(cache_aside_invalidates_after_the_backend_write),
        cmocka_unit_test(write_through_updates_the_entry),
        cmocka_unit_test(write_around_invalidates_on_arrival),
        cmocka_unit_test(write_back_acknowledges_then_flushes_in_batches),
        cmocka_unit_test(backend_errors_pass_up_and_fill_nothing),
        cmocka_unit_test(cluster_places_keys_by_consistent_hashing),
        cmocka_unit_test(cluster_shards_evict_on_their_own),
        cmocka_unit_test(early_expiration_prevents_the_thundering_herd),
        cmocka_unit_test(early_expiration_never_fires_without_a_recompute_time),
        cmocka_unit_test(byte_capacity_evicts_until_the_value_fits),
        cmocka_unit_test(invalid_configurations_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
