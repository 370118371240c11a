//! Textarea: several lines of free text, with label, hint and error message.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::components::error_message::ErrorMessage;
use crate::components::hint::Hint;
use crate::components::label::Label;
use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Textarea {
    pub id: Option<String>,
    pub name: String,
    pub rows: Option<u32>,
    pub value: Option<String>,
    pub label: Label,
    pub hint: Option<Content>,
    pub error_message: Option<Content>,
}

impl Render for Textarea {
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
        let group_class = classes(&["nhsuk-form-group", if has_error { "nhsuk-form-group--error" } else { "" }]);
        let class = classes(&["nhsuk-textarea", if has_error { "nhsuk-textarea--error" } else { "" }]);
        html! {
            div class=(group_class) {
                (self.label.for_field(&id))
                @if let Some(hint) = self.hint.as_ref().filter(|_| has_hint) {
                    (Hint { id: Some(hint_id.clone()), content: hint.clone() })
                }
                @if let Some(error) = self.error_message.as_ref().filter(|_| has_error) {
                    (ErrorMessage { id: Some(error_id.clone()), content: error.clone(), visually_hidden_text: None })
                }
                textarea class=(class) id=(id) name=(self.name) rows=(self.rows.unwrap_or(5)) aria-describedby=[described_by.as_deref()] {
                    (self.value.as_deref().unwrap_or(""))
                }
            }
        }
    }
}
