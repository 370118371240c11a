//! Self-assessments and engagement on both backends: an item scored again replaces its score,
//! one assessment per framework and year; a person's second response replaces the first; the
//! stakeholders' invitation and response counts; outcomes numbered in order; a consultation
//! closed early; programmes kept with their links.

use store::StoreError;
use store::engagement::{AssessmentItemRecord, ConsultationRecord, ProgrammeRecord, ResponseRecord, StakeholderRecord};
use test_support::{TestDb, on_both_backends};

fn stakeholder(name: &str) -> StakeholderRecord {
    StakeholderRecord {
        id: 0,
        name: name.into(),
        kind: "healthwatch".into(),
        organisation_code: None,
        contact: String::new(),
        interests: String::new(),
        created_by: "Chris".into(),
        created_at: 1,
    }
}

fn response(consultation_id: i64, user_id: Option<i64>, stakeholder_id: Option<i64>, answer: &str) -> ResponseRecord {
    ResponseRecord {
        id: 0,
        consultation_id,
        respondent: "Someone".into(),
        respondent_kind: "public".into(),
        user_id,
        stakeholder_id,
        answers: format!("[\"{answer}\"]"),
        submitted_at: 2,
    }
}

async fn assessments_and_engagement_are_kept_whole(db: &TestDb) {
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let assessment = tx.assessment_for("competencies", 2025, "Chris", 1).await.unwrap();
    assert_eq!(tx.assessment_for("competencies", 2025, "Chris", 2).await.unwrap(), assessment);
    let item = |level: i64| AssessmentItemRecord {
        assessment_id: assessment,
        item: 6,
        level,
        evidence: "/plan/gaps".into(),
        action: String::new(),
        owner: String::new(),
        due: None,
        recorded_by: "Chris".into(),
        recorded_at: 3,
    };
    tx.put_assessment_item(&item(2)).await.unwrap();
    tx.put_assessment_item(&item(3)).await.unwrap();
    let healthwatch = tx.insert_stakeholder(&stakeholder("Healthwatch")).await.unwrap();
    let forum = tx.insert_stakeholder(&stakeholder("Patients' forum")).await.unwrap();
    let consultation = |title: &str| ConsultationRecord {
        id: 0,
        title: title.into(),
        stage: "needs".into(),
        subject: String::new(),
        summary: "Views sought".into(),
        opens: "2026-01-01".into(),
        closes: "2026-03-01".into(),
        questions: "[]".into(),
        created_by: "Chris".into(),
        created_at: 4,
    };
    let first = tx.insert_consultation(&consultation("First"), &[healthwatch, forum]).await.unwrap();
    let second = tx.insert_consultation(&consultation("Second"), &[healthwatch]).await.unwrap();
    tx.put_response(&response(first, Some(10), None, "0")).await.unwrap();
    tx.put_response(&response(first, Some(10), None, "4")).await.unwrap();
    tx.put_response(&response(first, None, Some(healthwatch), "1")).await.unwrap();
    tx.put_response(&response(first, None, Some(healthwatch), "2")).await.unwrap();
    tx.put_response(&response(second, None, Some(healthwatch), "1")).await.unwrap();
    assert_eq!(tx.add_outcome(first, "Evenings", "Evening clinics", "Chris", 5).await.unwrap(), 1);
    assert_eq!(tx.add_outcome(first, "Parking", "More spaces", "Chris", 6).await.unwrap(), 2);
    tx.close_consultation(second, "2026-02-01").await.unwrap();
    assert!(matches!(tx.close_consultation(999, "2026-02-01").await, Err(StoreError::NotFound)));
    let programme = tx
        .insert_programme(&ProgrammeRecord {
            id: 0,
            name: "Urgent care".into(),
            summary: String::new(),
            links: r#"{"contracts":["Q99-R9A-2024"]}"#.into(),
            created_by: "Chris".into(),
            created_at: 7,
        })
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let items = store.assessment_items(assessment).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].level, 3, "scoring again replaces the score");
    assert_eq!(store.assessments().await.unwrap().len(), 1);
    // The person's second response replaced the first; a stakeholder's recorded responses
    // are each kept, but count once per consultation.
    let responses = store.consultation_responses(first).await.unwrap();
    assert_eq!(responses.len(), 3);
    assert_eq!(
        responses.iter().filter(|r| r.user_id == Some(10)).map(|r| r.answers.as_str()).collect::<Vec<_>>(),
        ["[\"4\"]"]
    );
    let counts = store.stakeholder_engagement().await.unwrap();
    assert_eq!(counts[&healthwatch], (2, 2));
    assert_eq!(counts[&forum], (1, 0));
    assert_eq!(store.consultation_invitees(first).await.unwrap(), vec![healthwatch, forum]);
    let outcomes = store.consultation_outcomes(first).await.unwrap();
    assert_eq!(outcomes.iter().map(|o| o.seq).collect::<Vec<_>>(), [1, 2]);
    assert_eq!(store.consultation(second).await.unwrap().closes, "2026-02-01");
    assert_eq!(store.stakeholder(forum).await.unwrap().name, "Patients' forum");
    assert!(matches!(store.stakeholder(999).await, Err(StoreError::NotFound)));
    assert_eq!(store.programme(programme).await.unwrap().links, r#"{"contracts":["Q99-R9A-2024"]}"#);
}

on_both_backends!(assessments_and_engagement, assessments_and_engagement_are_kept_whole);
