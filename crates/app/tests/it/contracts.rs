//! Procure and monitor: the demo's contract register, its alerts, payment statements from
//! the priced activity, who may see which contract, and malformed register files.

use chrono::NaiveDate;

use app::demo::DemoOptions;
use app::import::{ImportKind, ImportOptions};
use app::progress::Silent;
use app::{Actor, AppError};
use commissioning::access::Role;
use commissioning::money::Money;
use commissioning::org::{OdsCode, OrgKind};
use commissioning::period::YearMonth;
use commissioning::procure::contract::{AlertKind, Mechanism};

use crate::{app, principal};

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

#[tokio::test]
async fn the_demo_register_alerts_and_pays_by_mechanism() {
    let (app, db, dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 5_000, reference_data: None }, &Silent).await.unwrap();
    let finance = principal("Q99", OrgKind::Commissioner, Role::Finance);
    let today = date("2025-11-15");
    let register = app.contracts(&Actor::User(finance.clone()), today).await.unwrap();
    assert_eq!(register.len(), 9, "one contract per provider, and the one the demo tender awarded");
    let mechanisms: Vec<&str> = register.iter().map(|view| view.contract.mechanism.code()).collect();
    for expected in ["aligned_payment", "block", "activity_based", "low_volume_block"] {
        assert!(mechanisms.contains(&expected), "{expected} is in the demo register");
    }
    // The contract ending 2026-03-31 with six months' notice: the deadline (2025-09-30) has
    // passed and it expires within the horizon.
    let alerts = app.contract_alerts(&Actor::User(finance.clone()), today).await.unwrap();
    let ending = alerts.iter().filter(|(view, _)| view.contract.term.end == date("2026-03-31")).collect::<Vec<_>>();
    assert_eq!(
        ending.iter().map(|(_, alert)| alert.kind).collect::<Vec<_>>(),
        [AlertKind::NoticeDeadline, AlertKind::Expiry]
    );
    assert!(ending[0].1.days_left < 0);
    assert!(alerts.windows(2).all(|pair| pair[0].1.due <= pair[1].1.due), "soonest first");

    // R9A is on aligned payment: the fixed element's June instalment plus June's elective
    // activity (EL and DC) as the activity engine priced it.
    let r9a = register.iter().find(|view| view.contract.provider.as_str() == "R9A").unwrap();
    let Mechanism::AlignedPayment { fixed_annual, .. } = r9a.contract.mechanism else { panic!("R9A is on API") };
    let june = YearMonth::parse("2025-06").unwrap();
    let statement = app.payment_statement(&Actor::User(finance.clone()), &r9a.contract.id, june).await.unwrap();
    let elective: i64 = db
        .store
        .activity_summary(Some(&OdsCode::parse("R9A").unwrap()))
        .await
        .unwrap()
        .iter()
        .filter(|row| row.month == "2025-06" && matches!(row.pod.code(), "EL" | "DC"))
        .map(|row| row.value_pence)
        .sum();
    assert!(elective > 0);
    let fixed_june = commissioning::monitor::payment::monthly_instalment(fixed_annual, 3).unwrap();
    // Its CQUIN: 1.25% of the fixed element over three indicators, one at 63% of the way
    // to its maximum, one above it, one a fifth of the way (lower is better); the shortfall
    // comes off in twelve instalments.
    let scheme = r9a.cquin.as_ref().expect("R9A has a CQUIN scheme");
    assert_eq!(scheme.available, fixed_annual.scale(commissioning::money::Decimal::new(125, 4)));
    assert_eq!(scheme.earned + scheme.deduction, scheme.available);
    let cquin_june = commissioning::monitor::payment::monthly_instalment(scheme.deduction, 3).unwrap();
    let lines = &statement.statement.lines;
    let sum = |pick: &dyn Fn(&str) -> bool| lines.iter().filter(|l| pick(&l.label)).map(|l| l.amount).sum::<Money>();
    let mechanism = sum(&|label| !label.starts_with("Best practice") && !label.starts_with("Withheld"));
    assert_eq!(mechanism, fixed_june + Money::from_pence(elective) - cquin_june);
    assert!(lines.iter().any(|l| l.label == "CQUIN under-achievement deducted"));
    // Day cases meeting the best-practice criteria add the uplift × MFF.
    let bpt = sum(&|label| label.starts_with("Best practice tariff: BZ34C DC"));
    assert!(bpt > Money::ZERO, "{lines:?}");
    // Discharge summaries missed 95% in June (93.1%): 2% of the month's value is withheld;
    // again in July; met in August, when both months' sums are repaid.
    let withheld_june = sum(&|label| label.starts_with("Withheld: Discharge summaries"));
    assert_eq!(withheld_june, -(mechanism + bpt).scale(commissioning::money::Decimal::new(2, 2)));
    assert_eq!(statement.statement.total(), statement.total);
    let month_of = |text: &str| YearMonth::parse(text).unwrap();
    let july =
        app.payment_statement(&Actor::User(finance.clone()), &r9a.contract.id, month_of("2025-07")).await.unwrap();
    let withheld_july: Money =
        july.statement.lines.iter().filter(|l| l.label.starts_with("Withheld: ")).map(|l| l.amount).sum();
    assert!(withheld_july < Money::ZERO);
    let august =
        app.payment_statement(&Actor::User(finance.clone()), &r9a.contract.id, month_of("2025-08")).await.unwrap();
    let repaid = august.statement.lines.iter().find(|l| l.label.starts_with("Withheld sums repaid")).unwrap();
    assert_eq!(repaid.amount, -(withheld_june + withheld_july));

    // The demo invoices match their statements except R9B's June, £1,234.56 too high; the
    // aggregate and patient-level activity agree (the same engine priced both).
    let matched = app.reconciliation(&Actor::User(finance.clone()), &r9a.contract.id, june).await.unwrap();
    assert!(matched.reconciliation.as_ref().unwrap().matched(), "{matched:?}");
    assert_eq!(matched.patient_level_total, Some(matched.aggregate_total));
    let r9b_id = register.iter().find(|view| view.contract.provider.as_str() == "R9B").unwrap().contract.id.clone();
    let off = app.reconciliation(&Actor::User(finance.clone()), &r9b_id, june).await.unwrap();
    let differences: Vec<Money> = off.reconciliation.as_ref().unwrap().differences().map(|c| c.difference).collect();
    assert_eq!(differences, [Money::from_pence(123_456)]);
    let october = YearMonth::parse("2025-10").unwrap();
    assert_eq!(app.reconciliation(&Actor::User(finance.clone()), &r9b_id, october).await.unwrap().reconciliation, None);

    // R9A's two variations: £375,000 of lifetime value needs no transparency notice, £650,000
    // does (at least £500,000); neither is a considerable change. The annual value after
    // them is £550,000 higher.
    let varied = app.contract(&finance, &r9a.contract.id, today).await.unwrap();
    let notices: Vec<(bool, bool)> =
        varied.variations.iter().map(|v| (v.transparency_notice_required, v.considerable_change)).collect();
    assert_eq!(notices, [(false, false), (true, false)]);
    assert_eq!(varied.annual_value_after_variations - varied.contract.annual_value, Money::from_pence(550_000 * 100));

    // A provider sees its own contracts (R9A's 2024 one and the one it won by tender) and not
    // another's.
    let provider = principal("R9A", OrgKind::Provider, Role::Provider);
    assert_eq!(app.contracts(&Actor::User(provider.clone()), today).await.unwrap().len(), 2);
    let r9b = register.iter().find(|view| view.contract.provider.as_str() == "R9B").unwrap();
    assert!(matches!(app.contract(&provider, &r9b.contract.id, today).await, Err(AppError::NotFound)));
    assert!(matches!(
        app.payment_statement(&Actor::User(provider), &r9b.contract.id, june).await,
        Err(AppError::NotFound)
    ));

    // The 2025/26 tariff rolled forward to 2026/27 with the 2023/24 factors: every price ×
    // 1.029 × 0.989, rounded once; doing it again overlaps and is refused.
    let cost = commissioning::money::Decimal::parse("0.029").unwrap();
    let efficiency = commissioning::money::Decimal::parse("0.011").unwrap();
    let system = Actor::System("test".into());
    let rolled = app
        .uplift_tariff(&system, date("2025-06-01"), date("2026-04-01"), Some(date("2027-03-31")), cost, efficiency)
        .await
        .unwrap();
    assert!(rolled.n_rows > 10);
    let rows = db.store.tariff_rows().await.unwrap();
    let old = rows.iter().find(|r| r.effective_from == date("2025-04-01")).unwrap();
    let new =
        rows.iter().find(|r| r.effective_from == date("2026-04-01") && r.hrg == old.hrg && r.pod == old.pod).unwrap();
    assert_eq!(
        new.unit_price_pence,
        commissioning::monitor::payment::uplifted_price(Money::from_pence(old.unit_price_pence), cost, efficiency)
            .pence()
    );
    let again = app.uplift_tariff(&system, date("2025-06-01"), date("2026-04-01"), None, cost, efficiency).await;
    assert!(matches!(again, Err(AppError::Invalid(message)) if message.contains("overlaps")));
    assert_eq!(db.store.tariff_rows().await.unwrap().len(), rows.len(), "nothing written");

    // A malformed register names its line and field and changes nothing.
    let bad = dir.path().join("contracts.csv");
    std::fs::write(
        &bad,
        "contract_id,title,commissioner_code,provider_code,start_date,end_date,notice_months,extension_months,annual_value,mechanism,fixed_value,elective_baseline,owner\n\
         Q99-R9A-2024,Changed,Q99,R9A,2024-04-01,2027-03-31,6,,100.00,block,,,Owner\n\
         Q99-X-2024,Bad,Q99,R9A,2024-04-01,2023-03-31,6,,100.00,block,,,Owner\n",
    )
    .unwrap();
    let error =
        match app.import(&Actor::System("test".into()), ImportKind::Contracts, &bad, &ImportOptions::default()).await {
            Err(AppError::Import(error)) => error.to_string(),
            other => panic!("expected an import error, got {other:?}"),
        };
    assert!(
        error.contains("contracts.csv:3: field 'end_date': the contract ends (2023-03-31) before it starts"),
        "{error}"
    );
    assert_eq!(app.contract(&finance, "Q99-R9A-2024", today).await.unwrap().contract.title, r9a.contract.title);
}

