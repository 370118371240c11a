//! The contract register: contracts with their term, value and payment mechanism.

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::money::{Decimal, Money};
use commissioning::monitor::payment::CquinIndicator;
use commissioning::org::OdsCode;
use commissioning::procure::contract::{Contract, Mechanism, ModificationGround, Term, Variation, VariationAssessment};

use crate::{Result, Store, StoreError, Tx, Value, insert_rows, parse_column};

const COLUMNS: &str = "id, title, commissioner_code, provider_code, start_date, end_date, notice_months, \
     extension_months, annual_value_pence, mechanism, fixed_value_pence, elective_baseline_pence, owner";

impl Tx {
    /// Inserts contracts or replaces those already registered (matched by id).
    pub async fn upsert_contracts(&mut self, contracts: &[Contract]) -> Result<u64> {
        let rows = contracts
            .iter()
            .map(|contract| {
                let (fixed, baseline) = match contract.mechanism {
                    Mechanism::AlignedPayment { fixed_annual, elective_baseline_annual } => {
                        (Some(fixed_annual.pence()), elective_baseline_annual.map(Money::pence))
                    }
                    _ => (None, None),
                };
                vec![
                    Value::Text(contract.id.clone()),
                    Value::Text(contract.title.clone()),
                    Value::Text(contract.commissioner.to_string()),
                    Value::Text(contract.provider.to_string()),
                    Value::Text(contract.term.start.to_string()),
                    Value::Text(contract.term.end.to_string()),
                    Value::Int(i64::from(contract.term.notice_months)),
                    Value::Text(
                        contract.term.extension_months.iter().map(ToString::to_string).collect::<Vec<_>>().join(","),
                    ),
                    Value::Int(contract.annual_value.pence()),
                    Value::Text(contract.mechanism.code().to_owned()),
                    Value::OptInt(fixed),
                    Value::OptInt(baseline),
                    Value::Text(contract.owner.clone()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contracts",
            &[
                "id",
                "title",
                "commissioner_code",
                "provider_code",
                "start_date",
                "end_date",
                "notice_months",
                "extension_months",
                "annual_value_pence",
                "mechanism",
                "fixed_value_pence",
                "elective_baseline_pence",
                "owner",
            ],
            rows,
            "ON CONFLICT (id) DO UPDATE SET title = excluded.title, commissioner_code = excluded.commissioner_code, \
             provider_code = excluded.provider_code, start_date = excluded.start_date, end_date = excluded.end_date, \
             notice_months = excluded.notice_months, extension_months = excluded.extension_months, \
             annual_value_pence = excluded.annual_value_pence, mechanism = excluded.mechanism, \
             fixed_value_pence = excluded.fixed_value_pence, elective_baseline_pence = excluded.elective_baseline_pence, \
             owner = excluded.owner",
        )
        .await
    }
}

/// An invoice for a contract's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub contract_id: String,
    /// `YYYY-MM`.
    pub month: String,
    pub invoice_number: String,
    pub value: Money,
}

impl Tx {
    /// Records invoices; one for the same contract and month replaces it.
    pub async fn upsert_invoices(&mut self, invoices: &[Invoice]) -> Result<u64> {
        let rows = invoices
            .iter()
            .map(|invoice| {
                vec![
                    Value::Text(invoice.contract_id.clone()),
                    Value::Text(invoice.month.clone()),
                    Value::Text(invoice.invoice_number.clone()),
                    Value::Int(invoice.value.pence()),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "invoices",
            &["contract_id", "month", "invoice_number", "value_pence"],
            rows,
            "ON CONFLICT (contract_id, month) DO UPDATE SET invoice_number = excluded.invoice_number, \
             value_pence = excluded.value_pence",
        )
        .await
    }
}

impl Tx {
    /// Records variations with their assessment; the same contract and number replaces it.
    pub async fn upsert_variations(&mut self, variations: &[(Variation, VariationAssessment)]) -> Result<u64> {
        let rows = variations
            .iter()
            .map(|(variation, assessment)| {
                vec![
                    Value::Text(variation.contract_id.clone()),
                    Value::Int(i64::from(variation.number)),
                    Value::Text(variation.agreed_on.to_string()),
                    Value::Text(variation.description.clone()),
                    Value::Int(variation.annual_value_change.pence()),
                    Value::Int(variation.lifetime_value_change.pence()),
                    Value::Text(variation.ground.code().to_owned()),
                    Value::Int(i64::from(variation.materially_different)),
                    Value::Int(i64::from(assessment.transparency_notice_required)),
                    Value::Int(i64::from(assessment.considerable_change)),
                    Value::OptText(variation.notice_published.map(|day| day.to_string())),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_variations",
            &[
                "contract_id",
                "number",
                "agreed_on",
                "description",
                "annual_change_pence",
                "lifetime_change_pence",
                "ground",
                "materially_different",
                "transparency_notice_required",
                "considerable_change",
                "notice_published",
            ],
            rows,
            "ON CONFLICT (contract_id, number) DO UPDATE SET agreed_on = excluded.agreed_on, \
             description = excluded.description, annual_change_pence = excluded.annual_change_pence, \
             lifetime_change_pence = excluded.lifetime_change_pence, ground = excluded.ground, \
             materially_different = excluded.materially_different, \
             transparency_notice_required = excluded.transparency_notice_required, \
             considerable_change = excluded.considerable_change, notice_published = excluded.notice_published",
        )
        .await
    }
}

impl Tx {
    /// Records a contract's CQUIN indicators; the same contract and name replaces it.
    pub async fn upsert_cquin_indicators(&mut self, indicators: &[(String, CquinIndicator)]) -> Result<u64> {
        let rows = indicators
            .iter()
            .map(|(contract_id, indicator)| {
                vec![
                    Value::Text(contract_id.clone()),
                    Value::Text(indicator.name.clone()),
                    Value::Text(indicator.minimum.to_string()),
                    Value::Text(indicator.maximum.to_string()),
                    Value::Text(indicator.performance.to_string()),
                    Value::Int(i64::from(indicator.higher_is_better)),
                ]
            })
            .collect();
        insert_rows(
            self.connection(),
            "contract_cquin_indicators",
            &["contract_id", "name", "minimum", "maximum", "performance", "higher_is_better"],
            rows,
            "ON CONFLICT (contract_id, name) DO UPDATE SET minimum = excluded.minimum, maximum = excluded.maximum, \
             performance = excluded.performance, higher_is_better = excluded.higher_is_better",
        )
        .await
    }
}

impl Store {
    /// A contract's CQUIN indicators by name.
    pub async fn cquin_indicators(&self, contract_id: &str) -> Result<Vec<CquinIndicator>> {
        let rows = sqlx::query(
            "SELECT name, minimum, maximum, performance, higher_is_better FROM contract_cquin_indicators \
             WHERE contract_id = $1 ORDER BY name",
        )
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let higher: i64 = row.try_get("higher_is_better")?;
                Ok(CquinIndicator {
                    name: row.try_get("name")?,
                    minimum: parse_column(row, "minimum", Decimal::parse)?,
                    maximum: parse_column(row, "maximum", Decimal::parse)?,
                    performance: parse_column(row, "performance", Decimal::parse)?,
                    higher_is_better: crate::flag(higher),
                })
            })
            .collect()
    }

    /// A contract's variations in order, with whether each needed a transparency notice and
    /// was a considerable change, as recorded.
    pub async fn variations(&self, contract_id: &str) -> Result<Vec<(Variation, bool, bool)>> {
        let rows = sqlx::query(
            "SELECT contract_id, number, agreed_on, description, annual_change_pence, lifetime_change_pence, ground, \
             materially_different, transparency_notice_required, considerable_change, notice_published FROM contract_variations \
             WHERE contract_id = $1 ORDER BY number",
        )
        .bind(contract_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let number: i64 = row.try_get("number")?;
                let annual: i64 = row.try_get("annual_change_pence")?;
                let lifetime: i64 = row.try_get("lifetime_change_pence")?;
                let materially_different: i64 = row.try_get("materially_different")?;
                let notice: i64 = row.try_get("transparency_notice_required")?;
                let considerable: i64 = row.try_get("considerable_change")?;
                let variation = Variation {
                    contract_id: row.try_get("contract_id")?,
                    number: number as u32,
                    agreed_on: parse_column(row, "agreed_on", commissioning::period::parse_date)?,
                    description: row.try_get("description")?,
                    annual_value_change: Money::from_pence(annual),
                    lifetime_value_change: Money::from_pence(lifetime),
                    ground: parse_column(row, "ground", |t| {
                        ModificationGround::parse(t).ok_or(format!("ground '{t}'"))
                    })?,
                    materially_different: crate::flag(materially_different),
                    notice_published: crate::parse_optional_column(
                        row,
                        "notice_published",
                        commissioning::period::parse_date,
                    )?,
                };
                Ok((variation, crate::flag(notice), crate::flag(considerable)))
            })
            .collect()
    }

    /// The invoice for a contract's month, if one was received.
    pub async fn invoice(&self, contract_id: &str, month: &str) -> Result<Option<Invoice>> {
        let row = sqlx::query(
            "SELECT contract_id, month, invoice_number, value_pence FROM invoices WHERE contract_id = $1 AND month = $2",
        )
        .bind(contract_id)
        .bind(month)
        .fetch_optional(self.pool())
        .await?;
        row.map(|row| {
            let value: i64 = row.try_get("value_pence")?;
            Ok(Invoice {
                contract_id: row.try_get("contract_id")?,
                month: row.try_get("month")?,
                invoice_number: row.try_get("invoice_number")?,
                value: Money::from_pence(value),
            })
        })
        .transpose()
    }

    /// Contracts, all or one provider's, by end date then id.
    pub async fn contracts(&self, provider: Option<&OdsCode>) -> Result<Vec<Contract>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM contracts WHERE ($1 = '' OR provider_code = $1) ORDER BY end_date, id"
        ))
        .bind(provider.map(OdsCode::as_str).unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(contract_from_row).collect()
    }

    pub async fn contract(&self, id: &str) -> Result<Contract> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM contracts WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        contract_from_row(&row)
    }
}

