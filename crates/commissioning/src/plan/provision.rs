//! Review of current provision: peers by nearest neighbours, the opportunity if a place
//! matched its peers, and the gap analysis of need against provision.
//!
//! **Peers.** Each place is described by features (share aged 65 and over, share aged under
//! 15, deprivation as the population-weighted mean IMD decile, rurality as the share living
//! in rural LSOAs, where known). Every feature is standardised to z-scores across the places
//! compared (mean 0, population standard deviation 1; a feature that does not vary, or that
//! a place lacks, is left out of that pair's distance), and the distance is Euclidean on the
//! z-scores, scaled by √(features used) so pairs with fewer features are comparable. The k
//! nearest are the peers.
//!
//! **Gaps.** From the needs assessment's unmet need and the service catalogue:
//! - unmet need: recorded prevalence significantly below expected (the upper 95% limit of
//!   recorded ÷ expected below 1; high confidence at 99.8%);
//! - under- and over-provision: each area's activity for a need against what its share of
//!   the expected cases would give, on an overdispersion-adjusted funnel (FunnelPlotR's SHMI
//!   method) — outside the 95% limits is medium confidence, outside 99.8% high;
//! - access: more than a set share of an area's population beyond a travel time;
//! - duplication: two or more services from different providers meeting the same need for
//!   the same area;
//! - low value: cost per QALY above the threshold (NICE's £30,000 by default).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::methods::overdispersion::{OdMethod, Outlier, od_funnel};
use crate::money::Money;

/// A place and its features (`None` where unknown).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceFeatures {
    pub code: String,
    pub name: String,
    pub features: Vec<Option<f64>>,
}

/// The feature names, in order.
pub const FEATURES: [&str; 4] = ["Aged 65 and over", "Aged under 15", "Mean IMD decile", "Rural share"];

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Peer {
    pub code: String,
    pub name: String,
    pub distance: f64,
}

/// The `k` places nearest `target` (excluding it), nearest first; ties by code.
pub fn nearest_peers(target: &str, places: &[PlaceFeatures], k: usize) -> Option<Vec<Peer>> {
    let t = places.iter().position(|p| p.code == target)?;
    let width = places.iter().map(|p| p.features.len()).max().unwrap_or(0);
    let stats: Vec<Option<(f64, f64)>> = (0..width)
        .map(|f| {
            let values: Vec<f64> = places.iter().filter_map(|p| p.features.get(f).copied().flatten()).collect();
            if values.len() < 2 {
                return None;
            }
            let mean = values.iter().sum::<f64>() / values.len() as f64;
            let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64).sqrt();
            (sd > 0.0).then_some((mean, sd))
        })
        .collect();
    let z = |p: &PlaceFeatures, f: usize| -> Option<f64> {
        let (mean, sd) = stats[f]?;
        p.features.get(f).copied().flatten().map(|v| (v - mean) / sd)
    };
    let mut peers: Vec<Peer> = places
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != t)
        .filter_map(|(_, p)| {
            let diffs: Vec<f64> = (0..width).filter_map(|f| Some(z(&places[t], f)? - z(p, f)?)).collect();
            if diffs.is_empty() {
                return None;
            }
            let distance = (diffs.iter().map(|d| d * d).sum::<f64>() / diffs.len() as f64).sqrt();
            Some(Peer { code: p.code.clone(), name: p.name.clone(), distance })
        })
        .collect();
    peers.sort_by(|a, b| a.distance.total_cmp(&b.distance).then(a.code.cmp(&b.code)));
    peers.truncate(k);
    Some(peers)
}

/// What the place would gain if it matched its peers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Opportunity {
    pub value: f64,
    pub peer_median: f64,
    /// The best quartile: the 25th percentile when lower is better, the 75th when higher.
    pub peer_best_quartile: f64,
    /// (value − benchmark) × size, signed so that positive is an opportunity (less cost or
    /// activity where lower is better, more outcome where higher is better).
    pub at_median: f64,
    pub at_best_quartile: f64,
}

