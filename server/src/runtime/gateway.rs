//! What API Gateway and function URLs do around a function: an HTTP request becomes a proxy
//! event (REST API payload 1.0, HTTP API payload 2.0, function URL), and the function's
//! result becomes the HTTP response. Used by `lambda-ls serve`.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::http::percent_decode;
use super::{ids, Invocation, InvocationStatus};
use crate::project::{Function, Trigger};

/// Which front door the function sits behind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gateway {
    /// REST API (`api`), proxy integration, payload 1.0.
    RestApi,
    /// HTTP API (`http-api`), payload 2.0.
    HttpApi,
    /// Function URL (`function-url`), payload 2.0.
    FunctionUrl,
}

impl Gateway {
    /// The gateway of a trigger type, when it is an HTTP one.
    pub fn from_trigger(kind: &str) -> Option<Gateway> {
        match kind {
            "api" => Some(Gateway::RestApi),
            "http-api" => Some(Gateway::HttpApi),
            "function-url" => Some(Gateway::FunctionUrl),
            _ => None,
        }
    }

    /// The function's first trigger when it is an HTTP one; an HTTP API otherwise.
    pub fn for_function(function: &Function) -> Gateway {
        function
            .config
            .triggers
            .first()
            .and_then(|trigger| Gateway::from_trigger(trigger.kind()))
            .unwrap_or(Gateway::HttpApi)
    }

    /// The trigger type name (`api`, `http-api`, `function-url`).
    pub fn name(self) -> &'static str {
        match self {
            Gateway::RestApi => "api",
            Gateway::HttpApi => "http-api",
            Gateway::FunctionUrl => "function-url",
        }
    }
}

/// A route of an API to the function: `GET /items/{id}`, `ANY /{proxy+}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// `ANY` or a method in upper case.
    pub method: String,
    /// The resource path, `{name}` matching one segment and `{name+}` the rest.
    pub path: String,
}

/// The route a request took, with the path parameters it bound.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    pub route: Route,
    pub parameters: Vec<(String, String)>,
}

/// The routes `serve` answers on, from the function's triggers of `gateway`'s type; empty
/// (every path answered) for a function URL or a function with no API trigger.
pub fn routes(function: &Function, gateway: Gateway) -> Vec<Route> {
    function
        .config
        .triggers
        .iter()
        .filter_map(|trigger| match (gateway, trigger) {
            // The defaults are the ones deploy uses (`project::trigger`).
            (Gateway::RestApi, Trigger::Api(api)) => Some(Route {
                method: api.route.method.to_ascii_uppercase(),
                path: api.path().to_string(),
            }),
            (Gateway::HttpApi, Trigger::HttpApi(api)) => Some(Route {
                method: api.route.method.to_ascii_uppercase(),
                path: api.path(&function.config.name.value),
            }),
            _ => None,
        })
        .collect()
}

impl Route {
    /// The path parameters when `method` and `path` (percent-decoded) take this route.
    pub fn matches(&self, method: &str, path: &str) -> Option<Vec<(String, String)>> {
        if self.method != "ANY" && !self.method.eq_ignore_ascii_case(method) {
            return None;
        }
        let mut parameters = Vec::new();
        let mut wanted = segments(&self.path);
        let mut given = segments(path);
        loop {
            match (wanted.next(), given.next()) {
                (None, None) => return Some(parameters),
                (Some(template), Some(value)) => {
                    let name = template.strip_prefix('{').and_then(|t| t.strip_suffix('}'));
                    match name {
                        Some(greedy) if greedy.ends_with('+') => {
                            let rest: Vec<&str> = std::iter::once(value).chain(given).collect();
                            parameters
                                .push((greedy.trim_end_matches('+').to_string(), rest.join("/")));
                            return wanted.next().is_none().then_some(parameters);
                        }
                        Some(name) => parameters.push((name.to_string(), value.to_string())),
                        None if template == value => {}
                        None => return None,
                    }
                }
                _ => return None,
            }
        }
    }

