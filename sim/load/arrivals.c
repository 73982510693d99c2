/* arrivals.c: non-homogeneous and modulated Poisson arrivals, each drawn exactly.
 *
 * A curve (piecewise linear rate) is sampled by inversion: the next arrival is where the
 * expected number of arrivals since now reaches an Exp(1) draw, found segment by segment
 * (within a segment the integral of a linear rate is quadratic, solved in closed form). A
 * sinusoid is sampled by thinning: candidates at the peak rate, each kept with probability
 * rate(t) / peak. A Markov-modulated process (MMPP; on-off when a state's rate is 0) draws
 * Poisson arrivals at its state's rate; a candidate past the state's end is discarded and
 * drawn again from there (exact: both clocks are memoryless). */
#include <math.h>

#include "arrivals.h"
#include "loader.h"

#define MAX_RATE 1e9

static double exp1(struct sim_rng *rng)
{
    return -log(sim_uniform(rng));
}

static sim_time to_time(double seconds)
{
    double ns = seconds * SIM_S;
    return ns < (double)SIM_NEVER ? (sim_time)llround(ns) : SIM_NEVER;
}

/* ---- curve ---- */

/* Segment i runs from points[i] to points[i + 1]; the last one, with a period, to the first
 * point one period later; without one it never ends (the last rate holds). */
static void segment(const struct sim__arrivals *a, int i, double *t0, double *r0, double *t1, double *r1)
{
    *t0 = a->points[i].at;
    *r0 = a->points[i].rate;
    if (i + 1 < a->npoints) {
        *t1 = a->points[i + 1].at;
        *r1 = a->points[i + 1].rate;
    } else if (a->period > 0) {
        *t1 = a->period;
        *r1 = a->points[0].rate;
    } else {
        *t1 = INFINITY;
        *r1 = *r0;
    }
}

/* The rate of a linear segment at t, and the arrivals expected from t to t + d. */
static double rate_at(double t0, double r0, double t1, double r1, double t)
{
    return t1 > t0 && isfinite(t1) ? r0 + (r1 - r0) * (t - t0) / (t1 - t0) : r0;
}

static double mass(double r, double slope, double d)
{
    return r * d + slope * d * d / 2;
}

/* The d >= 0 at which mass(r, slope, d) = e, knowing it is reached within the segment:
 * d = 2e / (r + sqrt(r^2 + 2 slope e)), which stays accurate when slope is tiny. */
static double solve(double r, double slope, double e)
{
    double disc = r * r + 2 * slope * e;
    return 2 * e / (r + sqrt(disc > 0 ? disc : 0));
}

static sim_time next_on_curve(struct sim__arrivals *a, sim_time now, struct sim_rng *rng)
{
    double e = exp1(rng);
    double t = (double)now / SIM_S - a->cycle_start; /* within the current period */
    if (a->period > 0 && a->cycle_mass > 0 && e > a->cycle_mass) { /* whole periods first */
        double skip = floor(e / a->cycle_mass);
        e -= skip * a->cycle_mass;
        a->cycle_start += skip * a->period;
    }
    for (;;) {
        double t0, r0, t1, r1;
        segment(a, a->seg, &t0, &r0, &t1, &r1);
        if (t < t0) t = t0;
        double slope = isfinite(t1) && t1 > t0 ? (r1 - r0) / (t1 - t0) : 0;
        double r = rate_at(t0, r0, t1, r1, t);
        double left = isfinite(t1) ? mass(r, slope, t1 - t) : INFINITY;
        if (left >= e && (r > 0 || slope > 0)) {
            double d = isfinite(t1) || slope != 0 ? solve(r, slope, e) : e / r;
            if (isfinite(t1) && t + d > t1) d = t1 - t; /* rounding at the segment's end */
            return to_time(a->cycle_start + t + d);
        }
        if (!isfinite(t1)) return SIM_NEVER; /* the last rate is 0: no more arrivals */
        e -= left;
        t = t1;
        if (++a->seg == a->npoints) {
            if (a->cycle_mass <= 0) return SIM_NEVER;
            a->seg = 0;
            a->cycle_start += a->period;
            t = 0;
        }
    }
}

