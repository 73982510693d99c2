/* harness.h: running a scenario file in-process for tests, and checking a closed-form
 * figure against a simulated one with its 95% interval. Header-only: each test binary
 * includes it once. */
#ifndef ARCHSIM_HARNESS_H
#define ARCHSIM_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "run/run.h"

struct harness_run {
    struct sim_loader *ld;
    struct sim__scenario sc;
    struct sim__results *res;
};

/* Loads FILE, applies each "path=value" override, runs every replication. */
static inline struct harness_run harness_run(const char *file, const char *const *sets, int nsets)
{
    struct harness_run h = {0};
    char err[1024];
    gsl_set_error_handler_off();
    h.ld = sim__loader_open(file, err, sizeof err);
    if (!h.ld) fail_msg("%s", err);
    for (int i = 0; i < nsets; i++)
        if (!sim__loader_set(h.ld, sets[i], err, sizeof err)) fail_msg("%s", err);
    if (!sim__scenario_read(h.ld, &h.sc)) fail_msg("%s", sim__loader_error(h.ld));
    h.res = sim__run(h.ld, &h.sc, false);
    if (!h.res) fail_msg("%s", sim__loader_error(h.ld));
    return h;
}

/* Like harness_run, from JSON text in memory (label stands for the file name in messages).
 * With timeline, replication 0's per-interval series is kept in h.res->timeline. */
static inline struct harness_run harness_run_text(const char *label, const char *text,
                                                  const char *const *sets, int nsets,
                                                  bool timeline)
{
    struct harness_run h = {0};
    char err[1024];
    gsl_set_error_handler_off();
    h.ld = sim__loader_parse(label, text, strlen(text), err, sizeof err);
    if (!h.ld) fail_msg("%s", err);
    for (int i = 0; i < nsets; i++)
        if (!sim__loader_set(h.ld, sets[i], err, sizeof err)) fail_msg("%s", err);
    if (!sim__scenario_read(h.ld, &h.sc)) fail_msg("%s", sim__loader_error(h.ld));
    h.res = sim__run(h.ld, &h.sc, timeline);
    if (!h.res) fail_msg("%s", sim__loader_error(h.ld));
    return h;
}

/* The whole of FILE as a NUL-terminated string; the caller frees it. */
static inline char *harness_read_file(const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f) fail_msg("cannot open %s", file);
    size_t cap = 4096, len = 0, n;
    char *text = malloc(cap);
    while ((n = fread(text + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) text = realloc(text, cap *= 2);
    }
    fclose(f);
    text[len] = 0;
    return text;
}

static inline void harness_done(struct harness_run *h)
{
    sim__results_destroy(h->res);
    sim__scenario_fini(&h->sc);
    sim__loader_destroy(h->ld);
}

static inline const struct sim__metric *harness_metric(const struct harness_run *h, const char *path)
{
    const struct sim__metric *m = sim__results_find(h->res, path);
    if (!m) fail_msg("no figure named %s", path);
    return m;
}

/* The measured window in seconds: a rate figure times this is the count behind it. */
static inline double harness_window(const struct harness_run *h)
{
    return (double)(h->sc.duration - h->sc.warmup) / SIM_S;
}

/* The count behind figure path in replication r: an exact integer for a rate (count over
 * the window) or a count. */
static inline double harness_count(const struct harness_run *h, const char *path, int r)
{
    const struct sim__metric *m = harness_metric(h, path);
    double x = m->unit == SIM_UNIT_RATE ? m->values[r] * harness_window(h) : m->values[r];
    return round(x);
}

/* The sum of harness_count over every replication. */
static inline double harness_total(const struct harness_run *h, const char *path)
{
    double sum = 0;
    for (int r = 0; r < h->res->replications; r++) sum += harness_count(h, path, r);
    return sum;
}

/* Prints formula and simulation side by side; fails unless the formula lies inside the
 * simulated 95% interval and the interval is tight enough to mean something. */
static inline void harness_inside(const char *what, double formula, const struct sim__metric *m,
                                  double max_relative_half)
{
    double rel = m->ci.half / fabs(m->ci.mean);
    printf("  %-44s formula %-12.6g simulated %-12.6g 95%% [%.6g, %.6g]  half-width %.2f%%\n", what,
           formula, m->ci.mean, m->ci.low, m->ci.high, 100 * rel);
    assert_true(m->ci.n >= 2);
    if (!(rel < max_relative_half))
        fail_msg("%s: interval half-width %.2f%% of the mean, wanted under %.2f%%", what, 100 * rel,
                 100 * max_relative_half);
    if (!(formula >= m->ci.low && formula <= m->ci.high))
        fail_msg("%s: formula %.6g outside the simulated interval [%.6g, %.6g]", what, formula,
                 m->ci.low, m->ci.high);
}

/* An exact figure (a count, a ratio of 0 or 1, a deterministic time): prints both and fails
 * unless got is want to within rel of want (0 for bit-for-bit equality). */
static inline void harness_exact(const char *what, double want, double got, double rel)
{
    printf("  %-44s want %-12.9g got %.9g\n", what, want, got);
    if (!(fabs(got - want) <= rel * fabs(want)))
        fail_msg("%s: got %.17g, wanted %.17g", what, got, want);
}

/* A share against its probability: fails unless k/n lies within the 95% binomial interval
 * p +- 1.96 sqrt(p (1 - p) / n). */
static inline void harness_binomial(const char *what, double p, double k, double n)
{
    double half = 1.96 * sqrt(p * (1 - p) / n), share = k / n;
    printf("  %-44s p %-8.4g observed %.0f / %.0f = %-10.6g 95%% [%.6g, %.6g]\n", what, p, k,
           n, share, p - half, p + half);
    if (!(fabs(share - p) <= half))
        fail_msg("%s: share %.6g outside the binomial interval [%.6g, %.6g]", what, share,
                 p - half, p + half);
}

