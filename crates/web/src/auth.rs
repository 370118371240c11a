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

/// The client's IP address, when the server was started with connection information.
pub(crate) struct ClientAddress(pub(crate) String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddress {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<ClientAddress, Error> {
        let address = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|info| info.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        Ok(ClientAddress(address))
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

/// Loads the person behind the request into its extensions: from an API bearer token, or
/// from the session cookie.
pub(crate) async fn load_session(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let mut user = CurrentUser::default();
    if let Some(secret) = bearer_token(request.headers()) {
        match state.app.token_principal(&secret).await {
            Ok(Some(principal)) => {
                let email = format!("token:{}", principal.api_token.unwrap_or_default());
                user.session =
                    Some(Session { principal, csrf_token: String::new(), email, must_change_password: false });
                user.via_token = true;
            }
            Ok(None) => {
                let body = serde_json::json!({ "error": "the API token is not valid or has been revoked" });
                return (axum::http::StatusCode::UNAUTHORIZED, axum::Json(body)).into_response();
            }
            Err(error) => return Error::from(error).into_response(),
        }
        request.extensions_mut().insert(user);
        return next.run(request).await;
    }
    let token = read_cookie(request.headers(), session_cookie_name(&state));
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

fn bearer_token(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned()).filter(|t| !t.is_empty())
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

pub(crate) async fn sign_in(
    State(state): State<AppState>,
    ClientAddress(client): ClientAddress,
    Form(form): Form<SignInForm>,
) -> Result<Response, Error> {
    if !state.sign_in_limiter.allow(&client, std::time::Instant::now()) {
        tracing::warn!(client, "too many sign-in attempts");
        let content = html! {
            h1 { "Too many attempts to sign in" }
            p { "Wait a minute, then try again." }
        };
        return Ok((
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            Html(layout::bare_page("Too many attempts to sign in", content)),
        )
            .into_response());
    }
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
            let target = if signed_in.must_change_password {
                "/profile/password".to_owned()
            } else {
                safe_next(form.next.as_deref()).unwrap_or_else(|| layout::home_path(&signed_in.principal))
            };
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

#[derive(Debug, Deserialize, Default)]
pub(crate) struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

pub(crate) async fn password_page(SignedIn(session): SignedIn) -> Html<String> {
    render_password(&session, &[])
}

pub(crate) async fn change_password(
    State(state): State<AppState>,
    SignedIn(session): SignedIn,
    Form(form): Form<PasswordForm>,
) -> Result<Response, Error> {
    let mut errors = Vec::new();
    if form.current.is_empty() {
        errors.push(("current".to_owned(), "Enter your current password".to_owned()));
    }
    if form.new.is_empty() {
        errors.push(("new".to_owned(), "Enter a new password".to_owned()));
    } else if form.new != form.confirm {
        errors.push(("confirm".to_owned(), "The passwords do not match".to_owned()));
    }
    if errors.is_empty() {
        match state.app.change_password(&session.principal, &form.current, &form.new).await {
            Ok(token) => {
                let mut response = Redirect::to(&format!("{}?changed=1", "/profile")).into_response();
                response.headers_mut().append(SET_COOKIE, cookie(&state, session_cookie_name(&state), &token, None));
                return Ok(response);
            }
            Err(app::AppError::Invalid(message)) => {
                let field = if message.contains("current") { "current" } else { "new" };
                errors.push((field.to_owned(), message));
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, render_password(&session, &errors)).into_response())
}

fn render_password(session: &Session, errors: &[(String, String)]) -> Html<String> {
    let error_for = |field: &str| errors.iter().find(|(f, _)| f == field).map(|(_, m)| m.as_str());
    let password_input = |name: &str, label: &str, autocomplete: &str| Input {
        input_type: Some("password".into()),
        autocomplete: Some(autocomplete.into()),
        ..Input::new(name, Label::text(label))
    };
    let content = html! {
        div class="nhsuk-grid-row" {
            div class="nhsuk-grid-column-two-thirds" {
                @if !errors.is_empty() { (ErrorSummary::for_fields(errors)) }
                h1 { "Change your password" }
                @if session.must_change_password {
                    p { "You must choose a new password before you continue." }
                }
                form method="post" action="/profile/password" novalidate {
                    input type="hidden" name="csrf_token" value=(session.csrf_token);
                    (password_input("current", "Current password", "current-password").with_error(error_for("current")))
                    (password_input("new", "New password", "new-password")
                        .with_hint(format!("Use {} characters or more. A few unrelated words make a strong password.", app::accounts::MIN_PASSWORD_LENGTH))
                        .with_error(error_for("new")))
                    (password_input("confirm", "Confirm new password", "new-password").with_error(error_for("confirm")))
                    (Button::submit("Change password"))
                }
            }
        }
    };
    let title = if errors.is_empty() { "Change your password" } else { "Error: Change your password" };
    layout::page_for(session, layout::Section::Profile, title, None, content)
}
