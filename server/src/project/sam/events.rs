//! A SAM function's `Events` as lambda.toml triggers: the event type becomes the trigger
//! type of the same event source (`SQS` → `sqs`, `HttpApi` → `http-api`, `ScheduleV2` →
//! `schedule`, …), and the properties lambda.toml models become its settings, typed as
//! lambda.toml's are ([`Trigger`]). Values only known at deploy (`!GetAtt Queue.Arn`) are
//! kept as written (a queue, a bucket, a stream: what `functions` lists) and listed apart.

use std::collections::BTreeMap;
use std::ops::Range;

use serde_json::Value as Json;

use super::intrinsics::{parse_bool, Context, Resolved};
use super::yaml::Node;
use crate::project::schema::{did_you_mean, trigger_spec};
use crate::project::Trigger;

/// SAM event type → lambda.toml trigger type. `MQ` is refined by the broker's engine.
const EVENT_TYPES: &[(&str, &str)] = &[
    ("S3", "s3"),
    ("SNS", "sns"),
    ("SQS", "sqs"),
    ("Kinesis", "kinesis"),
    ("DynamoDB", "dynamodb"),
    ("Api", "api"),
    ("HttpApi", "http-api"),
    ("Schedule", "schedule"),
    ("ScheduleV2", "schedule"),
    ("CloudWatchEvent", "eventbridge"),
    ("EventBridgeRule", "eventbridge"),
    ("CloudWatchLogs", "cloudwatch-logs"),
    ("Cognito", "cognito-user-pool"),
    ("MSK", "kafka"),
    ("SelfManagedKafka", "kafka"),
    ("MQ", "activemq"),
    ("IoTRule", "iot"),
];

/// SAM event types lambda-ls has no event shape for.
const UNMODELLED: &[&str] = &["AlexaSkill", "DocumentDB"];

/// The lambda.toml trigger type of a SAM event type.
pub fn trigger_kind(event_type: &str) -> Option<&'static str> {
    EVENT_TYPES
        .iter()
        .find(|(sam, _)| *sam == event_type)
        .map(|(_, kind)| *kind)
}

/// One event of a SAM function, as a trigger.
#[derive(Debug, Clone, PartialEq)]
pub struct EventTrigger {
    /// The event's name under `Events` (`HelloWorld`).
    pub name: String,
    /// The trigger, as a `[[trigger]]` table of the same settings would be.
    pub trigger: Trigger,
    /// Settings CloudFormation sets at deploy: (setting, expression as written).
    pub at_deploy: Vec<(String, String)>,
}

/// An event lambda-ls cannot turn into a trigger, for a hint on the template.
#[derive(Debug, Clone, PartialEq)]
pub enum EventProblem {
    /// No `Type`: SAM refuses the template.
    MissingType { name: String, range: Range<usize> },
    /// A SAM event type with no event shape in lambda-ls.
    Unmodelled {
        event_type: String,
        range: Range<usize>,
    },
    /// Not a SAM event type at all (a typo?).
    Unknown {
        event_type: String,
        suggestion: Option<&'static str>,
        range: Range<usize>,
    },
}

