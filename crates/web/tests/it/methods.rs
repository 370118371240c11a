//! The methods API: the same JSON in and out as `commissioner methods`, for sessions and tokens.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

const ESP_EXAMPLE: &str = r#"{"x": [2, 1, 0, 3, 5, 6, 8, 12, 18, 27, 40, 61, 90, 130, 180, 240, 300, 340, 310],
 "n": [5200, 5600, 5700, 5900, 6400, 6600, 6900, 7100, 7000, 6800, 7300, 7200, 6500, 5900, 5600, 4300, 3100, 2000, 1100],
 "confidence": [0.95, 0.998]}"#;

#[tokio::test]
async fn an_analyst_runs_a_dsr_and_gets_the_reference_columns() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let csrf = analyst.get("/profile").await.csrf_token();
    let reply = analyst.post_api_as("/api/v1/methods/dsr", &csrf, "application/json", ESP_EXAMPLE).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let result = reply.json();
    // tests/methods/reference.R: the ESP 2013 example.
    assert!((result["value"].as_f64().unwrap() - 1_541.417_948_790_685_4).abs() < 1e-9);
    assert!((result["lower99_8cl"].as_f64().unwrap() - 1_430.352_361_111_669_8).abs() < 1e-9);
    assert_eq!(result["method"], "Dobson");

    let bad = analyst
        .post_api_as("/api/v1/methods/dsr", &csrf, "application/json", r#"{"x": [1], "n": [0], "stdpop": [1]}"#)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["error"], "denominators must all be greater than zero");
    let not_json = analyst.post_api_as("/api/v1/methods/rate", &csrf, "application/json", "x=1").await;
    assert_eq!(not_json.status, StatusCode::BAD_REQUEST);
    assert!(not_json.json()["error"].as_str().unwrap().contains("one JSON object"));
    let unknown = analyst.post_api_as("/api/v1/methods/median", &csrf, "application/json", "{}").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_provider_token_may_run_methods() {
    let web = TestWeb::demo().await;
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let csrf = provider.get("/tokens").await.csrf_token();
    let reply =
        provider.post_form("/tokens", &[("csrf_token", &csrf), ("name", "Analytics"), ("role", "provider")]).await;
    let marker = "Token created: ";
    let start = reply.body.find(marker).expect("the secret is shown once") + marker.len();
    let token = reply.body[start..].split('<').next().unwrap().trim().to_owned();
    let mut machine = web.client();
    let reply = machine
        .with_token("POST", "/api/v1/methods/proportion", &token, r#"{"x": 65, "n": 100, "multiplier": 100}"#)
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    assert_eq!(reply.json()["statistic"], "percentage");
    assert_eq!(reply.json()["method"], "Wilson");
}

#[tokio::test]
async fn the_waiting_list_formulas_answer_through_the_api() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let csrf = analyst.get("/profile").await.csrf_token();
    let body = r#"{"demand": [30, 42], "target_wait": [52, 65], "factor": [3, 2], "cv_demand": [1.1, 1.2], "cv_capacity": [1.2, 1.5]}"#;
    let reply = analyst.post_api_as("/api/v1/methods/target-capacity", &csrf, "application/json", body).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let values = reply.json()["target_capacity"].clone();
    // 30 + ((1.1² + 1.2²)/2)(3/52) and 42 + ((1.2² + 1.5²)/2)(2/65).
    assert!((values[0].as_f64().unwrap() - 30.076442).abs() < 1e-6, "{values}");
    assert!((values[1].as_f64().unwrap() - (42.0 + ((1.44 + 2.25) / 2.0) * (2.0 / 65.0))).abs() < 1e-9);
}
