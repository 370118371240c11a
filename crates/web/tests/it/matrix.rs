//! The route × role matrix: every route of the router, requested by every demo role and by
//! an anonymous visitor, against an expectation written here as a specification (not
//! derived from `policy.rs`). A route without an entry here fails the test.

use axum::http::StatusCode;

use crate::helpers::{Reply, TestWeb};

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    Commissioner,
    Analyst,
    Finance,
    Evaluator,
    ClinicalLead,
    /// Provider R9A, which owns the objects in the sample paths.
    Provider,
    /// Provider R9B, which owns none of them.
    OtherProvider,
    Scrutiny,
    Public,
}

const EVERYONE: [Who; 11] = [
    Who::Anonymous,
    Who::Admin,
    Who::Commissioner,
    Who::Analyst,
    Who::Finance,
    Who::Evaluator,
    Who::ClinicalLead,
    Who::Provider,
    Who::OtherProvider,
    Who::Scrutiny,
    Who::Public,
];

impl Who {
    fn email(self) -> Option<&'static str> {
        Some(match self {
            Who::Anonymous => return None,
            Who::Admin => "admin@demo.commissioner.test",
            Who::Commissioner => "commissioner@demo.commissioner.test",
            Who::Analyst => "analyst@demo.commissioner.test",
            Who::Finance => "finance@demo.commissioner.test",
            Who::Evaluator => "evaluator@demo.commissioner.test",
            Who::ClinicalLead => "clinical.lead@demo.commissioner.test",
            Who::Provider => "provider@demo.commissioner.test",
            Who::OtherProvider => "provider.b@demo.commissioner.test",
            Who::Scrutiny => "scrutiny@demo.commissioner.test",
            Who::Public => "public@demo.commissioner.test",
        })
    }

    fn commissioner_side(self) -> bool {
        matches!(
            self,
            Who::Admin | Who::Commissioner | Who::Analyst | Who::Finance | Who::Evaluator | Who::ClinicalLead
        )
    }

    fn provider(self) -> bool {
        matches!(self, Who::Provider | Who::OtherProvider)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allowed,
    SignIn,
    Forbidden,
    NotFound,
}

use Outcome::{Allowed, Forbidden, NotFound, SignIn};

/// Who may use a route, as a specification.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Public,
    /// Any signed-in person.
    SignedIn,
    /// The commissioner's staff only (dashboard, Plan).
    CommissionerSide,
    /// The commissioner's staff and providers (Procure, Monitor).
    CommissionerSideAndProviders,
    /// The commissioner's staff and the scrutiny committee (Strategy).
    CommissionerSideAndScrutiny,
    Administrators,
    /// Data owned by provider R9A: its own people and the commissioner's staff; anyone
    /// else must not learn it exists.
    OwnedByR9A,
    /// Submitting for R9A: its own people and administrators; the commissioner's other
    /// staff are refused; anyone else gets not found.
    SubmitForR9A,
    /// API tokens of R9A's organisation: R9A's provider users and administrators.
    ManageR9ATokens,
    /// The tokens page: providers and administrators manage tokens; others get not found.
    TokensPage,
    /// Raising and progressing R9A's activity queries: the commissioner's contract and
    /// finance staff; R9A itself and the commissioner's other staff are refused; anyone else
    /// gets not found.
    ManageMonitoringOfR9A,
    /// Another organisation's performance chart (RL4, not a demo provider): the commissioner's
    /// staff; providers, who may use Monitor but see only their own, get not found; others are
    /// refused.
    OtherOrganisationsPerformance,
    /// Acting on R9A's contract notices: the commissioner's contract and finance staff and
    /// administrators for the commissioner, R9A for itself; the commissioner's other staff are
    /// refused; anyone else gets not found.
    EitherPartyOfR9A,
    /// Recording procurement decisions: the commissioner's contract staff and administrators;
    /// everyone else is refused.
    ProcurementManagers,
    /// Bidding, and reading bids while they are sealed: providers (their own bids); everyone
    /// else — administrators included — is refused.
    Providers,
    /// Scoring bids: evaluators, clinical leads and the commissioner's contract staff.
    Evaluators,
}

