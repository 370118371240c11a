//! Who may do what: the one place that answers "may this person do this to this thing".
//!
//! Every route of the web layer and every use case of `app` asks [`decide`]; nothing else
//! inspects roles. The answer depends on the person's roles and organisation and, for owned
//! things, on the thing's owner. A person who may not see an owned thing gets
//! [`Decision::NotFound`], never `Forbidden`, so that nothing leaks about what exists.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::org::{OdsCode, OrgKind};

/// A role a user holds. A user may hold several.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Administrator,
    Commissioner,
    Analyst,
    Finance,
    Evaluator,
    ClinicalLead,
    Provider,
    Scrutiny,
    Public,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a role")]
pub struct RoleError(pub String);

impl Role {
    pub const ALL: [Role; 9] = [
        Role::Administrator,
        Role::Commissioner,
        Role::Analyst,
        Role::Finance,
        Role::Evaluator,
        Role::ClinicalLead,
        Role::Provider,
        Role::Scrutiny,
        Role::Public,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Administrator => "administrator",
            Role::Commissioner => "commissioner",
            Role::Analyst => "analyst",
            Role::Finance => "finance",
            Role::Evaluator => "evaluator",
            Role::ClinicalLead => "clinical_lead",
            Role::Provider => "provider",
            Role::Scrutiny => "scrutiny",
            Role::Public => "public",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Administrator => "Administrator",
            Role::Commissioner => "Commissioning manager",
            Role::Analyst => "Public health analyst",
            Role::Finance => "Finance and contract manager",
            Role::Evaluator => "Evaluator",
            Role::ClinicalLead => "Clinical lead",
            Role::Provider => "Provider",
            Role::Scrutiny => "Scrutiny committee member",
            Role::Public => "Member of the public",
        }
    }

    pub fn parse(text: &str) -> Result<Role, RoleError> {
        Role::ALL.into_iter().find(|role| role.code() == text.trim()).ok_or_else(|| RoleError(text.to_owned()))
    }

    /// Roles that work for the commissioner and see its whole picture.
    pub fn is_commissioner_side(self) -> bool {
        matches!(
            self,
            Role::Administrator
                | Role::Commissioner
                | Role::Analyst
                | Role::Finance
                | Role::Evaluator
                | Role::ClinicalLead
        )
    }
}

impl fmt::Display for Role {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.code())
    }
}

/// A signed-in person, or an API token acting for an organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The person; for a token, the person who created it.
    pub user_id: i64,
    pub name: String,
    pub organisation: OdsCode,
    pub organisation_kind: OrgKind,
    pub roles: BTreeSet<Role>,
    /// Set when the request came with an API token rather than a session: the token's id.
    /// A token may only submit for its organisation and read what it submitted.
    #[serde(default)]
    pub api_token: Option<i64>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn is_commissioner_side(&self) -> bool {
        self.roles.iter().any(|role| role.is_commissioner_side())
    }
}

/// A stage of the commissioning cycle, plus strategy which steers them all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Plan,
    Procure,
    Monitor,
    Strategy,
}

impl Stage {
    pub const ALL: [Stage; 4] = [Stage::Plan, Stage::Procure, Stage::Monitor, Stage::Strategy];

    pub fn code(self) -> &'static str {
        match self {
            Stage::Plan => "plan",
            Stage::Procure => "procure",
            Stage::Monitor => "monitor",
            Stage::Strategy => "strategy",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Plan => "Plan",
            Stage::Procure => "Procure",
            Stage::Monitor => "Monitor",
            Stage::Strategy => "Strategy",
        }
    }
}

