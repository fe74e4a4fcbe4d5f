// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libsvm's prediction, computed on a dense copy of the support vectors. libsvm
 * walks each support vector's sparse nodes and calls the kernel once per vector
 * (8 us for 626 RBF vectors of 8 features); here the vectors are stored feature
 * by feature, so one feature of the query meets every vector in one loop the
 * compiler vectorizes (3.6 us, most of it in exp(); predict_sure.c goes further
 * for two-class classifiers).
 *
 * The answers are libsvm's bit for bit, not close to them: every vector's kernel
 * value goes through the same floating-point operations in the same order as in
 * libsvm's Kernel::k_function(), and the decision values add them up in the
 * order of svm_predict_values(). Vectorizing across vectors keeps each vector's
 * own order. What makes the dense form exact where libsvm skips absent features:
 * - a dot product adds x * 0 for a feature one side lacks, which is +0 or -0,
 *   and adding a signed zero leaves a sum that starts at +0 unchanged;
 * - the RBF distance adds (0 - y)^2 = y^2 and (x - 0)^2 = x^2, libsvm's own terms
 *   for a feature only one side has, and (0 - 0)^2 = +0 for neither.
 * The model's files build with -ffp-contract=off so no multiply-add is fused
 * where libsvm's are not. The unit tests compare both on every kernel and type.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "predict_dense_i.h"

int dense_svs_new(const struct svm_model *svm, struct dense_svs **ret_dense)
{
	const struct svm_parameter *p = &svm->param;
	struct dense_svs *d;
	size_t nodes = 0, cells;
	unsigned i, width = 0;

	*ret_dense = NULL;
	if (p->kernel_type == PRECOMPUTED || svm->l <= 0)
		return -EOPNOTSUPP;
	if ((p->svm_type == C_SVC || p->svm_type == NU_SVC) && svm->nr_class > DENSE_CLASSES_MAX)
		return -EOPNOTSUPP;
	for (i = 0; i < (unsigned)svm->l; i++) {
		const struct svm_node *n;

		for (n = svm->SV[i]; n->index != -1; n++, nodes++)
			if ((unsigned)n->index > width)
				width = (unsigned)n->index;
	}
	cells = (size_t)width * (unsigned)svm->l;
	/* A sparse model (text, many features) would grow many times its size. */
	if (cells > DENSE_SMALL && cells / 4 > nodes)
		return -EOPNOTSUPP;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->l = (unsigned)svm->l;
	d->width = width;
	d->col = calloc(cells ? cells : 1, sizeof(double));
	if (!d->col) {
		free(d);
		return -ENOMEM;
	}
	for (i = 0; i < d->l; i++) {
		const struct svm_node *n;

		for (n = svm->SV[i]; n->index != -1; n++)
			d->col[(size_t)(n->index - 1) * d->l + i] = n->value;
	}
	if (sure_init(d, svm) < 0) {
		dense_svs_free(d);
		return -ENOMEM;
	}
	*ret_dense = d;
	return 0;
}

void dense_svs_free(struct dense_svs *d)
{
	if (!d)
		return;
	free(d->col);
	free(d->w);
	free(d->bound);
	free(d);
}

/*
 * libsvm's dot(): the products of the features both sides have, in feature order.
 * Cloned for the widest vectors the CPU has; each vector's operations stay the same.
 */
__attribute__((target_clones("avx512f", "avx2", "default")))
void dense_dots(const struct dense_svs *d, const double *x, unsigned n, double *restrict k)
{
	unsigned i, j, cols = n < d->width ? n : d->width;

	for (i = 0; i < d->l; i++)
		k[i] = 0;
	for (j = 0; j < cols; j++) {
		const double *restrict c = d->col + (size_t)j * d->l;
		const double xj = x[j];

		if (xj == 0)
			continue; /* absent from the query: libsvm never sees it */
		for (i = 0; i < d->l; i++)
			k[i] += xj * c[i];
	}
}

