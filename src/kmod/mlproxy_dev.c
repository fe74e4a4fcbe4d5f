// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * /dev/mlproxy: the daemon's end of the proxy, for one opener at a time.
 * Opening it tells every subsystem's policy that the daemon is there and
 * queues a REGISTER record per subsystem, which read() returns before anything
 * else. read() returns whole records; write() takes MODE and RECOMMEND
 * records, all of a write or none. Closing it sends every subsystem to
 * emergency mode and discards what was queued: the next opener learns the
 * modes of that time from its REGISTER records.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/poll.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "mlproxy_i.h"

/* The most one write() may carry: far more than a daemon's batch needs. */
#define MLPROXY_WRITE_MAX (16 * 1024)

/**
 * struct reader - one read() in progress
 * @buf: the user's buffer
 * @count: its size
 * @done: bytes copied to it
 * @full: the next record does not fit in what is left of it
 */
struct reader {
	char __user *buf;
	size_t count;
	size_t done;
	bool full;
};

/*
 * Can a record of @size follow the @staged bytes in the bounce buffer? When
 * the user's buffer is what is missing, the read is over.
 */
static bool fits(struct reader *rd, size_t staged, u32 size)
{
	if (size > rd->count - rd->done - staged) {
		rd->full = true;
		return false;
	}
	return size <= MLPROXY_BOUNCE_SIZE - staged;
}

static int flush(struct reader *rd, size_t staged)
{
	if (copy_to_user(rd->buf + rd->done, mlproxy.bounce, staged))
		return -EFAULT;
	rd->done += staged;
	return 0;
}

static int read_registers(struct reader *rd)
{
	struct mlproxy_register *r = (void *)mlproxy.bounce;
	struct mlproxy_subsys *ss;
	bool pending;
	int err;

	list_for_each_entry(ss, &mlproxy.subsystems, node) {
		spin_lock_irq(&ss->lock);
		pending = ss->register_pending;
		if (pending)
			mlproxy_fill_register(ss, r);
		spin_unlock_irq(&ss->lock);
		if (!pending)
			continue;
		if (!fits(rd, 0, sizeof(*r)))
			return 0;
		err = flush(rd, sizeof(*r));
		if (err)
			return err;
		spin_lock_irq(&ss->lock);
		ss->register_pending = false;
		spin_unlock_irq(&ss->lock);
		atomic_long_dec(&mlproxy.queued);
	}
	return 0;
}

static int read_gone(struct reader *rd)
{
	size_t staged = 0;
	unsigned int n;
	int err;

	for (n = 0; n < mlproxy.ngone; n++) {
		struct mlproxy_hdr *h = (void *)(mlproxy.bounce + staged);

		if (!fits(rd, staged, sizeof(*h)))
			break;
		mlproxy_record_init(h, MLPROXY_UNREGISTER, sizeof(*h),
				    mlproxy.gone[n].id);
		h->seq = mlproxy.gone[n].seq;
		h->time_ns = mlproxy.gone[n].time;
		staged += sizeof(*h);
	}
	if (!n)
		return 0;
	err = flush(rd, staged);
	if (err)
		return err;
	mlproxy.ngone -= n;
	memmove(mlproxy.gone, mlproxy.gone + n,
		sizeof(mlproxy.gone[0]) * mlproxy.ngone);
	atomic_long_sub(n, &mlproxy.queued);
	return 0;
}

/* Record @i of @r, or NULL past its end. */
static const struct mlproxy_hdr *peek(const struct mlproxy_ring *r, u32 i)
{
	return i < r->count ? mlproxy_ring_peek(r, i) : NULL;
}

/*
 * The records of @ss, oldest first: its two rings merged by sequence number.
 * What is copied to the user is popped only then; a failed copy loses nothing.
 */
