/* test_queue.c: the queue model. A driver node produces scripted messages (chosen keys at
 * chosen times) so that counts are exact: ordering per partition through retries, crashes
 * and shared consumers; pub/sub against one group; poison keys all dead-lettered after
 * their retries; transient failures retried; a full partition or topic rejecting or
 * blocking producers; a schedule of consumer counts, against the arithmetic of arrivals and
 * capacity; and every invalid configuration naming its JSON path. */
#include "harness.h"

/* A scenario whose only node is "q" with the given fields (plus "extra" nodes), and no
 * arrivals of its own: the driver produces. */
static void scenario(const char *fields, const char *extra, char *buf, size_t n)
{
    snprintf(buf, n,
             "{\"seed\": 3, \"duration\": \"60s\","
             " \"workload\": {\"entry\": \"q\", \"arrivals\": {\"rate\": 0}},"
             " \"nodes\": {\"q\": {\"type\": \"queue\", %s}%s%s}}",
             fields, extra ? ", " : "", extra ? extra : "");
}

static struct harness_rig run_script(const char *fields, const char *extra, struct harness_step *ps, int n)
{
    char text[4096];
    scenario(fields, extra, text, sizeof text);
    for (int i = 0; i < n; i++) ps[i].op = SIM_OP_WRITE; /* a produce */
    return harness_script("q.json", text, "q", ps, n);
}

static double figure(const struct harness_rig *r, const char *path)
{
    char full[200];
    snprintf(full, sizeof full, "nodes.%s", path);
    return harness_rig_figure(r, full);
}

static void rig_done(struct harness_rig *r)
{
    harness_rig_done(r);
}

/* n produces, one every `every` ms from 1ms, keys i % nkeys. */
static void script(struct harness_step *ps, int n, double every, uint64_t nkeys)
{
    for (int i = 0; i < n; i++) ps[i] = (struct harness_step){.at = 1 + i * every, .key = (uint64_t)i % nkeys};
}

/* The model's poison rule, restated: a key is poison when its hash is under the ratio. */
static bool is_poison(uint64_t key, double ratio)
{
    return (double)(sim_hash64(key ^ 0x9e3779b97f4a7c15ULL) >> 11) * 0x1.0p-53 < ratio;
}

static void order_holds_per_partition_through_retries_and_crashes(void **state)
{
    (void)state;
    enum { N = 4000 };
    static struct harness_step ps[N];
    script(ps, N, 0.5, 97);
    struct harness_rig r = run_script(
        "\"partitions\": 6, \"groups\": [{\"name\": \"g\", \"consumers\": 4, \"batch_size\": 3,"
        " \"processing_time\": {\"dist\": \"exp\", \"mean\": \"0.4ms\"},"
        " \"failure_probability\": 0.3, \"crash_probability\": 0.2,"
        " \"retries\": {\"max\": 20, \"backoff\": \"1ms\"}}]",
        NULL, ps, N);
    printf("  consumed %.0f, retries %.0f, crashes %.0f, duplicates %.0f, violations %.0f\n",
           figure(&r, "q.groups.g.consumed") * 60, figure(&r, "q.groups.g.retries"),
           figure(&r, "q.groups.g.crashes"), figure(&r, "q.groups.g.duplicates"),
           figure(&r, "q.groups.g.order_violations"));
    assert_true(figure(&r, "q.groups.g.retries") > 500);
    assert_true(figure(&r, "q.groups.g.crashes") > 100);
    assert_true(figure(&r, "q.groups.g.order_violations") == 0);
    assert_true(figure(&r, "q.groups.g.latency.count") == N);
    assert_true(figure(&r, "q.groups.g.dead_lettered") == 0);
    assert_true(figure(&r, "q.groups.g.lag.max") >= 1);
    assert_true(figure(&r, "q.groups.g.failures") == figure(&r, "q.groups.g.retries"));
    rig_done(&r);
}

