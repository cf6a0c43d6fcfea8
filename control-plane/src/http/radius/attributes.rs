//! The JSON of FreeRADIUS's `rest` module (rlm_rest, `body = 'json'`): request attributes in,
//! reply and control items out. Pure; no HTTP here.
//!
//! In: `{"User-Name": {"type": "string", "value": ["rahim"]}, …}` (a bare value is accepted
//! too, for hand-made requests). Out: `{"control:Cleartext-Password": {"op": ":=", "value":
//! "…", "do_xlat": false}, "reply:Session-Timeout": {…}}`. `do_xlat` is always off, so a `%{`
//! in a password or pool name is never expanded by FreeRADIUS.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// The request's attributes: name → values as text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RadiusAttributes(HashMap<String, Vec<String>>);

/// Why a request body is not rlm_rest JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AttributeError {
    #[error("the body must be a JSON object of RADIUS attributes")]
    NotAnObject,
    #[error("attribute {name}: {problem}")]
    Value { name: String, problem: &'static str },
}

fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

impl RadiusAttributes {
    pub fn from_json(body: &Value) -> Result<Self, AttributeError> {
        let object = body.as_object().ok_or(AttributeError::NotAnObject)?;
        let mut attributes = HashMap::with_capacity(object.len());
        for (name, value) in object {
            let bad = |problem| AttributeError::Value {
                name: name.clone(),
                problem,
            };
            let values = match value {
                Value::Object(inner) => match inner.get("value") {
                    Some(Value::Array(items)) => items
                        .iter()
                        .map(|item| scalar_text(item).ok_or_else(|| bad("values must be scalars")))
                        .collect::<Result<Vec<_>, _>>()?,
                    Some(single) => {
                        vec![scalar_text(single).ok_or_else(|| bad("value must be a scalar"))?]
                    }
                    None => return Err(bad("has no \"value\"")),
                },
                Value::Array(items) => items
                    .iter()
                    .map(|item| scalar_text(item).ok_or_else(|| bad("values must be scalars")))
                    .collect::<Result<Vec<_>, _>>()?,
                Value::Null => continue,
                scalar => vec![scalar_text(scalar).ok_or_else(|| bad("unsupported value"))?],
            };
            attributes.insert(name.clone(), values);
        }
        Ok(Self(attributes))
    }

    /// The first value of an attribute, trimmed; `None` when absent or empty.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|values| values.first())
            .map(|value| value.trim())
            .filter(|value| !value.is_empty())
    }

    /// The first value of an attribute exactly as sent (a password keeps its spaces).
    pub fn raw(&self, name: &str) -> Option<&str> {
        self.0
            .get(name)
            .and_then(|values| values.first())
            .map(String::as_str)
    }

    /// An unsigned integer attribute; absent is `None`, anything else not a number is an error.
    pub fn unsigned(&self, name: &str) -> Result<Option<u64>, AttributeError> {
        match self.text(name) {
            None => Ok(None),
            Some(text) => text.parse().map(Some).map_err(|_| AttributeError::Value {
                name: name.to_owned(),
                problem: "is not an unsigned integer",
            }),
        }
    }
}

/// The attribute lists of FreeRADIUS a reply can fill.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeList {
    Control,
    Reply,
}

/// A reply in rlm_rest's JSON form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RestReply(Map<String, Value>);

impl RestReply {
    /// Sets `list:name := value`, taken literally.
    pub fn set(&mut self, list: AttributeList, name: &str, value: Value) -> &mut Self {
        let prefix = match list {
            AttributeList::Control => "control",
            AttributeList::Reply => "reply",
        };
        let mut item = Map::new();
        item.insert("op".to_owned(), Value::from(":="));
        item.insert("value".to_owned(), value);
        item.insert("do_xlat".to_owned(), Value::Bool(false));
        self.0
            .insert(format!("{prefix}:{name}"), Value::Object(item));
        self
    }

    pub fn into_json(self) -> Value {
        Value::Object(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(body: Value, name: &str, expected: Option<&str>) {
        let attributes = RadiusAttributes::from_json(&body).unwrap();
        assert_eq!(attributes.text(name), expected, "{body}");
    }

    #[test]
    fn rlm_rest_request_forms() {
        check(
            json!({"User-Name": {"type": "string", "value": ["rahim.gulshan"]}}),
            "User-Name",
            Some("rahim.gulshan"),
        );
        check(
            json!({"Acct-Input-Octets": {"type": "integer", "value": [4294967295u64]}}),
            "Acct-Input-Octets",
            Some("4294967295"),
        );
        check(json!({"User-Name": "bob"}), "User-Name", Some("bob"));
        check(json!({"User-Name": ["a", "b"]}), "User-Name", Some("a"));
        check(json!({"User-Name": {"value": []}}), "User-Name", None);
        check(json!({"User-Name": "  "}), "User-Name", None);
        check(json!({"User-Name": null}), "User-Name", None);
        check(json!({}), "User-Name", None);
    }

    #[test]
    fn malformed_bodies_are_refused() {
        assert_eq!(
            RadiusAttributes::from_json(&json!([1])),
            Err(AttributeError::NotAnObject)
        );
        assert!(RadiusAttributes::from_json(&json!({"A": {"type": "x"}})).is_err());
        assert!(RadiusAttributes::from_json(&json!({"A": {"value": [{}]}})).is_err());
    }

    #[test]
    fn unsigned_values() {
        let attributes = RadiusAttributes::from_json(&json!({"A": "12", "B": "x"})).unwrap();
        assert_eq!(attributes.unsigned("A"), Ok(Some(12)));
        assert_eq!(attributes.unsigned("C"), Ok(None));
        assert!(attributes.unsigned("B").is_err());
    }

    #[test]
    fn replies_are_literal_and_list_qualified() {
        let mut reply = RestReply::default();
        reply
            .set(AttributeList::Control, "Cleartext-Password", json!("p%{x}"))
            .set(AttributeList::Reply, "Session-Timeout", json!(60));
        assert_eq!(
            reply.into_json(),
            json!({
                "control:Cleartext-Password": {"op": ":=", "value": "p%{x}", "do_xlat": false},
                "reply:Session-Timeout": {"op": ":=", "value": 60, "do_xlat": false},
            })
        );
    }
}
