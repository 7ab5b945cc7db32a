# Golden values for ath_analysis.survey, computed with R's `survey` package (Lumley), the oracle.
#
# Rerun from the repository root (needs R with the survey package, e.g. `apt-get install r-cran-survey`):
#     Rscript tests/golden/make_survey_golden.R
# It generates a small deterministic synthetic sample (set.seed) and writes, into tests/golden/:
#   survey_input.csv           the sample (R reads it back, so R and Python use byte-identical inputs)
#   survey_designs.csv         design id -> weight/strata/psu/fpc columns and lonely-PSU policy
#   survey_golden.csv          one row per design × kind × level × standardized × variable × domain cell
#   survey_errors.csv          the error R raises for lonely PSUs under survey.lonely.psu = "fail"
#   survey_std_population.csv  the standard population used for age standardization
#   survey_versions.csv        R and survey versions that produced the values
# The committed values were produced with R 4.2.2 and survey 4.1.1 (see survey_versions.csv).
#
# Definitions (what each golden row means), for a domain cell d and a variable y:
#   sub  <- subset(design, d & !is.na(y))
#   estimate, se, deff:  svymean(~y, sub, deff = TRUE)  (svytotal for totals)
#   df:                  degf(sub)
#   ci_*_logit/beta:     svyciprop(~y, sub, method = "logit"/"beta", level = level)
#   ci_*_wald:           confint(svymean(~y, sub), level = level, df = degf(sub))
# Standardized rows: std <- svystandardize(design, by = ~agegroup, over = ~<domain columns>,
#   population = pop, excluding.missing = ~y); estimates by svyby(~y, ~<domain>, std, svymean, deff = TRUE)
#   (cross-checked against subset(std, d)); CIs from subset(std, d) as above.
# Cells where R cannot define a statistic and we choose NA are written as NA here (see comments below).

suppressPackageStartupMessages(library(survey))
options(survey.adjust.domain.lonely = FALSE, warn = -1)
# svyciprop(method = "logit") fits an intercept-only quasibinomial glm with glm.control()'s default
# epsilon = 1e-8, which stops IRLS with up to ~5e-8 relative error left in the limits when p is small. The
# oracle should be the converged fit, so tighten the tolerance (it changes nothing else used here).
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
set.seed(20240611)
n_psu <- c(S1 = 4, S2 = 5, S3 = 3, S4 = 6, S5 = 4, S6 = 5)
rows <- list()
for (h in names(n_psu)) {
  for (p in seq_len(n_psu[[h]])) {
    m <- sample(6:14, 1)
    rows[[length(rows) + 1]] <- data.frame(stratum = h, psu = p, stringsAsFactors = FALSE)[rep(1, m), ]
  }
}
dat <- do.call(rbind, rows)
n <- nrow(dat)
dat$id <- seq_len(n)
dat$psu_id <- as.integer(factor(paste(dat$stratum, dat$psu)))          # globally unique cluster ids
dat$fpc_n <- (n_psu * c(3, 5, 2, 4, 10, 6))[dat$stratum]                  # population PSUs per stratum
dat$fpc_frac <- round(n_psu[dat$stratum] / dat$fpc_n, 6)                # sampling fraction of PSUs
rows_h <- table(dat$stratum)
dat$fpc_rows <- as.vector(rows_h[dat$stratum] * c(S1 = 8, S2 = 1, S3 = 20, S4 = 5, S5 = 3, S6 = 12)[dat$stratum])
# S2 has fpc_rows == its sample size: a stratum sampled with certainty (no variance contribution)
dat$w <- round(runif(n, 5, 60), 6)
dat$w[17] <- 0                                                          # one zero-weight respondent
dat$municipality <- sample(sprintf("M%d", 1:5), n, replace = TRUE)
dat$municipality[40] <- "M6"                                            # a single-respondent domain
dat$sex <- sample(1:2, n, replace = TRUE)
dat$agegroup <- sample(c("20-54", "55-74", "75+"), n, replace = TRUE, prob = c(0.5, 0.32, 0.18))
age_eff <- c("20-54" = -0.6, "55-74" = 0, "75+" = 0.7)[dat$agegroup]
mun_eff <- c(M1 = 0, M2 = 0.4, M3 = -0.3, M4 = 0.2, M5 = -0.5, M6 = 0)[dat$municipality]
str_eff <- c(S1 = 0.3, S2 = -0.2, S3 = 0, S4 = 0.5, S5 = -0.4, S6 = 0.1)[dat$stratum]
dat$y1 <- rbinom(n, 1, plogis(-0.4 + age_eff + mun_eff + str_eff))
dat$y1[sample(n, round(0.08 * n))] <- NA
dat$y2 <- rbinom(n, 1, 0.07)
dat$y2[dat$municipality == "M4"] <- 0                                   # p = 0 in a domain
dat$y2[sample(n, round(0.05 * n))] <- NA
dat$y3 <- round(26 + 2 * age_eff + rnorm(n, 0, 4), 4)
dat$y3[sample(n, round(0.1 * n))] <- NA
dat$y4 <- rbinom(n, 1, 0.4)
dat$y4[sample(n, round(0.05 * n))] <- NA
dat$y4[dat$municipality == "M5"] <- NA                                  # a domain with no respondent
dat$y1[40] <- 1; dat$y3[40] <- 31.5; dat$y4[40] <- 0                   # the single respondent answers
# lonely strata: one respondent alone in stratum "L" (element design), one PSU alone in "L" (cluster design)
dat$stratum_l <- dat$stratum
dat$stratum_l[25] <- "L"
dat$stratum_lc <- ifelse(dat$stratum == "S3" & dat$psu == 1, "L", dat$stratum)
write.csv(dat, file.path(out_dir, "survey_input.csv"), row.names = FALSE)
dat <- read.csv(file.path(out_dir, "survey_input.csv"), stringsAsFactors = FALSE)
dat$dom_municipality <- dat$municipality
dat$dom_sex <- dat$sex
dat$dom_municipality_sex <- paste(dat$municipality, dat$sex, sep = "|")

