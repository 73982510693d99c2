/* dist_config.c: distributions read from JSON (sim_cfg_dist) and built from presets
 * (sim_dist_lognormal). A sim_dist is immutable once built and owned by the loader. Values
 * are in seconds for durations, plain numbers otherwise; every distribution is non-negative. */
#include <ctype.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "kernel/dist.h"
#include "kernel/text.h"
#include "loader.h"


static const char *const kind_names[] = {"constant", "exp",     "exponential", "uniform",
                                         "normal",   "lognormal", "gamma",     "weibull",
                                         "pareto",   "hyperexp", "mixture",   "empirical",
                                         NULL};
static const enum sim__dist_kind kind_of_name[] = {DIST_CONSTANT,  DIST_EXPONENTIAL, DIST_EXPONENTIAL, DIST_UNIFORM,
                                         DIST_NORMAL,    DIST_LOGNORMAL,   DIST_GAMMA,       DIST_WEIBULL,
                                         DIST_PARETO,    DIST_HYPEREXP,    DIST_MIXTURE,     DIST_EMPIRICAL};


/* What a failed read returns: draws 0, so a model can run on until the error is reported. */
static const struct sim_dist failed_dist = {.kind = DIST_CONSTANT};

/* z such that P(Z <= z) = 0.99 for a standard normal. */
#define Z99 2.3263478740408408


/* x as written in a scenario: "5ms" for durations, 0.25 for numbers. */
static void text_value(struct sim__text *t, double x, enum sim_quantity q)
{
    if (q == SIM_QTY_NUMBER) {
        sim__text_add(t, "%g", x);
        return;
    }
    double ns = x * 1e9;
    char buf[40];
    sim__format_duration(ns >= 9.2e18 ? INT64_MAX : (sim_time)llround(ns), buf, sizeof buf);
    sim__text_add(t, "%s", buf);
}

/* x cut to 3 significant digits, towards zero: a limit that is safe to quote. */
static double round_down(double x)
{
    if (!(x > 0) || !isfinite(x)) return x;
    double scale = pow(10, 2 - floor(log10(x)));
    return floor(x * scale * (1 + 1e-12)) / scale;
}

static void dist_destroy(void *p)
{
    struct sim_dist *d = p;
    sim_free(d->cum);
    sim_free(d->x);
    sim_free(d->part);
    sim_free(d->text);
    sim_free(d);
}

static struct sim_dist *dist_create(struct sim_cfg *cfg, enum sim__dist_kind kind)
{
    struct sim_dist *d = sim_alloc(sizeof *d);
    d->kind = kind;
    sim__loader_own(sim__cfg_loader(cfg), d, dist_destroy);
    return d;
}

static struct sim_dist *constant(struct sim_cfg *cfg, double x, enum sim_quantity q)
{
    struct sim_dist *d = dist_create(cfg, DIST_CONSTANT);
    d->a = d->mean = x;
    struct sim__text t = {0};
    text_value(&t, x, q);
    d->text = t.text;
    return d;
}

/* A parameter that is a time for durations ("5ms", kept in seconds) or a plain number. */
static double quantity(struct sim_cfg *c, const char *key, enum sim_quantity q, bool positive)
{
    if (q == SIM_QTY_DURATION)
        return (double)sim_cfg_duration(c, key, SIM_REQUIRED, positive ? 1 : 0, SIM_NEVER) / 1e9;
    return sim_cfg_number(c, key, NAN, positive ? DBL_MIN : 0, INFINITY);
}

/* Shapes are plain positive numbers, whatever the quantity. */
static double shape(struct sim_cfg *c, const char *key)
{
    return sim_cfg_number(c, key, NAN, DBL_MIN, INFINITY);
}

/* Γ(x) for x >= 1, INFINITY when it overflows a double. */
static double gamma_fn(double x)
{
    if (x > 1e300) return INFINITY;
    gsl_sf_result r;
    if (gsl_sf_lngamma_e(x, &r) != GSL_SUCCESS) return INFINITY;
    return exp(r.val);
}

static struct sim_dist *parse(struct sim_cfg *cfg, const char *key, enum sim_quantity q);

