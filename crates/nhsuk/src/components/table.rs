//! Table: data in rows and columns, with a caption and header cells.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Table {
    pub caption: Option<Caption>,
    pub first_cell_is_header: bool,
    pub head: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
    pub classes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Caption {
    pub text: String,
    /// `s`, `m`, `l` or `xl`.
    pub size: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Cell {
    pub text: Option<String>,
    pub html: Option<String>,
    /// `numeric` right-aligns the cell.
    pub format: Option<String>,
}

impl Cell {
    pub fn text(text: impl Into<String>) -> Cell {
        Cell { text: Some(text.into()), ..Default::default() }
    }

    pub fn numeric(text: impl Into<String>) -> Cell {
        Cell { text: Some(text.into()), format: Some("numeric".into()), ..Default::default() }
    }

    pub fn html(markup: Markup) -> Cell {
        Cell { html: Some(markup.into_string()), ..Default::default() }
    }

    fn content(&self) -> Content {
        Content { text: self.text.clone(), html: self.html.clone() }
    }

    fn is_numeric(&self) -> bool {
        self.format.as_deref() == Some("numeric")
    }
}

impl Table {
    pub fn new(caption: impl Into<String>, head: Vec<Cell>, rows: Vec<Vec<Cell>>) -> Table {
        Table {
            caption: Some(Caption { text: caption.into(), size: Some("m".into()) }),
            head,
            rows,
            ..Default::default()
        }
    }
}

impl Render for Table {
    fn render(&self) -> Markup {
        html! {
            table class=(classes(&["nhsuk-table", self.classes.as_deref().unwrap_or("")])) {
                @if let Some(caption) = &self.caption {
                    @let size = caption.size.as_deref().map(|s| format!("nhsuk-table__caption--{s}")).unwrap_or_default();
                    caption class=(classes(&["nhsuk-table__caption", &size])) { (caption.text) }
                }
                @if !self.head.is_empty() {
                    thead class="nhsuk-table__head" {
                        tr class="nhsuk-table__row" {
                            @for cell in &self.head {
                                @let class = classes(&["nhsuk-table__header", if cell.is_numeric() { "nhsuk-table__header--numeric" } else { "" }]);
                                th class=(class) scope="col" { (cell.content().render()) }
                            }
                        }
                    }
                }
                tbody class="nhsuk-table__body" {
                    @for row in &self.rows {
                        tr class="nhsuk-table__row" {
                            @for (idx, cell) in row.iter().enumerate() {
                                @if idx == 0 && self.first_cell_is_header {
                                    @let class = classes(&["nhsuk-table__header", if cell.is_numeric() { "nhsuk-table__header--numeric" } else { "" }]);
                                    th class=(class) scope="row" { (cell.content().render()) }
                                } @else {
                                    @let class = classes(&["nhsuk-table__cell", if cell.is_numeric() { "nhsuk-table__cell--numeric" } else { "" }]);
                                    td class=(class) { (cell.content().render()) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
