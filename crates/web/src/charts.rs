//! Charts as SVG, each with a text alternative (title and description read as one image)
//! and, beside it on the page, the data as a table and a CSV download.
//!
//! Colours are NHS palette colours with enough contrast on white; no chart relies on colour
//! alone (bars are labelled with their values).

use maud::{Markup, html};

use commissioning::plan::needs::Significance;

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

/// The colour Fingertips uses for a comparison with the benchmark: green better, red worse,
/// amber similar, blues for higher and lower where neither is better, grey not compared.
pub(crate) fn significance_colour(significance: Significance) -> &'static str {
    match significance {
        Significance::Better => NHS_GREEN,
        Significance::Worse => NHS_RED,
        Significance::Similar => NHS_WARM_YELLOW,
        Significance::Higher => NHS_DARK_BLUE,
        Significance::Lower => NHS_LIGHT_BLUE,
        Significance::NotCompared => NHS_PALE_GREY,
    }
}

const NHS_GREEN: &str = "#007f3b";
const NHS_RED: &str = "#d5281b";
const NHS_WARM_YELLOW: &str = "#ffb81c";
const NHS_LIGHT_BLUE: &str = "#41b6e6";
const NHS_MID_GREY: &str = "#768692";

/// The spread of the places' values, for a spine chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spread {
    pub(crate) min: f64,
    pub(crate) q1: f64,
    pub(crate) q3: f64,
    pub(crate) max: f64,
}

impl Spread {
    /// Minimum, quartiles (type 7, as R's default) and maximum; `None` when empty.
    pub(crate) fn of(values: &[f64]) -> Option<Spread> {
        let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
        if sorted.is_empty() {
            return None;
        }
        sorted.sort_by(f64::total_cmp);
        let quantile = |p: f64| {
            let h = (sorted.len() - 1) as f64 * p;
            let (low, high) = (h.floor() as usize, h.ceil() as usize);
            sorted[low] + (h - h.floor()) * (sorted[high] - sorted[low])
        };
        Some(Spread { min: sorted[0], q1: quantile(0.25), q3: quantile(0.75), max: sorted[sorted.len() - 1] })
    }
}

/// A spine chart row: the benchmark in the middle, the range of the places (light) and
/// their middle half (darker), and the area's value as a dot coloured by its comparison.
pub(crate) fn spine(
    id: &str,
    label: &str,
    benchmark: f64,
    spread: Spread,
    value: f64,
    significance: Significance,
    format: &dyn Fn(f64) -> String,
) -> Markup {
    let (width, height) = (240.0, 26.0);
    let centre = width / 2.0;
    let reach = [spread.min, spread.max, value].iter().map(|v| (v - benchmark).abs()).fold(0.0, f64::max);
    let scale = if reach > 0.0 { (centre - 8.0) / reach } else { 0.0 };
    let x = |v: f64| centre + (v - benchmark) * scale;
    let description = format!(
        "{}: {} ({}); benchmark {}; places range from {} to {}, middle half {} to {}.",
        label,
        format(value),
        significance.label(),
        format(benchmark),
        format(spread.min),
        format(spread.max),
        format(spread.q1),
        format(spread.q3)
    );
    html! {
        svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
            aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-spine" {
            title id=(format!("{id}-title")) { (label) }
            desc id=(format!("{id}-desc")) { (description) }
            rect x=(format!("{:.1}", x(spread.min))) y="6" width=(format!("{:.1}", (x(spread.max) - x(spread.min)).max(1.0))) height="14" fill=(NHS_PALE_GREY) {}
            rect x=(format!("{:.1}", x(spread.q1))) y="6" width=(format!("{:.1}", (x(spread.q3) - x(spread.q1)).max(1.0))) height="14" fill=(NHS_MID_GREY) {}
            line x1=(centre) x2=(centre) y1="2" y2="24" stroke="#212b32" stroke-width="2" {}
            circle cx=(format!("{:.1}", x(value))) cy="13" r="6" fill=(significance_colour(significance)) stroke="#212b32" stroke-width="1" {}
        }
    }
}

