"""Local knowledge beside the numbers: the coordinator's workbook of observations, actors and actions.

The workbook (template `config/templates/paikallistieto.xlsx`) is read and checked here, screened for personal
data, and joined with the estimate table into the data the reports show: what local people said beside each
result, where a need meets no one, the pack for a partnership table, and the follow-up of an action.
"""
