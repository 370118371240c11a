//! Transparency in the Open Contracting Data Standard (OCDS 1.1; DOMAIN.md B7): every
//! procurement published as a release package — route decisions as planning releases naming
//! the PSR process, tenders with their criteria, and once the bids are unsealed the
//! tenderers, the award with its standstill and the contract — and release packages from
//! other publishers (Contracts Finder, Find a Tender) read in for the red flags, each
//! malformed release reported by its JSON path and skipped.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};

use commissioning::org::OdsCode;
use commissioning::procure::psr::Process;
use commissioning::procure::tender::TenderStage;
use store::procurement::OcdsReleaseRecord;

use crate::{Actor, App, AppError, Result, now_millis};

/// The ocid prefix of releases this installation publishes. OCDS asks each publisher to
/// register its own with the Open Contracting Partnership; set this to yours.
pub const OCID_PREFIX: &str = "ocds-cmsnr0";

/// The UK extension, whose `awards[].standstillPeriod` carries the standstill.
const UK_EXTENSION: &str = "https://raw.githubusercontent.com/cabinetoffice/ocds_uk_extension/main/extension.json";

/// The release tags of OCDS 1.1's closed `releaseTag` codelist.
const RELEASE_TAGS: [&str; 16] = [
    "planning",
    "planningUpdate",
    "tender",
    "tenderAmendment",
    "tenderUpdate",
    "tenderCancellation",
    "award",
    "awardUpdate",
    "awardCancellation",
    "contract",
    "contractUpdate",
    "contractAmendment",
    "implementation",
    "implementationUpdate",
    "contractTermination",
    "compiled",
];

