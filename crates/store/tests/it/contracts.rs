//! Procure: the contract register round-trips every mechanism on both backends.

use chrono::NaiveDate;

use commissioning::money::Money;
use commissioning::org::OdsCode;
use commissioning::procure::contract::{Contract, Mechanism, Term};
use store::StoreError;
use test_support::{TestDb, on_both_backends};

use crate::reference::seed;

fn contract(id: &str, provider: &str, end: &str, mechanism: Mechanism) -> Contract {
    let date = |text: &str| NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap();
    Contract {
        id: id.into(),
        title: format!("Services from {provider}"),
        commissioner: OdsCode::parse("Q99").unwrap(),
        provider: OdsCode::parse(provider).unwrap(),
        term: Term::new(date("2025-04-01"), date(end), 6, vec![12, 12]).unwrap(),
        annual_value: Money::from_pence(12_000_000 * 100),
        mechanism,
        owner: "Chris Commissioner".into(),
    }
}

async fn contracts_round_trip(db: &TestDb) {
    seed(db).await;
    let store = &db.store;
    let aligned = contract(
        "Q99-R9A-2025",
        "R9A",
        "2028-03-31",
        Mechanism::AlignedPayment {
            fixed_annual: Money::from_pence(9_000_000 * 100),
            elective_baseline_annual: Some(Money::from_pence(2_500_000 * 100)),
        },
    );
    let block = contract("Q99-R9B-2025", "R9B", "2026-03-31", Mechanism::Block);
    let mut tx = store.begin().await.unwrap();
    tx.upsert_contracts(&[aligned.clone(), block.clone()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.contracts(None).await.unwrap(), [block.clone(), aligned.clone()], "by end date");
    assert_eq!(store.contracts(Some(&OdsCode::parse("R9A").unwrap())).await.unwrap(), std::slice::from_ref(&aligned));
    assert_eq!(store.contract("Q99-R9A-2025").await.unwrap(), aligned);
    assert!(matches!(store.contract("nope").await, Err(StoreError::NotFound)));
    let mut changed = block.clone();
    changed.mechanism = Mechanism::LowVolumeBlock;
    let mut tx = store.begin().await.unwrap();
    tx.upsert_contracts(&[changed.clone()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.contract("Q99-R9B-2025").await.unwrap(), changed);
    assert_eq!(store.contracts(None).await.unwrap().len(), 2);
    // Invoices: a second for the same month replaces the first.
    let invoice = |value: i64| store::contracts::Invoice {
        contract_id: "Q99-R9A-2025".into(),
        month: "2025-06".into(),
        invoice_number: format!("INV-{value}"),
        value: Money::from_pence(value),
    };
    for value in [100, 250] {
        let mut tx = store.begin().await.unwrap();
        tx.upsert_invoices(&[invoice(value)]).await.unwrap();
        tx.commit().await.unwrap();
    }
    assert_eq!(store.invoice("Q99-R9A-2025", "2025-06").await.unwrap(), Some(invoice(250)));
    assert_eq!(store.invoice("Q99-R9A-2025", "2025-07").await.unwrap(), None);
    // Variations keep their order and their assessment as recorded.
    let variation = commissioning::procure::contract::Variation {
        contract_id: "Q99-R9A-2025".into(),
        number: 1,
        agreed_on: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
        description: "Additional diagnostic capacity".into(),
        annual_value_change: Money::from_pence(250_000 * 100),
        lifetime_value_change: Money::from_pence(625_000 * 100),
        ground: commissioning::procure::contract::ModificationGround::AuthorityDriven,
        materially_different: false,
    };
    let assessment =
        commissioning::procure::contract::assess_variation(Money::from_pence(36_000_000 * 100), &variation);
    let mut tx = store.begin().await.unwrap();
    tx.upsert_variations(&[(variation.clone(), assessment.clone())]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(
        store.variations("Q99-R9A-2025").await.unwrap(),
        [(variation, assessment.transparency_notice_required, assessment.considerable_change)]
    );
    // CQUIN indicators keep their decimals exactly.
    let indicator = commissioning::monitor::payment::CquinIndicator {
        name: "Flu vaccination of staff".into(),
        minimum: commissioning::money::Decimal::parse("70").unwrap(),
        maximum: commissioning::money::Decimal::parse("90.5").unwrap(),
        performance: commissioning::money::Decimal::parse("82.25").unwrap(),
        higher_is_better: true,
    };
    let mut tx = store.begin().await.unwrap();
    tx.upsert_cquin_indicators(&[("Q99-R9A-2025".into(), indicator.clone())]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(store.cquin_indicators("Q99-R9A-2025").await.unwrap(), [indicator]);
    // A provider must be a known organisation.
    let mut tx = store.begin().await.unwrap();
    let unknown = contract("Q99-X-2025", "RXX", "2026-03-31", Mechanism::Block);
    assert!(matches!(tx.upsert_contracts(&[unknown]).await, Err(StoreError::Conflict { .. })));
}

on_both_backends!(register, contracts_round_trip);
