"""`ath-analysis local template|check`, and the bridge from the project's config to the workbook catalogues.

This is the only module of the package that reads the whole config: the library functions take catalogues.
`register_local_commands(commands)` adds the subcommands to the main parser (called from `cli.build_parser`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ath_analysis.errors import ConfigError, close_matches
from ath_analysis.local.vocabulary import LANGUAGES

if TYPE_CHECKING:  # the catalogues import pandas: only when a local command runs, not for every command
    from ath_analysis.local.catalogue import AreaCatalogue, ThemeCatalogue


def region_labels(config: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The region's name from the report whose focus is the region itself (config has no other)."""
    region = str(config["geography"]["region_code"])
    for spec in (config.get("report", {}).get("areas") or {}).values():
        focus = spec.get("focus") or {"domain": "region", "value": region}
        if focus.get("domain") == "region" and str(focus.get("value")) == region:
            return spec.get("name_fi"), spec.get("name_en")
    return None, None


def project_catalogues(config: Mapping[str, Any]) -> tuple[AreaCatalogue, ThemeCatalogue]:
    """The areas (region, municipalities, sub-areas) and themes (indicators, groups) of a checked config."""
    from ath_analysis.indicators.definitions import canonical_variables, load_indicators
    from ath_analysis.local.catalogue import ThemeCatalogue, area_catalogue
    from ath_analysis.places import SubareaSettings, load_places

    label_fi, label_en = region_labels(config)
    geography = config["geography"]
    places = load_places(config["areas_dir"], geography.get("register"),
                         SubareaSettings.from_config(geography.get("subareas")), str(geography["reference_date"]),
                         geography.get("splits") or {})
    areas = area_catalogue(
        places.municipalities, str(geography["region_code"]), str(geography["reference_date"]),
        region_label_fi=label_fi, region_label_en=label_en, subareas=places.subareas,
    )
    indicators = load_indicators(config["indicators"], variables=canonical_variables(config["variables"]))
    return areas, ThemeCatalogue.from_indicators(indicators)


def workbook_problems(config: Mapping[str, Any], path: str | Path) -> list[str]:
    """The problems of the workbook at `path` against the project's areas and indicators (for `validate`)."""
    from ath_analysis.errors import AthError
    from ath_analysis.local.workbook import check_workbook, read_workbook

    try:
        areas, themes = project_catalogues(config)
    except AthError as exc:  # broken indicators or area tables are reported by their own checks
        return [f"{path}: cannot check the local-knowledge workbook until this is fixed: {exc}".splitlines()[0]]
    problems = check_workbook(path, areas, themes)
    if not problems and not config["data"]["synthetic"] and read_workbook(path, areas, themes).example:
        problems.append(f"local_knowledge: {path} is a made-up EXAMPLE workbook and the survey data are real; "
                        "name your own workbook (ath-analysis local template) or set local_knowledge: null")
    return problems


def configured_area(config: Mapping[str, Any], name: str, areas: AreaCatalogue) -> str:
    """The area code of a report name in `report.areas` (its focus), or of an area code or name."""
    reports = config.get("report", {}).get("areas") or {}
    if name in reports:
        focus = reports[name].get("focus") or {"domain": "region", "value": config["geography"]["region_code"]}
        code = areas.for_cell(str(focus["domain"]), str(focus["value"]))
        if code is None:
            raise ConfigError(f"report area '{name}': its focus {focus['domain']}={focus['value']} is not an area "
                              f"the local-knowledge workbook knows")
        return code
    code = areas.resolve(name)
    if code is None:
        raise ConfigError(f"unknown area '{name}': give a report area ({', '.join(reports)}) or an area code"
                          f"{close_matches(name, [*reports, *areas.codes])}")
    return code


def _template(args: argparse.Namespace) -> int:
    from ath_analysis.config import load_config
    from ath_analysis.local.template import write_template

    config = load_config(args.config)
    areas, themes = project_catalogues(config)
    area = configured_area(config, args.area, areas) if args.area else None
    out = Path(args.out or (f"paikallistieto_{args.area}.xlsx" if args.area else "paikallistieto.xlsx"))
    if out.exists() and not args.force:
        raise ConfigError(f"{out} exists (a filled workbook?); give another --out or --force to replace it")
    write_template(out, areas, themes, lang=args.lang, area=area)
    print(f"{out}: empty local-knowledge workbook"
          + (f" for {areas.label(area, args.lang)} ({area})" if area else ""))
    return 0


def _check(args: argparse.Namespace) -> int:
    from ath_analysis.config import load_config
    from ath_analysis.local.workbook import check_workbook, read_workbook

    config = load_config(args.config)
    areas, themes = project_catalogues(config)
    problems = check_workbook(args.workbook, areas, themes)
    if problems:
        print(f"{len(problems)} problem(s) found:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    knowledge = read_workbook(args.workbook, areas, themes)
    observations = knowledge.observations
    public = int((observations["publication"] == "public").sum())
    print(f"{args.workbook}: {len(observations)} observations ({public} public), {len(knowledge.actors)} actors, "
          f"{len(knowledge.actions)} actions; no problems found" + (" (EXAMPLE workbook)" if knowledge.example
                                                                    else ""))
    return 0


def register_local_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `local template` and `local check` to the subparsers `commands` of the main parser."""
    local = commands.add_parser("local", help="the local-knowledge workbook: write an empty one, check one")
    actions = local.add_subparsers(dest="local_command", required=True)

    template = actions.add_parser("template", help="write an empty local-knowledge workbook (.xlsx)")
    template.add_argument("--config", default="config/config.yaml")
    template.add_argument("--area", help="a report area of config (e.g. mikkeli) or an area code (e.g. 491); "
                                         "default: every area")
    template.add_argument("--lang", choices=LANGUAGES, default="fi", help="language (default: %(default)s)")
    template.add_argument("--out", help="output file (default: paikallistieto[_AREA].xlsx)")
    template.add_argument("--force", action="store_true", help="replace an existing file")
    template.set_defaults(handler=_template)

    check = actions.add_parser("check", help="check a workbook: codes, dates, ids, publication flags, privacy")
    check.add_argument("workbook", help="the workbook: .xlsx, .yaml or a folder of CSV files")
    check.add_argument("--config", default="config/config.yaml")
    check.set_defaults(handler=_check)
