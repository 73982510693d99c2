/* fault_report.c: measuring each fault. An occurrence is one target's span from the
 * fault's start to its end; models credit detection, restoration and lost writes to the
 * occurrences open on a node. A client request whose life overlaps a fault's span (from
 * its first target failing to its last coming back) counts as "during" it, so the calls a
 * hang held and its restart failed are the hang's. The SLO window: availability over the last window (ten buckets) is checked
 * at every bucket boundary, and a breach is credited to every fault on when it was seen,
 * or that ended at most two buckets before, or that began during it. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "fault.h"

const char *sim__target_name(struct sim_world *w, const struct sim__target *t, char *buf, size_t n)
{
    if (t->comp < 0) return t->spec->label;
    if (t->named) return t->named;
    if (t->instance < 0) return w->components[t->comp]->name;
    snprintf(buf, n, "%s.%d", w->components[t->comp]->name, t->instance);
    return buf;
}

static double secs(sim_time t)
{
    return (double)t / SIM_S;
}

/* ---- the story ---- */

/* A drill tells its first lines; past them the story says it stops (the figures still count
 * every occurrence), so a fault with mtbf over a long run keeps constant memory. The
 * pictures shade the first occurrences only. */
#define STORY_MAX_LINES 1000

bool sim_story_on(const struct sim_component *self)
{
    const struct sim_world *w = self->world;
    return w->story != NULL && w->story_lines < STORY_MAX_LINES;
}

void sim_story(struct sim_component *self, const char *fmt, ...)
{
    struct sim_world *w = self->world;
    if (!sim_story_on(self)) return;
    const char *who = self->name[0] == '@' ? "" : self->name;
    sim__text_add(w->story, "%12.3fs  %s%s", secs(sim_now(self)), who, *who ? ": " : "");
    va_list ap;
    va_start(ap, fmt);
    sim__text_vadd(w->story, fmt, ap);
    va_end(ap);
    sim__text_add(w->story, "\n");
    if (++w->story_lines == STORY_MAX_LINES)
        sim__text_add(w->story, "%12s  (the story stops after %d lines; the figures below count "
                                "every occurrence)\n", "...", STORY_MAX_LINES);
}

static void mark_occurrence(struct sim__faults *fs, const struct sim__fault_spec *f,
                            const struct sim__target *t, sim_time end)
{
    if (!fs->base.world->story || fs->nmarks >= SIM_FAULT_MARKS_MAX) return;
    fs->nmarks++;
    sim__text_add(&fs->marks, "%d %.9g %.9g %.9g %.9g\n", f->id, secs(t->begin), secs(end),
                  t->detected >= 0 ? secs(t->detected) : -1, t->restored >= 0 ? secs(t->restored) : -1);
}

/* ---- the clients' recovery: the SLO buckets below the objective ---- */

static void watch(struct sim__faults *fs, struct sim__target *t)
{
    if (t->watch_at >= 0) return;
    if (fs->nwatch == fs->watch_cap) {
        fs->watch_cap = fs->watch_cap ? 2 * fs->watch_cap : 16;
        fs->watch = sim_realloc(fs->watch, (size_t)fs->watch_cap * sizeof *fs->watch);
    }
    t->watch_at = fs->nwatch;
    fs->watch[fs->nwatch++] = t;
}

/* The occurrence's clients are back: at the end of its last bad bucket (its begin when
 * none was bad). */
static void service_back(struct sim__faults *fs, struct sim__target *t)
{
    struct sim__fault_spec *f = t->spec;
    f->service_back++;
    f->service_sum += secs(t->bad_until - t->begin);
    struct sim__target *last = fs->watch[--fs->nwatch];
    fs->watch[t->watch_at] = last;
    last->watch_at = t->watch_at;
    t->watch_at = -1;
}

/* At the end of a bucket: a bucket whose success ratio is below the objective extends every
 * watched occurrence; a good one ends the watch of those already over. A bucket in which no
 * request ended says nothing. */
static void service_bucket(struct sim__faults *fs, uint64_t ok, uint64_t total, sim_time end)
{
    if (!total) return;
    bool bad = (double)ok / (double)total < fs->slo_target;
    for (int i = fs->nwatch - 1; i >= 0; i--) {
        struct sim__target *t = fs->watch[i];
        if (bad) t->bad_until = end;
        else if (!t->on) service_back(fs, t);
    }
}

