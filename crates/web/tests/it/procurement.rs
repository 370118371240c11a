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

#[tokio::test]
async fn bids_are_sealed_on_pages_and_the_api_until_the_deadline_and_the_close() {
    let web = TestWeb::demo().await;
    let ids = crate::helpers::template_ids();
    let sealed = format!("/procure/tenders/{}", ids.tender);
    // The template tender's deadline is years away; R9A has bid.
    for email in ["commissioner@demo.commissioner.test", "admin@demo.commissioner.test"] {
        let mut reader = web.signed_in(email).await;
        let page = reader.get(&sealed).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.body.contains("The bids are sealed") && !page.body.contains("Our response"), "{email}");
        let api = reader.get(&format!("/api/v1/tenders/{}/bids", ids.tender)).await;
        assert_eq!(api.status, StatusCode::FORBIDDEN, "{email}");
        assert!(api.body.contains("sealed until the deadline"), "{}", api.body);
    }
    let mut r9a = web.signed_in("provider@demo.commissioner.test").await;
    assert!(r9a.get(&sealed).await.body.contains("Our response"), "the bidder reads its own");
    let mut r9b = web.signed_in("provider.b@demo.commissioner.test").await;
    let rival = r9b.get(&sealed).await;
    assert!(!rival.body.contains("Our response") && rival.body.contains("Your bid"));
    assert_eq!(r9b.get(&format!("/api/v1/tenders/{}/bids", ids.tender)).await.json(), serde_json::json!([]));

    // R9B bids through the page and the API; the commissioner cannot close before the deadline.
    let csrf = rival.csrf_token();
    let missing =
        r9b.post_form(&format!("{sealed}/bids"), &[("csrf_token", &csrf), ("price", ""), ("response", "x")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#price\""));
    let placed = r9b
        .post_form(
            &format!("{sealed}/bids"),
            &[("csrf_token", &csrf), ("price", "990000.00"), ("response", "R9B's response")],
        )
        .await;
    assert_eq!(placed.status, StatusCode::SEE_OTHER, "{}", placed.body);
    let api = r9b
        .post_api_as(
            &format!("/api/v1/tenders/{}/bids", ids.tender),
            &csrf,
            "application/json",
            r#"{"price": "980000.00", "response": "Revised"}"#,
        )
        .await;
    assert_eq!(api.status, StatusCode::NO_CONTENT, "{}", api.body);
    assert_eq!(r9b.get(&format!("/api/v1/tenders/{}/bids", ids.tender)).await.json()[0]["response"], "Revised");
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let csrf = commissioner.get(&sealed).await.csrf_token();
    let early = commissioner.post_form(&format!("{sealed}/events"), &[("csrf_token", &csrf), ("event", "close")]).await;
    assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(early.body.contains("cannot close before its deadline"), "{}", early.body);

    // A tender whose deadline has passed: sealed until closed, then open to the commissioner.
    let buyer = commissioning::access::Principal {
        user_id: 2,
        name: "Chris".into(),
        organisation: commissioning::org::OdsCode::parse("Q99").unwrap(),
        organisation_kind: commissioning::org::OrgKind::Commissioner,
        roles: [commissioning::access::Role::Commissioner].into(),
        api_token: None,
    };
    let bidder = commissioning::access::Principal {
        organisation: commissioning::org::OdsCode::parse("R9A").unwrap(),
        organisation_kind: commissioning::org::OrgKind::Provider,
        roles: [commissioning::access::Role::Provider].into(),
        ..buyer.clone()
    };
    let now = app::tenders::now_utc();
    let earlier = now - chrono::Duration::hours(3);
    let input = app::tenders::NewTender {
        title: "Urgent treatment centre".into(),
        process: "competitive".into(),
        deadline: (now - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string(),
        price_weight: "30".into(),
        price_formula: "relative_to_lowest".into(),
        criteria: "Quality | 70 | 2".into(),
        specification: String::new(),
        required_documents: String::new(),
        pass_fail: String::new(),
        lots: String::new(),
    };
    let id = web.app.create_tender(&buyer, &input, earlier).await.unwrap();
    web.app.tender_step(&buyer, id, "publish", earlier).await.unwrap();
    web.app.submit_bid(&bidder, id, "2000000.00", "UTC bid", earlier).await.unwrap();
    let path = format!("/procure/tenders/{id}");
    assert!(
        commissioner.get(&path).await.body.contains("The bids are sealed"),
        "published past its deadline: still sealed"
    );
    let closed = commissioner.post_form(&format!("{path}/events"), &[("csrf_token", &csrf), ("event", "close")]).await;
    assert_eq!(closed.status, StatusCode::SEE_OTHER, "{}", closed.body);
    let open = commissioner.get(&path).await;
    assert!(open.body.contains("UTC bid") && open.body.contains("Bids received"));
    assert_eq!(commissioner.get(&format!("/api/v1/tenders/{id}/bids")).await.json()[0]["bidder"], "R9A");
    assert_eq!(
        r9b.get(&format!("/api/v1/tenders/{id}/bids")).await.json(),
        serde_json::json!([]),
        "a rival still reads none"
    );
}

#[tokio::test]
async fn evaluators_declare_score_independently_and_moderation_ranks_the_bids() {
    let web = TestWeb::demo().await;
    let person = |org: &str, kind: commissioning::org::OrgKind, role: commissioning::access::Role| {
        commissioning::access::Principal {
            user_id: 2,
            name: "Setup".into(),
            organisation: commissioning::org::OdsCode::parse(org).unwrap(),
            organisation_kind: kind,
            roles: [role].into(),
            api_token: None,
        }
    };
    use commissioning::access::Role;
    use commissioning::org::OrgKind;
    let buyer = person("Q99", OrgKind::Commissioner, Role::Commissioner);
    let now = app::tenders::now_utc();
    let earlier = now - chrono::Duration::hours(3);
    let input = app::tenders::NewTender {
        title: "Urgent treatment centre".into(),
        process: "competitive".into(),
        deadline: (now - chrono::Duration::hours(1)).format("%Y-%m-%dT%H:%M").to_string(),
        price_weight: "40".into(),
        price_formula: "relative_to_lowest".into(),
        criteria: "Quality | 40 | 2\nSocial value | 20".into(),
        specification: String::new(),
        required_documents: String::new(),
        pass_fail: String::new(),
        lots: String::new(),
    };
    let id = web.app.create_tender(&buyer, &input, earlier).await.unwrap();
    web.app.tender_step(&buyer, id, "publish", earlier).await.unwrap();
    web.app
        .submit_bid(&person("R9A", OrgKind::Provider, Role::Provider), id, "2000000.00", "R9A offer", earlier)
        .await
        .unwrap();
    web.app
        .submit_bid(&person("R9B", OrgKind::Provider, Role::Provider), id, "1600000.00", "R9B offer", earlier)
        .await
        .unwrap();
    let path = format!("/procure/tenders/{id}");

    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let csrf_c = commissioner.get(&path).await.csrf_token();
    for event in ["close", "start_evaluation"] {
        let reply =
            commissioner.post_form(&format!("{path}/events"), &[("csrf_token", &csrf_c), ("event", event)]).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{event}: {}", reply.body);
    }
    // The evaluator must declare before seeing bids; then scores each bid, with comments.
    let mut evaluator = web.signed_in("evaluator@demo.commissioner.test").await;
    let page = evaluator.get(&path).await;
    assert!(page.body.contains("Declare interests") && !page.body.contains("R9A offer"));
    let csrf = page.csrf_token();
    let vague = evaluator
        .post_form(&format!("{path}/declarations"), &[("csrf_token", &csrf), ("has_conflict", "true"), ("details", "")])
        .await;
    assert_eq!(vague.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(vague.body.contains("href=\"#details\""));
    let declared =
        evaluator.post_form(&format!("{path}/declarations"), &[("csrf_token", &csrf), ("has_conflict", "false")]).await;
    assert_eq!(declared.status, StatusCode::SEE_OTHER);
    let page = evaluator.get(&path).await;
    assert!(page.body.contains("Your scores") && page.body.contains("R9A offer"));
    let missing = evaluator
        .post_form(
            &format!("{path}/scores"),
            &[
                ("csrf_token", &csrf),
                ("bidder", "R9A"),
                ("score_1", "4"),
                ("comment_1", "Good"),
                ("score_2", "3"),
                ("comment_2", ""),
            ],
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#comment_2\""), "{}", missing.body);
    for (bidder, a, b) in [("R9A", "5", "4"), ("R9B", "3", "3")] {
        let fields = [
            ("csrf_token", csrf.as_str()),
            ("bidder", bidder),
            ("score_1", a),
            ("comment_1", "Evidence"),
            ("score_2", b),
            ("comment_2", "Plan"),
        ];
        assert_eq!(evaluator.post_form(&format!("{path}/scores"), &fields).await.status, StatusCode::SEE_OTHER);
    }
    // Moderation: the commissioner sees every evaluator's scores and agrees the consensus.
    let reply = commissioner
        .post_form(&format!("{path}/events"), &[("csrf_token", &csrf_c), ("event", "start_moderation")])
        .await;
    assert_eq!(reply.status, StatusCode::SEE_OTHER);
    let page = commissioner.get(&path).await;
    assert!(page.body.contains("Scores of R9A: each evaluator") && page.body.contains("Evidence"));
    let csrf_c = page.csrf_token();
    for (bidder, a, b) in [("R9A", "5", "4"), ("R9B", "3", "2")] {
        let fields = [
            ("csrf_token", csrf_c.as_str()),
            ("bidder", bidder),
            ("score_1", a),
            ("reason_1", "Agreed"),
            ("score_2", b),
            ("reason_2", "Agreed"),
        ];
        let reply = commissioner.post_form(&format!("{path}/moderation"), &fields).await;
        assert_eq!(reply.status, StatusCode::SEE_OTHER, "{}", reply.body);
    }
    // R9A: 40 + 16 + 40 × 1.6/2.0 = 88; R9B: 24 + 8 + 40 = 72.
    let result = commissioner.get(&format!("/api/v1/tenders/{id}/evaluation")).await.json();
    let results = result["results"].as_array().unwrap();
    assert_eq!(
        (results[0]["bidder"].as_str(), results[0]["total"].as_f64(), results[0]["rank"].as_i64()),
        (Some("R9A"), Some(88.0), Some(1))
    );
    assert_eq!((results[1]["total"].as_f64(), results[1]["rank"].as_i64()), (Some(72.0), Some(2)));
    assert!(commissioner.get(&path).await.body.contains("Bids by rank, from the moderated scores"));

    // The intention to award (published a month ago, so the standstill is over), then the
    // award, which creates the contract in the register.
    let published = (chrono::Local::now().date_naive() - chrono::Duration::days(30)).to_string();
    let bad = commissioner
        .post_form(&format!("{path}/intention"), &[("csrf_token", &csrf_c), ("published_on", "soon")])
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("href=\"#published_on\""), "{}", bad.body);
    let issued = commissioner
        .post_form(&format!("{path}/intention"), &[("csrf_token", &csrf_c), ("published_on", &published)])
        .await;
    assert_eq!(issued.status, StatusCode::SEE_OTHER, "{}", issued.body);
    let page = commissioner.get(&path).await;
    assert!(page.body.contains("Standstill ends") && page.body.contains("Award the contract"));
    let reversed = commissioner
        .post_form(&format!("{path}/award"), &[("csrf_token", &csrf_c), ("start", "2027-04-01"), ("end", "2026-03-31")])
        .await;
    assert_eq!(reversed.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(reversed.body.contains("href=\"#end\""), "{}", reversed.body);
    let awarded = commissioner
        .post_form(&format!("{path}/award"), &[("csrf_token", &csrf_c), ("start", "2027-04-01"), ("end", "2030-03-31")])
        .await;
    assert_eq!(awarded.status, StatusCode::SEE_OTHER, "{}", awarded.body);
    assert_eq!(awarded.location(), format!("/procure/contracts/Q99-R9A-T{id}"));
    let contract = commissioner.get(awarded.location()).await;
    assert_eq!(contract.status, StatusCode::OK);
    assert!(contract.body.contains("Urgent treatment centre"));
}

#[tokio::test]
async fn procurements_are_published_as_ocds_and_red_flags_listed_for_the_commissioner() {
    let web = TestWeb::demo().await;
    // Published openly: no sign-in.
    let package = web.client().get("/api/v1/ocds/release-package").await;
    assert_eq!(package.status, StatusCode::OK);
    let package = package.json();
    assert_eq!(package["version"], "1.1");
    let releases = package["releases"].as_array().unwrap();
    assert!(releases.iter().any(|r| r["tag"] == serde_json::json!(["tender", "award", "contract"])));
    assert!(releases.iter().all(|r| r["tender"]["status"] != "draft"));

    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = commissioner.get("/procure/red-flags").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Repeated direct award C") && page.body.contains("Contract with no KPIs"),
        "{}",
        page.body
    );
    assert!(page.body.contains("href=\"/procure/red-flags.csv\""));
    let (status, headers, csv) = commissioner.get_bytes("/procure/red-flags.csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("indicator,name,id,title,buyer,detail\n") && csv.contains("\nC003,"), "{csv}");
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    assert_eq!(provider.get("/procure/red-flags").await.status, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_specification_is_versioned_compared_and_gates_a_substantial_change() {
    let web = TestWeb::demo().await;
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let form = commissioner.get("/procure/specifications/new").await;
    assert_eq!(form.status, StatusCode::OK);
    let csrf = form.csrf_token();
    // Missing and malformed fields come back in the error summary, each linked to its field.
    let refused = commissioner
        .post_form(
            "/procure/specifications",
            &[("csrf_token", &csrf), ("title", "Wound care"), ("kpis", "WC1 | Healed")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    for field in ["outcomes", "kpis", "payment_mechanism", "duration_months", "answers"] {
        assert!(refused.body.contains(&format!("href=\"#{field}\"")), "{field}: {}", refused.body);
    }
    let fields = [
        ("csrf_token", csrf.as_str()),
        ("title", "Community wound care"),
        ("outcomes", "Wounds healed within 12 weeks"),
        ("kpis", "WC1 | Wounds healed within 12 weeks (%) | 70 | higher | healed within 12 weeks / wounds treated"),
        ("payment_mechanism", "block"),
        ("duration_months", "24"),
        ("answers", "Gap: leg ulcer care in the north"),
    ];
    let created = commissioner.post_form("/procure/specifications", &fields).await;
    assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
    let page_url = created.location().to_owned();
    let mut revised = fields.to_vec();
    revised.retain(|(f, _)| *f != "duration_months");
    revised.extend([
        ("duration_months", "36"),
        ("based_on", "1"),
        ("note", "Three years for the workforce to be recruited"),
    ]);
    let saved = commissioner.post_form(&format!("{page_url}/versions"), &revised).await;
    assert_eq!(saved.status, StatusCode::SEE_OTHER, "{}", saved.body);
    // Saving on top of an old version is refused, not lost silently.
    let stale = commissioner.post_form(&format!("{page_url}/versions"), &revised).await;
    assert_eq!(stale.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(stale.body.contains("Version 2 has been saved since you began"));
    let page = commissioner.get(&page_url).await;
    assert!(
        page.body.contains("Changes from version 1 to version 2") && page.body.contains("Added: 36"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Removed: 24"));

    // A substantial change with its consultation to come holds the award.
    let change = commissioner
        .post_form(
            &format!("{page_url}/service-change"),
            &[
                ("csrf_token", &csrf),
                ("substantial", "true"),
                ("consultation_opens", "2025-01-01"),
                ("consultation_closes", "2024-12-01"),
            ],
        )
        .await;
    assert_eq!(change.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(change.body.contains("href=\"#consultation_closes\""));
    let change = commissioner
        .post_form(&format!("{page_url}/service-change"), &[("csrf_token", &csrf), ("substantial", "true")])
        .await;
    assert_eq!(change.status, StatusCode::SEE_OTHER);
    let page = commissioner.get(&page_url).await;
    assert!(
        page.body.contains("Award held") && page.body.contains("consult the Health Overview and Scrutiny Committee")
    );
    // The demo's tender publishes its specification to bidders.
    let mut provider = web.signed_in("provider@demo.commissioner.test").await;
    assert_eq!(provider.get(&page_url).await.status, StatusCode::FORBIDDEN);
    // The awarded tender's intention-to-award notice, with Schedule 10's content.
    let awarded = commissioner.get("/procure/tenders/1").await.body;
    for expected in [
        "Intention to award notice",
        "intends to award this contract to",
        "Quality and innovation (30 points): scored 4 of 5",
        "Holds an honorary contract with R9B",
        "No framework agreement was used",
        "2025-06-12 (midnight)",
    ] {
        assert!(awarded.contains(expected), "{expected}: {awarded}");
    }
    let tender = provider.get("/procure/tenders/1").await;
    assert!(
        tender.body.contains("Service specification") && tender.body.contains("CDC1 | Tests reported"),
        "{}",
        tender.body
    );
    assert!(!tender.body.contains("href=\"/procure/specifications/"), "bidders read it on the tender");
}

#[tokio::test]
async fn clarifications_reach_every_bidder_unnamed_and_a_bid_is_checked_complete() {
    let web = TestWeb::demo().await;
    // The demo's open tender: R9B's question is answered; R9A reads it without R9B's name.
    let open = "/procure/tenders/2";
    let mut r9a = web.signed_in("provider@demo.commissioner.test").await;
    let page = r9a.get(open).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("Is the 111 clinical assessment service in scope?") && page.body.contains("part of lot 1")
    );
    assert!(!page.body.contains("R9B"), "the asker is not named to bidders");
    assert!(page.body.contains("Your bid is incomplete"));
    // It is the first of two lots, each bid for on its own.
    assert!(page.body.contains("Lot 1 of 2") && page.body.contains("href=\"/procure/tenders/3\""), "{}", page.body);
    let csrf = page.csrf_token();
    // R9A asks: only R9A and the commissioner see it until it is answered.
    let asked = r9a
        .post_form(&format!("{open}/clarifications"), &[("csrf_token", &csrf), ("question", "Can sites be shared?")])
        .await;
    assert_eq!(asked.status, StatusCode::SEE_OTHER);
    let empty = r9a.post_form(&format!("{open}/clarifications"), &[("csrf_token", &csrf), ("question", " ")]).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(empty.body.contains("href=\"#question\""));
    let mut r9b = web.signed_in("provider.b@demo.commissioner.test").await;
    assert!(!r9b.get(open).await.body.contains("Can sites be shared?"));
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = commissioner.get(open).await;
    assert!(page.body.contains("Can sites be shared?") && page.body.contains("(asked by R9A)"));
    let csrf_c = page.csrf_token();
    let answered = commissioner
        .post_form(
            &format!("{open}/clarifications/2"),
            &[("csrf_token", &csrf_c), ("answer", "Yes, with the commissioner's agreement")],
        )
        .await;
    assert_eq!(answered.status, StatusCode::SEE_OTHER);
    let again =
        commissioner.post_form(&format!("{open}/clarifications/2"), &[("csrf_token", &csrf_c), ("answer", "No")]).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("already been answered"));
    let seen = r9b.get(open).await.body;
    assert!(seen.contains("Can sites be shared?") && seen.contains("Yes, with the commissioner"), "{seen}");
    assert!(!seen.contains("R9A"));

    // R9A's task list: the pass/fail answer needs evidence for a yes; then the documents.
    let no_evidence = r9a.post_form(&format!("{open}/answers"), &[("csrf_token", &csrf), ("answer_1", "yes")]).await;
    assert_eq!(no_evidence.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_evidence.body.contains("href=\"#evidence_1\""), "{}", no_evidence.body);
    let answers = r9a
        .post_form(
            &format!("{open}/answers"),
            &[("csrf_token", &csrf), ("answer_1", "yes"), ("evidence_1", "CQC registration 1-101")],
        )
        .await;
    assert_eq!(answers.status, StatusCode::SEE_OTHER);
    let bid = r9a
        .post_form(&format!("{open}/bids"), &[("csrf_token", &csrf), ("price", "900000.00"), ("response", "Ours")])
        .await;
    assert_eq!(bid.status, StatusCode::SEE_OTHER);
    for (n, name) in [("1", "mobilisation.pdf"), ("2", "continuity.pdf")] {
        let upload = r9a
            .post_multipart(
                &format!("{open}/documents"),
                &[("csrf_token", &csrf), ("document", n)],
                &[("file", name, b"%PDF-1.4 plan")],
            )
            .await;
        assert_eq!(upload.status, StatusCode::SEE_OTHER, "{}", upload.body);
    }
    let missing =
        r9a.post_multipart(&format!("{open}/documents"), &[("csrf_token", &csrf), ("document", "1")], &[]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    let page = r9a.get(open).await;
    assert!(page.body.contains("Your bid is complete") && page.body.contains("(continuity.pdf)"), "{}", page.body);
    // Another provider's task list is its own.
    assert!(r9b.get(open).await.body.contains("Your bid is incomplete"));
}

#[tokio::test]
async fn any_qualified_provider_accreditation_takes_applications_and_decisions() {
    let web = TestWeb::demo().await;
    // The demo's scheme: R9A accredited, R9B waiting; each provider sees only its own.
    let mut r9b = web.signed_in("provider.b@demo.commissioner.test").await;
    let page = r9b.get("/procure/accreditation/1").await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Registered with the Care Quality Commission") && page.body.contains("pending"));
    assert!(!page.body.contains("R9A"), "another provider's application is not shown");
    let csrf = page.csrf_token();
    let missing =
        r9b.post_form("/procure/accreditation/1/applications", &[("csrf_token", &csrf), ("evidence_1", "Reg 1")]).await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("href=\"#evidence_2\""));
    let mut commissioner = web.signed_in("commissioner@demo.commissioner.test").await;
    let page = commissioner.get("/procure/accreditation/1").await;
    assert!(page.body.contains("R9A") && page.body.contains("accredited") && page.body.contains("Decision on R9B"));
    let csrf_c = page.csrf_token();
    let no_reason = commissioner
        .post_form(
            "/procure/accreditation/1/decisions",
            &[("csrf_token", &csrf_c), ("provider", "R9B"), ("decision", "refuse")],
        )
        .await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_reason.body.contains("href=\"#reason\""));
    let refused = commissioner
        .post_form(
            "/procure/accreditation/1/decisions",
            &[
                ("csrf_token", &csrf_c),
                ("provider", "R9B"),
                ("decision", "refuse"),
                ("reason", "No HCPC registrations given"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::SEE_OTHER);
    assert!(r9b.get("/procure/accreditation/1").await.body.contains("No HCPC registrations given"));
    // A decided application is not reopened.
    let again = r9b
        .post_form(
            "/procure/accreditation/1/applications",
            &[("csrf_token", &csrf), ("evidence_1", "a"), ("evidence_2", "b"), ("evidence_3", "c")],
        )
        .await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("has been decided"));
}