static void read_exponential(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                             struct sim__text *t)
{
    bool has_mean = sim_cfg_has(c, "mean"), has_rate = sim_cfg_has(c, "rate");
    if (has_mean && has_rate) {
        sim_cfg_error(c, NULL, "expected \"mean\" or \"rate\", not both");
    } else if (has_rate) {
        double rate = sim_cfg_number(c, "rate", NAN, DBL_MIN, INFINITY);
        d->a = 1 / rate;
        sim__text_add(t, "exp(rate %g%s)", rate, q == SIM_QTY_DURATION ? "/s" : "");
    } else {
        if (!has_mean) {
            sim_cfg_end(c); /* a misspelt "mean" is the likelier story */
            sim_cfg_error(c, "mean", "required field missing: expected %s (or \"rate\", per "
                                     "second)",
                          q == SIM_QTY_DURATION ? "a positive duration" : "a positive number");
            return;
        }
        d->a = quantity(c, "mean", q, true);
        sim__text_add(t, "exp(mean ");
        text_value(t, d->a, q);
        sim__text_add(t, ")");
    }
    d->mean = d->a;
    d->variance = d->a * d->a;
}

static void read_uniform(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                         struct sim__text *t)
{
    d->a = quantity(c, "min", q, false);
    d->b = quantity(c, "max", q, false);
    if (!sim_cfg_failed(c) && d->b < d->a) {
        struct sim__text lo = {0}, hi = {0};
        text_value(&lo, d->a, q);
        text_value(&hi, d->b, q);
        sim_cfg_error(c, "max", "expected a value of at least min (%s), got %s", lo.text, hi.text);
        sim_free(lo.text);
        sim_free(hi.text);
    }
    d->mean = (d->a + d->b) / 2;
    d->variance = (d->b - d->a) * (d->b - d->a) / 12;
    sim__text_add(t, "uniform(min ");
    text_value(t, d->a, q);
    sim__text_add(t, ", max ");
    text_value(t, d->b, q);
    sim__text_add(t, ")");
}

/* Normal(mu, sd) conditioned on x >= 0; the moments are those of the truncated law. */
static void read_normal(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                        struct sim__text *t)
{
    double mu = d->a = quantity(c, "mean", q, true), sd = d->b = quantity(c, "sd", q, true);
    double alpha = -mu / sd, lambda = gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha);
    d->mean = mu + sd * lambda;
    d->variance = sd * sd * (1 + alpha * lambda - lambda * lambda);
    sim__text_add(t, "normal(mean ");
    text_value(t, mu, q);
    sim__text_add(t, ", sd ");
    text_value(t, sd, q);
    sim__text_add(t, ")");
}

struct sim_dist *sim_dist_lognormal(struct sim_cfg *owner, sim_time median, sim_time p99)
{
    struct sim_dist *d = dist_create(owner, DIST_LOGNORMAL);
    double x = (double)median / 1e9, y = (double)p99 / 1e9; /* as a scenario's durations */
    d->a = log(x);
    d->b = log(y / x) / Z99;
    d->mean = exp(d->a + d->b * d->b / 2);
    d->variance = expm1(d->b * d->b) * exp(2 * d->a + d->b * d->b);
    struct sim__text t = {0};
    sim__text_add(&t, "lognormal(median ");
    text_value(&t, x, SIM_QTY_DURATION);
    sim__text_add(&t, ", p99 ");
    text_value(&t, y, SIM_QTY_DURATION);
    sim__text_add(&t, ")");
    d->text = t.text;
    return d;
}

