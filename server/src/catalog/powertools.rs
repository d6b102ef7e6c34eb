//! Powertools for AWS Lambda (Python) data classes (`S3Event`, `SQSRecord`, …): which
//! attribute reads which key of the event, so that `event.records[0].s3.bucket.name` is
//! followed like `event["Records"][0]["s3"]["bucket"]["name"]`. The data
//! (`powertools/classes.json`) is generated from Powertools' source by
//! `powertools/generate.py`; its `source` names the version.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::Value;

use super::path::PathSegment;
use super::{all_events, shape::did_you_mean, EventSpec};

/// A data class: a wrapper around (part of) the event dict.
#[derive(Debug, Clone, PartialEq)]
pub struct DataClass {
    pub name: String,
    pub doc: String,
    /// Data classes it inherits members from (nearest first).
    pub bases: Vec<String>,
    pub members: Vec<DataMember>,
}

/// A property or method of a data class.
#[derive(Debug, Clone, PartialEq)]
pub struct DataMember {
    pub name: String,
    /// The class that defines it.
    pub owner: String,
    pub kind: DataMemberKind,
    /// Its return annotation as Powertools writes it (`str | None`).
    pub annotation: String,
    pub doc: String,
    /// The key path it reads, relative to its object (`Key("*")` for any key of a map).
    pub key: Option<Vec<PathSegment>>,
    /// The data class it returns (or holds several of, see `many`).
    pub class: Option<String>,
    pub many: Option<Many>,
    /// Its value is computed from the key (`int(...)`, a JSON parse), not the key's value.
    pub computed: bool,
}

/// Property or method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataMemberKind {
    Property,
    /// A method; `signature` as Python shows it, e.g. `(name: str) -> str | None`.
    Method {
        signature: String,
    },
}

/// How a member holds several objects of its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Many {
    /// A list: index it or loop over it.
    List,
    /// A generator: loop over it (`[0]` raises TypeError).
    Iterator,
    /// A dict of them by name.
    Map,
}

/// What an attribute of a data class object is.
#[derive(Debug, Clone, PartialEq)]
pub enum MemberLookup<'a> {
    Found(&'a DataMember),
    /// No such attribute; similar names, best first.
    Missing(Vec<String>),
}

/// The Powertools data classes the catalog's events are annotated with, and all they
/// reach.
#[derive(Debug)]
pub struct DataClasses {
    /// `aws-lambda-powertools X.Y.Z, …`: where the data comes from.
    pub source: String,
    classes: HashMap<String, DataClass>,
}

impl DataClasses {
    pub fn class(&self, name: &str) -> Option<&DataClass> {
        self.classes.get(name)
    }

    /// Every member of `class`, its own first, then inherited ones it does not override.
    pub fn members<'a>(&'a self, class: &'a DataClass) -> Vec<&'a DataMember> {
        let mut found: Vec<&DataMember> = Vec::new();
        let mut pending = vec![class];
        let mut seen = Vec::new();
        while let Some(class) = pending.pop() {
            if seen.contains(&&class.name) {
                continue;
            }
            seen.push(&class.name);
            for member in &class.members {
                if !found.iter().any(|m| m.name == member.name) {
                    found.push(member);
                }
            }
            pending.extend(class.bases.iter().rev().filter_map(|b| self.class(b)));
        }
        found
    }

    /// The attribute `name` of an object of `class`.
    pub fn member<'a>(&'a self, class: &'a DataClass, name: &str) -> MemberLookup<'a> {
        let members = self.members(class);
        match members.iter().find(|m| m.name == name) {
            Some(member) => MemberLookup::Found(member),
            None => {
                let names: Vec<String> = members.iter().map(|m| m.name.clone()).collect();
                MemberLookup::Missing(did_you_mean(name, &names))
            }
        }
    }
}

/// The data classes, parsed on first use.
pub fn data_classes() -> &'static DataClasses {
    static CLASSES: OnceLock<DataClasses> = OnceLock::new();
    CLASSES.get_or_init(|| {
        parse(include_str!("powertools/classes.json")).unwrap_or_else(|error| {
            panic!("catalog data powertools/classes.json is invalid: {error}")
        })
    })
}

/// The data class and its event for a name the handler uses for Powertools' class
/// (`S3Event`, `data_classes.S3Event`, the full dotted name), when an event of the catalog
/// is annotated with it.
pub fn data_class_for(name: &str) -> Option<(&'static DataClass, &'static EventSpec)> {
    let name = name.trim();
    let class = name.rsplit('.').next().unwrap_or(name);
    if name.contains('.')
        && !name.starts_with("aws_lambda_powertools")
        && !name.starts_with("data_classes")
    {
        return None;
    }
    let full = format!("{POWERTOOLS_PREFIX}{class}");
    let event = all_events()
        .iter()
        .find(|spec| spec.annotations.contains(&full))?;
    Some((data_classes().class(class)?, event))
}

