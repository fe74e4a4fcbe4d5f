// SPDX-License-Identifier: GPL-2.0
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * /sys/kernel/mlproxy/<subsys>/: the mode, which an administrator may set
 * with the same words as /mlfs/<subsys>/mode, and the counters behind it.
 * The kobject of a directory is the subsystem's lifetime: its release frees
 * the subsystem, once no sysfs file of it is in use.
 */
#include <linux/kobject.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "mlproxy_i.h"

static struct mlproxy_subsys *to_subsys(struct kobject *kobj)
{
	return container_of(kobj, struct mlproxy_subsys, kobj);
}

static ssize_t mode_show(struct kobject *kobj, struct kobj_attribute *attr,
			 char *buf)
{
	struct mlproxy_subsys *ss = to_subsys(kobj);
	enum mlfs_mode mode;

	spin_lock_irq(&ss->lock);
	mode = ss->policy.mode;
	spin_unlock_irq(&ss->lock);
	return sysfs_emit(buf, "%s\n", mlfs_mode_name(mode));
}

static ssize_t mode_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	enum mlfs_mode mode;
	int err;

	err = mlfs_mode_parse(buf, count, &mode);
	if (err)
		return err;
	mlproxy_set_mode(to_subsys(kobj), mode);
	return count;
}

static ssize_t stats_show(struct kobject *kobj, struct kobj_attribute *attr,
			  char *buf)
{
	struct mlproxy_subsys *ss = to_subsys(kobj);
	struct mlproxy_stats st;
	enum mlfs_reason reason;
	enum mlfs_mode mode;
	u64 window, rec_id, rec_version, seq;
	bool have_rec, attached;
	s64 rec_value;
	u32 queued;
	int n = 0;

	spin_lock_irq(&ss->lock);
	st = ss->stats;
	mode = ss->policy.mode;
	reason = ss->policy.reason;
	window = ss->policy.window;
	have_rec = ss->policy.have_rec;
	rec_id = ss->policy.rec_id;
	rec_value = ss->policy.rec_value;
	rec_version = ss->rec_model_version;
	attached = ss->attached;
	seq = ss->seq;
	queued = ss->data.count + ss->ctl.count;
	spin_unlock_irq(&ss->lock);

	n += sysfs_emit_at(buf, n, "id %u\n", ss->id);
	n += sysfs_emit_at(buf, n, "mode %s\n", mlfs_mode_name(mode));
	n += sysfs_emit_at(buf, n, "reason %s\n", mlfs_reason_text(reason));
	n += sysfs_emit_at(buf, n, "daemon %s\n",
			   attached ? "connected" : "absent");
	n += sysfs_emit_at(buf, n, "decisions_default %llu\n",
			   st.decisions[MLPROXY_ARM_DEFAULT]);
	n += sysfs_emit_at(buf, n, "decisions_ml %llu\n",
			   st.decisions[MLPROXY_ARM_ML]);
	n += sysfs_emit_at(buf, n, "outcomes_default %llu\n",
			   st.outcomes[MLPROXY_ARM_DEFAULT]);
	n += sysfs_emit_at(buf, n, "outcomes_ml %llu\n",
			   st.outcomes[MLPROXY_ARM_ML]);
	n += sysfs_emit_at(buf, n, "windows %llu\n", window);
	n += sysfs_emit_at(buf, n, "samples %llu\n", st.samples);
	n += sysfs_emit_at(buf, n, "drops %llu\n", st.drops);
	n += sysfs_emit_at(buf, n, "control_drops %llu\n", st.ctl_drops);
	n += sysfs_emit_at(buf, n, "unread %llu\n", st.unread);
	n += sysfs_emit_at(buf, n, "queued %u\n", queued);
	n += sysfs_emit_at(buf, n, "seq %llu\n", seq);
	if (!have_rec)
		return n + sysfs_emit_at(buf, n, "recommendation none\n");
	n += sysfs_emit_at(buf, n,
			   "recommendation %llu value %lld model %llu\n",
			   rec_id, rec_value, rec_version);
	return n;
}

static struct kobj_attribute mode_attr = __ATTR_RW(mode);
static struct kobj_attribute stats_attr = __ATTR_RO(stats);

static struct attribute *subsys_attrs[] = {
	&mode_attr.attr,
	&stats_attr.attr,
	NULL,
};
ATTRIBUTE_GROUPS(subsys);

static void subsys_release(struct kobject *kobj)
{
	struct mlproxy_subsys *ss = to_subsys(kobj);

	kvfree(ss->data.slots);
	kfree(ss);
}

static const struct kobj_type subsys_ktype = {
	.release = subsys_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = subsys_groups,
};

/**
 * mlproxy_sysfs_init_subsys() - make @ss a kobject
 * @ss: a new subsystem whose data ring is allocated
 *
 * From then on the last kobject_put() frees @ss and its data ring.
 */
void mlproxy_sysfs_init_subsys(struct mlproxy_subsys *ss)
{
	kobject_init(&ss->kobj, &subsys_ktype);
}

/**
 * mlproxy_sysfs_add() - create /sys/kernel/mlproxy/<name>
 * @ss: the subsystem, named
 *
 * Return: 0 or -errno; on failure the caller still owns its reference.
 */
int mlproxy_sysfs_add(struct mlproxy_subsys *ss)
{
	int err;

	err = kobject_add(&ss->kobj, mlproxy.kobj, "%s", ss->name);
	if (err)
		return err;
	kobject_uevent(&ss->kobj, KOBJ_ADD);
	return 0;
}

/**
 * mlproxy_sysfs_del() - remove the directory of @ss and drop its reference
 * @ss: the subsystem, no longer listed
 *
 * Waits for sysfs calls in progress on @ss; @ss may be freed on return.
 */
void mlproxy_sysfs_del(struct mlproxy_subsys *ss)
{
	kobject_uevent(&ss->kobj, KOBJ_REMOVE);
	kobject_del(&ss->kobj);
	kobject_put(&ss->kobj);
}

/* /sys/kernel/mlproxy */
int mlproxy_sysfs_init(void)
{
	mlproxy.kobj = kobject_create_and_add("mlproxy", kernel_kobj);
	return mlproxy.kobj ? 0 : -ENOMEM;
}

void mlproxy_sysfs_fini(void)
{
	kobject_put(mlproxy.kobj);
}
