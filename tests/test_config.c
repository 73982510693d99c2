/* test_config.c: the scenario loader and the sim_cfg readers: every error message with its
 * file, path and expectation, unknown fields, --set, peers, operations and durations. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kernel/internal.h"
#include "load/loader.h"

static struct sim_loader *load(const char *json)
{
    char err[512] = "";
    struct sim_loader *ld = sim__loader_parse("web.json", json, strlen(json), err, sizeof err);
    if (!ld) fail_msg("unexpected error: %s", err);
    return ld;
}

/* Parsing json fails with exactly this message. */
static void parse_fails(const char *json, size_t len, const char *message)
{
    char err[512] = "";
    struct sim_loader *ld = sim__loader_parse("web.json", json, len, err, sizeof err);
    assert_null(ld);
    assert_string_equal(err, message);
}

static void error_is(struct sim_loader *ld, const char *message)
{
    const char *e = sim__loader_error(ld);
    if (!e) fail_msg("no error, expected: %s", message);
    assert_string_equal(e, message);
}

static void test_int_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int64_t min, max;
        const char *message;
    } cases[] = {
        {"{\"nodes\":{\"app\":{\"instances\":-3}}}", 1, INT64_MAX,
         "web.json: nodes.app.instances: expected a positive integer, got -3"},
        {"{\"nodes\":{\"app\":{\"instances\":2.5}}}", 1, INT64_MAX,
         "web.json: nodes.app.instances: expected a positive integer, got 2.5"},
        {"{\"nodes\":{\"app\":{\"instances\":\"3\"}}}", 1, INT64_MAX,
         "web.json: nodes.app.instances: expected a positive integer, got \"3\""},
        {"{\"nodes\":{\"app\":{\"instances\":-1}}}", 0, INT64_MAX,
         "web.json: nodes.app.instances: expected a non-negative integer, got -1"},
        {"{\"nodes\":{\"app\":{\"instances\":100}}}", 1, 64,
         "web.json: nodes.app.instances: expected an integer from 1 to 64, got 100"},
        {"{\"nodes\":{\"app\":{\"instances\":4}}}", 5, INT64_MAX,
         "web.json: nodes.app.instances: expected an integer of at least 5, got 4"},
        {"{\"nodes\":{\"app\":{\"instances\":1e30}}}", 1, INT64_MAX,
         "web.json: nodes.app.instances: expected a positive integer, got 1e+30"},
        {"{\"nodes\":{\"app\":{\"instances\":null}}}", 1, INT64_MAX,
         "web.json: nodes.app.instances: expected a positive integer, got null"},
        {"{\"nodes\":{\"app\":{}}}", 1, INT64_MAX,
         "web.json: nodes.app.instances: required field missing: expected a positive integer"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sim_loader *ld = load(cases[i].json);
        struct sim_cfg *app =
            sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
        assert_non_null(app);
        assert_int_equal(sim_cfg_int(app, "instances", SIM_REQUIRED, cases[i].min, cases[i].max),
                         cases[i].min);
        error_is(ld, cases[i].message);
        assert_true(sim_cfg_failed(app));
        sim__loader_destroy(ld);
    }
}

static void test_int_values_and_fallbacks(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"a\": 7, \"b\": 1e3, \"c\": -4}");
    struct sim_cfg *root = sim__loader_root(ld);
    assert_int_equal(sim_cfg_int(root, "a", SIM_REQUIRED, 1, INT64_MAX), 7);
    assert_int_equal(sim_cfg_int(root, "b", 0, 0, INT64_MAX), 1000);
    assert_int_equal(sim_cfg_int(root, "c", 0, INT64_MIN, INT64_MAX), -4);
    assert_int_equal(sim_cfg_int(root, "absent", 42, 1, INT64_MAX), 42);
    assert_null(sim__loader_error(ld));
    sim__loader_destroy(ld);
}

/* The first error is kept; later reads return fallbacks (or min) and never overwrite it. */
static void test_errors_are_sticky(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"workers\": 0, \"queue\": 5, \"name\": \"x\", \"o\": {}}");
    struct sim_cfg *root = sim__loader_root(ld);
    assert_int_equal(sim_cfg_int(root, "workers", SIM_REQUIRED, 1, INT64_MAX), 1);
    assert_int_equal(sim_cfg_int(root, "queue", 9, 0, INT64_MAX), 9);
    assert_int_equal(sim_cfg_int(root, "queue", SIM_REQUIRED, 3, INT64_MAX), 3);
    assert_true(sim_cfg_number(root, "queue", 1.5, 0, 10) == 1.5);
    assert_string_equal(sim_cfg_string(root, "name", "fb"), "fb");
    assert_string_equal(sim_cfg_string(root, "name", NULL), "");
    assert_int_equal(sim_cfg_duration(root, "x", SIM_REQUIRED, 1, INT64_MAX), 1);
    assert_null(sim_cfg_object(root, "o", true));
    assert_int_equal(sim_cfg_array(root, "o"), 0);
    assert_null(sim_cfg_item(root, "o", 0));
    /* A NULL reader (a failed object) is safe to read through. */
    assert_int_equal(sim_cfg_int(NULL, "k", 5, 0, 10), 5);
    assert_int_equal(sim_cfg_choice(NULL, "k", -1, (const char *const[]){"a", NULL}), 0);
    sim_cfg_error(root, "queue", "another error");
    sim_cfg_end(root);
    sim__loader_check_unread(ld);
    error_is(ld, "web.json: workers: expected a positive integer, got 0");
    sim__loader_destroy(ld);
}

