# Golden values for ath_analysis.models (survey-weighted GLMs), computed with R's `survey` package, the oracle.
#
# Rerun from the repository root (needs R with the survey package, e.g. `apt-get install r-cran-survey`):
#     Rscript tests/golden/make_models_golden.R
# It generates a small deterministic sample (set.seed) and writes, into tests/golden/:
#   models_input.csv     the sample (R reads it back, so R and Python use byte-identical inputs)
#   models_designs.csv   design id -> strata/psu/fpc columns and lonely-PSU policy (weights are always `w`): six
#                        designs, with and without clusters, FPC and lonely PSUs ("adjust", "average")
#   models_cases.csv     case id -> response, family, whether the model is adjusted, domain column
#   models_coef.csv      svyglm coefficients: estimate, SE, t, p, Wald CI (confint), residual df
#   models_tests.csv     regTermTest(model, ~term): F, numerator df, denominator df, p
#   models_margins.csv   svypredmeans(model, ~group): estimate and SE per level, and the differences from the
#                        reference level G1 with svycontrast (estimate and SE)
#   models_versions.csv  R and survey versions that produced the values
# The committed values were produced with R 4.2.2 and survey 4.1.1 (see models_versions.csv).
#
# Definitions, for a case with response y, family f and domain column d (TRUE when the respondent is in it):
#   sub   <- subset(design, d)            (or the whole design when the case has no domain)
#   model <- svyglm(y ~ group + agegroup + sex + educ, sub, family = f)   (adjusted; y ~ group when crude)
#   margins: svypredmeans(svyglm(y ~ agegroup + sex + educ, sub, family = f), ~group)   (y ~ 1 when crude)
# Respondents with a missing y or educ drop out of the model (svyglm's na.action), not out of the design.
# Python fits "y ~ C(group, Treatment('G1')) + C(agegroup) + C(sex) + C(educ)" with the margin variable in the
# model; svypredmeans adds the same variable itself, so the models are identical.

suppressPackageStartupMessages(library(survey))
options(survey.adjust.domain.lonely = FALSE, warn = -1)
# glm()'s default convergence tolerance (epsilon = 1e-8 on the deviance) leaves up to ~1e-7 relative error in
# the coefficients; the oracle should be the converged fit, so tighten it (it changes nothing else).
local({
  ctl <- stats::glm.control
  formals(ctl)$epsilon <- 1e-15
  formals(ctl)$maxit <- 200
  ns <- asNamespace("stats")
  unlockBinding("glm.control", ns)
  assign("glm.control", ctl, envir = ns)
  lockBinding("glm.control", ns)
})
out_dir <- file.path("tests", "golden")
digits17 <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

# ---------------------------------------------------------------------------------------------- the data
set.seed(20250307)
n_psu <- c(S1 = 4, S2 = 5, S3 = 3, S4 = 6, S5 = 4, S6 = 5, S7 = 3, S8 = 4)
rows <- list()
for (h in names(n_psu)) {
  for (p in seq_len(n_psu[[h]])) {
    m <- sample(7:15, 1)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, stringsAsFactors = FALSE)[rep(1, m), ]
  }
}
dat <- do.call(rbind, rows)
n <- nrow(dat)
dat$id <- seq_len(n)
rows_h <- table(dat$stratum)
dat$fpc_rows <- as.vector(rows_h[dat$stratum] * c(S1 = 6, S2 = 3, S3 = 12, S4 = 4, S5 = 9, S6 = 5, S7 = 20,
                                                  S8 = 7)[dat$stratum])     # population persons per stratum
dat$fpc_psu <- as.vector(n_psu[dat$stratum] * c(S1 = 3, S2 = 5, S3 = 2, S4 = 4, S5 = 10, S6 = 6, S7 = 8,
                                                S8 = 3)[dat$stratum])       # population PSUs per stratum
