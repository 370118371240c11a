//! Parity with the upstream design system: each case renders an upstream fixture's context
//! (from `vendor/fixtures/<component>.json`, shipped with `nhsuk-frontend`) with our
//! component and compares the HTML with the fixture's own, ignoring only whitespace between
//! tags and the escaping of apostrophes.

use maud::Render;
use serde::de::DeserializeOwned;

use nhsuk::components::back_link::BackLink;
use nhsuk::components::breadcrumb::Breadcrumb;
use nhsuk::components::button::Button;
use nhsuk::components::card::Card;
use nhsuk::components::checkboxes::Checkboxes;
use nhsuk::components::details::Details;
use nhsuk::components::error_message::ErrorMessage;
use nhsuk::components::error_summary::ErrorSummary;
use nhsuk::components::fieldset::Fieldset;
use nhsuk::components::footer::Footer;
use nhsuk::components::header::Header;
use nhsuk::components::hint::Hint;
use nhsuk::components::input::Input;
use nhsuk::components::inset_text::InsetText;
use nhsuk::components::label::Label;
use nhsuk::components::notification_banner::NotificationBanner;
use nhsuk::components::select::Select;
use nhsuk::components::skip_link::SkipLink;
use nhsuk::components::summary_list::SummaryList;
use nhsuk::components::table::Table;
use nhsuk::components::tag::Tag;
use nhsuk::components::textarea::Textarea;
use nhsuk::components::warning_callout::WarningCallout;

/// Renders fixture `name` of `component` with `T` and compares it with upstream.
fn check<T: DeserializeOwned + Render>(component: &str, name: &str) {
    let path = format!("{}/vendor/fixtures/{component}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fixtures: serde_json::Value = serde_json::from_str(&text).unwrap();
    let fixture = fixtures["fixtures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == name)
        .unwrap_or_else(|| panic!("{component} has no fixture named {name:?}"));
    let params: T =
        serde_json::from_value(fixture["context"].clone()).unwrap_or_else(|e| panic!("{component}/{name}: {e}"));
    let ours = normalise(&params.render().into_string());
    let upstream = normalise(fixture["html"].as_str().unwrap());
    assert_eq!(ours, upstream, "\n{component} / {name}\nours:     {ours}\nupstream: {upstream}\n");
}

fn normalise(html: &str) -> String {
    let unescaped = html.replace("&#39;", "'").replace("&#x27;", "'");
    let mut collapsed = String::with_capacity(unescaped.len());
    let mut in_space = false;
    for ch in unescaped.chars() {
        if ch.is_whitespace() {
            in_space = true;
        } else {
            if in_space && !collapsed.is_empty() {
                collapsed.push(' ');
            }
            in_space = false;
            collapsed.push(ch);
        }
    }
    collapsed.replace("> ", ">").replace(" <", "<")
}

macro_rules! parity {
    ($($test:ident: $ty:ty, $component:literal, [$($name:literal),+ $(,)?];)+) => {
        $(
            #[test]
            fn $test() {
                $(check::<$ty>($component, $name);)+
            }
        )+
    };
}

parity! {
    back_link: BackLink, "back-link", ["default"];
    breadcrumb: Breadcrumb, "breadcrumb", ["default"];
    button: Button, "button", ["default", "secondary", "disabled"];
    card: Card, "card", ["basic with heading link", "clickable"];
    checkboxes: Checkboxes, "checkboxes", ["default"];
    details: Details, "details", ["default"];
    error_message: ErrorMessage, "error-message", ["default"];
    error_summary: ErrorSummary, "error-summary", ["default", "with multiple errors", "with multiple errors (empty items)", "with heading as string"];
    fieldset: Fieldset, "fieldset", ["default"];
    footer: Footer, "footer", ["default"];
    header: Header, "header", ["with service name", "with account (logged in)", "with navigation"];
    hint: Hint, "hint", ["default"];
    input: Input, "input", ["default", "with error message"];
    inset_text: InsetText, "inset-text", ["default"];
    label: Label, "label", ["default"];
    notification_banner: NotificationBanner, "notification-banner", ["default"];
    select: Select, "select", ["default"];
    skip_link: SkipLink, "skip-link", ["default"];
    summary_list: SummaryList, "summary-list", ["default", "with actions"];
    table: Table, "tables", ["default"];
    tag: Tag, "tag", ["default"];
    textarea: Textarea, "textarea", ["default"];
    warning_callout: WarningCallout, "warning-callout", ["default"];
}
