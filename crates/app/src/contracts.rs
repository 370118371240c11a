//! Procure and monitor: the contract register (import, list, one contract), its deadline
//! alerts, and each contract's monthly payment statement from the activity already priced.
//!
//! A provider sees only its own contracts, and "not found" for anyone else's.

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use serde::Serialize;

use commissioning::access::{Action, Principal, Stage};
use commissioning::money::Decimal;
use commissioning::money::Money;
use commissioning::monitor::payment::{
    BestPracticeAttainment, Cquin, CquinIndicator, KpiMonth, Reconciliation, Statement, best_practice_uplifts,
    contract_statement, cquin, cquin_deduction, kpi_withholding, lva_threshold, reconcile,
};
use commissioning::org::OdsCode;
use commissioning::period::{YearMonth, parse_date};
use commissioning::procure::contract::{
    Alert, Contract, Mechanism, ModificationGround, Term, Variation, VariationAssessment, alerts, assess_variation,
    lifetime_value,
};
use store::contracts::Invoice;

use crate::contract_lines::{KPI_RETAIN_AFTER_MONTHS, KpiView, PlannedLine, bpt_uplift};
use crate::export::{DataTable, Datum};
use crate::import::{CsvFile, ImportError, Row, Seen};
use crate::{Actor, App, AppError, Result, authorize};

/// The share of an aligned payment's fixed element at stake in CQUIN (1.25%, 2022/23 to
/// 2023/24) and the most indicators a scheme may have (5) [K].
pub const CQUIN_PERCENT: Decimal = Decimal::new(125, 2);
pub const CQUIN_MAX_INDICATORS: usize = 5;

/// How far ahead deadlines are shown: six months.
pub const ALERT_HORIZON_DAYS: i64 = 183;

/// A contract with what the register shows beside it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContractView {
    pub contract: Contract,
    pub provider_name: String,
    pub lifetime_value: Money,
    pub lifetime_value_with_extensions: Money,
    pub alerts: Vec<Alert>,
    /// The term (without extensions) ended before the day asked about.
    pub ended: bool,
    /// Variations in order, with whether each needed a transparency notice and was a
    /// considerable change.
    pub variations: Vec<VariationView>,
    /// The annual value with every variation's change.
    pub annual_value_after_variations: Money,
    /// The CQUIN scheme of an aligned payment with indicators: available, earned, deduction.
    pub cquin: Option<Cquin>,
    /// Service lines with their plans phased by month.
    pub service_lines: Vec<PlannedLine>,
    /// KPIs and national quality requirements with their results.
    pub kpis: Vec<KpiView>,
    pub documents: Vec<DocumentView>,
    /// Recorded activity of the provider by point of delivery and month, to set against the
    /// service lines' plans.
    pub actual_activity: Vec<(String, String, i64)>,
    /// What has happened and what is due, in date order.
    pub timeline: Vec<TimelineEvent>,
}

/// A document's details, without its content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DocumentView {
    pub id: i64,
    pub title: String,
    pub file_name: String,
    pub media_type: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub uploaded_by: String,
    pub uploaded_at: i64,
}

/// One event in a contract's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineEvent {
    pub date: NaiveDate,
    pub label: String,
    /// Whether it is still to come on the day the contract is viewed.
    pub future: bool,
}

/// A recorded variation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VariationView {
    pub variation: Variation,
    pub transparency_notice_required: bool,
    pub considerable_change: bool,
}

/// A month's invoice reconciled against the payment statement and the activity data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthReconciliation {
    pub contract_id: String,
    pub month: String,
    pub invoice_number: Option<String>,
    pub invoice: Option<Money>,
    pub statement_total: Money,
    /// The aggregate activity statement: the month's activity summary, all points of delivery.
    pub aggregate_total: Money,
    /// The current patient-level submission's priced total, if the provider submitted.
    pub patient_level_total: Option<Money>,
    /// Absent until an invoice is received.
    pub reconciliation: Option<Reconciliation>,
}

/// One month's payment for a contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentStatement {
    pub contract_id: String,
    pub month: String,
    pub statement: Statement,
    pub total: Money,
}

