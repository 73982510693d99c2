/* scenario.c: JSON -> a world. Reads the top-level settings once, then for each
 * replication creates the workload and every node through its model, resolves the
 * references between nodes by name and refuses cycles of synchronous calls, all before
 * the first event runs. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>

#include "kernel/text.h"
#include "scenario.h"

static const char *const expect_ops[] = {"below", "above", "at_most", "at_least", "between"};

bool sim__parse_limit(const char *s, double *out)
{
    size_t len = strlen(s);
    char *end;
    sim_time d;
    if (len > 1 && s[len - 1] == '%') {
        double pct = strtod(s, &end);
        *out = pct / 100;
        return end == s + len - 1 && isfinite(pct);
    }
    if (sim__parse_duration(s, &d)) {
        *out = (double)d / SIM_S;
        return true;
    }
    *out = strtod(s, &end);
    return len && end == s + len && isfinite(*out);
}

/* A limit as written: a number, a duration ("100ms", in seconds) or a percentage ("1%").
 * item < 0 reads cfg.key itself, else element item of the array at key. */
static double read_limit(struct sim_cfg *cfg, const char *key, int item)
{
    enum sim_cfg_type t = item < 0 ? sim_cfg_type(cfg, key) : sim_cfg_item_type(cfg, key, item);
    if (t == SIM_CFG_NUMBER) {
        return item < 0 ? sim_cfg_number(cfg, key, NAN, -INFINITY, INFINITY)
                        : sim_cfg_number_item(cfg, key, item);
    }
    const char *s = item < 0 ? sim_cfg_string(cfg, key, NULL) : sim_cfg_string_item(cfg, key, item);
    if (!s) return NAN;
    double v;
    if (sim__parse_limit(s, &v)) return v;
    sim_cfg_error(cfg, key, "expected a number, a duration such as \"100ms\" or a percentage "
                            "such as \"1%%\", got \"%s\"", s);
    return NAN;
}

static void read_expect(struct sim_cfg *root, struct sim__scenario *sc)
{
    int n = sim_cfg_array(root, "expect");
    sc->expect = sim_alloc((size_t)(n ? n : 1) * sizeof *sc->expect);
    for (int i = 0; i < n; i++) {
        struct sim_cfg *c = sim_cfg_item(root, "expect", i);
        if (!c) return;
        struct sim__expect *e = &sc->expect[sc->nexpect++];
        snprintf(e->path, sizeof e->path, "expect.%d", i);
        e->metric = sim_cfg_string(c, "metric", NULL);
        int found = 0;
        for (int k = 0; k < 5; k++) {
            if (!sim_cfg_has(c, expect_ops[k])) continue;
            found++;
            e->op = (enum sim__expect_op)k;
            if (k == EXPECT_BETWEEN) {
                if (sim_cfg_array(c, "between") != 2) {
                    sim_cfg_error(c, "between", "expected [low, high]");
                    continue;
                }
                e->a = read_limit(c, "between", 0);
                e->b = read_limit(c, "between", 1);
                if (e->a > e->b) sim_cfg_error(c, "between", "expected low <= high");
            } else {
                e->a = read_limit(c, expect_ops[k], -1);
            }
        }
        if (found != 1)
            sim_cfg_error(c, NULL, "expected exactly one of below, above, at_most, at_least, "
                                   "between");
    }
}

#define TWO_TO_53 9007199254740992.0 /* below this a JSON number (a double) is an exact integer */

/* "18446744073709551615": a 64-bit unsigned integer in decimal digits, exactly; false on
 * anything else (a sign, a space, overflow). */
static bool parse_u64(const char *s, uint64_t *out)
{
    uint64_t x = 0;
    if (!*s) return false;
    for (; *s; s++) {
        if (*s < '0' || *s > '9') return false;
        unsigned d = (unsigned)(*s - '0');
        if (x > (UINT64_MAX - d) / 10) return false;
        x = x * 10 + d;
    }
    *out = x;
    return true;
}

/* Any 64-bit unsigned seed, taken exactly: a JSON number below 2^53, or a string of digits
 * (any value up to 2^64 - 1). A number at or above 2^53 has already lost its last digits
 * to a double, so it is refused with the way to write it. */