# ------------------------------------------------------------------------------------------- the designs
designs <- data.frame(
  design_id = c("strat", "clus1", "strat_clus_fpc", "strat_clus_fpcfrac", "srs", "strat_fpc",
                paste0("lonely_el_", c("remove", "adjust", "certainty", "average")),
                paste0("lonely_cl_", c("remove", "adjust", "certainty", "average"))),
  weight = "w",
  strata = c("stratum", "", "stratum", "stratum", "", "stratum", rep("stratum_l", 4), rep("stratum_lc", 4)),
  psu = c("", "psu_id", "psu", "psu", "", "", rep("", 4), rep("psu", 4)),
  fpc = c("", "", "fpc_n", "fpc_frac", "", "fpc_rows", rep("", 8)),
  lonely_psu = c(rep("fail", 6), rep(c("remove", "adjust", "certainty", "average"), 2)),
  stringsAsFactors = FALSE
)
write.csv(designs, file.path(out_dir, "survey_designs.csv"), row.names = FALSE)

make_design <- function(spec, data = dat) {
  ids <- if (spec$psu == "") ~1 else as.formula(paste("~", spec$psu))
  strata <- if (spec$strata == "") NULL else as.formula(paste("~", spec$strata))
  fpc <- if (spec$fpc == "") NULL else as.formula(paste("~", spec$fpc))
  svydesign(ids = ids, strata = strata, fpc = fpc, weights = ~w, data = data, nest = TRUE)
}

# ----------------------------------------------------------------------------------------- the domains
domain_sets <- list(all = character(0), municipality = "municipality", sex = "sex",
                    municipality_sex = c("municipality", "sex"))
cells_of <- function(cols) {
  if (length(cols) == 0) return(data.frame(row.names = 1))
  u <- unique(dat[, cols, drop = FALSE])
  u[do.call(order, u), , drop = FALSE]
}
in_cell <- function(data, cols, cell) {
  sel <- rep(TRUE, nrow(data))
  for (c in cols) sel <- sel & data[[c]] == cell[[c]]
  sel
}

pop <- c("20-54" = 46500, "55-74" = 23000, "75+" = 9000)   # ESP2013 ages 20-54, 55-74, 75+ summed
write.csv(data.frame(agegroup = names(pop), population = unname(pop)),
          file.path(out_dir, "survey_std_population.csv"), row.names = FALSE)