/// Something a person wants to do. Owned things carry their owner so the decision can
/// compare organisations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Pages anyone may see, signed in or not (sign-in, health, public information).
    ViewPublic,
    /// The person's own profile and home page.
    ViewOwnProfile,
    /// Reference data: organisations and areas with their populations and deprivation.
    ViewReferenceData,
    /// The commissioner's dashboard: its population, practices and providers.
    ViewCommissionerDashboard,
    /// The landing page of a stage of the cycle.
    ViewStage(Stage),
    /// Data owned by one organisation (a provider's submissions, say).
    ViewOwnedBy(OdsCode),
    /// Submit data (monthly activity, KPI returns) on behalf of an organisation.
    SubmitFor(OdsCode),
    /// Create and revoke API tokens for an organisation.
    ManageTokensFor(OdsCode),
    /// Raise and progress activity queries (and, later, contract notices) about a provider.
    ManageMonitoringOf(OdsCode),
    /// Run the public-health methods on data the caller supplies (no stored data is read).
    RunMethods,
    /// Read a bid in a tender.
    ReadBid(BidAccess),
    /// Bid in a tender for an organisation: that provider's own people only (not
    /// administrators, whose organisation is the commissioner).
    BidFor(OdsCode),
    /// Record procurement decisions and run tenders: the commissioner's contract staff and
    /// administrators.
    ManageProcurement,
    /// Score bids independently in a tender's evaluation: evaluators, clinical leads and the
    /// commissioner's contract staff (each still needs a cleared declaration of interests).
    EvaluateBids,
    /// Run prioritisation workshops: set them up, add options and record decisions — the
    /// commissioner's contract staff and administrators.
    ManagePriorities,
    /// Score options in a prioritisation workshop: any of the commissioner's staff.
    ScorePriorities,
    /// Keep the commissioner's plans: draft and revise them, record board approval and set
    /// objectives — the commissioner's contract staff and administrators.
    ManageStrategy,
    /// Respond to an open consultation in one's own name: anyone signed in (the public,
    /// scrutiny, providers and staff), but not an API token.
    RespondToConsultation,
    /// Users, organisations and the audit log.
    Administer,
}

/// What decides whether a bid may be read: whose it is, whether the tender's deadline has
/// passed, and whether the reader (as an evaluator) has declared no unmanaged conflict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BidAccess {
    pub bidder: OdsCode,
    pub deadline_passed: bool,
    /// The reader has declared their interests for this procurement and has no conflict
    /// that is not managed.
    pub reader_conflict_cleared: bool,
}

/// The outcome of a decision, mapped to HTTP by `web` (200, redirect to sign-in, 403, 404).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    SignInRequired,
    Forbidden,
    /// Not allowed, and the person must not learn that the thing exists.
    NotFound,
}

/// Decides whether `principal` (or an anonymous visitor, `None`) may take `action`.
pub fn decide(principal: Option<&Principal>, action: &Action) -> Decision {
    if *action == Action::ViewPublic {
        return Decision::Allow;
    }
    let Some(principal) = principal else {
        return Decision::SignInRequired;
    };
    if principal.api_token.is_some() {
        return decide_for_token(principal, action);
    }
    let allowed = match action {
        Action::ViewPublic | Action::ViewOwnProfile => true,
        Action::ViewReferenceData | Action::RunMethods => !principal.roles.is_empty(),
        Action::ViewCommissionerDashboard => principal.is_commissioner_side(),
        Action::ViewStage(stage) => match stage {
            Stage::Plan => principal.is_commissioner_side(),
            Stage::Procure | Stage::Monitor => principal.is_commissioner_side() || principal.has(Role::Provider),
            Stage::Strategy => principal.is_commissioner_side() || principal.has(Role::Scrutiny),
        },
        Action::ViewOwnedBy(owner) => {
            let allowed = principal.is_commissioner_side() || principal.organisation == *owner;
            return if allowed { Decision::Allow } else { Decision::NotFound };
        }
        Action::SubmitFor(owner) => {
            let allowed = (principal.has(Role::Provider) && principal.organisation == *owner)
                || principal.has(Role::Administrator);
            return if allowed {
                Decision::Allow
            } else if principal.is_commissioner_side() {
                Decision::Forbidden
            } else {
                Decision::NotFound
            };
        }
        Action::ManageTokensFor(owner) => {
            let allowed = principal.has(Role::Administrator)
                || (principal.has(Role::Provider) && principal.organisation == *owner);
            return if allowed { Decision::Allow } else { Decision::NotFound };
        }
        Action::ManageMonitoringOf(provider) => {
            let manager =
                [Role::Administrator, Role::Commissioner, Role::Finance].iter().any(|role| principal.has(*role));
            return if manager {
                Decision::Allow
            } else if principal.is_commissioner_side() || principal.organisation == *provider {
                Decision::Forbidden
            } else {
                Decision::NotFound
            };
        }
        Action::ReadBid(bid) => return decide_bid(principal, bid),
        Action::BidFor(owner) => principal.has(Role::Provider) && principal.organisation == *owner,
        Action::ManageProcurement => [Role::Administrator, Role::Commissioner].iter().any(|role| principal.has(*role)),
        Action::EvaluateBids => {
            [Role::Evaluator, Role::ClinicalLead, Role::Commissioner].iter().any(|role| principal.has(*role))
        }
        Action::ManagePriorities => [Role::Administrator, Role::Commissioner].iter().any(|role| principal.has(*role)),
        Action::ScorePriorities => principal.is_commissioner_side(),
        Action::ManageStrategy => [Role::Administrator, Role::Commissioner].iter().any(|role| principal.has(*role)),
        Action::RespondToConsultation => true,
        Action::Administer => principal.has(Role::Administrator),
    };
    if allowed { Decision::Allow } else { Decision::Forbidden }
}