impl App {
    /// The register: every contract for the commissioner's side (and the command line), a
    /// provider's own for it.
    pub async fn contracts(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<ContractView>> {
        let provider = match actor {
            Actor::User(principal) => {
                authorize(Some(principal), &Action::ViewStage(Stage::Procure))?;
                (!principal.is_commissioner_side()).then(|| principal.organisation.clone())
            }
            Actor::System(_) => None,
        };
        let contracts = self.store().contracts(provider.as_ref()).await?;
        let mut views = Vec::with_capacity(contracts.len());
        for contract in contracts {
            views.push(self.view(contract, today).await?);
        }
        Ok(views)
    }

    /// One contract, if the person may see it.
    pub async fn contract(&self, principal: &Principal, id: &str, today: NaiveDate) -> Result<ContractView> {
        let contract = self.store().contract(id).await?;
        authorize(Some(principal), &Action::ViewOwnedBy(contract.provider.clone()))?;
        self.view(contract, today).await
    }

    /// Every alert of the register due within the horizon (or missed), soonest first.
    pub async fn contract_alerts(&self, actor: &Actor, today: NaiveDate) -> Result<Vec<(ContractView, Alert)>> {
        let mut due: Vec<(ContractView, Alert)> = self
            .contracts(actor, today)
            .await?
            .into_iter()
            .flat_map(|view| view.alerts.clone().into_iter().map(move |alert| (view.clone(), alert)))
            .collect();
        due.sort_by(|a, b| a.1.due.cmp(&b.1.due).then_with(|| a.0.contract.id.cmp(&b.0.contract.id)));
        Ok(due)
    }

    /// The payment statement of a contract for a month: the mechanism's payment from the
    /// month's priced activity, then any CQUIN deduction, best-practice tariff uplifts, and
    /// withholding (or repayment) for KPIs whose consequence is a withholding and for contract
    /// performance notices at the withholding rung of the ladder.
    pub async fn payment_statement(&self, actor: &Actor, id: &str, month: YearMonth) -> Result<PaymentStatement> {
        let contract = self.store().contract(id).await?;
        if let Actor::User(principal) = actor {
            authorize(Some(principal), &Action::ViewOwnedBy(contract.provider.clone()))?;
        }
        let summary = self.store().activity_summary(Some(&contract.provider)).await?;
        let invalid =
            |error: commissioning::monitor::payment::PaymentError| AppError::Invalid(format!("{id}: {error}"));
        let scheme = self.cquin_scheme(&contract).await?;
        // The month's payment before withholding (its Actual Monthly Value).
        let before_withholding = |month: YearMonth| -> Result<Statement> {
            let month_text = month.to_string();
            let value_by_pod: Vec<(String, Money)> = summary
                .iter()
                .filter(|row| row.month == month_text)
                .map(|row| (row.pod.code().to_owned(), Money::from_pence(row.value_pence)))
                .collect();
            let mut statement =
                contract_statement(&contract, month.financial_year(), month.financial_month(), &value_by_pod)
                    .map_err(invalid)?;
            if let Some(scheme) = &scheme {
                statement.extend(cquin_deduction(scheme, month.financial_month()).map_err(invalid)?);
            }
            Ok(statement)
        };
        let mut statement = before_withholding(month)?;
        statement.extend(self.best_practice_statement(&contract, month).await?);
        let monthly_value = statement.total();
        let kpis = self.kpi_views(&contract.id).await?;
        let withholding_kpis: Vec<&KpiView> = kpis.iter().filter(|view| view.kpi.withhold_percent.is_some()).collect();
        let notices = self.withholding_notices(&contract.id).await?;
        if !withholding_kpis.is_empty() || !notices.is_empty() {
            // Each month's value before withholding, from the year's (or term's) first month.
            let first = YearMonth::of(contract.term.start).max(month.financial_year().months()[0]);
            let mut values: Vec<(YearMonth, Money)> = Vec::new();
            let mut at = first;
            while at <= month {
                let value = if at == month {
                    monthly_value
                } else {
                    before_withholding(at)?.total() + self.best_practice_statement(&contract, at).await?.total()
                };
                values.push((at, value));
                at = at.plus(1);
            }
            let history = |breached: &dyn Fn(YearMonth) -> Option<bool>| -> Vec<KpiMonth> {
                values
                    .iter()
                    .map(|(at, value)| KpiMonth {
                        month: at.to_string(),
                        monthly_value: *value,
                        breached: breached(*at),
                    })
                    .collect()
            };
            for view in withholding_kpis {
                let percent = view.kpi.withhold_percent.expect("filtered");
                let months = history(&|at| view.results.iter().find(|r| r.month == at.to_string()).map(|r| r.breached));
                statement.extend(kpi_withholding(&view.kpi.name, percent, KPI_RETAIN_AFTER_MONTHS, &months));
            }
            // A notice withholds in each month it stands at withholding by the month's end,
            // and repays in the month its milestone is met.
            for (subject, percent, from, met) in notices {
                let months = history(&|at| {
                    let end = at.last_day();
                    Some(from <= end && met.is_none_or(|met| met > end))
                });
                let name = format!("contract performance notice ({subject})");
                statement.extend(kpi_withholding(&name, percent, KPI_RETAIN_AFTER_MONTHS, &months));
            }
        }
        let total = statement.total();
        Ok(PaymentStatement { contract_id: contract.id, month: month.to_string(), statement, total })
    }

    /// Notices of a contract that have withheld payment: subject, percentage, the day
    /// withholding began, and the day the milestone was met (if it has been).
    async fn withholding_notices(
        &self,
        contract_id: &str,
    ) -> Result<Vec<(String, Decimal, NaiveDate, Option<NaiveDate>)>> {
        let mut found = Vec::new();
        for notice in self.store().notices(contract_id).await? {
            let Some(percent) = notice.withhold_percent.as_deref().and_then(|p| Decimal::parse(p).ok()) else {
                continue;
            };
            let events = self.store().notice_events(notice.id).await?;
            let day = |code: &str| events.iter().find(|e| e.event == code).and_then(|e| parse_date(&e.on_date).ok());
            if let Some(from) = day("withhold") {
                found.push((notice.subject, percent, from, day("meet_milestone")));
            }
        }
        Ok(found)
    }

    /// Best-practice tariff uplifts for the spells that met the criteria in the month, at the
    /// uplift and the provider's MFF in force then, where the mechanism pays for activity: all
    /// of an activity-based contract's, and an aligned payment's elective (EL and DC) in its
    /// variable element; blocks pay none.
    async fn best_practice_statement(&self, contract: &Contract, month: YearMonth) -> Result<Statement> {
        let pays = |pod: &str| match contract.mechanism {
            Mechanism::ActivityBased => true,
            Mechanism::AlignedPayment { .. } => matches!(pod, "EL" | "DC"),
            Mechanism::Block | Mechanism::LowVolumeBlock => false,
        };
        let mut attainment = self.store().bpt_attainment(&contract.id, &month.to_string()).await?;
        attainment.retain(|row| pays(&row.pod));
        if attainment.is_empty() {
            return Ok(best_practice_uplifts(&[]));
        }
        let day = month.first_day();
        let tariffs = self.store().tariff_rows().await?;
        let mff = self
            .store()
            .mff_rows()
            .await?
            .into_iter()
            .find(|row| {
                row.provider_code == contract.provider.as_str()
                    && row.effective_from <= day
                    && row.effective_to.is_none_or(|to| day <= to)
            })
            .map(|row| Decimal::parse(&row.mff))
            .transpose()
            .map_err(|error| AppError::Invalid(format!("{}: MFF {error}", contract.provider)))?
            .unwrap_or(Decimal::ONE);
        let items: Vec<BestPracticeAttainment> = attainment
            .into_iter()
            .filter_map(|row| {
                bpt_uplift(&tariffs, &row.hrg, &row.pod, day).map(|uplift| BestPracticeAttainment {
                    hrg: row.hrg,
                    pod: row.pod,
                    spells_meeting_criteria: row.spells_met,
                    uplift,
                    mff,
                })
            })
            .collect();
        Ok(best_practice_uplifts(&items))
    }

    /// Reconciles a contract's month: the invoice (if received) against the payment statement,
    /// the aggregate activity against the patient-level submission, and for activity-based
    /// contracts the invoice against the activity.
    pub async fn reconciliation(&self, actor: &Actor, id: &str, month: YearMonth) -> Result<MonthReconciliation> {
        let statement = self.payment_statement(actor, id, month).await?;
        let contract = self.store().contract(id).await?;
        let month_text = month.to_string();
        let aggregate_total = Money::from_pence(
            self.store()
                .activity_summary(Some(&contract.provider))
                .await?
                .iter()
                .filter(|row| row.month == month_text)
                .map(|row| row.value_pence)
                .sum(),
        );
        let patient_level_total = self
            .store()
            .current_submission(&contract.provider, &month_text)
            .await?
            .map(|submission| Money::from_pence(submission.value_pence));
        let invoice = self.store().invoice(id, &month_text).await?;
        let reconciliation = invoice.as_ref().map(|invoice| {
            reconcile(
                invoice.value,
                statement.total,
                aggregate_total,
                patient_level_total,
                contract.mechanism == Mechanism::ActivityBased,
            )
        });
        Ok(MonthReconciliation {
            contract_id: contract.id,
            month: month_text,
            invoice_number: invoice.as_ref().map(|i| i.invoice_number.clone()),
            invoice: invoice.map(|i| i.value),
            statement_total: statement.total,
            aggregate_total,
            patient_level_total,
            reconciliation,
        })
    }

    /// The CQUIN scheme of an aligned payment with indicators.
    async fn cquin_scheme(&self, contract: &Contract) -> Result<Option<Cquin>> {
        let Mechanism::AlignedPayment { fixed_annual, .. } = contract.mechanism else {
            return Ok(None);
        };
        let indicators = self.store().cquin_indicators(&contract.id).await?;
        if indicators.is_empty() {
            return Ok(None);
        }
        cquin(fixed_annual, CQUIN_PERCENT, &indicators, CQUIN_MAX_INDICATORS)
            .map(Some)
            .map_err(|error| AppError::Invalid(format!("{}: {error}", contract.id)))
    }

    async fn view(&self, contract: Contract, today: NaiveDate) -> Result<ContractView> {
        let provider_name = match self.store().organisation(&contract.provider).await {
            Ok(org) => org.name,
            Err(store::StoreError::NotFound) => contract.provider.to_string(),
            Err(error) => return Err(error.into()),
        };
        let variations: Vec<VariationView> = self
            .store()
            .variations(&contract.id)
            .await?
            .into_iter()
            .map(|(variation, transparency_notice_required, considerable_change)| VariationView {
                variation,
                transparency_notice_required,
                considerable_change,
            })
            .collect();
        let annual_value_after_variations =
            contract.annual_value + variations.iter().map(|v| v.variation.annual_value_change).sum::<Money>();
        let cquin = self.cquin_scheme(&contract).await?;
        let documents: Vec<DocumentView> = self
            .store()
            .documents(&contract.id)
            .await?
            .into_iter()
            .map(|d| DocumentView {
                id: d.id,
                title: d.title,
                file_name: d.file_name,
                media_type: d.media_type,
                sha256: d.sha256,
                size_bytes: d.size_bytes,
                uploaded_by: d.uploaded_by,
                uploaded_at: d.uploaded_at,
            })
            .collect();
        let service_lines = self.planned_lines(&contract.id).await?;
        let actual_activity = if service_lines.is_empty() {
            Vec::new()
        } else {
            self.store()
                .activity_summary(Some(&contract.provider))
                .await?
                .into_iter()
                .map(|row| (row.pod.code().to_owned(), row.month, row.activity))
                .collect()
        };
        let timeline = timeline(&contract, &variations, &documents, today);
        Ok(ContractView {
            cquin,
            service_lines,
            kpis: self.kpi_views(&contract.id).await?,
            documents,
            actual_activity,
            timeline,
            ended: today > contract.term.end,
            variations,
            annual_value_after_variations,
            lifetime_value: lifetime_value(contract.annual_value, &contract.term, false),
            lifetime_value_with_extensions: lifetime_value(contract.annual_value, &contract.term, true),
            alerts: alerts(&contract.term, today, ALERT_HORIZON_DAYS),
            provider_name,
            contract,
        })
    }
}

/// A contract's events in date order: its start, variations, documents, the notice deadline,
/// the end and the end with every extension.
fn timeline(
    contract: &Contract,
    variations: &[VariationView],
    documents: &[DocumentView],
    today: NaiveDate,
) -> Vec<TimelineEvent> {
    let term = &contract.term;
    let mut events = vec![
        (term.start, "Contract starts".to_owned()),
        (term.notice_deadline(), format!("Last day to give {} months' notice", term.notice_months)),
        (term.end, "Contract ends (without extensions)".to_owned()),
    ];
    if !term.extension_months.is_empty() {
        events.push((term.end_with_extensions(), "Contract ends if every extension is taken".to_owned()));
    }
    for view in variations {
        let variation = &view.variation;
        events.push((
            variation.agreed_on,
            format!(
                "Variation {} agreed: {} ({})",
                variation.number, variation.description, variation.annual_value_change
            ),
        ));
    }
    for document in documents {
        if let Some(at) = chrono::DateTime::from_timestamp_millis(document.uploaded_at) {
            events.push((at.date_naive(), format!("Document attached: {}", document.title)));
        }
    }
    events.sort_by_key(|event| event.0);
    events.into_iter().map(|(date, label)| TimelineEvent { date, label, future: date > today }).collect()
}

/// The register as a table, one row per contract with its first alert.
pub fn register_table(register: &[ContractView]) -> DataTable {
    let pounds = |money: Money| Datum::Number(Some(money.pence() as f64 / 100.0));
    DataTable {
        name: "Contracts",
        headers: vec![
            "contract_id",
            "title",
            "commissioner_code",
            "provider_code",
            "provider",
            "mechanism",
            "start_date",
            "end_date",
            "notice_deadline",
            "end_with_extensions",
            "annual_value",
            "lifetime_value",
            "lifetime_value_with_extensions",
            "owner",
            "alerts",
        ],
        rows: register
            .iter()
            .map(|view| {
                let contract = &view.contract;
                vec![
                    Datum::text(contract.id.as_str()),
                    Datum::text(contract.title.as_str()),
                    Datum::text(contract.commissioner.as_str()),
                    Datum::text(contract.provider.as_str()),
                    Datum::text(view.provider_name.as_str()),
                    Datum::text(contract.mechanism.code()),
                    Datum::Text(contract.term.start.to_string()),
                    Datum::Text(contract.term.end.to_string()),
                    Datum::Text(contract.term.notice_deadline().to_string()),
                    Datum::Text(contract.term.end_with_extensions().to_string()),
                    pounds(contract.annual_value),
                    pounds(view.lifetime_value),
                    pounds(view.lifetime_value_with_extensions),
                    Datum::text(contract.owner.as_str()),
                    Datum::Text(view.alerts.iter().map(|alert| alert.message.clone()).collect::<Vec<_>>().join("; ")),
                ]
            })
            .collect(),
    }
}

/// Reads the register's CSV: `contract_id,title,commissioner_code,provider_code,start_date,
/// end_date,notice_months,extension_months,annual_value,mechanism,fixed_value,
/// elective_baseline,owner` (extension months separated by `;`, values in pounds).
pub(crate) fn parse_contracts(path: &Path, known: &BTreeSet<OdsCode>) -> Result<(u64, Vec<Contract>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(
        &[
            "contract_id",
            "title",
            "commissioner_code",
            "provider_code",
            "start_date",
            "end_date",
            "notice_months",
            "annual_value",
            "mechanism",
            "owner",
        ],
        &["extension_months", "fixed_value", "elective_baseline"],
    )?;
    let mut contracts = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let id = row.required("contract_id")?.to_owned();
        seen.check(row, "contract_id", &id)?;
        let organisation = |field: &str| -> Result<OdsCode, ImportError> {
            let code = row.parse(field, OdsCode::parse)?;
            if !known.contains(&code) {
                return Err(
                    row.error(field, format!("'{code}' is not a known organisation; import organisations first"))
                );
            }
            Ok(code)
        };
        let commissioner = organisation("commissioner_code")?;
        let provider = organisation("provider_code")?;
        let start = row.parse("start_date", parse_date)?;
        let end = row.parse("end_date", parse_date)?;
        let notice = row.parse("notice_months", |t| {
            t.parse::<u32>()
                .ok()
                .filter(|m| *m <= 60)
                .ok_or_else(|| format!("'{t}' is not a number of months (0 to 60)"))
        })?;
        let extensions = row
            .parse_optional("extension_months", |t| {
                t.split(';')
                    .map(|part| {
                        part.trim()
                            .parse::<u32>()
                            .ok()
                            .filter(|m| *m > 0)
                            .ok_or_else(|| format!("'{t}' is not months such as 12;12"))
                    })
                    .collect::<Result<Vec<u32>, String>>()
            })?
            .unwrap_or_default();
        let term =
            Term::new(start, end, notice, extensions).map_err(|error| row.error("end_date", error.to_string()))?;
        let money = |field: &str| row.parse_optional(field, Money::parse_pounds);
        let annual = row.parse("annual_value", Money::parse_pounds)?;
        if annual < Money::ZERO {
            return Err(row.error("annual_value", "must not be negative"));
        }
        let mechanism = match row.required("mechanism")? {
            "block" => Mechanism::Block,
            "activity_based" => Mechanism::ActivityBased,
            "low_volume_block" => {
                let threshold = lva_threshold(YearMonth::of(start).financial_year());
                if annual > threshold {
                    return Err(
                        row.error("annual_value", format!("a low-volume block is for values up to {threshold}"))
                    );
                }
                Mechanism::LowVolumeBlock
            }
            "aligned_payment" => {
                let fixed = money("fixed_value")?
                    .ok_or_else(|| row.error("fixed_value", "an aligned payment needs its fixed element"))?;
                if fixed > annual {
                    return Err(row.error("fixed_value", "the fixed element cannot exceed the annual value"));
                }
                Mechanism::AlignedPayment { fixed_annual: fixed, elective_baseline_annual: money("elective_baseline")? }
            }
            other => {
                return Err(row.error(
                    "mechanism",
                    format!(
                        "'{other}' is not a mechanism: use block, activity_based, low_volume_block or aligned_payment"
                    ),
                ));
            }
        };
        contracts.push(Contract {
            id,
            title: row.required("title")?.to_owned(),
            commissioner,
            provider,
            term,
            annual_value: annual,
            mechanism,
            owner: row.required("owner")?.to_owned(),
        });
        Ok(())
    })?;
    Ok((n_rows, contracts))
}

