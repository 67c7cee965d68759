//! `ecsim plan --minimize FIGURE`: every variant of a `--vary` grid on every seed; the answer
//! is the variant that meets every requirement on every seed with the lowest mean of FIGURE
//! over the seeds (`costUsd`: the cheapest). No monotonicity is assumed: every variant is
//! run. Ties go to the first variant in grid order; a variant whose FIGURE has no value on
//! some seed cannot be chosen.

use serde::Serialize;

use scenario::Requirement;

use crate::check::{all_ok, Check};
use crate::grid::Grid;
use crate::stats::fixed6;
use crate::sweep::Table;
use crate::ServiceRow;

/// What was asked.
#[derive(Clone, Debug, PartialEq)]
pub struct MinimizeSpec {
    pub scenario: String,
    pub grid: Grid,
    /// The figure to minimize: a service's (`web.costUsd`) or the cluster's (service `""`).
    pub service: String,
    pub figure: &'static str,
    pub seeds: Vec<u64>,
    pub set: Vec<String>,
    pub requirements: Vec<Requirement>,
}

impl MinimizeSpec {
    /// `costUsd` or `web.costUsd`.
    pub fn figure_text(&self) -> String {
        if self.service.is_empty() {
            self.figure.to_string()
        } else {
            format!("{}.{}", self.service, self.figure)
        }
    }

    /// The figure's cell in one run's rows; `None` when it has no value.
    pub fn cell(&self, rows: &[ServiceRow]) -> Option<String> {
        rows.iter()
            .find(|row| row.service == self.service)
            .and_then(|row| row.cell(self.figure))
            .map(str::to_string)
    }
}

/// One seed of a variant: its checks and the minimized figure's cell.
#[derive(Clone, Debug, PartialEq)]
pub struct SeedResult {
    pub seed: u64,
    pub checks: Vec<Check>,
    pub value: Option<String>,
}

/// One variant on every seed.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    pub variant: usize,
    pub seeds: Vec<SeedResult>,
}

impl Candidate {
    /// Every requirement held on every seed.
    pub fn ok(&self) -> bool {
        self.seeds.iter().all(|seed| all_ok(&seed.checks))
    }

    pub fn seeds_met(&self) -> usize {
        self.seeds
            .iter()
            .filter(|seed| all_ok(&seed.checks))
            .count()
    }

    /// The mean of the figure over the seeds, summed in seed order; `None` unless every
    /// seed has a value.
    pub fn mean(&self) -> Option<f64> {
        let values: Option<Vec<f64>> = self
            .seeds
            .iter()
            .map(|seed| seed.value.as_deref().and_then(|cell| cell.parse().ok()))
            .collect();
        let values = values?;
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    }
}

/// The index (in `candidates`) of the variant meeting every requirement on every seed with
/// the lowest mean; the first such on a tie. `None` when no variant meets them all.
pub fn choose(candidates: &[Candidate]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for (idx, candidate) in candidates.iter().enumerate() {
        if !candidate.ok() {
            continue;
        }
        let Some(mean) = candidate.mean() else {
            continue;
        };
        if best.is_none_or(|(_, lowest)| mean < lowest) {
            best = Some((idx, mean));
        }
    }
    best.map(|(idx, _)| idx)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct MinimizeJson<'a> {
    scenario: &'a str,
    minimize: String,
    vary: Vec<VaryJson<'a>>,
    seeds: &'a [u64],
    set: &'a [String],
    requirements: Vec<String>,
    rule: &'static str,
    answer: Option<VariantJson>,
    variants: Vec<VariantJson>,
}

#[derive(Serialize)]
struct VaryJson<'a> {
    path: &'a str,
    values: &'a [String],
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
struct VariantJson {
    variant: usize,
    set: Vec<String>,
    ok: bool,
    seeds_met: usize,
    seeds: usize,
    /// The figure's mean over the seeds, six decimals; `None` without a value on every seed.
    mean: Option<String>,
}

/// How the answer is chosen, as `plan.json` states it.
pub const RULE: &str = "every variant is run on every seed; the answer is the variant that \
meets every requirement on every seed with the lowest mean of the minimized figure over the \
seeds (the first in grid order on a tie)";

