"""Assumptions of the synthetic population that are not public facts.

Real facts (municipal populations, postal areas, mergers) come from config/areas. What no open source gives
per municipality — the SYKE urban–rural mix, the age structure of adults, the size of the former
municipalities inside Savonlinna — is set here, plausibly and in one place.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Share of residents aged 20+ in the total population (Etelä-Savo is old; rural municipalities older).
ADULT_SHARE = {"1": 0.79, "2": 0.80, "3": 0.82}  # by kuntaryhmitys class

# Relative size of 5-year age bands 20–24 … 95–99 among adults, urban vs rural municipalities.
AGE_BANDS = list(range(20, 100, 5))
AGE_PROFILE_URBAN = [7.0, 7.0, 6.8, 6.5, 6.3, 6.7, 7.4, 8.0, 8.6, 8.8, 8.2, 6.2, 4.4, 2.7, 1.0, 0.2]
AGE_PROFILE_RURAL = [4.6, 4.8, 5.2, 5.4, 5.6, 6.3, 7.5, 8.9, 10.2, 10.9, 10.2, 7.8, 5.6, 3.5, 1.3, 0.3]

# SYKE urban–rural class mix of residents, per municipality (codes K1–M7).
URBAN_RURAL_MIX: dict[str, dict[str, float]] = {
    "740": {"K1": 0.36, "K2": 0.20, "K3": 0.10, "M4": 0.14, "M5": 0.05, "M6": 0.07, "M7": 0.08},  # Savonlinna
    "593": {"K1": 0.30, "K2": 0.22, "K3": 0.10, "M5": 0.08, "M6": 0.12, "M7": 0.18},  # Pieksämäki
    "097": {"M4": 0.40, "M5": 0.25, "M6": 0.15, "M7": 0.20},  # Hirvensalmi, near Mikkeli
    "213": {"M4": 0.50, "M5": 0.10, "M6": 0.20, "M7": 0.20},  # Kangasniemi
}
RURAL_DEFAULT_MIX = {"M4": 0.48, "M6": 0.27, "M7": 0.25}

# Mikkeli: class mix by sub-area group (postal areas, config/areas/mikkeli_subareas.csv).
MIKKELI_MIX = {
    "Mikkelin kaupunkialue": {"K1": 0.62, "K2": 0.30, "K3": 0.08},
    "Mikkelin lähialueet ja kylät": {"K3": 0.30, "M5": 0.40, "M6": 0.15, "M7": 0.15},
    "Anttola": {"M4": 0.55, "M5": 0.20, "M7": 0.25},
    "Haukivuori": {"M4": 0.55, "M6": 0.15, "M7": 0.30},
    "Ristiina": {"M4": 0.60, "M5": 0.15, "M7": 0.25},
    "Suomenniemi": {"M4": 0.45, "M7": 0.55},
}

# Former municipalities inside Savonlinna (share of its residents): their codes appear in pre-2013 waves.
SAVONLINNA_FORMER = {"246": 0.16, "618": 0.10, "741": 0.03}  # Kerimäki, Punkaharju, Savonranta

# How rural each class is, 0 (inner urban) … 1 (sparsely populated): drives the urban–rural gradients.
RURALITY = {"K1": 0.0, "K2": 0.1, "K3": 0.25, "M4": 0.4, "M5": 0.45, "M6": 0.65, "M7": 1.0}

# Population year used for each survey year (the reference table starts in 2015).
POPULATION_YEAR = {2012: 2015, 2018: 2018, 2022: 2022}

# --- The rest of Finland (wellbeing services counties outside the Etelä-Savo frame) -----------------------------
# Keyed by the county codes of config/areas/hyvinvointialueet.csv, whose facts (names, maakunta, population 2022)
# come from there; what follows is what no compiled table gives: plausible assumptions, in one place. A county
# that is not listed here gets DEFAULT_COUNTY.

# Adult age profile of the largest cities: many people aged 25–39, few aged 75+ (Helsinki's adults ~10 % 75+).
AGE_PROFILE_CITY = [6.5, 10.5, 10.5, 9.5, 8.5, 7.5, 7.2, 7.0, 6.6, 6.2, 6.0, 4.6, 2.9, 1.6, 0.6, 0.15]


@dataclass(frozen=True)
class CountyProfile:
    """How a county's adults are made: their number, ages, where they live, and the county's own character.

    `age_mix` weights the city, urban and rural age profiles. `effects` shift the latent traits of
    health.PLACE_TRAITS (health + better; lifestyle, drink, strain, smoke + more) relative to Etelä-Savo, on top of
    NATIONAL_EFFECTS; they are the regional differences beyond age, sex, education and urban–rural make-up.
    """

    adult_share: float  # residents aged 20+ among all residents
    age_mix: tuple[float, float, float]
    urban_rural: dict[str, float]
    effects: dict[str, float] = field(default_factory=dict)


def _mix(k1: float, k2: float, k3: float, m4: float, m5: float, m6: float, m7: float) -> dict[str, float]:
    return dict(zip(["K1", "K2", "K3", "M4", "M5", "M6", "M7"], [k1, k2, k3, m4, m5, m6, m7], strict=True))


# Etelä-Savo is the reference (effects 0, its levels tuned to THL's published Etelä-Savo figures); the rest of
# the country drinks less (alcohol overuse at 20–64: ~30 % vs Etelä-Savo's ~34 %), is less distressed and smokes
# as much, so that the national levels match THL's: distress at 20–64 ~13 % in 2018 and ~19–20 % in 2022, daily
# smoking ~14 % in 2018, obesity ~21 %.
NATIONAL_EFFECTS = {"drink": -0.19, "strain": -0.06}
# ... and per wave (× 0, 1, 2 for 2012, 2018, 2022): distress rose less in the rest of the country
NATIONAL_TRENDS = {"strain": -0.04}

COUNTIES: dict[str, CountyProfile] = {
    "01": CountyProfile(0.78, (0.1, 0.5, 0.4), _mix(0.25, 0.15, 0.15, 0.12, 0.20, 0.10, 0.03),  # Itä-Uusimaa
                       {"health": 0.1, "drink": -0.05}),
    "02": CountyProfile(0.75, (0.2, 0.7, 0.1), _mix(0.35, 0.25, 0.15, 0.05, 0.17, 0.02, 0.01),  # Keski-Uusimaa
                       {"health": 0.1}),
    "03": CountyProfile(0.76, (0.4, 0.5, 0.1), _mix(0.65, 0.15, 0.05, 0.04, 0.07, 0.03, 0.01),  # Länsi-Uusimaa
                       {"health": 0.2, "lifestyle": -0.1}),
    "04": CountyProfile(0.76, (0.6, 0.4, 0.0), _mix(0.75, 0.22, 0.02, 0.0, 0.01, 0.0, 0.0),  # Vantaa ja Kerava
                       {"health": 0.05, "drink": 0.05, "strain": 0.05}),
    "05": CountyProfile(0.79, (0.2, 0.5, 0.3), _mix(0.42, 0.15, 0.08, 0.10, 0.12, 0.10, 0.03),  # Varsinais-Suomi
                       {"health": 0.05}),
    "06": CountyProfile(0.80, (0.0, 0.35, 0.65), _mix(0.30, 0.15, 0.10, 0.15, 0.08, 0.17, 0.05),  # Satakunta
                       {"health": -0.05, "lifestyle": 0.05}),
    "07": CountyProfile(0.79, (0.0, 0.5, 0.5), _mix(0.30, 0.18, 0.10, 0.12, 0.15, 0.12, 0.03),  # Kanta-Häme
                       {"health": -0.05}),
    "08": CountyProfile(0.78, (0.3, 0.5, 0.2), _mix(0.50, 0.15, 0.07, 0.08, 0.10, 0.08, 0.02),  # Pirkanmaa
                       {"health": 0.05}),
    "09": CountyProfile(0.80, (0.0, 0.5, 0.5), _mix(0.45, 0.15, 0.07, 0.08, 0.10, 0.10, 0.05),  # Päijät-Häme
                       {"health": -0.05, "lifestyle": 0.05}),
    "10": CountyProfile(0.81, (0.0, 0.3, 0.7), _mix(0.35, 0.20, 0.10, 0.10, 0.08, 0.12, 0.05),  # Kymenlaakso
                        {"health": -0.15, "lifestyle": 0.1}),
    "11": CountyProfile(0.81, (0.0, 0.35, 0.65), _mix(0.45, 0.12, 0.06, 0.10, 0.07, 0.13, 0.07),  # Etelä-Karjala
                        {"health": -0.1}),
    "13": CountyProfile(0.79, (0.1, 0.45, 0.45), _mix(0.38, 0.12, 0.07, 0.12, 0.06, 0.15, 0.10),  # Pohjois-Savo
                        {"health": -0.1, "drink": 0.05}),
    "14": CountyProfile(0.80, (0.0, 0.35, 0.65), _mix(0.35, 0.10, 0.05, 0.13, 0.05, 0.17, 0.15),  # Pohjois-Karjala
                        {"health": -0.2, "drink": 0.05}),
    "15": CountyProfile(0.78, (0.15, 0.5, 0.35), _mix(0.42, 0.12, 0.06, 0.10, 0.08, 0.12, 0.10),  # Keski-Suomi
                        {"health": -0.05}),
    "16": CountyProfile(0.77, (0.0, 0.4, 0.6), _mix(0.20, 0.13, 0.07, 0.20, 0.05, 0.28, 0.07),  # Etelä-Pohjanmaa
                        {"drink": -0.1, "lifestyle": 0.05}),
    "17": CountyProfile(0.76, (0.05, 0.55, 0.4), _mix(0.30, 0.12, 0.08, 0.15, 0.10, 0.20, 0.05),  # Pohjanmaa
                        {"health": 0.2, "lifestyle": -0.1, "drink": -0.15, "strain": -0.1}),
    "18": CountyProfile(0.74, (0.0, 0.6, 0.4), _mix(0.40, 0.10, 0.05, 0.15, 0.05, 0.20, 0.05),  # Keski-Pohjanmaa
                        {"health": 0.05, "drink": -0.1}),
    "19": CountyProfile(0.73, (0.2, 0.6, 0.2), _mix(0.42, 0.12, 0.06, 0.12, 0.06, 0.12, 0.10),  # Pohjois-Pohjanmaa
                        {"drink": -0.05}),
    "20": CountyProfile(0.81, (0.0, 0.1, 0.9), _mix(0.30, 0.10, 0.05, 0.15, 0.02, 0.13, 0.25),  # Kainuu
                        {"health": -0.25, "lifestyle": 0.1}),
    "21": CountyProfile(0.80, (0.0, 0.3, 0.7), _mix(0.30, 0.12, 0.06, 0.15, 0.02, 0.10, 0.25),  # Lappi
                        {"health": -0.15, "lifestyle": 0.1, "drink": 0.15}),
    "90": CountyProfile(0.81, (1.0, 0.0, 0.0), _mix(0.93, 0.07, 0.0, 0.0, 0.0, 0.0, 0.0),  # Helsinki
                        {"health": 0.15, "drink": 0.15, "strain": 0.1}),
}
DEFAULT_COUNTY = CountyProfile(0.78, (0.1, 0.5, 0.4), _mix(0.40, 0.13, 0.07, 0.11, 0.08, 0.13, 0.08))
