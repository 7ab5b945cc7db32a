"""What one area's report reads from the configuration: exactly the values its rule passes as params."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ath_analysis.report.content import AreaSpec, area_spec


@dataclass(frozen=True)
class ReportSettings:
    """The settings of one area's report.

    waves: wave -> {survey, year, fieldwork_date}; domains: the estimate stage's domain sets; small_area_model:
    the small-area settings the methods text describes (empty when the area shows no small areas).
    """

    area: AreaSpec
    language: str
    model_wave: str
    min_n: int
    max_ci_width: float
    max_cv: float
    region_code: str
    reference_date: str
    min_age: int
    level: float
    ci_method: str
    standardize_by: str
    domains: Mapping[str, tuple[str, ...]]
    waves: Mapping[str, Mapping[str, Any]]
    synthetic: bool
    boundaries_code_property: str | None = None
    small_area_model: Mapping[str, Any] = field(default_factory=dict)
    local_knowledge: bool = False  # a workbook is configured: the report links to the local page and the pack

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ReportSettings:
        """From the report rule's params (see workflow/rules/report.smk)."""
        geography, estimate = params["geography"], params["estimate"]
        return cls(
            area=area_spec(str(params["area"]), params["spec"], str(geography["region_code"])),
            language=str(params["language"]),
            model_wave=str(params["model_wave"]),
            min_n=int(params["disclosure"]["min_n"]),
            max_ci_width=float(params["precision"]["max_ci_width"]),
            max_cv=float(params["precision"]["max_cv"]),
            region_code=str(geography["region_code"]),
            reference_date=str(geography["reference_date"]),
            min_age=int(geography["min_age"]),
            level=float(estimate["level"]),
            ci_method=str(estimate["ci_method"]),
            standardize_by=str(estimate["standardize_by"]),
            domains={name: tuple(columns) for name, columns in estimate["domains"].items()},
            waves={str(w): dict(v) for w, v in params["waves"].items()},
            synthetic=bool(params["synthetic"]),
            boundaries_code_property=params.get("boundaries_code_property"),
            small_area_model=dict(params.get("small_areas") or {}),
            local_knowledge=bool(params.get("local_knowledge", False)),
        )

    def columns_of(self, domain: str) -> tuple[str, ...]:
        """The analysis columns of a domain set (a set not configured is taken as its own column)."""
        return self.domains.get(domain, (domain,))
