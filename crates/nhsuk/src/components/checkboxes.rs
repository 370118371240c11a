//! Checkboxes: choose any of several options, in a fieldset with hint and error.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::components::error_message::ErrorMessage;
use crate::components::fieldset::Legend;
use crate::components::hint::Hint;
use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Checkboxes {
    pub id_prefix: Option<String>,
    pub name: String,
    pub fieldset: Option<CheckboxesFieldset>,
    pub hint: Option<Content>,
    pub error_message: Option<Content>,
    pub items: Vec<CheckboxItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckboxesFieldset {
    pub legend: Option<Legend>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CheckboxItem {
    pub value: String,
    pub text: String,
    pub hint: Option<Content>,
    pub checked: bool,
    pub id: Option<String>,
}

impl Render for Checkboxes {
    fn render(&self) -> Markup {
        let prefix = self.id_prefix.clone().unwrap_or_else(|| self.name.clone());
        let hint_id = format!("{prefix}-hint");
        let error_id = format!("{prefix}-error");
        let has_hint = self.hint.as_ref().is_some_and(|h| !h.is_empty());
        let has_error = self.error_message.as_ref().is_some_and(|e| !e.is_empty());
        let described_by: Vec<&str> = [has_hint.then_some(hint_id.as_str()), has_error.then_some(error_id.as_str())]
            .into_iter()
            .flatten()
            .collect();
        let described_by = (!described_by.is_empty()).then(|| described_by.join(" "));
        let group_class = classes(&["nhsuk-form-group", if has_error { "nhsuk-form-group--error" } else { "" }]);
        let inner = html! {
            @if let Some(hint) = self.hint.as_ref().filter(|_| has_hint) {
                (Hint { id: Some(hint_id.clone()), content: hint.clone() })
            }
            @if let Some(error) = self.error_message.as_ref().filter(|_| has_error) {
                (ErrorMessage { id: Some(error_id.clone()), content: error.clone(), visually_hidden_text: None })
            }
            div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes" {
                @for (idx, item) in self.items.iter().enumerate() {
                    @let id = item.id.clone().unwrap_or_else(|| if idx == 0 { prefix.clone() } else { format!("{prefix}-{}", idx + 1) });
                    @let item_hint_id = format!("{id}-item-hint");
                    div class="nhsuk-checkboxes__item" {
                        input class="nhsuk-checkboxes__input" id=(id) name=(self.name) type="checkbox" value=(item.value)
                            checked[item.checked] aria-describedby=[item.hint.as_ref().map(|_| item_hint_id.as_str())];
                        label class="nhsuk-label nhsuk-checkboxes__label" for=(id) { (item.text) }
                        @if let Some(hint) = &item.hint {
                            div class="nhsuk-hint nhsuk-checkboxes__hint" id=(item_hint_id) { (hint.render()) }
                        }
                    }
                }
            }
        };
        html! {
            div class=(group_class) {
                @if let Some(fieldset) = &self.fieldset {
                    fieldset class="nhsuk-fieldset" aria-describedby=[described_by.as_deref()] {
                        @if let Some(legend) = &fieldset.legend { (legend) }
                        (inner)
                    }
                } @else {
                    (inner)
                }
            }
        }
    }
}