/// One bar of an interval chart.
#[derive(Debug, Clone)]
pub(crate) struct Interval {
    pub(crate) label: String,
    pub(crate) value: f64,
    pub(crate) lower: Option<f64>,
    pub(crate) upper: Option<f64>,
    pub(crate) significance: Significance,
}

/// Horizontal bars with 95% limits as whiskers, coloured by comparison with the benchmark
/// (a dashed line), each labelled with its value.
pub(crate) fn interval_bars(
    id: &str,
    title: &str,
    items: &[Interval],
    benchmark: Option<f64>,
    format: &dyn Fn(f64) -> String,
) -> Markup {
    let width = 640.0;
    let row = 20.0;
    let label_width = 190.0;
    let top = 6.0;
    let height = top + row * items.len() as f64 + 22.0;
    let max = items
        .iter()
        .map(|item| item.upper.unwrap_or(item.value).max(item.value))
        .chain(benchmark)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let scale = (width - label_width - 70.0) / max;
    let x = |v: f64| label_width + v.max(0.0) * scale;
    let description = items
        .iter()
        .map(|item| format!("{}: {} ({})", item.label, format(item.value), item.significance.label()))
        .collect::<Vec<_>>()
        .join("; ");
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                @for (idx, item) in items.iter().enumerate() {
                    @let y = top + idx as f64 * row;
                    text x=(label_width - 6.0) y=(y + 13.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (truncate(&item.label, 30)) }
                    rect x=(label_width) y=(y + 2.0) width=(format!("{:.1}", x(item.value) - label_width)) height=(row - 6.0) fill=(significance_colour(item.significance)) {}
                    @if let (Some(lower), Some(upper)) = (item.lower.or(Some(0.0)), item.upper) {
                        line x1=(format!("{:.1}", x(lower))) x2=(format!("{:.1}", x(upper))) y1=(y + 9.0) y2=(y + 9.0) stroke="#212b32" stroke-width="1.5" {}
                        line x1=(format!("{:.1}", x(lower))) x2=(format!("{:.1}", x(lower))) y1=(y + 5.0) y2=(y + 13.0) stroke="#212b32" {}
                        line x1=(format!("{:.1}", x(upper))) x2=(format!("{:.1}", x(upper))) y1=(y + 5.0) y2=(y + 13.0) stroke="#212b32" {}
                    }
                    text x=(format!("{:.1}", x(item.upper.unwrap_or(item.value).max(item.value)) + 4.0)) y=(y + 13.0) font-size="11" fill=(NHS_DARK_GREY) { (format(item.value)) }
                }
                @if let Some(benchmark) = benchmark {
                    line x1=(format!("{:.1}", x(benchmark))) x2=(format!("{:.1}", x(benchmark))) y1=(top) y2=(height - 20.0) stroke="#212b32" stroke-width="1.5" stroke-dasharray="5 3" {}
                }
                text x=(label_width) y=(height - 5.0) font-size="11" fill=(NHS_DARK_GREY) { "Bars: value, coloured by comparison. Whiskers: 95% limits. Dashed line: benchmark." }
            }
            figcaption class="nhsuk-body-s" { (title) }
        }
    }
}

/// One place on a funnel plot.
#[derive(Debug, Clone)]
pub(crate) struct FunnelPoint {
    pub(crate) label: String,
    pub(crate) denominator: f64,
    pub(crate) value: f64,
    pub(crate) significance: Significance,
}