num <- function(x) as.numeric(unclass(x))[1]
ci_of <- function(expr) tryCatch(as.numeric(attr(expr, "ci")), error = function(e) c(NA, NA))

one_cell <- function(sub, v, kind, level, data_rows) {
  fml <- as.formula(paste("~", v))
  yv <- data_rows[[v]]
  res <- list(n = length(yv), n_positive = if (kind == "proportion") sum(yv == 1) else NA,
              weight_sum = sum(weights(sub)[weights(sub) > 0]))
  df <- degf(sub)
  if (kind == "total") {
    st <- svytotal(fml, sub, deff = TRUE)
  } else {
    st <- svymean(fml, sub, deff = TRUE)
  }
  wald <- confint(st, level = level, df = df)
  res <- c(res, list(estimate = num(coef(st)), se = num(SE(st)), df = df, deff = num(deff(st)),
                     ci_low_wald = wald[1], ci_high_wald = wald[2]))
  if (kind == "proportion") {
    lg <- ci_of(svyciprop(fml, sub, method = "logit", level = level))
    bt <- ci_of(svyciprop(fml, sub, method = "beta", level = level))
    res <- c(res, list(ci_low_logit = lg[1], ci_high_logit = lg[2], ci_low_beta = bt[1], ci_high_beta = bt[2]))
  } else {
    res <- c(res, list(ci_low_logit = NA, ci_high_logit = NA, ci_low_beta = NA, ci_high_beta = NA))
  }
  res
}

empty_cell <- function(kind) {
  # R returns 0 (colSums of an empty matrix) for a domain without respondents; we define it as NA.
  list(n = 0, n_positive = if (kind == "proportion") 0 else NA, weight_sum = 0, estimate = NA, se = NA,
       df = NA, deff = NA, ci_low_wald = NA, ci_high_wald = NA, ci_low_logit = NA, ci_high_logit = NA,
       ci_low_beta = NA, ci_high_beta = NA)
}

results <- list()
add <- function(key, cols, cell, res) {
  vals <- if (length(cols)) vapply(cols, function(c) as.character(cell[[c]]), "") else character(0)
  row <- c(key, list(municipality = if ("municipality" %in% cols) vals[["municipality"]] else NA,
                     sex = if ("sex" %in% cols) vals[["sex"]] else NA), res)
  results[[length(results) + 1]] <<- row
}

plain <- function(id, des, v, kind, level) {
  for (set in names(domain_sets)) {
    cols <- domain_sets[[set]]
    cells <- cells_of(cols)
    for (i in seq_len(nrow(cells))) {
      cell <- cells[i, , drop = FALSE]
      sel <- in_cell(dat, cols, cell) & !is.na(dat[[v]])
      key <- list(design_id = id, kind = kind, level = level, standardized = FALSE, variable = v, domain = set)
      if (!any(sel)) { add(key, cols, cell, empty_cell(kind)); next }
      sub <- subset(des, sel)
      add(key, cols, cell, one_cell(sub, v, kind, level, dat[sel, , drop = FALSE]))
    }
  }
}

