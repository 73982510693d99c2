/* cli.c: what the commands share: loading a scenario with the command line's overrides,
 * the usage error, and where the streams go (results on stdout, all else on stderr).
 * Errors go to stderr in the file: path: message form. */
#include <errno.h>

#include "cli.h"
#include "run/warmup.h"

int sim__cli_usage_error(const char *fmt, const char *arg)
{
    fputs("archsim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\n(archsim --help for usage)\n", stderr);
    return 2;
}

int sim__cli_streams(struct options *o)
{
    const char *names[] = {"--json", "--csv", "--timeline", "--junit", "--html"};
    const char *paths[] = {o->json, o->csv, o->timeline, o->junit, o->html};
    const char *to_stdout = NULL;
    for (int i = 0; i < 5; i++) {
        if (!paths[i] || strcmp(paths[i], "-")) continue;
        if (to_stdout) {
            fprintf(stderr, "archsim: %s - and %s -: only one output can go to stdout\n"
                            "(archsim --help for usage)\n", to_stdout, names[i]);
            return 2;
        }
        to_stdout = names[i];
    }
    int from_stdin = o->baseline && !strcmp(o->baseline, "-");
    for (int i = 0; i < o->nfiles; i++) from_stdin += !strcmp(o->files[i], "-");
    if (from_stdin > 1)
        return sim__cli_usage_error("'-' (stdin) is given more than once: only one input can "
                                    "come from stdin%s", "");
    if (o->plot && !strcmp(o->plot, "-"))
        return sim__cli_usage_error("--plot takes a directory for the pictures, not '%s'", o->plot);
    o->report = !o->quiet && !to_stdout;
    o->text = o->report ? stdout : fopen("/dev/null", "w");
    if (!o->text) {
        fprintf(stderr, "archsim: internal error: cannot open /dev/null: %s\n", strerror(errno));
        return 3;
    }
    return 0;
}

void sim__cli_streams_fini(struct options *o)
{
    if (o->text && o->text != stdout) fclose(o->text);
    o->text = NULL;
}

/* Faults that begin at or after the end never happen: a --fault, asked for on this command
 * line, is an error; one in the file (perhaps under a shortened --duration) a warning,
 * given once, when the file is loaded as it is (not for every point of a sweep). */
static bool faults_in_run(const struct options *o, struct sim_loader *ld,
                          const struct sim__scenario *sc, bool warn)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(sim__loader_json(ld), "faults");
    int n = cJSON_IsArray(list) ? cJSON_GetArraySize(list) : 0, i = 0;
    char end[32];
    sim__format_duration(sc->duration, end, sizeof end);
    for (const cJSON *f = list ? list->child : NULL; f; f = f->next, i++) {
        const cJSON *at = cJSON_GetObjectItemCaseSensitive(f, "at");
        sim_time t;
        if (!cJSON_IsString(at) || !sim__parse_duration(at->valuestring, &t) || t < sc->duration)
            continue;
        int flag = i - (n - o->nfaults);
        if (flag >= 0) {
            fprintf(stderr, "archsim: --fault '%s': begins at %s, at or after the end of the run "
                            "(%s): it would never happen\n", o->faults[flag], at->valuestring, end);
            return false;
        }
        if (warn)
            fprintf(stderr, "archsim: warning: %s: faults.%d begins at %s, at or after the end of "
                            "the run (%s): it never happens\n", sim__loader_label(ld), i,
                    at->valuestring, end);
    }
    return true;
}

struct sim_loader *sim__cli_load(const struct options *o, const char *file,
                                 const char *const *extra, int nextra, const char *extra_flag,
                                 struct sim__scenario *sc)
{
    char err[1024];
    struct sim_loader *ld = sim__loader_open(file, err, sizeof err);
    if (!ld) {
        fprintf(stderr, "%s\n", err);
        return NULL;
    }
    for (int i = 0; i < o->nsets + nextra; i++) {
        const char *set = i < o->nsets ? o->sets[i] : extra[i - o->nsets];
        struct sim__text flag = {0};
        if (i < o->nsets && o->set_flags[i]) sim__text_add(&flag, "%s", o->set_flags[i]);
        else if (i >= o->nsets && extra_flag) sim__text_add(&flag, "%s %s", extra_flag, set);
        bool ok = sim__loader_set_as(ld, set, flag.text, err, sizeof err);
        sim_free(flag.text);
        if (!ok) {
            fprintf(stderr, "%s\n", sim__loader_error(ld)); /* whole: err may cut a long one */
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
    if (!faults_in_run(o, ld, sc, nextra == 0) ||
        (o->warmup_auto && !sim__warmup_auto(ld, sc, sim__loader_label(ld)))) {
        sim__scenario_fini(sc);
        sim__loader_destroy(ld);
        return NULL;
    }
    sc->threads = o->threads;
    sc->progress = !o->quiet;
    return ld;
}
