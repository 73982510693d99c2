/* test_faults_cache_queue.c: faults in the cache and the queue, checked against arithmetic.
 * A flushed cache refills as 1 - exp(-rate t) per key; a crashed cluster node fails (or
 * skips) exactly its own keys and comes back cold, losing its dirty write_back keys; a
 * crashed consumer is noticed after the session timeout, its group pauses for the
 * rebalance while the lag grows by the arrivals, then catches up; a crashed broker refuses
 * every produce and keeps its messages, or loses them when not durable. */
#include "harness.h"

static double value(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->values[0];
}

/* ---- the cache ---- */

/* 500 uniform keys read 2000 times a second (4 reads per key per second) through a cache
 * that holds them all, flushed at 20.5 s. Before, every read hits. After the flush a key
 * has been read again by time t with probability 1 - exp(-4t), so a refill step (t0, t1]
 * has the hit ratio 1 - (exp(-4 t0) - exp(-4 t1)) / (4 (t1 - t0)): 0.568 over the first
 * half second (to the 21 s step), 0.967 over (0.5, 1.5], 0.9994 over (1.5, 2.5]: with
 * "within": 0.01 the cache has refilled at the step 2.5 s after the flush. Over the
 * window of 10 s after, h = 1 - (1 - exp(-40)) / 40 = 0.975 and every key misses once:
 * 500 backend reads, 50 per second, against none before. */
static void a_flush_empties_the_cache_and_it_refills(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 11, \"duration\": \"32s\","
        " \"workload\": {\"entry\": \"cache\", \"arrivals\": {\"rate\": 2000}, \"keys\": {\"count\": 500}},"
        " \"nodes\": {\"cache\": {\"type\": \"cache\", \"backend\": \"db\", \"capacity\": 1000,"
        "                         \"refill\": {\"window\": \"10s\", \"within\": 0.01}},"
        "            \"db\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}},"
        " \"faults\": [{\"target\": \"cache\", \"kind\": \"flush\", \"at\": \"20.5s\"}]}";
    struct harness_run h = harness_run_text("flush.json", text, NULL, 0, false);
    harness_exact("entries dropped by the flush", 500, value(&h, "nodes.cache.refill.dropped"), 0);
    harness_exact("cold starts", 1, value(&h, "nodes.cache.refill.cold_starts"), 0);
    harness_exact("hit ratio before", 1, value(&h, "nodes.cache.refill.hit_ratio_before"), 0);
    harness_exact("backend reads before (/s)", 0, value(&h, "nodes.cache.refill.backend_reads_before"), 0);
    harness_exact("refill time (s)", 2.5, value(&h, "nodes.cache.refill.time"), 1e-9);
    harness_exact("faults.0.restored (s)", 2.5, value(&h, "faults.0.restored"), 1e-9);
    harness_exact("faults.0.recover (s)", 2.5, value(&h, "faults.0.recover"), 1e-9);
    double after = value(&h, "nodes.cache.refill.hit_ratio_after");
    harness_exact("hit ratio over 10s after: 1 - 1/40", 0.975, after, 0.003);
    double backend = value(&h, "nodes.cache.refill.backend_reads_after");
    harness_exact("backend reads after (/s): 500 keys / 10s", 50, backend, 0.01);
    assert_true(backend > value(&h, "nodes.cache.refill.backend_reads_before"));
    harness_exact("entries at the end", 500, value(&h, "nodes.cache.entries"), 0);
    harness_done(&h);
}

/* The scenario of test_cache.c: the cache (fields) in front of a 1 ms backend, no traffic
 * of its own, and one fault. */
static struct harness_rig run_script(const char *fields, const char *fault, struct harness_step *s,
                                     int n)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seed\": 7, \"duration\": \"10s\","
             " \"workload\": {\"entry\": \"cache\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"cache\": {\"type\": \"cache\", \"backend\": \"db\", %s},"
             " \"db\": {\"type\": \"service\", \"workers\": 100, \"service_time\": \"1ms\"}},"
             " \"faults\": [%s]}",
             fields, fault);
    return harness_script("cache.json", text, "cache", s, n);
}

/* The ring of docs/scenario.md (as in test_cache.c): the cluster node owning key. */
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

enum { KEYS = 100, DOWN = 2 };
#define CRASH "{\"target\": \"cache.node.2\", \"kind\": \"crash\", \"at\": \"200ms\", \"for\": \"300ms\"}"