static void crashes_redeliver_whole_batches_as_duplicates(void **state)
{
    (void)state;
    enum { N = 400 };
    static struct harness_step ps[N];
    for (int i = 0; i < N; i++) ps[i] = (struct harness_step){.at = 1, .key = 5};
    struct harness_rig r = run_script(
        "\"groups\": [{\"name\": \"g\", \"batch_size\": 4, \"processing_time\": \"1ms\","
        " \"crash_probability\": 0.5}]",
        NULL, ps, N);
    double crashes = figure(&r, "q.groups.g.crashes");
    printf("  crashes %.0f, duplicates %.0f\n", crashes, figure(&r, "q.groups.g.duplicates"));
    assert_true(crashes > 50);
    /* the first message arrives alone and makes a batch of 1; the rest come in 4s, except
     * perhaps a short last one */
    double dup = figure(&r, "q.groups.g.duplicates");
    assert_true(dup <= 4 * crashes && dup >= 4 * crashes - 6);
    assert_true(figure(&r, "q.groups.g.latency.count") == N);
    assert_true(figure(&r, "q.groups.g.order_violations") == 0);
    /* one consumer, busy from the first produce: every delivery, duplicates included,
     * costs 1ms, and the last message is acknowledged after all of them */
    assert_true(fabs(figure(&r, "q.groups.g.latency.max") - (N + dup) * 1e-3) < 1e-9);
    rig_done(&r);
}

static void every_group_gets_every_message(void **state)
{
    (void)state;
    enum { N = 1000 };
    static struct harness_step ps[N];
    script(ps, N, 1, 50);
    struct harness_rig r = run_script(
        "\"partitions\": 4, \"groups\": ["
        "{\"name\": \"email\", \"consumers\": 2, \"processing_time\": \"0.5ms\"},"
        "{\"name\": \"sms\", \"consumers\": 4, \"processing_time\": \"2ms\"},"
        "{\"name\": \"push\", \"consumers\": 8, \"batch_size\": 10, \"processing_time\": \"0.1ms\"}]",
        NULL, ps, N);
    assert_true(round(figure(&r, "q.produced") * 60) == N);
    assert_true(figure(&r, "q.groups.email.latency.count") == N);
    assert_true(figure(&r, "q.groups.sms.latency.count") == N);
    assert_true(figure(&r, "q.groups.push.latency.count") == N);
    /* sms: one consumer per partition, each 2ms message arriving every 4ms: no wait */
    assert_true(figure(&r, "q.groups.sms.latency.max") == 2e-3);
    rig_done(&r);

    /* one group of 4 consumers: work-queue semantics, each message processed once */
    r = run_script("\"partitions\": 4, \"groups\": [{\"name\": \"w\", \"consumers\": 4,"
                   " \"processing_time\": \"2ms\"}]",
                   NULL, ps, N);
    assert_true(figure(&r, "q.groups.w.latency.count") == N);
    assert_true(figure(&r, "q.groups.w.duplicates") == 0);
    assert_true(fabs(figure(&r, "q.groups.w.utilisation") - N * 2e-3 / (4 * 60.0)) < 1e-9);
    rig_done(&r);
}

static void poison_messages_all_land_in_the_dead_letter_queue(void **state)
{
    (void)state;
    enum { N = 600 };
    static struct harness_step ps[N];
    script(ps, N, 2, 300);
    int poison = 0;
    for (int i = 0; i < N; i++) poison += is_poison(ps[i].key, 0.1);
    struct harness_rig r = run_script(
        "\"partitions\": 3, \"groups\": [{\"name\": \"g\", \"consumers\": 3,"
        " \"processing_time\": \"0.2ms\", \"poison_ratio\": 0.1,"
        " \"retries\": {\"max\": 3, \"backoff\": \"1ms\"}}]",
        NULL, ps, N);
    printf("  poison messages %d of %d: dead-lettered %.0f, retries %.0f\n", poison, N,
           figure(&r, "q.groups.g.dead_lettered"), figure(&r, "q.groups.g.retries"));
    assert_true(poison > 20);
    assert_true(figure(&r, "q.groups.g.dead_lettered") == poison);
    assert_true(figure(&r, "q.groups.g.retries") == 3 * poison);
    assert_true(figure(&r, "q.groups.g.failures") == 4 * poison);
    assert_true(figure(&r, "q.groups.g.latency.count") == N - poison);
    assert_true(figure(&r, "q.groups.g.dropped") == 0);
    rig_done(&r);

    r = run_script("\"groups\": [{\"name\": \"g\", \"processing_time\": \"0.2ms\","
                   " \"poison_ratio\": 0.1, \"dead_letter\": false}]",
                   NULL, ps, N);
    assert_true(figure(&r, "q.groups.g.dropped") == poison);
    assert_true(figure(&r, "q.groups.g.dead_lettered") == 0);
    assert_true(figure(&r, "q.groups.g.retries") == 0);
    rig_done(&r);
}