static void test_number_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        double min, max;
        const char *message;
    } cases[] = {
        {"{\"w\":{\"rate\":0}}", 1e-300, INFINITY, "web.json: w.rate: expected a positive number, got 0"},
        {"{\"w\":{\"rate\":-1}}", 0, INFINITY,
         "web.json: w.rate: expected a non-negative number, got -1"},
        {"{\"w\":{\"rate\":1.5}}", 0, 1, "web.json: w.rate: expected a number from 0 to 1, got 1.5"},
        {"{\"w\":{\"rate\":\"fast\"}}", 0, 1,
         "web.json: w.rate: expected a number from 0 to 1, got \"fast\""},
        {"{\"w\":{\"rate\":1}}", 2.5, INFINITY,
         "web.json: w.rate: expected a number of at least 2.5, got 1"},
        {"{\"w\":{\"rate\":true}}", -INFINITY, INFINITY, "web.json: w.rate: expected a number, got true"},
        {"{\"w\":{}}", 0, INFINITY,
         "web.json: w.rate: required field missing: expected a non-negative number"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sim_loader *ld = load(cases[i].json);
        struct sim_cfg *w = sim_cfg_object(sim__loader_root(ld), "w", true);
        double min = cases[i].min == 1e-300 ? 2.2250738585072014e-308 : cases[i].min;
        assert_true(sim_cfg_number(w, "rate", NAN, min, cases[i].max) == min);
        error_is(ld, cases[i].message);
        sim__loader_destroy(ld);
    }
}

static void test_duration_errors(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        sim_time min, max;
        const char *message;
    } cases[] = {
        {"{\"timeout\": 5}", 1, INT64_MAX,
         "web.json: timeout: expected a duration with a unit, such as \"5ms\", got 5"},
        {"{\"timeout\": \"5\"}", 1, INT64_MAX,
         "web.json: timeout: expected a duration with a unit (ns, us, ms, s, m or h), such as "
         "\"5ms\", got \"5\""},
        {"{\"timeout\": \"5 ms\"}", 1, INT64_MAX,
         "web.json: timeout: expected a duration with a unit (ns, us, ms, s, m or h), such as "
         "\"5ms\", got \"5 ms\""},
        {"{\"timeout\": \"0s\"}", 1, INT64_MAX,
         "web.json: timeout: expected a positive duration, got \"0s\""},
        {"{\"timeout\": \"20s\"}", SIM_MS, 10 * SIM_S,
         "web.json: timeout: expected a duration from 1ms to 10s, got \"20s\""},
        {"{\"timeout\": \"1us\"}", SIM_MS, INT64_MAX,
         "web.json: timeout: expected a duration of at least 1ms, got \"1us\""},
        {"{}", 0, INT64_MAX,
         "web.json: timeout: required field missing: expected a non-negative duration"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sim_loader *ld = load(cases[i].json);
        struct sim_cfg *root = sim__loader_root(ld);
        assert_int_equal(sim_cfg_duration(root, "timeout", SIM_REQUIRED, cases[i].min, cases[i].max),
                         cases[i].min);
        error_is(ld, cases[i].message);
        sim__loader_destroy(ld);
    }
    struct sim_loader *ld = load("{\"timeout\": \"1.5s\"}");
    struct sim_cfg *root = sim__loader_root(ld);
    assert_int_equal(sim_cfg_duration(root, "timeout", SIM_REQUIRED, 1, INT64_MAX), 1500 * SIM_MS);
    assert_int_equal(sim_cfg_duration(root, "other", 7, 1, INT64_MAX), 7);
    assert_null(sim__loader_error(ld));
    sim__loader_destroy(ld);
}

static void test_got_is_compact_and_truncated(void **state)
{
    (void)state;
    struct sim_loader *ld =
        load("{\"name\": {\"a\": [1, 2, 3], \"b\": \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}}");
    sim_cfg_string(sim__loader_root(ld), "name", NULL);
    error_is(ld, "web.json: name: expected a string, got {\"a\":[1,2,3],\"b\":\"xxxxxxxxxxxxxxxxxxx...");
    sim__loader_destroy(ld);
}

