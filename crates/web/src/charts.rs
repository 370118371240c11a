//! Charts as SVG, each with a text alternative (title and description read as one image)
//! and, beside it on the page, the data as a table and a CSV download.
//!
//! Colours are NHS palette colours with enough contrast on white; no chart relies on colour
//! alone (bars are labelled with their values).

use maud::{Markup, html};

use crate::format::thousands;

const NHS_BLUE: &str = "#005eb8";
const NHS_DARK_BLUE: &str = "#003087";
const NHS_DARK_GREY: &str = "#425563";
const NHS_PALE_GREY: &str = "#d8dde0";

/// A population pyramid: males to the left, females to the right, youngest at the bottom.
pub(crate) fn pyramid(id: &str, title: &str, bands: &[(String, i64, i64)]) -> Markup {
    let width = 640.0;
    let row = 18.0;
    let top = 28.0;
    let height = top + row * bands.len() as f64 + 24.0;
    let centre = width / 2.0;
    let label_gap = 30.0;
    let max = bands.iter().map(|(_, m, f)| (*m).max(*f)).max().unwrap_or(1).max(1) as f64;
    let scale = (centre - label_gap - 60.0) / max;
    let total_male: i64 = bands.iter().map(|(_, m, _)| m).sum();
    let total_female: i64 = bands.iter().map(|(_, _, f)| f).sum();
    let description = format!(
        "{} males and {} females in {} age bands. The largest band is {}.",
        thousands(total_male),
        thousands(total_female),
        bands.len(),
        bands.iter().max_by_key(|(_, m, f)| m + f).map(|(label, _, _)| label.as_str()).unwrap_or("none")
    );
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                text x=(centre - label_gap) y="16" text-anchor="end" font-size="13" fill=(NHS_DARK_GREY) { "Males" }
                text x=(centre + label_gap) y="16" font-size="13" fill=(NHS_DARK_GREY) { "Females" }
                @for (idx, (label, male, female)) in bands.iter().rev().enumerate() {
                    @let y = top + idx as f64 * row;
                    @let male_width = *male as f64 * scale;
                    @let female_width = *female as f64 * scale;
                    rect x=(format!("{:.1}", centre - label_gap - male_width)) y=(y) width=(format!("{male_width:.1}")) height=(row - 3.0) fill=(NHS_DARK_BLUE) {}
                    rect x=(centre + label_gap) y=(y) width=(format!("{female_width:.1}")) height=(row - 3.0) fill=(NHS_BLUE) {}
                    text x=(centre) y=(y + 12.0) text-anchor="middle" font-size="11" fill=(NHS_DARK_GREY) { (label) }
                }
                line x1=(centre - label_gap) x2=(centre - label_gap) y1=(top) y2=(height - 24.0) stroke=(NHS_PALE_GREY) {}
                line x1=(centre + label_gap) x2=(centre + label_gap) y1=(top) y2=(height - 24.0) stroke=(NHS_PALE_GREY) {}
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}

/// A horizontal bar chart with each bar labelled with its value.
pub(crate) fn bars(id: &str, title: &str, items: &[(String, i64)]) -> Markup {
    let width = 640.0;
    let row = 24.0;
    let label_width = 150.0;
    let height = row * items.len() as f64 + 10.0;
    let max = items.iter().map(|(_, v)| *v).max().unwrap_or(1).max(1) as f64;
    let scale = (width - label_width - 90.0) / max;
    let description =
        items.iter().map(|(label, value)| format!("{label}: {}", thousands(*value))).collect::<Vec<_>>().join("; ");
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                @for (idx, (label, value)) in items.iter().enumerate() {
                    @let y = 5.0 + idx as f64 * row;
                    @let bar = *value as f64 * scale;
                    text x=(label_width - 8.0) y=(y + 15.0) text-anchor="end" font-size="12" fill=(NHS_DARK_GREY) { (label) }
                    rect x=(label_width) y=(y) width=(format!("{bar:.1}")) height=(row - 6.0) fill=(NHS_BLUE) {}
                    text x=(format!("{:.1}", label_width + bar + 6.0)) y=(y + 14.0) font-size="12" fill=(NHS_DARK_GREY) { (thousands(*value)) }
                }
            }
            figcaption class="nhsuk-body-s" { (title) }
        }
    }
}

