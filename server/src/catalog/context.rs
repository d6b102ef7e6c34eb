//! The Python model of the handler's `context` argument: classes with attributes and
//! methods, each with its type annotation, doc and example (data in `context.json`).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::Value;

use super::shape::did_you_mean;

/// A Python class as the handler sees it (`LambdaContext`, `CognitoIdentity`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct PyClass {
    /// Class name (`LambdaContext`).
    pub name: String,
    /// What an instance is.
    pub doc: String,
    /// Attributes and methods, in documentation order.
    pub members: Vec<PyMember>,
}

/// An attribute or method of a [`PyClass`].
#[derive(Debug, Clone, PartialEq)]
pub struct PyMember {
    /// Attribute or method name (`function_name`).
    pub name: String,
    /// Type annotation as Python writes it (`str`, `Optional[ClientContext]`); for a method,
    /// its return type.
    pub annotation: String,
    /// What it holds or does.
    pub doc: String,
    /// Attribute or method.
    pub kind: PyMemberKind,
    /// An example value (of the attribute, or of what the method returns).
    pub example: Option<Value>,
    /// The class of an object-valued attribute (after unwrapping `Optional`).
    pub class: Option<Box<PyClass>>,
    /// A dict with arbitrary keys (`client_context.custom`, `.env`): any key is allowed.
    pub open: bool,
}

/// Whether a member is read or called.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PyMemberKind {
    Attribute,
    /// A method; `signature` as Python shows it, e.g. `() -> int`.
    Method {
        signature: String,
    },
}

/// What an attribute chain (`context.client_context.client.app_title`) leads to.
#[derive(Debug, Clone, PartialEq)]
pub enum PyLookup<'a> {
    /// A known member.
    Found(&'a PyMember),
    /// Inside an open dict (`custom`, `env`): allowed, unknown.
    Open(&'a PyMember),
    /// No such member; `at` is the index of the failing name, `suggestions` similar names.
    Missing { at: usize, suggestions: Vec<String> },
}

impl PyClass {
    /// The member called `name`.
    pub fn member(&self, name: &str) -> Option<&PyMember> {
        self.members.iter().find(|member| member.name == name)
    }

    /// Follow an attribute chain from an instance of this class.
    pub fn lookup(&self, names: &[&str]) -> PyLookup<'_> {
        let mut class = self;
        let mut found: Option<&PyMember> = None;
        for (at, name) in names.iter().enumerate() {
            if let Some(member) = found {
                if member.open {
                    return PyLookup::Open(member);
                }
                match member.class.as_deref() {
                    Some(next) => class = next,
                    None => {
                        return PyLookup::Missing {
                            at,
                            suggestions: Vec::new(),
                        }
                    }
                }
            }
            match class.member(name) {
                Some(member) => found = Some(member),
                None => {
                    let names: Vec<String> = class.members.iter().map(|m| m.name.clone()).collect();
                    return PyLookup::Missing {
                        at,
                        suggestions: did_you_mean(name, &names),
                    };
                }
            }
        }
        match found {
            Some(member) => PyLookup::Found(member),
            None => PyLookup::Missing {
                at: 0,
                suggestions: Vec::new(),
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContext {
    name: String,
    doc: String,
    members: Vec<RawMember>,
    classes: HashMap<String, RawClass>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClass {
    doc: String,
    members: Vec<RawMember>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMember {
    name: String,
    #[serde(rename = "type")]
    annotation: String,
    doc: String,
    #[serde(default)]
    example: Option<Value>,
    #[serde(default)]
    signature: Option<String>,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    open: bool,
}

/// Parse `context.json` into the `LambdaContext` class.
pub(super) fn parse(text: &str) -> Result<PyClass, String> {
    let raw: RawContext = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let members = build_members(&raw.members, &raw.classes, 0)?;
    Ok(PyClass {
        name: raw.name,
        doc: raw.doc,
        members,
    })
}

fn build_members(
    members: &[RawMember],
    classes: &HashMap<String, RawClass>,
    depth: usize,
) -> Result<Vec<PyMember>, String> {
    if depth > 8 {
        return Err("context classes nest too deep (a cycle?)".to_string());
    }
    members
        .iter()
        .map(|raw| {
            let class = match &raw.class {
                Some(name) => {
                    let class = classes
                        .get(name)
                        .ok_or_else(|| format!("{}: unknown class `{name}`", raw.name))?;
                    Some(Box::new(PyClass {
                        name: name.clone(),
                        doc: class.doc.clone(),
                        members: build_members(&class.members, classes, depth + 1)?,
                    }))
                }
                None => None,
            };
            Ok(PyMember {
                name: raw.name.clone(),
                annotation: raw.annotation.clone(),
                doc: raw.doc.clone(),
                kind: match &raw.signature {
                    Some(signature) => PyMemberKind::Method {
                        signature: signature.clone(),
                    },
                    None => PyMemberKind::Attribute,
                },
                example: raw.example.clone(),
                class,
                open: raw.open,
            })
        })
        .collect()
}
