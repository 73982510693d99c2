/* trace.h: replaying a request log (the workload's "process": "trace"). The file is checked
 * whole when the scenario loads (every error names the file and the line), then read again
 * line by line as the run replays it, so memory stays flat however long the trace. */
#ifndef ARCHSIM_TRACE_H
#define ARCHSIM_TRACE_H

#include <stdio.h>

#include "kernel/internal.h"

/* A request of the trace: when (simulated seconds from the start), and what the line gave. */
struct sim__trace_line {
    double at;
    int op, zone;         /* -1: not given (drawn from the mix, the zones) */
    bool has_key;
    uint64_t key;         /* when not given: drawn from the keys */
};

enum { SIM__TRACE_TIME, SIM__TRACE_OP, SIM__TRACE_KEY, SIM__TRACE_ZONE, SIM__TRACE_SIZE, SIM__TRACE_COLUMNS };

struct sim__trace {
    char *path;           /* as opened: relative to the scenario's folder */
    bool jsonl;
    double speed;         /* the trace's seconds per simulated second */
    bool loop;
    double first, span, period; /* the first time, last - first, and the loop's period (seconds of trace) */
    uint64_t lines;
    int column[SIM__TRACE_COLUMNS]; /* CSV: each field's column, -1 when absent */
    int ncolumns;
    /* names met in the file: op name -> id + 1, zone name -> zone + 1 */
    struct sim__namemap ops, zones;
    char **names;
    int nnames, names_cap;
    /* the replay */
    FILE *f;
    char *buf;
    size_t cap;
    uint64_t lineno, pass;
};

/* Reads "file", "speed" and "loop" from a (the arrivals object) and checks the whole file;
 * errors go to a. */
void sim__trace_configure(struct sim__trace *t, struct sim_cfg *a);
/* Opens the file for the replay. */
void sim__trace_start(struct sim__trace *t);
/* The next request, false when the trace is over (and does not loop). */
bool sim__trace_next(struct sim__trace *t, struct sim__trace_line *out);
void sim__trace_fini(struct sim__trace *t);

#endif