# stratum_l: PSU 1 of S3 is a stratum of its own (a lonely PSU)
dat$stratum_l <- ifelse(dat$stratum == "S3" & dat$psu == 1, "L", dat$stratum)
dat$w <- round(runif(n, 5, 60), 6)
dat$w[23] <- 0                                                          # one zero-weight respondent
dat$group <- sample(c("G1", "G2", "G3", "G4"), n, replace = TRUE, prob = c(0.35, 0.3, 0.2, 0.15))
dat$agegroup <- sample(c("20-54", "55-74", "75+"), n, replace = TRUE, prob = c(0.5, 0.32, 0.18))
dat$sex <- sample(1:2, n, replace = TRUE)
dat$educ <- sample(1:3, n, replace = TRUE, prob = c(0.3, 0.4, 0.3))
dat$educ[sample(n, round(0.03 * n))] <- NA
# the domain: most respondents, and whole PSUs outside it (so some strata have PSUs without domain members)
psu_out <- paste(dat$stratum, dat$psu) %in% c("S1 2", "S4 5", "S6 1")
dat$dom <- as.integer(!psu_out & runif(n) < 0.85)
grp_eff <- c(G1 = 0, G2 = 0.5, G3 = -0.4, G4 = 0.9)[dat$group]
age_eff <- c("20-54" = -0.7, "55-74" = 0, "75+" = 0.6)[dat$agegroup]
edu_eff <- c(0.4, 0, -0.5)[dat$educ]
edu_eff[is.na(edu_eff)] <- 0
str_eff <- c(S1 = 0.3, S2 = -0.2, S3 = 0, S4 = 0.5, S5 = -0.4, S6 = 0.1, S7 = 0.2, S8 = -0.1)[dat$stratum]
psu_eff <- rnorm(100, 0, 0.3)[as.integer(factor(paste(dat$stratum, dat$psu)))]
dat$y <- rbinom(n, 1, plogis(-0.6 + grp_eff + age_eff + edu_eff + 0.2 * (dat$sex == 2) + str_eff + psu_eff))
dat$y[sample(n, round(0.05 * n))] <- NA
dat$bmi <- round(26 + 1.5 * grp_eff + 2 * age_eff + edu_eff - 0.8 * (dat$sex == 2) + 3 * psu_eff +
                 rnorm(n, 0, 4), 4)
dat$bmi[sample(n, round(0.06 * n))] <- NA
# stratum_e: one respondent of S1 (in the domain, with every model variable) is a stratum of its own, a lonely
# PSU of a design without clusters (no random draws here, so the columns above are unchanged); fpc_e: that
# stratum's population is 40 persons, the other strata's as fpc_rows
lone <- which(dat$stratum == "S1" & dat$dom == 1 & !is.na(dat$y) & !is.na(dat$bmi) & !is.na(dat$educ) &
              dat$w > 0)[1]
dat$stratum_e <- ifelse(seq_len(n) == lone, "E", dat$stratum)
dat$fpc_e <- ifelse(seq_len(n) == lone, 40, dat$fpc_rows)
write.csv(dat, file.path(out_dir, "models_input.csv"), row.names = FALSE)
dat <- read.csv(file.path(out_dir, "models_input.csv"), stringsAsFactors = FALSE)
dat$group <- factor(dat$group)
dat$agegroup <- factor(dat$agegroup)
dat$sex <- factor(dat$sex)
dat$educ <- factor(dat$educ)
dat$dom <- dat$dom == 1

# ------------------------------------------------------------------------------------------- the designs
designs <- data.frame(
  design_id = c("strat_fpc", "strat_clus", "strat_clus_fpc_adjust", "strat_clus_average", "strat_fpc_lonely_adjust",
                "strat_lonely_average"),
  strata = c("stratum", "stratum", "stratum_l", "stratum_l", "stratum_e", "stratum_e"),
  psu = c("", "psu", "psu", "psu", "", ""),
  fpc = c("fpc_rows", "", "fpc_psu", "", "fpc_e", ""),
  lonely_psu = c("fail", "fail", "adjust", "average", "adjust", "average"),
  stringsAsFactors = FALSE
)
write.csv(designs, file.path(out_dir, "models_designs.csv"), row.names = FALSE)