static void configure_curve(struct sim__arrivals *arr, struct sim_cfg *a)
{
    int n = sim_cfg_array(a, "points");
    if (n < 1) {
        sim_cfg_error(a, "points", "expected at least one point {\"at\": ..., \"rate\": ...}");
        return;
    }
    arr->points = sim_alloc((size_t)n * sizeof *arr->points);
    for (int i = 0; i < n; i++) {
        struct sim_cfg *p = sim_cfg_item(a, "points", i);
        if (!p) return;
        arr->points[i].at = (double)sim_cfg_duration(p, "at", SIM_REQUIRED, 0, SIM_NEVER - 1) / SIM_S;
        arr->points[i].rate = sim_cfg_number(p, "rate", NAN, 0, MAX_RATE);
        if (i == 0 && arr->points[0].at != 0) sim_cfg_error(p, "at", "expected the first point at 0s");
        if (i > 0 && arr->points[i].at <= arr->points[i - 1].at)
            sim_cfg_error(p, "at", "expected times in increasing order");
    }
    arr->npoints = n;
    if (sim_cfg_has(a, "repeat")) {
        arr->period = (double)sim_cfg_duration(a, "repeat", SIM_REQUIRED, SIM_NS, SIM_NEVER - 1) / SIM_S;
        if (!(arr->period > arr->points[n - 1].at))
            sim_cfg_error(a, "repeat", "expected a period longer than the last point's time");
    }
    for (int i = 0; arr->period > 0 && i < n; i++) {
        double t0, r0, t1, r1;
        segment(arr, i, &t0, &r0, &t1, &r1);
        arr->cycle_mass += (r0 + r1) / 2 * (t1 - t0);
    }
}

/* ---- sinusoid ---- */

static double sinusoid_rate(const struct sim__arrivals *a, double t)
{
    return a->mean + a->amplitude * cos(2 * M_PI * (t - a->peak_at) / a->period);
}

static sim_time next_on_sinusoid(struct sim__arrivals *a, sim_time now, struct sim_rng *rng)
{
    double peak = a->mean + a->amplitude;
    if (!(peak > 0)) return SIM_NEVER;
    double t = (double)now / SIM_S;
    for (;;) { /* kept with probability rate / peak >= trough / peak: ends */
        t += exp1(rng) / peak;
        if (sim_uniform(rng) * peak < sinusoid_rate(a, t)) return to_time(t);
        if (t * SIM_S >= (double)SIM_NEVER) return SIM_NEVER;
    }
}

static void configure_sinusoid(struct sim__arrivals *arr, struct sim_cfg *a)
{
    double peak = sim_cfg_number(a, "peak", NAN, 0, MAX_RATE);
    double trough = sim_cfg_number(a, "trough", NAN, 0, MAX_RATE);
    if (trough > peak) sim_cfg_error(a, "trough", "expected a rate at most the peak (%g), got %g", peak, trough);
    arr->mean = (peak + trough) / 2;
    arr->amplitude = (peak - trough) / 2;
    arr->period = (double)sim_cfg_duration(a, "period", 86400 * SIM_S, SIM_MS, SIM_NEVER - 1) / SIM_S;
    arr->peak_at = (double)sim_cfg_duration(a, "peak_at", 0, 0, SIM_NEVER - 1) / SIM_S;
}

/* ---- Markov-modulated ---- */

static sim_time next_on_mmpp(struct sim__arrivals *a, sim_time now, struct sim_rng *rng)
{
    double t = (double)now / SIM_S;
    for (int idle = 0; idle <= a->nstates; ) { /* a full round of silent states: never */
        const struct sim__mmpp_state *s = &a->states[a->state];
        double c = s->rate > 0 ? t + exp1(rng) / s->rate : INFINITY;
        if (c < a->state_until) return to_time(c);
        idle = s->rate > 0 ? 0 : idle + 1;
        t = a->state_until;
        if (t * SIM_S >= (double)SIM_NEVER) return SIM_NEVER;
        a->state = (a->state + 1) % a->nstates;
        a->state_until = t + exp1(rng) * a->states[a->state].stay;
    }
    return SIM_NEVER;
}

