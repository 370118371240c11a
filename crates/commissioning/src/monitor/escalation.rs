//! The NHS Standard Contract's escalation ladder (GC9, DOMAIN.md B3): a contract performance
//! notice, the contract management meeting, then a joint investigation or a remedial action
//! plan with milestones, an exception report when the plan fails, withholding of a share of the
//! monthly value, repaid when the milestone is met; and its timers in operational (working)
//! days. Either party may serve the notice: the ladder is symmetric.
//!
//! Timers [K]: the meeting within 10 operational days of the notice; the remedial action plan
//! agreed within 5 operational days of the meeting; withholding up to 2% of the monthly value.
//! They are parameters with these defaults, since the clause timings are known practice rather
//! than read from the current contract text.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::calendar::WorkingCalendar;

/// Operational days from notice to the contract management meeting [K].
pub const MEETING_WITHIN_DAYS: u32 = 10;
/// Operational days from the meeting to an agreed remedial action plan [K].
pub const PLAN_WITHIN_DAYS: u32 = 5;

/// Who served the notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    Commissioner,
    Provider,
}

/// Where a notice stands on the ladder.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Contract performance notice served; the meeting is due.
    NoticeServed,
    /// The contract management meeting has been held; its outcome is to be agreed.
    MeetingHeld,
    JointInvestigation,
    /// A remedial action plan is agreed and being delivered.
    RemedialActionPlan,
    /// The plan failed: an exception report went to the provider's board.
    ExceptionReport,
    /// A share of the monthly value is being withheld until the milestone is met.
    Withholding,
    Withdrawn,
    Closed,
}

/// Something that happens to a notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event {
    HoldMeeting,
    StartJointInvestigation,
    AgreePlan,
    MissMilestone,
    Withhold,
    MeetMilestone,
    Withdraw,
    Close,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a notice that is at '{from}' cannot {event}")]
pub struct TransitionError {
    pub from: &'static str,
    pub event: &'static str,
}

impl Stage {
    pub const ALL: [Stage; 8] = [
        Stage::NoticeServed,
        Stage::MeetingHeld,
        Stage::JointInvestigation,
        Stage::RemedialActionPlan,
        Stage::ExceptionReport,
        Stage::Withholding,
        Stage::Withdrawn,
        Stage::Closed,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Stage::NoticeServed => "notice_served",
            Stage::MeetingHeld => "meeting_held",
            Stage::JointInvestigation => "joint_investigation",
            Stage::RemedialActionPlan => "remedial_action_plan",
            Stage::ExceptionReport => "exception_report",
            Stage::Withholding => "withholding",
            Stage::Withdrawn => "withdrawn",
            Stage::Closed => "closed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::NoticeServed => "Contract performance notice served",
            Stage::MeetingHeld => "Contract management meeting held",
            Stage::JointInvestigation => "Joint investigation",
            Stage::RemedialActionPlan => "Remedial action plan",
            Stage::ExceptionReport => "Exception report",
            Stage::Withholding => "Withholding payment",
            Stage::Withdrawn => "Withdrawn",
            Stage::Closed => "Closed",
        }
    }

    pub fn parse(text: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|s| s.code() == text)
    }

    pub fn is_open(self) -> bool {
        !matches!(self, Stage::Withdrawn | Stage::Closed)
    }

    /// Whether the notice has an agreed action plan whose milestones may be recorded: from
    /// the remedial action plan until the notice closes.
    pub fn has_action_plan(self) -> bool {
        matches!(self, Stage::RemedialActionPlan | Stage::ExceptionReport | Stage::Withholding)
    }

    /// The ladder, as a table:
    ///
    /// | from | event | to |
    /// |---|---|---|
    /// | notice served | hold meeting | meeting held |
    /// | notice served, meeting held | withdraw | withdrawn |
    /// | meeting held | start joint investigation | joint investigation |
    /// | meeting held, joint investigation | agree plan | remedial action plan |
    /// | joint investigation | close | closed |
    /// | remedial action plan | miss milestone | exception report |
    /// | remedial action plan | meet milestone | closed |
    /// | exception report | withhold | withholding |
    /// | exception report | agree plan | remedial action plan |
    /// | withholding | meet milestone | closed (withheld sums repaid) |
    pub fn apply(self, event: Event) -> Result<Stage, TransitionError> {
        use Event::*;
        use Stage::*;
        Ok(match (self, event) {
            (NoticeServed, HoldMeeting) => MeetingHeld,
            (NoticeServed | MeetingHeld, Withdraw) => Withdrawn,
            (MeetingHeld, StartJointInvestigation) => JointInvestigation,
            (MeetingHeld | JointInvestigation | ExceptionReport, AgreePlan) => RemedialActionPlan,
            (JointInvestigation, Close) => Closed,
            (RemedialActionPlan, MissMilestone) => ExceptionReport,
            (RemedialActionPlan | Withholding, MeetMilestone) => Closed,
            (ExceptionReport, Withhold) => Withholding,
            _ => return Err(TransitionError { from: self.label(), event: event.label() }),
        })
    }

    pub fn next_events(self) -> Vec<Event> {
        Event::ALL.into_iter().filter(|event| self.apply(*event).is_ok()).collect()
    }
}

