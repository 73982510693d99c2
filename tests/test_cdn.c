/* test_cdn.c: the pieces of a CDN. Push (a cache's preload) has no first-request miss and
 * its entries never expire cold; a pull edge misses once per distinct key on a cold start;
 * a shield sends the origin at most one read per key per ttl across every edge; and the
 * clients' latency by region is the sum of the links and service times they cross. */
#include "harness.h"

/* A cache (the given fields) in front of db, a backend answering in 1 ms; no traffic. */
static struct harness_rig run_script(const char *cache_fields, struct harness_step *steps, int n)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seed\": 7, \"duration\": \"10s\","
             " \"workload\": {\"entry\": \"cache\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"cache\": {\"type\": \"cache\", \"backend\": \"db\", %s},"
             " \"db\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}}}",
             cache_fields);
    return harness_script("cdn.json", text, "cache", steps, n);
}

#define R(t, k) {t, SIM_OP_READ, k, 0, SIM_OK, false}

/* Each step a hit ('H', answered at once) or a miss ('M', 1 ms backend). */
static void expect_pattern(const struct harness_step *steps, int n, const char *pattern)
{
    char got[128];
    for (int i = 0; i < n; i++) got[i] = steps[i].latency_ms < 0.5 ? 'H' : 'M';
    got[n] = 0;
    assert_string_equal(got, pattern);
}

static void push_has_no_first_request_miss(void **state)
{
    (void)state;
    /* keys 0..2 pushed at 0 and every 50 ms: hits at first sight and past every ttl;
     * key 3 is pulled: a miss, a hit, then expired at 51 + 50 ms */
    struct harness_step s[] = {R(0, 0), R(0, 1), R(0, 2), R(1, 3), R(40, 3), R(50, 0),
                               R(75, 1), R(120, 2), R(250, 0), R(260, 3)};
    struct harness_rig r = run_script("\"eviction\": \"ttl\", \"ttl\": \"50ms\", "
                                      "\"preload\": {\"keys\": 3}", s, 10);
    expect_pattern(s, 10, "HHHMHHHHHM");
    assert_int_equal(harness_rig_figure(&r, "nodes.cache.misses"), 2);
    assert_int_equal(harness_rig_figure(&r, "nodes.cache.expirations"), 1);
    /* pushes at 0, 50, ..., 9950 ms: 200 rounds of 3 keys in 10 s */
    assert_true(fabs(harness_rig_figure(&r, "nodes.cache.pushes") * 10 - 600) < 1e-9);
    harness_rig_done(&r);

    /* "push": false is a one-off warm start: the preloaded keys expire a ttl after 0 */
    struct harness_step t[] = {R(0, 0), R(49, 1), R(50, 0), R(52, 0)};
    r = run_script("\"capacity\": 10, \"ttl\": \"50ms\", "
                   "\"preload\": {\"keys\": 2, \"push\": false}", t, 4);
    expect_pattern(t, 4, "HHMH");
    harness_rig_done(&r);

}

/* Clients in regions r1 and r2 (one zone each, half the clients in each), a front door
 * with zone affinity over an edge per zone (each with edge_fields), a shield in a1 and
 * the origin in a1. Links: 1 ms in a zone, 10 ms between the regions, constant. */
static struct harness_run run_cdn(const char *edge_fields, const char *keys, const char *duration,
                                  double rate, const char *origin_time, const char *const *sets,
                                  int nsets)
{
    static char text[4096];
    snprintf(text, sizeof text,
             "{\"seed\": 11, \"duration\": \"%s\", \"replications\": 1,"
             " \"workload\": {\"entry\": \"cdn\", \"arrivals\": {\"rate\": %g},"
             "  \"zones\": {\"a1\": 1, \"b1\": 1}, \"keys\": %s},"
             " \"nodes\": {"
             "  \"cdn\": {\"type\": \"lb\", \"zone_affinity\": true, \"backends\": [\"edge-a\", \"edge-b\"]},"
             "  \"edge-a\": {\"type\": \"cache\", \"zone\": \"a1\", \"eviction\": \"ttl\", \"ttl\": \"1s\","
             "             \"hit_time\": \"500us\", %s},"
             "  \"edge-b\": {\"type\": \"cache\", \"zone\": \"b1\", \"eviction\": \"ttl\", \"ttl\": \"1s\","
             "             \"hit_time\": \"500us\", %s},"
             "  \"shield\": {\"type\": \"cache\", \"zone\": \"a1\", \"eviction\": \"ttl\", \"ttl\": \"1s\","
             "             \"backend\": \"origin\"},"
             "  \"origin\": {\"type\": \"service\", \"zone\": \"a1\", \"workers\": 100000,"
             "              \"service_time\": \"%s\"}},"
             " \"zones\": {\"default_link\": \"1ms\", \"cross_region\": \"10ms\","
             "  \"regions\": {\"r1\": [\"a1\"], \"r2\": [\"b1\"]}}}",
             duration, rate, keys, edge_fields, edge_fields, origin_time);
    return harness_run_text("cdn.json", text, sets, nsets, false);
}

#define TO_ORIGIN "\"backend\": \"origin\""
#define TO_SHIELD "\"backend\": \"shield\""

