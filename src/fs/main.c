// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * mlfs: the daemon. Parses its options, opens the store, mounts the tree and
 * serves it until unmounted or signalled; then commits what was queued.
 *
 * The order matters: everything that can fail is tried while the terminal is
 * still there to show why, and threads start only after fuse_daemonize() forks.
 */
#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sqlite3.h>
#include <time.h>
#include <unistd.h>

#include "fs_i.h"

#ifndef MLFS_DEFAULT_DB
#define MLFS_DEFAULT_DB "/var/lib/mlfs/mlfs.db"
#endif

#ifndef MLFS_DEFAULT_KDEV
#define MLFS_DEFAULT_KDEV "/dev/mlproxy"
#endif

struct options {
	char *db;
	char *kdev;
	char *rows_max;
	char *queue_rows;
	char *train_rows;
	char *group;
	char *collectors;
	char *window_ms;
	char *blk_rows;
	char *readahead_dev;
	int help;
	int version;
	bool in_collectors; /* the option before was collectors= or one of its names */
};

enum { KEY_COLLECTORS };

#define OPT(t, p) { t, offsetof(struct options, p), 1 }
static const struct fuse_opt option_spec[] = {
	OPT("db=%s", db),
	OPT("kdev=%s", kdev),
	OPT("rows_max=%s", rows_max),
	OPT("queue_rows=%s", queue_rows),
	OPT("train_rows=%s", train_rows),
	OPT("group=%s", group),
	FUSE_OPT_KEY("collectors=", KEY_COLLECTORS),
	OPT("collector_window_ms=%s", window_ms),
	OPT("blk_rows_per_s=%s", blk_rows),
	OPT("readahead_dev=%s", readahead_dev),
	OPT("-h", help),
	OPT("--help", help),
	OPT("-V", version),
	OPT("--version", version),
	FUSE_OPT_END,
};

/*
 * -o splits its list at commas, so "-o collectors=blk,readahead" arrives as
 * "collectors=blk" and then "readahead": a bare collector name that follows
 * belongs to the list. Anything else ends it and goes on to libfuse.
 */
static int take_option(void *data, const char *arg, int key, struct fuse_args *outargs)
{
	struct options *opts = data;
	char errbuf[128], *list;
	unsigned mask;

	if (key == KEY_COLLECTORS) {
		free(opts->collectors);
		opts->collectors = strdup(arg + strlen("collectors="));
		opts->in_collectors = true;
		return opts->collectors ? 0 : -1;
	}
	if (key == FUSE_OPT_KEY_OPT && opts->in_collectors && !strchr(arg, '=') &&
	    mlfs_bpf_parse(arg, &mask, errbuf, sizeof(errbuf)) == 0) {
		if (asprintf(&list, "%s,%s", opts->collectors, arg) < 0)
			return -1;
		free(opts->collectors);
		opts->collectors = list;
		return 0;
	}
	opts->in_collectors = false;
	return 1;
}

static void usage(const char *prog)
{
	printf("usage: %s MOUNTPOINT [options]\n"
	       "       mount -t fuse mlfs MOUNTPOINT [-o options]\n"
	       "\n"
	       "The user-space control plane of an ML proxy for kernel subsystems: datasets,\n"
	       "modes and feedback of each subsystem as files, stored in SQLite.\n"
	       "\n"
	       "mlfs options:\n"
	       "    -o db=PATH             database file (default " MLFS_DEFAULT_DB ")\n"
	       "    -o kdev=PATH           the kernel proxy's device, or the socket of\n"
	       "                           mlproxy-standin (default " MLFS_DEFAULT_KDEV ")\n"
	       "    -o rows_max=N          rows kept per subsystem, oldest dropped first\n"
	       "                           (default %llu)\n"
	       "    -o queue_rows=N        rows queued for the writer before writers wait\n"
	       "                           and kernel sources drop (default %u)\n"
	       "    -o train_rows=N        rows a training uses at most: a stratified sample\n"
	       "                           of the dataset beyond that (default 10000)\n"
	       "    -o collectors=LIST     eBPF collectors to run, comma-separated: blk,\n"
	       "                           readahead%s\n"
	       "    -o collector_window_ms=N  readahead's window (default %u)\n"
	       "    -o blk_rows_per_s=N    blk's rows per second and disk at most: a disk\n"
	       "                           faster than that gives a sample of its requests,\n"
	       "                           blk's programs attached a share of the time\n"
	       "                           (default %u; 0: every request)\n"
	       "    -o group=NAME          with allow_other: the group that may read the tree\n"
	       "                           (datasets, status, recommendations...); only root\n"
	       "                           writes. Others see nothing.\n"
	       "    -o readahead_dev=NAME  apply the readahead model's read_ahead_kb to this\n"
	       "                           block device (loop0), as its mode allows; the\n"
	       "                           value it had comes back at the end (implies\n"
	       "                           collectors=readahead)\n"
	       "    -h, --help             this help\n"
	       "    -V, --version          version\n"
	       "\n",
	       prog, MLFS_STORE_ROWS_MAX_DEFAULT, MLFS_STORE_QUEUE_ROWS_DEFAULT,
	       mlfs_bpf_built() ? "" : " (not built into this mlfs)", MLFS_BPF_WINDOW_MS_DEFAULT,
	       MLFS_BPF_BLK_ROWS_DEFAULT);
	printf("FUSE options:\n");
	fuse_cmdline_help();
	fuse_lowlevel_help();
}