static void transient_failures_are_retried(void **state)
{
    (void)state;
    enum { N = 500 };
    static struct harness_step ps[N];
    script(ps, N, 5, 1000);
    /* every attempt fails: each message is tried 1 + max times, then dead-lettered */
    struct harness_rig r = run_script(
        "\"groups\": [{\"name\": \"g\", \"processing_time\": \"0.1ms\", \"failure_probability\": 1,"
        " \"retries\": {\"max\": 2, \"backoff\": \"1ms\"}}]",
        NULL, ps, N);
    assert_true(figure(&r, "q.groups.g.retries") == 2 * N);
    assert_true(figure(&r, "q.groups.g.dead_lettered") == N);
    /* a message is held 3 x 0.1ms + 2 x 1ms: the partition is busy 2.3ms of every 5ms */
    assert_true(fabs(figure(&r, "q.groups.g.utilisation") - N * 2.3e-3 / 60) < 1e-9);
    rig_done(&r);

    /* half the attempts fail: each message ends consumed or dead-lettered, and every
     * failure but the last of a dead-lettered message is retried */
    r = run_script("\"groups\": [{\"name\": \"g\", \"processing_time\": \"0.1ms\","
                   " \"failure_probability\": 0.5, \"retries\": {\"max\": 3, \"backoff\": \"1ms\"}}]",
                   NULL, ps, N);
    double ok = figure(&r, "q.groups.g.latency.count"), dead = figure(&r, "q.groups.g.dead_lettered");
    double failures = figure(&r, "q.groups.g.failures"), retries = figure(&r, "q.groups.g.retries");
    printf("  p 0.5, max 3: consumed %.0f, dead-lettered %.0f, failures %.0f, retries %.0f\n", ok,
           dead, failures, retries);
    assert_true(ok + dead == N);
    assert_true(failures == retries + dead);
    assert_true(dead > 10 && dead < 60); /* 500 / 16 = 31 expected */
    rig_done(&r);

    /* processing by calling a node that rejects when busy: the rejections are retried,
     * and the node sees exactly one call per attempt */
    for (int i = 0; i < N; i++) ps[i] = (struct harness_step){.at = 1, .key = (uint64_t)i % 4};
    r = run_script("\"partitions\": 4, \"groups\": [{\"name\": \"g\", \"consumers\": 4, \"to\": \"mailer\","
                   " \"retries\": {\"max\": 50, \"backoff\": \"3ms\"}}]",
                   "\"mailer\": {\"type\": \"service\", \"workers\": 2, \"queue\": 0,"
                   " \"service_time\": \"1ms\"}",
                   ps, N);
    retries = figure(&r, "q.groups.g.retries");
    printf("  through a service of 2 workers and no queue: retries %.0f\n", retries);
    assert_true(retries > 100);
    assert_true(figure(&r, "q.groups.g.latency.count") == N);
    assert_true(round(figure(&r, "mailer.arrivals") * 60) == N + retries);
    assert_true(figure(&r, "mailer.errors.rejected") == retries);
    rig_done(&r);
}