/* The RBF kernel's squared distance, term by term as k_function() adds it up; cloned too. */
DENSE_EXPORTED_CLONES
void dense_distances(const struct dense_svs *d, const double *x, unsigned n, double *restrict k)
{
	unsigned i, j;

	for (i = 0; i < d->l; i++)
		k[i] = 0;
	for (j = 0; j < d->width; j++) {
		const double *restrict c = d->col + (size_t)j * d->l;
		const double xj = j < n ? x[j] : 0;

		for (i = 0; i < d->l; i++) {
			double t = xj - c[i];

			k[i] += t * t;
		}
	}
	/* Query features past every vector's last: libsvm's tail loop adds x * x. */
	for (; j < n; j++) {
		const double xj = x[j];

		if (xj == 0)
			continue;
		for (i = 0; i < d->l; i++)
			k[i] += xj * xj;
	}
}

/* libsvm's powi(): the power by squaring, in its order of multiplications. */
static double powi(double base, int times)
{
	double tmp = base, ret = 1.0;
	int t;

	for (t = times; t > 0; t /= 2) {
		if (t % 2 == 1)
			ret *= tmp;
		tmp = tmp * tmp;
	}
	return ret;
}

static void kernel_values(const struct dense_svs *d, const struct svm_parameter *p,
			  const double *x, unsigned n, double *k)
{
	unsigned i;

	if (p->kernel_type == RBF) {
		dense_distances(d, x, n, k);
		for (i = 0; i < d->l; i++)
			k[i] = exp(-p->gamma * k[i]);
		return;
	}
	dense_dots(d, x, n, k);
	if (p->kernel_type == POLY) {
		for (i = 0; i < d->l; i++)
			k[i] = powi(p->gamma * k[i] + p->coef0, p->degree);
	} else if (p->kernel_type == SIGMOID) {
		for (i = 0; i < d->l; i++)
			k[i] = tanh(p->gamma * k[i] + p->coef0);
	}
}

/* svm_predict_values()'s one-against-one votes over the kernel values. */
static double vote(const struct svm_model *svm, const double *k, double *dec)
{
	int start[DENSE_CLASSES_MAX], votes[DENSE_CLASSES_MAX] = { 0 };
	int nr_class = svm->nr_class, i, j, p = 0, best = 0;

	start[0] = 0;
	for (i = 1; i < nr_class; i++)
		start[i] = start[i - 1] + svm->nSV[i - 1];
	for (i = 0; i < nr_class; i++) {
		for (j = i + 1; j < nr_class; j++) {
			const double *coef1 = svm->sv_coef[j - 1], *coef2 = svm->sv_coef[i];
			int si = start[i], sj = start[j], m;
			double sum = 0;

			for (m = 0; m < svm->nSV[i]; m++)
				sum += coef1[si + m] * k[si + m];
			for (m = 0; m < svm->nSV[j]; m++)
				sum += coef2[sj + m] * k[sj + m];
			sum -= svm->rho[p];
			dec[p] = sum;
			if (dec[p] > 0)
				++votes[i];
			else
				++votes[j];
			p++;
		}
	}
	for (i = 1; i < nr_class; i++)
		if (votes[i] > votes[best])
			best = i;
	return svm->label[best];
}

int dense_svs_predict(const struct dense_svs *d, const struct svm_model *svm, const double *x,
		      unsigned n, double *dec, double *ret_y)
{
	double stack[KVALUE_STACK], *k = stack, sum = 0;
	unsigned i;

	if (d->l > KVALUE_STACK) {
		k = malloc(d->l * sizeof(*k));
		if (!k)
			return -ENOMEM;
	}
	kernel_values(d, &svm->param, x, n, k);
	if (svm->param.svm_type == C_SVC || svm->param.svm_type == NU_SVC) {
		*ret_y = vote(svm, k, dec);
	} else {
		for (i = 0; i < d->l; i++)
			sum += svm->sv_coef[0][i] * k[i];
		sum -= svm->rho[0];
		*dec = sum;
		*ret_y = svm->param.svm_type == ONE_CLASS ? (sum > 0 ? 1 : -1) : sum;
	}
	if (k != stack)
		free(k);
	return 0;
}
