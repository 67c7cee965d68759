//! `--vary 'PATH=[V1, V2, ...]'`: values for one `--set` path; several make a grid whose
//! variants are numbered from 0 in odometer order (the last `--vary` changes fastest), and
//! `--vary 'PATH=LOW..HIGH'`, the integer range `ecsim plan` searches.

/// The most variants one sweep may have.
pub const MAX_VARIANTS: usize = 1_000_000;

/// One `--vary`: a path and its values, each the YAML text as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Vary {
    pub path: String,
    pub values: Vec<String>,
}

/// Splits `PATH=VALUE` at the first `=`, checking that PATH is there.
fn split_path<'a>(text: &'a str, what: &str) -> Result<(&'a str, &'a str), String> {
    match text.split_once('=') {
        Some((path, value)) if !path.trim().is_empty() => Ok((path.trim(), value.trim())),
        _ => Err(format!("--vary {text:?}: expected {what}")),
    }
}

const LIST_EXPECTED: &str = "PATH=[V1, V2, ...], a --set path and a YAML flow list of its values, e.g. services[0].desiredCount=[3, 6, 9]";

/// Parses `PATH=[V1, V2, ...]`. Each value keeps its text (it becomes `--set PATH=V`), so
/// the list is split at its top-level commas, outside brackets, braces and quotes.
pub fn parse_vary(text: &str) -> Result<Vary, String> {
    let (path, list) = split_path(text, LIST_EXPECTED)?;
    if path == "seed" {
        return Err(format!(
            "--vary {text:?}: each run's seed comes from --seeds, so the scenario's seed is not varied"
        ));
    }
    let values = split_flow_list(list)
        .map_err(|why| format!("--vary {text:?}: {why}; expected {LIST_EXPECTED}"))?;
    for (idx, value) in values.iter().enumerate() {
        if values[..idx].contains(value) {
            return Err(format!(
                "--vary {text:?}: the value {value} is listed twice"
            ));
        }
    }
    Ok(Vary {
        path: path.to_string(),
        values,
    })
}

/// The items of a YAML flow list, as written (trimmed).
fn split_flow_list(list: &str) -> Result<Vec<String>, String> {
    let inner = list
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .ok_or_else(|| "the values are not a list in [brackets]".to_string())?;
    let mut items = Vec::new();
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut start = 0;
    let mut chars = inner.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match quote {
            Some('"') => match c {
                '\\' => {
                    chars.next();
                }
                '"' => quote = None,
                _ => {}
            },
            Some(_) => {
                if c == '\'' {
                    // '' is an escaped quote inside single quotes.
                    if chars.peek().is_some_and(|&(_, next)| next == '\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => depth += 1,
                ']' | '}' => {
                    depth = depth
                        .checked_sub(1)
                        .ok_or_else(|| format!("unbalanced {c:?}"))?;
                }
                ',' if depth == 0 => {
                    items.push(inner[start..at].trim().to_string());
                    start = at + 1;
                }
                _ => {}
            },
        }
    }
    if quote.is_some() {
        return Err("a quoted value is not closed".to_string());
    }
    if depth != 0 {
        return Err("a bracket or brace is not closed".to_string());
    }
    let last = inner[start..].trim();
    // A trailing comma is allowed, as in YAML.
    if !last.is_empty() || items.is_empty() {
        items.push(last.to_string());
    }
    if items.iter().any(String::is_empty) {
        return Err(if items.len() == 1 {
            "the list is empty".to_string()
        } else {
            "the list has an empty value".to_string()
        });
    }
    Ok(items)
}

/// The grid of every `--vary`: one variant per combination.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Grid {
    pub varies: Vec<Vary>,
}

impl Grid {
    /// The grid of `varies`; an error if two vary one path or the grid is too large.
    pub fn new(varies: Vec<Vary>) -> Result<Grid, String> {
        let mut count: usize = 1;
        for (idx, vary) in varies.iter().enumerate() {
            if varies[..idx].iter().any(|other| other.path == vary.path) {
                return Err(format!("--vary {} is given twice", vary.path));
            }
            count = count
                .checked_mul(vary.values.len())
                .filter(|&count| count <= MAX_VARIANTS)
                .ok_or_else(|| format!("the --vary grid has more than {MAX_VARIANTS} variants"))?;
        }
        Ok(Grid { varies })
    }

    /// The number of variants (1 without any `--vary`).
    pub fn variants(&self) -> usize {
        self.varies.iter().map(|vary| vary.values.len()).product()
    }

    /// The varied paths, in the order given.
    pub fn paths(&self) -> Vec<&str> {
        self.varies.iter().map(|vary| vary.path.as_str()).collect()
    }

    /// The values of variant `variant`, one per `--vary`: odometer order, the last `--vary`
    /// changing fastest.
    pub fn values(&self, variant: usize) -> Vec<&str> {
        assert!(variant < self.variants(), "variant {variant} out of range");
        let mut rest = variant;
        let mut values = vec![""; self.varies.len()];
        for (slot, vary) in values.iter_mut().zip(&self.varies).rev() {
            *slot = &vary.values[rest % vary.values.len()];
            rest /= vary.values.len();
        }
        values
    }

