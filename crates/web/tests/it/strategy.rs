//! Strategy pages through the router: the demo's plans with their objectives' progress and
//! the schedule's difference from the contracts, a board approval and an objective refused
//! by field in the error-summary pattern then saved, and the scrutiny committee reading
//! without the forms.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn the_commissioner_keeps_the_plans_and_scrutiny_reads_them() {
    let web = TestWeb::demo().await;
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let list = commissioner.get("/strategy/plans").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("Operating plan 2025/26") && list.body.contains("Draft"), "{}", list.body);
    let plan = commissioner.get("/strategy/plans/2").await;
    assert!(plan.body.contains("Patients seen within 4 hours in A&amp;E"));
    assert!(plan.body.contains("76.5 (Sep 2025)"), "{}", plan.body);
    assert!(plan.body.contains("On track") && plan.body.contains("Target met"));
    assert!(
        plan.body.contains("Differences from the contracts&#39; plans")
            || plan.body.contains("Differences from the contracts' plans")
    );
    let csrf = plan.csrf_token();
    let bad = commissioner
        .post_form(
            "/strategy/plans/2/objectives",
            &[
                ("csrf_token", &csrf),
                ("title", "Discharge"),
                ("measure", "kpi:Q99-R9A-2024:DS24"),
                ("baseline", "94"),
                ("target", "lots"),
                ("better", "higher"),
                ("starts", "2025-04-01"),
                ("due", "2026-03-31"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("There is a problem") && bad.body.contains("href=\"#target\""), "{}", bad.body);
    let good = commissioner
        .post_form(
            "/strategy/plans/2/objectives",
            &[
                ("csrf_token", &csrf),
                ("title", "Discharge summaries within 24 hours"),
                ("measure", "kpi:Q99-R9A-2024:DS24"),
                ("baseline", "94"),
                ("target", "95"),
                ("better", "higher"),
                ("starts", "2025-04-01"),
                ("due", "2026-03-31"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert!(commissioner.get("/strategy/plans/2").await.body.contains("Discharge summaries within 24 hours"));
    let draft = commissioner.get("/strategy/plans/3").await;
    let approve = commissioner
        .post_form(
            "/strategy/plans/3/approval",
            &[
                ("csrf_token", &draft.csrf_token()),
                ("version", "1"),
                ("board", "Integrated care board"),
                ("approved_on", "26 March"),
                ("minute", "ICB/26/012"),
            ],
        )
        .await;
    assert_eq!(approve.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(approve.body.contains("href=\"#approved_on\""));
    let approve = commissioner
        .post_form(
            "/strategy/plans/3/approval",
            &[
                ("csrf_token", &draft.csrf_token()),
                ("version", "1"),
                ("board", "Integrated care board"),
                ("approved_on", "2026-03-26"),
                ("minute", "ICB/26/012"),
            ],
        )
        .await;
    assert_eq!(approve.status, StatusCode::SEE_OTHER);
    assert!(
        commissioner
            .get("/strategy/plans/3")
            .await
            .body
            .contains("Integrated care board on 2026-03-26 (minute ICB/26/012)")
    );

    let mut scrutiny = web.signed_in("scrutiny@demo.commissioner.test").await;
    let read = scrutiny.get("/strategy/plans/2").await;
    assert_eq!(read.status, StatusCode::OK);
    assert!(!read.body.contains("Add an objective") && !read.body.contains("Record the board"));
}
