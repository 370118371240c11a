//! The generated demo commissioner loads through the importers and fills the dashboard.

use app::accounts::SignInOutcome;
use app::demo::{DEMO_ACCOUNTS, DEMO_PASSWORD, DemoOptions};
use app::progress::Silent;
use commissioning::access::Role;

use crate::app;

#[tokio::test]
async fn the_demo_fills_the_dashboard_and_loads_once() {
    let (app, db, _dir) = app().await;
    let report = app.load_demo(&DemoOptions { seed: 7, rows: 20_000, reference_data: None }, &Silent).await.unwrap();
    assert!(report.loaded);

    let SignInOutcome::SignedIn(signed_in) =
        app.sign_in("commissioner@demo.commissioner.test", DEMO_PASSWORD).await.unwrap()
    else {
        panic!("the demo commissioner can sign in");
    };
    let dashboard = app.dashboard(&signed_in.principal).await.unwrap();
    assert_eq!(dashboard.commissioner.code.as_str(), "Q99");
    assert!(dashboard.population.total > 1_000_000, "{}", dashboard.population.total);
    assert_eq!(dashboard.population.bands.len(), 19);
    assert_eq!(dashboard.practices.len(), 40);
    assert!(dashboard.registered_patients() >= dashboard.population.total);
    assert_eq!(dashboard.providers.len(), 8);
    // Six months of 20,000 rows are loaded, less the challenged ones.
    let activity: i64 = dashboard.providers.iter().map(|p| p.activity).sum();
    assert!((9_000..10_200).contains(&activity), "{activity}");
    assert_eq!(dashboard.deciles.len(), 10);
    assert_eq!(dashboard.local_authorities.len(), 4);
    let share = dashboard.most_deprived_share().unwrap();
    assert!((0.05..0.6).contains(&share), "{share}");

    // Every role has a demo account that can sign in.
    for role in Role::ALL {
        let account = DEMO_ACCOUNTS.iter().find(|a| a.role == role).expect("an account per role");
        assert!(
            matches!(app.sign_in(account.email, DEMO_PASSWORD).await.unwrap(), SignInOutcome::SignedIn(_)),
            "{role}"
        );
    }

    // Loading again leaves the store as it is.
    let again = app.load_demo(&DemoOptions { seed: 7, rows: 20_000, reference_data: None }, &Silent).await.unwrap();
    assert!(!again.loaded);
    assert_eq!(db.store.verify_audit().await.unwrap().first_broken, None);
}

#[tokio::test]
async fn a_provider_sees_only_its_own_activity() {
    let (app, _db, _dir) = app().await;
    app.load_demo(&DemoOptions { seed: 3, rows: 5_000, reference_data: None }, &Silent).await.unwrap();
    let SignInOutcome::SignedIn(provider) =
        app.sign_in("provider@demo.commissioner.test", DEMO_PASSWORD).await.unwrap()
    else {
        panic!("provider signs in");
    };
    let rows = app.activity_summary(&provider.principal).await.unwrap();
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.provider.as_str() == "R9A"));
    let other = commissioning::org::OdsCode::parse("R9B").unwrap();
    let view = app.organisation(&provider.principal, &other).await.unwrap();
    assert!(view.activity.is_none(), "another provider's activity stays hidden");
    assert!(matches!(app.dashboard(&provider.principal).await, Err(app::AppError::Forbidden)));
}
