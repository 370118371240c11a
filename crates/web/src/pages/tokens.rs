//! API tokens: a provider makes tokens for its systems to submit activity; an
//! administrator can make them for any organisation. A token's secret is shown once.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use app::accounts::Session;
use commissioning::access::Role;
use commissioning::org::OdsCode;
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
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
use crate::pages::admin::when;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    role: String,
}

pub(crate) async fn tokens(State(state): State<AppState>, SignedIn(session): SignedIn) -> Result<Html<String>, Error> {
    render(&state, &session, &TokenForm::default(), &[], None).await
}

pub(crate) async fn create(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<TokenForm>,
) -> Result<Response, Error> {
    let mut errors = Vec::new();
    let organisation = if session.principal.has(Role::Administrator) && !form.organisation.trim().is_empty() {
        OdsCode::parse(&form.organisation.trim().to_uppercase())
    } else {
        Ok(session.principal.organisation.clone())
    };
    if organisation.is_err() {
        errors.push(("organisation".to_owned(), "Enter an ODS code, like R0A".to_owned()));
    }
    let role = Role::parse(&form.role);
    if role.is_err() {
        errors.push(("role".to_owned(), "Select the role the token acts in".to_owned()));
    }
    if form.name.trim().is_empty() {
        errors.push(("name".to_owned(), "Enter a name for the token, such as the system that will use it".to_owned()));
    }
    if let (true, Ok(organisation), Ok(role)) = (errors.is_empty(), organisation, role) {
        match state.app.create_token(&session.principal, &organisation, role, &form.name).await {
            Ok(token) => {
                return Ok(render(&state, &session, &TokenForm::default(), &[], Some(&token.secret))
                    .await?
                    .into_response());
            }
            Err(app::AppError::Invalid(message)) => errors.push(("role".to_owned(), message)),
            Err(error) => return Err(error.into()),
        }
    }
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&state, &session, &form, &errors, None).await?).into_response())
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Path(id): Path<i64>,
) -> Result<Response, Error> {
    state.app.revoke_token(&session.principal, id).await?;
    Ok(Redirect::to("/tokens").into_response())
}

async fn render(
    state: &AppState,
    session: &Session,
    form: &TokenForm,
    errors: &[(String, String)],
    secret: Option<&str>,
) -> Result<Html<String>, Error> {
    let tokens = state.app.tokens(&session.principal).await?;
    let is_admin = session.principal.has(Role::Administrator);
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str());
    let roles: Vec<SelectItem> = Role::ALL
        .iter()
        .filter(|role| is_admin || session.principal.has(**role))
        .map(|role| {
            SelectItem::new(
                role.code(),
                role.label(),
                form.role == role.code() || (form.role.is_empty() && *role == Role::Provider),
            )
        })
        .collect();
    let content = html! {
        @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
        @if let Some(secret) = secret {
            (NotificationBanner::success(format!("Token created: {secret}")))
            (WarningCallout::new("Copy the token now", "It is shown only once. Send it as 'Authorization: Bearer <token>'. Revoke it here if it is lost."))
        }
        h1 { "API tokens" }
        p { "Tokens let your systems submit data on behalf of " (session.principal.organisation) " without a person signing in. A token can only submit for its organisation and read what it submitted." }
        (Table::new(
            "Tokens",
            vec![Cell::text("Name"), Cell::text("Organisation"), Cell::text("Role"), Cell::text("Created"), Cell::text("Last used"), Cell::text("Status")],
            tokens.iter().map(|token| vec![
                Cell::text(token.name.clone()),
                Cell::text(token.organisation.to_string()),
                Cell::text(token.role.label()),
                Cell::text(when(token.created_at)),
                Cell::text(token.last_used_at.map(when).unwrap_or_else(|| "Never".into())),
                Cell::html(html! {
                    @if token.revoked_at.is_some() { (Tag::new("Revoked", Some("grey"))) } @else {
                        form method="post" action={ "/tokens/" (token.id) "/revoke" } {
                            input type="hidden" name="csrf_token" value=(session.csrf_token);
                            (Button { small: true, ..Button::secondary(format!("Revoke {}", token.name)) })
                        }
                    }
                }),
            ]).collect(),
        ))
        h2 { "Create a token" }
        form method="post" action="/tokens" novalidate {
            input type="hidden" name="csrf_token" value=(session.csrf_token);
            (Input::new("name", Label::text("Name")).with_value(form.name.clone()).with_error(error_for("name")))
            @if is_admin {
                (Input { width: Some(10), ..Input::new("organisation", Label::text("Organisation ODS code")) }
                    .with_hint("Leave blank for your own organisation").with_value(form.organisation.clone()).with_error(error_for("organisation")))
            }
            (Select { name: "role".into(), label: Label::text("Role"), items: roles, error_message: error_for("role").map(Into::into), ..Default::default() })
            (Button::submit("Create token"))
        }
    };
    Ok(layout::page_for(session, Section::Profile, "API tokens", None, content))
}
