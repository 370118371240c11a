//! Administration pages: users (create, roles, unlock, reset password), adding an
//! organisation, and the audit log with its integrity check.

use std::collections::BTreeSet;

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Form, http::StatusCode};
use chrono::{NaiveDate, TimeZone, Utc};
use maud::{Markup, html};
use serde::Deserialize;

use app::accounts::{NewAccount, Session};
use app::admin::{AuditFilter, NewOrganisation};
use commissioning::access::Role;
use commissioning::org::{OdsCode, OrgKind, ProviderType};
use nhsuk::components::button::Button;
use nhsuk::components::checkboxes::{CheckboxItem, Checkboxes, CheckboxesFieldset};
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::fieldset::Legend;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;
use nhsuk::components::notification_banner::NotificationBanner;
use nhsuk::components::select::{Select, SelectItem};
use nhsuk::components::table::{Cell, Table};
use nhsuk::components::tag::Tag;
use nhsuk::components::warning_callout::WarningCallout;

use crate::auth::SignedIn;
use crate::error::Error;
use crate::layout::{self, Section};
use crate::pages::summary;
use crate::state::AppState;

/// A moment (epoch milliseconds) as people read it.
pub(crate) fn when(millis: i64) -> String {
    Utc.timestamp_millis_opt(millis).single().map(|t| t.format("%-d %b %Y %H:%M UTC").to_string()).unwrap_or_default()
}

fn hidden_csrf(session: &Session) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(session.csrf_token); }
}

