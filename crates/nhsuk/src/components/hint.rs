//! Hint: help text under a label.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Hint {
    pub id: Option<String>,
    #[serde(flatten)]
    pub content: Content,
}

impl Render for Hint {
    fn render(&self) -> Markup {
        html! { div class="nhsuk-hint" id=[self.id.as_deref()] { (self.content.render()) } }
    }
}
