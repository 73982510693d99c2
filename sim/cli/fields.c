/* fields.c: `archsim fields FILE` loads and builds a scenario as `check` does, then prints
 * each object the loader read and the fields it accepts there, as JSON. tools/schema.py
 * makes the scenario schema from this, so the schema follows the loader. */
#include <stdlib.h>

#include "cli.h"
#include "load/loader.h"

int sim__cmd_fields(int argc, char **argv)
{
    if (argc != 3 || argv[2][0] == '-')
        return sim__cli_usage_error("fields takes one scenario FILE and no options%s", "");
    struct options o = {.command = "fields", .files = {argv[2]}, .nfiles = 1};
    struct sim__scenario sc = {0};
    struct sim_loader *ld = sim__cli_load(&o, argv[2], NULL, 0, &sc);
    if (!ld) return 2;
    int code = 0;
    struct sim_world *w = sim__world_build(ld, &sc, 0);
    if (!w) {
        fprintf(stderr, "%s\n", sim__loader_error(ld));
        code = 2;
    } else {
        char *text = sim__loader_fields_json(ld);
        if (text) puts(text);
        else code = 3;
        sim_free(text);
        sim__world_destroy(w);
    }
    sim__scenario_fini(&sc);
    sim__loader_destroy(ld);
    return code;
}