/* Loads, reads and builds a scenario from text that must be refused, and returns the
 * message (the caller frees it); fails the test when the scenario is accepted. */
static inline char *harness_refusal(const char *label, const char *text)
{
    char err[1024];
    gsl_set_error_handler_off();
    struct sim_loader *ld = sim__loader_parse(label, text, strlen(text), err, sizeof err);
    if (!ld) return strdup(err);
    struct sim__scenario sc;
    bool read = sim__scenario_read(ld, &sc);
    struct sim_world *w = read ? sim__world_build(ld, &sc, 0) : NULL;
    if (w) fail_msg("accepted, expected a refusal: %s", text);
    char *message = strdup(sim__loader_error(ld) ? sim__loader_error(ld) : "(no error)");
    if (read) sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    printf("  %s\n", message);
    return message;
}

/* The same, failing the test unless the message is exactly `expected`. */
static inline void harness_refused(const char *label, const char *text, const char *expected)
{
    char *got = harness_refusal(label, text);
    if (strcmp(got, expected)) fail_msg("got '%s', expected '%s'", got, expected);
    free(got);
}

/* A scripted caller for model tests: a driver component sends one call per step, at a
 * chosen time with a chosen operation and key, to one node, and each step records its
 * answer; counts can then be exact. */
struct harness_step {
    double at; /* ms */
    int op;
    uint64_t key;
    /* filled in by the driver */
    double latency_ms;
    enum sim_status status;
    bool answered;
};

struct harness_rig {
    struct sim_loader *ld;
    struct sim__scenario sc;
    struct sim_world *w;
    struct sim__results *res; /* one replication's figures */
};

static struct sim_component *harness_target;

static inline void harness_fire(struct sim_component *self, void *arg)
{
    struct harness_step *s = arg;
    struct sim_call *c = sim_call_new(self, harness_target, NULL, s->op, s->key, SIM_NEVER);
    c->caller_data = s;
    sim_call_send(c);
}

static inline void harness_driver_respond(struct sim_component *self, struct sim_call *call)
{
    struct harness_step *s = call->caller_data;
    s->latency_ms = (double)(sim_now(self) - call->start) / SIM_MS;
    s->status = call->status;
    s->answered = true;
}

static inline void harness_driver_clear(struct sim_component *self)
{
    (void)self;
}

static inline void harness_driver_report(struct sim_component *self, struct sim_report *rep)
{
    (void)self;
    (void)rep;
}

static const struct sim_model harness_driver_model = {
    .name = "driver",
    .size = sizeof(struct sim_component),
    .respond = harness_driver_respond,
    .clear_stats = harness_driver_clear,
    .report = harness_driver_report,
};

/* Builds the scenario in text (label names it in errors), sends steps[] to the node
 * called target, runs, and fails the test unless every step was answered. */
static inline struct harness_rig harness_script(const char *label, const char *text, const char *target,
                                                struct harness_step *steps, int n)
{
    struct harness_rig r = {0};
    char err[1024];
    gsl_set_error_handler_off();
    r.ld = sim__loader_parse(label, text, strlen(text), err, sizeof err);
    if (!r.ld) fail_msg("%s", err);
    if (!sim__scenario_read(r.ld, &r.sc)) fail_msg("%s", sim__loader_error(r.ld));
    r.w = sim__world_build(r.ld, &r.sc, 0);
    if (!r.w) fail_msg("%s", sim__loader_error(r.ld));
    harness_target = sim__world_find(r.w, target);
    struct sim_component *driver = sim__world_add(r.w, &harness_driver_model, "driver");
    for (int i = 0; i < n; i++)
        sim_schedule(driver, (sim_time)llround(steps[i].at * SIM_MS), harness_fire, &steps[i]);
    sim__world_run(r.w);
    r.res = sim_alloc(sizeof *r.res);
    r.res->replications = 1;
    sim__results_collect(r.res, r.w, 0);
    for (int i = 0; i < n; i++)
        if (!steps[i].answered)
            fail_msg("step %d (key %llu) was never answered", i, (unsigned long long)steps[i].key);
    return r;
}

/* Figure path of the rig's only replication. */
static inline double harness_rig_figure(const struct harness_rig *r, const char *path)
{
    const struct sim__metric *m = sim__results_find(r->res, path);
    if (!m) fail_msg("no figure %s", path);
    return m->values[0];
}

static inline void harness_rig_done(struct harness_rig *r)
{
    sim__results_destroy(r->res);
    sim__world_destroy(r->w);
    sim__scenario_fini(&r->sc);
    sim__loader_destroy(r->ld);
}

/* The value of a timeline column (CSV from sim__timeline_csv) in the row whose interval
 * ends at t seconds; fails the test when there is no such column or row. */
static inline double harness_column_at(const char *csv, const char *column, double t)
{
    const char *eol = strchr(csv, '\n');
    int col = -1, k = 0;
    size_t n = strlen(column);
    for (const char *f = csv; f < eol; k++) {
        const char *end = f;
        while (end < eol && *end != ',') end++;
        if ((size_t)(end - f) == n && !strncmp(f, column, n)) col = k;
        f = end + 1;
    }
    if (col < 0) fail_msg("no timeline column %s", column);
    for (const char *p = eol + 1; *p; p = strchr(p, '\n') + 1) {
        if (fabs(strtod(p, NULL) - t) > 1e-9) continue;
        const char *f = p;
        for (int i = 0; i < col; i++) f = strchr(f, ',') + 1;
        return strtod(f, NULL);
    }
    fail_msg("no timeline row at %gs", t);
    return NAN;
}

#endif
