//! `--shard I/N`: run k of a sweep's ordered list of (variant, seed) runs belongs to shard
//! k mod N. `--shard auto/N` takes I from the array index of the batch engine the command
//! runs under, modulo N, so any N consecutive array indices (Slurm's `--array=0-3` or
//! `--array=1-4`) cover every shard exactly once.

use std::fmt;

/// The array-index variables read by `--shard auto/N`, in the order they are looked for,
/// with the engine that sets each.
pub const ARRAY_INDEX_VARIABLES: [(&str, &str); 3] = [
    ("SLURM_ARRAY_TASK_ID", "Slurm job arrays"),
    ("JOB_COMPLETION_INDEX", "Kubernetes Indexed Jobs"),
    ("AWS_BATCH_JOB_ARRAY_INDEX", "AWS Batch array jobs"),
];

/// The most shards a sweep may be cut into.
pub const MAX_SHARDS: usize = 1_000_000;

/// Shard `index` of `count`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    /// Whether run `run` (its place in the sweep's ordered list) belongs to this shard.
    pub fn holds(&self, run: usize) -> bool {
        run % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// `--shard` as written: a fixed shard, or `auto/N`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShardSpec {
    Fixed(Shard),
    Auto { count: usize },
}

const EXPECTED: &str =
    "I/N with 0 <= I < N (e.g. 0/4), or auto/N to take I from the batch engine's array index";

/// Parses `I/N` or `auto/N`.
pub fn parse_shard(text: &str) -> Result<ShardSpec, String> {
    let bad = || format!("--shard {text:?}: expected {EXPECTED}");
    let (index, count) = text.trim().split_once('/').ok_or_else(bad)?;
    let count: usize = count.trim().parse().map_err(|_| bad())?;
    if count == 0 || count > MAX_SHARDS {
        return Err(format!(
            "--shard {text:?}: N must be from 1 to {MAX_SHARDS}"
        ));
    }
    if index.trim() == "auto" {
        return Ok(ShardSpec::Auto { count });
    }
    let index: usize = index.trim().parse().map_err(|_| bad())?;
    if index >= count {
        return Err(format!(
            "--shard {text:?}: shards are numbered from 0 to {}",
            count - 1
        ));
    }
    Ok(ShardSpec::Fixed(Shard { index, count }))
}

impl ShardSpec {
    /// The shard, reading `auto`'s index through `var` (the environment, in the binary):
    /// the first of `ARRAY_INDEX_VARIABLES` that is set, modulo N.
    pub fn resolve(&self, var: impl Fn(&str) -> Option<String>) -> Result<Shard, String> {
        let count = match *self {
            ShardSpec::Fixed(shard) => return Ok(shard),
            ShardSpec::Auto { count } => count,
        };
        for (name, _) in ARRAY_INDEX_VARIABLES {
            if let Some(value) = var(name) {
                let index: u64 = value.trim().parse().map_err(|_| {
                    format!("--shard auto/{count}: {name}={value:?} is not a whole number")
                })?;
                return Ok(Shard {
                    index: (index % count as u64) as usize,
                    count,
                });
            }
        }
        let engines: Vec<String> = ARRAY_INDEX_VARIABLES
            .iter()
            .map(|(name, engine)| format!("{name} ({engine})"))
            .collect();
        Err(format!(
            "--shard auto/{count}: no array index in the environment; expected one of {}; outside a batch engine, give the shard as I/{count}",
            engines.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::{parse_shard, Shard, ShardSpec};

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(key, _)| *key == name)
                .map(|(_, value)| value.to_string())
        }
    }

    #[test]
    fn fixed_shards() {
        let shard = Shard { index: 1, count: 3 };
        assert_eq!(parse_shard("1/3"), Ok(ShardSpec::Fixed(shard)));
        let held: Vec<usize> = (0..8).filter(|&run| shard.holds(run)).collect();
        assert_eq!(held, [1, 4, 7]);
        assert!(parse_shard("3/3").unwrap_err().contains("from 0 to 2"));
        assert!(parse_shard("0/0").unwrap_err().contains("from 1"));
        assert!(parse_shard("1").is_err());
        assert!(parse_shard("a/3").is_err());
        assert_eq!(shard.to_string(), "1/3");
    }

    #[test]
    fn auto_reads_the_engines_index_modulo_n() {
        let auto = parse_shard("auto/4").unwrap();
        assert_eq!(auto, ShardSpec::Auto { count: 4 });
        let slurm = auto.resolve(env(&[("SLURM_ARRAY_TASK_ID", "2")])).unwrap();
        assert_eq!(slurm, Shard { index: 2, count: 4 });
        // Slurm's --array=1-4 numbers from 1: index 4 is shard 0.
        let slurm = auto.resolve(env(&[("SLURM_ARRAY_TASK_ID", "4")])).unwrap();
        assert_eq!(slurm.index, 0);
        let k8s = auto.resolve(env(&[("JOB_COMPLETION_INDEX", "3")])).unwrap();
        assert_eq!(k8s.index, 3);
        let batch = auto
            .resolve(env(&[("AWS_BATCH_JOB_ARRAY_INDEX", "1")]))
            .unwrap();
        assert_eq!(batch.index, 1);
        let none = auto.resolve(env(&[])).unwrap_err();
        assert!(none.contains("SLURM_ARRAY_TASK_ID"), "{none}");
        assert!(none.contains("give the shard as I/4"), "{none}");
        let bad = auto.resolve(env(&[("JOB_COMPLETION_INDEX", "x")]));
        assert!(bad.unwrap_err().contains("not a whole number"));
    }
}
