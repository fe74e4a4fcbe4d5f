/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * What the model's files share: the structures behind the opaque handles of
 * model.h, the scaling, the strict tokenizer that checks text before libsvm
 * sees it, and the libsvm model <-> text bridge.
 */
#ifndef MLFS_MODEL_I_H
#define MLFS_MODEL_I_H

#include <libsvm/svm.h>
#include <locale.h>

#include "model.h"

struct mlfs_dataset {
	unsigned nfeatures;
	size_t rows, cap;
	double *x; /* rows * nfeatures values, row after row */
	double *y; /* rows targets */
};

static inline const double *dataset_row(const struct mlfs_dataset *ds, size_t i)
{
	return ds->x + i * ds->nfeatures;
}

/*
 * A scaling as svm-scale keeps it: feature index i (1-based) maps [min, max] to
 * [lower, upper]. A feature without a range (constant in training, or not listed
 * in an uploaded file) is left out of the row, as svm-scale leaves it out.
 */
struct scale {
	bool on;
	double lower, upper;
	unsigned hi; /* highest feature index with a range, 0: none */
	bool has[MLFS_MODEL_FEATURES_MAX + 1];
	double min[MLFS_MODEL_FEATURES_MAX + 1];
	double max[MLFS_MODEL_FEATURES_MAX + 1];
};

/* svm-scale's own arithmetic, so a row scaled here equals one scaled by svm-scale -r. */
static inline double scale_one(const struct scale *s, unsigned idx, double v)
{
	if (v == s->min[idx])
		return s->lower;
	if (v == s->max[idx])
		return s->upper;
	return s->lower + (s->upper - s->lower) * (v - s->min[idx]) / (s->max[idx] - s->min[idx]);
}

void scale_fit(struct scale *s, const struct mlfs_dataset *ds, const size_t *rows, size_t n);
int scale_to_text(const struct scale *s, char **ret_text, size_t *ret_len);
int scale_from_text(const char *text, size_t len, unsigned nfeatures, struct scale *ret, char *err,
		    size_t errlen);

struct dense_svs;

struct mlfs_model {
	struct svm_model *svm;   /* from svm_load_model: owns its support vectors */
	struct dense_svs *dense; /* the same vectors for prediction; NULL: libsvm predicts */
	struct scale scale;
	unsigned row_features; /* rows must have exactly this many features; 0: 1..MAX */
	unsigned dec_values;   /* decision values svm_predict_values writes */
	struct mlfs_model_info info;
};

/* The row as libsvm nodes, terminated by index -1; @nodes holds n + 1. Returns the count. */
unsigned model_row_nodes(const struct scale *s, const double *x, unsigned n,
			 struct svm_node *nodes);

/* ---- prediction on a dense copy of the support vectors (predict_dense.c) ---- */

/*
 * The copy of @svm's support vectors; -EOPNOTSUPP where libsvm must predict
 * itself (a precomputed kernel, over 16 classes, vectors too sparse to copy).
 */
int dense_svs_new(const struct svm_model *svm, struct dense_svs **ret_dense);
void dense_svs_free(struct dense_svs *d); /* accepts NULL */
/*
 * What svm_predict_values(@svm, row) returns, bit for bit, for the row as @n
 * dense values (scaled, 0 for a feature the row leaves out); @dec receives the
 * decision values. Returns 0 or -ENOMEM.
 */
int dense_svs_predict(const struct dense_svs *d, const struct svm_model *svm, const double *x,
		      unsigned n, double *dec, double *ret_y);
/*
 * A two-class linear or RBF classifier's label for the same row, from a faster
 * sum (predict_sure.c), when it is sure to be libsvm's; false: ask
 * dense_svs_predict() (the row is too near the boundary, or another model).
 */
bool dense_svs_sure_label(const struct dense_svs *d, const struct svm_model *svm, const double *x,
			  unsigned n, double *ret_y);

/* ---- dividing the rows (split.c) ---- */

/* The distinct targets, ascending; caller frees *ret_labels. */
int split_classes(const struct mlfs_dataset *ds, double **ret_labels, unsigned *ret_n);
/* Each row's stratum: its class's place in @labels, or (labels NULL) its target's decile. */
int split_strata(const struct mlfs_dataset *ds, const double *labels, unsigned nlabels,
		 unsigned **ret_stratum, unsigned *ret_nstrata);
/* @m of @rows rows (m < rows), as ascending row numbers, each stratum in proportion. */
int split_sample(const unsigned *stratum, unsigned nstrata, size_t rows, size_t m, uint64_t *rng,
		 size_t **ret_rows);
/* A fold in [0, k) for each of @n rows, every stratum spread over the folds. */
int split_folds(const unsigned *stratum, unsigned nstrata, size_t n, unsigned k, uint64_t *rng,
		unsigned **ret_fold);

/* ---- text ---- */

struct text_cursor {
	const char *p, *end;
	unsigned line; /* number of the line last returned, from 1 */
};

struct text_line {
	const char *p, *end;
};

locale_t model_c_locale(void);
void text_cursor_init(struct text_cursor *c, const char *text, size_t len);
bool text_next_line(struct text_cursor *c, struct text_line *ret);
bool text_next_token(struct text_line *l, const char **ret_tok, size_t *ret_len);
bool text_line_blank(const struct text_line *l);
bool text_token_is(const char *tok, size_t len, const char *word);
int text_check_bytes(const char *text, size_t len, unsigned *ret_line, unsigned *ret_byte);
int text_double(const char *tok, size_t len, double *ret);
int text_long(const char *tok, size_t len, long lo, long hi, long *ret);

/* What checking a model text found out, for the model's info and row checks. */
struct svm_text_facts {
	int svm_type, kernel_type;
	unsigned nr_class;
	unsigned max_index; /* highest feature index of any support vector */
	bool has_gamma, has_degree, has_coef0;
};

/* Load checked text into @m's svm and fill what the text tells of its info. */
int model_from_checked(const char *text, size_t len, const struct svm_text_facts *facts,
		       struct mlfs_model *m);

int svm_text_check(const char *text, size_t len, unsigned nfeatures, struct svm_text_facts *ret,
		   char *err, size_t errlen);
int svm_text_load(const char *text, size_t len, struct svm_model **ret_svm);
int svm_text_save(const struct svm_model *svm, char **ret_text, size_t *ret_len);

/* libsvm prints progress to stdout unless told not to; done once per process. */
void model_libsvm_quiet(void);

/* Feature index @idx is usable with @nfeatures features (0: up to the maximum): 0 or -EINVAL. */
int model_feature_check(long idx, unsigned nfeatures);
/* The message for an index that is not: "model uses feature 12, the subsystem has 8". */
int model_feature_err(char *err, size_t errlen, const char *what, long idx, unsigned nfeatures);

void model_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
