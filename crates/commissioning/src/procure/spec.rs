//! Service specifications: what a service must achieve and how it will be measured and paid
//! for — outcomes, KPIs with thresholds and measurement, activity and quality requirements,
//! conditional (CQUIN-style) payments, the payment mechanism and the duration — linked to the
//! needs, gaps and priority decisions it answers; checked as a whole, and compared version to
//! version line by line. And the service-change gate (DOMAIN.md B2): a substantial change may
//! not be awarded until the scrutiny committee has been consulted and has responded, and the
//! public consultation has closed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::money::Decimal;

/// A specification's content, as a form gives it: free text where people write prose, one
/// item per line where the items are listed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecContent {
    #[serde(default)]
    pub title: String,
    /// The outcomes the service is to achieve, one per line.
    #[serde(default)]
    pub outcomes: String,
    /// One KPI per line: `code | name | threshold | higher or lower | how it is measured`.
    #[serde(default)]
    pub kpis: String,
    /// The activity expected, one line per service: `service | annual activity`.
    #[serde(default)]
    pub activity: String,
    /// Quality requirements (standards, accreditation, workforce), one per line.
    #[serde(default)]
    pub quality: String,
    /// Conditional payments, one per line: `indicator | percent of the contract value`.
    #[serde(default)]
    pub conditional_payments: String,
    /// The payment mechanism's code (block, activity_based, low_volume_block, aligned_payment).
    #[serde(default)]
    pub payment_mechanism: String,
    /// How long the contract runs, in months.
    #[serde(default)]
    pub duration_months: String,
    /// The needs, gaps and priority decisions it answers, one per line.
    #[serde(default)]
    pub answers: String,
}

/// A KPI as a specification states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecKpi {
    pub code: String,
    pub name: String,
    pub threshold: Decimal,
    pub higher_is_better: bool,
    pub measurement: String,
}

/// The fields of a specification in the form's order, with their labels.
pub const FIELDS: [(&str, &str); 9] = [
    ("title", "Title"),
    ("outcomes", "Outcomes"),
    ("kpis", "KPIs"),
    ("activity", "Activity"),
    ("quality", "Quality requirements"),
    ("conditional_payments", "Conditional payments"),
    ("payment_mechanism", "Payment mechanism"),
    ("duration_months", "Duration in months"),
    ("answers", "Needs, gaps and priorities it answers"),
];

const MECHANISMS: [&str; 4] = ["block", "activity_based", "low_volume_block", "aligned_payment"];

fn lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).enumerate().map(|(i, l)| (i + 1, l))
}

impl SpecContent {
    /// A field's text by its name in [`FIELDS`].
    pub fn field(&self, name: &str) -> &str {
        match name {
            "title" => &self.title,
            "outcomes" => &self.outcomes,
            "kpis" => &self.kpis,
            "activity" => &self.activity,
            "quality" => &self.quality,
            "conditional_payments" => &self.conditional_payments,
            "payment_mechanism" => &self.payment_mechanism,
            "duration_months" => &self.duration_months,
            "answers" => &self.answers,
            _ => "",
        }
    }

    /// The KPIs, or the first line that cannot be read.
    pub fn parsed_kpis(&self) -> Result<Vec<SpecKpi>, String> {
        lines(&self.kpis)
            .map(|(n, line)| {
                let parts: Vec<&str> = line.split('|').map(str::trim).collect();
                let bad = || {
                    format!(
                        "Line {n} should be 'code | name | threshold | higher or lower | how it is measured', such as \
                         'CDC1 | Tests reported within 7 days (%) | 90 | higher | reported within 7 days / tests done'"
                    )
                };
                let [code, name, threshold, better, measurement] = parts.as_slice() else { return Err(bad()) };
                let threshold = Decimal::parse(threshold).map_err(|_| bad())?;
                let higher_is_better = match better.to_ascii_lowercase().as_str() {
                    "higher" => true,
                    "lower" => false,
                    _ => return Err(bad()),
                };
                if code.is_empty() || name.is_empty() {
                    return Err(bad());
                }
                Ok(SpecKpi {
                    code: (*code).to_owned(),
                    name: (*name).to_owned(),
                    threshold,
                    higher_is_better,
                    measurement: (*measurement).to_owned(),
                })
            })
            .collect()
    }

