"""The publication gate: what may leave for `reports/` and what must stay hidden.

`rules` holds the thresholds; `primary` primary suppression (cells below `min_n`), precision flags and the
complementary suppression along partitions of the estimate table; `models` and `small_areas` apply the same
rules to the comparison and small-area tables.
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
from ath_analysis.disclosure.rules import PublicationRules

__all__ = [
    "FLAG_COMPLEMENTARY",
    "FLAG_LOW_PRECISION",
    "FLAG_NO_RESPONDENTS",
    "FLAG_SMALL_N",
    "PublicationRules",
    "SUPPRESSED_COLUMNS",
    "apply_disclosure",
    "partition_relations",
]
