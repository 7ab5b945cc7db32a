# Golden values for ath_analysis.survey.contrast, computed with R's `survey` package (Lumley), the oracle.
#
# Rerun from the repository root (needs R with the survey package, e.g. `apt-get install r-cran-survey`):
#     Rscript tests/golden/make_contrast_golden.R
# It reads the sample and designs of make_survey_golden.R (survey_input.csv, survey_designs.csv,
# survey_std_population.csv; it does not change them) and writes, into tests/golden/:
#   contrast_regions.csv      municipality -> region (two regions), a parent domain that is not the whole sample
#   contrast_golden.csv       one row per design × kind × level × standardized × pair × variable × child cell
#   contrast_independent.csv  independent-sample differences and SEs implied by published CIs (formulas)
#   contrast_versions.csv     R and survey versions that produced the values
#
# Definitions, for a child cell d inside the parent cell P and a variable y:
#   sub <- subset(design, P & !is.na(y))          (the difference is a statistic of the parent domain)
#   r   <- svyratio(cbind(yd = y * d, y = y), cbind(nd = d, one = 1), sub, covmat = TRUE)
#   svycontrast(r, yd/nd − y/one): estimate, SE; confint(..., df = degf(sub)): CI limits
# svyratio's joint covariance is R's linearization of the two domain means on the same design (it equals
# svymean on subset(design, d & !is.na(y)) and on `sub` for each mean alone; checked below). Standardized
# rows: one ratio per age group present in d and in P (present = positive weight sum), combined by
# svycontrast with the standard population's shares renormalised over the groups present, which is
# svystandardize's estimator (zero-weight respondents contribute 0 to every ratio, so none is dropped).
# Child cells without respondents for y are written as NA (ath_analysis returns NaN), except the parent's
# estimate (svymean on the parent's subset; the standardized mean from its weighted group means).

suppressPackageStartupMessages(library(survey))
options(survey.adjust.domain.lonely = FALSE, warn = -1)
out_dir <- file.path("tests", "golden")
digits17 <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))

dat <- read.csv(file.path(out_dir, "survey_input.csv"), stringsAsFactors = FALSE)
designs <- read.csv(file.path(out_dir, "survey_designs.csv"), stringsAsFactors = FALSE)
designs[is.na(designs)] <- ""
pop_tab <- read.csv(file.path(out_dir, "survey_std_population.csv"), stringsAsFactors = FALSE)
pop <- setNames(pop_tab$population, pop_tab$agegroup)

regions <- data.frame(municipality = sprintf("M%d", 1:6), region = c("R1", "R1", "R1", "R2", "R2", "R2"))
write.csv(regions, file.path(out_dir, "contrast_regions.csv"), row.names = FALSE)
dat$region <- regions$region[match(dat$municipality, regions$municipality)]
dat$all <- "all"
dat$municipality_sex <- paste(dat$municipality, dat$sex, sep = " × ")

make_design <- function(spec) {
  ids <- if (spec$psu == "") ~1 else as.formula(paste("~", spec$psu))
  strata <- if (spec$strata == "") NULL else as.formula(paste("~", spec$strata))
  fpc <- if (spec$fpc == "") NULL else as.formula(paste("~", spec$fpc))
  svydesign(ids = ids, strata = strata, fpc = fpc, weights = ~w, data = dat, nest = TRUE)
}

# child set, its cell column, parent set, its cell column
pairs <- list(
  list(child = "municipality", ccol = "municipality", parent = "all", pcol = "all"),
  list(child = "municipality", ccol = "municipality", parent = "region", pcol = "region"),
  list(child = "sex", ccol = "sex", parent = "all", pcol = "all"),
  list(child = "municipality_sex", ccol = "municipality_sex", parent = "sex", pcol = "sex"),
  list(child = "municipality_sex", ccol = "municipality_sex", parent = "municipality", pcol = "municipality")
)

