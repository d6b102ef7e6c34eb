//! CloudFormation's intrinsic functions, resolved as far as a template alone allows:
//! `!Ref` to a parameter with a `Default`, `!Sub`, `!Join`, `!Select`, `!Split` and
//! `!FindInMap` over known values are computed; what only CloudFormation knows (pseudo
//! parameters such as `AWS::Region`, attributes and names of the stack's resources,
//! conditions, imports) is "set at deploy" and never an error.

use std::collections::HashMap;

use super::yaml::{Node, Value};

/// A template value, as far as it can be known before deploy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Known now (numbers and booleans as their text).
    Known(String),
    /// Only known at deploy; the expression as written, for messages and hovers
    /// (`!GetAtt Queue.Arn`).
    AtDeploy(String),
    /// `!Ref AWS::NoValue`: as if the property were not written.
    NoValue,
}

impl Resolved {
    pub fn known(&self) -> Option<&str> {
        match self {
            Resolved::Known(s) => Some(s),
            _ => None,
        }
    }
}

/// What resolution can look at: the template's parameters, mappings and resources.
pub struct Context<'t> {
    text: &'t str,
    /// Parameter name → its `Default`, when it has one.
    parameters: HashMap<&'t str, Option<&'t Node>>,
    mappings: Option<&'t Node>,
    resources: HashMap<&'t str, &'t Node>,
}

/// Longest expression quoted in an "at deploy" description.
const SHOWN_CHARS: usize = 80;

