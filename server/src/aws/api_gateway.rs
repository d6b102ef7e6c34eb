//! What the two API Gateway triggers (`http-api`, `api`) share: their routes, the name and
//! tag of the API lambda-ls creates for a function (`<function>-API`, tagged
//! `lambda-ls:function = <function>`: how a later deploy finds it), its URLs, the invoke
//! permission scoped to that one API (statement id `<prefix><api id>`: how a deploy after the
//! trigger was removed finds what to take away), and taking it away.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use super::deploy::{account_of_arn, Change, DeployError};
use super::triggers::{add_permission, remove_permission, Context, TriggerOutcome};

/// The tag that marks what lambda-ls created for a function.
pub const FUNCTION_TAG: &str = "lambda-ls:function";

/// One route to the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `GET`, `POST`, …, or `ANY`.
    pub method: String,
    /// `/sum`, `/items/{id}`, `/{proxy+}`.
    pub path: String,
}

impl Route {
    /// API Gateway's route key: `GET /sum`.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// `GET /sum, POST /sum`.
pub fn routes_text(routes: &[Route]) -> String {
    routes.iter().map(Route::key).collect::<Vec<_>>().join(", ")
}

/// `<function>-API`, as the console names the API its trigger creates.
pub fn api_name(function: &str) -> String {
    format!("{function}-API")
}

/// Whether an API's tags say lambda-ls created it for `function`.
pub fn is_for(tags: Option<&HashMap<String, String>>, function: &str) -> bool {
    tags.and_then(|t| t.get(FUNCTION_TAG)).map(String::as_str) == Some(function)
}

/// `https://{id}.execute-api.{region}.amazonaws.com[/{stage}]{path}`; a greedy
/// `{proxy+}` path is shown as the API's root.
pub fn url_of(endpoint: &str, stage: &str, path: &str) -> String {
    let path = match path.find("{proxy+}") {
        Some(at) => &path[..at],
        None => path,
    };
    let stage = if stage.is_empty() {
        String::new()
    } else {
        format!("/{stage}")
    };
    format!("{}{stage}{path}", endpoint.trim_end_matches('/'))
}

/// The function's ARN, when the API is to be read and changed; else (the function does
/// not exist yet, or a dry run finds no API) the whole API is reported as to be created,
/// `created` saying with what, and there is nothing more to do.
pub(crate) fn function_arn_to_sync<'a>(
    ctx: &Context<'a>,
    what: &str,
    created: &str,
    api_exists: bool,
    outcome: &mut TriggerOutcome,
) -> Option<&'a str> {
    match ctx.arn {
        Some(arn) if api_exists || !ctx.dry_run => Some(arn),
        _ => {
            outcome
                .changes
                .push(Change::new(what, format!("created ({created})")));
            None
        }
    }
}

/// Let the API `api_id`, and only it, invoke the function (unless it already may).
/// Returns the statement id.
pub(crate) async fn allow_invoke(
    ctx: &Context<'_>,
    what: &str,
    statement_prefix: &str,
    api_id: &str,
    statements: &mut HashSet<String>,
    outcome: &mut TriggerOutcome,
) -> Result<String, DeployError> {
    let statement = format!("{statement_prefix}{api_id}");
    if statements.contains(&statement) {
        return Ok(statement);
    }
    outcome.changes.push(Change::new(
        what,
        "API Gateway allowed to invoke the function",
    ));
    if !ctx.dry_run {
        let region = &ctx.aws.region;
        let account = ctx.arn.and_then(account_of_arn).unwrap_or_default();
        let source = format!("arn:aws:execute-api:{region}:{account}:{api_id}/*");
        add_permission(ctx, &statement, "apigateway.amazonaws.com", Some(&source)).await?;
        statements.insert(statement.clone());
    }
    Ok(statement)
}

/// Take away an API whose trigger is no longer in lambda.toml: `found` is its name and
/// whether lambda-ls created it for this function (`None`: it is gone already). Only an
/// API lambda-ls created is deleted (with `delete`); the permission goes in every case.
pub(crate) async fn take_away<F, Fut>(
    ctx: &Context<'_>,
    kind: &str,
    api_id: &str,
    statement: &str,
    found: Option<(String, bool)>,
    outcome: &mut TriggerOutcome,
    delete: F,
) -> Result<(), DeployError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<(), DeployError>>,
{
    let (name, ours) = found.unwrap_or_else(|| (api_id.to_string(), false));
    outcome.changes.push(Change::new(
        format!("{kind} {name}"),
        if ours {
            "deleted (no longer in lambda.toml)"
        } else {
            "no longer allowed to invoke the function (not in lambda.toml)"
        },
    ));
    if ctx.dry_run {
        return Ok(());
    }
    if ours {
        delete().await?;
    }
    remove_permission(ctx, statement).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_keys() {
        let route = Route {
            method: "GET".into(),
            path: "/sum".into(),
        };
        assert_eq!(route.key(), "GET /sum");
        assert_eq!(routes_text(&[route.clone(), route]), "GET /sum, GET /sum");
    }

    #[test]
    fn urls_of_routes_and_stages() {
        let endpoint = "https://abc123.execute-api.eu-west-1.amazonaws.com";
        assert_eq!(
            url_of(endpoint, "", "/sum"),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/sum"
        );
        assert_eq!(
            url_of(endpoint, "default", "/{proxy+}"),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/default/"
        );
        assert_eq!(
            url_of(&format!("{endpoint}/"), "", "/items/{id}"),
            "https://abc123.execute-api.eu-west-1.amazonaws.com/items/{id}"
        );
    }

    #[test]
    fn tags_tell_whose_api_it_is() {
        let tags = HashMap::from([(FUNCTION_TAG.to_string(), "sum".to_string())]);
        assert!(is_for(Some(&tags), "sum"));
        assert!(!is_for(Some(&tags), "other"));
        assert!(!is_for(None, "sum"));
    }
}
