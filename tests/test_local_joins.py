"""Local knowledge joined with the numbers, on a small hand-made case whose answers are worked out by hand.

Areas: region R with municipalities A, B and C; A has the area group A1, which has the village A1v.
Themes: indicators i1 and i2 in group G, and i3 without a group.
"""

from __future__ import annotations

import datetime as dt
import math

import pandas as pd
import pytest

from ath_analysis.errors import AthError
from ath_analysis.local import joins
from ath_analysis.local.catalogue import Area, AreaCatalogue, ThemeCatalogue
from ath_analysis.local.workbook import read_workbook
from tests.localbooks import TODAY, action, actor, observation, write_book

AREAS = AreaCatalogue((
    Area("R", "region", "Region"),
    Area("A", "municipality", "Aville", parent="R"),
    Area("B", "municipality", "Beetown", parent="R"),
    Area("C", "municipality", "Ceeby", parent="R"),
    Area("A1", "subarea_group", "A-villages", parent="A"),
    Area("A1v", "subarea", "A-village", parent="A1"),
))
THEMES = ThemeCatalogue.flat({"i1": "G", "i2": "G", "i3": None})

SECRET = "SALAINEN-LAUSE-7731"  # text of an observation marked `ei`
SUMMARY_ONLY = "YHTEENVETO-LAUSE-4410"  # text of an observation marked `vain yhteenveto`


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory):
    path = tmp_path_factory.mktemp("local") / "case.xlsx"
    write_book(path, [
        observation(tunnus="H1", alue="A1v", teema="i1", havainto="Kylässä ei ole kerhoa.", lähde="haastattelu"),
        observation(tunnus="H2", alue="A", teema="G", havainto=f"Keskustassa {SUMMARY_ONLY}.",
                    julkaisu="vain yhteenveto"),
        observation(tunnus="H3", alue="A", teema="i1", havainto=f"Kerrottiin {SECRET}.", julkaisu="ei"),
        observation(tunnus="H4", alue="C", teema="i1", havainto="Ceebyssä kaivataan liikuntaa.",
                    päivämäärä=dt.datetime(2025, 5, 2)),
        observation(tunnus="H5", alue="R", teema="i3", havainto="Koko alueella puhutaan tästä."),
    ], [
        actor(tunnus="T1", nimi="Kyläseura ry", **{"toiminta-alue": "A1"}, teemat="i1",
              toiveet="rahoitusinfo; hyvinvointidatan käyttö"),
        actor(tunnus="T2", nimi="Alueen järjestö ry", **{"toiminta-alue": "R"}, teemat="i2", toiveet="Rahoitusinfo"),
        actor(tunnus="T3", nimi="Beetownin kerho", **{"toiminta-alue": "B"}, teemat="G", toiveet=""),
        actor(tunnus="T4", nimi="Bee-yritys Oy", tyyppi="yritys", **{"toiminta-alue": "B"}, teemat="i3",
              toiveet=""),
        actor(tunnus="T5", nimi="Ceen seurakunta", tyyppi="seurakunta", **{"toiminta-alue": "C"}, teemat="i3",
              toiveet=""),
    ], [
        action(tunnus="K1", nimi="Suunniteltu kokeilu", alueet="A", kohdemittarit="i3", toimijat="", alkaa=None,
               tila="suunnitteilla", **{"seurattava mittari": None}),
        action(tunnus="K2", nimi="Päättynyt hanke", alueet="C", kohdemittarit="i1", toimijat="",
               alkaa=dt.datetime(2015, 1, 1), päättyy=dt.datetime(2016, 12, 31), tila="päättynyt",
               **{"seurattava mittari": "i1"}),
        action(tunnus="K3", nimi="Kyläkahvila", alueet="A1v; B", kohdemittarit="i1", toimijat="T1",
               alkaa=dt.datetime(2018, 5, 1), tila="käynnissä", **{"seurattava mittari": "i1"}),
    ])
    return read_workbook(path, AREAS, THEMES, today=TODAY)


def cell(domain: str, value: str, indicator: str, verdict: str, reference: str = "region", **more) -> dict:
    return {"indicator": indicator, "domain": domain, "domain_value": value, "verdict": verdict,
            "reference": reference, **more}


VERDICTS = pd.DataFrame([
    cell("municipality", "A", "i1", "worse"), cell("municipality", "B", "i1", "worse"),
    cell("municipality", "C", "i1", "worse"), cell("subarea_group", "A1", "i1", "worse"),
    cell("municipality", "A", "i2", "no clear difference"), cell("municipality", "B", "i2", "better"),
    cell("municipality", "C", "i2", "none"), cell("municipality", "C", "i2", "worse", "country"),
    cell("municipality", "A", "i3", "worse"), cell("municipality", "B", "i3", ""),  # B: suppressed
    cell("region", "R", "i3", "reference"),
    cell("sex", "1", "i1", "worse"),  # not an area: ignored
])


