//! Accounts and organisation scoping: API tokens, other providers' objects, sessions across
//! a restart, forced password changes, administration and sign-in rate limits.

use axum::http::StatusCode;

use app::{App, AppSettings};
use web::WebSettings;

use crate::helpers::TestWeb;

/// A month of activity for a provider, as a provider's system would send it.
fn activity(provider: &str, month: &str, rows: usize) -> String {
    let mut csv = String::from(
        "record_id,provider_code,commissioner_code,patient_id,lsoa_code,age,sex,pod,tfc,hrg,activity_date,los\n",
    );
    for idx in 0..rows {
        csv.push_str(&format!(
            "{idx},{provider},Q99,P{idx:06},E01900001,{},1,DC,130,BZ34C,{month}-1{},0\n",
            40 + idx % 40,
            idx % 9
        ));
    }
    csv
}

async fn provider_token(web: &TestWeb) -> String {
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let page = provider.get("/tokens").await;
    let csrf = page.csrf_token();
    let reply =
        provider.post_form("/tokens", &[("csrf_token", &csrf), ("name", "PAS export"), ("role", "provider")]).await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let marker = "Token created: ";
    let start = reply.body.find(marker).expect("the secret is shown once") + marker.len();
    reply.body[start..].split('<').next().unwrap().trim().to_owned()
}

