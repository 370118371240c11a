//! Tag: a short status label.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::classes;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Tag {
    pub text: String,
    /// white, grey, green, aqua-green, blue, purple, pink, red, orange or yellow.
    pub colour: Option<String>,
    pub classes: Option<String>,
}

impl Tag {
    pub fn new(text: impl Into<String>, colour: Option<&str>) -> Tag {
        Tag { text: text.into(), colour: colour.map(str::to_owned), classes: None }
    }
}

const COLOURS: [&str; 10] =
    ["white", "grey", "green", "aqua-green", "blue", "purple", "pink", "red", "orange", "yellow"];

impl Render for Tag {
    fn render(&self) -> Markup {
        let colour = self
            .colour
            .as_deref()
            .filter(|c| COLOURS.contains(c))
            .map(|c| format!("nhsuk-tag--{c}"))
            .unwrap_or_default();
        html! { strong class=(classes(&["nhsuk-tag", &colour, self.classes.as_deref().unwrap_or("")])) { (self.text) } }
    }
}
