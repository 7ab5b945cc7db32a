# Golden values for ath_analysis.sae (Fay–Herriot), computed with R's `metafor` package (Viechtbauer), the oracle.
#
# Rerun from the repository root (needs R with metafor, e.g. `apt-get install r-cran-metafor`):
#     Rscript tests/golden/make_sae_golden.R
# It generates small deterministic area-level data sets (set.seed) and writes, into tests/golden/:
#   sae_input.csv     the data: dataset, area, y (NA = area without a direct estimate), vi, x1, x2
#                     (R reads the file back, so R and Python use byte-identical inputs)
#   sae_fits.csv      one row per dataset × model × method: sigma2_v, its SE, log-likelihood, AIC, BIC
#   sae_coef.csv      one row per dataset × model × method × term: beta and its SE
#   sae_areas.csv     one row per dataset × model × method × area: metafor's EBLUP (blup: pred, se) for areas
#                     with y, the synthetic prediction (predict with newmods: pred, se) for areas without; and
#                     the MSE terms g1, g2, g3, b_ML and the Prasad–Rao / Datta–Lahiri MSEs computed below in
#                     plain matrix R from the textbook formulas (NOT from metafor, which has no g3)
#   sae_versions.csv  R and metafor versions that produced the values
# The committed values were produced with R 4.2.2 and metafor 3.8.1 (see sae_versions.csv).
#
# Definitions, for a model fit <- rma(yi = y, vi = vi, mods = ~ <model>, method = <method>) on the areas with y:
#   sigma2_v = fit$tau2, se_sigma2_v = fit$se.tau2, beta / se = fit$beta / fit$se,
#   loglik / aic / bic = fitstats(fit) (REML: metafor's convention, which adds 1/2 log|X'X|; BIC uses k - p)
#   blup(fit): pred = gamma*y + (1-gamma)*x'beta, se^2 = g1 + g2 (beta uncertainty, NOT that of sigma2_v)
#   predict(fit, newmods = x): pred = x'beta, se^2 = x' Var(beta) x; synthetic MSE = se^2 + sigma2_v
# Textbook MSE terms (Rao & Molina 2015, Small Area Estimation, 2nd ed., section 6.2), V_i = sigma2_v + vi:
#   g1 = sigma2_v vi / V_i;  g2 = (vi / V_i)^2 x_i' (X' V^-1 X)^-1 x_i
#   g3 = vi^2 / V_i^3 * Vbar,  Vbar = 2 / sum_j V_j^-2   (asymptotic variance of sigma2_v, REML and ML)
#   b_ML = -tr[(X' V^-1 X)^-1 X' V^-2 X] / sum_j V_j^-2  (O(1/m) bias of the ML sigma2_v)
#   mse_pr = g1 + g2 + 2 g3 (Prasad–Rao);  mse_dl = g1 + g2 + 2 g3 - b_ML (vi / V_i)^2 (Datta–Lahiri, ML)
#
# metafor's Fisher scoring stops when tau^2 changes by less than 1e-5 (absolute), which leaves ~1e-6 relative
# error. The oracle should be the converged fit, so the threshold is tightened to 1e-14 (maxiter 10000). The
# data set `boundary` has its (restricted) likelihood maximum at sigma2_v = 0; there metafor's Hedges starting
# value is negative, Fisher scoring starts at 0 and stays there, and the golden sigma2_v is exactly 0.

suppressPackageStartupMessages(library(metafor))
options(warn = 1)
out_dir <- file.path("tests", "golden")
digits17 <- function(x) ifelse(is.na(x), NA, sprintf("%.17g", x))
ctrl <- list(threshold = 1e-14, maxiter = 10000)

# ---------------------------------------------------------------------------------------------- the data
set.seed(20250219)
make_set <- function(name, m, beta, sigma2_v, vi_range, n_missing) {
  x1 <- runif(m, 0, 1)
  x2 <- rnorm(m)
  vi <- runif(m, vi_range[1], vi_range[2])
  theta <- beta[1] + beta[2] * x1 + beta[3] * x2 + rnorm(m, 0, sqrt(sigma2_v))
  y <- theta + rnorm(m, 0, sqrt(vi))
  y[seq_len(n_missing)] <- NA                       # areas without respondents: synthetic predictions only
  data.frame(dataset = name, area = sprintf("%s%02d", substr(name, 1, 1), seq_len(m)),
             y = signif(y, 12), vi = signif(vi, 12), x1 = signif(x1, 12), x2 = signif(x2, 12),
             stringsAsFactors = FALSE)
}
sets <- rbind(
  make_set("covariates", 43, c(1, 2, -0.5), 0.4, c(0.1, 1.5), 3),
  make_set("boundary", 32, c(0.3, 0.5, 0), 0, c(0.5, 2), 2)
)
write.csv(sets, file.path(out_dir, "sae_input.csv"), row.names = FALSE, na = "NA")
sets <- read.csv(file.path(out_dir, "sae_input.csv"), stringsAsFactors = FALSE)