fn instant(millis: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(millis).unwrap_or_default().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn day_start(day: NaiveDate) -> String {
    format!("{day}T00:00:00Z")
}

fn amount(pence: i64) -> Value {
    json!({ "amount": pence as f64 / 100.0, "currency": "GBP" })
}

/// An organisation's identifier in OCDS: its ODS code under the org-id scheme `GB-NHS`.
fn party_id(code: &str) -> String {
    format!("GB-NHS-{code}")
}

/// OCDS's `procurementMethod` and the details naming the PSR process.
fn method(process: Process) -> (&'static str, String) {
    let method = match process {
        Process::DirectAwardA | Process::DirectAwardB | Process::DirectAwardC => "direct",
        Process::MostSuitableProvider => "limited",
        Process::Competitive => "open",
    };
    (method, format!("Provider Selection Regime: {}", process.label()))
}

/// Parties by id, each with its roles in order of first mention.
#[derive(Default)]
struct Parties(BTreeMap<String, (String, Vec<&'static str>)>);

impl Parties {
    fn add(&mut self, id: String, name: String, role: &'static str) {
        let entry = self.0.entry(id).or_insert((name, Vec::new()));
        if !entry.1.contains(&role) {
            entry.1.push(role);
        }
    }

    fn into_json(self) -> Value {
        Value::Array(
            self.0.into_iter().map(|(id, (name, roles))| json!({ "id": id, "name": name, "roles": roles })).collect(),
        )
    }
}

impl App {
    async fn org_name(&self, code: &str) -> String {
        match OdsCode::parse(code) {
            Ok(ods) => self.store().organisation(&ods).await.map(|o| o.name).unwrap_or_else(|_| code.to_owned()),
            Err(_) => code.to_owned(),
        }
    }

    /// Every procurement as an OCDS 1.1 release package, as published (no sign-in): route
    /// decisions, and tenders once published. Drafts are left out, and nothing about bids —
    /// not even who bid — appears before the bids are unsealed; bid prices never do.
    pub async fn ocds_release_package(&self, base_uri: &str, now: NaiveDateTime) -> Result<Value> {
        let mut releases = Vec::new();
        for decision in self.store().decisions().await?.into_iter().rev() {
            let input = crate::procurement::decision_input(&decision)?;
            let Some(process) = Process::parse(&decision.chosen) else { continue };
            let commissioner = self.buyer_code(&decision.buyer).await;
            let (method, details) = method(process);
            let mut parties = Parties::default();
            parties.add(party_id(&commissioner), self.org_name(&commissioner).await, "buyer");
            if !input.provider.is_empty() {
                parties.add(party_id(&input.provider), self.org_name(&input.provider).await, "supplier");
            }
            let reference = format!("{commissioner}-D{}", decision.id);
            releases.push(json!({
                "ocid": format!("{OCID_PREFIX}-{reference}"),
                "id": format!("{reference}-planning"),
                "date": instant(decision.decided_at),
                "tag": ["planning"],
                "initiationType": "tender",
                "language": "en",
                "parties": parties.into_json(),
                "buyer": { "id": party_id(&commissioner), "name": self.org_name(&commissioner).await },
                "planning": { "rationale": decision.rationale },
                "tender": {
                    "id": reference,
                    "title": decision.title,
                    "status": "planning",
                    "items": [{ "id": "1", "classification": { "scheme": "CPV", "id": decision.cpv } }],
                    "procurementMethod": method,
                    "procurementMethodDetails": details,
                    "procurementMethodRationale": decision.reasons.lines().collect::<Vec<_>>().join("; "),
                },
            }));
        }
        for record in self.store().tenders().await?.into_iter().rev() {
            if let Some(release) = self.tender_release(record, now).await? {
                releases.push(release);
            }
        }
        Ok(json!({
            "uri": format!("{base_uri}/api/v1/ocds/release-package"),
            "version": "1.1",
            "extensions": [UK_EXTENSION],
            "publishedDate": instant(now.and_utc().timestamp_millis()),
            "publisher": { "name": "Commissioner" },
            "license": "http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "publicationPolicy": format!("{base_uri}/public/open-data"),
            "releases": releases,
        }))
    }

    /// The buyer of a record, or for records made before the buyer was kept, the
    /// register's first commissioner.
    async fn buyer_code(&self, buyer: &str) -> String {
        if !buyer.is_empty() {
            return buyer.to_owned();
        }
        self.store()
            .organisations(&store::org::OrgFilter {
                kind: Some(commissioning::org::OrgKind::Commissioner),
                ..Default::default()
            })
            .await
            .ok()
            .and_then(|orgs| orgs.into_iter().next())
            .map(|o| o.code.to_string())
            .unwrap_or_else(|| "COMMISSIONER".into())
    }

    async fn tender_release(
        &self,
        record: store::procurement::TenderRecord,
        now: NaiveDateTime,
    ) -> Result<Option<Value>> {
        let corrupt = |what: &str| AppError::Unexpected(anyhow::anyhow!("tender {}: {what}", record.id));
        let stage = TenderStage::parse(&record.stage).ok_or_else(|| corrupt("stage"))?;
        if stage == TenderStage::Draft {
            return Ok(None);
        }
        let process = Process::parse(&record.process).ok_or_else(|| corrupt("process"))?;
        let deadline = NaiveDateTime::parse_from_str(&record.deadline, crate::tenders::DEADLINE_FORMAT)
            .map_err(|_| corrupt("deadline"))?;
        let unsealed = commissioning::procure::tender::bids_unsealed(stage, deadline, now);
        let commissioner = self.buyer_code(&record.buyer).await;
        let reference = format!("{commissioner}-T{}", record.id);
        let (method, details) = method(process);
        let mut parties = Parties::default();
        let buyer_name = self.org_name(&commissioner).await;
        parties.add(party_id(&commissioner), buyer_name.clone(), "buyer");
        parties.add(party_id(&commissioner), buyer_name.clone(), "procuringEntity");
        let criteria = self.store().tender_criteria(record.id).await?;
        let mut criteria_text: Vec<String> = criteria.iter().map(|c| format!("{} {}%", c.name, c.weight)).collect();
        criteria_text.push(format!("price {}% ({})", record.price_weight, record.price_formula.replace('_', " ")));
        let status = match stage {
            TenderStage::Awarded => "complete",
            TenderStage::Cancelled => "cancelled",
            _ => "active",
        };
        let mut tender = json!({
            "id": reference,
            "title": record.title,
            "status": status,
            "procurementMethod": method,
            "procurementMethodDetails": details,
            "awardCriteria": "ratedCriteria",
            "awardCriteriaDetails": criteria_text.join("; "),
            "tenderPeriod": {
                "startDate": instant(record.published_at.unwrap_or(record.created_at)),
                "endDate": format!("{}:00Z", record.deadline),
            },
        });
        let mut tags = vec!["tender"];
        let mut awards = Vec::new();
        let mut contracts = Vec::new();
        if unsealed {
            let bids = self.store().bids(record.id, None).await?;
            let mut tenderers = Vec::new();
            for bid in &bids {
                let name = self.org_name(&bid.bidder).await;
                parties.add(party_id(&bid.bidder), name.clone(), "tenderer");
                tenderers.push(json!({ "id": party_id(&bid.bidder), "name": name }));
            }
            tender["numberOfTenderers"] = json!(bids.len());
            tender["tenderers"] = Value::Array(tenderers);
            let award = self.store().award(record.id).await?;
            if let (Some(winner), Some(published)) = (&award.intended_provider, &award.intention_published) {
                let name = self.org_name(winner).await;
                parties.add(party_id(winner), name.clone(), "supplier");
                let published =
                    commissioning::period::parse_date(published).map_err(|_| corrupt("intention published"))?;
                let received: Vec<NaiveDate> = award
                    .representations
                    .iter()
                    .filter_map(|(_, on, _)| commissioning::period::parse_date(on).ok())
                    .collect();
                let review = award.review_decision.as_deref().and_then(|d| commissioning::period::parse_date(d).ok());
                let standstill = commissioning::procure::psr::standstill(self.calendar(), published, &received, review);
                let price = bids.iter().find(|b| &b.bidder == winner).map(|b| b.price_pence);
                let awarded = stage == TenderStage::Awarded;
                let mut award_json = json!({
                    "id": format!("{reference}-award"),
                    "title": record.title,
                    "status": if awarded { "active" } else { "pending" },
                    "date": day_start(published),
                    "suppliers": [{ "id": party_id(winner), "name": name }],
                    "standstillPeriod": {
                        "startDate": day_start(published + chrono::Duration::days(1)),
                        "endDate": day_start(standstill.ends),
                    },
                });
                if let Some(price) = price {
                    award_json["value"] = amount(price);
                }
                tags.push("award");
                if let (true, Some(contract_id)) = (awarded, &award.contract_id) {
                    let contract = self.store().contract(contract_id).await?;
                    let awarded_on =
                        record.awarded_on.as_deref().unwrap_or(&contract.term.start.to_string()).to_owned();
                    contracts.push(json!({
                        "id": contract.id,
                        "awardID": format!("{reference}-award"),
                        "title": contract.title,
                        "status": "active",
                        "period": { "startDate": day_start(contract.term.start), "endDate": day_start(contract.term.end) },
                        "value": amount(contract.annual_value.pence()),
                        "dateSigned": format!("{awarded_on}T00:00:00Z"),
                    }));
                    tags.push("contract");
                }
                awards.push(award_json);
            }
        }
        let mut release = json!({
            "ocid": format!("{OCID_PREFIX}-{reference}"),
            "id": format!("{reference}-{}-{}", stage.code(), record.updated_at),
            "date": instant(record.updated_at),
            "tag": tags,
            "initiationType": "tender",
            "language": "en",
            "parties": parties.into_json(),
            "buyer": { "id": party_id(&commissioner), "name": buyer_name },
            "tender": tender,
        });
        if !awards.is_empty() {
            release["awards"] = Value::Array(awards);
        }
        if !contracts.is_empty() {
            release["contracts"] = Value::Array(contracts);
        }
        Ok(Some(release))
    }
}

/// A release that could not be read: where in the file, and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseProblem {
    /// A JSON path, such as `$.releases[3].tender.tenderPeriod.endDate`.
    pub path: String,
    pub message: String,
}

/// What an OCDS import did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OcdsImportReport {
    pub file: String,
    pub releases: usize,
    pub imported: usize,
    pub skipped: Vec<ReleaseProblem>,
}

/// Reads a release's facts, or says at which path it is malformed.
struct Reader<'a> {
    release: &'a Value,
    base: String,
}