/* zeta, sigma from one of three pairs: (mean, sd), (median, p99), (mean, p99). */
static void read_lognormal(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                           struct sim__text *t)
{
    bool mean = sim_cfg_has(c, "mean"), sd = sim_cfg_has(c, "sd"),
         median = sim_cfg_has(c, "median"), p99 = sim_cfg_has(c, "p99");
    double zeta = 0, sigma = 0, x, y;
    const char *first, *second;
    if (mean && sd && !median && !p99) {
        x = quantity(c, first = "mean", q, true);
        y = quantity(c, second = "sd", q, true);
        double s2 = log1p((y / x) * (y / x));
        sigma = sqrt(s2);
        zeta = log(x) - s2 / 2;
    } else if (median && p99 && !mean && !sd) {
        x = quantity(c, first = "median", q, true);
        y = quantity(c, second = "p99", q, true);
        if (!sim_cfg_failed(c) && y <= x)
            sim_cfg_error(c, "p99", "expected a value greater than the median");
        zeta = log(x);
        sigma = log(y / x) / Z99;
    } else if (mean && p99 && !median && !sd) {
        x = quantity(c, first = "mean", q, true);
        y = quantity(c, second = "p99", q, true);
        /* ln p99 = zeta + z sigma and ln mean = zeta + sigma^2 / 2: a quadratic in sigma. */
        double disc = Z99 * Z99 - 2 * log(y / x);
        if (!sim_cfg_failed(c) && y <= x) {
            sim_cfg_error(c, "p99", "expected a value greater than the mean for a lognormal");
        } else if (!sim_cfg_failed(c) && disc < 0) {
            struct sim__text most = {0}, got = {0};
            text_value(&most, round_down(x * exp(Z99 * Z99 / 2)), q);
            text_value(&got, y, q);
            sim_cfg_error(c, "p99", "no lognormal has this mean and a p99 of %s: the largest "
                                    "p99 possible for that mean is %s",
                          got.text, most.text);
            sim_free(most.text);
            sim_free(got.text);
        }
        sigma = Z99 - sqrt(disc > 0 ? disc : 0);
        zeta = log(x) - sigma * sigma / 2;
    } else {
        sim_cfg_end(c); /* "p95" for "p99" is better said as an unknown field */
        sim_cfg_error(c, NULL, "expected exactly one pair of parameters: \"mean\" and \"sd\", "
                               "\"median\" and \"p99\", or \"mean\" and \"p99\"");
        return;
    }
    d->a = zeta;
    d->b = sigma;
    d->mean = exp(zeta + sigma * sigma / 2);
    d->variance = expm1(sigma * sigma) * exp(2 * zeta + sigma * sigma);
    sim__text_add(t, "lognormal(%s ", first);
    text_value(t, x, q);
    sim__text_add(t, ", %s ", second);
    text_value(t, y, q);
    sim__text_add(t, ")");
}

static void read_gamma(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                       struct sim__text *t)
{
    double k = d->a = shape(c, "shape");
    bool has_mean = sim_cfg_has(c, "mean"), has_scale = sim_cfg_has(c, "scale");
    if (has_mean == has_scale) {
        sim_cfg_end(c);
        sim_cfg_error(c, NULL, "expected exactly one of \"mean\" and \"scale\" with \"shape\"");
        return;
    }
    const char *given = has_mean ? "mean" : "scale";
    double x = quantity(c, given, q, true);
    d->b = has_mean ? x / k : x;
    d->mean = k * d->b;
    d->variance = k * d->b * d->b;
    sim__text_add(t, "gamma(shape %g, %s ", k, given);
    text_value(t, x, q);
    sim__text_add(t, ")");
}

static void read_weibull(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                         struct sim__text *t)
{
    double k = d->a = shape(c, "shape"), scale = d->b = quantity(c, "scale", q, true);
    if (sim_cfg_failed(c)) return;
    double g1 = gamma_fn(1 + 1 / k), g2 = gamma_fn(1 + 2 / k);
    d->mean = scale * g1;
    d->variance = isfinite(g2) ? scale * scale * (g2 - g1 * g1) : INFINITY;
    sim__text_add(t, "weibull(shape %g, scale ", k);
    text_value(t, scale, q);
    sim__text_add(t, ")");
}

static void read_pareto(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                        struct sim__text *t)
{
    double a = d->a = shape(c, "shape"), xm = d->b = quantity(c, "scale", q, true);
    d->mean = a > 1 ? a * xm / (a - 1) : INFINITY;
    d->variance = a > 2 ? xm * xm * a / ((a - 1) * (a - 1) * (a - 2)) : INFINITY;
    sim__text_add(t, "pareto(shape %g, scale ", a);
    text_value(t, xm, q);
    sim__text_add(t, ")");
}

/* The array at key as parts: at least one, read by read_part. Returns the count. */
static int parts(struct sim_cfg *c, const char *key, struct sim_dist *d)
{
    int n = sim_cfg_array(c, key);
    if (n == 0 && !sim_cfg_failed(c)) {
        sim__cfg_expected(c, key, "a non-empty array");
        return 0;
    }
    d->n = n;
    d->cum = sim_alloc((size_t)n * sizeof *d->cum);
    return n;
}

