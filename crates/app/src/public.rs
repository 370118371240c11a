//! The public area, for anyone without signing in: providers and the services the
//! commissioner buys from them with their quality information for patient choice (each KPI's
//! latest result against its threshold, the Friends and Family Test, waits against the
//! national standards), the contracts awarded, the Provider Selection Regime notices and the
//! consultations on service change with what was done about them. Every view here is built
//! from public fields only: no bid, score, declaration, person or draft is read.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use commissioning::access::Action;
use commissioning::money::Money;
use commissioning::monitor::quality::{Percentage, QualityKind};
use commissioning::org::OdsCode;
use commissioning::procure::psr::Process;
use commissioning::procure::tender::TenderStage;
use commissioning::strategy::engagement::Status;

use crate::contract_performance::{kpi_performance, quality_series};
use crate::{App, AppError, Result, authorize};

/// A KPI's latest result, as the public sees it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicKpi {
    pub name: String,
    pub month: String,
    pub value: f64,
    pub threshold: f64,
    pub higher_is_better: bool,
    pub met: bool,
}

/// A service bought from a provider.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicService {
    pub contract_id: String,
    pub title: String,
    pub kpis: Vec<PublicKpi>,
    /// The Friends and Family Test over the months held: share positive, and the months.
    pub friends_and_family: Option<(Percentage, usize)>,
}

/// A provider with its services and its latest months against the national standards.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicProvider {
    pub code: String,
    pub name: String,
    pub services: Vec<PublicService>,
    /// (standard's name, month, percentage, meets the standard).
    pub national: Vec<(String, NaiveDate, f64, Option<bool>)>,
}

/// An awarded contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicContract {
    pub id: String,
    pub title: String,
    pub provider_code: String,
    pub provider_name: String,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub annual_value: Money,
}

/// A Provider Selection Regime notice.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicNotice {
    /// "Intention to award" or "Award".
    pub kind: &'static str,
    pub title: String,
    pub process: Process,
    pub provider: Option<String>,
    pub published_on: NaiveDate,
}

/// A consultation on a service change.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicConsultation {
    pub title: String,
    pub opens: NaiveDate,
    pub closes: NaiveDate,
    pub open: bool,
    /// "You said, we did", once it has closed.
    pub outcome: String,
}

impl App {
    /// Every provider the commissioner holds a contract with, by name.
    pub async fn public_providers(&self) -> Result<Vec<PublicProvider>> {
        authorize(None, &Action::ViewPublic)?;
        let mut codes: Vec<OdsCode> = self.store().contracts(None).await?.into_iter().map(|c| c.provider).collect();
        codes.sort();
        codes.dedup();
        let mut providers = Vec::new();
        for code in codes {
            providers.push(self.public_provider_of(&code).await?);
        }
        providers.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(providers)
    }

    /// One provider's public page; `NotFound` for one the commissioner holds no contract with.
    pub async fn public_provider(&self, code: &str) -> Result<PublicProvider> {
        authorize(None, &Action::ViewPublic)?;
        let code = OdsCode::parse(code).map_err(|_| AppError::NotFound)?;
        if self.store().contracts(Some(&code)).await?.is_empty() {
            return Err(AppError::NotFound);
        }
        self.public_provider_of(&code).await
    }

    async fn public_provider_of(&self, code: &OdsCode) -> Result<PublicProvider> {
        let name = self.store().organisation(code).await.map(|o| o.name).unwrap_or_else(|_| code.to_string());
        let mut services = Vec::new();
        for contract in self.store().contracts(Some(code)).await? {
            let mut results = self.store().kpi_results(&contract.id).await?;
            let mut kpis = Vec::new();
            for kpi in self.store().kpis(&contract.id).await? {
                let own: Vec<_> = results.extract_if(.., |r| r.code == kpi.code).collect();
                let performance = kpi_performance(kpi, own);
                if let (Some(last), Some(breached)) = (performance.results.last(), performance.breached.last()) {
                    kpis.push(PublicKpi {
                        name: performance.kpi.name.clone(),
                        month: last.month.clone(),
                        value: last.value.to_f64(),
                        threshold: performance.kpi.threshold.to_f64(),
                        higher_is_better: performance.kpi.higher_is_better,
                        met: !breached,
                    });
                }
            }
            let quality = quality_series(&self.store().quality_returns(&contract.id).await?);
            let friends_and_family = quality
                .iter()
                .filter(|s| s.kind == QualityKind::FriendsAndFamily)
                .find_map(|s| s.overall.map(|p| (p, s.months.len())));
            services.push(PublicService { contract_id: contract.id, title: contract.title, kpis, friends_and_family });
        }
        let mut national = Vec::new();
        for metric in [crate::performance::AE_ALL, crate::performance::AE_TYPE1, crate::performance::RTT_COMPLETED] {
            let rows = self.store().performance(metric, Some(code.as_str())).await?;
            let latest = rows
                .iter()
                .filter(|r| r.denominator > 0)
                .filter_map(|r| NaiveDate::parse_from_str(&r.period, "%Y-%m-%d").ok().map(|d| (d, r)))
                .max_by_key(|(d, _)| *d);
            if let Some((month, row)) = latest {
                let value = 100.0 * row.numerator as f64 / row.denominator as f64;
                let (standard, _) = commissioning::monitor::standards::in_force(metric, month);
                national.push((
                    commissioning::monitor::standards::name(metric),
                    month,
                    value,
                    standard.map(|s| s.met(value)),
                ));
            }
        }
        Ok(PublicProvider { code: code.to_string(), name, services, national })
    }

