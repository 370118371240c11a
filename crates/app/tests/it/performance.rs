//! Performance returns: the real A&E and RTT files import, re-import without double
//! counting, and malformed rows name file, line and field and write nothing.

use app::import::{ImportKind, ImportOptions};
use app::{Actor, AppError};
use commissioning::access::Role;
use commissioning::methods::spc::PointType;
use commissioning::org::OrgKind;
use test_support::shared_data;

use crate::{app, principal};

#[tokio::test]
async fn real_ae_and_rtt_returns_chart_and_bad_rows_are_refused() {
    let (app, db, dir) = app().await;
    let system = Actor::System("test".into());
    let ae = shared_data("nhsrdatasets/ae_attendances.csv");
    for _ in 0..2 {
        let report = app.import(&system, ImportKind::AeAttendances, &ae, &ImportOptions::default()).await.unwrap();
        assert_eq!(report.n_rows, 12_765);
    }
    let rows = db.store.performance("ae_4hr_all", Some("RL4")).await.unwrap();
    assert_eq!(rows.len(), 36, "36 months, once each after two imports");
    // March 2017 at RL4: type 1 11,505 attendances with 1,651 breaches; other 8,651 with 104.
    let march = rows.iter().find(|r| r.period == "2017-03-01").unwrap();
    assert_eq!((march.numerator, march.denominator), (11_505 - 1_651 + 8_651 - 104, 11_505 + 8_651));
    let type1 = db.store.performance("ae_4hr_type1", Some("RL4")).await.unwrap();
    assert_eq!(type1.iter().find(|r| r.period == "2017-03-01").unwrap().denominator, 11_505);

    let analyst = principal("Q99", OrgKind::Commissioner, Role::Analyst);
    let chart = app.performance_chart(&analyst, "ae_4hr_all", "RL4").await.unwrap();
    assert_eq!(chart.spc.x.len(), 36);
    assert_eq!(chart.spc_target(), Some(95.0), "no planning target was in force by March 2019");
    let overview = app.performance_overview(&analyst, "ae_4hr_all").await.unwrap();
    assert!(overview.charts.len() > 200, "{} organisations", overview.charts.len());
    let in_matrix: usize = overview.matrix.iter().map(|cell| cell.members.len()).sum();
    assert_eq!(in_matrix, overview.charts.len());
    assert!(overview.charts.iter().any(|c| c.spc.variation_type != PointType::CommonCause));

    let rtt = shared_data("nhse-rtt-completed-pathways-2025/rtt_completed_pathways_provider_2025-09_to_2025-11.csv");
    app.import(&system, ImportKind::RttCompleted, &rtt, &ImportOptions::default()).await.unwrap();
    let barts = app.performance_chart(&analyst, "rtt_completed_18wk", "R1H").await.unwrap();
    assert_eq!((barts.org_name.as_str(), barts.counts.len()), ("Barts Health NHS Trust", 3));
    assert!(!barts.spc.warnings.is_empty(), "three months give trial limits");

    // A provider sees its own organisation only.
    let provider = principal("R9A", OrgKind::Provider, Role::Provider);
    assert!(matches!(app.performance_chart(&provider, "ae_4hr_all", "RL4").await, Err(AppError::NotFound)));
    assert!(app.performance_overview(&provider, "ae_4hr_all").await.unwrap().charts.is_empty());

    let bad = dir.path().join("ae.csv");
    for (body, expected) in [
        ("2017-03-01,RL4,1,100,120\n", "ae.csv:2: field 'breaches': 120 breaches is more than 100 attendances"),
        ("2017-03-01,RL4,3,100,10\n", "ae.csv:2: field 'type': '3' is not an A&E type"),
        ("2017-03-15,RL4,1,100,10\n", "ae.csv:2: field 'period': '2017-03-15' is not a month's first day"),
        ("2017-03-01,RL4,1,100,10\n2017-03-01,RL4,1,90,10\n", "ae.csv:3: field 'type'"),
    ] {
        std::fs::write(&bad, format!("period,org_code,type,attendances,breaches\n{body}")).unwrap();
        let error = match app.import(&system, ImportKind::AeAttendances, &bad, &ImportOptions::default()).await {
            Err(AppError::Import(error)) => error.to_string(),
            other => panic!("expected an import error, got {other:?}"),
        };
        assert!(error.contains(expected), "{error}\nexpected {expected}");
    }
    assert_eq!(db.store.performance("ae_4hr_all", Some("RL4")).await.unwrap(), rows, "nothing written");
}