static void test_bool_string_choice(void **state)
{
    (void)state;
    static const char *const evictions[] = {"lru", "lfu", "fifo", NULL};
    struct sim_loader *ld = load("{\"on\": true, \"off\": false, \"name\": \"web\", "
                                 "\"eviction\": \"fifo\", \"bad\": 1}");
    struct sim_cfg *root = sim__loader_root(ld);
    assert_true(sim_cfg_bool(root, "on", 0));
    assert_false(sim_cfg_bool(root, "off", 1));
    assert_true(sim_cfg_bool(root, "absent", 1));
    assert_string_equal(sim_cfg_string(root, "name", NULL), "web");
    assert_string_equal(sim_cfg_string(root, "absent", "dflt"), "dflt");
    assert_int_equal(sim_cfg_choice(root, "eviction", -1, evictions), 2);
    assert_int_equal(sim_cfg_choice(root, "absent", 1, evictions), 1);
    assert_true(sim_cfg_bool(root, "bad", 1)); /* the fallback */
    error_is(ld, "web.json: bad: expected true or false, got 1");
    sim__loader_destroy(ld);

    ld = load("{\"cache\": {\"eviction\": \"lur\"}}");
    root = sim_cfg_object(sim__loader_root(ld), "cache", true);
    assert_int_equal(sim_cfg_choice(root, "eviction", -1, evictions), 0);
    error_is(ld, "web.json: cache.eviction: expected one of \"lru\", \"lfu\" or \"fifo\", got "
                 "\"lur\" (did you mean 'lru'?)");
    sim__loader_destroy(ld);

    ld = load("{\"eviction\": \"random\"}");
    sim_cfg_choice(sim__loader_root(ld), "eviction", -1, evictions);
    error_is(ld, "web.json: eviction: expected one of \"lru\", \"lfu\" or \"fifo\", got \"random\"");
    sim__loader_destroy(ld);

    ld = load("{}");
    sim_cfg_bool(sim__loader_root(ld), "on", -1);
    error_is(ld, "web.json: on: required field missing: expected true or false");
    sim__loader_destroy(ld);
}

static void test_objects_arrays_items(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"nodes\": {\"app\": {\"calls\": [{\"to\": \"db\"}, 3], "
                                 "\"backends\": [\"a\", \"b\"], \"mix\": {\"read\": 0.9, "
                                 "\"write\": 0.1}, \"w\": [0.5, 2]}}}");
    struct sim_cfg *root = sim__loader_root(ld);
    struct sim_cfg *nodes = sim_cfg_object(root, "nodes", true);
    assert_int_equal(sim_cfg_size(nodes), 1);
    assert_string_equal(sim_cfg_key_at(nodes, 0), "app");
    assert_null(sim_cfg_key_at(nodes, 1));
    struct sim_cfg *app = sim_cfg_object(nodes, "app", true);
    assert_ptr_equal(app, sim_cfg_object(nodes, "app", true)); /* one reader per object */
    assert_string_equal(sim_cfg_path(app), "nodes.app");
    assert_int_equal(sim_cfg_type(app, "calls"), SIM_CFG_ARRAY);
    assert_int_equal(sim_cfg_type(app, "mix"), SIM_CFG_OBJECT);
    assert_int_equal(sim_cfg_type(app, "nope"), SIM_CFG_ABSENT);
    assert_int_equal(sim_cfg_item_type(app, "calls", 0), SIM_CFG_OBJECT);
    assert_int_equal(sim_cfg_item_type(app, "calls", 1), SIM_CFG_NUMBER);
    assert_int_equal(sim_cfg_item_type(app, "calls", 2), SIM_CFG_ABSENT);
    assert_int_equal(sim_cfg_item_type(app, "backends", 0), SIM_CFG_STRING);
    assert_int_equal(sim_cfg_item_type(app, "mix", 0), SIM_CFG_ABSENT);
    assert_int_equal(sim_cfg_item_type(app, "nope", 0), SIM_CFG_ABSENT);
    assert_int_equal(sim_cfg_array(app, "calls"), 2);
    assert_int_equal(sim_cfg_array(app, "nope"), 0);
    assert_null(sim_cfg_object(app, "nope", false));
    struct sim_cfg *call = sim_cfg_item(app, "calls", 0);
    assert_string_equal(sim_cfg_path(call), "nodes.app.calls.0");
    assert_string_equal(sim_cfg_string(call, "to", NULL), "db");
    assert_string_equal(sim_cfg_string_item(app, "backends", 1), "b");
    assert_true(sim_cfg_number_item(app, "w", 1) == 2);
    struct sim_cfg *mix = sim_cfg_object(app, "mix", true);
    for (int i = 0; i < sim_cfg_size(mix); i++)
        sim_cfg_number(mix, sim_cfg_key_at(mix, i), NAN, 0, 1);
    assert_null(sim__loader_error(ld));
    sim__loader_check_unread(ld);
    assert_null(sim__loader_error(ld));
    assert_null(sim_cfg_item(app, "calls", 1));
    error_is(ld, "web.json: nodes.app.calls.1: expected an object, got 3");
    sim__loader_destroy(ld);

    ld = load("{\"calls\": [{\"to\": 5}]}");
    sim_cfg_string(sim_cfg_item(sim__loader_root(ld), "calls", 0), "to", NULL);
    error_is(ld, "web.json: calls.0.to: expected a string, got 5");
    sim__loader_destroy(ld);

    ld = load("{\"calls\": {\"to\": 5}}");
    assert_int_equal(sim_cfg_array(sim__loader_root(ld), "calls"), 0);
    error_is(ld, "web.json: calls: expected an array, got {\"to\":5}");
    sim__loader_destroy(ld);

    ld = load("{\"retries\": 3}");
    assert_null(sim_cfg_object(sim__loader_root(ld), "retries", false));
    error_is(ld, "web.json: retries: expected an object, got 3");
    sim__loader_destroy(ld);

    ld = load("{}");
    assert_null(sim_cfg_object(sim__loader_root(ld), "workload", true));
    error_is(ld, "web.json: workload: required field missing: expected an object");
    sim__loader_destroy(ld);

    ld = load("{\"b\": [\"x\", 4]}");
    sim_cfg_string_item(sim__loader_root(ld), "b", 1);
    error_is(ld, "web.json: b.1: expected a string, got 4");
    sim__loader_destroy(ld);
}

