//! Fieldset: groups related fields under a legend.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::classes;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Fieldset {
    pub legend: Option<Legend>,
    pub described_by: Option<String>,
    /// Our name for the macro's caller block: the fields inside.
    pub html: Option<String>,
}

/// A fieldset's legend. `heading` makes it the page's `h1`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Legend {
    pub text: Option<String>,
    pub heading: Option<String>,
    pub size: Option<String>,
}

impl Legend {
    pub fn text(text: impl Into<String>) -> Legend {
        Legend { text: Some(text.into()), ..Default::default() }
    }

    pub fn page_heading(text: impl Into<String>) -> Legend {
        Legend { heading: Some(text.into()), size: Some("l".into()), ..Default::default() }
    }
}

impl Render for Legend {
    fn render(&self) -> Markup {
        let size = self.size.as_deref().map(|s| format!("nhsuk-fieldset__legend--{s}")).unwrap_or_default();
        let class = classes(&["nhsuk-fieldset__legend", &size]);
        html! {
            legend class=(class) {
                @if let Some(heading) = &self.heading {
                    h1 class="nhsuk-fieldset__heading" { (heading) }
                } @else if let Some(text) = &self.text {
                    (text)
                }
            }
        }
    }
}

impl Render for Fieldset {
    fn render(&self) -> Markup {
        html! {
            fieldset class="nhsuk-fieldset" aria-describedby=[self.described_by.as_deref()] {
                @if let Some(legend) = &self.legend { (legend) }
                @if let Some(inner) = &self.html { (maud::PreEscaped(inner)) }
            }
        }
    }
}