pub(crate) async fn users(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    let users = state.app.users(&session.principal).await?;
    let content = html! {
        h1 { "Users" }
        p { (Button::link("Add a user", "/admin/users/new")) }
        (Table::new(
            "User accounts",
            vec![Cell::text("Name"), Cell::text("Email address"), Cell::text("Organisation"), Cell::text("Roles"), Cell::text("Status")],
            users.iter().map(|user| vec![
                Cell::html(html! { a href={ "/admin/users/" (user.id) } { (user.name) } }),
                Cell::text(user.email.clone()),
                Cell::text(user.organisation.to_string()),
                Cell::text(user.roles.iter().map(|r| r.label()).collect::<Vec<_>>().join(", ")),
                Cell::html(status_tag(user.locked_at.is_some(), user.must_change_password)),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Admin, "Users", None, content))
}

fn status_tag(locked: bool, must_change: bool) -> Markup {
    html! {
        @if locked { (Tag::new("Locked", Some("red"))) }
        @else if must_change { (Tag::new("Password to change", Some("yellow"))) }
        @else { (Tag::new("Active", Some("green"))) }
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct UserForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    role: Vec<String>,
}

fn role_checkboxes(selected: &BTreeSet<Role>, error: Option<&str>) -> Checkboxes {
    Checkboxes {
        id_prefix: Some("role".into()),
        name: "role".into(),
        fieldset: Some(CheckboxesFieldset { legend: Some(Legend { size: Some("s".into()), ..Legend::text("Roles") }) }),
        hint: Some("Select all that apply".into()),
        error_message: error.map(Into::into),
        items: Role::ALL
            .iter()
            .map(|role| CheckboxItem {
                value: role.code().into(),
                text: role.label().into(),
                checked: selected.contains(role),
                ..Default::default()
            })
            .collect(),
    }
}

pub(crate) async fn new_user_page(SignedIn(session): SignedIn) -> Html<String> {
    render_new_user(&session, &UserForm::default(), &[])
}

pub(crate) async fn create_user(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let form = UserForm {
        email: field(&fields, "email"),
        name: field(&fields, "name"),
        organisation: field(&fields, "organisation"),
        role: fields.iter().filter(|(k, _)| k == "role").map(|(_, v)| v.clone()).collect(),
    };
    let mut errors = Vec::new();
    if form.email.trim().is_empty() {
        errors.push(("email".to_owned(), "Enter their email address".to_owned()));
    }
    if form.name.trim().is_empty() {
        errors.push(("name".to_owned(), "Enter their name".to_owned()));
    }
    let organisation = OdsCode::parse(&form.organisation.trim().to_uppercase());
    if organisation.is_err() {
        errors
            .push(("organisation".to_owned(), "Enter the ODS code of their organisation, like Q99 or R0A".to_owned()));
    }
    let roles: BTreeSet<Role> = form.role.iter().filter_map(|r| Role::parse(r).ok()).collect();
    if roles.is_empty() {
        errors.push(("role".to_owned(), "Select at least one role".to_owned()));
    }
    if let (true, Ok(organisation)) = (errors.is_empty(), organisation) {
        let temporary = format!("temp-{}", &app::accounts::random_token()[..16]);
        let account = NewAccount {
            email: form.email.trim().into(),
            name: form.name.trim().into(),
            organisation,
            roles,
            password: temporary.clone(),
            must_change_password: true,
        };
        match state.app.admin_create_account(&session.principal, account).await {
            Ok(id) => return Ok(Html(render_user(&state, &session, id, Some(&temporary)).await?.0).into_response()),
            Err(app::AppError::Invalid(message)) => {
                let field = if message.contains("email") { "email" } else { "organisation" };
                errors.push((field.to_owned(), message));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_new_user(&session, &form, &errors)).into_response())
}

fn field(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

fn render_new_user(session: &Session, form: &UserForm, errors: &[(String, String)]) -> Html<String> {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str());
    let selected: BTreeSet<Role> = form.role.iter().filter_map(|r| Role::parse(r).ok()).collect();
    let content = html! {
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-two-thirds" {
                @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
                h1 { "Add a user" }
                form method="post" action="/admin/users/new" novalidate {
                    (hidden_csrf(session))
                    (Input { input_type: Some("email".into()), spellcheck: Some(false), ..Input::new("email", Label::text("Email address")) }
                        .with_value(form.email.clone()).with_error(error_for("email")))
                    (Input::new("name", Label::text("Full name")).with_value(form.name.clone()).with_error(error_for("name")))
                    (Input { width: Some(10), ..Input::new("organisation", Label::text("Organisation ODS code")) }
                        .with_value(form.organisation.clone()).with_error(error_for("organisation")))
                    (role_checkboxes(&selected, error_for("role")))
                    p { "They will get a temporary password to change when they first sign in." }
                    (Button::submit("Add user"))
                }
            }
        }
    };
    layout::page_for(
        session,
        Section::Admin,
        if errors.is_empty() { "Add a user" } else { "Error: Add a user" },
        None,
        content,
    )
}

pub(crate) async fn show_user(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    render_user(&state, &session, id, None).await
}

async fn render_user(
    state: &AppState,
    session: &Session,
    id: i64,
    temporary: Option<&str>,
) -> Result<Html<String>, Error> {
    let user = state.app.user(&session.principal, id).await?;
    let content = html! {
        @if let Some(temporary) = temporary {
            (NotificationBanner::success(format!("Account saved. Temporary password: {temporary}")))
            (WarningCallout::new("Pass this on securely", "The temporary password is shown only once. They must change it when they first sign in."))
        }
        span class="nhsuk-caption-l" { "User" }
        h1 { (user.name) }
        (summary(vec![
            ("Email address", html! { (user.email) }),
            ("Organisation", html! { a href={ "/organisations/" (user.organisation) } { (user.organisation) } }),
            ("Status", status_tag(user.locked_at.is_some(), user.must_change_password)),
            ("Failed sign-ins in a row", html! { (user.failed_sign_ins) }),
            ("Created", html! { (when(user.created_at)) }),
        ]))
        h2 { "Roles" }
        form method="post" action={ "/admin/users/" (user.id) "/roles" } novalidate {
            (hidden_csrf(session))
            (role_checkboxes(&user.roles, None))
            (Button::secondary("Save roles"))
        }
        h2 { "Sign-in" }
        @if user.locked_at.is_some() {
            form method="post" action={ "/admin/users/" (user.id) "/unlock" } {
                (hidden_csrf(session))
                (Button::secondary("Unlock account"))
            }
        }
        form method="post" action={ "/admin/users/" (user.id) "/reset-password" } {
            (hidden_csrf(session))
            (Button::secondary("Reset password"))
        }
        p { a href="/admin/users" { "Back to users" } }
    };
    Ok(layout::page_for(session, Section::Admin, &user.name, None, content))
}

pub(crate) async fn set_roles(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Result<Response, Error> {
    let roles: BTreeSet<Role> =
        fields.iter().filter(|(k, _)| k == "role").filter_map(|(_, v)| Role::parse(v).ok()).collect();
    state.app.set_roles(&session.principal, id, roles).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

pub(crate) async fn unlock(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    state.app.unlock_user(&session.principal, id).await?;
    Ok(Redirect::to(&format!("/admin/users/{id}")).into_response())
}

pub(crate) async fn reset_password(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Html<String>, Error> {
    let temporary = state.app.reset_password(&session.principal, id).await?;
    render_user(&state, &session, id, Some(&temporary)).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OrganisationForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    kind: String,
    #[serde(default)]
    provider_type: String,
    #[serde(default)]
    parent: String,
}

pub(crate) async fn new_organisation_page(SignedIn(session): SignedIn) -> Html<String> {
    render_new_organisation(&session, &OrganisationForm::default(), &[])
}

pub(crate) async fn create_organisation(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<OrganisationForm>,
) -> Result<Response, Error> {
    let mut errors = Vec::new();
    let code = OdsCode::parse(&form.code.trim().to_uppercase());
    if code.is_err() {
        errors.push(("code".to_owned(), "Enter an ODS code of 3 to 6 letters and digits, like R0A".to_owned()));
    }
    if form.name.trim().is_empty() {
        errors.push(("name".to_owned(), "Enter the organisation's name".to_owned()));
    }
    let kind = OrgKind::parse(&form.kind);
    if kind.is_err() {
        errors.push(("kind".to_owned(), "Select the kind of organisation".to_owned()));
    }
    let provider_type =
        if form.provider_type.is_empty() { None } else { ProviderType::parse(&form.provider_type).ok() };
    let parent = if form.parent.trim().is_empty() {
        Ok(None)
    } else {
        OdsCode::parse(&form.parent.trim().to_uppercase()).map(Some)
    };
    if parent.is_err() {
        errors.push(("parent".to_owned(), "Enter the parent's ODS code, or leave it blank".to_owned()));
    }
    if let (true, Ok(code), Ok(kind), Ok(parent)) = (errors.is_empty(), code, kind, parent) {
        let new = NewOrganisation { code: code.clone(), name: form.name.clone(), kind, provider_type, parent };
        match state.app.create_organisation(&session.principal, new).await {
            Ok(()) => return Ok(Redirect::to(&format!("/organisations/{code}")).into_response()),
            Err(app::AppError::Invalid(message)) => errors.push(("code".to_owned(), message)),
            Err(error) => return Err(error.into()),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render_new_organisation(&session, &form, &errors)).into_response())
}

fn render_new_organisation(session: &Session, form: &OrganisationForm, errors: &[(String, String)]) -> Html<String> {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str());
    let kinds = std::iter::once(SelectItem::new("", "Choose a kind", form.kind.is_empty()))
        .chain(OrgKind::ALL.iter().map(|k| SelectItem::new(k.code(), k.label(), form.kind == k.code())))
        .collect();
    let types = std::iter::once(SelectItem::new("", "Not a provider", form.provider_type.is_empty()))
        .chain(ProviderType::ALL.iter().map(|t| SelectItem::new(t.code(), t.label(), form.provider_type == t.code())))
        .collect();
    let content = html! {
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-two-thirds" {
                @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
                h1 { "Add an organisation" }
                form method="post" action="/admin/organisations/new" novalidate {
                    (hidden_csrf(session))
                    (Input { width: Some(10), ..Input::new("code", Label::text("ODS code")) }.with_value(form.code.clone()).with_error(error_for("code")))
                    (Input::new("name", Label::text("Name")).with_value(form.name.clone()).with_error(error_for("name")))
                    (Select { name: "kind".into(), label: Label::text("Kind"), items: kinds, error_message: error_for("kind").map(Into::into), ..Default::default() })
                    (Select { name: "provider_type".into(), label: Label::text("Provider type"), items: types, ..Default::default() })
                    (Input { width: Some(10), ..Input::new("parent", Label::text("Part of (ODS code, optional)")) }
                        .with_hint("For a provider or GP practice, its commissioner").with_value(form.parent.clone()).with_error(error_for("parent")))
                    (Button::submit("Add organisation"))
                }
            }
        }
    };
    layout::page_for(
        session,
        Section::Admin,
        if errors.is_empty() { "Add an organisation" } else { "Error: Add an organisation" },
        None,
        content,
    )
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditQuery {
    actor: Option<String>,
    object_type: Option<String>,
    object_id: Option<String>,
    /// YYYY-MM-DD, inclusive.
    from: Option<String>,
    /// YYYY-MM-DD, inclusive.
    to: Option<String>,
}

impl AuditQuery {
    pub(crate) fn filter(&self) -> Result<AuditFilter, Error> {
        let day = |text: &Option<String>, field: &str| -> Result<Option<NaiveDate>, Error> {
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(text) => commissioning::period::parse_date(text)
                    .map(Some)
                    .map_err(|_| Error::BadRequest(format!("{field} must be a date like 2025-04-01"))),
                None => Ok(None),
            }
        };
        let millis = |date: NaiveDate| date.and_hms_opt(0, 0, 0).expect("midnight").and_utc().timestamp_millis();
        let text =
            |value: &Option<String>| value.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned);
        Ok(AuditFilter {
            actor: text(&self.actor),
            object_type: text(&self.object_type),
            object_id: text(&self.object_id),
            from: day(&self.from, "from")?.map(millis),
            to: day(&self.to, "to")?.map(|d| millis(d + chrono::Days::new(1))),
            limit: 500,
        })
    }
}

pub(crate) async fn audit(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Query(query): Query<AuditQuery>,
) -> Result<Html<String>, Error> {
    let filter = query.filter()?;
    let entries = state.app.audit_entries(&session.principal, &filter).await?;
    let verification = state.app.verify_audit().await?;
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let content = html! {
        h1 { "Audit log" }
        @match &verification.first_broken {
            None => (NotificationBanner::success(format!("The audit log is intact: {} entries checked.", verification.n_checked))),
            Some(broken) => (WarningCallout::new("The audit log has been tampered with", format!("Entry {}: {}", broken.seq, broken.reason))),
        }
        form method="get" action="/admin/audit" {
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-third" { (Input::new("actor", Label::text("Who (such as user:3)")).with_value(value(&query.actor))) }
                div class="nhsuk-grid-column-one-third" { (Input::new("object_type", Label::text("Kind of object")).with_value(value(&query.object_type))) }
                div class="nhsuk-grid-column-one-third" { (Input::new("object_id", Label::text("Object")).with_value(value(&query.object_id))) }
            }
            div class="nhsuk-grid-row" {
                div class="nhsuk-grid-column-one-third" { (Input { input_type: Some("date".into()), ..Input::new("from", Label::text("From")) }.with_value(value(&query.from))) }
                div class="nhsuk-grid-column-one-third" { (Input { input_type: Some("date".into()), ..Input::new("to", Label::text("To")) }.with_value(value(&query.to))) }
            }
            (Button::secondary("Filter"))
        }
        (Table::new(
            "Audit entries, newest first",
            vec![Cell::numeric("No."), Cell::text("When"), Cell::text("Who"), Cell::text("Did"), Cell::text("To"), Cell::text("Change")],
            entries.iter().map(|record| vec![
                Cell::numeric(record.seq.to_string()),
                Cell::html(html! { span class="app-nowrap" { (when(record.at)) } }),
                Cell::text(record.entry.actor.clone()),
                Cell::text(record.entry.action.clone()),
                Cell::text(format!("{} {}", record.entry.object_type, record.entry.object_id)),
                Cell::html(html! {
                    @if let Some(before) = &record.entry.before { "Before: " code { (before.to_string()) } br; }
                    @if let Some(after) = &record.entry.after { "After: " code { (after.to_string()) } }
                }),
            ]).collect(),
        ))
    };
    Ok(layout::page_for(&session, Section::Admin, "Audit log", None, content))
}
