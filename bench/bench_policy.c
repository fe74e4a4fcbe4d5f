// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The kernel proxy's hot paths, timed on the user-space build of their own source:
 * decide (mode gate, arm choice, bookkeeping: src/policy/policy.c) and publish
 * (building a sample record and queueing it: the stand-in's copy of the module's
 * path). Prints nanoseconds per call against the goals, best of a few runs.
 *
 *   bench_policy [CALLS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "standin.h"

#define RUNS 5
#define DECIDE_GOAL_NS 50.0
#define PUBLISH_GOAL_NS 200.0

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Collaboration with a recommendation: the random split runs on every call. */
static double time_decide(unsigned long calls)
{
	struct mlfs_policy_config cfg;
	struct mlfs_policy p;
	struct mlfs_decision d;
	volatile s64 sink = 0;
	unsigned long i;
	double t0;

	mlfs_policy_config_default(&cfg);
	mlfs_policy_init(&p, &cfg, MLFS_MODE_COLLABORATION, 1, 128, 42);
	mlfs_policy_recommend(&p, 1, 64);
	t0 = now_s();
	for (i = 0; i < calls; i++) {
		mlfs_policy_decide(&p, (s64)(i & 127), &d);
		sink += d.value;
	}
	return (now_s() - t0) * 1e9 / (double)calls;
}

/* A reader drains the queue every 256 samples, as the daemon's reads do. */
static double time_publish(unsigned long calls)
{
	static struct standin s;
	struct mlfs_policy_config cfg;
	s64 row[DEMO_COLUMNS] = { 500, 40, 12, 50 };
	unsigned long i;
	double t0;

	mlfs_policy_config_default(&cfg);
	standin_init(&s, &cfg, 42);
	standin_reader(&s, true);
	t0 = now_s();
	for (i = 0; i < calls; i++) {
		row[DEMO_QUEUE] = (s64)(i & 255);
		standin_publish(&s, row);
		if ((i & 255) == 255)
			standin_consume(&s, s.count);
	}
	if (s.drops)
		fprintf(stderr, "bench_policy: %llu samples dropped\n", (unsigned long long)s.drops);
	return (now_s() - t0) * 1e9 / (double)calls;
}

int main(int argc, char *argv[])
{
	unsigned long calls = argc > 1 ? strtoul(argv[1], NULL, 10) : 20000000;
	double decide = 1e9, publish = 1e9;
	int run;

	for (run = 0; run < RUNS; run++) {
		double d = time_decide(calls), p = time_publish(calls / 4);

		decide = d < decide ? d : decide;
		publish = p < publish ? p : publish;
	}
	printf("decide: %.1f ns per call (goal < %.0f ns) %s\n", decide, DECIDE_GOAL_NS,
	       decide < DECIDE_GOAL_NS ? "PASS" : "FAIL");
	printf("publish: %.1f ns per call (goal < %.0f ns) %s\n", publish, PUBLISH_GOAL_NS,
	       publish < PUBLISH_GOAL_NS ? "PASS" : "FAIL");
	return 0;
}
