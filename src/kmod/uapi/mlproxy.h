/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The records that cross /dev/mlproxy, between the mlproxy kernel module and the
 * mlfs daemon (or the user-space stand-in that speaks the same protocol).
 *
 * read() returns whole records, as many as fit; write() takes whole records. Every
 * record starts with struct mlproxy_hdr; its magic and version must match, and its
 * size must be the size its type defines (samples: for their column count). A
 * record that is malformed, oversized or names an unknown subsystem is refused
 * with -EINVAL and changes nothing.
 *
 * Values are integers: features, targets and recommendations are fixed point with
 * the scale each column declares (value = raw / scale). No floating point crosses.
 */
#ifndef _UAPI_LINUX_MLPROXY_H
#define _UAPI_LINUX_MLPROXY_H

#include <linux/types.h>

#define MLPROXY_MAGIC 0x58504c4d /* "MLPX" in memory on little-endian */
#define MLPROXY_VERSION 1

#define MLPROXY_NAME_LEN 32     /* subsystem and column names, NUL-padded */
#define MLPROXY_REASON_LEN 64   /* mode change reasons, NUL-padded */
#define MLPROXY_COLUMNS_MAX 17  /* features and the target */
#define MLPROXY_RECORD_MAX 1024 /* no record is larger */

enum mlproxy_type {
	MLPROXY_REGISTER = 1, /* k->u: a subsystem registered; its columns */
	MLPROXY_UNREGISTER,   /* k->u: it went away */
	MLPROXY_SAMPLE,       /* k->u: one row of features and target */
	MLPROXY_WINDOW,       /* k->u: efficiency of each arm over a window */
	MLPROXY_OUTCOME,      /* k->u: what one decision used and what came of it */
	MLPROXY_MODE,         /* k->u: the mode changed, and why; u->k: set the mode */
	MLPROXY_RECOMMEND,    /* u->k: a recommendation */
	MLPROXY_TYPE_MAX,
};

/* The modes, in the order of src/policy/mode.h. */
enum mlproxy_mode {
	MLPROXY_MODE_EMERGENCY,
	MLPROXY_MODE_LEARNING,
	MLPROXY_MODE_COLLABORATION,
	MLPROXY_MODE_RECOMMENDATION,
	MLPROXY_MODE_MAX,
};

/* Which algorithm chose a decision's value. */
enum mlproxy_arm {
	MLPROXY_ARM_DEFAULT,
	MLPROXY_ARM_ML,
	MLPROXY_ARM_MAX,
};

struct mlproxy_hdr {
	__u32 magic;
	__u16 version;
	__u16 type;    /* enum mlproxy_type */
	__u32 size;    /* of the whole record, this header included */
	__u32 subsys;  /* the id the proxy gave the subsystem at registration */
	__u64 seq;     /* k->u: records the proxy produced, counting drops: gaps are losses */
	__u64 time_ns; /* k->u: CLOCK_REALTIME when it was produced */
};

struct mlproxy_column {
	char name[MLPROXY_NAME_LEN];
	__u32 scale; /* fixed point: the value is raw / scale; 1 for plain integers */
	__u32 pad;
};

/* Flags of a subsystem. */
#define MLPROXY_F_LOWER_IS_BETTER (1u << 0) /* the outcome metric is a cost */
#define MLPROXY_F_PROMOTE (1u << 1)         /* the policy may promote the mode */
#define MLPROXY_F_CLASSIFY (1u << 2)        /* the target is a class: train a classifier */
#define MLPROXY_F_REGRESS (1u << 3)         /* the target is a number: train a regression */
#define MLPROXY_F_ALL (MLPROXY_F_LOWER_IS_BETTER | MLPROXY_F_PROMOTE | MLPROXY_F_CLASSIFY | \
		       MLPROXY_F_REGRESS)

struct mlproxy_register {
	struct mlproxy_hdr hdr;
	char name[MLPROXY_NAME_LEN];
	__u32 ncols;  /* features then the target: the target is the last column */
	__u32 flags;  /* MLPROXY_F_* */
	__u32 mode;   /* enum mlproxy_mode now */
	__u32 pad;
	__s64 rec_min, rec_max, rec_default; /* range and default of the decided value */
	char metric[MLPROXY_NAME_LEN];       /* name of the outcome metric */
	struct mlproxy_column cols[MLPROXY_COLUMNS_MAX];
};

struct mlproxy_sample {
	struct mlproxy_hdr hdr;
	__u32 ncols;
	__u32 pad;
	__s64 values[MLPROXY_COLUMNS_MAX]; /* only ncols are sent */
};

/* The size of a sample record of @ncols values. */
#define MLPROXY_SAMPLE_SIZE(ncols) \
	(sizeof(struct mlproxy_hdr) + 8 + 8 * (__u32)(ncols))

struct mlproxy_arm_stats {
	__u64 decisions; /* taken by this arm in the window */
	__u64 outcomes;  /* reported for it */
	__s64 metric_sum;
};

struct mlproxy_window {
	struct mlproxy_hdr hdr;
	__u64 window; /* its number, from 1 */
	__u32 mode;   /* during the window */
	__u32 pad;
	struct mlproxy_arm_stats arms[MLPROXY_ARM_MAX];
};

struct mlproxy_outcome {
	struct mlproxy_hdr hdr;
	__u64 decision;       /* its number */
	__u64 recommendation; /* id of the recommendation used, 0 if none */
	__u32 arm;            /* enum mlproxy_arm: who chose */
	__u32 pad;
	__s64 value;          /* what was used */
	__s64 default_value;  /* what the default algorithm wanted */
	__s64 metric;         /* what came of it */
};

struct mlproxy_mode_change {
	struct mlproxy_hdr hdr;
	__u32 mode;   /* enum mlproxy_mode */
	__u32 reason; /* k->u: enum mlfs_reason of src/policy; u->k: ignored */
	char text[MLPROXY_REASON_LEN];
};

struct mlproxy_recommend {
	struct mlproxy_hdr hdr;
	__u64 id;            /* the daemon's, not 0; echoed in outcomes */
	__u64 model_version;
	__s64 value;         /* clamped to the subsystem's range by the proxy */
};

#endif /* _UAPI_LINUX_MLPROXY_H */