static uint64_t read_seed(struct sim_cfg *root)
{
    uint64_t seed = 1;
    switch (sim_cfg_type(root, "seed")) {
    case SIM_CFG_ABSENT: return seed;
    case SIM_CFG_NUMBER: {
        double d = sim_cfg_number(root, "seed", NAN, -INFINITY, INFINITY);
        if (d >= 0 && d < TWO_TO_53 && d == floor(d)) return (uint64_t)d;
        if (d >= TWO_TO_53 && d < 18446744073709551616.0 && d == floor(d))
            sim_cfg_error(root, "seed", "a number at or above 2^53 loses its last digits in "
                          "JSON (this one reads as %.0f): write the seed as a string of digits, "
                          "such as \"seed\": \"9007199254740993\"", d);
        else
            sim_cfg_error(root, "seed", "expected an integer from 0 to 18446744073709551615, "
                          "got %.17g", d);
        return seed;
    }
    case SIM_CFG_STRING: {
        const char *text = sim_cfg_string(root, "seed", NULL);
        if (!parse_u64(text, &seed))
            sim_cfg_error(root, "seed", "expected an integer from 0 to 18446744073709551615 "
                          "(a number, or a string of digits), got \"%s\"", text);
        return seed;
    }
    default:
        sim_cfg_error(root, "seed", "expected an integer from 0 to 18446744073709551615 (a "
                      "number, or a string of digits)");
        return seed;
    }
}

/* "max_memory": a size ("512MB", "2GiB") or bytes; absent, the default (budget.c). */
static void read_max_memory(struct sim_cfg *root, struct sim__scenario *sc)
{
    sc->max_memory = sim__budget_default();
    if (!sim_cfg_has(root, "max_memory")) return;
    const char *s = NULL;
    if (sim_cfg_type(root, "max_memory") == SIM_CFG_NUMBER)
        sc->max_memory = sim_cfg_number(root, "max_memory", NAN, -INFINITY, INFINITY);
    else if (!(s = sim_cfg_string(root, "max_memory", NULL)) || !sim__parse_bytes(s, &sc->max_memory))
        sc->max_memory = NAN;
    if (!(sc->max_memory >= 1e6 && sc->max_memory <= 1e18) && !sim_cfg_failed(root)) {
        char got[64];
        if (s) snprintf(got, sizeof got, "\"%.40s\"", s);
        else snprintf(got, sizeof got, "%g", sc->max_memory);
        sim_cfg_error(root, "max_memory", "expected a size from 1MB, such as \"512MB\" or \"4GiB\" "
                                          "(or bytes), got %s", got);
    }
}

bool sim__scenario_read(struct sim_loader *ld, struct sim__scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    struct sim_cfg *root = sim__loader_root(ld);
    sim__loader_set_component(ld, NULL);
    sim_cfg_string(root, "$schema", ""); /* where an editor finds the schema: no effect */
    sc->name = sim_cfg_string(root, "name", "unnamed");
    sc->description = sim_cfg_string(root, "description", "");
    sc->story = sim_cfg_string(root, "story", "");
    sc->seed = read_seed(root);
    sc->duration = sim_cfg_duration(root, "duration", SIM_REQUIRED, SIM_US, SIM_MAX_DURATION);
    sc->warmup = sim_cfg_duration(root, "warmup", 0, 0, SIM_NEVER - 1);
    if (sc->warmup >= sc->duration && !sim_cfg_failed(root)) {
        char warm[32], dur[32];
        sim__format_duration(sc->warmup, warm, sizeof warm);
        sim__format_duration(sc->duration, dur, sizeof dur);
        sim_cfg_error(root, "warmup", "expected a warm-up shorter than the duration, got %s of "
                      "a %s run: measuring needs time after it; lengthen the run (--duration, "
                      "more than %s) or shorten the warm-up (--warmup D, or --warmup auto)",
                      warm, dur, warm);
    }
    sc->replications = (int)sim_cfg_int(root, "replications", 1, 1, 10000);
    if (sim_cfg_has(root, "precision")) {
        sc->precision = read_limit(root, "precision", -1);
        if (!(sc->precision > 0 && sc->precision < 1) && !sim_cfg_failed(root))
            sim_cfg_error(root, "precision", "expected a share of the mean such as \"2%%\" or 0.02");
    }
    sc->max_replications = (int)sim_cfg_int(root, "max_replications",
                                            sc->replications > 100 ? sc->replications : 100,
                                            sc->replications, 10000);
    struct sim_cfg *tl = sim_cfg_object(root, "timeline", false);
    sc->timeline_interval = SIM_S;
    if (tl) sc->timeline_interval = sim_cfg_duration(tl, "interval", SIM_S, SIM_US, SIM_NEVER - 1);
    read_expect(root, sc);
    read_max_memory(root, sc);
    /* workload, nodes and zones are read per replication by sim__world_build */
    sim_cfg_has(root, "workload");
    sim_cfg_has(root, "nodes");
    sim_cfg_has(root, "zones");
    sim_cfg_has(root, "faults");
    sim_cfg_has(root, "slo");
    sim__loader_check_unread(ld);
    return !sim__loader_error(ld);
}

