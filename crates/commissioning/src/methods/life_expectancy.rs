//! Life expectancy from an abridged life table: Chiang II with Silcocks' variance
//! (`phe_life_expectancy`).

use crate::methods::confidence::z_for;
use crate::methods::{Confidence, Limits};

/// The default start ages of the 20 bands: 0, 1–4, 5–9, …, 85–89, 90+.
pub const AGE_CONTENTS: [f64; 20] = [
    0.0, 1.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0, 65.0, 70.0, 75.0, 80.0, 85.0, 90.0,
];

/// The `method` the reference reports.
pub const METHOD: &str = "Chiang, using Silcocks et al for confidence limits";

/// Life expectancy at the start of one band.
#[derive(Debug, Clone, PartialEq)]
pub struct LifeExpectancy {
    pub startage: f64,
    /// `None` when the group was suppressed or the 95% interval is wider than ±10 years.
    pub value: Option<f64>,
    pub limits: Vec<Limits>,
    /// Population and deaths from this band to the oldest.
    pub pops_used: f64,
    pub dths_used: f64,
    pub statistic: String,
}

/// Why a group's life expectancy is all missing (the reference warns and returns NA).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suppressed {
    NegativeDeaths,
    NonPositivePopulation,
    WrongBands,
    DeathsExceedPopulation,
    SmallPopulation,
}

impl Suppressed {
    pub fn warning(self) -> &'static str {
        match self {
            Self::NegativeDeaths => "some age bands have negative deaths; outputs have been suppressed to NAs",
            Self::NonPositivePopulation => {
                "some age bands have a zero or less population; outputs have been suppressed to NAs"
            }
            Self::WrongBands => {
                "some groups contain a different number of age bands than 20; life expectancy cannot be calculated for these"
            }
            Self::DeathsExceedPopulation => {
                "some age bands have more deaths than population; outputs have been suppressed to NAs"
            }
            Self::SmallPopulation => {
                "some groups have a total population of less than 5,000; outputs have been suppressed to NAs"
            }
        }
    }
}

