//! `[[trigger]]` tables, typed. Each table is validated against the schema and turned into
//! a [`Trigger`] once, when `lambda.toml` is read (`config::triggers`); every later stage
//! (the event shape, `serve`, deploy, templates) matches on these types instead of reading
//! keys again.

use std::collections::BTreeMap;

use serde_json::Value;

use super::schedule::Schedule;
use super::schema::TriggerSpec;

/// One event source of a function.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    S3(S3Trigger),
    /// An API Gateway REST API (Lambda proxy integration, payload v1).
    Api(RestApiTrigger),
    /// An API Gateway HTTP API (payload v2).
    HttpApi(HttpApiTrigger),
    FunctionUrl(FunctionUrlTrigger),
    Schedule(ScheduleTrigger),
    EventBridge(EventBridgeTrigger),
    Sqs(SqsTrigger),
    Sns(SnsTrigger),
    DynamoDb(StreamTrigger),
    Kinesis(StreamTrigger),
    /// An event source whose settings lambda-ls does not model (Firehose, Cognito, …): the
    /// event shape and templates work; deploy leaves it to the user. Its keys as written.
    Other {
        kind: &'static str,
        settings: BTreeMap<String, Value>,
    },
    /// A modelled source whose required settings are missing or invalid: `lambda.toml`'s
    /// diagnostics say which. It still decides the event shape while the user types.
    Incomplete {
        kind: &'static str,
    },
}

/// S3 bucket notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Trigger {
    pub bucket: String,
    /// S3 event types (`s3:ObjectCreated:*` unless set).
    pub events: Vec<String>,
    pub prefix: Option<String>,
    pub suffix: Option<String>,
}

/// A route of an API Gateway API to the function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiRoute {
    /// The resource path (`/sum`, `/items/{id}`); `None` for the API type's default.
    pub path: Option<String>,
    /// The HTTP method, `ANY` unless set.
    pub method: String,
}

/// An API Gateway REST API route, deployed to a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RestApiTrigger {
    pub route: ApiRoute,
    /// `default` unless set, as the console names it.
    pub stage: String,
}

impl RestApiTrigger {
    /// The path when none is set: every path, as the console's trigger does.
    pub const DEFAULT_PATH: &'static str = "/{proxy+}";
    pub const DEFAULT_STAGE: &'static str = "default";

    pub fn path(&self) -> &str {
        self.route.path.as_deref().unwrap_or(Self::DEFAULT_PATH)
    }
}

/// An API Gateway HTTP API route.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpApiTrigger {
    pub route: ApiRoute,
    /// Which browser origins may call the API; `None`: no CORS.
    pub cors: Option<Cors>,
}

impl HttpApiTrigger {
    /// The path: as set, else `/<function name>` as the console's trigger does.
    pub fn path(&self, function: &str) -> String {
        self.route
            .path
            .clone()
            .unwrap_or_else(|| format!("/{function}"))
    }
}

/// A CORS configuration: `*` in a list allows any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cors {
    pub origins: Vec<String>,
    pub methods: Vec<String>,
    pub headers: Vec<String>,
}

impl Cors {
    /// `cors = true`: any origin, method and header.
    pub fn any() -> Cors {
        let any = || vec!["*".to_string()];
        Cors {
            origins: any(),
            methods: any(),
            headers: any(),
        }
    }
}

/// Who may call a function URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UrlAuth {
    AwsIam,
    None,
}

impl UrlAuth {
    pub fn as_str(self) -> &'static str {
        match self {
            UrlAuth::AwsIam => "AWS_IAM",
            UrlAuth::None => "NONE",
        }
    }
}

/// A Lambda function URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionUrlTrigger {
    pub auth: UrlAuth,
    /// Allow browser calls from any origin.
    pub cors: bool,
}

/// An EventBridge scheduled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduleTrigger {
    pub schedule: Schedule,
    /// A constant JSON document sent instead of the scheduled-event payload.
    pub input: Option<String>,
    pub description: Option<String>,
    pub enabled: bool,
}

/// An EventBridge rule matching events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBridgeTrigger {
    /// The event pattern as JSON text.
    pub pattern: Option<String>,
    pub bus: Option<String>,
    pub enabled: bool,
}

/// An SQS event source mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqsTrigger {
    pub queue: String,
    pub batch_size: Option<u32>,
    /// Seconds.
    pub batching_window: Option<u32>,
    pub report_batch_item_failures: bool,
    pub enabled: bool,
}

/// An SNS subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnsTrigger {
    pub topic: String,
    pub filter_policy: Option<String>,
}

