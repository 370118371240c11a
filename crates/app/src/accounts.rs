//! Accounts: passwords (argon2id), sign-in with lock-out, server-side sessions.
//!
//! A session cookie holds a random token; the store keeps only its SHA-256 hash, with the
//! session's CSRF token and times. Sessions end after an idle timeout and an absolute
//! timeout, and survive a restart because they live in the store.

use std::collections::BTreeSet;

use anyhow::Context;
use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use sha2::{Digest, Sha256};

use commissioning::access::{Action, Principal, Role};
use commissioning::org::OdsCode;
use store::StoreError;
use store::account::{NewUser, TokenRecord};
use store::audit::AuditEntry;

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// Failed sign-ins in a row before an account locks.
pub const MAX_FAILED_SIGN_INS: i64 = 5;

/// Shortest password accepted.
pub const MIN_PASSWORD_LENGTH: usize = 12;

/// What happened when someone tried to sign in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInOutcome {
    SignedIn(SignedIn),
    /// Wrong email or password. Deliberately does not say which.
    Invalid,
    /// Too many failed attempts; an administrator must unlock the account.
    Locked,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// The secret for the session cookie. Never stored.
    pub token: String,
    pub principal: Principal,
    pub must_change_password: bool,
}

/// A live session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub principal: Principal,
    pub csrf_token: String,
    pub email: String,
    pub must_change_password: bool,
}

/// A user account to create.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub email: String,
    pub name: String,
    pub organisation: OdsCode,
    pub roles: BTreeSet<Role>,
    pub password: String,
    pub must_change_password: bool,
}

impl App {
    pub async fn sign_in(&self, email: &str, password: &str) -> Result<SignInOutcome> {
        let user = self.store().user_by_email(email).await?;
        let Some(user) = user else {
            // Spend the same effort as a real check, so timing does not reveal accounts.
            verify_password(password.to_owned(), dummy_hash().to_owned()).await?;
            return Ok(SignInOutcome::Invalid);
        };
        if user.locked_at.is_some() {
            return Ok(SignInOutcome::Locked);
        }
        let now = now_millis();
        let audit = |action: &str| AuditEntry {
            actor: format!("user:{}", user.id),
            organisation: Some(user.organisation.to_string()),
            action: action.to_owned(),
            object_type: "user".to_owned(),
            object_id: user.id.to_string(),
            before: None,
            after: None,
        };
        if !verify_password(password.to_owned(), user.password_hash.clone()).await? {
            let mut tx = self.store().begin().await?;
            let failures = tx.record_failed_sign_in(user.id).await?;
            tx.audit(&audit("sign_in_failed"), now).await?;
            let locked = failures >= MAX_FAILED_SIGN_INS;
            if locked {
                tx.lock_user(user.id, now).await?;
                tx.audit(&audit("lock"), now).await?;
            }
            tx.commit().await?;
            return Ok(if locked { SignInOutcome::Locked } else { SignInOutcome::Invalid });
        }
        let token = random_token();
        let csrf_token = random_token();
        let mut tx = self.store().begin().await?;
        if user.failed_sign_ins > 0 {
            tx.clear_sign_in_failures(user.id).await?;
        }
        tx.create_session(&token_hash(&token), user.id, &csrf_token, now).await?;
        tx.audit(&audit("sign_in"), now).await?;
        tx.commit().await?;
        Ok(SignInOutcome::SignedIn(SignedIn {
            token,
            principal: user.principal(),
            must_change_password: user.must_change_password,
        }))
    }

