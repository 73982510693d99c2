/* dist.h: a distribution's representation, shared by the sampler (kernel/dist.c) and the
 * reader that builds it from JSON (load/dist_config.c); models see only sim.h's API. */
#ifndef ARCHSIM_DIST_H
#define ARCHSIM_DIST_H

#include "internal.h"

enum sim__dist_kind { DIST_CONSTANT, DIST_EXPONENTIAL, DIST_UNIFORM, DIST_NORMAL, DIST_LOGNORMAL, DIST_GAMMA, DIST_WEIBULL, DIST_PARETO,
            DIST_HYPEREXP, DIST_MIXTURE, DIST_EMPIRICAL };

/* Owned by the loader. The meaning of a and b depends on the kind (see sim_dist_draw);
 * cum[i] is the probability of parts 0..i (for empirical: percentile i / 100). */
struct sim_dist {
    enum sim__dist_kind kind;
    double a, b;
    double mean, variance;
    int n;
    double *cum;
    double *x;                     /* hyperexp: phase means; empirical: values */
    const struct sim_dist **part;  /* mixture: components, owned by the loader too */
    char *text;                    /* sim_dist_describe; NULL means "0" */
};

#endif
