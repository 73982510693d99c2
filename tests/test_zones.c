/* test_zones.c: zones and regions. Hop latencies by kind, exact with constant latencies
 * (same zone, cross zone, cross region, per-link overrides, one way); instances spread
 * over zones; the lb's zone affinity (exact shares, and the fall back when the caller's
 * zone has no backend); configuration errors, each with its exact message. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

/* Regions r1 (zones a1, a2) and r2 (b1); same zone 1us, cross zone 100us, cross region
 * 10ms, then `links` (a JSON array, or empty). */
static const char *zones_json(const char *links)
{
    static char buf[1024];
    snprintf(buf, sizeof buf,
             "\"zones\": {\"default_link\": \"1us\", \"cross_zone\": \"100us\", "
             "\"cross_region\": \"10ms\", \"regions\": {\"r1\": [\"a1\", \"a2\"], "
             "\"r2\": [\"b1\"]}%s%s}",
             links[0] ? ", \"links\": " : "", links);
    return buf;
}

/* Constant arrivals (100/s for 2s) from clients `client` (workload fields) into `entry`. */
static const char *scenario(const char *client, const char *entry, const char *nodes,
                            const char *zones)
{
    static char buf[4096];
    snprintf(buf, sizeof buf,
             "{\"duration\": \"2s\", \"seed\": 3, \"workload\": {\"entry\": \"%s\", %s, "
             "\"arrivals\": {\"process\": \"constant\", \"rate\": 100}}, \"nodes\": {%s}, %s}",
             entry, client, nodes, zones);
    return buf;
}

static double figure(const struct harness_run *h, const char *path)
{
    return harness_metric(h, path)->values[0];
}

#define MS 1e-3
#define US 1e-6

/* A client in a1 calls a service (1ms of work) in `zone`: the request and its answer
 * each cross the link once, so the end-to-end latency is 2 x the link + 1ms, exactly. */
