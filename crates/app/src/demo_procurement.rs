//! The demo commissioner's procurements, made through the ordinary use cases as its staff
//! would make them: route decisions (a direct award C renewed twice, which the red flags
//! notice, and a competitive process), a specification revised after the consultation on the
//! substantial change it makes, one tender for it run from publication to an awarded contract
//! in the demo year, and one in two lots open for bids now, with a clarification answered,
//! so providers have something to bid on.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use commissioning::access::Principal;

use commissioning::procure::spec::SpecContent;

use crate::procurement::RouteInput;
use crate::specifications::ServiceChangeInput;
use crate::tenders::{AwardInput, CriterionInput, NewTender, now_utc};
use crate::{App, AppError, Result};

/// The published quality criteria of the demo tenders: the five PSR key criteria.
const CRITERIA: &str = "Quality and innovation | 30 | 2\nValue | 10\nIntegration, collaboration and sustainability | 10\n\
                        Access and inequalities | 5\nSocial value | 5";

fn at(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").expect("a demo instant")
}

fn day(text: &str) -> NaiveDate {
    commissioning::period::parse_date(text).expect("a demo date")
}

impl App {
    pub(crate) async fn demo_principal(&self, email: &str) -> Result<Principal> {
        self.principal_of(email).await?.ok_or_else(|| AppError::Invalid(format!("no demo account {email}")))
    }