/// A funnel plot: each place's value against its denominator, with the 95% (dashed) and
/// 99.8% (solid) control limits around the benchmark line.
pub(crate) fn funnel(
    id: &str,
    title: &str,
    points: &[FunnelPoint],
    limits: &[commissioning::methods::funnel::FunnelRow],
    baseline: Option<f64>,
    format: &dyn Fn(f64) -> String,
) -> Markup {
    let (width, height) = (640.0, 320.0);
    let (left, bottom, top, right) = (70.0, 40.0, 14.0, 14.0);
    let max_x = points.iter().map(|p| p.denominator).chain(limits.iter().map(|l| l.axis)).fold(0.0, f64::max).max(1.0);
    let values = points.iter().map(|p| p.value).chain(baseline);
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !low.is_finite() {
        (low, high) = (0.0, 1.0);
    }
    let pad = ((high - low) * 0.25).max(high.abs() * 0.02).max(1e-9);
    let (low, high) = ((low - pad).max(0.0), high + pad);
    let x = |v: f64| left + (width - left - right) * (v / max_x);
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v.clamp(low, high) - low) / (high - low));
    let line = |idx: usize| {
        limits
            .iter()
            .filter(|row| row.limits[idx].is_finite())
            .map(|row| format!("{:.1},{:.1}", x(row.axis), y(row.limits[idx])))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let outside = points.iter().filter(|p| !matches!(p.significance, Significance::Similar)).count();
    let description = format!(
        "{} places; {} differ significantly from the benchmark {} at 95%. Values range from {} to {}.",
        points.len(),
        outside,
        baseline.map(format).unwrap_or_else(|| "–".into()),
        format(points.iter().map(|p| p.value).fold(f64::INFINITY, f64::min)),
        format(points.iter().map(|p| p.value).fold(f64::NEG_INFINITY, f64::max))
    );
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                line x1=(left) x2=(width - right) y1=(height - bottom) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                line x1=(left) x2=(left) y1=(top) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                text x=(left - 6.0) y=(top + 8.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format(high)) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format(low)) }
                text x=(width - right) y=(height - bottom + 16.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (thousands(max_x as i64)) }
                text x=(left) y=(height - bottom + 16.0) font-size="11" fill=(NHS_DARK_GREY) { "0" }
                @if let Some(baseline) = baseline {
                    line x1=(left) x2=(width - right) y1=(format!("{:.1}", y(baseline))) y2=(format!("{:.1}", y(baseline))) stroke="#212b32" stroke-width="1.5" {}
                }
                @for idx in [0, 1] {
                    polyline points=(line(idx)) fill="none" stroke=(NHS_DARK_BLUE) stroke-width="1.2" stroke-dasharray="5 3" {}
                }
                @for idx in [2, 3] {
                    polyline points=(line(idx)) fill="none" stroke=(NHS_DARK_BLUE) stroke-width="1.2" {}
                }
                @for point in points {
                    circle cx=(format!("{:.1}", x(point.denominator))) cy=(format!("{:.1}", y(point.value))) r="4"
                        fill=(significance_colour(point.significance)) stroke="#212b32" stroke-width="0.8" {
                        title { (point.label) ": " (format(point.value)) }
                    }
                }
                text x=(left) y=(height - 6.0) font-size="11" fill=(NHS_DARK_GREY) { "Across: denominator. Up: value. Dashed: 95% limits; solid: 99.8% limits." }
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}

/// The indicator in each IMD decile (1 most deprived, on the left) with 95% limits.
pub(crate) fn deciles(
    id: &str,
    title: &str,
    items: &[(u8, f64, Option<f64>, Option<f64>)],
    format: &dyn Fn(f64) -> String,
) -> Markup {
    let (width, height) = (640.0, 260.0);
    let (left, bottom, top) = (70.0, 40.0, 14.0);
    let max = items.iter().map(|(_, v, _, u)| u.unwrap_or(*v).max(*v)).fold(0.0, f64::max).max(f64::MIN_POSITIVE) * 1.1;
    let step = (width - left - 10.0) / items.len().max(1) as f64;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v.max(0.0) / max);
    let description =
        items.iter().map(|(d, v, _, _)| format!("decile {d}: {}", format(*v))).collect::<Vec<_>>().join("; ");
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                line x1=(left) x2=(width - 10.0) y1=(height - bottom) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                text x=(left - 6.0) y=(top + 8.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format(max)) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { "0" }
                @for (idx, (decile, value, lower, upper)) in items.iter().enumerate() {
                    @let x = left + step * idx as f64;
                    rect x=(format!("{:.1}", x + step * 0.15)) y=(format!("{:.1}", y(*value))) width=(format!("{:.1}", step * 0.7))
                        height=(format!("{:.1}", (height - bottom - y(*value)).max(0.0))) fill=(NHS_BLUE) {}
                    @if let (Some(lower), Some(upper)) = (lower, upper) {
                        line x1=(format!("{:.1}", x + step * 0.5)) x2=(format!("{:.1}", x + step * 0.5)) y1=(format!("{:.1}", y(*lower))) y2=(format!("{:.1}", y(*upper))) stroke="#212b32" stroke-width="1.5" {}
                    }
                    text x=(format!("{:.1}", x + step * 0.5)) y=(height - bottom + 16.0) text-anchor="middle" font-size="11" fill=(NHS_DARK_GREY) { (decile) }
                }
                text x=(left) y=(height - 6.0) font-size="11" fill=(NHS_DARK_GREY) { "IMD 2019 decile: 1 most deprived, 10 least. Lines: 95% limits." }
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max - 1).collect::<String>())
    }
}