/// A DynamoDB or Kinesis stream event source mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTrigger {
    pub stream: String,
    pub batch_size: Option<u32>,
    /// `LATEST` unless set.
    pub starting_position: String,
    pub enabled: bool,
}

impl Trigger {
    /// The trigger's `type`: the event source's name in lambda.toml and in the event catalog.
    pub fn kind(&self) -> &'static str {
        match self {
            Trigger::S3(_) => "s3",
            Trigger::Api(_) => "api",
            Trigger::HttpApi(_) => "http-api",
            Trigger::FunctionUrl(_) => "function-url",
            Trigger::Schedule(_) => "schedule",
            Trigger::EventBridge(_) => "eventbridge",
            Trigger::Sqs(_) => "sqs",
            Trigger::Sns(_) => "sns",
            Trigger::DynamoDb(_) => "dynamodb",
            Trigger::Kinesis(_) => "kinesis",
            Trigger::Other { kind, .. } | Trigger::Incomplete { kind } => kind,
        }
    }

    /// The typed trigger of a `[[trigger]]` table of type `spec`, from its settings as
    /// validated against the schema (values that failed validation are absent). Missing
    /// required settings give [`Trigger::Incomplete`].
    pub fn from_settings(spec: &'static TriggerSpec, settings: &BTreeMap<String, Value>) -> Self {
        let read = Settings(settings);
        let typed = match spec.kind {
            "s3" => read.string("bucket").map(|bucket| {
                Trigger::S3(S3Trigger {
                    bucket,
                    events: read
                        .strings("events")
                        .unwrap_or_else(|| vec!["s3:ObjectCreated:*".to_string()]),
                    prefix: read.string("prefix"),
                    suffix: read.string("suffix"),
                })
            }),
            "api" => Some(Trigger::Api(RestApiTrigger {
                route: read.api_route(),
                stage: read
                    .string("stage")
                    .unwrap_or_else(|| RestApiTrigger::DEFAULT_STAGE.to_string()),
            })),
            "http-api" => Some(Trigger::HttpApi(HttpApiTrigger {
                route: read.api_route(),
                cors: read.cors(),
            })),
            "function-url" => Some(Trigger::FunctionUrl(FunctionUrlTrigger {
                auth: match read.string("auth").as_deref() {
                    Some("NONE") => UrlAuth::None,
                    _ => UrlAuth::AwsIam,
                },
                cors: read.boolean("cors").unwrap_or(false),
            })),
            "schedule" => read
                .string("schedule")
                .and_then(|text| Schedule::parse(&text).ok())
                .map(|schedule| {
                    Trigger::Schedule(ScheduleTrigger {
                        schedule,
                        input: read.string("input"),
                        description: read.string("description"),
                        enabled: read.boolean("enabled").unwrap_or(true),
                    })
                }),
            "eventbridge" => Some(Trigger::EventBridge(EventBridgeTrigger {
                pattern: read.string("pattern"),
                bus: read.string("bus"),
                enabled: read.boolean("enabled").unwrap_or(true),
            })),
            "sqs" => read.string("queue").map(|queue| {
                Trigger::Sqs(SqsTrigger {
                    queue,
                    batch_size: read.number("batch_size"),
                    batching_window: read.number("batching_window"),
                    report_batch_item_failures: read
                        .boolean("report_batch_item_failures")
                        .unwrap_or(false),
                    enabled: read.boolean("enabled").unwrap_or(true),
                })
            }),
            "sns" => read.string("topic").map(|topic| {
                Trigger::Sns(SnsTrigger {
                    topic,
                    filter_policy: read.string("filter_policy"),
                })
            }),
            "dynamodb" => read.stream().map(Trigger::DynamoDb),
            "kinesis" => read.stream().map(Trigger::Kinesis),
            kind => Some(Trigger::Other {
                kind,
                settings: settings.clone(),
            }),
        };
        typed.unwrap_or(Trigger::Incomplete { kind: spec.kind })
    }
}

