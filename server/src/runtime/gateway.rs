//! What API Gateway and function URLs do around a function: an HTTP request becomes a proxy
//! event (REST API payload 1.0, HTTP API payload 2.0, function URL), and the function's
//! result becomes the HTTP response. Used by `lambda-ls serve`.

use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::http::percent_decode;
use super::{ids, Invocation, InvocationStatus};
use crate::project::Function;

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
#[derive(Debug, Clone, PartialEq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

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

/// The proxy event for `request`.
pub fn event(gateway: Gateway, request: &HttpRequest) -> Value {
    match gateway {
        Gateway::RestApi => rest_event(request),
        Gateway::HttpApi | Gateway::FunctionUrl => v2_event(gateway, request),
    }
}

fn v2_event(gateway: Gateway, request: &HttpRequest) -> Value {
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
    let mut event = json!({
        "version": "2.0",
        "routeKey": "$default",
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
            "routeKey": "$default",
            "stage": "$default",
            "time": ids::gateway_time(now),
            "timeEpoch": now,
        }),
    );
    let (body, is_base64) = request.event_body();
    if let Some(body) = body {
        object.insert("body".into(), Value::from(body));
    }
    object.insert("isBase64Encoded".into(), Value::from(is_base64));
    event
}

fn rest_event(request: &HttpRequest) -> Value {
    let (path, _) = request.path_and_query();
    let path = percent_decode(path, false);
    let now = ids::epoch_millis();
    let mut headers = Map::new();
    let mut multi_headers = Map::new();
    for (name, value) in &request.headers {
        headers.insert(name.clone(), Value::from(value.as_str()));
        multi_headers
            .entry(name.clone())
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
    let proxy = path.trim_start_matches('/');
    let host = request.header("host").unwrap_or("127.0.0.1").to_string();
    let (body, is_base64) = request.event_body();
    json!({
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": request.method,
        "headers": or_null(headers),
        "multiValueHeaders": or_null(multi_headers),
        "queryStringParameters": or_null(query),
        "multiValueQueryStringParameters": or_null(multi_query),
        "pathParameters": if proxy.is_empty() { Value::Null } else { json!({ "proxy": proxy }) },
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
            "resourcePath": "/{proxy+}",
            "stage": "local",
        },
        "body": body,
        "isBase64Encoded": is_base64,
    })
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
                ("Host".into(), "127.0.0.1:3000".into()),
                ("Cookie".into(), "a=1; b=2".into()),
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
        let event = event(Gateway::HttpApi, &request("/sum?a=1&b=2&a=3&x=%20y"));
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
        let event = event(Gateway::RestApi, &request("/items/7?tag=a&tag=b"));
        assert_eq!(event["httpMethod"], "GET");
        assert_eq!(event["path"], "/items/7");
        assert_eq!(event["queryStringParameters"]["tag"], "b");
        assert_eq!(
            event["multiValueQueryStringParameters"]["tag"],
            json!(["a", "b"])
        );
        assert_eq!(event["pathParameters"]["proxy"], "items/7");
        assert_eq!(event["body"], Value::Null);
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
