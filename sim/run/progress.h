/* progress.h: the progress line on a terminal for long runs (engine files only). Worlds on
 * any thread report their simulated time; whichever holds the lock prints. */
#ifndef ARCHSIM_PROGRESS_H
#define ARCHSIM_PROGRESS_H

#include "kernel/internal.h"

struct sim__progress;

/* NULL unless stderr is a terminal: then a line appears once the run passes a second. */
struct sim__progress *sim__progress_create(int slots, sim_time total);
void sim__progress_update(struct sim__progress *p, int slot, sim_time now, uint64_t events);
void sim__progress_destroy(struct sim__progress *p); /* clears the line */

#endif