    /// `GET /sum`, as API Gateway writes a route key.
    pub fn key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

fn segments(path: &str) -> impl Iterator<Item = &str> {
    path.split('/').filter(|segment| !segment.is_empty())
}

/// The route `request` takes among `routes`; `Err` is the gateway's answer when it takes none
/// (`Ok(None)`: no routes, every request goes to the function).
pub fn route(
    gateway: Gateway,
    routes: &[Route],
    request: &HttpRequest,
) -> Result<Option<Matched>, HttpResponse> {
    if routes.is_empty() {
        return Ok(None);
    }
    let (path, _) = request.path_and_query();
    let path = percent_decode(path, false);
    for route in routes {
        if let Some(parameters) = route.matches(&request.method, &path) {
            return Ok(Some(Matched {
                route: route.clone(),
                parameters,
            }));
        }
    }
    Err(match gateway {
        // What REST APIs answer for a path or method they do not have.
        Gateway::RestApi => {
            HttpResponse::json(403, &br#"{"message":"Missing Authentication Token"}"#[..])
        }
        _ => HttpResponse::json(404, &br#"{"message":"Not Found"}"#[..]),
    })
}

/// An HTTP request as the gateway received it.
#[derive(Debug, Clone)]
pub struct HttpRequest {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub source_ip: String,
}

/// The HTTP response the gateway sends back.
pub type HttpResponse = super::http::Response;

impl HttpRequest {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn path_and_query(&self) -> (&str, &str) {
        self.target.split_once('?').unwrap_or((&self.target, ""))
    }

    fn query_pairs(&self) -> Vec<(String, String)> {
        let (_, query) = self.path_and_query();
        query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key, true), percent_decode(value, true))
            })
            .collect()
    }

    /// The body as the event carries it: text, or base64 for binary content.
    fn event_body(&self) -> (Option<String>, bool) {
        if self.body.is_empty() {
            return (None, false);
        }
        let content_type = self
            .header("content-type")
            .unwrap_or("")
            .to_ascii_lowercase();
        let textual = content_type.is_empty()
            || content_type.starts_with("text/")
            || [
                "json",
                "xml",
                "javascript",
                "x-www-form-urlencoded",
                "yaml",
                "graphql",
            ]
            .iter()
            .any(|t| content_type.contains(t));
        match std::str::from_utf8(&self.body) {
            Ok(text) if textual => (Some(text.to_string()), false),
            _ => (
                Some(base64::engine::general_purpose::STANDARD.encode(&self.body)),
                true,
            ),
        }
    }
}

/// The proxy event for `request`, which took route `matched` (if the API has routes).
pub fn event(gateway: Gateway, request: &HttpRequest, matched: Option<&Matched>) -> Value {
    match gateway {
        Gateway::RestApi => rest_event(request, matched),
        Gateway::HttpApi | Gateway::FunctionUrl => v2_event(gateway, request, matched),
    }
}

fn parameters_of(matched: &Matched) -> Value {
    Value::Object(
        matched
            .parameters
            .iter()
            .map(|(name, value)| (name.clone(), Value::from(value.as_str())))
            .collect(),
    )
}

fn v2_event(gateway: Gateway, request: &HttpRequest, matched: Option<&Matched>) -> Value {
    let (raw_path, raw_query) = request.path_and_query();
    let now = ids::epoch_millis();
    let mut headers = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in &request.headers {
        let name = name.to_ascii_lowercase();
        if name == "cookie" {
            cookies.extend(value.split(';').map(|c| Value::from(c.trim())));
            continue;
        }
        match headers.get_mut(&name) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(value);
            }
            _ => {
                headers.insert(name, Value::from(value.as_str()));
            }
        }
    }
    let mut query = Map::new();
    for (key, value) in request.query_pairs() {
        match query.get_mut(&key) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                query.insert(key, Value::from(value));
            }
        }
    }
    let host = request.header("host").unwrap_or("127.0.0.1").to_string();
    let api_id = match gateway {
        Gateway::FunctionUrl => "localfunctionurl",
        _ => "localapi",
    };
    let route_key = matched.map_or_else(|| "$default".to_string(), |m| m.route.key());
    let mut event = json!({
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    });
    let object = event.as_object_mut().expect("a JSON object");
    if !cookies.is_empty() {
        object.insert("cookies".into(), Value::Array(cookies));
    }
    object.insert("headers".into(), Value::Object(headers));
    if !query.is_empty() {
        object.insert("queryStringParameters".into(), Value::Object(query));
    }
    object.insert(
        "requestContext".into(),
        json!({
            "accountId": "123456789012",
            "apiId": api_id,
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or(&host),
            "http": {
                "method": request.method,
                "path": raw_path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": request.header("user-agent").unwrap_or(""),
            },
            "requestId": ids::request_id(),
            "routeKey": route_key,
            "stage": "$default",
            "time": ids::gateway_time(now),
            "timeEpoch": now,
        }),
    );
    if let Some(matched) = matched.filter(|m| !m.parameters.is_empty()) {
        object.insert("pathParameters".into(), parameters_of(matched));
    }
    let (body, is_base64) = request.event_body();
    if let Some(body) = body {
        object.insert("body".into(), Value::from(body));
    }
    object.insert("isBase64Encoded".into(), Value::from(is_base64));
    event
}

