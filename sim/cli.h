/* cli.h: the parsed command line and what every command shares (engine files only). */
#ifndef ARCHSIM_CLI_H
#define ARCHSIM_CLI_H

#include "run.h"

#define SIM_MAX_LIST 64 /* --set, --metric, --vary, --slo given at most this often */

/* Owned by main(): strings point into argv, except sets (allocated). */
struct options {
    const char *command;
    const char *files[SIM_MAX_LIST];
    int nfiles;
    const char *sets[SIM_MAX_LIST];
    int nsets;
    const char *metrics[SIM_MAX_LIST];
    int nmetrics;
    const char *varies[SIM_MAX_LIST];
    int nvaries;
    const char *slos[SIM_MAX_LIST];
    int nslos;
    const char *faults[SIM_MAX_LIST]; /* --fault */
    int nfaults;
    const char *json, *timeline, *csv, *plot, *baseline, *junit, *minimise;
    double tolerance, precision; /* ratios; NAN when not given */
    bool quiet, timing, independent, svg;
    bool warmup_auto; /* --warmup auto */
    int threads;
};

/* Loads FILE with every --set and then the extra assignments, and reads its settings.
 * On bad input prints the message and returns NULL. */
struct sim_loader *sim__cli_load(const struct options *o, const char *file,
                                 const char *const *extra, int nextra, struct sim__scenario *sc);
int sim__cli_usage_error(const char *fmt, const char *arg);
/* Appends one --fault to the scenario's faults; false with a message in err. */
bool sim__fault_flag(struct sim_loader *ld, const char *spec, char *err, size_t errn);

/* The paired difference b - a over n replications, and its 95% interval. */
struct sim_interval sim__paired_difference(const struct sim__metric *a, const struct sim__metric *b,
                                           int n);
/* "better", "worse", "higher", "lower" or "no significant difference" for a figure. */
const char *sim__verdict_word(const char *path, struct sim_interval diff);

/* One figure against the baseline report. */
struct sim__check {
    const struct sim__metric *metric;
    double base, diff, half; /* the difference and its 95% half-width (Welch) */
    bool significant, beyond, fail;
    const char *verdict;
};
/* Compares res with o->baseline; false (with a message) when it cannot be read. */
bool sim__baseline_check(const struct options *o, const struct sim__results *res,
                         struct sim__check **out, int *nout);
void sim__baseline_print(FILE *f, const struct options *o, const struct sim__check *c, int n);
int sim__junit_write(const char *path, const char *file, const struct sim__scenario *sc,
                     const struct sim__verdict *v, const struct sim__check *c, int nchecks);

int sim__cmd_compare(const struct options *o);
int sim__cmd_sweep(const struct options *o);
int sim__cmd_limit(const struct options *o);
int sim__cmd_theory(const struct options *o);

#endif
