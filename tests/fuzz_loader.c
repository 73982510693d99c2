/* fuzz_loader.c: the scenario loader under libFuzzer. Any bytes go through parsing,
 * validation and world building, then a short run capped in events, so a crash, a leak or
 * a sanitizer report anywhere from the file to the first events is found. Built with
 * -DFUZZ_REPLAY it is a plain program that replays files (the regression corpus). */
#include <gsl/gsl_errno.h>
#include <stdlib.h>

#include "run/run.h"

/* Events per input: small for byte mutations; fuzz.sh's numbers mode raises it, so a
 * rate of 10^9 or 10^5 instances get to run, under libFuzzer's memory limit. */
#ifndef FUZZ_EVENTS
#define FUZZ_EVENTS 20000
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[1024];
    gsl_set_error_handler_off();
    struct sim_loader *ld = sim__loader_parse("fuzz.json", (const char *)data, size, err, sizeof err);
    if (!ld) return 0;
    struct sim__scenario sc;
    if (sim__scenario_read(ld, &sc)) {
        struct sim_world *w = sim__world_build(ld, &sc, 0);
        if (w) {
            w->max_events = FUZZ_EVENTS;
            sim__world_run(w);
            struct sim__results *res = sim_alloc(sizeof *res);
            res->replications = 1;
            sim__results_collect(res, w, 0);
            sim__results_destroy(res);
            sim__world_destroy(w);
        }
    }
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    return 0;
}

#ifdef FUZZ_REPLAY
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 2;
        }
        char *buf = NULL;
        size_t len = 0, cap = 0, n;
        char chunk[65536];
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
            if (len + n > cap) buf = sim_realloc(buf, cap = 2 * (len + n));
            memcpy(buf + len, chunk, n);
            len += n;
        }
        fclose(f);
        LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
        sim_free(buf);
    }
    printf("fuzz replay: %d passed, 0 failed\n", argc - 1);
    return 0;
}
#endif
