// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The control file's verbs, from text. A verb is matched whole and exactly: a
 * word with something after it ("train now") is not that verb, so a typo never
 * starts a job the user did not ask for.
 */
#include <errno.h>
#include <string.h>

#include "control_verb_i.h"

static const struct {
	const char *text;
	struct fs_control_verb verb;
} verbs[] = {
	{ "train", { FS_CONTROL_TRAIN, MLFS_MODEL_AUTO, false } },
	{ "train classify", { FS_CONTROL_TRAIN, MLFS_MODEL_CLASSIFY, false } },
	{ "train regress", { FS_CONTROL_TRAIN, MLFS_MODEL_REGRESS, false } },
	{ "retrain", { FS_CONTROL_RETRAIN, MLFS_MODEL_AUTO, false } },
	{ "cancel", { FS_CONTROL_CANCEL, MLFS_MODEL_AUTO, false } },
	{ "rollback", { FS_CONTROL_ROLLBACK, MLFS_MODEL_AUTO, false } },
	{ "autoretrain on", { FS_CONTROL_AUTORETRAIN, MLFS_MODEL_AUTO, true } },
	{ "autoretrain off", { FS_CONTROL_AUTORETRAIN, MLFS_MODEL_AUTO, false } },
};

int fs_control_verb_parse(const char *line, size_t len, struct fs_control_verb *ret_verb)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		if (len == strlen(verbs[i].text) && memcmp(line, verbs[i].text, len) == 0) {
			*ret_verb = verbs[i].verb;
			return 0;
		}
	}
	return -EINVAL;
}