fn import_error(result: Result<app::import::ImportReport, AppError>) -> String {
    match result {
        Err(AppError::Import(error)) => error.to_string(),
        other => panic!("expected an import error, got {other:?}"),
    }
}

#[tokio::test]
async fn service_lines_become_the_plan_and_kpis_documents_and_bpt_are_checked() {
    let (app, db, dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 5_000, reference_data: None }, &Silent).await.unwrap();
    let finance = principal("Q99", OrgKind::Commissioner, Role::Finance);
    let today = date("2025-11-15");
    let r9a = OdsCode::parse("R9A").unwrap();
    let view = app.contract(&finance, "Q99-R9A-2024", today).await.unwrap();
    assert!(view.service_lines.len() >= 3, "{:?}", view.service_lines);
    // Each line's months add up to its annual plan, and the provider's monitoring plan at
    // each point of delivery is its lines' phased plan.
    let plan = db.store.plan(&r9a).await.unwrap();
    for planned in &view.service_lines {
        assert_eq!(planned.activity.iter().sum::<i64>(), planned.line.annual_activity);
        assert_eq!(planned.value_pence.iter().sum::<i64>(), planned.line.annual_value.pence());
        let pod = planned.line.pod.unwrap().code();
        let months: Vec<i64> = plan.iter().filter(|row| row.pod == pod).map(|row| row.activity).collect();
        assert_eq!(months, planned.activity, "{pod}");
    }
    let tolerances = db.store.tolerances(&r9a).await.unwrap();
    assert!(tolerances.contains(&("EL".to_owned(), 200, 500)), "{tolerances:?}");
    // Re-importing the same lines changes nothing.
    let lines_file = dir.path().join("lines.csv");
    let mut csv = String::from(
        "contract_id,service,pod,year,annual_activity,annual_value,phasing,tolerance_lower_pct,tolerance_upper_pct\n",
    );
    for planned in &view.service_lines {
        let line = &planned.line;
        csv.push_str(&format!(
            "{},{},{},{},{},{},{},{},{}\n",
            line.contract_id,
            line.service,
            line.pod.unwrap().code(),
            line.year,
            line.annual_activity,
            line.annual_value.to_pounds_string(),
            line.phasing.code(),
            line.tolerance.lower_bp as f64 / 100.0,
            line.tolerance.upper_bp as f64 / 100.0
        ));
    }
    std::fs::write(&lines_file, &csv).unwrap();
    let system = Actor::System("test".into());
    app.import(&system, ImportKind::ServiceLines, &lines_file, &ImportOptions::default()).await.unwrap();
    assert_eq!(db.store.plan(&r9a).await.unwrap(), plan, "re-importing never double counts");

    // Malformed lines name file, line and field, and write nothing.
    let header =
        "contract_id,service,pod,year,annual_activity,annual_value,phasing,tolerance_lower_pct,tolerance_upper_pct\n";
    for (body, expected) in [
        (
            "Q99-R9A-2024,Elective,EL,2031/32,10,100.00,flat,2,5\n",
            "lines.csv:2: field 'year': 2031/32 is outside Q99-R9A-2024's term",
        ),
        (
            "Q99-R9A-2024,Orthopaedics,EL,2025/26,10,100.00,flat,2,5\nQ99-R9A-2024,Ophthalmology,EL,2025/26,10,100.00,flat,4,4\n",
            "lines.csv:3: field 'tolerance_lower_pct': R9A at EL in 2025/26 already has a tolerance of −2%/+5%",
        ),
        (
            "Q99-R9A-2024,Elective,EL,2025/26,10,100.00,seasonal,2,5\n",
            "lines.csv:2: field 'phasing': 'seasonal' is not a phasing",
        ),
        ("Q99-R9A-2024,Elective,EL,2025/26,10,100.00,flat,120,5\n", "lines.csv:2: field 'tolerance_lower_pct'"),
        (
            "Q99-NOPE,Elective,EL,2025/26,10,100.00,flat,2,5\n",
            "lines.csv:2: field 'contract_id': 'Q99-NOPE' is not in the register",
        ),
    ] {
        std::fs::write(&lines_file, format!("{header}{body}")).unwrap();
        let error =
            import_error(app.import(&system, ImportKind::ServiceLines, &lines_file, &ImportOptions::default()).await);
        assert!(error.contains(expected), "{error}\nexpected {expected}");
        assert_eq!(db.store.plan(&r9a).await.unwrap(), plan, "nothing written");
    }

    // KPI results must name a KPI of the contract; attainment needs a best-practice price.
    let results = dir.path().join("results.csv");
    std::fs::write(
        &results,
        "contract_id,code,month,value\nQ99-R9A-2024,DS24,2025-10,97\nQ99-R9A-2024,NOPE,2025-10,1\n",
    )
    .unwrap();
    let error = import_error(app.import(&system, ImportKind::KpiResults, &results, &ImportOptions::default()).await);
    assert!(error.contains("results.csv:3: field 'code': Q99-R9A-2024 has no KPI 'NOPE'"), "{error}");
    let bpt = dir.path().join("bpt.csv");
    std::fs::write(&bpt, "contract_id,month,hrg,pod,spells_met\nQ99-R9A-2024,2025-06,VB09Z,AE,4\n").unwrap();
    let error = import_error(app.import(&system, ImportKind::BestPractice, &bpt, &ImportOptions::default()).await);
    assert!(error.contains("bpt.csv:2: field 'hrg': VB09Z at AE has no best-practice uplift"), "{error}");
    let kpis = &app.contract(&finance, "Q99-R9A-2024", today).await.unwrap().kpis;
    let ds24 = kpis.iter().find(|k| k.kpi.code == "DS24").unwrap();
    assert_eq!(ds24.results.iter().filter(|r| r.breached).count(), 2, "June and July");
    assert_eq!(ds24.latest().unwrap().month, "2025-09", "nothing from the refused file");

    // Documents: finance attaches; the provider reads its own; another provider cannot see
    // it and the provider cannot attach.
    let content = b"%PDF-1.4 signed particulars".to_vec();
    let id = app
        .attach_document(
            &Actor::User(finance.clone()),
            "Q99-R9A-2024",
            "Signed particulars",
            "particulars.pdf",
            content.clone(),
        )
        .await
        .unwrap();
    let provider = principal("R9A", OrgKind::Provider, Role::Provider);
    let (document, bytes) = app.document(&provider, "Q99-R9A-2024", id).await.unwrap();
    assert_eq!((document.media_type.as_str(), bytes), ("application/pdf", content.clone()));
    let other = principal("R9B", OrgKind::Provider, Role::Provider);
    assert!(matches!(app.document(&other, "Q99-R9A-2024", id).await, Err(AppError::NotFound)));
    assert!(matches!(app.document(&finance, "Q99-R9B-2024", id).await, Err(AppError::NotFound)), "wrong contract");
    assert!(matches!(
        app.attach_document(&Actor::User(provider), "Q99-R9A-2024", "Mine", "x.pdf", content.clone()).await,
        Err(AppError::Forbidden)
    ));
    assert!(matches!(
        app.attach_document(&Actor::User(finance.clone()), "Q99-R9A-2024", " ", "x.pdf", content).await,
        Err(AppError::Invalid(message)) if message.contains("title")
    ));
    let view = app.contract(&finance, "Q99-R9A-2024", date("2026-01-01")).await.unwrap();
    let titles: Vec<&str> = view.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["Signed particulars", "Schedule 2B: indicative activity plan"], "newest first");
    assert!(view.timeline.iter().any(|event| event.label == "Document attached: Signed particulars"));
    assert!(view.timeline.windows(2).all(|pair| pair[0].date <= pair[1].date));
}
