/* estimate.h: the guide's back-of-the-envelope calculator behind `archsim estimate`
 * (engine files and tests only). Every input is NAN when not given. */
#ifndef ARCHSIM_ESTIMATE_H
#define ARCHSIM_ESTIMATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The inputs, in SI units (bytes, seconds, per second, shares from 0 to 1). */
struct sim__estimate_input {
    double dau, requests_per_user; /* average QPS = dau x requests_per_user / 86,400 s */
    double qps, peak_qps;          /* or the average or the peak rate directly */
    double peak_factor;            /* peak / average; default 3 */
    double read_share;             /* reads / requests (--read-share or --read-write) */
    double writes_per_day;         /* or average QPS x (1 - read_share) x 86,400 s */
    double record_size, response_size; /* bytes per write, bytes per read answer */
    double retention;              /* seconds the data is kept */
    double replication;            /* copies kept; default 3 */
    double server_qps, headroom;   /* one server's capacity; provision x headroom (1.5) */
    double service_time;           /* --scenario: one request's mean time on a server */
};

/* The figures; NAN where an input they need is missing. */
struct sim__estimate {
    struct sim__estimate_input in; /* with the defaults filled in */
    double average_qps, peak_qps, peak_read_qps, peak_write_qps;
    double writes_per_day, storage;  /* bytes over the retention period, all copies */
    double bandwidth_in, bandwidth_out; /* bytes per second at peak */
    double servers;                  /* ceil(peak QPS x headroom / server QPS) */
    double planned_utilisation;      /* peak QPS / (servers x server QPS) */
};

void sim__estimate_input_init(struct sim__estimate_input *in);
/* Sets the input called name (a JSON field name, e.g. "record_size") from text: false,
 * with "expected ..., got TEXT" in err, when the text is not what the field takes, and
 * false with err empty when no input has that name. */
bool sim__estimate_set(struct sim__estimate_input *in, const char *name, const char *text,
                       char *err, size_t errn);
/* Reads FILE's fields into in (unknown fields are errors, with a did-you-mean). */
bool sim__estimate_read(struct sim__estimate_input *in, const char *file, char *err, size_t errn);
/* The figures; false (and a message) when the inputs do not determine any traffic. */
bool sim__estimate_compute(const struct sim__estimate_input *in, struct sim__estimate *e,
                           char *err, size_t errn);
void sim__estimate_print(FILE *f, const struct sim__estimate *e);
char *sim__estimate_json(const struct sim__estimate *e); /* caller frees (sim_free) */
/* A runnable scenario sized from e (needs the peak QPS and server QPS); caller frees. */
char *sim__estimate_scenario(const struct sim__estimate *e, char *err, size_t errn);

int sim__cmd_estimate(int argc, char **argv);

#endif
