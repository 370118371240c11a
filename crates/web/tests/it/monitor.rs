//! Monitoring pages: plan against actual with forecasts, challenges answered by the
//! provider, activity queries through their workflow.

use axum::http::StatusCode;

use crate::helpers::TestWeb;

#[tokio::test]
async fn the_provider_dashboard_shows_plan_actual_forecasts_and_rag() {
    let web = TestWeb::demo().await;
    let mut finance = web.signed_in("finance@demo.commissioner.test").await;
    let overview = finance.get("/monitor").await;
    assert_eq!(overview.status, StatusCode::OK);
    assert!(overview.body.contains("Ashmere University Hospitals NHS Foundation Trust"));
    let page = finance.get("/monitor/providers/R9A").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "6 of 12",
        "Value of activity by month",
        "Cumulative value and year-end forecasts",
        "Year to date by point of delivery",
        "at run rate",
        "Serve activity query notice",
    ] {
        assert!(page.body.contains(expected), "dashboard lacks {expected:?}");
    }
    assert!(
        page.body.contains("nhsuk-tag--green")
            || page.body.contains("nhsuk-tag--orange")
            || page.body.contains("nhsuk-tag--red")
    );

    let json = finance.get("/api/v1/providers/R9A/monitoring").await.json();
    assert_eq!(json["months_elapsed"], 6);
    let total = json["lines"].as_array().unwrap().iter().find(|l| l["pod"] == "ALL").unwrap();
    // At the half-year the run rate doubles the year to date, exactly.
    assert_eq!(total["forecast_run_rate_pence"].as_i64().unwrap(), 2 * total["ytd_value_pence"].as_i64().unwrap());
    assert!(total["forecast_plan_adjusted_pence"].is_i64() && total["forecast_seasonal_pence"].is_i64());
    let csv = finance.get("/monitor/providers/R9A/plan-vs-actual.csv").await;
    assert!(
        csv.body.starts_with("provider_code,pod,month,plan_activity,actual_activity,plan_value,actual_value\nR9A,")
    );
}

