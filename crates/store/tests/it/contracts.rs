//! Procure: the contract register round-trips every mechanism on both backends.

use chrono::NaiveDate;

use commissioning::money::Money;
use commissioning::org::OdsCode;
use commissioning::procure::contract::{Contract, Mechanism, Term};
use store::StoreError;
use test_support::{TestDb, on_both_backends};

use crate::reference::seed;

fn contract(id: &str, provider: &str, end: &str, mechanism: Mechanism) -> Contract {
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    Contract {
        id: id.into(),
        title: format!("Services from {provider}"),
        commissioner: OdsCode::parse("Q99").unwrap(),
        provider: OdsCode::parse(provider).unwrap(),
        term: Term::new(date("2025-04-01"), date(end), 6, vec![12, 12]).unwrap(),
        annual_value: Money::from_pence(12_000_000 * 100),
        mechanism,
        owner: "Chris Commissioner".into(),
    }
}

async fn contracts_round_trip(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let aligned = contract(
        "Q99-R9A-2025",
        "R9A",
        "2028-03-31",
        Mechanism::AlignedPayment {
            fixed_annual: Money::from_pence(9_000_000 * 100),
            elective_baseline_annual: Some(Money::from_pence(2_500_000 * 100)),
        },
    );
    let block = contract("Q99-R9B-2025", "R9B", "2026-03-31", Mechanism::Block);
    let mut tx = store.begin().await.unwrap();
    tx.upsert_contracts(&[aligned.clone(), block.clone()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.contracts(None).await.unwrap(), [block.clone(), aligned.clone()], "by end date");
    assert_eq!(store.contracts(Some(&OdsCode::parse("R9A").unwrap())).await.unwrap(), std::slice::from_ref(&aligned));
    assert_eq!(store.contract("Q99-R9A-2025").await.unwrap(), aligned);
    assert!(matches!(store.contract("nope").await, Err(StoreError::NotFound)));
    let mut changed = block.clone();
    changed.mechanism = Mechanism::LowVolumeBlock;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_contracts(&[changed.clone()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.contract("Q99-R9B-2025").await.unwrap(), changed);
    assert_eq!(store.contracts(None).await.unwrap().len(), 2);
    // Invoices: a second for the same month replaces the first.
    let invoice = |value: i64| store::contracts::Invoice {
        contract_id: "Q99-R9A-2025".into(),
        month: "2025-06".into(),
        invoice_number: format!("INV-{value}"),
        value: Money::from_pence(value),
    };
    for value in [100, 250] {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_invoices(&[invoice(value)]).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(store.invoice("Q99-R9A-2025", "2025-06").await.unwrap(), Some(invoice(250)));
    assert_eq!(store.invoice("Q99-R9A-2025", "2025-07").await.unwrap(), None);
    // Variations keep their order and their assessment as recorded.
    let variation = commissioning::procure::contract::Variation {
        contract_id: "Q99-R9A-2025".into(),
        number: 1,
        agreed_on: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
        description: "Additional diagnostic capacity".into(),
        annual_value_change: Money::from_pence(250_000 * 100),
        lifetime_value_change: Money::from_pence(625_000 * 100),
        ground: commissioning::procure::contract::ModificationGround::AuthorityDriven,
        materially_different: false,
        notice_published: Some(NaiveDate::from_ymd_opt(2025, 10, 20).unwrap()),
    };
    let assessment =
        commissioning::procure::contract::assess_variation(Money::from_pence(36_000_000 * 100), &variation);
    let mut tx = store.begin().await.unwrap();
    tx.upsert_variations(&[(variation.clone(), assessment.clone())]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.variations("Q99-R9A-2025").await.unwrap(),
        [(variation, assessment.transparency_notice_required, assessment.considerable_change)]
    );
    // CQUIN indicators keep their decimals exactly.
    let indicator = commissioning::monitor::payment::CquinIndicator {
        name: "Flu vaccination of staff".into(),
        minimum: commissioning::money::Decimal::parse("70").unwrap(),
        maximum: commissioning::money::Decimal::parse("90.5").unwrap(),
        performance: commissioning::money::Decimal::parse("82.25").unwrap(),
        higher_is_better: true,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_cquin_indicators(&[("Q99-R9A-2025".into(), indicator.clone())]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.cquin_indicators("Q99-R9A-2025").await.unwrap(), [indicator]);
    // A provider must be a known organisation.
    let mut tx = store.begin().await.unwrap();
    let unknown = contract("Q99-X-2025", "RXX", "2026-03-31", Mechanism::Block);
    assert!(matches!(tx.upsert_contracts(&[unknown]).await, Err(StoreError::Conflict { .. })));
}

on_both_backends!(register, contracts_round_trip);

async fn service_lines_kpis_documents_and_bpt(db: &TestDb) {
    use commissioning::money::Decimal;
    use commissioning::monitor::quality::QualityKind;
    use commissioning::monitor::{Phasing, Tolerance};
    use commissioning::period::FinancialYear;
    use commissioning::procure::contract::{Kpi, KpiKind, KpiLevel, ServiceLine};
    use commissioning::service::PointOfDelivery;
    use store::contract_lines::{BptAttainment, EvaluationRecord, KpiResult, NewDocument, QualityReturn};

    seed(db).await;
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_contracts(&[contract("Q99-R9A-2025", "R9A", "2028-03-31", Mechanism::ActivityBased)]).await.unwrap();
    tx.commit().await.unwrap();
    let line = |service: &str, pod: Option<PointOfDelivery>, activity: i64, phasing: Phasing| ServiceLine {
        contract_id: "Q99-R9A-2025".into(),
        service: service.into(),
        pod,
        year: FinancialYear::starting(2025),
        annual_activity: activity,
        annual_value: Money::from_pence(activity * 350_000),
        phasing,
        tolerance: Tolerance { lower_bp: 200, upper_bp: 500 },
    };
    let first = vec![
        line("Trauma and orthopaedics", Some(PointOfDelivery::Elective), 1_200, Phasing::WorkingDays),
        line("Trauma and orthopaedics", Some(PointOfDelivery::DayCase), 3_400, Phasing::Custom([1; 12])),
        line("Community equipment", None, 0, Phasing::Flat),
    ];
    // Importing the lines for a year twice, the second time with one line fewer, leaves the
    // second set: replaced, never added to.
    for lines in [first.clone(), first[..2].to_vec()] {
        let mut tx = store.begin().await.unwrap();
        tx.replace_service_lines(&lines).await.unwrap();
        tx.commit().await.unwrap();
    }
    let mut expected = first[..2].to_vec();
    expected.sort_by(|a, b| a.pod.map(|p| p.code()).cmp(&b.pod.map(|p| p.code())));
    assert_eq!(store.service_lines(Some("Q99-R9A-2025")).await.unwrap(), expected);
    let mut tx = store.begin().await.unwrap();
    tx.replace_service_lines(&first[2..]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.service_lines(None).await.unwrap(), first[2..], "the year's lines are the last import's");

    let kpi = Kpi {
        contract_id: "Q99-R9A-2025".into(),
        code: "DS24".into(),
        name: "Discharge summaries sent within 24 hours (%)".into(),
        kind: KpiKind::Kpi,
        threshold: Decimal::parse("95.0").unwrap(),
        higher_is_better: true,
        consequence: "Withhold 2% of the monthly value until met".into(),
        withhold_percent: Some(Decimal::parse("2").unwrap()),
        source: "Schedule 4C local quality requirements".into(),
        numerator: "summaries sent within 24 hours".into(),
        denominator: "discharges".into(),
        level: KpiLevel::Local,
        effective_from: Some(chrono::NaiveDate::from_ymd_opt(2025, 4, 1).unwrap()),
        effective_to: None,
    };
    let result = |month: &str, value: &str| KpiResult {
        contract_id: "Q99-R9A-2025".into(),
        code: "DS24".into(),
        month: month.into(),
        value: Decimal::parse(value).unwrap(),
        numerator: (month == "2025-04").then_some(961),
        denominator: (month == "2025-04").then_some(1_000),
        submitted_by: "user:7".into(),
        submitted_at: 1_700_000_000_000,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_kpis(std::slice::from_ref(&kpi)).await.unwrap();
    tx.upsert_kpi_results(&[result("2025-04", "96.10"), result("2025-05", "91")]).await.unwrap();
    tx.upsert_kpi_results(&[result("2025-05", "94.5")]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.kpis("Q99-R9A-2025").await.unwrap(), [kpi]);
    assert_eq!(
        store.kpi_results("Q99-R9A-2025").await.unwrap(),
        [result("2025-04", "96.10"), result("2025-05", "94.5")]
    );
    // A result for a KPI the contract does not have is refused by the schema.
    let mut tx = store.begin().await.unwrap();
    let mut orphan = result("2025-04", "1");
    orphan.code = "NOPE".into();
    assert!(tx.upsert_kpi_results(&[orphan]).await.is_err());
    drop(tx);

    let content: Vec<u8> = (0..=255u8).cycle().take(70_000).collect();
    let mut tx = store.begin().await.unwrap();
    let id = tx
        .insert_document(
            &NewDocument {
                contract_id: "Q99-R9A-2025".into(),
                title: "Signed particulars".into(),
                file_name: "particulars.pdf".into(),
                media_type: "application/pdf".into(),
                sha256: "ab".repeat(32),
                content: content.clone(),
                uploaded_by: "chris@example.test".into(),
            },
            1_700_000_000_000,
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let listed = store.documents("Q99-R9A-2025").await.unwrap();
    assert_eq!((listed.len(), listed[0].id, listed[0].size_bytes), (1, id, 70_000));
    let (document, bytes) = store.document(id).await.unwrap();
    assert_eq!((document.title.as_str(), bytes), ("Signed particulars", content), "binary content round-trips");
    assert!(matches!(store.document(id + 1).await, Err(StoreError::NotFound)));

    let attainment = BptAttainment {
        contract_id: "Q99-R9A-2025".into(),
        month: "2025-06".into(),
        hrg: "HT12A".into(),
        pod: "NEL".into(),
        spells_met: 37,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_bpt_attainment(std::slice::from_ref(&attainment)).await.unwrap();
    tx.upsert_bpt_attainment(std::slice::from_ref(&attainment)).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.bpt_attainment("Q99-R9A-2025", "2025-06").await.unwrap(), [attainment]);
    assert!(store.bpt_attainment("Q99-R9A-2025", "2025-07").await.unwrap().is_empty());

    // Quality returns: the same contract, kind, measure and month replaces.
    let fft = |positive: i64| QualityReturn {
        contract_id: "Q99-R9A-2025".into(),
        kind: QualityKind::FriendsAndFamily,
        measure: "Inpatients".into(),
        month: "2025-06".into(),
        numerator: Some(positive),
        denominator: Some(1_000),
        score: None,
    };
    let proms = QualityReturn {
        contract_id: "Q99-R9A-2025".into(),
        kind: QualityKind::Proms,
        measure: "Hip replacement".into(),
        month: "2025-06".into(),
        numerator: None,
        denominator: Some(120),
        score: Some(Decimal::parse("21.4").unwrap()),
    };
    for positive in [930, 941] {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_quality_returns(&[fft(positive), proms.clone()]).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(store.quality_returns("Q99-R9A-2025").await.unwrap(), [fft(941), proms]);

    // Evaluations, newest first, each read back whole.
    let evaluation = |recommendation: &str| EvaluationRecord {
        id: 0,
        contract_id: "Q99-R9A-2025".into(),
        review_date: "2026-03-31".into(),
        recommendation: recommendation.into(),
        rationale: "Outcomes met".into(),
        findings: "More capacity in winter\nFewer follow-ups".into(),
        next_year: "2026/27".into(),
        report: r#"{"kpis":[]}"#.into(),
        created_by: "user:2".into(),
        created_at: 1_700_000_000_000,
    };
    let mut ids = Vec::new();
    for recommendation in ["recommission", "redesign"] {
        let mut tx = store.begin().await.unwrap();
        ids.push(tx.insert_evaluation(&evaluation(recommendation)).await.unwrap());
        tx.commit().await.unwrap();
    }
    let listed = store.evaluations(Some("Q99-R9A-2025")).await.unwrap();
    assert_eq!(listed.iter().map(|e| e.id).collect::<Vec<_>>(), [ids[1], ids[0]]);
    assert_eq!(store.evaluation(ids[0]).await.unwrap(), EvaluationRecord { id: ids[0], ..evaluation("recommission") });
    assert_eq!(store.evaluations(None).await.unwrap().len(), 2);
    assert!(store.evaluations(Some("Q99-OTHER")).await.unwrap().is_empty());
    assert!(matches!(store.evaluation(ids[1] + 1).await, Err(StoreError::NotFound)));
}

on_both_backends!(contract_lines, service_lines_kpis_documents_and_bpt);

async fn performance_round_trips_and_replaces(db: &TestDb) {
    use store::performance::PerformanceRow;
    let store = &db.store;
    let row = |org: &str, period: &str, numerator: i64| PerformanceRow {
        org_code: org.into(),
        metric: "ae_4hr_all".into(),
        period: period.into(),
        numerator,
        denominator: 10_000,
        source: "ae_attendances.csv".into(),
        org_name: String::new(),
    };
    for numerator in [7_000, 7_600] {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_performance(&[row("RL4", "2016-04-01", numerator), row("NLO12", "2016-04-01", 9_900)]).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(store.performance("ae_4hr_all", Some("RL4")).await.unwrap(), [row("RL4", "2016-04-01", 7_600)]);
    assert_eq!(store.performance("ae_4hr_all", None).await.unwrap().len(), 2, "codes need not be organisations");
    assert_eq!(store.performance_metrics().await.unwrap(), [("ae_4hr_all".to_owned(), 2)]);
}

on_both_backends!(performance, performance_round_trips_and_replaces);

async fn notices_steps_and_milestones(db: &TestDb) {
    use store::notices::{MilestoneRecord, NoticeEventRecord, NoticeRecord};
    seed(db).await;
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_contracts(&[contract("Q99-R9A-2025", "R9A", "2028-03-31", Mechanism::Block)]).await.unwrap();
    let notice = NoticeRecord {
        id: 0,
        contract_id: "Q99-R9A-2025".into(),
        served_by_party: "commissioner".into(),
        subject: "Discharge summaries late".into(),
        stage: "remedial_action_plan".into(),
        served_on: "2025-12-19".into(),
        meeting_on: Some("2026-01-06".into()),
        withhold_percent: None,
        owner: "Fran".into(),
        created_by: "Fran".into(),
        created_at: 1,
        updated_at: 1,
    };
    let id = tx.insert_notice(&notice).await.unwrap();
    tx.insert_notice_event(&NoticeEventRecord {
        notice_id: id,
        event: "agree_plan".into(),
        on_date: "2026-01-13".into(),
        notes: String::new(),
        party: "provider".into(),
        by_whom: "Pat".into(),
        at: 2,
    })
    .await
    .unwrap();
    let milestone = |description: &str, due_on: &str| MilestoneRecord {
        id: 0,
        notice_id: id,
        description: description.into(),
        due_on: due_on.into(),
        owner: "Ward managers".into(),
        consequence: "Exception report".into(),
        met_on: None,
        created_by: "Pat".into(),
        created_at: 3,
    };
    let later = tx.insert_milestone(&milestone("Electronic summaries", "2026-02-06")).await.unwrap();
    let sooner = tx.insert_milestone(&milestone("Weekly audit", "2026-01-30")).await.unwrap();
    tx.mark_milestone_met(id, sooner, "2026-01-29").await.unwrap();
    assert!(matches!(tx.mark_milestone_met(id, sooner, "2026-01-30").await, Err(StoreError::NotFound)), "met once");
    assert!(
        matches!(tx.mark_milestone_met(id + 1, later, "2026-01-30").await, Err(StoreError::NotFound)),
        "its own notice"
    );
    tx.commit().await.unwrap();
    let held = store.milestones(id).await.unwrap();
    assert_eq!(held.iter().map(|m| m.id).collect::<Vec<_>>(), [sooner, later], "by due date");
    assert_eq!(held[0].met_on.as_deref(), Some("2026-01-29"));
    assert_eq!(held[1], MilestoneRecord { id: later, ..milestone("Electronic summaries", "2026-02-06") });
    assert_eq!(store.notice_events(id).await.unwrap().len(), 1);
}

on_both_backends!(notices, notices_steps_and_milestones);

async fn route_decisions_are_kept_whole(db: &TestDb) {
    use store::procurement::DecisionRecord;
    let store = &db.store;
    let decision = |title: &str| DecisionRecord {
        id: 0,
        title: title.into(),
        cpv: "85121100".into(),
        answers: r#"{"existing_provider":true}"#.into(),
        allowed: "direct_award_c,most_suitable_provider,competitive".into(),
        reasons: "the incumbent is satisfying\nthe change is not considerable".into(),
        chosen: "direct_award_c".into(),
        rationale: "Good outcomes".into(),
        decided_by: "Chris".into(),
        decided_at: 1_700_000_000_000,
        buyer: "Q99".into(),
    };
    let mut ids = Vec::new();
    for title in ["GP out of hours", "Community MSK"] {
        let mut tx = store.begin().await.unwrap();
        ids.push(tx.insert_decision(&decision(title)).await.unwrap());
        tx.commit().await.unwrap();
    }
    let held = store.decisions().await.unwrap();
    assert_eq!(held.iter().map(|d| d.id).collect::<Vec<_>>(), [ids[1], ids[0]], "newest first");
    assert_eq!(store.decision(ids[0]).await.unwrap(), DecisionRecord { id: ids[0], ..decision("GP out of hours") });
    assert!(matches!(store.decision(ids[1] + 1).await, Err(StoreError::NotFound)));
}

on_both_backends!(procurement, route_decisions_are_kept_whole);

async fn ocds_releases_are_replaced_not_doubled(db: &TestDb) {
    use store::procurement::OcdsReleaseRecord;
    let store = &db.store;
    let release = |id: &str, title: &str| OcdsReleaseRecord {
        ocid: "ocds-b5fd17-1".into(),
        release_id: id.into(),
        release_date: "2025-01-23".into(),
        tags: "tender".into(),
        buyer: "NHS Somewhere ICB".into(),
        title: title.into(),
        cpv: "85100000".into(),
        method: Some("open".into()),
        tender_end: Some("2025-02-01".into()),
        number_of_tenderers: Some(1),
        value_pence: Some(12_345),
        suppliers: String::new(),
        source: "a.json".into(),
        body: "{}".into(),
        imported_at: 1,
        ..OcdsReleaseRecord::default()
    };
    for title in ["Wound care", "Wound care services"] {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_ocds_releases(&[release("n-1", title), release("n-2", "Award")]).await.unwrap();
        tx.commit().await.unwrap();
    }
    let held = store.ocds_releases().await.unwrap();
    assert_eq!(held, [release("n-1", "Wound care services"), release("n-2", "Award")]);
}

on_both_backends!(ocds, ocds_releases_are_replaced_not_doubled);
