#!/usr/bin/env bash
# The fixture survey files of this configuration: synthetic waves written as if they were a researcher's real
# files (never committed; git ignores .test/*/data/). Run from the repository root.
set -euo pipefail
ath-analysis synth --out .test/config_real/data/raw >/dev/null
