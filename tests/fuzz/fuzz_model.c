// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * libFuzzer harness: a model upload. The first byte is the subsystem's feature
 * count (0: unchecked, as for a subsystem without columns), the second says whether
 * a scaling comes with it; then the model text, and with a scaling, a NUL byte and
 * the scaling text. A model that is taken must predict, and its text and scaling as
 * the tree shows them must be taken again.
 */
#include <assert.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

static double zeros[MLFS_MODEL_FEATURES_MAX];

static void reload(const struct mlfs_model *m, unsigned nfeatures)
{
	struct mlfs_model *again;
	char err[200], *text, *scale;
	size_t len, scale_len;
	int r;

	assert(mlfs_model_to_text(m, &text, &len) == 0);
	assert(mlfs_model_scale_text(m, &scale, &scale_len) == 0);
	r = mlfs_model_from_text(text, len, scale, scale_len, nfeatures, &again, err, sizeof(err));
	assert(r == 0);
	mlfs_model_free(again);
	free(scale);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *scale = NULL, *nul;
	size_t len, scale_len = 0;
	struct mlfs_model_info info;
	struct mlfs_model *m;
	unsigned nfeatures;
	char err[200], *text;
	double y;
	int r;

	if (size < 2)
		return 0;
	nfeatures = data[0] % 17;
	len = size - 2;
	text = malloc(len ? len : 1);
	if (!text)
		return 0;
	memcpy(text, data + 2, len);
	if (data[1] & 1) {
		nul = memchr(text, '\0', len);
		if (nul) {
			scale = nul + 1;
			scale_len = len - (size_t)(scale - text);
			len = (size_t)(nul - text);
		}
	}
	err[0] = '\0';
	r = mlfs_model_from_text(text, len, scale, scale_len, nfeatures, &m, err, sizeof(err));
	if (r < 0) {
		assert(r == -EINVAL || r == -E2BIG || r == -ENOMEM);
		assert(err[0] != '\0' && !strchr(err, '\n'));
	} else {
		mlfs_model_info(m, &info);
		assert(!nfeatures || info.nfeatures == nfeatures);
		if (info.nfeatures <= MLFS_MODEL_FEATURES_MAX)
			(void)mlfs_model_predict(m, zeros, info.nfeatures, &y);
		reload(m, nfeatures);
		mlfs_model_free(m);
	}
	free(text);
	return 0;
}