/* Keys 0..99 read at 0 ms (all miss and fill), at 300 ms while node 2 is down, and at
 * 600 ms after it came back. */
static void three_rounds(struct harness_step *s)
{
    for (int round = 0; round < 3; round++)
        for (int i = 0; i < KEYS; i++)
            s[round * KEYS + i] = (struct harness_step){.at = round * 300 + i * 0.5,
                                                        .op = SIM_OP_READ, .key = (uint64_t)i};
}

/* A cluster node's crash: its keys fail at once ("unavailable") while the others hit, or
 * with on_node_down "skip" go to the backend (1 ms) and fill nothing; either way the node
 * comes back cold, so its keys miss once more. */
static void a_crashed_cluster_node_fails_or_skips_its_keys_and_restarts_cold(void **state)
{
    (void)state;
    int down = 0;
    for (uint64_t k = 0; k < KEYS; k++) down += ring_owner(4, 100, k) == DOWN;
    printf("  %d of %d keys live on node %d\n", down, KEYS, DOWN);
    assert_true(down > 10 && down < 50);
    for (int skip = 0; skip < 2; skip++) {
        struct harness_step s[3 * KEYS];
        three_rounds(s);
        struct harness_rig r = run_script(
            skip ? "\"capacity\": 400, \"cluster\": {\"nodes\": 4}, \"on_node_down\": \"skip\""
                 : "\"capacity\": 400, \"cluster\": {\"nodes\": 4}",
            CRASH, s, 3 * KEYS);
        int failed = 0, bypassed = 0, hits = 0, cold = 0;
        for (int i = 0; i < KEYS; i++) {
            bool on_down = ring_owner(4, 100, (uint64_t)i) == DOWN;
            const struct harness_step *during = &s[KEYS + i], *after = &s[2 * KEYS + i];
            if (on_down && !skip) failed += during->status == SIM_UNAVAILABLE && during->latency_ms == 0;
            if (on_down && skip) bypassed += during->status == SIM_OK && fabs(during->latency_ms - 1) < 1e-9;
            if (!on_down) hits += during->status == SIM_OK && during->latency_ms == 0 &&
                                  after->latency_ms == 0;
            if (on_down) cold += after->status == SIM_OK && fabs(after->latency_ms - 1) < 1e-9;
        }
        printf("  %s:\n", skip ? "on_node_down skip" : "on_node_down fail (the default)");
        harness_exact("node 2's keys failed at once", skip ? 0 : down, failed, 0);
        harness_exact("node 2's keys went to the backend", skip ? down : 0, bypassed, 0);
        harness_exact("other keys hit during and after", KEYS - down, hits, 0);
        harness_exact("node 2's keys miss after its restart", down, cold, 0);
        harness_exact("errors.unavailable", skip ? 0 : down,
                      harness_rig_figure(&r, "nodes.cache.errors.unavailable"), 0);
        harness_exact("bypassed", skip ? down : 0, harness_rig_figure(&r, "nodes.cache.bypassed"), 0);
        harness_exact("entries dropped by the crash", down,
                      harness_rig_figure(&r, "nodes.cache.refill.dropped"), 0);
        /* backend reads: the first round's 100, the skipped reads, the cold misses */
        harness_exact("backend reads", KEYS + (skip ? 2 : 1) * down,
                      harness_rig_figure(&r, "nodes.cache.backend.reads") * 10, 1e-12);
        harness_rig_done(&r);
    }
}

/* write_back: keys 0..99 written at i ms, nothing flushed before the first flush at 1 s
 * (one backend write per key);
 * node 2 crashes at 200 ms and loses the latest write of each of its keys: the RPO is its
 * key count, and the window runs from the first of them written. */
static void a_crashed_write_back_node_loses_its_dirty_keys(void **state)
{
    (void)state;
    struct harness_step s[KEYS];
    int down = 0, first = -1;
    for (int i = 0; i < KEYS; i++) {
        s[i] = (struct harness_step){.at = i, .op = SIM_OP_WRITE, .key = (uint64_t)i};
        if (ring_owner(4, 100, (uint64_t)i) == DOWN && down++ == 0) first = i;
    }
    struct harness_rig r = run_script("\"capacity\": 400, \"cluster\": {\"nodes\": 4},"
                                      " \"write_policy\": \"write_back\", \"batch_size\": 1",
                                      CRASH, s, KEYS);
    harness_exact("faults.0.rpo_writes (node 2's dirty keys)", down,
                  harness_rig_figure(&r, "faults.0.rpo_writes"), 0);
    harness_exact("faults.0.rpo_window (s)", 0.2 - first / 1000.0,
                  harness_rig_figure(&r, "faults.0.rpo_window"), 1e-9);
    harness_exact("backend writes: the others, flushed", KEYS - down,
                  harness_rig_figure(&r, "nodes.cache.backend.writes") * 10, 1e-12);
    harness_rig_done(&r);
}

