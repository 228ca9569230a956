//! Applies `cus_db::openapi::StandardErrors` and `TextRules` to an OpenAPI
//! document: `openapi_modifiers < served.json > modified.json`.
//!
//! Lets `tests/schemathesis/run` (`CUS_ST_SCHEMA_FILTER`) fuzz the server
//! against the document as it will be once the app registers the two
//! modifiers, before it does.

use serde_json::Value;
use std::io::Read;

/// utoipa reads `"additionalProperties": {}` (any value, as it writes for a
/// `serde_json::Value` map) as no schema at all; `true` says the same.
fn any_value_as_true(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map
                .get("additionalProperties")
                .is_some_and(|a| a.as_object().is_some_and(|o| o.is_empty()))
            {
                map.insert("additionalProperties".into(), Value::Bool(true));
            }
            map.values_mut().for_each(any_value_as_true);
        }
        Value::Array(items) => items.iter_mut().for_each(any_value_as_true),
        _ => {}
    }
}

fn main() {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("a document on stdin");
    let mut doc: Value = serde_json::from_str(&text).expect("JSON");
    any_value_as_true(&mut doc);
    let mut api: utoipa::openapi::OpenApi =
        serde_json::from_value(doc).expect("an OpenAPI document");
    utoipa::Modify::modify(&cus_db::openapi::StandardErrors, &mut api);
    utoipa::Modify::modify(&cus_db::openapi::TextRules, &mut api);
    println!("{}", api.to_pretty_json().expect("serializes"));
}