def test_need_meets_no_one_on_the_hand_made_case(knowledge):
    need = joins.need_map(VERDICTS, knowledge, AREAS, THEMES)
    got = need.set_index(["indicator", "area"])[["verdict", "worse_than", "coverage", "n_actors", "n_actions",
                                                 "finding"]]
    expected = pd.DataFrame([
        # worse in C, and the only action there has ended: nobody
        ("i1", "C", "worse", "region", "none", 0, 0, "need_no_one"),
        # worse in A; only the A-villages have an actor
        ("i1", "A", "worse", "region", "within", 1, 1, "need_partly"),
        ("i1", "A1", "worse", "region", "here", 1, 1, "need_met"),
        # T3 works on the group G in B (covers i1); K3 is under way in B
        ("i1", "B", "worse", "region", "here", 1, 1, "need_met"),
        # worse than the whole country only; the region-wide actor T2 works on it
        ("i2", "C", "worse", "country", "wider", 1, 0, "need_met"),
        # the planned action K1 is registered for A
        ("i3", "A", "worse", "region", "here", 0, 1, "need_met"),
        # better, and an actor works there (T3 by its group; T2 from the region)
        ("i2", "B", "better", "", "here", 2, 0, "active_not_flagged"),
        # the region-wide actor T2 registered on i2 for R, which has no verdict on i2 (T3 works inside R)
        ("i2", "R", "", "", "here", 2, 0, "active_not_judged"),
        # K3 is registered for the village, which has no numbers; T1 works in its area group
        ("i1", "A1v", "", "", "here", 1, 1, "active_not_judged"),
        # B's i3 is suppressed, C's i3 has no row: activity without a verdict
        ("i3", "B", "", "", "here", 1, 0, "active_not_judged"),
        ("i3", "C", "", "", "here", 1, 0, "active_not_judged"),
        # no clear difference, activity only from the region: nothing to say
        ("i2", "A", "none", "", "wider", 1, 0, ""),
    ], columns=["indicator", "area", "verdict", "worse_than", "coverage", "n_actors", "n_actions", "finding"])
    expected = expected.set_index(["indicator", "area"])
    assert sorted(got.index) == sorted(expected.index)
    pd.testing.assert_frame_equal(got.loc[expected.index], expected, check_dtype=False)
    assert need["finding"].tolist()[:2] == ["need_no_one", "need_partly"]  # most urgent first
    row = need.set_index(["indicator", "area"]).loc[("i1", "C")]
    assert row["finding_text"] == "tarve – ei toimijaa eikä toimenpidettä" and row["area_label"] == "Ceeby"
    assert row["actors"] == "" and row["actions"] == ""  # the ended action K2 does not count
    assert need.set_index(["indicator", "area"]).loc[("i2", "B"), "actors"] == "Alueen järjestö ry; Beetownin kerho"


def test_need_map_counts_ended_actions_when_asked(knowledge):
    need = joins.need_map(VERDICTS, knowledge, AREAS, THEMES, statuses=("planned", "ongoing", "ended"))
    assert need.set_index(["indicator", "area"]).loc[("i1", "C"), "finding"] == "need_met"


def test_need_matrix_and_note(knowledge):
    need = joins.need_map(VERDICTS, knowledge, AREAS, THEMES, lang="en")
    matrix = joins.need_matrix(need)
    assert matrix.loc["i1", "Ceeby"] == "need_no_one" and matrix.loc["i2", "Aville"] == ""
    assert need["finding_text"].iloc[0] == "need – no actor or action"
    assert "not proof that nobody does anything" in joins.need_note("en")
    assert joins.need_note("fi", example=True).startswith("ESIMERKKI")