/// Reads invoices: `contract_id,month,invoice_number,value` (value in pounds; a credit note
/// may be negative).
pub(crate) fn parse_invoices(path: &Path, known: &BTreeSet<String>) -> Result<(u64, Vec<Invoice>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["contract_id", "month", "invoice_number", "value"], &[])?;
    let mut invoices = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract_id = row.required("contract_id")?.to_owned();
        if !known.contains(&contract_id) {
            return Err(
                row.error("contract_id", format!("'{contract_id}' is not in the register; import contracts first"))
            );
        }
        let month = row.parse("month", YearMonth::parse)?;
        seen.check(row, "month", &format!("{contract_id} {month}"))?;
        invoices.push(Invoice {
            contract_id,
            month: month.to_string(),
            invoice_number: row.required("invoice_number")?.to_owned(),
            value: row.parse("value", Money::parse_pounds)?,
        });
        Ok(())
    })?;
    Ok((n_rows, invoices))
}

/// Reads variations and assesses each against its contract's lifetime value as registered:
/// `contract_id,number,agreed_on,description,annual_value_change,lifetime_value_change,
/// ground,materially_different` (values in pounds, negative for a reduction; grounds
/// provided_for, provider_identity, external_factors, authority_driven or urgent).
pub(crate) fn parse_variations(
    path: &Path,
    contracts: &[Contract],
) -> Result<(u64, Vec<(Variation, VariationAssessment)>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(
        &[
            "contract_id",
            "number",
            "agreed_on",
            "description",
            "annual_value_change",
            "lifetime_value_change",
            "ground",
        ],
        &["materially_different", "notice_published"],
    )?;
    let mut variations = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let contract_id = contract.id.clone();
        let number = row.parse("number", |t| {
            t.parse::<u32>()
                .ok()
                .filter(|n| *n >= 1)
                .ok_or_else(|| format!("'{t}' is not a variation number (1, 2, …)"))
        })?;
        seen.check(row, "number", &format!("{contract_id} {number}"))?;
        let ground = row.parse("ground", |t| {
            ModificationGround::parse(t).ok_or_else(|| {
                format!(
                    "'{t}' is not a ground: use provided_for, provider_identity, external_factors, authority_driven or urgent"
                )
            })
        })?;
        let materially_different = row
            .parse_optional("materially_different", |t| match t.to_ascii_lowercase().as_str() {
                "yes" | "true" | "1" => Ok(true),
                "no" | "false" | "0" => Ok(false),
                _ => Err(format!("'{t}' is not yes or no")),
            })?
            .unwrap_or(false);
        let variation = Variation {
            contract_id,
            number,
            agreed_on: row.parse("agreed_on", parse_date)?,
            description: row.required("description")?.to_owned(),
            annual_value_change: row.parse("annual_value_change", Money::parse_pounds)?,
            lifetime_value_change: row.parse("lifetime_value_change", Money::parse_pounds)?,
            ground,
            materially_different,
            notice_published: row.parse_optional("notice_published", parse_date)?,
        };
        let assessment = assess_variation(lifetime_value(contract.annual_value, &contract.term, false), &variation);
        variations.push((variation, assessment));
        Ok(())
    })?;
    Ok((n_rows, variations))
}

