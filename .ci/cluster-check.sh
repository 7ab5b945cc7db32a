#!/usr/bin/env bash
# CI: the workflow on a cluster gives the same published tables as on one machine.
#
# In two scratch copies of the project, from a clean state, the default (synthetic) pipeline runs once locally
# (--cores 2) and once through Snakemake's generic cluster executor (--profile workflow/profiles/local-cluster,
# each job submitted to .ci/cluster-submit.sh and run as a separate process, as a batch system would); the sha256
# of every file under reports/tables/ must be the same. Then the SLURM profile must lint and dry-run cleanly.
# Exits 1 naming the differing files (or the failing step). Both runs go at once: about 2–3 minutes on two
# otherwise idle cores (much longer on a busy machine).
#   usage: .ci/cluster-check.sh [SCRATCH_DIR]   (default: a new temporary directory, removed on success)
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"

scratch="${1:-$(mktemp -d)}"
mkdir -p "$scratch"
copy() {  # the project's workflow, config and CI scripts only: no data, results, logs or Snakemake records
  rm -rf "$1" && mkdir -p "$1"
  cp "$root/Snakefile" "$1/"
  cp -r "$root/workflow" "$root/config" "$root/.ci" "$1/"
}
copy "$scratch/local"
copy "$scratch/cluster"

echo "== cluster-check: local run and cluster run (generic executor) in $scratch"
started=$SECONDS
(cd "$scratch/local" && snakemake --cores 2 --quiet rules >"$scratch/local.log" 2>&1) &
local_pid=$!
cluster_status=0
(cd "$scratch/cluster" && snakemake --profile workflow/profiles/local-cluster --quiet rules \
  >"$scratch/cluster.log" 2>&1) || cluster_status=$?
local_status=0
wait "$local_pid" || local_status=$?
for run in local cluster; do
  status_var="${run}_status"
  if [ "${!status_var}" -ne 0 ]; then
    tail -n 30 "$scratch/$run.log" >&2
    echo "cluster-check: the $run run failed (log: $scratch/$run.log)" >&2
    exit 1
  fi
done
echo "   both runs done in $((SECONDS - started)) s"

tables() {  # "sha256  path" of every file under reports/tables/, paths relative to it, sorted
  (cd "$1/reports/tables" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
}
tables "$scratch/local" >"$scratch/local.sha256"
tables "$scratch/cluster" >"$scratch/cluster.sha256"
count=$(wc -l <"$scratch/local.sha256")
if [ "$count" -eq 0 ]; then
  echo "cluster-check: the local run wrote no files under reports/tables/" >&2
  exit 1
fi
differing=$(awk 'FNR == NR {local[$2] = $1; next} {cluster[$2] = $1}
  END {for (f in local) if (local[f] != cluster[f]) print f; for (f in cluster) if (!(f in local)) print f}' \
  "$scratch/local.sha256" "$scratch/cluster.sha256" | sort)
if [ -n "$differing" ]; then
  echo "cluster-check: reports/tables/ differs between the local and the cluster run (or a file is missing):" >&2
  echo "$differing" | sed 's|^\./|  reports/tables/|' >&2
  exit 1
fi
echo "   reports/tables/: $count files, identical sha256 in both runs"

echo "== cluster-check: snakemake --lint and a dry run with the SLURM profile"
(cd "$scratch/local" && snakemake --lint --profile workflow/profiles/slurm >"$scratch/lint.log" 2>&1) || {
  cat "$scratch/lint.log" >&2
  echo "cluster-check: snakemake --lint --profile workflow/profiles/slurm failed" >&2
  exit 1
}
if grep -q "^Lints for" "$scratch/lint.log"; then
  cat "$scratch/lint.log" >&2
  echo "cluster-check: snakemake --lint --profile workflow/profiles/slurm found lints" >&2
  exit 1
fi
# a dry run from the clean state plans every job (resources and the SLURM settings resolved), submits none
copy "$scratch/slurm"
(cd "$scratch/slurm" && snakemake -n --profile workflow/profiles/slurm >"$scratch/slurm-dry-run.log" 2>&1) || {
  tail -n 30 "$scratch/slurm-dry-run.log" >&2
  echo "cluster-check: snakemake -n --profile workflow/profiles/slurm failed" >&2
  exit 1
}
grep -q "compare_part" "$scratch/slurm-dry-run.log" || {
  echo "cluster-check: the SLURM dry run planned no compare_part jobs (log: $scratch/slurm-dry-run.log)" >&2
  exit 1
}

[ $# -ge 1 ] || rm -rf "$scratch"
echo "cluster-check passed in $((SECONDS - started)) s"