/* cum[] holds weights; make it cumulative and exactly 1 at the end. */
static void accumulate(struct sim_dist *d, double total)
{
    double run = 0;
    for (int i = 0; i < d->n; i++) {
        run += d->cum[i];
        d->cum[i] = run / total;
    }
    if (d->n) d->cum[d->n - 1] = 1;
}

static void read_hyperexp(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                          struct sim__text *t)
{
    int n = parts(c, "phases", d);
    d->x = sim_alloc((size_t)n * sizeof *d->x + 1);
    double total = 0, m2 = 0;
    sim__text_add(t, "hyperexp(");
    for (int i = 0; i < n && !sim_cfg_failed(c); i++) {
        struct sim_cfg *phase = sim_cfg_item(c, "phases", i);
        double p = d->cum[i] = sim_cfg_number(phase, "p", NAN, 0, 1);
        double m = d->x[i] = quantity(phase, "mean", q, true);
        sim_cfg_end(phase);
        total += p;
        d->mean += p * m;
        m2 += 2 * p * m * m;
        sim__text_add(t, "%s%g: ", i ? ", " : "", p);
        text_value(t, m, q);
    }
    sim__text_add(t, ")");
    if (!sim_cfg_failed(c) && fabs(total - 1) > 1e-9)
        sim_cfg_error(c, "phases", "expected the probabilities \"p\" to add up to 1, got %.10g",
                      total);
    if (sim_cfg_failed(c)) return;
    accumulate(d, total);
    d->variance = m2 - d->mean * d->mean;
}

static void read_mixture(struct sim_cfg *c, struct sim_dist *d, struct sim__text *t,
                         enum sim_quantity q)
{
    int n = parts(c, "of", d);
    d->part = sim_alloc((size_t)n * sizeof *d->part + 1);
    double total = 0;
    for (int i = 0; i < n && !sim_cfg_failed(c); i++) {
        struct sim_cfg *item = sim_cfg_item(c, "of", i);
        d->cum[i] = sim_cfg_number(item, "weight", NAN, DBL_MIN, INFINITY);
        d->part[i] = parse(item, "value", q);
        sim_cfg_end(item);
        total += d->cum[i];
    }
    if (sim_cfg_failed(c)) return;
    double m2 = 0;
    sim__text_add(t, "mixture(");
    for (int i = 0; i < n; i++) {
        double w = d->cum[i] / total, m = d->part[i]->mean;
        d->mean += w * m;
        m2 += w * (d->part[i]->variance + m * m);
        sim__text_add(t, "%s%g: %s", i ? ", " : "", w, d->part[i]->text ? d->part[i]->text : "0");
    }
    sim__text_add(t, ")");
    d->variance = isfinite(d->mean) ? m2 - d->mean * d->mean : INFINITY;
    accumulate(d, total);
}

/* A piecewise-linear CDF through (percentile / 100, value) points from 0 to 100. */
static void read_empirical(struct sim_cfg *c, struct sim_dist *d, enum sim_quantity q,
                           struct sim__text *t)
{
    struct sim_cfg *pc = sim_cfg_object(c, "percentiles", true);
    int n = sim_cfg_size(pc);
    if (!pc) return;
    if (n < 2) {
        sim__cfg_expected(c, "percentiles", "an object with at least the percentiles \"0\" "
                                            "and \"100\"");
        return;
    }
    d->n = n;
    d->cum = sim_alloc((size_t)n * sizeof *d->cum);
    d->x = sim_alloc((size_t)n * sizeof *d->x);
    double prev = 0;
    sim__text_add(t, "empirical(");
    for (int i = 0; i < n && !sim_cfg_failed(c); i++) {
        const char *key = sim_cfg_key_at(pc, i);
        char *end;
        double pct = strtod(key, &end);
        double v = d->x[i] = quantity(pc, key, q, false);
        if (sim_cfg_failed(c)) break;
        if (!isdigit((unsigned char)*key) || *end || !(pct >= 0 && pct <= 100))
            sim_cfg_error(pc, key, "expected a percentile from 0 to 100 as the key");
        else if (i == 0 && pct != 0)
            sim_cfg_error(pc, key, "expected the first percentile to be \"0\"");
        else if (i > 0 && pct <= prev)
            sim_cfg_error(pc, key, "expected percentiles in increasing order: %s comes after %g",
                          key, prev);
        else if (i > 0 && v < d->x[i - 1])
            sim_cfg_error(pc, key, "expected a value of at least that of percentile %g", prev);
        else if (i == n - 1 && pct != 100)
            sim_cfg_error(pc, key, "expected the last percentile to be \"100\"");
        d->cum[i] = pct / 100;
        prev = pct;
        sim__text_add(t, "%sp%s ", i ? ", " : "", key);
        text_value(t, v, q);
    }
    sim__text_add(t, ")");
    sim_cfg_end(pc);
    if (sim_cfg_failed(c)) return;
    /* Uniform between neighbouring points: exact moments of the piecewise shape. */
    double m1 = 0, m2 = 0;
    for (int i = 0; i + 1 < n; i++) {
        double w = d->cum[i + 1] - d->cum[i], lo = d->x[i], hi = d->x[i + 1];
        m1 += w * (lo + hi) / 2;
        m2 += w * (lo * lo + lo * hi + hi * hi) / 3;
    }
    d->mean = m1;
    d->variance = fmax(0, m2 - m1 * m1);
}