/* ---- the queue ---- */

/* 1000 messages a second, constant, on 4 partitions (uniform keys 0..3), each with its own
 * consumer of 0.5 ms per message. Consumer 1 crashes at 10 s for 20 s. Until the group
 * notices (session_timeout 2 s) only its partition grows, by about 250 a second; then the
 * whole group pauses for the rebalance (3 s) and the lag grows by every arrival, 1000 a
 * second: 2000 between the rows at 12.5 and 14.5 s, exactly. The three survivors catch up
 * within a second (each drains 2000/s). At 30 s the consumer rejoins: a second pause. */
static void a_consumer_crash_pauses_the_group_for_the_rebalance(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 3, \"duration\": \"40s\", \"timeline\": {\"interval\": \"500ms\"},"
        " \"workload\": {\"entry\": \"q\", \"arrivals\": {\"process\": \"constant\", \"rate\": 1000},"
        "              \"keys\": {\"count\": 4}},"
        " \"nodes\": {\"q\": {\"type\": \"queue\", \"partitions\": 4,"
        "   \"groups\": [{\"name\": \"g\", \"consumers\": 4, \"processing_time\": \"0.5ms\","
        "                 \"session_timeout\": \"2s\", \"rebalance\": \"3s\"}]}},"
        " \"faults\": [{\"target\": \"q.consumer.1\", \"kind\": \"crash\", \"at\": \"10s\", \"for\": \"20s\"}]}";
    struct harness_run h = harness_run_text("consumer.json", text, NULL, 0, true);
    char *csv = sim__timeline_csv(h.res->timeline);
    harness_exact("faults.0.detect: the session timeout (s)", 2, value(&h, "faults.0.detect"), 1e-9);
    harness_exact("faults.0.restored: + the rebalance (s)", 5, value(&h, "faults.0.restored"), 1e-9);
    harness_exact("rebalances (leave, rejoin)", 2, value(&h, "nodes.q.groups.g.rebalances"), 0);
    harness_exact("rebalance_pause (s)", 6, value(&h, "nodes.q.groups.g.rebalance_pause"), 1e-9);
    double l10 = harness_column_at(csv, "q.lag.g", 10.5), l12 = harness_column_at(csv, "q.lag.g", 11.5);
    printf("  lag at 10.5s %.0f, 11.5s %.0f: one partition of four unconsumed\n", l10, l12);
    /* about 1000 x 1/4 (keys are drawn at random: within 4 standard deviations) */
    double sd = sqrt(1000 * 0.25 * 0.75);
    printf("  growth %.0f, wanted 250 +- %.0f\n", l12 - l10, 4 * sd);
    assert_true(fabs(l12 - l10 - 250) <= 4 * sd);
    double p0 = harness_column_at(csv, "q.lag.g", 12.5), p1 = harness_column_at(csv, "q.lag.g", 14.5);
    harness_exact("lag growth in the pause, 12.5-14.5s: 1000/s x 2s", 2000, p1 - p0, 0.001);
    double peak = value(&h, "nodes.q.groups.g.lag.max");
    double formula = 2 * 1000 * 0.25 + 3 * 1000; /* session timeout on one partition, pause on all */
    harness_exact("lag.max: 1000/4 x 2s + 1000 x 3s", formula, peak, 0.03);
    double caught = harness_column_at(csv, "q.lag.g", 16.5);
    printf("  lag at 16.5s: %.0f (caught up: at most the messages in flight)\n", caught);
    assert_true(caught <= 4);
    harness_exact("consumers taking messages at 11.5s", 3, harness_column_at(csv, "q.consumers.g", 11.5), 0);
    harness_exact("... at 13.5s (the pause)", 0, harness_column_at(csv, "q.consumers.g", 13.5), 0);
    harness_exact("... at 20.5s", 3, harness_column_at(csv, "q.consumers.g", 20.5), 0);
    harness_exact("... at 31.5s (the rejoin's pause)", 0, harness_column_at(csv, "q.consumers.g", 31.5), 0);
    harness_exact("... at 35.5s", 4, harness_column_at(csv, "q.consumers.g", 35.5), 0);
    harness_exact("every message consumed", harness_count(&h, "nodes.q.produced", 0),
                  harness_count(&h, "nodes.q.groups.g.consumed", 0), 0.0005);
    harness_exact("order violations", 0, value(&h, "nodes.q.groups.g.order_violations"), 0);
    free(csv);
    harness_done(&h);
}