fn quantile7(sorted: &[f64], p: f64) -> f64 {
    let h = (sorted.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// The opportunity of a rate `value` (per head, say) over `size` (the population) against
/// the peers' values.
pub fn opportunity(value: f64, size: f64, peers: &[f64], lower_is_better: bool) -> Option<Opportunity> {
    let mut sorted: Vec<f64> = peers.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let median = quantile7(&sorted, 0.5);
    let best = quantile7(&sorted, if lower_is_better { 0.25 } else { 0.75 });
    let gain = |benchmark: f64| {
        let d = if lower_is_better { value - benchmark } else { benchmark - value };
        (d * size).max(0.0)
    };
    Some(Opportunity {
        value,
        peer_median: median,
        peer_best_quartile: best,
        at_median: gain(median),
        at_best_quartile: gain(best),
    })
}

/// One service's provision in an area for a year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisionRow {
    pub service_code: String,
    pub service_name: String,
    /// The need it meets: an indicator id (a disease register such as `QOF_DM`) or a local code.
    pub need: String,
    pub provider_code: String,
    pub provider_name: String,
    pub area_code: String,
    pub area_name: String,
    pub capacity: Option<f64>,
    pub activity: f64,
    pub spend_pence: i64,
    pub waiting_weeks: Option<f64>,
    /// 0–100.
    pub quality: Option<f64>,
    /// Share of Friends and Family Test responses positive (0–1).
    pub feedback: Option<f64>,
    /// QALYs a year gained, where an evaluation gives them.
    pub qalys: Option<f64>,
}

impl ProvisionRow {
    pub fn cost_per_case_pence(&self) -> Option<i64> {
        (self.activity > 0.0).then(|| (self.spend_pence as f64 / self.activity).round() as i64)
    }
}

/// The need in an area, from the needs assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NeedRow {
    pub need: String,
    pub need_name: String,
    pub area_code: String,
    pub area_name: String,
    pub expected: f64,
    pub recorded: f64,
    pub ratio: f64,
    pub ratio_upper95: Option<f64>,
    pub ratio_upper998: Option<f64>,
}

/// An area's access to a service: population beyond the travel-time threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessRow {
    pub service_code: String,
    pub area_code: String,
    pub area_name: String,
    pub population: f64,
    pub beyond_threshold: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    UnmetNeed,
    UnderProvision,
    OverProvision,
    Access,
    Duplication,
    LowValue,
}

impl GapKind {
    pub const ALL: [GapKind; 6] = [
        GapKind::UnmetNeed,
        GapKind::UnderProvision,
        GapKind::OverProvision,
        GapKind::Access,
        GapKind::Duplication,
        GapKind::LowValue,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GapKind::UnmetNeed => "unmet_need",
            GapKind::UnderProvision => "under_provision",
            GapKind::OverProvision => "over_provision",
            GapKind::Access => "access",
            GapKind::Duplication => "duplication",
            GapKind::LowValue => "low_value",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GapKind::UnmetNeed => "Unmet need",
            GapKind::UnderProvision => "Under-provision",
            GapKind::OverProvision => "Over-provision",
            GapKind::Access => "Access",
            GapKind::Duplication => "Duplication",
            GapKind::LowValue => "Low value",
        }
    }

    pub fn parse(text: &str) -> Option<GapKind> {
        GapKind::ALL.into_iter().find(|k| k.code() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    High,
    Medium,
    Low,
}

impl Confidence {
    pub fn code(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }

    pub fn parse(text: &str) -> Option<Confidence> {
        [Confidence::High, Confidence::Medium, Confidence::Low].into_iter().find(|c| c.code() == text)
    }
}

/// A gap, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    pub kind: GapKind,
    pub need: String,
    pub area_code: String,
    pub area_name: String,
    /// The service concerned; empty for unmet need.
    pub service_code: String,
    pub title: String,
    pub evidence: String,
    pub confidence: Confidence,
    /// People (unmet need, access, provision) or pence a year (low value, duplication).
    pub size: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GapSettings {
    pub cost_per_qaly_threshold_pence: i64,
    pub access_share: f64,
    pub access_minutes: f64,
}

impl Default for GapSettings {
    fn default() -> Self {
        GapSettings { cost_per_qaly_threshold_pence: 3_000_000, access_share: 0.10, access_minutes: 30.0 }
    }
}

/// Whole pounds with thousands separators.
fn pounds(pence: f64) -> String {
    let whole = (pence / 100.0).round() as i64;
    let text = Money::from_pence(whole * 100).to_string();
    text.strip_suffix(".00").unwrap_or(&text).to_owned()
}

/// Activity for one need across areas on an overdispersed funnel: each area's activity
/// (observed) against what its share of the expected cases would give (expected).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NeedFunnel {
    pub need: String,
    pub need_name: String,
    pub area_codes: Vec<String>,
    pub area_names: Vec<String>,
    pub funnel: crate::methods::overdispersion::OdFunnel,
}

