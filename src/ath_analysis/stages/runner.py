"""Running a stage: logging to the rule's log file and stderr, and the one error policy.

A user-caused failure (`AthError`) becomes one line on stderr and in the log, exit code 1, no traceback; the
stage's atomic writers leave no output behind. Anything else is a bug: its traceback goes to the log and to
stderr, so it can be reported.
"""

from __future__ import annotations

import inspect
import logging
import sys
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

from ath_analysis.errors import AthError, ConfigError

Input = Mapping[str, Any]  # name -> path, or list of paths
Output = Mapping[str, Any]
Params = Mapping[str, Any]
Stage = Callable[[Input, Output, Params, logging.Logger], Any]

FILE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _StderrFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"ath-analysis: {record.levelname.lower()}: {record.getMessage()}"


def exact_params(params: Params, names: Collection[str], stage: str) -> None:
    """Refuse params a stage does not read, and require those it does: the rule's params are its contract."""
    extra = sorted(set(params) - set(names))
    missing = sorted(set(names) - set(params))
    if extra or missing:
        raise ConfigError(f"stage {stage}: the rule passes params {', '.join(extra) or '-'} it does not read and "
                          f"lacks {', '.join(missing) or '-'} (workflow/rules and ath_analysis.stages disagree)")


def _configure_logging(name: str, log_path: str | None) -> tuple[logging.Logger, list[logging.Handler]]:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    handlers: list[logging.Handler] = []
    if log_path:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.FileHandler(log_path, mode="w", encoding="utf-8")
        file_handler.setFormatter(logging.Formatter(FILE_FORMAT))
        file_handler.setLevel(logging.INFO)
        handlers.append(file_handler)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(_StderrFormatter())
    stderr.setLevel(logging.WARNING)
    handlers.append(stderr)
    for handler in handlers:
        root.addHandler(handler)
    logging.captureWarnings(True)
    return logging.getLogger(f"ath_analysis.stages.{name}"), handlers


def run_stage(stage: Stage, name: str, input: Input, output: Output, params: Params,
              log_path: str | None = None, threads: int = 1) -> int:
    """Run `stage` with the error and logging policy; returns the exit code (0 or 1).

    threads: the job's threads, given to a stage whose `run` takes a `threads` argument (a job resource, not a
    param: another --cores must not make Snakemake rerun the job, nor change what it writes)."""
    logger, handlers = _configure_logging(name, log_path)
    started = time.perf_counter()
    try:
        logger.info("started; params: %s", ", ".join(sorted(params)) or "none")
        if "threads" in inspect.signature(stage).parameters:
            stage(input, output, params, logger, threads=max(1, int(threads)))  # type: ignore[call-arg]
        else:
            stage(input, output, params, logger)
        logger.info("finished in %.1f s", time.perf_counter() - started)
        return 0
    except AthError as exc:
        logger.error("%s", exc)
        return 1
    except Exception:
        logger.exception("stage %s failed with an internal error (please report it)", name)
        raise
    finally:
        for handler in handlers:
            handler.close()
            logging.getLogger().removeHandler(handler)


def _plain(entries: Any) -> dict[str, Any]:
    """A Snakemake Namedlist (input, output, params) as a plain dict of its named entries."""
    out: dict[str, Any] = {}
    for key, value in entries.items():
        out[key] = value if isinstance(value, str | int | float | bool | dict | type(None)) else list(value)
    return out


def run_from_snakemake(stage: Stage, snakemake: Any) -> None:
    """Entry point of the workflow's scripts: the job's named input, output, params and log, then exit."""
    code = run_stage(stage, snakemake.rule, _plain(snakemake.input), _plain(snakemake.output),
                     _plain(snakemake.params), snakemake.log[0] if len(snakemake.log) else None,
                     threads=int(getattr(snakemake, "threads", 1) or 1))
    if code:
        sys.exit(code)
