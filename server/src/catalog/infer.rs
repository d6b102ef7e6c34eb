//! Working out which trigger a handler's `event` comes from: from the type it is
//! annotated with, or from the keys the handler reads.

use super::all_events;
use super::path::PathSegment;
use super::shape::Lookup;

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

/// Which events fit the key paths a handler reads, best first, with a score in (0, 1]:
/// the share of paths the event has (a path that leads into an open part of the event counts
/// half). Events that have none of the paths are left out; ties keep catalog order, so the
/// more common source comes first.
pub fn infer_from_keys(paths_read: &[Vec<PathSegment>]) -> Vec<(&'static str, f64)> {
    let paths: Vec<&Vec<PathSegment>> = paths_read.iter().filter(|p| !p.is_empty()).collect();
    if paths.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(&'static str, f64, usize)> = all_events()
        .iter()
        .filter_map(|spec| {
            let mut points = 0.0;
            let mut depth = 0;
            for path in &paths {
                match spec.shape.lookup_fast(path) {
                    Lookup::Found(_) => {
                        points += 1.0;
                        depth += path.len();
                    }
                    Lookup::Open { .. } => points += 0.5,
                    Lookup::Missing { .. } => {}
                }
            }
            (points > 0.0).then(|| (spec.name.as_str(), points / paths.len() as f64, depth))
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