fn rest_event(request: &HttpRequest, matched: Option<&Matched>) -> Value {
    let (path, _) = request.path_and_query();
    let path = percent_decode(path, false);
    let now = ids::epoch_millis();
    let mut headers = Map::new();
    let mut multi_headers = Map::new();
    for (name, value) in &request.headers {
        let name = as_clients_send(name);
        headers.insert(name.clone(), Value::from(value.as_str()));
        multi_headers
            .entry(name)
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("an array")
            .push(Value::from(value.as_str()));
    }
    let mut query = Map::new();
    let mut multi_query = Map::new();
    for (key, value) in request.query_pairs() {
        query.insert(key.clone(), Value::from(value.as_str()));
        multi_query
            .entry(key)
            .or_insert_with(|| Value::Array(Vec::new()))
            .as_array_mut()
            .expect("an array")
            .push(Value::from(value));
    }
    let or_null = |map: Map<String, Value>| {
        if map.is_empty() {
            Value::Null
        } else {
            Value::Object(map)
        }
    };
    // Without routes, the function sits behind `ANY /{proxy+}`.
    let proxy = path.trim_start_matches('/');
    let (resource, path_parameters) = match matched {
        Some(matched) if matched.parameters.is_empty() => (matched.route.path.clone(), Value::Null),
        Some(matched) => (matched.route.path.clone(), parameters_of(matched)),
        None if proxy.is_empty() => ("/{proxy+}".to_string(), Value::Null),
        None => ("/{proxy+}".to_string(), json!({ "proxy": proxy })),
    };
    let host = request.header("host").unwrap_or("127.0.0.1").to_string();
    let (body, is_base64) = request.event_body();
    json!({
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": or_null(headers),
        "multiValueHeaders": or_null(multi_headers),
        "queryStringParameters": or_null(query),
        "multiValueQueryStringParameters": or_null(multi_query),
        "pathParameters": path_parameters,
        "stageVariables": null,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "localapi",
            "domainName": host,
            "domainPrefix": host.split('.').next().unwrap_or(&host),
            "extendedRequestId": ids::random_hex(16),
            "httpMethod": request.method,
            "identity": {
                "accessKey": null,
                "accountId": null,
                "caller": null,
                "cognitoAuthenticationProvider": null,
                "cognitoAuthenticationType": null,
                "cognitoIdentityId": null,
                "cognitoIdentityPoolId": null,
                "principalOrgId": null,
                "sourceIp": request.source_ip,
                "user": null,
                "userAgent": request.header("user-agent"),
                "userArn": null,
            },
            "path": format!("/local{path}"),
            "protocol": "HTTP/1.1",
            "requestId": ids::request_id(),
            "requestTime": ids::gateway_time(now),
            "requestTimeEpoch": now,
            "resourceId": "local",
            "resourcePath": resource,
            "stage": "local",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    })
}

/// A header name as HTTP/1.1 clients (curl, browsers, requests) send it, `Content-Type`:
/// REST APIs pass names as sent, and the HTTP server here gives them in lower case.
fn as_clients_send(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut word_start = true;
    for c in name.chars() {
        out.push(if word_start {
            c.to_ascii_uppercase()
        } else {
            c.to_ascii_lowercase()
        });
        word_start = c == '-';
    }
    out
}

fn internal_error(gateway: Gateway) -> HttpResponse {
    // REST APIs and HTTP APIs word it differently.
    let body = match gateway {
        Gateway::RestApi => r#"{"message": "Internal server error"}"#,
        _ => r#"{"message":"Internal Server Error"}"#,
    };
    HttpResponse {
        status: 502,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.as_bytes().to_vec(),
    }
}