/// Life expectancy at every band start for one group. Bands may come in any order; they are
/// matched to `age_contents` by start age. A suppressed group gives all-missing rows and the
/// reason.
pub fn life_expectancy(
    startage: &[f64],
    deaths: &[f64],
    population: &[f64],
    age_contents: &[f64],
    confidence: Confidence,
) -> (Vec<LifeExpectancy>, Option<Suppressed>) {
    let levels = confidence.levels();
    let missing = |age: f64, pops_used: f64, dths_used: f64| LifeExpectancy {
        startage: age,
        value: None,
        limits: levels.iter().map(|&level| Limits { level, lower: None, upper: None }).collect(),
        pops_used,
        dths_used,
        statistic: statistic(age),
    };
    let mut bands: Vec<(f64, f64, f64)> = Vec::with_capacity(age_contents.len());
    for &age in age_contents {
        if let Some(index) = startage.iter().position(|&start| start == age) {
            bands.push((age, deaths[index], population[index]));
        }
    }
    let reason = if startage.len() != age_contents.len() || bands.len() != age_contents.len() || bands.len() < 2 {
        Some(Suppressed::WrongBands)
    } else if bands.iter().any(|band| band.1 < 0.0) {
        Some(Suppressed::NegativeDeaths)
    } else if bands.iter().any(|band| band.2 <= 0.0) {
        Some(Suppressed::NonPositivePopulation)
    } else if bands.iter().any(|band| band.1 > band.2) {
        Some(Suppressed::DeathsExceedPopulation)
    } else if bands.iter().map(|band| band.2).sum::<f64>() <= 5000.0 {
        Some(Suppressed::SmallPopulation)
    } else {
        None
    };
    if let Some(reason) = reason {
        let rows = startage.iter().map(|&age| missing(age, f64::NAN, f64::NAN)).collect();
        return (rows, Some(reason));
    }
    let count = bands.len();
    let last = count - 1;
    let rate: Vec<f64> = bands.iter().map(|band| band.1 / band.2).collect();
    let a: Vec<f64> = (0..count).map(|i| if bands[i].0 == 0.0 { 0.1 } else { 0.5 }).collect();
    let width: Vec<f64> =
        (0..count).map(|i| if i == last { 2.0 / rate[i] } else { bands[i + 1].0 - bands[i].0 }).collect();
    let q: Vec<f64> = (0..count)
        .map(|i| {
            if i == last || bands[i].1 > bands[i].2 / width[i] / a[i] {
                1.0
            } else {
                rate[i] * width[i] / (1.0 + rate[i] * width[i] * (1.0 - a[i]))
            }
        })
        .collect();
    let mut l = vec![100_000.0; count];
    for i in 1..count {
        l[i] = l[i - 1] * (1.0 - q[i - 1]);
    }
    let d: Vec<f64> = (0..count).map(|i| if i == last { l[i] } else { l[i] - l[i + 1] }).collect();
    let big_l: Vec<f64> =
        (0..count).map(|i| if i == last { l[i] / rate[i] } else { width[i] * (l[i + 1] + a[i] * d[i]) }).collect();
    let mut t = vec![0.0; count];
    let mut running = 0.0;
    for i in (0..count).rev() {
        running += big_l[i];
        t[i] = running;
    }
    let e: Vec<f64> = (0..count).map(|i| t[i] / l[i]).collect();
    let variance_terms: Vec<f64> = (0..count)
        .map(|i| {
            if i == last {
                let sp2 = if bands[i].1 == 0.0 { 0.0 } else { 4.0 / (bands[i].1 * rate[i] * rate[i]) };
                (l[i] / 2.0).powi(2) * sp2
            } else {
                let sp2 = if d[i] == 0.0 || bands[i].1 == 0.0 { 0.0 } else { q[i] * q[i] * (1.0 - q[i]) / bands[i].1 };
                l[i].powi(2) * ((1.0 - a[i]) * width[i] + e[i + 1]).powi(2) * sp2
            }
        })
        .collect();
    let mut se = vec![0.0; count];
    let (mut sum_variance, mut pops_used, mut dths_used) = (0.0, vec![0.0; count], vec![0.0; count]);
    let (mut pops, mut dths) = (0.0, 0.0);
    for i in (0..count).rev() {
        sum_variance += variance_terms[i];
        se[i] = (sum_variance / (l[i] * l[i])).sqrt();
        pops += bands[i].2;
        dths += bands[i].1;
        pops_used[i] = pops;
        dths_used[i] = dths;
    }
    let z95 = z_for(0.95);
    let rows = (0..count)
        .map(|i| LifeExpectancy {
            startage: bands[i].0,
            value: (z95 * se[i] <= 10.0).then_some(e[i]),
            limits: levels
                .iter()
                .map(|&level| {
                    let z = z_for(level);
                    Limits { level, lower: Some(e[i] - z * se[i]), upper: Some(e[i] + z * se[i]) }
                })
                .collect(),
            pops_used: pops_used[i],
            dths_used: dths_used[i],
            statistic: statistic(bands[i].0),
        })
        .collect();
    (rows, None)
}