# `over` is one column holding the cell (dom_<set>), not the crossed columns: survey 4.1.1's postStratify
# misaligns its table when a crossing of `over` factors is empty (here M6 x sex 1) while other cells lack an
# age group (partial=TRUE), leaving some weights NA. The cells, and so the estimator, are the same.
standardized <- function(id, des, v, kind, level) {
  fml <- as.formula(paste("~", v))
  for (set in names(domain_sets)) {
    cols <- domain_sets[[set]]
    dom <- paste0("dom_", set)
    over <- if (length(cols)) as.formula(paste("~", dom)) else ~1
    std <- svystandardize(des, by = ~agegroup, over = over, population = pop, excluding.missing = fml)
    if (length(cols)) {
      by_res <- svyby(fml, over, std, svymean, deff = TRUE)
    }
    cells <- cells_of(cols)
    for (i in seq_len(nrow(cells))) {
      cell <- cells[i, , drop = FALSE]
      key <- list(design_id = id, kind = kind, level = level, standardized = TRUE, variable = v, domain = set)
      sel <- in_cell(std$variables, cols, cell)
      if (!any(sel)) { add(key, cols, cell, empty_cell(kind)); next }
      sub <- if (length(cols)) subset(std, sel) else std
      rows_here <- std$variables[sel, , drop = FALSE]
      res <- one_cell(sub, v, kind, level, rows_here)
      res$weight_sum <- sum(rows_here$w)       # the original weights' sum (standardized ones are rescaled)
      # Korn-Graubard on a subset of a calibrated design uses nrow() of the whole design (rows outside the
      # domain are kept with zero weight); that is an artefact, so beta limits are not compared here.
      res$ci_low_beta <- NA; res$ci_high_beta <- NA
      if (length(cols)) {
        j <- which(by_res[[dom]] == rows_here[[dom]][1])
        stopifnot(length(j) == 1,
                  isTRUE(all.equal(res$estimate, by_res[[v]][j], tolerance = 1e-12)),
                  isTRUE(all.equal(res$se, by_res[[paste0("se")]][j], tolerance = 1e-12)))
      }
      add(key, cols, cell, res)
    }
  }
}

errors <- list()
for (i in seq_len(nrow(designs))) {
  spec <- designs[i, ]
  options(survey.lonely.psu = if (spec$lonely_psu == "fail") "fail" else spec$lonely_psu)
  des <- make_design(spec)
  cat("design", spec$design_id, "\n")
  for (v in c("y1", "y2", "y4")) plain(spec$design_id, des, v, "proportion", 0.95)
  plain(spec$design_id, des, "y3", "mean", 0.95)
  for (v in c("y1", "y3")) plain(spec$design_id, des, v, "total", 0.95)
  if (spec$design_id == "strat") {
    plain(spec$design_id, des, "y1", "proportion", 0.90)
    plain(spec$design_id, des, "y3", "mean", 0.90)
  }
  if (spec$design_id %in% c("strat", "strat_clus_fpc", "lonely_el_average", "lonely_cl_adjust")) {
    # Standardized rows use the sample WITHOUT its zero-weight respondent: postStratify's residualization
    # sets that respondent's post-stratum weight from 0 to 1 (to avoid 0/0) and then multiplies by it, so
    # an exactly-zero weight changes the SE (w = 1e-300 gives the SE that w -> 0 implies; w = 0 does not).
    # ath_analysis.survey lets a zero weight contribute nothing; the tests drop the same row.
    des_pos <- make_design(spec, data = dat[dat$w > 0, ])
    for (v in c("y1", "y4")) standardized(spec$design_id, des_pos, v, "proportion", 0.95)
    standardized(spec$design_id, des_pos, "y3", "mean", 0.95)
  }
}

# lonely PSUs under the default policy "fail": R refuses; record its message (it names the stratum)
options(survey.lonely.psu = "fail")
for (spec_id in c("lonely_el_remove", "lonely_cl_remove")) {
  spec <- designs[designs$design_id == spec_id, ]
  des <- make_design(spec)
  msg <- tryCatch({ svymean(~y1, des, na.rm = TRUE); "" }, error = function(e) conditionMessage(e))
  errors[[length(errors) + 1]] <- data.frame(strata = spec$strata, psu = spec$psu, message = msg)
}
write.csv(do.call(rbind, errors), file.path(out_dir, "survey_errors.csv"), row.names = FALSE)

golden <- do.call(rbind, lapply(results, function(r) as.data.frame(r, stringsAsFactors = FALSE)))
numeric_cols <- c("weight_sum", "estimate", "se", "deff", "ci_low_wald", "ci_high_wald", "ci_low_logit",
                  "ci_high_logit", "ci_low_beta", "ci_high_beta")
for (c in numeric_cols) golden[[c]] <- digits17(as.numeric(golden[[c]]))
write.csv(golden, file.path(out_dir, "survey_golden.csv"), row.names = FALSE, na = "NA")

write.csv(data.frame(software = c("R", "survey"),
                     version = c(R.version.string, as.character(packageVersion("survey")))),
          file.path(out_dir, "survey_versions.csv"), row.names = FALSE)
cat("wrote", nrow(golden), "golden rows\n")