/// Reads CQUIN indicators: `contract_id,indicator,minimum,maximum,performance,better`
/// (`better` is higher or lower). Only aligned payments carry CQUIN, at most five indicators
/// each.
pub(crate) fn parse_cquin(
    path: &Path,
    contracts: &[Contract],
) -> Result<(u64, Vec<(String, CquinIndicator)>), ImportError> {
    let mut file = CsvFile::open(path, true)?;
    let columns = file.columns(&["contract_id", "indicator", "minimum", "maximum", "performance", "better"], &[])?;
    let mut indicators: Vec<(String, CquinIndicator)> = Vec::new();
    let mut seen = Seen::new();
    let n_rows = file.for_each_row(&columns, |row| {
        let contract = registered(row, contracts)?;
        let contract_id = contract.id.clone();
        if !matches!(contract.mechanism, Mechanism::AlignedPayment { .. }) {
            return Err(
                row.error("contract_id", format!("{contract_id} is not an aligned payment, so it has no CQUIN"))
            );
        }
        let name = row.required("indicator")?.to_owned();
        seen.check(row, "indicator", &format!("{contract_id} {name}"))?;
        if indicators.iter().filter(|(id, _)| *id == contract_id).count() >= CQUIN_MAX_INDICATORS {
            return Err(row.error("indicator", format!("a CQUIN scheme has at most {CQUIN_MAX_INDICATORS} indicators")));
        }
        let minimum = row.parse("minimum", Decimal::parse)?;
        let maximum = row.parse("maximum", Decimal::parse)?;
        if minimum == maximum {
            return Err(row.error("maximum", "the maximum must differ from the minimum"));
        }
        let higher_is_better = match row.required("better")?.to_ascii_lowercase().as_str() {
            "higher" => true,
            "lower" => false,
            other => return Err(row.error("better", format!("'{other}' is not higher or lower"))),
        };
        indicators.push((
            contract_id,
            CquinIndicator {
                name,
                minimum,
                maximum,
                performance: row.parse("performance", Decimal::parse)?,
                higher_is_better,
            },
        ));
        Ok(())
    })?;
    Ok((n_rows, indicators))
}

/// The contract a row's `contract_id` names, or an error at that field.
pub(crate) fn registered<'a>(row: &Row<'_>, contracts: &'a [Contract]) -> Result<&'a Contract, ImportError> {
    let id = row.required("contract_id")?;
    contracts
        .iter()
        .find(|contract| contract.id == id)
        .ok_or_else(|| row.error("contract_id", format!("'{id}' is not in the register; import contracts first")))
}
