//! Sign-in, lock-out and sessions.

use std::collections::BTreeSet;

use app::accounts::{MAX_FAILED_SIGN_INS, NewAccount, SignInOutcome};
use app::{Actor, AppError};
use commissioning::access::Role;
use commissioning::org::OdsCode;

use crate::app;

async fn seed_org(app: &app::App, dir: &std::path::Path) {
    let path = dir.join("orgs.csv");
    std::fs::write(&path, "org_code,name,kind\nQ99,NHS Demo ICB,commissioner\n").unwrap();
    app.import(&Actor::System("test".into()), app::import::ImportKind::Organisations, &path, &Default::default())
        .await
        .unwrap();
}

fn account(email: &str) -> NewAccount {
    NewAccount {
        email: email.into(),
        name: "Test".into(),
        organisation: OdsCode::parse("Q99").unwrap(),
        roles: BTreeSet::from([Role::Commissioner]),
        password: "a long enough password".into(),
        must_change_password: false,
    }
}

#[tokio::test]
async fn sign_in_locks_after_repeated_failures() {
    let (app, _db, dir) = app().await;
    seed_org(&app, dir.path()).await;
    let actor = Actor::System("test".into());
    app.create_account(&actor, account("ann@example.org")).await.unwrap();

    assert_eq!(app.sign_in("nobody@example.org", "whatever").await.unwrap(), SignInOutcome::Invalid);
    for _ in 1..MAX_FAILED_SIGN_INS {
        assert_eq!(app.sign_in("ann@example.org", "wrong password!").await.unwrap(), SignInOutcome::Invalid);
    }
    assert_eq!(app.sign_in("ann@example.org", "wrong password!").await.unwrap(), SignInOutcome::Locked);
    // Even the right password is refused once locked.
    assert_eq!(app.sign_in("ann@example.org", "a long enough password").await.unwrap(), SignInOutcome::Locked);
}

#[tokio::test]
async fn sessions_live_in_the_store_and_end_on_sign_out() {
    let (app, db, dir) = app().await;
    seed_org(&app, dir.path()).await;
    let actor = Actor::System("test".into());
    app.create_account(&actor, account("bob@example.org")).await.unwrap();
    let SignInOutcome::SignedIn(signed_in) = app.sign_in("BOB@example.org", "a long enough password").await.unwrap()
    else {
        panic!("signs in");
    };
    let session = app.session(&signed_in.token).await.unwrap().expect("live session");
    assert_eq!(session.email, "bob@example.org");
    assert_eq!(session.csrf_token.len(), 64);

    // A second app over the same store (a restarted server) still knows the session.
    let restarted = app::App::with_store(db.store.clone(), app.settings().clone());
    assert!(restarted.session(&signed_in.token).await.unwrap().is_some());

    assert!(app.session("not-a-token").await.unwrap().is_none());
    app.sign_out(&signed_in.token, &session.principal).await.unwrap();
    assert!(app.session(&signed_in.token).await.unwrap().is_none());
}

#[tokio::test]
async fn accounts_are_checked() {
    let (app, _db, dir) = app().await;
    seed_org(&app, dir.path()).await;
    let actor = Actor::System("test".into());
    app.create_account(&actor, account("cat@example.org")).await.unwrap();
    let duplicate = app.create_account(&actor, account("CAT@example.org")).await.unwrap_err();
    assert!(matches!(&duplicate, AppError::Invalid(m) if m.contains("already exists")), "{duplicate:?}");
    let short = NewAccount { password: "short".into(), ..account("dan@example.org") };
    assert!(matches!(app.create_account(&actor, short).await, Err(AppError::Invalid(_))));
    let unknown_org = NewAccount { organisation: OdsCode::parse("ZZZ").unwrap(), ..account("eve@example.org") };
    assert!(matches!(app.create_account(&actor, unknown_org).await, Err(AppError::Invalid(m)) if m.contains("ZZZ")));
}
