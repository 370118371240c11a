//! Notification banner: tells the user about something that happened or that matters now.

use maud::{Markup, Render, html};
use serde::Deserialize;

use crate::content::{Content, classes};

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NotificationBanner {
    pub title: Option<Content>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// `success` for the green banner that confirms an action.
    #[serde(rename = "type")]
    pub banner_type: Option<String>,
}

impl NotificationBanner {
    pub fn success(text: impl Into<String>) -> NotificationBanner {
        NotificationBanner { text: Some(text.into()), banner_type: Some("success".into()), ..Default::default() }
    }

    pub fn important(text: impl Into<String>) -> NotificationBanner {
        NotificationBanner { text: Some(text.into()), ..Default::default() }
    }
}

impl Render for NotificationBanner {
    fn render(&self) -> Markup {
        let success = self.banner_type.as_deref() == Some("success");
        let class =
            classes(&["nhsuk-notification-banner", if success { "nhsuk-notification-banner--success" } else { "" }]);
        let title = self.title.clone().unwrap_or_else(|| Content::text(if success { "Success" } else { "Important" }));
        html! {
            div class=(class) data-module="nhsuk-notification-banner" role=(if success { "alert" } else { "region" })
                aria-labelledby="nhsuk-notification-banner-title" {
                div class="nhsuk-notification-banner__header" {
                    h2 class="nhsuk-notification-banner__title" id="nhsuk-notification-banner-title" { (title.render()) }
                }
                div class="nhsuk-notification-banner__content" {
                    @if let Some(html) = &self.html {
                        (maud::PreEscaped(html))
                    } @else if let Some(text) = &self.text {
                        p class="nhsuk-notification-banner__heading" { (text) }
                    }
                }
            }
        }
    }
}
