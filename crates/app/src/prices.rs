//! Prices: importing tariffs and market forces factors with effective dates, and the prices
//! in force on a date for the monitoring engine.
//!
//! A tariff file is `hrg,pod,unit_price[,trim_point_days,excess_bed_day_price,bpt_uplift]`
//! (pounds; `bpt_uplift` is the best-practice tariff's addition per spell meeting its audited
//! criteria); an
//! MFF file is `provider_code,mff`. Each import gives the dates the prices apply from (and,
//! optionally, to). Two prices for the same HRG and point of delivery (or the same provider)
//! may not apply on the same day: an overlapping import is refused, naming the line.

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

use analytics::pricing::{Factor, MffTable, Tariff, TariffEntry, parse_pounds};
use store::audit::AuditEntry;
use store::prices::{MffRow, TariffRow};

use crate::import::ImportError;
use crate::{Actor, App, AppError, Result, now_millis};

/// What a price import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceImport {
    pub n_rows: u64,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

fn overlaps(a_from: NaiveDate, a_to: Option<NaiveDate>, b_from: NaiveDate, b_to: Option<NaiveDate>) -> bool {
    a_to.is_none_or(|a_to| b_from <= a_to) && b_to.is_none_or(|b_to| a_from <= b_to)
}

fn range_text(from: NaiveDate, to: Option<NaiveDate>) -> String {
    match to {
        Some(to) => format!("{from} to {to}"),
        None => format!("{from} onwards"),
    }
}

