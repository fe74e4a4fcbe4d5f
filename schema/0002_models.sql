-- SPDX-License-Identifier: GPL-2.0-or-later
-- Copyright (C) 2026 The mlfs authors
-- Every model a subsystem ever had, trained here or uploaded, with its scaling and
-- how it was made; the active one is named in subsystems.model_version.

CREATE TABLE models (
	subsys_id   INTEGER NOT NULL REFERENCES subsystems (id) ON DELETE CASCADE,
	version     INTEGER NOT NULL,                  -- 1, 2, ... per subsystem
	created_at  INTEGER NOT NULL,
	origin      TEXT NOT NULL CHECK (origin IN ('trained', 'retrained', 'uploaded')),
	kind        TEXT NOT NULL CHECK (kind IN ('classify', 'regress')),
	params      TEXT NOT NULL,                     -- e.g. "rbf C=8 gamma=0.125"
	cv_accuracy REAL,                              -- percent, classification
	cv_mse      REAL,                              -- regression
	rows_used   INTEGER,
	seconds     REAL,
	model_text  TEXT NOT NULL,                     -- libsvm's format
	scale_text  TEXT NOT NULL DEFAULT '',          -- svm-scale's format, '' for none
	PRIMARY KEY (subsys_id, version)
);

ALTER TABLE subsystems ADD COLUMN model_version INTEGER NOT NULL DEFAULT 0; -- 0: no model
