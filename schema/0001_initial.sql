-- SPDX-License-Identifier: GPL-2.0-or-later
-- Copyright (C) 2026 The mlfs authors
-- Subsystems, their columns, mode history and feedback. Each subsystem's rows
-- live in a table of their own, "ds_<name>", created when its columns are known.

CREATE TABLE subsystems (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: FUSE inodes derive from it
	name       TEXT NOT NULL UNIQUE,
	origin     TEXT NOT NULL CHECK (origin IN ('user', 'kernel', 'bpf')),
	created_at INTEGER NOT NULL,                   -- Unix time, nanoseconds
	bytes      INTEGER NOT NULL DEFAULT 0,         -- CSV bytes users wrote to the dataset
	drops      INTEGER NOT NULL DEFAULT 0,         -- rows dropped: full queue or failed commit
	last_ingest INTEGER NOT NULL DEFAULT 0         -- time of the newest commit of rows
);

CREATE TABLE columns (
	subsys_id INTEGER NOT NULL REFERENCES subsystems (id) ON DELETE CASCADE,
	position  INTEGER NOT NULL,
	name      TEXT NOT NULL,
	type      TEXT NOT NULL CHECK (type IN ('INTEGER', 'REAL')),
	is_target INTEGER NOT NULL DEFAULT 0 CHECK (is_target IN (0, 1)),
	PRIMARY KEY (subsys_id, position),
	UNIQUE (subsys_id, name)
) WITHOUT ROWID;

-- The current mode is the newest row of a subsystem; the first row is written at creation.
CREATE TABLE mode_history (
	id        INTEGER PRIMARY KEY,
	subsys_id INTEGER NOT NULL REFERENCES subsystems (id) ON DELETE CASCADE,
	at        INTEGER NOT NULL,
	mode      TEXT NOT NULL
		CHECK (mode IN ('emergency', 'learning', 'collaboration', 'recommendation')),
	reason    TEXT NOT NULL
);
CREATE INDEX mode_history_by_subsys ON mode_history (subsys_id, id);

CREATE VIEW modes AS
	SELECT s.name, h.mode, h.reason, h.at
	FROM subsystems s
	JOIN mode_history h ON h.id = (SELECT max(id) FROM mode_history WHERE subsys_id = s.id);

CREATE TABLE feedback (
	id             INTEGER PRIMARY KEY,
	subsys_id      INTEGER NOT NULL REFERENCES subsystems (id) ON DELETE CASCADE,
	at             INTEGER NOT NULL,
	source         TEXT NOT NULL,      -- who reported it: user, kernel, ...
	recommendation INTEGER,            -- the recommendation judged, if any
	arm            TEXT CHECK (arm IN ('ml', 'default')),
	metric         TEXT NOT NULL,
	value          REAL NOT NULL
);
CREATE INDEX feedback_by_subsys ON feedback (subsys_id, id);
