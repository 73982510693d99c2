/* precision.c: run-length control. Instead of a fixed number of replications, a run with a
 * precision target adds replications in parallel batches until the 95% interval of every
 * watched figure is within that share of its mean, or the cap is reached. Each decision
 * reads only the figures, never the clock or the thread count: -j 1 and -j 8 run the
 * same replications and give the same bytes. */
#include <math.h>

#include "run.h"

#define PRECISION_PILOT 3 /* replications before the first estimate of a variance */

double sim__precision_gap(const struct sim__metric *m, double target)
{
    if (m->ci.n < 2 || isnan(m->ci.mean) || m->ci.half == 0) return 0;
    double scale = fabs(m->ci.mean);
    /* A rare error ratio is held to a share of one percentage point, not of itself. */
    if (m->unit == SIM_UNIT_RATIO && scale < 0.01) scale = 0.01;
    return scale > 0 ? m->ci.half / (target * scale) : INFINITY;
}

static bool watched(const char *path, const char *const *watch, int nwatch)
{
    if (!watch) return sim__headline_figure(path);
    for (int i = 0; i < nwatch; i++)
        if (!strcmp(watch[i], path)) return true;
    return false;
}

/* The watched figure furthest from the target, and its gap. */
static const struct sim__metric *furthest(const struct sim__results *res, double target,
                                          const char *const *watch, int nwatch, double *gap)
{
    const struct sim__metric *worst = NULL;
    *gap = 0;
    for (size_t i = 0; i < res->n; i++) {
        const struct sim__metric *m = &res->metrics[i];
        if (!watched(m->path, watch, nwatch)) continue;
        double g = sim__precision_gap(m, target);
        if (!worst || g > *gap) {
            worst = m;
            *gap = g;
        }
    }
    return worst;
}

struct sim__results *sim__run_precise(struct sim_loader *ld, const struct sim__scenario *sc,
                                      struct sim__timeline *tl, const char *const *watch,
                                      int nwatch)
{
    struct sim__scenario first = *sc;
    int cap = sc->max_replications;
    if (first.replications < PRECISION_PILOT) first.replications = cap < PRECISION_PILOT ? cap : PRECISION_PILOT;
    struct sim__results *res = tl ? sim__run_with_timeline(ld, &first, tl) : sim__run(ld, &first, false);
    if (!res) return NULL;
    double gap = INFINITY; /* an unstable first batch meets nothing */
    const struct sim__metric *m = NULL;
    while (!res->unstable.on && (m = furthest(res, sc->precision, watch, nwatch, &gap)) && gap > 1 &&
           res->replications < cap) {
        /* The half-width shrinks as 1/sqrt(n): aim at the n that meets the target, at most
         * doubling at once (a small pilot's variance may be far off). */
        int n = res->replications;
        double want = isfinite(gap) ? ceil(n * gap * gap) : 2.0 * n;
        int next = want > 2.0 * n ? 2 * n : (int)want;
        if (next <= n) next = n + 1;
        if (next > cap) next = cap;
        sim__run_more(ld, sc, res, next - n);
    }
    res->precision = (struct sim__precision){sc->precision, cap, m ? m->path : NULL, m ? gap * sc->precision : 0,
                                             gap <= 1};
    return res;
}

bool sim__headline_figure(const char *path)
{
    static const char *const headline[] = {"latency.mean", "latency.p50", "latency.p99",
                                           "errors.ratio", "goodput"};
    for (size_t i = 0; i < sizeof headline / sizeof *headline; i++)
        if (!strcmp(path, headline[i])) return true;
    /* nodes.<name>.utilisation, of the node itself (not of a shard or a pool) */
    if (strncmp(path, "nodes.", 6)) return false;
    const char *dot = strchr(path + 6, '.');
    return dot && !strcmp(dot, ".utilisation");
}
