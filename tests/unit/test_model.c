// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Models: scaling (checked against svm-scale itself), training on separable and
 * noisy data, the errors a user can cause, cancelling, repeatability, sampling,
 * model text in and out (and what is refused), predictions equal to svm-predict's
 * for a model svm-train made, and prediction from two threads at once.
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"
#include "model_i.h" /* the scaling and the sampler, to check them directly */
#include "predict_dense_i.h" /* exp_fast(), whose error bound the RBF labels rely on */

static char dir[64];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/mlfs-test-model-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* The same numbers on every run, so a failure can be reproduced. */
static uint64_t rnd_state;

static double rnd(void)
{
	rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
	return (double)(rnd_state >> 11) / 9007199254740992.0;
}

static bool have_tool(const char *name)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", name);
	return system(cmd) == 0;
}

static void run(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void run(const char *fmt, ...)
{
	char cmd[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

static char *slurp(const char *name, size_t *ret_len)
{
	char path[128];
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*ret_len = (size_t)n;
	return buf;
}

static FILE *create(const char *name)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	return f;
}

/* A row of the dataset in libsvm's format, zeros left out as libsvm's tools do. */
static void write_svm_row(FILE *f, const double *x, unsigned n, double y)
{
	unsigned j;

	fprintf(f, "%.17g", y);
	for (j = 0; j < n; j++)
		if (x[j] != 0)
			fprintf(f, " %u:%.17g", j + 1, x[j]);
	fputc('\n', f);
}

/* Two classes split by the line x1 = x2, with a clear margin. */
static struct mlfs_dataset *separable(size_t rows)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(2);
	size_t i = 0;

	rnd_state = 1;
	while (i < rows) {
		double x[2] = { rnd() * 10, rnd() * 10 };

		if (fabs(x[0] - x[1]) < 1)
			continue;
		ck_assert_int_eq(mlfs_dataset_add(ds, x, x[0] > x[1] ? 1 : -1), 0);
		i++;
	}
	return ds;
}

static const double small_c[] = { 1, 10 };
static const double small_gamma[] = { 0.5, 2 };

static struct mlfs_train_options small_grid(void)
{
	struct mlfs_train_options o = { .c_grid = small_c,
					.c_count = 2,
					.gamma_grid = small_gamma,
					.gamma_count = 2,
					.threads = 2,
					.seed = 7 };

	return o;
}

static struct mlfs_model *train_ok(const struct mlfs_dataset *ds,
				   const struct mlfs_train_options *o)
{
	struct mlfs_model *m = NULL;
	char err[256] = "";
	int r;

	r = mlfs_model_train(ds, o, &m, err, sizeof(err));
	ck_assert_msg(r == 0, "train: %s (%d)", err, r);
	return m;
}

static double predict(const struct mlfs_model *m, const double *x, unsigned n)
{
	double y;

	ck_assert_int_eq(mlfs_model_predict(m, x, n, &y), 0);
	return y;
}

static int scale_text(const char *text, struct scale *ret, char *err)
{
	return scale_from_text(text, strlen(text), 3, ret, err, 256);
}

START_TEST(test_scale_fit_apply_and_text)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(3);
	double rows[][3] = { { 2, 5, -4 }, { 10, 5, 4 }, { 6, 5, 0 }, { 4, 5, 1 } };
	struct svm_node nodes[4];
	struct scale s, back;
	size_t idx[4] = { 0, 1, 2, 3 }, len;
	char *text, err[256];
	unsigned i;

	for (i = 0; i < 4; i++)
		ck_assert_int_eq(mlfs_dataset_add(ds, rows[i], 0), 0);
	scale_fit(&s, ds, idx, 4);
	ck_assert_int_eq(scale_to_text(&s, &text, &len), 0);
	/* Feature 2 never changes: left out, as svm-scale leaves it out. */
	ck_assert_str_eq(text, "x\n-1 1\n1 2 10\n3 -4 4\n");
	ck_assert_uint_eq(len, strlen(text));

	ck_assert_uint_eq(model_row_nodes(&s, rows[1], 3, nodes), 2);
	ck_assert_int_eq(nodes[0].index, 1);
	ck_assert_double_eq(nodes[0].value, 1);
	ck_assert_int_eq(nodes[1].index, 3);
	ck_assert_double_eq(nodes[1].value, 1);
	ck_assert_int_eq(nodes[2].index, -1);
	/* Both features land on 0, and zeros are not libsvm nodes. */
	ck_assert_uint_eq(model_row_nodes(&s, rows[2], 3, nodes), 0);
	ck_assert_uint_eq(model_row_nodes(&s, rows[3], 3, nodes), 2);
	ck_assert_double_eq(nodes[0].value, -0.5);
	ck_assert_double_eq(nodes[1].value, 0.25);

	ck_assert_int_eq(scale_from_text(text, len, 3, &back, err, sizeof(err)), 0);
	ck_assert(back.on && back.lower == -1 && back.upper == 1 && back.hi == 3);
	ck_assert(back.has[1] && !back.has[2] && back.has[3]);
	ck_assert(back.min[1] == 2 && back.max[1] == 10 && back.min[3] == -4 && back.max[3] == 4);
	free(text);

	/* svm-scale's own ranges and sections. */
	ck_assert_int_eq(scale_text("x\n0 1\n2 -1.5 3e2\n", &back, err), 0);
	ck_assert(back.lower == 0 && back.upper == 1 && back.has[2] && back.max[2] == 300);
	ck_assert_int_eq(scale_text("y\n0 1\n", &back, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "target"));
	ck_assert_int_eq(scale_text("x\n-1 1\n4 0 1\n", &back, err), -EINVAL);
	ck_assert_str_eq(err, "scaling uses feature 4, the subsystem has 3");
	ck_assert_int_eq(scale_text("x\n-1 1\n2 0 1\n1 0 1\n", &back, err), -EINVAL);
	ck_assert_int_eq(scale_text("x\n1 -1\n", &back, err), -EINVAL);
	ck_assert_int_eq(scale_text("x\n", &back, err), -EINVAL);
	ck_assert_int_eq(scale_text("x\n-1 1\n1 2 1\n", &back, err), -EINVAL);
	mlfs_dataset_free(ds);
}
END_TEST