/// The triggers of an `Events` mapping, and the events that are not triggers.
pub fn read(context: &Context, events: &Node) -> (Vec<EventTrigger>, Vec<EventProblem>) {
    let mut triggers = Vec::new();
    let mut problems = Vec::new();
    for entry in events.entries() {
        let name = entry.key.as_str().unwrap_or_default().to_string();
        let Some(type_node) = entry.value.get("Type") else {
            problems.push(EventProblem::MissingType {
                name,
                range: entry.key.range.clone(),
            });
            continue;
        };
        let event_type = type_node.as_str().unwrap_or_default();
        let Some(kind) = trigger_kind(event_type) else {
            let range = type_node.range.clone();
            problems.push(if UNMODELLED.contains(&event_type) {
                EventProblem::Unmodelled {
                    event_type: event_type.to_string(),
                    range,
                }
            } else {
                let known = EVENT_TYPES
                    .iter()
                    .map(|(t, _)| *t)
                    .chain(UNMODELLED.iter().copied());
                EventProblem::Unknown {
                    event_type: event_type.to_string(),
                    suggestion: did_you_mean(event_type, known),
                    range,
                }
            });
            continue;
        };
        let empty = Node {
            value: super::yaml::Value::Mapping(Vec::new()),
            range: 0..0,
        };
        let properties = entry.value.get("Properties").unwrap_or(&empty);
        let mut reader = Settings {
            context,
            properties,
            kind,
            settings: BTreeMap::new(),
            at_deploy: Vec::new(),
        };
        reader.read(event_type);
        let Settings {
            kind,
            settings,
            at_deploy,
            ..
        } = reader;
        // Every kind of EVENT_TYPES is a trigger type of the schema (a unit test says so).
        let Some(spec) = trigger_spec(kind) else {
            continue;
        };
        triggers.push(EventTrigger {
            name,
            trigger: Trigger::from_settings(spec, &settings),
            at_deploy,
        });
    }
    (triggers, problems)
}

/// Reading one event's properties into its trigger's settings.
struct Settings<'a, 't> {
    context: &'a Context<'t>,
    properties: &'a Node,
    /// The lambda.toml trigger type.
    kind: &'static str,
    settings: BTreeMap<String, Json>,
    at_deploy: Vec<(String, String)>,
}

impl Settings<'_, '_> {
    fn read(&mut self, event_type: &str) {
        match event_type {
            "S3" => {
                self.string("Bucket", "bucket");
                if let Some(events) = self.properties.get("Events") {
                    let list: Vec<Json> = match self.context.resolve_list(events) {
                        Some(items) => items
                            .iter()
                            .filter_map(|i| i.known().map(|s| Json::String(s.to_string())))
                            .collect(),
                        None => self
                            .context
                            .resolve(events)
                            .known()
                            .map(|s| vec![Json::String(s.to_string())])
                            .unwrap_or_default(),
                    };
                    if !list.is_empty() {
                        self.set("events", Json::Array(list));
                    }
                }
                let rules = self
                    .properties
                    .get("Filter")
                    .and_then(|f| f.get("S3Key"))
                    .and_then(|k| k.get("Rules"));
                for rule in rules.map(Node::items).unwrap_or_default() {
                    let name = rule.get("Name").map(|n| self.context.resolve(n));
                    let value = rule.get("Value").map(|v| self.context.resolve(v));
                    if let (Some(Resolved::Known(name)), Some(value)) = (name, value) {
                        let setting = name.to_ascii_lowercase();
                        if setting == "prefix" || setting == "suffix" {
                            self.resolved(&setting, value, Json::String);
                        }
                    }
                }
            }
            "SNS" => {
                self.string("Topic", "topic");
                self.json_text("FilterPolicy", "filter_policy");
            }
            "SQS" => {
                self.string("Queue", "queue");
                self.number("BatchSize", "batch_size");
                self.number("MaximumBatchingWindowInSeconds", "batching_window");
                self.boolean("Enabled", "enabled");
                if let Some(types) = self.properties.get("FunctionResponseTypes") {
                    let reports = self
                        .context
                        .resolve_list(types)
                        .unwrap_or_default()
                        .iter()
                        .any(|t| t.known() == Some("ReportBatchItemFailures"));
                    if reports {
                        self.set("report_batch_item_failures", Json::Bool(true));
                    }
                }
            }
            "Kinesis" | "DynamoDB" => {
                self.string("Stream", "stream");
                self.number("BatchSize", "batch_size");
                self.string("StartingPosition", "starting_position");
                self.boolean("Enabled", "enabled");
            }
            "Api" | "HttpApi" => {
                self.string("Path", "path");
                if let Some(method) = self.properties.get("Method") {
                    let method = self.context.resolve(method);
                    self.resolved("method", method, |m| Json::String(m.to_ascii_uppercase()));
                }
            }
            "Schedule" => {
                self.string("Schedule", "schedule");
                self.string("Input", "input");
                self.string("Description", "description");
                self.boolean("Enabled", "enabled");
            }
            "ScheduleV2" => {
                self.string("ScheduleExpression", "schedule");
                self.string("Input", "input");
                self.string("Description", "description");
                self.state();
            }
            "CloudWatchEvent" | "EventBridgeRule" => {
                self.json_text("Pattern", "pattern");
                self.string("EventBusName", "bus");
                self.state();
            }
            "MQ" => {
                // The event is the same for both engines but its shape is not: ask the broker.
                let engine = self
                    .properties
                    .get("Broker")
                    .and_then(|b| b.intrinsic())
                    .and_then(|(_, argument)| {
                        argument
                            .as_str()
                            .or_else(|| argument.items().first()?.as_str())
                    })
                    .and_then(|broker| self.context.resource(broker))
                    .and_then(|r| r.get("Properties")?.get("EngineType")?.as_str());
                if engine.is_some_and(|e| e.eq_ignore_ascii_case("RABBITMQ")) {
                    self.kind = "rabbitmq";
                }
            }
            // The other sources' settings are not modelled in lambda.toml yet.
            _ => {}
        }
    }

