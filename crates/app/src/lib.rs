//! Use cases: what a commissioner, analyst or provider can do, shared by the web pages, the
//! JSON API and the CLI.
//!
//! `app` loads data from the store and the analytics files, asks the domain crate for
//! decisions (including [`commissioning::access::decide`] for every read and write), and
//! saves the results with their audit entries in one transaction.
//!
//! **API boundary:** `web` and `cli` call only this crate's functions and types (plus domain
//! types); they never reach into `store` or `analytics` themselves.

pub mod accounts;
pub mod accreditation;
pub mod activity;
pub mod admin;
pub mod assessment;
pub mod backup;
pub mod board;
pub mod capacity;
pub mod contract_lines;
pub mod contract_performance;
pub mod contracts;
pub mod cycle;
pub mod demo;
mod demo_procurement;
pub mod engagement;
pub mod evaluation;
pub mod export;

pub mod generate;
pub mod import;
pub mod methods;
pub mod monitor;
pub mod needs;
pub mod notices;
pub mod ocds;
pub mod performance;
pub mod prices;
pub mod priorities;
pub mod procurement;
pub mod progress;
pub mod provision;
pub mod public;
pub mod redflags;
pub mod reference;
pub mod rtt;
pub mod specifications;
pub mod strategy;
pub mod tender_questions;
pub mod tenders;

use std::path::PathBuf;

use commissioning::access::{Action, Decision, Principal, decide};
use commissioning::calendar::WorkingCalendar;
use store::{Store, StoreError, StoreSettings};

/// Settings for the application core.
#[derive(Debug, Clone)]
pub struct AppSettings {
    /// Where the embedded store and analytics files live.
    pub data_dir: PathBuf,
    /// `sqlite:` (default: a file in `data_dir`) or `postgres://`.
    pub database_url: Option<String>,
    /// Sessions end after this long without use.
    pub session_idle_timeout_ms: i64,
    /// Sessions end this long after sign-in, however busy.
    pub session_absolute_timeout_ms: i64,
    /// A substantial service change may not be awarded until its consultation is complete,
    /// unless someone gives a reason to override (recorded in the audit log). On by default.
    pub require_consultation_gate: bool,
}

impl AppSettings {
    pub fn new(data_dir: PathBuf) -> AppSettings {
        AppSettings {
            data_dir,
            database_url: None,
            session_idle_timeout_ms: 30 * 60 * 1000,
            session_absolute_timeout_ms: 12 * 60 * 60 * 1000,
            require_consultation_gate: true,
        }
    }

    pub fn store_settings(&self) -> StoreSettings {
        match &self.database_url {
            Some(url) => StoreSettings::from_url(url),
            None => StoreSettings::sqlite_file(&self.data_dir.join("commissioner.db")),
        }
    }
}

/// The application: the store plus settings. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
    settings: AppSettings,
    calendar: std::sync::Arc<WorkingCalendar>,
    needs_cache: needs::NeedsCache,
}

/// Errors from use cases, split into the user's fault and ours.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("sign in required")]
    SignInRequired,
    #[error("not allowed")]
    Forbidden,
    /// The input is wrong; the message says how, in words a user can act on.
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Import(#[from] import::ImportError),
    /// Bids that nobody may open yet: the deadline (UTC) has not passed or the tender has
    /// not closed.
    #[error("the bids are sealed until the deadline ({0} UTC) has passed and the tender has closed")]
    Sealed(chrono::NaiveDateTime),
    #[error("unexpected error")]
    Unexpected(#[from] anyhow::Error),
}

impl AppError {
    /// Input refused at a field: `field: message`, which the pages read into their error
    /// summary.
    pub(crate) fn field(field: &str, message: impl std::fmt::Display) -> AppError {
        AppError::Invalid(format!("{field}: {message}"))
    }
}

/// What a lookup of a thing named in a form found: the thing, or the form field's error
/// saying that no such `what` is held.
pub(crate) fn must_be_held<T>(field: &str, what: &str, found: std::result::Result<T, StoreError>) -> Result<T> {
    match found {
        Ok(thing) => Ok(thing),
        Err(StoreError::NotFound) => Err(AppError::field(field, format!("No {what} is held"))),
        Err(other) => Err(other.into()),
    }
}

impl From<StoreError> for AppError {
    fn from(error: StoreError) -> AppError {
        match error {
            StoreError::NotFound => AppError::NotFound,
            other => AppError::Unexpected(anyhow::Error::new(other)),
        }
    }
}

pub type Result<T, E = AppError> = std::result::Result<T, E>;

/// Who is making a change, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    User(Principal),
    /// Batch work from the command line or the demo loader, named.
    System(String),
}

impl Actor {
    pub fn audit_name(&self) -> String {
        match self {
            Actor::User(Principal { api_token: Some(token), .. }) => format!("token:{token}"),
            Actor::User(principal) => format!("user:{}", principal.user_id),
            Actor::System(name) => format!("system:{name}"),
        }
    }

    pub fn organisation(&self) -> Option<String> {
        match self {
            Actor::User(principal) => Some(principal.organisation.to_string()),
            Actor::System(_) => None,
        }
    }
}

impl App {
    /// Opens the store (creating the data directory and SQLite file on first run) and
    /// migrates it.
    pub async fn open(settings: AppSettings) -> anyhow::Result<App> {
        use anyhow::Context;
        std::fs::create_dir_all(&settings.data_dir)
            .with_context(|| format!("creating the data directory {}", settings.data_dir.display()))?;
        let store = Store::open(&settings.store_settings()).await.context("opening the store")?;
        Ok(App::with_store(store, settings))
    }

    /// Wraps an already open store (tests use this with a `TestDb`).
    pub fn with_store(store: Store, settings: AppSettings) -> App {
        App {
            store,
            settings,
            calendar: std::sync::Arc::new(WorkingCalendar::england_and_wales()),
            needs_cache: needs::NeedsCache::default(),
        }
    }

    pub fn settings(&self) -> &AppSettings {
        &self.settings
    }

    pub fn calendar(&self) -> &WorkingCalendar {
        &self.calendar
    }

    pub fn backend_name(&self) -> &'static str {
        self.store.backend().name()
    }

    /// Checks the store answers.
    pub async fn health(&self) -> Result<()> {
        Ok(self.store.ping().await?)
    }

    /// Closes the store's connections (SQLite then folds its write-ahead log into the file).
    pub async fn close(&self) {
        self.store.close().await;
    }

    pub(crate) fn store(&self) -> &Store {
        &self.store
    }
}

/// An audit entry of a change to one object, with what it became.
pub(crate) fn audit_entry(
    actor: &Actor,
    object_type: &str,
    object_id: impl ToString,
    action: &str,
    after: serde_json::Value,
) -> store::audit::AuditEntry {
    store::audit::AuditEntry {
        actor: actor.audit_name(),
        organisation: actor.organisation(),
        action: action.into(),
        object_type: object_type.into(),
        object_id: object_id.to_string(),
        before: None,
        after: Some(after),
    }
}

/// Applies the access policy, turning a refusal into the matching error.
pub fn authorize(principal: Option<&Principal>, action: &Action) -> Result<()> {
    match decide(principal, action) {
        Decision::Allow => Ok(()),
        Decision::SignInRequired => Err(AppError::SignInRequired),
        Decision::Forbidden => Err(AppError::Forbidden),
        Decision::NotFound => Err(AppError::NotFound),
    }
}

/// Milliseconds since the Unix epoch, now.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