static struct sim_dist *parse_object(struct sim_cfg *c, enum sim_quantity q)
{
    int name = sim_cfg_choice(c, "dist", -1, kind_names);
    if (!c || sim_cfg_failed(c)) return NULL;
    struct sim_dist *d = dist_create(c, kind_of_name[name]);
    struct sim__text t = {0};
    switch (d->kind) {
    case DIST_CONSTANT:
        d->a = d->mean = quantity(c, "value", q, false);
        text_value(&t, d->a, q);
        break;
    case DIST_EXPONENTIAL: read_exponential(c, d, q, &t); break;
    case DIST_UNIFORM: read_uniform(c, d, q, &t); break;
    case DIST_NORMAL: read_normal(c, d, q, &t); break;
    case DIST_LOGNORMAL: read_lognormal(c, d, q, &t); break;
    case DIST_GAMMA: read_gamma(c, d, q, &t); break;
    case DIST_WEIBULL: read_weibull(c, d, q, &t); break;
    case DIST_PARETO: read_pareto(c, d, q, &t); break;
    case DIST_HYPEREXP: read_hyperexp(c, d, q, &t); break;
    case DIST_MIXTURE: read_mixture(c, d, &t, q); break;
    case DIST_EMPIRICAL: read_empirical(c, d, q, &t); break;
    }
    d->text = t.text;
    sim_cfg_end(c);
    return sim_cfg_failed(c) ? NULL : d;
}

/* The distribution at cfg.key: an object with "dist", a duration string, or a number. */
static struct sim_dist *parse(struct sim_cfg *cfg, const char *key, enum sim_quantity q)
{
    if (!cfg || sim_cfg_failed(cfg)) return NULL;
    enum sim_cfg_type type = sim_cfg_type(cfg, key);
    if (type == SIM_CFG_OBJECT) return parse_object(sim_cfg_object(cfg, key, true), q);
    /* A bare duration or number is a constant; a bare number for a duration is an error. */
    if (type == SIM_CFG_NUMBER || (type == SIM_CFG_STRING && q == SIM_QTY_DURATION)) {
        double x = quantity(cfg, key, q, false);
        return sim_cfg_failed(cfg) ? NULL : constant(cfg, x, q);
    }
    sim__cfg_expected(cfg, key, q == SIM_QTY_DURATION
                                    ? "a distribution (a duration such as \"5ms\", or an "
                                      "object with \"dist\")"
                                    : "a distribution (a number, or an object with \"dist\")");
    return NULL;
}

struct sim_dist *sim_cfg_dist(struct sim_cfg *cfg, const char *key, enum sim_quantity q,
                              const char *fallback)
{
    struct sim_dist *d = NULL;
    if (cfg && !sim_cfg_failed(cfg)) {
        bool present = sim_cfg_has(cfg, key);
        d = sim__cfg_memo(cfg, key, (int)q);
        if (d) return d; /* the same field, read again for another replication */
        struct sim_cfg *from = fallback && !present ? sim__cfg_fallback(cfg, key, fallback) : cfg;
        if (from) d = parse(from, key, q);
        if (d) sim__cfg_memo_put(cfg, key, (int)q, d);
    }
    /* The failed stand-in is never written: every sim_dist function takes it as const. */
    return d ? d : (struct sim_dist *)&failed_dist;
}

