# Independent base-R evaluation of the METHODS.md §A formulas, used to produce the expected
# values quoted in crates/commissioning/src/methods/*.rs where the reference package's own
# test data (xlsx) is not available as text. Uses only R's stats package (qnorm, qchisq, qt,
# ppois, lm), never PHEindicatormethods code. Run: Rscript tests/methods/reference.R
options(digits = 17)

byars_lower <- function(x, z) x * (1 - 1 / (9 * x) - z / (3 * sqrt(x)))^3
byars_upper <- function(x, z) { x <- x + 1; x * (1 - 1 / (9 * x) + z / (3 * sqrt(x)))^3 }
zc <- function(c) qnorm(c + (1 - c) / 2)

esp2013 <- c(5000, 5500, 5500, 5500, 6000, 6000, 6500, 7000, 7000, 7000, 7000, 6500, 6000, 5500,
             5000, 4000, 2500, 1500, 1000)
x <- c(2, 1, 0, 3, 5, 6, 8, 12, 18, 27, 40, 61, 90, 130, 180, 240, 300, 340, 310)
n <- c(5200, 5600, 5700, 5900, 6400, 6600, 6900, 7100, 7000, 6800, 7300, 7200, 6500, 5900,
       5600, 4300, 3100, 2000, 1100)

dsr <- function(x, n, w, c, m = 1e5) {
  value <- sum(x * w / n) / sum(w) * m
  var <- sum(x * (w / n)^2) / sum(w)^2
  o <- sum(x)
  c(value = value,
    lower = value + sqrt(var / o) * (byars_lower(o, zc(c)) - o) * m,
    upper = value + sqrt(var / o) * (byars_upper(o, zc(c)) - o) * m)
}
cat("dsr 95%\n"); print(dsr(x, n, esp2013, 0.95))
cat("dsr 99.8%\n"); print(dsr(x, n, esp2013, 0.998))

# Indirectly standardised ratio and rate.
x <- c(1, 4, 12, 30, 61); n <- c(5200, 4800, 4100, 3000, 1500)
x_ref <- c(300, 1200, 4100, 11000, 21000); n_ref <- c(2500000, 2300000, 2000000, 1500000, 700000)
e <- sum(x_ref / n_ref * n); o <- sum(x)
cat("isr expected, ratio, lower95, upper99.8\n")
print(c(e, o / e, byars_lower(o, zc(0.95)) / e, byars_upper(o, zc(0.998)) / e))
ref_rate <- sum(x_ref) / sum(n_ref) * 1e5
cat("isr ref rate, rate\n"); print(c(ref_rate, o / e * ref_rate))
cat("isr observed total 8, upper95 x100\n"); print(qchisq(0.975, 18) / 2 / e * 100)

# Slope index of inequality: point estimate by lm(), limits by simulation in the reference's
# draw order (quantiles within repetitions) after set.seed(5).
pop <- c(13837, 14519, 14940, 14599, 12311, 13196, 13335, 13388, 13685, 11779)
le <- c(70.56313911, 72.61347473, 75.06710359, 75.20662276, 76.23469045, 75.21801932,
        77.09240397, 79.84156222, 80.81329918, 82.73763832)
se <- c(1.133868862, 1.020288759, 1.108685178, 1.485618539, 1.311653285, 1.169033147,
        1.306645801, 1.090905616, 0.979426096, 1.319452272)
a <- pop / sum(pop); b <- cumsum(a) - a / 2
sqrt_a <- sqrt(a); b_sqrt_a <- b * sqrt_a
fit <- coef(lm(I(sqrt_a * le) ~ sqrt_a + b_sqrt_a - 1))
cat("sii, rii, intercept\n"); print(c(fit[2], (fit[1] + fit[2]) / fit[1], fit[1]))
set.seed(5)
reps <- 10000
y <- matrix(rnorm(reps * 10, le, se), ncol = reps)
m <- rbind(sqrt_a, b_sqrt_a)
params <- solve(m %*% t(m)) %*% m %*% (y * sqrt_a)
sii_sorted <- sort(params[2, ]); rii_sorted <- sort((params[1, ] + params[2, ]) / params[1, ])
pos <- function(c) c(round(reps * (1 - (c + (1 - c) / 2))), round(reps * (c + (1 - c) / 2)))
cat("sii 95 lower/upper, 99.8 lower, rii 95 upper\n")
print(c(sii_sorted[pos(0.95)], sii_sorted[pos(0.998)[1]], rii_sorted[pos(0.95)[2]]))
