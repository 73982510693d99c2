/* run.c: runs every replication of a scenario and gathers each replication's figures
 * under their dotted paths; after the last one, every figure gets its mean and 95%
 * Student-t interval across replications. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "progress.h"
#include "fault.h"
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

double sim_simulated(struct sim_report *pred, const char *path)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", pred->prefix, path);
    const struct sim__metric *m = pred->simulated ? sim__results_find(pred->simulated, full) : NULL;
    return m ? m->ci.mean : NAN;
}

void sim_theory_note(struct sim_report *pred, const char *fmt, ...)
{
    va_list ap;
    char note[512];
    va_start(ap, fmt);
    vsnprintf(note, sizeof note, fmt, ap);
    va_end(ap);
    sim__text_add(&pred->res->notes, "%s\t%s\n", pred->prefix, note);
}

void sim__results_collect(struct sim__results *res, struct sim_world *w, int r)
{
    res->cursor = 0;
    if (r == 0) sim_hist_init(&res->latency);
    sim_hist_merge(&res->latency, sim__workload_latency(w->workload));
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        char prefix[128];
        if (c->name[0] == '@') prefix[0] = 0;
        else snprintf(prefix, sizeof prefix, "nodes.%s.", c->name);
        struct sim_report rep = {res, prefix, r, NULL};
        c->model->report(c, &rep);
    }
}

void sim__results_describe(struct sim__results *res, struct sim_world *w)
{
    char buf[512];
    struct sim__faults *fs = w->faults;
    for (int i = 0; fs && i < fs->nspecs; i++) {
        res->faults = sim_realloc(res->faults, (size_t)(res->nfaults + 1) * sizeof *res->faults);
        res->faults[res->nfaults++] = sim_strdup(fs->specs[i].label);
    }
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        buf[0] = 0;
        if (c->model->describe) c->model->describe(c, buf, sizeof buf);
        sim__placement_describe(c, buf, sizeof buf);
        if (c->name[0] == '@') {
            if (!strcmp(c->name, "@workload")) res->workload_description = sim_strdup(buf);
            continue;
        }
        res->nodes = sim_realloc(res->nodes, (size_t)(res->nnodes + 1) * sizeof *res->nodes);
        res->nodes[res->nnodes++] = (struct sim__node_info){
            sim_strdup(c->name), sim_strdup(c->model->name), sim_strdup(buf)};
    }
}

/* One replication of one scenario per task, each with its own loader over that
 * scenario's (edited) text, so tasks share nothing and can run on any thread. */
struct task {
    const char *label;
    const char *text;
    int replication;
    struct sim__progress *progress;
    struct sim__timeline *timeline; /* replication 0 of the first scenario, when asked */
    struct sim__results *part;
    uint64_t events;
};

static void run_task(int i, void *ctx)
{
    struct task *t = (struct task *)ctx + i;
    char err[1024];
    struct sim_loader *ld = sim__loader_parse(t->label, t->text, strlen(t->text), err, sizeof err);
    struct sim__scenario sc;
    struct sim_world *w = NULL;
    if (ld && sim__scenario_read(ld, &sc)) w = sim__world_build(ld, &sc, t->replication);
    if (!w) {
        /* The same text was built once already: failing now is a bug, not bad input. */
        fprintf(stderr, "archsim: internal error: replication %d: %s\n", t->replication,
                ld ? sim__loader_error(ld) : err);
        exit(3);
    }
    w->timeline = t->timeline;
    w->progress = t->progress;
    w->progress_slot = i;
    struct sim__text story = {0};
    if (t->replication == 0 && w->faults) w->story = &story; /* the drill's narrative */
    sim__world_run(w);
    t->part = sim_alloc(sizeof *t->part);
    t->part->replications = 1;
    sim__results_collect(t->part, w, 0);
    t->part->story = story.text;
    if (w->faults) {
        t->part->fault_marks = w->faults->marks.text;
        w->faults->marks.text = NULL;
    }
    t->events = w->events;
    sim__world_destroy(w);
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
}

/* Folds one replication's figures into res as replication r. */
static void merge(struct sim__results *res, struct sim__results *part, int r)
{
    res->cursor = 0;
    for (size_t i = 0; i < part->n; i++) {
        const struct sim__metric *m = &part->metrics[i];
        metric(res, m->path, m->unit)->values[r] = m->values[0];
    }
    sim_hist_merge(&res->latency, &part->latency);
    if (r == 0) {
        res->story = part->story;
        res->fault_marks = part->fault_marks;
        part->story = part->fault_marks = NULL;
    }
}

bool sim__run_many(struct sim_loader **lds, const struct sim__scenario *scs, int n, bool timeline,
                   int threads, struct sim__results **out)
{
    /* Build replication 0 of each here first: bad input is reported through its loader,
     * and the design's description comes from it. */
    int ntasks = 0;
    for (int k = 0; k < n; k++) {
        out[k] = NULL;
        struct sim_world *first = sim__world_build(lds[k], &scs[k], 0);
        if (!first) {
            for (int j = 0; j < k; j++) sim__results_destroy(out[j]);
            return false;
        }
        out[k] = sim_alloc(sizeof *out[k]);
        out[k]->replications = scs[k].replications;
        sim_hist_init(&out[k]->latency);
        sim__results_describe(out[k], first);
        sim__world_destroy(first);
        ntasks += scs[k].replications;
    }
    if (timeline) out[0]->timeline = sim__timeline_create(scs[0].timeline_interval);

    sim_time total = 0;
    for (int k = 0; k < n; k++) total += scs[k].duration * scs[k].replications;
    struct sim__progress *progress = scs[0].progress ? sim__progress_create(ntasks, total) : NULL;
    char **texts = sim_alloc((size_t)n * sizeof *texts);
    struct task *tasks = sim_alloc((size_t)ntasks * sizeof *tasks);
    for (int k = 0, t = 0; k < n; k++) {
        texts[k] = cJSON_PrintUnformatted(sim__loader_json(lds[k]));
        if (!texts[k]) sim__out_of_memory();
        for (int r = 0; r < scs[k].replications; r++, t++)
            tasks[t] = (struct task){sim__loader_label(lds[k]), texts[k], r, progress,
                                     k == 0 && r == 0 ? out[0]->timeline : NULL, NULL, 0};
    }
    double t0 = wall_clock();
    sim__parallel_for(ntasks, threads, run_task, tasks);
    double wall = wall_clock() - t0;
    sim__progress_destroy(progress);

    /* Merge in replication order: the figures' order is replication 0's. */
    for (int k = 0, t = 0; k < n; k++) {
        struct sim__results *res = out[k];
        res->wall_seconds = wall;
        for (int r = 0; r < scs[k].replications; r++, t++) {
            merge(res, tasks[t].part, r);
            res->events += tasks[t].events;
            sim__results_destroy(tasks[t].part);
        }
        for (size_t i = 0; i < res->n; i++)
            res->metrics[i].ci = sim_interval95(res->metrics[i].values, res->replications);
        cJSON_free(texts[k]);
    }
    sim_free(texts);
    sim_free(tasks);
    return true;
}

struct sim__results *sim__run(struct sim_loader *ld, const struct sim__scenario *sc, bool timeline)
{
    struct sim__results *res;
    return sim__run_many(&ld, sc, 1, timeline, sc->threads, &res) ? res : NULL;
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
    sim_free(res->notes.text);
    sim_free(res->story);
    sim_free(res->fault_marks);
    for (int i = 0; i < res->nfaults; i++) sim_free(res->faults[i]);
    sim_free(res->faults);
    sim__timeline_destroy(res->timeline);
    sim_free(res);
}
