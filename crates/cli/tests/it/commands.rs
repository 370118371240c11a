//! generate, import, backup, restore and demo, through the real binary.

use std::path::Path;
use std::process::{Command, Output};

use test_support::shared_data;

fn commissioner(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_commissioner"))
        .args(args)
        .env("COMMISSIONER_DATA_DIR", data_dir)
        .env_remove("DATABASE_URL")
        .output()
        .expect("run commissioner")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The store's content as a backup, without its timestamp.
fn snapshot(data_dir: &Path) -> serde_json::Value {
    let file = data_dir.join("snapshot.json");
    let output = commissioner(data_dir, &["backup", "--out", file.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let mut value: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    value["created_at"] = serde_json::Value::Null;
    value
}

#[test]
fn generate_is_byte_identical_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let output =
            commissioner(dir.path(), &["generate", "--seed", "7", "--rows", "150000", "--out", out.to_str().unwrap()]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stderr(&output).contains("150000 activity rows"));
    }
    for name in ["activity.csv", "areas.csv", "population.csv", "organisations.csv", "tariff.csv", "manifest.json"] {
        assert!(std::fs::read(a.join(name)).unwrap() == std::fs::read(b.join(name)).unwrap(), "{name} differs");
    }
}

#[test]
fn a_malformed_import_names_file_line_and_field_exits_non_zero_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.csv");
    std::fs::write(&good, "org_code,name,kind\nQ99,NHS Demo ICB,commissioner\n").unwrap();
    assert!(commissioner(dir.path(), &["import", "organisations", good.to_str().unwrap()]).status.success());
    let before = snapshot(dir.path());

    let cases: [(&str, &str, &str, &str); 3] = [
        (
            "bad_ods.csv",
            "organisations",
            "org_code,name,kind\nR9A,Trust,provider\nR 9B,Trust,provider\n",
            "bad_ods.csv:3: field 'org_code'",
        ),
        (
            "missing.csv",
            "organisations",
            "org_code,kind\nR9A,provider\n",
            "missing.csv:1: field 'name': the column is missing",
        ),
        (
            "population.csv",
            "population",
            "area_code,year,sex,age_band,persons\nE01000001,2024,1,0-4,many\n",
            "population.csv:2: field 'area_code'",
        ),
    ];
    for (name, what, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let output = commissioner(dir.path(), &["import", what, path.to_str().unwrap()]);
        assert!(!output.status.success(), "{name} must fail");
        let message = stderr(&output);
        assert!(message.contains(expected), "{name}: {message}");
        assert!(message.starts_with("error: "), "{message}");
    }
    assert_eq!(snapshot(dir.path()), before, "failed imports must leave the store unchanged");

    // A non-numeric population on a known area names the persons field.
    let areas = dir.path().join("areas.csv");
    std::fs::write(&areas, "area_code,area_name,parent_code\nE01000001,City of London 001A,\n").unwrap();
    assert!(commissioner(dir.path(), &["import", "areas", areas.to_str().unwrap()]).status.success());
    let before = snapshot(dir.path());
    let population = dir.path().join("population2.csv");
    std::fs::write(
        &population,
        "area_code,year,sex,age_band,persons\nE01000001,2024,1,0-4,12\nE01000001,2024,2,0-4,many\n",
    )
    .unwrap();
    let output = commissioner(dir.path(), &["import", "population", population.to_str().unwrap()]);
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("population2.csv:3: field 'persons': 'many' is not a whole number"),
        "{}",
        stderr(&output)
    );
    assert_eq!(snapshot(dir.path()), before, "a failed import must leave the store unchanged");
}

#[test]
fn real_files_import_and_reimport_without_double_counting() {
    let dir = tempfile::tempdir().unwrap();
    let trusts = shared_data("ods-nhs-trusts/ods_etr_nhs_trusts.csv");
    for _ in 0..2 {
        let output = commissioner(dir.path(), &["import", "organisations", trusts.to_str().unwrap()]);
        assert!(output.status.success(), "{}", stderr(&output));
        assert!(stdout(&output).contains("Imported 273 rows of organisations (ods-etr format)"), "{}", stdout(&output));
    }
    let snapshot = snapshot(dir.path());
    let organisations = snapshot["tables"].as_array().unwrap().iter().find(|t| t["name"] == "organisations").unwrap();
    assert_eq!(organisations["rows"].as_array().unwrap().len(), 273);
}

#[test]
fn backup_restores_into_a_fresh_store() {
    let dir = tempfile::tempdir().unwrap();
    let (source, target) = (dir.path().join("source"), dir.path().join("target"));
    let output = commissioner(&source, &["demo", "--rows", "2000", "--no-serve"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert!(stdout(&output).contains("commissioner@demo.commissioner.test"));
    let file = dir.path().join("backup.json");
    assert!(commissioner(&source, &["backup", "--out", file.to_str().unwrap()]).status.success());
    let restored = commissioner(&target, &["restore", file.to_str().unwrap()]);
    assert!(restored.status.success(), "{}", stderr(&restored));
    assert!(stdout(&restored).contains("Restored"));
    let again = commissioner(&target, &["restore", file.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("restore needs an empty store"), "{}", stderr(&again));
}
