"""Synthetic ATH-style survey waves: the default data when no real `.sav` files are configured."""

from ath_analysis.synth.formats import WAVE_FORMATS
from ath_analysis.synth.generate import SYNTHETIC_NOTE, generate_wave, simulate_respondents

__all__ = ["SYNTHETIC_NOTE", "WAVE_FORMATS", "generate_wave", "simulate_respondents"]
