//! User accounts, their roles and server-side sessions.
//!
//! Passwords arrive here already hashed (argon2id, by `app`); session tokens arrive already
//! hashed (SHA-256), so a copy of the database never holds a usable credential.

use std::collections::BTreeSet;

use sqlx::Row;
use sqlx::any::AnyRow;

use commissioning::access::{Principal, Role};
use commissioning::org::{OdsCode, OrgKind};

use crate::{Result, Store, StoreError, Tx, flag, parse_column};

/// A user as stored, including the password hash and lock state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRecord {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub organisation: OdsCode,
    pub organisation_kind: OrgKind,
    pub roles: BTreeSet<Role>,
    pub password_hash: String,
    pub failed_sign_ins: i64,
    pub locked_at: Option<i64>,
    pub must_change_password: bool,
    pub created_at: i64,
}

/// An API token as stored (never the token itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenRecord {
    pub id: i64,
    pub name: String,
    pub organisation: OdsCode,
    pub organisation_kind: OrgKind,
    pub role: Role,
    pub created_by: i64,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub last_used_at: Option<i64>,
}

impl TokenRecord {
    /// The principal a request with this token acts as.
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.created_by,
            name: format!("API token '{}'", self.name),
            organisation: self.organisation.clone(),
            organisation_kind: self.organisation_kind,
            roles: BTreeSet::from([self.role]),
            api_token: Some(self.id),
        }
    }
}

const TOKEN_SELECT: &str = "SELECT t.id, t.name, t.org_code, o.kind AS org_kind, t.role, t.created_by, t.created_at, \
    t.revoked_at, t.last_used_at FROM api_tokens t JOIN organisations o ON o.code = t.org_code";

fn token_from_row(row: &AnyRow) -> Result<TokenRecord> {
    Ok(TokenRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        organisation: parse_column(row, "org_code", OdsCode::parse)?,
        organisation_kind: parse_column(row, "org_kind", OrgKind::parse)?,
        role: parse_column(row, "role", Role::parse)?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
        last_used_at: row.try_get("last_used_at")?,
    })
}

impl UserRecord {
    pub fn principal(&self) -> Principal {
        Principal {
            user_id: self.id,
            name: self.name.clone(),
            organisation: self.organisation.clone(),
            organisation_kind: self.organisation_kind,
            roles: self.roles.clone(),
            api_token: None,
        }
    }
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub organisation: OdsCode,
    pub roles: BTreeSet<Role>,
    pub password_hash: String,
    pub must_change_password: bool,
}

/// A server-side session, found by the hash of its cookie token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    pub user_id: i64,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

const USER_SELECT: &str = "SELECT u.id, u.email, u.name, u.org_code, o.kind AS org_kind, u.password_hash, \
    u.failed_sign_ins, u.locked_at, u.must_change_password, u.created_at \
    FROM users u JOIN organisations o ON o.code = u.org_code";

impl Tx {
    /// Creates a user; a taken email is `Conflict { constraint: "users_email_key" }`.
    pub async fn create_user(&mut self, user: &NewUser, at: i64) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO users (email, name, org_code, password_hash, must_change_password, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(user.email.trim().to_lowercase())
        .bind(&user.name)
        .bind(user.organisation.as_str())
        .bind(&user.password_hash)
        .bind(i64::from(user.must_change_password))
        .bind(at)
        .fetch_one(&mut *self.connection())
        .await?;
        let id: i64 = row.try_get("id")?;
        self.set_roles(id, &user.roles).await?;
        Ok(id)
    }

    pub async fn set_roles(&mut self, user_id: i64, roles: &BTreeSet<Role>) -> Result<()> {
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(user_id).execute(&mut *self.connection()).await?;
        for role in roles {
            sqlx::query("INSERT INTO user_roles (user_id, role) VALUES ($1, $2)")
                .bind(user_id)
                .bind(role.code())
                .execute(&mut *self.connection())
                .await?;
        }
        Ok(())
    }

    /// Counts a failed sign-in and returns the new count.
    pub async fn record_failed_sign_in(&mut self, user_id: i64) -> Result<i64> {
        let row = sqlx::query(
            "UPDATE users SET failed_sign_ins = failed_sign_ins + 1 WHERE id = $1 RETURNING failed_sign_ins",
        )
        .bind(user_id)
        .fetch_optional(&mut *self.connection())
        .await?
        .ok_or(StoreError::NotFound)?;
        Ok(row.try_get("failed_sign_ins")?)
    }

