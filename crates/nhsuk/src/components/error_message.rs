//! Error message: the message shown beside a field that failed validation.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorMessage {
    pub id: Option<String>,
    #[serde(flatten)]
    pub content: Content,
    pub visually_hidden_text: Option<String>,
}

impl Render for ErrorMessage {
    fn render(&self) -> Markup {
        html! {
            span class="nhsuk-error-message" id=[self.id.as_deref()] {
                span class="nhsuk-u-visually-hidden" { (self.visually_hidden_text.as_deref().unwrap_or("Error")) ": " }
                (self.content.render())
            }
        }
    }
}
