/* call.c: calls and answers between components, each crossing a link with a latency.
 * A call is the engine's: it is freed after the caller's respond() returns, or, when the
 * caller abandoned it, as soon as the callee answers. */
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
    return c;
}

/* The link's latency, drawn from the sending component's own stream. */
static sim_time link_latency(struct sim_component *from)
{
    struct sim_world *w = from->world;
    if (!w->link_latency || sim_dist_is_zero(w->link_latency)) return 0;
    struct sim_rng **r = &w->link_rng[from->index];
    if (!*r) *r = sim_rng(from, "link");
    return sim_dist_draw_time(w->link_latency, *r);
}

static void free_call(struct sim_call *c)
{
    sim_pool_put(&c->caller->world->call_pool, c);
}

static void deliver_call(struct sim_component *callee, void *arg)
{
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
    sim_schedule(c->callee, link_latency(c->caller), deliver_call, c);
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
    sim_schedule(c->caller, link_latency(c->callee), deliver_answer, c);
}

void sim_call_abandon(struct sim_call *c)
{
    SIM_ASSERT(c->caller, !c->abandoned);
    c->abandoned = 1;
    /* An answer already on its way is dropped by deliver_answer, which frees the call. */
}
