//! Copies the NHS.UK frontend's compiled CSS, JavaScript, images and component fixtures from
//! the pinned npm package into `crates/nhsuk/vendor`, which is committed, so that building
//! and running Commissioner never needs npm.
//!
//! The CSS's `@font-face` rules are removed: they load the licensed Frutiger font from the
//! NHS website's own servers, which a self-hosted service should not call; the design
//! system's fallback fonts (Arial) are used instead.

use std::fs;
use std::path::Path;

use anyhow::Context;

use crate::run;

/// Components whose upstream fixtures the parity tests compare against.
pub(crate) const FIXTURE_COMPONENTS: &[&str] = &[
    "back-link",
    "breadcrumb",
    "button",
    "card",
    "checkboxes",
    "details",
    "error-message",
    "error-summary",
    "fieldset",
    "footer",
    "header",
    "hint",
    "input",
    "inset-text",
    "label",
    "notification-banner",
    "select",
    "skip-link",
    "summary-list",
    "tables",
    "tag",
    "textarea",
    "warning-callout",
];

pub(crate) fn vendor_nhsuk(root: &Path) -> anyhow::Result<()> {
    let frontend = root.join("crates/nhsuk/frontend");
    run(&frontend, "npm", &["ci", "--no-audit", "--no-fund"])?;
    let package = frontend.join("node_modules/nhsuk-frontend");
    let dist = package.join("dist/nhsuk");
    let vendor = root.join("crates/nhsuk/vendor");
    if vendor.exists() {
        fs::remove_dir_all(&vendor)?;
    }
    fs::create_dir_all(vendor.join("images"))?;
    fs::create_dir_all(vendor.join("fixtures"))?;

    let css = fs::read_to_string(dist.join("nhsuk-frontend.min.css")).context("reading the compiled CSS")?;
    fs::write(vendor.join("nhsuk-frontend.min.css"), strip_font_faces(&css))?;
    fs::copy(dist.join("nhsuk-frontend.min.js"), vendor.join("nhsuk-frontend.min.js"))?;
    fs::copy(dist.join("assets/manifest.json"), vendor.join("manifest.json"))?;
    for entry in fs::read_dir(dist.join("assets/images"))? {
        let entry = entry?;
        fs::copy(entry.path(), vendor.join("images").join(entry.file_name()))?;
    }
    for component in FIXTURE_COMPONENTS {
        fs::copy(
            dist.join(format!("components/{component}/fixtures.json")),
            vendor.join(format!("fixtures/{component}.json")),
        )
        .with_context(|| format!("copying the {component} fixtures"))?;
    }
    let manifest = fs::read_to_string(package.join("package.json"))?;
    let version = manifest
        .lines()
        .find_map(|line| line.trim().strip_prefix("\"version\": \"").and_then(|rest| rest.split('"').next()))
        .context("reading the package version")?;
    fs::write(vendor.join("VERSION"), format!("{version}\n"))?;
    fs::remove_dir_all(frontend.join("node_modules"))?;
    eprintln!("vendored nhsuk-frontend {version} into {}", vendor.display());
    Ok(())
}

/// Removes every `@font-face{…}` block from minified CSS.
fn strip_font_faces(css: &str) -> String {
    let mut out = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(start) = rest.find("@font-face") {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after.find('}').map(|idx| idx + 1).unwrap_or(after.len());
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::strip_font_faces;

    #[test]
    fn font_faces_are_removed() {
        let css = "a{color:red}@font-face{font-family:x;src:url(y)}b{c:d}@font-face{e:f}";
        assert_eq!(strip_font_faces(css), "a{color:red}b{c:d}");
    }
}
