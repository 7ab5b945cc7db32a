"""Regenerate the committed local-knowledge workbooks under config/templates/ from the default config.

- paikallistieto.xlsx: the empty template for every area of the default config (Finnish);
- esimerkki_paikallistieto.xlsx: the synthetic EXAMPLE workbook, from esimerkki_paikallistieto.yaml.

Run from anywhere: `python scripts/make_local_templates.py`. tests/test_local_template.py checks that the
committed files match what this script makes.
"""

from __future__ import annotations

import os
from pathlib import Path

from ath_analysis.config import load_config
from ath_analysis.local.cli import project_catalogues
from ath_analysis.local.template import write_template
from ath_analysis.local.workbook import read_workbook

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "config" / "templates"


def main() -> None:
    os.chdir(ROOT)
    areas, themes = project_catalogues(load_config("config/config.yaml"))
    write_template(TEMPLATES / "paikallistieto.xlsx", areas, themes, lang="fi")
    example = read_workbook(TEMPLATES / "esimerkki_paikallistieto.yaml", areas, themes)
    write_template(TEMPLATES / "esimerkki_paikallistieto.xlsx", areas, themes, lang="fi", knowledge=example)
    for name in ("paikallistieto.xlsx", "esimerkki_paikallistieto.xlsx"):
        print(TEMPLATES / name)


if __name__ == "__main__":
    main()
