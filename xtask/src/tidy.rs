//! Tidy checks that run as ordinary tests: every Rust source file opens with a `//!` module
//! doc saying what it is for, no source file carries an unfinished-work marker, and the vendored
//! design-system assets match the pinned npm version.

#[cfg(test)]
mod tests {
    use std::fs;
    use std::path::{Path, PathBuf};

    use crate::project_root;

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy();
            if path.is_dir() {
                if name != "target" && name != "node_modules" && !name.starts_with('.') {
                    rust_files(&path, out);
                }
            } else if name.ends_with(".rs") {
                out.push(path);
            }
        }
    }

    fn sources() -> Vec<PathBuf> {
        let root = project_root();
        let mut files = Vec::new();
        rust_files(&root.join("crates"), &mut files);
        rust_files(&root.join("xtask"), &mut files);
        files
    }

    #[test]
    fn every_source_file_has_a_module_doc() {
        let missing: Vec<String> = sources()
            .into_iter()
            .filter(|path| !fs::read_to_string(path).unwrap().starts_with("//!"))
            .map(|path| path.display().to_string())
            .collect();
        assert!(missing.is_empty(), "these files do not open with a //! doc:\n{}", missing.join("\n"));
    }

    #[test]
    fn no_todo_markers() {
        let marker_a = ["TO", "DO"].concat();
        let marker_b = ["FIX", "ME"].concat();
        let offenders: Vec<String> = sources()
            .into_iter()
            .filter(|path| {
                let text = fs::read_to_string(path).unwrap();
                text.contains(&marker_a) || text.contains(&marker_b)
            })
            .map(|path| path.display().to_string())
            .collect();
        assert!(offenders.is_empty(), "unfinished work markers in:\n{}", offenders.join("\n"));
    }

    #[test]
    fn vendored_nhsuk_frontend_matches_the_pinned_version() {
        let root = project_root();
        let lock = fs::read_to_string(root.join("crates/nhsuk/frontend/package-lock.json")).unwrap();
        let pinned = lock
            .split("\"node_modules/nhsuk-frontend\"")
            .nth(1)
            .and_then(|rest| rest.split("\"version\": \"").nth(1))
            .and_then(|rest| rest.split('"').next())
            .expect("nhsuk-frontend in package-lock.json");
        let vendored = fs::read_to_string(root.join("crates/nhsuk/vendor/VERSION")).unwrap();
        assert_eq!(vendored.trim(), pinned, "run `cargo xtask vendor-nhsuk` after changing the pin");
    }
}