/// Bids are sealed until the deadline for everyone but the bidder itself (administrators
/// included); after it, the commissioner's staff may read them, evaluators only once they
/// have declared no unmanaged conflict; other bidders never.
fn decide_bid(principal: &Principal, bid: &BidAccess) -> Decision {
    if principal.organisation == bid.bidder && principal.has(Role::Provider) {
        return Decision::Allow;
    }
    if !principal.is_commissioner_side() || !bid.deadline_passed {
        return Decision::NotFound;
    }
    let only_evaluator = principal.roles.iter().all(|role| *role == Role::Evaluator);
    if only_evaluator && !bid.reader_conflict_cleared {
        return Decision::Forbidden;
    }
    Decision::Allow
}

/// An API token may submit for its own organisation, read what that organisation owns and
/// run the methods on data it sends; nothing else.
fn decide_for_token(principal: &Principal, action: &Action) -> Decision {
    match action {
        Action::ViewPublic | Action::RunMethods => Decision::Allow,
        Action::SubmitFor(owner) | Action::ViewOwnedBy(owner) => {
            if principal.organisation == *owner && principal.has(Role::Provider) {
                Decision::Allow
            } else {
                Decision::NotFound
            }
        }
        _ => Decision::Forbidden,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal(org: &str, kind: OrgKind, roles: &[Role]) -> Principal {
        Principal {
            user_id: 1,
            name: "Test".into(),
            organisation: OdsCode::parse(org).unwrap(),
            organisation_kind: kind,
            roles: roles.iter().copied().collect(),
            api_token: None,
        }
    }

    #[test]
    fn anonymous_visitors_see_only_public_pages() {
        assert_eq!(decide(None, &Action::ViewPublic), Decision::Allow);
        assert_eq!(decide(None, &Action::ViewReferenceData), Decision::SignInRequired);
        assert_eq!(decide(None, &Action::Administer), Decision::SignInRequired);
    }

    #[test]
    fn table_of_roles_and_actions() {
        let commissioner = principal("Q99", OrgKind::Commissioner, &[Role::Commissioner]);
        let admin = principal("Q99", OrgKind::Commissioner, &[Role::Administrator]);
        let provider = principal("R9A", OrgKind::Provider, &[Role::Provider]);
        let scrutiny = principal("S9A", OrgKind::ScrutinyCommittee, &[Role::Scrutiny]);
        let own = OdsCode::parse("R9A").unwrap();
        let other = OdsCode::parse("R9B").unwrap();
        let cases: Vec<(&Principal, Action, Decision)> = vec![
            (&commissioner, Action::ViewCommissionerDashboard, Decision::Allow),
            (&provider, Action::ViewCommissionerDashboard, Decision::Forbidden),
            (&provider, Action::ViewStage(Stage::Monitor), Decision::Allow),
            (&provider, Action::ViewStage(Stage::Plan), Decision::Forbidden),
            (&scrutiny, Action::ViewStage(Stage::Strategy), Decision::Allow),
            (&scrutiny, Action::ViewStage(Stage::Procure), Decision::Forbidden),
            (&provider, Action::ViewOwnedBy(own.clone()), Decision::Allow),
            (&provider, Action::ViewOwnedBy(other.clone()), Decision::NotFound),
            (&commissioner, Action::ViewOwnedBy(other), Decision::Allow),
            (&commissioner, Action::Administer, Decision::Forbidden),
            (&admin, Action::Administer, Decision::Allow),
            (&provider, Action::ViewReferenceData, Decision::Allow),
            (&commissioner, Action::ManageProcurement, Decision::Allow),
            (&admin, Action::ManageProcurement, Decision::Allow),
            (&provider, Action::ManageProcurement, Decision::Forbidden),
            (&scrutiny, Action::ManageProcurement, Decision::Forbidden),
            (&commissioner, Action::EvaluateBids, Decision::Allow),
            (&admin, Action::EvaluateBids, Decision::Forbidden),
            (&provider, Action::EvaluateBids, Decision::Forbidden),
            (&provider, Action::BidFor(own.clone()), Decision::Allow),
            (&provider, Action::BidFor(OdsCode::parse("R9B").unwrap()), Decision::Forbidden),
            (&admin, Action::BidFor(OdsCode::parse("Q99").unwrap()), Decision::Forbidden),
        ];
        for (who, action, expected) in cases {
            assert_eq!(decide(Some(who), &action), expected, "{:?} doing {action:?}", who.roles);
        }
    }

    #[test]
    fn bids_are_sealed_until_the_deadline() {
        let bidder = OdsCode::parse("R9A").unwrap();
        let bid = |deadline_passed, reader_conflict_cleared| {
            Action::ReadBid(BidAccess { bidder: bidder.clone(), deadline_passed, reader_conflict_cleared })
        };
        let own = principal("R9A", OrgKind::Provider, &[Role::Provider]);
        let rival = principal("R9B", OrgKind::Provider, &[Role::Provider]);
        let admin = principal("Q99", OrgKind::Commissioner, &[Role::Administrator]);
        let commissioner = principal("Q99", OrgKind::Commissioner, &[Role::Commissioner]);
        let evaluator = principal("Q99", OrgKind::Commissioner, &[Role::Evaluator]);
        let cases = [
            (&own, bid(false, false), Decision::Allow),
            (&rival, bid(false, false), Decision::NotFound),
            (&rival, bid(true, true), Decision::NotFound),
            (&admin, bid(false, true), Decision::NotFound),
            (&commissioner, bid(false, true), Decision::NotFound),
            (&commissioner, bid(true, false), Decision::Allow),
            (&evaluator, bid(true, false), Decision::Forbidden),
            (&evaluator, bid(true, true), Decision::Allow),
            (&admin, bid(true, false), Decision::Allow),
        ];
        for (who, action, expected) in cases {
            assert_eq!(decide(Some(who), &action), expected, "{:?} {action:?}", who.roles);
        }
    }

    #[test]
    fn tokens_submit_for_their_provider_and_nothing_else() {
        let mut token = principal("R9A", OrgKind::Provider, &[Role::Provider]);
        token.api_token = Some(3);
        let own = OdsCode::parse("R9A").unwrap();
        let other = OdsCode::parse("R9B").unwrap();
        assert_eq!(decide(Some(&token), &Action::SubmitFor(own.clone())), Decision::Allow);
        assert_eq!(decide(Some(&token), &Action::ViewOwnedBy(own.clone())), Decision::Allow);
        assert_eq!(decide(Some(&token), &Action::SubmitFor(other.clone())), Decision::NotFound);
        assert_eq!(decide(Some(&token), &Action::ViewOwnedBy(other)), Decision::NotFound);
        for action in [
            Action::ViewReferenceData,
            Action::ViewOwnProfile,
            Action::ViewStage(Stage::Monitor),
            Action::ManageTokensFor(own),
            Action::ManagePriorities,
            Action::ScorePriorities,
            Action::ManageStrategy,
            Action::Administer,
        ] {
            assert_eq!(decide(Some(&token), &action), Decision::Forbidden, "{action:?}");
        }
        // The same person signed in (not through a token) may do more.
        token.api_token = None;
        assert_eq!(decide(Some(&token), &Action::ViewStage(Stage::Monitor)), Decision::Allow);
    }

    #[test]
    fn submissions_are_for_the_own_provider() {
        let provider = principal("R9A", OrgKind::Provider, &[Role::Provider]);
        let finance = principal("Q99", OrgKind::Commissioner, &[Role::Finance]);
        let own = OdsCode::parse("R9A").unwrap();
        let other = OdsCode::parse("R9B").unwrap();
        assert_eq!(decide(Some(&provider), &Action::SubmitFor(own.clone())), Decision::Allow);
        assert_eq!(decide(Some(&provider), &Action::SubmitFor(other.clone())), Decision::NotFound);
        assert_eq!(decide(Some(&finance), &Action::SubmitFor(own)), Decision::Forbidden);
        assert_eq!(decide(Some(&provider), &Action::ManageTokensFor(other)), Decision::NotFound);
    }

    #[test]
    fn monitoring_is_managed_by_contract_and_finance_staff() {
        let provider = OdsCode::parse("R9A").unwrap();
        let cases = [
            (principal("Q99", OrgKind::Commissioner, &[Role::Finance]), Decision::Allow),
            (principal("Q99", OrgKind::Commissioner, &[Role::Commissioner]), Decision::Allow),
            (principal("Q99", OrgKind::Commissioner, &[Role::Analyst]), Decision::Forbidden),
            (principal("R9A", OrgKind::Provider, &[Role::Provider]), Decision::Forbidden),
            (principal("R9B", OrgKind::Provider, &[Role::Provider]), Decision::NotFound),
            (principal("PUBLIC", OrgKind::Public, &[Role::Public]), Decision::NotFound),
        ];
        for (who, expected) in cases {
            assert_eq!(decide(Some(&who), &Action::ManageMonitoringOf(provider.clone())), expected, "{:?}", who.roles);
        }
    }

    #[test]
    fn roles_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.code()), Ok(role));
        }
        assert!(Role::parse("superuser").is_err());
    }

    #[test]
    fn the_commissioners_staff_score_priorities_and_contract_staff_decide_them() {
        let q99 = |role| principal("Q99", OrgKind::Commissioner, &[role]);
        for (who, manage, score) in [
            (q99(Role::Commissioner), Decision::Allow, Decision::Allow),
            (q99(Role::Administrator), Decision::Allow, Decision::Allow),
            (q99(Role::ClinicalLead), Decision::Forbidden, Decision::Allow),
            (q99(Role::Analyst), Decision::Forbidden, Decision::Allow),
            (
                principal("SC901", OrgKind::ScrutinyCommittee, &[Role::Scrutiny]),
                Decision::Forbidden,
                Decision::Forbidden,
            ),
            (principal("R9A", OrgKind::Provider, &[Role::Provider]), Decision::Forbidden, Decision::Forbidden),
        ] {
            assert_eq!(decide(Some(&who), &Action::ManagePriorities), manage, "{:?}", who.roles);
            assert_eq!(decide(Some(&who), &Action::ScorePriorities), score, "{:?}", who.roles);
            // Plans are kept by those who run workshops.
            assert_eq!(decide(Some(&who), &Action::ManageStrategy), manage, "{:?}", who.roles);
        }
    }
}