/// The NHS "Making Data Count" colours: orange concern, blue improvement, purple neutral,
/// grey common cause.
pub(crate) fn point_colour(point: commissioning::methods::spc::PointType) -> &'static str {
    use commissioning::methods::spc::PointType;
    match point {
        PointType::CommonCause => "#768692",
        PointType::SpecialCauseImprovement => "#005eb8",
        PointType::SpecialCauseConcern => "#ed8b00",
        PointType::SpecialCauseNeutralHigh | PointType::SpecialCauseNeutralLow => "#330072",
    }
}

/// An XmR (SPC) chart: values with the mean and process limits of each rebase group, the
/// target as a dashed line, points coloured by their type (and shaped too: special cause
/// points are larger), so no reading depends on colour alone. `compact` draws a small
/// multiple without axis text.
pub(crate) fn spc_chart(
    id: &str,
    title: &str,
    chart: &commissioning::methods::spc::Spc,
    target: Option<f64>,
    unit: &str,
    compact: bool,
) -> Markup {
    use commissioning::methods::spc::PointType;
    let (width, height) = if compact { (300.0, 120.0) } else { (640.0, 280.0) };
    let (left, right, top, bottom) = if compact { (8.0, 8.0, 8.0, 8.0) } else { (56.0, 12.0, 16.0, 40.0) };
    let values = chart.y.iter().chain(&chart.lpl).chain(&chart.upl).chain(target.iter()).copied();
    let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad = ((high - low) * 0.08).max(0.5);
    low -= pad;
    high += pad;
    let n = chart.y.len().max(2);
    let step = (width - left - right) / (n - 1) as f64;
    let x = |i: usize| left + step * i as f64;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v - low) / (high - low));
    let groups: Vec<(usize, usize)> = {
        let mut spans = Vec::new();
        let mut start = 0;
        for i in 1..=chart.y.len() {
            if i == chart.y.len() || chart.rebase_group[i] != chart.rebase_group[start] {
                spans.push((start, i - 1));
                start = i;
            }
        }
        spans
    };
    let path: String =
        chart.y.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ");
    let last = chart.y.len() - 1;
    let special = chart.point_type.iter().filter(|p| **p != PointType::CommonCause).count();
    let description = format!(
        "{} points from {} to {}; latest {:.1}{unit}; mean {:.1}{unit}, process limits {:.1}{unit} to {:.1}{unit}; {special} points show special cause. {}{}",
        chart.y.len(),
        chart.x[0],
        chart.x[last],
        chart.y[last],
        chart.mean[last],
        chart.lpl[last],
        chart.upl[last],
        chart.variation_type.label(),
        chart.assurance_type.map(|a| format!("; {}", a.label().to_lowercase())).unwrap_or_default(),
    );
    html! {
        figure class={ "app-chart" @if compact { " app-chart--compact" } } {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                @for (start, end) in &groups {
                    @let (x1, x2) = (x(*start), x(*end));
                    line x1=(format!("{x1:.1}")) x2=(format!("{x2:.1}")) y1=(format!("{:.1}", y(chart.mean[*start]))) y2=(format!("{:.1}", y(chart.mean[*start]))) stroke=(NHS_DARK_GREY) stroke-width="1.5" {}
                    line x1=(format!("{x1:.1}")) x2=(format!("{x2:.1}")) y1=(format!("{:.1}", y(chart.upl[*start]))) y2=(format!("{:.1}", y(chart.upl[*start]))) stroke=(NHS_DARK_GREY) stroke-dasharray="2 3" {}
                    line x1=(format!("{x1:.1}")) x2=(format!("{x2:.1}")) y1=(format!("{:.1}", y(chart.lpl[*start]))) y2=(format!("{:.1}", y(chart.lpl[*start]))) stroke=(NHS_DARK_GREY) stroke-dasharray="2 3" {}
                }
                @if let Some(target) = target {
                    line x1=(left) x2=(width - right) y1=(format!("{:.1}", y(target))) y2=(format!("{:.1}", y(target))) stroke="#da291c" stroke-width="1.5" stroke-dasharray="8 4" {}
                }
                polyline points=(path) fill="none" stroke=(NHS_PALE_GREY) stroke-width="2" {}
                @for (i, value) in chart.y.iter().enumerate() {
                    @let point = chart.point_type[i];
                    circle cx=(format!("{:.1}", x(i))) cy=(format!("{:.1}", y(*value))) r=(if point == PointType::CommonCause { if compact { 2.0 } else { 3.0 } } else if compact { 3.5 } else { 5.0 }) fill=(point_colour(point)) {}
                }
                @if !compact {
                    text x=(left - 6.0) y=(format!("{:.1}", y(high) + 10.0)) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format!("{high:.0}{unit}")) }
                    text x=(left - 6.0) y=(format!("{:.1}", y(low))) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format!("{low:.0}{unit}")) }
                    text x=(left) y=(height - 22.0) font-size="11" fill=(NHS_DARK_GREY) { (chart.x[0].format("%b %Y").to_string()) }
                    text x=(width - right) y=(height - 22.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (chart.x[last].format("%b %Y").to_string()) }
                    text x=(left) y=(height - 6.0) font-size="11" fill=(NHS_DARK_GREY) { "Grey line: mean. Dotted: process limits. Red dashes: target. Large dots: special cause." }
                }
            }
            @if !compact { figcaption class="nhsuk-body-s" { (title) ". " (description) } }
        }
    }
}