static void pull_misses_once_per_distinct_key_on_a_cold_start(void **state)
{
    (void)state;
    /* 0.9 s of 2,000 reads a second over 300 keys, shorter than the 1 s ttl: a cold start.
     * Each key's first read misses and fills; reads while the fill is on its way wait for
     * it (coalesced, also misses), so misses less coalesced = backend reads = distinct keys */
    struct harness_run h = run_cdn(TO_ORIGIN, "{\"count\": 300}", "900ms", 2000, "20ms", NULL, 0);
    const char *edges[] = {"edge-a", "edge-b"};
    for (int e = 0; e < 2; e++) {
        char path[64];
        snprintf(path, sizeof path, "nodes.%s.keys_seen", edges[e]);
        double seen = harness_count(&h, path, 0);
        snprintf(path, sizeof path, "nodes.%s.misses", edges[e]);
        double misses = harness_count(&h, path, 0);
        snprintf(path, sizeof path, "nodes.%s.coalesced", edges[e]);
        double coalesced = harness_count(&h, path, 0);
        snprintf(path, sizeof path, "nodes.%s.backend.reads", edges[e]);
        double fills = harness_count(&h, path, 0);
        printf("  %s: %g distinct keys, %g misses (%g coalesced), %g backend reads\n", edges[e],
               seen, misses, coalesced, fills);
        assert_true(seen > 250);
        assert_true(misses - coalesced == seen);
        assert_true(fills == seen);
    }
    harness_done(&h);
}

static void a_shield_reads_each_key_from_the_origin_once_per_ttl(void **state)
{
    (void)state;
    /* 5 s, 3,000 reads a second over 100 keys (30 a second each), ttl 1 s everywhere: each
     * key is filled at most once per ttl, so at most 100 x (5 / 1 + 1) origin reads */
    struct harness_run with = run_cdn(TO_SHIELD, "{\"count\": 100}", "5s", 3000, "20ms", NULL, 0);
    struct harness_run without = run_cdn(TO_ORIGIN, "{\"count\": 100}", "5s", 3000, "20ms", NULL, 0);
    double origin = harness_count(&with, "nodes.origin.arrivals", 0);
    double edges = harness_count(&with, "nodes.edge-a.backend.reads", 0) +
                   harness_count(&with, "nodes.edge-b.backend.reads", 0);
    double bare = harness_count(&without, "nodes.origin.arrivals", 0);
    printf("  origin reads: %g with the shield (edges sent it %g), %g without; bound %d\n", origin,
           edges, bare, 100 * 6);
    assert_true(origin <= 100 * 6);
    assert_true(origin == harness_count(&with, "nodes.shield.backend.reads", 0));
    assert_true(origin >= 100 * 4); /* each key read 30 times a second: refilled every ttl */
    assert_true(edges > origin * 1.5);
    assert_true(bare > origin * 1.5);
    harness_done(&with);
    harness_done(&without);
}

/* latency.by_region.<r>.mean and p50 of run h against ms milliseconds (exact: constant
 * links and times); the regions' counts add up to latency.count. */
static void expect_region_latency(const struct harness_run *h, const char *how, const double ms[2])
{
    double count = 0;
    for (int i = 0; i < 2; i++) {
        char path[64];
        snprintf(path, sizeof path, "latency.by_region.r%d.mean", i + 1);
        double mean = harness_metric(h, path)->values[0] * 1e3;
        snprintf(path, sizeof path, "latency.by_region.r%d.p50", i + 1);
        double p50 = harness_metric(h, path)->values[0] * 1e3;
        snprintf(path, sizeof path, "latency.by_region.r%d.count", i + 1);
        count += harness_count(h, path, 0);
        printf("  %s, r%d: mean %.6f ms, p50 %.4f ms; formula %g ms\n", how, i + 1, mean, p50, ms[i]);
        assert_true(fabs(mean - ms[i]) < 1e-6);
        assert_true(fabs(p50 - ms[i]) < 0.01 * ms[i]); /* a histogram bucket */
    }
    assert_true(count == harness_count(h, "latency.count", 0));
}

static void latency_by_region_is_the_links_and_service_times(void **state)
{
    (void)state;
    /* Every key pushed, every read a hit at its zone's edge: client -> cdn (placed nowhere,
     * 1 ms) -> edge (same zone, 1 ms), 0.5 ms there, and back: 4.5 ms in both regions. */
    struct harness_run h = run_cdn(TO_ORIGIN ", \"preload\": {\"keys\": 10}", "{\"count\": 10}",
                                   "2s", 500, "2ms", NULL, 0);
    expect_region_latency(&h, "pushed", (const double[]){4.5, 4.5});
    harness_done(&h);

    /* No cache: the front door sends every call to the origin in a1. From r1: 1 + 1 ms each
     * way and 2 ms there, 6 ms; from r2: 1 + 10 ms each way, 24 ms. */
    const char *sets[] = {"nodes.cdn.backends=[\"origin\"]"};
    h = run_cdn(TO_ORIGIN, "{\"count\": 10}", "2s", 500, "2ms", sets, 1);
    expect_region_latency(&h, "origin alone", (const double[]){6, 24});
    harness_done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(push_has_no_first_request_miss),
        cmocka_unit_test(pull_misses_once_per_distinct_key_on_a_cold_start),
        cmocka_unit_test(a_shield_reads_each_key_from_the_origin_once_per_ttl),
        cmocka_unit_test(latency_by_region_is_the_links_and_service_times),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