type Found<T> = std::result::Result<T, ReleaseProblem>;

impl Reader<'_> {
    fn problem(&self, path: &str, message: &str) -> ReleaseProblem {
        ReleaseProblem { path: format!("{}.{path}", self.base), message: message.to_owned() }
    }

    fn at(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(self.release, |value, key| value.get(key)).filter(|v| !v.is_null())
    }

    fn string(&self, path: &str) -> Found<Option<String>> {
        match self.at(path) {
            None => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.clone())),
            Some(_) => Err(self.problem(path, "should be a string")),
        }
    }

    fn required_string(&self, path: &str) -> Found<String> {
        self.string(path)?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| self.problem(path, "is required and should be a non-empty string"))
    }

    fn date(&self, path: &str) -> Found<Option<NaiveDate>> {
        self.string(path)?
            .map(|text| {
                DateTime::parse_from_rfc3339(&text).map(|d| d.date_naive()).map_err(|_| {
                    self.problem(path, &format!("'{text}' is not a date-time such as 2025-01-23T12:00:00Z"))
                })
            })
            .transpose()
    }

    fn pence(&self, path: &str) -> Found<Option<i64>> {
        match self.at(path) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .filter(|v| v.is_finite() && v.abs() < 1e15)
                .map(|v| Some((v * 100.0).round() as i64))
                .ok_or_else(|| self.problem(path, "is out of range")),
            Some(_) => Err(self.problem(path, "should be a number")),
        }
    }
}

