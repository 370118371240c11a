//! Engagement: who the commissioner engages (the stakeholder register's kinds), consultations
//! attached to a stage of the cycle with their questions, checking a response against them,
//! and the analysis of the responses — each agreement question's counts with the share who
//! agree and its 95% Wilson interval, each free-text question's commonest themes, and the
//! responses by kind of respondent.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::monitor::quality::{Percentage, percentage};

/// A kind of stakeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StakeholderKind {
    PatientsGroup,
    Healthwatch,
    Clinicians,
    LocalAuthority,
    Scrutiny,
    Provider,
    Voluntary,
    /// A member of the public responding for themselves.
    Public,
}

impl StakeholderKind {
    pub const ALL: [StakeholderKind; 8] = [
        StakeholderKind::PatientsGroup,
        StakeholderKind::Healthwatch,
        StakeholderKind::Clinicians,
        StakeholderKind::LocalAuthority,
        StakeholderKind::Scrutiny,
        StakeholderKind::Provider,
        StakeholderKind::Voluntary,
        StakeholderKind::Public,
    ];

    pub fn code(self) -> &'static str {
        match self {
            StakeholderKind::PatientsGroup => "patients_group",
            StakeholderKind::Healthwatch => "healthwatch",
            StakeholderKind::Clinicians => "clinicians",
            StakeholderKind::LocalAuthority => "local_authority",
            StakeholderKind::Scrutiny => "scrutiny",
            StakeholderKind::Provider => "provider",
            StakeholderKind::Voluntary => "voluntary",
            StakeholderKind::Public => "public",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            StakeholderKind::PatientsGroup => "Patients' group",
            StakeholderKind::Healthwatch => "Healthwatch",
            StakeholderKind::Clinicians => "Clinicians",
            StakeholderKind::LocalAuthority => "Local authority",
            StakeholderKind::Scrutiny => "Scrutiny committee",
            StakeholderKind::Provider => "Provider",
            StakeholderKind::Voluntary => "Voluntary and community sector",
            StakeholderKind::Public => "Member of the public",
        }
    }

    pub fn parse(text: &str) -> Option<StakeholderKind> {
        StakeholderKind::ALL.into_iter().find(|k| k.code() == text.trim())
    }
}

/// The stage of the cycle a consultation informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsultationStage {
    Needs,
    Priorities,
    ServiceChange,
    Specification,
    Procurement,
    Evaluation,
    Strategy,
}

impl ConsultationStage {
    pub const ALL: [ConsultationStage; 7] = [
        ConsultationStage::Needs,
        ConsultationStage::Priorities,
        ConsultationStage::ServiceChange,
        ConsultationStage::Specification,
        ConsultationStage::Procurement,
        ConsultationStage::Evaluation,
        ConsultationStage::Strategy,
    ];

    pub fn code(self) -> &'static str {
        match self {
            ConsultationStage::Needs => "needs",
            ConsultationStage::Priorities => "priorities",
            ConsultationStage::ServiceChange => "service_change",
            ConsultationStage::Specification => "specification",
            ConsultationStage::Procurement => "procurement",
            ConsultationStage::Evaluation => "evaluation",
            ConsultationStage::Strategy => "strategy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ConsultationStage::Needs => "Needs assessment",
            ConsultationStage::Priorities => "Priorities",
            ConsultationStage::ServiceChange => "Service change",
            ConsultationStage::Specification => "Service specification",
            ConsultationStage::Procurement => "Procurement decision",
            ConsultationStage::Evaluation => "Evaluation",
            ConsultationStage::Strategy => "Strategy and plans",
        }
    }

    pub fn parse(text: &str) -> Option<ConsultationStage> {
        ConsultationStage::ALL.into_iter().find(|k| k.code() == text.trim())
    }
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuestionKind {
    /// Strongly agree, agree, neither, disagree, strongly disagree.
    Agreement,
    /// In the respondent's own words.
    Text,
}

/// A question of a consultation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub text: String,
    pub kind: QuestionKind,
}

/// The five answers to an agreement question, most agreeing first.
pub const AGREEMENT: [&str; 5] =
    ["Strongly agree", "Agree", "Neither agree nor disagree", "Disagree", "Strongly disagree"];

/// Where a consultation stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Upcoming,
    Open,
    Closed,
}

