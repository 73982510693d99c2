/* call.c: calls and answers between components, each crossing a link with a latency
 * (a zero latency is a hop through the calendar's FIFO, without an event record).
 * A call is the engine's: it is freed after the caller's respond() returns, or, when the
 * caller abandoned it, as soon as the callee answers. With zones, a call's latency comes
 * from its sender's and receiver's zones, fixed when it is sent; its answer crosses the
 * same pair of zones the other way. A node placed nowhere sits where its caller is. */
#include "internal.h"

struct sim_call *sim_call_new(struct sim_component *caller, struct sim_component *callee,
                              struct sim_call *parent, int op, uint64_t key, sim_time deadline)
{
    struct sim_world *w = caller->world;
    struct sim_call *c = sim_pool_get(&w->call_pool);
    c->caller = caller;
    c->callee = callee;
    c->parent = parent;
    c->start = w->now;
    c->deadline = deadline;
    c->key = key;
    c->op = op;
    c->attempt = 0;
    c->instance = -1;
    c->status = SIM_OK;
    c->caller_data = NULL;
    c->callee_data = NULL;
    c->abandoned = 0;
    c->answered = 0;
    struct sim__call *x = (struct sim__call *)c;
    x->from_zone = x->to_zone = SIM_NO_ZONE;
    x->client_zone = parent ? ((const struct sim__call *)parent)->client_zone : SIM_NO_ZONE;
    return c;
}

void sim__call_set_client_zone(struct sim_call *c, int zone)
{
    ((struct sim__call *)c)->client_zone = zone;
}

int sim_call_zone(const struct sim_call *c)
{
    return ((const struct sim__call *)c)->from_zone;
}

int sim_call_client_zone(const struct sim_call *c)
{
    return ((const struct sim__call *)c)->client_zone;
}

/* The latency of a hop from zone `zf` to zone `zt` (default_link when either is unplaced),
 * drawn from the sending component's own stream. */
static sim_time link_latency(struct sim_component *from, int zf, int zt)
{
    struct sim_world *w = from->world;
    const struct sim_dist *d = w->link_latency;
    if (zf >= 0 && zt >= 0) d = w->links[zf * w->nzones + zt];
    if (!d || sim_dist_is_zero(d)) return 0;
    struct sim_rng **r = &w->link_rng[from->index];
    if (!*r) *r = sim_rng(from, "link");
    return sim_dist_draw_time(d, *r);
}

/* Fixes where the call goes from and to: the caller's instance serving the parent (or the
 * caller itself); an unplaced caller is where its own call arrived, and the workload is
 * in its client's zone. A spread callee's instance is dealt in turn when none is named. */
static void place(struct sim__call *x)
{
    struct sim_call *c = &x->call;
    struct sim_world *w = c->caller->world;
    const struct sim_call *p = c->parent;
    bool serving = p && p->callee == c->caller;
    int from = sim_zone_of(c->caller, serving ? p->instance : -1);
    if (from == SIM_NO_ZONE)
        from = serving ? ((const struct sim__call *)p)->to_zone : x->client_zone;
    struct sim__placement *pl = &w->placement[c->callee->index];
    if (pl->nspread && c->instance < 0)
        c->instance = (int)(pl->next++ % (uint64_t)sim_instances(c->callee));
    int to = sim_zone_of(c->callee, c->instance);
    x->from_zone = from;
    x->to_zone = to == SIM_NO_ZONE ? from : to;
    if (w->measuring && c->caller->index >= 0) {
        uint64_t *h = w->hops[c->caller->index];
        if (from >= 0 && x->to_zone >= 0) {
            uint8_t kind = w->link_kind[from * w->nzones + x->to_zone];
            h[kind & ~SIM__OVERRIDE]++;
            if (kind & SIM__OVERRIDE) h[SIM__HOP_KINDS]++;
        } else {
            h[SIM__SAME_ZONE]++;
        }
    }
}

static void free_call(struct sim_call *c)
{
    sim_pool_put(&c->caller->world->call_pool, c);
}

static void deliver_call(struct sim_component *callee, void *arg)
{
    callee->world->received[callee->index]++;
    if (callee->world->faults && callee->world->fault_hooks->intercept(callee, arg)) return;
    callee->model->receive(callee, arg);
}

static void deliver_answer(struct sim_component *caller, void *arg)
{
    struct sim_call *c = arg;
    if (!c->abandoned) caller->model->respond(caller, c);
    free_call(c);
}

int sim_instances(struct sim_component *node)
{
    return node->model->instances ? node->model->instances(node) : 1;
}

void sim_call_send(struct sim_call *c)
{
    SIM_ASSERT(c->caller, c->callee->model->receive != NULL);
    struct sim__call *x = (struct sim__call *)c;
    struct sim_world *w = c->caller->world;
    if (w->nzones) place(x);
    /* A partition loses the call: the caller learns only by its own timeout. */
    if (w->partitions_on &&
        w->fault_hooks->partitioned(w, c->caller, x->from_zone, c->callee, x->to_zone))
        return;
    sim_time latency = link_latency(c->caller, x->from_zone, x->to_zone);
    if (latency) sim_schedule(c->callee, latency, deliver_call, c);
    else sim__hop_now(w, c->callee, deliver_call, c);
}

void sim_respond(struct sim_call *c, enum sim_status status)
{
    SIM_ASSERT(c->callee, !c->answered);
    c->answered = 1;
    c->status = status;
    if (c->abandoned) {
        free_call(c);
        return;
    }
    const struct sim__call *x = (const struct sim__call *)c;
    struct sim_world *w = c->callee->world;
    if (w->partitions_on &&
        w->fault_hooks->partitioned(w, c->callee, x->to_zone, c->caller, x->from_zone))
        return; /* the answer is lost on the way back */
    sim_time latency = link_latency(c->callee, x->to_zone, x->from_zone);
    if (latency) sim_schedule(c->caller, latency, deliver_answer, c);
    else sim__hop_now(w, c->caller, deliver_answer, c);
}

void sim_call_abandon(struct sim_call *c)
{
    SIM_ASSERT(c->caller, !c->abandoned);
    c->abandoned = 1;
    /* An answer already on its way is dropped by deliver_answer, which frees the call. */
}