one_difference <- function(des, v, cc, pc, level, std) {
  # `des` is the full design; cc, pc: logical child and parent membership over its rows
  y <- dat[[v]]
  obs <- !is.na(y)
  sel_p <- pc & obs
  sel_c <- cc & obs
  if (!any(sel_c)) return(NULL)
  sub <- subset(des, sel_p)
  rows <- dat[sel_p, , drop = FALSE]
  yy <- rows[[v]]
  inc <- cc[sel_p]
  if (!std) {
    num <- cbind(yd = yy * inc, y = yy)
    den <- cbind(nd = as.numeric(inc), one = 1)
    r <- svyratio(num, den, sub, covmat = TRUE)
    cf <- coef(r)
    cvec <- setNames(rep(0, length(cf)), names(cf))
    cvec["yd/nd"] <- 1
    cvec["y/one"] <- -1
    est_c <- cf[["yd/nd"]]
    est_p <- cf[["y/one"]]
    if (getOption("survey.lonely.psu") != "average") {  # each mean alone is R's domain mean
      m_c <- svymean(as.formula(paste("~", v)), subset(des, sel_c))
      m_p <- svymean(as.formula(paste("~", v)), sub)
      vc <- vcov(r)
      close <- function(a, b) abs(a - b) <= 1e-10 * abs(b) + 1e-12
      stopifnot(close(est_c, unname(coef(m_c))), close(est_p, unname(coef(m_p))),
                close(sqrt(vc[1, 1]), unname(SE(m_c))), close(sqrt(vc[4, 4]), unname(SE(m_p))))
    }
  } else {
    wts <- weights(sub)
    groups <- names(pop)
    g_c <- groups[sapply(groups, function(g) sum(wts[inc & rows$agegroup == g]) > 0)]
    g_p <- groups[sapply(groups, function(g) sum(wts[rows$agegroup == g]) > 0)]
    num <- cbind(sapply(g_c, function(g) yy * (inc & rows$agegroup == g)),
                 sapply(g_p, function(g) yy * (rows$agegroup == g)))
    den <- cbind(sapply(g_c, function(g) as.numeric(inc & rows$agegroup == g)),
                 sapply(g_p, function(g) as.numeric(rows$agegroup == g)))
    num <- matrix(num, nrow = nrow(rows))
    den <- matrix(den, nrow = nrow(rows))
    colnames(num) <- c(paste0("yc_", g_c), paste0("yp_", g_p))
    colnames(den) <- c(paste0("nc_", g_c), paste0("np_", g_p))
    r <- svyratio(num, den, sub, covmat = TRUE)
    cf <- coef(r)
    cvec <- setNames(rep(0, length(cf)), names(cf))
    for (g in g_c) cvec[paste0("yc_", g, "/nc_", g)] <- pop[[g]] / sum(pop[g_c])
    for (g in g_p) cvec[paste0("yp_", g, "/np_", g)] <- cvec[paste0("yp_", g, "/np_", g)] - pop[[g]] / sum(pop[g_p])
    stopifnot(abs(sum(cvec[cvec > 0]) - 1) < 1e-12)
    est_c <- sum((cvec * cf)[cvec > 0])
    est_p <- -sum((cvec * cf)[cvec < 0])
  }
  cvec[is.na(cf) & cvec == 0] <- 0
  keep <- cvec != 0
  k <- svycontrast(r, cvec)
  # svycontrast multiplies every coefficient, NA ones too; only those with a weight enter (none is NA)
  stopifnot(!any(is.na(cf[keep])))
  df <- degf(sub)
  ci <- confint(k, level = level, df = df)
  list(n = sum(sel_c), n_parent = sum(sel_p), estimate_domain = est_c, estimate_parent = est_p,
       estimate = unname(coef(k)), se = unname(SE(k)), df = df, ci_low = ci[1], ci_high = ci[2])
}

results <- list()
for (i in seq_len(nrow(designs))) {
  spec <- designs[i, ]
  options(survey.lonely.psu = if (spec$lonely_psu == "fail") "fail" else spec$lonely_psu)
  des <- make_design(spec)
  cat("design", spec$design_id, "\n")
  cases <- list(list(kind = "proportion", vars = c("y1", "y2", "y4"), level = 0.95, std = FALSE),
                list(kind = "mean", vars = "y3", level = 0.95, std = FALSE))
  if (spec$design_id == "strat") {
    cases[[length(cases) + 1]] <- list(kind = "proportion", vars = "y1", level = 0.90, std = FALSE)
  }
  if (spec$design_id %in% c("strat", "strat_clus_fpc", "lonely_el_average", "lonely_cl_adjust", "lonely_cl_average")) {
    cases[[length(cases) + 1]] <- list(kind = "proportion", vars = c("y1", "y4"), level = 0.95, std = TRUE)
    cases[[length(cases) + 1]] <- list(kind = "mean", vars = "y3", level = 0.95, std = TRUE)
  }
  for (case in cases) {
    for (pr in pairs) {
      cells <- sort(unique(dat[[pr$ccol]]))
      for (v in case$vars) {
        for (cell in cells) {
          cc <- dat[[pr$ccol]] == cell
          parent_value <- unique(dat[[pr$pcol]][cc])
          stopifnot(length(parent_value) == 1)
          pc <- dat[[pr$pcol]] == parent_value
          res <- one_difference(des, v, cc, pc, case$level, case$std)
          if (is.null(res)) {  # no respondent in the child cell: only the parent's estimate is defined
            sel_p <- pc & !is.na(dat[[v]])
            if (!any(sel_p)) {  # nor in the parent: R's svymean would give 0 (colSums of nothing)
              est_p <- NA
            } else if (case$std) {  # the directly standardized mean: Σ_g π_g ȳ_g / Σ_g π_g over the groups present
              rows <- dat[sel_p, ]
              ybar <- sapply(names(pop), function(g) with(rows[rows$agegroup == g, ], sum(w * get(v)) / sum(w)))
              ok <- sapply(names(pop), function(g) sum(rows$w[rows$agegroup == g]) > 0)
              est_p <- sum(pop[ok] * ybar[ok]) / sum(pop[ok])
            } else {
              est_p <- unname(coef(svymean(as.formula(paste("~", v)), subset(des, sel_p))))
            }
            res <- list(n = 0, n_parent = sum(sel_p), estimate_domain = NA, estimate_parent = est_p,
                        estimate = NA, se = NA, df = NA, ci_low = NA, ci_high = NA)
          }
          results[[length(results) + 1]] <- c(
            list(design_id = spec$design_id, kind = case$kind, level = case$level, standardized = case$std,
                 domain = pr$child, domain_value = as.character(cell), parent = pr$parent,
                 parent_value = as.character(parent_value), variable = v), res)
        }
      }
    }
  }
}
golden <- do.call(rbind, lapply(results, function(r) as.data.frame(r, stringsAsFactors = FALSE)))
for (c in c("estimate_domain", "estimate_parent", "estimate", "se", "ci_low", "ci_high")) {
  golden[[c]] <- digits17(as.numeric(golden[[c]]))
}
write.csv(golden, file.path(out_dir, "contrast_golden.csv"), row.names = FALSE, na = "NA")

