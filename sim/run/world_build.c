/* world_build.c: one replication's world, built in the order the layers allow: what the
 * scenario describes (load/), then its faults (faults/), then the finishing touches. */
#include "faults/fault.h"
#include "run.h"

struct sim_world *sim__world_build(struct sim_loader *ld, const struct sim__scenario *sc, int r)
{
    struct sim_world *w = sim__world_create(sc->seed, r);
    if (sim__world_load(ld, sc, w)) {
        /* Faults last: they name nodes, their instances and zones. */
        sim__loader_set_component(ld, &w->engine);
        sim__faults_build(w, sim__loader_root(ld));
        sim__loader_check_unread(ld);
        sim__loader_set_component(ld, NULL);
    }
    if (sim__loader_error(ld)) {
        sim__world_destroy(w);
        return NULL;
    }
    sim__world_finish(ld, w);
    return w;
}