static int read_subsys(struct reader *rd, struct mlproxy_subsys *ss)
{
	const struct mlproxy_hdr *h, *d, *c;
	size_t staged;
	u32 nd, nc;
	int err;

	do {
		staged = 0;
		nd = 0;
		nc = 0;
		spin_lock_irq(&ss->lock);
		for (;;) {
			d = peek(&ss->data, nd);
			c = peek(&ss->ctl, nc);
			if (!d && !c)
				break;
			h = !c || (d && d->seq < c->seq) ? d : c;
			if (!fits(rd, staged, h->size))
				break;
			memcpy(mlproxy.bounce + staged, h, h->size);
			staged += h->size;
			if (h == d)
				nd++;
			else
				nc++;
		}
		spin_unlock_irq(&ss->lock);
		if (!staged)
			return 0;
		err = flush(rd, staged);
		if (err)
			return err;
		/* Only this reader removes records: these are still first. */
		spin_lock_irq(&ss->lock);
		mlproxy_ring_pop(&ss->data, nd);
		mlproxy_ring_pop(&ss->ctl, nc);
		spin_unlock_irq(&ss->lock);
		atomic_long_sub(nd + nc, &mlproxy.queued);
	} while (!rd->full);
	return 0;
}

/* Subsystems take turns: a read that fills up resumes after the last one. */
static int read_round(struct reader *rd)
{
	struct mlproxy_subsys *ss;
	int pass, err;

	for (pass = 0; pass < 2; pass++) {
		list_for_each_entry(ss, &mlproxy.subsystems, node) {
			/* First those from rr_id on, then the ones before. */
			if (pass ? ss->id >= mlproxy.rr_id :
				   ss->id < mlproxy.rr_id)
				continue;
			err = read_subsys(rd, ss);
			if (err)
				return err;
			if (rd->full) {
				mlproxy.rr_id = ss->id + 1;
				return 0;
			}
		}
	}
	return 0;
}

/* One pass over everything queued; under mlproxy.mutex. */
static ssize_t read_queued(struct reader *rd)
{
	int err;

	err = read_registers(rd);
	if (!err && !rd->full)
		err = read_gone(rd);
	if (!err && !rd->full)
		err = read_round(rd);
	if (rd->done)
		return rd->done;
	if (err)
		return err;
	return rd->full ? -EINVAL : 0;
}

static bool records_queued(void)
{
	return atomic_long_read(&mlproxy.queued) > 0;
}

static ssize_t dev_read(struct file *file, char __user *buf, size_t count,
			loff_t *ppos)
{
	struct reader rd = { .buf = buf, .count = count };
	ssize_t ret;

	if (!count)
		return 0;
	for (;;) {
		if (mutex_lock_interruptible(&mlproxy.mutex))
			return -ERESTARTSYS;
		ret = read_queued(&rd);
		mutex_unlock(&mlproxy.mutex);
		if (ret)
			return ret;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(mlproxy.wq, records_queued());
		if (ret)
			return ret;
	}
}

static struct mlproxy_subsys *find_subsys(u32 id)
{
	struct mlproxy_subsys *ss;

	list_for_each_entry(ss, &mlproxy.subsystems, node)
		if (ss->id == id)
			return ss;
	return NULL;
}

/* Every record of a write must be good before any is applied. */
static int check_write(const u8 *buf, size_t count)
{
	const struct mlproxy_hdr *h;
	size_t off;
	int n;

	for (off = 0; off < count; off += n) {
		n = mlproxy_record_check(buf + off, count - off);
		if (n < 0)
			return -EINVAL;
		h = (const void *)(buf + off);
		if (h->type != MLPROXY_MODE && h->type != MLPROXY_RECOMMEND)
			return -EINVAL;
		if (!find_subsys(h->subsys))
			return -EINVAL;
	}
	return 0;
}

static void apply_write(const u8 *buf, size_t count)
{
	const struct mlproxy_mode_change *m;
	const struct mlproxy_hdr *h;
	struct mlproxy_subsys *ss;
	size_t off;

	for (off = 0; off < count; off += h->size) {
		h = (const void *)(buf + off);
		ss = find_subsys(h->subsys);
		if (h->type == MLPROXY_MODE) {
			m = (const void *)h;
			mlproxy_set_mode(ss, (enum mlfs_mode)m->mode);
		} else {
			mlproxy_recommend(ss, (const void *)h);
		}
	}
}

