//! Messages per day as an SVG bar chart: one bar per day, the largest day's figure on the
//! axis, each bar's exact figure in its tooltip, and the whole series summarised for
//! screen readers.

use leptos::prelude::*;

/// One day of the series: its label (an ISO date) and its count.
#[derive(Clone, Debug, PartialEq)]
pub struct Day {
    pub date: String,
    pub count: f64,
}

const WIDTH: f64 = 600.0;
const HEIGHT: f64 = 200.0;
const AXIS: f64 = 20.0;

#[component]
pub fn DailyChart(days: Vec<Day>) -> impl IntoView {
    let max = days.iter().map(|d| d.count).fold(0.0_f64, f64::max);
    let total: f64 = days.iter().map(|d| d.count).sum();
    let slot = WIDTH / days.len().max(1) as f64;
    let plot = HEIGHT - AXIS;
    let summary = match (days.first(), days.last()) {
        (Some(first), Some(last)) => {
            format!("Messages per day from {} to {}: {} in all, at most {} in one day.", first.date, last.date, total, max)
        }
        _ => "No days to show.".to_owned(),
    };
    let first_label = days.first().map(|d| d.date.clone()).unwrap_or_default();
    let last_label = days.last().map(|d| d.date.clone()).unwrap_or_default();
    let bars = days
        .into_iter()
        .enumerate()
        .map(|(i, day)| {
            let h = if max > 0.0 { day.count / max * (plot - 10.0) } else { 0.0 };
            let x = i as f64 * slot + slot * 0.15;
            let tip = format!("{}: {}", day.date, day.count);
            view! {
                <rect class="bar" x=format!("{x:.1}") y=format!("{:.1}", plot - h) width=format!("{:.1}", slot * 0.7) height=format!("{h:.1}")>
                    <title>{tip}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=summary.clone() preserveAspectRatio="none">
                <line class="axis" x1="0" y1=plot.to_string() x2=WIDTH.to_string() y2=plot.to_string() />
                {bars}
            </svg>
            <figcaption>
                <span>{first_label}</span>
                <span class="muted">{format!("busiest day: {max}")}</span>
                <span>{last_label}</span>
            </figcaption>
            <p class="sr-only">{summary}</p>
        </figure>
    }
}