    /// The `--set PATH=VALUE` overrides of variant `variant`.
    pub fn overrides(&self, variant: usize) -> Vec<String> {
        self.paths()
            .iter()
            .zip(self.values(variant))
            .map(|(path, value)| format!("{path}={value}"))
            .collect()
    }

    /// `path=value, ...` for messages.
    pub fn describe(&self, variant: usize) -> String {
        self.overrides(variant).join(", ")
    }
}

/// `PATH=LOW..HIGH` of `ecsim plan`: a path and an integer range, both ends included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    pub path: String,
    pub low: i64,
    pub high: i64,
}

const RANGE_EXPECTED: &str = "PATH=LOW..HIGH, a --set path and whole numbers with LOW <= HIGH, e.g. cluster.autoScalingGroups[0].desiredCapacity=3..12";

/// Parses `PATH=LOW..HIGH` (`LOW..=HIGH` too).
pub fn parse_range(text: &str) -> Result<Range, String> {
    let (path, range) = split_path(text, RANGE_EXPECTED)?;
    let bad = || format!("--vary {text:?}: expected {RANGE_EXPECTED}");
    let (low, high) = range.split_once("..").ok_or_else(bad)?;
    let high = high.strip_prefix('=').unwrap_or(high);
    let low: i64 = low.trim().parse().map_err(|_| bad())?;
    let high: i64 = high.trim().parse().map_err(|_| bad())?;
    if low > high {
        return Err(format!(
            "--vary {text:?}: the range runs backwards; write {high}..{low}"
        ));
    }
    Ok(Range {
        path: path.to_string(),
        low,
        high,
    })
}

#[cfg(test)]
mod tests {
    use super::{parse_range, parse_vary, Grid, Vary};

    #[test]
    fn values_keep_their_text() {
        let vary = parse_vary("services[0].desiredCount=[3, 6,9]").unwrap();
        assert_eq!(vary.path, "services[0].desiredCount");
        assert_eq!(vary.values, ["3", "6", "9"]);
        let vary = parse_vary(
            "services[0].placementStrategy=[[{type: binpack, field: memory}], [{type: spread, field: instanceId}],]",
        )
        .unwrap();
        assert_eq!(
            vary.values,
            [
                "[{type: binpack, field: memory}]",
                "[{type: spread, field: instanceId}]"
            ]
        );
        let vary = parse_vary(r#"name=["a,b", 'it''s, here', "q\"]"]"#).unwrap();
        assert_eq!(vary.values, [r#""a,b""#, "'it''s, here'", r#""q\"]""#]);
        let vary = parse_vary("duration=[1h]").unwrap();
        assert_eq!(vary.values, ["1h"]);
    }

    #[test]
    fn bad_lists_say_why() {
        assert!(parse_vary("x=3").unwrap_err().contains("not a list"));
        assert!(parse_vary("x=[]").unwrap_err().contains("empty"));
        assert!(parse_vary("x=[1,,2]").unwrap_err().contains("empty value"));
        assert!(parse_vary("x=[[1, 2]").unwrap_err().contains("not closed"));
        assert!(parse_vary("x=['a, 2]").unwrap_err().contains("not closed"));
        assert!(parse_vary("x=[1}, 2]").unwrap_err().contains("unbalanced"));
        assert!(parse_vary("=[1]").unwrap_err().contains("expected PATH="));
        assert!(parse_vary("x=[1, 1]").unwrap_err().contains("listed twice"));
        assert!(parse_vary("seed=[1, 2]").unwrap_err().contains("--seeds"));
    }

    #[test]
    fn variants_are_in_odometer_order() {
        let grid = Grid::new(vec![
            Vary {
                path: "a".into(),
                values: vec!["1".into(), "2".into()],
            },
            Vary {
                path: "b".into(),
                values: vec!["x".into(), "y".into(), "z".into()],
            },
        ])
        .unwrap();
        assert_eq!(grid.variants(), 6);
        let all: Vec<Vec<&str>> = (0..6).map(|v| grid.values(v)).collect();
        assert_eq!(
            all,
            [
                ["1", "x"],
                ["1", "y"],
                ["1", "z"],
                ["2", "x"],
                ["2", "y"],
                ["2", "z"]
            ]
        );
        assert_eq!(grid.overrides(4), ["a=2", "b=y"]);
        assert_eq!(Grid::default().variants(), 1);
        assert!(Grid::default().values(0).is_empty());
        let twice = Grid::new(vec![grid.varies[0].clone(), grid.varies[0].clone()]);
        assert!(twice.unwrap_err().contains("given twice"));
    }

    #[test]
    fn ranges() {
        let range = parse_range("cluster.autoScalingGroups[0].desiredCapacity=3..12").unwrap();
        assert_eq!((range.low, range.high), (3, 12));
        assert_eq!(parse_range("x=2..=2").unwrap().high, 2);
        assert!(parse_range("x=5..1").unwrap_err().contains("write 1..5"));
        assert!(parse_range("x=[1, 2]").is_err());
        assert!(parse_range("x=1..b").is_err());
    }
}
