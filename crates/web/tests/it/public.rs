//! The public area signed out: a crawl from `/public` follows every link on every page it
//! reaches, each opens without signing in, and none shows what is not public — people's
//! names or addresses, bids, their prices, evaluators' comments, declarations of interest or
//! the commissioner's draft plans. The PSR annual summary on the page is the decision log's.

use std::collections::{BTreeSet, VecDeque};

use axum::http::StatusCode;
use commissioning::period::FinancialYear;

use crate::helpers::TestWeb;

/// The internal links of a page (`href="/…"`), without fragments.
fn links(body: &str) -> Vec<String> {
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|href| href.starts_with('/') && !href.starts_with("//"))
        .map(|href| href.split('#').next().unwrap_or(href).replace("&amp;", "&"))
        .collect()
}

/// Text that must never appear on a public page: from the demo's accounts, bids, scores,
/// declarations and internal records.
const NOT_PUBLIC: [&str; 16] = [
    "@demo.commissioner.test",
    "Alex Admin",
    "Chris Commissioner",
    "Ana Lyst",
    "Fran Finance",
    "Eve Evaluator",
    "Dr Cleo Lead",
    "Pat Provider",
    "Bo Provider",
    "4,800,000",
    "4800000",
    "4,500,000",
    "response to each criterion",
    "mobilisation plan",
    "Clinically sound",
    "Organisational development plan",
];

#[tokio::test]
async fn a_signed_out_crawl_of_the_public_area_reaches_only_public_pages_and_shows_nothing_private() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    let mut queue = VecDeque::from(["/public".to_owned()]);
    let mut seen = BTreeSet::new();
    let mut public_pages = 0;
    while let Some(path) = queue.pop_front() {
        if !seen.insert(path.clone()) || path.starts_with("/assets/") {
            continue;
        }
        let reply = client.get(&path).await;
        assert_eq!(reply.status, StatusCode::OK, "{path} signed out: {}", reply.status);
        for text in NOT_PUBLIC {
            assert!(!reply.body.contains(text), "{path} shows '{text}'");
        }
        // The crawl stays in the public area (and the start page, which links to sign-in).
        if path.starts_with("/public") {
            public_pages += 1;
            queue.extend(links(&reply.body));
        }
    }
    assert!(public_pages >= 8, "only {public_pages} public pages reached: {seen:?}");
    for page in [
        "/public/providers/R9A",
        "/public/contracts",
        "/public/notices",
        "/public/psr-summary",
        "/public/consultations",
    ] {
        assert!(seen.contains(page), "{page} is not linked from the public area: {seen:?}");
    }
}

#[tokio::test]
async fn the_public_pages_show_quality_awards_notices_and_the_summary_of_the_decision_log() {
    let web = TestWeb::demo().await;
    let mut client = web.client();
    let provider = client.get("/public/providers/R9A").await;
    assert_eq!(provider.status, StatusCode::OK);
    assert!(provider.body.contains("A&amp;E attendances seen within 4 hours"), "{}", provider.body);
    assert!(provider.body.contains("Friends and Family Test"));
    // A provider the commissioner holds no contract with has no public page.
    assert_eq!(client.get("/public/providers/RL4").await.status, StatusCode::NOT_FOUND);
    let notices = client.get("/public/notices").await;
    assert!(notices.body.contains("Intention to award"));
    assert!(notices.body.contains("Community musculoskeletal services"));
    // The latest year is shown first, with the demo year a link away.
    let latest = client.get("/public/psr-summary").await;
    assert!(latest.body.contains("href=\"/public/psr-summary?year=2025/26\""), "{}", latest.body);
    let summary = client.get("/public/psr-summary?year=2025/26").await;
    let year = web.app.psr_annual_summary(Some(FinancialYear::starting(2025))).await.unwrap();
    assert_eq!(year.total, 3, "{year:?}");
    assert!(summary.body.contains("<span class=\"nhsuk-caption-l\">2025/26</span>"), "{}", summary.body);
    assert!(summary.body.contains("<strong>All processes</strong>"));
    assert_eq!(client.get("/public/psr-summary?year=not-a-year").await.status, StatusCode::NOT_FOUND);
    let consultations = client.get("/public/consultations").await;
    assert!(consultations.body.contains("You said, we did"));
}
