/* run.c: runs every replication of a scenario and gathers each replication's figures
 * under their dotted paths; after the last one, every figure gets its mean and 95%
 * Student-t interval across replications. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>

#include "progress.h"
#include "faults/fault.h"
#include "output.h"
#include "run.h"
#include "warmup.h"

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* size bytes from the arena, aligned for a double. */
static void *arena_alloc(struct sim__figure_arena *a, size_t size)
{
    size_t at = (a->used + 7) & ~(size_t)7;
    if (!a->nblocks || at + size > a->room) {
        a->room = size > 65536 ? size : 65536;
        a->blocks = sim_realloc(a->blocks, (a->nblocks + 1) * sizeof *a->blocks);
        a->blocks[a->nblocks++] = sim_alloc(a->room);
        at = 0;
    }
    a->used = at + size;
    return a->blocks[a->nblocks - 1] + at;
}

static char *path_copy(struct sim__figure_arena *a, const char *path)
{
    size_t len = strlen(path) + 1;
    return memcpy(arena_alloc(a, len), path, len);
}

/* Room for n values, each NaN (no figure yet), the first `keep` copied from old. */
static double *values_alloc(struct sim__figure_arena *a, int n, const double *old, int keep)
{
    double *v = arena_alloc(a, (size_t)n * sizeof *v);
    for (int r = 0; r < n; r++) v[r] = r < keep ? old[r] : NAN;
    return v;
}

static void arena_fini(struct sim__figure_arena *a)
{
    for (size_t i = 0; i < a->nblocks; i++) sim_free(a->blocks[i]);
    sim_free(a->blocks);
    *a = (struct sim__figure_arena){0};
}

static struct sim__metric *metric(struct sim__results *res, const char *path, enum sim_unit unit,
                                  int direction)
{
    /* Replications report in the same order, so the next slot is nearly always it. */
    if (res->cursor < res->n && !strcmp(res->metrics[res->cursor].path, path))
        return &res->metrics[res->cursor++];
    uint32_t at = sim__namemap_get(&res->index, path);
    if (at) {
        res->cursor = at;
        return &res->metrics[at - 1];
    }
    if (res->n == res->cap) {
        res->cap = res->cap ? res->cap * 2 : 64;
        res->metrics = sim_realloc(res->metrics, res->cap * sizeof *res->metrics);
    }
    struct sim__metric *m = &res->metrics[res->n++];
    *m = (struct sim__metric){0};
    m->path = path_copy(&res->arena, path);
    m->unit = unit;
    m->direction = direction;
    m->values = values_alloc(&res->arena, res->replications, NULL, 0);
    sim__namemap_put(&res->index, m->path, (uint32_t)res->n);
    res->cursor = res->n;
    return m;
}

void sim_report(struct sim_report *rep, const char *path, double value, int unit)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", rep->prefix, path);
    int direction = unit & SIM_LOWER_BETTER ? -1 : unit & SIM_HIGHER_BETTER ? 1 : 0;
    enum sim_unit u = (enum sim_unit)(unit & ~(SIM_LOWER_BETTER | SIM_HIGHER_BETTER));
    metric(rep->res, full, u, direction)->values[rep->replication] = value;
}

static struct sim__hist_pool *hist_pool_create(int replications)
{
    struct sim__hist_pool *p = sim_alloc(sizeof *p);
    p->all = (struct sim__pooled){0};
    p->nreps = replications;
    p->reps = sim_alloc((size_t)replications * sizeof *p->reps);
    for (int r = 0; r < replications; r++) p->reps[r] = (struct sim__pooled){0};
    return p;
}

static void hist_pool_destroy(struct sim__hist_pool *p)
{
    sim__pooled_fini(&p->all);
    for (int r = 0; r < p->nreps; r++) sim__pooled_fini(&p->reps[r]);
    sim_free(p->reps);
    sim_free(p);
}