impl Spec {
    fn expect(self, who: Who) -> Outcome {
        if who == Who::Anonymous {
            return if matches!(self, Spec::Public) { Allowed } else { SignIn };
        }
        let allowed = |yes: bool, otherwise: Outcome| if yes { Allowed } else { otherwise };
        match self {
            Spec::Public | Spec::SignedIn => Allowed,
            Spec::CommissionerSide => allowed(who.commissioner_side(), Forbidden),
            Spec::CommissionerSideAndProviders => allowed(who.commissioner_side() || who.provider(), Forbidden),
            Spec::CommissionerSideAndScrutiny => allowed(who.commissioner_side() || who == Who::Scrutiny, Forbidden),
            Spec::Administrators => allowed(who == Who::Admin, Forbidden),
            Spec::OwnedByR9A => allowed(who.commissioner_side() || who == Who::Provider, NotFound),
            Spec::SubmitForR9A => match who {
                Who::Provider | Who::Admin => Allowed,
                _ if who.commissioner_side() => Forbidden,
                _ => NotFound,
            },
            Spec::ManageR9ATokens => allowed(who == Who::Provider || who == Who::Admin, NotFound),
            Spec::TokensPage => allowed(who.provider() || who == Who::Admin, NotFound),
            Spec::EitherPartyOfR9A => match who {
                Who::Admin | Who::Commissioner | Who::Finance | Who::Provider => Allowed,
                _ if who.commissioner_side() => Forbidden,
                _ => NotFound,
            },
            Spec::OtherOrganisationsPerformance => {
                if who.commissioner_side() {
                    Allowed
                } else if who.provider() {
                    NotFound
                } else {
                    Forbidden
                }
            }
            Spec::ProcurementManagers => allowed(matches!(who, Who::Admin | Who::Commissioner), Forbidden),
            Spec::Providers => allowed(who.provider(), Forbidden),
            Spec::Evaluators => {
                allowed(matches!(who, Who::Evaluator | Who::ClinicalLead | Who::Commissioner), Forbidden)
            }
            Spec::ManageMonitoringOfR9A => match who {
                Who::Admin | Who::Commissioner | Who::Finance => Allowed,
                Who::Provider => Forbidden,
                _ if who.commissioner_side() => Forbidden,
                _ => NotFound,
            },
        }
    }
}

