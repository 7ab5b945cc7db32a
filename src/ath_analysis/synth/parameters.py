"""Assumptions of the synthetic population that are not public facts.

Real facts (municipal populations, postal areas, mergers) come from config/areas. What no open source gives
per municipality — the SYKE urban–rural mix, the age structure of adults, the size of the former
municipalities inside Savonlinna — is set here, plausibly and in one place.
"""

from __future__ import annotations

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