/* The calls each node received during the span that ends now. */
static void close_span(struct sim__faults *fs, struct sim__fault_spec *f, sim_time now)
{
    for (int c = 0; c < fs->ncomponents; c++) f->during_calls[c] += fs->received[c] - f->snap[c];
    f->during_time += now - f->span_begin;
}

void sim__fault_mark(struct sim__faults *fs, struct sim__fault_spec *f, struct sim__target *t,
                     bool begins)
{
    struct sim_component *self = &fs->base;
    sim_time now = sim_now(self);
    char buf[SIM__TARGET_NAME_MAX];
    const char *name = sim__target_name(self->world, t, buf, sizeof buf);
    t->on = begins;
    if (begins) {
        if (t->watch_at >= 0) service_back(fs, t); /* the last occurrence's clients: back now */
        t->begin = t->bad_until = now;
        watch(fs, t);
        t->end = SIM_NEVER;
        t->detected = t->restored = -1;
        if (f->on++ == 0) {
            f->span_begin = now;
            f->span_end = SIM_NEVER;
            memcpy(f->snap, fs->received, (size_t)fs->ncomponents * sizeof *f->snap);
        }
        f->occurrences++;
        if (f->on == 1 && f->in_episode == false && fs->below) f->in_episode = true;
        sim_story(self, "fault %d begins: %s %s", f->id, name,
                  f->kind == SIM_FAULT_PARTITION ? "cuts the network" : sim__fault_kind_name(f->kind));
        return;
    }
    t->end = now;
    if (--f->on == 0) {
        f->span_end = now;
        close_span(fs, f, now);
    }
    mark_occurrence(fs, f, t, now);
    f->downtime += secs(now - t->begin);
    sim_time back = t->restored >= 0 && t->restored < now ? t->restored : now;
    f->back++;
    f->back_sum += secs(back - t->begin);
    f->last_end = now;
    sim_story(self, "fault %d ends: %s is back after %.3fs", f->id, name, secs(now - t->begin));
}

/* Whether the target covers (comp, instance): the same node, and the same instance when
 * both name one. */
static bool covers(const struct sim__target *t, int comp, int instance)
{
    return t->comp == comp && (t->instance < 0 || instance < 0 || t->instance == instance);
}

/* A partition covers every node on either of its sides (by name, or by the zone the node
 * or the instance sits in): what cannot be reached through it is what it broke. */
static bool cut_off(const struct sim__faults *fs, const struct sim__target *t,
                    struct sim_component *node, int instance)
{
    const struct sim__fault_spec *f = t->spec;
    if (f->kind != SIM_FAULT_PARTITION || node->index < 0 || node->index >= fs->ncomponents)
        return false;
    if (f->comp_side[node->index]) return true;
    int z = sim_zone_of(node, instance);
    return z >= 0 && f->zone_side[z];
}

typedef void (*credit_fn)(struct sim__fault_spec *f, struct sim__target *t, sim_time now,
                          void *arg);

/* Calls fn for every occurrence on now that covers the node (and instance). */
static void each_open(struct sim_component *node, int instance, credit_fn fn, void *arg)
{
    struct sim__faults *fs = node->world->faults;
    if (!fs) return;
    sim_time now = sim_now(node);
    for (int i = 0; i < fs->nspecs; i++) {
        struct sim__fault_spec *f = &fs->specs[i];
        for (int k = 0; k < f->ntargets; k++) {
            struct sim__target *t = &f->targets[k];
            if (t->on && (covers(t, node->index, instance) || cut_off(fs, t, node, instance)))
                fn(f, t, now, arg);
        }
    }
}

static void credit_detect(struct sim__fault_spec *f, struct sim__target *t, sim_time now,
                          void *arg)
{
    if (t->detected >= 0) return;
    t->detected = now;
    f->detected++;
    f->detect_sum += secs(now - t->begin);
    char buf[SIM__TARGET_NAME_MAX];
    const char *name = sim__target_name(((struct sim_component *)arg)->world, t, buf, sizeof buf);
    sim_story(arg, "detects fault %d on %s, %.3fs after it began", f->id, name,
              secs(now - t->begin));
}