impl<'t> Context<'t> {
    /// The context of a template's root node; `text` is the template (for descriptions).
    pub fn new(text: &'t str, root: &'t Node) -> Self {
        let parameters = root
            .get("Parameters")
            .map(|p| p.entries())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, e.value.get("Default"))))
            .collect();
        let resources = root
            .get("Resources")
            .map(|r| r.entries())
            .unwrap_or_default()
            .iter()
            .filter_map(|e| Some((e.key.as_str()?, &e.value)))
            .collect();
        Context {
            text,
            parameters,
            mappings: root.get("Mappings"),
            resources,
        }
    }

    /// Whether `name` is a parameter of the template.
    pub fn is_parameter(&self, name: &str) -> bool {
        self.parameters.contains_key(name)
    }

    /// The resource named `name`.
    pub fn resource(&self, name: &str) -> Option<&'t Node> {
        self.resources.get(name).copied()
    }

    /// The expression at `node` as written, on one line, shortened.
    pub fn shown(&self, node: &Node) -> String {
        let written = self.text.get(node.range.clone()).unwrap_or_default();
        let mut one_line = written.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > SHOWN_CHARS {
            one_line = one_line.chars().take(SHOWN_CHARS - 1).collect::<String>() + "…";
        }
        one_line
    }

    fn at_deploy(&self, node: &Node) -> Resolved {
        Resolved::AtDeploy(self.shown(node))
    }

    /// Resolve a scalar-valued node.
    pub fn resolve(&self, node: &Node) -> Resolved {
        if let Value::Scalar(s) = &node.value {
            return Resolved::Known(s.text.clone());
        }
        let Some((function, argument)) = node.intrinsic() else {
            // A list or mapping where a single value belongs: only deploy can tell.
            return self.at_deploy(node);
        };
        let resolved = match function {
            "Ref" => argument.as_str().map(|name| self.reference(name, node)),
            "Fn::Sub" => Some(self.sub(argument, node)),
            "Fn::Join" => self.join(argument),
            "Fn::Select" => self.select(argument),
            "Fn::FindInMap" => self.find_in_map(argument),
            _ => None,
        };
        match resolved {
            // A part that only deploy knows makes the whole expression a deploy-time value.
            Some(Resolved::AtDeploy(_)) | None => self.at_deploy(node),
            Some(known) => known,
        }
    }

    /// Resolve a list-valued node (a sequence, or `!Split` of a known string); each item
    /// resolved. `None` when only deploy knows the list itself.
    pub fn resolve_list(&self, node: &Node) -> Option<Vec<Resolved>> {
        match &node.value {
            Value::Sequence(items) => Some(items.iter().map(|i| self.resolve(i)).collect()),
            _ => match node.intrinsic() {
                Some(("Fn::Split", argument)) => {
                    let [delimiter, source] = argument.items() else {
                        return None;
                    };
                    let delimiter = self.resolve(delimiter);
                    let source = self.resolve(source);
                    let (Some(delimiter), Some(source)) = (delimiter.known(), source.known())
                    else {
                        return None;
                    };
                    Some(
                        source
                            .split(delimiter)
                            .map(|s| Resolved::Known(s.to_string()))
                            .collect(),
                    )
                }
                _ => None,
            },
        }
    }

    /// A node as JSON (event patterns, filter policies), intrinsics inside resolved;
    /// `Err` with the expression when a part is only known at deploy.
    pub fn json(&self, node: &Node) -> Result<serde_json::Value, String> {
        if node.intrinsic().is_some() {
            return match self.resolve(node) {
                Resolved::Known(s) => Ok(serde_json::Value::String(s)),
                Resolved::AtDeploy(shown) => Err(shown),
                Resolved::NoValue => Ok(serde_json::Value::Null),
            };
        }
        Ok(match &node.value {
            Value::Scalar(s) if s.plain => plain_json(&s.text),
            Value::Scalar(s) => serde_json::Value::String(s.text.clone()),
            Value::Sequence(items) => serde_json::Value::Array(
                items
                    .iter()
                    .map(|i| self.json(i))
                    .collect::<Result<_, _>>()?,
            ),
            Value::Mapping(entries) => {
                let mut object = serde_json::Map::new();
                for entry in entries {
                    let key = entry.key.as_str().unwrap_or_default().to_string();
                    object.insert(key, self.json(&entry.value)?);
                }
                serde_json::Value::Object(object)
            }
        })
    }

    fn reference(&self, name: &str, node: &Node) -> Resolved {
        if name == "AWS::NoValue" {
            return Resolved::NoValue;
        }
        if let Some(default) = self.parameters.get(name) {
            return match default {
                Some(default) => self.resolve(default),
                None => self.at_deploy(node),
            };
        }
        // A bucket's `Ref` is its name: known when the template names it.
        if let Some(resource) = self.resource(name) {
            if resource.get("Type").and_then(Node::as_str) == Some("AWS::S3::Bucket") {
                if let Some(bucket) = resource.get("Properties").and_then(|p| p.get("BucketName")) {
                    return self.resolve(bucket);
                }
            }
        }
        // Pseudo parameters (`AWS::Region`, …) and other resources' physical ids.
        self.at_deploy(node)
    }

    /// `!Sub "text ${Name} ${Res.Attr} ${!Literal}"`, or `[text, {Name: value}]`.
    fn sub(&self, argument: &Node, node: &Node) -> Resolved {
        let (template, variables) = match &argument.value {
            Value::Scalar(s) => (s.text.as_str(), None),
            Value::Sequence(items) => match items.as_slice() {
                [template, variables] => match template.as_str() {
                    Some(t) => (t, Some(variables)),
                    None => return self.at_deploy(node),
                },
                _ => return self.at_deploy(node),
            },
            Value::Mapping(_) => return self.at_deploy(node),
        };
        let mut out = String::new();
        let mut rest = template;
        while let Some(start) = rest.find("${") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                out.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
                continue;
            }
            let value = match variables.and_then(|v| v.get(name)) {
                Some(value) => self.resolve(value),
                None if name.contains('.') => return self.at_deploy(node),
                None => self.reference(name, node),
            };
            match value {
                Resolved::Known(v) => out.push_str(&v),
                Resolved::NoValue => {}
                Resolved::AtDeploy(_) => return self.at_deploy(node),
            }
        }
        out.push_str(rest);
        Resolved::Known(out)
    }

    fn join(&self, argument: &Node) -> Option<Resolved> {
        let [delimiter, list] = argument.items() else {
            return None;
        };
        let delimiter = self.resolve(delimiter).known()?.to_string();
        let mut parts = Vec::new();
        for item in self.resolve_list(list)? {
            match item {
                Resolved::Known(s) => parts.push(s),
                Resolved::NoValue => {}
                Resolved::AtDeploy(_) => return None,
            }
        }
        Some(Resolved::Known(parts.join(&delimiter)))
    }

    fn select(&self, argument: &Node) -> Option<Resolved> {
        let [index, list] = argument.items() else {
            return None;
        };
        let index: usize = self.resolve(index).known()?.trim().parse().ok()?;
        self.resolve_list(list)?.into_iter().nth(index)
    }

    fn find_in_map(&self, argument: &Node) -> Option<Resolved> {
        let [map, top, second] = argument.items() else {
            return None;
        };
        let keys = [self.resolve(map), self.resolve(top), self.resolve(second)];
        let mut node = self.mappings?;
        for key in &keys {
            node = node.get(key.known()?)?;
        }
        Some(self.resolve(node))
    }
}

