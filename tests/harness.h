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

#include "run.h"

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

#endif
