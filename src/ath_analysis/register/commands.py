"""The command-line side of the national reference data: `areas fetch|import` and `reference fetch`.

Only these commands open network connections (fetch); the pipeline reads what they wrote. Heavy imports wait
until a command runs, so `ath-analysis --help` stays fast.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

DEFAULT_AREAS = "data/external/areas"
DEFAULT_MERGERS = "config/areas/municipal_mergers.csv"
DEFAULT_REFERENCE_VALUES = "data/external/reference_values.csv"


def _mergers(value: str | None) -> str | None:
    """The dated merger table to use: the default only when it exists; '' switches it off."""
    if value == "":
        return None
    if value is None:
        return DEFAULT_MERGERS if Path(DEFAULT_MERGERS).is_file() else None
    return value


def _summary(register: Any) -> str:
    lists = register.municipalities
    counts = lists.groupby("year").size()
    parts = [
        f"{len(lists)} municipality-years {counts.index.min()}–{counts.index.max()} "
        f"({counts.iloc[0]} → {counts.iloc[-1]} municipalities)",
        f"{len(register.successors)} successor rows",
        f"{len(register.populations)} populations",
        f"{len(register.postal_areas)} postal areas",
        f"{len(register.boundaries)} boundary maps",
    ]
    return f"{register.directory}: " + ", ".join(parts) + " (see manifest.json for sources and licences)"


def areas_import(args: argparse.Namespace) -> int:
    from ath_analysis.register.importer import import_register

    register = import_register(args.directory, args.out, dated_mergers=_mergers(args.mergers))
    print(_summary(register))
    return 0


def areas_fetch(args: argparse.Namespace) -> int:
    from ath_analysis.register.http import HttpClient
    from ath_analysis.register.normalize import read_dated_mergers
    from ath_analysis.register.statfi import OFFLINE_HINT, fetch_register

    mergers = _mergers(args.mergers)
    http = HttpClient(timeout=args.timeout, pause=args.pause, offline_hint=OFFLINE_HINT)
    register = fetch_register(
        args.out, http=http, first_year=args.first_year, last_year=args.last_year, boundary_year=args.boundary_year,
        postal_year=args.postal_year, scale=args.scale,
        dated_mergers=read_dated_mergers(mergers) if mergers else None, dated_source=mergers or "",
    )
    print(_summary(register))
    return 0


def _reference_settings(args: argparse.Namespace) -> tuple[dict[str, str], str]:
    from ath_analysis.errors import ConfigError
    from ath_analysis.register.reference_values import ReferenceValuesSettings
    from ath_analysis.yaml_files import read_yaml

    mapping: dict[str, str] = {}
    out = args.out
    if args.indicator:
        for item in args.indicator:
            ours, sep, theirs = item.partition("=")
            if not sep or not ours or not theirs:
                raise ConfigError(f"--indicator {item!r}: expected OUR_ID=SOTKANET_ID, e.g. daily_smoking=4559")
            mapping[ours] = theirs
    elif Path(args.config).is_file():
        config = read_yaml(args.config) or {}
        if "reference_values" not in config:
            raise ConfigError(f"{args.config}: no reference_values block; add one (file, indicators: {{our_id: "
                              "sotkanet_id}}) or pass --indicator OUR_ID=SOTKANET_ID")
        settings = ReferenceValuesSettings.from_config(config["reference_values"], f"{args.config}: reference_values")
        mapping = dict(settings.indicators)
        out = out or settings.file
    if not mapping:
        raise ConfigError("no indicators to fetch: pass --indicator OUR_ID=SOTKANET_ID or list them in the config's "
                          "reference_values.indicators")
    return mapping, out or DEFAULT_REFERENCE_VALUES


def reference_fetch(args: argparse.Namespace) -> int:
    from ath_analysis.register.http import HttpClient
    from ath_analysis.register.reference_values import sotkanet_reference_values, write_reference_values
    from ath_analysis.register.sotkanet import SotkanetClient

    mapping, out = _reference_settings(args)
    http = HttpClient(timeout=args.timeout, offline_hint="`ath-analysis reference fetch` needs a network "
                      "connection; offline, copy a reference values CSV (see ath_analysis.register.reference_values)")
    ids = list(dict.fromkeys(mapping.values()))
    frame = sotkanet_reference_values(SotkanetClient(http), ids, years=args.years or None)
    write_reference_values(frame, out)
    print(f"{out}: {len(frame)} reference values of {len(ids)} Sotkanet indicator(s) ({', '.join(ids)})")
    return 0


def add_commands(commands: Any) -> None:
    """Register `areas fetch|import` and `reference fetch` on the top-level subcommand parser."""
    areas = commands.add_parser("areas", help="national municipal register: fetch it from Statistics Finland or "
                                "import it from a directory").add_subparsers(dest="areas_command", required=True)
    merger_help = (f"dated merger table for mergers the lists cannot date (default: {DEFAULT_MERGERS} when it "
                   "exists; '' for none)")

    fetch = areas.add_parser("fetch", help="download municipalities, successors, populations, postal areas and "
                             "boundaries from Statistics Finland's and THL's open interfaces")
    fetch.add_argument("--out", default=DEFAULT_AREAS, help="output folder (default: %(default)s)")
    fetch.add_argument("--first-year", type=int, default=2010, help="first yearly list (default: %(default)s)")
    fetch.add_argument("--last-year", type=int, help="last yearly list (default: the newest published)")
    fetch.add_argument("--boundary-year", type=int, help="year of the municipality and maakunta maps")
    fetch.add_argument("--postal-year", type=int, help="year of the postal-area map")
    fetch.add_argument("--scale", type=int, choices=[1000, 4500], default=4500,
                       help="map generalisation 1:1 M or 1:4.5 M (default: %(default)s)")
    fetch.add_argument("--mergers", help=merger_help)
    fetch.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default: %(default)s)")
    fetch.add_argument("--pause", type=float, default=0.2, help="seconds between requests (default: %(default)s)")
    fetch.set_defaults(handler=areas_fetch)

    imp = areas.add_parser("import", help="read the same facts from a directory laid out like "
                           "../shared/reference/finland (offline)")
    imp.add_argument("directory", help="the reference directory (read in place, never copied)")
    imp.add_argument("--out", default=DEFAULT_AREAS, help="output folder (default: %(default)s)")
    imp.add_argument("--mergers", help=merger_help)
    imp.set_defaults(handler=areas_import)

    reference = commands.add_parser("reference", help="published reference values (THL Sotkanet)").add_subparsers(
        dest="reference_command", required=True)
    ref = reference.add_parser("fetch", help="download the reference values of the mapped indicators from Sotkanet")
    ref.add_argument("--config", default="config/config.yaml",
                     help="config whose reference_values block maps our ids to Sotkanet ids (default: %(default)s)")
    ref.add_argument("--indicator", action="append", metavar="OUR_ID=SOTKANET_ID",
                     help="an indicator to fetch (repeatable; overrides the config)")
    ref.add_argument("--years", type=int, nargs="*", help="years (default: all the indicator has)")
    ref.add_argument("--out", help=f"output CSV (default: reference_values.file, else {DEFAULT_REFERENCE_VALUES})")
    ref.add_argument("--timeout", type=float, default=60.0, help="seconds per request (default: %(default)s)")
    ref.set_defaults(handler=reference_fetch)
