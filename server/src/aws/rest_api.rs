//! The `api` trigger: an API Gateway REST API in front of the function, as the console
//! creates it: the resource `path` with its `method` (default `ANY` on `/{proxy+}`), an
//! `AWS_PROXY` integration, a deployment to a stage (default `default`, the console's name),
//! and the permission for that API to invoke the function (see `api_gateway` for how
//! lambda-ls finds what it created).

use std::collections::{HashMap, HashSet};

use aws_sdk_apigateway::types::{EndpointConfiguration, EndpointType, IntegrationType, Resource};

use super::api_gateway::{
    allow_invoke, api_name, function_arn_to_sync, is_for, routes_text, take_away, url_of, Route,
    FUNCTION_TAG,
};
use super::deploy::{is_not_found, Change, DeployError};
use super::errors::describe;
use super::triggers::{Context, TriggerOutcome};
use super::Aws;
use crate::project::RestApiTrigger;

/// The prefix of the invoke permission's statement id; the API id follows.
pub const STATEMENT_PREFIX: &str = "lambda-ls-api-";
/// The REST API the function's `api` triggers ask for: all their methods on one API,
/// deployed to one stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestApiSpec {
    pub routes: Vec<Route>,
    pub stage: String,
}

impl RestApiSpec {
    /// One API for the function's `api` triggers, deployed to one stage, so triggers that
    /// name a stage must agree.
    pub fn from_triggers(triggers: &[&RestApiTrigger]) -> Result<Self, String> {
        let mut stages: Vec<&str> = Vec::new();
        for trigger in triggers {
            if !stages.contains(&trigger.stage.as_str()) {
                stages.push(&trigger.stage);
            }
        }
        if stages.len() > 1 {
            return Err(format!(
                "the `api` triggers are methods of one REST API deployed to one stage, and \
                 they name several ({}): write the same `stage` on each",
                stages
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        Ok(RestApiSpec {
            routes: triggers
                .iter()
                .map(|t| Route {
                    method: t.route.method.to_ascii_uppercase(),
                    path: t.path().to_string(),
                })
                .collect(),
            stage: stages
                .first()
                .unwrap_or(&RestApiTrigger::DEFAULT_STAGE)
                .to_string(),
        })
    }
}

/// Bring the function's REST API in line with `spec`. Returns the statement id of the
/// invoke permission in use, when the API exists.
pub(crate) async fn sync(
    ctx: &Context<'_>,
    spec: &RestApiSpec,
    statements: &mut HashSet<String>,
    outcome: &mut TriggerOutcome,
) -> Result<Option<String>, DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    let name = api_name(ctx.name);
    let what = format!("rest api {name}");
    let created = format!("{}, stage {}", routes_text(&spec.routes), spec.stage);
    let existing = match ctx.arn {
        Some(_) => find_api(aws, ctx.name).await?,
        None => None,
    };
    let Some(function_arn) =
        function_arn_to_sync(ctx, &what, &created, existing.is_some(), outcome)
    else {
        return Ok(None);
    };
    let (api_id, mut changed) = match existing {
        Some(id) => (id, false),
        None => {
            outcome
                .changes
                .push(Change::new(&what, format!("created ({created})")));
            let created = aws
                .apigateway
                .create_rest_api()
                .name(&name)
                .description(format!(
                    "REST API of the Lambda function {} (lambda-ls)",
                    ctx.name
                ))
                .endpoint_configuration(
                    EndpointConfiguration::builder()
                        .types(EndpointType::Regional)
                        .build(),
                )
                .tags(FUNCTION_TAG, ctx.name)
                .send()
                .await
                .map_err(|e| describe("CreateRestApi", "apigateway", region, &e))?;
            (created.id.unwrap_or_default(), true)
        }
    };
    let uri = integration_uri(region, function_arn);
    let mut resources = resources(aws, &api_id).await?;

    // Each configured method on its resource (created with its parents as needed), with
    // the proxy integration.
    let mut wanted: HashSet<(String, String)> = HashSet::new();
    for route in &spec.routes {
        let resource_id = match resources.iter().find(|r| r.path() == Some(&route.path)) {
            Some(found) => found.id().unwrap_or_default().to_string(),
            None => {
                outcome.changes.push(Change::new(
                    &what,
                    format!("resource {} created", route.path),
                ));
                changed = true;
                if ctx.dry_run {
                    continue;
                }
                create_path(aws, &api_id, &route.path, &mut resources).await?
            }
        };
        wanted.insert((resource_id.clone(), route.method.clone()));
        let method = resources
            .iter()
            .find(|r| r.id() == Some(&resource_id))
            .and_then(|r| r.resource_methods())
            .and_then(|methods| methods.get(&route.method));
        let integrated = method
            .and_then(|m| m.method_integration())
            .is_some_and(|i| {
                i.r#type() == Some(&IntegrationType::AwsProxy) && i.uri() == Some(&uri)
            });
        if integrated {
            continue;
        }
        outcome.changes.push(Change::new(
            &what,
            format!("{} integrated with the function (AWS_PROXY)", route.key()),
        ));
        changed = true;
        if ctx.dry_run {
            continue;
        }
        if method.is_none() {
            aws.apigateway
                .put_method()
                .rest_api_id(&api_id)
                .resource_id(&resource_id)
                .http_method(&route.method)
                .authorization_type("NONE")
                .send()
                .await
                .map_err(|e| describe("PutMethod", "apigateway", region, &e))?;
        }
        aws.apigateway
            .put_integration()
            .rest_api_id(&api_id)
            .resource_id(&resource_id)
            .http_method(&route.method)
            .r#type(IntegrationType::AwsProxy)
            .integration_http_method("POST")
            .uri(&uri)
            .send()
            .await
            .map_err(|e| describe("PutIntegration", "apigateway", region, &e))?;
    }

    // Methods integrated with the function that are no longer configured, and the
    // resources they leave empty.
    for resource in &resources {
        let resource_id = resource.id().unwrap_or_default();
        let path = resource.path().unwrap_or_default();
        let ours: Vec<&String> = resource
            .resource_methods()
            .into_iter()
            .flatten()
            .filter(|(method, m)| {
                !wanted.contains(&(resource_id.to_string(), method.to_string()))
                    && m.method_integration().and_then(|i| i.uri()) == Some(uri.as_str())
            })
            .map(|(method, _)| method)
            .collect();
        for method in ours {
            outcome
                .changes
                .push(Change::new(&what, format!("{method} {path} deleted")));
            changed = true;
            if ctx.dry_run {
                continue;
            }
            aws.apigateway
                .delete_method()
                .rest_api_id(&api_id)
                .resource_id(resource_id)
                .http_method(method)
                .send()
                .await
                .map_err(|e| describe("DeleteMethod", "apigateway", region, &e))?;
        }
    }
    if !ctx.dry_run && changed {
        remove_empty_resources(aws, &api_id, &wanted).await?;
    }

    // The stage: deployed again when anything above changed; stages lambda-ls deployed
    // before under another name are taken away.
    let stages = aws
        .apigateway
        .get_stages()
        .rest_api_id(&api_id)
        .send()
        .await
        .map_err(|e| describe("GetStages", "apigateway", region, &e))?;
    let stage_exists = stages
        .item()
        .iter()
        .any(|s| s.stage_name() == Some(&spec.stage));
    if changed || !stage_exists {
        outcome.changes.push(Change::new(
            &what,
            format!("deployed to stage {}", spec.stage),
        ));
        if !ctx.dry_run {
            aws.apigateway
                .create_deployment()
                .rest_api_id(&api_id)
                .stage_name(&spec.stage)
                .description("lambda-ls deploy")
                .send()
                .await
                .map_err(|e| describe("CreateDeployment", "apigateway", region, &e))?;
        }
    }
    for stage in stages.item() {
        let Some(stage_name) = stage.stage_name() else {
            continue;
        };
        if stage_name == spec.stage {
            continue;
        }
        outcome
            .changes
            .push(Change::new(&what, format!("stage {stage_name} deleted")));
        if !ctx.dry_run {
            aws.apigateway
                .delete_stage()
                .rest_api_id(&api_id)
                .stage_name(stage_name)
                .send()
                .await
                .map_err(|e| describe("DeleteStage", "apigateway", region, &e))?;
        }
    }

    let statement =
        allow_invoke(ctx, &what, STATEMENT_PREFIX, &api_id, statements, outcome).await?;
    let endpoint = format!("https://{api_id}.execute-api.{region}.amazonaws.com");
    outcome.urls.extend(
        spec.routes
            .iter()
            .map(|r| url_of(&endpoint, &spec.stage, &r.path)),
    );
    Ok(Some(statement))
}

/// The URI API Gateway invokes the function through.
fn integration_uri(region: &str, function_arn: &str) -> String {
    format!(
        "arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations"
    )
}

/// Every resource of the API, with its methods and their integrations.
async fn resources(aws: &Aws, api_id: &str) -> Result<Vec<Resource>, DeployError> {
    let mut all = Vec::new();
    let mut position: Option<String> = None;
    loop {
        let page = aws
            .apigateway
            .get_resources()
            .rest_api_id(api_id)
            .embed("methods")
            .limit(500)
            .set_position(position.take())
            .send()
            .await
            .map_err(|e| describe("GetResources", "apigateway", &aws.region, &e))?;
        all.extend(page.items().iter().cloned());
        match page.position() {
            Some(next) if !next.is_empty() => position = Some(next.to_string()),
            _ => return Ok(all),
        }
    }
}

/// Create the resources of `path` that do not exist yet; the id of the last one.
async fn create_path(
    aws: &Aws,
    api_id: &str,
    path: &str,
    resources: &mut Vec<Resource>,
) -> Result<String, DeployError> {
    let root = resources
        .iter()
        .find(|r| r.path() == Some("/"))
        .and_then(|r| r.id())
        .unwrap_or_default()
        .to_string();
    let mut parent = root;
    let mut current = String::new();
    for part in path.split('/').filter(|p| !p.is_empty()) {
        current = format!("{current}/{part}");
        if let Some(existing) = resources.iter().find(|r| r.path() == Some(&current)) {
            parent = existing.id().unwrap_or_default().to_string();
            continue;
        }
        let created = aws
            .apigateway
            .create_resource()
            .rest_api_id(api_id)
            .parent_id(&parent)
            .path_part(part)
            .send()
            .await
            .map_err(|e| describe("CreateResource", "apigateway", &aws.region, &e))?;
        parent = created.id().unwrap_or_default().to_string();
        resources.push(
            Resource::builder()
                .id(&parent)
                .path(&current)
                .path_part(part)
                .build(),
        );
    }
    Ok(parent)
}

/// Delete resources with no methods and no children left (a path that is no longer
/// configured), deepest first; the root stays.
async fn remove_empty_resources(
    aws: &Aws,
    api_id: &str,
    wanted: &HashSet<(String, String)>,
) -> Result<(), DeployError> {
    loop {
        let resources = resources(aws, api_id).await?;
        let parents: HashSet<&str> = resources.iter().filter_map(|r| r.parent_id()).collect();
        let in_use: HashSet<&str> = wanted.iter().map(|(id, _)| id.as_str()).collect();
        let empty: Vec<&Resource> = resources
            .iter()
            .filter(|r| {
                let id = r.id().unwrap_or_default();
                r.parent_id().is_some()
                    && !parents.contains(id)
                    && !in_use.contains(id)
                    && r.resource_methods().is_none_or(HashMap::is_empty)
            })
            .collect();
        if empty.is_empty() {
            return Ok(());
        }
        for resource in empty {
            match aws
                .apigateway
                .delete_resource()
                .rest_api_id(api_id)
                .resource_id(resource.id().unwrap_or_default())
                .send()
                .await
            {
                Ok(_) => {}
                Err(e) if is_not_found(&e) => {}
                Err(e) => {
                    return Err(describe("DeleteResource", "apigateway", &aws.region, &e).into())
                }
            }
        }
    }
}

/// The REST API lambda-ls created for `function`, found by its tag.
async fn find_api(aws: &Aws, function: &str) -> Result<Option<String>, DeployError> {
    let mut position: Option<String> = None;
    loop {
        let page = aws
            .apigateway
            .get_rest_apis()
            .limit(500)
            .set_position(position.take())
            .send()
            .await
            .map_err(|e| describe("GetRestApis", "apigateway", &aws.region, &e))?;
        let found = page.items().iter().find(|api| is_for(api.tags(), function));
        if let Some(api) = found {
            return Ok(api.id().map(str::to_string));
        }
        match page.position() {
            Some(next) if !next.is_empty() => position = Some(next.to_string()),
            _ => return Ok(None),
        }
    }
}

/// Take away the REST API `api_id` (when lambda-ls created it for this function) and its
/// invoke permission: the `api` trigger is no longer in lambda.toml.
pub(crate) async fn remove(
    ctx: &Context<'_>,
    api_id: &str,
    statement: &str,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    let found = match aws
        .apigateway
        .get_rest_api()
        .rest_api_id(api_id)
        .send()
        .await
    {
        Ok(api) => Some((
            api.name().unwrap_or(api_id).to_string(),
            is_for(api.tags(), ctx.name),
        )),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(describe("GetRestApi", "apigateway", region, &e).into()),
    };
    take_away(
        ctx,
        "rest api",
        api_id,
        statement,
        found,
        outcome,
        || async {
            match aws
                .apigateway
                .delete_rest_api()
                .rest_api_id(api_id)
                .send()
                .await
            {
                Ok(_) => Ok(()),
                Err(e) if is_not_found(&e) => Ok(()),
                Err(e) => Err(describe("DeleteRestApi", "apigateway", region, &e).into()),
            }
        },
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_integration_uri_names_the_function() {
        assert_eq!(
            integration_uri("eu-west-1", "arn:aws:lambda:eu-west-1:123456789012:function:sum"),
            "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:sum/invocations"
        );
    }

    fn trigger(path: Option<&str>, stage: &str) -> RestApiTrigger {
        RestApiTrigger {
            route: crate::project::ApiRoute {
                path: path.map(str::to_string),
                method: "ANY".into(),
            },
            stage: stage.into(),
        }
    }

    #[test]
    fn the_default_is_any_method_on_a_greedy_path() {
        let spec = RestApiSpec::from_triggers(&[&trigger(None, "default")]).unwrap();
        assert_eq!(routes_text(&spec.routes), "ANY /{proxy+}");
        assert_eq!(spec.stage, "default");
    }

    #[test]
    fn the_triggers_share_one_stage() {
        let spec = RestApiSpec::from_triggers(&[
            &trigger(Some("/a"), "prod"),
            &trigger(Some("/b"), "prod"),
        ])
        .unwrap();
        assert_eq!(spec.stage, "prod");
        let error = RestApiSpec::from_triggers(&[
            &trigger(Some("/a"), "prod"),
            &trigger(Some("/b"), "dev"),
        ])
        .unwrap_err();
        assert!(error.contains("`prod`, `dev`"), "{error}");
    }
}