impl Trigger {
    /// The trigger's settings under their lambda.toml keys, defaults included: the inverse
    /// of [`Trigger::from_settings`] (what `lambda-ls functions --format json` lists).
    pub fn settings(&self) -> BTreeMap<String, Value> {
        let mut settings = BTreeMap::new();
        let mut set = |key: &str, value: Option<Value>| {
            if let Some(value) = value {
                settings.insert(key.to_string(), value);
            }
        };
        let text = |s: &Option<String>| s.clone().map(Value::from);
        let number = |n: Option<u32>| n.map(Value::from);
        match self {
            Trigger::S3(t) => {
                set("bucket", Some(t.bucket.clone().into()));
                set("events", Some(t.events.clone().into()));
                set("prefix", text(&t.prefix));
                set("suffix", text(&t.suffix));
            }
            Trigger::Api(t) => {
                set("path", text(&t.route.path));
                set("method", Some(t.route.method.clone().into()));
                // Only when set: a SAM template's API is deployed to SAM's stage, not this default.
                set(
                    "stage",
                    (t.stage != RestApiTrigger::DEFAULT_STAGE).then(|| t.stage.clone().into()),
                );
            }
            Trigger::HttpApi(t) => {
                set("path", text(&t.route.path));
                set("method", Some(t.route.method.clone().into()));
                set(
                    "cors",
                    t.cors.as_ref().map(|cors| {
                        serde_json::json!({
                            "origins": cors.origins,
                            "methods": cors.methods,
                            "headers": cors.headers,
                        })
                    }),
                );
            }
            Trigger::FunctionUrl(t) => {
                set("auth", Some(t.auth.as_str().into()));
                set("cors", Some(t.cors.into()));
            }
            Trigger::Schedule(t) => {
                set("schedule", Some(t.schedule.expression().into()));
                set("input", text(&t.input));
                set("description", text(&t.description));
                set("enabled", Some(t.enabled.into()));
            }
            Trigger::EventBridge(t) => {
                set("pattern", text(&t.pattern));
                set("bus", text(&t.bus));
                set("enabled", Some(t.enabled.into()));
            }
            Trigger::Sqs(t) => {
                set("queue", Some(t.queue.clone().into()));
                set("batch_size", number(t.batch_size));
                set("batching_window", number(t.batching_window));
                set(
                    "report_batch_item_failures",
                    Some(t.report_batch_item_failures.into()),
                );
                set("enabled", Some(t.enabled.into()));
            }
            Trigger::Sns(t) => {
                set("topic", Some(t.topic.clone().into()));
                set("filter_policy", text(&t.filter_policy));
            }
            Trigger::DynamoDb(t) | Trigger::Kinesis(t) => {
                set("stream", Some(t.stream.clone().into()));
                set("batch_size", number(t.batch_size));
                set(
                    "starting_position",
                    Some(t.starting_position.clone().into()),
                );
                set("enabled", Some(t.enabled.into()));
            }
            Trigger::Other { settings: own, .. } => return own.clone(),
            Trigger::Incomplete { .. } => {}
        }
        settings
    }
}

/// Typed reads of validated settings.
struct Settings<'a>(&'a BTreeMap<String, Value>);

