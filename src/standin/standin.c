// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The demo subsystem and its record queue, as the mlproxy module has them, in
 * user space: same policy, same workload, same records.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "standin.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Queue a record for the reader; with nobody reading, or no room, it is dropped. */
static void emit(struct standin *s, void *rec, bool is_sample)
{
	struct mlproxy_hdr *hdr = rec;
	struct mlfs_policy_event ev;

	hdr->seq = ++s->seq;
	hdr->time_ns = now_ns();
	if (!s->reader)
		return;
	if (s->count == STANDIN_QUEUE_RECORDS) {
		s->drops++;
		if (is_sample)
			mlfs_policy_dropped(&s->policy, 1, &ev);
		return;
	}
	memcpy(s->queue[(s->head + s->count++) % STANDIN_QUEUE_RECORDS], rec, hdr->size);
}

static void emit_mode(struct standin *s, enum mlfs_mode mode, enum mlfs_reason reason)
{
	struct mlproxy_mode_change rec = { 0 };

	mlproxy_record_init(&rec.hdr, MLPROXY_MODE, sizeof(rec), STANDIN_DEMO_ID);
	rec.mode = (uint32_t)mode;
	rec.reason = (uint32_t)reason;
	snprintf(rec.text, sizeof(rec.text), "%s", mlfs_reason_text(reason));
	emit(s, &rec, false);
}

static void emit_register(struct standin *s)
{
	struct mlproxy_register rec = { 0 };
	int i;

	mlproxy_record_init(&rec.hdr, MLPROXY_REGISTER, sizeof(rec), STANDIN_DEMO_ID);
	snprintf(rec.name, sizeof(rec.name), "demo");
	snprintf(rec.metric, sizeof(rec.metric), "throughput");
	rec.ncols = DEMO_COLUMNS;
	rec.flags = MLPROXY_F_REGRESS; /* as mlproxy_demo.ko: the best batch is a number */
	rec.mode = (uint32_t)s->policy.mode;
	rec.rec_min = DEMO_BATCH_MIN;
	rec.rec_max = DEMO_BATCH_MAX;
	rec.rec_default = DEMO_BATCH_DEFAULT;
	for (i = 0; i < DEMO_COLUMNS; i++) {
		snprintf(rec.cols[i].name, sizeof(rec.cols[i].name), "%s", demo_column_names[i]);
		rec.cols[i].scale = 1;
	}
	emit(s, &rec, false);
}

static void report_event(struct standin *s, const struct mlfs_policy_event *ev)
{
	if (ev->window_closed) {
		struct mlproxy_window rec = { 0 };
		int a;

		mlproxy_record_init(&rec.hdr, MLPROXY_WINDOW, sizeof(rec), STANDIN_DEMO_ID);
		rec.window = ev->window;
		rec.mode = (uint32_t)ev->window_mode;
		for (a = 0; a < MLPROXY_ARM_MAX; a++) {
			rec.arms[a].decisions = ev->arms[a].decisions;
			rec.arms[a].outcomes = ev->arms[a].outcomes;
			rec.arms[a].metric_sum = ev->arms[a].metric_sum;
		}
		emit(s, &rec, false);
	}
	if (ev->mode_changed)
		emit_mode(s, ev->mode, ev->reason);
}

void standin_init(struct standin *s, const struct mlfs_policy_config *cfg, uint64_t seed)
{
	memset(s, 0, offsetof(struct standin, queue));
	mlfs_policy_init(&s->policy, cfg, MLFS_MODE_LEARNING, DEMO_BATCH_MIN, DEMO_BATCH_MAX, seed);
	demo_workload_init(&s->work, seed);
	/* Nobody reads yet: the module starts the same way, before the daemon opens it. */
	s->reader = true;
	standin_reader(s, false);
}

void standin_publish(struct standin *s, const s64 row[DEMO_COLUMNS])
{
	struct mlproxy_sample sample;
	int i;

	mlproxy_record_init(&sample.hdr, MLPROXY_SAMPLE, MLPROXY_SAMPLE_SIZE(DEMO_COLUMNS),
			    STANDIN_DEMO_ID);
	sample.ncols = DEMO_COLUMNS;
	sample.pad = 0;
	for (i = 0; i < DEMO_COLUMNS; i++)
		sample.values[i] = row[i];
	emit(s, &sample, true);
}