#define SCALE_ROWS 60
#define SCALE_NF 5

/* svm-scale -r reads our factors and scales as we do; we read what svm-scale -s writes. */
START_TEST(test_scale_agrees_with_svm_scale)
{
	static double x[SCALE_ROWS][SCALE_NF];
	struct mlfs_dataset *ds = mlfs_dataset_new(SCALE_NF);
	struct svm_node nodes[SCALE_NF + 1];
	struct scale s, theirs;
	size_t idx[SCALE_ROWS], len, olen;
	char *text, *out, *line, *save, err[256];
	unsigned i, j, k;
	FILE *f;

	if (!have_tool("svm-scale"))
		return; /* nothing to compare with on this machine */
	rnd_state = 3;
	f = create("data.svm");
	for (i = 0; i < SCALE_ROWS; i++) {
		for (j = 0; j < SCALE_NF; j++)
			x[i][j] = j == 2 ? 7 : (rnd() < 0.2 ? 0 : (rnd() - 0.3) * 1000);
		ck_assert_int_eq(mlfs_dataset_add(ds, x[i], i % 2), 0);
		write_svm_row(f, x[i], SCALE_NF, i % 2);
		idx[i] = i;
	}
	fclose(f);
	scale_fit(&s, ds, idx, SCALE_ROWS);
	ck_assert_int_eq(scale_to_text(&s, &text, &len), 0);
	f = create("ours.scale");
	fwrite(text, 1, len, f);
	fclose(f);
	free(text);
	run("cd %s && svm-scale -r ours.scale data.svm > scaled.svm 2>/dev/null", dir);
	run("cd %s && svm-scale -s theirs.scale data.svm > /dev/null 2>&1", dir);

	out = slurp("scaled.svm", &olen);
	for (i = 0, line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		char *p = strchr(line, ' ');
		unsigned n = model_row_nodes(&s, x[i], SCALE_NF, nodes);

		ck_assert_uint_lt(i, SCALE_ROWS);
		for (k = 0; p && *p && *p != '\n'; k++) {
			int index, used;
			double v;

			while (*p == ' ')
				p++;
			if (!*p)
				break;
			ck_assert_int_eq(sscanf(p, "%d:%lf%n", &index, &v, &used), 2);
			p += used;
			ck_assert_uint_lt(k, n);
			ck_assert_int_eq(index, nodes[k].index);
			/* svm-scale prints %g: six significant digits. */
			ck_assert_double_eq_tol(v, nodes[k].value, 1e-5 * fmax(1, fabs(v)));
		}
		ck_assert_uint_eq(k, n);
	}
	ck_assert_uint_eq(i, SCALE_ROWS);
	free(out);

	text = slurp("theirs.scale", &len);
	ck_assert_int_eq(scale_from_text(text, len, SCALE_NF, &theirs, err, sizeof(err)), 0);
	for (j = 1; j <= SCALE_NF; j++) {
		ck_assert_int_eq(theirs.has[j], s.has[j]);
		if (s.has[j])
			ck_assert(theirs.min[j] == s.min[j] && theirs.max[j] == s.max[j]);
	}
	free(text);
	mlfs_dataset_free(ds);
}
END_TEST

START_TEST(test_separable_classes)
{
	struct mlfs_dataset *ds = separable(200);
	struct mlfs_train_options o = { .seed = 1 }; /* the default grid, on all cores */
	struct mlfs_model_info info;
	struct mlfs_model *m;
	double a[2] = { 8, 2 }, b[2] = { 1, 9 };

	m = train_ok(ds, &o);
	mlfs_model_info(m, &info);
	ck_assert_int_eq(info.kind, MLFS_MODEL_CLASSIFY);
	ck_assert_int_eq(info.svm_type, C_SVC);
	ck_assert_int_eq(info.kernel_type, RBF);
	ck_assert(info.trained && info.scaled);
	ck_assert_double_ge(info.cv_accuracy, 99);
	ck_assert_uint_eq(info.rows_used, 200);
	ck_assert_uint_eq(info.nfeatures, 2);
	/* Points of the default grid: C = 2^-1, 2^1, ... 2^7; gamma = 2^-7, 2^-5, ... 2^1. */
	ck_assert(info.c == 0.5 || info.c == 2 || info.c == 8 || info.c == 32 || info.c == 128);
	ck_assert(info.gamma == 1.0 / 128 || info.gamma == 1.0 / 32 || info.gamma == 1.0 / 8 ||
		  info.gamma == 0.5 || info.gamma == 2);
	ck_assert_double_eq(predict(m, a, 2), 1);
	ck_assert_double_eq(predict(m, b, 2), -1);
	/* Rows of the wrong width, or not numbers, are refused. */
	ck_assert_int_eq(mlfs_model_predict(m, a, 1, &a[0]), -EINVAL);
	b[0] = NAN;
	ck_assert_int_eq(mlfs_model_predict(m, b, 2, &a[0]), -EINVAL);
	mlfs_model_free(m);
	mlfs_dataset_free(ds);
}
END_TEST

