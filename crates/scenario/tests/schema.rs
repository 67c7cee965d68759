//! `scenario::json_schema()` accepts every scenario of `scenarios/` and rejects unknown
//! keys, checked by a small validator for the subset of JSON Schema the schema uses.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// Every violation of `schema` by `value`, each with its JSON path.
fn violations(schema: &Value, value: &Value, path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let Some(schema) = schema.as_object() else {
        return out;
    };
    if let Some(types) = schema.get("type") {
        let types: Vec<&str> = match types {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type keyword at {path}"),
        };
        if !types.iter().any(|kind| has_type(value, kind)) {
            out.push(format!("{path}: {value} is not of type {types:?}"));
            return out;
        }
    }
    if let Some(choices) = schema.get("enum").and_then(Value::as_array) {
        if !choices.contains(value) {
            out.push(format!("{path}: {value} is not one of {choices:?}"));
        }
    }
    if let Some(number) = value.as_f64() {
        if let Some(min) = schema.get("minimum").and_then(Value::as_f64) {
            if number < min {
                out.push(format!("{path}: {number} < minimum {min}"));
            }
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_f64) {
            if number > max {
                out.push(format!("{path}: {number} > maximum {max}"));
            }
        }
    }
    if let Some(object) = value.as_object() {
        if let Some(required) = schema.get("required").and_then(Value::as_array) {
            for key in required.iter().filter_map(Value::as_str) {
                if !object.contains_key(key) {
                    out.push(format!("{path}: missing required {key}"));
                }
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in object {
            let item_path = format!("{path}.{key}");
            match properties.and_then(|properties| properties.get(key)) {
                Some(property) => out.extend(violations(property, item, &item_path)),
                None => match schema.get("additionalProperties") {
                    Some(Value::Bool(false)) => {
                        out.push(format!("{path}: unknown key {key}"));
                    }
                    Some(additional) => out.extend(violations(additional, item, &item_path)),
                    None => {}
                },
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (idx, item) in array.iter().enumerate() {
            out.extend(violations(items, item, &format!("{path}[{idx}]")));
        }
    }
    if let Some(options) = schema.get("anyOf").and_then(Value::as_array) {
        if !options
            .iter()
            .any(|option| violations(option, value, path).is_empty())
        {
            out.push(format!("{path}: matches none of anyOf"));
        }
    }
    if let Some(options) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = options
            .iter()
            .filter(|option| violations(option, value, path).is_empty())
            .count();
        if matching != 1 {
            let why: Vec<String> = options
                .iter()
                .flat_map(|option| violations(option, value, path))
                .collect();
            out.push(format!(
                "{path}: matches {matching} of oneOf, not 1 ({})",
                why.join("; ")
            ));
        }
    }
    out
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        "number" => value.is_number(),
        "integer" => value.is_i64() || value.is_u64(),
        _ => panic!("unknown type {kind}"),
    }
}

fn yaml_to_json(text: &str) -> Value {
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).expect("YAML");
    serde_json::to_value(yaml).expect("JSON")
}

fn scenario_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut files = Vec::new();
    for dir in [root.clone(), root.join("bench")] {
        for entry in std::fs::read_dir(&dir).expect("scenarios folder") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|ext| ext == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn schema_is_draft_2020_12_and_closed_at_the_top() {
    let schema = scenario::json_schema();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["additionalProperties"], false);
    assert!(schema["properties"]["cluster"].is_object());
}

#[test]
fn every_scenario_satisfies_the_schema() {
    let schema = scenario::json_schema();
    let files = scenario_files();
    assert!(files.len() >= 10, "found {files:?}");
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read");
        for problem in violations(&schema, &yaml_to_json(&text), "$") {
            failures.push(format!("{}: {problem}", file.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn unknown_keys_are_rejected_like_validate_does() {
    let schema = scenario::json_schema();
    let quickstart = yaml_to_json(scenario::QUICKSTART);
    assert!(violations(&schema, &quickstart, "$").is_empty());
    let mut top = quickstart.clone();
    top["colour"] = Value::from("blue");
    let found = violations(&schema, &top, "$");
    assert!(
        found.iter().any(|v| v.contains("unknown key colour")),
        "{found:?}"
    );
    let mut nested = quickstart.clone();
    nested["services"][0]["desiredCuont"] = Value::from(3);
    assert!(!violations(&schema, &nested, "$").is_empty());
    let mut container = quickstart.clone();
    container["taskDefinitions"][0]["containerDefinitions"][0]["memroy"] = Value::from(3);
    assert!(!violations(&schema, &container, "$").is_empty());
    // ... and so does validate.
    let text = format!("{}\ncolour: blue\n", scenario::QUICKSTART);
    assert!(scenario::load_str(&text, Path::new("q.yaml"), &[]).is_err());
}

#[test]
fn ignored_aws_keys_and_bad_enums() {
    let schema = scenario::json_schema();
    let mut value = yaml_to_json(scenario::QUICKSTART);
    value["taskDefinitions"][0]["executionRoleArn"] = Value::from("arn:aws:iam::1:role/x");
    value["services"][0]["launchType"] = Value::from("EC2");
    assert!(violations(&schema, &value, "$").is_empty());
    value["services"][0]["schedulingStrategy"] = Value::from("SOMETIMES");
    assert!(!violations(&schema, &value, "$").is_empty());
}