fn contract_from_row(row: &AnyRow) -> Result<Contract> {
    let corrupt = |message: String| StoreError::Corrupt(message);
    let date = |column: &str| parse_column(row, column, commissioning::period::parse_date);
    let notice: i64 = row.try_get("notice_months")?;
    let extensions: String = row.try_get("extension_months")?;
    let extension_months = extensions
        .split(',')
        .filter(|part| !part.is_empty())
        .map(|part| part.parse::<u32>().map_err(|_| corrupt(format!("extension months '{extensions}'"))))
        .collect::<Result<Vec<u32>>>()?;
    let term = Term::new(date("start_date")?, date("end_date")?, notice as u32, extension_months)
        .map_err(|error| corrupt(error.to_string()))?;
    let mechanism_code: String = row.try_get("mechanism")?;
    let fixed: Option<i64> = row.try_get("fixed_value_pence")?;
    let baseline: Option<i64> = row.try_get("elective_baseline_pence")?;
    let mechanism = match mechanism_code.as_str() {
        "block" => Mechanism::Block,
        "activity_based" => Mechanism::ActivityBased,
        "low_volume_block" => Mechanism::LowVolumeBlock,
        "aligned_payment" => Mechanism::AlignedPayment {
            fixed_annual: Money::from_pence(
                fixed.ok_or_else(|| corrupt("aligned payment without a fixed value".into()))?,
            ),
            elective_baseline_annual: baseline.map(Money::from_pence),
        },
        other => return Err(corrupt(format!("payment mechanism '{other}'"))),
    };
    let annual: i64 = row.try_get("annual_value_pence")?;
    Ok(Contract {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        commissioner: parse_column(row, "commissioner_code", OdsCode::parse)?,
        provider: parse_column(row, "provider_code", OdsCode::parse)?,
        term,
        annual_value: Money::from_pence(annual),
        mechanism,
        owner: row.try_get("owner")?,
    })
}