# --------------------------------------------------------------- independent samples and published CIs
# Formulas, computed here independently of the Python code: d = e1 - e2, se = sqrt(se1^2 + se2^2),
# df by rule (Welch-Satterthwaite, the smaller df, or the normal quantile), CI d -/+ qt(1 - a/2, df) * se.
set.seed(7)
m <- 12
ind <- data.frame(e1 = round(runif(m, 0.05, 0.6), 6), se1 = round(runif(m, 0.005, 0.06), 6),
                  df1 = sample(c(3, 8, 25, 140, Inf), m, replace = TRUE),
                  e2 = round(runif(m, 0.05, 0.6), 6), se2 = round(runif(m, 0.005, 0.06), 6),
                  df2 = sample(c(5, 40, 300, Inf), m, replace = TRUE),
                  level = sample(c(0.95, 0.9), m, replace = TRUE))
ind$se2[3] <- 0          # a value without sampling error
ind$df1[4] <- 0          # an estimate without degrees of freedom: no interval
ind$df1[5] <- Inf; ind$df2[5] <- Inf
rows <- list()
for (rule in c("satterthwaite", "min", "normal")) {
  for (i in seq_len(m)) {
    x <- ind[i, ]
    d <- x$e1 - x$e2
    v1 <- x$se1^2; v2 <- x$se2^2
    s <- sqrt(v1 + v2)
    df <- switch(rule,
      satterthwaite = {
        terms <- (if (v1 > 0) v1^2 / x$df1 else 0) + (if (v2 > 0) v2^2 / x$df2 else 0)
        if (terms > 0) (v1 + v2)^2 / terms else min(x$df1, x$df2)
      },
      min = min(x$df1, x$df2),
      normal = Inf)
    if (!(x$df1 > 0 && x$df2 > 0)) df <- min(x$df1, x$df2)
    q <- if (df > 0) qt(1 - (1 - x$level) / 2, df) else NA
    rows[[length(rows) + 1]] <- data.frame(x, rule = rule, estimate = d, se = s, df = df,
                                           ci_low = d - q * s, ci_high = d + q * s)
  }
}
indep <- do.call(rbind, rows)
# SE implied by a published CI: Wald (symmetric) and logit (symmetric on the logit scale)
indep$pub_low_wald <- indep$e2 - qnorm(0.975) * indep$se2
indep$pub_high_wald <- indep$e2 + qnorm(0.975) * indep$se2
half <- qnorm(0.975) * indep$se2 / (indep$e2 * (1 - indep$e2))
indep$pub_low_logit <- plogis(qlogis(indep$e2) - half)
indep$pub_high_logit <- plogis(qlogis(indep$e2) + half)
for (c in c("estimate", "se", "df", "ci_low", "ci_high", "pub_low_wald", "pub_high_wald", "pub_low_logit",
            "pub_high_logit")) {
  indep[[c]] <- digits17(as.numeric(indep[[c]]))
}
write.csv(indep, file.path(out_dir, "contrast_independent.csv"), row.names = FALSE, na = "NA")

write.csv(data.frame(software = c("R", "survey"),
                     version = c(R.version.string, as.character(packageVersion("survey")))),
          file.path(out_dir, "contrast_versions.csv"), row.names = FALSE)
cat("wrote", nrow(golden), "difference rows and", nrow(indep), "independent rows\n")