static void test_custom_errors(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"nodes\": {\"db\": {}}}");
    struct sim_cfg *db = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true),
                                        "db", true);
    sim_cfg_error(db, NULL, "a database needs at least %d replica", 1);
    error_is(ld, "web.json: nodes.db: a database needs at least 1 replica");
    sim__loader_destroy(ld);

    ld = load("{}");
    sim_cfg_error(sim__loader_root(ld), NULL, "no nodes");
    error_is(ld, "web.json: no nodes");
    sim__loader_destroy(ld);

    ld = load("{}");
    sim__loader_error_at(ld, "expect.0.metric", "no figure named '%s'", "latency.p98");
    error_is(ld, "web.json: expect.0.metric: no figure named 'latency.p98'");
    sim__loader_destroy(ld);
}

static void test_unknown_fields(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"nodes\": {\"app\": {\"wokers\": 16, \"queue\": 10}}}");
    struct sim_cfg *app =
        sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    sim_cfg_int(app, "workers", 1, 1, INT64_MAX);
    sim_cfg_int(app, "queue", 1, 0, INT64_MAX);
    sim_cfg_has(app, "timeout");
    assert_null(sim__loader_error(ld));
    sim__loader_check_unread(ld);
    error_is(ld, "web.json: nodes.app.wokers: unknown field (did you mean 'workers'?)");
    sim__loader_destroy(ld);

    /* Nothing close: no suggestion. */
    ld = load("{\"workers\": 1, \"colour\": \"red\"}");
    struct sim_cfg *root = sim__loader_root(ld);
    sim_cfg_int(root, "workers", 1, 1, INT64_MAX);
    sim_cfg_end(root);
    error_is(ld, "web.json: colour: unknown field");
    sim__loader_destroy(ld);

    /* Transpositions and case count as close. */
    ld = load("{\"mena\": 1}");
    root = sim__loader_root(ld);
    sim_cfg_has(root, "mean");
    sim_cfg_end(root);
    error_is(ld, "web.json: mena: unknown field (did you mean 'mean'?)");
    sim__loader_destroy(ld);

    /* check_unread covers only readers created since the last call. */
    ld = load("{\"a\": {\"x\": 1}, \"b\": {\"y\": 2}}");
    root = sim__loader_root(ld);
    struct sim_cfg *a = sim_cfg_object(root, "a", true);
    sim_cfg_int(a, "x", 0, 0, 9);
    sim__loader_check_unread(ld); /* root: a read, b not yet: b is checked later */
    error_is(ld, "web.json: b: unknown field");
    sim__loader_destroy(ld);

    ld = load("{\"a\": {\"x\": 1}, \"b\": {\"y\": 2}}");
    root = sim__loader_root(ld);
    a = sim_cfg_object(root, "a", true);
    sim_cfg_has(root, "b");
    sim__loader_check_unread(ld);
    error_is(ld, "web.json: a.x: unknown field");
    sim__loader_destroy(ld);
}

static void test_renamed(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"nodes\": {\"app\": {\"threads\": 16}}}");
    struct sim_cfg *app =
        sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    sim_cfg_renamed(app, "pool", "workers");
    assert_null(sim__loader_error(ld));
    sim_cfg_renamed(app, "threads", "workers");
    error_is(ld, "web.json: nodes.app.threads: 'threads' was renamed to 'workers'");
    sim__loader_destroy(ld);
}

