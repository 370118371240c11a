//! Shared state of the web layer and its settings.

use std::sync::Arc;

use app::App;

/// Settings for the HTTP layer.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` (and use the `__Host-` prefix). Browsers accept secure cookies
    /// from `http://localhost`; turn this off only to serve plain HTTP to other hosts.
    pub secure_cookies: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Shown in the header and page titles.
    pub service_name: String,
}

impl Default for WebSettings {
    fn default() -> WebSettings {
        WebSettings { secure_cookies: true, max_body_bytes: 2 * 1024 * 1024, service_name: "Commissioner".into() }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) app: App,
    pub(crate) settings: Arc<WebSettings>,
}
