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

#[tokio::test]
async fn self_assessment_engagement_and_the_cycle_view_through_the_router() {
    let web = TestWeb::demo().await;
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;

    // The competencies with their gap, trend and form; a bad score is refused by field.
    let page = commissioner.get("/strategy/assessments").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Stimulate the market") && page.body.contains("Levels year on year"), "{}", page.body);
    assert!(page.body.contains("Assurance from our plans") && page.body.contains("Patients waiting over 52 weeks"));
    let csrf = page.csrf_token();
    let bad = commissioner
        .post_form(
            "/strategy/assessments",
            &[
                ("csrf_token", &csrf),
                ("framework", "competencies"),
                ("period", "2025/26"),
                ("item", "7"),
                ("level", "1"),
                ("evidence", "/plan/gaps"),
            ],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("There is a problem") && bad.body.contains("href=\"#action\""), "{}", bad.body);
    let good = commissioner
        .post_form(
            "/strategy/assessments",
            &[
                ("csrf_token", &csrf),
                ("framework", "competencies"),
                ("period", "2025/26"),
                ("item", "7"),
                ("level", "3"),
                ("evidence", "/plan/gaps"),
            ],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert_eq!(good.location(), "/strategy/assessments?framework=competencies&period=2025/26#score");
    // With the market competency at target, only the procurement gap feeds the development plan.
    let development = commissioner.get("/strategy/plans/3").await;
    assert!(development.body.contains("Gaps from our self-assessment"));
    assert!(development.body.contains("considerable-change") && !development.body.contains("Stimulate the market"));

    // A plan's next version: refused without saying what changed, then drafted.
    let plan = commissioner.get("/strategy/plans/3").await;
    let csrf = plan.csrf_token();
    let bad = commissioner
        .post_form("/strategy/plans/3/versions", &[("csrf_token", &csrf), ("summary", "Skills"), ("changes", " ")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("There is a problem") && bad.body.contains("href=\"#changes\""), "{}", bad.body);
    let good = commissioner
        .post_form(
            "/strategy/plans/3/versions",
            &[("csrf_token", &csrf), ("summary", "Skills"), ("changes", "Gaps from the 2025/26 self-assessment")],
        )
        .await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert!(commissioner.get("/strategy/plans/3").await.body.contains("Gaps from the 2025/26 self-assessment"));

    // The consultation's analysis, and the engagement record on the decision it is about.
    let consultations = commissioner.get("/api/v1/strategy/consultations").await.json();
    let open = consultations.as_array().unwrap().iter().find(|c| c["status"] == "open").unwrap().clone();
    let subject = open["subject"].as_str().unwrap().to_owned();
    let decision = subject.strip_prefix("decision:").unwrap();
    let record = commissioner.get(&format!("/procure/decisions/{decision}")).await;
    assert!(
        record.body.contains("Engagement record")
            && record.body.contains("Where community services should be provided")
    );
    let plan_record = commissioner.get("/strategy/plans/2").await;
    assert!(
        plan_record.body.contains("Engagement record") && plan_record.body.contains("Our operating plan priorities")
    );
    let closed = commissioner.get("/strategy/consultations/1").await;
    assert!(closed.body.contains("75% of 4 agree"), "{}", closed.body);
    assert!(closed.body.contains("You said") && closed.body.contains("Healthwatch Demoshire"));
    let csv = commissioner.get("/strategy/consultations/1/responses.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    let mut lines = csv.body.lines();
    assert!(lines.next().unwrap().starts_with("received,respondent_kind,q1: Shorter waits"), "{}", csv.body);
    assert_eq!(lines.count(), 4);
    assert!(csv.body.contains(",healthwatch,Agree,") && !csv.body.contains("Healthwatch Demoshire"), "{}", csv.body);

    // The public page: anyone reads it; signed out, the form is replaced by a link to sign in;
    // a member of the public responds, and a bad answer is refused by field.
    let open_id = open["id"].as_i64().unwrap();
    let mut visitor = web.client();
    let public_page = visitor.get(&format!("/public/consultations/{open_id}")).await;
    assert_eq!(public_page.status, StatusCode::OK);
    assert!(public_page.body.contains("Sign in to respond") && !public_page.body.contains("Healthwatch Demoshire"));
    let closed_public = visitor.get("/public/consultations/1").await;
    assert!(closed_public.body.contains("What people told us") && closed_public.body.contains("We did"));
    assert!(!closed_public.body.contains("Healthwatch Demoshire") && !closed_public.body.contains("@demo"));
    let mut public = web.signed_in("public@demo.commissioner.test").await;
    let form = public.get(&format!("/public/consultations/{open_id}")).await;
    assert!(form.body.contains("Send my response"));
    let csrf = form.csrf_token();
    let path = format!("/public/consultations/{open_id}/responses");
    let bad = public.post_form(&path, &[("csrf_token", &csrf), ("answer_1", "9"), ("answer_2", "")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("There is a problem") && bad.body.contains("href=\"#answer_1\""), "{}", bad.body);
    let before =
        commissioner.get(&format!("/api/v1/strategy/consultations/{open_id}")).await.json()["analysis"]["responses"]
            .as_i64()
            .unwrap();
    let sent = public.post_form(&path, &[("csrf_token", &csrf), ("answer_1", "2"), ("answer_2", "Town centre")]).await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER);
    let after =
        commissioner.get(&format!("/api/v1/strategy/consultations/{open_id}")).await.json()["analysis"]["responses"]
            .as_i64()
            .unwrap();
    assert_eq!(after, before, "the demo's public response is replaced, not counted twice");

    // The programme's cycle view, and the PSR summary on the open API.
    let cycle = commissioner.get("/strategy/programmes/1").await;
    assert!(cycle.body.contains("(current stage)") && cycle.body.contains("Audit trail"), "{}", cycle.body);
    assert!(cycle.body.contains("/procure/contracts/Q99-R9A-2024/performance"));
    let summary = visitor.get("/api/v1/psr-summary?year=2025/26").await;
    assert_eq!(summary.status, StatusCode::OK);
    assert_eq!(summary.json()["total"], 3);
    assert_eq!(visitor.get("/api/v1/psr-summary?year=twenty").await.status, StatusCode::BAD_REQUEST);
    assert_eq!(commissioner.get("/api/v1/strategy/assessments/nonsense").await.status, StatusCode::NOT_FOUND);
}
