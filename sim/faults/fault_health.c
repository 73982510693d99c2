/* fault_health.c: what the faults on a node add up to, and how calls meet them. A node's
 * health has a slot for the node as a whole and one per instance, made when a fault first
 * reaches it: a node no fault has touched costs one NULL test per call. */
#include <stddef.h>

#include "fault.h"

static struct sim__node_health *node_health(struct sim_world *w, int comp)
{
    return w->faults ? &w->faults->health[comp] : NULL;
}

int sim__fault_instances(struct sim_component *c)
{
    return c->model->fault_instances ? c->model->fault_instances(c) : sim_instances(c);
}

struct sim__health *sim__health_of(struct sim_world *w, int comp, int instance)
{
    struct sim__node_health *nh = node_health(w, comp);
    if (!nh->slot) {
        nh->nslots = 1 + sim__fault_instances(w->components[comp]);
        nh->slot = sim_alloc((size_t)nh->nslots * sizeof *nh->slot);
        for (int i = 0; i < nh->nslots; i++) nh->slot[i].factor = 1;
    }
    int k = instance < 0 ? 0 : 1 + instance;
    return k < nh->nslots ? &nh->slot[k] : &nh->slot[0];
}

/* The instance's own slot (NULL when none), and the node's. */
static const struct sim__health *slot(const struct sim__node_health *nh, int instance)
{
    int k = 1 + instance;
    return instance >= 0 && k < nh->nslots ? &nh->slot[k] : NULL;
}

static const struct sim__node_health *touched(const struct sim_component *c)
{
    const struct sim_world *w = c->world;
    if (!w->faults || c->index < 0 || c->index >= w->faults->ncomponents) return NULL;
    const struct sim__node_health *nh = &w->faults->health[c->index];
    return nh->slot ? nh : NULL;
}

/* Whether the count at `field` (down, hung, silent) is set on the node or the instance. */
static bool flagged(struct sim_component *c, int instance, size_t field)
{
    const struct sim__node_health *nh = touched(c);
    if (!nh) return false;
    const struct sim__health *h = slot(nh, instance);
    return *(const int *)((const char *)&nh->slot[0] + field) ||
           (h && *(const int *)((const char *)h + field));
}

bool sim_fault_down(struct sim_component *self, int instance)
{
    return flagged(self, instance, offsetof(struct sim__health, down));
}

bool sim_fault_hung(struct sim_component *self, int instance)
{
    return flagged(self, instance, offsetof(struct sim__health, hung));
}

bool sim_fault_silent(struct sim_component *self, int instance)
{
    return flagged(self, instance, offsetof(struct sim__health, silent));
}

sim_time sim_fault_since(struct sim_component *node, int instance)
{
    if (!touched(node)) return -1;
    const struct sim__faults *fs = node->world->faults;
    sim_time since = -1;
    for (int i = 0; i < fs->nspecs; i++) {
        const struct sim__fault_spec *f = &fs->specs[i];
        /* slow is not generic (a model applies it) but is a failure all the same */
        if (!((SIM_FAULT_GENERIC | SIM_FAULT_BIT(SIM_FAULT_SLOW)) & SIM_FAULT_BIT(f->kind))) continue;
        for (int k = 0; k < f->ntargets; k++) {
            const struct sim__target *t = &f->targets[k];
            if (t->on && t->comp == node->index &&
                (t->instance < 0 || instance < 0 || t->instance == instance) &&
                (since < 0 || t->begin < since))
                since = t->begin;
        }
    }
    return since;
}

sim_time sim_fault_slowed(struct sim_component *self, int instance, sim_time t)
{
    const struct sim__node_health *nh = touched(self);
    if (!nh) return t;
    const struct sim__health *h = slot(nh, instance);
    double f = nh->slot[0].factor * (h ? h->factor : 1);
    sim_time add = nh->slot[0].add + (h ? h->add : 0);
    return (sim_time)((double)t * f) + add;
}

static double error_ratio(const struct sim__node_health *nh, const struct sim__health *h)
{
    double r = nh->slot[0].ratio + (h ? h->ratio : 0);
    return r > 1 ? 1 : r;
}

/* A call meets one slot's faults: refused, held or failed. */
static bool takes(struct sim_component *self, struct sim_call *call, struct sim__health *h)
{
    if (h->silent) return true; /* lost: only the caller's timeout notices */
    if (h->down) {
        sim_respond(call, SIM_UNAVAILABLE);
        return true;
    }
    if (h->hung) {
        sim_fifo_push(&h->held, call);
        return true;
    }
    double r = h->ratio > 1 ? 1 : h->ratio;
    if (r > 0 && sim_uniform(self->world->faults->error_rng) < r) {
        sim_respond(call, SIM_FAILED);
        return true;
    }
    return false;
}

