//! Administration: users (create, roles, unlock, reset password), organisations, and the
//! audit log with its integrity check. Every function requires the administrator role.

use std::collections::BTreeSet;

use commissioning::access::{Action, Principal, Role};
use commissioning::org::{OdsCode, OrgKind, Organisation, ProviderType};
use store::StoreError;
use store::account::UserRecord;
use store::audit::{AuditEntry, AuditRecord, AuditVerification};

use crate::accounts::{NewAccount, hash_password, random_token, user_audit};
use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// An organisation an administrator adds.
#[derive(Debug, Clone)]
pub struct NewOrganisation {
    pub code: OdsCode,
    pub name: String,
    pub kind: OrgKind,
    pub provider_type: Option<ProviderType>,
    pub parent: Option<OdsCode>,
}

impl App {
    pub async fn users(&self, principal: &Principal) -> Result<Vec<UserRecord>> {
        authorize(Some(principal), &Action::Administer)?;
        Ok(self.store().users().await?)
    }

    pub async fn user(&self, principal: &Principal, user_id: i64) -> Result<UserRecord> {
        authorize(Some(principal), &Action::Administer)?;
        Ok(self.store().user(user_id).await?)
    }

    /// Creates an account with a temporary password the person must change at first sign-in.
    pub async fn admin_create_account(&self, principal: &Principal, account: NewAccount) -> Result<i64> {
        authorize(Some(principal), &Action::Administer)?;
        self.create_account(&Actor::User(principal.clone()), NewAccount { must_change_password: true, ..account }).await
    }

    pub async fn set_roles(&self, principal: &Principal, user_id: i64, roles: BTreeSet<Role>) -> Result<()> {
        authorize(Some(principal), &Action::Administer)?;
        if roles.is_empty() {
            return Err(AppError::Invalid("Select at least one role".into()));
        }
        if user_id == principal.user_id && !roles.contains(&Role::Administrator) {
            return Err(AppError::Invalid("You cannot remove your own administrator role".into()));
        }
        let user = self.store().user(user_id).await?;
        let codes = |roles: &BTreeSet<Role>| roles.iter().map(|r| r.code()).collect::<Vec<_>>();
        let mut tx = self.store().begin().await?;
        tx.set_roles(user_id, &roles).await?;
        tx.delete_sessions_of(user_id).await?;
        let actor = Actor::User(principal.clone());
        let entry = user_audit(
            &actor,
            "set_roles",
            user_id,
            Some(serde_json::json!({ "roles": codes(&user.roles) })),
            Some(serde_json::json!({ "roles": codes(&roles) })),
        );
        tx.audit(&entry, now_millis()).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn unlock_user(&self, principal: &Principal, user_id: i64) -> Result<()> {
        authorize(Some(principal), &Action::Administer)?;
        let user = self.store().user(user_id).await?;
        let mut tx = self.store().begin().await?;
        tx.clear_sign_in_failures(user_id).await?;
        let entry = user_audit(
            &Actor::User(principal.clone()),
            "unlock",
            user_id,
            Some(serde_json::json!({ "locked": user.locked_at.is_some(), "failed_sign_ins": user.failed_sign_ins })),
            Some(serde_json::json!({ "locked": false, "failed_sign_ins": 0 })),
        );
        tx.audit(&entry, now_millis()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a new temporary password (returned, to pass on) that must be changed at the next
    /// sign-in; unlocks the account and ends its sessions.
    pub async fn reset_password(&self, principal: &Principal, user_id: i64) -> Result<String> {
        authorize(Some(principal), &Action::Administer)?;
        self.store().user(user_id).await?;
        let temporary = format!("temp-{}", &random_token()[..16]);
        let hash = hash_password(temporary.clone()).await?;
        let mut tx = self.store().begin().await?;
        tx.set_password(user_id, &hash, true).await?;
        tx.clear_sign_in_failures(user_id).await?;
        tx.delete_sessions_of(user_id).await?;
        tx.audit(&user_audit(&Actor::User(principal.clone()), "reset_password", user_id, None, None), now_millis())
            .await?;
        tx.commit().await?;
        Ok(temporary)
    }

    /// Adds an organisation (a new provider, a practice) by hand.
    pub async fn create_organisation(&self, principal: &Principal, new: NewOrganisation) -> Result<()> {
        authorize(Some(principal), &Action::Administer)?;
        if new.name.trim().is_empty() {
            return Err(AppError::Invalid("Enter the organisation's name".into()));
        }
        if new.provider_type.is_some() && new.kind != OrgKind::Provider {
            return Err(AppError::Invalid("Only providers have a provider type".into()));
        }
        match self.store().organisation(&new.code).await {
            Ok(_) => {
                return Err(AppError::Invalid(format!("An organisation with ODS code {} already exists", new.code)));
            }
            Err(StoreError::NotFound) => {}
            Err(error) => return Err(error.into()),
        }
        let organisation = Organisation {
            code: new.code.clone(),
            name: new.name.trim().to_owned(),
            kind: new.kind,
            provider_type: new.provider_type,
            parent: new.parent.clone(),
            region: None,
            postcode: None,
            opened: None,
            closed: None,
        };
        let mut tx = self.store().begin().await?;
        tx.upsert_organisations(std::slice::from_ref(&organisation)).await?;
        tx.audit(
            &AuditEntry {
                actor: Actor::User(principal.clone()).audit_name(),
                organisation: Some(principal.organisation.to_string()),
                action: "create".into(),
                object_type: "organisation".into(),
                object_id: new.code.to_string(),
                before: None,
                after: Some(serde_json::json!({
                    "name": organisation.name, "kind": organisation.kind.code(),
                    "provider_type": organisation.provider_type.map(|t| t.code()),
                    "parent": organisation.parent.as_ref().map(ToString::to_string),
                })),
            },
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn audit_entries(&self, principal: &Principal, filter: &AuditFilter) -> Result<Vec<AuditRecord>> {
        authorize(Some(principal), &Action::Administer)?;
        Ok(self.store().audit_entries(filter).await?)
    }

    /// Checks the audit log's hash chain (for administrators and the CLI).
    pub async fn verify_audit(&self) -> Result<AuditVerification> {
        Ok(self.store().verify_audit().await?)
    }
}

/// Which audit entries to list (the store's filter, offered to callers of `app`).
pub type AuditFilter = store::audit::AuditFilter;