models <- list(intercept = ~ 1, covariates = ~ x1 + x2)

# ------------------------------------------------------------------------------------ textbook MSE terms
mse_terms <- function(sigma2_v, vi, X, Xfit, vifit) {
  Vfit <- sigma2_v + vifit
  XtViX <- t(Xfit) %*% diag(1 / Vfit, nrow = length(Vfit)) %*% Xfit
  Q <- solve(XtViX)
  XtVi2X <- t(Xfit) %*% diag(1 / Vfit^2, nrow = length(Vfit)) %*% Xfit
  V <- sigma2_v + vi
  B <- vi / V
  h <- rowSums((X %*% Q) * X)
  g1 <- sigma2_v * vi / V
  g2 <- B^2 * h
  Vbar <- 2 / sum(1 / Vfit^2)
  g3 <- vi^2 / V^3 * Vbar
  b_ml <- -sum(diag(Q %*% XtVi2X)) / sum(1 / Vfit^2)
  list(g1 = g1, g2 = g2, g3 = g3, b_ml = rep(b_ml, length(vi)), mse_pr = g1 + g2 + 2 * g3,
       mse_dl = g1 + g2 + 2 * g3 - b_ml * B^2, h = h)
}

fits <- list(); coefs <- list(); areas <- list()
for (ds in unique(sets$dataset)) {
  d <- sets[sets$dataset == ds, ]
  has <- !is.na(d$y)
  for (model in names(models)) {
    form <- models[[model]]
    X <- model.matrix(form, data = d)
    for (method in c("REML", "ML")) {
      fit <- rma(yi = y, vi = vi, mods = form, data = d[has, ], method = method, test = "z", control = ctrl)
      stats <- fitstats(fit)
      fits[[length(fits) + 1]] <- data.frame(
        dataset = ds, model = model, method = method, k = fit$k, p = fit$p,
        sigma2_v = digits17(fit$tau2), se_sigma2_v = digits17(fit$se.tau2),
        loglik = digits17(stats[1, 1]), aic = digits17(stats[3, 1]), bic = digits17(stats[4, 1]),
        stringsAsFactors = FALSE)
      coefs[[length(coefs) + 1]] <- data.frame(
        dataset = ds, model = model, method = method, term = rownames(fit$beta),
        beta = digits17(as.vector(fit$beta)), se = digits17(fit$se), stringsAsFactors = FALSE)
      b <- blup(fit)
      pred <- rep(NA_real_, nrow(d)); se <- rep(NA_real_, nrow(d))
      pred[has] <- b$pred; se[has] <- b$se
      if (any(!has)) {
        newmods <- X[!has, -1, drop = FALSE]
        p <- if (ncol(newmods) == 0) predict(fit) else predict(fit, newmods = newmods)
        pred[!has] <- rep(p$pred, length.out = sum(!has)); se[!has] <- rep(p$se, length.out = sum(!has))
      }
      terms <- mse_terms(fit$tau2, d$vi, X, X[has, , drop = FALSE], d$vi[has])
      # areas without y: the synthetic estimator x'beta, with MSE sigma2_v + x' Var(beta) x (terms for gamma = 0)
      synth <- !has
      areas[[length(areas) + 1]] <- data.frame(
        dataset = ds, model = model, method = method, area = d$area,
        estimate_type = ifelse(has, "eblup", "synthetic"),
        pred = digits17(pred), se = digits17(se),
        g1 = digits17(ifelse(synth, NA, terms$g1)), g2 = digits17(ifelse(synth, NA, terms$g2)),
        g3 = digits17(ifelse(synth, NA, terms$g3)), b_ml = digits17(terms$b_ml),
        mse_pr = digits17(ifelse(synth, fit$tau2 + terms$h, terms$mse_pr)),
        mse_dl = digits17(ifelse(synth, fit$tau2 - terms$b_ml + terms$h, terms$mse_dl)),
        stringsAsFactors = FALSE)
    }
  }
}
write.csv(do.call(rbind, fits), file.path(out_dir, "sae_fits.csv"), row.names = FALSE, na = "NA")
write.csv(do.call(rbind, coefs), file.path(out_dir, "sae_coef.csv"), row.names = FALSE, na = "NA")
write.csv(do.call(rbind, areas), file.path(out_dir, "sae_areas.csv"), row.names = FALSE, na = "NA")
write.csv(data.frame(software = c("R", "metafor"),
                     version = c(R.version.string, as.character(packageVersion("metafor")))),
          file.path(out_dir, "sae_versions.csv"), row.names = FALSE)
