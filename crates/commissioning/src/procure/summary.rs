//! The Provider Selection Regime's annual summary (regulation 25; DOMAIN.md B1), generated
//! from the decision log: for a financial year, the contracts awarded by each process, the
//! framework agreements concluded and the contracts called off from them, urgent awards and
//! modifications, contracts awarded to providers new to the commissioner, and the written
//! representations received with a summary of each.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::period::FinancialYear;
use crate::procure::psr::Process;

/// One decision in the log, as the summary needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionFacts {
    pub id: i64,
    pub title: String,
    pub process: Process,
    pub decided_on: NaiveDate,
    /// The decision concludes a framework agreement.
    pub framework: bool,
    /// The contract is called off from a framework agreement.
    pub call_off: bool,
    /// Awarded urgently under regulation 14.
    pub urgent: bool,
    /// The provider awarded the contract, where the log names one.
    pub provider: Option<String>,
}

/// A written representation made during a standstill.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Representation {
    pub procurement: String,
    pub provider: String,
    pub received_on: NaiveDate,
    pub summary: String,
}

/// A modification made urgently (regulation 14) or any other that needed a notice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModificationFacts {
    pub contract_id: String,
    pub made_on: NaiveDate,
    pub urgent: bool,
}

/// The summary for one financial year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnnualSummary {
    pub year: String,
    /// Contracts awarded by each process, every process listed (zero where none).
    pub by_process: Vec<(Process, usize)>,
    pub total: usize,
    pub frameworks_concluded: usize,
    pub call_offs: usize,
    pub urgent_awards: usize,
    pub urgent_modifications: usize,
    /// Contracts awarded to a provider that held no contract with the commissioner before.
    pub new_providers: usize,
    /// The providers new to the commissioner, by code.
    pub new_provider_codes: Vec<String>,
    pub representations: Vec<Representation>,
    /// The decisions counted, by id, so the summary can be traced back to the log.
    pub decision_ids: Vec<i64>,
}

/// The summary of `year`: the decisions made in it, with `earlier_providers` giving, for each
/// provider, the first day it held a contract with the commissioner (a provider awarded a
/// contract before that day, or with none, is new).
pub fn annual_summary(
    year: FinancialYear,
    decisions: &[DecisionFacts],
    modifications: &[ModificationFacts],
    representations: &[Representation],
    first_contract: &BTreeMap<String, NaiveDate>,
) -> AnnualSummary {
    let in_year: Vec<&DecisionFacts> = decisions.iter().filter(|d| year.contains(d.decided_on)).collect();
    let by_process = Process::ALL.into_iter().map(|p| (p, in_year.iter().filter(|d| d.process == p).count())).collect();
    let mut new_provider_codes: Vec<String> = in_year
        .iter()
        .filter_map(|d| d.provider.as_ref().map(|p| (p, d.decided_on)))
        .filter(|(provider, on)| first_contract.get(*provider).is_none_or(|first| first >= on))
        .map(|(provider, _)| provider.clone())
        .collect();
    let new_providers = new_provider_codes.len();
    new_provider_codes.sort();
    new_provider_codes.dedup();
    let mut representations: Vec<Representation> =
        representations.iter().filter(|r| year.contains(r.received_on)).cloned().collect();
    representations.sort_by(|a, b| a.received_on.cmp(&b.received_on).then(a.provider.cmp(&b.provider)));
    AnnualSummary {
        year: year.to_string(),
        by_process,
        total: in_year.len(),
        frameworks_concluded: in_year.iter().filter(|d| d.framework).count(),
        call_offs: in_year.iter().filter(|d| d.call_off).count(),
        urgent_awards: in_year.iter().filter(|d| d.urgent).count(),
        urgent_modifications: modifications.iter().filter(|m| m.urgent && year.contains(m.made_on)).count(),
        new_providers,
        new_provider_codes,
        representations,
        decision_ids: in_year.iter().map(|d| d.id).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn decision(id: i64, process: Process, on: &str, provider: Option<&str>) -> DecisionFacts {
        DecisionFacts {
            id,
            title: format!("Procurement {id}"),
            process,
            decided_on: day(on),
            framework: false,
            call_off: false,
            urgent: false,
            provider: provider.map(str::to_owned),
        }
    }

    #[test]
    fn counts_the_years_decisions_by_process_and_kind() {
        let decisions = vec![
            decision(1, Process::DirectAwardC, "2025-04-01", Some("R9A")),
            decision(2, Process::DirectAwardC, "2026-03-31", Some("R9A")),
            DecisionFacts { framework: true, ..decision(3, Process::Competitive, "2025-06-10", None) },
            DecisionFacts { call_off: true, ..decision(4, Process::Competitive, "2025-09-10", Some("NEW1")) },
            DecisionFacts { urgent: true, ..decision(5, Process::DirectAwardA, "2025-12-01", Some("RXX")) },
            // The year before and the year after are not counted.
            decision(6, Process::MostSuitableProvider, "2025-03-31", Some("NEW2")),
            decision(7, Process::MostSuitableProvider, "2026-04-01", Some("NEW2")),
        ];
        let first = BTreeMap::from([("R9A".to_owned(), day("2019-04-01")), ("RXX".to_owned(), day("2026-01-01"))]);
        let modifications = vec![
            ModificationFacts { contract_id: "C1".into(), made_on: day("2025-05-01"), urgent: true },
            ModificationFacts { contract_id: "C1".into(), made_on: day("2025-06-01"), urgent: false },
            ModificationFacts { contract_id: "C2".into(), made_on: day("2024-05-01"), urgent: true },
        ];
        let representations = vec![
            Representation {
                procurement: "Procurement 3".into(),
                provider: "RYY".into(),
                received_on: day("2025-07-01"),
                summary: "Scores for quality were not explained".into(),
            },
            Representation {
                procurement: "Old".into(),
                provider: "RYY".into(),
                received_on: day("2024-07-01"),
                summary: "Earlier".into(),
            },
        ];
        let summary =
            annual_summary(FinancialYear::starting(2025), &decisions, &modifications, &representations, &first);
        assert_eq!(summary.year, "2025/26");
        assert_eq!(
            summary.by_process,
            vec![
                (Process::DirectAwardA, 1),
                (Process::DirectAwardB, 0),
                (Process::DirectAwardC, 2),
                (Process::MostSuitableProvider, 0),
                (Process::Competitive, 2)
            ]
        );
        assert_eq!(summary.total, 5);
        assert_eq!(summary.decision_ids, [1, 2, 3, 4, 5]);
        assert_eq!((summary.frameworks_concluded, summary.call_offs, summary.urgent_awards), (1, 1, 1));
        assert_eq!(summary.urgent_modifications, 1);
        // NEW1 never held a contract; RXX's first contract came after the award.
        assert_eq!(summary.new_providers, 2);
        assert_eq!(summary.new_provider_codes, ["NEW1", "RXX"]);
        assert_eq!(summary.representations.len(), 1);
    }
}
