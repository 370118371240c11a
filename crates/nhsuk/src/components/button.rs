//! Button: a form submit button, or a link styled as one.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::classes;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Button {
    pub text: String,
    /// `secondary`, `reverse`, `warning` or `login`.
    pub variant: Option<String>,
    pub small: bool,
    pub href: Option<String>,
    pub name: Option<String>,
    pub value: Option<String>,
    #[serde(rename = "type")]
    pub button_type: Option<String>,
    pub disabled: bool,
    pub classes: Option<String>,
    pub id: Option<String>,
    pub prevent_double_click: Option<bool>,
}

impl Button {
    pub fn submit(text: impl Into<String>) -> Button {
        Button { text: text.into(), ..Default::default() }
    }

    pub fn secondary(text: impl Into<String>) -> Button {
        Button { text: text.into(), variant: Some("secondary".into()), ..Default::default() }
    }

    pub fn link(text: impl Into<String>, href: impl Into<String>) -> Button {
        Button { text: text.into(), href: Some(href.into()), ..Default::default() }
    }
}

impl Render for Button {
    fn render(&self) -> Markup {
        let variant = match self.variant.as_deref() {
            Some(v @ ("secondary" | "reverse" | "warning" | "login")) => {
                format!("nhsuk-button--{v}")
            }
            _ => String::new(),
        };
        let small = if self.small { "nhsuk-button--small" } else { "" };
        let class = classes(&["nhsuk-button", &variant, small, self.classes.as_deref().unwrap_or("")]);
        let double_click = self.prevent_double_click.map(|p| p.to_string());
        match &self.href {
            Some(href) => html! {
                a href=(href) class=(class) id=[self.id.as_deref()] data-module="nhsuk-button" role="button" draggable="false"
                    aria-disabled=[self.disabled.then_some("true")] data-prevent-double-click=[double_click.as_deref()] {
                    (self.text)
                }
            },
            None => html! {
                button class=(class) id=[self.id.as_deref()] data-module="nhsuk-button" name=[self.name.as_deref()]
                    value=[self.value.as_deref()] type=(self.button_type.as_deref().unwrap_or("submit"))
                    disabled[self.disabled] aria-disabled=[self.disabled.then_some("true")]
                    data-prevent-double-click=[double_click.as_deref()] {
                    (self.text)
                }
            },
        }
    }
}