static void test_peers_ops_component(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"nodes\": {\"lb\": {\"backends\": [\"app\", \"app2\"], "
                                 "\"cache\": \"c\", \"op\": \"scan\"}}}");
    struct sim_component lb = {.name = "lb"};
    struct sim_component *slots[3] = {0};
    sim__loader_set_component(ld, &lb);
    struct sim_cfg *node =
        sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "lb", true);
    assert_ptr_equal(sim_cfg_component(node), &lb);
    int n = sim_cfg_array(node, "backends");
    for (int i = 0; i < n; i++) sim_cfg_peer_item(node, "backends", i, &slots[i], true);
    sim_cfg_peer(node, "cache", &slots[2], false);
    assert_int_equal(sim_cfg_op(node, "read"), SIM_OP_READ);
    assert_int_equal(sim_cfg_op(node, "write"), SIM_OP_WRITE);
    assert_int_equal(sim_cfg_op(node, sim_cfg_string(node, "op", NULL)), 2);
    assert_int_equal(sim_cfg_op(node, "scan"), 2);
    assert_int_equal(sim_cfg_op(node, "delete"), 3);
    assert_null(sim__loader_error(ld));

    struct sim__peer *peers;
    assert_int_equal(sim__loader_peers(ld, &peers), 3);
    assert_ptr_equal(peers[0].from, &lb);
    assert_ptr_equal(peers[0].slot, &slots[0]);
    assert_string_equal(peers[0].name, "app");
    assert_string_equal(peers[0].path, "nodes.lb.backends.0");
    assert_true(peers[0].sync);
    assert_string_equal(peers[1].name, "app2");
    assert_string_equal(peers[1].path, "nodes.lb.backends.1");
    assert_string_equal(peers[2].name, "c");
    assert_string_equal(peers[2].path, "nodes.lb.cache");
    assert_false(peers[2].sync);

    const char *const *ops;
    assert_int_equal(sim__loader_ops(ld, &ops), 4);
    assert_string_equal(ops[0], "read");
    assert_string_equal(ops[1], "write");
    assert_string_equal(ops[2], "scan");
    assert_string_equal(ops[3], "delete");
    sim__loader_check_unread(ld);
    assert_null(sim__loader_error(ld));
    sim__loader_destroy(ld);

    ld = load("{\"backend\": \"\"}");
    struct sim_component *slot;
    sim_cfg_peer(sim__loader_root(ld), "backend", &slot, true);
    error_is(ld, "web.json: backend: expected the name of a node, got \"\"");
    sim__loader_destroy(ld);

    ld = load("{\"backends\": [\"a\", 7]}");
    sim_cfg_peer_item(sim__loader_root(ld), "backends", 1, &slot, true);
    error_is(ld, "web.json: backends.1: expected the name of a node, got 7");
    sim__loader_destroy(ld);

    ld = load("{}");
    struct sim_cfg *root = sim__loader_root(ld);
    char name[16];
    for (int i = 2; i < SIM_MAX_OPS; i++) {
        snprintf(name, sizeof name, "op%d", i);
        assert_int_equal(sim_cfg_op(root, name), i);
    }
    assert_null(sim__loader_error(ld));
    assert_int_equal(sim_cfg_op(root, "one-too-many"), 0);
    error_is(ld, "web.json: too many operation names: at most 64, and 'one-too-many' is one more");
    sim__loader_destroy(ld);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    const char *text = "{\n  \"seed\": 42,\n  \"name\" \"web\"\n}\n";
    parse_fails(text, strlen(text), "web.json: line 3, column 10: invalid JSON near '\"web\"'");
    text = "{\n  \"a\": [1, 2,,3]\n}";
    parse_fails(text, strlen(text), "web.json: line 2, column 14: invalid JSON near ',3]'");
    text = "{\"a\": 1";
    parse_fails(text, strlen(text),
                "web.json: line 1, column 8: invalid JSON: unexpected end of file");
    text = "";
    parse_fails(text, 0, "web.json: line 1, column 1: invalid JSON: unexpected end of file");
    text = "{\"a\": 1} x";
    parse_fails(text, strlen(text), "web.json: line 1, column 10: invalid JSON near 'x'");
    text = "{\"a\": tru}";
    parse_fails(text, strlen(text), "web.json: line 1, column 7: invalid JSON near 'tru}'");
    parse_fails("{\"a\": 1}\0", 9, "web.json: line 1: unexpected NUL byte");
    text = "[1, 2]";
    parse_fails(text, strlen(text), "web.json: expected an object at the top level, got [1,2]");
}

static void test_duplicates_and_infinities(void **state)
{
    (void)state;
    const char *text = "{\"seed\": 1, \"seed\": 2}";
    parse_fails(text, strlen(text), "web.json: duplicate key 'seed'");
    text = "{\"nodes\": {\"app\": {\"workers\": 1, \"queue\": 2, \"workers\": 3}}}";
    parse_fails(text, strlen(text), "web.json: nodes.app: duplicate key 'workers'");
    text = "{\"calls\": [{}, {\"to\": \"a\", \"to\": \"b\"}]}";
    parse_fails(text, strlen(text), "web.json: calls.1: duplicate key 'to'");
    text = "{\"workload\": {\"rate\": 1e999}}";
    parse_fails(text, strlen(text),
                "web.json: workload.rate: expected a finite number, got one too large for a "
                "double");
    text = "{\"x\": [1, -1e400]}";
    parse_fails(text, strlen(text),
                "web.json: x.1: expected a finite number, got one too large for a double");

    /* A big object is checked by sorting: the first repeat in file order is named. */
    char big[4096];
    size_t n = (size_t)snprintf(big, sizeof big, "{\"m\": {");
    for (int i = 0; i < 100; i++) n += (size_t)snprintf(big + n, sizeof big - n, "\"k%d\": 1, ", i);
    n += (size_t)snprintf(big + n, sizeof big - n, "\"k77\": 2, \"k5\": 3}}");
    parse_fails(big, n, "web.json: m: duplicate key 'k77'");
}

