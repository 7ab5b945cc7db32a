#!/usr/bin/env bash
# Headless Chromium screenshots of the HTML reports, for developers: look at them after a change.
#
#   scripts/screenshot_reports.sh [REPORT.html ...]     (default: reports/*.html except the workflow report)
#
# Writes reports/screenshots/<name>.png (1280 px wide: the top of the report, i.e. the overview) and
# <name>-phone.png (390 px wide, as a phone), the first municipal card of each report (<name>-card.png,
# <name>-card-phone.png) and the first page of its PDF (<name>-card-pdf-1.png, with pdftoppm from
# poppler-utils when installed). With FULL=1 also <name>-NN-<section>.png, one per indicator section, the
# villages and the methods (SECTIONS="ind-daily_smoking small-areas" picks sections; WIDTH=390 shoots them as a
# phone). Needs Debian's `chromium` (apt-get install -y chromium); it is not a dependency of the pipeline or CI.
# The reports are self-contained, and networking features are switched off.
set -euo pipefail
cd "$(dirname "$0")/.."

browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
    echo "screenshot_reports.sh: chromium not found; install it with: apt-get install -y chromium" >&2
    exit 1
fi

out="reports/screenshots"
mkdir -p "$out"
height="${HEIGHT:-4000}"
width="${WIDTH:-1280}"

if [[ $# -gt 0 ]]; then
    reports=("$@")
else
    reports=()
    for f in reports/*.html; do
        [[ "$(basename "$f")" == workflow-report.html ]] && continue
        [[ -e "$f" ]] && reports+=("$f")
    done
fi
if [[ ${#reports[@]} -eq 0 ]]; then
    echo "screenshot_reports.sh: no reports found; run snakemake first" >&2
    exit 1
fi

shoot() {  # shoot FILE_URL OUTPUT.png [WIDTH]
    local profile
    profile="$(mktemp -d)"
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
        --disable-background-networking --disable-component-update --disable-sync \
        --hide-scrollbars --user-data-dir="$profile" --window-size="${3:-$width},${height}" \
        --screenshot="$2" "$1" >/dev/null 2>&1 || { rm -rf "$profile"; return 1; }
    rm -rf "$profile"
}

# Tiles further down the page: a copy of the report that shows only the `:target` section (scrolling to an
# anchor in a headless screenshot gives a blank image), one per indicator, the small-area overview (when the
# report has one) and one for the methods.
TILE_CSS='<style>header nav, .synthetic-note, main > section:not(:target):not(:has(:target)), .indicator:not(:target) { display: none !important; }</style>'

for report in "${reports[@]}"; do
    name="$(basename "$report" .html)"
    rm -f "$out/$name.png" "$out/$name"-*.png
    shoot "file://$(realpath "$report")" "$out/$name.png"
    echo "$out/$name.png"
    shoot "file://$(realpath "$report")" "$out/$name-phone.png" 390
    echo "$out/$name-phone.png"
    cards="$(dirname "$report")/$name/kortit"
    card="$(ls "$cards"/*.html 2>/dev/null | head -n 1 || true)"
    if [[ -n "$card" ]]; then
        height=1400 shoot "file://$(realpath "$card")" "$out/$name-card.png" 1280
        height=2400 shoot "file://$(realpath "$card")" "$out/$name-card-phone.png" 390
        echo "$out/$name-card.png"
        if [[ -e "$cards/kortit.pdf" ]] && command -v pdftoppm >/dev/null; then
            pdftoppm -r 80 -f 1 -l 1 -png "$cards/kortit.pdf" "$out/$name-card-pdf"
            ls "$out/$name-card-pdf"*.png
        fi
    fi
    if [[ "${FULL:-0}" == 1 ]]; then
        tmpdir="$(mktemp -d)"
        sed "s#</head>#${TILE_CSS}</head>#" "$report" > "$tmpdir/$name.html"
        anchors="${SECTIONS:-$(grep -o 'id="\(ind-[a-z0-9_]*\|small-areas\)"' "$report" | sed 's/id="\(.*\)"/\1/') methods}"
        k=0
        for anchor in $anchors; do
            k=$((k + 1))
            tile="$out/$name-$(printf %02d "$k")-${anchor#ind-}.png"
            height="${TILE_HEIGHT:-3200}" shoot "file://$tmpdir/$name.html#$anchor" "$tile"
            echo "$tile"
        done
        rm -rf "$tmpdir"
    fi
done