static ssize_t dev_write(struct file *file, const char __user *buf,
			 size_t count, loff_t *ppos)
{
	u8 *kbuf;
	int err;

	if (!count)
		return 0;
	if (count > MLPROXY_WRITE_MAX)
		return -EINVAL;
	kbuf = memdup_user(buf, count);
	if (IS_ERR(kbuf))
		return PTR_ERR(kbuf);
	err = mutex_lock_interruptible(&mlproxy.mutex);
	if (err)
		goto out_free;
	err = check_write(kbuf, count);
	if (!err)
		apply_write(kbuf, count);
	mutex_unlock(&mlproxy.mutex);
out_free:
	kfree(kbuf);
	return err ? err : count;
}

static __poll_t dev_poll(struct file *file, poll_table *wait)
{
	__poll_t mask = EPOLLOUT | EPOLLWRNORM;

	poll_wait(file, &mlproxy.wq, wait);
	if (records_queued())
		mask |= EPOLLIN | EPOLLRDNORM;
	return mask;
}

static int dev_open(struct inode *inode, struct file *file)
{
	struct mlfs_policy_event ev;
	struct mlproxy_subsys *ss;
	u8 *bounce;

	bounce = kmalloc(MLPROXY_BOUNCE_SIZE, GFP_KERNEL);
	if (!bounce)
		return -ENOMEM;
	mutex_lock(&mlproxy.mutex);
	if (mlproxy.attached) {
		mutex_unlock(&mlproxy.mutex);
		kfree(bounce);
		return -EBUSY;
	}
	stream_open(inode, file);
	mlproxy.attached = true;
	mlproxy.bounce = bounce;
	list_for_each_entry(ss, &mlproxy.subsystems, node) {
		spin_lock_irq(&ss->lock);
		mlproxy_queue_attach(ss);
		mlfs_policy_connected(&ss->policy, true, &ev);
		mlproxy_emit_event(ss, &ev);
		spin_unlock_irq(&ss->lock);
	}
	mutex_unlock(&mlproxy.mutex);
	pr_info("daemon connected: %s[%d]\n", current->comm,
		task_pid_nr(current));
	return 0;
}

static int dev_release(struct inode *inode, struct file *file)
{
	struct mlfs_policy_event ev;
	struct mlproxy_subsys *ss;

	mutex_lock(&mlproxy.mutex);
	list_for_each_entry(ss, &mlproxy.subsystems, node) {
		spin_lock_irq(&ss->lock);
		mlproxy_queue_detach(ss);
		mlfs_policy_connected(&ss->policy, false, &ev);
		mlproxy_emit_event(ss, &ev);
		spin_unlock_irq(&ss->lock);
	}
	atomic_long_sub(mlproxy.ngone, &mlproxy.queued);
	mlproxy.ngone = 0;
	mlproxy.attached = false;
	mlproxy.daemon_left = true;
	kfree(mlproxy.bounce);
	mlproxy.bounce = NULL;
	/* Detached subsystems queue nothing: the count must be back to 0. */
	WARN_ON_ONCE(atomic_long_read(&mlproxy.queued));
	atomic_long_set(&mlproxy.queued, 0);
	mutex_unlock(&mlproxy.mutex);
	pr_info("daemon gone: subsystems in emergency mode\n");
	return 0;
}

static const struct file_operations dev_fops = {
	.owner = THIS_MODULE,
	.open = dev_open,
	.release = dev_release,
	.read = dev_read,
	.write = dev_write,
	.poll = dev_poll,
};

static struct miscdevice dev_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "mlproxy",
	.fops = &dev_fops,
	.mode = 0600,
};

int mlproxy_dev_init(void)
{
	return misc_register(&dev_misc);
}

void mlproxy_dev_fini(void)
{
	misc_deregister(&dev_misc);
}
