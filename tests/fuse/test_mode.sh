#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# <subsys>/mode and modes/<subsys>: a new subsystem starts in learning; each of the four
# words switches it, with or without a newline; each change is kept in the mode history
# with its time and who made it, and shows in status. (Refused words: test_bad_input.sh.)
source "$(dirname "$0")/lib.sh"

mlfs_start
cd "$MNT"

# history_of SUBSYS: its mode history, oldest first, as "mode|reason" lines.
history_of() {
	sqlite3 "$DB" "SELECT h.mode || '|' || h.reason FROM mode_history h
		JOIN subsystems s ON s.id = h.subsys_id WHERE s.name = '$1' ORDER BY h.id"
}

mkdir blk net
check_eq "$(cat blk/mode)" learning "mode of a new subsystem"
check_eq "$(od -An -c blk/mode | tr -s ' ')" " l e a r n i n g \n" "mode ends with one newline"
check_eq "$(status_of blk mode)" learning "status mode of a new subsystem"
check_eq "$(status_of blk mode_changes)" 1 "status mode_changes of a new subsystem"
check_eq "$(history_of blk)" "learning|created (user subsystem)" "mode history of a new subsystem"
created=$(status_of blk mode_changed)
check_match "$created" "$ISO_TIME" "status mode_changed of a new subsystem"

# Each word, with echo's newline and without one (printf), through either view.
start=$(now_utc)
echo collaboration >blk/mode
check_eq "$(cat blk/mode)" collaboration "mode after echo collaboration"
printf recommendation >blk/mode
check_eq "$(cat blk/mode)" recommendation "mode after printf recommendation"
echo emergency >modes/blk
check_eq "$(cat blk/mode)" emergency "blk/mode after echo emergency > modes/blk"
check_eq "$(cat modes/blk)" emergency "modes/blk after echo emergency > modes/blk"
printf learning >>modes/blk
check_eq "$(cat blk/mode)" learning "mode after printf learning >> modes/blk"
end=$(now_utc)

# The other subsystem did not move.
check_eq "$(cat net/mode)" learning "mode of a subsystem nobody wrote to"
check_eq "$(status_of net mode_changes)" 1 "mode_changes of a subsystem nobody wrote to"

# ---- the history: every change, with time and reason; status shows the latest ----
check_eq "$(history_of blk | cut -d'|' -f1 | tr '\n' ' ')" \
	"learning collaboration recommendation emergency learning " "modes in the history"
while IFS='|' read -r mode reason; do
	check_match "$reason" '^written to mode by uid 0 \((bash|printf|echo), pid [0-9]+\)$' \
		"reason of the change to $mode"
done < <(history_of blk | tail -n +2)
check_eq "$(status_of blk mode_changes)" 5 "status mode_changes after four changes"
check_match "$(status_of blk mode_reason)" '^written to mode by uid 0 ' "status mode_reason"
changed=$(status_of blk mode_changed)
check_match "$changed" "$ISO_TIME" "status mode_changed"
if [[ ${changed:0:19} < $start || ${changed:0:19} > $end ]]; then
	bad "status mode_changed $changed is not between $start and $end"
fi
[[ $changed > $created ]] || bad "status mode_changed $changed not after creation $created"
check_eq "$(sqlite3 "$DB" "SELECT count(DISTINCT at) FROM mode_history
	WHERE subsys_id = (SELECT id FROM subsystems WHERE name = 'blk')")" 5 \
	"each change has its own time"

# Writing the mode it already has succeeds and is no change.
echo learning >blk/mode
check_eq "$(status_of blk mode_changes)" 5 "mode_changes after writing the current mode"
check_eq "$(status_of blk mode_changed)" "$changed" "mode_changed after writing the current mode"