/// The HTTP response the gateway makes of an invocation's result.
pub fn response(gateway: Gateway, invocation: &Invocation) -> HttpResponse {
    if invocation.status == InvocationStatus::FunctionError {
        return internal_error(gateway);
    }
    let parsed: Option<Value> = serde_json::from_slice(&invocation.payload).ok();
    let proxy = parsed
        .as_ref()
        .and_then(Value::as_object)
        .filter(|o| o.contains_key("statusCode"));
    let Some(proxy) = proxy else {
        return match (gateway, parsed) {
            // Payload 2.0 infers a 200 JSON response from any other valid JSON.
            (Gateway::HttpApi | Gateway::FunctionUrl, Some(_)) => HttpResponse {
                status: 200,
                headers: vec![("Content-Type".into(), "application/json".into())],
                body: invocation.payload.clone(),
            },
            _ => internal_error(gateway),
        };
    };
    proxy_response(gateway, proxy).unwrap_or_else(|| internal_error(gateway))
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn proxy_response(gateway: Gateway, proxy: &Map<String, Value>) -> Option<HttpResponse> {
    let status = match proxy.get("statusCode")? {
        Value::Number(n) => n.as_u64()?,
        Value::String(s) => s.parse().ok()?,
        _ => return None,
    };
    let status = u16::try_from(status)
        .ok()
        .filter(|s| (100..600).contains(s))?;
    let mut headers = Vec::new();
    if let Some(map) = proxy.get("headers").and_then(Value::as_object) {
        for (name, value) in map {
            headers.push((name.clone(), text_of(value)));
        }
    }
    if let Some(map) = proxy.get("multiValueHeaders").and_then(Value::as_object) {
        for (name, values) in map {
            for value in values.as_array().into_iter().flatten() {
                headers.push((name.clone(), text_of(value)));
            }
        }
    }
    if gateway != Gateway::RestApi {
        for cookie in proxy
            .get("cookies")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            headers.push(("Set-Cookie".into(), text_of(cookie)));
        }
    }
    let body = match proxy.get("body") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => text_of(value).into_bytes(),
    };
    let body = if proxy
        .get("isBase64Encoded")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        base64::engine::general_purpose::STANDARD
            .decode(&body)
            .ok()?
    } else {
        body
    };
    Some(HttpResponse {
        status,
        headers,
        body,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::Report;

    fn request(target: &str) -> HttpRequest {
        HttpRequest {
            method: "GET".into(),
            target: target.into(),
            headers: vec![
                ("host".into(), "127.0.0.1:3000".into()),
                ("cookie".into(), "a=1; b=2".into()),
            ],
            body: Vec::new(),
            source_ip: "127.0.0.1".into(),
        }
    }

    fn invocation(payload: &str, status: InvocationStatus) -> Invocation {
        Invocation {
            request_id: "id".into(),
            status,
            payload: payload.as_bytes().to_vec(),
            error_type: None,
            log: String::new(),
            report: Report {
                duration_ms: 1.0,
                billed_ms: 1,
                memory_mb: 128,
                max_memory_used_mb: 1,
                init_duration_ms: None,
                status: None,
                error_type: None,
            },
            cold_start: false,
            notes: Vec::new(),
        }
    }

    #[test]
    fn http_api_event_has_payload_v2_shape() {
        let event = event(Gateway::HttpApi, &request("/sum?a=1&b=2&a=3&x=%20y"), None);
        assert_eq!(event["version"], "2.0");
        assert_eq!(event["rawPath"], "/sum");
        assert_eq!(event["rawQueryString"], "a=1&b=2&a=3&x=%20y");
        assert_eq!(event["queryStringParameters"]["a"], "1,3");
        assert_eq!(event["queryStringParameters"]["x"], " y");
        assert_eq!(event["cookies"], json!(["a=1", "b=2"]));
        assert_eq!(event["requestContext"]["http"]["method"], "GET");
        assert!(event.get("body").is_none());
    }

    #[test]
    fn rest_event_has_payload_v1_shape() {
        let event = event(Gateway::RestApi, &request("/items/7?tag=a&tag=b"), None);
        assert_eq!(event["httpMethod"], "GET");
        assert_eq!(event["path"], "/items/7");
        assert_eq!(event["queryStringParameters"]["tag"], "b");
        assert_eq!(
            event["multiValueQueryStringParameters"]["tag"],
            json!(["a", "b"])
        );
        assert_eq!(event["pathParameters"]["proxy"], "items/7");
        assert_eq!(event["headers"]["Host"], "127.0.0.1:3000");
        assert_eq!(event["body"], Value::Null);
    }

    fn route(method: &str, path: &str) -> Route {
        Route {
            method: method.into(),
            path: path.into(),
        }
    }

    #[test]
    fn routes_match_methods_paths_and_parameters() {
        let sum = route("GET", "/sum");
        assert_eq!(sum.matches("GET", "/sum"), Some(vec![]));
        assert_eq!(sum.matches("GET", "/sum/"), Some(vec![]));
        assert_eq!(sum.matches("POST", "/sum"), None);
        assert_eq!(sum.matches("GET", "/sums"), None);
        assert_eq!(sum.matches("GET", "/"), None);
        let item = route("ANY", "/items/{id}");
        assert_eq!(
            item.matches("DELETE", "/items/7"),
            Some(vec![("id".into(), "7".into())])
        );
        assert_eq!(item.matches("GET", "/items/7/x"), None);
        assert_eq!(item.matches("GET", "/items"), None);
        let proxy = route("ANY", "/files/{proxy+}");
        assert_eq!(
            proxy.matches("GET", "/files/a/b.txt"),
            Some(vec![("proxy".into(), "a/b.txt".into())])
        );
        assert_eq!(proxy.matches("GET", "/files"), None);
    }

    #[test]
    fn unknown_routes_get_the_gateways_answer_and_known_ones_their_parameters() {
        let routes = [route("GET", "/items/{id}")];
        let rest = super::route(Gateway::RestApi, &routes, &request("/nope")).unwrap_err();
        assert_eq!(rest.status, 403);
        assert_eq!(rest.body, br#"{"message":"Missing Authentication Token"}"#);
        let http = super::route(Gateway::HttpApi, &routes, &request("/nope")).unwrap_err();
        assert_eq!(
            (http.status, &http.body[..]),
            (404, &br#"{"message":"Not Found"}"#[..])
        );
        assert_eq!(
            super::route(Gateway::HttpApi, &[], &request("/nope")),
            Ok(None)
        );
        let matched = super::route(Gateway::RestApi, &routes, &request("/items/7?x=1"))
            .unwrap()
            .unwrap();
        let rest_event = event(Gateway::RestApi, &request("/items/7?x=1"), Some(&matched));
        assert_eq!(rest_event["resource"], "/items/{id}");
        assert_eq!(rest_event["pathParameters"], json!({"id": "7"}));
        let v2 = event(Gateway::HttpApi, &request("/items/7"), Some(&matched));
        assert_eq!(v2["routeKey"], "GET /items/{id}");
        assert_eq!(v2["requestContext"]["routeKey"], "GET /items/{id}");
        assert_eq!(v2["pathParameters"], json!({"id": "7"}));
    }

    #[test]
    fn proxy_results_become_http_responses() {
        let result = invocation(
            r#"{"statusCode":201,"headers":{"X-A":"1"},"multiValueHeaders":{"X-B":["2","3"]},"cookies":["c=1"],"body":"aGk=","isBase64Encoded":true}"#,
            InvocationStatus::Success,
        );
        let response = response(Gateway::HttpApi, &result);
        assert_eq!(response.status, 201);
        assert_eq!(response.body, b"hi");
        assert!(response.headers.contains(&("X-B".into(), "3".into())));
        assert!(response
            .headers
            .contains(&("Set-Cookie".into(), "c=1".into())));
    }

    #[test]
    fn non_proxy_results_and_errors() {
        let plain = invocation(r#"{"sum": 3}"#, InvocationStatus::Success);
        assert_eq!(response(Gateway::HttpApi, &plain).status, 200);
        assert_eq!(response(Gateway::RestApi, &plain).status, 502);
        let failed = invocation(r#"{"errorType":"x"}"#, InvocationStatus::FunctionError);
        let answer = response(Gateway::HttpApi, &failed);
        assert_eq!(answer.status, 502);
        assert_eq!(answer.body, br#"{"message":"Internal Server Error"}"#);
    }
}
