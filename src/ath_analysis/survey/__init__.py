"""Design-based survey estimation (Taylor linearization), validated against R's `survey` package.

>>> from ath_analysis.survey import Design, estimate, estimate_domains, Standardization
>>> design = Design(weight="w", strata="stratum", lonely_psu="adjust")  # doctest: +SKIP
>>> estimate(frame, design, ["smoker", "obese"], by="municipality")  # doctest: +SKIP
>>> parent_differences(frame, design, ["smoker"], {"region": [], "municipality": ["municipality"]},
...                    parents="region")  # municipality − region, with the CI of the difference  # doctest: +SKIP

Results are tidy DataFrames (one row per variable × domain cell) so they feed both notebooks and the
pipeline. See `estimate` for the columns, `estimate_domains` for many domain sets at once,
`parent_differences` and `independent_difference(s)` for differences and their CIs, and `Design.bind`
(`BoundDesign`) for many calls on one frame.
"""

from ath_analysis.survey.bound import BoundDesign
from ath_analysis.survey.contrast import (
    DF_RULES,
    DIFFERENCE_COLUMNS,
    DfRule,
    independent_difference,
    independent_differences,
    parent_differences,
    se_from_ci,
)
from ath_analysis.survey.design import LONELY_POLICIES, Design, LonelyPSU, ResolvedDesign
from ath_analysis.survey.domains import ALL_LABEL, JOIN
from ath_analysis.survey.estimate import KINDS, STAT_COLUMNS, Kind, estimate, estimate_domains
from ath_analysis.survey.intervals import CI_METHODS, CIMethod
from ath_analysis.survey.standardize import Standardization, collapse_esp2013

__all__ = [
    "ALL_LABEL",
    "CI_METHODS",
    "DF_RULES",
    "DIFFERENCE_COLUMNS",
    "JOIN",
    "KINDS",
    "LONELY_POLICIES",
    "STAT_COLUMNS",
    "BoundDesign",
    "CIMethod",
    "Design",
    "DfRule",
    "Kind",
    "LonelyPSU",
    "ResolvedDesign",
    "Standardization",
    "collapse_esp2013",
    "estimate",
    "estimate_domains",
    "independent_difference",
    "independent_differences",
    "parent_differences",
    "se_from_ci",
]