#[tokio::test]
async fn a_provider_answers_challenges_and_the_commissioner_sees_the_answers() {
    let web = TestWeb::demo().await;
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let list = provider.get("/api/v1/providers/R9A/challenges").await.json();
    let open: Vec<&serde_json::Value> = list.as_array().unwrap().iter().filter(|c| c["status"] == "open").collect();
    assert!(open.len() >= 2, "the demo has challenges");
    let (first, second) = (open[0]["id"].as_i64().unwrap(), open[1]["id"].as_i64().unwrap());

    let page = provider.get(&format!("/monitor/challenges/{first}")).await;
    let csrf = page.csrf_token();
    let disputed_without_reason = provider
        .post_form(
            &format!("/monitor/challenges/{first}/respond"),
            &[("csrf_token", &csrf), ("answer", "dispute"), ("response", "")],
        )
        .await;
    assert_eq!(disputed_without_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(disputed_without_reason.body.contains("Enter why you dispute the challenge"));
    let disputed = provider
        .post_form(
            &format!("/monitor/challenges/{first}/respond"),
            &[("csrf_token", &csrf), ("answer", "dispute"), ("response", "Coded correctly; see clinical notes")],
        )
        .await;
    assert_eq!((disputed.status, disputed.location()), (StatusCode::SEE_OTHER, "/monitor/providers/R9A/challenges"));
    let accepted = provider
        .post_api_as(&format!("/api/v1/challenges/{second}/response"), &csrf, "application/json", r#"{"accept": true}"#)
        .await;
    assert_eq!(accepted.status, StatusCode::OK, "{}", accepted.body);
    assert_eq!(accepted.json()["status"], "accepted");

    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let view = commissioner.get(&format!("/monitor/challenges/{first}")).await;
    assert!(view.body.contains("Coded correctly; see clinical notes"));
    assert!(!view.body.contains("Send answer"), "only the provider answers");
    // The other provider cannot see them at all.
    let mut other = web.signed_in("provider.b@demo.commissioner.test").await;
    assert_eq!(other.get(&format!("/monitor/challenges/{first}")).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_activity_query_goes_through_its_workflow() {
    let web = TestWeb::demo().await;
    let mut finance = web.signed_in("finance@demo.commissioner.test").await;
    let page = finance.get("/monitor/providers/R9B").await;
    let csrf = page.csrf_token();
    let raised = finance
        .post_form(
            "/monitor/providers/R9B/queries",
            &[
                ("csrf_token", &csrf),
                ("pod", "NEL"),
                ("owner", "Fran Finance"),
                ("notes", "Emergency admissions above plan"),
            ],
        )
        .await;
    assert_eq!(raised.status, StatusCode::SEE_OTHER, "{}", raised.body);
    let query_path = raised.location().to_owned();
    let query = finance.get(&query_path).await;
    assert!(query.body.contains("Notice served") && query.body.contains("10 operational days"));

    // Closing straight from a notice is refused with the workflow's reason.
    let csrf = query.csrf_token();
    let refused =
        finance.post_form(&format!("{query_path}/events"), &[("csrf_token", &csrf), ("event", "close")]).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("cannot be closed"));
    let no_date =
        finance.post_form(&format!("{query_path}/events"), &[("csrf_token", &csrf), ("event", "hold_meeting")]).await;
    assert!(no_date.body.contains("Enter the date of the meeting"));
    for (event, date) in [("hold_meeting", "2025-10-20"), ("agree_plan", ""), ("close", "")] {
        let reply = finance
            .post_form(
                &format!("{query_path}/events"),
                &[("csrf_token", &csrf), ("event", event), ("meeting_date", date), ("note", event)],
            )
            .await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{event}: {}", reply.body);
    }
    let id = query_path.rsplit('/').next().unwrap();
    let json = finance.get(&format!("/api/v1/queries/{id}")).await.json();
    assert_eq!((json["status"].as_str(), json["meeting_date"].as_str()), (Some("closed"), Some("2025-10-20")));
    assert!(json["next_events"].as_array().unwrap().is_empty());

    // The provider sees its query but cannot move it.
    let mut provider = web.signed_in("provider.b@demo.commissioner.test").await;
    let seen = provider.get(&query_path).await;
    assert_eq!(seen.status, StatusCode::OK);
    let csrf = seen.csrf_token();
    assert_eq!(
        provider
            .post_form(&format!("{query_path}/events"), &[("csrf_token", &csrf), ("event", "withdraw")])
            .await
            .status,
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_contract_register_shows_deadlines_and_payment_statements() {
    let web = TestWeb::demo().await;
    let mut finance = web.signed_in("finance@demo.commissioner.test").await;
    let register = finance.get("/procure/contracts").await;
    assert_eq!(register.status, StatusCode::OK);
    assert_eq!(register.body.matches("href=\"/procure/contracts/Q99-").count(), 9, "with the one awarded by tender");
    assert!(
        register.body.contains("Aligned payment and incentive") && register.body.contains("Low-volume activity block")
    );
    assert!(register.body.contains("Portfolio by payment mechanism") && register.body.contains("2026/27"));
    let blocks = finance.get("/procure/contracts?mechanism=block").await;
    assert_eq!(
        blocks.body.matches("href=\"/procure/contracts/Q99-").count(),
        3,
        "community, mental health and the diagnostic centre awarded by tender"
    );
    let soon = finance.get("/procure/contracts?ends_before=2026-12-31").await;
    assert!(soon.body.contains("of 9 contracts"));
    let bad_date = finance.get("/procure/contracts?ends_before=soon").await;
    assert!(bad_date.body.contains("There is a problem") && bad_date.body.contains("href=\"#ends_before\""));
    let page = finance.get("/procure/contracts/Q99-R9A-2024?month=2025-06").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in ["Payment statement for 2025-06", "Fixed element", "Variable element (elective at 100%)", "Total"] {
        assert!(page.body.contains(expected), "the contract page lacks {expected:?}");
    }
    assert!(page.body.contains("Reconciliation for 2025-06") && page.body.contains("Matches"));
    assert!(page.body.contains("Variations of Q99-R9A-2024") && page.body.contains("Transparency notice required"));
    assert!(
        page.body.contains("CQUIN indicators of Q99-R9A-2024")
            && page.body.contains("CQUIN under-achievement deducted")
    );
    let r9b = finance.get("/procure/contracts/Q99-R9B-2024?month=2025-06").await;
    assert!(r9b.body.contains("Differences to resolve") && r9b.body.contains("£1,234.56"));
    let xlsx = finance.get("/procure/contracts.xlsx").await;
    assert!(xlsx.body.starts_with("PK"));
    let bad = finance.get("/procure/contracts/Q99-R9A-2024?month=June").await;
    assert!(bad.body.contains("Enter the month as YYYY-MM"));
    let dashboard = finance.get("/dashboard").await;
    assert!(dashboard.body.contains("Contract deadlines"));
    let json = finance.get("/api/v1/contracts/Q99-R9A-2024/statement?month=2025-06").await.json();
    let lines: i64 = json["statement"]["lines"].as_array().unwrap().iter().map(|l| l["amount"].as_i64().unwrap()).sum();
    assert_eq!(json["total"].as_i64().unwrap(), lines);
    assert_eq!(finance.get("/api/v1/contracts").await.json().as_array().unwrap().len(), 9);
    assert_eq!(finance.get("/api/v1/contracts/Q99-R9A-2024/statement?month=13").await.status, StatusCode::BAD_REQUEST);
    // A provider sees its own contracts (R9A's two) and not another's.
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    assert_eq!(provider.get("/procure/contracts").await.body.matches("href=\"/procure/contracts/Q99-").count(), 2);
    assert_eq!(provider.get("/procure/contracts/Q99-R9B-2024").await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_contract_page_shows_lines_kpis_documents_and_timeline_and_takes_uploads() {
    let web = TestWeb::demo().await;
    let mut finance = web.signed_in("finance@demo.commissioner.test").await;
    let register = finance.get("/procure/contracts").await;
    assert!(register.body.contains("Portfolio by service") && register.body.contains("Non-elective admissions"));
    assert!(register.body.contains("Portfolio by provider"));
    // The low-volume block (£450,000) is the one contract under £1m.
    let bands = register.body.split("Portfolio by annual value").nth(1).unwrap();
    assert!(bands.contains("Under £1m") && bands.contains("£100m and over"));
    let page = finance.get("/procure/contracts/Q99-R9A-2024?month=2025-07").await;
    assert_eq!(page.status, StatusCode::OK);
    for expected in [
        "Service lines and indicative activity plan",
        "Planned activity by month, 2025/26",
        "Quality requirements and KPIs",
        "Discharge summaries sent within 24 hours (%)",
        "Not met",
        "Withheld: Discharge summaries",
        "Best practice tariff: BZ34C DC",
        "Schedule 2B: indicative activity plan",
        "Timeline",
        "Contract starts",
        "Attach document",
    ] {
        assert!(page.body.contains(expected), "the contract page lacks {expected:?}");
    }
    let august = finance.get("/procure/contracts/Q99-R9A-2024?month=2025-08").await;
    assert!(august.body.contains("Withheld sums repaid"));

    // Upload: a 3 MB file (above the form limit, within the document limit) is attached and
    // downloads byte for byte; a missing title or file gives the error summary; no CSRF token
    // is refused.
    let csrf = page.csrf_token();
    let content: Vec<u8> = (0..3 * 1024 * 1024).map(|i: u32| (i % 251) as u8).collect();
    let path = "/procure/contracts/Q99-R9A-2024/documents";
    let uploaded = finance
        .post_multipart(
            path,
            &[("csrf_token", &csrf), ("title", "Signed particulars")],
            &[("document", "particulars.pdf", &content)],
        )
        .await;
    assert_eq!(uploaded.status, StatusCode::SEE_OTHER, "{}", uploaded.body);
    let page = finance.get("/procure/contracts/Q99-R9A-2024").await;
    let href = page
        .body
        .split("href=\"")
        .filter_map(|part| part.split('"').next())
        .find(|href| {
            href.starts_with("/procure/contracts/Q99-R9A-2024/documents/") && page.body.contains("Signed particulars")
        })
        .map(str::to_owned)
        .unwrap();
    let documents = finance.get("/api/v1/contracts/Q99-R9A-2024").await.json()["documents"].clone();
    let id = documents.as_array().unwrap().iter().find(|d| d["title"] == "Signed particulars").unwrap()["id"]
        .as_i64()
        .unwrap();
    let (status, headers, bytes) = finance.get_bytes(&format!("/procure/contracts/Q99-R9A-2024/documents/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["content-type"], "application/pdf");
    assert!(headers["content-disposition"].to_str().unwrap().starts_with("attachment; filename=\"particulars.pdf\""));
    assert!(bytes == content, "the download is the upload");
    assert!(href.starts_with("/procure/contracts/Q99-R9A-2024/documents/"));
    let missing = finance.post_multipart(path, &[("csrf_token", &csrf), ("title", "")], &[]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("There is a problem") && missing.body.contains("href=\"#title\""));
    assert!(missing.body.contains("href=\"#document\"") && missing.body.contains("Choose a file to attach"));
    let forged = finance.post_multipart(path, &[("title", "Forged")], &[("document", "x.pdf", b"x")]).await;
    assert_eq!(forged.status, StatusCode::BAD_REQUEST);

    // The provider reads its contract's documents but cannot attach; another provider gets
    // not found for both.
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let (status, _, bytes) = provider.get_bytes(&format!("/procure/contracts/Q99-R9A-2024/documents/{id}")).await;
    assert_eq!((status, bytes.len()), (StatusCode::OK, content.len()));
    let own = provider.get("/procure/contracts/Q99-R9A-2024").await;
    assert!(!own.body.contains("Attach document"));
    let csrf = own.csrf_token();
    let refused = provider
        .post_multipart(path, &[("csrf_token", &csrf), ("title", "Mine")], &[("document", "x.pdf", b"x")])
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let mut other = web.signed_in("provider.b@demo.commissioner.test").await;
    let (status, _, _) = other.get_bytes(&format!("/procure/contracts/Q99-R9A-2024/documents/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A document id of another contract is not found through this one.
    let r9b = finance.get("/api/v1/contracts/Q99-R9B-2024").await.json();
    let r9b_doc = r9b["documents"][0]["id"].as_i64().unwrap();
    let (status, _, _) = finance.get_bytes(&format!("/procure/contracts/Q99-R9A-2024/documents/{r9b_doc}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn both_parties_climb_the_escalation_ladder_and_only_the_commissioner_withholds() {
    let web = TestWeb::demo().await;
    let mut finance = web.signed_in("finance@demo.commissioner.test").await;
    let page = finance.get("/procure/contracts/Q99-R9A-2024").await;
    assert!(page.body.contains("Contract performance notices") && page.body.contains("4-hour standard below 78%"));
    let csrf = page.csrf_token();
    let path = "/procure/contracts/Q99-R9A-2024/notices";
    let missing = finance.post_form(path, &[("csrf_token", &csrf), ("subject", ""), ("served_on", "2025-12-19")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("There is a problem") && missing.body.contains("href=\"#subject\""));
    let served = finance
        .post_form(path, &[("csrf_token", &csrf), ("subject", "Discharge summaries late"), ("served_on", "2025-12-19")])
        .await;
    assert_eq!(served.status, StatusCode::SEE_OTHER);
    let notice = served.location().to_owned();
    let page = finance.get(&notice).await;
    // Ten operational days after Friday 19 December 2025, across Christmas and New Year.
    assert!(page.body.contains("2026-01-07"), "{}", page.body);

    // The provider records the meeting; it cannot withhold.
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    let own = provider.get(&notice).await;
    assert!(own.body.contains("Record the next step") && !own.body.contains("Withhold payment"));
    let csrf_p = own.csrf_token();
    let events = format!("{notice}/events");
    let step = |event: &'static str, date: &'static str| vec![("event", event), ("on_date", date), ("notes", "")];
    let mut fields = step("hold_meeting", "2026-01-06");
    fields.push(("csrf_token", &csrf_p));
    assert_eq!(provider.post_form(&events, &fields).await.status, StatusCode::SEE_OTHER);
    let early = provider
        .post_form(&events, &[("csrf_token", &csrf_p), ("event", "agree_plan"), ("on_date", "2025-12-01")])
        .await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("cannot be before the notice was served"));
    for (event, date) in [("agree_plan", "2026-01-13"), ("miss_milestone", "2026-02-13")] {
        let reply = finance.post_form(&events, &[("csrf_token", &csrf), ("event", event), ("on_date", date)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{event}: {}", reply.body);
    }
    // The action plan's milestones: before the plan, none may be added; an incomplete one
    // gives the error summary; either party adds one and records it met; one past its date is
    // overdue on the notice.
    let milestones = format!("{notice}/milestones");
    let milestone = |description: &'static str, due: &'static str| {
        vec![
            ("description", description),
            ("due_on", due),
            ("milestone_owner", "Ward managers"),
            ("consequence", "Exception report to the board"),
        ]
    };
    let incomplete =
        finance.post_form(&milestones, &[("csrf_token", &csrf), ("description", "Audit discharge letters")]).await;
    assert_eq!(incomplete.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["due_on", "milestone_owner", "consequence"] {
        assert!(incomplete.body.contains(&format!("href=\"#{field}\"")), "the error summary lacks {field}");
    }
    let mut fields = milestone("Audit discharge letters weekly", "2026-01-30");
    fields.push(("csrf_token", &csrf_p));
    assert_eq!(provider.post_form(&milestones, &fields).await.status, StatusCode::SEE_OTHER);
    let mut fields = milestone("Electronic discharge summaries on every ward", "2026-02-06");
    fields.push(("csrf_token", &csrf));
    assert_eq!(finance.post_form(&milestones, &fields).await.status, StatusCode::SEE_OTHER);
    let view = finance.get(&notice).await;
    assert!(view.body.contains("Electronic discharge summaries on every ward") && view.body.contains("Overdue"));
    assert!(view.body.contains("Overdue: a milestone of the action plan"), "{}", view.body);
    let id = view
        .body
        .split("<option value=\"")
        .filter_map(|part| part.split('"').next())
        .find(|value| value.parse::<i64>().is_ok())
        .unwrap()
        .to_owned();
    let met_path = format!("{notice}/milestones/met");
    let met =
        provider.post_form(&met_path, &[("csrf_token", &csrf_p), ("milestone", &id), ("met_on", "2026-01-29")]).await;
    assert_eq!(met.status, StatusCode::SEE_OTHER, "{}", met.body);
    let again =
        provider.post_form(&met_path, &[("csrf_token", &csrf_p), ("milestone", &id), ("met_on", "2026-01-29")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already recorded as met"));
    assert!(finance.get(&notice).await.body.contains("Met 2026-01-29"));

    let refused =
        provider.post_form(&events, &[("csrf_token", &csrf_p), ("event", "withhold"), ("on_date", "2026-02-16")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let skipped =
        finance.post_form(&events, &[("csrf_token", &csrf), ("event", "close"), ("on_date", "2026-02-16")]).await;
    assert!(skipped.body.contains("cannot be closed"), "{}", skipped.body);
    let withheld = finance
        .post_form(
            &events,
            &[("csrf_token", &csrf), ("event", "withhold"), ("on_date", "2026-02-16"), ("withhold_percent", "2")],
        )
        .await;
    assert_eq!(withheld.status, StatusCode::SEE_OTHER);
    let page = finance.get(&notice).await;
    assert!(page.body.contains("Withholding payment") && page.body.contains("2% of the monthly value"));
    let met = provider
        .post_form(&events, &[("csrf_token", &csrf_p), ("event", "meet_milestone"), ("on_date", "2026-03-02")])
        .await;
    assert_eq!(met.status, StatusCode::SEE_OTHER);
    // The withholding is in February's payment statement (2% of its value before
    // withholding) and repaid in March's, when the milestone was met.
    let february = finance.get("/api/v1/contracts/Q99-R9A-2024/statement?month=2026-02").await.json();
    let lines = february["statement"]["lines"].as_array().unwrap();
    let withheld = lines.iter().find(|l| l["label"].as_str().unwrap().contains("Discharge summaries late")).unwrap();
    let before: i64 = lines
        .iter()
        .filter(|l| !l["label"].as_str().unwrap().starts_with("Withheld"))
        .map(|l| l["amount"].as_i64().unwrap())
        .sum();
    let expected = -(((before as i128) * 2 + 50) / 100) as i64;
    assert_eq!(withheld["amount"].as_i64().unwrap(), expected, "{withheld}");
    let march = finance.get("/api/v1/contracts/Q99-R9A-2024/statement?month=2026-03").await.json();
    let repaid = march["statement"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["label"].as_str().unwrap().starts_with("Withheld sums repaid: contract performance notice"))
        .unwrap()
        .clone();
    assert_eq!(repaid["amount"].as_i64().unwrap(), -expected);
    let closed = provider.get(&notice).await;
    assert!(closed.body.contains("Closed") && !closed.body.contains("Record the next step"));
    assert!(closed.body.contains("meet milestone (provider"), "every step names its party");

    // A provider serves a notice on the commissioner too; another provider sees none of it.
    let by_provider = provider
        .post_form(
            path,
            &[("csrf_token", &csrf_p), ("subject", "Late payment of invoices"), ("served_on", "2026-03-02")],
        )
        .await;
    assert_eq!(by_provider.status, StatusCode::SEE_OTHER);
    assert!(provider.get(by_provider.location()).await.body.contains("Provider"));
    let mut fields = milestone("Pay invoices within 30 days", "2026-04-30");
    fields.push(("csrf_token", &csrf_p));
    let early = provider.post_form(&format!("{}/milestones", by_provider.location()), &fields).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("once an action plan is agreed"), "{}", early.body);
    let mut other = web.signed_in("provider.b@demo.commissioner.test").await;
    assert_eq!(other.get(&notice).await.status, StatusCode::NOT_FOUND);
}