void sim__scenario_fini(struct sim__scenario *sc)
{
    sim_free(sc->expect);
    memset(sc, 0, sizeof *sc);
}

static bool valid_name(const char *s)
{
    if (!*s || strlen(s) > 64) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') return false;
    return true;
}

/* ---- zones and regions ---- */

static int find_name(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

/* "unknown zone 'x' (did you mean 'y'?)" or "(known: a, b)" at cfg.key. */
static void unknown_name(struct sim_cfg *cfg, const char *key, const char *what, const char *name,
                         const char *const *names, int n)
{
    const char *close = sim__closest(name, names, (size_t)n);
    if (close) {
        sim_cfg_error(cfg, key, "unknown %s '%s' (did you mean '%s'?)", what, name, close);
        return;
    }
    char known[512] = "";
    for (int i = 0; i < n; i++)
        snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", i ? ", " : "",
                 names[i]);
    sim_cfg_error(cfg, key, "unknown %s '%s' (known: %s)", what, name, known);
}

int sim__zone_lookup(struct sim_cfg *cfg, const char *key, const char *name)
{
    struct sim_world *w = sim_cfg_component(cfg)->world;
    if (sim_cfg_failed(cfg)) return SIM_NO_ZONE;
    if (!w->nzones) {
        sim_cfg_error(cfg, key, "no zones are declared: list them under zones.regions");
        return SIM_NO_ZONE;
    }
    int z = find_name(w->zone_names, w->nzones, name);
    if (z < 0) unknown_name(cfg, key, "zone", name, w->zone_names, w->nzones);
    return z;
}

/* One end of a link: a zone (its index) or a region (-1 - its index); INT32_MIN when
 * unknown (the error is recorded). */
static int link_end(struct sim_world *w, struct sim_cfg *link, const char *key)
{
    const char *name = sim_cfg_string(link, key, NULL);
    if (!name) return INT32_MIN;
    int z = find_name(w->zone_names, w->nzones, name);
    if (z >= 0) return z;
    int r = find_name(w->region_names, w->nregions, name);
    if (r >= 0) return -1 - r;
    const char **both = sim_alloc((size_t)(w->nzones + w->nregions) * sizeof *both);
    memcpy(both, w->region_names, (size_t)w->nregions * sizeof *both);
    memcpy(both + w->nregions, w->zone_names, (size_t)w->nzones * sizeof *both);
    unknown_name(link, key, "zone or region", name, both, w->nzones + w->nregions);
    sim_free(both);
    return INT32_MIN;
}

static bool end_has(const struct sim_world *w, int end, int zone)
{
    return end >= 0 ? end == zone : w->zone_region[zone] == -1 - end;
}

/* Sets the latency of every zone pair a link covers, from `from` to `to`. A region end
 * stands for its zones; a pair inside one zone is covered only by a link naming that zone
 * at both ends (a region's link to itself is its cross-zone hops). */
static void apply_link(struct sim_world *w, int from, int to, const struct sim_dist *d)
{
    int n = w->nzones;
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            if (!end_has(w, from, a) || !end_has(w, to, b)) continue;
            if (a == b && (from < 0 || to < 0)) continue;
            w->links[a * n + b] = d;
            w->link_kind[a * n + b] |= SIM__OVERRIDE;
        }
}

