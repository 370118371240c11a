//! Serves the embedded design-system assets and Commissioner's own stylesheet.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::error::Error;

const OWN_CSS: &[u8] = include_bytes!("../static/commissioner.css");

pub(crate) async fn asset(Path(path): Path<String>) -> Result<Response, Error> {
    let (content_type, bytes) = if path == "commissioner.css" {
        ("text/css; charset=utf-8", OWN_CSS)
    } else {
        let asset = nhsuk::assets::get(&path).ok_or(Error::NotFound)?;
        (asset.content_type, asset.bytes)
    };
    Ok(([(CONTENT_TYPE, content_type), (CACHE_CONTROL, "public, max-age=86400")], bytes).into_response())
}
