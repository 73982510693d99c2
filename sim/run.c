/* run.c: runs every replication of a scenario and gathers each replication's figures
 * under their dotted paths; after the last one, every figure gets its mean and 95%
 * Student-t interval across replications. */
#include <math.h>
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

struct sim__results *sim__run(struct sim_loader *ld, const struct sim__scenario *sc, bool timeline)
{
    struct sim__results *res = sim_alloc(sizeof *res);
    res->replications = sc->replications;
    double t0 = wall_clock();
    for (int r = 0; r < sc->replications; r++) {
        struct sim_world *w = sim__world_build(ld, sc, r);
        if (!w) {
            sim__results_destroy(res);
            return NULL;
        }
        if (r == 0) sim__results_describe(res, w);
        if (r == 0 && timeline) {
            res->timeline = sim__timeline_create(sc->timeline_interval);
            w->timeline = res->timeline;
        }
        sim__world_run(w);
        res->events += w->events;
        sim__results_collect(res, w, r);
        sim__world_destroy(w);
    }
    res->wall_seconds = wall_clock() - t0;
    for (size_t i = 0; i < res->n; i++)
        res->metrics[i].ci = sim_interval95(res->metrics[i].values, res->replications);
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