START_TEST(test_three_classes_auto)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(1);
	struct mlfs_train_options o = small_grid();
	struct mlfs_model_info info;
	struct mlfs_model *m;
	double x;
	unsigned i;

	/* Integer targets with three values: classes, and all three come back. */
	for (i = 0; i < 150; i++) {
		x = (double)(i % 3) * 10 + (double)(i % 7) * 0.1;
		ck_assert_int_eq(mlfs_dataset_add(ds, &x, (double)(i % 3) + 4), 0);
	}
	m = train_ok(ds, &o);
	mlfs_model_info(m, &info);
	ck_assert_int_eq(info.kind, MLFS_MODEL_CLASSIFY);
	for (i = 0; i < 3; i++) {
		x = (double)i * 10 + 0.3;
		ck_assert_double_eq(predict(m, &x, 1), (double)i + 4);
	}
	mlfs_model_free(m);
	mlfs_dataset_free(ds);
}
END_TEST

START_TEST(test_noisy_regression)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(2);
	struct mlfs_train_options o = small_grid();
	struct mlfs_model_info info;
	struct mlfs_model *m;
	double x[2], err = 0;
	unsigned i;

	rnd_state = 5;
	for (i = 0; i < 300; i++) {
		x[0] = rnd();
		x[1] = rnd();
		ck_assert_int_eq(mlfs_dataset_add(ds, x, 3 * x[0] - 2 * x[1] + (rnd() - 0.5) * 0.2),
				 0);
	}
	m = train_ok(ds, &o);
	mlfs_model_info(m, &info);
	/* Real targets: AUTO regresses. The noise alone has a variance of 0.0033. */
	ck_assert_int_eq(info.kind, MLFS_MODEL_REGRESS);
	ck_assert_int_eq(info.svm_type, EPSILON_SVR);
	ck_assert_double_eq(info.epsilon, 0.1);
	ck_assert_double_lt(info.cv_mse, 0.02);
	for (i = 0; i < 50; i++) {
		x[0] = 0.1 + 0.8 * rnd();
		x[1] = 0.1 + 0.8 * rnd();
		err += pow(predict(m, x, 2) - (3 * x[0] - 2 * x[1]), 2);
	}
	ck_assert_double_lt(err / 50, 0.02);
	mlfs_model_free(m);
	mlfs_dataset_free(ds);
}
END_TEST

static void train_fails(const struct mlfs_dataset *ds, const struct mlfs_train_options *o, int want,
			const char *want_err)
{
	struct mlfs_model *m = NULL;
	char err[256] = "";

	ck_assert_int_eq(mlfs_model_train(ds, o, &m, err, sizeof(err)), want);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err, want_err), "message \"%s\" lacks \"%s\"", err, want_err);
}

START_TEST(test_training_errors)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(2);
	struct mlfs_train_options o = small_grid();
	double x[2] = { 1, 2 };
	unsigned i;

	train_fails(ds, &o, -EINVAL, "no rows");
	for (i = 0; i < 10; i++) {
		x[0] = i;
		ck_assert_int_eq(mlfs_dataset_add(ds, x, 3), 0);
	}
	train_fails(ds, &o, -EINVAL, "dataset has one class only");
	mlfs_dataset_free(ds);

	ds = mlfs_dataset_new(2);
	for (i = 0; i < 4; i++)
		ck_assert_int_eq(mlfs_dataset_add(ds, x, i % 2), 0);
	train_fails(ds, &o, -EINVAL, "fewer than the 5 folds");
	x[1] = INFINITY;
	ck_assert_int_eq(mlfs_dataset_add(ds, x, 0), 0);
	o.folds = 2;
	train_fails(ds, &o, -EINVAL, "row 5");
	mlfs_dataset_free(ds);

	ds = separable(20);
	o.kind = MLFS_MODEL_CLASSIFY;
	x[1] = 0;
	ck_assert_int_eq(mlfs_dataset_add(ds, x, 0.5), 0);
	train_fails(ds, &o, -EINVAL, "integer targets");
	mlfs_dataset_free(ds);
	ck_assert_ptr_null(mlfs_dataset_new(0));
	ck_assert_ptr_null(mlfs_dataset_new(MLFS_MODEL_FEATURES_MAX + 1));
}
END_TEST

struct cancel_at {
	volatile bool cancel;
	unsigned at, calls;
};

static void cancel_progress(void *ctx, const struct mlfs_train_progress *p)
{
	struct cancel_at *c = ctx;

	c->calls++;
	if (strcmp(p->stage, "grid search") == 0 && p->point >= c->at)
		__atomic_store_n(&c->cancel, true, __ATOMIC_RELAXED);
}

START_TEST(test_cancel)
{
	struct mlfs_dataset *ds = separable(200);
	struct mlfs_train_options o = small_grid();
	struct cancel_at c = { .cancel = true };

	o.cancel = &c.cancel;
	train_fails(ds, &o, -ECANCELED, "cancel");
	/* Mid-search, from the progress callback, with the other thread still busy. */
	c.cancel = false;
	c.at = 1;
	o.progress = cancel_progress;
	o.ctx = &c;
	train_fails(ds, &o, -ECANCELED, "cancel");
	ck_assert_uint_ge(c.calls, 2);
	mlfs_dataset_free(ds);
}
END_TEST

static void texts(const struct mlfs_model *m, char **ret_model, char **ret_scale)
{
	size_t len;

	ck_assert_int_eq(mlfs_model_to_text(m, ret_model, &len), 0);
	ck_assert_uint_eq(len, strlen(*ret_model));
	ck_assert_int_eq(mlfs_model_scale_text(m, ret_scale, &len), 0);
	ck_assert_uint_eq(len, strlen(*ret_scale));
}

struct stages {
	unsigned sampling, scaling, grid, final, last_point;
	unsigned last_fold, folds; /* cross-validation trainings reported, of all */
	bool ordered;
};