static void test_depth(void **state)
{
    (void)state;
    char text[256];
    size_t n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "{\n\"a\":\n");
    for (int i = 0; i < SIM_MAX_DEPTH; i++) text[n++] = '[';
    for (int i = 0; i < SIM_MAX_DEPTH; i++) text[n++] = ']';
    text[n++] = '}';
    parse_fails(text, n, "web.json: line 3: nested deeper than 32 levels");
    /* Exactly 32 levels is fine; brackets inside strings (and after escapes) do not count. */
    n = 0;
    n += (size_t)snprintf(text + n, sizeof text - n, "{\"s\": \"[[[\\\"[[[\", \"a\":");
    for (int i = 1; i < SIM_MAX_DEPTH; i++) text[n++] = '[';
    for (int i = 1; i < SIM_MAX_DEPTH; i++) text[n++] = ']';
    text[n++] = '}';
    text[n] = 0;
    struct sim_loader *ld = load(text);
    sim__loader_destroy(ld);
}

static void test_open_file(void **state)
{
    (void)state;
    char path[] = "/tmp/archsim_test_configXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "{\"seed\": 42}\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    char err[512] = "";
    struct sim_loader *ld = sim__loader_open(path, err, sizeof err);
    assert_non_null(ld);
    assert_string_equal(sim__loader_label(ld), path);
    assert_true(sim__loader_hash(ld) == sim__fnv1a(text, strlen(text)));
    assert_int_equal(sim_cfg_int(sim__loader_root(ld), "seed", SIM_REQUIRED, 0, INT64_MAX), 42);
    assert_non_null(sim__loader_json(ld));
    sim__loader_destroy(ld);

    /* One byte over the limit is refused before parsing. */
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputc('{', f);
    for (size_t i = 1; i < SIM_MAX_FILE_BYTES; i++) fputc(' ', f);
    fputs("}", f);
    fclose(f);
    ld = sim__loader_open(path, err, sizeof err);
    assert_null(ld);
    char want[600];
    snprintf(want, sizeof want,
             "%s: the file is larger than the limit of 16777216 bytes (16 MiB)", path);
    assert_string_equal(err, want);

    /* Exactly at the limit is read. */
    f = fopen(path, "wb");
    fputc('{', f);
    for (size_t i = 2; i < SIM_MAX_FILE_BYTES; i++) fputc(' ', f);
    fputs("}", f);
    fclose(f);
    ld = sim__loader_open(path, err, sizeof err);
    assert_non_null(ld);
    sim__loader_destroy(ld);
    unlink(path);

    ld = sim__loader_open("/nonexistent/web.json", err, sizeof err);
    assert_null(ld);
    assert_string_equal(err, "/nonexistent/web.json: cannot open: No such file or directory");
}

static struct sim_loader *set(const char *json, const char *assignment)
{
    struct sim_loader *ld = load(json);
    char err[512] = "";
    if (!sim__loader_set(ld, assignment, err, sizeof err)) fail_msg("--set failed: %s", err);
    return ld;
}

static void set_fails(const char *json, const char *assignment, const char *message)
{
    struct sim_loader *ld = load(json);
    char err[512] = "";
    assert_false(sim__loader_set(ld, assignment, err, sizeof err));
    assert_string_equal(err, message);
    sim__loader_destroy(ld);
}

/* After the assignment, reads nodes.app.instances as an integer from min to 99. */
static void instances_error(const char *json, const char *assignment, int min, const char *message)
{
    struct sim_loader *ld = set(json, assignment);
    struct sim_cfg *app = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    sim_cfg_int(app, "instances", 1, min, 99);
    error_is(ld, message);
    sim__loader_destroy(ld);
}

/* faults.1 came from --fault 'x'; an error is recorded at path. */
static void fault_error(const char *json, const char *path, const char *message)
{
    struct sim_loader *ld = load(json);
    sim__loader_origin(ld, "faults.1", "--fault 'x'");
    sim__loader_error_at(ld, path, "no node named 'x'");
    error_is(ld, message);
    sim__loader_destroy(ld);
}

static void test_set(void **state)
{
    (void)state;
    const char *web = "{\"nodes\": {\"app\": {\"instances\": 3, \"calls\": [{\"to\": \"db\"}]}}}";
    struct sim_loader *ld = set(web, "nodes.app.instances=6");
    struct sim_cfg *app =
        sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    assert_int_equal(sim_cfg_int(app, "instances", SIM_REQUIRED, 1, INT64_MAX), 6);
    sim__loader_destroy(ld);

    ld = set(web, "nodes.app.timeout=5ms"); /* not JSON: a string */
    app = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    assert_int_equal(sim_cfg_duration(app, "timeout", SIM_REQUIRED, 1, INT64_MAX), 5 * SIM_MS);
    sim__loader_destroy(ld);

    ld = set(web, "nodes.app.retries={\"max\": 2}");
    app = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    assert_int_equal(sim_cfg_int(sim_cfg_object(app, "retries", true), "max", 0, 0, 9), 2);
    sim__loader_destroy(ld);

    ld = set(web, "nodes.app.calls.0.to=\"cache\"");
    app = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    assert_string_equal(sim_cfg_string(sim_cfg_item(app, "calls", 0), "to", NULL), "cache");
    sim__loader_destroy(ld);

    ld = set(web, "nodes.app.calls.0={\"to\": \"x\"}");
    app = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    assert_string_equal(sim_cfg_string(sim_cfg_item(app, "calls", 0), "to", NULL), "x");
    sim__loader_destroy(ld);

    ld = set(web, "seed=7");
    assert_int_equal(sim_cfg_int(sim__loader_root(ld), "seed", SIM_REQUIRED, 0, 99), 7);
    sim__loader_destroy(ld);

    ld = set(web, "name=");
    assert_string_equal(sim_cfg_string(sim__loader_root(ld), "name", NULL), "");
    sim__loader_destroy(ld);

    /* A new last key is checked like any other field. */
    ld = set(web, "nodes.app.wrokers=4");
    app = sim_cfg_object(sim_cfg_object(sim__loader_root(ld), "nodes", true), "app", true);
    sim_cfg_int(app, "workers", 1, 1, 99);
    sim_cfg_int(app, "instances", 1, 1, 99);
    sim_cfg_array(app, "calls");
    sim_cfg_end(app);
    error_is(ld, "archsim: --set nodes.app.wrokers=4: unknown field (did you mean 'workers'?)");
    sim__loader_destroy(ld);

    /* An error found later, when the field is read, names the flag too; one the file's own
     * fields cause still names the file. */
    instances_error(web, "nodes.app.instances=0", 1,
                    "archsim: --set nodes.app.instances=0: expected an integer from 1 to 99, got 0");
    instances_error(web, "nodes.app={\"instances\": 0}", 1,
                    "archsim: --set nodes.app={\"instances\": 0}: instances: expected an integer "
                    "from 1 to 99, got 0");
    instances_error(web, "nodes.app.calls.0.to=\"db\"", 5,
                    "web.json: nodes.app.instances: expected an integer from 5 to 99, got 3");
    /* faults.1 is not under faults.10's flag, nor faults.10 under faults.1's */
    fault_error(web, "faults.10.target", "web.json: faults.10.target: no node named 'x'");
    fault_error(web, "faults.1.target", "archsim: --fault 'x': target: no node named 'x'");

    /* Errors in what a --set wrote name the flag and its argument, not the file. */
    set_fails(web, "nodes.ap.instances=6",
              "archsim: --set nodes.ap.instances=6: nodes has no field 'ap' (did you mean 'app'?)");
    set_fails(web, "node.app.instances=6",
              "archsim: --set node.app.instances=6: the top level has no field 'node' (did you "
              "mean 'nodes'?)");
    set_fails(web, "zones.default_link=1ms",
              "archsim: --set zones.default_link=1ms: the top level has no field 'zones'");
    set_fails(web, "nodes.app.calls.3.to=x",
              "archsim: --set nodes.app.calls.3.to=x: nodes.app.calls has 1 element, no index 3");
    set_fails(web, "nodes.app.calls.first.to=x",
              "archsim: --set nodes.app.calls.first.to=x: nodes.app.calls is an array: expected "
              "an index, got 'first'");
    set_fails(web, "nodes.app.instances.max=2",
              "archsim: --set nodes.app.instances.max=2: nodes.app.instances is a number, not an "
              "object");
    set_fails(web, "nodes..x=2",
              "archsim: --set nodes..x=2: expected a dotted path such as nodes.app.instances, "
              "with no empty name");
    set_fails(web, "nodes.app.instances",
              "archsim: --set nodes.app.instances: expected PATH=VALUE, such as "
              "nodes.app.instances=6");
    set_fails(web, "=3", "archsim: --set =3: expected PATH=VALUE, such as nodes.app.instances=6");
    set_fails(web, "nodes.app.x=[1e999]",
              "archsim: --set nodes.app.x=[1e999]: nodes.app.x.0: expected a finite number, got one "
              "too large for a double");
    set_fails(web, "nodes.app.x={\"a\":1,\"a\":2}",
              "archsim: --set nodes.app.x={\"a\":1,\"a\":2}: nodes.app.x: duplicate key 'a'");
}

static void test_parse_duration(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        sim_time ns;
    } good[] = {
        {"0s", 0},
        {"250us", 250 * SIM_US},
        {"250\xc2\xb5s", 250 * SIM_US},
        {"5ms", 5 * SIM_MS},
        {"1.5s", 1500 * SIM_MS},
        {"3m", 180 * SIM_S},
        {"2min", 120 * SIM_S},
        {"1h", 3600 * SIM_S},
        {"7ns", 7},
        {"0.5ms", 500 * SIM_US},
        {"1e3ms", SIM_S},
        {"2.5E-3s", 2500 * SIM_US},
        {"0.0000000004s", 0},
        {"0.0000000005s", 1},
        {"1.0000000015s", 1000000002},
        {"0.1s", 100 * SIM_MS},
        {"9223372036.854775807s", INT64_MAX},
        {"9223372036854775807ns", INT64_MAX},
        {"00012ms", 12 * SIM_MS},
        {"1234567890123456789012ns0", -1}, /* trailing junk */
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sim_time t = -1;
        bool ok = sim__parse_duration(good[i].text, &t);
        if (good[i].ns < 0) {
            assert_false(ok);
            continue;
        }
        if (!ok) fail_msg("'%s' did not parse", good[i].text);
        assert_int_equal(t, good[i].ns);
    }
    static const char *const bad[] = {"",     "5",    "ms",  "-5ms",   "+5ms", "5 ms", "5msx",
                                      "5xs",  ".5s",  "5.s", "1e",     "1e+s", "5MS",  "5sec",
                                      "9223372036.854775808s", "2562048h", "1e20s", "5ms ",
                                      NULL};
    for (size_t i = 0; bad[i]; i++) {
        sim_time t = 0;
        if (sim__parse_duration(bad[i], &t)) fail_msg("'%s' parsed as %lld", bad[i], (long long)t);
    }
    sim_time t;
    assert_false(sim__parse_duration(NULL, &t));
}

