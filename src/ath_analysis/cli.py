"""The `ath-analysis` command: synth, inspect, validate, manifest.

The full analysis runs with `snakemake`; these commands are the analyst's tools around it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ath_analysis import __version__
from ath_analysis.errors import AthError
from ath_analysis.local.cli import register_local_commands


def _synth(args: argparse.Namespace) -> int:
    from ath_analysis.areas import load_area_tables
    from ath_analysis.config import load_config
    from ath_analysis.synth import WAVE_FORMATS, generate_wave
    from ath_analysis.synth.country import read_counties
    from ath_analysis.yaml_files import read_yaml

    config = load_config(args.config)
    seed = args.seed if args.seed is not None else config["data"]["synthetic_seed"]
    areas = load_area_tables(config["areas_dir"])
    counties = read_counties(Path(config["areas_dir"]) / "hyvinvointialueet.csv")
    variables = read_yaml(config["variables"])
    out = Path(args.out)
    for wave in args.waves or list(WAVE_FORMATS):
        summary = generate_wave(areas, variables, wave, seed, out / f"{wave}.sav", out / f"population_{wave}.parquet",
                                counties=counties, national_path=out / f"national_{wave}.parquet")
        print(f"{out / (wave + '.sav')}: {summary['respondents']} respondents ({summary['survey']} "
              f"{summary['year']}, SYNTHETIC)")
    return 0


def _strict_json(value: object) -> object:
    """NaN and infinities as null: JSON has no NaN, and strict parsers refuse it."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _strict_json(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_strict_json(v) for v in value]
    return value


def _write_stdout(text: str) -> None:
    """Print `text`; a reader that closes the pipe early (`| head`) ends the output quietly."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # so the interpreter's final flush does not fail either


def _inspect(args: argparse.Namespace) -> int:
    from ath_analysis.inspect import describe_sav, format_description

    description = describe_sav(args.file, encoding=args.encoding)
    if args.json:
        _write_stdout(json.dumps(_strict_json(description), ensure_ascii=False, indent=2, allow_nan=False,
                                 default=str))
    else:
        _write_stdout(format_description(description))
    return 0


def _manifest(args: argparse.Namespace) -> int:
    from ath_analysis.manifest import manifest_entries, manifest_yaml, write_manifest

    entries = manifest_entries(args.config, args.waves)
    if args.print:
        _write_stdout(manifest_yaml(entries))
        return 0
    write_manifest(args.config, entries)
    for wave, entry in entries.items():
        print(f"{args.config}: wave '{wave}': expected_rows {entry['expected_rows']}, sha256 {entry['sha256']}")
    return 0


def _validate(args: argparse.Namespace) -> int:
    from ath_analysis.validation import validate_project

    problems, warnings = validate_project(args.config)
    for warning in warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem(s) found:", file=sys.stderr)
        for problem in problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    print(f"{args.config}: configuration, harmonization, indicators and data variables are valid")
    return 0


def _add_reference_data_commands(commands: argparse._SubParsersAction) -> None:
    """`areas fetch|import` and `reference fetch`: the national reference data (ath_analysis.register)."""
    from ath_analysis.register.commands import add_commands

    add_commands(commands)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(prog="ath-analysis", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    synth = commands.add_parser("synth", help="write synthetic survey waves (.sav) and their true populations")
    synth.add_argument("--config", default="config/config.yaml")
    synth.add_argument("--out", default="data/raw/synthetic", help="output folder (default: %(default)s)")
    synth.add_argument("--waves", nargs="*", help="wave names (default: all synthetic waves)")
    synth.add_argument("--seed", type=int, help="random seed (default: data.synthetic_seed in config)")
    synth.set_defaults(handler=_synth)

    inspect = commands.add_parser("inspect", help="list a .sav file's variables, labels, codes and missing values")
    inspect.add_argument("file", help="path of the .sav file")
    inspect.add_argument("--json", action="store_true", help="machine-readable output (strict JSON, all codes)")
    inspect.add_argument("--encoding", help="decode the file's text as this encoding (e.g. windows-1252) when its "
                                            "own encoding record is wrong")
    inspect.set_defaults(handler=_inspect)

    validate = commands.add_parser("validate", help="check config, harmonization, indicators and data variables")
    validate.add_argument("--config", default="config/config.yaml")
    validate.set_defaults(handler=_validate)

    manifest = commands.add_parser(
        "manifest", help="record each wave file's case count and sha256 in config (expected_rows, sha256), so a "
                         "changed or truncated file stops the run")
    manifest.add_argument("--config", default="config/config.yaml")
    manifest.add_argument("--waves", nargs="*", help="wave names (default: all waves in config)")
    manifest.add_argument("--print", action="store_true", help="print the entries as YAML instead of writing them")
    manifest.set_defaults(handler=_manifest)
    _add_reference_data_commands(commands)
    register_local_commands(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; errors are one line on stderr and exit code 1."""
    args = build_parser().parse_args(argv)
    try:
        return args.handler(args)
    except AthError as exc:
        print(f"ath-analysis: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