    /// The contracts awarded, newest first.
    pub async fn public_contracts(&self) -> Result<Vec<PublicContract>> {
        authorize(None, &Action::ViewPublic)?;
        let names = self.organisation_names().await?;
        let mut contracts: Vec<PublicContract> = self
            .store()
            .contracts(None)
            .await?
            .into_iter()
            .map(|c| PublicContract {
                provider_name: names.get(c.provider.as_str()).cloned().unwrap_or_else(|| c.provider.to_string()),
                provider_code: c.provider.to_string(),
                id: c.id,
                title: c.title,
                start: c.term.start,
                end: c.term.end,
                annual_value: c.annual_value,
            })
            .collect();
        contracts.sort_by(|a, b| b.start.cmp(&a.start).then(a.id.cmp(&b.id)));
        Ok(contracts)
    }

    /// The Provider Selection Regime's notices, newest first: for each decision naming its
    /// provider, the award notice of a direct award A or B or the intention to award of any
    /// other process; for each tender, its intention to award once published and its award.
    pub async fn public_notices(&self) -> Result<Vec<PublicNotice>> {
        authorize(None, &Action::ViewPublic)?;
        let names = self.organisation_names().await?;
        let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_owned());
        let mut notices = Vec::new();
        for record in self.store().decisions().await? {
            let input = crate::procurement::decision_input(&record)?;
            let Some(process) = Process::parse(&record.chosen) else { continue };
            let provider = input.provider.trim();
            let Some(on) = chrono::DateTime::from_timestamp_millis(record.decided_at).map(|t| t.date_naive()) else {
                continue;
            };
            if provider.is_empty() {
                continue;
            }
            notices.push(PublicNotice {
                kind: if process.has_standstill() { "Intention to award" } else { "Award" },
                title: record.title,
                process,
                provider: Some(name_of(provider)),
                published_on: on,
            });
        }
        for tender in self.store().tenders().await? {
            let Some(process) = Process::parse(&tender.process) else { continue };
            let stage = TenderStage::parse(&tender.stage);
            let award = self.store().award(tender.id).await?;
            let day =
                |text: &Option<String>| text.as_deref().and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
            if let (Some(provider), Some(on)) = (&award.intended_provider, day(&award.intention_published)) {
                notices.push(PublicNotice {
                    kind: "Intention to award",
                    title: tender.title.clone(),
                    process,
                    provider: Some(name_of(provider)),
                    published_on: on,
                });
            }
            if stage == Some(TenderStage::Awarded)
                && let (Some(provider), Some(on)) = (&award.intended_provider, day(&tender.awarded_on))
            {
                notices.push(PublicNotice {
                    kind: "Award",
                    title: tender.title.clone(),
                    process,
                    provider: Some(name_of(provider)),
                    published_on: on,
                });
            }
        }
        notices.sort_by(|a, b| b.published_on.cmp(&a.published_on).then(a.title.cmp(&b.title)));
        Ok(notices)
    }

    /// Consultations on service changes, open ones first, with their outcomes once closed.
    pub async fn public_consultations(&self, today: NaiveDate) -> Result<Vec<PublicConsultation>> {
        authorize(None, &Action::ViewPublic)?;
        let day = |text: Option<&str>| text.and_then(|t| NaiveDate::parse_from_str(t, "%Y-%m-%d").ok());
        let mut consultations = Vec::new();
        let mut titles: BTreeMap<i64, String> = BTreeMap::new();
        for spec in self.store().specifications().await? {
            titles.insert(spec.id, spec.title.clone());
            let Some(change) = self.store().service_change(spec.id).await? else { continue };
            if let (Some(opens), Some(closes)) =
                (day(change.consultation_opens.as_deref()), day(change.consultation_closes.as_deref()))
            {
                let status = Status::on(opens, closes, today);
                consultations.push(PublicConsultation {
                    title: spec.title.clone(),
                    opens,
                    closes,
                    open: status == Status::Open,
                    outcome: if status == Status::Closed { change.consultation_outcome.clone() } else { String::new() },
                });
            }
        }
        consultations.sort_by(|a, b| b.open.cmp(&a.open).then(b.closes.cmp(&a.closes)));
        Ok(consultations)
    }
}
