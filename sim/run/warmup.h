/* warmup.h: detecting the initial transient by MSER on one replication's latency series
 * (engine files and tests only). */
#ifndef ARCHSIM_WARMUP_H
#define ARCHSIM_WARMUP_H

#include "run.h"

#define SIM__MSER_NONE (-1)      /* fewer than two slices with requests: nothing to tell */
#define SIM__MSER_UNSETTLED (-2) /* the best cut is half the run: it never settles */
/* The end of the transient (a whole number of slices), or one of the two values above. */
sim_time sim__mser(const struct sim__series *s);

/* Whether the slices from `from` to `cut` differ from the rest by more than the noise
 * (batch means of the rest): MSER alone over-truncates a strongly autocorrelated series. */
bool sim__transient_real(const struct sim__series *s, sim_time from, sim_time cut);
/* Warns on f when replication 0's latency settled after the declared warm-up, or never (not
 * for scenarios with faults or rate steps, whose changes are meant). */
void sim__warmup_warn(FILE *f, const char *file, struct sim_loader *ld,
                      const struct sim__scenario *sc, const struct sim__results *res);
/* --warmup auto: runs replication 0 once, and sets the scenario's warm-up to its MSER cut
 * (re-reading sc). false, with a message saying what to do, when none can be found. */
bool sim__warmup_auto(struct sim_loader *ld, struct sim__scenario *sc, const char *file);

#endif