make_design <- function(spec) {
  ids <- if (spec$psu == "") ~1 else as.formula(paste("~", spec$psu))
  fpc <- if (spec$fpc == "") NULL else as.formula(paste("~", spec$fpc))
  svydesign(ids = ids, strata = as.formula(paste("~", spec$strata)), fpc = fpc, weights = ~w, data = dat,
            nest = TRUE)
}

cases <- data.frame(
  case_id = c("full_binomial", "domain_binomial", "domain_binomial_crude", "full_gaussian", "domain_gaussian"),
  response = c("y", "y", "y", "bmi", "bmi"),
  family = c("binomial", "binomial", "binomial", "gaussian", "gaussian"),
  adjusted = c(TRUE, TRUE, FALSE, TRUE, TRUE),
  domain = c("", "dom", "dom", "", "dom"),
  stringsAsFactors = FALSE
)
write.csv(cases, file.path(out_dir, "models_cases.csv"), row.names = FALSE)

# ---------------------------------------------------------------------------------------------- the fits
coef_rows <- list()
test_rows <- list()
margin_rows <- list()
for (d in seq_len(nrow(designs))) {
  spec <- designs[d, ]
  options(survey.lonely.psu = spec$lonely_psu)
  des <- make_design(spec)
  for (k in seq_len(nrow(cases))) {
    case <- cases[k, ]
    sub <- if (case$domain == "") des else subset(des, dom)
    fam <- if (case$family == "binomial") quasibinomial() else gaussian()
    adjusters <- if (case$adjusted) c("agegroup", "sex", "educ") else character(0)
    model <- svyglm(as.formula(paste(case$response, "~", paste(c("group", adjusters), collapse = " + "))),
                    design = sub, family = fam)
    s <- summary(model)$coefficients
    ci <- confint(model)
    coef_rows[[length(coef_rows) + 1]] <- data.frame(
      design_id = spec$design_id, case_id = case$case_id, term = rownames(s),
      estimate = digits17(s[, 1]), se = digits17(s[, 2]), t = digits17(s[, 3]), p = digits17(s[, 4]),
      ci_low = digits17(ci[, 1]), ci_high = digits17(ci[, 2]), df = model$df.residual,
      stringsAsFactors = FALSE)
    for (term in c("group", adjusters)) {
      tt <- regTermTest(model, as.formula(paste("~", term)))
      test_rows[[length(test_rows) + 1]] <- data.frame(
        design_id = spec$design_id, case_id = case$case_id, term = term, F = digits17(tt$Ftest), ndf = tt$df,
        ddf = tt$ddf, p = digits17(tt$p), stringsAsFactors = FALSE)
    }
    adjust <- svyglm(as.formula(paste(case$response, "~", if (case$adjusted) paste(adjusters, collapse = " + ")
                                      else "1")), design = sub, family = fam)
    pm <- svypredmeans(adjust, ~group)
    levels <- sort(names(coef(pm)))
    others <- setdiff(levels, "G1")
    contrasts <- lapply(others, function(g) setNames(c(1, -1), c(g, "G1")))
    names(contrasts) <- others
    diffs <- svycontrast(pm, contrasts)
    diff_est <- c(G1 = 0, setNames(as.numeric(coef(diffs)), others))
    diff_se <- c(G1 = 0, setNames(as.numeric(SE(diffs)), others))
    margin_rows[[length(margin_rows) + 1]] <- data.frame(
      design_id = spec$design_id, case_id = case$case_id, level = levels,
      estimate = digits17(as.numeric(coef(pm)[levels])), se = digits17(as.numeric(SE(pm)[levels])),
      difference = digits17(diff_est[levels]), diff_se = digits17(diff_se[levels]), stringsAsFactors = FALSE)
  }
}
write.csv(do.call(rbind, coef_rows), file.path(out_dir, "models_coef.csv"), row.names = FALSE)
write.csv(do.call(rbind, test_rows), file.path(out_dir, "models_tests.csv"), row.names = FALSE)
write.csv(do.call(rbind, margin_rows), file.path(out_dir, "models_margins.csv"), row.names = FALSE)
write.csv(data.frame(software = c("R", "survey"),
                     version = c(R.version.string, as.character(packageVersion("survey")))),
          file.path(out_dir, "models_versions.csv"), row.names = FALSE)