def test_joint_display_beside_each_result(knowledge):
    results = pd.DataFrame([cell("municipality", "A", "i1", "worse", estimate=0.3),
                            cell("municipality", "C", "i1", "worse", estimate=0.4),
                            cell("subarea_group", "A1", "i2", "none", estimate=0.2),
                            cell("sex", "2", "i1", "none", estimate=0.1)])
    shown = joins.joint_display(results, knowledge, AREAS, THEMES)
    cells = shown.cells.set_index(["indicator", "area"])
    assert list(cells.index) == [("i1", "A"), ("i1", "C"), ("i2", "A1")]  # the sex row is not an area
    assert cells.loc[("i1", "A"), "estimate"] == 0.3  # the caller's columns are kept
    # A: the village's public quote (H1, from inside A) and the summary-only H2 (group G) are counted; H3 is `ei`
    assert cells.loc[("i1", "A"), ["n_quotes", "n_summary_only"]].tolist() == [1, 1]
    assert cells.loc[("i1", "A"), "said"] == "haastattelu 1, kumppanuuspöytä 1"
    assert cells.loc[("i1", "A"), "actors_text"] == "Kyläseura ry"
    assert cells.loc[("i1", "A"), "actions_text"] == "Kyläkahvila (käynnissä)"
    assert cells.loc[("i1", "C"), ["n_quotes", "n_actors", "n_actions"]].tolist() == [1, 0, 0]
    quotes = shown.quotes.set_index(["indicator", "area"])
    assert quotes.loc[[("i1", "A")], "id"].tolist() == ["H1"]
    assert quotes.loc[("i1", "A"), "scope"] == "within" and quotes.loc[("i1", "A"), "observed_in"] == "A-village"
    actors = shown.actors.set_index(["indicator", "area"])
    assert actors.loc[[("i2", "A1")], "name"].tolist() == ["Alueen järjestö ry"]  # the region's, no one else
    assert actors.loc[("i2", "A1"), "scope"] == "wider"
    assert not shown.example and "Lainaukset ovat yksittäisten ihmisten" in shown.note


def everything_shown(knowledge) -> str:
    """All the text every function of the join module can produce for the case, in both languages."""
    estimates = follow_up_estimates()
    texts = [joins.published_observations(knowledge).to_csv()]
    for lang in ("fi", "en"):
        shown = joins.joint_display(VERDICTS, knowledge, AREAS, THEMES, lang=lang)
        texts += [f.to_csv() for f in (shown.cells, shown.quotes, shown.counts, shown.actors, shown.actions)]
        need = joins.need_map(VERDICTS, knowledge, AREAS, THEMES, lang=lang)
        texts += [need.to_csv(), joins.need_matrix(need).to_csv()]
        for area in AREAS.codes:
            pack = joins.partnership_pack(area, VERDICTS, knowledge, AREAS, THEMES, lang=lang)
            texts += [repr(pack)] + [getattr(pack, f).to_csv() for f in ("indicators", "quotes", "counts", "actors",
                                                                         "actions", "wishes", "gaps")]
        texts.append(joins.follow_ups(knowledge, estimates, AREAS, lang=lang).to_csv())
    return "\n".join(texts)


def test_publication_flags_are_respected_everywhere(knowledge):
    assert SECRET in knowledge.observations["text"].str.cat()  # it is in the workbook …
    shown = everything_shown(knowledge)
    assert SECRET not in shown and "H3" not in shown  # … but no output shows it, nor counts it
    assert SUMMARY_ONLY not in shown  # summary-only text is never quoted …
    counts = joins.joint_display(VERDICTS, knowledge, AREAS, THEMES).counts
    assert counts[counts["publication"] == "summary_only"]["n"].sum() > 0  # … but counted


def test_partnership_pack(knowledge):
    results = pd.concat([VERDICTS, pd.DataFrame([cell("municipality", "A", "i2", "none", change="up_bad")])])
    results = results[~((results["domain_value"] == "A") & (results["indicator"] == "i2")
                        & (results["verdict"] == "no clear difference"))]
    pack = joins.partnership_pack("Aville", results, knowledge, AREAS, THEMES)
    assert pack.area == "A" and pack.area_label == "Aville"
    assert pack.indicators[["indicator", "reason"]].values.tolist() == [["i1", "worse"], ["i3", "worse"],
                                                                         ["i2", "worsened"]]
    assert pack.indicators["reason_text"].tolist()[-1] == "heikentynyt"
    assert pack.quotes["id"].tolist() == ["H1"]  # H2 is summary only, H3 `ei`, H5 is the region's
    assert pack.counts.set_index(["theme", "publication"])["n"].to_dict() == {("i1", "public"): 1,
                                                                               ("G", "summary_only"): 1}
    assert pack.actors[["name", "scope", "on_flagged"]].values.tolist() == [  # the closest first
        ["Alueen järjestö ry", "wider", True], ["Kyläseura ry", "within", True]]
    assert pack.actions[["id", "status"]].values.tolist() == [["K1", "suunnitteilla"], ["K3", "käynnissä"]]
    assert pack.wishes.values.tolist() == [["rahoitusinfo", 2], ["hyvinvointidatan käyttö", 1]]
    assert pack.gaps.empty  # every flagged theme in A has someone
    pack_c = joins.partnership_pack("C", VERDICTS, knowledge, AREAS, THEMES, lang="en")
    assert pack_c.gaps["indicator"].tolist() == ["i1"] and pack_c.note.startswith("Pack for a partnership table")
    with pytest.raises(AthError, match="unknown area 'Avill' \\(did you mean: Aville, "):
        joins.partnership_pack("Avill", VERDICTS, knowledge, AREAS, THEMES)


