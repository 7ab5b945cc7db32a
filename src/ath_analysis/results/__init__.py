"""The published result tables, built from the waves' indicator tables: estimates, comparisons, small areas.

Each module builds one tidy table with the publication rules applied (`ath_analysis.disclosure`); `io` writes
them (Parquet for machines, CSV for people) and reads the stages' inputs.
"""
