//! Shared state of the web layer and its settings.

use std::sync::Arc;

use app::App;

use crate::ratelimit::RateLimiter;

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
    /// Sign-in attempts allowed per client address per minute.
    pub sign_in_attempts_per_minute: usize,
    /// Largest activity file a provider may upload, in bytes.
    pub max_upload_bytes: u64,
}

impl Default for WebSettings {
    fn default() -> WebSettings {
        WebSettings {
            secure_cookies: true,
            max_body_bytes: 2 * 1024 * 1024,
            service_name: "Commissioner".into(),
            sign_in_attempts_per_minute: 30,
            max_upload_bytes: 4 * 1024 * 1024 * 1024,
        }
    }
}

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) app: App,
    pub(crate) settings: Arc<WebSettings>,
    pub(crate) sign_in_limiter: Arc<RateLimiter>,
}
