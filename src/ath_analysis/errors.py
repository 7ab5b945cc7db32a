"""User-facing errors.

Every problem a user can cause (a bad file, a config typo, a wrong code) raises an `AthError` whose message
names the file, the variable or the indicator. The CLI and the Snakemake scripts print the message without a
traceback and exit non-zero.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable


class AthError(Exception):
    """An error caused by input or configuration, with a message meant for the user."""


class DataError(AthError):
    """A survey data file is unreadable or inconsistent with what config says about it."""


class ConfigError(AthError):
    """A config or indicator definition is invalid."""


def close_matches(name: str, candidates: Iterable[str], n: int = 3) -> str:
    """A ' (did you mean: a, b?)' hint for a misspelt name, or '' when nothing is close."""
    matches = difflib.get_close_matches(name, list(candidates), n=n, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in candidates}
        matches = [lowered[m] for m in difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)]
    return f" (did you mean: {', '.join(matches)}?)" if matches else ""
