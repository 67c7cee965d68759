//! The capacity planner: the smallest integer in LOW..HIGH for which every requirement holds
//! on every seed. It assumes monotonicity (once met at a value, met at every larger one), so
//! it checks HIGH first (failing there, there is no answer), then LOW (passing there, LOW is
//! the answer), then halves the range between a failing and a passing value.

use serde::Serialize;

use scenario::Requirement;

use crate::check::{all_ok, Check};
use crate::sweep::Table;

/// The assumption, as the command states it.
pub const MONOTONIC: &str = "once every requirement holds at a value, it holds at every \
larger value (monotonic); both ends of the range are run first, then the range is halved, and \
values not run are inferred from the assumption";

/// What was asked.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanSpec {
    pub scenario: String,
    pub path: String,
    pub low: i64,
    pub high: i64,
    pub seeds: Vec<u64>,
    pub set: Vec<String>,
    pub requirements: Vec<Requirement>,
}

/// One value tried: every seed's checks.
#[derive(Clone, Debug, PartialEq)]
pub struct Trial {
    pub value: i64,
    pub seeds: Vec<(u64, Vec<Check>)>,
}

impl Trial {
    /// Every requirement held on every seed.
    pub fn ok(&self) -> bool {
        self.seeds.iter().all(|(_, checks)| all_ok(checks))
    }

    /// The seeds on which every requirement held.
    pub fn seeds_met(&self) -> usize {
        self.seeds
            .iter()
            .filter(|(_, checks)| all_ok(checks))
            .count()
    }
}

/// The answer (`None`: HIGH fails), and every value tried, in the order tried.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub answer: Option<i64>,
    pub tried: Vec<Trial>,
}

/// Searches `low..=high` with `trial` (which runs a value on every seed).
pub fn search<E>(
    low: i64,
    high: i64,
    mut trial: impl FnMut(i64) -> Result<Trial, E>,
) -> Result<Plan, E> {
    assert!(low <= high, "an empty range");
    let mut tried = Vec::new();
    let mut run = |value: i64, tried: &mut Vec<Trial>| -> Result<bool, E> {
        let result = trial(value)?;
        let ok = result.ok();
        tried.push(result);
        Ok(ok)
    };
    if !run(high, &mut tried)? {
        return Ok(Plan {
            answer: None,
            tried,
        });
    }
    if low == high || run(low, &mut tried)? {
        return Ok(Plan {
            answer: Some(low),
            tried,
        });
    }
    // `failing` fails, `passing` passes.
    let (mut failing, mut passing) = (i128::from(low), i128::from(high));
    while passing - failing > 1 {
        let mid = failing + (passing - failing) / 2;
        let mid_value = i64::try_from(mid).expect("between two i64");
        if run(mid_value, &mut tried)? {
            passing = mid;
        } else {
            failing = mid;
        }
    }
    Ok(Plan {
        answer: Some(i64::try_from(passing).expect("an i64")),
        tried,
    })
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PlanJson<'a> {
    scenario: &'a str,
    path: &'a str,
    low: i64,
    high: i64,
    seeds: &'a [u64],
    set: &'a [String],
    requirements: Vec<String>,
    assumption: &'static str,
    answer: Option<i64>,
    tried: Vec<TriedJson>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TriedJson {
    value: i64,
    ok: bool,
    seeds_met: usize,
    seeds: usize,
}

/// `plan.json`: what was asked, the answer (a number or null) and every value tried with its
/// verdict, in the order tried.
pub fn plan_json(spec: &PlanSpec, plan: &Plan) -> Vec<u8> {
    let json = PlanJson {
        scenario: &spec.scenario,
        path: &spec.path,
        low: spec.low,
        high: spec.high,
        seeds: &spec.seeds,
        set: &spec.set,
        requirements: spec.requirements.iter().map(ToString::to_string).collect(),
        assumption: MONOTONIC,
        answer: plan.answer,
        tried: plan
            .tried
            .iter()
            .map(|trial| TriedJson {
                value: trial.value,
                ok: trial.ok(),
                seeds_met: trial.seeds_met(),
                seeds: trial.seeds.len(),
            })
            .collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&json).expect("serializes");
    bytes.push(b'\n');
    bytes
}

/// `plan.csv`: `value, seed, requirement, observed, ok`, in the order tried, then seeds, then
/// requirements; `observed` is empty when the figure has no value.
pub fn plan_csv(plan: &Plan) -> Vec<u8> {
    let header = ["value", "seed", "requirement", "observed", "ok"]
        .map(str::to_string)
        .to_vec();
    let mut rows = Vec::new();
    for trial in &plan.tried {
        for (seed, checks) in &trial.seeds {
            for check in checks {
                rows.push(vec![
                    trial.value.to_string(),
                    seed.to_string(),
                    check.requirement.to_string(),
                    check.observed.clone().unwrap_or_default(),
                    check.ok.to_string(),
                ]);
            }
        }
    }
    Table { header, rows }.to_csv()
}

#[cfg(test)]
mod tests {
    use scenario::parse_requirement;

    use super::{plan_csv, search, Plan, Trial};
    use crate::check::Check;

    /// A trial that passes from `threshold` on, on one seed.
    fn trial(value: i64, threshold: i64) -> Trial {
        let requirement = parse_requirement("web.minRunning>=6").unwrap();
        let observed = if value >= threshold { "6" } else { "4" };
        Trial {
            value,
            seeds: vec![(
                1,
                vec![Check {
                    requirement,
                    observed: Some(observed.to_string()),
                    ok: value >= threshold,
                }],
            )],
        }
    }

    fn plan(low: i64, high: i64, threshold: i64) -> Plan {
        search(low, high, |value| Ok::<_, ()>(trial(value, threshold))).unwrap()
    }

    fn tried(plan: &Plan) -> Vec<i64> {
        plan.tried.iter().map(|trial| trial.value).collect()
    }

    #[test]
    fn the_ends_first_then_halves() {
        let found = plan(3, 12, 5);
        assert_eq!(found.answer, Some(5));
        assert_eq!(tried(&found), [12, 3, 7, 5, 4]);
        let none = plan(3, 12, 13);
        assert_eq!(none.answer, None);
        assert_eq!(tried(&none), [12]);
        let low = plan(3, 12, 1);
        assert_eq!(low.answer, Some(3));
        assert_eq!(tried(&low), [12, 3]);
        let single = plan(4, 4, 4);
        assert_eq!((single.answer, tried(&single)), (Some(4), vec![4]));
        let top = plan(3, 12, 12);
        assert_eq!(top.answer, Some(12));
        for threshold in -5..20 {
            let found = plan(-3, 15, threshold);
            let expected = (threshold <= 15).then_some(threshold.max(-3));
            assert_eq!(found.answer, expected, "threshold {threshold}");
        }
        let wide = plan(i64::MIN, i64::MAX, 17);
        assert_eq!(wide.answer, Some(17));
    }

    #[test]
    fn evidence_rows() {
        let found = plan(3, 4, 4);
        assert_eq!(
            String::from_utf8(plan_csv(&found)).unwrap(),
            "value,seed,requirement,observed,ok\n\
             4,1,web.minRunning >= 6,6,true\n\
             3,1,web.minRunning >= 6,4,false\n"
        );
    }
}
