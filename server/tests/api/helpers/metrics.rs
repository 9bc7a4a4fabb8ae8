//! `GET /metrics`, parsed from the Prometheus text format into samples, so tests ask for a
//! value by name and labels instead of matching whole lines.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use super::TestApp;

/// One line of a scrape: a name, its labels and its value.
pub struct Sample {
    pub name: String,
    pub labels: BTreeMap<String, String>,
    pub value: f64,
}

/// One scrape.
pub struct Scrape {
    pub text: String,
    pub samples: Vec<Sample>,
    /// Families with a `# HELP` line, and with a `# TYPE` line (name to type).
    pub helped: BTreeSet<String>,
    pub types: BTreeMap<String, String>,
}

/// `a="x",b="y"` into a map. Label values here never hold quotes or commas.
fn labels(text: &str) -> BTreeMap<String, String> {
    text.split(',')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or_else(|| panic!("a label pair: {pair}"));
            (key.to_owned(), value.trim_matches('"').to_owned())
        })
        .collect()
}

impl Scrape {
    pub fn parse(text: String) -> Self {
        let (mut samples, mut helped, mut types) = (Vec::new(), BTreeSet::new(), BTreeMap::new());
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            if let Some(rest) = line.strip_prefix("# HELP ") {
                helped.insert(rest.split(' ').next().unwrap_or_default().to_owned());
            } else if let Some(rest) = line.strip_prefix("# TYPE ") {
                let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("a TYPE line: {line}"));
                types.insert(name.to_owned(), kind.to_owned());
            } else if !line.starts_with('#') {
                let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("a sample: {line}"));
                let value = value.parse().unwrap_or_else(|_| panic!("a number in {line}"));
                let (name, labels) = match series.split_once('{') {
                    Some((name, rest)) => (name, labels(rest.trim_end_matches('}'))),
                    None => (series, BTreeMap::new()),
                };
                samples.push(Sample { name: name.to_owned(), labels, value });
            }
        }
        Scrape { text, samples, helped, types }
    }

    /// The samples of `name` whose labels include `labels`.
    pub fn matching<'a>(&'a self, name: &'a str, labels: &'a [(&str, &str)]) -> impl Iterator<Item = &'a Sample> + 'a {
        self.samples.iter().filter(move |s| s.name == name && labels.iter().all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v)))
    }

    /// The one sample of `name` with exactly `labels`; panics if absent.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        self.matching(name, labels)
            .find(|s| s.labels.len() == labels.len())
            .unwrap_or_else(|| panic!("no {name} {labels:?} in\n{}", self.text))
            .value
    }
}

impl TestApp {
    pub async fn metrics(&self) -> Scrape {
        let reply = self.get("/metrics").send().await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        Scrape::parse(reply.text)
    }

    /// Scrapes until `done` holds, for values a background task sets; panics after 5 s.
    pub async fn metrics_until(&self, what: &str, done: impl Fn(&Scrape) -> bool) -> Scrape {
        let start = Instant::now();
        loop {
            let scrape = self.metrics().await;
            if done(&scrape) {
                return scrape;
            }
            assert!(start.elapsed() < Duration::from_secs(5), "{what} never held:\n{}", scrape.text);
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
