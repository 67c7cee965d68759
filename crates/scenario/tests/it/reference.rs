//! The scenario reference (`docs/scenario-reference.md`) names every field of the format:
//! each property of the JSON Schema, which accepts exactly what `validate` accepts, appears
//! there in backquotes, so a newcomer finds every field in the project's own docs.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;

/// Every property name of the schema, with one path where it occurs.
fn property_names(node: &Value, path: &str, names: &mut BTreeSet<(String, String)>) {
    match node {
        Value::Object(map) => {
            if let Some(Value::Object(properties)) = map.get("properties") {
                for (name, child) in properties {
                    let child_path = format!("{path}.{name}");
                    names.insert((name.clone(), child_path.clone()));
                    property_names(child, &child_path, names);
                }
            }
            for (key, child) in map {
                if key != "properties" {
                    property_names(child, path, names);
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                property_names(item, path, names);
            }
        }
        _ => {}
    }
}

#[test]
fn the_scenario_reference_names_every_field_of_the_schema() {
    let reference =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/scenario-reference.md");
    let text = std::fs::read_to_string(&reference).expect("docs/scenario-reference.md");
    let mut names = BTreeSet::new();
    property_names(&scenario::json_schema(), "", &mut names);
    assert!(names.len() > 100, "the schema was walked: {}", names.len());
    let missing: Vec<&str> = names
        .iter()
        .filter(|(name, _)| {
            !text.contains(&format!("`{name}`"))
                && !text.contains(&format!("`{name}:"))
                && !text.contains(&format!(".{name}`"))
        })
        .map(|(_, path)| path.as_str())
        .collect();
    assert!(
        missing.is_empty(),
        "docs/scenario-reference.md does not name these fields (in backquotes): {missing:#?}"
    );
}