impl Status {
    pub fn on(opens: NaiveDate, closes: NaiveDate, today: NaiveDate) -> Status {
        if today < opens {
            Status::Upcoming
        } else if today <= closes {
            Status::Open
        } else {
            Status::Closed
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Upcoming => "Not yet open",
            Status::Open => "Open",
            Status::Closed => "Closed",
        }
    }
}

/// A response's answer to each question, in order: an agreement as its index into
/// [`AGREEMENT`] (as text, `"0"` to `"4"`), free text as written; empty where unanswered.
/// Checks the answers against the questions, returning the question (from 1) at fault.
pub fn check_answers(questions: &[Question], answers: &[String]) -> Result<(), (usize, String)> {
    if answers.len() != questions.len() {
        return Err((answers.len().min(questions.len()) + 1, "Answer each question or leave it blank".into()));
    }
    if answers.iter().all(|a| a.trim().is_empty()) {
        return Err((1, "Answer at least one question".into()));
    }
    for (idx, (question, answer)) in questions.iter().zip(answers).enumerate() {
        let answer = answer.trim();
        match question.kind {
            QuestionKind::Agreement
                if !answer.is_empty() && !matches!(answer.parse::<usize>(), Ok(choice) if choice < AGREEMENT.len()) =>
            {
                return Err((idx + 1, "Choose how far you agree".into()));
            }
            QuestionKind::Text if answer.chars().count() > 5_000 => {
                return Err((idx + 1, "Answer in 5,000 characters or fewer".into()));
            }
            _ => {}
        }
    }
    Ok(())
}

/// What the responses to one question say.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum QuestionAnalysis {
    Agreement {
        /// Responses for each answer of [`AGREEMENT`].
        counts: [i64; 5],
        answered: i64,
        /// Strongly agree or agree, of those who answered, with its 95% Wilson interval.
        agree: Option<Percentage>,
        /// Disagree or strongly disagree.
        disagree: Option<Percentage>,
    },
    Text {
        answered: i64,
        /// The commonest words (of four letters or more, not common English), by how many
        /// answers use them, most first, at most eight.
        themes: Vec<(String, i64)>,
    },
}

/// The analysis of a consultation's responses.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Analysis {
    pub responses: i64,
    /// Responses by kind of respondent.
    pub by_kind: BTreeMap<StakeholderKind, i64>,
    pub questions: Vec<QuestionAnalysis>,
}

const STOP_WORDS: &[&str] = &[
    "about", "after", "also", "because", "been", "before", "being", "could", "does", "doing", "down", "each", "even",
    "from", "have", "having", "here", "into", "just", "like", "made", "make", "many", "more", "most", "much", "must",
    "need", "only", "other", "over", "really", "same", "should", "some", "such", "than", "that", "their", "them",
    "then", "there", "these", "they", "this", "those", "very", "want", "were", "what", "when", "where", "which",
    "while", "will", "with", "would", "your", "yours",
];

fn words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .map(|w| w.trim_matches('\'').to_lowercase())
        .filter(|w| w.chars().count() >= 4 && !STOP_WORDS.contains(&w.as_str()))
        .collect()
}

