// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The records a subsystem produces for the reader of /dev/mlproxy, and the two
 * bounded rings that hold them: samples and outcomes in the data ring, which
 * may drop under load, and window and mode records in a small control ring
 * that keeps room for mode changes. Every record produced, dropped or not,
 * takes the subsystem's next sequence number, so the reader sees each loss as
 * a gap. Nothing is produced while no daemon has the device open.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/poll.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "mlproxy_i.h"

void mlproxy_ring_init(struct mlproxy_ring *r, u8 *slots, u32 slot_size,
		       u32 nslots)
{
	r->slots = slots;
	r->slot_size = slot_size;
	r->nslots = nslots;
	r->first = 0;
	r->count = 0;
}

static void *slot(const struct mlproxy_ring *r, u32 i)
{
	u32 s = r->first + i;

	if (s >= r->nslots)
		s -= r->nslots;
	return r->slots + (size_t)s * r->slot_size;
}

/* The slot for a new record, or NULL when @r already holds @limit records. */
static void *ring_reserve(struct mlproxy_ring *r, u32 limit)
{
	if (r->count >= limit)
		return NULL;
	return slot(r, r->count++);
}

/**
 * mlproxy_ring_peek() - a queued record
 * @r: the ring
 * @i: which one, 0 for the oldest; less than @r->count
 *
 * Return: the record's header; the record follows it.
 */
const struct mlproxy_hdr *mlproxy_ring_peek(const struct mlproxy_ring *r, u32 i)
{
	return slot(r, i);
}

/**
 * mlproxy_ring_pop() - forget the @n oldest records of @r
 * @r: the ring
 * @n: how many, at most @r->count
 */
void mlproxy_ring_pop(struct mlproxy_ring *r, u32 n)
{
	if (WARN_ON_ONCE(n > r->count))
		n = r->count;
	r->first += n;
	if (r->first >= r->nslots)
		r->first -= r->nslots;
	r->count -= n;
}

static void stamp(struct mlproxy_subsys *ss, struct mlproxy_hdr *hdr,
		  enum mlproxy_type type, u32 size)
{
	mlproxy_record_init(hdr, type, size, ss->id);
	hdr->seq = ++ss->seq;
	hdr->time_ns = ktime_get_real_ns();
}

/* A data record could not be queued: count it, and tell the policy. */
static void data_dropped(struct mlproxy_subsys *ss)
{
	struct mlfs_policy_event ev;

	ss->seq++;
	ss->stats.drops++;
	mlfs_policy_dropped(&ss->policy, 1, &ev);
	mlproxy_emit_event(ss, &ev);
}

/**
 * mlproxy_emit_sample() - queue a SAMPLE record of the subsystem's columns
 * @ss: the subsystem, locked
 * @values: @ss->ncols values
 *
 * Return: 0, -ENOBUFS when the data ring was full, -ENOTCONN when detached.
 */
int mlproxy_emit_sample(struct mlproxy_subsys *ss, const s64 *values)
{
	struct mlproxy_sample *s;
	u32 size = MLPROXY_SAMPLE_SIZE(ss->ncols);

	if (!ss->attached) {
		ss->stats.unread++;
		return -ENOTCONN;
	}
	s = ring_reserve(&ss->data, ss->data.nslots);
	if (!s) {
		data_dropped(ss);
		return -ENOBUFS;
	}
	stamp(ss, &s->hdr, MLPROXY_SAMPLE, size);
	s->ncols = ss->ncols;
	s->pad = 0;
	memcpy(s->values, values, sizeof(s->values[0]) * ss->ncols);
	ss->stats.samples++;
	atomic_long_inc(&mlproxy.queued);
	return 0;
}

/**
 * mlproxy_emit_outcome() - queue an OUTCOME record
 * @ss: the subsystem, locked
 * @d: the decision
 * @metric: what came of it
 */
void mlproxy_emit_outcome(struct mlproxy_subsys *ss,
			  const struct mlproxy_decision *d, s64 metric)
{
	struct mlproxy_outcome *o;

	if (!ss->attached) {
		ss->stats.unread++;
		return;
	}
	o = ring_reserve(&ss->data, ss->data.nslots);
	if (!o) {
		data_dropped(ss);
		return;
	}
	stamp(ss, &o->hdr, MLPROXY_OUTCOME, sizeof(*o));
	o->decision = d->number;
	o->recommendation = d->recommendation;
	o->arm = d->arm;
	o->pad = 0;
	o->value = d->value;
	o->default_value = d->default_value;
	o->metric = metric;
	atomic_long_inc(&mlproxy.queued);
}

/* A control record's slot; windows leave the last few to mode changes. */
static void *ctl_reserve(struct mlproxy_subsys *ss, bool mode_change)
{
	u32 limit = ss->ctl.nslots;
	void *rec;

	if (!mode_change)
		limit -= MLPROXY_CTL_MODE_RESERVE;
	rec = ring_reserve(&ss->ctl, limit);
	if (!rec) {
		ss->seq++;
		ss->stats.ctl_drops++;
	}
	return rec;
}

