//! Error summary: "There is a problem", with a link to each field in error.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorSummary {
    pub heading: Content,
    pub description: Option<Content>,
    #[serde(deserialize_with = "crate::content::optional_items")]
    pub error_list: Vec<Option<ErrorItem>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorItem {
    pub href: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
}

impl ErrorSummary {
    /// The standard summary for a form: each error links to its field by id.
    pub fn for_fields(errors: &[(String, String)]) -> ErrorSummary {
        ErrorSummary {
            heading: Content::text("There is a problem"),
            description: None,
            error_list: errors
                .iter()
                .map(|(field, message)| {
                    Some(ErrorItem { href: Some(format!("#{field}")), text: Some(message.clone()), html: None })
                })
                .collect(),
        }
    }
}

impl Render for ErrorSummary {
    fn render(&self) -> Markup {
        let items: Vec<&ErrorItem> = self.error_list.iter().flatten().collect();
        html! {
            div class="nhsuk-error-summary" data-module="nhsuk-error-summary" {
                div role="alert" {
                    h2 class="nhsuk-error-summary__heading" { (self.heading.render()) }
                    div class="nhsuk-error-summary__body" {
                        @if let Some(description) = self.description.as_ref().filter(|d| !d.is_empty()) {
                            p { (description.render()) }
                        }
                        @if !items.is_empty() {
                            ul class="nhsuk-list nhsuk-error-summary__list" {
                                @for item in items {
                                    @let content = Content { text: item.text.clone(), html: item.html.clone() };
                                    li {
                                        @if let Some(href) = &item.href {
                                            a href=(href) { (content.render()) }
                                        } @else {
                                            (content.render())
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
}