static void test_format_duration(void **state)
{
    (void)state;
    static const struct {
        sim_time ns;
        const char *text;
    } cases[] = {
        {0, "0s"},
        {4000000, "4ms"},
        {1500000000, "1.5s"},
        {250000, "250us"},
        {120 * SIM_S, "120s"},
        {7, "7ns"},
        {1234567, "1.234567ms"},
        {1500, "1.5us"},
        {999, "999ns"},
        {3600 * SIM_S, "3600s"},
        {-5 * SIM_MS, "-5ms"},
        {INT64_MAX, "9223372036.854775807s"},
    };
    char buf[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sim__format_duration(cases[i].ns, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
    }
    /* Round trips: every formatted duration parses back to itself. */
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        sim_time t = (sim_time)(x >> (1 + x % 63));
        sim_time back = -1;
        sim__format_duration(t, buf, sizeof buf);
        assert_true(sim__parse_duration(buf, &back));
        assert_int_equal(back, t);
    }
}

static void test_closest(void **state)
{
    (void)state;
    static const char *const names[] = {"workers", "queue", "timeout", "instances", NULL};
    assert_string_equal(sim__closest("wokers", names, 4), "workers");
    assert_string_equal(sim__closest("Workers", names, 4), "workers");
    assert_string_equal(sim__closest("qeue", names, 4), "queue");
    assert_string_equal(sim__closest("timeuot", names, 4), "timeout");
    assert_null(sim__closest("colour", names, 4));
    assert_null(sim__closest("x", names, 4));
    assert_null(sim__closest("workers", names, 0));
    static const char *const short_names[] = {"s", "p", NULL};
    assert_null(sim__closest("q", short_names, 2)); /* a whole word replaced is no hint */
    assert_string_equal(sim__closest("p95", (const char *const[]){"mean", "p99"}, 2), "p99");
}