void sim_fault_detected(struct sim_component *by, struct sim_component *node, int instance)
{
    each_open(node, instance, credit_detect, by);
}

static void credit_restore(struct sim__fault_spec *f, struct sim__target *t, sim_time now,
                           void *arg)
{
    if (t->restored >= 0) return;
    t->restored = now;
    f->restored++;
    f->restore_sum += secs(now - t->begin);
    char buf[SIM__TARGET_NAME_MAX];
    const char *name = sim__target_name(((struct sim_component *)arg)->world, t, buf, sizeof buf);
    sim_story(arg, "service of %s restored (fault %d still on), %.3fs after it began", name,
              f->id, secs(now - t->begin));
}

void sim_fault_restored(struct sim_component *by, struct sim_component *node, int instance)
{
    each_open(node, instance, credit_restore, by);
}

struct lost {
    uint64_t writes;
    sim_time oldest;
};

/* The window runs from the oldest lost write to the failure: writes acknowledged before the
 * occurrence began lose their data when it begins, even when the loss is only found later
 * (a failover finds it at the promotion); a loss of later writes is counted to now. */
static sim_time lost_until(const struct sim__target *t, sim_time now, sim_time oldest)
{
    return oldest <= t->begin ? t->begin : now;
}

static void credit_lost(struct sim__fault_spec *f, struct sim__target *t, sim_time now, void *arg)
{
    const struct lost *l = arg;
    f->lost_writes += l->writes;
    double window = l->writes ? secs(lost_until(t, now, l->oldest) - l->oldest) : 0;
    if (window > f->lost_window) f->lost_window = window;
}

void sim_fault_lost_writes(struct sim_component *node, int instance, uint64_t writes,
                           sim_time oldest)
{
    struct lost l = {writes, oldest};
    each_open(node, instance, credit_lost, &l);
    if (writes)
        sim_story(node, "%llu acknowledged writes lost, the oldest acknowledged at %.3fs",
                  (unsigned long long)writes, secs(oldest));
}

/* ---- client requests and the SLO window ---- */

static void roll(struct sim__faults *fs, int64_t bucket)
{
    if (bucket - fs->bucket > SLO_BUCKETS) fs->bucket = bucket - SLO_BUCKETS - 1;
    while (fs->bucket < bucket) {
        fs->bucket++;
        int s = (int)(fs->bucket % (SLO_BUCKETS + 1));
        fs->ok[s] = fs->total[s] = 0;
    }
}

void sim__faults_outcome(struct sim_world *w, enum sim_status status, sim_time start)
{
    struct sim__faults *fs = w->faults;
    roll(fs, w->now / fs->bucket_width);
    int s = (int)(fs->bucket % (SLO_BUCKETS + 1));
    fs->total[s]++;
    fs->ok[s] += status == SIM_OK;
    fs->all_finished++;
    fs->all_ok += status == SIM_OK;
    for (int i = 0; i < fs->nspecs; i++) {
        struct sim__fault_spec *f = &fs->specs[i];
        if (f->span_begin < 0 || start >= f->span_end || w->now < f->span_begin) continue;
        f->finished++;
        f->failed[status]++;
    }
}

/* The window's availability (NAN when no request ended in it). */
static double window_availability(const struct sim__faults *fs)
{
    uint64_t ok = 0, total = 0;
    int now = (int)(fs->bucket % (SLO_BUCKETS + 1));
    for (int s = 0; s <= SLO_BUCKETS; s++)
        if (s != now) {
            ok += fs->ok[s];
            total += fs->total[s];
        }
    return total ? (double)ok / (double)total : NAN;
}