static void count_stages(void *ctx, const struct mlfs_train_progress *p)
{
	struct stages *s = ctx;

	if (strcmp(p->stage, "sampling") == 0)
		s->sampling++;
	else if (strcmp(p->stage, "scaling") == 0)
		s->scaling++;
	else if (strcmp(p->stage, "grid search") == 0)
		s->grid++;
	else if (strcmp(p->stage, "final model") == 0)
		s->final++;
	s->ordered = s->ordered && p->point >= s->last_point && p->point <= p->points &&
		     p->fold >= s->last_fold && p->fold <= p->folds;
	s->last_point = p->point;
	s->last_fold = p->fold;
	s->folds = p->folds;
}

/* The same rows and seed give the same model, however many threads searched. */
START_TEST(test_deterministic)
{
	struct mlfs_dataset *ds = separable(400);
	struct mlfs_train_options o = small_grid();
	struct stages st = { .ordered = true };
	struct mlfs_model *a, *b, *c;
	char *ta, *sa, *tb, *sb, *tc, *sc;

	o.rows_max = 150;
	o.threads = 1;
	o.progress = count_stages;
	o.ctx = &st;
	a = train_ok(ds, &o);
	/* The start, then each fold of each of the 4 grid points; every point completes. */
	ck_assert(st.sampling == 1 && st.scaling == 1 && st.final == 1);
	ck_assert_uint_eq(st.last_fold, st.folds);
	ck_assert_uint_eq(st.grid, 1 + st.folds);
	ck_assert_uint_eq(st.last_point, 4);
	ck_assert(st.ordered);
	o.threads = 2;
	o.progress = NULL;
	b = train_ok(ds, &o);
	o.seed = 8;
	c = train_ok(ds, &o);
	texts(a, &ta, &sa);
	texts(b, &tb, &sb);
	texts(c, &tc, &sc);
	ck_assert_str_eq(ta, tb);
	ck_assert_str_eq(sa, sb);
	/* Another seed draws another sample. */
	ck_assert_str_ne(ta, tc);
	free(ta);
	free(sa);
	free(tb);
	free(sb);
	free(tc);
	free(sc);
	mlfs_model_free(a);
	mlfs_model_free(b);
	mlfs_model_free(c);
	mlfs_dataset_free(ds);
}
END_TEST

START_TEST(test_stratified_sample)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(1);
	unsigned *stratum, nstrata, count[4] = { 0 }, *fold, infold[5][4] = { { 0 } };
	double *labels, x = 0, y;
	unsigned nlabels, i, f;
	size_t *rows;
	uint64_t rng = 11;

	/* 60% / 30% / 9.9% / one row in a thousand. */
	for (i = 0; i < 1000; i++) {
		y = i < 600 ? 0 : i < 900 ? 1 : i < 999 ? 2 : 3;
		ck_assert_int_eq(mlfs_dataset_add(ds, &x, y), 0);
	}
	ck_assert_int_eq(split_classes(ds, &labels, &nlabels), 0);
	ck_assert_uint_eq(nlabels, 4);
	ck_assert_int_eq(split_strata(ds, labels, nlabels, &stratum, &nstrata), 0);
	ck_assert_int_eq(split_sample(stratum, nstrata, 1000, 100, &rng, &rows), 0);
	for (i = 0; i < 100; i++) {
		ck_assert(i == 0 || rows[i] > rows[i - 1]);
		count[stratum[rows[i]]]++;
	}
	/* Shares of 60, 30, 9.9 and 0.1: the rare class keeps its one row. */
	ck_assert_uint_eq(count[0], 59);
	ck_assert_uint_eq(count[1], 30);
	ck_assert_uint_eq(count[2], 10);
	ck_assert_uint_eq(count[3], 1);

	/* Every fold gets its share of every class. */
	ck_assert_int_eq(split_folds(stratum, nstrata, 1000, 5, &rng, &fold), 0);
	for (i = 0; i < 1000; i++)
		infold[fold[i]][stratum[i]]++;
	for (f = 0; f < 5; f++) {
		ck_assert_uint_eq(infold[f][0], 120);
		ck_assert_uint_eq(infold[f][1], 60);
		ck_assert(infold[f][2] == 19 || infold[f][2] == 20);
	}
	free(fold);
	free(rows);
	free(stratum);
	free(labels);
	mlfs_dataset_free(ds);
}
END_TEST

START_TEST(test_sampled_training_keeps_proportions)
{
	struct mlfs_dataset *ds = mlfs_dataset_new(2);
	struct mlfs_train_options o = small_grid();
	struct mlfs_model_info info;
	struct mlfs_model *m;
	double x[2];
	unsigned i;

	rnd_state = 9;
	for (i = 0; i < 3000; i++) {
		x[0] = rnd();
		x[1] = rnd();
		ck_assert_int_eq(mlfs_dataset_add(ds, x, x[0] > 0.8 ? 1 : 0), 0);
	}
	o.rows_max = 200;
	m = train_ok(ds, &o);
	mlfs_model_info(m, &info);
	ck_assert_uint_eq(info.rows_used, 200);
	x[0] = 0.95;
	ck_assert_double_eq(predict(m, x, 2), 1);
	x[0] = 0.3;
	ck_assert_double_eq(predict(m, x, 2), 0);
	mlfs_model_free(m);
	mlfs_dataset_free(ds);
}
END_TEST