static void test_fallback_reader(void **state)
{
    (void)state;
    struct sim_loader *ld = load("{\"app\": {}}");
    struct sim_cfg *app = sim_cfg_object(sim__loader_root(ld), "app", true);
    struct sim_cfg *f = sim__cfg_fallback(app, "timeout", "\"250ms\"");
    assert_non_null(f);
    assert_string_equal(sim_cfg_path(f), "app");
    assert_int_equal(sim_cfg_duration(f, "timeout", SIM_REQUIRED, 1, INT64_MAX), 250 * SIM_MS);
    assert_ptr_equal(sim__cfg_loader(f), ld);
    sim__cfg_expected(app, "kind", "one of the kinds");
    error_is(ld, "web.json: app.kind: required field missing: expected one of the kinds");
    sim__loader_check_unread(ld);
    sim__loader_destroy(ld);

    ld = load("{}");
    assert_null(sim__cfg_fallback(sim__loader_root(ld), "d", "{oops"));
    error_is(ld, "web.json: d: the built-in default {oops is not valid JSON");
    sim__loader_destroy(ld);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_int_errors),
        cmocka_unit_test(test_int_values_and_fallbacks),
        cmocka_unit_test(test_errors_are_sticky),
        cmocka_unit_test(test_number_errors),
        cmocka_unit_test(test_duration_errors),
        cmocka_unit_test(test_got_is_compact_and_truncated),
        cmocka_unit_test(test_bool_string_choice),
        cmocka_unit_test(test_objects_arrays_items),
        cmocka_unit_test(test_custom_errors),
        cmocka_unit_test(test_unknown_fields),
        cmocka_unit_test(test_renamed),
        cmocka_unit_test(test_peers_ops_component),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_duplicates_and_infinities),
        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_open_file),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_parse_duration),
        cmocka_unit_test(test_format_duration),
        cmocka_unit_test(test_closest),
        cmocka_unit_test(test_fallback_reader),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
