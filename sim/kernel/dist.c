/* dist.c: drawing from distributions on named streams, their moments and descriptions.
 * Drawing never allocates; the reader that builds a sim_dist is load/dist_config.c. */
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "dist.h"

/* The part that u in (0, 1) falls into, by the cumulative probabilities. */
static int pick(const struct sim_dist *d, double u)
{
    int i = 0;
    while (i + 1 < d->n && u >= d->cum[i]) i++;
    return i;
}

double sim_dist_draw(const struct sim_dist *d, struct sim_rng *r)
{
    switch (d->kind) {
    case DIST_CONSTANT: return d->a;
    case DIST_EXPONENTIAL: return d->a * sim_exponential(r);
    case DIST_UNIFORM: return d->a + (d->b - d->a) * sim_uniform(r);
    case DIST_NORMAL: {
        gsl_rng *g = sim_rng_gsl(r);
        double x;
        do x = d->a + gsl_ran_gaussian_ziggurat(g, d->b); /* mean > 0: accepts >= 1/2 */
        while (x < 0);
        return x;
    }
    case DIST_LOGNORMAL: return gsl_ran_lognormal(sim_rng_gsl(r), d->a, d->b);
    case DIST_GAMMA: return gsl_ran_gamma(sim_rng_gsl(r), d->a, d->b);
    case DIST_WEIBULL: return gsl_ran_weibull(sim_rng_gsl(r), d->b, d->a);
    case DIST_PARETO: return gsl_ran_pareto(sim_rng_gsl(r), d->a, d->b);
    case DIST_HYPEREXP: {
        int i = pick(d, sim_uniform(r));
        return d->x[i] * sim_exponential(r);
    }
    case DIST_MIXTURE: return sim_dist_draw(d->part[pick(d, sim_uniform(r))], r);
    case DIST_EMPIRICAL: {
        double u = sim_uniform(r);
        int lo = 0, hi = d->n - 1; /* cum[lo] <= u < cum[hi] */
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (d->cum[mid] <= u) lo = mid;
            else hi = mid;
        }
        double f = (u - d->cum[lo]) / (d->cum[hi] - d->cum[lo]);
        return d->x[lo] + f * (d->x[hi] - d->x[lo]);
    }
    }
    return 0;
}

sim_time sim_dist_draw_time(const struct sim_dist *d, struct sim_rng *r)
{
    double ns = sim_dist_draw(d, r) * 1e9;
    if (!(ns > 0)) return 0;
    if (ns >= 1e18) return 1000000000000000000;
    return (sim_time)(ns + 0.5);
}

double sim_dist_mean(const struct sim_dist *d)
{
    return d->mean;
}

double sim_dist_variance(const struct sim_dist *d)
{
    return d->variance;
}

bool sim_dist_is_zero(const struct sim_dist *d)
{
    return d->kind == DIST_CONSTANT && d->a == 0;
}

void sim_dist_describe(const struct sim_dist *d, char *buf, size_t n)
{
    snprintf(buf, n, "%s", d->text ? d->text : "0");
}