static void a_full_partition_rejects_or_blocks(void **state)
{
    (void)state;
    enum { N = 10 };
    struct harness_step ps[N];
    for (int i = 0; i < N; i++) ps[i] = (struct harness_step){.at = 1, .key = 0};
    struct harness_rig r = run_script("\"max_depth\": 4, \"on_full\": \"reject\", \"ack_time\": \"2ms\","
                              " \"groups\": [{\"name\": \"g\", \"processing_time\": \"100ms\"}]",
                              NULL, ps, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(ps[i].status, i < 4 ? SIM_OK : SIM_REJECTED);
        assert_true(ps[i].latency_ms == (i < 4 ? 2 : 0));
    }
    assert_true(figure(&r, "q.rejected") == 6);
    assert_true(figure(&r, "q.depth.max") == 4);
    rig_done(&r);

    /* block: the 5th produce is acknowledged when the 1st message is, at 100ms, and so on */
    r = run_script("\"max_depth\": 4, \"on_full\": \"block\","
                   " \"groups\": [{\"name\": \"g\", \"processing_time\": \"100ms\"}]",
                   NULL, ps, N);
    for (int i = 0; i < N; i++) {
        assert_int_equal(ps[i].status, SIM_OK);
        assert_true(fabs(ps[i].latency_ms - (i < 4 ? 0 : 100.0 * (i - 3))) < 1e-9);
    }
    assert_true(figure(&r, "q.blocked") == 6);
    assert_true(figure(&r, "q.depth.max") == 4);
    assert_true(figure(&r, "q.groups.g.latency.max") == 0.4);
    rig_done(&r);

    /* topic scope: 4 messages across two partitions fill the topic */
    for (int i = 0; i < N; i++) ps[i].key = (uint64_t)i % 2;
    r = run_script("\"partitions\": 2, \"max_depth\": 4, \"depth_scope\": \"topic\","
                   " \"groups\": [{\"name\": \"g\", \"consumers\": 2, \"processing_time\": \"100ms\"}]",
                   NULL, ps, N);
    assert_true(figure(&r, "q.rejected") == 6);
    rig_done(&r);
}

/* ---- the consumer schedule ---- */

static double group_figure(const struct harness_run *h, const char *leaf)
{
    char path[160];
    snprintf(path, sizeof path, "nodes.q.groups.g.%s", leaf);
    return harness_metric(h, path)->values[0];
}

/* Constant arrivals, lambda = 1000/s, over 8 partitions (keys 0-7 drawn uniformly); 2
 * consumers of a constant 4ms, each owning 4 partitions: capacity mu = 2 x 250 = 500/s. The
 * lag grows by lambda - mu = 500 a second exactly while both are busy (they are from the
 * first second on: each consumer's backlog is then hundreds). At 20s the schedule sets 8
 * consumers: the group pauses for its 1s rebalance (the lag grows by lambda: 500 in the half
 * second to 20.5s), then each owns one partition and the 8 drain at mu' - lambda = 2000 -
 * 1000 = 1000 a second, while every partition still has a backlog: at 21s about 1375 each
 * (the arrivals of 21s over 8, less 20s of a quarter of 250/s), draining by 125 a second, so
 * about 500 (9 standard deviations of the binomial split) at 28s. Over a window a constant
 * process gives exactly lambda x width arrivals and a busy constant consumer exactly width /
 * 4ms completions: each count is off by at most one at the window's edges, so the growth is
 * exact within consumers + 1 messages. */
static void a_schedule_adds_consumers_and_the_lag_drains(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 3, \"duration\": \"40s\", \"timeline\": {\"interval\": \"500ms\"},"
        " \"workload\": {\"entry\": \"q\", \"arrivals\": {\"process\": \"constant\", \"rate\": 1000},"
        "              \"keys\": {\"count\": 8}},"
        " \"nodes\": {\"q\": {\"type\": \"queue\", \"partitions\": 8,"
        "   \"groups\": [{\"name\": \"g\", \"consumers\": 2, \"processing_time\": \"4ms\","
        "                 \"rebalance\": \"1s\", \"schedule\": [{\"at\": \"20s\", \"consumers\": 8}]}]}}}";
    struct harness_run h = harness_run_text("schedule.json", text, NULL, 0, true);
    char *csv = sim__timeline_csv(h.res->timeline);
    const double lambda = 1000, mu = 2 / 0.004, mu8 = 8 / 0.004;
    double l5 = harness_column_at(csv, "q.lag.g", 5), l19 = harness_column_at(csv, "q.lag.g", 19);
    printf("  2 consumers: lag %.0f at 5s, %.0f at 19s\n", l5, l19);
    harness_exact("growth 5s-19s: (lambda - mu) x 14s", (lambda - mu) * 14, l19 - l5, 3 / 7000.0);
    double p0 = harness_column_at(csv, "q.lag.g", 20), p1 = harness_column_at(csv, "q.lag.g", 20.5);
    harness_exact("growth in the pause, 20s-20.5s: lambda x 0.5s", lambda * 0.5, p1 - p0, 3 / 500.0);
    double d22 = harness_column_at(csv, "q.lag.g", 22), d28 = harness_column_at(csv, "q.lag.g", 28);
    printf("  8 consumers: lag %.0f at 22s, %.0f at 28s\n", d22, d28);
    harness_exact("drain 22s-28s: (mu' - lambda) x 6s", (mu8 - lambda) * 6, d22 - d28, 9 / 6000.0);
    harness_exact("consumers taking messages at 19.5s", 2, harness_column_at(csv, "q.consumers.g", 19.5), 0);
    harness_exact("... at 20.5s (the rebalance)", 0, harness_column_at(csv, "q.consumers.g", 20.5), 0);
    harness_exact("... at 21.5s", 8, harness_column_at(csv, "q.consumers.g", 21.5), 0);
    harness_exact("consumers.mean: (2 x 20s + 8 x 20s) / 40s", 5, group_figure(&h, "consumers.mean"), 1e-9);
    harness_exact("rebalances", 1, group_figure(&h, "rebalances"), 0);
    harness_exact("rebalance_pause (s)", 1, group_figure(&h, "rebalance_pause"), 1e-9);
    printf("  lag at 40s: %.0f (caught up)\n", harness_column_at(csv, "q.lag.g", 40));
    assert_true(harness_column_at(csv, "q.lag.g", 40) <= 8);
    harness_exact("order violations", 0, group_figure(&h, "order_violations"), 0);
    free(csv);
    harness_done(&h);
}