#[tokio::test]
async fn an_api_token_submits_for_its_provider_and_nothing_else() {
    let web = TestWeb::demo().await;
    let token = provider_token(&web).await;
    let mut machine = web.client();

    let first = machine
        .with_token("POST", "/api/v1/providers/R9A/submissions?month=2025-04", &token, &activity("R9A", "2025-04", 20))
        .await;
    assert_eq!(first.status, StatusCode::CREATED, "{}", first.body);
    assert_eq!(first.json()["rows"], 20);
    assert_eq!(first.json()["valid_rows"], 20);
    // 20 day cases at £905.00 × R9A's MFF 1.0523 = £952.33 each.
    assert_eq!(first.json()["value_pence"], 20 * 95_233);
    // The demo had already loaded R9A's April: this replaces it.
    assert_eq!(first.json()["replaced"], true);

    // The same file again changes nothing; a corrected file replaces the month.
    let again = machine
        .with_token("POST", "/api/v1/providers/R9A/submissions?month=2025-04", &token, &activity("R9A", "2025-04", 20))
        .await;
    assert_eq!((again.status, again.json()["unchanged"].as_bool()), (StatusCode::OK, Some(true)));
    let corrected = machine
        .with_token("POST", "/api/v1/providers/R9A/submissions?month=2025-04", &token, &activity("R9A", "2025-04", 25))
        .await;
    assert_eq!((corrected.status, corrected.json()["replaced"].as_bool()), (StatusCode::CREATED, Some(true)));
    let listed = machine.with_token("GET", "/api/v1/providers/R9A/submissions", &token, "").await.json();
    let april: Vec<&serde_json::Value> =
        listed.as_array().unwrap().iter().filter(|s| s["month"] == "2025-04").collect();
    assert_eq!(april.len(), 3, "the demo's, the first and the corrected");
    assert!(april[0]["superseded_at"].is_null() && april[1]["superseded_at"].is_number());

    // The month's activity is counted once, from the corrected file.
    let mut commissioner = web.signed_in("finance@demo.commissioner.test").await;
    let summary = commissioner.get("/api/v1/activity/summary").await.json();
    let april_dc: i64 = summary
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["provider_code"] == "R9A" && r["month"] == "2025-04" && r["pod"] == "DC")
        .map(|r| r["activity"].as_i64().unwrap())
        .sum();
    assert_eq!(april_dc, 25);

    // Nothing else: not another provider, not reference data, not pages.
    let other = machine
        .with_token("POST", "/api/v1/providers/R9B/submissions?month=2025-04", &token, &activity("R9B", "2025-04", 2))
        .await;
    assert_eq!(other.status, StatusCode::NOT_FOUND);
    assert_eq!(
        machine.with_token("GET", "/api/v1/providers/R9B/submissions", &token, "").await.status,
        StatusCode::NOT_FOUND
    );
    for path in ["/api/v1/dashboard", "/api/v1/organisations", "/api/v1/me", "/api/v1/users", "/monitor", "/dashboard"]
    {
        assert_eq!(machine.with_token("GET", path, &token, "").await.status, StatusCode::FORBIDDEN, "{path}");
    }

    // A file whose rows belong to another provider is refused with its line.
    let wrong = machine
        .with_token("POST", "/api/v1/providers/R9A/submissions?month=2025-05", &token, &activity("R9B", "2025-05", 3))
        .await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.json()["error"].as_str().unwrap().contains(":2: field 'provider_code'"), "{}", wrong.body);

    // Revoked, it no longer works.
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let page = provider.get("/tokens").await;
    let id = page.body.split("/tokens/").nth(1).and_then(|rest| rest.split('/').next()).unwrap().to_owned();
    let csrf = page.csrf_token();
    let revoked = provider.post_form(&format!("/tokens/{id}/revoke"), &[("csrf_token", &csrf)]).await;
    assert_eq!(revoked.status, StatusCode::SEE_OTHER);
    let after = machine.with_token("GET", "/api/v1/providers/R9A/submissions", &token, "").await;
    assert_eq!(after.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_provider_gets_not_found_for_another_providers_objects() {
    let web = TestWeb::demo().await;
    let mut other = web.signed_in("provider.b@demo.commissioner.test").await;
    for path in ["/monitor/providers/R9A", "/api/v1/providers/R9A/submissions"] {
        let reply = other.get(path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert!(!reply.body.contains("R9A"), "{path} must not echo the other provider's data");
    }
    let csrf = other.get("/profile").await.csrf_token();
    assert_eq!(other.post_form("/tokens/1/revoke", &[("csrf_token", &csrf)]).await.status, StatusCode::NOT_FOUND);
    // Its own are fine.
    assert_eq!(other.get("/monitor/providers/R9B").await.status, StatusCode::OK);
}

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let web = TestWeb::demo().await;
    let mut client = web.signed_in("analyst@demo.commissioner.test").await;
    assert_eq!(client.get("/dashboard").await.status, StatusCode::OK);
    // A new server process: a new App and router over the same data directory.
    let data_dir = web.app.settings().data_dir.clone();
    let restarted = App::open(AppSettings::new(data_dir)).await.unwrap();
    let router = web::router(restarted, WebSettings::default());
    let replay = client.send_to(&router, "/dashboard").await;
    assert_eq!(replay.status, StatusCode::OK, "the cookie from before the restart still works");
}

#[tokio::test]
async fn a_new_user_must_change_the_temporary_password_first() {
    let web = TestWeb::demo().await;
    let mut admin = web.signed_in("admin@demo.commissioner.test").await;
    let csrf = admin.get("/admin/users/new").await.csrf_token();
    let created = admin
        .post_form(
            "/admin/users/new",
            &[
                ("csrf_token", &csrf),
                ("email", "new.analyst@example.nhs.uk"),
                ("name", "Nia New"),
                ("organisation", "q99"),
                ("role", "analyst"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let marker = "Temporary password: ";
    let start = created.body.find(marker).unwrap() + marker.len();
    let temporary = created.body[start..].split('<').next().unwrap().trim().to_owned();

    let mut newcomer = web.client();
    let signed_in = newcomer.sign_in("new.analyst@example.nhs.uk", &temporary).await;
    assert_eq!(signed_in.location(), "/profile/password");
    let blocked = newcomer.get("/organisations").await;
    assert_eq!((blocked.status, blocked.location()), (StatusCode::SEE_OTHER, "/profile/password"));

    let page = newcomer.get("/profile/password").await;
    let csrf = page.csrf_token();
    let mismatch = newcomer
        .post_form(
            "/profile/password",
            &[
                ("csrf_token", &csrf),
                ("current", &temporary),
                ("new", "a brand new passphrase"),
                ("confirm", "something else"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(mismatch.body.contains("The passwords do not match"));
    let changed = newcomer
        .post_form(
            "/profile/password",
            &[
                ("csrf_token", &csrf),
                ("current", &temporary),
                ("new", "a brand new passphrase"),
                ("confirm", "a brand new passphrase"),
            ],
        )
        .await;
    assert_eq!((changed.status, changed.location()), (StatusCode::SEE_OTHER, "/profile?changed=1"));
    assert_eq!(newcomer.get("/organisations").await.status, StatusCode::OK);

    // The change is on the record.
    let audit = admin.get("/api/v1/audit?object_type=user").await.json();
    let actions: Vec<&str> = audit.as_array().unwrap().iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"change_password") && actions.contains(&"create"), "{actions:?}");
}

#[tokio::test]
async fn an_administrator_unlocks_a_locked_account() {
    let web = TestWeb::demo().await;
    let mut attacker = web.client();
    for _ in 0..app::accounts::MAX_FAILED_SIGN_INS {
        attacker.sign_in("scrutiny@demo.commissioner.test", "guess guess guess").await;
    }
    let locked = attacker.sign_in("scrutiny@demo.commissioner.test", app::demo::DEMO_PASSWORD).await;
    assert!(locked.body.contains("Your account is locked"), "{}", locked.body);

    let mut admin = web.signed_in("admin@demo.commissioner.test").await;
    let users = admin.get("/api/v1/users").await.json();
    let id = users.as_array().unwrap().iter().find(|u| u["email"] == "scrutiny@demo.commissioner.test").unwrap()["id"]
        .as_i64()
        .unwrap();
    assert_eq!(users.as_array().unwrap().iter().find(|u| u["id"] == id).unwrap()["locked"], true);
    let page = admin.get(&format!("/admin/users/{id}")).await;
    assert!(page.body.contains("Unlock account"));
    let csrf = page.csrf_token();
    admin.post_form(&format!("/admin/users/{id}/unlock"), &[("csrf_token", &csrf)]).await;
    let mut scrutiny = web.client();
    assert_eq!(
        scrutiny.sign_in("scrutiny@demo.commissioner.test", app::demo::DEMO_PASSWORD).await.location(),
        "/strategy"
    );
}

#[tokio::test]
async fn sign_in_attempts_are_rate_limited() {
    let web = TestWeb::demo_with(WebSettings { sign_in_attempts_per_minute: 3, ..WebSettings::default() }).await;
    let mut client = web.client();
    for _ in 0..3 {
        assert_eq!(
            client.sign_in("nobody@example.org", "whatever it is").await.status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let limited = client.sign_in("nobody@example.org", "whatever it is").await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.body.contains("Too many attempts"));
}

#[tokio::test]
async fn the_audit_page_shows_the_chain_is_intact() {
    let web = TestWeb::demo().await;
    let mut admin = web.signed_in("admin@demo.commissioner.test").await;
    let page = admin.get("/admin/audit?object_type=import").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("The audit log is intact"), "{}", page.body);
    assert!(page.body.contains("system:demo"));
    assert_eq!(admin.get("/admin/audit?from=not-a-date").await.status, StatusCode::BAD_REQUEST);
}
