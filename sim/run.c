/* run.c: runs every replication of a scenario and gathers each replication's figures
 * under their dotted paths; after the last one, every figure gets its mean and 95%
 * Student-t interval across replications. */
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "run.h"

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static struct sim__metric *metric(struct sim__results *res, const char *path, enum sim_unit unit)
{
    /* Replications report in the same order, so the next slot is nearly always it. */
    if (res->cursor < res->n && !strcmp(res->metrics[res->cursor].path, path))
        return &res->metrics[res->cursor++];
    for (size_t i = 0; i < res->n; i++)
        if (!strcmp(res->metrics[i].path, path)) {
            res->cursor = i + 1;
            return &res->metrics[i];
        }
    if (res->n == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 64;
        res->metrics = sim_realloc(res->metrics, res->cap * sizeof *res->metrics);
    }
    struct sim__metric *m = &res->metrics[res->n++];
    m->path = sim_strdup(path);
    m->unit = unit;
    m->values = sim_alloc((size_t)res->replications * sizeof *m->values);
    for (int r = 0; r < res->replications; r++) m->values[r] = NAN;
    res->cursor = res->n;
    return m;
}

void sim_report(struct sim_report *rep, const char *path, double value, enum sim_unit unit)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", rep->prefix, path);
    metric(rep->res, full, unit)->values[rep->replication] = value;
}

void sim_report_hist(struct sim_report *rep, const char *path, const struct sim_hist *h)
{
    static const struct {
        const char *name;
        double q;
    } quantiles[] = {{"p50", 0.50}, {"p90", 0.90}, {"p95", 0.95}, {"p99", 0.99}, {"p999", 0.999}};
    char p[200];
    snprintf(p, sizeof p, "%s.count", path);
    sim_report(rep, p, (double)h->count, SIM_UNIT_COUNT);
    snprintf(p, sizeof p, "%s.mean", path);
    sim_report(rep, p, sim_hist_mean(h) / SIM_S, SIM_UNIT_SECONDS);
    for (size_t i = 0; i < sizeof quantiles / sizeof *quantiles; i++) {
        snprintf(p, sizeof p, "%s.%s", path, quantiles[i].name);
        sim_report(rep, p, (double)sim_hist_quantile(h, quantiles[i].q) / SIM_S, SIM_UNIT_SECONDS);
    }
    snprintf(p, sizeof p, "%s.max", path);
    sim_report(rep, p, h->count ? (double)h->max / SIM_S : 0, SIM_UNIT_SECONDS);
}

void sim__results_collect(struct sim__results *res, struct sim_world *w, int r)
{
    res->cursor = 0;
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        char prefix[128];
        if (c->name[0] == '@') prefix[0] = 0;
        else snprintf(prefix, sizeof prefix, "nodes.%s.", c->name);
        struct sim_report rep = {res, prefix, r};
        c->model->report(c, &rep);
    }
}

void sim__results_describe(struct sim__results *res, struct sim_world *w)
{
    char buf[512];
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        buf[0] = 0;
        if (c->model->describe) c->model->describe(c, buf, sizeof buf);
        if (c->name[0] == '@') {
            if (!strcmp(c->name, "@workload")) res->workload_description = sim_strdup(buf);
            continue;
        }
        res->nodes = sim_realloc(res->nodes, (size_t)(res->nnodes + 1) * sizeof *res->nodes);
        res->nodes[res->nnodes++] = (struct sim__node_info){
            sim_strdup(c->name), sim_strdup(c->model->name), sim_strdup(buf)};
    }
}

/* One replication per task, each with its own loader over the same (edited) scenario
 * text, so tasks share nothing and can run on any thread. */
struct batch {
    const char *label;
    char *text;
    struct sim__results **parts;
    uint64_t *events;
    struct sim__timeline *timeline;
};

static void run_replication(int r, void *ctx)
{
    struct batch *b = ctx;
    char err[1024];
    struct sim_loader *ld = sim__loader_parse(b->label, b->text, strlen(b->text), err, sizeof err);
    struct sim__scenario sc;
    struct sim_world *w = NULL;
    if (ld && sim__scenario_read(ld, &sc)) w = sim__world_build(ld, &sc, r);
    if (!w) {
        /* The same text was built once already: failing now is a bug, not bad input. */
        fprintf(stderr, "archsim: internal error: replication %d: %s\n", r,
                ld ? sim__loader_error(ld) : err);
        exit(3);
    }
    if (r == 0) w->timeline = b->timeline;
    sim__world_run(w);
    struct sim__results *part = sim_alloc(sizeof *part);
    part->replications = 1;
    sim__results_collect(part, w, 0);
    b->parts[r] = part;
    b->events[r] = w->events;
    sim__world_destroy(w);
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
}

struct sim__results *sim__run(struct sim_loader *ld, const struct sim__scenario *sc, bool timeline)
{
    /* Build replication 0 once here: bad input is reported through the loader, and the
     * design's description comes from it. */
    struct sim_world *first = sim__world_build(ld, sc, 0);
    if (!first) return NULL;
    struct sim__results *res = sim_alloc(sizeof *res);
    res->replications = sc->replications;
    sim__results_describe(res, first);
    sim__world_destroy(first);
    if (timeline) res->timeline = sim__timeline_create(sc->timeline_interval);

    int n = sc->replications;
    char *text = cJSON_PrintUnformatted(sim__loader_json(ld));
    if (!text) sim__out_of_memory();
    struct batch b = {sim__loader_label(ld), text, sim_alloc((size_t)n * sizeof *b.parts),
                      sim_alloc((size_t)n * sizeof *b.events), res->timeline};
    double t0 = wall_clock();
    sim__parallel_for(n, sc->threads, run_replication, &b);
    res->wall_seconds = wall_clock() - t0;

    /* Merge in replication order: the figures' order is replication 0's. */
    for (int r = 0; r < n; r++) {
        res->cursor = 0;
        for (size_t i = 0; i < b.parts[r]->n; i++) {
            const struct sim__metric *m = &b.parts[r]->metrics[i];
            metric(res, m->path, m->unit)->values[r] = m->values[0];
        }
        res->events += b.events[r];
        sim__results_destroy(b.parts[r]);
    }
    for (size_t i = 0; i < res->n; i++)
        res->metrics[i].ci = sim_interval95(res->metrics[i].values, res->replications);
    cJSON_free(text);
    sim_free(b.parts);
    sim_free(b.events);
    return res;
}

const struct sim__metric *sim__results_find(const struct sim__results *res, const char *path)
{
    for (size_t i = 0; i < res->n; i++)
        if (!strcmp(res->metrics[i].path, path)) return &res->metrics[i];
    return NULL;
}

void sim__results_destroy(struct sim__results *res)
{
    if (!res) return;
    for (size_t i = 0; i < res->n; i++) {
        sim_free(res->metrics[i].path);
        sim_free(res->metrics[i].values);
    }
    sim_free(res->metrics);
    for (int i = 0; i < res->nnodes; i++) {
        sim_free(res->nodes[i].name);
        sim_free(res->nodes[i].type);
        sim_free(res->nodes[i].description);
    }
    sim_free(res->nodes);
    sim_free(res->workload_description);
    sim__timeline_destroy(res->timeline);
    sim_free(res);
}
