/* test_registry.c: the model registry and the check of a model's required slots (sim.h,
 * struct sim_model): every registered model has them all; a model missing any one is
 * named by the slot it lacks; adding a component of such a model stops the program with
 * exit code 3 (a bug, not bad input), naming the slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "kernel/internal.h"

static void configure(struct sim_component *self, struct sim_cfg *cfg) { (void)self; (void)cfg; }
static void clear_stats(struct sim_component *self) { (void)self; }
static void report(struct sim_component *self, struct sim_report *rep) { (void)self; (void)rep; }
static void fault(struct sim_component *self, const struct sim_fault *f, bool begins)
{
    (void)self; (void)f; (void)begins;
}

static const struct sim_model whole = {.name = "whole", .size = sizeof(struct sim_component),
                                       .configure = configure, .clear_stats = clear_stats,
                                       .report = report};

static void every_registered_model_has_its_required_slots(void **state)
{
    (void)state;
    size_t n;
    const char *const *names = sim__model_names(&n);
    assert_true(n > 0);
    for (size_t i = 0; i < n; i++) {
        const struct sim_model *m = sim__model_find(names[i]);
        assert_non_null(m);
        assert_string_equal(m->name, names[i]);
        assert_null(sim__model_missing(m, true));
    }
    assert_null(sim__model_find("no-such-model"));
    assert_non_null(sim__model_find("quorum"));
    assert_null(sim__model_missing(&sim__workload_model, false));
}

static void a_missing_slot_is_named(void **state)
{
    (void)state;
    assert_null(sim__model_missing(&whole, true));
    struct sim_model m = whole;
    m.name = NULL;
    assert_string_equal(sim__model_missing(&m, true), "name");
    m = whole;
    m.size = sizeof(struct sim_component) - 1;
    assert_string_equal(sim__model_missing(&m, true), "size");
    m = whole;
    m.configure = NULL;
    assert_string_equal(sim__model_missing(&m, true), "configure");
    assert_null(sim__model_missing(&m, false)); /* built by hand, not from JSON: no need */
    m = whole;
    m.clear_stats = NULL;
    assert_string_equal(sim__model_missing(&m, false), "clear_stats");
    m = whole;
    m.report = NULL;
    assert_string_equal(sim__model_missing(&m, false), "report");
    m = whole;
    m.fault_kinds = SIM_FAULT_BIT(SIM_FAULT_SLOW);
    assert_null(sim__model_missing(&m, false));
    m.fault_kinds |= SIM_FAULT_BIT(SIM_FAULT_DISK_FULL);
    assert_string_equal(sim__model_missing(&m, false), "fault");
    m.fault = fault;
    assert_null(sim__model_missing(&m, false));
}

/* In a child process: adding a component whose model lacks report() exits with 3 and
 * says which slot is missing. */
static void adding_a_component_checks_its_model(void **state)
{
    (void)state;
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 2);
        struct sim_model m = whole;
        m.report = NULL;
        struct sim_world *w = sim__world_create(1, 0);
        sim__world_add(w, &m, "broken");
        _exit(0); /* not reached */
    }
    close(fds[1]);
    char buf[512] = "";
    ssize_t got = 0, k;
    while (got < (ssize_t)sizeof buf - 1 && (k = read(fds[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
        got += k;
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    printf("child: %s", buf);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 3);
    assert_non_null(strstr(buf, "model 'whole' lacks its required slot 'report'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_registered_model_has_its_required_slots),
        cmocka_unit_test(a_missing_slot_is_named),
        cmocka_unit_test(adding_a_component_checks_its_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
