//! Self-assessment: the eleven World Class Commissioning competencies scored 0 to 4 per
//! period, and the self-evaluation checklists for commissioning and for procurement answered
//! no, partly or yes — each item with its evidence and action plan. An item below its
//! framework's target level is a development gap, which feeds the organisational development
//! plan; the trend compares each item across periods.

use serde::{Deserialize, Serialize};

use super::COMPETENCIES;

/// What is assessed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Framework {
    /// The eleven World Class Commissioning competencies (DOMAIN.md B8).
    Competencies,
    /// The commissioning self-evaluation checklist, over the cycle.
    Commissioning,
    /// The procurement self-evaluation checklist, over the Provider Selection Regime's duties.
    Procurement,
}

/// The commissioning checklist: one statement a stage of the cycle must be able to stand
/// behind (our wording, from the cycle in DESIGN.md).
pub const COMMISSIONING_CHECKLIST: [&str; 10] = [
    "A current needs assessment, with unmet need and inequalities by deprivation, informs the plan",
    "Current provision has been reviewed against need for capacity, quality, access and cost",
    "Priorities were set by published criteria and weights, with each decision and its rationale recorded",
    "Service specifications state outcomes, KPIs and the needs they answer",
    "Patients, the public and clinicians were engaged, and what was done about their views is published",
    "Substantial service changes went to the scrutiny committee before a decision",
    "Contracts carry indicative activity plans, KPIs and the national quality requirements",
    "Activity, money and quality are monitored monthly and variances beyond tolerance are queried",
    "Underperformance is escalated through performance notices and remedial action plans",
    "Services are evaluated at review points and the findings feed the next plan",
];

/// The procurement checklist: the Provider Selection Regime's and fair tendering's duties
/// (DOMAIN.md B1 and B5).
pub const PROCUREMENT_CHECKLIST: [&str; 10] = [
    "Each contract's process was chosen under the Provider Selection Regime and the reasons recorded",
    "The key criteria (quality and innovation, value, integration, access and inequalities, social value) were applied",
    "Conflicts of interest were declared and managed before anyone saw a bid",
    "Evaluation criteria and weights were published before bids were invited",
    "Bids stayed sealed until the deadline",
    "Evaluators scored independently and the reasons for moderated scores were kept",
    "The standstill period was observed and every representation was considered",
    "Intention-to-award and award notices were published with their required content",
    "Contract modifications were assessed against the considerable-change thresholds",
    "The annual summary of decisions under the regime was published",
];

impl Framework {
    pub const ALL: [Framework; 3] = [Framework::Competencies, Framework::Commissioning, Framework::Procurement];

    pub fn code(self) -> &'static str {
        match self {
            Framework::Competencies => "competencies",
            Framework::Commissioning => "commissioning",
            Framework::Procurement => "procurement",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Framework::Competencies => "World Class Commissioning competencies",
            Framework::Commissioning => "Commissioning self-evaluation checklist",
            Framework::Procurement => "Procurement self-evaluation checklist",
        }
    }

    pub fn parse(text: &str) -> Option<Framework> {
        Framework::ALL.into_iter().find(|f| f.code() == text.trim())
    }

    /// What is assessed, in order.
    pub fn items(self) -> &'static [&'static str] {
        match self {
            Framework::Competencies => &COMPETENCIES,
            Framework::Commissioning => &COMMISSIONING_CHECKLIST,
            Framework::Procurement => &PROCUREMENT_CHECKLIST,
        }
    }

    /// The highest level: 4 for a competency, 2 (yes) for a checklist item.
    pub fn max_level(self) -> u8 {
        match self {
            Framework::Competencies => 4,
            Framework::Commissioning | Framework::Procurement => 2,
        }
    }

    /// The level below which an item is a gap: level 3 of a competency (assured, with
    /// evidence of impact), and a full yes on a checklist.
    pub fn target(self) -> u8 {
        match self {
            Framework::Competencies => 3,
            Framework::Commissioning | Framework::Procurement => 2,
        }
    }

    /// What each level means.
    pub fn level_label(self, level: u8) -> &'static str {
        match (self, level) {
            (Framework::Competencies, 0) => "0: not yet started",
            (Framework::Competencies, 1) => "1: developing",
            (Framework::Competencies, 2) => "2: established",
            (Framework::Competencies, 3) => "3: assured, with evidence of impact",
            (Framework::Competencies, _) => "4: world class",
            (_, 0) => "No",
            (_, 1) => "Partly",
            (_, _) => "Yes",
        }
    }

    /// A level as entered, checked against the framework's scale.
    pub fn parse_level(self, text: &str) -> Option<u8> {
        text.trim().parse::<u8>().ok().filter(|level| *level <= self.max_level())
    }
}

/// One item's score in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    /// The item's index in [`Framework::items`].
    pub item: usize,
    pub level: u8,
    /// Links or references to the evidence, one a line.
    pub evidence: Vec<String>,
    /// What will be done to reach the target, and who owns it by when.
    pub action: String,
    pub owner: String,
    pub due: Option<chrono::NaiveDate>,
}

