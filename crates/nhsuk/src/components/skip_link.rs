//! Skip link: lets keyboard users jump to the main content.

use maud::{Markup, Render, html};
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SkipLink {
    pub href: String,
    pub text: String,
}

impl Default for SkipLink {
    fn default() -> SkipLink {
        SkipLink { href: "#maincontent".into(), text: "Skip to main content".into() }
    }
}

impl Render for SkipLink {
    fn render(&self) -> Markup {
        html! { a class="nhsuk-skip-link" data-module="nhsuk-skip-link" href=(self.href) { (self.text) } }
    }
}
