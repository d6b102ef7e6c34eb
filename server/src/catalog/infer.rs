//! Working out which trigger a handler's `event` comes from: from the type it is
//! annotated with, or from the keys the handler reads.

use super::path::PathSegment;
use super::shape::Lookup;
use super::{all_events, EventSpec};

/// The trigger type of a type name people annotate `event` with: a fully qualified name
/// (`aws_lambda_typing.events.S3Event`,
/// `aws_lambda_powertools.utilities.data_classes.SQSEvent`), a name through a submodule
/// (`aws_lambda_powertools.utilities.data_classes.s3_event.S3Event`), or the bare class
/// name as imported (`S3Event`). A bare name that two sources share gives `None`.
pub fn event_for_annotation(name: &str) -> Option<&'static str> {
    let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
    let class = name.rsplit('.').next().unwrap_or(name);
    let package = name.split('.').next().unwrap_or(name);
    let qualified = name.contains('.');
    let mut found: Option<&'static str> = None;
    for spec in all_events() {
        for annotation in &spec.annotations {
            let annotation_class = annotation.rsplit('.').next().unwrap_or(annotation);
            let annotation_package = annotation.split('.').next().unwrap_or(annotation);
            if annotation == name {
                return Some(&spec.name);
            }
            let matches =
                annotation_class == class && (!qualified || annotation_package == package);
            if matches {
                match found {
                    Some(other) if other != spec.name => return None,
                    _ => found = Some(&spec.name),
                }
            }
        }
    }
    found
}

/// How one path that a handler reads fits one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// The event has the path.
    Found,
    /// The path leads into a part of the event the catalog leaves open.
    Open,
    /// The event does not have the path.
    Missing,
}

/// Which events fit the key paths a handler reads, best first, with a score in (0, 1]:
/// the share of paths the event has (a path that leads into an open part of the event counts
/// half). Events that have none of the paths are left out; ties keep catalog order, so the
/// more common source comes first.
pub fn infer_from_keys(paths_read: &[Vec<PathSegment>]) -> Vec<(&'static str, f64)> {
    let paths: Vec<&Vec<PathSegment>> = paths_read.iter().filter(|p| !p.is_empty()).collect();
    rank_by_fit(|spec| {
        paths
            .iter()
            .map(|path| {
                let fit = match spec.shape.lookup_fast(path) {
                    Lookup::Found(_) => Fit::Found,
                    Lookup::Open { .. } => Fit::Open,
                    Lookup::Missing { .. } => Fit::Missing,
                };
                (fit, path.len())
            })
            .collect()
    })
}

/// [`infer_from_keys`] for callers that already know how each path fits each event:
/// `fits(event)` gives, for every (non-empty) path read, its fit and its length.
pub fn rank_by_fit(fits: impl Fn(&EventSpec) -> Vec<(Fit, usize)>) -> Vec<(&'static str, f64)> {
    let mut scored: Vec<(&'static str, f64, usize)> = all_events()
        .iter()
        .filter_map(|spec| {
            let fits = fits(spec);
            if fits.is_empty() {
                return None;
            }
            let mut points = 0.0;
            let mut depth = 0;
            for (fit, length) in &fits {
                match fit {
                    Fit::Found => {
                        points += 1.0;
                        depth += length;
                    }
                    Fit::Open => points += 0.5,
                    Fit::Missing => {}
                }
            }
            (points > 0.0).then(|| (spec.name.as_str(), points / fits.len() as f64, depth))
        })
        .collect();
    // Best score first; among equals, the event that matched deeper paths, then catalog order
    // (the sort is stable).
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.2.cmp(&a.2)));
    scored
        .into_iter()
        .map(|(name, score, _)| (name, score))
        .collect()
}
