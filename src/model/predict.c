// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Prediction, on the daemon's hot path: scale the row as the model's scaling
 * says, then ask the dense copy of the support vectors (predict_dense.c), or
 * libsvm with the row as its sparse nodes (zeros left out, as in libsvm's own
 * files) for the models the copy does not take. Nothing here writes to the
 * model, so many threads may predict with one model at once.
 */
#include <errno.h>
#include <math.h>

#include "model_i.h"

/* Feature @idx (from 1) of the row as the model sees it: scaled, or 0 if it has no range. */
static double model_value(const struct scale *s, unsigned idx, double v)
{
	if (!s->on)
		return v;
	if (idx > s->hi || !s->has[idx])
		return 0;
	return scale_one(s, idx, v);
}

unsigned model_row_nodes(const struct scale *s, const double *x, unsigned n, struct svm_node *nodes)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		double v = model_value(s, i + 1, x[i]);

		if (v == 0)
			continue;
		nodes[k].index = (int)(i + 1);
		nodes[k].value = v;
		k++;
	}
	nodes[k].index = -1;
	nodes[k].value = 0;
	return k;
}

/*
 * svm_predict() only allocates the decision values and calls
 * svm_predict_values(); given them on the stack, a regression predicts with no
 * allocation at all (a classifier's vote still allocates inside libsvm).
 * Classifiers of up to 16 classes, all that training here makes, fit.
 */
#define DEC_VALUES_STACK (16 * 15 / 2)

int mlfs_model_predict(const struct mlfs_model *m, const double *x, unsigned n, double *ret_y)
{
	struct svm_node nodes[MLFS_MODEL_FEATURES_MAX + 1];
	double row[MLFS_MODEL_FEATURES_MAX];
	double dec[DEC_VALUES_STACK];
	unsigned i;

	if (n == 0 || n > MLFS_MODEL_FEATURES_MAX || (m->row_features && n != m->row_features))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	if (m->dense) {
		for (i = 0; i < n; i++)
			row[i] = model_value(&m->scale, i + 1, x[i]);
		if (dense_svs_sure_label(m->dense, m->svm, row, n, ret_y))
			return 0;
		return dense_svs_predict(m->dense, m->svm, row, n, dec, ret_y);
	}
	model_row_nodes(&m->scale, x, n, nodes);
	if (m->dec_values <= DEC_VALUES_STACK)
		*ret_y = svm_predict_values(m->svm, nodes, dec);
	else
		*ret_y = svm_predict(m->svm, nodes);
	return 0;
}
