"""Write the recorded sessions used by the register tests (run: python tests/data/register/make_fixtures.py).

They are hand-written responses in the documented formats of Statistics Finland's classification service, its
statistical-areas WFS (GeoServer GeoJSON, and the XML exception it sends for a layer that does not exist), Paavo's
PxWeb API (table metadata, JSON-stat 2.0) and THL's Sotkanet REST API, for a six-municipality country. URLs are
written out literally, so the tests also check the URLs the fetch code builds. The figures are illustrative,
not Statistics Finland's or THL's.
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
CLS = "https://data.stat.fi/api/classifications/v2"
WFS = "https://geo.stat.fi/geoserver/tilastointialueet/wfs"
PNO = "https://geo.stat.fi/geoserver/postialue/wfs"
PAAVO = "https://pxdata.stat.fi/PxWeb/api/v1/fi/Postinumeroalueittainen_avoin_tieto/uusin/paavo_pxt_12f7.px"
SOTKANET = "https://sotkanet.fi/rest/1.1"
LANG_NAMES = {"fi": "suomi", "sv": "ruotsi", "en": "englanti"}

# code: (fi, sv, en), maakunta, hyvinvointialue, kuntaryhmitys, centre (lon, lat)
MUNICIPALITIES = {
    "090": (("Heinävesi", "Heinävesi", "Heinävesi"), "12", "14", "3", (28.63, 62.43)),
    "091": (("Helsinki", "Helsingfors", "Helsinki"), "01", "90", "1", (24.94, 60.17)),
    "478": (("Maarianhamina", "Mariehamn", "Mariehamn"), "21", "91", "1", (19.94, 60.10)),
    "491": (("Mikkeli", "S:t Michel", "Mikkeli"), "10", "12", "1", (27.27, 61.69)),
    "507": (("Mäntyharju", "Mäntyharju", "Mäntyharju"), "10", "12", "3", (26.88, 61.42)),
    "588": (("Pertunmaa", "Pertunmaa", "Pertunmaa"), "10", "12", "3", (26.48, 61.50)),
}
MAAKUNNAT = {
    "01": ("Uusimaa", "Nyland", "Uusimaa"),
    "10": ("Etelä-Savo", "Södra Savolax", "South Savo"),
    "12": ("Pohjois-Karjala", "Norra Karelen", "North Karelia"),
    "21": ("Ahvenanmaa", "Åland", "Åland"),
}
HYVINVOINTIALUEET = {
    "12": ("Etelä-Savon hyvinvointialue", "Välfärdsområdet i Södra Savolax", "Wellbeing services county of South Savo"),
    "14": ("Pohjois-Karjalan hyvinvointialue", "Välfärdsområdet i Norra Karelen",
           "Wellbeing services county of North Karelia"),
    "90": ("Helsingin kaupunki", "Helsingfors stad", "City of Helsinki"),
    "91": ("Ahvenanmaa", "Åland", "Åland"),
}
KUNTARYHMITYS = {
    "1": ("Kaupunkimaiset kunnat", "Urbana kommuner", "Urban municipalities"),
    "3": ("Maaseutumaiset kunnat", "Landsbygdskommuner", "Rural municipalities"),
}
ABOLISHED = {"085": "Haukivuori", "696": "Ristiina", "775": "Suomenniemi"}  # all joined 491 Mikkeli
LIVING = {2024: sorted(MUNICIPALITIES), 2025: sorted(set(MUNICIPALITIES) - {"588"})}
POSTAL = {  # code: name fi, name sv, municipality, population
    "00100": ("Helsinki Keskusta - Etu-Töölö", "Helsingfors Centrum - Främre Tölö", "091", 18030),
    "19410": ("Pertunmaa", "Pertunmaa", "588", 602),
    "22100": ("Maarianhamina Keskus", "Mariehamn Centrum", "478", 11500),
    "50100": ("Mikkeli Keskus", "S:t Michel Centrum", "491", 7781),
    "79700": ("Heinävesi Keskus", "Heinävesi Centrum", "090", 1700),
}


def names(texts: tuple[str, str, str], lang: str) -> list[dict[str, str]]:
    return [{"langName": LANG_NAMES[lang], "lang": lang, "name": texts[("fi", "sv", "en").index(lang)]}]


def item(classification: str, code: str, texts: tuple[str, str, str], lang: str, order: int) -> dict:
    return {
        "classification": {"localId": classification, "internationalRecommendation": False,
                           "nationalRecommendation": True,
                           "classificationName": [{"langName": "suomi", "lang": "fi", "name": "Kunnat"}]},
        "localId": f"{classification}/{code}", "level": 1, "code": code, "order": order,
        "modifiedDate": "2023-12-15T08:00:00Z", "parentItemLocalId": None, "parentCode": None,
        "classificationItemNames": names(texts, lang), "explanatoryNotes": [],
        "classificationIndexEntry": [{"text": []}],
    }


def mapping(table: str, source: str, code: str, texts: tuple, target: str, tcode: str, ttexts: tuple,
            lang: str) -> dict:
    return {
        "correspondenceTable": {"localId": table},
        "sourceItem": {"localId": f"{source}/{code}", "level": 1, "code": code,
                       "classificationItemNames": names(texts, lang)},
        "targetItem": {"localId": f"{target}/{tcode}", "level": 1, "code": tcode,
                       "classificationItemNames": names(ttexts, lang)},
    }


def square(lon: float, lat: float, half: float = 0.05) -> list:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half],
            [lon - half, lat - half]]
    return [[[[round(x, 6), round(y, 6)] for x, y in ring]]]


def feature_collection(layer: str, features: list[dict]) -> dict:
    return {"type": "FeatureCollection", "features": features, "totalFeatures": len(features),
            "numberMatched": len(features), "numberReturned": len(features), "timeStamp": "2025-03-01T10:00:00Z",
            "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4326"}}}


def wfs(base: str, layer: str) -> str:
    return (f"{base}?service=WFS&version=1.0.0&request=GetFeature&typeName={layer.replace(':', '%3A')}"
            "&outputFormat=application%2Fjson&srsName=EPSG%3A4326")


def exception(layer: str) -> str:
    return ('<?xml version="1.0" ?>\n<ServiceExceptionReport version="1.2.0" xmlns="http://www.opengis.net/ogc">\n'
            f'   <ServiceException code="InvalidParameterValue" locator="typeName">\n      Feature type {layer} '
            'unknown\n</ServiceException></ServiceExceptionReport>\n')


def statfi_session() -> list[dict]:
    out: list[dict] = []
    kunta_versions = [f"{CLS}/classifications/kunta_1_{y}0101" for y in (2023, 2024, 2025)]
    others = [f"{CLS}/classifications/{c}" for c in ("maakunta_1_20240101", "kunta_2_20240101", "alue_43_20220407")]
    out.append({"method": "GET", "url": f"{CLS}/classifications?format=json", "json": kunta_versions + others})
    tables = [f"{CLS}/correspondenceTables/kunta_1_{y}0101%23{level}_1_{y}0101"
              for y in (2023, 2024, 2025) for level in ("maakunta", "hyvinvointialue", "kuntaryhmitys")]
    tables += [f"{CLS}/correspondenceTables/kunta_2_{d}%23kunta_1_{d}" for d in ("20230101", "20240101")]
    tables.append(f"{CLS}/correspondenceTables/ammatti_1_20100101%23ammatti_1_20010101")
    out.append({"method": "GET", "url": f"{CLS}/correspondenceTables?format=json", "json": tables})
    for year, codes in LIVING.items():
        kunta = f"kunta_1_{year}0101"
        for lang in ("fi", "sv", "en"):
            items = [item(kunta, c, MUNICIPALITIES[c][0], lang, 10 * (i + 1)) for i, c in enumerate(codes)]
            out.append({"method": "GET", "json": items,
                        "url": f"{CLS}/classifications/{kunta}/classificationItems?content=data&meta=max&lang={lang}"
                               "&format=json"})
        for level, position, labels in (("maakunta", 1, MAAKUNNAT), ("hyvinvointialue", 2, HYVINVOINTIALUEET),
                                        ("kuntaryhmitys", 3, KUNTARYHMITYS)):
            target = f"{level}_1_{year}0101"
            for lang in ("fi", "sv", "en"):
                maps = [mapping(f"{kunta}#{target}", kunta, c, MUNICIPALITIES[c][0], target,
                                MUNICIPALITIES[c][position], labels[MUNICIPALITIES[c][position]], lang)
                        for c in codes]
                out.append({"method": "GET", "json": maps,
                            "url": f"{CLS}/correspondenceTables/{kunta}%23{target}/maps?content=data&meta=max"
                                   f"&lang={lang}&format=json"})
    # the newest key of abolished municipalities is older than Pertunmaa's merger (2025): 588 still maps to itself
    source, target = "kunta_2_20240101", "kunta_1_20240101"
    key = [mapping(f"{source}#{target}", source, c, MUNICIPALITIES[c][0], target, c, MUNICIPALITIES[c][0], "fi")
           for c in LIVING[2024]]
    key += [mapping(f"{source}#{target}", source, c, (n, n, n), target, "491", MUNICIPALITIES["491"][0], "fi")
            for c, n in ABOLISHED.items()]
    out.append({"method": "GET", "json": key,
                "url": f"{CLS}/correspondenceTables/{source}%23{target}/maps?content=data&meta=max&lang=fi"
                       "&format=json"})
    # population (Sotkanet, current division: Pertunmaa already in Mäntyharju)
    out.append({"method": "GET", "url": f"{SOTKANET}/indicators/127", "json": {
        "id": 127, "title": {"fi": "Väestö 31.12.", "sv": "Befolkning 31.12.", "en": "Population 31 Dec"},
        "organization": {"id": 2, "title": {"fi": "Tilastokeskus", "sv": "Statistikcentralen",
                                            "en": "Statistics Finland"}},
        "range": {"start": 2023, "end": 2024}, "primaryValueType": {"code": "ABSOLUTE", "title": {"fi": "Lukumäärä"}},
        "decimals": 0, "data-updated": "2025-03-20"}})
    out.append({"method": "GET", "url": f"{SOTKANET}/regions", "json": sotkanet_regions()})
    population = {"090": 3000, "091": 664028, "478": 11800, "491": 52000, "507": 7600}
    rows = []
    for year in (2023, 2024):
        for region in sotkanet_regions():
            code = region["code"].zfill(3)
            if region["category"] == "KUNTA" and code in population:
                rows.append({"indicator": 127, "region": region["id"], "year": year, "gender": "total",
                             "value": population[code] - (2024 - year) * 10, "absValue": None})
        rows.append({"indicator": 127, "region": 658, "year": year, "gender": "total", "value": 5600000})
    out.append({"method": "GET", "json": rows,
                "url": f"{SOTKANET}/json?indicator=127&years=2023&years=2024&genders=total"})
    # boundaries: the 2025 layers are not published yet, the 2024 ones are
    layer = "tilastointialueet:kunta4500k_2025"
    out.append({"method": "GET", "url": wfs(WFS, layer), "text": exception(layer)})
    features = [{"type": "Feature", "id": f"kunta4500k_2024.{i}", "geometry_name": "geom",
                 "geometry": {"type": "MultiPolygon", "coordinates": square(*MUNICIPALITIES[c][4])},
                 "properties": {"kunta": c, "vuosi": 2024, "nimi": MUNICIPALITIES[c][0][0],
                                "namn": MUNICIPALITIES[c][0][1], "name": MUNICIPALITIES[c][0][2]}}
                for i, c in enumerate(LIVING[2024], start=1)]
    out.append({"method": "GET", "url": wfs(WFS, "tilastointialueet:kunta4500k_2024"),
                "json": feature_collection("kunta4500k_2024", features)})
    centres = {"01": (24.9, 60.3), "10": (27.3, 61.7), "12": (29.8, 62.8), "21": (20.0, 60.2)}
    features = [{"type": "Feature", "id": f"maakunta4500k_2024.{i}", "geometry_name": "geom",
                 "geometry": {"type": "MultiPolygon", "coordinates": square(*centres[c], half=0.5)},
                 "properties": {"maakunta": c, "vuosi": 2024, "nimi": t[0], "namn": t[1], "name": t[2]}}
                for i, (c, t) in enumerate(sorted(MAAKUNNAT.items()), start=1)]
    out.append({"method": "GET", "url": wfs(WFS, "tilastointialueet:maakunta4500k_2024"),
                "json": feature_collection("maakunta4500k_2024", features)})
    centres = {"12": (27.3, 61.7), "14": (29.8, 62.8), "90": (24.9, 60.2), "91": (20.0, 60.2)}
    features = [{"type": "Feature", "id": f"hyvinvointialue4500k_2024.{i}", "geometry_name": "geom",
                 "geometry": {"type": "MultiPolygon", "coordinates": square(*centres[c], half=0.4)},
                 "properties": {"hyvinvointialue": c, "vuosi": 2024, "nimi": t[0], "namn": t[1], "name": t[2]}}
                for i, (c, t) in enumerate(sorted(HYVINVOINTIALUEET.items()), start=1)]
    out.append({"method": "GET", "url": wfs(WFS, "tilastointialueet:hyvinvointialue4500k_2024"),
                "json": feature_collection("hyvinvointialue4500k_2024", features)})
    out.append({"method": "GET", "url": wfs(PNO, "postialue:pno_2025"), "text": exception("postialue:pno_2025")})
    features = [{"type": "Feature", "id": f"pno_2024.{i}", "geometry_name": "geom",
                 "geometry": {"type": "Polygon", "coordinates": square(*MUNICIPALITIES[m][4], half=0.02)[0]},
                 "properties": {"postinumeroalue": code, "nimi": fi, "namn": sv, "kunta": m, "vuosi": 2024,
                                "pinta_ala": 1234567}}
                for i, (code, (fi, sv, m, _)) in enumerate(sorted(POSTAL.items()), start=1)]
    out.append({"method": "GET", "url": wfs(PNO, "postialue:pno_2024"),
                "json": feature_collection("pno_2024", features)})
    # Paavo: table metadata, then the population query
    codes = ["SSS", *sorted(POSTAL)]
    texts = ["KOKO MAA"] + [f"{c} {POSTAL[c][0]} ({MUNICIPALITIES[POSTAL[c][2]][0][0]})" for c in sorted(POSTAL)]
    title = "Paavo 2024: väestö postinumeroalueittain"
    out.append({"method": "GET", "url": PAAVO, "json": {"title": title, "variables": [
        {"code": "Postinumeroalue", "text": "Postinumeroalue", "values": codes, "valueTexts": texts},
        {"code": "Tiedot", "text": "Tiedot", "values": ["he_vakiy", "he_miehet", "he_naiset"],
         "valueTexts": ["Asukkaat yhteensä, 2022 (HE)", "Miehet, 2022 (HE)", "Naiset, 2022 (HE)"]},
        {"code": "Vuosi", "text": "Vuosi", "values": ["2022"], "valueTexts": ["2022"], "time": True}]}})
    query = {"query": [{"code": "Postinumeroalue", "selection": {"filter": "all", "values": ["*"]}},
                       {"code": "Tiedot", "selection": {"filter": "item", "values": ["he_vakiy"]}},
                       {"code": "Vuosi", "selection": {"filter": "item", "values": ["2022"]}}],
             "response": {"format": "json-stat2"}}
    out.append({"method": "POST", "url": PAAVO, "request_json": query, "json": {
        "version": "2.0", "class": "dataset", "label": "Paavo 2024: väestö postinumeroalueittain",
        "source": "Tilastokeskus", "updated": "2024-03-01T06:00:00Z",
        "id": ["Postinumeroalue", "Tiedot", "Vuosi"], "size": [len(codes), 1, 1],
        "dimension": {
            "Postinumeroalue": {"label": "Postinumeroalue",
                                "category": {"index": {c: i for i, c in enumerate(codes)},
                                             "label": dict(zip(codes, texts, strict=True))}},
            "Tiedot": {"label": "Tiedot", "category": {"index": {"he_vakiy": 0},
                                                       "label": {"he_vakiy": "Asukkaat yhteensä, 2022 (HE)"}}},
            "Vuosi": {"label": "Vuosi", "category": {"index": {"2022": 0}, "label": {"2022": "2022"}}}},
        "value": [5563970] + [POSTAL[c][3] for c in sorted(POSTAL)],
        "role": {"time": ["Vuosi"], "metric": ["Tiedot"]}}})
    return out


def sotkanet_regions() -> list[dict]:
    def region(rid: int, code: str, category: str, fi: str, sv: str, en: str, member: list[int]) -> dict:
        return {"id": rid, "code": code, "category": category, "title": {"fi": fi, "sv": sv, "en": en},
                "memberOf": member, "uri": f"http://meta.thl.fi/codes/sotkanet/alue/{rid}"}

    return [
        region(658, "0", "MAA", "Koko maa", "Hela landet", "Whole country", []),
        region(990, "5", "POHJOISMAAT", "Ruotsi", "Sverige", "Sweden", []),
        region(611, "10", "MAAKUNTA", "Etelä-Savo", "Södra Savolax", "South Savo", [658]),
        region(612, "12", "MAAKUNTA", "Pohjois-Karjala", "Norra Karelen", "North Karelia", [658]),
        region(1012, "12", "HYVINVOINTIALUE", "Etelä-Savon hyvinvointialue", "Välfärdsområdet i Södra Savolax",
               "Wellbeing services county of South Savo", [658]),
        region(90, "90", "KUNTA", "Heinävesi", "Heinävesi", "Heinävesi", [612]),
        region(91, "91", "KUNTA", "Helsinki", "Helsingfors", "Helsinki", [658]),
        region(478, "478", "KUNTA", "Maarianhamina", "Mariehamn", "Mariehamn", [658]),
        region(491, "491", "KUNTA", "Mikkeli", "S:t Michel", "Mikkeli", [611, 1012]),
        region(507, "507", "KUNTA", "Mäntyharju", "Mäntyharju", "Mäntyharju", [611, 1012]),
    ]


def sotkanet_session() -> list[dict]:
    """`reference fetch` for two survey indicators (ids and figures illustrative)."""
    indicators = {
        4559: ("Päivittäin tupakoivien osuus (%), 20-64-vuotiaat", "Daily smokers (%), aged 20-64",
               {"658": 11.9, "611": 13.4, "1012": 13.4, "491": 12.8}),
        4550: ("Lihavien osuus (%), 20-64-vuotiaat", "Obesity (%), aged 20-64",
               {"658": 24.6, "611": 27.9, "1012": 27.9, "491": 26.1}),
    }
    out: list[dict] = []
    for number, (fi, en, values) in indicators.items():
        out.append({"method": "GET", "url": f"{SOTKANET}/indicators/{number}", "json": {
            "id": number, "title": {"fi": fi, "sv": fi, "en": en},
            "organization": {"id": 1, "title": {"fi": "Terveyden ja hyvinvoinnin laitos (THL)"}},
            "range": {"start": 2022, "end": 2023}, "primaryValueType": {"code": "PERCENTAGE", "title": {"fi": "%"}},
            "decimals": 1, "data-updated": "2024-05-15"}})
        rows = []
        for year in (2022, 2023):
            for region, value in values.items():
                shift = (year - 2022) * -0.4
                rows.append({"indicator": number, "region": int(region), "year": year, "gender": "total",
                             "value": round(value + shift, 1), "absValue": None})
                rows.append({"indicator": number, "region": int(region), "year": year, "gender": "male",
                             "value": round(value + shift + 1.5, 1)})
                rows.append({"indicator": number, "region": int(region), "year": year, "gender": "female",
                             "value": round(value + shift - 1.5, 1)})
            rows.append({"indicator": number, "region": 990, "year": year, "gender": "total", "value": 9.0})
        rows.append({"indicator": number, "region": 507, "year": 2022, "gender": "total", "value": None})
        out.append({"method": "GET", "json": rows,
                    "url": f"{SOTKANET}/json?indicator={number}&years=2022&years=2023&genders=total&genders=male"
                           "&genders=female"})
        if number == 4559:
            out.append({"method": "GET", "url": f"{SOTKANET}/regions", "json": sotkanet_regions()})
    return out


def main() -> None:
    for name, session in (("statfi_session.json", statfi_session()), ("sotkanet_session.json", sotkanet_session())):
        lines = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in session)
        (HERE / name).write_text('{"interactions": [\n' + lines + "\n]}\n", encoding="utf-8")


if __name__ == "__main__":
    main()