/* -o NAME=N, N from @min to @max; nothing when the option is absent. */
static int parse_number(const char *name, const char *text, uint64_t min, uint64_t max,
			uint64_t *ret)
{
	char *end;
	unsigned long long v;

	if (!text)
		return 0;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max || text[0] == '-') {
		fprintf(stderr,
			"mlfs: -o %s=%s: expected a whole number from %" PRIu64 " to %" PRIu64 "\n",
			name, text, min, max);
		return -EINVAL;
	}
	*ret = v;
	return 0;
}

static int parse_count(const char *name, const char *text, uint64_t max, uint64_t *ret)
{
	return parse_number(name, text, 1, max, ret);
}

/* -o group=NAME: a group's name, or its number. */
static int parse_group(const char *name, gid_t *ret)
{
	struct group *g = getgrnam(name);
	char *end;
	unsigned long v;

	if (g) {
		*ret = g->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(name, &end, 10);
	if (errno || end == name || *end || v >= (gid_t)-1) {
		fprintf(stderr, "mlfs: -o group=%s: no such group\n", name);
		return -EINVAL;
	}
	*ret = (gid_t)v;
	return 0;
}

/* fuse_daemonize() changes to /, so a relative database path is made absolute first. */
static char *absolute_path(const char *path)
{
	char cwd[PATH_MAX], *abs;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	if (asprintf(&abs, "%s/%s", cwd, path) < 0)
		return NULL;
	return abs;
}

/* The device's reader asks the models for each kernel sample's recommendation. */
static int recommend_for_kernel(void *ctx, struct mlfs_subsys *ss, const double *x, unsigned n,
				uint64_t id, double *ret_value, uint64_t *ret_version)
{
	return fs_models_recommend(ctx, ss, x, n, id, ret_value, ret_version);
}

static void outcome_from_kernel(void *ctx, struct mlfs_subsys *ss, uint64_t recommendation,
				bool ml, double default_value, double metric)
{
	fs_models_outcome(ctx, ss, recommendation, ml, default_value, metric);
}

static void registered_from_kernel(void *ctx, struct mlfs_subsys *ss,
				   enum mlfs_kdev_target target)
{
	fs_models_declare_kind(ctx, ss, target == MLFS_KDEV_TARGET_CLASS    ? MLFS_MODEL_CLASSIFY
					: target == MLFS_KDEV_TARGET_NUMBER ? MLFS_MODEL_REGRESS
									    : MLFS_MODEL_AUTO);
}

static void window_from_kernel(void *ctx, struct mlfs_subsys *ss, enum mlfs_mode mode,
			       const uint64_t decisions[2], const double means[2],
			       bool lower_is_better)
{
	fs_models_window(ctx, ss, mode, decisions, means, lower_is_better);
}

/* err 0: the end of a run of failures, which needs no errno. */
static void log_store_failure(int err, const char *subsys, const char *what)
{
	if (err == 0)
		mlfs_log(LOG_NOTICE, "%s: %s", subsys, what);
	else
		mlfs_log(LOG_ERR, "%s: %s: %s", subsys, what, strerror(-err));
}

int main(int argc, char *argv[])
{
	struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
	struct options opts = { 0 };
	struct fuse_cmdline_opts cmd = { 0 };
	struct mlfs_store_options store_opts = { 0 };
	struct mlfs_bpf_options bpf_opts = { .window_ms = MLFS_BPF_WINDOW_MS_DEFAULT,
					     .blk_rows_per_s = MLFS_BPF_BLK_ROWS_DEFAULT };
	struct mlfs_source_listener listener;
	struct mlfs_ra_actuator *ra_actuator = NULL;
	struct fuse_loop_config *loop;
	struct mlfs_fs fs = { .files_lock = PTHREAD_MUTEX_INITIALIZER };
	char errbuf[256];
	uint64_t queue_rows = MLFS_STORE_QUEUE_ROWS_DEFAULT, train_rows = 10000;
	uint64_t window_ms = MLFS_BPF_WINDOW_MS_DEFAULT, blk_rows = MLFS_BPF_BLK_ROWS_DEFAULT;
	int ret = 1, r;

	if (fuse_opt_parse(&args, &opts, option_spec, take_option) < 0)
		return 1;
	if (opts.version) {
		printf("mlfs %s\nFUSE library %s\nSQLite %s\n", MLFS_VERSION, fuse_pkgversion(),
		       sqlite3_libversion());
		ret = 0;
		goto out_args;
	}
	if (opts.help) {
		usage(argv[0]);
		ret = 0;
		goto out_args;
	}
	/* The tree's permission bits are the rules; the kernel enforces them. */
	if (fuse_opt_add_arg(&args, "-odefault_permissions,fsname=mlfs,subtype=mlfs") < 0)
		goto out_args;
	if (fuse_parse_cmdline(&args, &cmd) != 0)
		goto out_args;
	if (!cmd.mountpoint) {
		fprintf(stderr, "mlfs: no mount point given; see 'mlfs --help'\n");
		goto out_args;
	}
	store_opts.rows_max = MLFS_STORE_ROWS_MAX_DEFAULT;
	if (parse_count("rows_max", opts.rows_max, INT64_MAX, &store_opts.rows_max) < 0 ||
	    parse_count("queue_rows", opts.queue_rows, 1u << 24, &queue_rows) < 0 ||
	    parse_count("train_rows", opts.train_rows, 1u << 30, &train_rows) < 0 ||
	    parse_count("collector_window_ms", opts.window_ms, 3600000, &window_ms) < 0 ||
	    parse_number("blk_rows_per_s", opts.blk_rows, 0, 1u << 30, &blk_rows) < 0)
		goto out_args;
	store_opts.queue_rows = (unsigned)queue_rows;
	bpf_opts.window_ms = (unsigned)window_ms;
	bpf_opts.blk_rows_per_s = (unsigned)blk_rows;
	if (opts.collectors &&
	    mlfs_bpf_parse(opts.collectors, &bpf_opts.mask, errbuf, sizeof(errbuf)) < 0) {
		fprintf(stderr, "mlfs: -o collectors=%s: %s\n", opts.collectors, errbuf);
		goto out_args;
	}
	fs.uid = getuid();
	fs.gid = getgid();
	if (opts.group && parse_group(opts.group, &fs.gid) < 0)
		goto out_args;
	store_opts.path = absolute_path(opts.db ? opts.db : MLFS_DEFAULT_DB);
	if (!store_opts.path)
		goto out_args;
	if (opts.readahead_dev) {
		r = mlfs_ra_actuator_open(opts.readahead_dev, mlfs_log, &ra_actuator, errbuf,
					  sizeof(errbuf));
		if (r < 0) {
			fprintf(stderr, "mlfs: -o readahead_dev=%s: %s\n", opts.readahead_dev,
				errbuf);
			goto out_args;
		}
		bpf_opts.mask |= 1u << MLFS_BPF_READAHEAD;
		bpf_opts.ra_actuator = ra_actuator;
	}

	mlfs_log_init(true);
	r = mlfs_store_open(&store_opts, &fs.store, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(stderr, "mlfs: %s: %s\n", store_opts.path, errbuf);
		goto out_args;
	}
	mlfs_store_set_log(fs.store, log_store_failure);
	fs.started = time(NULL);
	if (fs_models_new(fs.store, (size_t)train_rows, &fs.models) < 0 ||
	    fs_workers_new(FS_WORKERS_MAX, &fs.workers) < 0)
		goto out_store;
	/* The kernel's traffic and the readahead gate's reach the models the same way. */
	listener = (struct mlfs_source_listener){
		.registered = registered_from_kernel,
		.recommend = recommend_for_kernel,
		.outcome = outcome_from_kernel,
		.window = window_from_kernel,
		.ctx = fs.models,
	};
	bpf_opts.listener = listener;

	fs.se = fuse_session_new(&args, &mlfs_fs_ops, sizeof(mlfs_fs_ops), &fs);
	if (!fs.se)
		goto out_store;
	if (fuse_set_signal_handlers(fs.se) != 0)
		goto out_session;
	r = fs_stale_mount_clear(cmd.mountpoint, errbuf, sizeof(errbuf));
	if (r < 0) {
		fprintf(stderr, "mlfs: %s\n", errbuf);
		goto out_signals;
	}
	if (r > 0)
		mlfs_log(LOG_NOTICE, "%s: detached the mount of an mlfs that died without unmounting",
			 cmd.mountpoint);
	if (fuse_session_mount(fs.se, cmd.mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(cmd.foreground) != 0)
		goto out_unmount;
	mlfs_log_init(cmd.foreground);

	/* What needs privileges comes first: the collectors load before capabilities go. */
	if (bpf_opts.mask) {
		r = mlfs_bpf_new(&bpf_opts, fs.store, mlfs_log, &fs.bpf);
		if (r < 0) {
			mlfs_log(LOG_ERR, "cannot set up the eBPF collectors: %s", strerror(-r));
			goto out_unmount;
		}
		mlfs_bpf_load(fs.bpf);
	}
	r = fs_privileges_drop();
	if (r < 0) {
		mlfs_log(LOG_ERR, "cannot drop capabilities: %s", strerror(-r));
		goto out_unmount;
	}
	/* Threads from here on: they start with no capabilities. */
	r = mlfs_store_start(fs.store);
	if (r < 0) {
		mlfs_log(LOG_ERR, "cannot start the writer thread: %s", strerror(-r));
		goto out_unmount;
	}
	r = mlfs_kdev_new(opts.kdev ? opts.kdev : MLFS_DEFAULT_KDEV, fs.store, mlfs_log, &fs.kdev);
	if (r == 0) {
		mlfs_kdev_set_listener(fs.kdev, &listener);
		r = mlfs_kdev_start(fs.kdev);
	}
	if (r < 0) {
		mlfs_log(LOG_ERR, "cannot start the kernel proxy's reader: %s", strerror(-r));
		goto out_unmount;
	}
	if (fs.bpf) {
		r = mlfs_bpf_start(fs.bpf);
		if (r < 0) {
			mlfs_log(LOG_ERR, "cannot start the eBPF collectors: %s", strerror(-r));
			goto out_unmount;
		}
	}
	mlfs_log(LOG_INFO, "%s mounted on %s", store_opts.path, cmd.mountpoint);
	if (cmd.singlethread) {
		ret = fuse_session_loop(fs.se);
	} else {
		loop = fuse_loop_cfg_create();
		if (!loop)
			goto out_unmount;
		fuse_loop_cfg_set_clone_fd(loop, cmd.clone_fd);
		/*
		 * Operations that wait run on the workers, so FUSE threads only answer
		 * quick ones, and two of them serve best: measured on 2 CPUs, a query's
		 * p50 is 10 us with two and 30 us with libfuse's ten, whose requests
		 * each wake the thread that has slept longest. -o max_threads=N overrides.
		 */
		fuse_loop_cfg_set_max_threads(loop, cmd.max_threads != UINT_MAX ?
							    cmd.max_threads : FS_FUSE_THREADS);
		/* UINT_MAX is libfuse's "not given"; passing it on only earns a warning. */
		if (cmd.max_idle_threads != UINT_MAX)
			fuse_loop_cfg_set_idle_threads(loop, cmd.max_idle_threads);
		ret = fuse_session_loop_mt(fs.se, loop);
		fuse_loop_cfg_destroy(loop);
	}
	/* A positive value is the signal that ended the loop: a clean stop. */
	ret = ret < 0;
	/* Operations still on a worker reply while the session can take the replies. */
	fs_workers_free(fs.workers);
	fs.workers = NULL;
	mlfs_log(LOG_INFO, "unmounting %s", cmd.mountpoint);

out_unmount:
	/* Without it, the unmount fails and libfuse says so; the kernel unmounts at exit. */
	fs_privileges_for_unmount();
	fuse_session_unmount(fs.se);
out_signals:
	fuse_remove_signal_handlers(fs.se);
out_session:
	fuse_session_destroy(fs.se);
out_store:
	fs_workers_free(fs.workers);
	fs_files_free_all(&fs);
	/* No FUSE request or worker runs any more: no status reads the collectors' counters. */
	mlfs_bpf_free(fs.bpf);
	/* No FUSE request runs any more: nobody can use the device's mode owner. */
	mlfs_kdev_free(fs.kdev);
	/* After the device's reader, which asks the models for recommendations. */
	fs_models_free(fs.models);
	/* Commits every row that was accepted before the tree went away. */
	mlfs_store_close(fs.store);
out_args:
	/*
	 * The readahead gate has stopped with the collectors: the device gets its value
	 * back, whether the loop ended on unmount or on SIGTERM, SIGINT or SIGHUP.
	 */
	mlfs_ra_actuator_free(ra_actuator);
	free((char *)store_opts.path);
	free(cmd.mountpoint);
	free(opts.db);
	free(opts.kdev);
	free(opts.rows_max);
	free(opts.queue_rows);
	free(opts.train_rows);
	free(opts.group);
	free(opts.collectors);
	free(opts.window_ms);
	free(opts.blk_rows);
	free(opts.readahead_dev);
	fuse_opt_free_args(&args);
	return ret;
}