static sim_time slo_tick(struct sim_component *self, void *arg)
{
    (void)arg;
    struct sim__faults *fs = (struct sim__faults *)self;
    sim_time now = sim_now(self);
    int last = (int)(fs->bucket % (SLO_BUCKETS + 1)); /* the bucket that ends now */
    if (fs->bucket == now / fs->bucket_width - 1) service_bucket(fs, fs->ok[last], fs->total[last], now);
    roll(fs, now / fs->bucket_width);
    double a = window_availability(fs);
    bool below = a < fs->slo_target;
    if (below && !fs->below) {
        fs->breaches++;
        sim_story(self, "availability over the last %.3gs falls to %.2f%%, below the %.2f%% "
                        "objective", secs(fs->slo_window), 100 * a, 100 * fs->slo_target);
        for (int i = 0; i < fs->nspecs; i++) {
            struct sim__fault_spec *f = &fs->specs[i];
            /* A check at a bucket boundary sees a breach up to a bucket late. */
            f->in_episode = f->on || (f->last_end != SIM_NEVER &&
                                      now - f->last_end <= 2 * fs->bucket_width);
        }
    } else if (!below && fs->below) {
        sim_story(self, "availability over the last %.3gs is back above the objective (%.2f%%)",
                  secs(fs->slo_window), 100 * a);
        for (int i = 0; i < fs->nspecs; i++) fs->specs[i].in_episode = false;
    }
    fs->below = below;
    if (below) {
        fs->outage_total += fs->bucket_width;
        for (int i = 0; i < fs->nspecs; i++) {
            struct sim__fault_spec *f = &fs->specs[i];
            if (f->on) f->in_episode = true;
            if (!f->in_episode) continue;
            if (!f->outage) f->outage_first = now - fs->bucket_width;
            f->outage += fs->bucket_width;
            f->outage_last = now;
        }
    }
    return fs->bucket_width;
}

void sim__faults_slo_start(struct sim__faults *fs)
{
    fs->bucket = 0;
    sim_every(&fs->base, fs->bucket_width, slo_tick, NULL);
}

/* ---- report and timeline ---- */

static void figure(struct sim_report *rep, const struct sim__fault_spec *f, const char *leaf,
                   double v, int unit)
{
    char path[192]; /* "faults.<id>." and a leaf of up to 159 */
    snprintf(path, sizeof path, "faults.%d.%s", f->id, leaf);
    sim_report(rep, path, v, unit);
}

/* An objective met: 1 or 0, NAN when none is set or nothing measured it. */
static double met(sim_time objective, double achieved)
{
    if (objective < 0 || isnan(achieved)) return NAN;
    return achieved <= secs(objective) ? 1 : 0;
}

/* What each node carried while the fault was on, and otherwise (calls per second): the
 * survivors' extra load, the database's while the cache is down. */
static void report_load(struct sim__faults *fs, struct sim__fault_spec *f, struct sim_report *rep)
{
    struct sim_world *w = fs->base.world;
    sim_time now = sim_now(&fs->base);
    if (f->on) { /* the span still open at the end */
        close_span(fs, f, now);
        f->span_begin = now;
        memcpy(f->snap, fs->received, (size_t)fs->ncomponents * sizeof *f->snap);
    }
    double during = secs(f->during_time), otherwise = secs(now) - during;
    for (int c = 0; c < fs->ncomponents; c++) {
        const char *name = w->components[c]->name;
        if (name[0] == '@') continue;
        char leaf[160];
        snprintf(leaf, sizeof leaf, "load.%s.during", name);
        figure(rep, f, leaf, during > 0 ? (double)f->during_calls[c] / during : NAN, SIM_UNIT_RATE);
        snprintf(leaf, sizeof leaf, "load.%s.otherwise", name);
        figure(rep, f, leaf, otherwise > 0 ? (double)(fs->received[c] - f->during_calls[c]) / otherwise : NAN,
               SIM_UNIT_RATE);
    }
}

/* Nines of an availability: 0.999 is 3; NAN for a perfect one. */
static double nines(double a)
{
    return a < 1 ? -log10(1 - a) : NAN;
}

