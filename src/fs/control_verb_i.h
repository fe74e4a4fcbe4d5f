/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Copyright (C) 2026 The mlfs authors
 *
 * The verbs of <subsys>/control as text: which verb a line names. Pure, so the
 * parser is tested and fuzzed without a mounted tree; file_control.c acts on them.
 */
#ifndef MLFS_CONTROL_VERB_I_H
#define MLFS_CONTROL_VERB_I_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"

enum fs_control_action {
	FS_CONTROL_TRAIN,       /* train on the dataset */
	FS_CONTROL_RETRAIN,     /* train on the dataset and the labels feedback gave */
	FS_CONTROL_CANCEL,      /* stop the running job */
	FS_CONTROL_ROLLBACK,    /* the previous model version */
	FS_CONTROL_AUTORETRAIN, /* retrain by itself when the model falls behind, or not */
	FS_CONTROL_ACTION_MAX,
};

struct fs_control_verb {
	enum fs_control_action action;
	enum mlfs_model_kind kind; /* TRAIN, RETRAIN: what to train */
	bool on;                   /* AUTORETRAIN: on or off */
};

/*
 * fs_control_verb_parse() - the verb of one line written to control, without its
 * newline: exactly "train", "train classify", "train regress", "retrain", "cancel",
 * "rollback", "autoretrain on" or "autoretrain off". Returns 0 or -EINVAL.
 */
int fs_control_verb_parse(const char *line, size_t len, struct fs_control_verb *ret_verb);

#endif
