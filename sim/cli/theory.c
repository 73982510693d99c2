/* theory.c: `archsim theory FILE`. Runs the scenario, then asks every model for its
 * closed-form predictions at the arrival rate the simulation measured there, and prints
 * formula and simulation side by side; where a formula falls outside the simulated 95%
 * interval it gives the likely reason the models noted, and calls it chance only when one
 * figure is just outside and nothing else explains it. Then the guide's back-of-envelope
 * capacity estimate: instances = peak rate / per-instance capacity x headroom. */
#include <math.h>

#include "cli.h"

#define HEADROOM 1.5

static const struct sim__metric *find_node(const struct sim__results *r, const char *node, const char *what)
{
    char path[256];
    snprintf(path, sizeof path, "nodes.%s.%s", node, what);
    return sim__results_find(r, path);
}

/* What belongs to each node, found in one pass (the report then costs the size of the
 * scenario, not nodes x predictions): node k's items are first[k], next[first[k]], ...,
 * in the order they were reported; -1 ends a chain. */
struct by_node {
    int *first, *last, *next;
};

static void by_node_init(struct by_node *b, int nnodes, size_t nitems)
{
    b->first = sim_alloc((size_t)(nnodes ? nnodes : 1) * sizeof *b->first);
    b->last = sim_alloc((size_t)(nnodes ? nnodes : 1) * sizeof *b->last);
    b->next = sim_alloc((nitems ? nitems : 1) * sizeof *b->next);
    for (int k = 0; k < nnodes; k++) b->first[k] = b->last[k] = -1;
}

static void by_node_add(struct by_node *b, int k, int item)
{
    b->next[item] = -1;
    if (b->last[k] < 0) b->first[k] = item;
    else b->next[b->last[k]] = item;
    b->last[k] = item;
}

static void by_node_fini(struct by_node *b)
{
    sim_free(b->first);
    sim_free(b->last);
    sim_free(b->next);
}

/* The node a "nodes.NAME.rest" path (or note prefix, n bytes) belongs to, or -1. */
static int node_of(const struct sim__namemap *names, const char *path, size_t n)
{
    if (n < 6 || strncmp(path, "nodes.", 6)) return -1;
    const char *dot = memchr(path + 6, '.', n - 6);
    if (!dot) return -1;
    size_t len = (size_t)(dot - path - 6);
    char *name = sim_alloc(len + 1);
    memcpy(name, path + 6, len);
    int k = (int)sim__namemap_get(names, name) - 1;
    sim_free(name);
    return k;
}

/* A note's line: "PREFIX\tNOTE\n" (the workload's prefix is empty). */
struct note_line {
    const char *text, *tab, *end;
};

static void print_note(FILE *out, const struct note_line *l, const char *lead, cJSON *list)
{
    fprintf(out, "  %s%.*s\n", lead, (int)(l->end - l->tab - 1), l->tab + 1);
    if (!list) return;
    size_t n = (size_t)(l->end - l->tab - 1);
    char *note = sim_alloc(n + 1);
    memcpy(note, l->tab + 1, n);
    cJSON_AddItemToArray(list, cJSON_CreateString(note));
    sim_free(note);
}

/* The highest rate the scenario offers: its base rate or any scheduled one. */
static double peak_factor(struct sim_loader *ld)
{
    const cJSON *wl = cJSON_GetObjectItemCaseSensitive(sim__loader_json(ld), "workload");
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(wl, "arrivals");
    const cJSON *rate = cJSON_GetObjectItemCaseSensitive(a, "rate");
    if (!cJSON_IsNumber(rate) || rate->valuedouble <= 0) return 1;
    double peak = rate->valuedouble;
    const cJSON *step;
    cJSON_ArrayForEach(step, cJSON_GetObjectItemCaseSensitive(wl, "schedule"))
    {
        const cJSON *r = cJSON_GetObjectItemCaseSensitive(step, "rate");
        if (cJSON_IsNumber(r) && r->valuedouble > peak) peak = r->valuedouble;
    }
    return peak / rate->valuedouble;
}