impl Settings<'_> {
    fn string(&self, key: &str) -> Option<String> {
        self.0.get(key)?.as_str().map(str::to_string)
    }

    fn strings(&self, key: &str) -> Option<Vec<String>> {
        self.0
            .get(key)?
            .as_array()?
            .iter()
            .map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    fn boolean(&self, key: &str) -> Option<bool> {
        self.0.get(key)?.as_bool()
    }

    fn number(&self, key: &str) -> Option<u32> {
        self.0.get(key)?.as_u64()?.try_into().ok()
    }

    fn api_route(&self) -> ApiRoute {
        ApiRoute {
            path: self.string("path"),
            method: self.string("method").unwrap_or_else(|| "ANY".to_string()),
        }
    }

    /// `cors = true`, or a table whose missing lists allow any.
    fn cors(&self) -> Option<Cors> {
        match self.0.get("cors")? {
            Value::Bool(true) => Some(Cors::any()),
            Value::Object(table) => {
                let list = |key: &str| {
                    table
                        .get(key)
                        .and_then(Value::as_array)
                        .map(|values| {
                            values
                                .iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_else(|| vec!["*".to_string()])
                };
                Some(Cors {
                    origins: list("origins"),
                    methods: list("methods"),
                    headers: list("headers"),
                })
            }
            _ => None,
        }
    }

    fn stream(&self) -> Option<StreamTrigger> {
        Some(StreamTrigger {
            stream: self.string("stream")?,
            batch_size: self.number("batch_size"),
            starting_position: self
                .string("starting_position")
                .unwrap_or_else(|| "LATEST".to_string()),
            enabled: self.boolean("enabled").unwrap_or(true),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::schema::trigger_spec;
    use serde_json::json;

    fn typed(kind: &str, settings: Value) -> Trigger {
        let settings: BTreeMap<String, Value> = serde_json::from_value(settings).unwrap();
        Trigger::from_settings(trigger_spec(kind).unwrap(), &settings)
    }

    #[test]
    fn modelled_sources_get_their_settings_and_defaults() {
        assert_eq!(
            typed("s3", json!({"bucket": "in", "suffix": ".csv"})),
            Trigger::S3(S3Trigger {
                bucket: "in".into(),
                events: vec!["s3:ObjectCreated:*".into()],
                prefix: None,
                suffix: Some(".csv".into()),
            })
        );
        let Trigger::Schedule(schedule) = typed("schedule", json!({"schedule": "rate(1 minute)"}))
        else {
            panic!("a schedule trigger");
        };
        assert_eq!(schedule.schedule.expression(), "rate(1 minute)");
        assert!(schedule.enabled);
        assert_eq!(
            typed("http-api", json!({"path": "/sum", "method": "GET"})),
            Trigger::HttpApi(HttpApiTrigger {
                route: ApiRoute {
                    path: Some("/sum".into()),
                    method: "GET".into()
                },
                cors: None,
            })
        );
        assert_eq!(
            typed("api", json!({})),
            Trigger::Api(RestApiTrigger {
                route: ApiRoute {
                    path: None,
                    method: "ANY".into()
                },
                stage: "default".into(),
            })
        );
        assert_eq!(
            typed("function-url", json!({"auth": "NONE"})),
            Trigger::FunctionUrl(FunctionUrlTrigger {
                auth: UrlAuth::None,
                cors: false
            })
        );
        assert_eq!(
            typed("kinesis", json!({"stream": "arn:x"})).kind(),
            "kinesis"
        );
    }

    #[test]
    fn http_api_paths_and_cors() {
        let Trigger::HttpApi(api) = typed("http-api", json!({"cors": true})) else {
            panic!("an http-api trigger");
        };
        assert_eq!(api.path("sum"), "/sum");
        assert_eq!(api.cors, Some(Cors::any()));
        let Trigger::HttpApi(api) = typed(
            "http-api",
            json!({"path": "/add", "cors": {"origins": ["https://example.com"]}}),
        ) else {
            panic!("an http-api trigger");
        };
        assert_eq!(api.path("sum"), "/add");
        assert_eq!(
            api.cors,
            Some(Cors {
                origins: vec!["https://example.com".into()],
                ..Cors::any()
            })
        );
        let Trigger::HttpApi(api) = typed("http-api", json!({"cors": false})) else {
            panic!("an http-api trigger");
        };
        assert_eq!(api.cors, None);
    }

    #[test]
    fn missing_required_settings_keep_the_event_source() {
        let incomplete = typed("s3", json!({}));
        assert_eq!(incomplete, Trigger::Incomplete { kind: "s3" });
        assert_eq!(incomplete.kind(), "s3");
        assert_eq!(
            typed("schedule", json!({"schedule": "every day"})),
            Trigger::Incomplete { kind: "schedule" }
        );
    }

    #[test]
    fn unmodelled_sources_keep_their_keys() {
        let other = typed("firehose", json!({"stream": "x"}));
        assert_eq!(other.kind(), "firehose");
        let Trigger::Other { settings, .. } = other else {
            panic!("unmodelled");
        };
        assert_eq!(settings["stream"], "x");
    }

    #[test]
    fn settings_read_back_to_the_same_trigger() {
        for (kind, settings) in [
            ("s3", json!({"bucket": "in", "prefix": "raw/"})),
            ("http-api", json!({"path": "/sum"})),
            ("function-url", json!({"auth": "NONE", "cors": true})),
            (
                "schedule",
                json!({"schedule": "cron(0 9 * * ? *)", "input": "{}"}),
            ),
            (
                "eventbridge",
                json!({"pattern": "{\"source\":[\"aws.ec2\"]}"}),
            ),
            (
                "sqs",
                json!({"queue": "arn:q", "batch_size": 5, "report_batch_item_failures": true}),
            ),
            ("sns", json!({"topic": "arn:t"})),
            (
                "dynamodb",
                json!({"stream": "arn:s", "starting_position": "TRIM_HORIZON"}),
            ),
            ("firehose", json!({"stream": "x"})),
        ] {
            let trigger = typed(kind, settings);
            let spec = trigger_spec(kind).unwrap();
            assert_eq!(
                Trigger::from_settings(spec, &trigger.settings()),
                trigger,
                "{kind}"
            );
        }
        assert!(Trigger::Incomplete { kind: "s3" }.settings().is_empty());
    }
}
