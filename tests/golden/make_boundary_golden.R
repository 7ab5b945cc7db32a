# Clopper–Pearson limits of a prevalence of exactly 0 or 1 out of n (binom.test, R's stats package): the
# oracle of survey.intervals.boundary, which the estimate stage uses where logit and beta are undefined.
# Run from the repository root:  Rscript tests/golden/make_boundary_golden.R
cases <- expand.grid(n = c(1, 2, 5, 30, 58, 137, 1000, 25000), positive_share = c(0, 1),
                     level = c(0.8, 0.9, 0.95, 0.99))
limits <- t(mapply(function(n, p, level) binom.test(n * p, n, conf.level = level)$conf.int,
                   cases$n, cases$positive_share, cases$level))
cases$ci_low <- limits[, 1]
cases$ci_high <- limits[, 2]
write.csv(cases, "tests/golden/boundary_intervals.csv", row.names = FALSE)
