//! Plan: the demo's worked prioritisation through the router — ranking with sensitivity, the
//! optimal portfolio, options added for a gap, scores, decisions with rationale shown on the
//! gap register, and refusals in the error-summary pattern.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn a_gap_becomes_an_option_is_scored_and_decided() {
    let web = TestWeb::demo().await;
    let mut analyst = web.signed_in("analyst@demo.commissioner.test").await;
    let page = analyst.get("/plan/priorities/1").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "2026/27 investment round",
        "Diabetes case finding in primary care",
        "Weight sensitivity",
        "Rank stability",
        "Portfolio within the budget",
        "branch-and-bound nodes",
        "Decommission the homeopathy clinic",
        "Disinvest",
        "Your scores",
    ] {
        assert!(page.body.contains(expected), "the workshop lacks {expected:?}");
    }
    assert!(!page.body.contains("Add an option"), "an analyst scores but does not run the workshop");
    let csv = analyst.get("/plan/priorities/1/portfolio.csv").await;
    assert!(csv.body.starts_with("option,name,gap_kind,need,area_code,cost,benefit"));
    assert!(csv.body.lines().filter(|l| l.ends_with(",yes")).count() >= 2, "{}", csv.body);
    // The analyst's scores are refused out of range, then saved.
    let csrf = page.csrf_token();
    let bad = analyst.post_form("/plan/priorities/1/scores", &[("csrf_token", &csrf), ("score-O01-gain", "140")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("There is a problem") && bad.body.contains("href=\"#score-O01-gain\""));
    let good = analyst.post_form("/plan/priorities/1/scores", &[("csrf_token", &csrf), ("score-O01-gain", "90")]).await;
    assert_eq!(good.status, StatusCode::SEE_OTHER);
    assert!(analyst.get("/plan/priorities/1").await.body.contains("Ana Lyst"));
    let refused = analyst
        .post_form(
            "/plan/priorities/1/options",
            &[("csrf_token", &csrf), ("name", "x"), ("cost", "1"), ("benefit", "1")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    // The commissioner takes a gap from the register into the workshop.
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let register = commissioner.get("/plan/gaps").await;
    let marker = "/plan/priorities/1?gap=";
    let start = register.body.find(marker).expect("a Prioritise link");
    let link = &register.body[start..register.body[start..].find('"').unwrap() + start];
    let form = commissioner.get(&link.replace("&amp;", "&")).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("Answer: "), "the option is named after the gap");
    let csrf = form.csrf_token();
    let selected = form.body.split("<option").find(|o| o.contains("selected")).and_then(|o| {
        let v = o.split("value=\"").nth(1)?;
        Some(v[..v.find('"')?].to_owned())
    });
    let gap = selected.expect("the gap is preselected");
    let bad = commissioner
        .post_form(
            "/plan/priorities/1/options",
            &[("csrf_token", &csrf), ("gap", &gap), ("name", "Extra nurse"), ("cost", "lots"), ("benefit", "")],
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#cost\"") && bad.body.contains("href=\"#benefit\""));
    let added = commissioner
        .post_form(
            "/plan/priorities/1/options",
            &[
                ("csrf_token", &csrf),
                ("gap", &gap),
                ("name", "Extra specialist nurse"),
                ("cost", "40,000"),
                ("benefit", "2.5"),
            ],
        )
        .await;
    assert_eq!(added.status, StatusCode::SEE_OTHER, "{}", added.body);
    let page = commissioner.get("/plan/priorities/1").await;
    assert!(page.body.contains("O07 Extra specialist nurse"));
    let missing = commissioner
        .post_form(
            "/plan/priorities/1/decisions",
            &[("csrf_token", &csrf), ("option", "O07"), ("decision", "invest"), ("rationale", " ")],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#rationale\""));
    let decided = commissioner
        .post_form(
            "/plan/priorities/1/decisions",
            &[
                ("csrf_token", &csrf),
                ("option", "O07"),
                ("decision", "invest"),
                ("rationale", "Cheapest route to closing the gap"),
            ],
        )
        .await;
    assert_eq!(decided.status, StatusCode::SEE_OTHER);
    let register = commissioner.get("/plan/gaps").await;
    assert!(register.body.contains("Cheapest route to closing the gap"), "the decision shows on its gap");
    // An investment becomes the input of a specification.
    let page = commissioner.get("/plan/priorities/1").await;
    let marker = "/procure/specifications/new?title=";
    let start = page.body.find(marker).expect("a link to write the specification");
    let link = page.body[start..page.body[start..].find('"').unwrap() + start].replace("&amp;", "&");
    let spec = commissioner.get(&link).await;
    assert_eq!(spec.status, StatusCode::OK);
    assert!(spec.body.contains("value=\"Extra specialist nurse\""), "the title is carried over");
    assert!(spec.body.contains("Priority decision (2026/27 investment round): invest in Extra specialist nurse"));

    // A new workshop needs a title and a budget.
    let list = commissioner.get("/plan/priorities").await;
    let csrf = list.csrf_token();
    let bad =
        commissioner.post_form("/plan/priorities", &[("csrf_token", &csrf), ("title", ""), ("budget", "-5")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#title\"") && bad.body.contains("href=\"#budget\""));
    let made = commissioner
        .post_form("/plan/priorities", &[("csrf_token", &csrf), ("title", "Winter"), ("budget", "100000")])
        .await;
    assert_eq!(made.status, StatusCode::SEE_OTHER);
    assert_eq!(made.location(), "/plan/priorities/2");
}