void standin_tick(struct standin *s)
{
	struct mlproxy_outcome out = { 0 };
	struct mlfs_policy_event ev;
	struct mlfs_decision d;
	s64 row[DEMO_COLUMNS];

	demo_workload_tick(&s->work, row);
	standin_publish(s, row);

	mlfs_policy_decide(&s->policy, demo_workload_default(&s->work), &d);
	s->decided[d.arm]++;
	mlproxy_record_init(&out.hdr, MLPROXY_OUTCOME, sizeof(out), STANDIN_DEMO_ID);
	out.decision = d.number;
	out.recommendation = d.recommendation;
	out.arm = d.arm == MLFS_POLICY_ML ? MLPROXY_ARM_ML : MLPROXY_ARM_DEFAULT;
	out.value = d.value;
	out.default_value = demo_workload_default(&s->work);
	out.metric = demo_workload_throughput(&s->work, d.value);
	emit(s, &out, false);
	mlfs_policy_outcome(&s->policy, d.arm, out.metric, &ev);
	report_event(s, &ev);
}

void standin_samples(struct standin *s, unsigned n)
{
	s64 row[DEMO_COLUMNS];

	while (n--) {
		demo_workload_tick(&s->work, row);
		standin_publish(s, row);
	}
}

void standin_reader(struct standin *s, bool up)
{
	struct mlfs_policy_event ev;

	if (up == s->reader)
		return;
	s->reader = up;
	/* A new reader learns the subsystem first, then why its mode changes. */
	if (up)
		emit_register(s);
	mlfs_policy_connected(&s->policy, up, &ev);
	if (up)
		report_event(s, &ev);
	else
		s->head = s->count = 0;
}

int standin_input(struct standin *s, const void *buf, size_t len)
{
	const unsigned char *p = buf;
	struct mlfs_policy_event ev;
	size_t off;
	int size;

	for (off = 0; off < len; off += (size_t)size) {
		const struct mlproxy_hdr *hdr = (const void *)(p + off);

		size = mlproxy_record_check(hdr, len - off);
		if (size < 0 || hdr->subsys != STANDIN_DEMO_ID ||
		    (hdr->type != MLPROXY_MODE && hdr->type != MLPROXY_RECOMMEND)) {
			s->malformed++;
			return -EINVAL;
		}
	}
	for (off = 0; off < len; off += (size_t)size) {
		const struct mlproxy_hdr *hdr = (const void *)(p + off);

		size = (int)hdr->size;
		if (hdr->type == MLPROXY_MODE) {
			const struct mlproxy_mode_change *m = (const void *)hdr;

			mlfs_policy_set_mode(&s->policy, (enum mlfs_mode)m->mode, &ev);
			report_event(s, &ev);
		} else {
			const struct mlproxy_recommend *r = (const void *)hdr;

			mlfs_policy_recommend(&s->policy, r->id, r->value);
			s->recommendations++;
		}
	}
	return 0;
}

size_t standin_output(const struct standin *s, void *buf, size_t cap, unsigned *ret_records)
{
	unsigned char *out = buf;
	unsigned taken = 0;
	size_t len = 0;

	while (taken < s->count) {
		const struct mlproxy_hdr *hdr =
			(const void *)s->queue[(s->head + taken) % STANDIN_QUEUE_RECORDS];

		if (len + hdr->size > cap)
			break;
		memcpy(out + len, hdr, hdr->size);
		len += hdr->size;
		taken++;
	}
	*ret_records = taken;
	return len;
}

void standin_consume(struct standin *s, unsigned records)
{
	unsigned i;

	for (i = 0; i < records; i++) {
		const struct mlproxy_hdr *hdr =
			(const void *)s->queue[(s->head + i) % STANDIN_QUEUE_RECORDS];

		s->samples_sent += hdr->type == MLPROXY_SAMPLE;
	}
	s->head = (s->head + records) % STANDIN_QUEUE_RECORDS;
	s->count -= records;
}

void standin_write_stats(const struct standin *s, const char *path)
{
	const struct mlfs_policy *p = &s->policy;
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		return;
	fprintf(f, "mode: %s\nreason: %s\nconnected: %d\ndecisions: %llu\n"
		   "decisions_default: %llu\ndecisions_ml: %llu\nwindows: %llu\ndrops: %llu\n"
		   "malformed: %llu\nrecommendations: %llu\nrecommendation_id: %llu\n"
		   "recommendation_value: %lld\nsamples_sent: %llu\n",
		mlfs_mode_name(p->mode), mlfs_reason_text(p->reason), s->reader,
		(unsigned long long)p->decisions,
		(unsigned long long)s->decided[MLFS_POLICY_DEFAULT],
		(unsigned long long)s->decided[MLFS_POLICY_ML],
		(unsigned long long)p->window, (unsigned long long)s->drops,
		(unsigned long long)s->malformed, (unsigned long long)s->recommendations,
		(unsigned long long)p->rec_id, (long long)p->rec_value,
		(unsigned long long)s->samples_sent);
	fclose(f);
	rename(tmp, path);
}
