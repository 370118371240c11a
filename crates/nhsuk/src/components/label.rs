//! Label: names a form field; `heading` makes it the page's `h1`.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::classes;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Label {
    pub text: Option<String>,
    /// The label as the page heading (wrapped in an `h1`).
    pub heading: Option<String>,
    /// `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
    #[serde(rename = "for")]
    pub for_id: Option<String>,
    pub classes: Option<String>,
}

impl Label {
    pub fn text(text: impl Into<String>) -> Label {
        Label { text: Some(text.into()), ..Default::default() }
    }

    pub fn page_heading(text: impl Into<String>) -> Label {
        Label { heading: Some(text.into()), size: Some("l".into()), ..Default::default() }
    }

    pub(crate) fn for_field(&self, id: &str) -> Label {
        Label { for_id: Some(id.to_owned()), ..self.clone() }
    }
}

impl Render for Label {
    fn render(&self) -> Markup {
        let size = self
            .size
            .as_deref()
            .filter(|s| ["s", "m", "l", "xl"].contains(s))
            .map(|s| format!("nhsuk-label--{s}"))
            .unwrap_or_default();
        let class = classes(&["nhsuk-label", &size, self.classes.as_deref().unwrap_or("")]);
        match (&self.heading, &self.text) {
            (Some(heading), _) => html! {
                h1 class="nhsuk-label-wrapper" {
                    label class=(class) for=[self.for_id.as_deref()] { (heading) }
                }
            },
            (None, Some(text)) => {
                html! { label class=(class) for=[self.for_id.as_deref()] { (text) } }
            }
            (None, None) => html! {},
        }
    }
}
