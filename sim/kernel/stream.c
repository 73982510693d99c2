/* stream.c: an in-order stream any model can use to ship items to one place (the writes
 * a replica applies, a log a follower replays). Each item applies at its own time, never
 * before the one put on ahead of it; a stopped stream holds its items, and one that flows
 * again applies at once everything that fell due meanwhile. */
#include "sim.h"

void sim_stream_init(struct sim_stream *s, struct sim_component *owner,
                     void (*apply)(struct sim_component *, struct sim_stream *,
                                   struct sim_stream_item *))
{
    *s = (struct sim_stream){.owner = owner, .apply = apply};
}

sim_time sim_stream_order(struct sim_stream *s, sim_time at)
{
    if (at < s->last) at = s->last;
    s->last = at;
    return at;
}

static void pump_event(struct sim_component *self, void *arg);

/* Applies every item that is due, and waits for the next. An apply may put new items on
 * the stream (and schedule the pump when it was empty). */
static void pump(struct sim_stream *s)
{
    sim_time now = sim_now(s->owner);
    while (s->head && s->head->at <= now) {
        struct sim_stream_item *it = s->head;
        s->head = it->next;
        if (!s->head) s->tail = NULL;
        s->apply(s->owner, s, it);
    }
    if (s->head && !s->pump) s->pump = sim_schedule(s->owner, s->head->at - now, pump_event, s);
}

static void pump_event(struct sim_component *self, void *arg)
{
    (void)self;
    struct sim_stream *s = arg;
    s->pump = NULL;
    pump(s);
}

void sim_stream_push(struct sim_stream *s, struct sim_stream_item *it, sim_time at, bool flowing)
{
    it->next = NULL;
    it->at = at;
    if (s->tail) s->tail->next = it;
    else s->head = it;
    s->tail = it;
    if (s->head == it && flowing)
        s->pump = sim_schedule(s->owner, at - sim_now(s->owner), pump_event, s);
}

void sim_stream_flow(struct sim_stream *s, bool flowing)
{
    if (!flowing) {
        sim_cancel(s->pump);
        s->pump = NULL;
    } else if (!s->pump && s->head) {
        pump(s);
    }
}

void sim_stream_drop(struct sim_stream *s,
                     bool (*drop)(struct sim_component *owner, struct sim_stream_item *it, void *arg),
                     void *arg)
{
    struct sim_stream_item *keep = NULL, *tail = NULL, *next;
    for (struct sim_stream_item *it = s->head; it; it = next) {
        next = it->next;
        it->next = NULL;
        if (drop(s->owner, it, arg)) continue;
        if (tail) tail->next = it;
        else keep = it;
        tail = it;
    }
    s->head = keep;
    s->tail = tail;
    sim_cancel(s->pump); /* its head may be gone */
    s->pump = NULL;
}