    fn set(&mut self, setting: &str, value: Json) {
        self.settings.insert(setting.to_string(), value);
    }

    /// Store a resolved value; one deploy sets is noted, and kept as written.
    fn resolved(&mut self, setting: &str, value: Resolved, to_json: impl Fn(String) -> Json) {
        match value {
            Resolved::Known(s) => self.set(setting, to_json(s)),
            Resolved::AtDeploy(shown) => self.at_deploy(setting, shown),
            Resolved::NoValue => {}
        }
    }

    fn at_deploy(&mut self, setting: &str, shown: String) {
        self.set(setting, Json::String(shown.clone()));
        self.at_deploy.push((setting.to_string(), shown));
    }

    fn property(&self, property: &str) -> Option<Resolved> {
        self.properties
            .get(property)
            .map(|node| self.context.resolve(node))
    }

    fn string(&mut self, property: &str, setting: &str) {
        if let Some(value) = self.property(property) {
            self.resolved(setting, value, Json::String);
        }
    }

    fn number(&mut self, property: &str, setting: &str) {
        if let Some(value) = self.property(property) {
            self.resolved(setting, value, |s| match s.trim().parse::<i64>() {
                Ok(n) => Json::from(n),
                Err(_) => Json::String(s),
            });
        }
    }

    fn boolean(&mut self, property: &str, setting: &str) {
        if let Some(value) = self.property(property) {
            self.resolved(setting, value, |s| match parse_bool(&s) {
                Some(b) => Json::Bool(b),
                None => Json::String(s),
            });
        }
    }

    /// EventBridge's `State` (`ENABLED` / `DISABLED`) as lambda.toml's `enabled`.
    fn state(&mut self) {
        if let Some(Resolved::Known(state)) = self.property("State") {
            self.set(
                "enabled",
                Json::Bool(!state.eq_ignore_ascii_case("DISABLED")),
            );
        } else {
            self.boolean("Enabled", "enabled");
        }
    }

