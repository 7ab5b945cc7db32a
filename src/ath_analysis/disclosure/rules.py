"""The publication rules every published table follows: the smallest cell and the precision flags."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PublicationRules:
    """min_n: cells with 0 < n < min_n are not published; max_ci_width, max_cv: precision flags (not hidden).

    max_ci_width applies to proportions (in proportion units, 0.20 = 20 points); max_cv to means, whose scale
    differs from indicator to indicator.
    """

    min_n: int
    max_ci_width: float
    max_cv: float

    @classmethod
    def from_config(cls, disclosure: Mapping[str, Any], precision: Mapping[str, Any]) -> PublicationRules:
        """From the config's `disclosure` and `precision` blocks."""
        return cls(int(disclosure["min_n"]), float(precision["max_ci_width"]), float(precision["max_cv"]))
