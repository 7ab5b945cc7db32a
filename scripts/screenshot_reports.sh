#!/usr/bin/env bash
# Screenshots of the reports as a reader sees them: headless Chromium at desktop (1280 px) and phone (390 px)
# width, for each HTML file given (default: reports/*.html and one card per report), and each card PDF's first
# page as PNG (pdftoppm, poppler-utils). For looking at, not for CI: Chromium is not a project dependency.
#   scripts/screenshot_reports.sh [OUT_DIR] [FILE.html ...]
set -euo pipefail
out="${1:-screenshots}"
shift || true
mkdir -p "$out"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
  echo "screenshot_reports.sh: no Chromium found (Debian: apt-get install -y chromium)" >&2
  exit 1
fi
files=("$@")
if [[ ${#files[@]} -eq 0 ]]; then
  for html in reports/*.html; do
    files+=("$html")
    area="$(basename "$html" .html)"
    first="$(ls "reports/$area/kortit/"*.html 2>/dev/null | head -n 1 || true)"
    [[ -n "$first" ]] && files+=("$first")
  done
fi
shot() {  # file width height name
  local profile
  profile="$(mktemp -d)"
  "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
    --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile" --screenshot="$4" \
    --window-size="$2,$3" "file://$(realpath "$1")" >/dev/null 2>&1
  rm -rf "$profile"
  echo "$4"
}
for file in "${files[@]}"; do
  stem="$(echo "${file%.html}" | sed 's|^reports/||; s|/|_|g')"
  shot "$file" 1280 2000 "$out/${stem}_desktop.png"
  shot "$file" 390 2400 "$out/${stem}_phone.png"
done
if command -v pdftoppm >/dev/null; then
  for pdf in reports/*/kortit/kortit.pdf; do
    [[ -e "$pdf" ]] || continue
    area="$(basename "$(dirname "$(dirname "$pdf")")")"
    pdftoppm -r 80 -f 1 -l 1 -png "$pdf" "$out/${area}_kortit_page"
    ls "$out/${area}_kortit_page"*.png
  done
fi
