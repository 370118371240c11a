//! The page template: the upstream `template.njk` with its blocks as fields.
//!
//! One change from upstream: the inline script that marks the body `js-enabled` is loaded
//! from `js-enabled.js` instead, and the components are started by `init.js`, so pages work
//! under a Content Security Policy that forbids inline scripts.

use maud::{DOCTYPE, Markup, html};

use crate::assets::VERSION;
use crate::components::footer::Footer;
use crate::components::header::Header;
use crate::components::skip_link::SkipLink;

/// A whole page.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The `<title>`: page name, then the service name, as GOV.UK and NHS.UK do.
    pub title: String,
    pub header: Header,
    /// Breadcrumbs or a back link, above `<main>`.
    pub before_content: Option<Markup>,
    pub content: Markup,
    pub footer: Footer,
    /// Where the assets are served (default `/assets`).
    pub asset_path: Option<String>,
    /// Extra `<head>` content (page-specific stylesheets).
    pub head: Option<Markup>,
}

/// Renders a page.
pub fn page(page: &Page) -> Markup {
    let assets = page.asset_path.as_deref().unwrap_or("/assets");
    let version = VERSION.trim();
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { (page.title) }
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                meta name="theme-color" content="#005eb8";
                link rel="icon" href={ (assets) "/images/favicon.ico" } sizes="48x48";
                link rel="icon" href={ (assets) "/images/favicon.svg" } sizes="any" type="image/svg+xml";
                link rel="mask-icon" href={ (assets) "/images/nhsuk-icon-mask.svg" } color="#005eb8";
                link rel="apple-touch-icon" href={ (assets) "/images/nhsuk-icon-180.png" };
                link rel="manifest" href={ (assets) "/manifest.json" };
                link rel="stylesheet" href={ (assets) "/nhsuk-frontend.min.css?v=" (version) };
                @if let Some(head) = &page.head { (head) }
            }
            body {
                script src={ (assets) "/js-enabled.js?v=" (version) } {}
                (SkipLink::default())
                (page.header)
                div class="nhsuk-width-container" {
                    @if let Some(before) = &page.before_content { (before) }
                    main class="nhsuk-main-wrapper" id="maincontent" {
                        (page.content)
                    }
                }
                (page.footer)
                script type="module" src={ (assets) "/init.js?v=" (version) } {}
            }
        }
    }
}