START_TEST(test_text_round_trip)
{
	struct mlfs_dataset *ds = separable(200);
	struct mlfs_train_options o = small_grid();
	struct mlfs_model_info info;
	struct mlfs_model *m, *back;
	char *text, *scale, *text2, *scale2, err[256];
	double x[2];
	unsigned i;

	m = train_ok(ds, &o);
	texts(m, &text, &scale);
	ck_assert_int_eq(mlfs_model_from_text(text, strlen(text), scale, strlen(scale), 2, &back,
					      err, sizeof(err)),
			 0);
	mlfs_model_info(back, &info);
	ck_assert(!info.trained && info.scaled);
	ck_assert_int_eq(info.kind, MLFS_MODEL_CLASSIFY);
	ck_assert_uint_eq(info.nfeatures, 2);
	rnd_state = 2;
	for (i = 0; i < 500; i++) {
		x[0] = rnd() * 12 - 1;
		x[1] = rnd() * 12 - 1;
		ck_assert(predict(m, x, 2) == predict(back, x, 2));
	}
	texts(back, &text2, &scale2);
	ck_assert_str_eq(text, text2);
	ck_assert_str_eq(scale, scale2);
	free(text);
	free(scale);
	free(text2);
	free(scale2);
	mlfs_model_free(back);
	mlfs_model_free(m);
	mlfs_dataset_free(ds);
}
END_TEST

static const char good_model[] = "svm_type c_svc\n"
				 "kernel_type rbf\n"
				 "gamma 0.5\n"
				 "nr_class 2\n"
				 "total_sv 3\n"
				 "rho 0.25\n"
				 "label 1 -1\n"
				 "nr_sv 2 1\n"
				 "SV\n"
				 "1 1:0.5 2:-1 \n"
				 "0.5 2:1 \n"
				 "-1.5 1:-0.25 \n";

static int from_text(const char *text, size_t len, unsigned nfeatures, char *err)
{
	struct mlfs_model *m = NULL;
	int r;

	r = mlfs_model_from_text(text, len, NULL, 0, nfeatures, &m, err, 256);
	ck_assert(r == 0 || m == NULL);
	mlfs_model_free(m);
	return r;
}

/* @good_model with @from replaced by @to: one defect at a time. */
static int from_edited(const char *from, const char *to, char *err)
{
	char text[1024];
	const char *at = strstr(good_model, from);

	ck_assert_ptr_nonnull(at);
	snprintf(text, sizeof(text), "%.*s%s%s", (int)(at - good_model), good_model, to,
		 at + strlen(from));
	return from_text(text, strlen(text), 2, err);
}

START_TEST(test_from_text_refuses)
{
	size_t len = sizeof(good_model) - 1;
	char err[256], *big;

	ck_assert_int_eq(from_text(good_model, len, 2, err), 0);
	ck_assert_int_eq(from_text(good_model, len, 0, err), 0);

	ck_assert_int_eq(from_text("hello world\n", 12, 2, err), -EINVAL);
	ck_assert_msg(strncmp(err, "model text does not parse: ", 27) == 0, "%s", err);
	ck_assert_int_eq(from_text("", 0, 2, err), -EINVAL);
	ck_assert_int_eq(from_text(good_model, len / 2, 2, err), -EINVAL);
	ck_assert_int_eq(from_text(good_model, len - 2, 2, err), -EINVAL);
	ck_assert_int_eq(from_text(good_model, len - 14, 2, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "truncated"));

	big = calloc(1, MLFS_MODEL_TEXT_MAX + 1);
	ck_assert_int_eq(from_text(big, MLFS_MODEL_TEXT_MAX + 1, 2, err), -E2BIG);
	free(big);

	ck_assert_int_eq(from_text(good_model, len, 1, err), -EINVAL);
	ck_assert_str_eq(err, "model uses feature 2, the subsystem has 1");
	ck_assert_int_eq(from_edited("1:-0.25", "12:-0.25", err), -EINVAL);
	ck_assert_str_eq(err, "model uses feature 12, the subsystem has 2");

	/* What libsvm's reader would trip over, one thing at a time. */
	ck_assert_int_eq(from_edited("c_svc", "d_svc", err), -EINVAL);
	/* libsvm would read "label" as a field before nr_class (found by fuzz_model). */
	ck_assert_int_eq(from_edited("svm_type c_svc", "svm_type c_svc\tlabel 1", err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "more than one word"));
	ck_assert_int_eq(from_edited("rbf", "precomputed", err), -EINVAL);
	ck_assert_int_eq(from_edited("gamma 0.5\n", "", err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "gamma is missing"));
	ck_assert_int_eq(from_edited("nr_class 2\n", "", err), -EINVAL);
	ck_assert_int_eq(from_edited("nr_class 2", "nr_class 3", err), -EINVAL);
	ck_assert_int_eq(from_edited("total_sv 3", "total_sv 4", err), -EINVAL);
	ck_assert_int_eq(from_edited("nr_sv 2 1\n", "", err), -EINVAL);
	ck_assert_int_eq(from_edited("rho 0.25", "rho nan", err), -EINVAL);
	ck_assert_int_eq(from_edited("0.5 2:1", "2:1", err), -EINVAL);
	ck_assert_int_eq(from_edited("1 1:0.5 2:-1", "1 2:-1 1:0.5", err), -EINVAL);
	ck_assert_int_eq(from_edited("0.5 2:1 \n", "0.5 2:1 \n\n", err), -EINVAL);
	ck_assert_int_eq(from_edited("-1.5 1:-0.25 \n", "-1.5 1:-0.25 \n7 1:1\n", err), -EINVAL);
	ck_assert_int_eq(from_edited("SV\n", "SV\nx\n", err), -EINVAL);
	ck_assert_int_eq(from_edited("1:0.5", "1:0x1p3", err), -EINVAL);
	ck_assert_int_eq(from_edited("1:0.5", "1:0.5\001", err), -EINVAL);
	ck_assert_int_eq(from_edited("label 1 -1", "label 1 -1 5", err), -EINVAL);
	ck_assert_int_eq(from_edited("gamma 0.5", "gamma 0.5\ngamma 1", err), -EINVAL);
	/* Header order matters to libsvm: nr_class says how many values rho has. */
	ck_assert_int_eq(from_edited("nr_class 2\ntotal_sv 3\nrho 0.25\n",
				     "rho 0.25\nnr_class 2\ntotal_sv 3\n", err),
			 -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "before nr_class"));
	/* Spacing and CRLF line ends are fine, as they are to libsvm. */
	ck_assert_int_eq(from_edited("gamma 0.5\n", "gamma\t 0.5 \r\n", err), 0);
}
END_TEST