static int report(const struct options *o, struct sim_loader *ld, const struct sim__scenario *sc,
                  const struct sim__results *res, struct sim_world *w, struct sim__results *pred)
{
    FILE *out = o->text;
    cJSON *json = cJSON_CreateObject(), *nodes = cJSON_AddObjectToObject(json, "nodes");
    struct sim__namemap names = {0};
    for (int k = 0; k < res->nnodes; k++) sim__namemap_put(&names, res->nodes[k].name, (uint32_t)k + 1);
    struct by_node figures, notes_of;
    by_node_init(&figures, res->nnodes, pred->n);
    for (size_t i = 0; i < pred->n; i++) {
        int k = node_of(&names, pred->metrics[i].path, strlen(pred->metrics[i].path));
        if (k >= 0) by_node_add(&figures, k, (int)i);
    }
    size_t nlines = 0, cap = 0;
    struct note_line *lines = NULL;
    for (const char *line = pred->notes.text; line && *line;) {
        const char *end = strchr(line, '\n'), *tab = memchr(line, '\t', (size_t)(end - line));
        if (tab) {
            if (nlines == cap) {
                cap = cap ? 2 * cap : 64;
                lines = sim_realloc(lines, cap * sizeof *lines);
            }
            lines[nlines++] = (struct note_line){line, tab, end};
        }
        line = end + 1;
    }
    by_node_init(&notes_of, res->nnodes, nlines);
    bool workload_notes = false;
    for (size_t i = 0; i < nlines; i++) {
        int k = node_of(&names, lines[i].text, (size_t)(lines[i].tab - lines[i].text));
        if (k >= 0) by_node_add(&notes_of, k, (int)i);
        workload_notes |= lines[i].tab == lines[i].text;
    }
    fprintf(out, "archsim theory: %s (%s), %d replication%s, seed %llu\n", sc->name,
            sim__input_label(o->files[0]),
           sc->replications, sc->replications == 1 ? "" : "s", (unsigned long long)sc->seed);
    fprintf(out, "each formula is fed the arrival rate simulated at its node; 'outside' marks a formula "
           "outside the simulated 95%% interval\n");
    cJSON *wnotes = cJSON_AddArrayToObject(json, "workload_notes");
    for (size_t i = 0; i < nlines; i++)
        if (lines[i].tab == lines[i].text) print_note(o->text, &lines[i], "workload: ", wnotes);
    for (int k = 0; k < res->nnodes; k++) {
        const char *name = res->nodes[k].name;
        char prefix[160];
        snprintf(prefix, sizeof prefix, "nodes.%s.", name);
        const struct sim__metric *lambda = find_node(res, name, "arrivals");
        fprintf(out, "\nnode %s (%s): %s\n", name, res->nodes[k].type, res->nodes[k].description);
        if (lambda) fprintf(out, "  arrivals %.6g/s\n", lambda->ci.mean);
        cJSON *jn = cJSON_AddObjectToObject(nodes, name);
        bool any = false, outside = false;
        int nout = 0;
        double worst = 0; /* the farthest formula outside, in half-widths from the mean */
        for (int i = figures.first[k]; i >= 0; i = figures.next[i]) {
            const struct sim__metric *f = &pred->metrics[i];
            const struct sim__metric *m = sim__results_find(res, f->path);
            if (!m) continue;
            /* Below the clock's 1 ns, or a millionth of a ratio, the two agree whatever the
             * interval (all replications equal gives a zero-width one). */
            double eps = f->unit == SIM_UNIT_SECONDS ? 1e-9 : 1e-6;
            bool in = m->ci.n < 2 || (f->values[0] >= m->ci.low - eps && f->values[0] <= m->ci.high + eps);
            char fv[32], mv[32], lo[32], hi[32];
            sim__format_value(f->values[0], f->unit, fv, sizeof fv);
            sim__format_value(m->ci.mean, m->unit, mv, sizeof mv);
            sim__format_value(m->ci.low, m->unit, lo, sizeof lo);
            sim__format_value(m->ci.high, m->unit, hi, sizeof hi);
            if (!any) fprintf(out, "  %-20s %12s   %-12s %-28s\n", "figure", "formula", "simulated", "95% interval");
            fprintf(out, "  %-20s %12s   %-12s [%s, %s]%s\n", f->path + strlen(prefix), fv, mv, lo, hi,
                   in ? "" : "   outside");
            cJSON *jf = cJSON_AddObjectToObject(jn, f->path + strlen(prefix));
            cJSON_AddNumberToObject(jf, "formula", f->values[0]);
            cJSON_AddNumberToObject(jf, "simulated", m->ci.mean);
            cJSON *ci = cJSON_AddArrayToObject(jf, "ci95");
            cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci.low));
            cJSON_AddItemToArray(ci, cJSON_CreateNumber(m->ci.high));
            cJSON_AddBoolToObject(jf, "inside", in);
            any = true;
            outside |= !in;
            if (!in) {
                nout++;
                double d = fabs(f->values[0] - m->ci.mean) / (m->ci.half > 0 ? m->ci.half : eps);
                worst = d > worst ? d : worst;
            }
        }
        if (!any) fprintf(out, "  no closed form applies\n");
        cJSON *notes = cJSON_AddArrayToObject(jn, "notes");
        for (int i = notes_of.first[k]; i >= 0; i = notes_of.next[i])
            print_note(o->text, &lines[i], outside ? "likely reason: " : "note: ", notes);
        /* Chance is the reason only when nothing else can be: one figure, just outside. */
        if (outside && notes_of.first[k] < 0) {
            if (workload_notes) fprintf(out, "  likely reason: the workload notes above\n");
            else if (nout == 1 && worst < 2)
                fprintf(out, "  likely reason: chance: a 95%% interval misses one time in twenty\n");
            else
                fprintf(out, "  not chance (%d figure%s outside, up to %.0f half-widths off): the formula "
                       "does not describe this node; please report it\n", nout, nout == 1 ? "" : "s", worst);
        }
    }

    /* The guide's estimate: per-instance capacity from the simulated holding time. */
    double peak = peak_factor(ld);
    fprintf(out, "\ncapacity estimate (the guide's back of the envelope): instances = peak rate / "
           "per-instance capacity x headroom %.1f\n", HEADROOM);
    cJSON *capacity = cJSON_AddObjectToObject(json, "capacity");
    struct sim__namemap json_names = {0}; /* node name -> its object's place in "nodes" + 1 */
    const cJSON *json_nodes = cJSON_GetObjectItemCaseSensitive(sim__loader_json(ld), "nodes");
    const cJSON **json_node = sim_alloc(((size_t)cJSON_GetArraySize(json_nodes) + 1) * sizeof *json_node);
    uint32_t njson = 0;
    for (const cJSON *n = json_nodes ? json_nodes->child : NULL; n; n = n->next) {
        if (!n->string || sim__namemap_get(&json_names, n->string)) continue;
        json_node[njson++] = n;
        sim__namemap_put(&json_names, n->string, njson);
    }
    for (int k = 0; k < w->ncomponents; k++) {
        struct sim_component *c = w->components[k];
        if (c->name[0] == '@') continue;
        const struct sim__metric *lambda = find_node(res, c->name, "arrivals");
        const struct sim__metric *u = find_node(res, c->name, "utilisation");
        uint32_t at = sim__namemap_get(&json_names, c->name);
        const cJSON *node = at ? json_node[at - 1] : NULL;
        const cJSON *inst = cJSON_GetObjectItemCaseSensitive(node, "instances");
        const cJSON *workers = cJSON_GetObjectItemCaseSensitive(node, "workers");
        if (!lambda || !u || lambda->ci.mean <= 0) continue;
        double n = cJSON_IsNumber(inst) ? inst->valuedouble : 1, wk = cJSON_IsNumber(workers) ? workers->valuedouble : 1;
        double hold = u->ci.mean * n * wk / lambda->ci.mean; /* utilisation law: U = lambda S / (n c) */
        double per_instance = wk / hold, rate = lambda->ci.mean * peak;
        double needed = ceil(rate / per_instance * HEADROOM);
        char held[32];
        sim__format_value(hold, SIM_UNIT_SECONDS, held, sizeof held);
        fprintf(out, "  %-12s peak %.6g/s, a worker held %s per call, %.6g/s per instance -> %.0f "
               "instance%s (has %.0f)\n", c->name, rate, held, per_instance, needed,
               needed == 1 ? "" : "s", n);
        cJSON *jc = cJSON_AddObjectToObject(capacity, c->name);
        cJSON_AddNumberToObject(jc, "peak_rate", rate);
        cJSON_AddNumberToObject(jc, "holding_time", hold);
        cJSON_AddNumberToObject(jc, "per_instance_capacity", per_instance);
        cJSON_AddNumberToObject(jc, "instances_needed", needed);
        cJSON_AddNumberToObject(jc, "instances", n);
    }
    int code = 0;
    if (o->json) code = sim__write_text(o->json, sim__json_text(json));
    cJSON_Delete(json);
    sim_free(json_node);
    sim__namemap_fini(&json_names);
    by_node_fini(&figures);
    by_node_fini(&notes_of);
    sim_free(lines);
    sim__namemap_fini(&names);
    return code;
}

int sim__cmd_theory(const struct options *o)
{
    struct sim__scenario sc;
    struct sim_loader *ld = sim__cli_load(o, o->files[0], NULL, 0, NULL, &sc);
    if (!ld) return 2;
    int code = 0;
    struct sim__results *res = sim__run(ld, &sc, false);
    struct sim_world *w = res ? sim__world_build(ld, &sc, 0) : NULL;
    if (!res || !w) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        code = 2;
    } else {
        struct sim__results *pred = sim_alloc(sizeof *pred);
        pred->replications = 1;
        for (int k = 0; k < w->ncomponents; k++) {
            struct sim_component *c = w->components[k];
            if (!c->model->theory) continue;
            char prefix[160];
            if (c->name[0] == '@') prefix[0] = 0;
            else snprintf(prefix, sizeof prefix, "nodes.%s.", c->name);
            struct sim_report rep = {pred, prefix, 0, res};
            c->model->theory(c, &rep);
        }
        code = report(o, ld, &sc, res, w, pred);
        if (!code) code = sim__unstable_warn(sim__input_label(o->files[0]), res);
        sim__results_destroy(pred);
    }
    sim__world_destroy(w);
    sim__results_destroy(res);
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    return code;
}
