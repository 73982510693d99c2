/* verdict.c: what compare and --baseline share. The interval of a difference between two
 * runs (paired when their replications share seeds, Welch otherwise), its verdict from the
 * direction the figure declared where it was reported, the figures checked by default,
 * and the search for a figure named on the command line. */
#include <gsl/gsl_cdf.h>
#include <math.h>

#include "cli.h"

/* The two-sided Student-t quantile for a confidence level (0.95: 1.96 at infinity). */
static double t_quantile(double level, double df)
{
    return gsl_cdf_tdist_Pinv(1 - (1 - level) / 2, df > 1 ? df : 1);
}

struct sim_interval sim__paired_interval(const double *a, const double *b, int n, double level)
{
    double *d = sim_alloc((size_t)(n ? n : 1) * sizeof *d);
    for (int r = 0; r < n; r++) d[r] = b[r] - a[r];
    struct sim_interval ci = sim_interval95(d, n);
    sim_free(d);
    if (ci.n >= 2 && level != 0.95) {
        ci.half *= t_quantile(level, ci.n - 1) / t_quantile(0.95, ci.n - 1);
        ci.low = ci.mean - ci.half;
        ci.high = ci.mean + ci.half;
    }
    return ci;
}

struct sim_interval sim__paired_difference(const struct sim__metric *a, const struct sim__metric *b,
                                           int n)
{
    return sim__paired_interval(a->values, b->values, n, 0.95);
}

struct sim_interval sim__welch_interval(struct sim__sample a, struct sim__sample b, double level)
{
    struct sim_interval ci = {.mean = b.mean - a.mean, .n = a.n < b.n ? a.n : b.n};
    double va = a.n > 1 ? a.variance / a.n : 0, vb = b.n > 1 ? b.variance / b.n : 0;
    if (va + vb > 0) {
        /* Welch-Satterthwaite degrees of freedom. */
        double df = (va + vb) * (va + vb) /
                    ((a.n > 1 ? va * va / (a.n - 1) : 0) + (b.n > 1 ? vb * vb / (b.n - 1) : 0));
        ci.half = t_quantile(level, df) * sqrt(va + vb);
    }
    ci.low = ci.mean - ci.half;
    ci.high = ci.mean + ci.half;
    return ci;
}

struct sim__sample sim__sample_of(const double *values, int n)
{
    struct sim_welford w = {0};
    for (int r = 0; r < n; r++)
        if (!isnan(values[r])) sim_welford_add(&w, values[r]);
    return (struct sim__sample){w.n ? w.mean : NAN, w.n > 1 ? sim_welford_variance(&w) : 0, (int)w.n};
}

const char *sim__verdict_word(int direction, struct sim_interval diff)
{
    if (diff.n < 2 || !(diff.low > 0 || diff.high < 0)) return "no significant difference";
    bool up = diff.low > 0;
    if (!direction) return up ? "higher" : "lower";
    return up == (direction > 0) ? "better" : "worse";
}

const char *sim__figure_near(const struct sim__results *res, const char *path)
{
    const char **paths = sim_alloc((res->n + 1) * sizeof *paths);
    for (size_t i = 0; i < res->n; i++) paths[i] = res->metrics[i].path;
    const char *near = sim__closest(path, paths, res->n);
    sim_free(paths);
    return near;
}