/* svm-train's model of data with one label (it warns, and writes this): that label. */
START_TEST(test_from_text_one_class)
{
	static const char one_label[] = "svm_type c_svc\nkernel_type rbf\ngamma 0.5\nnr_class 1\n"
					"total_sv 0\nrho\nlabel 16\nnr_sv 0\nSV\n";
	static const char one_value[] = "svm_type epsilon_svr\nkernel_type linear\nnr_class 1\n"
					"total_sv 0\nrho\nSV\n";
	struct mlfs_model *m = NULL;
	double x[2] = { 0.3, 0.7 }, y = 0;
	char err[256];

	ck_assert_int_eq(mlfs_model_from_text(one_label, sizeof(one_label) - 1, NULL, 0, 2, &m, err,
					      sizeof(err)),
			 0);
	ck_assert_int_eq(mlfs_model_predict(m, x, 2, &y), 0);
	ck_assert_double_eq(y, 16);
	mlfs_model_free(m);

	/* A regression has one value to predict, never one class. */
	ck_assert_int_eq(from_text(one_value, sizeof(one_value) - 1, 2, err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "must be 2"));
	ck_assert_int_eq(from_edited("nr_class 2", "nr_class 0", err), -EINVAL);
}
END_TEST

START_TEST(test_from_text_with_scale)
{
	struct mlfs_model_info info;
	struct mlfs_model *m = NULL;
	double x[2] = { 10, 5 }, y, dec, want;
	char err[256];
	const char *scale = "x\n-1 1\n1 0 20\n2 0 10\n";

	ck_assert_int_eq(mlfs_model_from_text(good_model, sizeof(good_model) - 1, scale,
					      strlen(scale), 0, &m, err, sizeof(err)),
			 0);
	mlfs_model_info(m, &info);
	ck_assert(info.scaled && !info.trained);
	ck_assert_uint_eq(info.nfeatures, 2);
	ck_assert_double_eq(info.gamma, 0.5);
	/* Scaled to (0, 0): the decision is -rho plus each coefficient times exp(-0.5 |sv|^2). */
	dec = 1 * exp(-0.5 * 1.25) + 0.5 * exp(-0.5) - 1.5 * exp(-0.5 * 0.0625) - 0.25;
	want = dec > 0 ? 1 : -1;
	ck_assert_int_eq(mlfs_model_predict(m, x, 2, &y), 0);
	ck_assert_double_eq(y, want);
	mlfs_model_free(m);
	m = NULL;
	ck_assert_int_eq(mlfs_model_from_text(good_model, sizeof(good_model) - 1, scale,
					      strlen(scale), 1, &m, err, sizeof(err)),
			 -EINVAL);
	ck_assert_ptr_null(m);
}
END_TEST

struct tool_run {
	const char *train_args;
	unsigned classes; /* 0: a real target */
};

#define TOOL_ROWS 150
#define TOOL_NF 4

/* A model svm-train made, loaded here, predicts exactly what svm-predict prints. */
static void same_as_svm_predict(const struct tool_run *t)
{
	static double x[TOOL_ROWS][TOOL_NF];
	struct mlfs_model *m = NULL;
	char *text, *out, *line, *save, err[256];
	size_t len, olen;
	unsigned i, j;
	FILE *f;

	rnd_state = 4;
	f = create("data.svm");
	for (i = 0; i < TOOL_ROWS; i++) {
		double y;

		for (j = 0; j < TOOL_NF; j++)
			x[i][j] = rnd() < 0.15 ? 0 : (rnd() - 0.5) * 4;
		y = x[i][0] + x[i][1] * x[i][2] + (rnd() - 0.5) * 0.5;
		if (t->classes)
			y = y < -0.5 ? 1 : (y < 0.5 || t->classes == 2 ? 2 : 3);
		write_svm_row(f, x[i], TOOL_NF, y);
	}
	fclose(f);
	run("cd %s && svm-train -q %s data.svm data.model", dir, t->train_args);
	run("cd %s && svm-predict data.svm data.model data.out > /dev/null", dir);

	text = slurp("data.model", &len);
	ck_assert_msg(mlfs_model_from_text(text, len, NULL, 0, TOOL_NF, &m, err, sizeof(err)) == 0,
		      "%s", err);
	out = slurp("data.out", &olen);
	for (i = 0, line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save), i++) {
		ck_assert_uint_lt(i, TOOL_ROWS);
		/* %.17g both ways: equal text means equal doubles. */
		ck_assert_msg(predict(m, x[i], TOOL_NF) == strtod(line, NULL),
			      "row %u: %.17g, not %s", i, predict(m, x[i], TOOL_NF), line);
	}
	ck_assert_uint_eq(i, TOOL_ROWS);
	free(out);
	free(text);
	mlfs_model_free(m);
}

START_TEST(test_predictions_equal_svm_predict)
{
	static const struct tool_run runs[] = {
		{ "", 2 },		 /* C-SVC, RBF, svm-train's defaults */
		{ "-c 4 -g 0.7", 3 },	 /* three classes: one-vs-one votes */
		{ "-s 3 -p 0.05", 0 },	 /* epsilon-SVR */
		{ "-t 0", 2 },		 /* linear */
		{ "-t 1 -d 2 -r 1", 3 }, /* polynomial: degree and coef0 */
		{ "-t 3 -g 0.1", 2 },	 /* sigmoid */
		{ "-s 1 -n 0.3", 3 },	 /* nu-SVC */
		{ "-s 2", 2 },		 /* one-class */
		{ "-s 4", 0 },		 /* nu-SVR */
		{ "-b 1", 3 },		 /* with probA/probB, predicted without */
	};
	unsigned i;

	if (!have_tool("svm-train") || !have_tool("svm-predict"))
		return; /* libsvm-tools not installed: nothing to compare with */
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++)
		same_as_svm_predict(&runs[i]);
}
END_TEST

