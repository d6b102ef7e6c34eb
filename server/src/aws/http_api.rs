//! The `http-api` trigger: an API Gateway HTTP API in front of the function, as the console
//! creates it: a Lambda proxy integration (payload format 2.0), one route per trigger
//! (`GET /sum`; default `ANY /<function>`), the `$default` stage with auto-deploy, optional
//! CORS, and the permission for that API to invoke the function (see `api_gateway` for how
//! lambda-ls finds what it created).

use std::collections::HashSet;

use aws_sdk_apigatewayv2::types::{Cors as AwsCors, IntegrationType, ProtocolType};

use super::api_gateway::{
    allow_invoke, api_name, function_arn_to_sync, is_for, routes_text, take_away, url_of, Route,
    FUNCTION_TAG,
};
use super::deploy::{is_not_found, Change, DeployError};
use super::errors::describe;
use super::triggers::{Context, TriggerOutcome};
use super::Aws;
use crate::project::{Cors, HttpApiTrigger};

/// The prefix of the invoke permission's statement id; the API id follows.
pub const STATEMENT_PREFIX: &str = "lambda-ls-http-api-";

/// The HTTP API the function's `http-api` triggers ask for: all their routes on one API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpApiSpec {
    pub routes: Vec<Route>,
    pub cors: Option<Cors>,
}

impl HttpApiSpec {
    /// One API for the `http-api` triggers of the function `function`. CORS belongs to the
    /// API, so triggers that set it must agree.
    pub fn from_triggers(function: &str, triggers: &[&HttpApiTrigger]) -> Result<Self, String> {
        let mut cors: Option<&Cors> = None;
        for trigger in triggers {
            match (cors, &trigger.cors) {
                (Some(set), Some(other)) if set != other => {
                    return Err("the `http-api` triggers are routes of one API, whose CORS \
                                settings are one too: write the same `cors` on each, or on one only"
                        .to_string())
                }
                (None, Some(other)) => cors = Some(other),
                _ => {}
            }
        }
        Ok(HttpApiSpec {
            routes: triggers
                .iter()
                .map(|t| Route {
                    method: t.route.method.to_ascii_uppercase(),
                    path: t.path(function),
                })
                .collect(),
            cors: cors.cloned(),
        })
    }
}

fn cors_to_aws(cors: &Cors) -> AwsCors {
    AwsCors::builder()
        .set_allow_origins(Some(cors.origins.clone()))
        .set_allow_methods(Some(cors.methods.clone()))
        .set_allow_headers(Some(cors.headers.clone()))
        .build()
}

/// Whether the deployed CORS configuration is `wanted` (lists compared as sets, ignoring case).
fn cors_matches(wanted: &Cors, deployed: Option<&AwsCors>) -> bool {
    let Some(deployed) = deployed else {
        return false;
    };
    let same = |a: &[String], b: &[String]| {
        let a: HashSet<String> = a.iter().map(|s| s.to_ascii_lowercase()).collect();
        let b: HashSet<String> = b.iter().map(|s| s.to_ascii_lowercase()).collect();
        a == b
    };
    same(&wanted.origins, deployed.allow_origins())
        && same(&wanted.methods, deployed.allow_methods())
        && same(&wanted.headers, deployed.allow_headers())
}

