//! Footer: support links and the copyright line.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::Content;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Footer {
    pub meta: Option<FooterMeta>,
    pub copyright: Option<Content>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FooterMeta {
    pub visually_hidden_title: Option<String>,
    pub items: Vec<FooterLink>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct FooterLink {
    pub href: String,
    pub text: String,
}

impl Render for Footer {
    fn render(&self) -> Markup {
        let copyright = self.copyright.clone().unwrap_or_else(|| Content::text("© NHS England"));
        html! {
            footer class="nhsuk-footer" role="contentinfo" {
                div class="nhsuk-width-container" {
                    div class="nhsuk-footer__meta" {
                        @if let Some(meta) = self.meta.as_ref().filter(|m| !m.items.is_empty()) {
                            h2 class="nhsuk-u-visually-hidden" { (meta.visually_hidden_title.as_deref().unwrap_or("Support links")) }
                            ul class="nhsuk-footer__list" {
                                @for item in &meta.items {
                                    li class="nhsuk-footer__list-item" {
                                        a class="nhsuk-footer__list-item-link" href=(item.href) { (item.text) }
                                    }
                                }
                            }
                        }
                        p class="nhsuk-body-s" { (copyright.render()) }
                    }
                }
            }
        }
    }
}
