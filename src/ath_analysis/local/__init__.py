"""Local knowledge beside the numbers: the coordinator's workbook of observations, actors and actions.

The workbook (template `config/templates/paikallistieto.xlsx`) is read and checked here, screened for personal
data, and joined with the estimate table into the data the reports show: what local people said beside each
result, where a need meets no one, the pack for a partnership table, and the follow-up of an action.

    areas = area_catalogue(places.municipalities, region_code, reference_date, subareas=places.subareas)
    themes = ThemeCatalogue.from_indicators(indicators)
    problems = check_workbook(path, areas, themes)          # [] when fine
    knowledge = read_workbook(path, areas, themes)           # raises WorkbookError listing every problem
    joint_display(results, knowledge, areas, themes)         # and need_map, partnership_pack, action_follow_up
"""

from __future__ import annotations

import importlib
from typing import Any

# Public names and their modules, imported on first use: `ath-analysis` loads this package for its command
# line, which must not wait for pandas, openpyxl and the name lists.
_EXPORTS = {
    "catalogue": ["Area", "AreaCatalogue", "Theme", "ThemeCatalogue", "area_catalogue"],
    "joins": ["JointDisplay", "PartnershipPack", "action_follow_up", "follow_up_note", "follow_ups", "joint_display",
              "need_map", "need_matrix", "need_note", "published_observations"],
    "privacy": ["Finding", "screen_text"],
    "template": ["write_template"],
    "text": ["reading_note"],
    "workbook": ["LocalKnowledge", "WorkbookError", "check_workbook", "read_workbook"],
}
_MODULE_OF = {name: module for module, names in _EXPORTS.items() for name in names}
__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    if name not in _MODULE_OF:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULE_OF[name]}"), name)