/// Bring the function's HTTP API in line with `spec`. Returns the statement id of the
/// invoke permission in use, when the API exists.
pub(crate) async fn sync(
    ctx: &Context<'_>,
    spec: &HttpApiSpec,
    statements: &mut HashSet<String>,
    outcome: &mut TriggerOutcome,
) -> Result<Option<String>, DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    let name = api_name(ctx.name);
    let what = format!("http api {name}");
    let created = format!("{}, stage {}", routes_text(&spec.routes), "$default");
    let existing = match ctx.arn {
        Some(_) => find_api(aws, ctx.name).await?,
        None => None,
    };
    let Some(function_arn) =
        function_arn_to_sync(ctx, &what, &created, existing.is_some(), outcome)
    else {
        return Ok(None);
    };
    let api = match existing {
        Some(api) => api,
        None => {
            outcome
                .changes
                .push(Change::new(&what, format!("created ({created})")));
            let created = aws
                .apigatewayv2
                .create_api()
                .name(&name)
                .protocol_type(ProtocolType::Http)
                .description(format!(
                    "HTTP API of the Lambda function {} (lambda-ls)",
                    ctx.name
                ))
                .tags(FUNCTION_TAG, ctx.name)
                .set_cors_configuration(spec.cors.as_ref().map(cors_to_aws))
                .send()
                .await
                .map_err(|e| describe("CreateApi", "apigatewayv2", region, &e))?;
            DeployedApi {
                id: created.api_id.unwrap_or_default(),
                endpoint: created.api_endpoint,
                cors: created.cors_configuration,
            }
        }
    };
    let api_id = api.id.clone();

    // CORS, set on the API itself.
    match &spec.cors {
        Some(cors) if !cors_matches(cors, api.cors.as_ref()) => {
            outcome.changes.push(Change::new(&what, "CORS set"));
            if !ctx.dry_run {
                aws.apigatewayv2
                    .update_api()
                    .api_id(&api_id)
                    .cors_configuration(cors_to_aws(cors))
                    .send()
                    .await
                    .map_err(|e| describe("UpdateApi", "apigatewayv2", region, &e))?;
            }
        }
        None if api.cors.is_some() => {
            outcome.changes.push(Change::new(&what, "CORS removed"));
            if !ctx.dry_run {
                aws.apigatewayv2
                    .delete_cors_configuration()
                    .api_id(&api_id)
                    .send()
                    .await
                    .map_err(|e| describe("DeleteCorsConfiguration", "apigatewayv2", region, &e))?;
            }
        }
        _ => {}
    }

    // The Lambda proxy integration, payload format 2.0.
    let integrations = aws
        .apigatewayv2
        .get_integrations()
        .api_id(&api_id)
        .send()
        .await
        .map_err(|e| describe("GetIntegrations", "apigatewayv2", region, &e))?;
    let ours = integrations.items().iter().find(|i| {
        i.integration_type() == Some(&IntegrationType::AwsProxy)
            && i.integration_uri() == Some(function_arn)
    });
    let integration_id = match ours {
        Some(found) => found.integration_id().unwrap_or_default().to_string(),
        None => {
            outcome.changes.push(Change::new(
                &what,
                "Lambda proxy integration created (payload 2.0)",
            ));
            if ctx.dry_run {
                String::new()
            } else {
                aws.apigatewayv2
                    .create_integration()
                    .api_id(&api_id)
                    .integration_type(IntegrationType::AwsProxy)
                    .integration_uri(function_arn)
                    .payload_format_version("2.0")
                    .send()
                    .await
                    .map_err(|e| describe("CreateIntegration", "apigatewayv2", region, &e))?
                    .integration_id
                    .unwrap_or_default()
            }
        }
    };

    // Routes: the configured ones target the integration; ours that are no longer
    // configured are moved to a configured key, or deleted.
    let target = format!("integrations/{integration_id}");
    let routes = aws
        .apigatewayv2
        .get_routes()
        .api_id(&api_id)
        .send()
        .await
        .map_err(|e| describe("GetRoutes", "apigatewayv2", region, &e))?;
    let wanted: Vec<String> = spec.routes.iter().map(Route::key).collect();
    let ours: Vec<(String, String)> = routes
        .items()
        .iter()
        .filter(|r| r.target() == Some(target.as_str()))
        .map(|r| {
            (
                r.route_id().unwrap_or_default().to_string(),
                r.route_key().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut unwanted: Vec<&(String, String)> = ours
        .iter()
        .filter(|(_, key)| !wanted.contains(key))
        .collect();
    for key in &wanted {
        if ours.iter().any(|(_, k)| k == key) {
            continue;
        }
        if let Some((route_id, old_key)) = unwanted.pop() {
            outcome
                .changes
                .push(Change::new(&what, format!("route {old_key} → {key}")));
            if !ctx.dry_run {
                aws.apigatewayv2
                    .update_route()
                    .api_id(&api_id)
                    .route_id(route_id)
                    .route_key(key)
                    .send()
                    .await
                    .map_err(|e| describe("UpdateRoute", "apigatewayv2", region, &e))?;
            }
        } else {
            outcome
                .changes
                .push(Change::new(&what, format!("route {key} created")));
            if !ctx.dry_run {
                aws.apigatewayv2
                    .create_route()
                    .api_id(&api_id)
                    .route_key(key)
                    .target(&target)
                    .send()
                    .await
                    .map_err(|e| describe("CreateRoute", "apigatewayv2", region, &e))?;
            }
        }
    }
    for (route_id, key) in unwanted {
        outcome
            .changes
            .push(Change::new(&what, format!("route {key} deleted")));
        if !ctx.dry_run {
            aws.apigatewayv2
                .delete_route()
                .api_id(&api_id)
                .route_id(route_id)
                .send()
                .await
                .map_err(|e| describe("DeleteRoute", "apigatewayv2", region, &e))?;
        }
    }

    // The `$default` stage, deploying every change by itself.
    let stages = aws
        .apigatewayv2
        .get_stages()
        .api_id(&api_id)
        .send()
        .await
        .map_err(|e| describe("GetStages", "apigatewayv2", region, &e))?;
    match stages
        .items()
        .iter()
        .find(|s| s.stage_name() == Some("$default"))
    {
        None => {
            outcome
                .changes
                .push(Change::new(&what, "stage $default created (auto-deploy)"));
            if !ctx.dry_run {
                aws.apigatewayv2
                    .create_stage()
                    .api_id(&api_id)
                    .stage_name("$default")
                    .auto_deploy(true)
                    .send()
                    .await
                    .map_err(|e| describe("CreateStage", "apigatewayv2", region, &e))?;
            }
        }
        Some(stage) if stage.auto_deploy() != Some(true) => {
            outcome
                .changes
                .push(Change::new(&what, "stage $default set to auto-deploy"));
            if !ctx.dry_run {
                aws.apigatewayv2
                    .update_stage()
                    .api_id(&api_id)
                    .stage_name("$default")
                    .auto_deploy(true)
                    .send()
                    .await
                    .map_err(|e| describe("UpdateStage", "apigatewayv2", region, &e))?;
            }
        }
        Some(_) => {}
    }

    let statement =
        allow_invoke(ctx, &what, STATEMENT_PREFIX, &api_id, statements, outcome).await?;
    let endpoint = api
        .endpoint
        .clone()
        .unwrap_or_else(|| format!("https://{api_id}.execute-api.{region}.amazonaws.com"));
    outcome
        .urls
        .extend(spec.routes.iter().map(|r| url_of(&endpoint, "", &r.path)));
    Ok(Some(statement))
}

/// What a deploy needs to know of an API.
struct DeployedApi {
    id: String,
    endpoint: Option<String>,
    cors: Option<AwsCors>,
}

/// The API lambda-ls created for `function`, found by its tag.
async fn find_api(aws: &Aws, function: &str) -> Result<Option<DeployedApi>, DeployError> {
    let mut next_token: Option<String> = None;
    loop {
        let page = aws
            .apigatewayv2
            .get_apis()
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| describe("GetApis", "apigatewayv2", &aws.region, &e))?;
        let found = page.items().iter().find(|api| {
            api.protocol_type() == Some(&ProtocolType::Http)
                && api
                    .tags()
                    .and_then(|t| t.get(FUNCTION_TAG))
                    .map(String::as_str)
                    == Some(function)
        });
        if let Some(api) = found {
            return Ok(Some(DeployedApi {
                id: api.api_id().unwrap_or_default().to_string(),
                endpoint: api.api_endpoint().map(str::to_string),
                cors: api.cors_configuration().cloned(),
            }));
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Take away the HTTP API `api_id` (when lambda-ls created it for this function) and its
/// invoke permission: the `http-api` trigger is no longer in lambda.toml.
pub(crate) async fn remove(
    ctx: &Context<'_>,
    api_id: &str,
    statement: &str,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    let found = match aws.apigatewayv2.get_api().api_id(api_id).send().await {
        Ok(api) => Some((
            api.name().unwrap_or(api_id).to_string(),
            is_for(api.tags(), ctx.name),
        )),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(describe("GetApi", "apigatewayv2", region, &e).into()),
    };
    take_away(
        ctx,
        "http api",
        api_id,
        statement,
        found,
        outcome,
        || async {
            match aws.apigatewayv2.delete_api().api_id(api_id).send().await {
                Ok(_) => Ok(()),
                Err(e) if is_not_found(&e) => Ok(()),
                Err(e) => Err(describe("DeleteApi", "apigatewayv2", region, &e).into()),
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::project::ApiRoute;

    fn trigger(path: Option<&str>, method: &str, cors: Option<Cors>) -> HttpApiTrigger {
        HttpApiTrigger {
            route: ApiRoute {
                path: path.map(str::to_string),
                method: method.into(),
            },
            cors,
        }
    }

    #[test]
    fn routes_of_the_triggers_with_the_consoles_default() {
        let spec = HttpApiSpec::from_triggers(
            "sum",
            &[
                &trigger(None, "ANY", None),
                &trigger(Some("/add"), "get", None),
            ],
        )
        .unwrap();
        assert_eq!(routes_text(&spec.routes), "ANY /sum, GET /add");
        assert_eq!(spec.cors, None);
    }

    #[test]
    fn cors_is_the_apis_so_triggers_agree_on_it() {
        let any = trigger(None, "ANY", Some(Cors::any()));
        let unset = trigger(Some("/b"), "GET", None);
        let spec = HttpApiSpec::from_triggers("f", &[&unset, &any]).unwrap();
        assert_eq!(spec.cors, Some(Cors::any()));
        let narrow = trigger(
            Some("/c"),
            "GET",
            Some(Cors {
                origins: vec!["https://a.example".into()],
                ..Cors::any()
            }),
        );
        let error = HttpApiSpec::from_triggers("f", &[&any, &narrow]).unwrap_err();
        assert!(error.contains("same `cors`"), "{error}");
    }

    #[test]
    fn cors_compares_as_sets_ignoring_case() {
        let wanted = Cors {
            origins: vec!["https://a.example".into()],
            methods: vec!["GET".into(), "POST".into()],
            headers: vec!["content-type".into()],
        };
        let deployed = AwsCors::builder()
            .allow_origins("https://a.example")
            .allow_methods("post")
            .allow_methods("get")
            .allow_headers("Content-Type")
            .build();
        assert!(cors_matches(&wanted, Some(&deployed)));
        assert!(!cors_matches(&Cors::any(), Some(&deployed)));
        assert!(!cors_matches(&wanted, None));
    }
}
