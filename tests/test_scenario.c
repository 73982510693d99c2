/* test_scenario.c: what a scenario's text may hold, taken exactly or refused: 64-bit seeds
 * (numbers below 2^53, strings of digits at any size, --set with every digit), bytes that
 * are not UTF-8, \u0000, numbers too small for a double. */
#include "harness.h"

#define BODY "\"duration\": \"10ms\", \"workload\": {\"entry\": \"app\", \"arrivals\": " \
             "{\"process\": \"poisson\", \"rate\": 100}}, \"nodes\": {\"app\": {\"type\": " \
             "\"service\", \"workers\": 1, \"service_time\": \"1ms\"}}"

/* Reads text (and one --set, or NULL); the seed, or UINT64_MAX - 1 with *error set. */
static uint64_t seed_of(const char *text, const char *set, char *error, size_t n)
{
    char err[1024];
    error[0] = 0;
    struct sim_loader *ld = sim__loader_parse("s.json", text, strlen(text), err, sizeof err);
    if (!ld) {
        snprintf(error, n, "%s", err);
        return UINT64_MAX - 1;
    }
    uint64_t seed = UINT64_MAX - 1;
    struct sim__scenario sc = {0};
    if (set && !sim__loader_set(ld, set, err, sizeof err)) snprintf(error, n, "%s", err);
    else if (!sim__scenario_read(ld, &sc)) snprintf(error, n, "%s", sim__loader_error(ld));
    else seed = sc.seed;
    sim__scenario_fini(&sc); /* also after a failed read: it may have allocated */
    sim__loader_destroy(ld);
    return seed;
}

static void test_seeds_exact(void **state)
{
    (void)state;
    char e[1024];
    assert_true(seed_of("{" BODY "}", NULL, e, sizeof e) == 1);
    assert_true(seed_of("{\"seed\": 9007199254740991, " BODY "}", NULL, e, sizeof e) == 9007199254740991u);
    assert_true(seed_of("{\"seed\": \"9007199254740993\", " BODY "}", NULL, e, sizeof e) ==
                9007199254740993u);
    assert_true(seed_of("{\"seed\": \"18446744073709551615\", " BODY "}", NULL, e, sizeof e) == UINT64_MAX);
    /* --set (and so --seed) keeps every digit */
    assert_true(seed_of("{" BODY "}", "seed=9007199254740993", e, sizeof e) == 9007199254740993u);
    assert_true(seed_of("{" BODY "}", "seed=18446744073709551615", e, sizeof e) == UINT64_MAX);
    assert_true(seed_of("{" BODY "}", "seed=0", e, sizeof e) == 0);
}

static void test_seeds_refused(void **state)
{
    (void)state;
    static const struct {
        const char *seed, *message;
    } cases[] = {
        {"9007199254740993", "s.json: seed: a number at or above 2^53 loses its last digits in JSON "
                             "(this one reads as 9007199254740992): write the seed as a string of "
                             "digits, such as \"seed\": \"9007199254740993\""},
        {"-1", "s.json: seed: expected an integer from 0 to 18446744073709551615, got -1"},
        {"1.5", "s.json: seed: expected an integer from 0 to 18446744073709551615, got 1.5"},
        {"\"18446744073709551616\"", "s.json: seed: expected an integer from 0 to "
                                     "18446744073709551615 (a number, or a string of digits), "
                                     "got \"18446744073709551616\""},
        {"\" 7\"", "s.json: seed: expected an integer from 0 to 18446744073709551615 (a number, "
                   "or a string of digits), got \" 7\""},
        {"true", "s.json: seed: expected an integer from 0 to 18446744073709551615 (a number, or "
                 "a string of digits)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[512], e[1024];
        snprintf(text, sizeof text, "{\"seed\": %s, " BODY "}", cases[i].seed);
        seed_of(text, NULL, e, sizeof e);
        assert_string_equal(e, cases[i].message);
    }
}

static void test_text_refused(void **state)
{
    (void)state;
    static const struct {
        const char *text, *set, *message;
    } cases[] = {
        {"{\"name\": \"caf\xe9\", " BODY "}", NULL,
         "s.json: line 1, column 14: bytes that are not UTF-8 (it would not be read as written)"},
        {"{\"name\": \"\xc0\xaf\", " BODY "}", NULL, /* an overlong '/' */
         "s.json: line 1, column 11: bytes that are not UTF-8 (it would not be read as written)"},
        {"{\"name\": \"\xed\xa0\x80\", " BODY "}", NULL, /* a surrogate */
         "s.json: line 1, column 11: bytes that are not UTF-8 (it would not be read as written)"},
        {"{\"na\\u0000me\": \"x\", " BODY "}", NULL,
         "s.json: line 1, column 5: a NUL character (\\u0000) in a string (it would not be read "
         "as written)"},
        {"{\"x\": 1e-400, " BODY "}", NULL,
         "s.json: line 1, column 7: a number too small for a double (it would not be read as "
         "written)"},
        {"{" BODY "}", "workload.arrivals.rate=-2.5e-999",
         "archsim: --set workload.arrivals.rate=-2.5e-999: a number too small for a double (it "
         "would not be read as written)"},
        {"{" BODY "}", "name=\xff",
         "archsim: --set name=\\xff: bytes that are not UTF-8 (it would not be read as written)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char e[1024];
        seed_of(cases[i].text, cases[i].set, e, sizeof e);
        assert_string_equal(e, cases[i].message);
    }
    /* what stays accepted: UTF-8 names, escapes other than \u0000, small but normal numbers */
    char e[1024];
    seed_of("{\"name\": \"caf\xc3\xa9 \\u00e9 \\\" \xf0\x9f\x98\x80\", \"description\": \"1e-400\", "
            "\"timeline\": {\"interval\": \"1us\"}, " BODY "}", "workload.arrivals.rate=1e-300", e, sizeof e);
    assert_string_equal(e, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seeds_exact),
        cmocka_unit_test(test_seeds_refused),
        cmocka_unit_test(test_text_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