def follow_up_estimates() -> pd.DataFrame:
    rows = []
    for wave, year in (("w2012", 2012), ("w2018", 2018), ("w2022", 2022)):
        for domain, value, crude in (("region", "R", 0.30), ("municipality", "A", 0.40),
                                     ("subarea_group", "A1", 0.50)):
            bump = (year - 2012) / 100
            rows.append({"indicator": "i1", "wave": wave, "year": year, "domain": domain, "domain_value": value,
                         "estimate": crude + bump, "ci_low": crude + bump - 0.05, "ci_high": crude + bump + 0.05,
                         "suppressed": value == "A1" and year == 2022, "standardized": False})
        rows.append({"indicator": "i1", "wave": wave, "year": year, "domain": "region", "domain_value": "R",
                     "estimate": 0.25, "ci_low": 0.2, "ci_high": 0.3, "suppressed": False, "standardized": True})
        rows.append({"indicator": "i2", "wave": wave, "year": year, "domain": "region", "domain_value": "R",
                     "estimate": 0.9, "ci_low": 0.8, "ci_high": 1.0, "suppressed": False, "standardized": False})
    return pd.DataFrame(rows)


def test_follow_up_before_and_after_the_start(knowledge):
    table = joins.action_follow_up("k3", knowledge, follow_up_estimates(), AREAS)
    # the village A1v has no estimates: followed through its area group A1; B has none: through the region R
    got = table[["action_area", "area", "year", "period", "estimate", "standardized"]]
    expected = [("A1v", "A1", 2012, "before", 0.50, False), ("A1v", "A1", 2018, "start_year", 0.56, False),
                ("A1v", "A1", 2022, "after", math.nan, False),  # suppressed: no value
                ("B", "R", 2012, "before", 0.25, True), ("B", "R", 2018, "start_year", 0.25, True),
                ("B", "R", 2022, "after", 0.25, True)]  # the region's age-standardized rows
    for row, want in zip(got.itertuples(index=False), expected, strict=True):
        assert row[:4] == want[:4] and row[5] == want[5]
        assert (math.isnan(row[4]) and math.isnan(want[4])) or row[4] == pytest.approx(want[4])
    assert table["suppressed"].tolist() == [False, False, True, False, False, False]
    assert set(table["indicator"]) == {"i1"} and table["period_text"].iloc[0] == "ennen"
    crude = joins.action_follow_up("K3", knowledge, follow_up_estimates(), AREAS, prefer_standardized=False)
    assert crude.loc[crude["area"] == "R", "estimate"].round(2).tolist() == [0.30, 0.36, 0.40]
    assert "not an evaluation of the action" in joins.follow_up_note("en")


def test_follow_up_problems_are_user_errors(knowledge):
    estimates = follow_up_estimates()
    with pytest.raises(AthError, match="no action 'K9'"):
        joins.action_follow_up("K9", knowledge, estimates, AREAS)
    with pytest.raises(AthError, match="action 'K1' \\(Suunniteltu kokeilu\\) has no indicator to follow"):
        joins.action_follow_up("K1", knowledge, estimates, AREAS)
    with pytest.raises(AthError, match="missing column\\(s\\) ci_low, ci_high"):
        joins.action_follow_up("K3", knowledge, estimates.drop(columns=["ci_low", "ci_high"]), AREAS)
    everyone = joins.follow_ups(knowledge, estimates, AREAS)
    assert set(everyone["action"]) == {"K2", "K3"}  # K1 has no indicator to follow


def test_verdict_words_of_the_report_are_understood():
    assert [joins.normalize_verdict(v) for v in ("worse", "No clear difference", "none", "up_bad", "down_good",
                                                 "reference", None, float("nan"), "")] == [
        "worse", "none", "none", "worse", "better", "reference", "", "", ""]


def test_result_tables_without_the_needed_columns_are_user_errors(knowledge):
    with pytest.raises(AthError, match="result table: missing column\\(s\\) domain_value"):
        joins.joint_display(VERDICTS.drop(columns="domain_value"), knowledge, AREAS, THEMES)
    with pytest.raises(AthError, match="verdict table: missing column 'verdict'"):
        joins.need_map(VERDICTS.rename(columns={"verdict": "verdikti"}), knowledge, AREAS, THEMES)


def test_no_verdict_of_a_known_area_gives_the_activity_alone(knowledge):
    """A report whose verdicts name no known area or indicator (e.g. an area of another region) still maps the
    registered activity, as 'active, not judged' (an empty selection once dropped every column instead)."""
    need = joins.need_map(VERDICTS[VERDICTS["domain"] == "sex"], knowledge, AREAS, THEMES)
    assert len(need) > 0
    assert set(need["finding"]) == {"active_not_judged"}
    assert (need["verdict"] == "").all()