    /// The session for a cookie token, if it is live; refreshes its idle timer.
    pub async fn session(&self, token: &str) -> Result<Option<Session>> {
        let hash = token_hash(token);
        let Some(record) = self.store().session(&hash).await? else {
            return Ok(None);
        };
        let now = now_millis();
        let settings = self.settings();
        let idle = now - record.last_seen_at > settings.session_idle_timeout_ms;
        let too_old = now - record.created_at > settings.session_absolute_timeout_ms;
        if idle || too_old {
            self.store().expire_session(&hash).await?;
            return Ok(None);
        }
        let user = match self.store().user(record.user_id).await {
            Ok(user) => user,
            Err(StoreError::NotFound) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        if user.locked_at.is_some() {
            return Ok(None);
        }
        // Refresh at most once a minute, to spare the database a write per request.
        if now - record.last_seen_at > 60_000 {
            self.store().touch_session(&hash, now).await?;
        }
        Ok(Some(Session {
            principal: user.principal(),
            csrf_token: record.csrf_token,
            email: user.email,
            must_change_password: user.must_change_password,
        }))
    }

    pub async fn sign_out(&self, token: &str, principal: &Principal) -> Result<()> {
        let mut tx = self.store().begin().await?;
        tx.delete_session(&token_hash(token)).await?;
        tx.audit(
            &AuditEntry {
                actor: format!("user:{}", principal.user_id),
                organisation: Some(principal.organisation.to_string()),
                action: "sign_out".into(),
                object_type: "user".into(),
                object_id: principal.user_id.to_string(),
                before: None,
                after: None,
            },
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an account. The organisation must exist and the email must be new.
    pub async fn create_account(&self, actor: &Actor, account: NewAccount) -> Result<i64> {
        check_password_rules(&account.password)?;
        if !account.email.contains('@') {
            return Err(AppError::Invalid(
                "Enter an email address in the correct format, like name@example.nhs.uk".into(),
            ));
        }
        if account.roles.is_empty() {
            return Err(AppError::Invalid("Select at least one role".into()));
        }
        match self.store().organisation(&account.organisation).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::Invalid(format!(
                    "There is no organisation with ODS code {}",
                    account.organisation
                )));
            }
            Err(error) => return Err(error.into()),
        }
        let password_hash = hash_password(account.password.clone()).await?;
        let user = NewUser {
            email: account.email.clone(),
            name: account.name.clone(),
            organisation: account.organisation.clone(),
            roles: account.roles.clone(),
            password_hash,
            must_change_password: account.must_change_password,
        };
        let now = now_millis();
        let mut tx = self.store().begin().await?;
        let id = match tx.create_user(&user, now).await {
            Ok(id) => id,
            Err(StoreError::Conflict { constraint }) if constraint == "users_email_key" => {
                return Err(AppError::Invalid(format!("An account with the email {} already exists", account.email)));
            }
            Err(error) => return Err(error.into()),
        };
        let roles: Vec<&str> = account.roles.iter().map(|r| r.code()).collect();
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "create".into(),
                object_type: "user".into(),
                object_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "email": user.email.trim().to_lowercase(), "name": user.name,
                    "organisation": user.organisation.to_string(), "roles": roles,
                })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// True when at least one account exists (the demo loader uses it to skip seeding).
    pub async fn has_accounts(&self) -> Result<bool> {
        Ok(!self.store().users().await?.is_empty())
    }
}

/// Rejects passwords that are too short to resist guessing.
pub fn check_password_rules(password: &str) -> Result<()> {
    if password.chars().count() < MIN_PASSWORD_LENGTH {
        return Err(AppError::Invalid(format!("Password must be {MIN_PASSWORD_LENGTH} characters or more")));
    }
    Ok(())
}

/// Hashes a password with argon2id (off the async threads: it is deliberately slow).
pub async fn hash_password(password: String) -> Result<String> {
    let hash = tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|hash| hash.to_string())
    })
    .await
    .context("password hashing task")?
    .map_err(|error| anyhow::anyhow!("hashing a password: {error}"))?;
    Ok(hash)
}

/// Checks a password against a stored argon2 hash.
pub async fn verify_password(password: String, hash: String) -> Result<bool> {
    let matches = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash).map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .context("password checking task")?
    .map_err(|error| anyhow::anyhow!("reading a stored password hash: {error}"))?;
    Ok(matches)
}

/// A new random secret: 32 bytes from the operating system, as hex.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).expect("the operating system provides random bytes");
    hex::encode(bytes)
}

/// The SHA-256 of a token, as stored.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(b"not a real password", &salt).expect("hashing works").to_string()
    })
}

/// A new API token: its secret is shown once and never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub id: i64,
    pub secret: String,
}