impl Event {
    pub const ALL: [Event; 8] = [
        Event::HoldMeeting,
        Event::StartJointInvestigation,
        Event::AgreePlan,
        Event::MissMilestone,
        Event::Withhold,
        Event::MeetMilestone,
        Event::Withdraw,
        Event::Close,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Event::HoldMeeting => "hold_meeting",
            Event::StartJointInvestigation => "start_joint_investigation",
            Event::AgreePlan => "agree_plan",
            Event::MissMilestone => "miss_milestone",
            Event::Withhold => "withhold",
            Event::MeetMilestone => "meet_milestone",
            Event::Withdraw => "withdraw",
            Event::Close => "close",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Event::HoldMeeting => "record the contract management meeting",
            Event::StartJointInvestigation => "start a joint investigation",
            Event::AgreePlan => "agree a remedial action plan",
            Event::MissMilestone => "record a missed milestone",
            Event::Withhold => "withhold payment",
            Event::MeetMilestone => "record the milestone met",
            Event::Withdraw => "be withdrawn",
            Event::Close => "be closed",
        }
    }

    pub fn parse(text: &str) -> Option<Event> {
        Event::ALL.into_iter().find(|e| e.code() == text)
    }
}

/// The dates that follow from a notice: when the meeting is due, and (once held) when the plan
/// must be agreed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Timers {
    pub meeting_due: NaiveDate,
    pub plan_due: Option<NaiveDate>,
}

/// The timers of a notice served on `served`, with the meeting held on `meeting` if it has been.
pub fn timers(calendar: &WorkingCalendar, served: NaiveDate, meeting: Option<NaiveDate>) -> Timers {
    Timers {
        meeting_due: calendar.add_working_days(served, MEETING_WITHIN_DAYS),
        plan_due: meeting.map(|held| calendar.add_working_days(held, PLAN_WITHIN_DAYS)),
    }
}

/// Whether a step is overdue on `today`: the meeting not held by its due day, or the plan not
/// agreed by its due day.
pub fn overdue(stage: Stage, timers: &Timers, today: NaiveDate) -> Option<&'static str> {
    match stage {
        Stage::NoticeServed if today > timers.meeting_due => Some("the contract management meeting is overdue"),
        Stage::MeetingHeld if timers.plan_due.is_some_and(|due| today > due) => {
            Some("the remedial action plan should have been agreed")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    /// Timers across England and Wales bank holidays: (notice served, meeting due; meeting
    /// held, plan due).
    #[test]
    fn timers_count_operational_days_across_bank_holidays() {
        let calendar = WorkingCalendar::england_and_wales();
        for (served, meeting_due, held, plan_due) in [
            // Christmas Day, Boxing Day and New Year's Day 2025/26 are skipped.
            ("2025-12-19", "2026-01-07", "2025-12-23", "2026-01-02"),
            // Good Friday 18 April and Easter Monday 21 April 2025.
            ("2025-04-15", "2025-05-01", "2025-04-17", "2025-04-28"),
            // Early May bank holiday 5 May 2025; a notice on a Friday.
            ("2025-05-02", "2025-05-19", "2025-05-02", "2025-05-12"),
            // Spring bank holiday 26 May and summer bank holiday 25 August 2025.
            ("2025-05-20", "2025-06-04", "2025-08-20", "2025-08-28"),
            // An ordinary fortnight: two weeks later.
            ("2025-03-03", "2025-03-17", "2025-03-10", "2025-03-17"),
            // A notice served on a Saturday runs from the next working days.
            ("2025-03-08", "2025-03-21", "2025-03-08", "2025-03-14"),
        ] {
            let t = timers(&calendar, date(served), Some(date(held)));
            assert_eq!(t.meeting_due, date(meeting_due), "meeting after a notice on {served}");
            assert_eq!(t.plan_due, Some(date(plan_due)), "plan after a meeting on {held}");
        }
    }

    #[test]
    fn the_ladder_runs_in_order_and_refuses_skipped_steps() {
        use Event::*;
        let mut stage = Stage::NoticeServed;
        for event in [HoldMeeting, AgreePlan, MissMilestone, Withhold, MeetMilestone] {
            stage = stage.apply(event).unwrap();
        }
        assert_eq!(stage, Stage::Closed);
        let error = Stage::NoticeServed.apply(Withhold).unwrap_err();
        assert_eq!(
            error.to_string(),
            "a notice that is at 'Contract performance notice served' cannot withhold payment"
        );
        assert_eq!(Stage::MeetingHeld.next_events(), [StartJointInvestigation, AgreePlan, Withdraw]);
        assert!(Stage::Closed.next_events().is_empty() && !Stage::Closed.is_open());
        assert_eq!(Stage::ExceptionReport.apply(AgreePlan), Ok(Stage::RemedialActionPlan), "a revised plan");
        for stage in Stage::ALL {
            assert_eq!(Stage::parse(stage.code()), Some(stage));
        }
    }

    #[test]
    fn overdue_steps_are_named() {
        let calendar = WorkingCalendar::england_and_wales();
        let t = timers(&calendar, date("2025-03-03"), None);
        assert_eq!(overdue(Stage::NoticeServed, &t, date("2025-03-17")), None, "due today is not overdue");
        assert!(overdue(Stage::NoticeServed, &t, date("2025-03-18")).is_some());
        let held = timers(&calendar, date("2025-03-03"), Some(date("2025-03-10")));
        assert!(overdue(Stage::MeetingHeld, &held, date("2025-03-18")).unwrap().contains("remedial action plan"));
        assert_eq!(overdue(Stage::RemedialActionPlan, &held, date("2026-01-01")), None);
    }

    #[test]
    fn milestones_belong_to_an_agreed_plan_until_the_notice_closes() {
        let with_plan: Vec<Stage> = Stage::ALL.into_iter().filter(|s| s.has_action_plan()).collect();
        assert_eq!(with_plan, [Stage::RemedialActionPlan, Stage::ExceptionReport, Stage::Withholding]);
        assert!(with_plan.iter().all(|s| s.is_open()));
    }
}