static void read_links(struct sim_world *w, struct sim_cfg *zones)
{
    int n = sim_cfg_array(zones, "links");
    struct end_pair {
        int from, to;
        bool one_way;
        const struct sim_dist *d;
    } *links = sim_alloc((size_t)(n ? n : 1) * sizeof *links);
    for (int i = 0; i < n && !sim_cfg_failed(zones); i++) {
        struct sim_cfg *l = sim_cfg_item(zones, "links", i);
        if (!l) break;
        struct end_pair *e = &links[i];
        e->from = link_end(w, l, "from");
        e->to = e->from == INT32_MIN ? INT32_MIN : link_end(w, l, "to");
        e->d = sim_cfg_dist(l, "latency", SIM_QTY_DURATION, NULL);
        e->one_way = sim_cfg_bool(l, "one_way", false);
        if (sim_cfg_failed(l)) break;
        for (int j = 0; j < i; j++) {
            const struct end_pair *o = &links[j];
            bool same = o->from == e->from && o->to == e->to;
            bool back = o->from == e->to && o->to == e->from && (!o->one_way || !e->one_way);
            if (same || back) {
                char key[32];
                snprintf(key, sizeof key, "links.%d", i);
                sim_cfg_error(zones, key, "this link is already given by zones.links.%d", j);
                break;
            }
        }
    }
    /* The most specific link wins: region to region, then zone to region, then zone to zone. */
    for (int pass = 0; pass < 3 && !sim_cfg_failed(zones); pass++)
        for (int i = 0; i < n; i++) {
            const struct end_pair *e = &links[i];
            if ((e->from >= 0) + (e->to >= 0) != pass) continue;
            apply_link(w, e->from, e->to, e->d);
            if (!e->one_way) apply_link(w, e->to, e->from, e->d);
        }
    sim_free(links);
}

/* zones: default_link alone (every hop), or regions with their zones, the latencies of
 * hops across zones and regions, and per-link overrides. */
static void read_zones(struct sim_world *w, struct sim_cfg *root)
{
    struct sim_cfg *zones = sim_cfg_object(root, "zones", false);
    if (!zones) return;
    w->link_latency = sim_cfg_dist(zones, "default_link", SIM_QTY_DURATION, "\"0s\"");
    struct sim_cfg *regions = sim_cfg_object(zones, "regions", false);
    if (!regions) {
        static const char *const need[] = {"cross_zone", "cross_region", "links"};
        for (int i = 0; i < 3; i++)
            if (sim_cfg_has(zones, need[i]))
                sim_cfg_error(zones, need[i], "needs \"regions\": each region with the list of "
                                              "its zones");
        return;
    }
    int nr = sim_cfg_size(regions);
    if (nr == 0) sim_cfg_error(zones, "regions", "expected at least one region with its zones");
    w->region_names = sim_alloc((size_t)(nr ? nr : 1) * sizeof *w->region_names);
    bool several_zones = false;
    for (int r = 0; r < nr && !sim_cfg_failed(zones); r++) {
        const char *region = sim_cfg_key_at(regions, r);
        w->region_names[w->nregions++] = region;
        int nz = sim_cfg_array(regions, region);
        if (sim_cfg_failed(regions)) break;
        if (nz == 0) sim_cfg_error(regions, region, "expected the list of the region's zones");
        several_zones |= nz > 1;
        w->zone_names = sim_realloc(w->zone_names, (size_t)(w->nzones + nz) * sizeof *w->zone_names);
        w->zone_region = sim_realloc(w->zone_region, (size_t)(w->nzones + nz) * sizeof *w->zone_region);
        for (int i = 0; i < nz && !sim_cfg_failed(regions); i++) {
            const char *zone = sim_cfg_string_item(regions, region, i);
            char key[160];
            snprintf(key, sizeof key, "%s.%d", region, i);
            int before = find_name(w->zone_names, w->nzones, zone);
            if (!valid_name(zone))
                sim_cfg_error(regions, key, "expected a zone name of letters, digits, '_' and '-' "
                                            "(at most 64)");
            else if (before >= 0 && w->zone_region[before] == r)
                sim_cfg_error(regions, key, "zone '%s' is listed twice", zone);
            else if (before >= 0)
                sim_cfg_error(regions, key, "zone '%s' is in two regions: '%s' and '%s'", zone,
                              w->region_names[w->zone_region[before]], region);
            else if (find_name(w->region_names, nr > r ? r + 1 : 0, zone) >= 0 ||
                     sim_cfg_has(regions, zone))
                sim_cfg_error(regions, key, "'%s' names both a region and a zone", zone);
            w->zone_names[w->nzones] = zone;
            w->zone_region[w->nzones++] = r;
        }
    }
    if (sim_cfg_failed(zones)) return;
    const struct sim_dist *cross_zone =
        sim_cfg_dist(zones, "cross_zone", SIM_QTY_DURATION, several_zones ? NULL : "\"0s\"");
    const struct sim_dist *cross_region =
        sim_cfg_dist(zones, "cross_region", SIM_QTY_DURATION, nr > 1 ? NULL : "\"0s\"");
    if (sim_cfg_failed(zones)) return;
    int n = w->nzones;
    w->links = sim_alloc((size_t)n * (size_t)n * sizeof *w->links);
    w->link_kind = sim_alloc((size_t)n * (size_t)n);
    for (int a = 0; a < n; a++)
        for (int b = 0; b < n; b++) {
            enum sim__hop_kind k = a == b ? SIM__SAME_ZONE
                                   : w->zone_region[a] == w->zone_region[b] ? SIM__CROSS_ZONE
                                                                            : SIM__CROSS_REGION;
            w->link_kind[a * n + b] = (uint8_t)k;
            w->links[a * n + b] = k == SIM__SAME_ZONE    ? w->link_latency
                                  : k == SIM__CROSS_ZONE ? cross_zone
                                                         : cross_region;
        }
    read_links(w, zones);
}

