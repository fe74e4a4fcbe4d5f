// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The model area's costs: the C/gamma grid search on a synthetic classification
 * problem (8 integer features, two classes split by a curved boundary with 5%
 * of labels flipped), and the per-row cost of mlfs_model_predict() for an RBF
 * and a linear model against a bare svm_predict() on rows already scaled into
 * libsvm nodes: the baseline, measured in the same run on the same rows.
 *
 *   bench_model [ROWS [THREADS]]     defaults: 10000 rows, 2 threads
 */
#include <libsvm/svm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model.h"

#define NF 8
#define RUNS 5

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/*
 * Features 0..100 like a kernel's percentages and depths; the label a pure function
 * of the row, with @flip percent of labels flipped.
 */
static double make_row(uint64_t i, double *x, unsigned flip)
{
	double s;
	unsigned j;

	for (j = 0; j < NF; j++)
		x[j] = (double)(mix(i * NF + j) % 101);
	s = x[0] + 2 * x[1] - x[2] + x[3] * x[4] / 50 - 110;
	if (mix(i ^ 0xabcdefull) % 100 < flip)
		s = -s;
	return s > 0 ? 1 : 0;
}

struct stamps {
	double grid_start, final_start;
};

static void progress(void *ctx, const struct mlfs_train_progress *p)
{
	struct stamps *s = ctx;

	if (strcmp(p->stage, "grid search") == 0 && p->point == 0)
		s->grid_start = now_s();
	else if (strcmp(p->stage, "final model") == 0)
		s->final_start = now_s();
}

/* The model's scaling, read back from its svm-scale text, to prepare the baseline's nodes. */
struct range {
	double lower, upper, min[NF + 1], max[NF + 1];
	int has[NF + 1];
};

static void read_scale(const char *text, struct range *r)
{
	const char *p = text;
	unsigned idx;
	double lo, hi;
	int n;

	memset(r, 0, sizeof(*r));
	if (sscanf(p, "x\n%lf %lf\n%n", &r->lower, &r->upper, &n) != 2)
		exit(1);
	p += n;
	while (sscanf(p, "%u %lf %lf\n%n", &idx, &lo, &hi, &n) == 3 && idx <= NF) {
		r->min[idx] = lo;
		r->max[idx] = hi;
		r->has[idx] = 1;
		p += n;
	}
}

static unsigned nodes_of(const struct range *r, const double *x, struct svm_node *nodes)
{
	unsigned j, k = 0;

	for (j = 1; j <= NF; j++) {
		double v = x[j - 1];

		if (!r->has[j])
			continue;
		if (v == r->min[j])
			v = r->lower;
		else if (v == r->max[j])
			v = r->upper;
		else
			v = r->lower +
			    (r->upper - r->lower) * (v - r->min[j]) / (r->max[j] - r->min[j]);
		if (v != 0) {
			nodes[k].index = (int)j;
			nodes[k++].value = v;
		}
	}
	nodes[k].index = -1;
	return k + 1;
}

static struct svm_model *load_svm(const char *text, size_t len)
{
	char path[] = "/tmp/bench-model-XXXXXX";
	struct svm_model *svm;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		exit(1);
	close(fd);
	svm = svm_load_model(path);
	unlink(path);
	return svm;
}

struct rows {
	size_t n;
	double *x;
	struct svm_node *space;
	struct svm_node **nodes;
};

static double time_mlfs(const struct mlfs_model *m, const struct rows *r, unsigned rounds)
{
	volatile double sink = 0;
	double t0 = now_s(), y;
	unsigned k;
	size_t i;

	for (k = 0; k < rounds; k++)
		for (i = 0; i < r->n; i++) {
			mlfs_model_predict(m, r->x + i * NF, NF, &y);
			sink += y;
		}
	return (now_s() - t0) * 1e9 / ((double)rounds * (double)r->n);
}

static double time_bare(const struct svm_model *svm, const struct rows *r, unsigned rounds)
{
	volatile double sink = 0;
	double t0 = now_s();
	unsigned k;
	size_t i;

	for (k = 0; k < rounds; k++)
		for (i = 0; i < r->n; i++)
			sink += svm_predict(svm, r->nodes[i]);
	return (now_s() - t0) * 1e9 / ((double)rounds * (double)r->n);
}

/* Best of RUNS for each side, the sides alternating; also checks they agree. */
static void compare(const char *name, const struct mlfs_model *m, const char *scale,
		    const struct rows *r)
{
	double ours = 1e18, bare = 1e18, y;
	struct svm_model *svm;
	char *text;
	size_t len, i, differ = 0;
	unsigned run, rounds;
	struct range rg;

	mlfs_model_to_text(m, &text, &len);
	svm = load_svm(text, len);
	read_scale(scale, &rg);
	for (i = 0; i < r->n; i++) {
		r->nodes[i] = r->space + i * (NF + 1);
		nodes_of(&rg, r->x + i * NF, r->nodes[i]);
		mlfs_model_predict(m, r->x + i * NF, NF, &y);
		differ += y != svm_predict(svm, r->nodes[i]);
	}
	/* About a quarter of a second per side and run. */
	rounds = (unsigned)(0.25e9 / (time_bare(svm, r, 1) * (double)r->n)) + 1;
	for (run = 0; run < RUNS; run++) {
		double a = time_mlfs(m, r, rounds), b = time_bare(svm, r, rounds);

		ours = a < ours ? a : ours;
		bare = b < bare ? b : bare;
	}
	printf("%-6s %5d SVs: mlfs_model_predict %8.0f ns/row, bare svm_predict %8.0f ns/row, "
	       "overhead %+.0f ns (%+.1f%%)%s\n",
	       name, svm_get_nr_sv(svm), ours, bare, ours - bare, (ours / bare - 1) * 100,
	       differ ? ", PREDICTIONS DIFFER" : "");
	svm_free_and_destroy_model(&svm);
	free(text);
}

