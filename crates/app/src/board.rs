//! Monitor: the board report — one printable summary of performance for the commissioner's
//! board: each national standard's "Making Data Count" matrix, every contract's KPI ratings
//! with the red ones named, open contract performance notices, patients' feedback, and the
//! evaluations made with their recommendations.

use chrono::NaiveDate;
use serde::Serialize;

use commissioning::access::{Action, Principal};
use commissioning::monitor::quality::{Percentage, QualityKind, Rag};

use crate::evaluation::EvaluationView;
use crate::notices::NoticeView;
use crate::performance::PerformanceOverview;
use crate::{App, Result, authorize};

/// A contract's line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContractLine {
    pub contract_id: String,
    pub title: String,
    pub provider_name: String,
    pub red: usize,
    pub amber: usize,
    pub green: usize,
    /// Red KPIs as `code: name (latest value)`.
    pub red_kpis: Vec<String>,
    /// The Friends and Family Test across the months held, per measure.
    pub fft: Vec<(String, Percentage)>,
    pub open_notices: Vec<NoticeView>,
    pub evaluations: Vec<EvaluationView>,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BoardReport {
    pub date: NaiveDate,
    /// Each national measure held, with its matrix and how many organisations met the
    /// standard in their latest month.
    pub standards: Vec<(PerformanceOverview, usize)>,
    pub contracts: Vec<ContractLine>,
}

impl App {
    /// The board report as it stands on `today` (the commissioner's side).
    pub async fn board_report(&self, principal: &Principal, today: NaiveDate) -> Result<BoardReport> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        let mut standards = Vec::new();
        for (metric, _, _) in self.performance_metrics(principal).await? {
            let mut overview = self.performance_overview(principal, &metric).await?;
            let meeting = overview.charts.iter().filter(|chart| chart.latest_meets_standard == Some(true)).count();
            // The report keeps the matrix and thresholds; the charts are on the dashboard.
            overview.charts.clear();
            standards.push((overview, meeting));
        }
        let mut contracts = Vec::new();
        for contract in self.store().contracts(None).await? {
            let performance = self.contract_performance(principal, &contract.id).await?;
            let count = |rag: Rag| performance.kpis.iter().filter(|k| k.rag == Some(rag)).count();
            let red_kpis = performance
                .kpis
                .iter()
                .filter(|k| k.rag == Some(Rag::Red))
                .map(|k| {
                    let latest = k.results.last().map(|r| format!(" ({} in {})", r.value, r.month)).unwrap_or_default();
                    format!("{}: {}{latest}", k.kpi.code, k.kpi.name)
                })
                .collect();
            let fft = performance
                .quality
                .iter()
                .filter(|s| s.kind == QualityKind::FriendsAndFamily)
                .filter_map(|s| s.overall.map(|p| (s.measure.clone(), p)))
                .collect();
            let open_notices =
                self.notices(principal, &contract.id, today).await?.into_iter().filter(|n| n.stage.is_open()).collect();
            contracts.push(ContractLine {
                red: count(Rag::Red),
                amber: count(Rag::Amber),
                green: count(Rag::Green),
                red_kpis,
                fft,
                open_notices,
                evaluations: self.evaluations(principal, &contract.id).await?,
                contract_id: contract.id,
                title: contract.title,
                provider_name: performance.provider_name,
            });
        }
        Ok(BoardReport { date: today, standards, contracts })
    }
}
