//! Back link: a link (or button) back to the previous page.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BackLink {
    pub href: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    pub visually_hidden_text: Option<String>,
}

impl BackLink {
    pub fn new(href: impl Into<String>, text: impl Into<String>) -> BackLink {
        BackLink { href: Some(href.into()), text: Some(text.into()), ..Default::default() }
    }
}

impl Render for BackLink {
    fn render(&self) -> Markup {
        let inner = match (&self.html, &self.text) {
            (Some(html), _) => Content { text: None, html: Some(html.clone()) },
            (None, Some(text)) if !text.is_empty() => Content::text(text.clone()),
            _ => Content::text("Back"),
        };
        html! {
            a class="nhsuk-back-link" href=(self.href.as_deref().unwrap_or("#")) {
                @if let Some(hidden) = &self.visually_hidden_text {
                    span class="nhsuk-u-visually-hidden" { (hidden) " " }
                }
                (inner.render())
            }
        }
    }
}