static void quiet(const char *s)
{
	(void)s;
}

/* libsvm trains linear models too; mlfs only trains RBF, so this one is made directly. */
static struct mlfs_model *linear_model(const struct rows *r, const double *y, const char *scale)
{
	struct svm_parameter p = { .svm_type = C_SVC,
				   .kernel_type = LINEAR,
				   .cache_size = 200,
				   .eps = 1e-3,
				   .C = 1,
				   .shrinking = 1 };
	struct svm_problem prob = { .l = (int)r->n, .y = (double *)y, .x = r->nodes };
	char path[] = "/tmp/bench-linear-XXXXXX", err[256], *text;
	struct mlfs_model *m = NULL;
	struct svm_model *svm;
	struct range rg;
	FILE *f;
	long len;
	size_t i;
	int fd;

	read_scale(scale, &rg);
	for (i = 0; i < r->n; i++) {
		r->nodes[i] = r->space + i * (NF + 1);
		nodes_of(&rg, r->x + i * NF, r->nodes[i]);
	}
	svm_set_print_string_function(quiet);
	svm = svm_train(&prob, &p);
	fd = mkstemp(path);
	close(fd);
	svm_save_model(path, svm);
	svm_free_and_destroy_model(&svm);
	f = fopen(path, "r");
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	text = malloc((size_t)len);
	if (fread(text, 1, (size_t)len, f) != (size_t)len)
		exit(1);
	fclose(f);
	unlink(path);
	if (mlfs_model_from_text(text, (size_t)len, scale, strlen(scale), NF, &m, err,
				 sizeof(err)) < 0) {
		fprintf(stderr, "bench_model: %s\n", err);
		exit(1);
	}
	free(text);
	return m;
}

int main(int argc, char *argv[])
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 10000;
	unsigned threads = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 10) : 2;
	struct mlfs_dataset *ds = mlfs_dataset_new(NF);
	struct mlfs_train_options o = { .threads = threads, .progress = progress };
	struct rows r = { .n = n };
	struct mlfs_model_info info;
	struct mlfs_model *rbf, *lin, *few;
	struct mlfs_dataset *small;
	struct stamps st = { 0 };
	char err[256], *scale;
	double t0, t1, *y;
	size_t i, len;

	r.x = malloc(n * NF * sizeof(*r.x));
	y = malloc(n * sizeof(*y));
	r.space = malloc(n * (NF + 1) * sizeof(*r.space));
	r.nodes = malloc(n * sizeof(*r.nodes));
	for (i = 0; i < n; i++) {
		y[i] = make_row(i, r.x + i * NF, 5);
		mlfs_dataset_add(ds, r.x + i * NF, y[i]);
	}
	o.ctx = &st;
	t0 = now_s();
	if (mlfs_model_train(ds, &o, &rbf, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_model: %s\n", err);
		return 1;
	}
	t1 = now_s();
	mlfs_model_info(rbf, &info);
	printf("training: %zu rows x %u features, 5 folds, 5x5 grid, %u threads: grid search "
	       "%.2f s, final model %.2f s, all %.2f s; best C=%g gamma=%g, CV accuracy %.2f%%\n",
	       n, NF, threads, st.final_start - st.grid_start, t1 - st.final_start, t1 - t0, info.c,
	       info.gamma, info.cv_accuracy);

	mlfs_model_scale_text(rbf, &scale, &len);
	lin = linear_model(&r, y, scale);
	compare("rbf", rbf, scale, &r);
	compare("linear", lin, scale, &r);
	free(scale);

	/* Few support vectors: where the scaling and node building would show. */
	small = mlfs_dataset_new(NF);
	for (i = 0; i < 500; i++) {
		double x[NF], label = make_row(i, x, 0);

		mlfs_dataset_add(small, x, label);
	}
	o.progress = NULL;
	if (mlfs_model_train(small, &o, &few, err, sizeof(err)) < 0) {
		fprintf(stderr, "bench_model: %s\n", err);
		return 1;
	}
	mlfs_model_scale_text(few, &scale, &len);
	compare("rbf", few, scale, &r);
	free(scale);
	mlfs_model_free(few);
	mlfs_dataset_free(small);
	mlfs_model_free(lin);
	mlfs_model_free(rbf);
	mlfs_dataset_free(ds);
	free(r.nodes);
	free(r.space);
	free(r.x);
	free(y);
	return 0;
}
