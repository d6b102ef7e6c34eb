//! The shapes of single values Lambda accepts: handler strings, Python identifiers, ARNs,
//! region codes, bucket and environment variable names.

use super::codes;

const PYTHON_KEYWORDS: &[&str] = &[
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue",
    "def", "del", "elif", "else", "except", "finally", "for", "from", "global", "if", "import",
    "in", "is", "lambda", "nonlocal", "not", "or", "pass", "raise", "return", "try", "while",
    "with", "yield",
];

/// Whether `s` can be a Python module or function name (ASCII identifiers; Lambda's own
/// handlers are in practice always ASCII).
pub fn is_python_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !PYTHON_KEYWORDS.contains(&s)
}

/// Check a handler string the way Lambda's Python bootstrap reads it: split at the last
/// dot into module and function, the module's `/` and `.` separating packages.
pub fn check_handler(handler: &str) -> Result<(), (&'static str, String)> {
    let Some((module, function)) = handler.rsplit_once('.') else {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}` is not `module.function`: Lambda fails with Runtime.MalformedHandlerName. Write e.g. `{handler}.lambda_handler` or `lambda_function.{handler}`."
            ),
        ));
    };
    if module.is_empty() || function.is_empty() {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}` needs both a module and a function name around the last dot (`module.function`); Lambda fails with Runtime.MalformedHandlerName."
            ),
        ));
    }
    if function == "py" {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}` names the file, not the function: write `{module}.lambda_handler` (module without `.py`, then the function's name)."
            ),
        ));
    }
    if let Some(stem) = module.strip_suffix(".py") {
        return Err((
            codes::MALFORMED_HANDLER,
            format!(
                "`{handler}`: write the module without `.py`, as in `{stem}.{function}`; Lambda would look for a module named `py`."
            ),
        ));
    }
    for part in module.split(['/', '.']) {
        if !is_python_identifier(part) {
            let why = if part.contains('-') {
                let fixed = part.replace('-', "_");
                format!(
                    "Python cannot import a module named `{part}` (hyphen). Rename `{part}.py` to `{fixed}.py` and write `{}`.",
                    handler.replacen(part, &fixed, 1)
                )
            } else if part.is_empty() {
                "it has an empty path segment.".to_string()
            } else if PYTHON_KEYWORDS.contains(&part) {
                format!("`{part}` is a Python keyword.")
            } else {
                format!("`{part}` is not a Python identifier (letters, digits, underscores, not starting with a digit).")
            };
            return Err((
                codes::HANDLER_NOT_IMPORTABLE,
                format!("The handler module `{module}` cannot be imported: {why} Lambda would fail with Runtime.ImportModuleError."),
            ));
        }
    }
    if !is_python_identifier(function) {
        return Err((
            codes::HANDLER_NOT_IMPORTABLE,
            format!(
                "`{function}` is not a Python function name (letters, digits, underscores, not starting with a digit, not a keyword); Lambda would fail with Runtime.HandlerNotFound."
            ),
        ));
    }
    Ok(())
}

pub(super) fn is_role_arn(s: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "iam"
        && parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && parts[5].strip_prefix("role/").is_some_and(|name| {
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_/".contains(c))
        })
}

/// The most layers a function may have.
pub const MAX_LAYERS: usize = 5;

/// Why `s` is not a layer version ARN (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`),
/// or its region when it is one.
pub fn layer_version_region(s: &str) -> Result<&str, &'static str> {
    let parts: Vec<&str> = s.split(':').collect();
    let shaped = parts.len() >= 7
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "lambda"
        && parts[5] == "layer";
    if !shaped {
        return Err("it is not shaped like `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`");
    }
    if parts.len() == 7 {
        return Err("it names the layer but not a version: add `:VERSION` (the layer's versions are on its page in the console)");
    }
    if parts.len() > 8 {
        return Err("it has more parts than `arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`");
    }
    if !is_region(parts[3]) {
        return Err("its region is not a region code such as `eu-west-1`");
    }
    if parts[4].len() != 12 || !parts[4].chars().all(|c| c.is_ascii_digit()) {
        return Err("its account is not a 12-digit account ID");
    }
    let name = parts[6];
    if name.is_empty()
        || name.len() > 140
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err("its layer name is not 1–140 letters, digits, hyphens or underscores");
    }
    if !parts[7].parse::<u64>().is_ok_and(|v| v > 0) {
        return Err(
            "its version is not a positive number (`$LATEST` and aliases are not layer versions)",
        );
    }
    Ok(parts[3])
}

/// `eu-west-1`, `us-gov-west-1`, `ap-southeast-5`, `us-isob-east-1`, `cn-north-1`.
pub fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() < 3 || parts.len() > 4 {
        return false;
    }
    let lower = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_lowercase());
    let Some((number, words)) = parts.split_last() else {
        return false;
    };
    words[0].len() == 2
        && words.iter().all(|w| lower(w))
        && !number.is_empty()
        && number.len() <= 2
        && number.chars().all(|c| c.is_ascii_digit())
}

pub(super) fn is_arn_of(s: &str, service: &str) -> bool {
    let parts: Vec<&str> = s.splitn(6, ':').collect();
    parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == service
        && is_region(parts[3])
        && parts[4].len() == 12
        && parts[4].chars().all(|c| c.is_ascii_digit())
        && !parts[5].is_empty()
}

pub(super) fn is_bucket_name(s: &str) -> bool {
    (3..=63).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-')
        && s.starts_with(|c: char| c.is_ascii_alphanumeric())
        && s.ends_with(|c: char| c.is_ascii_alphanumeric())
        && !s.contains("..")
}

/// Lambda's environment variable name pattern: `[a-zA-Z]([a-zA-Z0-9_])+`.
pub fn is_env_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic())
        && s.len() >= 2
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Why `path` is not an API Gateway resource path: it must start with `/`, have no empty
/// segment, and each `{…}` must be a whole segment, the greedy `{name+}` only the last.
pub(super) fn resource_path_problem(path: &str) -> Option<String> {
    let Some(rest) = path.strip_prefix('/') else {
        return Some(format!("it must start with `/` (`/{path}`)"));
    };
    if rest.is_empty() {
        return None;
    }
    let segments: Vec<&str> = rest.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        if segment.is_empty() {
            return Some(if i + 1 == segments.len() {
                "it must not end with `/`".to_string()
            } else {
                "it has an empty segment (`//`)".to_string()
            });
        }
        let braces = segment.contains(['{', '}']);
        let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) else {
            if braces {
                return Some(format!(
                    "`{segment}`: a path parameter is a whole segment, as in `/items/{{id}}`"
                ));
            }
            if let Some(c) = segment
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || "-._~:@$&'()*,;=!%".contains(*c)))
            {
                return Some(format!("`{c}` is not allowed in a path segment"));
            }
            continue;
        };
        let (name, greedy) = match name.strip_suffix('+') {
            Some(name) => (name, true),
            None => (name, false),
        };
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Some(format!(
                "`{segment}`: a path parameter is named with letters, digits or `_` (`{{id}}`)"
            ));
        }
        if greedy && i + 1 != segments.len() {
            return Some(format!(
                "`{segment}` takes the rest of the path, so it must be the last segment"
            ));
        }
    }
    None
}

/// API Gateway stage names: letters, digits, hyphens and underscores, up to 128.
pub(super) fn is_stage_name(s: &str) -> bool {
    (1..=128).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}
