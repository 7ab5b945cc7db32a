"""One module per Snakemake rule: parse the rule's params, call the library, write the rule's outputs.

Every stage is a function `run(input, output, params, log)`: `input` and `output` map the rule's names to
paths (a list for a rule's list input), `params` holds exactly the config values the rule declares (the stage
refuses any other), `log` is the stage's logger. A stage never sees the whole config, so Snakemake reruns
a job exactly when something it reads changes.

The error and logging policy (see `ath_analysis.errors`) is applied here, once, for every stage.
"""

from ath_analysis.stages.runner import Input, Output, Params, exact_params, run_from_snakemake, run_stage

__all__ = ["Input", "Output", "Params", "exact_params", "run_from_snakemake", "run_stage"]