static void latency_by_hop_kind(void **s)
{
    (void)s;
    static const struct {
        const char *zone, *links, *what;
        double link_there, link_back;
        double cross_zone, cross_region, override;
    } cases[] = {
        {"a1", "", "same zone", 1 * US, 1 * US, 0, 0, 0},
        {"a2", "", "cross zone", 100 * US, 100 * US, 1, 0, 0},
        {"b1", "", "cross region", 10 * MS, 10 * MS, 0, 1, 0},
        {"b1", "[{\"from\": \"r1\", \"to\": \"r2\", \"latency\": \"30ms\"}]",
         "region override", 30 * MS, 30 * MS, 0, 1, 1},
        {"b1", "[{\"from\": \"r1\", \"to\": \"r2\", \"latency\": \"30ms\", \"one_way\": true}]",
         "one-way override", 30 * MS, 10 * MS, 0, 1, 1},
        {"b1", "[{\"from\": \"r1\", \"to\": \"r2\", \"latency\": \"30ms\"}, "
               "{\"from\": \"a1\", \"to\": \"b1\", \"latency\": \"20ms\"}]",
         "zone override beats region", 20 * MS, 20 * MS, 0, 1, 1},
        {"a2", "[{\"from\": \"a1\", \"to\": \"r1\", \"latency\": \"2ms\"}]",
         "zone-to-region override", 2 * MS, 2 * MS, 1, 0, 1},
        {"a1", "[{\"from\": \"r1\", \"to\": \"r1\", \"latency\": \"2ms\"}]",
         "a region's own link leaves same-zone hops", 1 * US, 1 * US, 0, 0, 0},
        {"a1", "[{\"from\": \"a1\", \"to\": \"a1\", \"latency\": \"5us\"}]",
         "a zone's own link", 5 * US, 5 * US, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char nodes[256];
        snprintf(nodes, sizeof nodes,
                 "\"app\": {\"type\": \"service\", \"zone\": \"%s\", \"service_time\": \"1ms\"}",
                 cases[i].zone);
        struct harness_run h = harness_run_text(
            "zones.json", scenario("\"zone\": \"a1\"", "app", nodes, zones_json(cases[i].links)),
            NULL, 0, false);
        double want = cases[i].link_there + cases[i].link_back + 1 * MS;
        printf("%s:\n", cases[i].what);
        harness_exact("  latency.mean", want, figure(&h, "latency.mean"), 1e-12);
        harness_exact("  latency.max", want, figure(&h, "latency.max"), 1e-12);
        harness_exact("  network.cross_zone_ratio", cases[i].cross_zone,
                      figure(&h, "network.cross_zone_ratio"), 0);
        harness_exact("  network.cross_region_ratio", cases[i].cross_region,
                      figure(&h, "network.cross_region_ratio"), 0);
        harness_exact("  network.override_ratio", cases[i].override,
                      figure(&h, "network.override_ratio"), 0);
        harness_done(&h);
    }
}

/* Without regions (the old form) every hop costs default_link, zones or not; and a node
 * placed nowhere sits with its caller: client in a1 -> lb (no zone) -> app in b1 costs
 * 2 x 1us + 2 x 10ms + 1ms. */
static void unplaced_nodes_sit_with_their_caller(void **s)
{
    (void)s;
    struct harness_run h = harness_run_text(
        "zones.json",
        scenario("\"zone\": \"a1\"", "lb",
                 "\"lb\": {\"type\": \"lb\", \"backends\": [\"app\"]}, "
                 "\"app\": {\"type\": \"service\", \"zone\": \"b1\", \"service_time\": \"1ms\"}",
                 zones_json("")),
        NULL, 0, false);
    harness_exact("client a1 -> lb -> app b1: latency.mean", 2 * US + 20 * MS + 1 * MS,
                  figure(&h, "latency.mean"), 1e-12);
    harness_exact("clients' calls crossing regions", 0, figure(&h, "network.clients.cross_region_ratio"), 0);
    harness_exact("lb's calls crossing regions", 1, figure(&h, "nodes.lb.network.cross_region_ratio"), 0);
    harness_done(&h);

    h = harness_run_text("zones.json",
                         "{\"duration\": \"2s\", \"workload\": {\"entry\": \"app\", \"arrivals\": "
                         "{\"process\": \"constant\", \"rate\": 100}}, \"nodes\": {\"app\": "
                         "{\"type\": \"service\", \"service_time\": \"1ms\"}}, \"zones\": "
                         "{\"default_link\": \"3ms\"}}",
                         NULL, 0, false);
    harness_exact("old form: 2 x default_link + 1ms", 7 * MS, figure(&h, "latency.mean"), 1e-12);
    assert_null(sim__results_find(h.res, "network.calls"));
    harness_done(&h);
}

/* "zones": [a1, a2, b1] puts instance i in zones[i mod 3]: through an lb (round robin, placed
 * with the client in a1) each backend's response time is 2 x its link + 1ms. Called
 * directly, the instances are dealt in turn: a third of the calls cross a zone, a third a
 * region. */
static void spread_instances_land_in_their_zones(void **s)
{
    (void)s;
    const char *app = "\"app\": {\"type\": \"service\", \"instances\": 5, "
                      "\"zones\": [\"a1\", \"a2\", \"b1\"], \"service_time\": \"1ms\"}";
    char nodes[512];
    snprintf(nodes, sizeof nodes, "\"lb\": {\"type\": \"lb\", \"backends\": [\"app\"]}, %s", app);
    struct harness_run h = harness_run_text(
        "zones.json", scenario("\"zone\": \"a1\"", "lb", nodes, zones_json("")), NULL, 0, false);
    static const double link[5] = {1 * US, 100 * US, 10 * MS, 1 * US, 100 * US};
    for (int i = 0; i < 5; i++) {
        char path[96];
        snprintf(path, sizeof path, "nodes.lb.backends.app-%d.response.mean", i);
        harness_exact(path, 2 * link[i] + 1 * MS, figure(&h, path), 1e-12);
    }
    harness_done(&h);

    /* 3 instances called directly: 200 calls dealt in turn, 67 to a1, 67 to a2, 66 to b1. */
    h = harness_run_text("zones.json",
                         scenario("\"zone\": \"a1\"", "app",
                                  "\"app\": {\"type\": \"service\", \"instances\": 3, "
                                  "\"zones\": [\"a1\", \"a2\", \"b1\"], \"service_time\": \"1ms\"}",
                                  zones_json("")),
                         NULL, 0, false);
    double calls = figure(&h, "network.calls");
    harness_exact("calls", 200, calls, 0);
    harness_exact("cross_zone_ratio", 67 / calls, figure(&h, "network.cross_zone_ratio"), 0);
    harness_exact("cross_region_ratio", 66 / calls, figure(&h, "network.cross_region_ratio"), 0);
    harness_done(&h);

    /* The API models use. */
    char err[512];
    const char *text = scenario("\"zone\": \"a2\"", "app", app, zones_json(""));
    struct sim_loader *ld = sim__loader_parse("zones.json", text, strlen(text), err, sizeof err);
    assert_non_null(ld);
    struct sim__scenario sc;
    assert_true(sim__scenario_read(ld, &sc));
    struct sim_world *w = sim__world_build(ld, &sc, 0);
    assert_non_null(w);
    struct sim_component *c = sim__world_find(w, "app");
    assert_int_equal(sim_zone_count(c), 3);
    static const char *const want[] = {"a1", "a2", "b1", "a1", "a2"};
    for (int i = 0; i < 5; i++) assert_string_equal(sim_zone_name(c, sim_zone_of(c, i)), want[i]);
    assert_string_equal(sim_region_name(c, sim_zone_region(c, sim_zone_of(c, 2))), "r2");
    assert_int_equal(sim_zone_of(c, -1), SIM_NO_ZONE);
    sim__world_destroy(w);
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
}

/* Zone affinity: clients in a1, app's 4 instances in a1, a2, b1, a1. Every algorithm keeps
 * every call in a1 (app-0 and app-3); round robin splits them exactly in half. Clients in
 * a zone that holds no backend fall back to every backend: a quarter each. */
static void lb_zone_affinity(void **s)
{
    (void)s;
    static const char *const algorithms[] = {"round_robin", "random", "least_conn",
                                             "power_of_two", "least_latency", "key_hash",
                                             "consistent_hash"};
    const char *app = "\"app\": {\"type\": \"service\", \"instances\": 4, \"workers\": 4, "
                      "\"zones\": [\"a1\", \"a2\", \"b1\", \"a1\"], \"service_time\": \"1ms\"}";
    for (size_t a = 0; a < sizeof algorithms / sizeof *algorithms; a++) {
        char nodes[512];
        snprintf(nodes, sizeof nodes, "\"lb\": {\"type\": \"lb\", \"algorithm\": \"%s\", "
                 "\"zone_affinity\": true, \"backends\": [\"app\"]}, %s", algorithms[a], app);
        struct harness_run h = harness_run_text(
            "zones.json", scenario("\"zone\": \"a1\"", "lb", nodes, zones_json("")), NULL, 0, false);
        printf("%s:\n", algorithms[a]);
        double fwd = figure(&h, "nodes.lb.forwarded") * harness_window(&h);
        harness_exact("  in_zone_ratio", 1, figure(&h, "nodes.lb.zone_affinity.in_zone_ratio"), 0);
        harness_exact("  app-1 requests", 0, figure(&h, "nodes.lb.backends.app-1.requests"), 0);
        harness_exact("  app-2 requests", 0, figure(&h, "nodes.lb.backends.app-2.requests"), 0);
        harness_exact("  app-0 + app-3 requests", fwd,
                      figure(&h, "nodes.lb.backends.app-0.requests") +
                          figure(&h, "nodes.lb.backends.app-3.requests"), 1e-12);
        harness_exact("  lb's calls crossing zones", 0,
                      figure(&h, "nodes.lb.network.cross_zone_ratio"), 0);
        if (a == 0) {
            /* Round robin alternates app-0, app-3: half each, the odd call to app-0. */
            harness_exact("  app-0 requests", ceil(fwd / 2),
                          figure(&h, "nodes.lb.backends.app-0.requests"), 0);
            harness_exact("  app-3 requests", floor(fwd / 2),
                          figure(&h, "nodes.lb.backends.app-3.requests"), 0);
        }
        harness_done(&h);
    }

    /* Fall back: region r3's zone c1 holds no backend: every call is dealt round robin over
     * all four, backend i getting ceil((calls - i) / 4). */
    char nodes[512];
    snprintf(nodes, sizeof nodes, "\"lb\": {\"type\": \"lb\", \"zone_affinity\": true, "
             "\"backends\": [\"app\"]}, %s", app);
    const char *zones = "\"zones\": {\"cross_zone\": \"100us\", \"cross_region\": \"10ms\", "
                        "\"regions\": {\"r1\": [\"a1\", \"a2\"], \"r2\": [\"b1\"], \"r3\": [\"c1\"]}}";
    struct harness_run h = harness_run_text(
        "zones.json", scenario("\"zone\": \"c1\"", "lb", nodes, zones), NULL, 0, false);
    double fwd = figure(&h, "nodes.lb.zone_affinity.fallbacks");
    harness_exact("fallbacks: every call", figure(&h, "nodes.lb.forwarded") * harness_window(&h),
                  fwd, 1e-12);
    harness_exact("in_zone_ratio", 0, figure(&h, "nodes.lb.zone_affinity.in_zone_ratio"), 0);
    for (int i = 0; i < 4; i++) {
        char path[96];
        snprintf(path, sizeof path, "nodes.lb.backends.app-%d.requests", i);
        double want = ceil((fwd - i) / 4);
        harness_exact(path, want, figure(&h, path), 0);
    }
    harness_done(&h);

    /* Clients half in a1, half in b1: with affinity no lb call leaves its zone; without it
     * the round robin sends 3 in 4 of b1's calls and 2 in 4 of a1's out of their zone. */
    static const char *const affinity[] = {"true", "false"};
    for (int k = 0; k < 2; k++) {
        snprintf(nodes, sizeof nodes, "\"lb\": {\"type\": \"lb\", \"zone_affinity\": %s, "
                 "\"backends\": [\"app\"]}, %s", affinity[k], app);
        h = harness_run_text("zones.json",
                             scenario("\"zones\": {\"a1\": 1, \"b1\": 1}", "lb", nodes,
                                      zones_json("")),
                             NULL, 0, false);
        double cz = figure(&h, "nodes.lb.network.cross_zone_ratio"),
               cr = figure(&h, "nodes.lb.network.cross_region_ratio");
        double n = figure(&h, "nodes.lb.network.calls");
        printf("zone_affinity %s: %.0f lb calls, cross zone %.4f, cross region %.4f\n",
               affinity[k], n, cz, cr);
        if (k == 0) {
            harness_exact("affinity: lb cross zone", 0, cz, 0);
            harness_exact("affinity: lb cross region", 0, cr, 0);
        } else {
            /* a1's calls to a2 (1/2 x 1/4) cross a zone; a1's to b1 and b1's to r1 cross a
             * region (1/2 x 1/4 + 1/2 x 3/4). */
            harness_binomial("no affinity: lb cross zone", 1.0 / 8, cz * n, n);
            harness_binomial("no affinity: lb cross region", 1.0 / 2, cr * n, n);
        }
        harness_done(&h);
    }
}

/* Each bad configuration is refused with exactly this message. */
static void errors_name_the_path(void **s)
{
    (void)s;
    static const struct {
        const char *client, *app, *zones, *message;
    } cases[] = {
        {"\"zone\": \"a1\"", "\"zone\": \"a3\"", NULL,
         "zones.json: nodes.app.zone: unknown zone 'a3' (did you mean 'a1'?)"},
        {"\"zone\": \"a1\"", "\"zone\": \"us-west-2a\"", NULL,
         "zones.json: nodes.app.zone: unknown zone 'us-west-2a' (known: a1, a2, b1)"},
        {"\"zone\": \"b11\"", "\"zone\": \"a1\"", NULL,
         "zones.json: workload.zone: unknown zone 'b11' (did you mean 'b1'?)"},
        {"\"zones\": {\"a1\": 1, \"a4\": 1}", "\"zone\": \"a1\"", NULL,
         "zones.json: workload.zones.a4: unknown zone 'a4' (did you mean 'a1'?)"},
        {"\"zone\": \"a1\"", "\"zones\": [\"a1\", \"b9\"], \"instances\": 2", NULL,
         "zones.json: nodes.app.zones.1: unknown zone 'b9' (did you mean 'b1'?)"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\", \"region\": \"r2\"", NULL,
         "zones.json: nodes.app.region: zone 'a1' is in region 'r1', not 'r2'"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\", \"region\": \"r3\"", NULL,
         "zones.json: nodes.app.region: unknown region 'r3' (did you mean 'r1'?)"},
        {"\"zone\": \"a1\"", "\"region\": \"r1\"", NULL,
         "zones.json: nodes.app.region: a region alone does not place a node: give its \"zone\""},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\", \"zones\": [\"a1\"]", NULL,
         "zones.json: nodes.app.zones: give \"zone\" (the node's) or \"zones\" (its instances', "
         "in turn), not both"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"",
         "\"zones\": {\"cross_zone\": \"1ms\", \"cross_region\": \"10ms\", \"regions\": "
         "{\"r1\": [\"a1\", \"a2\"], \"r2\": [\"b1\", \"a2\"]}}",
         "zones.json: zones.regions.r2.1: zone 'a2' is in two regions: 'r1' and 'r2'"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"",
         "\"zones\": {\"cross_zone\": \"1ms\", \"regions\": {\"r1\": [\"a1\", \"a2\"], "
         "\"r2\": [\"b1\"]}}",
         "zones.json: zones.cross_region: required field missing: expected a distribution (a "
         "duration such as \"5ms\", or an object with \"dist\")"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"",
         "\"zones\": {\"default_link\": \"1ms\", \"cross_zone\": \"2ms\"}",
         "zones.json: zones.cross_zone: needs \"regions\": each region with the list of its zones"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"", "\"zones\": {\"default_link\": \"1ms\"}",
         "zones.json: workload.zone: no zones are declared: list them under zones.regions"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"",
         "LINKS[{\"from\": \"r1\", \"to\": \"eu-west-1\", \"latency\": \"80ms\"}]",
         "zones.json: zones.links.0.to: unknown zone or region 'eu-west-1' (known: r1, r2, a1, "
         "a2, b1)"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"", "LINKS[{\"from\": \"r1\", \"to\": \"r2\"}]",
         "zones.json: zones.links.0.latency: required field missing: expected a distribution (a "
         "duration such as \"5ms\", or an object with \"dist\")"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"",
         "LINKS[{\"from\": \"r1\", \"to\": \"r2\", \"latency\": \"8ms\"}, {\"from\": \"r2\", "
         "\"to\": \"r1\", \"latency\": \"9ms\", \"one_way\": true}]",
         "zones.json: zones.links.1: this link is already given by zones.links.0"},
        {"\"zone\": \"a1\"", "\"zone\": \"a1\"",
         "LINKS[{\"from\": \"r1\", \"to\": \"r2\", \"latency\": \"8ms\", \"oneway\": true}]",
         "zones.json: zones.links.0.oneway: unknown field (did you mean 'one_way'?)"},
    };
    int wrong = 0;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char app[256], zones[1024];
        snprintf(app, sizeof app, "\"app\": {\"type\": \"service\", %s, \"service_time\": \"1ms\"}",
                 cases[i].app);
        if (!cases[i].zones) snprintf(zones, sizeof zones, "%s", zones_json(""));
        else if (!strncmp(cases[i].zones, "LINKS", 5))
            snprintf(zones, sizeof zones, "%s", zones_json(cases[i].zones + 5));
        else snprintf(zones, sizeof zones, "%s", cases[i].zones);
        char *e = harness_refusal("zones.json", scenario(cases[i].client, "app", app, zones));
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
        cmocka_unit_test(latency_by_hop_kind),
        cmocka_unit_test(unplaced_nodes_sit_with_their_caller),
        cmocka_unit_test(spread_instances_land_in_their_zones),
        cmocka_unit_test(lb_zone_affinity),
        cmocka_unit_test(errors_name_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