/* A node's "zone", "region" and "zones" (its instances spread over zones), read before its
 * model's configure() so that every model carries them. */
static void read_placement(struct sim_world *w, struct sim_component *c, struct sim_cfg *cfg)
{
    struct sim__placement *p = &w->placement[c->index];
    bool has_zone = sim_cfg_has(cfg, "zone"), has_spread = sim_cfg_has(cfg, "zones");
    if (has_zone && has_spread) {
        sim_cfg_error(cfg, "zones", "give \"zone\" (the node's) or \"zones\" (its instances', "
                                    "in turn), not both");
        return;
    }
    if (has_zone) {
        const char *name = sim_cfg_string(cfg, "zone", NULL);
        if (name) p->zone = sim__zone_lookup(cfg, "zone", name);
    }
    if (has_spread) {
        int n = sim_cfg_array(cfg, "zones");
        if (!sim_cfg_failed(cfg) && n == 0)
            sim_cfg_error(cfg, "zones", "expected a list of zones, instance i in zone i mod n");
        p->spread = sim_alloc((size_t)(n ? n : 1) * sizeof *p->spread);
        for (int i = 0; i < n && !sim_cfg_failed(cfg); i++) {
            char key[32];
            snprintf(key, sizeof key, "zones.%d", i);
            p->spread[i] = sim__zone_lookup(cfg, key, sim_cfg_string_item(cfg, "zones", i));
        }
        p->nspread = sim_cfg_failed(cfg) ? 0 : n;
    }
    if (!sim_cfg_has(cfg, "region")) return;
    const char *region = sim_cfg_string(cfg, "region", NULL);
    if (!region || sim_cfg_failed(cfg)) return;
    int r = find_name(w->region_names, w->nregions, region);
    if (r < 0) {
        if (!w->nregions) sim_cfg_error(cfg, "region", "no regions are declared: list them under "
                                                       "zones.regions");
        else unknown_name(cfg, "region", "region", region, w->region_names, w->nregions);
        return;
    }
    if (!has_zone && !has_spread) {
        sim_cfg_error(cfg, "region", "a region alone does not place a node: give its \"zone\"");
        return;
    }
    for (int i = 0; i < (has_spread ? p->nspread : 1); i++) {
        int z = has_spread ? p->spread[i] : p->zone;
        if (w->zone_region[z] != r) {
            sim_cfg_error(cfg, "region", "zone '%s' is in region '%s', not '%s'", w->zone_names[z],
                          w->region_names[w->zone_region[z]], region);
            return;
        }
    }
}