/* 1000 produces a second, constant, for 10 s; one consumer of 2 ms a message (500 a
 * second). The broker crashes at 5 s for 5 s: every produce meanwhile is refused (5000),
 * and the consumer idles with 5 x (1000 - 500) = 2500 messages waiting. Durable, they are
 * all consumed after the restart; not durable, those 2500 are lost, the oldest of them
 * enqueued at 2.5 s (the consumer had reached it), an RPO window of 2.5 s, and the lag
 * drops to 0 with them. */
static void a_broker_crash_refuses_produces_and_keeps_durable_messages(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 3, \"duration\": \"30s\", \"timeline\": {\"interval\": \"500ms\"},"
        " \"workload\": {\"entry\": \"q\", \"arrivals\": {\"process\": \"constant\", \"rate\": 1000},"
        "              \"schedule\": [{\"at\": \"10s\", \"rate\": 0}]},"
        " \"nodes\": {\"q\": {\"type\": \"queue\","
        "   \"groups\": [{\"name\": \"g\", \"processing_time\": \"2ms\"}]}},"
        " \"faults\": [{\"target\": \"q\", \"kind\": \"crash\", \"at\": \"5s\", \"for\": \"5s\"}]}";
    for (int durable = 1; durable >= 0; durable--) {
        const char *set[] = {durable ? "nodes.q.durable=true" : "nodes.q.durable=false"};
        struct harness_run h = harness_run_text("broker.json", text, set, 1, true);
        char *csv = sim__timeline_csv(h.res->timeline);
        printf("  durable %s:\n", durable ? "true" : "false");
        harness_exact("produces refused during the crash", 5000,
                      value(&h, "faults.0.failed.unavailable"), 0.0005);
        double produced = harness_count(&h, "nodes.q.produced", 0);
        harness_exact("produced (before the crash)", 5000, produced, 0.0005);
        harness_exact("lag at 9.5s: the consumer idles", durable ? 2500 : 0,
                      harness_column_at(csv, "q.lag.g", 9.5), 0.001);
        harness_exact("consumers taking messages at 7.5s", 0, harness_column_at(csv, "q.consumers.g", 7.5), 0);
        double lost = value(&h, "nodes.q.lost"), consumed = harness_count(&h, "nodes.q.groups.g.consumed", 0);
        harness_exact("lost", durable ? 0 : 2500, lost, 0.001);
        harness_exact("consumed", durable ? produced : produced - lost, consumed, 0);
        harness_exact("faults.0.rpo_writes", lost, value(&h, "faults.0.rpo_writes"), 0);
        if (!durable)
            harness_exact("faults.0.rpo_window (s)", 2.5, value(&h, "faults.0.rpo_window"), 0.005);
        free(csv);
        harness_done(&h);
    }
}

/* ---- configuration ---- */

