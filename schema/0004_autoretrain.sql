-- SPDX-License-Identifier: GPL-2.0-or-later
-- Copyright (C) 2026 The mlfs authors
-- Whether a window where the model did worse than the default starts a retrain
-- (control: autoretrain on|off), kept across restarts.

ALTER TABLE subsystems ADD COLUMN autoretrain INTEGER NOT NULL DEFAULT 1
	CHECK (autoretrain IN (0, 1));
