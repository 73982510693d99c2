/* cli.h: the parsed command line and what every command shares (engine files only). */
#ifndef ARCHSIM_CLI_H
#define ARCHSIM_CLI_H

#include "run/run.h"

#define SIM_MAX_LIST 64 /* --set, --metric, --vary, --slo given at most this often */

/* Owned by main(): strings point into argv, except sets (allocated). */
struct options {
    const char *command;
    const char *files[SIM_MAX_LIST];
    int nfiles;
    const char *sets[SIM_MAX_LIST];
    const char *set_flags[SIM_MAX_LIST]; /* as typed, "--seed 7"; NULL for a --set (allocated) */
    int nsets;
    const char *metrics[SIM_MAX_LIST];
    int nmetrics;
    const char *varies[SIM_MAX_LIST];
    int nvaries;
    const char *slos[SIM_MAX_LIST];
    int nslos;
    const char *faults[SIM_MAX_LIST]; /* --fault */
    int nfaults;
    const char *json, *timeline, *csv, *plot, *html, *baseline, *junit, *minimise;
    double tolerance, precision; /* ratios; NAN when not given */
    bool quiet, timing, independent, svg;
    /* The text report goes to text: stdout, or a sink that drops it (report false) under
     * --quiet or when --json, --csv, --timeline, --junit or --html writes to stdout ("-"). */
    FILE *text;
    bool report;
    bool warmup_auto; /* --warmup auto */
    int threads;
};

/* Loads FILE ("-": standard input) with every --set and then the extra assignments, and
 * reads its settings. An error in an extra assignment names extra_flag ("--vary") and it.
 * On bad input prints the message and returns NULL. */
struct sim_loader *sim__cli_load(const struct options *o, const char *file,
                                 const char *const *extra, int nextra, const char *extra_flag,
                                 struct sim__scenario *sc);
int sim__cli_usage_error(const char *fmt, const char *arg);
/* Checks the command line's use of "-" (one output to stdout, one input from stdin at most)
 * and sets text and report; 2 (with a message) when it is refused, else 0. */
int sim__cli_streams(struct options *o);
void sim__cli_streams_fini(struct options *o);
/* Appends one --fault to the scenario's faults; false with a message in err. */
bool sim__fault_flag(struct sim_loader *ld, const char *spec, char *err, size_t errn);

/* ---- verdicts (verdict.c): what compare and --baseline share ---- */

/* The mean, sample variance and count of a figure's replications (NAN ones left out). */
struct sim__sample {
    double mean, variance;
    int n;
};
struct sim__sample sim__sample_of(const double *values, int n);
/* The paired difference b - a over n replications, and its 95% interval. */
struct sim_interval sim__paired_difference(const struct sim__metric *a, const struct sim__metric *b,
                                           int n);
/* The same over raw values, at a confidence level (0.95, or higher for a family). */
struct sim_interval sim__paired_interval(const double *a, const double *b, int n, double level);
/* Welch's interval on b - a for two independent samples. */
struct sim_interval sim__welch_interval(struct sim__sample a, struct sim__sample b, double level);
/* "better", "worse" (direction +1 or -1), "higher", "lower" (neutral: 0) or "no
 * significant difference" when the interval holds zero. */
const char *sim__verdict_word(int direction, struct sim_interval diff);
/* The figure of res nearest to a misspelt path, or NULL (for "did you mean"). */
const char *sim__figure_near(const struct sim__results *res, const char *path);

/* One figure against the baseline report. */
struct sim__check {
    const struct sim__metric *metric;
    int direction;       /* the figure's, or its expectation's when it declares none */
    double base, diff;   /* the baseline's mean and this run's mean minus it */
    struct sim_interval ci; /* of the difference, at the family's level */
    bool paired;         /* same seed and replications: paired, else Welch */
    bool significant, beyond, fail;
    const char *verdict; /* sim__verdict_word */
};
/* Every check of a run against its baseline report. */
struct sim__baseline {
    struct sim__check *checks;
    int n;
    double tolerance, level; /* level: each figure's, so the whole check keeps 95% */
    bool paired;
    char note[512]; /* the baseline came from another scenario file, or "" */
};
/* Compares res with o->baseline; false (with a message) when it cannot be read, is from
 * another scenario, or a --metric names no figure. */
bool sim__baseline_check(const struct options *o, const struct sim_loader *ld,
                         const struct sim__scenario *sc, const struct sim__results *res,
                         struct sim__baseline *out);
/* A --metric that res does not report: says so, with a "did you mean", and returns true. */
bool sim__unknown_metric(const struct options *o, const struct sim__results *res);
void sim__baseline_print(FILE *f, const struct options *o, const struct sim__baseline *b);
void sim__baseline_fini(struct sim__baseline *b);
int sim__junit_write(const char *path, const char *file, const struct sim__scenario *sc,
                     const struct sim__verdict *v, const struct sim__baseline *b);

/* limit's SLOs (limit.c, docs/limit.md). 'METRIC<VALUE' with <, <=, >, >= and spaces
 * allowed; bare: VALUE was a plain number (no unit, no %). false with a message in err. */
bool sim__slo_parse(const char *text, struct sim__expect *e, bool *bare, char *err, size_t errn);
/* A plain number for a figure in seconds is refused (err suggests "50ms"). */
bool sim__slo_check_unit(const struct sim__expect *e, bool bare, enum sim_unit unit, const char *text,
                         char *err, size_t errn);
/* Requests each replication must measure for a figure to count: 10/(1-q) for the q-th
 * percentile (q 0: not a percentile), 10 otherwise. */
double sim__slo_min_requests(double q);

int sim__cmd_compare(const struct options *o);
int sim__cmd_sweep(const struct options *o);
int sim__cmd_limit(const struct options *o);
int sim__cmd_theory(const struct options *o);
int sim__cmd_fields(int argc, char **argv);

#endif
