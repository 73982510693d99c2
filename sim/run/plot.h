/* plot.h: pictures through gnuplot, a run-time tool: archsim writes the data, then runs a
 * script from plots/ on it. Without gnuplot it says so once and keeps the data. */
#ifndef ARCHSIM_PLOT_H
#define ARCHSIM_PLOT_H

#include "run.h"
#include "kernel/text.h"

struct sim__plot {
    const char *script; /* in plots/ */
    const char *dir;    /* where the picture goes */
    const char *name;   /* the picture's name without extension */
    bool svg;           /* SVG instead of PNG */
    struct sim__text vars;
};

/* Script variables: a string (quoted for gnuplot) or a number. */
void sim__plot_var(struct sim__plot *p, const char *name, const char *value);
void sim__plot_num(struct sim__plot *p, const char *name, double value);
/* Runs gnuplot and prints the picture's path; false when gnuplot is missing or fails. */
bool sim__plot_run(struct sim__plot *p);
/* Whether sim__plot_run prints the picture's path (on by default). */
void sim__plot_announce(bool on);
/* Creates DIR (and its parents); false with a message. */
bool sim__plot_dir(const char *dir);
/* run --plot: the timeline CSV, the latency CDF data and their pictures in DIR (ld's JSON
 * gives the services' capacity lines). 0, or 2 when DIR or a data file cannot be written
 * (a missing gnuplot is only a note). */
int sim__plot_run_pictures(const char *dir, struct sim_loader *ld, const struct sim__scenario *sc,
                           const struct sim__results *res, bool svg);
/* The axis suffix for a unit, e.g. " (ms)", and the factor from SI units to it. */
const char *sim__plot_unit(enum sim_unit unit, double *scale);

#endif
