//! A contract's performance on the demo: KPI ratings with SPC and the matrix, providers'
//! KPI returns (file and API) with located errors that write nothing, quality returns with
//! Wilson intervals, and an evaluation whose findings reach the next plan and the board.

use chrono::NaiveDate;

use app::Actor;
use app::AppError;
use app::contract_performance::KpiReturnInput;
use app::demo::DemoOptions;
use app::evaluation::EvaluationInput;
use app::import::{ImportKind, ImportOptions};
use app::progress::Silent;
use commissioning::access::Role;
use commissioning::monitor::quality::{QualityKind, Rag, Recommendation};
use commissioning::org::OrgKind;

use crate::{app, principal};

const R9A: &str = "Q99-R9A-2024";

fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The Wilson limits of METHODS.md, written out again here as the check.
fn wilson(x: f64, n: f64) -> (f64, f64) {
    let z: f64 = 1.959_963_984_540_054;
    let root = z * (z * z + 4.0 * x * (1.0 - x / n)).sqrt();
    let d = 2.0 * (n + z * z);
    (100.0 * (2.0 * x + z * z - root) / d, 100.0 * (2.0 * x + z * z + root) / d)
}

#[tokio::test]
async fn kpis_returns_quality_and_evaluation_on_the_demo() {
    let (app, db, dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 5_000, reference_data: None }, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let finance = principal("Q99", OrgKind::Commissioner, Role::Finance);
    let provider = principal("R9A", OrgKind::Provider, Role::Provider);
    let rival = principal("R9B", OrgKind::Provider, Role::Provider);

    // KPIs: eighteen months each, rated on the latest month, charted, in one matrix.
    let view = app.contract_performance(&commissioner, R9A).await.unwrap();
    assert_eq!(view.kpis.len(), 4);
    assert!(!view.can_return, "the commissioner does not send the provider's returns");
    let kpi = |code: &str| view.kpis.iter().find(|k| k.kpi.code == code).unwrap();
    assert!(view.kpis.iter().all(|k| k.results.len() == 18 && k.spc.is_some()));
    assert_eq!(kpi("AE4").rag, Some(Rag::Red), "76.5% against 78%");
    assert_eq!(kpi("RTT18").rag, Some(Rag::Red));
    assert_ne!(kpi("DS24").rag, Some(Rag::Red), "96.0% meets 95%");
    let ds24 = kpi("DS24");
    assert_eq!(ds24.kpi.level.code(), "local");
    assert_eq!(ds24.kpi.effective_from, Some(date("2024-04-01")));
    let june = ds24.results.iter().find(|r| r.month == "2025-06").unwrap();
    assert_eq!((june.numerator, june.denominator, june.value.to_string()), (Some(2279), Some(2448), "93.1".into()));
    assert_eq!(ds24.breached.iter().filter(|b| **b).count(), 2, "June and July 2025");
    let in_matrix: usize = view.matrix.iter().map(|cell| cell.members.len()).sum();
    assert_eq!(in_matrix, 4);

    // Quality: the Friends and Family Test by month with Wilson intervals, and overall.
    let fft = view.quality.iter().find(|s| s.kind == QualityKind::FriendsAndFamily).unwrap();
    assert_eq!(fft.months.len(), 18);
    for month in &fft.months {
        let (x, n) = (month.numerator.unwrap() as f64, month.denominator.unwrap() as f64);
        let p = month.percentage.unwrap();
        let (lower, upper) = wilson(x, n);
        assert!(
            (p.value - 100.0 * x / n).abs() < 1e-9 && (p.lower - lower).abs() < 1e-9 && (p.upper - upper).abs() < 1e-9
        );
    }
    let (x, n): (i64, i64) =
        fft.months.iter().fold((0, 0), |(x, n), m| (x + m.numerator.unwrap(), n + m.denominator.unwrap()));
    assert_eq!(fft.total, n);
    assert!((fft.overall.unwrap().lower - wilson(x as f64, n as f64).0).abs() < 1e-9);
    assert!(view.quality.iter().any(|s| s.kind == QualityKind::Proms && s.months.len() == 6));
    assert!(view.quality.iter().any(|s| s.kind == QualityKind::Complaints && s.total > 0));

    // The provider's return from a file: counts become a percentage to one decimal place; a
    // second return for the month replaces the first.
    let today = date("2025-11-15");
    let file = dir.path().join("kpi-return.csv");
    for (numerator, expected) in [(2390, "95.7"), (2402, "96.2")] {
        std::fs::write(
            &file,
            format!("code,month,numerator,denominator,value\nDS24,2025-10,{numerator},2497,\nAE4,2025-10,,,77.2\n"),
        )
        .unwrap();
        let report = app.submit_kpi_return_file(&provider, R9A, "kpi-return.csv", &file, today).await.unwrap();
        assert_eq!((report.results, report.months.clone()), (2, vec!["2025-10".to_owned()]));
        let results = db.store.kpi_results(R9A).await.unwrap();
        let october = results.iter().find(|r| r.code == "DS24" && r.month == "2025-10").unwrap();
        assert_eq!(october.value.to_string(), expected);
        assert_eq!(october.submitted_by, "user:1");
    }
    let held = db.store.kpi_results(R9A).await.unwrap().len();
    assert_eq!(held, 4 * 18 + 2, "the second return replaced the first");

    // Bad returns name the uploaded file, line and field, and write nothing.
    for (body, expected) in [
        ("NOPE,2025-10,,,1\n", "kpi-return.csv:3: field 'code': Q99-R9A-2024 has no KPI 'NOPE'"),
        ("DS24,2025-10,2500,2497,\n", "kpi-return.csv:3: field 'numerator': 2500 is more than the denominator 2497"),
        ("DS24,2025-12,1,2,\n", "kpi-return.csv:3: field 'month': 2025-12 has not ended yet"),
        (
            "DS24,2024-03,1,2,\n",
            "kpi-return.csv:3: field 'month': DS24 applies from 2024-04-01 to the end; 2024-03 is outside that",
        ),
        ("DS24,2025-10,,,\n", "kpi-return.csv:3: field 'value'"),
        (
            "DS24,2025-10,90,100,80\n",
            "kpi-return.csv:3: field 'value': 80 does not agree with the counts, which give 90.0",
        ),
        ("AE4,2025-10,,,77\nAE4,2025-10,,,78\n", "kpi-return.csv:4: field 'month'"),
        ("DS24,2025-10,1,x,\n", "kpi-return.csv:3: field 'denominator'"),
    ] {
        // The first line is good: a bad line later must still leave nothing written.
        let path = dir.path().join("upload-7f3a.csv");
        std::fs::write(&path, format!("code,month,numerator,denominator,value\nRTT18,2025-10,,,62.0\n{body}")).unwrap();
        let error = match app.submit_kpi_return_file(&provider, R9A, "kpi-return.csv", &path, today).await {
            Err(AppError::Import(error)) => error.to_string(),
            other => panic!("{body}: {other:?}"),
        };
        assert!(error.starts_with(expected), "{body}: {error}");
        assert_eq!(db.store.kpi_results(R9A).await.unwrap().len(), held, "{body}: nothing written");
    }

    // The API's lines, with errors named by position.
    let line = |code: &str, month: &str, value: Option<&str>, numerator: Option<i64>, denominator: Option<i64>| {
        KpiReturnInput { code: code.into(), month: month.into(), value: value.map(Into::into), numerator, denominator }
    };
    let report = app
        .submit_kpi_return(
            &provider,
            R9A,
            &[line("RTT18", "2025-10", Some("61.9"), None, None), line("RTT52", "2025-10", None, Some(8), Some(1000))],
            today,
        )
        .await
        .unwrap();
    assert_eq!(report.results, 2);
    let error = app
        .submit_kpi_return(
            &provider,
            R9A,
            &[line("RTT18", "2025-10", Some("62"), None, None), line("RTT52", "2025-10", None, Some(-1), Some(10))],
            today,
        )
        .await
        .unwrap_err();
    assert!(matches!(&error, AppError::Invalid(m) if m.starts_with("results[1].numerator")), "{error:?}");
    let error =
        app.submit_kpi_return(&provider, R9A, &[line("RTT18", "October", None, None, None)], today).await.unwrap_err();
    assert!(matches!(&error, AppError::Invalid(m) if m.starts_with("results[0].month")), "{error:?}");
    let rtt18 = db
        .store
        .kpi_results(R9A)
        .await
        .unwrap()
        .into_iter()
        .find(|r| r.code == "RTT18" && r.month == "2025-10")
        .unwrap();
    assert_eq!(rtt18.value.to_string(), "61.9", "a refused return changes nothing");

    // Only the provider (or an administrator) sends its returns; another provider learns
    // nothing.
    let lines = [line("RTT18", "2025-10", Some("61"), None, None)];
    assert!(matches!(app.submit_kpi_return(&commissioner, R9A, &lines, today).await, Err(AppError::Forbidden)));
    assert!(matches!(app.submit_kpi_return(&rival, R9A, &lines, today).await, Err(AppError::NotFound)));
    assert!(matches!(app.contract_performance(&rival, R9A).await, Err(AppError::NotFound)));
    assert!(app.contract_performance(&provider, R9A).await.unwrap().can_return);

    // Quality returns: a bad row names the file, line and field and writes nothing.
    let bad = dir.path().join("quality.csv");
    let before = db.store.quality_returns(R9A).await.unwrap();
    for (row, expected) in [
        ("fft,Inpatients,2025-10,101,100,", "quality.csv:3: field 'numerator': 101 is more than the denominator 100"),
        (
            "survey,Inpatients,2025-10,1,2,",
            "quality.csv:3: field 'kind': 'survey' is not fft, complaints, audit or proms",
        ),
        (
            "proms,Knee,2025-10,,40,",
            "quality.csv:3: field 'score': a proms return needs the average health gain (score)",
        ),
        (
            "complaints,Received,2025-10,3,9,",
            "quality.csv:3: field 'denominator': a complaints return has only a count (numerator)",
        ),
    ] {
        std::fs::write(&bad, format!("contract_id,kind,measure,month,numerator,denominator,score\n{R9A},fft,Outpatients,2025-10,90,100,\n{R9A},{row}\n")).unwrap();
        let error =
            match app.import(&Actor::System("test".into()), ImportKind::Quality, &bad, &ImportOptions::default()).await
            {
                Err(AppError::Import(error)) => error.to_string(),
                other => panic!("{row}: {other:?}"),
            };
        assert!(error.ends_with(expected), "{row}: {error}");
        assert_eq!(db.store.quality_returns(R9A).await.unwrap(), before, "{row}: nothing written");
    }

    // An evaluation: the form's errors, then a record whose findings feed the next plan.
    let errors = EvaluationInput::default().errors();
    assert_eq!(
        errors.iter().map(|(field, _)| field.as_str()).collect::<Vec<_>>(),
        ["review_date", "recommendation", "rationale", "findings"]
    );
    let input = EvaluationInput {
        review_date: "2025-09-30".into(),
        recommendation: "redesign".into(),
        rationale: "Four-hour performance has been below the planning target all year.".into(),
        findings:
            "Same-day emergency care is short of capacity in winter\n\nDischarge summaries slip when wards are full\n"
                .into(),
    };
    assert!(matches!(app.record_evaluation(&provider, R9A, &input).await, Err(AppError::Forbidden)));
    let analyst = principal("Q99", OrgKind::Commissioner, Role::Analyst);
    assert!(matches!(app.record_evaluation(&analyst, R9A, &input).await, Err(AppError::Forbidden)));
    let id = app.record_evaluation(&finance, R9A, &input).await.unwrap();
    let evaluation = app.evaluation(&commissioner, R9A, id).await.unwrap();
    assert_eq!(evaluation.recommendation, Recommendation::Redesign);
    assert_eq!(evaluation.findings.len(), 2, "blank lines are dropped");
    let report = &evaluation.report;
    assert_eq!((report.year.as_str(), report.next_year.as_str()), ("2025/26", "2026/27"));
    assert_eq!(report.kpis.len(), 4);
    assert_eq!(report.statement_months, 6, "April to September 2025");
    assert!(report.statements_pence > 0 && report.invoiced_pence > 0);
    assert!(report.activity.iter().any(|a| a.actual.is_some() && a.planned > 0));
    assert!(report.feedback.iter().any(|f| f.kind == QualityKind::FriendsAndFamily && f.percentage.is_some()));
    assert!(matches!(app.evaluations(&provider, R9A).await, Err(AppError::Forbidden)), "the commissioner's own record");
    assert!(matches!(app.evaluation(&commissioner, "Q99-R9B-2024", id).await, Err(AppError::NotFound)));
    let findings = app.plan_findings(&analyst).await.unwrap();
    assert_eq!(findings.len(), 2);
    assert!(findings.iter().all(|f| f.next_year == "2026/27" && f.contract_id == R9A && f.evaluation_id == id));

    // The board report: every contract, R9A's red KPIs named, its evaluation listed.
    let board = app.board_report(&commissioner, today).await.unwrap();
    assert_eq!(board.contracts.len(), 9);
    let line = board.contracts.iter().find(|c| c.contract_id == R9A).unwrap();
    assert_eq!(line.red, line.red_kpis.len());
    assert!(line.red_kpis.iter().any(|k| k.starts_with("AE4: ")), "{:?}", line.red_kpis);
    assert_eq!(line.evaluations.len(), 1);
    assert!(
        board.contracts.iter().filter(|c| !c.contract_id.ends_with("-T1")).all(|c| !c.fft.is_empty()),
        "every demo contract returns the FFT, but the one just awarded by tender"
    );
    assert!(matches!(app.board_report(&provider, today).await, Err(AppError::Forbidden)));
}