/// An item below its target: what the development plan must close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gap {
    pub framework: Framework,
    pub item: usize,
    pub name: &'static str,
    pub level: u8,
    pub target: u8,
    pub action: String,
    pub owner: String,
    pub due: Option<chrono::NaiveDate>,
    /// An item below target with no action planned.
    pub unplanned: bool,
}

/// The gaps of one period's scores, items not yet scored counting as level 0, in item order.
pub fn gaps(framework: Framework, scores: &[ItemScore]) -> Vec<Gap> {
    let target = framework.target();
    framework
        .items()
        .iter()
        .enumerate()
        .filter_map(|(item, name)| {
            let score = scores.iter().find(|s| s.item == item);
            let level = score.map_or(0, |s| s.level);
            (level < target).then(|| {
                let action = score.map(|s| s.action.trim().to_owned()).unwrap_or_default();
                Gap {
                    framework,
                    item,
                    name,
                    level,
                    target,
                    unplanned: action.is_empty(),
                    owner: score.map(|s| s.owner.clone()).unwrap_or_default(),
                    due: score.and_then(|s| s.due),
                    action,
                }
            })
        })
        .collect()
}

/// Which way an item moved since the period before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    Improved,
    Same,
    Declined,
    /// Not scored in both periods.
    New,
}

/// One item over the periods: its level in each (`None` where not scored) and its latest
/// movement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemTrend {
    pub item: usize,
    pub name: &'static str,
    pub levels: Vec<Option<u8>>,
    pub movement: Movement,
}

/// The trend of a framework over periods given oldest first: each item's levels, and each
/// period's mean level over the items scored (`None` for a period with none).
pub fn trend(framework: Framework, periods: &[Vec<ItemScore>]) -> (Vec<ItemTrend>, Vec<Option<f64>>) {
    let items = framework
        .items()
        .iter()
        .enumerate()
        .map(|(item, name)| {
            let levels: Vec<Option<u8>> =
                periods.iter().map(|scores| scores.iter().find(|s| s.item == item).map(|s| s.level)).collect();
            let movement = match levels.as_slice() {
                [.., Some(before), Some(now)] if now > before => Movement::Improved,
                [.., Some(before), Some(now)] if now < before => Movement::Declined,
                [.., Some(_), Some(_)] => Movement::Same,
                _ => Movement::New,
            };
            ItemTrend { item, name, levels, movement }
        })
        .collect();
    let means = periods
        .iter()
        .map(|scores| {
            (!scores.is_empty()).then(|| scores.iter().map(|s| f64::from(s.level)).sum::<f64>() / scores.len() as f64)
        })
        .collect();
    (items, means)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn score(item: usize, level: u8, action: &str) -> ItemScore {
        ItemScore { item, level, evidence: Vec::new(), action: action.into(), owner: "Chris".into(), due: None }
    }

    #[test]
    fn items_below_target_are_gaps_and_unscored_items_count_as_none() {
        let scores = [score(0, 3, ""), score(1, 2, "Joint posts with the council"), score(2, 4, ""), score(3, 1, "")];
        let found = gaps(Framework::Competencies, &scores);
        let items: Vec<usize> = found.iter().map(|g| g.item).collect();
        // 1 and 3 are below level 3; 4 to 10 are not yet scored.
        assert_eq!(items, vec![1, 3, 4, 5, 6, 7, 8, 9, 10]);
        assert_eq!(found[0].name, "Work with community partners");
        assert!(!found[0].unplanned);
        assert!(found[1].unplanned);
        assert_eq!(found[2].level, 0);

        let checklist: Vec<ItemScore> = (0..10).map(|i| score(i, if i == 6 { 1 } else { 2 }, "")).collect();
        let found = gaps(Framework::Procurement, &checklist);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].name, PROCUREMENT_CHECKLIST[6]);
        assert_eq!(Framework::Procurement.level_label(1), "Partly");
    }

    #[test]
    fn the_trend_follows_each_item_across_periods() {
        let periods = vec![
            vec![score(0, 1, ""), score(1, 3, ""), score(2, 2, "")],
            vec![score(0, 2, ""), score(1, 2, ""), score(2, 2, ""), score(3, 4, "")],
        ];
        let (items, means) = trend(Framework::Competencies, &periods);
        assert_eq!(items[0].movement, Movement::Improved);
        assert_eq!(items[1].movement, Movement::Declined);
        assert_eq!(items[2].movement, Movement::Same);
        assert_eq!(items[3].movement, Movement::New);
        assert_eq!(items[3].levels, vec![None, Some(4)]);
        assert_eq!(means, vec![Some(2.0), Some(2.5)]);
        let (_, means) = trend(Framework::Commissioning, &[vec![]]);
        assert_eq!(means, vec![None]);
    }

    #[test]
    fn levels_are_checked_against_the_scale() {
        assert_eq!(Framework::Competencies.parse_level("4"), Some(4));
        assert_eq!(Framework::Competencies.parse_level("5"), None);
        assert_eq!(Framework::Commissioning.parse_level("3"), None);
        assert_eq!(Framework::Commissioning.parse_level(" 2 "), Some(2));
        assert_eq!(Framework::parse("procurement"), Some(Framework::Procurement));
        for framework in Framework::ALL {
            assert_eq!(framework.items().len(), if framework == Framework::Competencies { 11 } else { 10 });
        }
    }
}