/// One release's facts for the store, or where it is malformed.
fn read_release(release: &Value, base: String, source: &str, at: i64) -> Found<OcdsReleaseRecord> {
    let r = Reader { release, base };
    if !release.is_object() {
        return Err(ReleaseProblem { path: r.base.clone(), message: "should be an object (a release)".into() });
    }
    let ocid = r.required_string("ocid")?;
    let release_id = r.required_string("id")?;
    let date = r.date("date")?.ok_or_else(|| r.problem("date", "is required"))?;
    let tags = match r.at("tag") {
        Some(Value::Array(tags)) if !tags.is_empty() => tags
            .iter()
            .enumerate()
            .map(|(i, t)| match t.as_str() {
                Some(tag) if RELEASE_TAGS.contains(&tag) => Ok(tag.to_owned()),
                _ => Err(r.problem(&format!("tag[{i}]"), "is not a release tag from the releaseTag codelist")),
            })
            .collect::<Found<Vec<_>>>()?,
        _ => return Err(r.problem("tag", "is required and should be a non-empty array of release tags")),
    };
    match r.string("initiationType")?.as_deref() {
        Some("tender") => {}
        _ => return Err(r.problem("initiationType", "is required and should be 'tender'")),
    }
    let method = r.string("tender.procurementMethod")?;
    if let Some(m) = &method
        && !["open", "selective", "limited", "direct"].contains(&m.as_str())
    {
        return Err(r.problem("tender.procurementMethod", "should be open, selective, limited or direct"));
    }
    let number_of_tenderers = match r.at("tender.numberOfTenderers") {
        None => None,
        Some(n) => Some(
            n.as_i64()
                .filter(|n| *n >= 0)
                .ok_or_else(|| r.problem("tender.numberOfTenderers", "should be a whole number, 0 or more"))?,
        ),
    };
    let cpv = match r.string("tender.classification.id")? {
        Some(cpv) => cpv,
        None => match release.pointer("/tender/items/0/classification/id") {
            Some(Value::String(cpv)) => cpv.clone(),
            _ => String::new(),
        },
    };
    let awards = match r.at("awards") {
        None => &Vec::new(),
        Some(Value::Array(awards)) => awards,
        Some(_) => return Err(r.problem("awards", "should be an array")),
    };
    let mut award_date = None;
    let mut award_value = None;
    let mut standstill_end = None;
    let mut suppliers = Vec::new();
    for (i, award) in awards.iter().enumerate() {
        let a = Reader { release: award, base: format!("{}.awards[{i}]", r.base) };
        a.required_string("id")?;
        let date = a.date("date")?;
        let value = a.pence("value.amount")?;
        let standstill = a.date("standstillPeriod.endDate")?;
        if let Some(list) = award.get("suppliers") {
            let list = list.as_array().ok_or_else(|| a.problem("suppliers", "should be an array"))?;
            for (j, s) in list.iter().enumerate() {
                // A reference names the organisation or gives its id (or both).
                match (s.get("name"), s.get("id")) {
                    (Some(Value::String(name)), _) => suppliers.push(name.clone()),
                    (None | Some(Value::Null), Some(Value::String(id))) => suppliers.push(id.clone()),
                    (None | Some(Value::Null), Some(Value::Number(id))) => suppliers.push(id.to_string()),
                    _ => return Err(a.problem(&format!("suppliers[{j}]"), "should name the supplier or give its id")),
                }
            }
        }
        if award_date.is_none() && matches!(award.get("status").and_then(Value::as_str), Some("active") | None) {
            award_date = date;
            award_value = value;
            standstill_end = standstill;
        }
    }
    let buyer: String = r.string("buyer.name")?.unwrap_or_default();
    Ok(OcdsReleaseRecord {
        ocid,
        release_id,
        release_date: date.to_string(),
        tags: tags.join(","),
        buyer,
        title: r.string("tender.title")?.or(r.string("title")?).unwrap_or_default(),
        cpv,
        method,
        method_details: r.string("tender.procurementMethodDetails")?,
        // Contracts Finder gives no start to the tender period, but the day the tender was
        // published (the tenderDatePublished extension), which is when bidding opens.
        tender_start: r
            .date("tender.tenderPeriod.startDate")?
            .or(r.date("tender.datePublished")?)
            .map(|d| d.to_string()),
        tender_end: r.date("tender.tenderPeriod.endDate")?.map(|d| d.to_string()),
        number_of_tenderers,
        value_pence: r.pence("tender.value.amount")?,
        award_date: award_date.map(|d| d.to_string()),
        award_value_pence: award_value,
        suppliers: suppliers.join("; "),
        standstill_end: standstill_end.map(|d| d.to_string()),
        source: source.to_owned(),
        body: release.to_string(),
        imported_at: at,
    })
}