/// `plan.json` of a `--minimize` plan: the question, the answer (null when none) and every
/// variant with its verdict and mean.
pub fn minimize_json(
    spec: &MinimizeSpec,
    candidates: &[Candidate],
    answer: Option<usize>,
) -> Vec<u8> {
    let view = |candidate: &Candidate| VariantJson {
        variant: candidate.variant,
        set: spec.grid.overrides(candidate.variant),
        ok: candidate.ok(),
        seeds_met: candidate.seeds_met(),
        seeds: candidate.seeds.len(),
        mean: candidate.mean().map(fixed6),
    };
    let json = MinimizeJson {
        scenario: &spec.scenario,
        minimize: spec.figure_text(),
        vary: spec
            .grid
            .varies
            .iter()
            .map(|vary| VaryJson {
                path: &vary.path,
                values: &vary.values,
            })
            .collect(),
        seeds: &spec.seeds,
        set: &spec.set,
        requirements: spec.requirements.iter().map(ToString::to_string).collect(),
        rule: RULE,
        answer: answer.map(|idx| view(&candidates[idx])),
        variants: candidates.iter().map(view).collect(),
    };
    let mut bytes = serde_json::to_vec_pretty(&json).expect("serializes");
    bytes.push(b'\n');
    bytes
}

/// `plan.csv` of a `--minimize` plan: `variant`, the varied paths, `seed`, `requirement`,
/// `observed`, `ok`; per variant and seed, one row per requirement, then one for the
/// minimized figure (`requirement` is `minimize FIGURE`, `ok` empty).
pub fn minimize_csv(spec: &MinimizeSpec, candidates: &[Candidate]) -> Vec<u8> {
    let header = ["variant"]
        .into_iter()
        .chain(spec.grid.paths())
        .chain(["seed", "requirement", "observed", "ok"])
        .map(str::to_string)
        .collect();
    let mut rows = Vec::new();
    for candidate in candidates {
        let mut lead = vec![candidate.variant.to_string()];
        lead.extend(
            spec.grid
                .values(candidate.variant)
                .iter()
                .map(|value| value.to_string()),
        );
        for seed in &candidate.seeds {
            for check in &seed.checks {
                let mut row = lead.clone();
                row.extend([
                    seed.seed.to_string(),
                    check.requirement.to_string(),
                    check.observed.clone().unwrap_or_default(),
                    check.ok.to_string(),
                ]);
                rows.push(row);
            }
            let mut row = lead.clone();
            row.extend([
                seed.seed.to_string(),
                format!("minimize {}", spec.figure_text()),
                seed.value.clone().unwrap_or_default(),
                String::new(),
            ]);
            rows.push(row);
        }
    }
    Table { header, rows }.to_csv()
}

#[cfg(test)]
mod tests {
    use scenario::parse_requirement;

    use super::{choose, Candidate, SeedResult};
    use crate::check::Check;

    /// A variant on two seeds: whether it meets `web.minRunning>=2`, and its cost per seed.
    fn candidate(variant: usize, ok: [bool; 2], cost: [Option<&str>; 2]) -> Candidate {
        let requirement = parse_requirement("web.minRunning>=2").unwrap();
        Candidate {
            variant,
            seeds: (0..2)
                .map(|idx| SeedResult {
                    seed: idx as u64 + 1,
                    checks: vec![Check {
                        requirement: requirement.clone(),
                        observed: Some(if ok[idx] { "2" } else { "1" }.to_string()),
                        ok: ok[idx],
                    }],
                    value: cost[idx].map(str::to_string),
                })
                .collect(),
        }
    }

    #[test]
    fn the_cheapest_variant_that_meets_everything_on_every_seed() {
        let candidates = [
            // Cheapest, but fails on one seed.
            candidate(0, [true, false], [Some("1.0"), Some("1.0")]),
            // Meets everything: mean 3.
            candidate(1, [true, true], [Some("2.0"), Some("4.0")]),
            // Meets everything: mean 2.5, the answer.
            candidate(2, [true, true], [Some("2.5"), Some("2.5")]),
            // Meets everything but has no cost on a seed.
            candidate(3, [true, true], [Some("0.1"), None]),
            // As cheap as the answer, but later.
            candidate(4, [true, true], [Some("3.0"), Some("2.0")]),
        ];
        assert_eq!(choose(&candidates), Some(2));
        assert_eq!(candidates[1].mean(), Some(3.0));
        assert_eq!(candidates[3].mean(), None);
        assert_eq!(candidates[0].seeds_met(), 1);
        assert_eq!(choose(&candidates[..1]), None, "nothing meets everything");
        assert_eq!(choose(&candidates[3..4]), None, "no value, no answer");
    }
}
