"""Write the .test/ configurations from config/config.yaml (run from the repository root after editing it)."""

base = open("config/config.yaml").read()
def paths(s):
    for a, b in [("harmonization: config/harmonization.yaml", "harmonization: ../../config/harmonization.yaml"),
                 ("variables: config/variables.yaml", "variables: ../../config/variables.yaml"),
                 ("indicators: config/indicators.yaml", "indicators: ../../config/indicators.yaml"),
                 ("areas_dir: config/areas", "areas_dir: ../../config/areas"),
                 ("local_knowledge: config/templates/", "local_knowledge: ../../config/templates/"),
                 ("table: config/areas/mikkeli_subareas.csv",
                  "table: ../../config/areas/mikkeli_subareas.csv")]:
        assert a in s, a
        s = s.replace(a, b)
    return s
rest = base[base.index("\ndata:"):]
real = paths("""\
# CI test configuration: the real-data path (data.synthetic: false) on small fixture .sav files, membership of
# the region at survey time, and a user covariate file for the small-area model. Run from the repository root:
#   .test/config_real/prepare.sh      (writes the fixture files; never committed)
#   snakemake --cores 2 --directory .test/config_real
# The fixture files are synthetic, but the pipeline treats them as a researcher's real files.
""" + rest)
real = real.replace("  synthetic: true\n", "  synthetic: false\n")
a = "local_knowledge: ../../config/templates/esimerkki_paikallistieto.yaml"
assert a in real
real = real.replace(a, "local_knowledge: null  # the example workbook is made up: never beside real numbers")
a = "  national: true\n"
assert a in real
real = real.replace(a, "  national: false\n")  # a regional extract: koko maa from published values
a = "    country: [country]\n    maakunta: [maakunta]\n    hyvinvointialue: [hyvinvointialue]\n"
assert a in real
real = real.replace(a, "")
for w in ("ath2012", "finsote2018", "ts2022"):
    real = real.replace(f"file: data/raw/synthetic/{w}.sav", f"file: data/raw/{w}.sav")
a = "  membership: reference        # reference: region at reference_date; survey_time: region when surveyed"
assert a in real
real = real.replace(a, a.replace("membership: reference       ", "membership: survey_time     "))
a = "  covariate_file: config/areas/mikkeli_subarea_covariates.csv"
assert a in real
real = real.replace(a, "  covariate_file: config/subarea_covariates.csv")
real += """
# Published national values to compare the region with, as for a regional extract (illustrative fixture rows)
reference_values:
  file: ../../tests/data/register/reference_values.csv
  indicators: {daily_smoking: 4559}
"""
open(".test/config_real/config/config.yaml", "w").write(real)
en = paths("""# CI test configuration: the default synthetic run with English reports. Run from the repository root:
#   snakemake --cores 2 --directory .test/config_en
""" + rest)
a = "  language: fi             # fi | en"
assert a in en
en = en.replace(a, "  language: en             # fi | en")
open(".test/config_en/config/config.yaml", "w").write(en)
