//! Plan: referral-to-treatment waits by provider and treatment function from NHS England's
//! completed-pathways return, with England's figures and a capacity-and-demand view per
//! service. The national figures sum the treatment functions (never the `C_999` totals,
//! which the import checks and keeps apart).

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

use commissioning::access::{Action, Principal, Stage};
use commissioning::plan::rtt::{CapacityView, RttFigures, WaitBands, capacity_view};
use store::rtt::RttRow;

use crate::{App, AppError, Result, authorize};

/// The standard the capacity view plans for, in weeks.
pub const TARGET_WEEKS: f64 = 18.0;

/// One group's figures for admitted, non-admitted and both pathways.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathwayFigures {
    pub admitted: RttFigures,
    pub non_admitted: RttFigures,
    pub all: RttFigures,
    /// Capacity and demand from both pathways together.
    pub capacity: Option<CapacityView>,
}

/// A provider (or treatment function) and its figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RttGroup {
    pub code: String,
    pub name: String,
    pub figures: PathwayFigures,
}

/// A month of the return.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RttSummary {
    pub period: String,
    /// Every month held, newest first.
    pub periods: Vec<String>,
    pub england: PathwayFigures,
    pub providers: Vec<RttGroup>,
    pub functions: Vec<RttGroup>,
}

/// One provider's month by treatment function.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RttProvider {
    pub period: String,
    pub code: String,
    pub name: String,
    pub all: PathwayFigures,
    pub functions: Vec<RttGroup>,
}

#[derive(Default)]
struct Bands {
    admitted: Option<WaitBands>,
    non_admitted: Option<WaitBands>,
}

impl Bands {
    fn add(&mut self, row: &RttRow) {
        let bands = WaitBands(row.bands.clone());
        let slot = if row.pathway == "admitted" { &mut self.admitted } else { &mut self.non_admitted };
        slot.get_or_insert_with(WaitBands::zero).add(&bands);
    }

    fn figures(&self, days: u32) -> PathwayFigures {
        let admitted = self.admitted.clone().unwrap_or_else(WaitBands::zero);
        let non_admitted = self.non_admitted.clone().unwrap_or_else(WaitBands::zero);
        let mut all = admitted.clone();
        all.add(&non_admitted);
        let capacity = all.mean_weeks().map(|mean| capacity_view(all.total(), days, mean, TARGET_WEEKS));
        PathwayFigures {
            admitted: RttFigures::of(&admitted),
            non_admitted: RttFigures::of(&non_admitted),
            all: RttFigures::of(&all),
            capacity,
        }
    }
}

fn days_in(period: &str) -> Result<u32> {
    let start = NaiveDate::parse_from_str(period, "%Y-%m-%d")
        .map_err(|_| AppError::Invalid(format!("'{period}' is not a month (YYYY-MM-01)")))?;
    let next = if start.month() == 12 {
        NaiveDate::from_ymd_opt(start.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(start.year(), start.month() + 1, 1)
    };
    Ok(next.map(|n| (n - start).num_days() as u32).unwrap_or(30))
}

/// `2025-09` or `2025-09-01` → `2025-09-01`.
fn month(text: &str) -> String {
    if text.len() == 7 { format!("{text}-01") } else { text.to_owned() }
}

impl App {
    /// England, every provider and every treatment function for a month (the latest if none).
    pub async fn rtt_summary(&self, principal: &Principal, period: Option<&str>) -> Result<RttSummary> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let periods = self.store().rtt_periods().await?;
        let period = match period {
            Some(p) => month(p),
            None => periods.first().cloned().ok_or(AppError::NotFound)?,
        };
        if !periods.contains(&period) {
            return Err(AppError::NotFound);
        }
        let days = days_in(&period)?;
        let rows = self.store().rtt_pathways(&period, None).await?;
        let mut england = Bands::default();
        let mut providers: BTreeMap<String, (String, Bands)> = BTreeMap::new();
        let mut functions: BTreeMap<String, (String, Bands)> = BTreeMap::new();
        for row in &rows {
            england.add(row);
            providers
                .entry(row.provider_code.clone())
                .or_insert_with(|| (row.provider_name.clone(), Bands::default()))
                .1
                .add(row);
            functions
                .entry(row.treatment_function_code.clone())
                .or_insert_with(|| (row.treatment_function_name.clone(), Bands::default()))
                .1
                .add(row);
        }
        let groups = |map: BTreeMap<String, (String, Bands)>| {
            map.into_iter()
                .map(|(code, (name, bands))| RttGroup { code, name, figures: bands.figures(days) })
                .collect::<Vec<_>>()
        };
        Ok(RttSummary {
            england: england.figures(days),
            providers: groups(providers),
            functions: groups(functions),
            period,
            periods,
        })
    }

    /// Every provider's treatment functions for a month (the latest if none), as (provider
    /// code, provider name, figures), with the month.
    pub async fn rtt_services(
        &self,
        principal: &Principal,
        period: Option<&str>,
    ) -> Result<(String, Vec<(String, String, RttGroup)>)> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let period = match period {
            Some(p) => month(p),
            None => self.store().rtt_periods().await?.first().cloned().ok_or(AppError::NotFound)?,
        };
        let days = days_in(&period)?;
        let rows = self.store().rtt_pathways(&period, None).await?;
        if rows.is_empty() {
            return Err(AppError::NotFound);
        }
        let mut services: BTreeMap<(String, String), (String, String, Bands)> = BTreeMap::new();
        for row in &rows {
            services
                .entry((row.provider_code.clone(), row.treatment_function_code.clone()))
                .or_insert_with(|| (row.provider_name.clone(), row.treatment_function_name.clone(), Bands::default()))
                .2
                .add(row);
        }
        let services = services
            .into_iter()
            .map(|((provider, code), (provider_name, name, bands))| {
                (provider, provider_name, RttGroup { code, name, figures: bands.figures(days) })
            })
            .collect();
        Ok((period, services))
    }

    /// One provider's treatment functions for a month (the latest if none).
    pub async fn rtt_provider(
        &self,
        principal: &Principal,
        provider: &str,
        period: Option<&str>,
    ) -> Result<RttProvider> {
        authorize(Some(principal), &Action::ViewStage(Stage::Plan))?;
        let period = match period {
            Some(p) => month(p),
            None => self.store().rtt_periods().await?.first().cloned().ok_or(AppError::NotFound)?,
        };
        let days = days_in(&period)?;
        let rows = self.store().rtt_pathways(&period, Some(&provider.to_ascii_uppercase())).await?;
        let first = rows.first().ok_or(AppError::NotFound)?;
        let (code, name) = (first.provider_code.clone(), first.provider_name.clone());
        let mut all = Bands::default();
        let mut functions: BTreeMap<String, (String, Bands)> = BTreeMap::new();
        for row in &rows {
            all.add(row);
            functions
                .entry(row.treatment_function_code.clone())
                .or_insert_with(|| (row.treatment_function_name.clone(), Bands::default()))
                .1
                .add(row);
        }
        Ok(RttProvider {
            all: all.figures(days),
            functions: functions
                .into_iter()
                .map(|(code, (name, bands))| RttGroup { code, name, figures: bands.figures(days) })
                .collect(),
            period,
            code,
            name,
        })
    }
}
