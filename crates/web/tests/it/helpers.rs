//! A demo-loaded app behind the router, and typed request helpers.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use tower::ServiceExt;

use app::demo::{DEMO_PASSWORD, DemoOptions};
use app::progress::Silent;
use app::{App, AppSettings};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use web::WebSettings;

pub(crate) struct TestWeb {
    pub(crate) router: Router,
    pub(crate) app: App,
    _dir: tempfile::TempDir,
}

/// A response, read whole.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: String,
}

impl Reply {
    pub(crate) fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }

    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The value of a hidden `csrf_token` field in the page.
    pub(crate) fn csrf_token(&self) -> String {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker).expect("a CSRF field") + marker.len();
        self.body[start..start + 64].to_owned()
    }

    /// The `name=value` part of a Set-Cookie header for a cookie.
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with(&format!("{name}=")))
            .map(|v| v.split(';').next().unwrap().to_owned())
    }
}

/// A browser-like client: keeps its cookies.
pub(crate) struct Client<'a> {
    web: &'a TestWeb,
    cookies: Vec<String>,
}

impl TestWeb {
    /// The demo commissioner (small) on SQLite, behind the router. The demo is loaded once
    /// per test binary; each test gets its own copy of the database file.
    pub(crate) async fn demo() -> TestWeb {
        TestWeb::demo_with(WebSettings::default()).await
    }

    pub(crate) async fn demo_with(settings: WebSettings) -> TestWeb {
        let template = demo_template();
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(template, dir.path().join("commissioner.db")).unwrap();
        let app = App::open(AppSettings::new(dir.path().to_owned())).await.unwrap();
        let router = web::router(app.clone(), settings);
        TestWeb { router, app, _dir: dir }
    }

    pub(crate) fn client(&self) -> Client<'_> {
        Client { web: self, cookies: Vec::new() }
    }

    /// A client signed in as a demo account.
    pub(crate) async fn signed_in(&self, email: &str) -> Client<'_> {
        let mut client = self.client();
        let reply = client.sign_in(email, DEMO_PASSWORD).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{email} signs in: {}", reply.body);
        client
    }
}