impl App {
    /// Changes the principal's own password. Every other session of the user ends; the
    /// returned token is a fresh session for the caller.
    pub async fn change_password(&self, principal: &Principal, current: &str, new: &str) -> Result<String> {
        authorize(Some(principal), &Action::ViewOwnProfile)?;
        let user = self.store().user(principal.user_id).await?;
        if !verify_password(current.to_owned(), user.password_hash.clone()).await? {
            return Err(AppError::Invalid("Your current password is not right".into()));
        }
        check_password_rules(new)?;
        if new == current {
            return Err(AppError::Invalid("Your new password must be different from your current password".into()));
        }
        let hash = hash_password(new.to_owned()).await?;
        let token = random_token();
        let now = now_millis();
        let mut tx = self.store().begin().await?;
        tx.set_password(user.id, &hash, false).await?;
        tx.delete_sessions_of(user.id).await?;
        tx.create_session(&token_hash(&token), user.id, &random_token(), now).await?;
        tx.audit(&user_audit(&Actor::User(principal.clone()), "change_password", user.id, None, None), now).await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The principal of an account, for command-line work done on its authority (the CLI
    /// runs with direct access to the store, so it is trusted as the operator).
    pub async fn principal_of(&self, email: &str) -> Result<Option<Principal>> {
        Ok(self.store().user_by_email(email).await?.map(|user| user.principal()))
    }

    /// The principal an API token acts as, if the token is live.
    pub async fn token_principal(&self, secret: &str) -> Result<Option<Principal>> {
        Ok(self.store().live_token(&token_hash(secret), now_millis()).await?.map(|token| token.principal()))
    }

    /// Creates an API token for an organisation with one role. Providers make tokens for
    /// their own organisation with their own role; administrators for any organisation.
    pub async fn create_token(
        &self,
        principal: &Principal,
        organisation: &OdsCode,
        role: Role,
        name: &str,
    ) -> Result<NewToken> {
        authorize(Some(principal), &Action::ManageTokensFor(organisation.clone()))?;
        if name.trim().is_empty() {
            return Err(AppError::Invalid("Enter a name for the token, such as the system that will use it".into()));
        }
        if !principal.has(Role::Administrator) && !principal.has(role) {
            return Err(AppError::Invalid(format!(
                "You cannot give a token the role {}, which you do not hold",
                role.label()
            )));
        }
        match self.store().organisation(organisation).await {
            Ok(_) => {}
            Err(StoreError::NotFound) => {
                return Err(AppError::Invalid(format!("There is no organisation with ODS code {organisation}")));
            }
            Err(error) => return Err(error.into()),
        }
        let secret = format!("cmr_{}", random_token());
        let now = now_millis();
        let mut tx = self.store().begin().await?;
        let id = tx.create_token(&token_hash(&secret), name.trim(), organisation, role, principal.user_id, now).await?;
        tx.audit(
            &AuditEntry {
                actor: Actor::User(principal.clone()).audit_name(),
                organisation: Some(principal.organisation.to_string()),
                action: "create".into(),
                object_type: "api_token".into(),
                object_id: id.to_string(),
                before: None,
                after: Some(serde_json::json!({ "name": name.trim(), "organisation": organisation.to_string(), "role": role.code() })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(NewToken { id, secret })
    }

    /// Revokes a token; a person who may not manage the token's organisation gets NotFound.
    pub async fn revoke_token(&self, principal: &Principal, id: i64) -> Result<()> {
        let token = self.store().token(id).await?;
        authorize(Some(principal), &Action::ManageTokensFor(token.organisation.clone()))?;
        let now = now_millis();
        let mut tx = self.store().begin().await?;
        tx.revoke_token(id, now).await?;
        tx.audit(
            &AuditEntry {
                actor: Actor::User(principal.clone()).audit_name(),
                organisation: Some(principal.organisation.to_string()),
                action: "revoke".into(),
                object_type: "api_token".into(),
                object_id: id.to_string(),
                before: Some(serde_json::json!({ "revoked": token.revoked_at.is_some() })),
                after: Some(serde_json::json!({ "revoked": true })),
            },
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Tokens the principal may manage: its organisation's, or everyone's for administrators.
    pub async fn tokens(&self, principal: &Principal) -> Result<Vec<TokenRecord>> {
        authorize(Some(principal), &Action::ManageTokensFor(principal.organisation.clone()))?;
        let organisation = (!principal.has(Role::Administrator)).then_some(&principal.organisation);
        Ok(self.store().tokens(organisation).await?)
    }
}

/// An audit entry about a user account.
pub(crate) fn user_audit(
    actor: &Actor,
    action: &str,
    user_id: i64,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> AuditEntry {
    AuditEntry {
        actor: actor.audit_name(),
        organisation: actor.organisation(),
        action: action.to_owned(),
        object_type: "user".into(),
        object_id: user_id.to_string(),
        before,
        after,
    }
}
