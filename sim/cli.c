/* cli.c: what the commands share: loading a scenario with the command line's overrides,
 * and the usage error. Errors go to stderr in the file: path: message form. */
#include "cli.h"
#include "warmup.h"

int sim__cli_usage_error(const char *fmt, const char *arg)
{
    fputs("archsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(archsim --help for usage)\n", stderr);
    return 2;
}

struct sim_loader *sim__cli_load(const struct options *o, const char *file,
                                 const char *const *extra, int nextra, struct sim__scenario *sc)
{
    char err[1024];
    struct sim_loader *ld = sim__loader_open(file, err, sizeof err);
    if (!ld) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    for (int i = 0; i < o->nsets + nextra; i++) {
        const char *set = i < o->nsets ? o->sets[i] : extra[i - o->nsets];
        if (!sim__loader_set(ld, set, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            sim__loader_destroy(ld);
            return NULL;
        }
    }
    for (int i = 0; i < o->nfaults; i++) {
        if (!sim__fault_flag(ld, o->faults[i], err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            sim__loader_destroy(ld);
            return NULL;
        }
    }
    if (!sim__scenario_read(ld, sc)) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        sim__scenario_fini(sc);
        sim__loader_destroy(ld);
        return NULL;
    }
    if (o->warmup_auto && !sim__warmup_auto(ld, sc, file)) {
        sim__scenario_fini(sc);
        sim__loader_destroy(ld);
        return NULL;
    }
    sc->threads = o->threads;
    sc->progress = !o->quiet;
    return ld;
}
