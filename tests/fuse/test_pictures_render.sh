#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Copyright (C) 2026 The mlfs authors
# efficiency.svg and dataset.svg drawn by a real browser (headless Chromium): each
# renders at the size it declares, is not blank, and shows what it should in the
# colours it draws it with (both arms' lines, the histograms' bars). Skips without
# chromium (Debian package chromium) or a Python with PIL (python3-pil).
source "$(dirname "$0")/lib.sh"

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
[[ -n $CHROMIUM ]] || skip "chromium is missing (Debian package chromium)"
PIL_PYTHON=
for p in "$PYTHON" /usr/bin/python3; do
	if [[ -x $p ]] && "$p" -c 'import PIL' 2>/dev/null; then
		PIL_PYTHON=$p
		break
	fi
done
[[ -n $PIL_PYTHON ]] || skip "no Python with PIL (Debian package python3-pil)"

# render SVG PNG: draw SVG at its own width and height into PNG.
render() {
	local size
	size=$("$PYTHON" -c 'import sys, xml.etree.ElementTree as E
r = E.parse(sys.argv[1]).getroot(); print("%s,%s" % (r.get("width"), r.get("height")))' "$1") ||
		fail "$1 is not well-formed"
	# Root needs --no-sandbox; a profile of its own keeps the test away from root's.
	timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
		--user-data-dir="$T/chromium" --window-size="$size" --screenshot="$2" \
		"file://$1" >/dev/null 2>&1 || bad "chromium could not render $1"
	[[ -s $2 ]] || fail "chromium wrote no $2"
}

# look PNG WIDTH HEIGHT [COLOUR...]: the PNG is WIDTHxHEIGHT, not blank, and has pixels
# of each COLOUR (#rrggbb, give or take antialiasing). Prints what is wrong, if anything.
look() {
	"$PIL_PYTHON" - "$@" <<'PY'
import sys
from PIL import Image
path, width, height = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
im = Image.open(path).convert('RGB')
if im.size != (width, height):
    print('%s is %dx%d, not %dx%d' % (path, im.size[0], im.size[1], width, height))
counts = im.getcolors(maxcolors=1 << 20)
background = max(counts)[1]
drawn = sum(n for n, c in counts if c != background)
if len(counts) < 8:
    print('%s has %d colours' % (path, len(counts)))
if drawn < 0.02 * width * height:
    print('%s: %d pixels drawn on the background, under 2%%' % (path, drawn))
for want in sys.argv[4:]:
    rgb = tuple(int(want[i:i + 2], 16) for i in (1, 3, 5))
    near = sum(n for n, c in counts if max(abs(a - b) for a, b in zip(c, rgb)) <= 24)
    if near < 300:  # more than the legend's swatch of a line: the line itself
        print('%s: %d pixels of %s' % (path, near, want))
PY
}

mlfs_start
cd "$MNT"
mkdir r
cat r/dataset.svg >"$T/empty.svg"
awk 'BEGIN { srand(11); print "conns,p99_us,target"
	for (i = 0; i < 400; i++) { c = int(rand() * 100)
		print c "," int(500 + c * 20 + rand() * 300) "," (c > 50) } }' >r/dataset
for i in 1 2 3 4 5 6; do
	echo "arm=ml throughput=$((800 + i * 7))" >r/feedback
	echo "arm=default throughput=$((790 + i % 3 * 5))" >r/feedback
	[[ $i == 3 ]] && echo collaboration >r/mode
	sleep 0.2 # spread over a second or so, as a time axis wants
done
cat r/efficiency.svg >"$T/efficiency.svg"
cat r/dataset.svg >"$T/dataset.svg"

render "$T/efficiency.svg" "$T/efficiency.png"
render "$T/dataset.svg" "$T/dataset.png"
render "$T/empty.svg" "$T/empty.png"
# The arms' lines, and the collaboration band they run on.
out=$(look "$T/efficiency.png" 800 440 '#e0560b' '#1f6fb4' '#d6e6f5')
[[ -z $out ]] || bad "efficiency.svg drawn: $out"
# Three panels: two rows of them; the histograms' bars and the sparklines.
out=$(look "$T/dataset.png" 800 416 '#4a86c5' '#e0560b')
[[ -z $out ]] || bad "dataset.svg drawn: $out"
out=$(look "$T/empty.png" 800 260)
[[ -z $out ]] || bad "an empty dataset.svg drawn: $out"

exit $((FAILED > 0))
