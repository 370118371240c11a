//! A tender's lifecycle as an explicit state machine, and the rule that keeps bids sealed
//! until the deadline.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

/// Where a tender stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderStage {
    Draft,
    Published,
    Clarification,
    Closed,
    Evaluation,
    Moderation,
    IntentionToAward,
    Standstill,
    Awarded,
    Cancelled,
}

/// What moves a tender on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TenderEvent {
    Publish,
    OpenClarification,
    /// The deadline for bids has passed.
    Close,
    StartEvaluation,
    StartModeration,
    IssueIntentionToAward,
    StartStandstill,
    Award,
    Cancel,
}

impl TenderStage {
    pub const ALL: [TenderStage; 10] = [
        TenderStage::Draft,
        TenderStage::Published,
        TenderStage::Clarification,
        TenderStage::Closed,
        TenderStage::Evaluation,
        TenderStage::Moderation,
        TenderStage::IntentionToAward,
        TenderStage::Standstill,
        TenderStage::Awarded,
        TenderStage::Cancelled,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TenderStage::Draft => "draft",
            TenderStage::Published => "published",
            TenderStage::Clarification => "clarification",
            TenderStage::Closed => "closed",
            TenderStage::Evaluation => "evaluation",
            TenderStage::Moderation => "moderation",
            TenderStage::IntentionToAward => "intention_to_award",
            TenderStage::Standstill => "standstill",
            TenderStage::Awarded => "awarded",
            TenderStage::Cancelled => "cancelled",
        }
    }

    pub fn parse(text: &str) -> Option<TenderStage> {
        TenderStage::ALL.into_iter().find(|s| s.code() == text)
    }

    pub fn is_final(self) -> bool {
        matches!(self, TenderStage::Awarded | TenderStage::Cancelled)
    }

    /// Whether bidders may still submit or change bids (before the deadline closes it).
    pub fn takes_bids(self) -> bool {
        matches!(self, TenderStage::Published | TenderStage::Clarification)
    }

    /// The lifecycle, as a table:
    ///
    /// | from | event | to |
    /// |---|---|---|
    /// | draft | publish | published |
    /// | published | open clarification | clarification |
    /// | published, clarification | close | closed |
    /// | closed | start evaluation | evaluation |
    /// | evaluation | start moderation | moderation |
    /// | moderation | issue intention to award | intention to award |
    /// | intention to award | start standstill | standstill |
    /// | standstill | award | awarded |
    /// | any but awarded and cancelled | cancel | cancelled |
    ///
    /// Everything else is refused. (Whether the standstill has ended is checked with
    /// `psr::standstill` before an award is asked for.)
    pub fn apply(self, event: TenderEvent) -> Result<TenderStage, String> {
        use TenderEvent as E;
        use TenderStage as S;
        let to = match (self, event) {
            (S::Draft, E::Publish) => S::Published,
            (S::Published, E::OpenClarification) => S::Clarification,
            (S::Published | S::Clarification, E::Close) => S::Closed,
            (S::Closed, E::StartEvaluation) => S::Evaluation,
            (S::Evaluation, E::StartModeration) => S::Moderation,
            (S::Moderation, E::IssueIntentionToAward) => S::IntentionToAward,
            (S::IntentionToAward, E::StartStandstill) => S::Standstill,
            (S::Standstill, E::Award) => S::Awarded,
            (from, E::Cancel) if !from.is_final() => S::Cancelled,
            (from, event) => {
                return Err(format!("a tender at '{}' cannot take the step '{}'", from.code(), event.code()));
            }
        };
        Ok(to)
    }
}

impl TenderEvent {
    pub const ALL: [TenderEvent; 9] = [
        TenderEvent::Publish,
        TenderEvent::OpenClarification,
        TenderEvent::Close,
        TenderEvent::StartEvaluation,
        TenderEvent::StartModeration,
        TenderEvent::IssueIntentionToAward,
        TenderEvent::StartStandstill,
        TenderEvent::Award,
        TenderEvent::Cancel,
    ];

    pub fn code(self) -> &'static str {
        match self {
            TenderEvent::Publish => "publish",
            TenderEvent::OpenClarification => "open_clarification",
            TenderEvent::Close => "close",
            TenderEvent::StartEvaluation => "start_evaluation",
            TenderEvent::StartModeration => "start_moderation",
            TenderEvent::IssueIntentionToAward => "issue_intention_to_award",
            TenderEvent::StartStandstill => "start_standstill",
            TenderEvent::Award => "award",
            TenderEvent::Cancel => "cancel",
        }
    }

    pub fn parse(text: &str) -> Option<TenderEvent> {
        TenderEvent::ALL.into_iter().find(|e| e.code() == text)
    }
}

/// Whether anyone at all — bidders' rivals, evaluators, administrators — may open the bids:
/// only once the deadline has passed and the tender has closed. A bidder reads its own bid
/// at any time; that is the access policy's business, not this rule's.
pub fn bids_unsealed(stage: TenderStage, deadline: NaiveDateTime, now: NaiveDateTime) -> bool {
    now >= deadline && !matches!(stage, TenderStage::Draft | TenderStage::Published | TenderStage::Clarification)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_transition_is_in_the_table_and_every_other_is_refused() {
        use TenderEvent as E;
        use TenderStage as S;
        let legal: &[(S, E, S)] = &[
            (S::Draft, E::Publish, S::Published),
            (S::Published, E::OpenClarification, S::Clarification),
            (S::Published, E::Close, S::Closed),
            (S::Clarification, E::Close, S::Closed),
            (S::Closed, E::StartEvaluation, S::Evaluation),
            (S::Evaluation, E::StartModeration, S::Moderation),
            (S::Moderation, E::IssueIntentionToAward, S::IntentionToAward),
            (S::IntentionToAward, E::StartStandstill, S::Standstill),
            (S::Standstill, E::Award, S::Awarded),
        ];
        for from in S::ALL {
            for event in E::ALL {
                let expected = legal
                    .iter()
                    .find(|(f, e, _)| *f == from && *e == event)
                    .map(|(_, _, to)| *to)
                    .or_else(|| (event == E::Cancel && !from.is_final()).then_some(S::Cancelled));
                match (from.apply(event), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{from:?} + {event:?}"),
                    (Err(message), None) => assert!(message.contains(from.code()) && message.contains(event.code())),
                    (got, want) => panic!("{from:?} + {event:?}: got {got:?}, expected {want:?}"),
                }
            }
        }
        for stage in S::ALL {
            assert_eq!(S::parse(stage.code()), Some(stage));
        }
        for event in E::ALL {
            assert_eq!(E::parse(event.code()), Some(event));
        }
    }

    #[test]
    fn bids_stay_sealed_until_the_deadline_and_the_close() {
        let at = |text: &str| NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M").unwrap();
        let deadline = at("2026-02-02 12:00");
        assert!(!bids_unsealed(TenderStage::Published, deadline, at("2026-02-02 11:59")));
        assert!(!bids_unsealed(TenderStage::Closed, deadline, at("2026-02-02 11:59")), "closed early: still sealed");
        assert!(!bids_unsealed(TenderStage::Clarification, deadline, at("2026-02-03 09:00")), "not yet closed");
        assert!(bids_unsealed(TenderStage::Closed, deadline, at("2026-02-02 12:00")));
        assert!(bids_unsealed(TenderStage::Evaluation, deadline, at("2026-03-01 09:00")));
        assert!(TenderStage::Clarification.takes_bids() && !TenderStage::Closed.takes_bids());
    }
}
