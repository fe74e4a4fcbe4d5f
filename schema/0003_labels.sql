-- SPDX-License-Identifier: GPL-2.0-or-later
-- Copyright (C) 2026 The mlfs authors
-- What feedback taught: for the features of a decision where the model's value did
-- worse than the default algorithm did over the same window, the default's value
-- as the better target. `retrain` trains on the dataset and these rows.

CREATE TABLE labels (
	id        INTEGER PRIMARY KEY,
	subsys_id INTEGER NOT NULL REFERENCES subsystems (id) ON DELETE CASCADE,
	at        INTEGER NOT NULL,
	features  TEXT NOT NULL, -- CSV of the feature values, in column order
	target    REAL NOT NULL
);
CREATE INDEX labels_by_subsys ON labels (subsys_id, id);