    /// A JSON document written as YAML (or as a JSON string) → its JSON text.
    fn json_text(&mut self, property: &str, setting: &str) {
        let Some(node) = self.properties.get(property) else {
            return;
        };
        match self.context.json(node) {
            Ok(Json::String(text)) => self.set(setting, Json::String(text)),
            Ok(json) => self.set(setting, Json::String(json.to_string())),
            Err(shown) => self.at_deploy(setting, shown),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::sam::yaml;
    use crate::project::{ApiRoute, HttpApiTrigger, RestApiTrigger, S3Trigger, SqsTrigger};

    fn triggers(events: &str) -> (Vec<EventTrigger>, Vec<EventProblem>) {
        let text = format!(
            "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n  Broker:\n    Type: AWS::AmazonMQ::Broker\n    Properties:\n      EngineType: RABBITMQ\nEvents:\n{events}"
        );
        let root = yaml::parse(&text).unwrap();
        let context = Context::new(&text, &root);
        read(&context, root.get("Events").unwrap())
    }

    #[test]
    fn events_become_triggers_named_as_in_lambda_toml() {
        let (found, problems) = triggers(
            r#"
  Upload:
    Type: S3
    Properties:
      Bucket: uploads
      Events: s3:ObjectCreated:*
      Filter:
        S3Key:
          Rules:
            - Name: prefix
              Value: in/
            - Name: suffix
              Value: .csv
  Work:
    Type: SQS
    Properties:
      Queue: !GetAtt Queue.Arn
      BatchSize: 10
      FunctionResponseTypes: [ReportBatchItemFailures]
  Hello:
    Type: Api
    Properties: {Path: /hello, Method: get}
  Any:
    Type: HttpApi
  Hourly:
    Type: ScheduleV2
    Properties:
      ScheduleExpression: rate(1 hour)
      State: DISABLED
  Ec2:
    Type: CloudWatchEvent
    Properties:
      Pattern:
        source: [aws.ec2]
  Rabbit:
    Type: MQ
    Properties:
      Broker: !GetAtt Broker.Arn
"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let kinds: Vec<_> = found.iter().map(|t| t.trigger.kind()).collect();
        assert_eq!(
            kinds,
            [
                "s3",
                "sqs",
                "api",
                "http-api",
                "schedule",
                "eventbridge",
                "rabbitmq"
            ]
        );
        assert_eq!(
            found[0].trigger,
            Trigger::S3(S3Trigger {
                bucket: "uploads".into(),
                events: vec!["s3:ObjectCreated:*".into()],
                prefix: Some("in/".into()),
                suffix: Some(".csv".into()),
            })
        );
        // The queue is CloudFormation's to say: kept as written, and noted.
        assert_eq!(
            found[1].trigger,
            Trigger::Sqs(SqsTrigger {
                queue: "!GetAtt Queue.Arn".into(),
                batch_size: Some(10),
                batching_window: None,
                report_batch_item_failures: true,
                enabled: true,
            })
        );
        assert_eq!(
            found[1].at_deploy,
            [("queue".to_string(), "!GetAtt Queue.Arn".to_string())]
        );
        assert_eq!(
            found[2].trigger,
            Trigger::Api(RestApiTrigger {
                route: ApiRoute {
                    path: Some("/hello".into()),
                    method: "GET".into()
                },
                stage: "default".into(),
            })
        );
        assert_eq!(found[2].name, "Hello");
        assert_eq!(
            found[3].trigger,
            Trigger::HttpApi(HttpApiTrigger {
                route: ApiRoute {
                    path: None,
                    method: "ANY".into()
                },
                cors: None,
            })
        );
        let Trigger::Schedule(hourly) = &found[4].trigger else {
            panic!("a schedule: {:?}", found[4].trigger);
        };
        assert_eq!(hourly.schedule.expression(), "rate(1 hour)");
        assert!(!hourly.enabled);
        let Trigger::EventBridge(ec2) = &found[5].trigger else {
            panic!("an EventBridge rule: {:?}", found[5].trigger);
        };
        assert_eq!(ec2.pattern.as_deref(), Some("{\"source\":[\"aws.ec2\"]}"));
    }

    #[test]
    fn every_event_type_is_a_trigger_type() {
        for (_, kind) in EVENT_TYPES.iter().chain(&[("MQ", "rabbitmq")]) {
            assert!(trigger_spec(kind).is_some(), "{kind}");
        }
    }

    #[test]
    fn unknown_and_unmodelled_types_are_problems() {
        let (found, problems) =
            triggers("  A:\n    Type: Sqs\n  B:\n    Type: AlexaSkill\n  C:\n    Properties: {}\n");
        assert!(found.is_empty());
        assert!(matches!(
            &problems[0],
            EventProblem::Unknown { event_type, suggestion: Some("SQS"), .. } if event_type == "Sqs"
        ));
        assert!(
            matches!(&problems[1], EventProblem::Unmodelled { event_type, .. } if event_type == "AlexaSkill")
        );
        assert!(matches!(&problems[2], EventProblem::MissingType { name, .. } if name == "C"));
    }
}
