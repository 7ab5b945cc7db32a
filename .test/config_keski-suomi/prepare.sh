#!/usr/bin/env bash
# The national register this configuration needs, imported from the reference directory beside the repository
# (CI clones the repository with ../shared next to it) into the configuration's own data/external/areas, which git
# ignores: the register's files are read in place and never copied into the repository. Run from the repository
# root; $ATH_SHARED names another folder holding reference/finland (as for the register tests).
set -euo pipefail
reference="${ATH_SHARED:-../shared}/reference/finland"
if [ ! -d "$reference" ]; then
  echo "prepare.sh: $reference: no reference directory (set ATH_SHARED to the folder that holds it)" >&2
  exit 1
fi
ath-analysis areas import "$reference" --out .test/config_keski-suomi/data/external/areas >/dev/null
