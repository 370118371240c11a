//! Warning callout: something the user must know to avoid harm or a wrong decision.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct WarningCallout {
    pub heading: Content,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl WarningCallout {
    pub fn new(heading: impl Into<String>, text: impl Into<String>) -> WarningCallout {
        WarningCallout { heading: Content::text(heading), text: Some(text.into()), html: None }
    }
}

impl Render for WarningCallout {
    fn render(&self) -> Markup {
        html! {
            div class="nhsuk-card nhsuk-card--warning" {
                div class="nhsuk-card__content" {
                    h3 class="nhsuk-card__heading" { (self.heading.render()) }
                    @if let Some(html) = &self.html {
                        (maud::PreEscaped(html))
                    } @else if let Some(text) = &self.text {
                        p class="nhsuk-card__description" { (text) }
                    }
                }
            }
        }
    }
}
