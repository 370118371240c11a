//! Provider selection decisions through the router: the rules' answer shown on the form, a
//! disallowed choice refused in the error summary, the record kept, and who may do what.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn a_route_decision_shows_what_is_allowed_and_keeps_the_record() {
    let web = TestWeb::demo().await;
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let form = commissioner.get("/procure/decisions/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf_token();
    let answers = [
        ("csrf_token", csrf.as_str()),
        ("title", "Community MSK service"),
        ("cpv", "85121200"),
        ("existing_provider", "true"),
        ("only_existing_provider_capable", "false"),
        ("unrestricted_patient_choice", "false"),
        ("incumbent_satisfying", "true"),
        ("materially_different", "false"),
        ("authority_driven", "true"),
        ("current_lifetime_value", "2000000.00"),
        ("new_lifetime_value", "2600000.00"),
    ];
    // £2m → £2.6m by the commissioner's decision is a considerable change: no direct award C.
    let preview = commissioner.post_form("/procure/decisions", &answers).await;
    assert_eq!(preview.status, StatusCode::OK);
    assert!(
        preview.body.contains("Processes the rules allow")
            && preview.body.contains("considerable change threshold is met")
    );
    assert!(!preview.body.contains(">Direct award process C<"), "{}", preview.body);
    let mut refused = answers.to_vec();
    refused.extend([("chosen", "direct_award_c"), ("rationale", "Incumbent is good")]);
    let refused = commissioner.post_form("/procure/decisions", &refused).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("href=\"#chosen\"") && refused.body.contains("is not allowed here"));
    let bad = commissioner
        .post_form("/procure/decisions", &[("csrf_token", &csrf), ("cpv", "8512"), ("new_lifetime_value", "lots")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#cpv\"") && bad.body.contains("href=\"#new_lifetime_value\""));
    let mut chosen = answers.to_vec();
    chosen.extend([("chosen", "competitive"), ("rationale", "A changed service: test the market")]);
    let recorded = commissioner.post_form("/procure/decisions", &chosen).await;
    assert_eq!(recorded.status, StatusCode::SEE_OTHER, "{}", recorded.body);
    let record = commissioner.get(recorded.location()).await;
    assert!(record.body.contains("Competitive process") && record.body.contains("A changed service: test the market"));
    let listed = commissioner.get("/api/v1/procure/decisions").await.json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["input"]["title"] == "Community MSK service" && d["chosen"] == "competitive")
    );

    // The API previews without recording.
    let previewed = commissioner
        .post_api_as(
            "/api/v1/procure/route",
            &csrf,
            "application/json",
            r#"{"existing_provider": true, "only_existing_provider_capable": true}"#,
        )
        .await;
    assert_eq!(previewed.status, StatusCode::OK, "{}", previewed.body);
    assert_eq!(previewed.json()["decision"]["allowed"], serde_json::json!(["direct_award_a"]));
    assert_eq!(previewed.json()["decision"]["mandatory"], true);

    // An analyst reads decisions but does not make them; a provider sees none of it.
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    assert_eq!(analyst.get("/procure/decisions").await.status, StatusCode::OK);
    let csrf = analyst.get("/procure/decisions").await.csrf_token();
    assert_eq!(
        analyst.post_form("/procure/decisions", &[("csrf_token", &csrf), ("title", "x")]).await.status,
        StatusCode::FORBIDDEN
    );
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    assert_eq!(provider.get("/procure/decisions").await.status, StatusCode::FORBIDDEN);
}