/// The releases of a release package (or of a plain array of releases), each read or
/// reported; an error when the file is not JSON or holds neither.
pub fn parse_releases(file: &str, text: &str, at: i64) -> Result<(Vec<OcdsReleaseRecord>, Vec<ReleaseProblem>, usize)> {
    let value: Value = serde_json::from_str(text).map_err(|e| {
        AppError::Invalid(format!("{file}: line {}, column {}: not valid JSON: {e}", e.line(), e.column()))
    })?;
    let (releases, base) = match &value {
        Value::Array(releases) => (releases, "$".to_owned()),
        Value::Object(package) => match package.get("releases") {
            Some(Value::Array(releases)) => (releases, "$.releases".to_owned()),
            _ => {
                return Err(AppError::Invalid(format!(
                    "{file}: $.releases: a release package needs an array of releases"
                )));
            }
        },
        _ => return Err(AppError::Invalid(format!("{file}: $: expected a release package or an array of releases"))),
    };
    let mut read = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, release) in releases.iter().enumerate() {
        match read_release(release, format!("{base}[{i}]"), file, at) {
            // The same release twice in a file is the same release.
            Ok(record) => {
                read.insert((record.ocid.clone(), record.release_id.clone()), record);
            }
            Err(problem) => problems.push(problem),
        }
    }
    Ok((read.into_values().collect(), problems, releases.len()))
}

