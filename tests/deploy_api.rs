//! The API Gateway triggers (`http-api`, `api`) deployed through the real `lambda-ls`
//! binary and the AWS SDK over HTTP, against moto's server (each test its own, on
//! 127.0.0.1, killed by pid). boto3 checks what was built: the API, its integration, routes
//! or resources and methods, stage, and the function's invoke permission; moto's request
//! recording proves that a second deploy changes nothing.

mod aws_emulator;
mod support;

use aws_emulator::*;
use serde_json::{json, Value};

const FUNCTION_ARN: &str = "arn:aws:lambda:eu-west-1:123456789012:function:sum";

/// The course's sum function (`examples/sum`) with both kinds of API in front of it.
fn sum_api() -> (tempfile::TempDir, std::path::PathBuf) {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("sum");
    support::copy_tree(&support::repo_root().join("examples/sum"), &dir);
    std::fs::write(
        dir.join("lambda.toml"),
        "name = \"sum\"\nrole = \"arn:aws:iam::123456789012:role/lambda-basic\"\n\
         region = \"eu-west-1\"\n\n[[trigger]]\ntype = \"http-api\"\nmethod = \"GET\"\n\
         path = \"/sum\"\n\n[[trigger]]\ntype = \"api\"\nmethod = \"GET\"\npath = \"/sum\"\n",
    )
    .unwrap();
    (temp, dir)
}

fn policy(moto: &Moto) -> Vec<Value> {
    let policy = moto.call("lambda", "get_policy", json!({"FunctionName": "sum"}));
    match policy["Policy"].as_str() {
        Some(text) => serde_json::from_str::<Value>(text).unwrap()["Statement"]
            .as_array()
            .cloned()
            .unwrap_or_default(),
        None => Vec::new(),
    }
}

fn statement<'a>(statements: &'a [Value], sid: &str) -> &'a Value {
    statements
        .iter()
        .find(|s| s["Sid"] == sid)
        .unwrap_or_else(|| panic!("no statement {sid} in {statements:?}"))
}

/// The HTTP API lambda-ls made for `sum` (by its tag).
fn http_api(moto: &Moto) -> Option<Value> {
    let apis = moto.call("apigatewayv2", "get_apis", json!({}));
    apis["Items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Tags"]["lambda-ls:function"] == "sum")
        .cloned()
}