impl Client<'_> {
    pub(crate) async fn send(&mut self, request: Request<Body>) -> Reply {
        let response = self.web.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for value in headers.get_all(header::SET_COOKIE) {
            let pair = value.to_str().unwrap().split(';').next().unwrap().to_owned();
            let name = pair.split('=').next().unwrap().to_owned();
            self.cookies.retain(|c| !c.starts_with(&format!("{name}=")));
            if !pair.ends_with('=') {
                self.cookies.push(pair);
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    fn request(&self, method: &str, path: &str) -> axum::http::request::Builder {
        let mut builder = Request::builder().method(method).uri(path);
        if !self.cookies.is_empty() {
            builder = builder.header(header::COOKIE, self.cookies.join("; "));
        }
        builder
    }

    /// A GET with this client's cookies to another router (a restarted server).
    pub(crate) async fn send_to(&mut self, router: &Router, path: &str) -> Reply {
        let request = self.request("GET", path).body(Body::empty()).unwrap();
        let response = router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Reply { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub(crate) async fn get(&mut self, path: &str) -> Reply {
        let request = self.request("GET", path).body(Body::empty()).unwrap();
        self.send(request).await
    }

    /// A request with an `Authorization: Bearer` token (and no cookies).
    pub(crate) async fn with_token(&mut self, method: &str, path: &str, token: &str, body: &str) -> Reply {
        let request = Request::builder()
            .method(method)
            .uri(path)
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "text/csv")
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    /// An API write from a browser session, with the CSRF header.
    pub(crate) async fn post_api_as(&mut self, path: &str, csrf: &str, content_type: &str, body: &str) -> Reply {
        let request = self
            .request("POST", path)
            .header("x-csrf-token", csrf)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body.to_owned()))
            .unwrap();
        self.send(request).await
    }

    pub(crate) async fn post_form(&mut self, path: &str, fields: &[(&str, &str)]) -> Reply {
        let body = serde_urlencoded::to_string(fields).unwrap();
        let request = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// A multipart form post: text fields, then files as (field, file name, bytes).
    pub(crate) async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        files: &[(&str, &str, &[u8])],
    ) -> Reply {
        let boundary = "commissioner-test-boundary-7d1f";
        let mut body: Vec<u8> = Vec::new();
        for (name, value) in fields {
            body.extend_from_slice(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n")
                    .as_bytes(),
            );
        }
        for (name, file_name, content) in files {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{file_name}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend_from_slice(content);
            body.extend_from_slice(b"\r\n");
        }
        body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        let request = self
            .request("POST", path)
            .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={boundary}"))
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    /// The raw bytes of a GET (for downloads that are not text).
    pub(crate) async fn get_bytes(&mut self, path: &str) -> (StatusCode, axum::http::HeaderMap, Vec<u8>) {
        let request = self.request("GET", path).body(Body::empty()).unwrap();
        let response = self.web.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        (status, headers, response.into_body().collect().await.unwrap().to_bytes().to_vec())
    }

    pub(crate) async fn sign_in(&mut self, email: &str, password: &str) -> Reply {
        let page = self.get("/sign-in").await;
        let csrf = page.csrf_token();
        self.post_form("/sign-in", &[("csrf_token", &csrf), ("email", email), ("password", password)]).await
    }
}

/// Ids of objects the template holds for provider R9A.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TemplateIds {
    pub(crate) challenge: i64,
    pub(crate) query: i64,
    /// A document of R9A's contract (the demo attaches its schedule of service lines).
    pub(crate) document: i64,
    /// A contract performance notice on R9A's contract.
    pub(crate) notice: i64,
    /// An evaluation of R9A's contract.
    pub(crate) evaluation: i64,
    /// A provider selection decision.
    pub(crate) decision: i64,
    /// A published tender whose deadline is years away, with R9A's bid.
    pub(crate) tender: i64,
}

static TEMPLATE_IDS: OnceLock<TemplateIds> = OnceLock::new();

pub(crate) fn template_ids() -> TemplateIds {
    demo_template();
    *TEMPLATE_IDS.get().expect("set with the template")
}

/// A SQLite file holding the loaded demo, made once (on its own runtime, since each test
/// has its own) and kept for the life of the test binary.
fn demo_template() -> &'static Path {
    static TEMPLATE: OnceLock<PathBuf> = OnceLock::new();
    TEMPLATE.get_or_init(|| {
        std::thread::spawn(|| {
            let dir = tempfile::tempdir().unwrap().keep();
            let runtime = tokio::runtime::Runtime::new().unwrap();
            runtime.block_on(async {
                let app = App::open(AppSettings::new(dir.clone())).await.unwrap();
                app.load_demo(
                    &DemoOptions { seed: 11, rows: 3_000, reference_data: Some(test_support::shared_data("")) },
                    &Silent,
                )
                .await
                .unwrap();
                // One API token (id 1) for the provider R9A, so token routes have an object.
                let app::accounts::SignInOutcome::SignedIn(provider) =
                    app.sign_in("provider@demo.commissioner.test", DEMO_PASSWORD).await.unwrap()
                else {
                    panic!("the demo provider signs in");
                };
                let organisation = provider.principal.organisation.clone();
                app.create_token(
                    &provider.principal,
                    &organisation,
                    commissioning::access::Role::Provider,
                    "template token",
                )
                .await
                .unwrap();
                // An R9A challenge and activity query, so their routes have objects.
                let challenge = app.challenges(&provider.principal, &organisation, 1).await.unwrap()[0].id;
                let app::accounts::SignInOutcome::SignedIn(finance) =
                    app.sign_in("finance@demo.commissioner.test", DEMO_PASSWORD).await.unwrap()
                else {
                    panic!("the demo finance manager signs in");
                };
                let today = chrono::NaiveDate::from_ymd_opt(2025, 10, 6).unwrap();
                let pod = commissioning::service::PointOfDelivery::Elective;
                let query =
                    app.raise_query(&finance.principal, &organisation, pod, "Fran Finance", "", today).await.unwrap();
                let document = app.documents(&finance.principal, "Q99-R9A-2024").await.unwrap()[0].id;
                let notice = app
                    .serve_notice(
                        &finance.principal,
                        "Q99-R9A-2024",
                        "4-hour standard below 78%",
                        "2025-10-06",
                        "Fran Finance",
                    )
                    .await
                    .unwrap();
                let evaluation = app
                    .record_evaluation(
                        &finance.principal,
                        "Q99-R9A-2024",
                        &app::evaluation::EvaluationInput {
                            review_date: "2025-09-30".into(),
                            recommendation: "redesign".into(),
                            rationale: "Four-hour performance below the planning target for most of the year.".into(),
                            findings: "Same-day emergency care capacity is short in winter".into(),
                        },
                    )
                    .await
                    .unwrap();
                let app::accounts::SignInOutcome::SignedIn(commissioner) =
                    app.sign_in("commissioner@demo.commissioner.test", DEMO_PASSWORD).await.unwrap()
                else {
                    panic!("the demo commissioner signs in");
                };
                let decision = app
                    .record_route_decision(
                        &commissioner.principal,
                        &app::procurement::RouteInput {
                            title: "Community musculoskeletal services".into(),
                            cpv: "85100000".into(),
                            existing_provider: true,
                            incumbent_satisfying: true,
                            chosen: "direct_award_c".into(),
                            provider: "R9A".into(),
                            rationale: "The incumbent meets the key criteria".into(),
                            ..Default::default()
                        },
                    )
                    .await
                    .unwrap();
                let now = app::tenders::now_utc();
                let tender = app
                    .create_tender(
                        &commissioner.principal,
                        &app::tenders::NewTender {
                            title: "Community diagnostic centre".into(),
                            process: "competitive".into(),
                            deadline: "2099-01-05T12:00".into(),
                            price_weight: "40".into(),
                            price_formula: "relative_to_lowest".into(),
                            criteria: "Quality and innovation | 30 | 2\nValue | 10\nIntegration | 10\nAccess and inequalities | 5\nSocial value | 5".into(),
                            specification: String::new(),
                            required_documents: String::new(),
                            pass_fail: String::new(),
                            lots: String::new(),
                        },
                        now,
                    )
                    .await
                    .unwrap();
                app.tender_step(&commissioner.principal, tender, "publish", now).await.unwrap();
                app.submit_bid(&provider.principal, tender, "1250000.00", "Our response", now).await.unwrap();
                let _ = TEMPLATE_IDS
                    .set(TemplateIds { challenge, query, document, notice, evaluation, decision, tender });
                app.close().await;
            });
            dir.join("commissioner.db")
        })
        .join()
        .unwrap()
    })
}
