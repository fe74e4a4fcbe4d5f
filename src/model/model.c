// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The model object: made from uploaded text (a libsvm model and an optional
 * svm-scale scaling, both checked before use), turned back into text, described
 * for status, and freed. Training makes its models through the same path, so
 * a model predicts the same before and after its text is saved and uploaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_i.h"

void model_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int model_feature_check(long idx, unsigned nfeatures)
{
	unsigned limit = nfeatures ? nfeatures : MLFS_MODEL_FEATURES_MAX;

	return idx >= 1 && (unsigned long)idx <= limit ? 0 : -EINVAL;
}

int model_feature_err(char *err, size_t errlen, const char *what, long idx, unsigned nfeatures)
{
	if (nfeatures)
		model_err(err, errlen, "%s uses feature %ld, the subsystem has %u", what, idx,
			  nfeatures);
	else
		model_err(err, errlen, "%s uses feature %ld, at most %u are supported", what, idx,
			  MLFS_MODEL_FEATURES_MAX);
	return -EINVAL;
}

/*
 * libsvm's reader sets only the parameters the text names and leaves the rest of
 * the allocation as it was; keep only those, so info and a later save are defined.
 */
static void clean_param(struct svm_model *svm, const struct svm_text_facts *facts)
{
	struct svm_parameter p = {
		.svm_type = facts->svm_type,
		.kernel_type = facts->kernel_type,
		.degree = facts->has_degree ? svm->param.degree : 0,
		.gamma = facts->has_gamma ? svm->param.gamma : 0,
		.coef0 = facts->has_coef0 ? svm->param.coef0 : 0,
	};

	svm->param = p;
}

int model_from_checked(const char *text, size_t len, const struct svm_text_facts *facts,
		       struct mlfs_model *m)
{
	int r;

	r = svm_text_load(text, len, &m->svm);
	if (r < 0)
		return r;
	clean_param(m->svm, facts);
	r = dense_svs_new(m->svm, &m->dense);
	if (r == -ENOMEM)
		return r;
	m->dec_values = facts->svm_type == C_SVC || facts->svm_type == NU_SVC ?
				facts->nr_class * (facts->nr_class - 1) / 2 :
				1;
	m->info.svm_type = facts->svm_type;
	m->info.kernel_type = facts->kernel_type;
	m->info.kind = facts->svm_type == EPSILON_SVR || facts->svm_type == NU_SVR ?
			       MLFS_MODEL_REGRESS :
			       MLFS_MODEL_CLASSIFY;
	m->info.gamma = m->svm->param.gamma;
	m->info.scaled = m->scale.on;
	return 0;
}

int mlfs_model_from_text(const char *text, size_t len, const char *scale, size_t scale_len,
			 unsigned nfeatures, struct mlfs_model **ret_model, char *err,
			 size_t errlen)
{
	struct svm_text_facts facts;
	struct mlfs_model *m;
	int r;

	if (nfeatures > MLFS_MODEL_FEATURES_MAX) {
		model_err(err, errlen, "the subsystem has %u features, at most %u are supported",
			  nfeatures, MLFS_MODEL_FEATURES_MAX);
		return -EINVAL;
	}
	if (scale && scale_len > MLFS_MODEL_TEXT_MAX) {
		model_err(err, errlen, "scaling text is %zu bytes, over the limit of %u", scale_len,
			  MLFS_MODEL_TEXT_MAX);
		return -E2BIG;
	}
	model_libsvm_quiet();
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	r = svm_text_check(text, len, nfeatures, &facts, err, errlen);
	if (r < 0)
		goto out_free;
	/* An empty scaling is what mlfs_model_scale_text() gives for none. */
	if (scale && scale_len > 0) {
		r = scale_from_text(scale, scale_len, nfeatures, &m->scale, err, errlen);
		if (r < 0)
			goto out_free;
	}
	r = model_from_checked(text, len, &facts, m);
	if (r < 0) {
		model_err(err, errlen, "model text could not be loaded: %s", strerror(-r));
		goto out_free;
	}
	m->row_features = nfeatures;
	m->info.nfeatures = nfeatures;
	if (!nfeatures)
		m->info.nfeatures = facts.max_index > m->scale.hi ? facts.max_index : m->scale.hi;
	*ret_model = m;
	return 0;
out_free:
	mlfs_model_free(m);
	return r;
}

int mlfs_model_scale_check(const char *text, size_t len, unsigned nfeatures, char *err,
			   size_t errlen)
{
	struct scale *s;
	int r;

	if (len > MLFS_MODEL_TEXT_MAX) {
		model_err(err, errlen, "scaling text is %zu bytes, over the limit of %u", len,
			  MLFS_MODEL_TEXT_MAX);
		return -E2BIG;
	}
	/* Two arrays of a double per feature: too big for a FUSE worker's stack. */
	s = malloc(sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = scale_from_text(text, len, nfeatures, s, err, errlen);
	free(s);
	return r;
}

int mlfs_model_to_text(const struct mlfs_model *m, char **ret_text, size_t *ret_len)
{
	return svm_text_save(m->svm, ret_text, ret_len);
}

int mlfs_model_scale_text(const struct mlfs_model *m, char **ret_text, size_t *ret_len)
{
	return scale_to_text(&m->scale, ret_text, ret_len);
}

void mlfs_model_info(const struct mlfs_model *m, struct mlfs_model_info *ret)
{
	*ret = m->info;
}

void mlfs_model_free(struct mlfs_model *m)
{
	if (!m)
		return;
	dense_svs_free(m->dense);
	if (m->svm)
		svm_free_and_destroy_model(&m->svm);
	free(m);
}