/// The provision funnel of every need with provision in three or more areas.
pub fn provision_funnels(needs: &[NeedRow], provision: &[ProvisionRow]) -> Vec<NeedFunnel> {
    let mut by_need: BTreeMap<&str, Vec<&NeedRow>> = BTreeMap::new();
    for n in needs {
        by_need.entry(n.need.as_str()).or_default().push(n);
    }
    let mut funnels = Vec::new();
    for (need, areas) in &by_need {
        let activity = |area: &str| -> f64 {
            provision.iter().filter(|p| p.need == *need && p.area_code == area).map(|p| p.activity).sum()
        };
        let observed: Vec<f64> = areas.iter().map(|a| activity(&a.area_code)).collect();
        let total_activity: f64 = observed.iter().sum();
        let total_expected: f64 = areas.iter().map(|a| a.expected).sum();
        if areas.len() < 3 || total_activity <= 0.0 || total_expected <= 0.0 {
            continue;
        }
        let units: Vec<(f64, f64)> =
            areas.iter().zip(&observed).map(|(a, o)| (*o, total_activity * a.expected / total_expected)).collect();
        if units.iter().any(|u| u.1 <= 0.0) {
            continue;
        }
        let Ok(funnel) = od_funnel(OdMethod::RatioShmi, &units, 0.1) else { continue };
        funnels.push(NeedFunnel {
            need: need.to_string(),
            need_name: areas[0].need_name.clone(),
            area_codes: areas.iter().map(|a| a.area_code.clone()).collect(),
            area_names: areas.iter().map(|a| a.area_name.clone()).collect(),
            funnel,
        });
    }
    funnels
}

