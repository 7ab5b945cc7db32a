"""The publication gate: what may leave for `reports/` and what must stay hidden.

`primary` holds primary suppression (cells below `min_n`), precision flags and today's complementary
suppression along partitions.
"""

from ath_analysis.disclosure.primary import (
    FLAG_COMPLEMENTARY,
    FLAG_LOW_PRECISION,
    FLAG_NO_RESPONDENTS,
    FLAG_SMALL_N,
    SUPPRESSED_COLUMNS,
    apply_disclosure,
    partition_relations,
)

__all__ = [
    "FLAG_COMPLEMENTARY",
    "FLAG_LOW_PRECISION",
    "FLAG_NO_RESPONDENTS",
    "FLAG_SMALL_N",
    "SUPPRESSED_COLUMNS",
    "apply_disclosure",
    "partition_relations",
]
