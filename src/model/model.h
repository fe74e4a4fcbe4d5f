/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Models: libsvm behind a small API. A model is an SVM with the scaling fitted
 * on its training data (svm-scale's format), trained here with a C/gamma grid
 * search by k-fold cross-validation, or read from libsvm's own text (svm-train's
 * output) and checked. Prediction scales a row and asks libsvm; it is safe from
 * many threads at once on one model. No printing: libsvm's chatter is silenced.
 */
#ifndef MLFS_MODEL_H
#define MLFS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mlfs_model;
struct mlfs_dataset;

/* Limits on what a user can upload. */
#define MLFS_MODEL_TEXT_MAX (64u << 20) /* bytes of model text */
#define MLFS_MODEL_FEATURES_MAX 255

enum mlfs_model_kind {
	MLFS_MODEL_AUTO,     /* classify when the target has few integer values, else regress */
	MLFS_MODEL_CLASSIFY, /* C-SVC */
	MLFS_MODEL_REGRESS,  /* epsilon-SVR */
	MLFS_MODEL_KIND_MAX,
};

/* ---- training data ---- */

/*
 * An empty dataset of rows with @nfeatures features and a target. NULL on -ENOMEM,
 * or with errno EINVAL when @nfeatures is 0 or above MLFS_MODEL_FEATURES_MAX.
 */
struct mlfs_dataset *mlfs_dataset_new(unsigned nfeatures);
void mlfs_dataset_free(struct mlfs_dataset *ds); /* accepts NULL */

/* Append a row: @x holds nfeatures values. Returns 0 or -ENOMEM. */
int mlfs_dataset_add(struct mlfs_dataset *ds, const double *x, double y);
size_t mlfs_dataset_rows(const struct mlfs_dataset *ds);

/* ---- training ---- */

struct mlfs_train_progress {
	const char *stage; /* "sampling", "scaling", "grid search", "final model" */
	unsigned point, points; /* grid points done, of all */
	unsigned fold, folds;   /* cross-validation trainings done, of all (points x k) */
};

struct mlfs_train_options {
	enum mlfs_model_kind kind;
	unsigned folds;    /* k-fold cross-validation; 0: 5 */
	unsigned threads;  /* grid points trained at once; 0: the machine's cores */
	size_t rows_max;   /* more rows than this: a stratified sample of it; 0: 10000 */
	const double *c_grid;     /* NULL: 2^-1, 2^1, ..., 2^7 */
	unsigned c_count;
	const double *gamma_grid; /* NULL: 2^-7, 2^-5, ..., 2^1 */
	unsigned gamma_count;
	uint64_t seed;            /* for sampling and fold assignment: runs are repeatable */
	/* Called from the training threads, serialised; may be NULL. */
	void (*progress)(void *ctx, const struct mlfs_train_progress *p);
	void *ctx;
	/* Set to true from another thread to stop; training returns -ECANCELED. */
	const volatile bool *cancel;
};

struct mlfs_model_info {
	enum mlfs_model_kind kind;   /* CLASSIFY or REGRESS */
	int svm_type, kernel_type;   /* libsvm's values */
	double c, gamma, epsilon;
	bool trained;          /* trained here, not uploaded: the rest is known */
	double cv_accuracy;    /* CLASSIFY: percent right in cross-validation */
	double cv_mse;         /* REGRESS: mean squared error in cross-validation */
	size_t rows_used;
	double seconds;
	unsigned nfeatures;
	bool scaled;           /* has a scaling */
};

/*
 * mlfs_model_train() - fit scaling, search the grid, train the final model on
 * all (sampled) rows with the best point. Returns 0, -EINVAL (no rows, one class
 * only, fewer rows than folds), -ECANCELED, or -ENOMEM; @err says why in a line.
 */
int mlfs_model_train(const struct mlfs_dataset *ds, const struct mlfs_train_options *opts,
		     struct mlfs_model **ret_model, char *err, size_t errlen);

/* ---- text in and out ---- */

/*
 * mlfs_model_from_text() - a model from libsvm's model text, as svm-train writes
 * it, and optionally a scaling in svm-scale -s format (NULL: none). The model
 * must use @nfeatures features or fewer (0: no check). Returns 0, -EINVAL (does
 * not parse, feature indexes beyond @nfeatures), or -E2BIG (over the limit).
 */
int mlfs_model_from_text(const char *text, size_t len, const char *scale, size_t scale_len,
			 unsigned nfeatures, struct mlfs_model **ret_model, char *err,
			 size_t errlen);

/*
 * mlfs_model_scale_check() - would mlfs_model_from_text() take @text as the scaling
 * (svm-scale -s format) of a model with @nfeatures features (0: no check)? So a bad
 * scaling is refused when it is written, not at the upload after it. Returns 0,
 * -EINVAL, -E2BIG (over the limit) or -ENOMEM; @err says why in a line.
 */
int mlfs_model_scale_check(const char *text, size_t len, unsigned nfeatures, char *err,
			   size_t errlen);

/* The model in libsvm's text format, for svm-predict; caller frees *ret_text. */
int mlfs_model_to_text(const struct mlfs_model *m, char **ret_text, size_t *ret_len);

/* The scaling in svm-scale's format (empty if none); caller frees *ret_text. */
int mlfs_model_scale_text(const struct mlfs_model *m, char **ret_text, size_t *ret_len);

void mlfs_model_info(const struct mlfs_model *m, struct mlfs_model_info *ret);

/* ---- prediction ---- */

/* Predict for one row of nfeatures values (scaled as the model says): 0, -EINVAL or -ENOMEM. */
int mlfs_model_predict(const struct mlfs_model *m, const double *x, unsigned n, double *ret_y);

void mlfs_model_free(struct mlfs_model *m); /* accepts NULL */

#endif
