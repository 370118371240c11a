//! The JSON API: authentication, data, organisation scoping and the OpenAPI document.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn the_api_needs_a_session_and_answers_in_json() {
    let web = TestWeb::demo().await;
    let mut anonymous = web.client();
    let reply = anonymous.get("/api/v1/dashboard").await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "sign in required");
    assert_eq!(anonymous.get("/api/v1/nothing").await.status, StatusCode::NOT_FOUND);

    let mut client = web.signed_in("finance@demo.commissioner.test").await;
    let dashboard = client.get("/api/v1/dashboard").await.json();
    assert_eq!(dashboard["commissioner"]["code"], "Q99");
    assert_eq!(dashboard["population"].as_array().unwrap().len(), 19);
    assert_eq!(dashboard["practices"].as_array().unwrap().len(), 40);
    assert!(dashboard["residents"].as_i64().unwrap() > 1_000_000);

    let providers = client.get("/api/v1/organisations?kind=provider").await.json();
    assert_eq!(providers.as_array().unwrap().len(), 8);
    let bad = client.get("/api/v1/organisations?kind=hospital").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.json()["error"].as_str().unwrap().contains("hospital"));

    let area = client.get("/api/v1/areas/E54900001").await.json();
    assert_eq!(area["children"].as_array().unwrap().len(), 4);
    assert_eq!(area["deprivation"].as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn a_provider_sees_only_its_own_activity() {
    let web = TestWeb::demo().await;
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    assert_eq!(provider.get("/api/v1/dashboard").await.status, StatusCode::FORBIDDEN);
    let summary = provider.get("/api/v1/activity/summary").await.json();
    let rows = summary.as_array().unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["provider_code"] == "R9A"));
    let own = provider.get("/api/v1/organisations/R9A").await.json();
    assert!(own["activity"].is_array());
    let other = provider.get("/api/v1/organisations/R9B").await.json();
    assert!(other["activity"].is_null(), "another provider's activity must stay hidden");
    let page = provider.get("/organisations/R9B").await;
    assert!(!page.body.contains("Activity by point of delivery"));
}

#[tokio::test]
async fn the_openapi_document_lists_every_api_route() {
    let web = TestWeb::demo().await;
    let document = web.client().get("/api/v1/openapi.json").await.json();
    assert_eq!(document["openapi"].as_str().map(|v| v.starts_with("3.")), Some(true));
    let paths = document["paths"].as_object().unwrap();
    for (method, path, _) in web::route_table() {
        if path.starts_with("/api/v1/") && path != "/api/v1/openapi.json" {
            let operation = &paths.get(path).unwrap_or_else(|| panic!("{path} is not in the OpenAPI document"))
                [method.to_lowercase()];
            assert!(operation.is_object(), "{method} {path}");
        }
    }
}

#[tokio::test]
async fn health_reports_the_store() {
    let web = TestWeb::demo().await;
    let reply = web.client().get("/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.json()["status"], "ok");
    let _ = &web.app;
}
