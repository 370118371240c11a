//! Pages: sign-in, the dashboard, reference data, errors.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn anonymous_visitors_are_sent_to_sign_in_and_back() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    let reply = client.get("/areas/E01900001").await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/sign-in?next=/areas/E01900001");

    let page = client.get("/sign-in?next=/areas/E01900001").await;
    let csrf = page.csrf_token();
    let reply = client
        .post_form(
            "/sign-in",
            &[
                ("csrf_token", &csrf),
                ("email", "analyst@demo.commissioner.test"),
                ("password", app::demo::DEMO_PASSWORD),
                ("next", "/areas/E01900001"),
            ],
        )
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/areas/E01900001");
    let area = client.get("/areas/E01900001").await;
    assert_eq!(area.status, StatusCode::OK);
    assert!(area.body.contains("IMD 2019 decile"), "{}", area.body);
}

#[tokio::test]
async fn the_dashboard_shows_population_practices_and_providers() {
    let web = TestWeb::demo().await;
    let mut client = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = client.get("/dashboard").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "NHS Ashmere and Dunmore Integrated Care Board",
        "Population by age and sex",
        "Residents by IMD 2019 decile",
        "Ashmere University Hospitals NHS Foundation Trust",
        "GP practices and their registered lists",
        "Ashmere</a>",
        "aria-current=\"true\"",
    ] {
        assert!(page.body.contains(expected), "dashboard lacks {expected:?}");
    }
    let csv = client.get("/dashboard/population.csv").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("year,age_band,males,females\n2024,0-4,"), "{}", &csv.body[..60]);
    assert_eq!(csv.body.lines().count(), 20);
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_summary() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    let reply = client.sign_in("commissioner@demo.commissioner.test", "not the password").await;
    assert_eq!(reply.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reply.body.contains("There is a problem"));
    assert!(reply.body.contains("<a href=\"#email\">Enter a correct email address and password</a>"));
    assert!(reply.body.contains("<title>Error: Sign in"));

    let empty = client.sign_in("", "").await;
    assert!(empty.body.contains("Enter your email address") && empty.body.contains("Enter your password"));
}

#[tokio::test]
async fn forms_without_the_csrf_token_are_refused() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    client.get("/sign-in").await;
    let reply = client
        .post_form(
            "/sign-in",
            &[("email", "commissioner@demo.commissioner.test"), ("password", app::demo::DEMO_PASSWORD)],
        )
        .await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.body.contains("Your form expired"));

    let mut signed_in = web.signed_in("commissioner@demo.commissioner.test").await;
    let reply = signed_in.post_form("/sign-out", &[("csrf_token", "forged")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert_eq!(signed_in.get("/dashboard").await.status, StatusCode::OK, "still signed in");
}

#[tokio::test]
async fn signing_out_ends_the_session() {
    let web = TestWeb::demo().await;
    let mut client = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = client.get("/profile").await;
    assert!(page.body.contains("commissioner@demo.commissioner.test"));
    let csrf = page.csrf_token();
    let reply = client.post_form("/sign-out", &[("csrf_token", &csrf)]).await;
    assert_eq!((reply.status, reply.location()), (StatusCode::SEE_OTHER, "/sign-in"));
    assert_eq!(client.get("/dashboard").await.status, StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn each_role_lands_on_a_page_it_may_use() {
    let web = TestWeb::demo().await;
    for (email, home) in [
        ("commissioner@demo.commissioner.test", "/dashboard"),
        ("provider@demo.commissioner.test", "/procure"),
        ("scrutiny@demo.commissioner.test", "/strategy"),
        ("public@demo.commissioner.test", "/organisations"),
    ] {
        let mut client = web.client();
        let reply = client.sign_in(email, app::demo::DEMO_PASSWORD).await;
        assert_eq!(reply.location(), home, "{email}");
        assert_eq!(client.get(home).await.status, StatusCode::OK, "{email} on {home}");
    }
}

#[tokio::test]
async fn unknown_pages_are_nhs_style_404s() {
    let web = TestWeb::demo().await;
    let mut client = web.signed_in("analyst@demo.commissioner.test").await;
    let reply = client.get("/no-such-page").await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    assert!(reply.body.contains("Page not found") && reply.body.contains("nhsuk-header"));
    assert_eq!(client.get("/organisations/ZZZ99").await.status, StatusCode::NOT_FOUND);
    assert_eq!(client.get("/areas/not-a-code").await.status, StatusCode::NOT_FOUND);
    assert_eq!(client.get("/organisations?kind=hospital").await.status, StatusCode::BAD_REQUEST);
}