static void bad_fields_and_targets_name_the_path(void **state)
{
    (void)state;
    static const char *const cache_fmt =
        "{\"duration\": \"1s\", \"workload\": {\"entry\": \"c\", \"arrivals\": {\"rate\": 1}},"
        " \"nodes\": {\"c\": {\"type\": \"cache\", \"backend\": \"db\", \"capacity\": 8,"
        " \"cluster\": {\"nodes\": 4}%s},"
        " \"db\": {\"type\": \"service\", \"service_time\": \"1ms\"}}, \"faults\": [%s]}";
    static const char *const queue_fmt =
        "{\"duration\": \"1s\", \"workload\": {\"entry\": \"q\", \"arrivals\": {\"rate\": 1}},"
        " \"nodes\": {\"q\": {\"type\": \"queue\"%s, \"groups\": ["
        " {\"name\": \"a\", \"consumers\": 2, \"processing_time\": \"1ms\"%s},"
        " {\"name\": \"b\", \"consumers\": 3, \"processing_time\": \"1ms\"}]}}, \"faults\": [%s]}";
    static const struct {
        bool queue;
        const char *node, *group, *fault, *message;
    } cases[] = {
        {false, ", \"on_node_down\": \"bypass\"", "", "",
         "x.json: nodes.c.on_node_down: expected one of \"fail\" or \"skip\", got \"bypass\""},
        {false, ", \"refill\": {\"within\": 2}", "", "",
         "x.json: nodes.c.refill.within: expected a number from 0 to 1, got 2"},
        {false, ", \"refill\": {\"window\": \"1ms\"}", "", "",
         "x.json: nodes.c.refill.window: expected a duration from 10ms to 3600s, got \"1ms\""},
        {false, "", "", "{\"target\": \"c.node.4\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "x.json: faults.0.target: 'c' (a cache) has no instance called 'node.4'"},
        {false, "", "", "{\"target\": \"c.4\", \"kind\": \"flush\", \"at\": \"1s\"}",
         "x.json: faults.0.target: 'c' has instances 0 to 3, not 4"},
        {true, ", \"durable\": \"no\"", "", "",
         "x.json: nodes.q.durable: expected true or false, got \"no\""},
        {true, "", ", \"session_timeout\": \"0s\"", "",
         "x.json: nodes.q.groups.0.session_timeout: expected a duration from 1ms to 3600s, got \"0s\""},
        {true, "", ", \"rebalance\": \"2h\"", "",
         "x.json: nodes.q.groups.0.rebalance: expected a duration of at most 3600s, got \"2h\""},
        {true, "", "", "{\"target\": \"q.consumer.0\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "x.json: faults.0.target: 'q' (a queue) has no instance called 'consumer.0'"},
        {true, "", "", "{\"target\": \"q.a.2\", \"kind\": \"crash\", \"at\": \"1s\"}",
         "x.json: faults.0.target: 'q' (a queue) has no instance called 'a.2'"},
        {true, "", "", "{\"target\": \"q.5\", \"kind\": \"hang\", \"at\": \"1s\"}",
         "x.json: faults.0.target: 'q' has instances 0 to 4, not 5"},
        {true, "", "", "{\"target\": \"q\", \"kind\": \"flush\", \"at\": \"1s\"}",
         "x.json: faults.0.kind: 'q' (a queue) cannot take a flush fault (it takes: crash, hang, slow, error)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        if (cases[i].queue) snprintf(text, sizeof text, queue_fmt, cases[i].node, cases[i].group, cases[i].fault);
        else snprintf(text, sizeof text, cache_fmt, cases[i].node, cases[i].fault);
        harness_refused("x.json", text, cases[i].message);
    }
}

/* "q.b.1" is the second group's consumer 1: instance 2 + 1; the figures follow it. */
static void a_group_names_its_consumers(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 3, \"duration\": \"10s\","
        " \"workload\": {\"entry\": \"q\", \"arrivals\": {\"process\": \"constant\", \"rate\": 100},"
        "              \"keys\": {\"count\": 3}},"
        " \"nodes\": {\"q\": {\"type\": \"queue\", \"partitions\": 3, \"groups\": ["
        "   {\"name\": \"a\", \"consumers\": 2, \"processing_time\": \"1ms\"},"
        "   {\"name\": \"b\", \"consumers\": 3, \"processing_time\": \"1ms\", \"session_timeout\": \"1s\","
        "    \"rebalance\": \"1s\"}]}},"
        " \"faults\": [{\"target\": \"q.b.1\", \"kind\": \"crash\", \"at\": \"2s\"}]}";
    struct harness_run h = harness_run_text("groups.json", text, NULL, 0, false);
    harness_exact("group a: no rebalance", 0, value(&h, "nodes.q.groups.a.rebalances"), 0);
    harness_exact("group b: one rebalance", 1, value(&h, "nodes.q.groups.b.rebalances"), 0);
    harness_exact("faults.0.detect (s)", 1, value(&h, "faults.0.detect"), 1e-9);
    harness_exact("faults.0.restored (s)", 2, value(&h, "faults.0.restored"), 1e-9);
    harness_done(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_flush_empties_the_cache_and_it_refills),
        cmocka_unit_test(a_crashed_cluster_node_fails_or_skips_its_keys_and_restarts_cold),
        cmocka_unit_test(a_crashed_write_back_node_loses_its_dirty_keys),
        cmocka_unit_test(a_consumer_crash_pauses_the_group_for_the_rebalance),
        cmocka_unit_test(a_broker_crash_refuses_produces_and_keeps_durable_messages),
        cmocka_unit_test(a_group_names_its_consumers),
        cmocka_unit_test(bad_fields_and_targets_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
