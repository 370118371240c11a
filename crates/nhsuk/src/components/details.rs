//! Details: a summary that expands to show more.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Details {
    pub summary: Content,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Details {
    pub fn new(summary: impl Into<String>, content: Markup) -> Details {
        Details { summary: Content::text(summary), html: Some(content.into_string()), text: None }
    }
}

impl Render for Details {
    fn render(&self) -> Markup {
        let content = Content { text: self.text.clone(), html: self.html.clone() };
        html! {
            details class="nhsuk-details" {
                summary class="nhsuk-details__summary" {
                    span class="nhsuk-details__summary-text" { (self.summary.render()) }
                }
                div class="nhsuk-details__text" { (content.render()) }
            }
        }
    }
}