static void emit_window(struct mlproxy_subsys *ss,
			const struct mlfs_policy_event *ev)
{
	struct mlproxy_window *w = ctl_reserve(ss, false);
	int a;

	if (!w)
		return;
	stamp(ss, &w->hdr, MLPROXY_WINDOW, sizeof(*w));
	w->window = ev->window;
	w->mode = ev->window_mode;
	w->pad = 0;
	for (a = 0; a < MLPROXY_ARM_MAX; a++) {
		w->arms[a].decisions = ev->arms[a].decisions;
		w->arms[a].outcomes = ev->arms[a].outcomes;
		w->arms[a].metric_sum = ev->arms[a].metric_sum;
	}
	atomic_long_inc(&mlproxy.queued);
}

static void emit_mode(struct mlproxy_subsys *ss, enum mlfs_mode mode,
		      enum mlfs_reason reason)
{
	struct mlproxy_mode_change *m = ctl_reserve(ss, true);

	if (!m)
		return;
	stamp(ss, &m->hdr, MLPROXY_MODE, sizeof(*m));
	m->mode = mode;
	m->reason = reason;
	memset(m->text, 0, sizeof(m->text));
	strscpy(m->text, mlfs_reason_text(reason), sizeof(m->text));
	atomic_long_inc(&mlproxy.queued);
}

/**
 * mlproxy_emit_event() - queue the records a policy call asks for
 * @ss: the subsystem, locked
 * @ev: what the call changed: a closed window, then a mode change
 *
 * Nothing is queued while detached; a mode change is also logged.
 */
void mlproxy_emit_event(struct mlproxy_subsys *ss,
			const struct mlfs_policy_event *ev)
{
	if (ev->mode_changed)
		pr_info_ratelimited("%s: mode %s: %s\n", ss->name,
				    mlfs_mode_name(ev->mode),
				    mlfs_reason_text(ev->reason));
	if (!ss->attached)
		return;
	if (ev->window_closed)
		emit_window(ss, ev);
	if (ev->mode_changed)
		emit_mode(ss, ev->mode, ev->reason);
}

/* Forget whatever is queued, for a reader that comes or goes. */
static void discard(struct mlproxy_subsys *ss)
{
	long n = ss->data.count + ss->ctl.count + ss->register_pending;

	mlproxy_ring_pop(&ss->data, ss->data.count);
	mlproxy_ring_pop(&ss->ctl, ss->ctl.count);
	ss->register_pending = false;
	atomic_long_sub(n, &mlproxy.queued);
}

/**
 * mlproxy_queue_attach() - a daemon opened the device
 * @ss: the subsystem, locked
 *
 * Queues the REGISTER record that comes before anything else of @ss; it
 * carries the current mode.
 */
void mlproxy_queue_attach(struct mlproxy_subsys *ss)
{
	discard(ss);
	ss->attached = true;
	ss->register_pending = true;
	ss->register_mode = ss->policy.mode;
	ss->register_seq = ++ss->seq;
	ss->register_time = ktime_get_real_ns();
	atomic_long_inc(&mlproxy.queued);
}

/**
 * mlproxy_queue_detach() - the daemon closed the device, or @ss goes away
 * @ss: the subsystem, locked
 *
 * What was queued is discarded: a daemon that comes back gets a REGISTER
 * record with the mode of that time instead.
 */
void mlproxy_queue_detach(struct mlproxy_subsys *ss)
{
	discard(ss);
	ss->attached = false;
}

/**
 * mlproxy_fill_register() - build the pending REGISTER record of @ss
 * @ss: the subsystem, locked
 * @r: where to build it
 */
void mlproxy_fill_register(const struct mlproxy_subsys *ss,
			   struct mlproxy_register *r)
{
	memset(r, 0, sizeof(*r));
	mlproxy_record_init(&r->hdr, MLPROXY_REGISTER, sizeof(*r), ss->id);
	r->hdr.seq = ss->register_seq;
	r->hdr.time_ns = ss->register_time;
	memcpy(r->name, ss->name, sizeof(r->name));
	r->ncols = ss->ncols;
	r->flags = ss->flags;
	r->mode = ss->register_mode;
	r->rec_min = ss->rec_min;
	r->rec_max = ss->rec_max;
	r->rec_default = ss->rec_default;
	memcpy(r->metric, ss->metric, sizeof(r->metric));
	memcpy(r->cols, ss->cols, sizeof(r->cols[0]) * ss->ncols);
}

/* Records were queued: wake the reader if it waits. Call without locks. */
void mlproxy_wake(void)
{
	if (wq_has_sleeper(&mlproxy.wq))
		wake_up_interruptible_poll(&mlproxy.wq, EPOLLIN | EPOLLRDNORM);
}