/// A plain YAML scalar as JSON: null, booleans and numbers by YAML 1.2's core schema.
fn plain_json(text: &str) -> serde_json::Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => serde_json::Value::Null,
        "true" | "True" | "TRUE" => serde_json::Value::Bool(true),
        "false" | "False" | "FALSE" => serde_json::Value::Bool(false),
        _ => {
            if let Ok(n) = text.parse::<i64>() {
                return n.into();
            }
            match text.parse::<f64>() {
                Ok(f) if f.is_finite() => serde_json::Number::from_f64(f)
                    .map(serde_json::Value::Number)
                    .unwrap_or_else(|| serde_json::Value::String(text.to_string())),
                _ => serde_json::Value::String(text.to_string()),
            }
        }
    }
}

/// A YAML 1.2 (or CloudFormation string) boolean.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::sam::yaml;

    const TEMPLATE: &str = r#"
Parameters:
  Stage:
    Type: String
    Default: prod
  Memory:
    Type: Number
    Default: 512
  Secret:
    Type: String
    NoEcho: true
Mappings:
  Sizes:
    prod:
      Memory: 1024
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub "uploads-${Stage}"
  Queue:
    Type: AWS::SQS::Queue
Values:
  stage: !Ref Stage
  memory: !Ref Memory
  secret: !Ref Secret
  region: !Ref AWS::Region
  novalue: !Ref AWS::NoValue
  bucket: !Ref Uploads
  queue: !GetAtt Queue.Arn
  sub: !Sub "table-${Stage}-${!Literal}"
  sub_region: !Sub "${AWS::Region}-x"
  sub_vars: !Sub ["${A}/${Stage}", {A: !Ref Memory}]
  sub_attr: !Sub "${Queue.Arn}"
  join: !Join ["-", [a, !Ref Stage, b]]
  join_deploy: !Join ["-", [a, !Ref AWS::AccountId]]
  select: !Select [1, !Split [",", "x,y,z"]]
  map: !FindInMap [Sizes, !Ref Stage, Memory]
  if: !If [IsProd, a, b]
  long: {"Ref": "Stage"}
  pattern:
    source: [aws.ec2]
    detail: {count: 2, ok: true, name: !Ref Stage}
"#;

    fn with_values(check: impl Fn(&Context, &Node)) {
        let root = yaml::parse(TEMPLATE).unwrap();
        let context = Context::new(TEMPLATE, &root);
        check(&context, root.get("Values").unwrap());
    }

    #[test]
    fn known_values_are_computed() {
        with_values(|c, v| {
            let known = |key| c.resolve(v.get(key).unwrap());
            assert_eq!(known("stage"), Resolved::Known("prod".into()));
            assert_eq!(known("memory"), Resolved::Known("512".into()));
            assert_eq!(known("bucket"), Resolved::Known("uploads-prod".into()));
            assert_eq!(
                known("sub"),
                Resolved::Known("table-prod-${Literal}".into())
            );
            assert_eq!(known("sub_vars"), Resolved::Known("512/prod".into()));
            assert_eq!(known("join"), Resolved::Known("a-prod-b".into()));
            assert_eq!(known("select"), Resolved::Known("y".into()));
            assert_eq!(known("map"), Resolved::Known("1024".into()));
            assert_eq!(known("long"), Resolved::Known("prod".into()));
            assert_eq!(known("novalue"), Resolved::NoValue);
        });
    }

    #[test]
    fn what_only_deploy_knows_is_shown_as_written() {
        with_values(|c, v| {
            let at_deploy = |key| c.resolve(v.get(key).unwrap());
            assert_eq!(
                at_deploy("secret"),
                Resolved::AtDeploy("!Ref Secret".into())
            );
            assert_eq!(
                at_deploy("region"),
                Resolved::AtDeploy("!Ref AWS::Region".into())
            );
            assert_eq!(
                at_deploy("queue"),
                Resolved::AtDeploy("!GetAtt Queue.Arn".into())
            );
            assert_eq!(
                at_deploy("sub_region"),
                Resolved::AtDeploy("!Sub \"${AWS::Region}-x\"".into())
            );
            assert!(matches!(at_deploy("sub_attr"), Resolved::AtDeploy(_)));
            assert!(matches!(at_deploy("join_deploy"), Resolved::AtDeploy(_)));
            assert_eq!(
                at_deploy("if"),
                Resolved::AtDeploy("!If [IsProd, a, b]".into())
            );
        });
    }

    #[test]
    fn json_with_resolved_intrinsics() {
        with_values(|c, v| {
            let json = c.json(v.get("pattern").unwrap()).unwrap();
            assert_eq!(
                json,
                serde_json::json!({"source": ["aws.ec2"], "detail": {"count": 2, "ok": true, "name": "prod"}})
            );
            assert_eq!(
                c.json(v.get("queue").unwrap()),
                Err("!GetAtt Queue.Arn".into())
            );
        });
    }
}
