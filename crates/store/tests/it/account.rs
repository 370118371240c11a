//! Accounts and sessions.

use std::collections::BTreeSet;

use commissioning::access::Role;
use commissioning::org::OrgKind;
use store::StoreError;
use store::account::NewUser;
use test_support::{TestDb, on_both_backends};

use crate::reference::{code, seed};

fn new_user(email: &str, org: &str, roles: &[Role]) -> NewUser {
    NewUser {
        email: email.into(),
        name: "Test User".into(),
        organisation: code(org),
        roles: roles.iter().copied().collect(),
        password_hash: "$argon2id$fake".into(),
        must_change_password: false,
    }
}

async fn users_and_sessions(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let id = tx.create_user(&new_user("Ann@Example.org", "R9A", &[Role::Provider]), 1_000).await.unwrap();
    tx.create_session("hash-1", id, "csrf-1", 2_000).await.unwrap();
    tx.commit().await.unwrap();

    let user = store.user_by_email("ann@example.org ").await.unwrap().unwrap();
    assert_eq!(user.id, id);
    assert_eq!(user.email, "ann@example.org");
    assert_eq!(user.organisation_kind, OrgKind::Provider);
    assert_eq!(user.roles, BTreeSet::from([Role::Provider]));
    assert_eq!(user.principal().organisation.as_str(), "R9A");

    let session = store.session("hash-1").await.unwrap().unwrap();
    assert_eq!((session.user_id, session.csrf_token.as_str(), session.last_seen_at), (id, "csrf-1", 2_000));
    store.touch_session("hash-1", 3_000).await.unwrap();
    assert_eq!(store.session("hash-1").await.unwrap().unwrap().last_seen_at, 3_000);

    // The same email twice is a conflict named the same on both backends.
    let mut tx = store.begin().await.unwrap();
    let error = tx.create_user(&new_user("ann@example.org", "R9B", &[Role::Provider]), 1_000).await.unwrap_err();
    assert!(matches!(&error, StoreError::Conflict { constraint } if constraint == "users_email_key"), "{error:?}");
    drop(tx);

    let mut tx = store.begin().await.unwrap();
    assert_eq!(tx.record_failed_sign_in(id).await.unwrap(), 1);
    assert_eq!(tx.record_failed_sign_in(id).await.unwrap(), 2);
    tx.lock_user(id, 5_000).await.unwrap();
    tx.commit().await.unwrap();
    let user = store.user(id).await.unwrap();
    assert_eq!((user.failed_sign_ins, user.locked_at), (2, Some(5_000)));

    let mut tx = store.begin().await.unwrap();
    tx.clear_sign_in_failures(id).await.unwrap();
    tx.set_password(id, "$argon2id$new", true).await.unwrap();
    tx.set_roles(id, &BTreeSet::from([Role::Provider, Role::Evaluator])).await.unwrap();
    assert_eq!(tx.delete_sessions_of(id).await.unwrap(), 1);
    tx.commit().await.unwrap();
    let user = store.user(id).await.unwrap();
    assert_eq!((user.failed_sign_ins, user.locked_at, user.must_change_password), (0, None, true));
    assert_eq!(user.roles.len(), 2);
    assert!(store.session("hash-1").await.unwrap().is_none());
    assert!(matches!(store.user(9_999).await, Err(StoreError::NotFound)));
}

async fn api_tokens(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let mut tx = store.begin().await.unwrap();
    let user = tx.create_user(&new_user("pat@example.org", "R9A", &[Role::Provider]), 1_000).await.unwrap();
    let id = tx.create_token("hash-t", "monthly upload", &code("R9A"), Role::Provider, user, 2_000).await.unwrap();
    tx.commit().await.unwrap();

    let token = store.live_token("hash-t", 3_000).await.unwrap().unwrap();
    assert_eq!((token.id, token.role, token.organisation.as_str()), (id, Role::Provider, "R9A"));
    let principal = token.principal();
    assert_eq!((principal.api_token, principal.user_id), (Some(id), user));
    assert_eq!(store.token(id).await.unwrap().last_used_at, Some(3_000));
    assert!(store.live_token("other", 3_000).await.unwrap().is_none());
    assert_eq!(store.tokens(Some(&code("R9A"))).await.unwrap().len(), 1);
    assert!(store.tokens(Some(&code("R9B"))).await.unwrap().is_empty());

    let mut tx = store.begin().await.unwrap();
    tx.revoke_token(id, 4_000).await.unwrap();
    tx.commit().await.unwrap();
    assert!(store.live_token("hash-t", 5_000).await.unwrap().is_none(), "a revoked token no longer works");
    assert_eq!(store.token(id).await.unwrap().revoked_at, Some(4_000));
}

on_both_backends!(users, users_and_sessions);
on_both_backends!(tokens, api_tokens);
