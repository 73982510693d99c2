/* connpool.c: a connection pool in front of a component. At most `size` calls hold a
 * connection; the others wait in arrival order (each for at most `timeout`) or are
 * refused at once. Waiters are embedded in the model's own per-call structs and linked
 * both ways, so a wait that times out leaves the line in O(1); nothing is allocated. */
#include <stdio.h>

#include "sim.h"

static const char *const wait_names[] = {"queue", "reject", NULL};

bool sim_connpool_configure(struct sim_connpool *p, struct sim_cfg *cfg, const char *key)
{
    struct sim_cfg *o = sim_cfg_object(cfg, key, false);
    if (!o) return false;
    p->on = true;
    p->size = (int)sim_cfg_int(o, "size", SIM_REQUIRED, 1, 1000000);
    p->reject = sim_cfg_choice(o, "wait", 0, wait_names) == 1;
    if (p->reject && sim_cfg_has(o, "timeout"))
        sim_cfg_error(o, "timeout", "only with wait \"queue\"");
    p->timeout = sim_cfg_duration(o, "timeout", 0, 1, SIM_MAX_DURATION);
    sim_cfg_end(o);
    return true;
}

void sim_connpool_start(struct sim_connpool *p, struct sim_component *owner,
                        void (*admit)(struct sim_component *, struct sim_conn *),
                        void (*expire)(struct sim_component *, struct sim_conn *))
{
    p->owner = owner;
    p->admit = admit;
    p->expire = expire;
    sim_level_init(&p->in_use, 0, 0);
    sim_level_init(&p->waiting_level, 0, 0);
}

/* c gets a connection now: its wait (from its arrival) is measured. */
static void take(struct sim_connpool *p, struct sim_conn *c)
{
    sim_time now = sim_now(p->owner);
    c->connected = true;
    p->used++;
    sim_level_add(&p->in_use, now, 1);
    if (sim_measuring(p->owner)) {
        p->started++;
        if (now > c->arrived) p->waited++;
        p->wait_sum += (double)(now - c->arrived);
    }
}

static void unlink_waiter(struct sim_connpool *p, struct sim_conn *c)
{
    if (c->prev) c->prev->next = c->next;
    else p->head = c->next;
    if (c->next) c->next->prev = c->prev;
    else p->tail = c->prev;
    p->waiting--;
    sim_level_add(&p->waiting_level, sim_now(p->owner), -1);
}

static void expired(struct sim_component *owner, void *arg)
{
    struct sim_conn *c = arg;
    struct sim_connpool *p = c->pool;
    c->timer = NULL;
    unlink_waiter(p, c);
    if (sim_measuring(owner)) p->timeouts++;
    p->expire(owner, c);
}

enum sim_conn_result sim_connpool_acquire(struct sim_connpool *p, struct sim_conn *c,
                                          sim_time arrived)
{
    *c = (struct sim_conn){.pool = p, .arrived = arrived};
    if (!p->on) return SIM_CONN_HELD;
    if (p->used < p->size) {
        take(p, c);
        return SIM_CONN_HELD;
    }
    if (p->reject) {
        if (sim_measuring(p->owner)) p->rejected++;
        return SIM_CONN_REFUSED;
    }
    c->prev = p->tail;
    if (p->tail) p->tail->next = c;
    else p->head = c;
    p->tail = c;
    p->waiting++;
    sim_level_add(&p->waiting_level, sim_now(p->owner), 1);
    if (p->timeout) c->timer = sim_schedule(p->owner, p->timeout, expired, c);
    return SIM_CONN_QUEUED;
}

void sim_connpool_enter(struct sim_connpool *p, struct sim_conn *c, sim_time arrived)
{
    switch (sim_connpool_acquire(p, c, arrived)) {
    case SIM_CONN_HELD: p->admit(p->owner, c); break;
    case SIM_CONN_REFUSED: p->expire(p->owner, c); break;
    case SIM_CONN_QUEUED: break;
    }
}

void sim_connpool_release(struct sim_connpool *p, struct sim_conn *c)
{
    if (!c->connected) return;
    c->connected = false;
    p->used--;
    sim_level_add(&p->in_use, sim_now(p->owner), -1);
    struct sim_conn *next = p->head;
    if (!next) return;
    unlink_waiter(p, next);
    if (next->timer) sim_cancel(next->timer);
    next->timer = NULL;
    take(p, next);
    p->admit(p->owner, next);
}

void sim_connpool_clear_stats(struct sim_connpool *p)
{
    sim_time now = sim_now(p->owner);
    p->rejected = p->timeouts = p->waited = p->started = 0;
    p->wait_sum = 0;
    sim_level_restart(&p->in_use, now);
    sim_level_restart(&p->waiting_level, now);
}

void sim_connpool_report(struct sim_connpool *p, struct sim_report *rep)
{
    if (!p->on) return;
    sim_time now = sim_now(p->owner);
    sim_report(rep, "pool.utilisation", sim_level_mean(&p->in_use, now) / p->size, SIM_UNIT_RATIO);
    sim_report(rep, "pool.waiting.mean", sim_level_mean(&p->waiting_level, now), SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    sim_report(rep, "pool.waiting.max", p->waiting_level.max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "pool.wait.mean", p->started ? p->wait_sum / (double)p->started / SIM_S : 0,
               SIM_UNIT_SECONDS | SIM_LOWER_BETTER);
    sim_report(rep, "pool.wait.probability",
               p->started ? (double)p->waited / (double)p->started : 0, SIM_UNIT_RATIO | SIM_LOWER_BETTER);
    sim_report(rep, "pool.rejected", (double)p->rejected, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
    sim_report(rep, "pool.timeouts", (double)p->timeouts, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
}

void sim_connpool_sample(struct sim_connpool *p, struct sim_sampler *s)
{
    sim_sample(s, "pool_in_use", p->used);
    sim_sample(s, "pool_waiting", (double)p->waiting);
}

void sim_connpool_describe(const struct sim_connpool *p, char *buf, size_t n)
{
    if (!n) return;
    buf[0] = 0;
    if (p->on) snprintf(buf, n, "; pool %d (%s)", p->size, p->reject ? "reject" : "queue");
}
