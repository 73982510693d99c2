/* validate_queue.c: the queue model against queueing theory. Consumers with batch size 1
 * and exponential processing are the bottleneck; a partition is read by one consumer, so
 * P partitions with P consumers are P independent M/M/1 queues (Poisson arrivals split
 * evenly by key), not one M/M/c. With P/2 consumers each owns two partitions and takes
 * their messages in turn: the number of messages a consumer holds is then exactly that of
 * M/M/1 at twice the rate (exponential service, work-conserving, so the order between its
 * partitions does not change the count), and the mean latency follows by Little's law;
 * its percentiles are not M/M/1's and are not checked. Each case prints the formula beside
 * the simulated mean and its 95% interval, and fails unless the formula lies inside an
 * interval whose half-width is under 3% of the mean. */
#include "harness.h"

#define TIGHT 0.03

/* P partitions at lambda/P each, served by `consumers` consumers of rate mu. */
static void partitions(const char *file, int p, int consumers, double lambda, double mu)
{
    struct harness_run h = harness_run(file, NULL, 0);
    int per = p / consumers;               /* partitions per consumer */
    double lc = lambda * per / p;          /* arrivals per consumer */
    double rho = lc / mu, l = rho / (1 - rho);
    printf("%s (%d partitions, %d consumers, lambda %g, mu %g, rho per consumer %g)\n", file, p,
           consumers, lambda, mu, rho);
    harness_inside("consumed rate lambda [/s]", lambda,
                   harness_metric(&h, "nodes.broker.groups.workers.consumed"), TIGHT);
    harness_inside("utilisation lambda/(consumers mu)", lambda / (consumers * mu),
                   harness_metric(&h, "nodes.broker.groups.workers.utilisation"), TIGHT);
    harness_inside("mean latency 1/(mu - lambda_c) [s]", 1 / (mu - lc),
                   harness_metric(&h, "nodes.broker.groups.workers.latency.mean"), TIGHT);
    harness_inside("lag per partition rho/(1-rho)/per", l / per,
                   harness_metric(&h, "nodes.broker.groups.workers.lag.per_partition"), TIGHT);
    if (per == 1)
        harness_inside("p99 latency ln(100)/(mu - lambda_c) [s]", log(100) / (mu - lc),
                       harness_metric(&h, "nodes.broker.groups.workers.latency.p99"), TIGHT);
    harness_done(&h);
}

static void mm1_per_partition(void **s)
{
    (void)s;
    partitions("scenarios/validation/queue-mm1-partitions.json", 4, 4, 3200, 1000);
}

static void scaling_half_the_consumers(void **s)
{
    (void)s;
    partitions("scenarios/validation/queue-scaling-half.json", 8, 4, 2800, 1000);
}

static void scaling_one_consumer_per_partition(void **s)
{
    (void)s;
    partitions("scenarios/validation/queue-scaling-full.json", 8, 8, 2800, 1000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(mm1_per_partition),
        cmocka_unit_test(scaling_half_the_consumers),
        cmocka_unit_test(scaling_one_consumer_per_partition),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