    /// Records the demo procurements (after the demo accounts exist).
    pub(crate) async fn load_demo_procurements(&self) -> Result<()> {
        let chris = self.demo_principal("commissioner@demo.commissioner.test").await?;
        let eve = self.demo_principal("evaluator@demo.commissioner.test").await?;
        let cleo = self.demo_principal("clinical.lead@demo.commissioner.test").await?;
        let pat = self.demo_principal("provider@demo.commissioner.test").await?;
        let bo = self.demo_principal("provider.b@demo.commissioner.test").await?;

        let msk = RouteInput {
            title: "Community musculoskeletal services".into(),
            cpv: "85100000".into(),
            existing_provider: true,
            incumbent_satisfying: true,
            authority_driven: true,
            current_lifetime_value: "2000000.00".into(),
            new_lifetime_value: "2200000.00".into(),
            provider: "R9A".into(),
            chosen: "direct_award_c".into(),
            rationale: "The incumbent meets the current contract's KPIs and is likely to satisfy the new one; \
                        the change is not considerable"
                .into(),
            ..RouteInput::default()
        };
        // Decided in the demo year (2025/26), so its annual summary holds them.
        let decided = |text: &str| at(text).and_utc().timestamp_millis();
        self.record_route_decision_at(&chris, &msk, decided("2025-04-15 10:00")).await?;
        self.record_route_decision_at(
            &chris,
            &RouteInput {
                new_lifetime_value: "2300000.00".into(),
                current_lifetime_value: "2200000.00".into(),
                rationale: "Renewed again for one year while the musculoskeletal pathway is redesigned".into(),
                ..msk
            },
            decided("2026-02-10 10:00"),
        )
        .await?;
        self.record_route_decision_at(
            &chris,
            &RouteInput {
                title: "Community diagnostic centre".into(),
                cpv: "85111000".into(),
                chosen: "competitive".into(),
                rationale: "A new service; several providers could deliver it, so the market is tested".into(),
                ..RouteInput::default()
            },
            decided("2025-04-01 09:00"),
        )
        .await?;

        // The specification it buys, revised after the consultation on the substantial
        // change it makes, which was complete before the award.
        let mut spec = SpecContent {
            title: "Community diagnostic centre".into(),
            outcomes: "Diagnosis within six weeks of referral for everyone\nFewer journeys to the acute hospital for tests"
                .into(),
            kpis: "CDC1 | Tests reported within 7 days (%) | 90 | higher | tests reported within 7 days / tests done\n\
                   CDC2 | Patients waiting over 6 weeks for a test (%) | 1 | lower | patients waiting over 6 weeks / patients waiting"
                .into(),
            activity: "Imaging tests | 30000\nPhysiological measurement tests | 12000".into(),
            quality: "Imaging accredited to the Quality Standard for Imaging\nReports by registered clinicians".into(),
            conditional_payments: "Results sent to the GP within 48 hours | 1.25".into(),
            payment_mechanism: "block".into(),
            duration_months: "36".into(),
            answers: "Gap: diagnostic waits in the east of the area are the longest in the region\n\
                      Priority 2025/26: care closer to home"
                .into(),
        };
        let spec_id = self.create_specification(&chris, &spec).await?;
        spec.outcomes.push_str("\nEvening and weekend appointments");
        self.revise_specification(
            &chris,
            spec_id,
            1,
            &spec,
            "Evening and weekend appointments added after the consultation",
        )
        .await?;
        self.record_service_change(
            &chris,
            spec_id,
            &ServiceChangeInput {
                substantial: "true".into(),
                hosc_consulted_on: "2025-01-13".into(),
                hosc_responded_on: "2025-02-24".into(),
                hosc_response: "The committee supports the centre and asks for evening appointments".into(),
                consultation_opens: "2025-01-13".into(),
                consultation_closes: "2025-03-07".into(),
                consultation_outcome: "You said tests should be available after work; we added evening and weekend \
                                       appointments to the specification"
                    .into(),
            },
        )
        .await?;

        // A competitive tender run in the demo year, from publication to award.
        let cdc = NewTender {
            title: "Community diagnostic centre".into(),
            process: "competitive".into(),
            deadline: "2025-05-06T12:00".into(),
            price_weight: "40".into(),
            price_formula: "relative_to_lowest".into(),
            criteria: CRITERIA.into(),
            specification: spec_id.to_string(),
            required_documents: String::new(),
            pass_fail: String::new(),
            lots: String::new(),
        };
        let opened = at("2025-04-07 09:00");
        let id = self.create_tender(&chris, &cdc, opened).await?;
        self.tender_step(&chris, id, "publish", opened).await?;
        let bidding = at("2025-04-28 10:00");
        self.submit_bid(
            &pat,
            id,
            "4800000.00",
            "R9A's response to each criterion, with its mobilisation plan",
            bidding,
        )
        .await?;
        self.submit_bid(&bo, id, "4500000.00", "R9B's response to each criterion", bidding).await?;
        let closed = at("2025-05-06 13:00");
        self.tender_step(&chris, id, "close", closed).await?;
        self.tender_step(&chris, id, "start_evaluation", closed).await?;
        self.declare_interests(&eve, id, false, "", "", closed).await?;
        self.declare_interests(
            &cleo,
            id,
            true,
            "Holds an honorary contract with R9B",
            "Scores independently; the moderation is chaired by the head of contracting, who does not hold one",
            closed,
        )
        .await?;
        self.declare_interests(&chris, id, false, "", "", closed).await?;
        let scores = |list: [i64; 5], comment: &str| -> Vec<CriterionInput> {
            list.iter()
                .enumerate()
                .map(|(i, s)| CriterionInput {
                    position: i as i64 + 1,
                    score: s.to_string(),
                    comment: format!("{comment} ({s} of 5)"),
                })
                .collect()
        };
        let scoring = at("2025-05-12 15:00");
        self.score_bid(&eve, id, "R9A", &scores([4, 3, 4, 3, 3], "Evidenced"), scoring).await?;
        self.score_bid(&eve, id, "R9B", &scores([3, 3, 3, 3, 3], "Meets the requirement"), scoring).await?;
        self.score_bid(&cleo, id, "R9A", &scores([4, 3, 3, 3, 3], "Clinically sound"), scoring).await?;
        self.score_bid(&cleo, id, "R9B", &scores([3, 3, 3, 2, 3], "Adequate"), scoring).await?;
        let moderating = at("2025-05-20 10:00");
        self.tender_step(&chris, id, "start_moderation", moderating).await?;
        self.moderate_bid(&chris, id, "R9A", &scores([4, 3, 4, 3, 3], "Agreed at moderation"), moderating).await?;
        self.moderate_bid(&chris, id, "R9B", &scores([3, 3, 3, 3, 3], "Agreed at moderation"), moderating).await?;
        let intention = at("2025-06-02 09:00");
        self.issue_intention(&chris, id, "2025-06-02", intention).await?;
        let term = AwardInput { start: "2025-10-01".into(), end: "2028-09-30".into(), override_reason: String::new() };
        self.award_tender(&chris, id, &term, day("2025-06-20"), at("2025-06-20 09:00")).await?;

        // An accreditation for a service patients choose: R9A accredited, R9B waiting.
        let scheme = self
            .create_scheme(
                &chris,
                "Adult hearing services (any qualified provider)",
                "Registered with the Care Quality Commission\nAudiologists registered with the HCPC\nAccepts the national tariff price",
            )
            .await?;
        let evidence = |who: &str| {
            vec![format!("{who}: registration 1-2024"), format!("{who}: 12 registered audiologists"), "Yes".to_owned()]
        };
        self.apply_for_accreditation(&pat, scheme, &evidence("R9A")).await?;
        self.decide_accreditation(&chris, scheme, "R9A", true, "Meets every requirement").await?;
        self.apply_for_accreditation(&bo, scheme, &evidence("R9B")).await?;

        // A tender open for bids now, closing in four weeks.
        let now = now_utc();
        let deadline = (now + Duration::days(28)).format(crate::tenders::DEADLINE_FORMAT).to_string();
        let iuc = NewTender {
            title: "Integrated urgent care: NHS 111 and out of hours".into(),
            deadline,
            price_weight: "30".into(),
            criteria:
                "Quality and innovation | 40 | 2\nValue | 10\nIntegration, collaboration and sustainability | 10\n\
                       Access and inequalities | 5\nSocial value | 5"
                    .into(),
            specification: String::new(),
            required_documents: "Mobilisation plan\nBusiness continuity plan".into(),
            pass_fail: "Registered with the Care Quality Commission for the regulated activities".into(),
            lots: "NHS 111 and clinical assessment\nGP out of hours".into(),
            ..cdc
        };
        let open = self.create_tender(&chris, &iuc, now).await?;
        self.tender_step(&chris, open, "publish", now).await?;
        self.tender_step(&chris, open + 1, "publish", now).await?;
        let asked = self.ask_clarification(&bo, open, "Is the 111 clinical assessment service in scope?", now).await?;
        self.answer_clarification(&chris, open, asked, "Yes: it is part of lot 1 and priced with it", now).await?;
        Ok(())
    }
}
