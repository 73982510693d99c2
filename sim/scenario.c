/* scenario.c: JSON -> a world. Reads the top-level settings once, then for each
 * replication creates the workload and every node through its model, resolves the
 * references between nodes by name and refuses cycles of synchronous calls, all before
 * the first event runs. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>

#include "run.h"

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

bool sim__scenario_read(struct sim_loader *ld, struct sim__scenario *sc)
{
    memset(sc, 0, sizeof *sc);
    struct sim_cfg *root = sim__loader_root(ld);
    sim__loader_set_component(ld, NULL);
    sc->name = sim_cfg_string(root, "name", "unnamed");
    sc->description = sim_cfg_string(root, "description", "");
    sc->seed = (uint64_t)sim_cfg_int(root, "seed", 1, 0, INT64_MAX);
    sc->duration = sim_cfg_duration(root, "duration", SIM_REQUIRED, SIM_US, 1000000 * SIM_S);
    sc->warmup = sim_cfg_duration(root, "warmup", 0, 0, SIM_NEVER - 1);
    if (sc->warmup >= sc->duration && !sim_cfg_failed(root))
        sim_cfg_error(root, "warmup", "expected a warm-up shorter than the duration");
    sc->replications = (int)sim_cfg_int(root, "replications", 1, 1, 10000);
    struct sim_cfg *tl = sim_cfg_object(root, "timeline", false);
    sc->timeline_interval = SIM_S;
    if (tl) sc->timeline_interval = sim_cfg_duration(tl, "interval", SIM_S, SIM_US, SIM_NEVER - 1);
    read_expect(root, sc);
    /* workload, nodes and zones are read per replication by sim__world_build */
    sim_cfg_has(root, "workload");
    sim_cfg_has(root, "nodes");
    sim_cfg_has(root, "zones");
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
        m->configure(c, cfg);
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

/* Depth-first search over synchronous references; a grey node reached again closes a cycle. */
static bool find_cycle(struct sim__peer *peers, size_t first, size_t n, int at, char *color,
                       int *stack, int depth, struct sim_world *w, struct sim_loader *ld)
{
    color[at] = 1;
    stack[depth] = at;
    for (size_t i = first; i < n; i++) {
        if (!peers[i].sync || peers[i].from->index != at || !*peers[i].slot) continue;
        int to = (*peers[i].slot)->index;
        if (color[to] == 1) {
            char path[1024] = "";
            int k = depth;
            while (stack[k] != to) k--;
            for (; k <= depth; k++)
                snprintf(path + strlen(path), sizeof path - strlen(path), "%s -> ",
                         w->components[stack[k]]->name);
            snprintf(path + strlen(path), sizeof path - strlen(path), "%s", w->components[to]->name);
            sim__loader_error_at(ld, peers[i].path, "synchronous calls form a cycle: %s", path);
            return true;
        }
        if (color[to] == 0 && find_cycle(peers, first, n, to, color, stack, depth + 1, w, ld))
            return true;
    }
    color[at] = 2;
    return false;
}

static void refuse_cycles(struct sim_loader *ld, struct sim_world *w, size_t first)
{
    struct sim__peer *peers;
    size_t n = sim__loader_peers(ld, &peers);
    char *color = sim_alloc((size_t)w->ncomponents);
    int *stack = sim_alloc((size_t)w->ncomponents * sizeof *stack);
    for (int i = 0; i < w->ncomponents && !sim__loader_error(ld); i++)
        if (!color[i]) find_cycle(peers, first, n, i, color, stack, 0, w, ld);
    sim_free(color);
    sim_free(stack);
}

struct sim_world *sim__world_build(struct sim_loader *ld, const struct sim__scenario *sc, int r)
{
    struct sim_world *w = sim__world_create(sc->seed, r);
    w->end = sc->duration;
    w->warmup = sc->warmup;
    struct sim__peer *unused;
    size_t first = sim__loader_peers(ld, &unused);
    struct sim_cfg *root = sim__loader_root(ld);

    struct sim_component *wl = sim__world_add(w, &sim__workload_model, "@workload");
    struct sim_cfg *wcfg = sim_cfg_object(root, "workload", true);
    sim__loader_set_component(ld, wl);
    if (wcfg) sim__workload_model.configure(wl, wcfg);
    sim__loader_check_unread(ld);

    sim__loader_set_component(ld, &w->engine);
    struct sim_cfg *zones = sim_cfg_object(root, "zones", false);
    if (zones) w->link_latency = sim_cfg_dist(zones, "default_link", SIM_QTY_DURATION, "\"0s\"");
    sim__loader_check_unread(ld);

    if (!sim__loader_error(ld)) add_nodes(ld, w, root);
    if (!sim__loader_error(ld)) resolve_peers(ld, w, first);
    if (!sim__loader_error(ld)) refuse_cycles(ld, w, first);
    sim__loader_set_component(ld, NULL);
    if (sim__loader_error(ld)) {
        sim__world_destroy(w);
        return NULL;
    }
    w->nops = sim__loader_ops(ld, &w->ops);
    return w;
}