void sim_report_errors(struct sim_report *rep, const uint64_t errors[SIM_STATUS_COUNT], int unit)
{
    for (int k = SIM_OK + 1; k < SIM_STATUS_COUNT; k++) {
        char path[64];
        snprintf(path, sizeof path, "errors.%s", sim_status_name((enum sim_status)k));
        sim_report(rep, path, (double)errors[k], unit);
    }
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
    sim_report(rep, p, sim_hist_mean(h) / SIM_S, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    struct sim__metric *count = &rep->res->metrics[rep->res->cursor - 1];
    if (!count->pool) count->pool = hist_pool_create(rep->res->replications);
    count->owns_pool = true;
    sim__pooled_add(&count->pool->all, h);
    sim__pooled_add(&count->pool->reps[rep->replication], h);
    struct sim__hist_pool *pool = count->pool;
    for (size_t i = 0; i < sizeof quantiles / sizeof *quantiles; i++) {
        snprintf(p, sizeof p, "%s.%s", path, quantiles[i].name);
        sim_report(rep, p, (double)sim_hist_quantile(h, quantiles[i].q) / SIM_S,
                   SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
        struct sim__metric *m = &rep->res->metrics[rep->res->cursor - 1];
        m->quantile = quantiles[i].q;
        m->pool = pool;
    }
    snprintf(p, sizeof p, "%s.max", path);
    sim_report(rep, p, h->count ? (double)h->max / SIM_S : 0, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
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
    if (r == 0) sim_hist_fini(&res->latency); /* empty, whatever it held */
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
        if ((res->nnodes & (res->nnodes - 1)) == 0) /* 0, 1, 2, 4...: double when full */
            res->nodes = sim_realloc(res->nodes, (size_t)(res->nnodes ? 2 * res->nnodes : 1) *
                                                     sizeof *res->nodes);
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
    struct sim_world *world;        /* built already (replication 0 of a lone scenario) */
    const struct sim__scenario *sc; /* the scenario world was built from */
    struct sim__results *part;
    uint64_t events;
    size_t budget; /* bytes this replication may hold */
};

/* How a running world reaches the progress line and its timeline (the kernel sees only
 * these pointers). */
static void report_progress(struct sim_world *w)
{
    sim__progress_update(w->progress, w->progress_slot, w->now, w->events - w->progress_events);
}

static const struct sim__run_hooks run_hooks = {report_progress, sim__timeline_start,
                                                sim__timeline_finish};

static void run_task(int i, void *ctx)
{
    struct task *t = (struct task *)ctx + i;
    char err[1024];
    struct sim_loader *ld = NULL;
    struct sim__scenario own = {0};
    const struct sim__scenario *sc = t->sc;
    struct sim_world *w = t->world;
    if (!w) {
        ld = sim__loader_parse(t->label, t->text, strlen(t->text), err, sizeof err);
        if (ld && sim__scenario_read(ld, &own)) w = sim__world_build(ld, &own, t->replication);
        sc = &own;
    }
    if (!w) {
        /* The same text was built once already: failing now is a bug, not bad input. */
        fprintf(stderr, "archsim: internal error: replication %d: %s\n", t->replication,
                ld ? sim__loader_error(ld) : err);
        exit(3);
    }
    w->timeline = t->timeline;
    w->progress = t->progress;
    w->run_hooks = &run_hooks;
    w->memory_budget = t->budget;
    w->progress_slot = i;
    struct sim__text story = {0};
    if (t->replication == 0 && w->faults) w->story = &story; /* the drill's narrative */
    if (t->replication == 0) w->series = sim__series_create(sc->duration);
    sim__world_run(w);
    t->part = sim_alloc(sizeof *t->part);
    t->part->replications = 1;
    t->part->detected_warmup = w->series ? sim__mser(w->series) : SIM__MSER_NONE;
    if (w->series) { /* a cut past the warm-up that noise explains is no news */
        sim_time cut = t->part->detected_warmup == SIM__MSER_UNSETTLED ? sc->duration / 2
                                                                        : t->part->detected_warmup;
        if (cut > sc->warmup && !sim__transient_real(w->series, sc->warmup, cut))
            t->part->detected_warmup = sc->warmup;
    }
    sim__series_destroy(w->series);
    w->series = NULL;
    sim__results_collect(t->part, w, 0);
    t->part->story = story.text;
    if (w->over_budget) sim__budget_verdict(w, &t->part->unstable);
    if (w->faults) {
        t->part->fault_marks = w->faults->marks.text;
        w->faults->marks.text = NULL;
    }
    t->events = w->events;
    sim__world_destroy(w);
    if (ld) sim__scenario_fini(&own);
    sim__loader_destroy(ld);
}

/* Folds one replication's figures into res as replication r. */
static void merge(struct sim__results *res, struct sim__results *part, int r)
{
    res->cursor = 0;
    if (res->n == 0) {
        /* The first part's figures become res's, index and all: no copy, no second map
         * (10^5 faults report 2.5 million figures). Its histogram pools are resized to
         * res's replications. */
        sim_free(res->metrics);
        sim__namemap_fini(&res->index);
        res->metrics = part->metrics;
        res->n = res->cap = part->n;
        res->index = part->index;
        arena_fini(&res->arena);
        res->arena = part->arena;
        part->arena = (struct sim__figure_arena){0};
        struct sim__hist_pool *owner = NULL;
        for (size_t i = 0; i < res->n; i++) {
            struct sim__metric *m = &res->metrics[i];
            double v = m->values[0];
            if (res->replications > 1) m->values = values_alloc(&res->arena, res->replications, NULL, 0);
            for (int k = 0; k < res->replications; k++) m->values[k] = NAN;
            m->values[r] = v;
            if (m->owns_pool) {
                owner = hist_pool_create(res->replications);
                owner->all = m->pool->all;
                owner->reps[r] = m->pool->reps[0];
                m->pool->all = m->pool->reps[0] = (struct sim__pooled){0};
                hist_pool_destroy(m->pool);
                m->pool = owner;
            } else if (m->quantile > 0 && owner) {
                m->pool = owner;
            }
        }
        part->metrics = NULL;
        part->n = part->cap = 0;
        part->index = (struct sim__namemap){0};
    }
    struct sim__hist_pool *pool = NULL; /* the histogram whose figures come next */
    for (size_t i = 0; i < part->n; i++) {
        struct sim__metric *m = &part->metrics[i];
        struct sim__metric *into = metric(res, m->path, m->unit, m->direction);
        into->values[r] = m->values[0];
        if (m->owns_pool) {
            if (!into->pool) into->pool = hist_pool_create(res->replications);
            into->owns_pool = true;
            pool = into->pool;
            sim__pooled_merge(&pool->all, &m->pool->all);
            sim__pooled_fini(&pool->reps[r]);
            pool->reps[r] = m->pool->reps[0]; /* moved: the part is destroyed next */
            m->pool->reps[0] = (struct sim__pooled){0};
        } else if (m->quantile > 0 && pool) {
            into->quantile = m->quantile;
            into->pool = pool;
        }
    }
    sim_hist_merge(&res->latency, &part->latency);
    if (part->unstable.on && !res->unstable.on) { /* moved: the part is destroyed next */
        res->unstable = part->unstable;
        part->unstable = (struct sim__unstable){0};
    }
    if (r == 0) {
        res->detected_warmup = part->detected_warmup;
        res->story = part->story;
        res->fault_marks = part->fault_marks;
        part->story = part->fault_marks = NULL;
    }
}

/* tl: replication 0's timeline of the first scenario, or NULL; out[0] owns it from here. */
static bool run_many(struct sim_loader **lds, const struct sim__scenario *scs, int n,
                     struct sim__timeline *tl, int threads, struct sim__results **out)
{
    /* Build replication 0 of each here first: bad input is reported through its loader,
     * and the design's description comes from it. */
    int ntasks = 0;
    struct sim_world *kept = NULL; /* a lone scenario's replication 0: built once, not twice */
    for (int k = 0; k < n; k++) {
        out[k] = NULL;
        struct sim_world *first = sim__world_build(lds[k], &scs[k], 0);
        if (!first) {
            for (int j = 0; j < k; j++) {
                sim__results_destroy(out[j]);
                out[j] = NULL; /* the caller destroys what it holds: not twice */
            }
            sim__timeline_destroy(tl);
            return false;
        }
        out[k] = sim_alloc(sizeof *out[k]);
        out[k]->replications = scs[k].replications;
        sim_hist_init(&out[k]->latency);
        sim__results_describe(out[k], first);
        if (n == 1) kept = first;
        else sim__world_destroy(first);
        ntasks += scs[k].replications;
    }
    out[0]->timeline = tl;

    sim_time total = 0;
    for (int k = 0; k < n; k++) total += scs[k].duration * scs[k].replications;
    struct sim__progress *progress = scs[0].progress ? sim__progress_create(ntasks, total) : NULL;
    char **texts = sim_alloc((size_t)n * sizeof *texts);
    struct task *tasks = sim_alloc((size_t)ntasks * sizeof *tasks);
    /* The budget is shared by the replications that run at once. */
    int at_once = threads > 0 ? threads : sim__cores();
    if (at_once > ntasks) at_once = ntasks;
    for (int k = 0, t = 0; k < n; k++) {
        texts[k] = NULL; /* only replications built in a task need the text */
        if (!kept || scs[k].replications > 1) {
            texts[k] = cJSON_PrintUnformatted(sim__loader_json(lds[k]));
            if (!texts[k]) sim__out_of_memory();
        }
        size_t budget = (size_t)(scs[k].max_memory / at_once);
        for (int r = 0; r < scs[k].replications; r++, t++)
            tasks[t] = (struct task){sim__loader_label(lds[k]), texts[k], r, progress,
                                     k == 0 && r == 0 ? out[0]->timeline : NULL,
                                     r == 0 ? kept : NULL, &scs[k], NULL, 0, budget};
    }
    double t0 = wall_clock();
    sim__parallel_for(ntasks, threads, run_task, tasks);
    double wall = wall_clock() - t0;
    sim__progress_destroy(progress);
    if (sim__stop_requested()) sim__stop_exit(); /* every thread has joined */

    /* Merge in replication order: the figures' order is replication 0's. */
    for (int k = 0, t = 0; k < n; k++) {
        struct sim__results *res = out[k];
        res->wall_seconds = wall;
        for (int r = 0; r < scs[k].replications; r++, t++) {
            merge(res, tasks[t].part, r);
            res->events += tasks[t].events;
            sim__results_destroy(tasks[t].part);
        }
        for (size_t i = 0; i < res->n; i++) sim__metric_interval(&res->metrics[i], res->replications);
        cJSON_free(texts[k]);
    }
    sim_free(texts);
    sim_free(tasks);
    return true;
}

bool sim__run_many(struct sim_loader **lds, const struct sim__scenario *scs, int n, bool timeline,
                   int threads, struct sim__results **out)
{
    struct sim__timeline *tl = timeline ? sim__timeline_create(scs[0].timeline_interval) : NULL;
    return run_many(lds, scs, n, tl, threads, out);
}

/* A count, a time, a rate or a share is never negative, and a share never above 1: the t
 * interval is cut to that range, which keeps its coverage (the truth is inside the range)
 * and spares a report "detect [-5.7s, 19s]". half stays the t interval's half-width. */
static void keep_in_range(struct sim__metric *m, int replications)
{
    int unit = m->unit & 0xff;
    if (unit == SIM_UNIT_NUMBER) return; /* may be of either sign */
    for (int r = 0; r < replications; r++)
        if (m->values[r] < 0 || (unit == SIM_UNIT_RATIO && m->values[r] > 1)) return; /* not what its unit says */
    if (m->ci.low < 0) m->ci.low = 0;
    if (unit == SIM_UNIT_RATIO && m->ci.high > 1) m->ci.high = 1;
}

void sim__metric_interval(struct sim__metric *m, int replications)
{
    m->ci = sim_interval95(m->values, replications);
    keep_in_range(m, replications);
    const struct sim__hist_pool *p = m->pool;
    if (!(m->quantile > 0) || !p || !p->all.count) return;
    /* A replication's own high quantile is biased low in a short, autocorrelated run (its
     * tail rests on a few busy periods); the pooled histogram's much less so. */
    double x = (double)sim__pooled_quantile(&p->all, m->quantile);
    m->ci.mean = x / SIM_S;
    m->ci.low = m->ci.high = m->ci.mean;
    m->ci.half = 0;
    double *share = sim_alloc((size_t)p->nreps * sizeof *share);
    for (int r = 0; r < p->nreps; r++) share[r] = sim__pooled_cdf(&p->reps[r], x);
    struct sim_interval f = sim_interval95(share, p->nreps);
    sim_free(share);
    m->ci.n = f.n;
    if (f.n < 2) return;
    m->ci.low = (double)sim__pooled_quantile(&p->all, m->quantile - f.half) / SIM_S;
    m->ci.high = (double)sim__pooled_quantile(&p->all, m->quantile + f.half) / SIM_S;
    m->ci.half = (m->ci.high - m->ci.low) / 2;
}

struct sim__results *sim__run(struct sim_loader *ld, const struct sim__scenario *sc, bool timeline)
{
    struct sim__results *res;
    return sim__run_many(&ld, sc, 1, timeline, sc->threads, &res) ? res : NULL;
}

void sim__run_more(struct sim_loader *ld, const struct sim__scenario *sc, struct sim__results *res,
                   int more)
{
    int from = res->replications, to = from + more;
    for (size_t i = 0; i < res->n; i++) {
        struct sim__metric *m = &res->metrics[i];
        m->values = values_alloc(&res->arena, to, m->values, from); /* the old ones wait for the arena's end */
        if (m->owns_pool) { /* room for the new replications' histograms */
            struct sim__hist_pool *p = m->pool;
            p->reps = sim_realloc(p->reps, (size_t)to * sizeof *p->reps);
            for (int r = p->nreps; r < to; r++) p->reps[r] = (struct sim__pooled){0};
            p->nreps = to;
        }
    }
    res->replications = to;
    struct sim__progress *progress =
        sc->progress ? sim__progress_create(more, sc->duration * more) : NULL;
    char *text = cJSON_PrintUnformatted(sim__loader_json(ld));
    if (!text) sim__out_of_memory();
    struct task *tasks = sim_alloc((size_t)more * sizeof *tasks);
    int at_once = sc->threads > 0 ? sc->threads : sim__cores();
    if (at_once > more) at_once = more;
    size_t budget = (size_t)(sc->max_memory / at_once);
    for (int t = 0; t < more; t++)
        tasks[t] = (struct task){sim__loader_label(ld), text, from + t, progress, NULL, NULL, sc, NULL, 0, budget};
    double t0 = wall_clock();
    sim__parallel_for(more, sc->threads, run_task, tasks);
    res->wall_seconds += wall_clock() - t0;
    sim__progress_destroy(progress);
    if (sim__stop_requested()) sim__stop_exit(); /* every thread has joined */
    for (int t = 0; t < more; t++) {
        merge(res, tasks[t].part, from + t);
        res->events += tasks[t].events;
        sim__results_destroy(tasks[t].part);
    }
    for (size_t i = 0; i < res->n; i++)
        sim__metric_interval(&res->metrics[i], res->replications);
    cJSON_free(text);
    sim_free(tasks);
}

struct sim__results *sim__run_with_timeline(struct sim_loader *ld, const struct sim__scenario *sc,
                                            struct sim__timeline *tl)
{
    struct sim__results *res;
    return run_many(&ld, sc, 1, tl, sc->threads, &res) ? res : NULL;
}

int sim__unstable_warn(const char *label, const struct sim__results *res)
{
    if (!res || !res->unstable.on) return 0;
    fprintf(stderr, "archsim: %s: %s\n", label, res->unstable.message);
    return 4;
}

const struct sim__metric *sim__results_find(const struct sim__results *res, const char *path)
{
    uint32_t at = sim__namemap_get(&res->index, path);
    return at ? &res->metrics[at - 1] : NULL;
}

void sim__results_destroy(struct sim__results *res)
{
    if (!res) return;
    for (size_t i = 0; i < res->n; i++) {
        if (res->metrics[i].owns_pool) hist_pool_destroy(res->metrics[i].pool);
    }
    sim_free(res->metrics);
    arena_fini(&res->arena);
    sim__namemap_fini(&res->index);
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
    sim_hist_fini(&res->latency);
    sim__unstable_fini(&res->unstable);
    for (int i = 0; i < res->nfaults; i++) sim_free(res->faults[i]);
    sim_free(res->faults);
    sim__timeline_destroy(res->timeline);
    sim_free(res);
}
