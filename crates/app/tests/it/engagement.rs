//! Self-assessment, engagement and the cycle view on the generated demo: the competencies'
//! gaps feed the organisational development plan and show their trend; consultations take
//! responses from the public and from stakeholders, once each, only while open, and publish
//! their analysis when closed; the engagement record shows on the decision consulted on; and
//! the demo programme's cycle view gathers its artefacts with their audit trail. Bad input
//! names its field and writes nothing.

use app::AppError;
use app::assessment::ScoreInput;
use app::cycle::{CycleStage, ProgrammeInput};
use app::demo::DemoOptions;
use app::engagement::{ConsultationInput, StakeholderInput};
use app::progress::Silent;
use commissioning::access::Role;
use commissioning::org::OrgKind;
use commissioning::period::FinancialYear;
use commissioning::strategy::PlanKind;
use commissioning::strategy::assessment::{Framework, Movement};
use commissioning::strategy::engagement::{QuestionAnalysis, StakeholderKind, Status};

use crate::{app, principal};

fn invalid_field(error: AppError) -> String {
    match error {
        AppError::Invalid(message) => message.split(':').next().unwrap_or_default().to_owned(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn assessments_engagement_and_the_cycle_view_on_the_demo() {
    let (app, _db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 5, rows: 2_000, reference_data: None }, &Silent).await.unwrap();
    let commissioner = principal("Q99", OrgKind::Commissioner, Role::Commissioner);
    let scrutiny = principal("Q99", OrgKind::ScrutinyCommittee, Role::Scrutiny);

    // Competencies: two years, market stimulation still below level 3 in 2025/26.
    let competencies = app.assessment(&scrutiny, Framework::Competencies, None).await.unwrap();
    assert_eq!(competencies.period, FinancialYear::starting(2025));
    assert_eq!(competencies.periods, vec![FinancialYear::starting(2024), FinancialYear::starting(2025)]);
    let gap_items: Vec<usize> = competencies.gaps.iter().map(|g| g.item).collect();
    assert_eq!(gap_items, vec![6]);
    assert_eq!(competencies.gaps[0].name, "Stimulate the market");
    assert!(competencies.gaps[0].action.contains("market engagement"));
    assert_eq!(competencies.trend[2].movement, Movement::Improved);
    assert_eq!(competencies.trend[2].levels, vec![Some(1), Some(3)]);
    // The assurance view: the operating plan's objectives under the competencies they develop.
    let tagged: Vec<(usize, &str)> = competencies.assurance.iter().map(|a| (a.item, a.objective.as_str())).collect();
    assert_eq!(tagged.len(), 5, "{tagged:?}");
    assert_eq!(tagged[0], (5, "Incomplete pathways within 18 weeks"));
    assert!(tagged.contains(&(10, "Patients waiting over 52 weeks")));
    assert!(app.assessment(&scrutiny, Framework::Procurement, None).await.unwrap().assurance.is_empty());
    let operating =
        app.plans(&commissioner).await.unwrap().into_iter().find(|p| p.kind == PlanKind::Operating).unwrap();
    let objective = app::strategy::ObjectiveInput {
        title: "Same-day emergency care".into(),
        measure: "kpi:Q99-R9A-2024:AE4".into(),
        baseline: "70".into(),
        target: "75".into(),
        better: "higher".into(),
        starts: "2025-04-01".into(),
        due: "2026-03-31".into(),
        competencies: "10, 12".into(),
        ..app::strategy::ObjectiveInput::default()
    };
    assert_eq!(
        invalid_field(app.add_objective(&commissioner, operating.id, &objective).await.unwrap_err()),
        "competencies"
    );
    let means: Vec<f64> = competencies.means.iter().map(|m| m.unwrap()).collect();
    assert!((means[0] - 22.0 / 11.0).abs() < 1e-9 && (means[1] - 33.0 / 11.0).abs() < 1e-9, "{means:?}");
    // The development plan of 2025/26 takes on the competency and procurement gaps; the
    // commissioning checklist was never assessed, so it adds none.
    let plans = app.plans(&commissioner).await.unwrap();
    let development = plans.iter().find(|p| p.kind == PlanKind::Development).unwrap();
    let gaps: Vec<(Framework, usize)> = development.development_gaps.iter().map(|g| (g.framework, g.item)).collect();
    assert_eq!(gaps, vec![(Framework::Competencies, 6), (Framework::Procurement, 8)]);
    assert!(plans.iter().filter(|p| p.kind != PlanKind::Development).all(|p| p.development_gaps.is_empty()));

    // Bad scores name their field and write nothing; scrutiny may read but not score.
    let good = ScoreInput {
        framework: "commissioning".into(),
        period: "2025/26".into(),
        item: "1".into(),
        level: "2".into(),
        evidence: "/plan/needs".into(),
        ..ScoreInput::default()
    };
    for (input, field) in [
        (ScoreInput { level: "3".into(), ..good.clone() }, "level"),
        (ScoreInput { item: "11".into(), ..good.clone() }, "item"),
        (ScoreInput { period: "2025".into(), ..good.clone() }, "period"),
        (ScoreInput { evidence: " ".into(), ..good.clone() }, "evidence"),
        (ScoreInput { level: "1".into(), ..good.clone() }, "action"),
        (ScoreInput { framework: "wcc".into(), ..good.clone() }, "framework"),
    ] {
        assert_eq!(invalid_field(app.score_assessment_item(&commissioner, &input).await.unwrap_err()), field);
    }
    assert!(matches!(app.score_assessment_item(&scrutiny, &good).await, Err(AppError::Forbidden)));
    let unchanged = app.assessment(&commissioner, Framework::Commissioning, None).await.unwrap();
    assert!(unchanged.periods.is_empty());
    app.score_assessment_item(&commissioner, &good).await.unwrap();
    app.score_assessment_item(
        &commissioner,
        &ScoreInput { level: "1".into(), action: "Refresh the JSNA".into(), owner: "Analyst".into(), ..good.clone() },
    )
    .await
    .unwrap();
    let scored = app.assessment(&commissioner, Framework::Commissioning, None).await.unwrap();
    assert_eq!(scored.items[0].score.as_ref().map(|s| s.level), Some(1), "scoring again replaces");
    assert_eq!(scored.gaps.len(), 10);

    // Engagement: the register, and the demo's two consultations.
    let stakeholders = app.stakeholders(&scrutiny).await.unwrap();
    assert_eq!(stakeholders.len(), 7);
    let healthwatch = stakeholders.iter().find(|s| s.kind == StakeholderKind::Healthwatch).unwrap();
    assert_eq!((healthwatch.invited, healthwatch.responded), (2, 2));
    let consultations = app.consultations(&commissioner).await.unwrap();
    assert_eq!(consultations.len(), 2);
    let closed = consultations.iter().find(|c| c.status == Status::Closed).unwrap();
    let open = consultations.iter().find(|c| c.status == Status::Open).unwrap();
    let view = app.consultation(&commissioner, closed.id).await.unwrap();
    assert_eq!(view.analysis.responses, 4);
    assert_eq!(view.analysis.by_kind[&StakeholderKind::Public], 1);
    let QuestionAnalysis::Agreement { counts, agree, .. } = &view.analysis.questions[0] else { panic!() };
    assert_eq!(counts, &[1, 2, 0, 1, 0]);
    assert!((agree.unwrap().value - 75.0).abs() < 1e-9);
    let QuestionAnalysis::Text { themes, .. } = &view.analysis.questions[1] else { panic!() };
    assert_eq!(themes[0].0, "evening");
    assert_eq!(view.outcomes.len(), 1);
    // The public sees the closed one's analysis and outcome, the open one's questions only.
    let public_closed = app.public_consultation(closed.id).await.unwrap();
    assert!(public_closed.analysis.is_some());
    assert_eq!(public_closed.outcomes.len(), 1);
    assert!(app.public_consultation(open.id).await.unwrap().analysis.is_none());

    // A member of the public responds once: responding again replaces the response.
    let public = principal("Q99", OrgKind::Commissioner, Role::Public);
    let before = app.consultation(&commissioner, open.id).await.unwrap().analysis.responses;
    let answers = |a: &str, b: &str| vec![a.to_owned(), b.to_owned()];
    app.respond_to_consultation(&public, open.id, &answers("4", "Nowhere near me")).await.unwrap();
    app.respond_to_consultation(&public, open.id, &answers("3", "Near the station")).await.unwrap();
    let after = app.consultation(&commissioner, open.id).await.unwrap();
    assert_eq!(after.analysis.responses, before + 1);
    assert_eq!(
        invalid_field(app.respond_to_consultation(&public, open.id, &answers("7", "")).await.unwrap_err()),
        "answer_1"
    );
    assert_eq!(
        invalid_field(app.respond_to_consultation(&public, closed.id, &answers("1", "")).await.unwrap_err()),
        "answers"
    );
    let mut token = public.clone();
    token.api_token = Some(9);
    assert!(matches!(app.respond_to_consultation(&token, open.id, &answers("1", "")).await, Err(AppError::Forbidden)));

    // The engagement record shows on the decision consulted on.
    let subject = open.subject.clone();
    assert!(subject.starts_with("decision:"), "{subject}");
    let record = app.engagement_record(&commissioner, &subject).await.unwrap();
    assert_eq!(record.iter().map(|c| c.id).collect::<Vec<_>>(), vec![open.id]);

    // A consultation with bad input names its field and is not recorded.
    let consultation = ConsultationInput {
        title: "Minor injuries".into(),
        stage: "needs".into(),
        subject: "specification:999".into(),
        summary: "Where minor injuries units should be".into(),
        opens: "2026-01-01".into(),
        closes: "2026-02-01".into(),
        agreement_questions: "Units should open until 10pm".into(),
        ..ConsultationInput::default()
    };
    assert_eq!(invalid_field(app.create_consultation(&commissioner, &consultation).await.unwrap_err()), "subject");
    let bad_dates = ConsultationInput { subject: String::new(), closes: "2025-12-01".into(), ..consultation.clone() };
    assert_eq!(invalid_field(app.create_consultation(&commissioner, &bad_dates).await.unwrap_err()), "closes");
    let bad_invitee = ConsultationInput { subject: String::new(), invitees: "1,99".into(), ..consultation.clone() };
    assert_eq!(invalid_field(app.create_consultation(&commissioner, &bad_invitee).await.unwrap_err()), "invitees");
    assert_eq!(app.consultations(&commissioner).await.unwrap().len(), 2);
    let bad_stakeholder = StakeholderInput {
        name: "Trust".into(),
        kind: "provider".into(),
        organisation_code: "ZZZ".into(),
        ..StakeholderInput::default()
    };
    assert_eq!(
        invalid_field(app.add_stakeholder(&commissioner, &bad_stakeholder).await.unwrap_err()),
        "organisation_code"
    );

    // The demo programme has reached evaluation or monitoring, with its trail.
    let programmes = app.programmes(&scrutiny).await.unwrap();
    assert_eq!(programmes.len(), 1);
    let cycle = app.programme_cycle(&scrutiny, programmes[0].id).await.unwrap();
    let kinds: Vec<&str> = cycle.artefacts.iter().map(|a| a.kind).collect();
    for kind in ["Plan", "Objective", "Specification", "Contract", "Consultation"] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
    assert!(cycle.current >= CycleStage::Monitor, "{:?}", cycle.current);
    assert!(cycle.trail.iter().any(|t| t.action == "create programme" && t.actor == "Chris Commissioner"));
    assert!(cycle.trail.iter().any(|t| t.object.starts_with("strategy plan")));
    let bad_programme = ProgrammeInput { name: "X".into(), contracts: "NOPE".into(), ..ProgrammeInput::default() };
    assert_eq!(invalid_field(app.create_programme(&commissioner, &bad_programme).await.unwrap_err()), "contracts");
}