static void add_nodes(struct sim_loader *ld, struct sim_world *w, struct sim_cfg *root)
{
    struct sim_cfg *nodes = sim_cfg_object(root, "nodes", true);
    int n = nodes ? sim_cfg_size(nodes) : 0;
    if (nodes && n == 0) sim_cfg_error(root, "nodes", "expected at least one node");
    size_t ntypes;
    const char *const *types = sim__model_names(&ntypes);
    /* Every name is read before the first node's unread-field check looks at this object. */
    for (int i = 0; i < n; i++) sim_cfg_has(nodes, sim_cfg_key_at(nodes, i));
    for (int i = 0; i < n && !sim__loader_error(ld); i++) {
        const char *name = sim_cfg_key_at(nodes, i);
        if (!valid_name(name)) {
            sim_cfg_error(nodes, name, "expected a node name of letters, digits, '_' and '-' "
                                       "(at most 64)");
            return;
        }
        struct sim_cfg *cfg = sim_cfg_object(nodes, name, true);
        if (!cfg) return;
        const char *type = sim_cfg_string(cfg, "type", NULL);
        if (!type) return;
        const struct sim_model *m = sim__model_find(type);
        if (!m) {
            const char *close = sim__closest(type, types, ntypes);
            char known[512] = "";
            for (size_t k = 0; k < ntypes; k++)
                snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s", k ? ", " : "",
                         types[k]);
            if (close) sim_cfg_error(cfg, "type", "unknown type '%s' (did you mean '%s'?)", type, close);
            else sim_cfg_error(cfg, "type", "unknown type '%s' (known: %s)", type, known);
            return;
        }
        struct sim_component *c = sim__world_add(w, m, name);
        sim__loader_set_component(ld, c);
        read_placement(w, c, cfg);
        if (sim__loader_error(ld)) return;
        m->configure(c, cfg);
        if (w->placement[c->index].nspread && !m->instances && !sim_cfg_failed(cfg))
            sim_cfg_error(cfg, "zones", "a node of one instance: give its \"zone\"");
        sim__loader_check_unread(ld);
    }
}

/* Fills every reference recorded since `first` with the node it names. */
static void resolve_peers(struct sim_loader *ld, struct sim_world *w, size_t first)
{
    struct sim__peer *peers;
    size_t n = sim__loader_peers(ld, &peers);
    const char **names = sim_alloc((size_t)w->ncomponents * sizeof *names);
    size_t nnames = 0;
    for (int i = 0; i < w->ncomponents; i++)
        if (w->components[i]->name[0] != '@') names[nnames++] = w->components[i]->name;
    for (size_t i = first; i < n && !sim__loader_error(ld); i++) {
        struct sim_component *c = peers[i].name[0] == '@' ? NULL : sim__world_find(w, peers[i].name);
        if (c == peers[i].from) {
            sim__loader_error_at(ld, peers[i].path, "a node cannot call itself ('%s')", peers[i].name);
        } else if (!c) {
            const char *close = sim__closest(peers[i].name, names, nnames);
            if (close)
                sim__loader_error_at(ld, peers[i].path, "no node named '%s' (did you mean '%s'?)",
                                     peers[i].name, close);
            else
                sim__loader_error_at(ld, peers[i].path, "no node named '%s'", peers[i].name);
        } else {
            *peers[i].slot = c;
        }
    }
    sim_free(names);
}

/* "a -> b -> c -> a" for the cycle path[0..n) closing at path[0]; a long one keeps its
 * first and last few names and counts the rest, so the message stays one readable line. */
static void name_cycle(struct sim__text *t, struct sim_world *w, const int *path, int n)
{
    enum { HEAD = 4, TAIL = 3 };
    for (int k = 0; k < n; k++) {
        if (n > 8 && k == HEAD) /* HEAD + TAIL + the elision: 8 */ {
            sim__text_add(t, "... (%d more) -> ", n - HEAD - TAIL);
            k = n - TAIL;
        }
        sim__text_add(t, "%s -> ", w->components[path[k]]->name);
    }
    sim__text_add(t, "%s", w->components[path[0]]->name);
}

