/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The dense copy of a model's support vectors, shared by the exact prediction
 * (predict_dense.c) and the labels that can skip it (predict_sure.c).
 */
#ifndef MLFS_PREDICT_DENSE_I_H
#define MLFS_PREDICT_DENSE_I_H

#include <stdint.h>
#include <string.h>

#include "model_i.h"

/* Classifiers of up to this many classes vote on the stack; more go to libsvm. */
#define DENSE_CLASSES_MAX 16
/* Kernel values of up to this many vectors live on the stack. */
#define KVALUE_STACK 4096
/* A copy of more doubles than this must be at least a quarter support vector nodes. */
#define DENSE_SMALL (1u << 16)

struct dense_svs {
	unsigned l;     /* support vectors */
	unsigned width; /* the highest feature index any of them uses */
	double *col;    /* width columns of l: column j is feature j + 1 of every vector */
	/* A two-class linear classifier folded into one weight per feature: */
	double *w;     /* the sum over vectors of coefficient times feature, or NULL */
	double *bound; /* the sum over vectors of |coefficient times feature| */
	/* A two-class RBF classifier whose kernel values may come from exp_fast(): */
	bool rbf_fast;
};

/*
 * Clones of a vector loop other files call, one per instruction set, chosen at load
 * time. clang before 15 names the chooser "name.ifunc", which callers in other
 * files never find: built with it (the sanitizer and fuzzing builds), one version.
 */
#if defined(__clang__) && __clang_major__ < 15
#define DENSE_EXPORTED_CLONES
#else
#define DENSE_EXPORTED_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#endif

/* Each vector's dot product with the row @x of @n values, into @k, as libsvm's dot(). */
void dense_dots(const struct dense_svs *d, const double *x, unsigned n, double *restrict k);
/* Each vector's squared distance to @x, into @k, as libsvm's RBF kernel adds it up. */
void dense_distances(const struct dense_svs *d, const double *x, unsigned n, double *restrict k);

/*
 * exp(@t) for t <= 0 in straight-line arithmetic, so a loop of them becomes
 * vector code: t = n ln2 + r with |r| <= ln2 / 2 (Cody and Waite's two-part
 * ln2 keeps r exact to a few units in its last place), e^r by Taylor's series
 * to r^12 / 12! (the rest is under 2e-16 of it), times 2^n made from its bits.
 * Within 1e-14 of libm's, relatively, over [-708, 0] (the unit tests check it);
 * rbf_label() allows 1e-13. Under -708, 2^n is no normal double: *@low says so.
 */
static inline double exp_fast(double t, uint64_t *low)
{
	const double shift = 0x1.8p52, inv_ln2 = 0x1.71547652b82fep0;
	const double ln2_hi = 0x1.62e42fefa3800p-1, ln2_lo = 0x1.ef35793c76730p-45;
	double kd = t * inv_ln2 + shift, r, p, scale;
	uint64_t ki, bits;

	/* Adding 1.5 * 2^52 rounds to an integer, which lands in the low bits. */
	memcpy(&ki, &kd, sizeof(ki));
	kd -= shift;
	r = t - kd * ln2_hi - kd * ln2_lo;
	p = 1.0 / 479001600.0;
	p = p * r + 1.0 / 39916800.0;
	p = p * r + 1.0 / 3628800.0;
	p = p * r + 1.0 / 362880.0;
	p = p * r + 1.0 / 40320.0;
	p = p * r + 1.0 / 5040.0;
	p = p * r + 1.0 / 720.0;
	p = p * r + 1.0 / 120.0;
	p = p * r + 1.0 / 24.0;
	p = p * r + 1.0 / 6.0;
	p = p * r + 0.5;
	p = p * r + 1.0;
	p = p * r + 1.0;
	/* n + 1023, the biased exponent of 2^n: 1 or more for a normal double. */
	bits = ki - 0x4338000000000000ull + 1023;
	*low |= (bits - 1) >> 63;
	bits <<= 52;
	memcpy(&scale, &bits, sizeof(scale));
	return p * scale;
}

/* What the labels of predict_sure.c need from @svm, kept in @d. Returns 0 or -ENOMEM. */
int sure_init(struct dense_svs *d, const struct svm_model *svm);

#endif