    /// The duration in months, when it is a whole number from 1 to 120.
    pub fn months(&self) -> Option<u32> {
        self.duration_months.trim().parse::<u32>().ok().filter(|m| (1..=120).contains(m))
    }

    /// What is missing or wrong, by field in the form's order.
    pub fn errors(&self) -> Vec<(String, String)> {
        let mut errors = Vec::new();
        let mut push = |field: &str, message: String| errors.push((field.to_owned(), message));
        if self.title.trim().is_empty() {
            push("title", "Enter the service's title".into());
        }
        if lines(&self.outcomes).next().is_none() {
            push("outcomes", "Enter at least one outcome the service is to achieve".into());
        }
        match self.parsed_kpis() {
            Err(message) => push("kpis", message),
            Ok(kpis) if kpis.is_empty() => {
                push("kpis", "Enter at least one KPI, so the contract can be managed".into())
            }
            Ok(kpis) => {
                let mut codes: Vec<&str> = kpis.iter().map(|k| k.code.as_str()).collect();
                codes.sort_unstable();
                if let Some(w) = codes.windows(2).find(|w| w[0] == w[1]) {
                    push("kpis", format!("The KPI code {} is used twice", w[0]));
                }
            }
        }
        for (n, line) in lines(&self.activity) {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            if !matches!(parts.as_slice(), [s, a] if !s.is_empty() && a.parse::<u64>().is_ok()) {
                push(
                    "activity",
                    format!("Line {n} should be 'service | annual activity', such as 'Diagnostic tests | 42000'"),
                );
                break;
            }
        }
        for (n, line) in lines(&self.conditional_payments) {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let ok = matches!(parts.as_slice(), [i, p] if !i.is_empty()
                && Decimal::parse(p).is_ok_and(|p| p.to_f64() > 0.0 && p.to_f64() <= 100.0));
            if !ok {
                push(
                    "conditional_payments",
                    format!(
                        "Line {n} should be 'indicator | percent of the contract value', such as 'Timely reporting | 1.25'"
                    ),
                );
                break;
            }
        }
        if !MECHANISMS.contains(&self.payment_mechanism.trim()) {
            push("payment_mechanism", "Choose the payment mechanism".into());
        }
        if self.months().is_none() {
            push("duration_months", "Enter the duration in whole months, from 1 to 120".into());
        }
        if lines(&self.answers).next().is_none() {
            push("answers", "Enter the needs, gaps or priority decisions the service answers".into());
        }
        errors
    }
}

/// One line of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// The lines of `old` and `new` compared by their longest common subsequence: what stayed,
/// what went and what came, in order.
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().map(str::trim_end).collect();
    let b: Vec<&str> = new.lines().map(str::trim_end).collect();
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_owned()));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push(DiffLine::Added(b[j].to_owned()));
            j += 1;
        } else {
            out.push(DiffLine::Removed(a[i].to_owned()));
            i += 1;
        }
    }
    out
}

/// The fields that changed between two versions, each with its line comparison.
pub fn diff(old: &SpecContent, new: &SpecContent) -> Vec<(&'static str, Vec<DiffLine>)> {
    FIELDS
        .iter()
        .filter(|(name, _)| old.field(name).trim() != new.field(name).trim())
        .map(|(name, label)| (*label, diff_lines(old.field(name), new.field(name))))
        .collect()
}

/// A proposed change to services, with its scrutiny and consultation (all dates optional
/// until they happen).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceChange {
    /// A substantial development or variation, on which the scrutiny committee must be
    /// consulted.
    pub substantial: bool,
    pub hosc_consulted_on: Option<NaiveDate>,
    pub hosc_responded_on: Option<NaiveDate>,
    pub hosc_response: String,
    pub consultation_opens: Option<NaiveDate>,
    pub consultation_closes: Option<NaiveDate>,
    /// What the public, patients and clinicians said, and what was done about it.
    pub consultation_outcome: String,
}

