/* timeline.c: every interval, one CSV row: the interval's end time, then the columns each
 * component samples (workload first, then nodes in scenario order). Streamed, each row is
 * written out as soon as it is complete; otherwise rows are kept as text. */
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
    sim_free(tl->rows_text.text);
    sim_free(tl->header.text);
    sim_free(tl);
}

void sim__timeline_stream(struct sim__timeline *tl, FILE *f)
{
    SIM_ASSERT(NULL, tl->nsinks < SIM_TIMELINE_SINKS);
    tl->sinks[tl->nsinks++] = f;
}

void sim_sample(struct sim_sampler *s, const char *column, double value)
{
    struct sim__timeline *tl = s->tl;
    if (tl->rows == 0) sim__text_add(&tl->header, ",%s%s", s->prefix, column);
    sim__text_add(&tl->rows_text, ",%.9g", value);
}

static void sample_row(struct sim_world *w)
{
    struct sim__timeline *tl = w->timeline;
    sim__text_add(&tl->rows_text, "%.9g", (double)w->now / SIM_S);
    for (int i = 0; i < w->ncomponents; i++) {
        struct sim_component *c = w->components[i];
        if (!c->model->sample) continue;
        char prefix[256]; /* a node name: at most 64 characters, checked at load */
        if (c->name[0] == '@') prefix[0] = 0;
        else snprintf(prefix, sizeof prefix, "%s.", c->name);
        struct sim_sampler s = {tl, prefix};
        c->model->sample(c, &s);
    }
    sim__text_add(&tl->rows_text, "\n");
    if (tl->nsinks) {
        /* the first row fixed the header: it goes out first */
        for (int i = 0; i < tl->nsinks; i++) {
            if (tl->rows == 0) fprintf(tl->sinks[i], "t%s\n", tl->header.text ? tl->header.text : "");
            fwrite(tl->rows_text.text, 1, tl->rows_text.len, tl->sinks[i]);
        }
        tl->rows_text.len = 0; /* write errors show at the sink's commit (ferror) */
    }
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
    struct sim__text out = {0};
    sim__text_add(&out, "t%s\n%s", tl->header.text ? tl->header.text : "",
                  tl->rows_text.text ? tl->rows_text.text : "");
    return out.text;
}
