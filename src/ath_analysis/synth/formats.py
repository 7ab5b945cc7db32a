"""File formats of the three survey generations, as the synthetic waves are delivered.

Every wave covers the whole country as Terve Suomi does (country.NationalDesign: 2,000 + 800 adults per
wellbeing services county) and Etelä-Savo's own regional sample (`design`, by municipality) on top.

Each wave names its variables its own way and codes some items differently (reversed scales, split
categories, sex coded the other way round), has Finnish variable and value labels, and marks "don't know"
and "no answer" with SPSS user-missing codes. config/harmonization.yaml maps each back to the canonical
variables; the synthetic generator is the only code that knows these formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ath_analysis.synth.country import NationalDesign
from ath_analysis.synth.sampling import SampleDesign


@dataclass(frozen=True)
class Item:
    """One file variable made from one canonical variable."""

    canonical: str
    source: str
    to_source: dict[int, int] | None = None  # canonical code → file code
    labels: dict[int, str] | None = None  # file value labels when they are not the canonical ones recoded
    missing_rate: float = 0.02  # item non-response (on top of 75+ extra)
    no_answer: tuple[int, str] | None = None  # item non-response written as this user-missing code
    dont_know: tuple[int, str, float] | None = None  # user-missing "en osaa sanoa" code, label, rate
    string: bool = False


@dataclass(frozen=True)
class WaveFormat:
    """A survey wave: what it covers, how it is sampled, and how its file looks."""

    wave: str
    survey: str
    year: int
    fieldwork_date: str
    region_period: str  # municipalities.csv column whose region 10 members are Etelä-Savo's regional sample
    design: SampleDesign  # Etelä-Savo's regional sample (municipal strata); its response shift applies to all
    id_var: str
    weight_var: str
    stratum_var: str
    fpc_var: str  # stratum population size (the sample is drawn without replacement)
    items: list[Item] = field(default_factory=list)
    id_prefix: str = ""
    file_label: str = ""
    national: NationalDesign = field(default_factory=NationalDesign)  # the rest of the country


EOS = (9, "En osaa sanoa")
REVERSE5 = {1: 5, 2: 4, 3: 3, 4: 2, 5: 1}
URBAN_RURAL_NUMBERS = {"K1": 1, "K2": 2, "K3": 3, "M4": 4, "M5": 5, "M6": 6, "M7": 7}


def _items(prefix: str, canonical: list[str], **kwargs: object) -> list[Item]:
    return [Item(c, f"{prefix}{i}", **kwargs) for i, c in enumerate(canonical, start=1)]  # type: ignore[arg-type]


MHI = ["mhi1", "mhi2", "mhi3", "mhi4", "mhi5"]
QOL = [f"qol{i}" for i in range(1, 9)]
AUDIT = ["audit1", "audit2", "audit3"]

ATH2012 = WaveFormat(
    wave="ath2012",
    survey="ATH",
    year=2012,
    fieldwork_date="2012-10-15",
    region_period="region_2013_2020",
    design=SampleDesign(sampling_rate=0.10, min_stratum_sample=450),
    id_var="tunnus",
    weight_var="paino",
    stratum_var="ositus",
    fpc_var="N_osite",
    id_prefix="",
    file_label="SYNTEETTINEN AINEISTO - ATH 2012, koko maa",
    items=[
        Item("municipality_code", "kunta", missing_rate=0),
        Item("wellbeing_area_code", "hva", missing_rate=0),
        Item("postal_code", "postinro", missing_rate=0, string=True),
        Item("urban_rural_code", "kaupmaa", missing_rate=0),
        Item("sex", "sp", missing_rate=0),
        Item("age", "ika", missing_rate=0),
        Item("education", "koulutus3", missing_rate=0),
        Item("lives_alone", "k5", to_source={1: 1, 0: 2}, labels={1: "Asun yksin", 2: "En asu yksin"}),
        Item("srh", "k13"),
        *[Item(c, f"k60{chr(96 + i)}") for i, c in enumerate(MHI, start=1)],
        Item("loneliness", "k63"),
        Item("height_cm", "k70", no_answer=(999, "Ei vastausta")),
        Item("weight_kg", "k71", no_answer=(999, "Ei vastausta"), missing_rate=0.03),
        # ATH 2012 splits "not at all" into quit (3) and never smoked (4)
        Item(
            "smoking",
            "k80",
            labels={1: "Päivittäin", 2: "Satunnaisesti", 3: "Olen lopettanut", 4: "En ole koskaan tupakoinut"},
        ),
        *[Item(c, f"k9{i}", to_source={k: k + 1 for k in range(5)}) for i, c in enumerate(AUDIT)],
        Item("ltpa", "k95"),
        *_items("k100_", QOL),
        Item("gali", "k110"),
        Item("expenses", "k120", dont_know=(*EOS, 0.03)),
        Item("unmet_need", "k130", dont_know=(*EOS, 0.02)),
        Item("vegetables", "k140"),
        Item("fruit", "k141"),
        Item("area_safety", "k150", dont_know=(*EOS, 0.02)),
    ],
)

FINSOTE2018 = WaveFormat(
    wave="finsote2018",
    survey="FinSote",
    year=2018,
    fieldwork_date="2018-10-01",
    region_period="region_2013_2020",
    design=SampleDesign(sampling_rate=0.10, min_stratum_sample=500, response_shift=-0.15),
    id_var="ID",
    weight_var="w_analyysi",
    stratum_var="strata",
    fpc_var="N_h",
    file_label="SYNTEETTINEN AINEISTO - FinSote 2018, koko maa",
    items=[
        Item("municipality_code", "kunta_nro", missing_rate=0, string=True),
        Item("wellbeing_area_code", "hva_nro", missing_rate=0, string=True),
        Item("postal_code", "posti", missing_rate=0, string=True),
        Item("urban_rural_code", "kaumaa7", missing_rate=0, string=True),
        Item("sex", "sukup", missing_rate=0),
        Item("age", "ikavuosi", missing_rate=0),
        Item("education", "koulutus", missing_rate=0),
        Item("lives_alone", "asuu_yksin"),
        # FinSote 2018 asks self-rated health the other way round: 1 = poor … 5 = good
        Item("srh", "q1_terveys", to_source=REVERSE5),
        *_items("q10_", MHI),
        Item("loneliness", "q11"),
        Item("height_cm", "q20_pituus"),
        Item("weight_kg", "q21_paino", missing_rate=0.03),
        Item("smoking", "q30_tupakka"),
        *_items("q4", AUDIT),
        Item("ltpa", "q45"),
        *_items("q50_", QOL),
        Item("gali", "q55"),
        Item("expenses", "q60", dont_know=(*EOS, 0.03)),
        Item("unmet_need", "q65", dont_know=(*EOS, 0.02)),
        Item("vegetables", "q70"),
        Item("fruit", "q71"),
        Item("area_safety", "q75", dont_know=(*EOS, 0.02)),
    ],
)

TS2022 = WaveFormat(
    wave="ts2022",
    survey="Terve Suomi",
    year=2022,
    fieldwork_date="2022-10-01",
    region_period="region_2021_2024",
    design=SampleDesign(
        sampling_rate=0.10, min_stratum_sample=350, age75_split=True, age75_rate_factor=2.0, response_shift=-0.3
    ),
    id_var="tunniste",
    weight_var="paino_ts",
    stratum_var="ositus_ts",
    fpc_var="perusjoukko",
    id_prefix="TS22-",
    file_label="SYNTEETTINEN AINEISTO - Terve Suomi 2022, koko maa",
    items=[
        Item("municipality_code", "kunta", missing_rate=0),
        Item("wellbeing_area_code", "hyvinvointialue", missing_rate=0),
        Item("postal_code", "postinumero", missing_rate=0, string=True),
        Item("urban_rural_code", "kmluokka", missing_rate=0),
        # Terve Suomi codes sex 1 = woman, 2 = man
        Item("sex", "sukupuoli", to_source={1: 2, 2: 1}, labels={1: "Nainen", 2: "Mies"}, missing_rate=0),
        Item("age", "ika", missing_rate=0),
        Item("education", "koulutusryhma", missing_rate=0),
        Item("lives_alone", "yksin_asuva"),
        Item("srh", "terveys", no_answer=(99, "Ei vastausta")),
        *_items("mhi5_", MHI),
        # loneliness reversed: 1 = all the time … 5 = never
        Item("loneliness", "yksinaisyys", to_source=REVERSE5),
        Item("height_cm", "pituus"),
        Item("weight_kg", "paino_kg", missing_rate=0.03),
        Item("smoking", "tupakointi"),
        *_items("auditc_", AUDIT),
        Item("ltpa", "liikunta"),
        *_items("eurohis_", QOL),
        Item("gali", "gali"),
        Item("expenses", "toimeentulo", dont_know=(*EOS, 0.03)),
        Item("unmet_need", "laakaripalv", dont_know=(*EOS, 0.02)),
        Item("vegetables", "kasvikset"),
        Item("fruit", "hedelmat"),
        Item("area_safety", "turvallisuus", dont_know=(*EOS, 0.02)),
    ],
)

WAVE_FORMATS = {f.wave: f for f in (ATH2012, FINSOTE2018, TS2022)}