/// A fan chart of a simulated waiting list by week: the 5th–95th and 25th–75th percentiles
/// of replications as bands, the median as a line, and an optional target as a dashed line.
/// `weeks` holds (week, [p5, p10, p25, p50, p75, p90, p95]).
pub(crate) fn queue_fan(id: &str, title: &str, weeks: &[(u32, Vec<f64>)], target: Option<f64>) -> Markup {
    let width = 640.0;
    let height = 260.0;
    let (left, bottom, top, right) = (60.0, 36.0, 16.0, 10.0);
    let max = weeks.iter().flat_map(|(_, p)| p.last().copied()).chain(target).fold(1.0f64, f64::max) * 1.05;
    let n = weeks.len().max(2) as f64;
    let x = |i: usize| left + (width - left - right) * i as f64 / (n - 1.0);
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v / max);
    let band = |lo: usize, hi: usize| {
        let upper = weeks.iter().enumerate().map(|(i, (_, p))| format!("{:.1},{:.1}", x(i), y(p[hi])));
        let lower = weeks.iter().enumerate().rev().map(|(i, (_, p))| format!("{:.1},{:.1}", x(i), y(p[lo])));
        upper.chain(lower).collect::<Vec<_>>().join(" ")
    };
    let median =
        weeks.iter().enumerate().map(|(i, (_, p))| format!("{:.1},{:.1}", x(i), y(p[3]))).collect::<Vec<_>>().join(" ");
    let last = weeks.last();
    let description = match last {
        Some((week, p)) => format!(
            "At week {week} the median waiting list is {}, with 90% of simulations between {} and {}.",
            thousands(p[3].round() as i64),
            thousands(p[0].round() as i64),
            thousands(p[6].round() as i64)
        ),
        None => "No weeks simulated.".to_owned(),
    };
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                @if weeks.len() >= 2 {
                    polygon points=(band(0, 6)) fill=(NHS_PALE_GREY) {}
                    polygon points=(band(2, 4)) fill="#aeb7bd" {}
                    polyline points=(median) fill="none" stroke=(NHS_DARK_BLUE) stroke-width="2.5" {}
                }
                @if let Some(target) = target {
                    line x1=(left) x2=(width - right) y1=(format!("{:.1}", y(target))) y2=(format!("{:.1}", y(target)))
                        stroke=(NHS_BLUE) stroke-width="1.5" stroke-dasharray="6 4" {}
                }
                line x1=(left) x2=(width - right) y1=(height - bottom) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                text x=(left - 6.0) y=(top + 4.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (thousands(max as i64)) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { "0" }
                text x=(left) y=(height - bottom + 14.0) font-size="11" fill=(NHS_DARK_GREY) { "Week 1" }
                @if let Some((week, _)) = last {
                    text x=(width - right) y=(height - bottom + 14.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { "Week " (week) }
                }
                text x=(left) y=(height - 4.0) font-size="11" fill=(NHS_DARK_GREY) { "Line: median. Dark band: middle half. Light band: 90% of simulations. Dashed: target queue." }
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}

/// A monthly series and its forecast: the history as a line, the forecast mean dashed, with
/// 80% and 95% prediction intervals as bands.
pub(crate) fn demand_fan(id: &str, title: &str, history: &[f64], forecast: &[(f64, f64, f64, f64, f64)]) -> Markup {
    let width = 640.0;
    let height = 260.0;
    let (left, bottom, top, right) = (80.0, 36.0, 16.0, 10.0);
    let all = history.iter().copied().chain(forecast.iter().map(|f| f.4));
    let max = all.clone().fold(1.0f64, f64::max) * 1.05;
    let min = history.iter().copied().chain(forecast.iter().map(|f| f.1)).fold(f64::INFINITY, f64::min).min(max) * 0.95;
    let n = (history.len() + forecast.len()).max(2) as f64;
    let x = |i: usize| left + (width - left - right) * i as f64 / (n - 1.0);
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v - min) / (max - min).max(1.0));
    let start = history.len().saturating_sub(1);
    let band = |lo: fn(&(f64, f64, f64, f64, f64)) -> f64, hi: fn(&(f64, f64, f64, f64, f64)) -> f64| {
        let upper = forecast.iter().enumerate().map(|(i, f)| format!("{:.1},{:.1}", x(start + 1 + i), y(hi(f))));
        let lower = forecast.iter().enumerate().rev().map(|(i, f)| format!("{:.1},{:.1}", x(start + 1 + i), y(lo(f))));
        upper.chain(lower).collect::<Vec<_>>().join(" ")
    };
    let line =
        history.iter().enumerate().map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v))).collect::<Vec<_>>().join(" ");
    let mean = forecast
        .iter()
        .enumerate()
        .map(|(i, f)| format!("{:.1},{:.1}", x(start + 1 + i), y(f.0)))
        .collect::<Vec<_>>()
        .join(" ");
    let description = match forecast.last() {
        Some(f) => format!(
            "{} months of history; in {} months the forecast is {} (95% interval {} to {}).",
            history.len(),
            forecast.len(),
            thousands(f.0.round() as i64),
            thousands(f.3.round() as i64),
            thousands(f.4.round() as i64)
        ),
        None => format!("{} months of history.", history.len()),
    };
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                @if !forecast.is_empty() {
                    polygon points=(band(|f| f.3, |f| f.4)) fill=(NHS_PALE_GREY) {}
                    polygon points=(band(|f| f.1, |f| f.2)) fill="#aeb7bd" {}
                    polyline points=(mean) fill="none" stroke=(NHS_DARK_BLUE) stroke-width="2" stroke-dasharray="6 4" {}
                }
                polyline points=(line) fill="none" stroke=(NHS_BLUE) stroke-width="2.5" {}
                line x1=(left) x2=(width - right) y1=(height - bottom) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                text x=(left - 6.0) y=(top + 4.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (thousands(max as i64)) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (thousands(min as i64)) }
                text x=(left) y=(height - 4.0) font-size="11" fill=(NHS_DARK_GREY) { "Solid: actual. Dashed: forecast. Bands: 80% and 95% prediction intervals." }
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}

