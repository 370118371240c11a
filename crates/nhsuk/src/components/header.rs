//! Header: the NHS logo, the service name, account links and the main navigation.

use maud::{Markup, PreEscaped, Render, html};
use serde::Deserialize;

use crate::content::classes;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Header {
    pub logo: HeaderLogo,
    pub service: Option<HeaderService>,
    pub account: Option<HeaderAccount>,
    pub navigation: Option<HeaderNavigation>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderLogo {
    pub href: Option<String>,
    pub aria_label: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderService {
    pub text: String,
    pub href: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderAccount {
    #[serde(deserialize_with = "crate::content::optional_items")]
    pub items: Vec<Option<AccountItem>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AccountItem {
    pub text: String,
    pub href: Option<String>,
    /// A form action: the item becomes a button that posts to it (sign out).
    pub action: Option<String>,
    pub icon: bool,
    /// Our extension: hidden fields for the item's form (a CSRF token).
    #[serde(skip)]
    pub hidden_fields: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct HeaderNavigation {
    #[serde(deserialize_with = "crate::content::optional_items")]
    pub items: Vec<Option<NavigationItem>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NavigationItem {
    pub href: Option<String>,
    pub text: String,
    /// A section of the site the current page is in.
    pub active: bool,
    /// The current page itself.
    pub current: bool,
}

const LOGO_PATH: &str = "M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32h-20l5-24.5Z";
const USER_ICON_PATH: &str = "M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4 0 0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z";

fn logo() -> Markup {
    html! {
        svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80" height="40" width="100" focusable="false" role="img" aria-label="NHS" {
            title { "NHS" }
            (PreEscaped(format!(r#"<path fill="currentcolor" d="{LOGO_PATH}"/>"#)))
        }
    }
}

fn user_icon() -> Markup {
    html! {
        svg class="nhsuk-icon nhsuk-icon--user" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true" {
            (PreEscaped(format!(r#"<path d="{USER_ICON_PATH}"/>"#)))
        }
    }
}

impl Render for Header {
    fn render(&self) -> Markup {
        let service_text = self.service.as_ref().map(|s| s.text.as_str()).filter(|t| !t.is_empty());
        let service_href = self.service.as_ref().and_then(|s| s.href.as_deref());
        let combine = service_text.is_some()
            && ((service_href.is_some() && self.logo.href.is_none())
                || (service_href.is_some() && service_href == self.logo.href.as_deref()));
        let logo_href = if combine { service_href } else { self.logo.href.as_deref() };
        let aria_label = self.logo.aria_label.clone().unwrap_or_else(|| {
            let mut parts = vec!["NHS"];
            if combine {
                parts.extend(service_text);
            }
            parts.push("homepage");
            parts.join(" ")
        });
        html! {
            header class="nhsuk-header" data-module="nhsuk-header" role="banner" {
                div class="nhsuk-header__container nhsuk-width-container" {
                    div class="nhsuk-header__service" {
                        @if let Some(href) = logo_href {
                            a class="nhsuk-header__service-logo" href=(href) aria-label=(aria_label) {
                                (logo())
                                @if combine {
                                    span class="nhsuk-header__service-name" { (service_text.unwrap_or("")) }
                                }
                            }
                        } @else {
                            (logo())
                            @if combine {
                                span class="nhsuk-header__service-name" { (service_text.unwrap_or("")) }
                            }
                        }
                        @if let (Some(text), false) = (service_text, combine) {
                            @if let Some(href) = service_href {
                                a class="nhsuk-header__service-name" href=(href) { (text) }
                            } @else {
                                span class="nhsuk-header__service-name" { (text) }
                            }
                        }
                    }
                    @if let Some(account) = &self.account {
                        nav class="nhsuk-header__account" aria-label="Account" {
                            ul class="nhsuk-header__account-list" {
                                @for item in account.items.iter().flatten() {
                                    li class="nhsuk-header__account-item" {
                                        @if let Some(href) = &item.href {
                                            a class="nhsuk-header__account-link" href=(href) {
                                                @if item.icon { (user_icon()) }
                                                (item.text)
                                            }
                                        } @else if let Some(action) = &item.action {
                                            form class="nhsuk-header__account-form" action=(action) method="post" novalidate {
                                                @for (name, value) in &item.hidden_fields {
                                                    input type="hidden" name=(name) value=(value);
                                                }
                                                button class="nhsuk-header__account-button" {
                                                    @if item.icon { (user_icon()) }
                                                    (item.text)
                                                }
                                            }
                                        } @else {
                                            @if item.icon { (user_icon()) }
                                            (item.text)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if let Some(navigation) = self.navigation.as_ref().filter(|n| !n.items.is_empty()) {
                    nav class="nhsuk-header__navigation" aria-label="Menu" {
                        div class="nhsuk-header__navigation-container nhsuk-width-container" {
                            ul class="nhsuk-header__navigation-list" {
                                @for item in navigation.items.iter().flatten() {
                                    @let highlighted = item.active || item.current;
                                    @let item_class = classes(&["nhsuk-header__navigation-item", if highlighted { "nhsuk-header__navigation-item--current" } else { "" }]);
                                    @let aria_current = highlighted.then_some(if item.current { "page" } else { "true" });
                                    @let inner = html! {
                                        @if highlighted {
                                            strong class="nhsuk-header__navigation-item-current-fallback" { (item.text) }
                                        } @else {
                                            (item.text)
                                        }
                                    };
                                    li class=(item_class) {
                                        @if let Some(href) = &item.href {
                                            a class="nhsuk-header__navigation-link" href=(href) aria-current=[aria_current] { (inner) }
                                        } @else {
                                            span class="nhsuk-header__navigation-text" aria-current=[aria_current] { (inner) }
                                        }
                                    }
                                }
                                li class="nhsuk-header__menu" hidden {
                                    button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link" id="toggle-menu" aria-expanded="false" {
                                        span class="nhsuk-u-visually-hidden" { "Browse " } "More"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
