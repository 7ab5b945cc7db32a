"""Checks of the configuration as a whole: config.yaml against the files it names and against itself.

Everything a stage would refuse later is refused here first, all problems at once, so that what
`ath-analysis validate` (and the workflow, when it starts) accepts also runs. Checks that need the survey
data files themselves are in `ath_analysis.validation`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ath_analysis.analysis import AGE_COLUMNS, GEOGRAPHY_NEEDS, NATIONAL_COLUMNS, sources_of
from ath_analysis.areas import AreaTables
from ath_analysis.config import schema_problems
from ath_analysis.errors import AthError, close_matches
from ath_analysis.geography import AGE_GROUPS
from ath_analysis.harmonization import parse_wave_spec
from ath_analysis.indicators.definitions import Indicator, canonical_variables, load_indicators
from ath_analysis.places import Places, SubareaSettings, load_places
from ath_analysis.schemas import schema_file
from ath_analysis.yaml_files import read_yaml

PUBLISHED_DIR = Path("reports")


def _read(path: str | Path, schema: str, problems: list[str]) -> Any:
    """A configuration file, checked against its schema; None (with the problems noted) when unusable."""
    try:
        document = read_yaml(path)
    except AthError as exc:
        problems.append(str(exc))
        return None
    found = schema_problems(document, schema_file(schema), path)
    problems += found
    return None if found else document


def _paths(config: Mapping[str, Any]) -> list[str]:
    """Respondent-level folders must not lie where published outputs go, nor (unless allowed) leave the project."""
    published = PUBLISHED_DIR.resolve()
    project = Path.cwd().resolve()
    out = []
    for key in ("raw_dir", "processed_dir"):
        folder = Path(config["data"][key]).resolve()
        if folder == published or published in folder.parents:
            out.append(f"data.{key}: {config['data'][key]} lies inside {PUBLISHED_DIR}/, where only published "
                       "aggregates may go; respondent-level data must stay outside it")
        elif project not in folder.parents and not config["data"]["allow_outside_project"]:
            out.append(f"data.{key}: {config['data'][key]} lies outside the project folder {project}; set "
                       "data.allow_outside_project: true if respondent-level data are meant to live there")
    return out


def _columns_needed(config: Mapping[str, Any], indicators: list[Indicator]) -> dict[str, list[str]]:
    """Canonical variable -> the settings that need it in every wave."""
    needs: dict[str, list[str]] = {name: ["geography"] for name in GEOGRAPHY_NEEDS}

    def need(columns: list[str], why: str) -> None:
        for source in sources_of(columns):
            needs.setdefault(source, []).append(why)

    for name, columns in config["estimate"]["domains"].items():
        need(list(columns), f"estimate.domains.{name}")
    if any(i.standardize for i in indicators):
        need([config["estimate"]["standardize_by"]], "estimate.standardize_by")
    compare = config["compare"]
    for name, spec in compare["comparisons"].items():
        need([spec["variable"]], f"compare.comparisons.{name}")
    need(list(compare["adjusters"]), "compare.adjusters")
    return needs


def _harmonization(config: Mapping[str, Any], variables: Mapping[str, Any] | None,
                   indicators: list[Indicator]) -> list[str]:
    path = config["harmonization"]
    problems: list[str] = []
    harmonization = _read(path, "harmonization.schema.yaml", problems)
    if harmonization is None or variables is None:
        return problems
    needs = _columns_needed(config, indicators)
    for wave in config["waves"]:
        if wave not in harmonization:
            known = [w for w in harmonization if not str(w).startswith("_")]
            problems.append(f"{path}: no block for wave '{wave}'{close_matches(wave, known)}")
            continue
        _, spec_problems = parse_wave_spec(wave, harmonization[wave], variables, path)
        problems += spec_problems
        mapped = set(harmonization[wave] or {})
        for variable, settings in needs.items():
            if variable not in mapped:
                problems.append(f"{path}: wave '{wave}' does not map '{variable}', which {', '.join(settings)} "
                                f"need(s)")
    return problems


def _estimate(config: Mapping[str, Any], areas: AreaTables | None) -> list[str]:
    estimate = config["estimate"]
    problems = []
    if estimate["standardize_by"] not in AGE_COLUMNS:
        problems.append(f"estimate.standardize_by: '{estimate['standardize_by']}' is not an age-group column "
                        f"({', '.join(sorted(AGE_COLUMNS))})")
    elif areas is not None and estimate["standardize_by"] in AGE_GROUPS:
        from ath_analysis.survey import collapse_esp2013

        bands = [label for _, _, label in AGE_GROUPS[estimate["standardize_by"]]]
        try:
            collapse_esp2013(areas.esp2013, bands)
        except ValueError as exc:
            problems.append(f"estimate.standardize_by: {exc}")
    return problems


def _small_areas(config: Mapping[str, Any], places: Places | None, indicators: list[Indicator]) -> list[str]:
    from ath_analysis.results.small_areas import POPULATION_COVARIATES, covariate_name_problems, select_indicators

    settings = config["small_areas"]
    problems = list(covariate_name_problems(list(settings["covariates"])))
    try:
        select_indicators(indicators, settings["indicators"])
    except AthError as exc:
        problems.append(str(exc))
    if places is not None and places.subareas is None:
        problems.append("small_areas: geography.subareas is not configured, so there are no sub-areas to model")
    if config["data"]["synthetic"]:
        unknown = [c for c in settings["covariates"] if c not in POPULATION_COVARIATES]
        problems += [f"small_areas.covariates: '{c}' cannot be computed from the synthetic population"
                     f"{close_matches(c, POPULATION_COVARIATES)}; available: {', '.join(POPULATION_COVARIATES)}"
                     for c in unknown]
    elif not Path(settings["covariate_file"]).is_file():
        problems.append(f"small_areas.covariate_file: {settings['covariate_file']} not found (with data.synthetic: "
                        "false the small-area model needs it; see config/areas/README.md)")
    return problems


def _reports(config: Mapping[str, Any], places: Places | None) -> list[str]:
    from ath_analysis.report.build import spec_problems
    from ath_analysis.report.content import area_specs

    region = config["geography"]["region_code"]
    specs = area_specs(config["report"], region)
    problems: list[str] = []
    comparisons = list(config["compare"]["comparisons"])
    for spec in specs.values():
        problems += spec_problems(spec, list(config["estimate"]["domains"]), comparisons)
        if spec.focus_domain == "region" and spec.focus_value != region:
            problems.append(f"report.areas.{spec.name}.focus.value: '{spec.focus_value}' is not the region "
                            f"(geography.region_code is '{region}')")
        if spec.focus_domain == "municipality" and places is not None:
            known = set(places.municipalities.names())
            if spec.focus_value not in known:
                problems.append(f"report.areas.{spec.name}.focus.value: '{spec.focus_value}' is not a municipality "
                                f"of {_catalogue(config)}{close_matches(spec.focus_value, known)}")
    boundaries = config["report"].get("boundaries")
    if boundaries and not Path(boundaries).is_file():
        problems.append(f"report.boundaries: {boundaries} not found")
    return problems


def _catalogue(config: Mapping[str, Any]) -> str:
    register = config["geography"]["register"]
    return f"the national register ({register})" if register else f"the area tables ({config['areas_dir']})"


def _places(config: Mapping[str, Any], problems: list[str]) -> Places | None:
    """The places the stages will load, or None (with the reason noted) when they cannot be loaded."""
    geography = config["geography"]
    register = geography["register"]
    if register and not (Path(register) / "manifest.json").is_file():
        problems.append(f"geography.register: {register} holds no national register (no manifest.json); make it with "
                        "ath-analysis areas import DIR or ath-analysis areas fetch")
        return None
    try:
        places = load_places(config["areas_dir"], register, SubareaSettings.from_config(geography["subareas"]),
                             geography["reference_date"], geography["splits"])
    except AthError as exc:
        problems.append(str(exc))
        return None
    region = geography["region_code"]
    regions = set(places.areas.maakunnat["code"])
    if region not in regions:
        problems.append(f"geography.region_code: '{region}' is not a maakunta code{close_matches(region, regions)}")
    elif places.register is None and region not in set(places.areas.region_membership()["region"]):
        problems.append(f"geography.region_code: the tables in {config['areas_dir']} hold no municipality of region "
                        f"'{region}'; import or fetch the national register (ath-analysis areas import DIR, or "
                        "ath-analysis areas fetch) and set geography.register")
    if places.subareas is not None:
        known = set(places.municipalities.names())
        if places.subareas.municipality not in known:
            problems.append(f"geography.subareas.municipality: '{places.subareas.municipality}' is not a "
                            f"municipality of {_catalogue(config)}{close_matches(places.subareas.municipality, known)}")
    return places


def _national(config: Mapping[str, Any]) -> list[str]:
    """Domain sets of the whole country need waves that cover it."""
    if config["data"]["national"]:
        return []
    return [f"estimate.domains.{name}: {', '.join(sorted(NATIONAL_COLUMNS & set(columns)))} cells need waves that "
            "cover the whole country (data.national: true); with the region's data only, the national comparison "
            "comes from published reference values"
            for name, columns in config["estimate"]["domains"].items() if NATIONAL_COLUMNS & set(columns)]


def _within(config: Mapping[str, Any]) -> list[str]:
    if config["geography"]["subareas"]:
        return []
    return [f"compare.comparisons.{name}.within: 'subareas' needs geography.subareas"
            for name, spec in config["compare"]["comparisons"].items() if spec.get("within") == "subareas"]


def _reference_values(config: Mapping[str, Any], indicators: list[Indicator]) -> list[str]:
    settings = config["reference_values"]
    if not settings:
        return []
    problems = []
    if not Path(settings["file"]).is_file():
        problems.append(f"reference_values.file: {settings['file']} not found (ath-analysis reference fetch writes it)")
    known = {i.id for i in indicators}
    problems += [f"reference_values.indicators: unknown indicator '{ours}'{close_matches(ours, known)}"
                 for ours in settings["indicators"] if indicators and ours not in known]
    if settings["region_level"] != "MAA" and not settings.get("region_code"):
        problems.append(f"reference_values.region_code: needed with region_level {settings['region_level']}")
    return problems


def _local_knowledge(config: Mapping[str, Any]) -> list[str]:
    path = config.get("local_knowledge")
    if path is None:
        return []
    from ath_analysis.local.cli import workbook_problems

    return workbook_problems(config, path)


def project_problems(config: Mapping[str, Any]) -> list[str]:
    """Every problem of a schema-valid config together with the files it names (not the survey data)."""
    problems = _paths(config)
    variables_path = config["variables"]
    variables = _read(variables_path, "variables.schema.yaml", problems)
    indicators: list[Indicator] = []
    if variables is not None:
        try:
            indicators = load_indicators(config["indicators"], variables=canonical_variables(variables_path))
        except AthError as exc:
            problems += str(exc).splitlines()
    places = _places(config, problems)
    problems += _harmonization(config, variables, indicators)
    problems += _estimate(config, places.areas if places else None)
    problems += _national(config) + _within(config)
    problems += _small_areas(config, places, indicators)
    problems += _reports(config, places)
    problems += _reference_values(config, indicators)
    problems += _local_knowledge(config)
    return [p.strip() for p in problems]
