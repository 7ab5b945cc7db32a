"""HTML to PDF with WeasyPrint: the printable cards and handouts are the same HTML as on screen, laid out on A4
by the page rules of their own print CSS — no hand-written PDF code, no browser to drive."""

from __future__ import annotations

import logging
from pathlib import Path

from ath_analysis.atomic import atomic_outputs

# WeasyPrint and fontTools report every font subsetting step at INFO/WARNING; the pipeline's logs stay readable
for _name in ("weasyprint", "fontTools"):
    logging.getLogger(_name).setLevel(logging.ERROR)


def write_pdf(html: str, path: Path | str, base_url: Path | str | None = None) -> int:
    """Lay `html` out and write it to `path` atomically; returns the number of pages.

    base_url: where relative links (images, stylesheets) resolve; a self-contained page needs none.
    """
    from weasyprint import HTML  # imported here: Pango is loaded only by the stages that print

    document = HTML(string=html, base_url=str(base_url) if base_url is not None else None).render()
    with atomic_outputs(Path(path)) as (tmp,):
        document.write_pdf(tmp)
    return len(document.pages)