const POWERTOOLS_PREFIX: &str = "aws_lambda_powertools.utilities.data_classes.";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClasses {
    source: String,
    classes: HashMap<String, RawClass>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    bases: Vec<String>,
    doc: String,
    members: Vec<RawMember>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    name: String,
    kind: String,
    #[serde(rename = "type")]
    annotation: String,
    doc: String,
    #[serde(default)]
    key: Option<Vec<Value>>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    many: Option<String>,
    #[serde(default)]
    computed: bool,
    #[serde(default)]
    signature: Option<String>,
}

fn parse(text: &str) -> Result<DataClasses, String> {
    let raw: RawClasses = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut classes = HashMap::new();
    for (name, class) in raw.classes {
        let members = class
            .members
            .into_iter()
            .map(|m| member(&name, m))
            .collect::<Result<_, _>>()?;
        classes.insert(
            name.clone(),
            DataClass {
                name,
                doc: class.doc,
                bases: class.bases,
                members,
            },
        );
    }
    // Every class named must be there: a dangling name would silently stop following.
    for class in classes.values() {
        for name in class
            .bases
            .iter()
            .chain(class.members.iter().filter_map(|m| m.class.as_ref()))
        {
            if !classes.contains_key(name) {
                return Err(format!("{}: unknown class `{name}`", class.name));
            }
        }
    }
    Ok(DataClasses {
        source: raw.source,
        classes,
    })
}

fn member(owner: &str, raw: RawMember) -> Result<DataMember, String> {
    let at = |what: &str| format!("{owner}.{}: {what}", raw.name);
    let kind = match (raw.kind.as_str(), &raw.signature) {
        ("property", None) => DataMemberKind::Property,
        ("method", Some(signature)) => DataMemberKind::Method {
            signature: signature.clone(),
        },
        _ => return Err(at("a property without `signature` or a method with one")),
    };
    let key = match raw.key {
        None => None,
        Some(steps) => Some(
            steps
                .iter()
                .map(|step| match step {
                    Value::String(key) => Ok(PathSegment::Key(key.clone())),
                    Value::Number(n) if n.as_u64() == Some(0) => Ok(PathSegment::Index(0)),
                    other => Err(at(&format!("bad key step {other}"))),
                })
                .collect::<Result<_, _>>()?,
        ),
    };
    let many = match raw.many.as_deref() {
        None => None,
        Some("list") => Some(Many::List),
        Some("iterator") => Some(Many::Iterator),
        Some("map") => Some(Many::Map),
        Some(other) => return Err(at(&format!("unknown `many` {other}"))),
    };
    Ok(DataMember {
        name: raw.name,
        owner: owner.to_string(),
        kind,
        annotation: raw.annotation,
        doc: raw.doc,
        key,
        class: raw.class,
        many,
        computed: raw.computed,
    })
}

#[cfg(test)]
mod tests {
    use super::super::{Lookup, Shape};
    use super::*;

    /// Keys Powertools reads that the catalog deliberately lacks: `(class.member, why)`.
    const ALLOWED: &[(&str, &str)] = &[
        // Powertools shares one request-context class between REST and WebSocket APIs.
        (
            "APIGatewayEventRequestContext.connected_at",
            "WebSocket APIs only",
        ),
        (
            "APIGatewayEventRequestContext.connection_id",
            "WebSocket APIs only",
        ),
        (
            "APIGatewayEventRequestContext.event_type",
            "WebSocket APIs only",
        ),
        (
            "APIGatewayEventRequestContext.message_direction",
            "WebSocket APIs only",
        ),
        (
            "APIGatewayEventRequestContext.message_id",
            "WebSocket APIs only",
        ),
        (
            "APIGatewayEventRequestContext.route_key",
            "WebSocket APIs only",
        ),
        // Its base class of all HTTP events reads the v1 multi-value query: payload 2.0
        // (HTTP APIs, function URLs) joins repeated values with commas instead.
        (
            "BaseProxyEvent.multi_value_query_string_parameters",
            "payload 1.0 only",
        ),
        // Function URLs authorize with IAM or not at all: no JWT or Lambda authorizers.
        (
            "RequestContextV2Authorizer.get_lambda",
            "HTTP API authorizers only",
        ),
        (
            "RequestContextV2Authorizer.jwt_claim",
            "HTTP API authorizers only",
        ),
        (
            "RequestContextV2Authorizer.jwt_scopes",
            "HTTP API authorizers only",
        ),
        // One Powertools class for both token generations; AWS documents scopes for the
        // access token only.
        (
            "TokenClaimsAndScopeOverrideDetails.scopes_to_add",
            "accessTokenGeneration only",
        ),
        (
            "TokenClaimsAndScopeOverrideDetails.scopes_to_suppress",
            "accessTokenGeneration only",
        ),
    ];