#define DENSE_NF 6
#define DENSE_QUERIES 5000

/*
 * The dense copy of the support vectors answers as libsvm does, bit for bit,
 * decision values included: every kernel and type, zeros in the rows, and a
 * query feature that no support vector has (the last one is 0 in training).
 */
static void dense_same_as_libsvm(const struct svm_parameter *param, unsigned classes)
{
	static double x[300][DENSE_NF], y[300];
	struct svm_node train_nodes[300][DENSE_NF + 1], *rows[300];
	struct svm_problem prob = { .l = 300, .y = y, .x = rows };
	struct svm_node q_nodes[DENSE_NF + 1];
	double q[DENSE_NF], dec[16 * 15 / 2], want_dec[16 * 15 / 2];
	struct svm_model *svm;
	struct mlfs_model *m;
	char err[256], *text;
	unsigned i, j, ndec;
	size_t len;

	for (i = 0; i < 300; i++) {
		for (j = 0; j < DENSE_NF; j++)
			x[i][j] = j == DENSE_NF - 1 || rnd() < 0.15 ? 0 : (rnd() - 0.5) * 4;
		y[i] = x[i][0] + x[i][1] * x[i][2] + (rnd() - 0.5) * 0.5;
		if (classes)
			y[i] = y[i] < -0.5 ? 1 : (y[i] < 0.5 || classes == 2 ? 2 : 3);
		model_row_nodes(&(struct scale){ 0 }, x[i], DENSE_NF, train_nodes[i]);
		rows[i] = train_nodes[i];
	}
	ck_assert_ptr_null(svm_check_parameter(&prob, param));
	svm = svm_train(&prob, param);
	ck_assert_int_eq(svm_text_save(svm, &text, &len), 0);
	svm_free_and_destroy_model(&svm);
	ck_assert_msg(mlfs_model_from_text(text, len, NULL, 0, DENSE_NF, &m, err, sizeof(err)) == 0,
		      "%s", err);
	free(text);
	ck_assert_ptr_nonnull(m->dense);
	ndec = classes ? (unsigned)(m->svm->nr_class * (m->svm->nr_class - 1) / 2) : 1;
	for (i = 0; i < DENSE_QUERIES; i++) {
		double got, want;

		for (j = 0; j < DENSE_NF; j++)
			q[j] = rnd() < 0.15 ? 0 : (rnd() - 0.5) * 4;
		model_row_nodes(&m->scale, q, DENSE_NF, q_nodes);
		want = svm_predict_values(m->svm, q_nodes, want_dec);
		ck_assert_int_eq(dense_svs_predict(m->dense, m->svm, q, DENSE_NF, dec, &got), 0);
		ck_assert_msg(got == want, "kernel %d type %d row %u: %.17g, not %.17g",
			      param->kernel_type, param->svm_type, i, got, want);
		/* The whole path, with a linear classifier's folded weights. */
		ck_assert_int_eq(mlfs_model_predict(m, q, DENSE_NF, &got), 0);
		ck_assert_msg(got == want, "predict: kernel %d type %d row %u: %.17g, not %.17g",
			      param->kernel_type, param->svm_type, i, got, want);
		for (j = 0; j < ndec; j++)
			ck_assert_msg(dec[j] == want_dec[j],
				      "kernel %d type %d row %u: %.17g, not %.17g", param->kernel_type,
				      param->svm_type, i, dec[j], want_dec[j]);
	}
	mlfs_model_free(m);
}

START_TEST(test_dense_equals_libsvm)
{
	static const struct {
		int svm_type, kernel_type, degree;
		double gamma, coef0, nu;
		unsigned classes;
	} runs[] = {
		{ C_SVC, RBF, 3, 0.5, 0, 0.5, 2 },	{ C_SVC, RBF, 3, 0.7, 0, 0.5, 3 },
		{ EPSILON_SVR, RBF, 3, 0.2, 0, 0.5, 0 }, { C_SVC, LINEAR, 3, 0, 0, 0.5, 2 },
		{ C_SVC, POLY, 3, 0.3, 1, 0.5, 3 },	{ C_SVC, SIGMOID, 3, 0.1, 0.2, 0.5, 2 },
		{ NU_SVC, RBF, 3, 0.5, 0, 0.3, 3 },	{ ONE_CLASS, RBF, 3, 0.5, 0, 0.3, 2 },
		{ NU_SVR, POLY, 2, 0.5, 1, 0.4, 0 },	{ EPSILON_SVR, LINEAR, 3, 0, 0, 0.5, 0 },
	};
	unsigned i;

	model_libsvm_quiet();
	rnd_state = 11;
	for (i = 0; i < sizeof(runs) / sizeof(runs[0]); i++) {
		struct svm_parameter p = {
			.svm_type = runs[i].svm_type,
			.kernel_type = runs[i].kernel_type,
			.degree = runs[i].degree,
			.gamma = runs[i].gamma,
			.coef0 = runs[i].coef0,
			.nu = runs[i].nu,
			.C = 1,
			.p = 0.1,
			.eps = 1e-3,
			.cache_size = 10,
			.shrinking = 1,
		};

		dense_same_as_libsvm(&p, runs[i].classes);
	}
}
END_TEST