fn rest_api(moto: &Moto) -> Option<Value> {
    let apis = moto.call("apigateway", "get_rest_apis", json!({}));
    apis["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .find(|a| a["tags"]["lambda-ls:function"] == "sum")
}

fn rest_resources(moto: &Moto, api_id: &str) -> Vec<Value> {
    let resources = moto.call(
        "apigateway",
        "get_resources",
        json!({"restApiId": api_id, "embed": ["methods"]}),
    );
    resources["items"].as_array().cloned().unwrap_or_default()
}

#[test]
fn http_and_rest_apis_are_created_once_updated_and_removed() {
    let moto = Moto::start();
    let (_temp, dir) = sum_api();

    // A dry run of a new function plans the APIs and creates nothing.
    let out = assert_ok(&moto.cli(&dir, &["deploy", "--dry-run"]));
    assert!(
        out.contains("http api sum-API: created (GET /sum, stage $default)"),
        "{out}"
    );
    assert!(
        out.contains("rest api sum-API: created (GET /sum, stage default)"),
        "{out}"
    );
    assert!(http_api(&moto).is_none());

    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    for change in [
        "http api sum-API: created (GET /sum, stage $default)",
        "http api sum-API: Lambda proxy integration created (payload 2.0)",
        "http api sum-API: route GET /sum created",
        "http api sum-API: stage $default created (auto-deploy)",
        "http api sum-API: API Gateway allowed to invoke the function",
        "rest api sum-API: created (GET /sum, stage default)",
        "rest api sum-API: resource /sum created",
        "rest api sum-API: GET /sum integrated with the function (AWS_PROXY)",
        "rest api sum-API: deployed to stage default",
        "rest api sum-API: API Gateway allowed to invoke the function",
    ] {
        assert!(out.contains(change), "missing {change:?} in:\n{out}");
    }
    assert!(!out.contains("not deployed by lambda-ls yet"), "{out}");

    // The HTTP API: integration, route, stage, permission scoped to it, URL printed.
    let api = http_api(&moto).expect("an HTTP API tagged for the function");
    let api_id = api["ApiId"].as_str().unwrap().to_string();
    assert_eq!(api["Name"], "sum-API");
    assert_eq!(api["ProtocolType"], "HTTP");
    let integrations = moto.call("apigatewayv2", "get_integrations", json!({"ApiId": api_id}));
    let integrations = integrations["Items"].as_array().unwrap();
    assert_eq!(integrations.len(), 1, "{integrations:?}");
    assert_eq!(integrations[0]["IntegrationType"], "AWS_PROXY");
    assert_eq!(integrations[0]["IntegrationUri"], FUNCTION_ARN);
    assert_eq!(integrations[0]["PayloadFormatVersion"], "2.0");
    let integration_id = integrations[0]["IntegrationId"].as_str().unwrap();
    let routes = moto.call("apigatewayv2", "get_routes", json!({"ApiId": api_id}));
    let routes = routes["Items"].as_array().unwrap();
    assert_eq!(routes.len(), 1, "{routes:?}");
    assert_eq!(routes[0]["RouteKey"], "GET /sum");
    assert_eq!(
        routes[0]["Target"],
        format!("integrations/{integration_id}")
    );
    let stages = moto.call("apigatewayv2", "get_stages", json!({"ApiId": api_id}));
    let stages = stages["Items"].as_array().unwrap();
    assert_eq!(stages.len(), 1, "{stages:?}");
    assert_eq!(stages[0]["StageName"], "$default");
    assert_eq!(stages[0]["AutoDeploy"], true);
    let http_url = format!("https://{api_id}.execute-api.eu-west-1.amazonaws.com/sum");
    assert!(out.contains(&format!("url: {http_url}\n")), "{out}");

    // The REST API: resource, method, AWS_PROXY integration, stage, permission, URL.
    let rest = rest_api(&moto).expect("a REST API tagged for the function");
    let rest_id = rest["id"].as_str().unwrap().to_string();
    assert_eq!(rest["name"], "sum-API");
    let resources = rest_resources(&moto, &rest_id);
    let sum = resources
        .iter()
        .find(|r| r["path"] == "/sum")
        .unwrap_or_else(|| panic!("no /sum in {resources:?}"));
    let method = &sum["resourceMethods"]["GET"];
    assert_eq!(method["authorizationType"], "NONE", "{sum}");
    let integration = moto.call(
        "apigateway",
        "get_integration",
        json!({"restApiId": rest_id, "resourceId": sum["id"], "httpMethod": "GET"}),
    );
    assert_eq!(integration["type"], "AWS_PROXY");
    assert_eq!(integration["httpMethod"], "POST");
    assert_eq!(
        integration["uri"],
        format!("arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/{FUNCTION_ARN}/invocations")
    );
    let stages = moto.call("apigateway", "get_stages", json!({"restApiId": rest_id}));
    let names: Vec<&str> = stages["item"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stageName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default"]);
    let rest_url = format!("https://{rest_id}.execute-api.eu-west-1.amazonaws.com/default/sum");
    assert!(out.contains(&format!("url: {rest_url}\n")), "{out}");

    let statements = policy(&moto);
    for (sid, id) in [
        (format!("lambda-ls-http-api-{api_id}"), &api_id),
        (format!("lambda-ls-api-{rest_id}"), &rest_id),
    ] {
        let found = statement(&statements, &sid);
        assert_eq!(
            found["Principal"]["Service"], "apigateway.amazonaws.com",
            "{found}"
        );
        assert_eq!(found["Action"], "lambda:InvokeFunction", "{found}");
        let source = found["Condition"]["ArnLike"]["AWS:SourceArn"]
            .as_str()
            .unwrap();
        assert_eq!(
            source,
            format!("arn:aws:execute-api:eu-west-1:123456789012:{id}/*")
        );
    }

    // A second deploy finds both APIs by their tag and changes nothing.
    let before = moto.recorded().len();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");
    assert!(out.contains(&format!("url: {http_url}")), "{out}");
    assert!(out.contains(&format!("url: {rest_url}")), "{out}");
    assert_eq!(
        changing_requests(&moto.recorded()[before..]),
        Vec::<String>::new()
    );
    let apis = moto.call("apigatewayv2", "get_apis", json!({}));
    assert_eq!(apis["Items"].as_array().unwrap().len(), 1);
    let apis = moto.call("apigateway", "get_rest_apis", json!({}));
    assert_eq!(apis["items"].as_array().unwrap().len(), 1);

    // Another method and path: the route moves, the REST method moves and is redeployed.
    let toml = std::fs::read_to_string(dir.join("lambda.toml")).unwrap();
    std::fs::write(
        dir.join("lambda.toml"),
        toml.replace(
            "method = \"GET\"\npath = \"/sum\"",
            "method = \"POST\"\npath = \"/add\"",
        ),
    )
    .unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    for change in [
        "http api sum-API: route GET /sum → POST /add",
        "rest api sum-API: resource /add created",
        "rest api sum-API: POST /add integrated with the function (AWS_PROXY)",
        "rest api sum-API: GET /sum deleted",
        "rest api sum-API: deployed to stage default",
    ] {
        assert!(out.contains(change), "missing {change:?} in:\n{out}");
    }
    assert!(!out.contains("created (POST"), "the same APIs:\n{out}");
    let routes = moto.call("apigatewayv2", "get_routes", json!({"ApiId": api_id}));
    let keys: Vec<&str> = routes["Items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["RouteKey"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["POST /add"]);
    let paths: Vec<String> = rest_resources(&moto, &rest_id)
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    assert!(paths.contains(&"/add".to_string()), "{paths:?}");
    assert!(
        !paths.contains(&"/sum".to_string()),
        "emptied resources go: {paths:?}"
    );
    assert!(out.contains(&format!(
        "url: https://{api_id}.execute-api.eu-west-1.amazonaws.com/add"
    )));
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");

    // Triggers taken out of lambda.toml: the APIs and their permissions are taken away.
    std::fs::write(
        dir.join("lambda.toml"),
        "name = \"sum\"\nrole = \"arn:aws:iam::123456789012:role/lambda-basic\"\nregion = \"eu-west-1\"\n",
    )
    .unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.contains("http api sum-API: deleted (no longer in lambda.toml)"),
        "{out}"
    );
    assert!(
        out.contains("rest api sum-API: deleted (no longer in lambda.toml)"),
        "{out}"
    );
    assert!(!out.contains("url: "), "{out}");
    assert!(http_api(&moto).is_none());
    assert!(rest_api(&moto).is_none());
    let statements = policy(&moto);
    assert!(
        statements
            .iter()
            .all(|s| !s["Sid"].as_str().unwrap().contains("api-")),
        "{statements:?}"
    );
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");
}

#[test]
fn default_routes_are_the_consoles() {
    let moto = Moto::start();
    let (_temp, dir) = sum_api();
    std::fs::write(
        dir.join("lambda.toml"),
        "name = \"sum\"\nrole = \"arn:aws:iam::123456789012:role/lambda-basic\"\n\
         region = \"eu-west-1\"\n\n[[trigger]]\ntype = \"http-api\"\n\n[[trigger]]\ntype = \"api\"\n",
    )
    .unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.contains("http api sum-API: route ANY /sum created"),
        "{out}"
    );
    let api_id = http_api(&moto).unwrap()["ApiId"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        out.contains(&format!(
            "url: https://{api_id}.execute-api.eu-west-1.amazonaws.com/sum\n"
        )),
        "{out}"
    );
    let rest_id = rest_api(&moto).unwrap()["id"].as_str().unwrap().to_string();
    let resources = rest_resources(&moto, &rest_id);
    let proxy = resources
        .iter()
        .find(|r| r["path"] == "/{proxy+}")
        .unwrap_or_else(|| panic!("no /{{proxy+}} in {resources:?}"));
    assert!(proxy["resourceMethods"].get("ANY").is_some(), "{proxy}");
    assert!(
        out.contains(&format!(
            "url: https://{rest_id}.execute-api.eu-west-1.amazonaws.com/default/\n"
        )),
        "{out}"
    );
}

#[test]
fn cors_and_stage_are_deployed_and_changed_in_place() {
    let moto = Moto::start();
    let (_temp, dir) = sum_api();
    let with = |cors: &str, stage: &str| {
        format!(
            "name = \"sum\"\nrole = \"arn:aws:iam::123456789012:role/lambda-basic\"\n\
             region = \"eu-west-1\"\n\n[[trigger]]\ntype = \"http-api\"\nmethod = \"GET\"\n\
             path = \"/sum\"\n{cors}\n\n[[trigger]]\ntype = \"api\"\nmethod = \"GET\"\n\
             path = \"/sum\"\nstage = \"{stage}\"\n"
        )
    };
    std::fs::write(dir.join("lambda.toml"), with("cors = true", "prod")).unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(
        out.contains("rest api sum-API: deployed to stage prod"),
        "{out}"
    );
    let api = http_api(&moto).unwrap();
    let api_id = api["ApiId"].as_str().unwrap().to_string();
    let cors = &api["CorsConfiguration"];
    assert_eq!(cors["AllowOrigins"], json!(["*"]), "{api}");
    assert_eq!(cors["AllowMethods"], json!(["*"]), "{api}");
    assert_eq!(cors["AllowHeaders"], json!(["*"]), "{api}");
    let rest_id = rest_api(&moto).unwrap()["id"].as_str().unwrap().to_string();
    let stage_names = |moto: &Moto| -> Vec<String> {
        let stages = moto.call("apigateway", "get_stages", json!({"restApiId": rest_id}));
        stages["item"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["stageName"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(stage_names(&moto), ["prod"]);
    assert!(
        out.contains(&format!(
            "url: https://{rest_id}.execute-api.eu-west-1.amazonaws.com/prod/sum\n"
        )),
        "{out}"
    );
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");

    // Narrower CORS and another stage: the same APIs, changed in place.
    let narrow = "cors = { origins = [\"https://course.example\"], methods = [\"GET\"] }";
    std::fs::write(dir.join("lambda.toml"), with(narrow, "dev")).unwrap();
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    for change in [
        "http api sum-API: CORS set",
        "rest api sum-API: deployed to stage dev",
        "rest api sum-API: stage prod deleted",
    ] {
        assert!(out.contains(change), "missing {change:?} in:\n{out}");
    }
    let api = http_api(&moto).unwrap();
    assert_eq!(api["ApiId"], api_id.as_str());
    let cors = &api["CorsConfiguration"];
    assert_eq!(
        cors["AllowOrigins"],
        json!(["https://course.example"]),
        "{api}"
    );
    assert_eq!(cors["AllowMethods"], json!(["GET"]), "{api}");
    assert_eq!(cors["AllowHeaders"], json!(["*"]), "{api}");
    assert_eq!(stage_names(&moto), ["dev"]);
    let out = assert_ok(&moto.cli(&dir, &["deploy"]));
    assert!(out.contains("is up to date: nothing changed"), "{out}");

    // Two `api` triggers naming different stages: refused before anything changes.
    std::fs::write(
        dir.join("lambda.toml"),
        format!(
            "{}\n[[trigger]]\ntype = \"api\"\npath = \"/other\"\nstage = \"prod\"\n",
            with(narrow, "dev")
        ),
    )
    .unwrap();
    let before = moto.recorded().len();
    assert_fails_with(
        &moto.cli(&dir, &["deploy"]),
        &["`dev`, `prod`", "write the same `stage` on each"],
    );
    assert_eq!(
        changing_requests(&moto.recorded()[before..]),
        Vec::<String>::new()
    );
}
