//! Where an invoke's event comes from: inline JSON, a file (as given, or in the function's
//! `events/` folders, the SAM convention: `Function::events_dirs`), or a built-in template
//! of the catalog.

use std::path::PathBuf;

/// The bytes of the event named by `source`, or a message saying why there is none.
pub fn load_event(source: &str, events_dirs: &[PathBuf]) -> Result<Vec<u8>, String> {
    let trimmed = source.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Ok(source.as_bytes().to_vec());
    }
    let candidates = std::iter::once(PathBuf::from(source)).chain(
        events_dirs
            .iter()
            .flat_map(|dir| [dir.join(source), dir.join(format!("{source}.json"))]),
    );
    for path in candidates {
        if path.is_file() {
            return std::fs::read(&path)
                .map_err(|e| format!("could not read the event file {}: {e}", path.display()));
        }
    }
    match crate::catalog::template(source) {
        Some(value) => serde_json::to_vec_pretty(&value).map_err(|e| e.to_string()),
        None => Err(format!(
            "unknown event template {source:?}: it is not a file, not in {}, and not a built-in \
             template (`lambda-ls events list`); pass a JSON file, `-` for stdin, or inline JSON",
            events_dirs
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(" or ")
        )),
    }
}

/// The event an editor's `▶ Invoke` sends when the user has not chosen one, and its name:
/// the template of the function's first trigger, else the console's default test event
/// (`hello-world`).
pub fn default_event(function: &crate::project::Function) -> (Vec<u8>, String) {
    let name = function
        .config
        .triggers
        .iter()
        .map(|t| t.kind())
        .find(|kind| crate::catalog::template(kind).is_some())
        .unwrap_or(HELLO_WORLD);
    let bytes = crate::catalog::template(name)
        .and_then(|value| serde_json::to_vec_pretty(&value).ok())
        .unwrap_or_else(|| b"{}".to_vec());
    (bytes, format!("{name} template"))
}

/// The console's default test event.
const HELLO_WORLD: &str = "hello-world";

/// Event files in the function's `events/` folders, sorted (each folder's in turn).
pub fn event_files(events_dirs: &[PathBuf]) -> Vec<PathBuf> {
    let mut all = Vec::new();
    for dir in events_dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "json"))
            .collect();
        files.sort();
        all.extend(files);
    }
    all
}
