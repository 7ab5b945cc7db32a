"""The local-knowledge page and the partnership pack, on a small hand-made case with published tables made here.

Areas: region R with municipalities A and B; A has the area group A1. Indicators: i1 (a share, lower is better,
group G), i2 (a share, higher is better, group G), i3 (a mean, no group). Two waves, 2018 and 2022. Report areas:
`reg` (the region, its municipalities compared) and `aville` (A, its area groups compared).
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from pathlib import Path

import pandas as pd
import pytest

from ath_analysis.indicators.definitions import Indicator
from ath_analysis.indicators.expression import parse
from ath_analysis.local import joins
from ath_analysis.local.catalogue import Area, AreaCatalogue, ThemeCatalogue
from ath_analysis.local.workbook import read_workbook
from ath_analysis.report.local_data import area_cells, local_area, prepare_local
from ath_analysis.report.local_page import render_local_page, write_local_page
from ath_analysis.report.pack import render_pack, write_pack
from tests.localbooks import TODAY, action, actor, observation, write_book

AREAS = AreaCatalogue((
    Area("R", "region", "Region", "Region EN"),
    Area("A", "municipality", "Aville", parent="R"),
    Area("B", "municipality", "Beetown", parent="R"),
    Area("A1", "subarea_group", "A-kylät", "A-villages", parent="A"),
))


def _indicator(id_: str, kind: str, higher_is_better: bool, group: str | None) -> Indicator:
    return Indicator(id=id_, label_fi=f"Mittari {id_}", label_en=f"Indicator {id_}", kind=kind,
                     definition=parse("x == 1", variables=["x"]), denominator=None,
                     higher_is_better=higher_is_better, interpretation_fi="", interpretation_en="", group=group,
                     group_en=group)


INDICATORS = [_indicator("i1", "proportion", False, "G"), _indicator("i2", "proportion", True, "G"),
              _indicator("i3", "mean", True, None)]
THEMES = ThemeCatalogue.from_indicators(INDICATORS)
SPECS = {"reg": {"name_fi": "Alue", "name_en": "The region", "focus": {"domain": "region", "value": "R"},
                 "compare": ["municipality"]},
         "aville": {"name_fi": "Aville", "name_en": "Aville", "focus": {"domain": "municipality", "value": "A"},
                    "compare": ["subarea_group"], "labels_en": {"A-kylät": "A-villages (report)"}}}

SECRET = "SALAINEN-LAUSE-7731"  # an observation marked `ei`
SUMMARY_ONLY = "YHTEENVETO-LAUSE-4410"  # an observation marked `vain yhteenveto`
PUBLIC = "JULKINEN-LAUSE-1200"
HIDDEN_VALUE = 0.777  # B's suppressed i1 in 2022: never shown, even if a table carried it


def _cells() -> tuple[pd.DataFrame, pd.DataFrame]:
    """Estimates and differences as the publication gate and the differences rule write them."""
    cells = [("country", "FI", "Koko maa"), ("region", "R", "Region"), ("municipality", "A", "Aville"),
             ("municipality", "B", "Beetown"), ("subarea_group", "A1", "A-kylät")]
    estimates, differences = [], []
    # (indicator, wave, domain value) -> (estimate, suppressed, {reference: (difference, differs)})
    plan = {
        ("i1", "w22", "A"): (0.40, False, {"region": (0.10, True), "country": (0.12, True), "previous": (0.08, True)}),
        ("i1", "w22", "B"): (HIDDEN_VALUE, True, {}),
        ("i1", "w22", "A1"): (0.45, False, {"region": (0.15, True), "country": (0.17, True)}),
        # i2: A's own CI overlaps the region's value, yet the published difference is clear (its CI excludes 0):
        # the page follows the differences table, the one verdict rule
        ("i2", "w22", "A"): (0.62, False, {"region": (0.02, True), "country": (0.01, False)}),
        ("i2", "w22", "B"): (0.50, False, {"region": (-0.10, True), "country": (-0.11, True)}),
        ("i3", "w22", "A"): (70.0, False, {"region": (-1.0, False), "country": (-3.0, True)}),
        ("i1", "w22", "R"): (0.30, False, {"country": (0.02, True)}),
    }
    for indicator in ("i1", "i2", "i3"):
        kind = "mean" if indicator == "i3" else "proportion"
        for wave, year in (("w18", 2018), ("w22", 2022)):
            for domain, value, label in cells:
                estimate, suppressed, refs = plan.get((indicator, wave, value),
                                                      (60.0 if kind == "mean" else 0.3, False, {}))
                width = 0.8 if kind == "mean" else 0.05
                estimates.append({"indicator": indicator, "kind": kind, "wave": wave, "year": year, "domain": domain,
                                  "domain_value": value, "domain_label": label, "estimate": estimate,
                                  "ci_low": estimate - width, "ci_high": estimate + width, "standardized": False,
                                  "suppressed": suppressed})
                for reference in ("region", "country", "previous"):
                    difference, differs = refs.get(reference, (0.0, False))
                    differences.append({"indicator": indicator, "wave": wave, "domain": domain, "domain_value": value,
                                        "reference": reference, "difference": None if suppressed else difference,
                                        "differs": pd.NA if suppressed else differs, "standardized": False,
                                        "suppressed": suppressed})
    return pd.DataFrame(estimates), pd.DataFrame(differences).astype({"differs": "boolean"})


ESTIMATES, DIFFERENCES = _cells()


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory):
    path = tmp_path_factory.mktemp("local") / "case.xlsx"
    write_book(path, [
        observation(tunnus="H1", alue="A", teema="i1", havainto=f"ESIMERKKI: {PUBLIC}.", lähde="haastattelu"),
        observation(tunnus="H2", alue="A", teema="G", havainto=f"{SUMMARY_ONLY}.", julkaisu="vain yhteenveto"),
        observation(tunnus="H3", alue="A1", teema="i1", havainto=f"{SECRET}.", julkaisu="ei"),
    ], [
        actor(tunnus="T1", nimi="Kyläseura ry", **{"toiminta-alue": "A1"}, teemat="i1", toiveet="rahoitusinfo"),
        actor(tunnus="T2", nimi="Beetownin kerho ry", **{"toiminta-alue": "B"}, teemat="i2", toiveet=""),
    ], [
        action(tunnus="K1", nimi="Kyläkahvila", alueet="A1", kohdemittarit="i1", toimijat="T1",
               alkaa=dt.datetime(2020, 5, 1), tila="käynnissä", **{"seurattava mittari": "i1"}),
    ], about={"esimerkki": "kyllä"})
    return read_workbook(path, AREAS, THEMES, today=TODAY)


def outputs_of(knowledge, area: str, lang: str = "fi"):
    return prepare_local(ESTIMATES, DIFFERENCES, knowledge, AREAS, THEMES, INDICATORS,
                         local_area(area, SPECS[area], "R"), "R", lang=lang, synthetic=True)


def pdf_page_sizes(path: Path) -> list[tuple[int, int]]:
    """(width, height) in mm of every page of a PDF (WeasyPrint keeps its page objects in Flate streams)."""
    data = path.read_bytes()
    texts = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        end = data.find(b"endstream", match.end())
        try:
            texts.append(zlib.decompress(data[match.end():end].rstrip(b"\r\n")))
        except zlib.error:
            continue
    boxes = [box for text in texts for box in re.findall(rb"/MediaBox\s*\[\s*([-\d.\s]+)\]", text)]
    sizes = []
    for box in boxes:
        x0, y0, x1, y1 = (float(v) for v in box.split())
        sizes.append((round((x1 - x0) * 25.4 / 72), round((y1 - y0) * 25.4 / 72)))
    return sizes


def test_latest_cells_take_their_verdicts_from_the_differences_table():
    cells = area_cells(ESTIMATES, DIFFERENCES, INDICATORS, AREAS, local_area("aville", SPECS["aville"], "R"), "R")
    got = cells.set_index(["indicator", "domain_value"])
    assert set(cells["year"]) == {2022}
    assert got.loc[("i1", "A"), ["role", "verdict_region", "verdict_country", "change", "verdict"]].tolist() == [
        "focus", "worse", "worse", "worse", "worse"]
    # higher is better for i2: a clear positive difference is better; no clear difference from the country
    assert got.loc[("i2", "A"), ["verdict_region", "verdict_country", "verdict"]].tolist() == ["better", "none",
                                                                                              "better"]
    assert got.loc[("i3", "A"), ["verdict_region", "verdict_country", "verdict"]].tolist() == ["none", "worse",
                                                                                              "worse"]
    assert got.loc[("i1", "A1"), "role"] == "compare" and got.loc[("i1", "R"), "role"] == "reference"
    assert got.loc[("i1", "FI"), "role"] == "reference" and "B" not in got.index.get_level_values(1)


def test_a_suppressed_cell_shows_nothing_but_the_words(knowledge):
    outputs = outputs_of(knowledge, "reg")
    hidden = outputs.cells.set_index(["indicator", "domain_value"]).loc[("i1", "B")]
    assert pd.isna(hidden["estimate"]) and hidden["verdict"] == "" and hidden["change"] == ""
    page = render_local_page(outputs)
    section = page[page.index('id="ind-i1"'):page.index('id="ind-i2"')]
    row = section[section.index("Beetown"):]
    row = row[:row.index("</tr>")]
    assert "piilotettu tietosuojan vuoksi" in row and "77,7" not in page and "78,7" not in page
    assert "Piilotettu tietosuojan vuoksi: vastaajia on niin vähän" in section  # the footnote says why
    english = render_local_page(outputs_of(knowledge, "reg", "en"))
    assert ">suppressed<" in english and "77.7" not in english


def test_the_page_shows_the_joint_display_of_each_indicator(knowledge):
    page = render_local_page(outputs_of(knowledge, "aville"))
    section = page[page.index('id="ind-i1"'):page.index('id="ind-i2"')]
    assert "40,0\u00a0% (35,0–45,0)" in section and "selvästi heikompi" in section
    assert "heikentynyt selvästi vuodesta 2018" in section
    assert PUBLIC in section and "haastattelu, asukas, Aville, 12.3.2025" in section
    assert "Kyläseura ry" in section and "Kyläkahvila" in section and "käynnissä" in section
    i2 = page[page.index('id="ind-i2"'):page.index('id="ind-i3"')]
    first_row = i2[i2.index("<tbody>"):i2.index("</tr>", i2.index("<tbody>"))]
    assert "selvästi parempi" in first_row and "ei selvää eroa" in first_row  # vs region / vs country
    assert "A-kylät" in page and "A-villages (report)" not in page
    english = render_local_page(outputs_of(knowledge, "aville", "en"))
    assert "A-villages (report)" in english and "Local knowledge beside the numbers: Aville" in english
    assert "clearly better" in english and "40.0% (35.0–45.0)" in english


def test_summary_only_observations_are_counted_never_quoted(knowledge):
    for area in SPECS:
        for lang in ("fi", "en"):
            outputs = outputs_of(knowledge, area, lang)
            assert SUMMARY_ONLY not in render_local_page(outputs) + render_pack(outputs)
    page = render_local_page(outputs_of(knowledge, "aville"))
    section = page[page.index('id="ind-i2"'):page.index('id="ind-i3"')]  # H2 is on the group G, so on i2 too
    assert "Lisäksi yhteenvetona (ei lainauksina): kumppanuuspöytä 1." in section
    pack = render_pack(outputs_of(knowledge, "aville"))
    assert re.search(r"<td>Mittari G</td><td>kumppanuuspöytä</td><td>1</td>|<td>G</td><td>kumppanuuspöytä</td>"
                     r"<td>1</td>", pack)


def test_an_observation_marked_ei_never_appears_in_any_output(knowledge, tmp_path):
    assert SECRET in knowledge.observations["text"].str.cat()  # it is in the workbook …
    written = []
    for area in SPECS:
        for lang in ("fi", "en"):
            outputs = outputs_of(knowledge, area, lang)
            page, pack_html, pack_pdf = (tmp_path / f"{area}_{lang}{s}" for s in (".html", "_pack.html",
                                                                                   "_pack.pdf"))
            write_local_page(outputs, page)
            write_pack(outputs, pack_html, pack_pdf)
            written += [page, pack_html]
            # the PDF is laid out from the very HTML written beside it
            assert pack_html.read_text(encoding="utf-8") == render_pack(outputs)
    assert len(written) == 8
    for path in written:
        text = path.read_text(encoding="utf-8")
        assert SECRET not in text and "H3" not in text, path  # … but nothing shows it
    # nor is it counted: on i1 in A, H1 and H2 (on i1's group) are counted, not H3 (made in A's area group)
    page = (tmp_path / "aville_fi.html").read_text(encoding="utf-8")
    section = page[page.index('id="ind-i1"'):page.index('id="ind-i2"')]
    focus_row = section[section.index('<tr class="focus">'):]
    assert "havaintoja 2 · toimijoita 1 · toimenpiteitä 1" in focus_row[:focus_row.index("</tr>")]
    assert "Havaintoja lähteittäin: haastattelu 1, kumppanuuspöytä 1." in section


def test_the_gap_table_is_the_library_need_map(knowledge):
    for area in SPECS:
        outputs = outputs_of(knowledge, area)
        page = render_local_page(outputs)
        shown = {(i, a): f for i, a, f in re.findall(
            r'data-indicator="([^"]+)" data-area="([^"]+)" data-finding="([^"]*)"', page)}
        # the verdict rows worked out here from the published differences, by the rule itself
        latest = DIFFERENCES[(DIFFERENCES["wave"] == "w22") & DIFFERENCES["reference"].isin(["region", "country"])
                             & ~DIFFERENCES["suppressed"]]
        spec = SPECS[area]
        own = latest[((latest["domain"] == spec["focus"]["domain"]) & (latest["domain_value"] ==
                                                                       spec["focus"]["value"]))
                     | latest["domain"].isin(spec["compare"])]
        own = own[~((own["domain"] == "region") & (own["reference"] == "region"))]
        better = {i.id: i.higher_is_better for i in INDICATORS}
        verdicts = own.assign(verdict=[
            ("better" if (d > 0) == better[i] else "worse") if c else "none"
            for i, d, c in zip(own["indicator"], own["difference"], own["differs"], strict=True)])
        need = joins.need_map(verdicts, knowledge, AREAS, THEMES)
        codes = [AREAS.for_cell(spec["focus"]["domain"], spec["focus"]["value"])] + [
            a.code for a in AREAS if a.level in spec["compare"]]
        expected = {(r["indicator"], r["area"]): r["finding"] for _, r in need.iterrows() if r["area"] in codes}
        assert {k: v for k, v in shown.items() if v} == {k: v for k, v in expected.items() if v}, area
        assert len(shown) == len(INDICATORS) * len(codes)  # every indicator × every area of the report
    reg = render_local_page(outputs_of(knowledge, "reg"))
    # i1 is worse in A, and only A's area group has an actor and an action: activity in part of the area
    assert 'data-indicator="i1" data-area="A" data-finding="need_partly"' in reg
    # worse in A1 with T1 and K1 there
    aville = render_local_page(outputs_of(knowledge, "aville"))
    assert 'data-indicator="i1" data-area="A1" data-finding="need_met"' in aville
    assert 'data-indicator="i3" data-area="A" data-finding="need_no_one"' in aville
    assert "<li>Mittari i3: Aville (koko maa)</li>" in aville
    assert "Tarve – ei toimijaa" in aville  # the reading note


def test_the_follow_up_has_before_and_after_and_the_caveat(knowledge):
    page = render_local_page(outputs_of(knowledge, "aville"))
    follow = page[page.index('id="follow"'):]
    assert "Kyläkahvila (käynnissä, alkoi 1.5.2020)" in follow
    assert "<td>A-kylät</td><td>2018</td><td>ennen</td>" in follow
    assert "<td>A-kylät</td><td>2022</td><td>jälkeen</td><td>45,0\u00a0% (40,0–50,0)</td>" in follow
    assert "ei ole toimenpiteen arviointi" in follow
    english = render_local_page(outputs_of(knowledge, "aville", "en"))
    assert "not an evaluation of the action" in english


def test_the_example_workbook_is_marked_everywhere_it_shows(knowledge):
    outputs = outputs_of(knowledge, "aville")
    page, pack = render_local_page(outputs), render_pack(outputs)
    for html in (page, pack):
        assert "<title>Aville" not in html and "ESIMERKKI – keksitty paikallistieto" in html
        assert re.search(r"<title>[^<]*ESIMERKKI[^<]*</title>", html)
        assert "SYNTEETTINEN AINEISTO" in html
    # every block of the page that shows workbook content carries the badge
    for start, end in (('id="need"', 'id="indicators"'), ('id="ind-i1"', 'id="ind-i2"'), ('id="follow"', "</main>")):
        block = page[page.index(start):page.index(end)]
        assert 'class="badge">ESIMERKKI<' in block, start
    assert '@top-center { content: "ESIMERKKI' in pack  # on every printed page


def test_the_pack_is_an_a4_handout(knowledge, tmp_path):
    outputs = outputs_of(knowledge, "aville")
    pages = write_pack(outputs, tmp_path / "pack.html", tmp_path / "pack.pdf")
    sizes = pdf_page_sizes(tmp_path / "pack.pdf")
    assert pages >= 2 and sizes == [(210, 297)] * pages
    html = (tmp_path / "pack.html").read_text(encoding="utf-8")
    assert "size: A4" in html and "position: fixed" not in html and "position: sticky" not in html
    assert "Kumppanuuspöytä: Aville" in html
    flagged = html[html.index("Missä alue on heikompi"):html.index("Mitä paikalliset")]
    assert "Mittari i1" in flagged and "Mittari i3" in flagged and "Mittari i2" not in flagged  # i2 is better
    assert PUBLIC in html and "Kyläseura ry" in html and "Kyläkahvila" in html and "rahoitusinfo" in html
    assert "Mittari i3: Aville on selvästi heikompi kuin koko maa." in html  # need meets no one
    assert html.count("<tr><td></td><td></td><td></td></tr>") == 6  # space for the table's proposals


def test_a_suppressed_difference_gives_no_verdict_even_with_a_flag_left_in_it(knowledge):
    differences = DIFFERENCES.copy()
    row = (differences["indicator"] == "i1") & (differences["domain_value"] == "A") & (differences["wave"] == "w22")
    differences.loc[row, "suppressed"] = True  # a hidden difference whose `differs` a table still carried
    cells = area_cells(ESTIMATES, differences, INDICATORS, AREAS, local_area("aville", SPECS["aville"], "R"), "R")
    got = cells.set_index(["indicator", "domain_value"]).loc[("i1", "A")]
    assert got[["verdict_region", "verdict_country", "change", "verdict"]].tolist() == ["", "", "", ""]
    assert not pd.isna(got["estimate"])  # the estimate itself is published


def test_the_main_report_links_name_the_files_the_rule_writes():
    from ath_analysis.report.local_page import local_links

    links = local_links("mikkeli", "en")
    assert [link["href"] for link in links] == ["mikkeli_paikallistieto.html", "mikkeli_kumppanuuspoyta.pdf"]
    assert links[0]["text"] == "Local knowledge beside the numbers"
    smk = (Path(__file__).resolve().parents[1] / "workflow" / "rules" / "local.smk").read_text(encoding="utf-8")
    assert '"reports/{area}_paikallistieto.html"' in smk and '"reports/{area}_kumppanuuspoyta.pdf"' in smk
