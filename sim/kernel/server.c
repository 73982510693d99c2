/* server.c: a pool of workers with a FIFO queue in front, the loop a service's instance
 * and a database's server share. A job is embedded in the model's own per-call struct and
 * linked on the server's live list while it is there, queued or in service, so a crash
 * finds every job it loses without a scan of the model's pool; nothing is allocated but
 * the queue's ring, which doubles when full. What a job does in service (its time, its
 * calls) is the model's: begin() hands the job over as a worker takes it. */
#include <stdio.h>

#include "sim.h"

void sim_server_configure(struct sim_cfg *cfg, int default_workers, int *workers,
                          int64_t *queue_limit)
{
    *workers = (int)sim_cfg_int(cfg, "workers", default_workers, 1, 1000000);
    if (sim_cfg_type(cfg, "queue") == SIM_CFG_STRING) {
        static const char *const unbounded[] = {"unbounded", NULL};
        sim_cfg_choice(cfg, "queue", -1, unbounded);
        *queue_limit = -1;
    } else {
        *queue_limit = sim_cfg_int(cfg, "queue", -1, 0, INT32_MAX);
    }
}

void sim_server_init(struct sim_server *srv, struct sim_component *owner, int workers,
                     int64_t queue_limit, struct sim_level *busy_level,
                     struct sim_level *queued_level,
                     void (*begin)(struct sim_component *, struct sim_job *))
{
    *srv = (struct sim_server){.workers = workers, .queue_limit = queue_limit,
                               .busy_level = busy_level, .queued_level = queued_level,
                               .owner = owner, .begin = begin};
}

/* A worker takes j. */
static void start(struct sim_server *srv, struct sim_job *j)
{
    srv->busy++;
    j->serving = true;
    sim_level_add(srv->busy_level, sim_now(srv->owner), 1);
    srv->begin(srv->owner, j);
}

enum sim_server_result sim_server_arrive(struct sim_server *srv, struct sim_job *j, bool hold)
{
    j->server = srv;
    j->serving = false;
    j->prev = NULL;
    j->next = srv->live;
    if (srv->live) srv->live->prev = j;
    srv->live = j;
    if (!hold && srv->busy < srv->workers) {
        start(srv, j);
        return SIM_SERVER_STARTED;
    }
    if (srv->queue_limit >= 0 && (int64_t)srv->queue.count >= srv->queue_limit)
        return SIM_SERVER_FULL;
    sim_fifo_push(&srv->queue, j);
    sim_level_add(srv->queued_level, sim_now(srv->owner), 1);
    return SIM_SERVER_QUEUED;
}

void sim_server_release(struct sim_job *j, bool hold)
{
    struct sim_server *srv = j->server;
    if (!srv || !j->serving) return;
    j->serving = false;
    srv->busy--;
    sim_time now = sim_now(srv->owner);
    sim_level_add(srv->busy_level, now, -1);
    if (hold || !srv->queue.count) return;
    struct sim_job *next = sim_fifo_pop(&srv->queue);
    sim_level_add(srv->queued_level, now, -1);
    start(srv, next);
}

void sim_server_leave(struct sim_job *j, bool hold)
{
    struct sim_server *srv = j->server;
    if (!srv) return;
    sim_server_release(j, hold);
    if (j->prev) j->prev->next = j->next;
    else srv->live = j->next;
    if (j->next) j->next->prev = j->prev;
    j->server = NULL;
}

struct sim_job *sim_server_drop(struct sim_server *srv)
{
    sim_time now = sim_now(srv->owner);
    struct sim_job *list = srv->live;
    srv->live = NULL;
    /* A level left alone when nothing changes: adding 0 would split its area in two sums,
     * which may round differently when the level is shared. */
    if (srv->queue.count) sim_level_add(srv->queued_level, now, -(double)srv->queue.count);
    srv->queue.head = srv->queue.count = 0;
    if (srv->busy) sim_level_add(srv->busy_level, now, -srv->busy);
    srv->busy = 0;
    for (struct sim_job *j = list; j; j = j->next) {
        j->server = NULL;
        j->serving = false;
    }
    return list;
}

void sim_server_report(const struct sim_server *srv, struct sim_report *rep, const char *prefix,
                       double capacity)
{
    sim_time now = sim_now(srv->owner);
    char path[128];
    snprintf(path, sizeof path, "%sutilisation", prefix);
    sim_report(rep, path, capacity > 0 ? sim_level_mean(srv->busy_level, now) / capacity : 0,
               SIM_UNIT_RATIO);
    snprintf(path, sizeof path, "%squeue.mean", prefix);
    sim_report(rep, path, sim_level_mean(srv->queued_level, now), SIM_UNIT_NUMBER | SIM_LOWER_BETTER);
    snprintf(path, sizeof path, "%squeue.max", prefix);
    sim_report(rep, path, srv->queued_level->max, SIM_UNIT_COUNT | SIM_LOWER_BETTER);
}

int64_t sim_server_load(const struct sim_server *srv)
{
    return srv->busy + (int64_t)srv->queue.count;
}

void sim_server_fini(struct sim_server *srv)
{
    sim_fifo_fini(&srv->queue);
}
