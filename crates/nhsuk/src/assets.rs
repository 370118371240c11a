//! The design system's compiled assets, embedded in the binary: CSS, JavaScript, images
//! and the web manifest from `vendor/` (see `cargo xtask vendor-nhsuk`), and our two small
//! scripts from `static/` that replace the upstream template's inline script.

/// The vendored `nhsuk-frontend` version, for cache-busting asset URLs.
pub const VERSION: &str = include_str!("../vendor/VERSION");

/// An embedded file.
#[derive(Debug, Clone, Copy)]
pub struct Asset {
    pub content_type: &'static str,
    pub bytes: &'static [u8],
}

const FILES: &[(&str, &[u8])] = &[
    ("nhsuk-frontend.min.css", include_bytes!("../vendor/nhsuk-frontend.min.css")),
    ("nhsuk-frontend.min.js", include_bytes!("../vendor/nhsuk-frontend.min.js")),
    ("manifest.json", include_bytes!("../vendor/manifest.json")),
    ("js-enabled.js", include_bytes!("../static/js-enabled.js")),
    ("init.js", include_bytes!("../static/init.js")),
    ("images/favicon.ico", include_bytes!("../vendor/images/favicon.ico")),
    ("images/favicon.svg", include_bytes!("../vendor/images/favicon.svg")),
    ("images/nhsuk-icon-180.png", include_bytes!("../vendor/images/nhsuk-icon-180.png")),
    ("images/nhsuk-icon-192.png", include_bytes!("../vendor/images/nhsuk-icon-192.png")),
    ("images/nhsuk-icon-512.png", include_bytes!("../vendor/images/nhsuk-icon-512.png")),
    ("images/nhsuk-icon-arrow-down-circle.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-down-circle.svg")),
    ("images/nhsuk-icon-arrow-down.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-down.svg")),
    ("images/nhsuk-icon-arrow-left-circle.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-left-circle.svg")),
    ("images/nhsuk-icon-arrow-left.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-left.svg")),
    ("images/nhsuk-icon-arrow-right-circle.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-right-circle.svg")),
    ("images/nhsuk-icon-arrow-right.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-right.svg")),
    ("images/nhsuk-icon-arrow-up-circle.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-up-circle.svg")),
    ("images/nhsuk-icon-arrow-up-down.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-up-down.svg")),
    ("images/nhsuk-icon-arrow-up.svg", include_bytes!("../vendor/images/nhsuk-icon-arrow-up.svg")),
    (
        "images/nhsuk-icon-chevron-down-circle.svg",
        include_bytes!("../vendor/images/nhsuk-icon-chevron-down-circle.svg"),
    ),
    (
        "images/nhsuk-icon-chevron-left-circle.svg",
        include_bytes!("../vendor/images/nhsuk-icon-chevron-left-circle.svg"),
    ),
    (
        "images/nhsuk-icon-chevron-right-circle.svg",
        include_bytes!("../vendor/images/nhsuk-icon-chevron-right-circle.svg"),
    ),
    ("images/nhsuk-icon-chevron-up-circle.svg", include_bytes!("../vendor/images/nhsuk-icon-chevron-up-circle.svg")),
    ("images/nhsuk-icon-cross.svg", include_bytes!("../vendor/images/nhsuk-icon-cross.svg")),
    ("images/nhsuk-icon-mask.svg", include_bytes!("../vendor/images/nhsuk-icon-mask.svg")),
    ("images/nhsuk-icon-minus.svg", include_bytes!("../vendor/images/nhsuk-icon-minus.svg")),
    ("images/nhsuk-icon-plus.svg", include_bytes!("../vendor/images/nhsuk-icon-plus.svg")),
    ("images/nhsuk-icon-search.svg", include_bytes!("../vendor/images/nhsuk-icon-search.svg")),
    ("images/nhsuk-icon-tick.svg", include_bytes!("../vendor/images/nhsuk-icon-tick.svg")),
    ("images/nhsuk-icon-user.svg", include_bytes!("../vendor/images/nhsuk-icon-user.svg")),
    ("images/nhsuk-opengraph-image.png", include_bytes!("../vendor/images/nhsuk-opengraph-image.png")),
];

/// The asset at `path` (relative to the asset root, such as `images/favicon.svg`).
pub fn get(path: &str) -> Option<Asset> {
    FILES.iter().find(|(name, _)| *name == path).map(|(name, bytes)| Asset { content_type: content_type(name), bytes })
}

/// Every embedded asset path.
pub fn paths() -> impl Iterator<Item = &'static str> {
    FILES.iter().map(|(name, _)| *name)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("json") => "application/manifest+json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_are_embedded_with_types() {
        let css = get("nhsuk-frontend.min.css").unwrap();
        assert_eq!(css.content_type, "text/css; charset=utf-8");
        assert!(css.bytes.len() > 100_000);
        assert!(get("images/favicon.svg").is_some());
        assert!(get("../Cargo.toml").is_none());
        assert_eq!(VERSION.trim(), "10.6.1");
    }
}