static void configure_mmpp(struct sim__arrivals *arr, struct sim_cfg *a)
{
    int n = sim_cfg_array(a, "states");
    if (n < 2) {
        sim_cfg_error(a, "states", "expected at least two states {\"rate\": ..., \"stay\": ...}");
        return;
    }
    arr->states = sim_alloc((size_t)n * sizeof *arr->states);
    for (int i = 0; i < n; i++) {
        struct sim_cfg *s = sim_cfg_item(a, "states", i);
        if (!s) return;
        arr->states[i].rate = sim_cfg_number(s, "rate", NAN, 0, MAX_RATE);
        arr->states[i].stay = (double)sim_cfg_duration(s, "stay", SIM_REQUIRED, SIM_US, SIM_NEVER / 4) / SIM_S;
    }
    arr->nstates = n;
}

/* ---- the three together ---- */

void sim__arrivals_configure(struct sim__arrivals *arr, struct sim_cfg *a, enum sim__arrival_kind kind)
{
    memset(arr, 0, sizeof *arr);
    arr->kind = kind;
    if (sim_cfg_has(a, "rate"))
        sim_cfg_error(a, "rate", "a %s process sets its rates itself: remove \"rate\"",
                      kind == SIM__ARRIVE_CURVE ? "curve" : kind == SIM__ARRIVE_SINUSOID ? "sinusoid" : "mmpp");
    switch (kind) {
    case SIM__ARRIVE_CURVE: configure_curve(arr, a); break;
    case SIM__ARRIVE_SINUSOID: configure_sinusoid(arr, a); break;
    case SIM__ARRIVE_MMPP: configure_mmpp(arr, a); break;
    }
}

void sim__arrivals_start(struct sim__arrivals *arr, struct sim_rng *rng)
{
    arr->seg = 0;
    arr->cycle_start = 0;
    if (arr->kind != SIM__ARRIVE_MMPP) return;
    /* Stationary from the start: state i with probability stay_i / sum of stays, and a
     * residual stay that is again exponential with the same mean. */
    double total = 0;
    for (int i = 0; i < arr->nstates; i++) total += arr->states[i].stay;
    double u = sim_uniform(rng) * total;
    arr->state = arr->nstates - 1;
    for (int i = 0; i < arr->nstates - 1; i++) {
        if (u < arr->states[i].stay) {
            arr->state = i;
            break;
        }
        u -= arr->states[i].stay;
    }
    arr->state_until = exp1(rng) * arr->states[arr->state].stay;
}

sim_time sim__arrivals_next(struct sim__arrivals *arr, sim_time now, struct sim_rng *rng)
{
    switch (arr->kind) {
    case SIM__ARRIVE_CURVE: return next_on_curve(arr, now, rng);
    case SIM__ARRIVE_SINUSOID: return next_on_sinusoid(arr, now, rng);
    case SIM__ARRIVE_MMPP: return next_on_mmpp(arr, now, rng);
    }
    return SIM_NEVER;
}

double sim__arrivals_mean_rate(const struct sim__arrivals *arr)
{
    switch (arr->kind) {
    case SIM__ARRIVE_CURVE: {
        if (arr->period > 0) return arr->cycle_mass / arr->period;
        double span = arr->points[arr->npoints - 1].at, m = 0;
        if (span <= 0) return arr->points[0].rate;
        for (int i = 0; i + 1 < arr->npoints; i++)
            m += (arr->points[i].rate + arr->points[i + 1].rate) / 2 * (arr->points[i + 1].at - arr->points[i].at);
        return m / span;
    }
    case SIM__ARRIVE_SINUSOID: return arr->mean;
    case SIM__ARRIVE_MMPP: {
        double m = 0, total = 0;
        for (int i = 0; i < arr->nstates; i++) {
            m += arr->states[i].rate * arr->states[i].stay;
            total += arr->states[i].stay;
        }
        return m / total;
    }
    }
    return 0;
}

double sim__arrivals_peak_rate(const struct sim__arrivals *arr)
{
    double peak = 0;
    switch (arr->kind) {
    case SIM__ARRIVE_CURVE:
        for (int i = 0; i < arr->npoints; i++) peak = fmax(peak, arr->points[i].rate);
        break;
    case SIM__ARRIVE_SINUSOID: peak = arr->mean + arr->amplitude; break;
    case SIM__ARRIVE_MMPP:
        for (int i = 0; i < arr->nstates; i++) peak = fmax(peak, arr->states[i].rate);
        break;
    }
    return peak;
}

void sim__arrivals_fini(struct sim__arrivals *arr)
{
    sim_free(arr->points);
    sim_free(arr->states);
    memset(arr, 0, sizeof *arr);
}
