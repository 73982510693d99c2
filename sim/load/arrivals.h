/* arrivals.h: the open-loop arrival processes whose rate varies by itself (the workload's
 * "process": "curve", "sinusoid", "mmpp"); Poisson and constant arrivals with a rate
 * schedule stay in workload.c. Each gives the time of the next arrival exactly. */
#ifndef ARCHSIM_ARRIVALS_H
#define ARCHSIM_ARRIVALS_H

#include "kernel/internal.h"

enum sim__arrival_kind { SIM__ARRIVE_CURVE, SIM__ARRIVE_SINUSOID, SIM__ARRIVE_MMPP };

struct sim__rate_point {
    double at, rate;        /* seconds, calls per second */
};

struct sim__mmpp_state {
    double rate, stay;      /* calls per second; mean time in the state, seconds */
};

struct sim__arrivals {
    enum sim__arrival_kind kind;
    /* curve: piecewise linear through points (at[0] = 0); with period > 0 it repeats, the
     * last point joined to the first one period later; else the last rate holds */
    struct sim__rate_point *points;
    int npoints, seg;       /* seg: the segment the last arrival fell in */
    double period, cycle_mass; /* a period's expected arrivals (0: none ever again) */
    double cycle_start;     /* the start of the period the last arrival fell in */
    /* sinusoid: mean + amplitude x cos(2 pi (t - peak_at) / period) */
    double mean, amplitude, peak_at;
    /* mmpp: states visited in turn, each for an exponential stay */
    struct sim__mmpp_state *states;
    int nstates, state;
    double state_until;     /* seconds */
};

/* Reads a: its "process" is one of the three (the caller checked); errors go to a. */
void sim__arrivals_configure(struct sim__arrivals *arr, struct sim_cfg *a, enum sim__arrival_kind kind);
/* The first state (mmpp: drawn from the stationary distribution), before the first call. */
void sim__arrivals_start(struct sim__arrivals *arr, struct sim_rng *rng);
/* The time of the next arrival after now, SIM_NEVER when there is none. */
sim_time sim__arrivals_next(struct sim__arrivals *arr, sim_time now, struct sim_rng *rng);
/* The long-run mean rate (a curve without a period: over its points' span). */
double sim__arrivals_mean_rate(const struct sim__arrivals *arr);
/* The highest rate the process reaches. */
double sim__arrivals_peak_rate(const struct sim__arrivals *arr);
void sim__arrivals_fini(struct sim__arrivals *arr);

#endif
