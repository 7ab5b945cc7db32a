"""Reports people read: self-contained HTML per area, figures, Excel workbooks and provenance.

`build_area_report` (in `build.py`) makes everything for one configured area; the other modules are its parts:
`text` (Finnish and English UI strings), `style` (one figure style, number formatting), `content` (which rows
of the estimate and model tables a report shows), `summary` (plain-language findings), `figures`, `maps`,
`excel`, `provenance` and `html`.
"""

from ath_analysis.report.build import build_area_report

__all__ = ["build_area_report"]