/// Whether an award may go ahead on `today`, and if not, what is still to happen.
pub fn consultation_gate(change: Option<&ServiceChange>, today: NaiveDate) -> Result<(), Vec<String>> {
    let Some(change) = change.filter(|c| c.substantial) else { return Ok(()) };
    let mut missing = Vec::new();
    if change.hosc_consulted_on.is_none() {
        missing.push("consult the Health Overview and Scrutiny Committee".to_owned());
    } else if change.hosc_responded_on.is_none() || change.hosc_response.trim().is_empty() {
        missing.push("record the scrutiny committee's response".to_owned());
    }
    match change.consultation_closes {
        None => missing.push("hold the public consultation".to_owned()),
        Some(closes) if closes >= today => {
            missing.push(format!("wait for the public consultation to close on {closes}"))
        }
        Some(_) if change.consultation_outcome.trim().is_empty() => {
            missing.push("record what the consultation said and what was done about it".to_owned())
        }
        Some(_) => {}
    }
    if missing.is_empty() { Ok(()) } else { Err(missing) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> NaiveDate {
        crate::period::parse_date(text).unwrap()
    }

    fn spec() -> SpecContent {
        SpecContent {
            title: "Community diagnostic centre".into(),
            outcomes: "Faster diagnosis\nFewer hospital visits".into(),
            kpis: "CDC1 | Tests reported within 7 days (%) | 90 | higher | reported within 7 days / tests done".into(),
            activity: "Diagnostic tests | 42000".into(),
            quality: "Accredited to the imaging standard".into(),
            conditional_payments: "Timely reporting | 1.25".into(),
            payment_mechanism: "block".into(),
            duration_months: "36".into(),
            answers: "Gap: diagnostic waits in the east".into(),
        }
    }

    #[test]
    fn a_complete_specification_passes_and_each_fault_is_named_by_field() {
        assert_eq!(spec().errors(), Vec::<(String, String)>::new());
        let kpis = spec().parsed_kpis().unwrap();
        assert_eq!(
            (kpis[0].code.as_str(), kpis[0].threshold.to_string(), kpis[0].higher_is_better),
            ("CDC1", "90".into(), true)
        );
        let bad = SpecContent {
            kpis: "CDC1 | Tests | ninety | higher | x".into(),
            activity: "Tests | lots".into(),
            conditional_payments: "Reporting | 150".into(),
            payment_mechanism: "barter".into(),
            duration_months: "0".into(),
            outcomes: " \n".into(),
            ..spec()
        };
        let fields: Vec<String> = bad.errors().into_iter().map(|(f, _)| f).collect();
        assert_eq!(
            fields,
            ["outcomes", "kpis", "activity", "conditional_payments", "payment_mechanism", "duration_months"]
        );
        let twice = SpecContent { kpis: format!("{}\n{}", spec().kpis, spec().kpis), ..spec() };
        assert!(twice.errors()[0].1.contains("CDC1 is used twice"));
    }

    #[test]
    fn versions_compare_line_by_line() {
        use DiffLine::*;
        assert_eq!(
            diff_lines("a\nb\nc", "a\nc\nd"),
            [Same("a".into()), Removed("b".into()), Same("c".into()), Added("d".into())]
        );
        assert_eq!(diff_lines("", "x"), [Added("x".into())]);
        let new = SpecContent {
            duration_months: "48".into(),
            outcomes: "Faster diagnosis\nCare closer to home".into(),
            ..spec()
        };
        let changed: Vec<&str> = diff(&spec(), &new).into_iter().map(|(label, _)| label).collect();
        assert_eq!(changed, ["Outcomes", "Duration in months"]);
    }

    #[test]
    fn a_substantial_change_waits_for_scrutiny_and_consultation() {
        let today = d("2025-06-20");
        assert_eq!(consultation_gate(None, today), Ok(()));
        assert_eq!(consultation_gate(Some(&ServiceChange::default()), today), Ok(()), "not substantial");
        let mut change = ServiceChange { substantial: true, ..ServiceChange::default() };
        assert_eq!(consultation_gate(Some(&change), today).unwrap_err().len(), 2);
        change.hosc_consulted_on = Some(d("2025-03-01"));
        change.consultation_opens = Some(d("2025-03-01"));
        change.consultation_closes = Some(d("2025-06-20"));
        let missing = consultation_gate(Some(&change), today).unwrap_err();
        assert_eq!(
            missing,
            ["record the scrutiny committee's response", "wait for the public consultation to close on 2025-06-20"]
        );
        change.hosc_responded_on = Some(d("2025-04-10"));
        change.hosc_response = "Supports the change".into();
        change.consultation_closes = Some(d("2025-06-19"));
        assert_eq!(
            consultation_gate(Some(&change), today).unwrap_err(),
            ["record what the consultation said and what was done about it"]
        );
        change.consultation_outcome = "You said evening slots; we added them".into();
        assert_eq!(consultation_gate(Some(&change), today), Ok(()));
    }
}
