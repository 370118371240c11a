//! Summary list: key–value pairs, optionally with change links.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummaryList {
    #[serde(deserialize_with = "crate::content::optional_items")]
    pub rows: Vec<Option<SummaryRow>>,
    pub classes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummaryRow {
    pub key: Content,
    pub value: Content,
    pub actions: Option<SummaryActions>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummaryActions {
    pub items: Vec<SummaryAction>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SummaryAction {
    pub href: String,
    pub text: String,
    pub visually_hidden_text: Option<String>,
}

impl SummaryList {
    /// A list of plain key–value rows.
    pub fn of(rows: Vec<(String, Content)>) -> SummaryList {
        SummaryList {
            rows: rows
                .into_iter()
                .map(|(key, value)| Some(SummaryRow { key: Content::text(key), value, actions: None }))
                .collect(),
            classes: None,
        }
    }
}

impl Render for SummaryList {
    fn render(&self) -> Markup {
        let rows: Vec<&SummaryRow> = self.rows.iter().flatten().collect();
        let any_actions = rows.iter().any(|row| row.actions.as_ref().is_some_and(|a| !a.items.is_empty()));
        html! {
            dl class=(classes(&["nhsuk-summary-list", self.classes.as_deref().unwrap_or("")])) {
                @for row in rows {
                    @let actions = row.actions.as_ref().map(|a| a.items.as_slice()).unwrap_or(&[]);
                    @let row_class = classes(&["nhsuk-summary-list__row", if any_actions && actions.is_empty() { "nhsuk-summary-list__row--no-actions" } else { "" }]);
                    div class=(row_class) {
                        dt class="nhsuk-summary-list__key" { (row.key.render()) }
                        dd class="nhsuk-summary-list__value" { (row.value.render()) }
                        @if actions.len() == 1 {
                            dd class="nhsuk-summary-list__actions" { (action_link(&actions[0])) }
                        } @else if actions.len() > 1 {
                            dd class="nhsuk-summary-list__actions" {
                                ul class="nhsuk-summary-list__actions-list" {
                                    @for action in actions {
                                        li class="nhsuk-summary-list__actions-list-item" { (action_link(action)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn action_link(action: &SummaryAction) -> Markup {
    html! {
        a class="nhsuk-link" href=(action.href) {
            (action.text)
            @if let Some(hidden) = &action.visually_hidden_text {
                span class="nhsuk-u-visually-hidden" { " " (hidden) }
            }
        }
    }
}
