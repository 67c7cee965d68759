//! Table tests for duration and distribution parsing.

use std::path::Path;
use std::rc::Rc;

use des::Distribution;

use super::parse_duration_ms;
use crate::error::Origin;
use crate::load::parse_yaml;
use crate::read::Cx;

#[track_caller]
fn check(text: &str, expected: Option<u64>) {
    assert_eq!(parse_duration_ms(text), expected, "{text:?}");
}

#[test]
fn durations() {
    check("250ms", Some(250));
    check("90s", Some(90_000));
    check("5m", Some(300_000));
    check("1h30m", Some(5_400_000));
    check("7d", Some(604_800_000));
    check("1d 2h", Some(93_600_000));
    check("0", Some(0));
    check("30", Some(30_000));
    check("0.5", Some(500));
    check("1.5s", Some(1_500));
    check("0.25h", Some(900_000));
    check("0.0005", None);
    check("0.5ms", None);
    check("-3s", None);
    check("-3", None);
    check("NaN", None);
    check(".inf", None);
    check("", None);
    check("5", Some(5_000));
    check("5x", None);
    check("m", None);
    check("1.2.3s", None);
    check("99999999999999999999999d", None);
}

#[track_caller]
fn check_dist(yaml: &str, expected: Result<Distribution, &str>) {
    let origin = Origin::File(Rc::new(Path::new("t.yaml").to_path_buf()));
    let node = parse_yaml(yaml, &origin).expect("test YAML parses");
    let mut cx = Cx::new(Path::new("t.yaml"));
    let got = cx.distribution(&node, "d");
    match expected {
        Ok(dist) => {
            assert_eq!(got, Some(dist), "{yaml}: {:?}", cx.errors);
            assert!(cx.errors.is_empty());
        }
        Err(message) => {
            assert_eq!(got, None);
            let text: Vec<String> = cx.errors.iter().map(ToString::to_string).collect();
            assert_eq!(text.join("\n"), message, "{yaml}");
        }
    }
}

#[test]
fn distributions() {
    check_dist("30s", Ok(Distribution::Fixed { ms: 30_000 }));
    check_dist("{fixed: 30s}", Ok(Distribution::Fixed { ms: 30_000 }));
    check_dist(
        "{exponential: {mean: 10m}}",
        Ok(Distribution::Exponential { mean_ms: 600_000 }),
    );
    check_dist(
        "{uniform: {min: 1m, max: 5m}}",
        Ok(Distribution::Uniform {
            min_ms: 60_000,
            max_ms: 300_000,
        }),
    );
    check_dist(
        "{lognormal: {median: 5m, sigma: 0.5}}",
        Ok(Distribution::LogNormal {
            median_ms: 300_000,
            sigma: 0.5,
        }),
    );
    check_dist(
        "{weibull: {scale: 30d, shape: 1.5}}",
        Ok(Distribution::Weibull {
            scale_ms: 2_592_000_000,
            shape: 1.5,
        }),
    );
    check_dist(
        "{exponential: {mean: 0s}}",
        Err(r#"t.yaml:1:22: d.exponential.mean: expected a duration > 0, found "0s""#),
    );
    check_dist(
        "{uniform: {min: 5m, max: 1m}}",
        Err(r#"t.yaml:1:26: d.uniform.max: expected a duration >= min, found "1m""#),
    );
    check_dist(
        "{lognormal: {median: 5m, sigma: -1}}",
        Err(r#"t.yaml:1:33: d.lognormal.sigma: expected a number >= 0, found "-1""#),
    );
    check_dist(
        "{weibull: {scale: 1d, shape: .nan}}",
        Err(r#"t.yaml:1:30: d.weibull.shape: expected a number > 0, found ".nan""#),
    );
    check_dist(
        "{exponental: {mean: 1m}}",
        Err("t.yaml:1:2: d.exponental: unknown field; did you mean exponential?"),
    );
    check_dist(
        "{fixed: 1s, exponential: {mean: 1m}}",
        Err(&format!(
            "t.yaml:1:1: d: expected {}, found a mapping",
            super::DISTRIBUTION_EXPECTED
        )),
    );
}
