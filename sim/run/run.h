/* run.h: building one world per replication, running them, and the results every output
 * reads (engine files and tests only). */
#ifndef ARCHSIM_RUN_H
#define ARCHSIM_RUN_H

#include "kernel/internal.h"
#include "load/scenario.h"
#include "kernel/text.h"
#include "timeline.h"

/* A histogram pooled over the replications, and each replication's own (owned by the
 * histogram's ".count" figure). */
struct sim__hist_pool {
    struct sim__pooled all;
    struct sim__pooled *reps;
    int nreps;
};

/* One reported figure: its value in each replication and their 95% interval. */
struct sim__metric {
    char *path;
    enum sim_unit unit;
    int direction; /* +1 higher is better, -1 lower is better, 0 neutral (SIM_*_BETTER) */
    double *values;
    struct sim_interval ci;
    double quantile;             /* of `pool`, or 0 when not a quantile */
    struct sim__hist_pool *pool; /* owned when owns_pool, else the ".count" figure's */
    bool owns_pool;
};

/* What run-length control did (precision.c); target 0 when it was off. */
struct sim__precision {
    double target;
    int cap;
    const char *decided_by; /* the watched figure last to meet the target (or furthest from it
                               at the cap): a path owned by the results */
    double achieved;        /* that figure's half-width over its mean */
    bool met;
};

struct sim__node_info {
    char *name, *type, *description;
};

/* The figures' paths and values, packed into big blocks freed together: millions of small
 * pieces (25 figures a node) would cost a malloc and its overhead each. */
struct sim__figure_arena {
    char **blocks;
    size_t nblocks, used, room; /* the last block's bytes used and its size */
};

struct sim__results {
    struct sim__metric *metrics;
    size_t n, cap, cursor;
    struct sim__figure_arena arena; /* every metric's path and values */
    struct sim__namemap index; /* path -> index + 1 into metrics */
    int replications;
    uint64_t events;
    double wall_seconds;
    struct sim__node_info *nodes;
    int nnodes;
    char *workload_description;
    struct sim__timeline *timeline; /* replication 0's, when asked for */
    struct sim_hist latency;        /* end-to-end latency, every replication merged */
    struct sim__text notes;         /* theory(): "nodes.db.: why", one per line */
    sim_time detected_warmup;       /* replication 0's transient by MSER (sim__mser) */
    char *story;                    /* replication 0's fault story (sim_story), or NULL */
    char *fault_marks;              /* replication 0's occurrences (struct sim__faults marks) */
    char **faults;                  /* each fault's label ("db.primary:crash") */
    int nfaults;
    struct sim__precision precision;
    struct sim__unstable unstable;  /* the first replication the memory budget stopped */
};

struct sim_report {
    struct sim__results *res;
    const char *prefix;
    int replication;
    const struct sim__results *simulated; /* theory(): what sim_simulated reads */
};

/* Builds replication r's world: workload, nodes, links, peers resolved, no synchronous
 * cycle. NULL when the scenario is wrong (the loader holds the message). */
struct sim_world *sim__world_build(struct sim_loader *ld, const struct sim__scenario *sc, int r);

/* Runs every replication. NULL when the scenario is wrong (the loader holds the message). */
struct sim__results *sim__run(struct sim_loader *ld, const struct sim__scenario *sc,
                              bool timeline);
/* sim__run with replication 0's timeline in tl (streamed to its sinks); the results own
 * tl, also when the scenario is wrong (then tl is destroyed). */
struct sim__results *sim__run_with_timeline(struct sim_loader *ld, const struct sim__scenario *sc,
                                            struct sim__timeline *tl);
/* Runs the replications of n scenarios in one pool of threads (a sweep's points, a
 * comparison's designs); out[k] gets scenario k's results. false when one is wrong (its
 * loader holds the message). */
bool sim__run_many(struct sim_loader **lds, const struct sim__scenario *scs, int n, bool timeline,
                   int threads, struct sim__results **out);
/* Runs `more` replications after the ones res holds (numbered on from them) and folds
 * them in, intervals recomputed: the same figures as running them all at once. */
void sim__run_more(struct sim_loader *ld, const struct sim__scenario *sc, struct sim__results *res,
                   int more);
/* Runs the scenario, adding replications in parallel batches until the 95% interval of each
 * watched figure (NULL: the headline figures) is within sc->precision of its mean, or
 * sc->max_replications; res->precision says what decided. NULL as sim__run. */
struct sim__results *sim__run_precise(struct sim_loader *ld, const struct sim__scenario *sc,
                                      struct sim__timeline *tl, const char *const *watch,
                                      int nwatch);