/// Options by cost (across, pounds a year; savings left of zero) and benefit (up): the
/// chosen portfolio filled, the rest hollow.
pub(crate) fn portfolio(id: &str, title: &str, options: &[(String, i64, f64, bool)]) -> Markup {
    let (width, height) = (640.0, 300.0);
    let (left, bottom, top, right) = (70.0, 40.0, 14.0, 20.0);
    let costs = options.iter().map(|o| o.1 as f64 / 100.0);
    let (min_x, max_x) = costs.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let benefits = options.iter().map(|o| o.2);
    let (min_y, max_y) = benefits.fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let pad_x = (max_x - min_x) * 0.05;
    let pad_y = (max_y - min_y) * 0.08;
    let (min_x, max_x, min_y, max_y) = (min_x - pad_x, max_x + pad_x, min_y - pad_y, max_y + pad_y);
    let x = |v: f64| left + (width - left - right) * (v - min_x) / (max_x - min_x);
    let y = |v: f64| top + (height - top - bottom) * (1.0 - (v - min_y) / (max_y - min_y));
    let chosen = options.iter().filter(|o| o.3).count();
    let description = format!(
        "{} options, {} chosen. {}",
        options.len(),
        chosen,
        options
            .iter()
            .map(|(label, cost, benefit, c)| format!(
                "{label}: £{} a year, {benefit:.1} QALYs{}",
                thousands(cost / 100),
                if *c { ", chosen" } else { "" }
            ))
            .collect::<Vec<_>>()
            .join("; ")
    );
    html! {
        figure class="app-chart" {
            svg xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}")) role="img"
                aria-labelledby=(format!("{id}-title {id}-desc")) focusable="false" class="app-chart__svg" {
                title id=(format!("{id}-title")) { (title) }
                desc id=(format!("{id}-desc")) { (description) }
                line x1=(format!("{:.1}", x(0.0))) x2=(format!("{:.1}", x(0.0))) y1=(top) y2=(height - bottom) stroke=(NHS_DARK_GREY) {}
                line x1=(left) x2=(width - right) y1=(format!("{:.1}", y(0.0))) y2=(format!("{:.1}", y(0.0))) stroke=(NHS_DARK_GREY) {}
                text x=(left) y=(height - bottom + 16.0) font-size="11" fill=(NHS_DARK_GREY) { "£" (thousands(min_x as i64)) }
                text x=(width - right) y=(height - bottom + 16.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { "£" (thousands(max_x as i64)) }
                text x=(left - 6.0) y=(top + 8.0) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format!("{max_y:.0}")) }
                text x=(left - 6.0) y=(height - bottom) text-anchor="end" font-size="11" fill=(NHS_DARK_GREY) { (format!("{min_y:.0}")) }
                @for (label, cost, benefit, c) in options {
                    circle cx=(format!("{:.1}", x(*cost as f64 / 100.0))) cy=(format!("{:.1}", y(*benefit))) r="6"
                        fill=(if *c { NHS_BLUE } else { "#ffffff" }) stroke=(NHS_DARK_BLUE) stroke-width="1.5" {
                        title { (label) }
                    }
                    text x=(format!("{:.1}", x(*cost as f64 / 100.0) + 9.0)) y=(format!("{:.1}", y(*benefit) + 4.0)) font-size="11" fill=(NHS_DARK_GREY) {
                        (label.split_whitespace().next().unwrap_or_default())
                    }
                }
                text x=(left) y=(height - 6.0) font-size="11" fill=(NHS_DARK_GREY) { "Across: cost a year (savings left of zero). Up: QALYs a year." }
            }
            figcaption class="nhsuk-body-s" { (title) ". " (description) }
        }
    }
}
