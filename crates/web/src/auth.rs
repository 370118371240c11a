//! Sessions in cookies: loading the signed-in person for each request, signing in and out.
//!
//! The session cookie holds a random token (the store keeps only its hash). It is
//! `HttpOnly`, `SameSite=Lax`, and `Secure` with the `__Host-` prefix unless the service is
//! configured for plain HTTP. Before sign-in, a separate cookie carries a CSRF token for the
//! sign-in form (double submit).

use axum::Form;
use axum::extract::{FromRequestParts, Query, Request, State};
use axum::http::header::{COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;

use app::accounts::{Session, SignInOutcome, random_token};
use nhsuk::components::button::Button;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::input::Input;
use nhsuk::components::label::Label;

use crate::error::Error;
use crate::layout;
use crate::state::AppState;

pub(crate) const PRE_SESSION_CSRF_COOKIE: &str = "commissioner_csrf";

/// The person behind a request, if signed in.
#[derive(Debug, Clone, Default)]
pub(crate) struct CurrentUser {
    pub(crate) session: Option<Session>,
    pub(crate) token: Option<String>,
    /// Authenticated by an API token rather than a browser cookie (no CSRF check).
    pub(crate) via_token: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<CurrentUser, Error> {
        Ok(parts.extensions.get::<CurrentUser>().cloned().unwrap_or_default())
    }
}

/// A signed-in person; the policy middleware has already refused anonymous requests to
/// routes that need one, so this only fails on a misconfigured route.
pub(crate) struct SignedIn(pub(crate) Session);

impl<S: Send + Sync> FromRequestParts<S> for SignedIn {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<SignedIn, Error> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        user.session.map(SignedIn).ok_or_else(|| Error::SignInRequired { next: parts.uri.path().to_owned() })
    }
}

pub(crate) fn session_cookie_name(state: &AppState) -> &'static str {
    if state.settings.secure_cookies { "__Host-commissioner_session" } else { "commissioner_session" }
}

/// Loads the session named by the request's cookie into the request's extensions.
pub(crate) async fn load_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let token = read_cookie(request.headers(), session_cookie_name(&state));
    let mut user = CurrentUser::default();
    if let Some(token) = token {
        match state.app.session(&token).await {
            Ok(Some(session)) => {
                user.session = Some(session);
                user.token = Some(token);
            }
            Ok(None) => {}
            Err(error) => return Error::from(error).into_response(),
        }
    }
    request.extensions_mut().insert(user);
    next.run(request).await
}

pub(crate) fn read_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.to_owned())
}

fn cookie(state: &AppState, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
    let secure = if state.settings.secure_cookies { "; Secure" } else { "" };
    let age = max_age.map(|seconds| format!("; Max-Age={seconds}")).unwrap_or_default();
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}"))
        .expect("cookie is ASCII")
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

#[derive(Debug, Deserialize, Default)]
pub(crate) struct SignInForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: Option<String>,
}

/// Only a path on this site: never an absolute URL or a `//host` one.
fn safe_next(next: Option<&str>) -> Option<String> {
    next.filter(|n| n.starts_with('/') && !n.starts_with("//") && !n.starts_with("/\\")).map(str::to_owned)
}

pub(crate) async fn sign_in_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(query): Query<NextQuery>,
) -> Response {
    if let Some(session) = &user.session {
        return Redirect::to(&layout::home_path(&session.principal)).into_response();
    }
    render_sign_in(&state, &SignInForm { next: query.next, ..Default::default() }, &[])
}

pub(crate) async fn sign_in(State(state): State<AppState>, Form(form): Form<SignInForm>) -> Result<Response, Error> {
    let mut errors = Vec::new();
    if form.email.trim().is_empty() {
        errors.push(("email".to_owned(), "Enter your email address".to_owned()));
    }
    if form.password.is_empty() {
        errors.push(("password".to_owned(), "Enter your password".to_owned()));
    }
    if !errors.is_empty() {
        return Ok(render_sign_in(&state, &form, &errors));
    }
    match state.app.sign_in(&form.email, &form.password).await? {
        SignInOutcome::SignedIn(signed_in) => {
            let target = safe_next(form.next.as_deref()).unwrap_or_else(|| layout::home_path(&signed_in.principal));
            let mut response = Redirect::to(&target).into_response();
            let headers = response.headers_mut();
            headers.append(SET_COOKIE, cookie(&state, session_cookie_name(&state), &signed_in.token, None));
            headers.append(SET_COOKIE, cookie(&state, PRE_SESSION_CSRF_COOKIE, "", Some(0)));
            Ok(response)
        }
        SignInOutcome::Invalid => Ok(render_sign_in(
            &state,
            &form,
            &[("email".to_owned(), "Enter a correct email address and password".to_owned())],
        )),
        SignInOutcome::Locked => Ok(render_sign_in(
            &state,
            &form,
            &[(
                "email".to_owned(),
                "Your account is locked after too many failed attempts to sign in. Ask your administrator to unlock it"
                    .to_owned(),
            )],
        )),
    }
}

pub(crate) async fn sign_out(State(state): State<AppState>, user: CurrentUser) -> Result<Response, Error> {
    if let (Some(token), Some(session)) = (&user.token, &user.session) {
        state.app.sign_out(token, &session.principal).await?;
    }
    let mut response = Redirect::to("/sign-in").into_response();
    response.headers_mut().append(SET_COOKIE, cookie(&state, session_cookie_name(&state), "", Some(0)));
    Ok(response)
}

/// Renders the sign-in page with a fresh pre-session CSRF token (and the errors, if any).
fn render_sign_in(state: &AppState, form: &SignInForm, errors: &[(String, String)]) -> Response {
    let csrf = random_token();
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str());
    let content = html! {
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-two-thirds" {
                @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
                h1 { "Sign in to Commissioner" }
                form method="post" action="/sign-in" novalidate {
                    input type="hidden" name="csrf_token" value=(csrf);
                    @if let Some(next) = safe_next(form.next.as_deref()) {
                        input type="hidden" name="next" value=(next);
                    }
                    (Input { autocomplete: Some("username".into()), spellcheck: Some(false), input_type: Some("email".into()), ..Input::new("email", Label::text("Email address")) }
                        .with_value(form.email.clone()).with_error(error_for("email")))
                    (Input { autocomplete: Some("current-password".into()), input_type: Some("password".into()), ..Input::new("password", Label::text("Password")) }
                        .with_error(error_for("password")))
                    (Button::submit("Sign in"))
                }
            }
        }
    };
    let title = if errors.is_empty() { "Sign in".to_owned() } else { "Error: Sign in".to_owned() };
    let status =
        if errors.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    let mut response = (status, Html(layout::bare_page(&title, content))).into_response();
    response.headers_mut().append(SET_COOKIE, cookie(state, PRE_SESSION_CSRF_COOKIE, &csrf, None));
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed_after_sign_in() {
        assert_eq!(safe_next(Some("/areas/E01000001")), Some("/areas/E01000001".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil.example")), None);
        assert_eq!(safe_next(None), None);
    }
}