    pub async fn lock_user(&mut self, user_id: i64, at: i64) -> Result<()> {
        let result = sqlx::query("UPDATE users SET locked_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(at)
            .execute(&mut *self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    /// Clears failed sign-ins and any lock.
    pub async fn clear_sign_in_failures(&mut self, user_id: i64) -> Result<()> {
        let result = sqlx::query("UPDATE users SET failed_sign_ins = 0, locked_at = NULL WHERE id = $1")
            .bind(user_id)
            .execute(&mut *self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn set_password(&mut self, user_id: i64, password_hash: &str, must_change: bool) -> Result<()> {
        let result = sqlx::query("UPDATE users SET password_hash = $2, must_change_password = $3 WHERE id = $1")
            .bind(user_id)
            .bind(password_hash)
            .bind(i64::from(must_change))
            .execute(&mut *self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }

    pub async fn create_session(&mut self, token_hash: &str, user_id: i64, csrf_token: &str, at: i64) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(csrf_token)
            .bind(at)
            .execute(&mut *self.connection())
            .await?;
        Ok(())
    }

    pub async fn delete_session(&mut self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *self.connection())
            .await?;
        Ok(())
    }

    /// Ends every session of a user (after a password change or reset).
    pub async fn delete_sessions_of(&mut self, user_id: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *self.connection())
            .await?;
        Ok(result.rows_affected())
    }
}

impl Tx {
    pub async fn create_token(
        &mut self,
        token_hash: &str,
        name: &str,
        organisation: &OdsCode,
        role: Role,
        created_by: i64,
        at: i64,
    ) -> Result<i64> {
        let row = sqlx::query(
            "INSERT INTO api_tokens (token_hash, name, org_code, role, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(token_hash)
        .bind(name)
        .bind(organisation.as_str())
        .bind(role.code())
        .bind(created_by)
        .bind(at)
        .fetch_one(&mut *self.connection())
        .await?;
        Ok(row.try_get("id")?)
    }

    /// Revokes a token; revoking twice keeps the first time.
    pub async fn revoke_token(&mut self, id: i64, at: i64) -> Result<()> {
        let result = sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $2) WHERE id = $1")
            .bind(id)
            .bind(at)
            .execute(&mut *self.connection())
            .await?;
        if result.rows_affected() == 0 { Err(StoreError::NotFound) } else { Ok(()) }
    }
}

impl Store {
    /// A live (not revoked) token by the hash of its secret; marks it used.
    pub async fn live_token(&self, token_hash: &str, at: i64) -> Result<Option<TokenRecord>> {
        let row = sqlx::query(&format!("{TOKEN_SELECT} WHERE t.token_hash = $1 AND t.revoked_at IS NULL"))
            .bind(token_hash)
            .fetch_optional(self.pool())
            .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let token = token_from_row(&row)?;
        if token.last_used_at.is_none_or(|last| at - last > 60_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
                .bind(token.id)
                .bind(at)
                .execute(self.pool())
                .await?;
        }
        Ok(Some(token))
    }

    pub async fn token(&self, id: i64) -> Result<TokenRecord> {
        let row = sqlx::query(&format!("{TOKEN_SELECT} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        token_from_row(&row)
    }

    /// Tokens of one organisation, or of all when `None`; newest first.
    pub async fn tokens(&self, organisation: Option<&OdsCode>) -> Result<Vec<TokenRecord>> {
        let rows = sqlx::query(&format!("{TOKEN_SELECT} WHERE ($1 = '' OR t.org_code = $1) ORDER BY t.id DESC"))
            .bind(organisation.map(OdsCode::as_str).unwrap_or(""))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(token_from_row).collect()
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRecord>> {
        let row = sqlx::query(&format!("{USER_SELECT} WHERE u.email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(self.pool())
            .await?;
        match row {
            Some(row) => Ok(Some(self.user_from_row(&row).await?)),
            None => Ok(None),
        }
    }

    pub async fn user(&self, user_id: i64) -> Result<UserRecord> {
        let row = sqlx::query(&format!("{USER_SELECT} WHERE u.id = $1"))
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)?;
        self.user_from_row(&row).await
    }

    pub async fn users(&self) -> Result<Vec<UserRecord>> {
        let rows = sqlx::query(&format!("{USER_SELECT} ORDER BY u.org_code, u.email")).fetch_all(self.pool()).await?;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            users.push(self.user_from_row(row).await?);
        }
        Ok(users)
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>> {
        let row =
            sqlx::query("SELECT user_id, csrf_token, created_at, last_seen_at FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .fetch_optional(self.pool())
                .await?;
        row.map(|row| {
            Ok(SessionRecord {
                user_id: row.try_get("user_id")?,
                csrf_token: row.try_get("csrf_token")?,
                created_at: row.try_get("created_at")?,
                last_seen_at: row.try_get("last_seen_at")?,
            })
        })
        .transpose()
    }

    /// Marks a session as used now. Not audited: it changes no business state.
    pub async fn touch_session(&self, token_hash: &str, at: i64) -> Result<()> {
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE token_hash = $1")
            .bind(token_hash)
            .bind(at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Removes a session that has expired. Not audited, like [`Store::touch_session`].
    pub async fn expire_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(self.pool()).await?;
        Ok(())
    }

    async fn user_from_row(&self, row: &AnyRow) -> Result<UserRecord> {
        let id: i64 = row.try_get("id")?;
        let role_rows = sqlx::query("SELECT role FROM user_roles WHERE user_id = $1 ORDER BY role")
            .bind(id)
            .fetch_all(self.pool())
            .await?;
        let roles =
            role_rows.iter().map(|r| parse_column(r, "role", Role::parse)).collect::<Result<BTreeSet<Role>>>()?;
        let must_change: i64 = row.try_get("must_change_password")?;
        Ok(UserRecord {
            id,
            email: row.try_get("email")?,
            name: row.try_get("name")?,
            organisation: parse_column(row, "org_code", OdsCode::parse)?,
            organisation_kind: parse_column(row, "org_kind", OrgKind::parse)?,
            roles,
            password_hash: row.try_get("password_hash")?,
            failed_sign_ins: row.try_get("failed_sign_ins")?,
            locked_at: row.try_get("locked_at")?,
            must_change_password: flag(must_change),
            created_at: row.try_get("created_at")?,
        })
    }
}
