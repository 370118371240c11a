//! Breadcrumb: where the page sits, with a back link to its parent for small screens.

use maud::{Markup, Render, html};
use serde::Deserialize;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Breadcrumb {
    pub items: Vec<BreadcrumbItem>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct BreadcrumbItem {
    pub href: String,
    pub text: String,
}

impl Breadcrumb {
    pub fn new(items: &[(&str, &str)]) -> Breadcrumb {
        Breadcrumb {
            items: items
                .iter()
                .map(|(href, text)| BreadcrumbItem { href: (*href).to_owned(), text: (*text).to_owned() })
                .collect(),
        }
    }
}

impl Render for Breadcrumb {
    fn render(&self) -> Markup {
        html! {
            nav class="nhsuk-breadcrumb" aria-label="Breadcrumb" {
                ol class="nhsuk-breadcrumb__list" {
                    @for item in &self.items {
                        li class="nhsuk-breadcrumb__list-item" {
                            a class="nhsuk-breadcrumb__link" href=(item.href) { (item.text) }
                        }
                    }
                }
                @if let Some(last) = self.items.last() {
                    a class="nhsuk-back-link" href=(last.href) {
                        span class="nhsuk-u-visually-hidden" { "Back to " } (last.text)
                    }
                }
            }
        }
    }
}