static void report_fault(struct sim__faults *fs, struct sim__fault_spec *f,
                         struct sim_report *rep)
{
    sim_time now = sim_now(&fs->base);
    /* Occurrences still on at the end: back only if something restored them. */
    double back_sum = f->back_sum, back_n = (double)f->back, downtime = f->downtime;
    bool never_back = false;
    for (int k = 0; k < f->ntargets; k++) {
        const struct sim__target *t = &f->targets[k];
        if (!t->on) continue;
        mark_occurrence(fs, f, t, now);
        downtime += secs(now - t->begin);
        if (t->restored >= 0) {
            back_sum += secs(t->restored - t->begin);
            back_n++;
        } else {
            never_back = true;
        }
    }
    double n = (double)f->occurrences;
    figure(rep, f, "occurrences", n, SIM_UNIT_COUNT);
    figure(rep, f, "detected", n ? (double)f->detected / n : NAN, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
    double detect = f->detected ? f->detect_sum / (double)f->detected : NAN;
    figure(rep, f, "detect", detect, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    /* Occurrences still on and not restored at the end are censored: left out of the mean
     * (a fault that never ends has no recovery time), but they fail its objective. */
    double recover = back_n ? back_sum / back_n : NAN;
    figure(rep, f, "recover", recover, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    figure(rep, f, "restored", f->restored ? f->restore_sum / (double)f->restored : NAN,
           SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    /* Occurrences whose clients were still failing at the end are censored, like recover's. */
    double service_sum = f->service_sum, service_n = (double)f->service_back;
    for (int k = 0; k < f->ntargets; k++) {
        const struct sim__target *t = &f->targets[k];
        if (t->watch_at >= 0 && t->bad_until < now - fs->bucket_width) {
            service_sum += secs(t->bad_until - t->begin);
            service_n++;
        }
    }
    figure(rep, f, "service_recover", service_n ? service_sum / service_n : NAN,
           SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    figure(rep, f, "downtime", downtime, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    if (f->mtbf && f->ntargets) {
        double up = 1 - downtime / (secs(now) * f->ntargets);
        figure(rep, f, "availability", up, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
        figure(rep, f, "nines", nines(up), SIM_UNIT_NUMBER | SIM_HIGHER_BETTER);
    }
    figure(rep, f, "outage", secs(f->outage), SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    figure(rep, f, "rpo_writes", (double)f->lost_writes, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    figure(rep, f, "rpo_window", f->lost_window, SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    if (f->rto_objective >= 0) {
        figure(rep, f, "rto_objective", secs(f->rto_objective), SIM_UNIT_SECONDS);
        figure(rep, f, "rto_met", never_back ? 0 : met(f->rto_objective, recover), SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
    }
    if (f->rpo_objective >= 0) {
        figure(rep, f, "rpo_objective", secs(f->rpo_objective), SIM_UNIT_SECONDS);
        figure(rep, f, "rpo_met", met(f->rpo_objective, f->lost_window), SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
    }
    figure(rep, f, "requests", (double)f->finished, SIM_UNIT_COUNT);
    uint64_t failed = 0;
    for (int s = SIM_OK + 1; s < SIM_STATUS_COUNT; s++) {
        char leaf[48];
        snprintf(leaf, sizeof leaf, "failed.%s", sim_status_name((enum sim_status)s));
        figure(rep, f, leaf, (double)f->failed[s], SIM_UNIT_COUNT | SIM_LOWER_BETTER);
        failed += f->failed[s];
    }
    figure(rep, f, "failed.total", (double)failed, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    report_load(fs, f, rep);
}

void sim__faults_report(struct sim_component *self, struct sim_report *rep)
{
    struct sim__faults *fs = (struct sim__faults *)self;
    for (int i = 0; i < fs->nspecs; i++) report_fault(fs, &fs->specs[i], rep);
    sim_report(rep, "slo.availability_objective", fs->slo_target, SIM_UNIT_RATIO);
    sim_report(rep, "slo.window", secs(fs->slo_window), SIM_UNIT_SECONDS);
    sim_report(rep, "slo.outage", secs(fs->outage_total), SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    sim_report(rep, "slo.breaches", (double)fs->breaches, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    double a = fs->all_finished ? (double)fs->all_ok / (double)fs->all_finished : NAN;
    sim_report(rep, "slo.availability", a, SIM_UNIT_RATIO | SIM_HIGHER_BETTER);
    sim_report(rep, "slo.nines", nines(a), SIM_UNIT_NUMBER | SIM_HIGHER_BETTER);
}

void sim__faults_sample(struct sim_component *self, struct sim_sampler *s)
{
    struct sim__faults *fs = (struct sim__faults *)self;
    for (int i = 0; i < fs->nspecs; i++) {
        char col[48];
        snprintf(col, sizeof col, "faults.%d.on", i);
        sim_sample(s, col, fs->specs[i].on > 0);
    }
    double a = window_availability(fs);
    sim_sample(s, "slo.window_availability", isnan(a) ? 1 : a);
}
