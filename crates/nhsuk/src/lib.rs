//! The NHS.UK design system for server-rendered Rust pages.
//!
//! Each component in [`components`] is a typed struct whose fields are the options of the
//! upstream Nunjucks macro of the same name (camelCase names deserialise exactly like the
//! macro's parameters), rendered with maud. [`template::page`] is the upstream page template
//! with its blocks. The compiled CSS, JavaScript and images of the pinned `nhsuk-frontend`
//! npm package are embedded from `vendor/` by [`assets`], so the running service needs no
//! npm.
//!
//! **API boundary:** this crate knows nothing of Commissioner. Its parity tests
//! (`tests/parity.rs`) render the upstream component fixtures (`vendor/fixtures/*.json`) and
//! compare the HTML, so an upgrade of the design system shows every difference.
//!
//! Where we extend a component beyond its upstream options (a hidden CSRF field in the
//! header's sign-out form, say), the extension is named as such on the field.

pub mod assets;
pub mod components;
pub mod content;
pub mod template;
