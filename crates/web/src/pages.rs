//! Server-rendered pages, one module per area of the site; stage pages are named by stage.

pub(crate) mod admin;
pub(crate) mod areas;
pub(crate) mod dashboard;
pub(crate) mod home;
pub(crate) mod monitor;
pub(crate) mod organisations;
pub(crate) mod performance;
pub(crate) mod plan;
pub(crate) mod procure;
pub(crate) mod public;
pub(crate) mod strategy;
pub(crate) mod tokens;

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use nhsuk::components::summary_list::{SummaryList, SummaryRow};
use nhsuk::content::Content;

use crate::format::csv_field;

/// A summary list from (key, value) pairs.
pub(crate) fn summary(rows: Vec<(&str, Markup)>) -> SummaryList {
    SummaryList {
        rows: rows
            .into_iter()
            .map(|(key, value)| {
                Some(SummaryRow { key: Content::text(key), value: Content::html(value), actions: None })
            })
            .collect(),
        classes: None,
    }
}

/// A CSV file download.
pub(crate) fn csv_download(file_name: &str, header: &[&str], rows: Vec<Vec<String>>) -> Response {
    let mut body = header.join(",");
    body.push('\n');
    for row in rows {
        body.push_str(&row.iter().map(|field| csv_field(field)).collect::<Vec<_>>().join(","));
        body.push('\n');
    }
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        body,
    )
        .into_response()
}

/// "Download this data (CSV)" under a chart.
/// An app error message `field: message` as (field, message); a message that names no field
/// goes on `fallback`.
pub(crate) fn field_error(message: &str, fallback: &str) -> (String, String) {
    match message.split_once(": ") {
        Some((field, rest)) if !field.is_empty() && !field.contains(' ') => (field.to_owned(), rest.to_owned()),
        _ => (fallback.to_owned(), message.to_owned()),
    }
}

/// An app error message of several `field: message` parts joined by "; ", as
/// [`field_error`] reads each.
pub(crate) fn field_errors(message: &str, fallback: &str) -> Vec<(String, String)> {
    message.split("; ").map(|part| field_error(part, fallback)).collect()
}

/// The most numbered fields (questions, requirements) a form is read for.
pub(crate) const MAX_NUMBERED: usize = 50;

/// The text of form fields numbered from 1 (`prefix_1`, `prefix_2`, …), up to `n`.
pub(crate) fn numbered_fields(fields: &[(String, String)], prefix: &str, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| {
            let name = format!("{prefix}_{i}");
            fields.iter().find(|(f, _)| *f == name).map(|(_, v)| v.clone()).unwrap_or_default()
        })
        .collect()
}

/// A table as a CSV download.
pub(crate) fn csv_response(file_name: &str, table: &app::export::DataTable) -> axum::response::Response {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    (
        [
            (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
        ],
        table.to_csv(),
    )
        .into_response()
}

pub(crate) fn download_link(href: &str, what: &str) -> Markup {
    html! { p class="nhsuk-body-s" { a href=(href) download { "Download " (what) " (CSV)" } } }
}
