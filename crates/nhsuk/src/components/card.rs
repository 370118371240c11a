//! Card: a heading with a description or other content, optionally a whole-card link.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Card {
    pub heading: Option<CardHeading>,
    pub href: Option<String>,
    pub description: Option<Content>,
    /// Our name for the macro's caller block: content under the heading.
    pub html: Option<String>,
    pub clickable: bool,
    pub classes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct CardHeading {
    pub text: String,
    /// `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
    pub level: Option<u8>,
}

impl Card {
    pub fn new(heading: impl Into<String>) -> Card {
        Card { heading: Some(CardHeading { text: heading.into(), ..Default::default() }), ..Default::default() }
    }

    pub fn with_description(mut self, description: impl Into<Content>) -> Card {
        self.description = Some(description.into());
        self
    }

    pub fn with_content(mut self, content: Markup) -> Card {
        self.html = Some(content.into_string());
        self
    }

    pub fn linked(mut self, href: impl Into<String>) -> Card {
        self.href = Some(href.into());
        self.clickable = true;
        self
    }
}

impl Render for Card {
    fn render(&self) -> Markup {
        let clickable = if self.clickable { "nhsuk-card--clickable" } else { "" };
        let class = classes(&["nhsuk-card", clickable, self.classes.as_deref().unwrap_or("")]);
        html! {
            div class=(class) {
                div class="nhsuk-card__content" {
                    @if let Some(heading) = &self.heading {
                        @let size = heading.size.as_deref().map(|s| format!("nhsuk-heading-{s}")).unwrap_or_default();
                        @let heading_class = classes(&["nhsuk-card__heading", &size]);
                        @let inner = html! {
                            @if let Some(href) = &self.href {
                                a class="nhsuk-card__link" href=(href) { (heading.text) }
                            } @else {
                                (heading.text)
                            }
                        };
                        @match heading.level.unwrap_or(2) {
                            1 => h1 class=(heading_class) { (inner) },
                            3 => h3 class=(heading_class) { (inner) },
                            4 => h4 class=(heading_class) { (inner) },
                            _ => h2 class=(heading_class) { (inner) },
                        }
                    }
                    @if let Some(description) = &self.description {
                        @if description.html.is_some() {
                            (description.render())
                        } @else {
                            p class="nhsuk-card__description" { (description.render()) }
                        }
                    }
                    @if let Some(content) = &self.html {
                        (maud::PreEscaped(content))
                    }
                }
            }
        }
    }
}