/// (method, route template, sample path, spec). Samples use R9A's objects and the demo's
/// areas; user 10 is the public user; token 1 belongs to R9A.
const MATRIX: &[(&str, &str, &str, Spec)] = &[
    ("GET", "/", "/", Spec::Public),
    ("GET", "/health", "/health", Spec::Public),
    ("GET", "/assets/{*path}", "/assets/nhsuk-frontend.min.css", Spec::Public),
    ("GET", "/sign-in", "/sign-in", Spec::Public),
    ("POST", "/sign-in", "/sign-in", Spec::Public),
    ("GET", "/profile", "/profile", Spec::SignedIn),
    ("GET", "/profile/password", "/profile/password", Spec::SignedIn),
    ("POST", "/profile/password", "/profile/password", Spec::SignedIn),
    ("GET", "/tokens", "/tokens", Spec::TokensPage),
    ("POST", "/tokens", "/tokens", Spec::TokensPage),
    ("POST", "/tokens/{id}/revoke", "/tokens/1/revoke", Spec::ManageR9ATokens),
    ("GET", "/admin/users", "/admin/users", Spec::Administrators),
    ("GET", "/admin/users/new", "/admin/users/new", Spec::Administrators),
    ("POST", "/admin/users/new", "/admin/users/new", Spec::Administrators),
    ("GET", "/admin/users/{id}", "/admin/users/10", Spec::Administrators),
    ("POST", "/admin/users/{id}/roles", "/admin/users/10/roles", Spec::Administrators),
    ("POST", "/admin/users/{id}/unlock", "/admin/users/10/unlock", Spec::Administrators),
    ("POST", "/admin/users/{id}/reset-password", "/admin/users/10/reset-password", Spec::Administrators),
    ("GET", "/admin/organisations/new", "/admin/organisations/new", Spec::Administrators),
    ("POST", "/admin/organisations/new", "/admin/organisations/new", Spec::Administrators),
    ("GET", "/admin/audit", "/admin/audit", Spec::Administrators),
    ("GET", "/dashboard", "/dashboard", Spec::CommissionerSide),
    ("GET", "/dashboard/population.csv", "/dashboard/population.csv", Spec::CommissionerSide),
    ("GET", "/dashboard/deprivation.csv", "/dashboard/deprivation.csv", Spec::CommissionerSide),
    ("GET", "/organisations", "/organisations", Spec::SignedIn),
    ("GET", "/organisations/{code}", "/organisations/R9A", Spec::SignedIn),
    ("GET", "/areas", "/areas", Spec::SignedIn),
    ("GET", "/areas/{code}", "/areas/E54900001", Spec::SignedIn),
    ("GET", "/areas/{code}/population.csv", "/areas/E54900001/population.csv", Spec::SignedIn),
    ("GET", "/plan", "/plan", Spec::CommissionerSide),
    ("GET", "/plan/needs", "/plan/needs", Spec::CommissionerSide),
    ("GET", "/plan/capacity", "/plan/capacity?demand=40&capacity=42&backlog=300", Spec::CommissionerSide),
    (
        "GET",
        "/plan/capacity/weeks.csv",
        "/plan/capacity/weeks.csv?demand=40&capacity=42&backlog=300",
        Spec::CommissionerSide,
    ),
    ("GET", "/plan/capacity/forecast", "/plan/capacity/forecast", Spec::CommissionerSide),
    ("GET", "/plan/capacity/rtt", "/plan/capacity/rtt", Spec::CommissionerSide),
    ("GET", "/plan/capacity/rtt.csv", "/plan/capacity/rtt.csv", Spec::CommissionerSide),
    ("GET", "/plan/gaps", "/plan/gaps", Spec::CommissionerSide),
    ("GET", "/plan/gaps.csv", "/plan/gaps.csv", Spec::CommissionerSide),
    ("GET", "/plan/gaps.xlsx", "/plan/gaps.xlsx", Spec::CommissionerSide),
    ("GET", "/plan/peers", "/plan/peers", Spec::CommissionerSide),
    ("GET", "/plan/priorities", "/plan/priorities", Spec::CommissionerSide),
    ("POST", "/plan/priorities", "/plan/priorities", Spec::ProcurementManagers),
    ("GET", "/plan/priorities/{id}", "/plan/priorities/1", Spec::CommissionerSide),
    ("POST", "/plan/priorities/{id}/options", "/plan/priorities/1/options", Spec::ProcurementManagers),
    ("POST", "/plan/priorities/{id}/scores", "/plan/priorities/1/scores", Spec::CommissionerSide),
    ("POST", "/plan/priorities/{id}/decisions", "/plan/priorities/1/decisions", Spec::ProcurementManagers),
    ("GET", "/plan/priorities/{id}/portfolio.csv", "/plan/priorities/1/portfolio.csv", Spec::CommissionerSide),
    ("GET", "/plan/capacity/rtt/{provider}", "/plan/capacity/rtt/R1H", Spec::CommissionerSide),
    ("GET", "/plan/needs/indicators.csv", "/plan/needs/indicators.csv", Spec::CommissionerSide),
    ("GET", "/plan/needs/places.csv", "/plan/needs/places.csv", Spec::CommissionerSide),
    ("GET", "/plan/needs/unmet-need.csv", "/plan/needs/unmet-need.csv", Spec::CommissionerSide),
    ("GET", "/plan/needs/assessment.xlsx", "/plan/needs/assessment.xlsx", Spec::CommissionerSide),
    ("GET", "/plan/needs/report", "/plan/needs/report", Spec::CommissionerSide),
    ("GET", "/plan/needs/indicators/{id}", "/plan/needs/indicators/QOF_HYP", Spec::CommissionerSide),
    (
        "GET",
        "/plan/needs/indicators/{id}/places.csv",
        "/plan/needs/indicators/QOF_HYP/places.csv",
        Spec::CommissionerSide,
    ),
    (
        "GET",
        "/plan/needs/indicators/{id}/funnel.csv",
        "/plan/needs/indicators/QOF_HYP/funnel.csv",
        Spec::CommissionerSide,
    ),
    (
        "GET",
        "/plan/needs/indicators/{id}/deprivation.csv",
        "/plan/needs/indicators/QOF_HYP/deprivation.csv",
        Spec::CommissionerSide,
    ),
    ("GET", "/plan/needs/places/{code}", "/plan/needs/places/E06900001", Spec::CommissionerSide),
    (
        "GET",
        "/plan/needs/places/{code}/profile.csv",
        "/plan/needs/places/E06900001/profile.csv",
        Spec::CommissionerSide,
    ),
    ("GET", "/procure", "/procure", Spec::CommissionerSideAndProviders),
    ("GET", "/procure/decisions", "/procure/decisions", Spec::CommissionerSide),
    ("POST", "/procure/decisions", "/procure/decisions", Spec::ProcurementManagers),
    ("GET", "/procure/decisions/new", "/procure/decisions/new", Spec::CommissionerSide),
    ("GET", "/procure/decisions/{id}", "/procure/decisions/{decision}", Spec::CommissionerSide),
    ("GET", "/procure/tenders", "/procure/tenders", Spec::CommissionerSideAndProviders),
    ("POST", "/procure/tenders", "/procure/tenders", Spec::ProcurementManagers),
    ("GET", "/procure/tenders/new", "/procure/tenders/new", Spec::ProcurementManagers),
    ("GET", "/procure/tenders/{id}", "/procure/tenders/{tender}", Spec::CommissionerSideAndProviders),
    ("POST", "/procure/tenders/{id}/events", "/procure/tenders/{tender}/events", Spec::ProcurementManagers),
    ("POST", "/procure/tenders/{id}/bids", "/procure/tenders/{tender}/bids", Spec::Providers),
    ("POST", "/procure/tenders/{id}/declarations", "/procure/tenders/{tender}/declarations", Spec::CommissionerSide),
    ("POST", "/procure/tenders/{id}/scores", "/procure/tenders/{tender}/scores", Spec::Evaluators),
    ("POST", "/procure/tenders/{id}/moderation", "/procure/tenders/{tender}/moderation", Spec::ProcurementManagers),
    ("POST", "/procure/tenders/{id}/intention", "/procure/tenders/{tender}/intention", Spec::ProcurementManagers),
    (
        "POST",
        "/procure/tenders/{id}/representations",
        "/procure/tenders/{tender}/representations",
        Spec::ProcurementManagers,
    ),
    ("POST", "/procure/tenders/{id}/review", "/procure/tenders/{tender}/review", Spec::ProcurementManagers),
    ("POST", "/procure/tenders/{id}/award", "/procure/tenders/{tender}/award", Spec::ProcurementManagers),
    ("POST", "/procure/tenders/{id}/clarifications", "/procure/tenders/{tender}/clarifications", Spec::Providers),
    (
        "POST",
        "/procure/tenders/{id}/clarifications/{question}",
        "/procure/tenders/{tender}/clarifications/1",
        Spec::ProcurementManagers,
    ),
    ("POST", "/procure/tenders/{id}/answers", "/procure/tenders/{tender}/answers", Spec::Providers),
    ("POST", "/procure/tenders/{id}/documents", "/procure/tenders/{tender}/documents", Spec::Providers),
    ("GET", "/procure/accreditation", "/procure/accreditation", Spec::CommissionerSideAndProviders),
    ("POST", "/procure/accreditation", "/procure/accreditation", Spec::ProcurementManagers),
    ("GET", "/procure/accreditation/{id}", "/procure/accreditation/1", Spec::CommissionerSideAndProviders),
    ("POST", "/procure/accreditation/{id}/applications", "/procure/accreditation/1/applications", Spec::Providers),
    ("POST", "/procure/accreditation/{id}/decisions", "/procure/accreditation/1/decisions", Spec::ProcurementManagers),
    ("GET", "/procure/red-flags", "/procure/red-flags", Spec::CommissionerSide),
    ("GET", "/procure/specifications", "/procure/specifications", Spec::CommissionerSide),
    ("POST", "/procure/specifications", "/procure/specifications", Spec::ProcurementManagers),
    ("GET", "/procure/specifications/new", "/procure/specifications/new", Spec::ProcurementManagers),
    ("GET", "/procure/specifications/{id}", "/procure/specifications/1", Spec::CommissionerSide),
    ("POST", "/procure/specifications/{id}/versions", "/procure/specifications/1/versions", Spec::ProcurementManagers),
    (
        "POST",
        "/procure/specifications/{id}/service-change",
        "/procure/specifications/1/service-change",
        Spec::ProcurementManagers,
    ),
    ("GET", "/procure/red-flags.csv", "/procure/red-flags.csv", Spec::CommissionerSide),
    ("GET", "/procure/contracts", "/procure/contracts", Spec::CommissionerSideAndProviders),
    ("GET", "/procure/contracts.xlsx", "/procure/contracts.xlsx", Spec::CommissionerSideAndProviders),
    ("GET", "/procure/contracts/{id}", "/procure/contracts/Q99-R9A-2024", Spec::OwnedByR9A),
    (
        "POST",
        "/procure/contracts/{id}/documents",
        "/procure/contracts/Q99-R9A-2024/documents",
        Spec::ManageMonitoringOfR9A,
    ),
    (
        "GET",
        "/procure/contracts/{id}/documents/{document}",
        "/procure/contracts/Q99-R9A-2024/documents/{document}",
        Spec::OwnedByR9A,
    ),
    ("POST", "/procure/contracts/{id}/notices", "/procure/contracts/Q99-R9A-2024/notices", Spec::EitherPartyOfR9A),
    (
        "GET",
        "/procure/contracts/{id}/notices/{notice}",
        "/procure/contracts/Q99-R9A-2024/notices/{notice}",
        Spec::OwnedByR9A,
    ),
    (
        "POST",
        "/procure/contracts/{id}/notices/{notice}/events",
        "/procure/contracts/Q99-R9A-2024/notices/{notice}/events",
        Spec::EitherPartyOfR9A,
    ),
    (
        "POST",
        "/procure/contracts/{id}/notices/{notice}/milestones",
        "/procure/contracts/Q99-R9A-2024/notices/{notice}/milestones",
        Spec::EitherPartyOfR9A,
    ),
    (
        "POST",
        "/procure/contracts/{id}/notices/{notice}/milestones/met",
        "/procure/contracts/Q99-R9A-2024/notices/{notice}/milestones/met",
        Spec::EitherPartyOfR9A,
    ),
    ("GET", "/procure/contracts/{id}/performance", "/procure/contracts/Q99-R9A-2024/performance", Spec::OwnedByR9A),
    ("POST", "/procure/contracts/{id}/kpi-returns", "/procure/contracts/Q99-R9A-2024/kpi-returns", Spec::SubmitForR9A),
    (
        "GET",
        "/procure/contracts/{id}/evaluations",
        "/procure/contracts/Q99-R9A-2024/evaluations",
        Spec::CommissionerSide,
    ),
    (
        "POST",
        "/procure/contracts/{id}/evaluations",
        "/procure/contracts/Q99-R9A-2024/evaluations",
        Spec::ManageMonitoringOfR9A,
    ),
    (
        "GET",
        "/procure/contracts/{id}/evaluations/{evaluation}",
        "/procure/contracts/Q99-R9A-2024/evaluations/{evaluation}",
        Spec::CommissionerSide,
    ),
    ("GET", "/monitor/board-report", "/monitor/board-report", Spec::CommissionerSide),
    ("GET", "/monitor/providers/{code}/performance", "/monitor/providers/R9A/performance", Spec::OwnedByR9A),
    ("GET", "/monitor", "/monitor", Spec::CommissionerSideAndProviders),
    ("GET", "/strategy", "/strategy", Spec::CommissionerSideAndScrutiny),
    ("GET", "/strategy/plans", "/strategy/plans", Spec::CommissionerSideAndScrutiny),
    ("POST", "/strategy/plans", "/strategy/plans", Spec::ProcurementManagers),
    ("GET", "/strategy/plans/{id}", "/strategy/plans/2", Spec::CommissionerSideAndScrutiny),
    ("POST", "/strategy/plans/{id}/approval", "/strategy/plans/2/approval", Spec::ProcurementManagers),
    ("POST", "/strategy/plans/{id}/versions", "/strategy/plans/2/versions", Spec::ProcurementManagers),
    ("POST", "/strategy/plans/{id}/objectives", "/strategy/plans/2/objectives", Spec::ProcurementManagers),
    ("GET", "/public", "/public", Spec::Public),
    ("GET", "/public/providers", "/public/providers", Spec::Public),
    ("GET", "/public/providers/{code}", "/public/providers/R9A", Spec::Public),
    ("GET", "/public/contracts", "/public/contracts", Spec::Public),
    ("GET", "/public/notices", "/public/notices", Spec::Public),
    ("GET", "/public/psr-summary", "/public/psr-summary", Spec::Public),
    ("GET", "/public/consultations", "/public/consultations", Spec::Public),
    ("GET", "/public/consultations/{id}", "/public/consultations/1", Spec::Public),
    ("POST", "/public/consultations/{id}/responses", "/public/consultations/2/responses", Spec::SignedIn),
    ("GET", "/strategy/assessments", "/strategy/assessments?framework=procurement", Spec::CommissionerSideAndScrutiny),
    ("POST", "/strategy/assessments", "/strategy/assessments", Spec::ProcurementManagers),
    ("GET", "/strategy/stakeholders", "/strategy/stakeholders", Spec::CommissionerSideAndScrutiny),
    ("POST", "/strategy/stakeholders", "/strategy/stakeholders", Spec::ProcurementManagers),
    ("GET", "/strategy/consultations", "/strategy/consultations", Spec::CommissionerSideAndScrutiny),
    ("POST", "/strategy/consultations", "/strategy/consultations", Spec::ProcurementManagers),
    ("GET", "/strategy/consultations/{id}", "/strategy/consultations/2", Spec::CommissionerSideAndScrutiny),
    (
        "GET",
        "/strategy/consultations/{id}/responses.csv",
        "/strategy/consultations/1/responses.csv",
        Spec::CommissionerSideAndScrutiny,
    ),
    (
        "POST",
        "/strategy/consultations/{id}/responses",
        "/strategy/consultations/2/responses",
        Spec::ProcurementManagers,
    ),
    ("POST", "/strategy/consultations/{id}/outcomes", "/strategy/consultations/2/outcomes", Spec::ProcurementManagers),
    // After the response routes: closing it ends their chance to respond.
    ("POST", "/strategy/consultations/{id}/close", "/strategy/consultations/2/close", Spec::ProcurementManagers),
    ("GET", "/strategy/programmes", "/strategy/programmes", Spec::CommissionerSideAndScrutiny),
    ("POST", "/strategy/programmes", "/strategy/programmes", Spec::ProcurementManagers),
    ("GET", "/strategy/programmes/{id}", "/strategy/programmes/1", Spec::CommissionerSideAndScrutiny),
    ("GET", "/monitor/performance", "/monitor/performance", Spec::CommissionerSideAndProviders),
    ("GET", "/monitor/performance/{metric}", "/monitor/performance/ae_4hr_all", Spec::CommissionerSideAndProviders),
    (
        "GET",
        "/monitor/performance/{metric}/{org}",
        "/monitor/performance/ae_4hr_all/RL4",
        Spec::OtherOrganisationsPerformance,
    ),
    (
        "GET",
        "/monitor/performance/{metric}/{org}/spc.csv",
        "/monitor/performance/ae_4hr_all/RL4/spc.csv",
        Spec::OtherOrganisationsPerformance,
    ),
    ("GET", "/monitor/providers/{code}", "/monitor/providers/R9A", Spec::OwnedByR9A),
    (
        "GET",
        "/monitor/providers/{code}/plan-vs-actual.csv",
        "/monitor/providers/R9A/plan-vs-actual.csv",
        Spec::OwnedByR9A,
    ),
    ("GET", "/monitor/providers/{code}/challenges", "/monitor/providers/R9A/challenges", Spec::OwnedByR9A),
    ("POST", "/monitor/providers/{code}/queries", "/monitor/providers/R9A/queries", Spec::ManageMonitoringOfR9A),
    ("GET", "/monitor/challenges/{id}", "/monitor/challenges/{challenge}", Spec::OwnedByR9A),
    ("POST", "/monitor/challenges/{id}/respond", "/monitor/challenges/{challenge}/respond", Spec::SubmitForR9A),
    ("GET", "/monitor/queries/{id}", "/monitor/queries/{query}", Spec::OwnedByR9A),
    ("POST", "/monitor/queries/{id}/events", "/monitor/queries/{query}/events", Spec::ManageMonitoringOfR9A),
    ("GET", "/api/v1/openapi.json", "/api/v1/openapi.json", Spec::Public),
    ("GET", "/api/v1/me", "/api/v1/me", Spec::SignedIn),
    ("GET", "/api/v1/dashboard", "/api/v1/dashboard", Spec::CommissionerSide),
    ("GET", "/api/v1/organisations", "/api/v1/organisations", Spec::SignedIn),
    ("GET", "/api/v1/organisations/{code}", "/api/v1/organisations/R9A", Spec::SignedIn),
    ("GET", "/api/v1/areas", "/api/v1/areas?kind=region", Spec::SignedIn),
    ("GET", "/api/v1/areas/{code}", "/api/v1/areas/E54900001", Spec::SignedIn),
    ("GET", "/api/v1/activity/summary", "/api/v1/activity/summary", Spec::SignedIn),
    ("GET", "/api/v1/providers/{code}/submissions", "/api/v1/providers/R9A/submissions", Spec::OwnedByR9A),
    (
        "POST",
        "/api/v1/providers/{code}/submissions",
        "/api/v1/providers/R9A/submissions?month=2025-04",
        Spec::SubmitForR9A,
    ),
    ("GET", "/api/v1/providers/{code}/monitoring", "/api/v1/providers/R9A/monitoring", Spec::OwnedByR9A),
    ("GET", "/api/v1/providers/{code}/challenges", "/api/v1/providers/R9A/challenges", Spec::OwnedByR9A),
    ("POST", "/api/v1/providers/{code}/queries", "/api/v1/providers/R9A/queries", Spec::ManageMonitoringOfR9A),
    ("POST", "/api/v1/challenges/{id}/response", "/api/v1/challenges/{challenge}/response", Spec::SubmitForR9A),
    ("GET", "/api/v1/queries/{id}", "/api/v1/queries/{query}", Spec::OwnedByR9A),
    ("POST", "/api/v1/queries/{id}/events", "/api/v1/queries/{query}/events", Spec::ManageMonitoringOfR9A),
    ("POST", "/api/v1/methods/{name}", "/api/v1/methods/rate", Spec::SignedIn),
    ("GET", "/api/v1/needs", "/api/v1/needs", Spec::CommissionerSide),
    ("GET", "/api/v1/indicators", "/api/v1/indicators", Spec::SignedIn),
    ("GET", "/api/v1/contracts", "/api/v1/contracts", Spec::CommissionerSideAndProviders),
    ("GET", "/api/v1/contracts/{id}", "/api/v1/contracts/Q99-R9A-2024", Spec::OwnedByR9A),
    (
        "GET",
        "/api/v1/contracts/{id}/statement",
        "/api/v1/contracts/Q99-R9A-2024/statement?month=2025-06",
        Spec::OwnedByR9A,
    ),
    ("GET", "/api/v1/contracts/{id}/performance", "/api/v1/contracts/Q99-R9A-2024/performance", Spec::OwnedByR9A),
    ("POST", "/api/v1/contracts/{id}/kpi-returns", "/api/v1/contracts/Q99-R9A-2024/kpi-returns", Spec::SubmitForR9A),
    ("GET", "/api/v1/contracts/{id}/evaluations", "/api/v1/contracts/Q99-R9A-2024/evaluations", Spec::CommissionerSide),
    ("GET", "/api/v1/plan/findings", "/api/v1/plan/findings", Spec::CommissionerSide),
    ("POST", "/api/v1/procure/route", "/api/v1/procure/route", Spec::CommissionerSide),
    ("GET", "/api/v1/procure/decisions", "/api/v1/procure/decisions", Spec::CommissionerSide),
    // The template tender's deadline is years away: its bids are sealed.
    ("GET", "/api/v1/tenders/{id}/bids", "/api/v1/tenders/{tender}/bids", Spec::Providers),
    ("POST", "/api/v1/tenders/{id}/bids", "/api/v1/tenders/{tender}/bids", Spec::Providers),
    ("GET", "/api/v1/tenders/{id}/evaluation", "/api/v1/tenders/{tender}/evaluation", Spec::CommissionerSide),
    ("GET", "/api/v1/ocds/release-package", "/api/v1/ocds/release-package", Spec::Public),
    ("GET", "/api/v1/strategy/plans", "/api/v1/strategy/plans", Spec::CommissionerSideAndScrutiny),
    ("GET", "/api/v1/strategy/plans/{id}", "/api/v1/strategy/plans/2", Spec::CommissionerSideAndScrutiny),
    ("GET", "/api/v1/psr-summary", "/api/v1/psr-summary?year=2025/26", Spec::Public),
    (
        "GET",
        "/api/v1/strategy/assessments/{framework}",
        "/api/v1/strategy/assessments/competencies",
        Spec::CommissionerSideAndScrutiny,
    ),
    ("GET", "/api/v1/strategy/consultations", "/api/v1/strategy/consultations", Spec::CommissionerSideAndScrutiny),
    (
        "GET",
        "/api/v1/strategy/consultations/{id}",
        "/api/v1/strategy/consultations/1",
        Spec::CommissionerSideAndScrutiny,
    ),
    ("GET", "/api/v1/strategy/programmes/{id}", "/api/v1/strategy/programmes/1", Spec::CommissionerSideAndScrutiny),
    ("GET", "/api/v1/audit", "/api/v1/audit", Spec::Administrators),
    ("GET", "/api/v1/users", "/api/v1/users", Spec::Administrators),
    // Last: it ends the session.
    ("POST", "/sign-out", "/sign-out", Spec::SignedIn),
];