impl App {
    pub async fn import_tariff(
        &self,
        actor: &Actor,
        path: &Path,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> Result<PriceImport> {
        check_range(path, from, to)?;
        let existing = self.store().tariff_rows().await?;
        let source = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let mut rows = Vec::new();
        let mut first_line: HashMap<(String, String), u64> = HashMap::new();
        let n_rows = crate::import::read_csv(
            path,
            &["hrg", "pod", "unit_price"],
            &["trim_point_days", "excess_bed_day_price", "bpt_uplift"],
            |row| {
                let hrg = row.required("hrg")?.to_owned();
                let pod = row.required("pod")?.to_owned();
                if analytics::rules::pod_index(pod.as_bytes()).is_none() {
                    return Err(row.error(
                        "pod",
                        format!("'{pod}' is not a point of delivery (EL, DC, NEL, OPFA, OPFU, OPPROC or AE)"),
                    ));
                }
                let unit = row.parse("unit_price", |t| {
                    parse_pounds(t)
                        .filter(|p| *p >= 0)
                        .ok_or_else(|| format!("'{t}' is not a price in pounds such as 1234.56"))
                })?;
                let trim = row.parse_optional("trim_point_days", |t| {
                    t.parse::<i64>()
                        .ok()
                        .filter(|d| *d >= 0)
                        .ok_or_else(|| format!("'{t}' is not a whole number of days"))
                })?;
                let excess = row.parse_optional("excess_bed_day_price", |t| {
                    parse_pounds(t)
                        .filter(|p| *p >= 0)
                        .ok_or_else(|| format!("'{t}' is not a price in pounds such as 312.00"))
                })?;
                let bpt = row.parse_optional("bpt_uplift", |t| {
                    parse_pounds(t)
                        .filter(|p| *p >= 0)
                        .ok_or_else(|| format!("'{t}' is not a price in pounds such as 450.00"))
                })?;
                if let Some(first) = first_line.insert((hrg.clone(), pod.clone()), row.line()) {
                    return Err(row.error("hrg", format!("{hrg} at {pod} appears again (first on line {first})")));
                }
                if let Some(clash) = existing
                    .iter()
                    .find(|e| e.hrg == hrg && e.pod == pod && overlaps(e.effective_from, e.effective_to, from, to))
                {
                    return Err(row.error(
                        "hrg",
                        format!(
                            "{hrg} at {pod} already has a price for {}, which overlaps {}",
                            range_text(clash.effective_from, clash.effective_to),
                            range_text(from, to)
                        ),
                    ));
                }
                rows.push(TariffRow {
                    hrg,
                    pod,
                    unit_price_pence: unit,
                    trim_point_days: trim,
                    excess_bed_day_pence: excess,
                    bpt_uplift_pence: bpt,
                    effective_from: from,
                    effective_to: to,
                    source: source.clone(),
                });
                Ok(())
            },
        )?;
        let mut tx = self.store().begin().await?;
        tx.insert_tariff_rows(&rows).await?;
        tx.audit(&price_audit(actor, "tariff", &source, n_rows, from, to), now_millis()).await?;
        tx.commit().await?;
        Ok(PriceImport { n_rows, effective_from: from, effective_to: to })
    }

    /// Rolls the tariff in force on `in_force_on` forward to a new date range with the price
    /// uplift rule, `price × (1 + cost uplift) × (1 − efficiency)`, applied exactly to unit,
    /// excess bed-day and best-practice prices (trim points unchanged). Refused, writing nothing, if the new
    /// range overlaps a price already held for any of its HRGs.
    pub async fn uplift_tariff(
        &self,
        actor: &Actor,
        in_force_on: NaiveDate,
        from: NaiveDate,
        to: Option<NaiveDate>,
        cost_uplift: commissioning::money::Decimal,
        efficiency: commissioning::money::Decimal,
    ) -> Result<PriceImport> {
        use commissioning::money::Money;
        use commissioning::monitor::payment::uplifted_price;
        if to.is_some_and(|to| to < from) {
            return Err(AppError::Invalid(format!(
                "the new prices end ({}) before they start ({from})",
                to.expect("checked")
            )));
        }
        let existing = self.store().tariff_rows().await?;
        let current: Vec<&TariffRow> = existing
            .iter()
            .filter(|row| row.effective_from <= in_force_on && row.effective_to.is_none_or(|to| in_force_on <= to))
            .collect();
        if current.is_empty() {
            return Err(AppError::Invalid(format!("no tariff is in force on {in_force_on}")));
        }
        let source = format!(
            "uplift of the tariff in force on {in_force_on}: cost uplift {cost_uplift}, efficiency {efficiency}"
        );
        let uplift = |pence: i64| uplifted_price(Money::from_pence(pence), cost_uplift, efficiency).pence();
        let mut rows = Vec::with_capacity(current.len());
        for row in current {
            if let Some(clash) = existing
                .iter()
                .find(|e| e.hrg == row.hrg && e.pod == row.pod && overlaps(e.effective_from, e.effective_to, from, to))
            {
                return Err(AppError::Invalid(format!(
                    "{} at {} already has a price for {}, which overlaps {}",
                    row.hrg,
                    row.pod,
                    range_text(clash.effective_from, clash.effective_to),
                    range_text(from, to)
                )));
            }
            rows.push(TariffRow {
                hrg: row.hrg.clone(),
                pod: row.pod.clone(),
                unit_price_pence: uplift(row.unit_price_pence),
                trim_point_days: row.trim_point_days,
                excess_bed_day_pence: row.excess_bed_day_pence.map(uplift),
                bpt_uplift_pence: row.bpt_uplift_pence.map(uplift),
                effective_from: from,
                effective_to: to,
                source: source.clone(),
            });
        }
        let n_rows = rows.len() as u64;
        let mut tx = self.store().begin().await?;
        tx.insert_tariff_rows(&rows).await?;
        tx.audit(&price_audit(actor, "tariff", &source, n_rows, from, to), now_millis()).await?;
        tx.commit().await?;
        Ok(PriceImport { n_rows, effective_from: from, effective_to: to })
    }

    pub async fn import_mff(
        &self,
        actor: &Actor,
        path: &Path,
        from: NaiveDate,
        to: Option<NaiveDate>,
    ) -> Result<PriceImport> {
        check_range(path, from, to)?;
        let existing = self.store().mff_rows().await?;
        let source = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let mut rows = Vec::new();
        let mut first_line: HashMap<String, u64> = HashMap::new();
        let n_rows = crate::import::read_csv(path, &["provider_code", "mff"], &[], |row| {
            let provider = row.required("provider_code")?.to_owned();
            let mff = row.required("mff")?.to_owned();
            if Factor::parse(&mff).is_none_or(|f| f.mantissa == 0) {
                return Err(row.error("mff", format!("'{mff}' is not a positive decimal such as 1.0523")));
            }
            if let Some(first) = first_line.insert(provider.clone(), row.line()) {
                return Err(row.error("provider_code", format!("{provider} appears again (first on line {first})")));
            }
            if let Some(clash) = existing
                .iter()
                .find(|e| e.provider_code == provider && overlaps(e.effective_from, e.effective_to, from, to))
            {
                return Err(row.error(
                    "provider_code",
                    format!(
                        "{provider} already has an MFF for {}, which overlaps {}",
                        range_text(clash.effective_from, clash.effective_to),
                        range_text(from, to)
                    ),
                ));
            }
            rows.push(MffRow {
                provider_code: provider,
                mff,
                effective_from: from,
                effective_to: to,
                source: source.clone(),
            });
            Ok(())
        })?;
        let mut tx = self.store().begin().await?;
        tx.insert_mff_rows(&rows).await?;
        tx.audit(&price_audit(actor, "mff", &source, n_rows, from, to), now_millis()).await?;
        tx.commit().await?;
        Ok(PriceImport { n_rows, effective_from: from, effective_to: to })
    }

    /// The tariff and MFFs in force on `date`, for the engine.
    pub async fn prices_on(&self, date: NaiveDate) -> Result<(Tariff, MffTable)> {
        let in_force = |from: NaiveDate, to: Option<NaiveDate>| from <= date && to.is_none_or(|to| date <= to);
        let tariff = Tariff::new(
            self.store().tariff_rows().await?.into_iter().filter(|r| in_force(r.effective_from, r.effective_to)).map(
                |r| {
                    let entry = TariffEntry {
                        unit_pence: r.unit_price_pence,
                        trim_point_days: r.trim_point_days.map(|d| d as u32),
                        excess_bed_day_pence: r.excess_bed_day_pence,
                    };
                    (r.hrg, r.pod, entry)
                },
            ),
        )
        .map_err(AppError::Invalid)?;
        let mff = MffTable::new(
            self.store()
                .mff_rows()
                .await?
                .into_iter()
                .filter(|r| in_force(r.effective_from, r.effective_to))
                .filter_map(|r| Factor::parse(&r.mff).map(|f| (r.provider_code, f))),
        );
        Ok((tariff, mff))
    }
}

fn check_range(path: &Path, from: NaiveDate, to: Option<NaiveDate>) -> Result<()> {
    if to.is_some_and(|to| to < from) {
        return Err(AppError::Import(ImportError {
            file: path.to_owned(),
            line: None,
            field: None,
            message: format!("the prices cannot end ({}) before they start ({from})", to.expect("checked")),
        }));
    }
    Ok(())
}

fn price_audit(
    actor: &Actor,
    kind: &str,
    source: &str,
    rows: u64,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> AuditEntry {
    AuditEntry {
        actor: actor.audit_name(),
        organisation: actor.organisation(),
        action: "import".into(),
        object_type: "prices".into(),
        object_id: kind.into(),
        before: None,
        after: Some(
            serde_json::json!({ "file": source, "rows": rows, "from": from.to_string(), "to": to.map(|d| d.to_string()) }),
        ),
    }
}
