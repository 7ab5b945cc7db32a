"""The PDF path: an A4 page rule gives A4 pages with the text in them, written all or nothing."""

from pathlib import Path

import pytest

from ath_analysis.report.pdf import write_pdf

PAGE = """<!doctype html><html lang="fi"><head><meta charset="utf-8"><style>
@page {{ size: A4; margin: 15mm }} section {{ break-after: page }}</style></head>
<body>{body}</body></html>"""


def test_a4_pages_are_written_with_their_count(tmp_path: Path) -> None:
    body = "".join(f"<section><h1>Kortti {i}: Hyvinvointi äöå</h1></section>" for i in range(3))
    out = tmp_path / "kortti.pdf"
    pages = write_pdf(PAGE.format(body=body), out)
    data = out.read_bytes()
    assert pages == 3 and data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert not list(tmp_path.glob("*.tmp"))


def test_the_page_rule_gives_a4() -> None:
    from weasyprint import HTML

    page = HTML(string=PAGE.format(body="<p>A4</p>")).render().pages[0]
    assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (210, 297)


def test_a_failed_layout_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    def broken(self, target=None, **kwargs):
        raise RuntimeError("layout failed")

    monkeypatch.setattr(weasyprint.document.Document, "write_pdf", broken)
    out = tmp_path / "kortti.pdf"
    with pytest.raises(RuntimeError):
        write_pdf(PAGE.format(body="<p>x</p>"), out)
    assert not out.exists() and not list(tmp_path.iterdir())