fn statistic(age: f64) -> String {
    format!("life expectancy at {age}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const POPS: [f64; 20] = [
        7060.0, 35059.0, 46974.0, 48489.0, 43219.0, 38561.0, 46009.0, 57208.0, 61435.0, 55601.0, 50209.0, 56416.0,
        46411.0, 39820.0, 37978.0, 37039.0, 33288.0, 23306.0, 11936.0, 11936.0,
    ];
    const DEATHS: [f64; 20] = [
        17.0, 9.0, 4.0, 8.0, 20.0, 15.0, 24.0, 33.0, 50.0, 71.0, 100.0, 163.0, 263.0, 304.0, 536.0, 872.0, 1390.0,
        1605.0, 1936.0, 1937.0,
    ];

    /// `answer1` in PHEindicatormethods tests/testthat/testLifeExpectancy.R (from the PHE
    /// Excel tool): value, lowercl, uppercl at each band. The reference test compares after
    /// rounding to 4 dp because the Excel tool uses z = 1.96 where R uses qnorm(0.975).
    const ANSWER1: [(f64, f64, f64); 20] = [
        (80.16960813, 79.88268548, 80.45653078),
        (79.36245674, 79.0898816, 79.63503188),
        (75.44193645, 75.17407307, 75.70979983),
        (70.47299936, 70.20675732, 70.7392414),
        (65.52909542, 65.26548673, 65.79270412),
        (60.67510088, 60.41876577, 60.931436),
        (55.78835987, 55.53801579, 56.03870395),
        (50.92752727, 50.68279939, 51.17225516),
        (46.06740425, 45.82666794, 46.30814055),
        (41.24505636, 41.00842831, 41.48168441),
        (36.49322717, 36.26223216, 36.72422219),
        (31.83343842, 31.60996318, 32.05691365),
        (27.26027992, 27.04337271, 27.47718713),
        (22.9719144, 22.76653134, 23.17729746),
        (18.76856852, 18.57570352, 18.96143352),
        (14.95858336, 14.77985004, 15.13731667),
        (11.51684445, 11.34831778, 11.68537112),
        (8.618849241, 8.451134045, 8.786564437),
        (6.163942934, 5.978358351, 6.349527517),
        (6.16210635, 5.887683386, 6.436529314),
    ];

    #[test]
    fn agrees_with_the_reference_test_answer() {
        let (rows, suppressed) = life_expectancy(&AGE_CONTENTS, &DEATHS, &POPS, &AGE_CONTENTS, Confidence::default());
        assert_eq!(suppressed, None);
        for (row, (value, lower, upper)) in rows.iter().zip(ANSWER1) {
            // Values carry 10 significant figures in the reference: agree to 1e-9 relative.
            let got = row.value.unwrap();
            assert!(((got - value) / value).abs() < 1e-9, "age {}: {got} vs {value}", row.startage);
            let round4 = |x: f64| (x * 1e4).round() / 1e4;
            assert_eq!(round4(row.limits[0].lower.unwrap()), round4(lower), "age {}", row.startage);
            assert_eq!(round4(row.limits[0].upper.unwrap()), round4(upper), "age {}", row.startage);
        }
        assert_eq!(rows[0].statistic, "life expectancy at 0");
        assert_eq!(rows[19].pops_used, 11936.0);
        assert_eq!(rows[0].dths_used, DEATHS.iter().sum::<f64>());
    }

    /// testLifeExpectancy.R `df2`: bands out of order give the same answer.
    #[test]
    fn band_order_does_not_matter() {
        let mut order: Vec<usize> = (0..20).collect();
        order.rotate_left(7);
        let ages: Vec<f64> = order.iter().map(|&i| AGE_CONTENTS[i]).collect();
        let deaths: Vec<f64> = order.iter().map(|&i| DEATHS[i]).collect();
        let pops: Vec<f64> = order.iter().map(|&i| POPS[i]).collect();
        let (rows, _) = life_expectancy(&ages, &deaths, &pops, &AGE_CONTENTS, Confidence::default());
        assert!((rows[0].value.unwrap() - ANSWER1[0].0).abs() < 1e-7);
    }

    /// testLifeExpectancy.R: negative deaths, a zero population, deaths above population, a
    /// missing band and a population under 5,000 all give only NAs.
    #[test]
    fn bad_groups_are_suppressed() {
        let run = |deaths: &[f64], pops: &[f64], ages: &[f64]| {
            let (rows, reason) = life_expectancy(ages, deaths, pops, &AGE_CONTENTS, Confidence::default());
            assert!(rows.iter().all(|row| row.value.is_none() && row.limits[0].lower.is_none()));
            reason
        };
        let mut deaths = DEATHS;
        deaths[3] = -5.0;
        assert_eq!(run(&deaths, &POPS, &AGE_CONTENTS), Some(Suppressed::NegativeDeaths));
        let mut pops = POPS;
        pops[5] = 0.0;
        assert_eq!(run(&DEATHS, &pops, &AGE_CONTENTS), Some(Suppressed::NonPositivePopulation));
        let mut pops = POPS;
        pops[18] = 119.0;
        assert_eq!(run(&DEATHS, &pops, &AGE_CONTENTS), Some(Suppressed::DeathsExceedPopulation));
        assert_eq!(run(&DEATHS[..19], &POPS[..19], &AGE_CONTENTS[..19]), Some(Suppressed::WrongBands));
        let small = [
            128.0, 152.0, 120.0, 176.0, 194.0, 180.0, 145.0, 149.0, 107.0, 185.0, 165.0, 109.0, 100.0, 122.0, 133.0,
            189.0, 123.0, 121.0, 147.0, 138.0,
        ];
        let small_deaths = [
            58.0, 93.0, 78.0, 94.0, 59.0, 71.0, 80.0, 73.0, 69.0, 72.0, 91.0, 69.0, 78.0, 71.0, 54.0, 91.0, 82.0, 53.0,
            50.0, 84.0,
        ];
        assert_eq!(run(&small_deaths, &small, &AGE_CONTENTS), Some(Suppressed::SmallPopulation));
    }
}