/* Depth-first search over synchronous references, without recursion (a chain of calls is
 * as deep as the user makes it): O(nodes + references). A grey node reached again closes
 * a cycle. Edges keep their file order, so the cycle named is the one a recursive search
 * would name. */
static void refuse_cycles(struct sim_loader *ld, struct sim_world *w, size_t first)
{
    struct sim__peer *peers;
    size_t n = sim__loader_peers(ld, &peers);
    int nodes = w->ncomponents;
    size_t *start = sim_alloc(((size_t)nodes + 1) * sizeof *start); /* node's edges: CSR */
    for (size_t i = first; i < n; i++)
        if (peers[i].sync && *peers[i].slot) start[peers[i].from->index + 1]++;
    for (int v = 0; v < nodes; v++) start[v + 1] += start[v];
    size_t *edge = sim_alloc((start[nodes] + 1) * sizeof *edge); /* index into peers */
    size_t *fill = sim_alloc(((size_t)nodes + 1) * sizeof *fill);
    for (size_t i = first; i < n; i++)
        if (peers[i].sync && *peers[i].slot) {
            int v = peers[i].from->index;
            edge[start[v] + fill[v]++] = i;
        }
    char *color = sim_alloc((size_t)nodes);  /* 0 white, 1 grey (on the stack), 2 black */
    int *stack = sim_alloc((size_t)nodes * sizeof *stack);
    size_t *next = fill; /* per node: its next edge to follow */
    for (int v = 0; v < nodes; v++) next[v] = start[v];
    for (int root = 0; root < nodes && !sim__loader_error(ld); root++) {
        if (color[root]) continue;
        int depth = 0;
        stack[0] = root;
        color[root] = 1;
        while (depth >= 0 && !sim__loader_error(ld)) {
            int at = stack[depth];
            if (next[at] == start[at + 1]) {
                color[at] = 2;
                depth--;
                continue;
            }
            const struct sim__peer *p = &peers[edge[next[at]++]];
            int to = (*p->slot)->index;
            if (color[to] == 1) {
                int k = depth;
                while (stack[k] != to) k--;
                int len = depth - k + 1;
                struct sim__text t = {0};
                if (len > 8) sim__text_add(&t, " of %d nodes", len);
                sim__text_add(&t, ": ");
                name_cycle(&t, w, stack + k, len);
                sim__loader_error_at(ld, p->path, "synchronous calls form a cycle%s", t.text);
                sim_free(t.text);
            } else if (color[to] == 0) {
                color[to] = 1;
                stack[++depth] = to;
            }
        }
    }
    sim_free(start);
    sim_free(edge);
    sim_free(fill);
    sim_free(color);
    sim_free(stack);
}

bool sim__world_load(struct sim_loader *ld, const struct sim__scenario *sc, struct sim_world *w)
{
    w->end = sc->duration;
    w->warmup = sc->warmup;
    struct sim__peer *unused;
    size_t first = sim__loader_peers(ld, &unused);
    struct sim_cfg *root = sim__loader_root(ld);

    /* Zones first: the workload and the nodes name them. */
    sim__loader_set_component(ld, &w->engine);
    read_zones(w, root);
    sim__loader_check_unread(ld);

    struct sim_component *wl = sim__world_add(w, &sim__workload_model, "@workload");
    w->workload = wl;
    struct sim_cfg *wcfg = sim_cfg_object(root, "workload", true);
    sim__loader_set_component(ld, wl);
    if (wcfg && !sim__loader_error(ld)) sim__workload_model.configure(wl, wcfg);
    sim__loader_check_unread(ld);

    if (!sim__loader_error(ld)) add_nodes(ld, w, root);
    if (!sim__loader_error(ld)) resolve_peers(ld, w, first);
    if (!sim__loader_error(ld)) refuse_cycles(ld, w, first);
    sim__loader_set_component(ld, NULL);
    return !sim__loader_error(ld);
}

void sim__world_finish(struct sim_loader *ld, struct sim_world *w)
{
    w->nops = sim__loader_ops(ld, &w->ops);
    if (w->nzones) w->hops = sim_alloc((size_t)w->ncomponents * sizeof *w->hops);
}