bool sim_fault_takes(struct sim_component *self, struct sim_call *call, int instance)
{
    const struct sim__node_health *nh = touched(self);
    if (!nh) return false;
    struct sim__health *h = (struct sim__health *)slot(nh, instance);
    return h && takes(self, call, h);
}

/* The node's faults, and a named instance's: a model checks the instances it picks itself. */
bool sim__fault_intercept(struct sim_component *callee, struct sim_call *call)
{
    struct sim__faults *fs = callee->world->faults;
    if (callee->index < fs->ncomponents) fs->received[callee->index]++;
    const struct sim__node_health *nh = touched(callee);
    if (!nh) return false;
    if (takes(callee, call, &nh->slot[0])) return true;
    struct sim__health *h = (struct sim__health *)slot(nh, call->instance);
    return h && takes(callee, call, h);
}

bool sim_fault_check_passes(struct sim_component *node, int instance, bool http,
                            struct sim_rng *r)
{
    const struct sim__node_health *nh = touched(node);
    if (!nh) return true;
    if (sim_fault_down(node, instance)) return false;
    if (!http) return true;
    if (sim_fault_hung(node, instance)) return false;
    double p = error_ratio(nh, slot(nh, instance));
    return !(p > 0 && sim_uniform(r) < p);
}

/* ---- partitions ---- */

static uint8_t side(const struct sim__fault_spec *f, const struct sim_component *c, int zone)
{
    bool built = c->index >= 0 && c->index < c->world->faults->ncomponents; /* a test's driver: no */
    uint8_t s = built ? f->comp_side[c->index] : 0;
    if (zone >= 0) s |= f->zone_side[zone];
    return s;
}

bool sim__partitioned(struct sim_world *w, const struct sim_component *from, int from_zone,
                      const struct sim_component *to, int to_zone)
{
    const struct sim__faults *fs = w->faults;
    for (int i = 0; i < fs->nspecs; i++) {
        const struct sim__fault_spec *f = &fs->specs[i];
        if (f->kind != SIM_FAULT_PARTITION || !f->on) continue;
        uint8_t a = side(f, from, from_zone), b = side(f, to, to_zone);
        if (((a & 1) && (b & 2)) || (!f->one_way && (a & 2) && (b & 1))) return true;
    }
    return false;
}

/* ---- a fault turning on or off ---- */

/* A hang ends: the restart resets every held connection. */
static void release_held(struct sim__health *h)
{
    struct sim_call *c;
    while ((c = sim_fifo_pop(&h->held))) sim_respond(c, SIM_FAILED);
}

static void change_health(struct sim__faults *fs, const struct sim__fault_spec *f,
                          const struct sim__target *t, bool begins)
{
    struct sim__health *h = sim__health_of(fs->base.world, t->comp, t->instance);
    int d = begins ? 1 : -1;
    switch (f->kind) {
    case SIM_FAULT_CRASH:
        h->down += d;
        if (f->fault.silent) h->silent += d;
        break;
    case SIM_FAULT_HANG:
        h->hung += d;
        if (!h->hung) release_held(h);
        break;
    case SIM_FAULT_SLOW:
        h->factor = begins ? h->factor * f->fault.factor : h->factor / f->fault.factor;
        h->add += d * f->fault.add;
        break;
    case SIM_FAULT_ERROR: h->ratio += d * f->fault.ratio; break;
    default: break; /* the model's own kinds */
    }
}

void sim__fault_apply(struct sim__faults *fs, struct sim__fault_spec *f, struct sim__target *t,
                      bool begins)
{
    if (t->on == begins) return;
    struct sim_world *w = fs->base.world;
    if (f->kind == SIM_FAULT_PARTITION) {
        w->partitions_on += begins ? 1 : -1;
    } else {
        change_health(fs, f, t, begins);
    }
    sim__fault_mark(fs, f, t, begins);
    if (t->comp < 0) return;
    struct sim_component *c = w->components[t->comp];
    if (c->model->fault) {
        struct sim_fault x = f->fault;
        x.instance = t->instance;
        c->model->fault(c, &x, begins);
    }
}

bool sim_fault_replace(struct sim_component *self, int instance)
{
    const struct sim__node_health *nh = touched(self);
    if (!nh) return true;
    if (nh->slot[0].down || nh->slot[0].hung) return false;
    struct sim__faults *fs = self->world->faults;
    for (int i = 0; i < fs->nspecs; i++) {
        struct sim__fault_spec *f = &fs->specs[i];
        for (int k = 0; k < f->ntargets; k++) {
            struct sim__target *t = &f->targets[k];
            if (t->on && t->comp == self->index && t->instance == instance)
                sim__fault_apply(fs, f, t, false);
        }
    }
    return true;
}

bool sim_reachable(struct sim_component *from, struct sim_component *to)
{
    struct sim_world *w = from->world;
    if (!w->faults || !w->partitions_on) return true;
    return !sim__partitioned(w, from, sim_zone_of(from, -1), to, sim_zone_of(to, -1));
}
