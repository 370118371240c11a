//! Inset text: information set apart from the main text.

use maud::{Markup, Render, html};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct InsetText {
    pub text: Option<String>,
    pub html: Option<String>,
    pub visually_hidden_text: Option<String>,
}

impl InsetText {
    pub fn text(text: impl Into<String>) -> InsetText {
        InsetText { text: Some(text.into()), ..Default::default() }
    }

    pub fn html(markup: Markup) -> InsetText {
        InsetText { html: Some(markup.into_string()), ..Default::default() }
    }
}

impl Render for InsetText {
    fn render(&self) -> Markup {
        html! {
            div class="nhsuk-inset-text" {
                span class="nhsuk-u-visually-hidden" { (self.visually_hidden_text.as_deref().unwrap_or("Information")) ": " }
                @if let Some(html) = &self.html {
                    (maud::PreEscaped(html))
                } @else if let Some(text) = &self.text {
                    p { (text) }
                }
            }
        }
    }
}
