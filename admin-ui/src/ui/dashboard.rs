//! The dashboard: `GET /v1/admin/stats` as figure cards and a messages-per-day chart, with
//! loading, empty and error states in words. Every figure the server sends is shown, named
//! after its field, so a new figure appears here without a console release.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{Map, Value};

use super::api::{self, ApiError};
use super::chart::{DailyChart, Day};
use super::session::Auth;

#[derive(Clone, Debug, PartialEq)]
enum Load {
    Loading,
    Failed(ApiError),
    Ready(Value),
}

/// One card: a headline figure, or a breakdown (by kind, role, status...) with its parts.
#[derive(Clone, Debug, PartialEq)]
struct Card {
    label: String,
    figure: Option<String>,
    parts: Vec<(String, String)>,
}

/// A field name in words; a duration in seconds is shown in minutes and hours, so its unit
/// leaves the label.
fn label(key: &str) -> String {
    let words = key.trim_end_matches("_seconds").replace('_', " ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn figure(key: &str, value: &Value) -> String {
    match value {
        Value::Null => "none yet".into(),
        Value::Number(n) if key.ends_with("_seconds") => n.as_f64().map(duration).unwrap_or_default(),
        Value::Number(n) => match n.as_i64() {
            Some(i) => i.to_string(),
            None => format!("{:.1}", n.as_f64().unwrap_or(0.0)),
        },
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        other => other.to_string(),
    }
}

fn duration(seconds: f64) -> String {
    let s = seconds.round() as i64;
    match s {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

/// A series of days: an array of objects with a date and a count, whatever their names.
fn as_days(value: &Value) -> Option<Vec<Day>> {
    let items = value.as_array()?;
    items
        .iter()
        .map(|item| {
            let item = item.as_object()?;
            let date = item.values().find_map(|v| v.as_str())?.to_owned();
            let count = item.values().find_map(|v| v.as_f64())?;
            Some(Day { date, count })
        })
        .collect()
}

fn cards_and_series(stats: &Map<String, Value>) -> (Vec<Card>, Option<(String, Vec<Day>)>) {
    let mut cards = Vec::new();
    let mut series = None;
    for (key, value) in stats {
        match value {
            Value::Array(_) => {
                if let Some(days) = as_days(value) {
                    series.get_or_insert((label(key), days));
                }
            }
            Value::Object(parts) => {
                cards.push(Card { label: label(key), figure: None, parts: parts.iter().map(|(k, v)| (label(k), figure(k, v))).collect() })
            }
            scalar => cards.push(Card { label: label(key), figure: Some(figure(key, scalar)), parts: Vec::new() }),
        }
    }
    (cards, series)
}

/// Whether the tenant has no activity at all: every figure zero or missing.
fn is_empty(stats: &Value) -> bool {
    match stats {
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::Null | Value::String(_) | Value::Bool(_) => true,
        Value::Array(items) => items.iter().all(is_empty),
        Value::Object(map) => map.values().all(is_empty),
    }
}

#[component]
pub fn Dashboard() -> impl IntoView {
    let auth = Auth::use_context();
    let state = RwSignal::new(Load::Loading);
    let load = move || {
        state.set(Load::Loading);
        let Some(token) = auth.access_token() else { return };
        spawn_local(async move {
            match api::get_json(&token, "/v1/admin/stats").await {
                Ok(stats) => state.set(Load::Ready(stats)),
                Err(error) => {
                    auth.expired(&error);
                    state.set(Load::Failed(error));
                }
            }
        });
    };
    load();

    view! {
        <h1 id="screen-title" tabindex="-1">"Dashboard"</h1>
        {move || match state.get() {
            Load::Loading => view! {
                <section class="panel state" aria-busy="true"><p>"Loading the tenant's figures…"</p></section>
            }.into_any(),
            Load::Failed(error) => {
                let detail = if error.status == 404 {
                    "This server does not offer the statistics yet (it answered “not found”).".to_owned()
                } else {
                    error.message.clone()
                };
                view! {
                    <section class="panel state state-error" role="alert">
                        <h2>"The figures could not be loaded"</h2>
                        <p>{detail}</p>
                        <button type="button" class="button" on:click=move |_| load()>"Try again"</button>
                    </section>
                }.into_any()
            }
            Load::Ready(stats) => {
                let empty = is_empty(&stats);
                let (cards, series) = stats.as_object().map(cards_and_series).unwrap_or_default();
                view! {
                    {empty.then(|| view! {
                        <section class="panel state"><p>"No activity yet: this tenant has no conversations or messages to count."</p></section>
                    })}
                    <section class="cards" aria-label="Figures">
                        {cards.into_iter().map(|card| view! {
                            <article class="panel card">
                                <h2 class="card-label">{card.label}</h2>
                                {card.figure.map(|f| view! { <p class="card-figure">{f}</p> })}
                                {(!card.parts.is_empty()).then(|| view! {
                                    <dl class="card-parts">
                                        {card.parts.into_iter().map(|(k, v)| view! { <dt>{k}</dt><dd>{v}</dd> }).collect_view()}
                                    </dl>
                                })}
                            </article>
                        }).collect_view()}
                    </section>
                    {series.map(|(title, days)| view! {
                        <section class="panel">
                            <h2>{title}</h2>
                            <DailyChart days=days />
                        </section>
                    })}
                }.into_any()
            }
        }}
    }
}