/*
 * Two vectors that cancel: the folded weights sum to 0 exactly, too near the
 * boundary to trust, and libsvm's decision value is 0, which votes for the
 * second class. The label must come from the exact path.
 */
static void falls_back_at_the_boundary(const char *kernel)
{
	char text[256];
	const double x[1] = { 5 };
	struct mlfs_model *m;
	char err[256];
	double y;

	snprintf(text, sizeof(text),
		 "svm_type c_svc\nkernel_type %s\n%snr_class 2\ntotal_sv 2\nrho 0\n"
		 "label 1 2\nnr_sv 1 1\nSV\n1 1:1\n-1 1:1\n",
		 kernel, strcmp(kernel, "rbf") == 0 ? "gamma 0.5\n" : "");
	ck_assert_msg(mlfs_model_from_text(text, strlen(text), NULL, 0, 1, &m, err, sizeof(err)) ==
			      0,
		      "%s", err);
	ck_assert(!dense_svs_sure_label(m->dense, m->svm, x, 1, &y));
	ck_assert_int_eq(mlfs_model_predict(m, x, 1, &y), 0);
	ck_assert(y == 2);
	mlfs_model_free(m);
}

START_TEST(test_sure_labels_fall_back_at_the_boundary)
{
	falls_back_at_the_boundary("linear");
	falls_back_at_the_boundary("rbf");
}
END_TEST

/* The RBF labels allow exp_fast() 1e-13 of libm's exp(); it must keep well within. */
START_TEST(test_exp_fast_near_libm)
{
	double worst = 0;
	uint64_t low = 0;
	unsigned i;

	for (i = 0; i <= 2000000; i++) {
		double t = -708.0 * i / 2000000, want = exp(t), got = exp_fast(t, &low);

		if (fabs(got - want) / want > worst)
			worst = fabs(got - want) / want;
	}
	rnd_state = 21;
	for (i = 0; i < 1000000; i++) {
		double t = -rnd() * (i % 2 ? 1 : 40), want = exp(t), got = exp_fast(t, &low);

		if (fabs(got - want) / want > worst)
			worst = fabs(got - want) / want;
	}
	ck_assert_msg(worst < 1e-14, "exp_fast is %g off libm's exp", worst);
	ck_assert_uint_eq(low, 0);
	(void)exp_fast(-710, &low);
	ck_assert_uint_eq(low, 1);
}
END_TEST

#define THREAD_ROWS 2000

struct predictor {
	const struct mlfs_model *m;
	const double (*x)[2];
	unsigned rows, rounds;
	double *got;
	bool same;
};

static void *predict_rows(void *arg)
{
	struct predictor *p = arg;
	unsigned r, i;

	p->same = true;
	for (r = 0; r < p->rounds; r++) {
		for (i = 0; i < p->rows; i++) {
			double y;

			if (mlfs_model_predict(p->m, p->x[i], 2, &y) < 0 ||
			    (r > 0 && y != p->got[i]))
				p->same = false;
			p->got[i] = y;
		}
	}
	return NULL;
}

START_TEST(test_predict_from_two_threads)
{
	static double x[THREAD_ROWS][2], want[THREAD_ROWS], got[2][THREAD_ROWS];
	struct mlfs_dataset *ds = mlfs_dataset_new(2);
	struct mlfs_train_options o = small_grid();
	struct predictor p[2];
	pthread_t tid[2];
	struct mlfs_model *m;
	unsigned i, k;

	rnd_state = 6;
	for (i = 0; i < 300; i++) {
		x[i][0] = rnd();
		x[i][1] = rnd();
		mlfs_dataset_add(ds, x[i], sin(6 * x[i][0]) + x[i][1]);
	}
	m = train_ok(ds, &o);
	for (i = 0; i < THREAD_ROWS; i++) {
		x[i][0] = rnd();
		x[i][1] = rnd();
		want[i] = predict(m, x[i], 2);
	}
	for (k = 0; k < 2; k++) {
		p[k] = (struct predictor){ .m = m,
					   .x = (const double(*)[2])x,
					   .rows = THREAD_ROWS,
					   .rounds = 20,
					   .got = got[k] };
		ck_assert_int_eq(pthread_create(&tid[k], NULL, predict_rows, &p[k]), 0);
	}
	for (k = 0; k < 2; k++) {
		pthread_join(tid[k], NULL);
		ck_assert(p[k].same);
		for (i = 0; i < THREAD_ROWS; i++)
			ck_assert(got[k][i] == want[i]);
	}
	mlfs_model_free(m);
	mlfs_dataset_free(ds);
}
END_TEST

static Suite *model_suite(void)
{
	Suite *s = suite_create("model");
	TCase *tc = tcase_create("model");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_scale_fit_apply_and_text);
	tcase_add_test(tc, test_scale_agrees_with_svm_scale);
	tcase_add_test(tc, test_separable_classes);
	tcase_add_test(tc, test_three_classes_auto);
	tcase_add_test(tc, test_noisy_regression);
	tcase_add_test(tc, test_training_errors);
	tcase_add_test(tc, test_cancel);
	tcase_add_test(tc, test_deterministic);
	tcase_add_test(tc, test_stratified_sample);
	tcase_add_test(tc, test_sampled_training_keeps_proportions);
	tcase_add_test(tc, test_text_round_trip);
	tcase_add_test(tc, test_from_text_refuses);
	tcase_add_test(tc, test_from_text_one_class);
	tcase_add_test(tc, test_from_text_with_scale);
	tcase_add_test(tc, test_predictions_equal_svm_predict);
	tcase_add_test(tc, test_dense_equals_libsvm);
	tcase_add_test(tc, test_sure_labels_fall_back_at_the_boundary);
	tcase_add_test(tc, test_exp_fast_near_libm);
	tcase_add_test(tc, test_predict_from_two_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(model_suite());
	int failed;

	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
