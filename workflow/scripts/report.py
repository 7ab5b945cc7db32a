from ath_analysis.pipeline import report, run_stage

inp, out = snakemake.input, snakemake.output  # noqa: F821


def files(name):
    value = getattr(inp, name)
    return [value] if isinstance(value, str) else list(value)


run_stage(report, config=snakemake.config, area=snakemake.wildcards.area, estimates=inp.estimates,  # noqa: F821
          models=(files("models") or [None])[0], small_areas=(files("small_areas") or [None])[0],
          audits=files("audits"),
          config_files=[f for n in ("configfiles", "indicators", "variables", "areas", "boundaries") for f in files(n)],
          html=out.html, xlsx=out.xlsx, csv=out.csv, figures=out.figures)
