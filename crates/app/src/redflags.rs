//! Red flags over every procurement held: imported OCDS releases (merged by ocid, so a tender
//! and its award read as one process) and our own tenders, route decisions and contracts,
//! reduced to `commissioning::procure::redflags::ProcessFacts` and judged together, so the
//! Tukey fences are drawn over the whole dataset. Bids count only once they are unsealed.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use serde::Serialize;

use commissioning::access::Action;
use commissioning::money::Money;
use commissioning::period::parse_date;
use commissioning::procure::psr::Process;
use commissioning::procure::redflags::{Flag, Indicator, ProcessFacts, process_flags, repeated_direct_award_c};
use commissioning::procure::tender::{TenderStage, bids_unsealed};

use crate::{Actor, App, Result, authorize};

/// The flags raised, with how many processes and contracts they were drawn from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedFlags {
    pub flags: Vec<Flag>,
    pub imported_processes: usize,
    pub own_processes: usize,
    pub contracts: usize,
}

impl RedFlags {
    /// How many flags each indicator raised, in the indicators' order.
    pub fn counts(&self) -> Vec<(Indicator, usize)> {
        Indicator::ALL.into_iter().map(|i| (i, self.flags.iter().filter(|f| f.indicator == i).count())).collect()
    }

    /// The flags as CSV: `indicator,name,id,title,buyer,detail`.
    pub fn to_csv(&self) -> String {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let _ = writer.write_record(["indicator", "name", "id", "title", "buyer", "detail"]);
        for f in &self.flags {
            let _ =
                writer.write_record([f.indicator.code(), f.indicator.label(), &f.id, &f.title, &f.buyer, &f.detail]);
        }
        String::from_utf8(writer.into_inner().unwrap_or_default()).unwrap_or_default()
    }
}

impl App {
    /// The red flags over imported and own procurements (the commissioner's side, or the
    /// command line).
    pub async fn red_flags(&self, actor: &Actor, now: NaiveDateTime) -> Result<RedFlags> {
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        }
        let mut facts: Vec<ProcessFacts> = Vec::new();
        // Imported releases, merged by ocid in date order: later releases fill in and update.
        let mut by_ocid: BTreeMap<String, ProcessFacts> = BTreeMap::new();
        for r in self.store().ocds_releases().await? {
            let f = by_ocid
                .entry(r.ocid.clone())
                .or_insert_with(|| ProcessFacts { id: r.ocid.clone(), ..Default::default() });
            let day = |d: &Option<String>| d.as_deref().and_then(|d| parse_date(d).ok());
            if !r.title.is_empty() {
                f.title = r.title.clone();
            }
            if !r.buyer.is_empty() {
                f.buyer = r.buyer.clone();
            }
            f.method = r.method.clone().or(f.method.take());
            f.tender_start = day(&r.tender_start).or(f.tender_start);
            f.tender_end = day(&r.tender_end).or(f.tender_end);
            f.number_of_tenderers = r.number_of_tenderers.map(|n| n as u32).or(f.number_of_tenderers);
            f.award_date = day(&r.award_date).or(f.award_date);
            f.award_allowed_from =
                day(&r.standstill_end).map(|d| d + chrono::Duration::days(1)).or(f.award_allowed_from);
        }
        let imported_processes = by_ocid.len();
        facts.extend(by_ocid.into_values());

        let tenders = self.store().tenders().await?;
        let own_processes = tenders.len();
        for record in tenders.into_iter().rev() {
            let Some(stage) = TenderStage::parse(&record.stage) else { continue };
            let Ok(deadline) = NaiveDateTime::parse_from_str(&record.deadline, crate::tenders::DEADLINE_FORMAT) else {
                continue;
            };
            if stage == TenderStage::Draft {
                continue;
            }
            let mut f = ProcessFacts {
                id: format!("T{}", record.id),
                title: record.title.clone(),
                buyer: record.buyer.clone(),
                method: Some(if record.process == Process::Competitive.code() { "open" } else { "limited" }.into()),
                tender_start: record
                    .published_at
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|d| d.date_naive()),
                tender_end: Some(deadline.date()),
                award_date: record.awarded_on.as_deref().and_then(|d| parse_date(d).ok()),
                ..Default::default()
            };
            if bids_unsealed(stage, deadline, now) {
                let bids = self.store().bids(record.id, None).await?;
                f.number_of_tenderers = Some(bids.len() as u32);
                f.bids = bids.into_iter().map(|b| (b.bidder, Money::from_pence(b.price_pence))).collect();
                let award = self.award_view(record.id).await?;
                f.winner = award.intended_provider;
                f.award_allowed_from = award.standstill.and_then(|s| s.award_from);
            }
            facts.push(f);
        }
        let mut flags = process_flags(&facts);

        let mut decisions: Vec<(String, String, String)> = Vec::new();
        for d in self.store().decisions().await?.into_iter().rev() {
            let input = crate::procurement::decision_input(&d)?;
            if d.chosen == Process::DirectAwardC.code() && !input.provider.is_empty() {
                decisions.push((format!("D{}", d.id), d.title, input.provider));
            }
        }
        flags.extend(repeated_direct_award_c(&decisions));

        let contracts = self.store().contracts(None).await?;
        for contract in &contracts {
            let flag = |indicator, detail: String| Flag {
                indicator,
                id: contract.id.clone(),
                title: contract.title.clone(),
                buyer: contract.commissioner.to_string(),
                detail,
            };
            for (variation, notice_required, _) in self.store().variations(&contract.id).await? {
                if notice_required && variation.notice_published.is_none() {
                    flags.push(flag(
                        Indicator::ModificationWithoutNotice,
                        format!(
                            "variation {} agreed on {} changes the lifetime value by {}; no transparency notice is recorded",
                            variation.number, variation.agreed_on, variation.lifetime_value_change
                        ),
                    ));
                }
            }
            if self.store().kpis(&contract.id).await?.is_empty() {
                flags.push(flag(Indicator::ContractWithoutKpis, "the contract has no KPIs to manage it by".into()));
            }
        }
        flags.sort_by(|a, b| a.indicator.cmp(&b.indicator).then_with(|| a.id.cmp(&b.id)));
        Ok(RedFlags { flags, imported_processes, own_processes, contracts: contracts.len() })
    }
}
