/* scenario.h: a scenario's top-level settings, read once, and the world it describes
 * built up to its faults (engine files and tests only). The load layer: uses the kernel. */
#ifndef ARCHSIM_SCENARIO_H
#define ARCHSIM_SCENARIO_H

#include "kernel/internal.h"
#include "loader.h"

enum sim__expect_op { EXPECT_BELOW, EXPECT_ABOVE, EXPECT_AT_MOST, EXPECT_AT_LEAST, EXPECT_BETWEEN };

struct sim__expect {
    const char *metric; /* loader's */
    char path[32];      /* "expect.3", for errors */
    enum sim__expect_op op;
    double a, b;
};

/* Read once from the root; strings belong to the loader. */
struct sim__scenario {
    const char *name, *description;
    const char *story; /* a drill's expected story, in words ("" when none) */
    uint64_t seed;
    sim_time duration, warmup, timeline_interval;
    int replications;
    int threads;   /* replications run on this many threads; 0: every core (not from JSON) */
    bool progress; /* a progress line on stderr when it is a terminal (not from JSON) */
    double max_memory; /* bytes every replication running at once may hold together */
    struct sim__expect *expect; /* owned here: sim__scenario_fini */
    int nexpect;
    double precision;     /* run-length control: a watched figure's 95% half-width over its
                             mean (precision.c); 0: a fixed number of replications */
    int max_replications; /* the cap on replications precision may add up to */
};

bool sim__scenario_read(struct sim_loader *ld, struct sim__scenario *sc);
void sim__scenario_fini(struct sim__scenario *sc);
/* "0.01", "1%", "100ms" (in seconds): false on anything else. */
bool sim__parse_limit(const char *text, double *out);
/* Fills w with replication r's zones, workload and nodes, their references resolved and no
 * synchronous cycle; false when the scenario is wrong (the loader holds the message). The
 * faults come next (faults/), then sim__world_finish. */
bool sim__world_load(struct sim_loader *ld, const struct sim__scenario *sc, struct sim_world *w);
/* Once every component is in: the operation names and the per-component hop counters. */
void sim__world_finish(struct sim_loader *ld, struct sim_world *w);

#endif
