/* timeline.c: every interval, one CSV row: the interval's end time, then the columns each
 * component samples (workload first, then nodes in scenario order). Rows are kept as text
 * and written in one piece at the end of the run. */
#include <stdarg.h>

#include "timeline.h"

struct sim__timeline *sim__timeline_create(sim_time interval)
{
    struct sim__timeline *tl = sim_alloc(sizeof *tl);
    tl->interval = interval;
    return tl;
}

void sim__timeline_destroy(struct sim__timeline *tl)
{
    if (!tl) return;
    sim_free(tl->text);
    sim_free(tl->header);
    sim_free(tl);
}

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = *cap - *len;
        va_start(ap, fmt);
        int n = vsnprintf(*buf ? *buf + *len : NULL, *buf ? room : 0, fmt, ap);
        va_end(ap);
        if (*buf && (size_t)n < room) {
            *len += (size_t)n;
            return;
        }
        *cap = (*cap + (size_t)n + 1) * 2;
        *buf = sim_realloc(*buf, *cap);
    }
}

void sim_sample(struct sim_sampler *s, const char *column, double value)
{
    struct sim__timeline *tl = s->tl;
    if (tl->rows == 0) append(&tl->header, &tl->hlen, &tl->hcap, ",%s%s", s->prefix, column);
    append(&tl->text, &tl->len, &tl->cap, ",%.9g", value);
}

static void sample_row(struct sim_world *w)
{
    struct sim__timeline *tl = w->timeline;
    append(&tl->text, &tl->len, &tl->cap, "%.9g", (double)w->now / SIM_S);
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        if (!c->model->sample) continue;
        char prefix[256];
        if (c->name[0] == '@') prefix[0] = 0;
        else snprintf(prefix, sizeof prefix, "%s.", c->name);
        struct sim_sampler s = {tl, prefix};
        c->model->sample(c, &s);
    }
    append(&tl->text, &tl->len, &tl->cap, "\n");
    tl->rows++;
    tl->last = w->now;
}

static sim_time tick(struct sim_component *engine, void *arg)
{
    (void)arg;
    sample_row(engine->world);
    return engine->world->timeline->interval;
}

void sim__timeline_start(struct sim_world *w)
{
    sim_every(&w->engine, w->timeline->interval, tick, NULL);
}

void sim__timeline_finish(struct sim_world *w)
{
    /* A last, shorter interval when the run does not end on an interval boundary. */
    if (w->timeline->last < w->now) sample_row(w);
}

char *sim__timeline_csv(struct sim__timeline *tl)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    append(&out, &len, &cap, "t%s\n%s", tl->header ? tl->header : "", tl->text ? tl->text : "");
    return out;
}