/// Every gap the evidence shows, biggest first within each kind.
pub fn find_gaps(
    needs: &[NeedRow],
    provision: &[ProvisionRow],
    access: &[AccessRow],
    settings: &GapSettings,
) -> Vec<Gap> {
    let mut gaps = Vec::new();
    for n in needs {
        let Some(upper95) = n.ratio_upper95 else { continue };
        if upper95 < 1.0 && n.expected > n.recorded {
            let high = n.ratio_upper998.is_some_and(|u| u < 1.0);
            gaps.push(Gap {
                kind: GapKind::UnmetNeed,
                need: n.need.clone(),
                area_code: n.area_code.clone(),
                area_name: n.area_name.clone(),
                service_code: String::new(),
                title: format!("{}: {:.0} people estimated undiagnosed", n.need_name, n.expected - n.recorded),
                evidence: format!(
                    "Recorded {:.0} against {:.0} expected for the population's deprivation (ratio {:.3}, upper 95% limit {:.3}{})",
                    n.recorded,
                    n.expected,
                    n.ratio,
                    upper95,
                    n.ratio_upper998.map(|u| format!(", upper 99.8% limit {u:.3}")).unwrap_or_default()
                ),
                confidence: if high { Confidence::High } else { Confidence::Medium },
                size: n.expected - n.recorded,
            });
        }
    }
    for f in provision_funnels(needs, provision) {
        for (i, point) in f.funnel.points.iter().enumerate() {
            let Some(side) = point.outlier95 else { continue };
            let (o, e) = (point.numerator, point.denominator);
            let kind = if side == Outlier::Low { GapKind::UnderProvision } else { GapKind::OverProvision };
            let confidence = if point.outlier998.is_some() { Confidence::High } else { Confidence::Medium };
            let service = provision.iter().find(|p| p.need == f.need && p.area_code == f.area_codes[i]);
            gaps.push(Gap {
                kind,
                need: f.need.clone(),
                area_code: f.area_codes[i].clone(),
                area_name: f.area_names[i].clone(),
                service_code: service.map(|s| s.service_code.clone()).unwrap_or_default(),
                title: format!(
                    "{}: activity {} than need would give",
                    f.need_name,
                    if side == Outlier::Low { "lower" } else { "higher" }
                ),
                evidence: format!(
                    "{o:.0} cases against {e:.0} for the area's share of expected prevalence (ratio {:.2}; 95% limits {:.2}–{:.2} after overdispersion, τ² {:.4})",
                    point.value, point.limits[0], point.limits[1], f.funnel.tau2
                ),
                confidence,
                size: (e - o).abs(),
            });
        }
    }
    for a in access {
        if a.population > 0.0 && a.beyond_threshold / a.population > settings.access_share {
            let share = a.beyond_threshold / a.population;
            gaps.push(Gap {
                kind: GapKind::Access,
                need: provision
                    .iter()
                    .find(|p| p.service_code == a.service_code)
                    .map(|p| p.need.clone())
                    .unwrap_or_default(),
                area_code: a.area_code.clone(),
                area_name: a.area_name.clone(),
                service_code: a.service_code.clone(),
                title: format!(
                    "{:.0}% live over {:.0} minutes from {}",
                    share * 100.0,
                    settings.access_minutes,
                    a.service_code
                ),
                evidence: format!(
                    "{:.0} of {:.0} residents beyond {:.0} minutes' travel (threshold {:.0}%)",
                    a.beyond_threshold,
                    a.population,
                    settings.access_minutes,
                    settings.access_share * 100.0
                ),
                confidence: if share > 2.0 * settings.access_share { Confidence::High } else { Confidence::Medium },
                size: a.beyond_threshold,
            });
        }
    }
    let mut covering: BTreeMap<(&str, &str), BTreeSet<(&str, &str)>> = BTreeMap::new();
    for p in provision {
        covering
            .entry((p.need.as_str(), p.area_code.as_str()))
            .or_default()
            .insert((&p.provider_code, &p.service_code));
    }
    for ((need, area), services) in &covering {
        let providers: BTreeSet<&str> = services.iter().map(|s| s.0).collect();
        if providers.len() < 2 {
            continue;
        }
        let rows: Vec<&ProvisionRow> = provision.iter().filter(|p| p.need == *need && p.area_code == *area).collect();
        let spend: i64 = rows.iter().map(|p| p.spend_pence).sum();
        let names: Vec<String> = rows.iter().map(|p| format!("{} ({})", p.service_name, p.provider_name)).collect();
        gaps.push(Gap {
            kind: GapKind::Duplication,
            need: need.to_string(),
            area_code: area.to_string(),
            area_name: rows[0].area_name.clone(),
            service_code: rows
                .iter()
                .map(|p| p.service_code.as_str())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join("+"),
            title: format!("{} services meet the same need", providers.len()),
            evidence: format!("{}; {} a year between them", names.join(", "), pounds(spend as f64)),
            confidence: Confidence::Low,
            size: spend as f64,
        });
    }
    for p in provision {
        let Some(qalys) = p.qalys.filter(|q| *q > 0.0) else { continue };
        let per_qaly = p.spend_pence as f64 / qalys;
        if per_qaly > settings.cost_per_qaly_threshold_pence as f64 {
            gaps.push(Gap {
                kind: GapKind::LowValue,
                need: p.need.clone(),
                area_code: p.area_code.clone(),
                area_name: p.area_name.clone(),
                service_code: p.service_code.clone(),
                title: format!("{} costs {} a QALY", p.service_name, pounds(per_qaly)),
                evidence: format!(
                    "{} a year for {qalys:.1} QALYs from {}, above the threshold of {} a QALY: a candidate for decommissioning",
                    pounds(p.spend_pence as f64),
                    p.provider_name,
                    pounds(settings.cost_per_qaly_threshold_pence as f64)
                ),
                confidence: if per_qaly > 2.0 * settings.cost_per_qaly_threshold_pence as f64 {
                    Confidence::High
                } else {
                    Confidence::Medium
                },
                size: p.spend_pence as f64,
            });
        }
    }
    gaps.sort_by(|a, b| a.kind.cmp(&b.kind).then(b.size.total_cmp(&a.size)).then(a.area_code.cmp(&b.area_code)));
    gaps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(code: &str, f: [f64; 3]) -> PlaceFeatures {
        PlaceFeatures { code: code.into(), name: code.into(), features: f.iter().map(|v| Some(*v)).collect() }
    }

    #[test]
    fn peers_are_nearest_on_standardised_features() {
        let places = vec![
            place("A", [0.20, 0.18, 3.0]),
            place("B", [0.21, 0.18, 3.2]),
            place("C", [0.10, 0.25, 8.0]),
            place("D", [0.30, 0.15, 2.0]),
            place("E", [0.19, 0.19, 4.0]),
        ];
        let peers = nearest_peers("A", &places, 2).unwrap();
        assert_eq!(peers.iter().map(|p| p.code.as_str()).collect::<Vec<_>>(), vec!["B", "E"]);
        assert!(peers[0].distance < peers[1].distance);
        assert!(nearest_peers("Z", &places, 2).is_none());
        // A feature nobody has is left out rather than failing.
        let mut sparse = places.clone();
        sparse.iter_mut().for_each(|p| p.features.push(None));
        assert_eq!(nearest_peers("A", &sparse, 2).unwrap(), peers);
    }

    #[test]
    fn opportunity_at_the_median_and_best_quartile() {
        let o = opportunity(12.0, 1000.0, &[8.0, 9.0, 10.0, 11.0, 14.0], true).unwrap();
        assert_eq!(o.peer_median, 10.0);
        assert_eq!(o.peer_best_quartile, 9.0);
        assert_eq!(o.at_median, 2000.0);
        assert_eq!(o.at_best_quartile, 3000.0);
        let better = opportunity(7.0, 1000.0, &[8.0, 9.0, 10.0], true).unwrap();
        assert_eq!(better.at_median, 0.0);
    }

    fn row(service: &str, provider: &str, area: &str, activity: f64, spend: i64, qalys: Option<f64>) -> ProvisionRow {
        ProvisionRow {
            service_code: service.into(),
            service_name: service.into(),
            need: "QOF_DM".into(),
            provider_code: provider.into(),
            provider_name: provider.into(),
            area_code: area.into(),
            area_name: area.into(),
            capacity: None,
            activity,
            spend_pence: spend,
            waiting_weeks: None,
            quality: None,
            feedback: None,
            qalys,
        }
    }

    fn need(area: &str, expected: f64, recorded: f64, upper95: f64) -> NeedRow {
        NeedRow {
            need: "QOF_DM".into(),
            need_name: "Diabetes".into(),
            area_code: area.into(),
            area_name: area.into(),
            expected,
            recorded,
            ratio: recorded / expected,
            ratio_upper95: Some(upper95),
            ratio_upper998: Some(upper95 + 0.01),
        }
    }

    #[test]
    fn gaps_of_every_kind_with_evidence() {
        let needs = vec![
            need("L1", 5000.0, 4200.0, 0.87),
            need("L2", 4000.0, 3990.0, 1.03),
            need("L3", 4500.0, 4480.0, 1.02),
            need("L4", 5200.0, 5150.0, 1.01),
            need("L5", 3000.0, 2990.0, 1.04),
            need("L6", 6000.0, 5990.0, 1.02),
            need("L7", 3500.0, 3480.0, 1.03),
            need("L8", 4100.0, 4090.0, 1.03),
        ];
        let provision = vec![
            row("DSN1", "R9A", "L1", 500.0, 50_000_000, Some(40.0)),
            row("DSN2", "R9B", "L1", 450.0, 40_000_000, None),
            row("DSN1", "R9A", "L2", 1900.0, 60_000_000, Some(200.0)),
            row("DSN1", "R9A", "L3", 2100.0, 65_000_000, None),
            row("DSN1", "R9A", "L4", 2500.0, 70_000_000, None),
            row("DSN1", "R9A", "L5", 1420.0, 40_000_000, None),
            row("DSN1", "R9A", "L6", 2950.0, 80_000_000, None),
            row("DSN1", "R9A", "L7", 1700.0, 50_000_000, None),
            row("DSN1", "R9A", "L8", 2000.0, 55_000_000, None),
        ];
        let access = vec![AccessRow {
            service_code: "DSN1".into(),
            area_code: "L3".into(),
            area_name: "L3".into(),
            population: 100_000.0,
            beyond_threshold: 25_000.0,
        }];
        let gaps = find_gaps(&needs, &provision, &access, &GapSettings::default());
        let kinds: Vec<(GapKind, &str)> = gaps.iter().map(|g| (g.kind, g.area_code.as_str())).collect();
        assert!(kinds.contains(&(GapKind::UnmetNeed, "L1")));
        assert!(kinds.contains(&(GapKind::UnderProvision, "L1")), "{kinds:?}");
        assert!(kinds.contains(&(GapKind::Access, "L3")));
        assert!(kinds.contains(&(GapKind::Duplication, "L1")));
        // £500,000 for 40 QALYs is £12,500 a QALY: under the threshold; L2's £3,000 too.
        assert!(!kinds.iter().any(|k| k.0 == GapKind::LowValue));
        let unmet = gaps.iter().find(|g| g.kind == GapKind::UnmetNeed).unwrap();
        assert_eq!(unmet.size, 800.0);
        assert_eq!(unmet.confidence, Confidence::High);
        let dear = vec![row("X", "R9C", "L2", 10.0, 90_000_000, Some(10.0))];
        let low = find_gaps(&[], &dear, &[], &GapSettings::default());
        assert_eq!(low.len(), 1);
        assert_eq!(low[0].kind, GapKind::LowValue);
        assert_eq!(low[0].title, "X costs £90,000 a QALY");
        assert_eq!(low[0].confidence, Confidence::High);
    }
}
