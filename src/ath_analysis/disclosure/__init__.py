"""The publication gate: what may leave for `reports/` and what must stay hidden.

`rules` holds the thresholds; `primary` primary suppression (cells below `min_n`) and precision flags of the
estimate table; `models` and `small_areas` apply them to the comparison and small-area tables; `linked` is the
audit of all published cells together and `published` the gate that applies it to every table before
anything leaves for reports/.
"""

from ath_analysis.disclosure.primary import (
    FLAG_COMPLEMENTARY,
    FLAG_LOW_PRECISION,
    FLAG_NO_RESPONDENTS,
    FLAG_SMALL_N,
    SUPPRESSED_COLUMNS,
    apply_disclosure,
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
]
