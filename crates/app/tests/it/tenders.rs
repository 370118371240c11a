//! Tenders on the demo: criteria checked and published, the lifecycle enforced, and bids
//! sealed — nobody but the bidder reads a bid before the deadline and the close, not even an
//! administrator or the export; after it the commissioner's side reads them all and a
//! provider still only its own.

use chrono::{Duration, NaiveDateTime};

use app::AppError;
use app::demo::DemoOptions;
use app::progress::Silent;
use app::tenders::{CriterionInput, NewTender};
use commissioning::access::Principal;
use commissioning::access::Role;
use commissioning::org::OrgKind;
use commissioning::procure::tender::TenderStage;

use crate::{app, principal};

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap()
}

#[tokio::test]
async fn bids_are_sealed_until_the_deadline_and_the_close() {
    let (app, db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let admin = principal("Q99", OrgKind::Commissioner, Role::Administrator);
    let analyst = principal("Q99", OrgKind::Commissioner, Role::Analyst);
    let evaluator = principal("Q99", OrgKind::Commissioner, Role::Evaluator);
    let r9a = principal("R9A", OrgKind::Provider, Role::Provider);
    let r9b = principal("R9B", OrgKind::Provider, Role::Provider);

    let now = at("2026-01-05 09:00");
    let mut input = NewTender {
        title: "Community diagnostic centre".into(),
        process: "competitive".into(),
        deadline: "2026-02-02T12:00".into(),
        price_weight: "40".into(),
        price_formula: "relative_to_lowest".into(),
        criteria: "Quality and innovation | 30 | 2\nValue | 10\nIntegration | 10\nAccess | 5\nSocial value | 4\n"
            .into(),
        specification: String::new(),
        required_documents: String::new(),
        pass_fail: String::new(),
        lots: String::new(),
    };
    // It buys a specification whose substantial change has not been consulted on.
    let spec = commissioning::procure::spec::SpecContent {
        title: "Community diagnostic centre".into(),
        outcomes: "Faster diagnosis".into(),
        kpis: "CDC1 | Tests reported within 7 days (%) | 90 | higher | reported within 7 days / tests done".into(),
        payment_mechanism: "block".into(),
        duration_months: "36".into(),
        answers: "Gap: diagnostic waits".into(),
        ..Default::default()
    };
    let spec_id = app.create_specification(&commissioner, &spec).await.unwrap();
    let change = app::specifications::ServiceChangeInput { substantial: "true".into(), ..Default::default() };
    app.record_service_change(&commissioner, spec_id, &change).await.unwrap();
    input.specification = spec_id.to_string();
    // The criteria and price must come to 100; the deadline must be ahead.
    let error = app.create_tender(&commissioner, &input, now).await.unwrap_err();
    assert!(matches!(&error, AppError::Invalid(m) if m.contains("99 points together")), "{error:?}");
    input.criteria = input.criteria.replace("Social value | 4", "Social value | 5");
    let past = NewTender { deadline: "2026-01-01T12:00".into(), ..input.clone() };
    assert!(
        matches!(app.create_tender(&commissioner, &past, now).await, Err(AppError::Invalid(m)) if m.contains("future"))
    );
    assert!(matches!(app.create_tender(&analyst, &input, now).await, Err(AppError::Forbidden)));
    let id = app.create_tender(&commissioner, &input, now).await.unwrap();

    // A draft is the commissioner's; no bids until published.
    assert!(matches!(app.tender(&r9a, id, now).await, Err(AppError::NotFound)));
    assert!(app.submit_bid(&r9a, id, "1000000.00", "Response", now).await.is_err());
    app.tender_step(&commissioner, id, "publish", now).await.unwrap();
    assert!(
        matches!(app.tender_step(&commissioner, id, "start_moderation", now).await, Err(AppError::Invalid(m)) if m.contains("cannot take the step"))
    );

    // Two providers bid; R9A replaces its bid; bad bids are refused.
    let before = now + Duration::days(7);
    app.submit_bid(&r9a, id, "1300000.00", "First response", before).await.unwrap();
    app.submit_bid(&r9a, id, "1250000.00", "Our response to each criterion", before).await.unwrap();
    app.submit_bid(&r9b, id, "1000000.00", "R9B's response", before).await.unwrap();
    assert!(
        matches!(app.submit_bid(&r9b, id, "0", "x", before).await, Err(AppError::Invalid(m)) if m.starts_with("price"))
    );
    assert!(
        matches!(app.submit_bid(&r9b, id, "10.00", " ", before).await, Err(AppError::Invalid(m)) if m.starts_with("response"))
    );
    assert!(matches!(app.submit_bid(&commissioner, id, "10.00", "x", before).await, Err(AppError::Forbidden)));
    assert_eq!(
        app.tender(&commissioner, id, before).await.unwrap().bids_received,
        2,
        "the count is known, the content is not"
    );

    // Before the deadline: each provider reads its own bid only; nobody else reads any.
    let own = app.bids(&r9a, id, before).await.unwrap();
    assert_eq!(
        (own.len(), own[0].price.pence(), own[0].response.as_str()),
        (1, 125_000_000, "Our response to each criterion")
    );
    assert_eq!(app.bids(&r9b, id, before).await.unwrap()[0].bidder, "R9B");
    for reader in [&commissioner, &admin, &analyst, &evaluator] {
        assert!(matches!(app.bids(reader, id, before).await, Err(AppError::Sealed(_))), "{:?}", reader.roles);
    }
    assert!(matches!(app.bids_for_export(id, before).await, Err(AppError::Sealed(_))));
    // The deadline passes, but the tender has not closed: still sealed. It cannot close early.
    let after = at("2026-02-02 12:00");
    assert!(
        matches!(app.tender_step(&commissioner, id, "close", before).await, Err(AppError::Invalid(m)) if m.contains("before its deadline"))
    );
    assert!(matches!(app.bids(&admin, id, after).await, Err(AppError::Sealed(_))));
    assert!(app.submit_bid(&r9b, id, "900000.00", "Late", after).await.is_err(), "no bids after the deadline");
    assert_eq!(app.tender_step(&commissioner, id, "close", after).await.unwrap(), TenderStage::Closed);

    // Closed after the deadline: the commissioner's side reads every bid (an evaluator only
    // once conflicts are declared); providers still only their own.
    let all = app.bids(&commissioner, id, after).await.unwrap();
    assert_eq!(all.iter().map(|b| b.bidder.as_str()).collect::<Vec<_>>(), ["R9A", "R9B"]);
    assert_eq!(app.bids(&admin, id, after).await.unwrap().len(), 2);
    assert!(matches!(app.bids(&evaluator, id, after).await, Err(AppError::Forbidden)), "no declaration yet");
    assert_eq!(app.bids(&r9b, id, after).await.unwrap().len(), 1);
    assert_eq!(app.bids_for_export(id, after).await.unwrap().len(), 2);

    // Evaluators declare their interests first: a conflict must say how it is managed.
    let first = Principal { user_id: 41, name: "Eve Evaluator".into(), ..evaluator.clone() };
    let second = Principal {
        user_id: 42,
        name: "Dr Cleo Lead".into(),
        ..principal("Q99", OrgKind::Commissioner, Role::ClinicalLead)
    };
    let conflicted = Principal { user_id: 43, name: "Sam".into(), ..evaluator.clone() };
    app.declare_interests(&first, id, false, "", "", after).await.unwrap();
    app.declare_interests(
        &second,
        id,
        true,
        "Was a locum at R9B in 2023",
        "Scores reviewed by a second moderator",
        after,
    )
    .await
    .unwrap();
    app.declare_interests(&conflicted, id, true, "Spouse works for R9A", "", after).await.unwrap();
    assert!(
        matches!(app.declare_interests(&conflicted, id, true, " ", "", after).await, Err(AppError::Invalid(m)) if m.starts_with("details"))
    );
    assert_eq!(app.bids(&first, id, after).await.unwrap().len(), 2);
    assert!(
        matches!(app.bids(&conflicted, id, after).await, Err(AppError::Forbidden)),
        "an unmanaged conflict sees nothing"
    );

    // Independent scoring in evaluation: each evaluator sees only their own scores.
    let scores = |values: [i64; 5], note: &str| -> Vec<CriterionInput> {
        values
            .iter()
            .enumerate()
            .map(|(i, v)| CriterionInput { position: i as i64 + 1, score: v.to_string(), comment: note.into() })
            .collect()
    };
    assert!(
        matches!(app.score_bid(&first, id, "R9A", &scores([5; 5], "Strong"), after).await, Err(AppError::Invalid(m)) if m.contains("in evaluation"))
    );
    app.tender_step(&commissioner, id, "start_evaluation", after).await.unwrap();
    assert!(matches!(
        app.score_bid(&conflicted, id, "R9A", &scores([1; 5], "x"), after).await,
        Err(AppError::Forbidden)
    ));
    assert!(
        matches!(app.score_bid(&admin, id, "R9A", &scores([1; 5], "x"), after).await, Err(AppError::Forbidden)),
        "administrators do not score"
    );
    let mut incomplete = scores([4; 5], "Good");
    incomplete[2].comment = String::new();
    assert!(
        matches!(app.score_bid(&first, id, "R9A", &incomplete, after).await, Err(AppError::Invalid(m)) if m.starts_with("comment_3"))
    );
    incomplete[2].score = "6".into();
    assert!(
        matches!(app.score_bid(&first, id, "R9A", &incomplete, after).await, Err(AppError::Invalid(m)) if m.starts_with("score_3"))
    );
    for (who, a, b) in [(&first, [5, 4, 5, 4, 5], [3, 3, 2, 3, 3]), (&second, [4, 5, 5, 5, 4], [3, 2, 3, 3, 4])] {
        app.score_bid(who, id, "R9A", &scores(a, "Evidenced"), after).await.unwrap();
        app.score_bid(who, id, "R9B", &scores(b, "Meets it"), after).await.unwrap();
    }
    let seen = app.tender_evaluation(&first, id, after).await.unwrap();
    assert!(seen.bids.iter().all(|b| b.individual.iter().all(|s| s.user_id == 41) && b.individual.len() == 5));
    assert_eq!(seen.scored_by, ["Eve Evaluator", "Dr Cleo Lead"], "who has finished is known; what they scored is not");
    assert!(seen.results.is_none());
    assert_eq!(seen.declarations.len(), 3);

    // Moderation: the consensus per criterion with reasons; the individual scores are kept
    // and shown; the ranking follows the published weights and formula.
    assert!(matches!(
        app.moderate_bid(&commissioner, id, "R9A", &scores([5; 5], "Agreed"), after).await,
        Err(AppError::Invalid(_))
    ));
    app.tender_step(&commissioner, id, "start_moderation", after).await.unwrap();
    assert!(matches!(
        app.moderate_bid(&first, id, "R9A", &scores([5; 5], "Agreed"), after).await,
        Err(AppError::Forbidden)
    ));
    app.moderate_bid(&commissioner, id, "R9A", &scores([5; 5], "Agreed at moderation"), after).await.unwrap();
    let partial = app.tender_evaluation(&commissioner, id, after).await.unwrap();
    assert!(partial.results.is_none(), "R9B has no consensus yet");
    assert_eq!(partial.bids[0].individual.len(), 10, "both evaluators' scores are kept");
    app.moderate_bid(&commissioner, id, "R9B", &scores([3; 5], "Agreed at moderation"), after).await.unwrap();
    let report = app.tender_evaluation(&commissioner, id, after).await.unwrap();
    let results = report.results.unwrap();
    // R9A: quality 60, price 40 × 1,000,000 / 1,250,000 = 32, total 92; R9B: 36 + 40 = 76.
    assert_eq!((results[0].quality_points, results[0].price_points, results[0].total), (60.0, 32.0, 92.0));
    assert_eq!((results[1].quality_points, results[1].total), (36.0, 76.0));
    assert_eq!((results[0].rank, results[1].rank), (Some(1), Some(2)));

    // Award: the intention goes to the first-ranked bid and starts the standstill; the generic
    // step cannot skip it; a representation holds it open until the review decision and five
    // working days more; then the contract is created from the winning bid.
    assert!(
        matches!(app.tender_step(&commissioner, id, "issue_intention_to_award", after).await, Err(AppError::Invalid(m)) if m.contains("their own steps"))
    );
    assert_eq!(app.issue_intention(&commissioner, id, "2026-03-02", after).await.unwrap(), "R9A");
    let standstill = app.tender_award(&commissioner, id).await.unwrap().standstill.unwrap();
    assert_eq!(
        (standstill.ends.to_string(), standstill.award_from.map(|d| d.to_string())),
        ("2026-03-12".into(), Some("2026-03-13".into()))
    );
    let day = |text: &str| chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    let term = app::tenders::AwardInput { start: "2026-04-01".into(), end: "2029-03-31".into(), ..Default::default() };
    let error = app.award_tender(&commissioner, id, &term, day("2026-03-12"), after).await.unwrap_err();
    assert!(matches!(&error, AppError::Invalid(m) if m.contains("may be awarded from 2026-03-13")), "{error:?}");
    app.record_representation(&commissioner, id, "R9B", "2026-03-10", "The price scoring was misapplied", after)
        .await
        .unwrap();
    let error = app.award_tender(&commissioner, id, &term, day("2026-03-13"), after).await.unwrap_err();
    assert!(matches!(&error, AppError::Invalid(m) if m.contains("review decision")), "{error:?}");
    app.record_review_decision(&commissioner, id, "2026-03-16", after).await.unwrap();
    // Five working days after Monday 16 March: Monday 23 March; award from Tuesday 24.
    assert_eq!(
        app.tender_award(&commissioner, id).await.unwrap().standstill.unwrap().award_from,
        Some(day("2026-03-24"))
    );
    assert!(app.award_tender(&commissioner, id, &term, day("2026-03-23"), after).await.is_err());
    // The specification makes a substantial change whose consultation is not done: the award
    // waits, or goes ahead with a reason on the record.
    let error = app.award_tender(&commissioner, id, &term, day("2026-03-24"), after).await.unwrap_err();
    assert!(
        matches!(&error, AppError::Invalid(m) if m.starts_with("override_reason: ") && m.contains("consult the Health Overview and Scrutiny Committee")),
        "{error:?}"
    );
    let term =
        app::tenders::AwardInput { override_reason: "Winter pressures: the service must open in April".into(), ..term };
    let contract_id = app.award_tender(&commissioner, id, &term, day("2026-03-24"), after).await.unwrap();
    let filter = store::audit::AuditFilter { object_type: Some("tender".into()), limit: 1_000, ..Default::default() };
    let audit = db.store.audit_entries(&filter).await.unwrap();
    assert!(audit.iter().any(|e| e.entry.action == "consultation_gate_override"
        && e.entry.after.as_ref().unwrap()["reason"] == "Winter pressures: the service must open in April"));
    // The contract's KPIs are the specification's.
    let kpis = db.store.kpis(&contract_id).await.unwrap();
    assert_eq!(kpis.iter().map(|k| k.code.as_str()).collect::<Vec<_>>(), ["CDC1"]);
    assert_eq!((kpis[0].numerator.as_str(), kpis[0].denominator.as_str()), ("reported within 7 days", "tests done"));
    assert_eq!(contract_id, format!("Q99-R9A-T{id}"));
    let contract = db.store.contract(&contract_id).await.unwrap();
    // £1,250,000 over 36 months: £416,666.67 a year.
    assert_eq!((contract.provider.as_str(), contract.annual_value.pence()), ("R9A", 41_666_667));
    assert_eq!(app.tender(&commissioner, id, after).await.unwrap().stage, TenderStage::Awarded);
}

#[tokio::test]
async fn specifications_keep_every_version_and_compare_them() {
    let (app, _db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let analyst = principal("Q99", OrgKind::Commissioner, Role::Analyst);
    let provider = principal("R9A", OrgKind::Provider, Role::Provider);
    let today = chrono::NaiveDate::from_ymd_opt(2025, 6, 20).unwrap();
    // The demo's: two versions, a substantial change consulted on before the award.
    let specs = app.specifications(&commissioner).await.unwrap();
    let (id, _, latest) = specs.iter().find(|(_, title, _)| title == "Community diagnostic centre").unwrap().clone();
    assert_eq!(latest, 2);
    let view = app.specification(&analyst, id, today).await.unwrap();
    assert!(view.service_change.as_ref().unwrap().substantial && view.gate_outstanding.is_empty());
    let diff = app.specification_diff(&analyst, id, 1, 2).await.unwrap();
    assert_eq!(diff.len(), 1);
    assert_eq!(diff[0].0, "Outcomes");
    assert!(
        diff[0].1.contains(&commissioning::procure::spec::DiffLine::Added("Evening and weekend appointments".into()))
    );
    assert!(matches!(app.specifications(&provider).await, Err(AppError::Forbidden)));

    // Changes: only by contract staff, with a reason, on the latest version.
    let mut content = view.latest().content.clone();
    content.duration_months = "48".into();
    assert!(matches!(app.revise_specification(&analyst, id, 2, &content, "Longer").await, Err(AppError::Forbidden)));
    assert!(
        matches!(app.revise_specification(&commissioner, id, 2, &content, " ").await, Err(AppError::Invalid(m)) if m.starts_with("note:"))
    );
    assert!(
        matches!(app.revise_specification(&commissioner, id, 1, &content, "Longer").await, Err(AppError::Invalid(m)) if m.contains("Version 2 has been saved"))
    );
    assert_eq!(
        app.revise_specification(&commissioner, id, 2, &content, "Four years to repay the set-up").await.unwrap(),
        3
    );
    let bad = commissioning::procure::spec::SpecContent { kpis: "CDC1 | Tests".into(), ..content.clone() };
    assert!(
        matches!(app.create_specification(&commissioner, &bad).await, Err(AppError::Invalid(m)) if m.starts_with("kpis: Line 1"))
    );
    // A service change's dates must be dates, and in order.
    let change = app::specifications::ServiceChangeInput {
        substantial: "true".into(),
        consultation_opens: "2025-03-01".into(),
        consultation_closes: "2025-02-01".into(),
        hosc_consulted_on: "soon".into(),
        ..Default::default()
    };
    let error = app.record_service_change(&commissioner, id, &change).await.unwrap_err();
    assert!(
        matches!(&error, AppError::Invalid(m) if m.starts_with("hosc_consulted_on: ") && m.contains("consultation_closes: ")),
        "{error:?}"
    );
    // A tender must buy a specification that exists.
    let tender = NewTender {
        title: "x".into(),
        process: "competitive".into(),
        deadline: "2099-01-01T12:00".into(),
        price_weight: "40".into(),
        price_formula: "relative_to_lowest".into(),
        criteria: "Quality | 60".into(),
        specification: "999".into(),
        required_documents: String::new(),
        pass_fail: String::new(),
        lots: String::new(),
    };
    let error = app.create_tender(&commissioner, &tender, app::tenders::now_utc()).await.unwrap_err();
    assert!(matches!(&error, AppError::Invalid(m) if m == "specification: There is no specification 999"), "{error:?}");
}
