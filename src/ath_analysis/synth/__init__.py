"""Synthetic THL-style survey waves of the whole country: the default data when no real `.sav` files are configured.

Etelä-Savo is a materialised population with its regional sample; the other wellbeing services counties are
sampled as Terve Suomi samples them, from their profiles, without materialising their adults (`country`).
"""

from ath_analysis.synth.formats import WAVE_FORMATS
from ath_analysis.synth.generate import SYNTHETIC_NOTE, generate_wave, regional_respondents, simulate_respondents

__all__ = ["SYNTHETIC_NOTE", "WAVE_FORMATS", "generate_wave", "regional_respondents", "simulate_respondents"]
