//! The page chrome around every page: header with the navigation a person may use, account
//! links with a CSRF-protected sign-out, and the footer.

use axum::response::Html;
use maud::Markup;

use app::accounts::Session;
use commissioning::access::{Action, Decision, Principal, Stage, decide};
use nhsuk::components::footer::{Footer, FooterLink, FooterMeta};
use nhsuk::components::header::{AccountItem, Header, HeaderAccount, HeaderNavigation, HeaderService, NavigationItem};
use nhsuk::content::Content;
use nhsuk::template::{Page, page};

const SERVICE_NAME: &str = "Commissioner";

/// The sections in the header, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Section {
    Dashboard,
    Stage(Stage),
    Organisations,
    Areas,
    Admin,
    Profile,
}

const SECTIONS: [(Section, &str, &str); 8] = [
    (Section::Dashboard, "/dashboard", "Dashboard"),
    (Section::Stage(Stage::Plan), "/plan", "Plan"),
    (Section::Stage(Stage::Procure), "/procure", "Procure"),
    (Section::Stage(Stage::Monitor), "/monitor", "Monitor"),
    (Section::Stage(Stage::Strategy), "/strategy", "Strategy"),
    (Section::Organisations, "/organisations", "Organisations"),
    (Section::Areas, "/areas", "Areas"),
    (Section::Admin, "/admin/users", "Admin"),
];

fn section_action(section: Section) -> Action {
    match section {
        Section::Dashboard => Action::ViewCommissionerDashboard,
        Section::Stage(stage) => Action::ViewStage(stage),
        Section::Organisations | Section::Areas => Action::ViewReferenceData,
        Section::Admin => Action::Administer,
        Section::Profile => Action::ViewOwnProfile,
    }
}

/// Where a person lands after signing in.
pub(crate) fn home_path(principal: &Principal) -> String {
    SECTIONS
        .iter()
        .find(|(section, _, _)| decide(Some(principal), &section_action(*section)) == Decision::Allow)
        .map(|(_, path, _)| (*path).to_owned())
        .unwrap_or_else(|| "/profile".to_owned())
}

/// A page for a signed-in person.
pub(crate) fn page_for(
    session: &Session,
    section: Section,
    title: &str,
    before_content: Option<Markup>,
    content: Markup,
) -> Html<String> {
    let principal = &session.principal;
    let navigation = SECTIONS
        .iter()
        .filter(|(section, _, _)| decide(Some(principal), &section_action(*section)) == Decision::Allow)
        .map(|(item_section, path, label)| {
            Some(NavigationItem {
                href: Some((*path).to_owned()),
                text: (*label).to_owned(),
                active: *item_section == section,
                current: false,
            })
        })
        .collect();
    let header = Header {
        service: Some(HeaderService { text: SERVICE_NAME.into(), href: Some(home_path(principal)) }),
        account: Some(HeaderAccount {
            items: vec![
                Some(AccountItem {
                    text: principal.name.clone(),
                    href: Some("/profile".into()),
                    icon: true,
                    ..Default::default()
                }),
                Some(AccountItem {
                    text: "Sign out".into(),
                    action: Some("/sign-out".into()),
                    hidden_fields: vec![("csrf_token".into(), session.csrf_token.clone())],
                    ..Default::default()
                }),
            ],
        }),
        navigation: Some(HeaderNavigation { items: navigation }),
        ..Default::default()
    };
    render(title, header, before_content, content)
}

/// A page with no account area: sign-in and error pages.
pub(crate) fn bare_page(title: &str, content: Markup) -> String {
    let header = Header {
        service: Some(HeaderService { text: SERVICE_NAME.into(), href: Some("/".into()) }),
        ..Default::default()
    };
    render(title, header, None, content).0
}

fn render(title: &str, header: Header, before_content: Option<Markup>, content: Markup) -> Html<String> {
    let footer = Footer {
        meta: Some(FooterMeta {
            visually_hidden_title: None,
            items: vec![
                FooterLink { href: "/api/v1/openapi.json".into(), text: "API (OpenAPI)".into() },
                FooterLink { href: "/health".into(), text: "Service status".into() },
            ],
        }),
        copyright: Some(Content::text("Commissioner, open-source software for clinical commissioning")),
    };
    let markup = page(&Page {
        title: format!("{title} – {SERVICE_NAME}"),
        header,
        before_content,
        content,
        footer,
        asset_path: None,
        head: Some(maud::html! { link rel="stylesheet" href="/assets/commissioner.css"; }),
    });
    Html(markup.into_string())
}