/* 4 consumers, then 12 at 10s (8 partitions: 4 stay idle), then 1 at 20s. Consumer 10 is
 * crashed from 5s on: it is not in service until 10s, stays out of the group when the
 * schedule adds it (11 members), and never rejoins: its fault is never detected. Consumer 2
 * crashes at 18s; the schedule takes it out of service at 20s, before its 10s session
 * timeout, so it causes no rebalance of its own: exactly two (the two steps). */
static void a_schedule_idles_consumers_beyond_partitions_and_removes_them(void **state)
{
    (void)state;
    const char *text =
        "{\"seed\": 3, \"duration\": \"40s\", \"timeline\": {\"interval\": \"500ms\"},"
        " \"workload\": {\"entry\": \"q\", \"arrivals\": {\"process\": \"constant\", \"rate\": 400},"
        "              \"keys\": {\"count\": 8}},"
        " \"nodes\": {\"q\": {\"type\": \"queue\", \"partitions\": 8,"
        "   \"groups\": [{\"name\": \"g\", \"consumers\": 4, \"processing_time\": \"1ms\","
        "                 \"rebalance\": \"1s\", \"session_timeout\": \"10s\","
        "                 \"schedule\": [{\"at\": \"10s\", \"consumers\": 12}, {\"at\": \"20s\", \"consumers\": 1}]}]}},"
        " \"faults\": [{\"target\": \"q.consumer.10\", \"kind\": \"crash\", \"at\": \"5s\", \"for\": \"30s\"},"
        "            {\"target\": \"q.consumer.2\", \"kind\": \"crash\", \"at\": \"18s\", \"for\": \"20s\"}]}";
    struct harness_run h = harness_run_text("schedule.json", text, NULL, 0, true);
    char *csv = sim__timeline_csv(h.res->timeline);
    harness_exact("consumers taking messages at 5.5s", 4, harness_column_at(csv, "q.consumers.g", 5.5), 0);
    harness_exact("... at 15s (11 members, 8 partitions)", 8, harness_column_at(csv, "q.consumers.g", 15), 0);
    harness_exact("... at 25s", 1, harness_column_at(csv, "q.consumers.g", 25), 0);
    harness_exact("... at 36s (neither crashed consumer rejoins)", 1,
                  harness_column_at(csv, "q.consumers.g", 36), 0);
    harness_exact("rebalances: the two steps", 2, group_figure(&h, "rebalances"), 0);
    harness_exact("consumers.mean: (4 x 10 + 12 x 10 + 1 x 20) / 40", 4.5, group_figure(&h, "consumers.mean"), 1e-9);
    harness_exact("consumer 10 never detected", 0, harness_metric(&h, "faults.0.detected")->values[0], 0);
    harness_exact("every message consumed", harness_count(&h, "nodes.q.produced", 0),
                  harness_count(&h, "nodes.q.groups.g.consumed", 0), 0.001);
    free(csv);
    harness_done(&h);
}

