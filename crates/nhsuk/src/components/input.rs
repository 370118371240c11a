//! Text input with label, hint and error message, in a form group.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::components::error_message::ErrorMessage;
use crate::components::hint::Hint;
use crate::components::label::Label;
use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Input {
    pub id: Option<String>,
    pub name: String,
    #[serde(rename = "type")]
    pub input_type: Option<String>,
    pub label: Label,
    pub hint: Option<Content>,
    pub error_message: Option<Content>,
    pub value: Option<String>,
    /// 2, 3, 4, 5, 10, 20 or 30 characters wide.
    pub width: Option<u8>,
    pub code: bool,
    pub spellcheck: Option<bool>,
    pub autocomplete: Option<String>,
    pub inputmode: Option<String>,
    pub disabled: bool,
    pub classes: Option<String>,
}

impl Input {
    pub fn new(name: impl Into<String>, label: Label) -> Input {
        Input { name: name.into(), label, ..Default::default() }
    }

    pub fn with_value(mut self, value: impl Into<String>) -> Input {
        self.value = Some(value.into());
        self
    }

    pub fn with_error(mut self, error: Option<&str>) -> Input {
        self.error_message = error.map(Content::text);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Input {
        self.hint = Some(Content::text(hint.into()));
        self
    }
}

impl Render for Input {
    fn render(&self) -> Markup {
        let id = self.id.clone().unwrap_or_else(|| self.name.clone());
        let hint_id = format!("{id}-hint");
        let error_id = format!("{id}-error");
        let has_hint = self.hint.as_ref().is_some_and(|h| !h.is_empty());
        let has_error = self.error_message.as_ref().is_some_and(|e| !e.is_empty());
        let described_by: Vec<&str> = [has_hint.then_some(hint_id.as_str()), has_error.then_some(error_id.as_str())]
            .into_iter()
            .flatten()
            .collect();
        let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
        let width = self
            .width
            .filter(|w| [2, 3, 4, 5, 10, 20, 30].contains(w))
            .map(|w| format!("nhsuk-input--width-{w}"))
            .unwrap_or_default();
        let class = classes(&[
            "nhsuk-input",
            if self.code { "nhsuk-input--code" } else { "" },
            if has_error { "nhsuk-input--error" } else { "" },
            &width,
            self.classes.as_deref().unwrap_or(""),
        ]);
        let group_class = classes(&["nhsuk-form-group", if has_error { "nhsuk-form-group--error" } else { "" }]);
        let spellcheck = self.spellcheck.map(|s| s.to_string());
        html! {
            div class=(group_class) {
                (self.label.for_field(&id))
                @if let Some(hint) = self.hint.as_ref().filter(|_| has_hint) {
                    (Hint { id: Some(hint_id.clone()), content: hint.clone() })
                }
                @if let Some(error) = self.error_message.as_ref().filter(|_| has_error) {
                    (ErrorMessage { id: Some(error_id.clone()), content: error.clone(), visually_hidden_text: None })
                }
                input class=(class) id=(id) name=(self.name) type=(self.input_type.as_deref().unwrap_or("text"))
                    spellcheck=[spellcheck.as_deref()] value=[self.value.as_deref()] disabled[self.disabled]
                    aria-describedby=[described_by.as_deref()] autocomplete=[self.autocomplete.as_deref()]
                    inputmode=[self.inputmode.as_deref()];
            }
        }
    }
}