/* How far a figure is from the precision target: its half-width over target x its mean
 * (a ratio below 1% is held to target x 1%); <= 1 when met. */
double sim__precision_gap(const struct sim__metric *m, double target);
/* The metric's mean and 95% interval over its replications. A quantile's point is read
 * from the pooled histogram, and its interval by inverting one for the distribution
 * function there: each replication's share of values below the point is an unbiased
 * estimate of q, however short and autocorrelated the run, and the t interval on those
 * shares, [q - h, q + h], maps back through the pooled histogram to the quantile's. */
void sim__metric_interval(struct sim__metric *m, int replications);
void sim__results_destroy(struct sim__results *res);
/* Prints the unstable verdict of res, if any, after "archsim: LABEL: ": 4 then, else 0. */
int sim__unstable_warn(const char *label, const struct sim__results *res);
const struct sim__metric *sim__results_find(const struct sim__results *res, const char *path);
/* Collects one world's figures as replication r. */
void sim__results_collect(struct sim__results *res, struct sim_world *w, int r);
void sim__results_describe(struct sim__results *res, struct sim_world *w);

/* ---- parallel work (parallel.c) ---- */
int sim__cores(void);
/* fn(i, ctx) for every i in [0, n), on up to `threads` threads (0: every core). */
void sim__parallel_for(int n, int threads, void (*fn)(int i, void *ctx), void *ctx);

/* ---- outputs (report.c, report_json.c) ---- */
struct sim__verdict {
    const struct sim__expect *e;
    double value;
    bool pass;
};
/* Evaluates every expectation; false (with a message naming expect.N) when a metric
 * does not exist. */
bool sim__expect_holds(const struct sim__expect *e, double value);
bool sim__expect_check(const struct sim__scenario *sc, const struct sim__results *res,
                       struct sim__verdict *out, char *err, size_t errn);
/* The drill's story: replication 0's fault events in time order, then each fault's
 * detection, recovery, loss and outage in plain words. */
void sim__story_print(FILE *f, const char *file, const struct sim__scenario *sc,
                      const struct sim__results *res);
void sim__report_text(FILE *f, const char *file, const struct sim__scenario *sc,
                      const struct sim__results *res, const struct sim__verdict *v);
/* The figures of each section ("nodes.db.", "faults.3.", "slo."), grouped once, so that
 * printing a section costs its own size, not the whole list's (10^5 nodes). Node names
 * have no dots, so a section's prefix ends at the dot after the name. Owns its arrays. */
struct sim__sections {
    struct sim__namemap map; /* prefix -> section + 1 */
    char **prefixes;
    size_t *start; /* section k's figures are order[start[k] .. start[k + 1]) */
    size_t *order; /* indices into res->metrics, each section's in report order */
    size_t n;
};
void sim__sections_build(struct sim__sections *s, const struct sim__results *res);
void sim__sections_fini(struct sim__sections *s);
/* The section's figures are res->metrics[s->order[j]] for j in [*from, *to); false (an
 * empty range) when it has none. */
bool sim__sections_find(const struct sim__sections *s, const char *prefix, size_t *from,
                        size_t *to);
/* A figure printed in a section of its own (nodes., faults., slo.) rather than the headline. */
bool sim__has_section(const char *path);
/* A node's or fault's count or ratio that is zero in every replication (no retries, no
 * errors of a kind): left out of the text and HTML; the headline and the JSON have all. */
bool sim__figure_hidden(const struct sim__metric *m, int reps);
/* The JSON report; the caller frees it. timing adds wall-clock figures (not reproducible). */
char *sim__report_json(const struct sim_loader *ld, const struct sim__scenario *sc,
                       const struct sim__results *res, const struct sim__verdict *v, bool timing);
/* Writes text to path through a temporary name and a rename; false with errno set. */
bool sim__write_file(const char *path, const char *text);
/* The same, then frees text; 0, or 2 with a message naming the file. */
int sim__write_text(const char *path, char *text);
/* A 64-bit unsigned integer as a JSON number with every digit (cJSON's numbers are doubles). */
void sim__json_add_u64(cJSON *obj, const char *key, uint64_t v);
/* cJSON_Print with a final newline, in memory the caller frees with sim_free. */
char *sim__json_text(const cJSON *root);
/* The headline figures --baseline checks and --precision watches by default: latency
 * mean, p50 and p99, errors.ratio, goodput and each node's utilisation (precision.c). */
bool sim__headline_figure(const char *path);
/* "4.21ms", "2.0k/s", "12.5%": a figure in the unit a reader expects. */
void sim__format_value(double v, enum sim_unit unit, char *buf, size_t n);

#endif