    #[test]
    fn every_powertools_annotation_of_the_catalog_is_a_data_class() {
        for spec in all_events() {
            for annotation in &spec.annotations {
                if let Some(class) = annotation.strip_prefix(POWERTOOLS_PREFIX) {
                    assert!(
                        data_classes().class(class).is_some(),
                        "{}: `{class}` is not a Powertools data class",
                        spec.name
                    );
                    assert_eq!(
                        data_class_for(annotation).map(|(_, e)| &e.name),
                        Some(&spec.name)
                    );
                }
            }
        }
        assert!(data_classes()
            .source
            .starts_with("aws-lambda-powertools 3."));
    }

    /// Walk each event's data class over the event's shape: every key a member reads must
    /// be in the catalog (or in a part it leaves open).
    #[test]
    fn every_key_powertools_reads_is_in_the_catalog() {
        let classes = data_classes();
        let mut problems = Vec::new();
        let mut checked = 0;
        for spec in all_events() {
            for annotation in &spec.annotations {
                let Some((root, _)) = data_class_for(annotation) else {
                    continue;
                };
                let mut pending: Vec<(&DataClass, &Shape, String)> =
                    vec![(root, &spec.shape, format!("{}:{}", spec.name, root.name))];
                let mut seen = Vec::new();
                while let Some((class, shape, at)) = pending.pop() {
                    if seen.contains(&(class.name.clone(), shape as *const Shape)) {
                        continue;
                    }
                    seen.push((class.name.clone(), shape as *const Shape));
                    for member in classes.members(class) {
                        let Some(key) = &member.key else { continue };
                        checked += 1;
                        let name = format!("{}.{}", member.owner, member.name);
                        let mut current = Some(shape);
                        for segment in key {
                            current = match current.map(|s| s.step(segment, false)) {
                                Some(Lookup::Found(next)) => Some(next),
                                Some(Lookup::Open { .. }) | None => None,
                                Some(Lookup::Missing { .. }) => {
                                    if !ALLOWED.iter().any(|(allowed, _)| *allowed == name) {
                                        problems.push(format!(
                                            "{at} → {name} reads {key:?}, not in the catalog"
                                        ));
                                    }
                                    None
                                }
                            };
                        }
                        let (Some(target), Some(next)) = (
                            current,
                            member.class.as_deref().and_then(|c| classes.class(c)),
                        ) else {
                            continue;
                        };
                        let element = match (member.many, &target.kind) {
                            (None, _) => Some(target),
                            (Some(_), super::super::ShapeKind::Array { item }) => Some(&**item),
                            (Some(_), super::super::ShapeKind::Map { value }) => Some(&**value),
                            (Some(_), _) => None,
                        };
                        if let Some(element) = element {
                            pending.push((next, element, format!("{at}.{}", member.name)));
                        }
                    }
                }
            }
        }
        problems.sort();
        problems.dedup();
        assert!(checked > 300, "only {checked} members checked");
        assert!(
            problems.is_empty(),
            "{} Powertools key(s) not in the catalog:\n{}",
            problems.len(),
            problems.join("\n")
        );
    }

    #[test]
    fn members_come_with_their_bases() {
        let classes = data_classes();
        let sqs = classes.class("SQSRecord").unwrap();
        let MemberLookup::Found(body) = classes.member(sqs, "body") else {
            panic!("SQSRecord.body")
        };
        assert_eq!(body.key, Some(vec![PathSegment::key("body")]));
        // Inherited from DictWrapper.
        assert!(matches!(
            classes.member(sqs, "raw_event"),
            MemberLookup::Found(_)
        ));
        let MemberLookup::Missing(suggestions) = classes.member(sqs, "bdy") else {
            panic!()
        };
        assert_eq!(suggestions.first().map(String::as_str), Some("body"));
        let s3 = classes.class("S3Event").unwrap();
        let MemberLookup::Found(records) = classes.member(s3, "records") else {
            panic!()
        };
        assert_eq!(records.many, Some(Many::Iterator));
        assert_eq!(records.class.as_deref(), Some("S3EventRecord"));
        assert_eq!(
            data_class_for("S3Event").map(|(c, e)| (c.name.as_str(), e.name.as_str())),
            Some(("S3Event", "s3"))
        );
        assert!(data_class_for("aws_lambda_typing.events.S3Event").is_none());
    }
}