fn observed(reply: &Reply) -> Outcome {
    match reply.status {
        StatusCode::UNAUTHORIZED => SignIn,
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::NOT_FOUND => NotFound,
        StatusCode::SEE_OTHER if reply.location().starts_with("/sign-in?next=") => SignIn,
        status if status.is_server_error() => panic!("server error {status}: {}", reply.body),
        _ => Allowed,
    }
}

#[test]
fn every_route_has_an_expectation() {
    for (method, template, _) in web::route_table() {
        assert!(
            MATRIX.iter().any(|(m, t, _, _)| *m == method && *t == template),
            "{method} {template} has no entry in the route matrix"
        );
    }
    assert_eq!(MATRIX.len(), web::route_table().len(), "the matrix lists a route the router does not have");
}

#[tokio::test]
async fn every_role_gets_the_expected_outcome_on_every_route() {
    let mut failures = Vec::new();
    for who in EVERYONE {
        let web = TestWeb::demo().await;
        let mut client = match who.email() {
            Some(email) => web.signed_in(email).await,
            None => web.client(),
        };
        let ids = crate::helpers::template_ids();
        for (method, template, path, spec) in MATRIX {
            let path = path
                .replace("{challenge}", &ids.challenge.to_string())
                .replace("{query}", &ids.query.to_string())
                .replace("{document}", &ids.document.to_string())
                .replace("{notice}", &ids.notice.to_string())
                .replace("{evaluation}", &ids.evaluation.to_string())
                .replace("{decision}", &ids.decision.to_string())
                .replace("{tender}", &ids.tender.to_string());
            let path = path.as_str();
            // A CSRF token from a page the person can open, so that refusals come from the
            // policy and not from a missing token.
            let csrf_page = if who == Who::Anonymous { "/sign-in" } else { "/profile" };
            let csrf = client.get(csrf_page).await.csrf_token();
            let reply = match (*method, path.starts_with("/api/")) {
                ("GET", _) => client.get(path).await,
                ("POST", true) => {
                    // A well-formed body, so the outcome is the policy's, not the parser's.
                    let (content_type, body) = match *template {
                        "/api/v1/challenges/{id}/response" => ("application/json", r#"{"accept": true}"#),
                        "/api/v1/providers/{code}/queries" => {
                            ("application/json", r#"{"pod": "EL", "owner": "Matrix"}"#)
                        }
                        "/api/v1/queries/{id}/events" => ("application/json", r#"{"event": "withdraw"}"#),
                        "/api/v1/methods/{name}" => ("application/json", r#"{"x": 5, "n": 100}"#),
                        "/api/v1/contracts/{id}/kpi-returns" => ("application/json", r#"{"results": []}"#),
                        "/api/v1/procure/route" => ("application/json", r#"{"existing_provider": true}"#),
                        _ => ("text/csv", "record_id\n"),
                    };
                    client.post_api_as(path, &csrf, content_type, body).await
                }
                _ => client.post_form(path, &[("csrf_token", &csrf), ("role", "public")]).await,
            };
            let expected = spec.expect(who);
            let actual = observed(&reply);
            if actual != expected {
                failures.push(format!(
                    "{who:?} {method} {template} ({path}): expected {expected:?}, got {actual:?} ({})",
                    reply.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "route matrix mismatches:\n{}", failures.join("\n"));
}
