//! `[[trigger]]` tables: each checked against its type's keys in the schema, then typed
//! into a [`Trigger`].

use std::collections::BTreeMap;
use std::ops::Range;

use toml_edit::{Item, TableLike, Value};

use super::{codes, replace_string_fix, Checked, Validator};
use crate::ide::{Diagnostic, Fix, Severity, TextEdit};
use crate::project::schema::{self, did_you_mean, TriggerSpec};
use crate::project::{FunctionConfig, Trigger};

impl Validator {
    pub(super) fn triggers(
        &mut self,
        item: &Item,
        key_range: Range<usize>,
        config: &mut FunctionConfig,
    ) {
        let tables: Vec<(&dyn TableLike, Range<usize>)> = match item {
            Item::ArrayOfTables(array) => array
                .iter()
                .map(|t| (t as &dyn TableLike, t.span().unwrap_or(key_range.clone())))
                .collect(),
            Item::Value(Value::Array(array)) if array.iter().all(|v| v.is_inline_table()) => array
                .iter()
                .filter_map(|v| {
                    v.as_inline_table()
                        .map(|t| (t as &dyn TableLike, v.span().unwrap_or(key_range.clone())))
                })
                .collect(),
            Item::Table(_) => {
                self.error(
                    codes::WRONG_TYPE,
                    self.value_range(item, &key_range),
                    "Triggers are an array of tables: write `[[trigger]]` (double brackets), one per event source.".to_string(),
                );
                return;
            }
            _ => {
                if let Some(spec) = schema::find_key(schema::ROOT_KEYS, "trigger") {
                    self.wrong_type(spec, item, self.value_range(item, &key_range));
                }
                return;
            }
        };
        for (table, header_range) in tables {
            if let Some(trigger) = self.trigger(table, header_range) {
                config.triggers.push(trigger);
            }
        }
    }

    fn trigger(&mut self, table: &dyn TableLike, header_range: Range<usize>) -> Option<Trigger> {
        let type_spec = &schema::TRIGGER_TYPE_KEY;
        let mut spec: Option<&'static TriggerSpec> = None;
        if let Some(item) = table.get("type") {
            let key_range = self.key_range(table, "type");
            if let Some(Checked::Str(s)) = self.check(type_spec, item, key_range.clone()) {
                let range = self.value_range(item, &key_range);
                match schema::trigger_spec(&s) {
                    Some(found) => spec = Some(found),
                    None => {
                        let suggestion = did_you_mean(&s, schema::TRIGGERS.iter().map(|t| t.kind));
                        let mut message = format!(
                            "Unknown trigger type `{s}`: use one of the event sources ({}).",
                            schema::TRIGGERS
                                .iter()
                                .map(|t| format!("`{}`", t.kind))
                                .collect::<Vec<_>>()
                                .join(", ")
                        );
                        if let Some(sugg) = suggestion {
                            message = format!("Unknown trigger type `{s}`: did you mean `{sugg}`?");
                        }
                        let mut d = Diagnostic::new(
                            codes::UNKNOWN_TRIGGER_TYPE,
                            Severity::Error,
                            range.clone(),
                            message,
                        );
                        if let Some(sugg) = suggestion {
                            d = d.with_fix(replace_string_fix(range, sugg));
                        }
                        self.diagnostics.push(d);
                    }
                }
            }
        } else {
            self.error(
                codes::MISSING_KEY,
                header_range.clone(),
                "This trigger has no `type`: add `type = \"…\"` naming the event source (`s3`, `sqs`, `schedule`, `api`, …).".to_string(),
            );
        }
        let mut settings = BTreeMap::new();
        for (name, item) in table.iter() {
            if name == "type" {
                continue;
            }
            let key_range = self.key_range(table, name);
            let Some(spec) = spec else {
                // Unknown or missing type: keep the keys, nothing to check them against.
                if let Some(json) = to_json(item) {
                    settings.insert(name.to_string(), json);
                }
                continue;
            };
            match schema::find_key(spec.keys, name) {
                Some(key_spec) => {
                    if self.check(key_spec, item, key_range).is_some() {
                        if let Some(json) = to_json(item) {
                            settings.insert(name.to_string(), json);
                        }
                    }
                }
                None if spec.open => {
                    if let Some(json) = to_json(item) {
                        settings.insert(name.to_string(), json);
                    }
                }
                None => {
                    let suggestion = did_you_mean(name, spec.keys.iter().map(|k| k.name));
                    let names: Vec<_> = spec.keys.iter().map(|k| format!("`{}`", k.name)).collect();
                    let message = match suggestion {
                        Some(s) => format!(
                            "Unknown key `{name}` for a `{}` trigger: did you mean `{s}`?",
                            spec.kind
                        ),
                        None => format!(
                            "Unknown key `{name}` for a `{}` trigger: its keys are `type`, {}.",
                            spec.kind,
                            names.join(", ")
                        ),
                    };
                    let mut d = Diagnostic::new(
                        codes::UNKNOWN_KEY,
                        Severity::Error,
                        key_range.clone(),
                        message,
                    );
                    if let Some(s) = suggestion {
                        d = d.with_fix(Fix {
                            title: format!("Rename to `{s}`"),
                            edits: vec![TextEdit {
                                range: key_range,
                                new_text: s.to_string(),
                            }],
                        });
                    }
                    self.diagnostics.push(d);
                }
            }
        }
        if let Some(spec) = spec {
            for required in spec.keys.iter().filter(|k| k.required) {
                if !table.contains_key(required.name) {
                    self.error(
                        codes::MISSING_KEY,
                        header_range.clone(),
                        format!(
                            "This `{}` trigger needs `{}`: add `{} = …` ({}).",
                            spec.kind,
                            required.name,
                            required.name,
                            required.doc.trim_end_matches('.')
                        ),
                    );
                }
            }
        }
        spec.map(|spec| Trigger::from_settings(spec, &settings))
    }
}

/// A TOML item as JSON, for trigger settings.
fn to_json(item: &Item) -> Option<serde_json::Value> {
    match item {
        Item::Value(v) => Some(value_to_json(v)),
        Item::Table(t) => Some(serde_json::Value::Object(
            t.iter()
                .filter_map(|(k, v)| to_json(v).map(|j| (k.to_string(), j)))
                .collect(),
        )),
        _ => None,
    }
}

fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::String(s) => serde_json::Value::String(s.value().clone()),
        Value::Integer(n) => serde_json::Value::from(*n.value()),
        Value::Float(f) => serde_json::Number::from_f64(*f.value())
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Boolean(b) => serde_json::Value::Bool(*b.value()),
        Value::Datetime(d) => serde_json::Value::String(d.value().to_string()),
        Value::Array(a) => serde_json::Value::Array(a.iter().map(value_to_json).collect()),
        Value::InlineTable(t) => serde_json::Value::Object(
            t.iter()
                .map(|(k, v)| (k.to_string(), value_to_json(v)))
                .collect(),
        ),
    }
}
