/* budget.c: a run's memory budget (docs/engine.md, "Memory budget"). Memory that grows
 * with the load (pools of events, calls and jobs, FIFO rings, the calendar) is charged
 * when it grows, to the world running on this thread; past its budget the world stops at
 * the current instant and names the node whose queue grew, its offered rate and its
 * capacity. Nothing here runs per event: only growth, which doubles, is charged. */
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "internal.h"
#include "text.h"

static _Thread_local struct sim_world *running;

void sim__budget_attach(struct sim_world *w)
{
    running = w;
}

struct sim_world *sim__running_world(void)
{
    return running;
}

void sim_memory_charge(size_t bytes)
{
    struct sim_world *w = running;
    if (!w) return;
    w->memory_held += bytes;
    if (w->memory_held > w->memory_budget && w->memory_budget && !w->over_budget) {
        w->over_budget = true;
        w->end = w->now; /* the events of this instant run out, then the run loop stops */
    }
}

bool sim_over_budget(const struct sim_component *self)
{
    return self->world->over_budget;
}

/* A quarter of physical memory, at most 2GiB: an unstable run fills its budget before it
 * stops, and the kernel clears every fresh page it hands over (about 2.5 s of CPU per GB
 * on the 2-core machine of docs/engine.md), so a larger default would take tens of seconds
 * to say "unstable". 2GiB holds about seven million calls in flight, or 10^7 closed-loop
 * users; a run that needs more says so and is given --max-memory or max_memory. */
#define BUDGET_DEFAULT_CAP 2147483648.0

double sim__budget_default(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
    double b = pages > 0 && page > 0 ? (double)pages * (double)page / 4 : 1e9;
    if (b > BUDGET_DEFAULT_CAP) b = BUDGET_DEFAULT_CAP;
    struct rlimit r;
    if (!getrlimit(RLIMIT_AS, &r) && r.rlim_cur != RLIM_INFINITY && (double)r.rlim_cur / 2 < b)
        b = (double)r.rlim_cur / 2;
    return b;
}

bool sim__parse_bytes(const char *text, double *out)
{
    static const struct {
        const char *unit;
        double scale;
    } units[] = {{"B", 1},       {"KB", 1e3},        {"MB", 1e6},           {"GB", 1e9},
                 {"TB", 1e12},   {"KiB", 1024.0},    {"MiB", 1048576.0},    {"GiB", 1073741824.0},
                 {"TiB", 1099511627776.0}};
    char *end;
    double x = strtod(text, &end);
    if (end == text || !isfinite(x) || x <= 0) return false;
    for (size_t i = 0; i < sizeof units / sizeof *units; i++)
        if (!strcmp(end, units[i].unit)) {
            *out = x * units[i].scale;
            return true;
        }
    return false;
}

void sim__format_bytes(double b, char *buf, size_t n)
{
    if (b >= 1e9) snprintf(buf, n, "%.3gGB", b / 1e9);
    else if (b >= 1e6) snprintf(buf, n, "%.3gMB", b / 1e6);
    else if (b >= 1e3) snprintf(buf, n, "%.3gKB", b / 1e3);
    else snprintf(buf, n, "%.0fB", b);
}

static char *describe(const struct sim__unstable *u);

/* The node with the most calls waiting (as its model's backlog() reports them) is the one
 * whose queue grew; offered is every call it received over the time simulated. */
void sim__budget_verdict(const struct sim_world *w, struct sim__unstable *u)
{
    memset(u, 0, sizeof *u);
    u->on = true;
    u->replication = w->replication;
    u->at = (double)w->now / SIM_S;
    u->held = (double)w->memory_held;
    u->budget = (double)w->memory_budget;
    int best = -1;
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        if (!c->model->backlog) continue;
        uint64_t waiting = 0;
        double capacity = 0;
        c->model->backlog(c, &waiting, &capacity);
        if (waiting > u->waiting) { /* a node with nothing waiting is not named */
            best = i;
            u->waiting = waiting;
            u->capacity = capacity;
        }
    }
    double span = w->now > 0 ? (double)w->now / SIM_S : NAN;
    if (best >= 0) {
        u->node = sim_strdup(w->components[best]->name);
        u->offered = (double)w->received[best] / span;
    } else {
        u->offered = w->ncomponents > 1 ? (double)w->received[1] / span : NAN;
    }
    u->message = describe(u);
}

/* A rate as a reader scans it: "1.0e9", "11813", "0.5". */
static void format_rate(double v, char *buf, size_t n)
{
    if (!isfinite(v)) snprintf(buf, n, "?");
    else if (v >= 1e5) snprintf(buf, n, "%.1fe%d", v / pow(10, floor(log10(v))), (int)floor(log10(v)));
    else if (v >= 100) snprintf(buf, n, "%.0f", v);
    else snprintf(buf, n, "%.3g", v);
}

/* "unstable: offered 1.0e9/s, capacity 1000/s at nodes.app (...)", whole however long the
 * node's name. */
static char *describe(const struct sim__unstable *u)
{
    struct sim__text t = {0};
    char held[32], budget[32], offered[32], cap[48];
    sim__format_bytes(u->held, held, sizeof held);
    sim__format_bytes(u->budget, budget, sizeof budget);
    format_rate(u->offered, offered, sizeof offered);
    if (u->capacity > 0) {
        char c[32];
        format_rate(u->capacity, c, sizeof c);
        snprintf(cap, sizeof cap, ", capacity %s/s", c);
    } else {
        cap[0] = 0;
    }
    if (u->node)
        sim__text_add(&t, "unstable: offered %s/s%s at nodes.%s (%llu calls waiting there when the "
                 "memory budget (%s for this replication) ran out, %s held, at %.6gs simulated, "
                 "replication %d)",
                 offered, cap, u->node, (unsigned long long)u->waiting, budget, held, u->at,
                 u->replication);
    else if (u->at == 0)
        sim__text_add(&t, "the memory budget (%s for this replication) ran out before the first event (%s held by the "
                 "scenario's own timers, such as one per closed-loop user): raise --max-memory "
                 "(replication %d)", budget, held, u->replication);
    else
        sim__text_add(&t, "unstable: the memory budget (%s for this replication) ran out (%s held by calls in flight "
                 "and timers, no node holding a queue) at %.6gs simulated, replication %d", budget,
                 held, u->at, u->replication);
    return t.text;
}

void sim__unstable_fini(struct sim__unstable *u)
{
    sim_free(u->node);
    sim_free(u->message);
    memset(u, 0, sizeof *u);
}
