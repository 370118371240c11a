//! Text or trusted HTML, as the upstream macros take it (`text` is escaped, `html` is not).

use maud::{Markup, PreEscaped, html};
use serde::Deserialize;

/// Content given as text (escaped when rendered) or as HTML (trusted, rendered as is).
/// Deserialises from a string (text) or from `{ "text": … }` / `{ "html": … }`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Content {
    pub text: Option<String>,
    pub html: Option<String>,
}

impl Content {
    pub fn text(text: impl Into<String>) -> Content {
        Content { text: Some(text.into()), html: None }
    }

    /// Trusted HTML, typically rendered by maud in the calling crate.
    pub fn html(markup: Markup) -> Content {
        Content { text: None, html: Some(markup.into_string()) }
    }

    pub fn is_empty(&self) -> bool {
        self.text.as_deref().is_none_or(str::is_empty) && self.html.as_deref().is_none_or(str::is_empty)
    }

    /// The content itself: HTML as is, or escaped text.
    pub fn render(&self) -> Markup {
        match (&self.html, &self.text) {
            (Some(html), _) => PreEscaped(html.clone()),
            (None, Some(text)) => html! { (text) },
            (None, None) => html! {},
        }
    }
}

impl From<&str> for Content {
    fn from(text: &str) -> Content {
        Content::text(text)
    }
}

impl From<String> for Content {
    fn from(text: String) -> Content {
        Content::text(text)
    }
}

impl From<Markup> for Content {
    fn from(markup: Markup) -> Content {
        Content::html(markup)
    }
}

impl<'de> Deserialize<'de> for Content {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Content, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
            Parts {
                #[serde(default)]
                text: Option<String>,
                #[serde(default)]
                html: Option<String>,
            },
        }
        Ok(match Raw::deserialize(deserializer)? {
            Raw::Text(text) => Content::text(text),
            Raw::Parts { text, html } => Content { text, html },
        })
    }
}

/// Joins class names, skipping empty ones.
pub(crate) fn classes(parts: &[&str]) -> String {
    parts.iter().filter(|part| !part.is_empty()).copied().collect::<Vec<_>>().join(" ")
}

/// Deserialises a list in which upstream fixtures write `false` (or `null`) for an empty
/// item, as Nunjucks templates skip falsy items.
pub(crate) fn optional_items<'de, D, T>(deserializer: D) -> Result<Vec<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Item<T> {
        Skipped(#[allow(dead_code)] bool),
        Present(T),
    }
    let items: Vec<Option<Item<T>>> = Vec::deserialize(deserializer)?;
    Ok(items
        .into_iter()
        .map(|item| match item {
            Some(Item::Present(value)) => Some(value),
            _ => None,
        })
        .collect())
}
