// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * Prediction, on the daemon's hot path: scale the row as the model's scaling
 * says, build libsvm's sparse row on the stack (zeros left out, as in libsvm's
 * own files), ask libsvm. Nothing here allocates or writes to the model, so
 * many threads may predict with one model at once.
 */
#include <errno.h>
#include <math.h>

#include "model_i.h"

unsigned model_row_nodes(const struct scale *s, const double *x, unsigned n, struct svm_node *nodes)
{
	unsigned i, k = 0;

	for (i = 0; i < n; i++) {
		unsigned idx = i + 1;
		double v = x[i];

		if (s->on) {
			if (idx > s->hi || !s->has[idx])
				continue;
			v = scale_one(s, idx, v);
		}
		if (v == 0)
			continue;
		nodes[k].index = (int)idx;
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
	double dec[DEC_VALUES_STACK];
	unsigned i;

	if (n == 0 || n > MLFS_MODEL_FEATURES_MAX || (m->row_features && n != m->row_features))
		return -EINVAL;
	for (i = 0; i < n; i++)
		if (!isfinite(x[i]))
			return -EINVAL;
	model_row_nodes(&m->scale, x, n, nodes);
	if (m->dec_values <= DEC_VALUES_STACK)
		*ret_y = svm_predict_values(m->svm, nodes, dec);
	else
		*ret_y = svm_predict(m->svm, nodes);
	return 0;
}