static void invalid_configurations_name_the_path(void **state)
{
    (void)state;
    static const struct {
        const char *fields, *message;
    } cases[] = {
        {"\"partitions\": 0, \"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\"}]",
         "q.json: nodes.q.partitions: expected an integer from 1 to 100000, got 0"},
        {"\"partitions\": 2",
         "q.json: nodes.q.groups: expected an array of 1 to 64 consumer groups"},
        {"\"groups\": [{\"name\": \"g\"}]",
         "q.json: nodes.q.groups.0.processing_time: required field missing: expected a distribution (a duration such as \"5ms\", or an object with \"dist\")"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\"},"
         " {\"name\": \"g\", \"processing_time\": \"1ms\"}]",
         "q.json: nodes.q.groups.1.name: duplicate group name \"g\""},
        {"\"groups\": [{\"name\": \"a b\", \"processing_time\": \"1ms\"}]",
         "q.json: nodes.q.groups.0.name: expected letters, digits, '_' or '-' (1 to 64), got \"a b\""},
        {"\"on_full\": \"block\", \"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\"}]",
         "q.json: nodes.q.on_full: only with max_depth"},
        {"\"max_depth\": 5, \"on_full\": \"drop\", \"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\"}]",
         "q.json: nodes.q.on_full: expected one of \"reject\" or \"block\", got \"drop\""},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"poison_ratio\": 1.5}]",
         "q.json: nodes.q.groups.0.poison_ratio: expected a number from 0 to 1, got 1.5"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"retries\": {\"backoff\": \"1ms\"}}]",
         "q.json: nodes.q.groups.0.retries.max: required field missing: expected an integer from 0 to 100"},
        {"\"groups\": [{\"name\": \"g\", \"to\": \"nowhere\"}]",
         "q.json: nodes.q.groups.0.to: no node named 'nowhere'"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"batchsize\": 4}]",
         "q.json: nodes.q.groups.0.batchsize: unknown field (did you mean 'batch_size'?)"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"schedule\":"
         " [{\"at\": \"20s\", \"consumers\": 2}, {\"at\": \"10s\", \"consumers\": 3}]}]",
         "q.json: nodes.q.groups.0.schedule.1.at: expected times in increasing order"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"schedule\":"
         " [{\"at\": \"20s\", \"consumers\": 0}]}]",
         "q.json: nodes.q.groups.0.schedule.0.consumers: expected an integer from 1 to 100000, got 0"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"schedule\":"
         " [{\"consumers\": 4}]}]",
         "q.json: nodes.q.groups.0.schedule.0.at: required field missing: expected a duration of at most 1000000s"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"schedule\":"
         " [{\"at\": \"20s\", \"consumers\": 4, \"min\": 2}]}]",
         "q.json: nodes.q.groups.0.schedule.0.min: unknown field"},
        {"\"groups\": [{\"name\": \"g\", \"processing_time\": \"1ms\", \"schedule\":"
         " {\"at\": \"20s\", \"consumers\": 4}}]",
         "q.json: nodes.q.groups.0.schedule: expected an array, got {\"at\":\"20s\",\"consumers\":4}"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[4096], err[1024] = "";
        scenario(cases[i].fields, NULL, text, sizeof text);
        struct sim_loader *ld = sim__loader_parse("q.json", text, strlen(text), err, sizeof err);
        assert_non_null(ld);
        struct sim__scenario sc;
        bool ok = sim__scenario_read(ld, &sc);
        struct sim_world *w = ok ? sim__world_build(ld, &sc, 0) : NULL;
        if (w) fail_msg("case %zu (%s): accepted", i, cases[i].fields);
        const char *e = sim__loader_error(ld);
        assert_non_null(e);
        printf("  %s\n", e);
        assert_string_equal(e, cases[i].message);
        if (ok) sim__scenario_fini(&sc);
        sim__loader_destroy(ld);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(order_holds_per_partition_through_retries_and_crashes),
        cmocka_unit_test(crashes_redeliver_whole_batches_as_duplicates),
        cmocka_unit_test(every_group_gets_every_message),
        cmocka_unit_test(poison_messages_all_land_in_the_dead_letter_queue),
        cmocka_unit_test(transient_failures_are_retried),
        cmocka_unit_test(a_full_partition_rejects_or_blocks),
        cmocka_unit_test(a_schedule_adds_consumers_and_the_lag_drains),
        cmocka_unit_test(a_schedule_idles_consumers_beyond_partitions_and_removes_them),
        cmocka_unit_test(invalid_configurations_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
