"""ath-analysis: place-based well-being estimates from THL adult population surveys."""

__version__ = "0.1.0"