impl App {
    /// Imports the releases of an OCDS file for the red flags, in one transaction with its
    /// audit entry; malformed releases are reported and skipped, and a release already held
    /// is replaced, so importing a file again adds nothing.
    pub async fn import_ocds(&self, actor: &Actor, path: &Path) -> Result<OcdsImportReport> {
        let file = path.file_name().map(|f| f.to_string_lossy().into_owned()).unwrap_or_default();
        let text = std::fs::read_to_string(path)
            .map_err(|e| AppError::Invalid(format!("{}: cannot be read: {e}", path.display())))?;
        let at = now_millis();
        let (records, skipped, n) = parse_releases(&file, &text, at)?;
        let mut tx = self.store().begin().await?;
        tx.upsert_ocds_releases(&records).await?;
        tx.audit(
            &crate::audit_entry(
                actor,
                "ocds_file",
                &file,
                "import_ocds",
                json!({ "releases": n, "imported": records.len(), "skipped": skipped.len() }),
            ),
            at,
        )
        .await?;
        tx.commit().await?;
        Ok(OcdsImportReport { file, releases: n, imported: records.len(), skipped })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(extra: Value) -> Value {
        let mut r = json!({
            "ocid": "ocds-b5fd17-1", "id": "n-1", "date": "2025-01-23T22:10:19Z", "tag": ["award"],
            "initiationType": "tender", "buyer": { "name": "NHS Somewhere ICB" },
            "tender": { "id": "t", "title": "Wound care", "procurementMethod": "open",
                "tenderPeriod": { "startDate": "2025-01-01T00:00:00Z", "endDate": "2025-01-10T12:00:00+01:00" },
                "value": { "amount": 1234.565, "currency": "GBP" } },
            "awards": [{ "id": "a", "status": "active", "date": "2025-01-20T00:00:00Z",
                "value": { "amount": 1000, "currency": "GBP" }, "suppliers": [{ "id": "s", "name": "Supplier Ltd" }] }],
        });
        if let (Value::Object(r), Value::Object(extra)) = (&mut r, extra) {
            r.extend(extra);
        }
        r
    }

    #[test]
    fn a_release_is_read_and_each_malformed_one_named_by_its_path() {
        let package = json!({ "releases": [
            release(json!({})),
            release(json!({ "tag": ["awarded"] })),
            release(json!({ "id": "n-2", "awards": [{ "id": "a", "value": { "amount": "1000" } }] })),
            release(json!({ "id": "n-3", "date": "23/01/2025" })),
            release(json!({ "id": "n-4", "initiationType": null })),
            "not a release",
            release(json!({})),
        ]});
        let (read, problems, n) = parse_releases("p.json", &package.to_string(), 7).unwrap();
        assert_eq!(n, 7);
        assert_eq!(read.len(), 1, "the first and last are one release");
        let r = &read[0];
        assert_eq!((r.tender_start.as_deref(), r.tender_end.as_deref()), (Some("2025-01-01"), Some("2025-01-10")));
        assert_eq!((r.value_pence, r.award_value_pence), (Some(123_457), Some(100_000)));
        assert_eq!(
            (r.buyer.as_str(), r.suppliers.as_str(), r.tags.as_str()),
            ("NHS Somewhere ICB", "Supplier Ltd", "award")
        );
        let paths: Vec<&str> = problems.iter().map(|p| p.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "$.releases[1].tag[0]",
                "$.releases[2].awards[0].value.amount",
                "$.releases[3].date",
                "$.releases[4].initiationType",
                "$.releases[5]"
            ]
        );
        assert!(problems[1].message.contains("number"));
        let error = parse_releases("bad.json", "{\"releases\": [", 0).unwrap_err();
        assert!(matches!(&error, AppError::Invalid(m) if m.starts_with("bad.json: line 1")), "{error:?}");
        let error = parse_releases("x.json", "{\"uri\": \"u\"}", 0).unwrap_err();
        assert!(matches!(&error, AppError::Invalid(m) if m.contains("$.releases")), "{error:?}");
    }
}
