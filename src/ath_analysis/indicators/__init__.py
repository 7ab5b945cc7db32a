"""Indicators: the safe expression language and the analyst-editable definitions in config/indicators.yaml."""

from ath_analysis.indicators.definitions import (
    DERIVED_VARIABLES,
    Indicator,
    canonical_variables,
    check_indicators,
    compute_indicators,
    load_indicators,
)
from ath_analysis.indicators.expression import FUNCTIONS, Expression, ExpressionError, parse

__all__ = [
    "DERIVED_VARIABLES",
    "FUNCTIONS",
    "Expression",
    "ExpressionError",
    "Indicator",
    "canonical_variables",
    "check_indicators",
    "compute_indicators",
    "load_indicators",
    "parse",
]
