#!/usr/bin/env bash
# A stand-in batch system for Snakemake's generic cluster executor: run the job script given as the last argument
# in the background, with its output in logs/cluster/, and print a job id (as sbatch --parsable would).
set -euo pipefail
jobscript="${@: -1}"
mkdir -p logs/cluster
id="local-$$-$RANDOM"
nohup bash "$jobscript" >"logs/cluster/$id.out" 2>"logs/cluster/$id.err" </dev/null &
echo "$id"