/// Monthly actual (bars) against plan (a line with points), April first. Months without an
/// actual yet have no bar.
pub(crate) fn plan_vs_actual(
    id: &str,
    title: &str,
    labels: &[String],
    plan: &[i64],
    actual: &[Option<i64>],
    unit: &dyn Fn(i64) -> String,
) -> Markup {
    let width = 640.0;
    let height = 260.0;
    let (left, bottom, top) = (70.0, 40.0, 20.0);
    let max = plan.iter().copied().chain(actual.iter().flatten().copied()).max().unwrap_or(1).max(1) as f64 * 1.1;
    let step = (width - left - 10.0) / labels.len().max(1) as f64;
    let y = |v: i64| top + (height - top - bottom) * (1.0 - v as f64 / max);
    let description = labels
        .iter()
        .zip(plan.iter().zip(actual))
        .map(|(label, (p, a))| {
            format!("{label}: plan {}, actual {}", unit(*p), a.map(unit).unwrap_or_else(|| "not yet submitted".into()))
        })
        .collect::<Vec<_>>()
        .join("; ");
    let plan_points: String = plan
        .iter()
        .enumerate()
        .map(|(i, v)| format!("{:.1},{:.1}", left + step * (i as f64 + 0.5), y(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                line x1=(left) x2=(width - 10.0) y1=(height - bottom) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                text x=(left - 6.0) y=(top + 4.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (unit(max as i64)) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { "0" }
                @for (i, label) in labels.iter().enumerate() {
                    @let x = left + step * i as f64;
                    @if let Some(Some(value)) = actual.get(i) {
                        rect x=(format!("{:.1}", x + step * 0.15)) y=(format!("{:.1}", y(*value))) width=(format!("{:.1}", step * 0.7))
                            height=(format!("{:.1}", (height - bottom - y(*value)).max(0.0))) fill=(NHS_BLUE) {}
                    }
                    text x=(format!("{:.1}", x + step * 0.5)) y=(height - bottom + 16.0) text-anchor="middle" font-size="11" fill=(NHS_DARK_GREY) { (label) }
                }
                polyline points=(plan_points) fill="none" stroke=(NHS_DARK_BLUE) stroke-width="2" stroke-dasharray="6 4" {}
                text x=(left) y=(height - 6.0) font-size="11" fill=(NHS_DARK_GREY) { "Bars: actual. Dashed line: plan." }
            }
            figcaption class="nhsuk-body-s" { (title) }
        }
    }
}

/// Cumulative actual to date, cumulative plan, and the range of year-end forecasts as a fan
/// from the last actual month to March.
pub(crate) fn forecast_fan(
    id: &str,
    title: &str,
    cumulative_actual: &[i64],
    cumulative_plan: &[i64; 12],
    low: i64,
    high: i64,
    unit: &dyn Fn(i64) -> String,
) -> Markup {
    let width = 640.0;
    let height = 260.0;
    let (left, bottom, top) = (70.0, 40.0, 20.0);
    let max = cumulative_plan
        .iter()
        .copied()
        .chain([high])
        .chain(cumulative_actual.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1) as f64
        * 1.05;
    let step = (width - left - 10.0) / 12.0;
    let x = |i: usize| left + step * (i as f64 + 0.5);
    let y = |v: i64| top + (height - top - bottom) * (1.0 - v as f64 / max);
    let points = |values: &[i64]| {
        values.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ")
    };
    let elapsed = cumulative_actual.len();
    let description = format!(
        "{} to date after {elapsed} months; year-end forecasts from {} to {}; plan for the year {}.",
        unit(cumulative_actual.last().copied().unwrap_or(0)),
        unit(low),
        unit(high),
        unit(cumulative_plan[11])
    );
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                line x1=(left) x2=(width - 10.0) y1=(height - bottom) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                text x=(left - 6.0) y=(top + 4.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (unit(max as i64)) }
                @if elapsed > 0 && elapsed < 12 {
                    @let last = cumulative_actual[elapsed - 1];
                    polygon points=(format!("{:.1},{:.1} {:.1},{:.1} {:.1},{:.1}", x(elapsed - 1), y(last), x(11), y(high), x(11), y(low))) fill=(NHS_PALE_GREY) {}
                }
                polyline points=(points(cumulative_plan)) fill="none" stroke=(NHS_DARK_BLUE) stroke-width="2" stroke-dasharray="6 4" {}
                polyline points=(points(cumulative_actual)) fill="none" stroke=(NHS_BLUE) stroke-width="3" {}
                text x=(left) y=(height - 6.0) font-size="11" fill=(NHS_DARK_GREY) { "Solid: actual to date. Dashed: plan. Shaded: range of forecasts." }
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}