/// Analyses the responses `(kind of respondent, answers)` to `questions`; answers are as
/// [`check_answers`] accepts them.
pub fn analyse(questions: &[Question], responses: &[(StakeholderKind, Vec<String>)]) -> Analysis {
    let mut by_kind = BTreeMap::new();
    for (kind, _) in responses {
        *by_kind.entry(*kind).or_insert(0) += 1;
    }
    let questions = questions
        .iter()
        .enumerate()
        .map(|(idx, question)| {
            let answers = responses
                .iter()
                .filter_map(|(_, answers)| answers.get(idx).map(|a| a.trim()))
                .filter(|a| !a.is_empty());
            match question.kind {
                QuestionKind::Agreement => {
                    let mut counts = [0_i64; 5];
                    for choice in answers.filter_map(|a| a.parse::<usize>().ok()).filter(|c| *c < 5) {
                        counts[choice] += 1;
                    }
                    let answered: i64 = counts.iter().sum();
                    QuestionAnalysis::Agreement {
                        counts,
                        answered,
                        agree: percentage(counts[0] + counts[1], answered),
                        disagree: percentage(counts[3] + counts[4], answered),
                    }
                }
                QuestionKind::Text => {
                    let mut answered = 0;
                    let mut frequency: BTreeMap<String, i64> = BTreeMap::new();
                    for answer in answers {
                        answered += 1;
                        for word in words(answer) {
                            *frequency.entry(word).or_insert(0) += 1;
                        }
                    }
                    let mut themes: Vec<(String, i64)> = frequency.into_iter().filter(|(_, n)| *n >= 2).collect();
                    themes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
                    themes.truncate(8);
                    QuestionAnalysis::Text { answered, themes }
                }
            }
        })
        .collect();
    Analysis { responses: responses.len() as i64, by_kind, questions }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question { text: "Do you agree with the proposal?".into(), kind: QuestionKind::Agreement },
            Question { text: "What would help you most?".into(), kind: QuestionKind::Text },
        ]
    }

    fn answers(agreement: &str, text: &str) -> Vec<String> {
        vec![agreement.into(), text.into()]
    }

    #[test]
    fn responses_are_checked_against_the_questions() {
        let questions = questions();
        assert_eq!(check_answers(&questions, &answers("1", "")), Ok(()));
        assert_eq!(check_answers(&questions, &answers("", "Evening clinics")), Ok(()));
        assert_eq!(check_answers(&questions, &answers("", " ")).unwrap_err().0, 1);
        assert_eq!(check_answers(&questions, &answers("5", "")).unwrap_err(), (1, "Choose how far you agree".into()));
        assert_eq!(check_answers(&questions, &["1".into()]).unwrap_err().0, 2);
        assert_eq!(check_answers(&questions, &answers("0", &"x".repeat(5_001))).unwrap_err().0, 2);
    }

    #[test]
    fn the_analysis_counts_agreement_with_wilson_intervals_and_finds_themes() {
        let responses = vec![
            (StakeholderKind::Public, answers("0", "Evening clinics near the bus station, please")),
            (StakeholderKind::Public, answers("1", "Parking at the clinic is impossible")),
            (StakeholderKind::PatientsGroup, answers("1", "More evening appointments and parking")),
            (StakeholderKind::Healthwatch, answers("3", "")),
            (StakeholderKind::Public, answers("", "Evening and weekend clinics")),
        ];
        let analysis = analyse(&questions(), &responses);
        assert_eq!(analysis.responses, 5);
        assert_eq!(analysis.by_kind[&StakeholderKind::Public], 3);
        let QuestionAnalysis::Agreement { counts, answered, agree, disagree } = &analysis.questions[0] else {
            panic!("agreement expected")
        };
        assert_eq!(counts, &[1, 2, 0, 1, 0]);
        assert_eq!(*answered, 4);
        let agree = agree.unwrap();
        // 3 of 4: Wilson's 95% interval is 30.06% to 95.44%.
        assert!((agree.value - 75.0).abs() < 1e-9);
        assert!((agree.lower - 30.0642).abs() < 1e-3, "{agree:?}");
        assert!((agree.upper - 95.4413).abs() < 1e-3, "{agree:?}");
        assert!((disagree.unwrap().value - 25.0).abs() < 1e-9);
        let QuestionAnalysis::Text { answered, themes } = &analysis.questions[1] else { panic!("text expected") };
        assert_eq!(*answered, 4);
        assert_eq!(themes[0], ("evening".to_owned(), 3));
        assert!(themes.contains(&("clinics".to_owned(), 2)));
        assert!(themes.contains(&("parking".to_owned(), 2)));
        assert!(!themes.iter().any(|(w, _)| w == "please" || w == "and"));
    }

    #[test]
    fn a_consultation_is_open_between_its_dates_inclusive() {
        let day = |d: &str| NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap();
        let (opens, closes) = (day("2026-01-05"), day("2026-03-01"));
        assert_eq!(Status::on(opens, closes, day("2026-01-04")), Status::Upcoming);
        assert_eq!(Status::on(opens, closes, opens), Status::Open);
        assert_eq!(Status::on(opens, closes, closes), Status::Open);
        assert_eq!(Status::on(opens, closes, day("2026-03-02")), Status::Closed);
        assert_eq!(ConsultationStage::parse("service_change"), Some(ConsultationStage::ServiceChange));
        assert_eq!(StakeholderKind::parse("healthwatch"), Some(StakeholderKind::Healthwatch));
    }
}
