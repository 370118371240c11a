//! The components, one module each, named as upstream.

pub mod back_link;
pub mod breadcrumb;
pub mod button;
pub mod card;
pub mod checkboxes;
pub mod details;
pub mod error_message;
pub mod error_summary;
pub mod fieldset;
pub mod footer;
pub mod header;
pub mod hint;
pub mod input;
pub mod inset_text;
pub mod label;
pub mod notification_banner;
pub mod select;
pub mod skip_link;
pub mod summary_list;
pub mod table;
pub mod tag;
pub mod textarea;
pub mod warning_callout;
