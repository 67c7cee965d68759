//! A sweep: every variant of a `--vary` grid on every seed. Runs are numbered in (variant,
//! seed) order, variant-major, seeds in the order `--seeds` names them: run k is variant
//! k / S on the (k mod S)-th seed. `runs.csv` has one row per (run, service); `sweep.csv`
//! one per (variant, service, figure) with the mean, Student's t 95 % interval, minimum and
//! maximum over seeds. `sweep.json`, the manifest, says which sweep a folder holds (and
//! which of its runs, for a shard), so a resumed sweep and `ecsim merge` can check that the
//! pieces belong together.

use serde::{Deserialize, Serialize};

use crate::grid::Grid;
use crate::shard::Shard;
use crate::stats::{fixed6, summarize};
use crate::{figure_names, ServiceRow};

/// What to sweep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepSpec {
    /// The scenario file as given on the command line.
    pub scenario: String,
    pub seeds: Vec<u64>,
    /// `--set` overrides, applied before each variant's.
    pub set: Vec<String>,
    pub grid: Grid,
}

/// One run: a variant on a seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunId {
    pub variant: usize,
    pub seed: u64,
}

impl SweepSpec {
    /// The number of runs: variants times seeds.
    pub fn runs(&self) -> usize {
        self.grid.variants() * self.seeds.len()
    }

    /// Run `k` of the ordered list.
    pub fn run(&self, k: usize) -> RunId {
        RunId {
            variant: k / self.seeds.len(),
            seed: self.seeds[k % self.seeds.len()],
        }
    }

    /// The number of run `id`, if it is one of this sweep's.
    pub fn run_number(&self, id: RunId) -> Option<usize> {
        let seed = self.seeds.iter().position(|&seed| seed == id.seed)?;
        (id.variant < self.grid.variants()).then(|| id.variant * self.seeds.len() + seed)
    }

    /// The overrides of a variant: `--set` first, then the variant's values.
    pub fn overrides(&self, variant: usize) -> Vec<String> {
        let mut overrides = self.set.clone();
        overrides.extend(self.grid.overrides(variant));
        overrides
    }

    /// `runs.csv`'s header: `variant, seed`, the varied paths, `serviceName`, the figures.
    pub fn header(&self) -> Vec<String> {
        ["variant", "seed"]
            .into_iter()
            .chain(self.grid.paths())
            .chain(["serviceName"])
            .chain(figure_names().iter().copied())
            .map(str::to_string)
            .collect()
    }

    /// `runs.csv`'s rows for run `k`, one per service.
    pub fn rows(&self, k: usize, services: &[ServiceRow]) -> Vec<Vec<String>> {
        let id = self.run(k);
        let values = self.grid.values(id.variant);
        services
            .iter()
            .map(|service| {
                let mut row = vec![id.variant.to_string(), id.seed.to_string()];
                row.extend(values.iter().map(|value| value.to_string()));
                row.push(service.service.clone());
                row.extend(service.cells.iter().cloned());
                row
            })
            .collect()
    }

    /// The manifest of this sweep, for the shard `shard` (`None`: the whole sweep).
    /// `scenario_name` and `scenario_hash` identify the scenario whatever its path.
    pub fn manifest(
        &self,
        scenario_name: &str,
        scenario_hash: &str,
        shard: Option<Shard>,
    ) -> Manifest {
        Manifest {
            ecsim_version: env!("CARGO_PKG_VERSION").to_string(),
            scenario: self.scenario.clone(),
            scenario_name: scenario_name.to_string(),
            scenario_hash: scenario_hash.to_string(),
            seeds: self.seeds.clone(),
            set: self.set.clone(),
            vary: self
                .grid
                .varies
                .iter()
                .map(|vary| VaryManifest {
                    path: vary.path.clone(),
                    values: vary.values.clone(),
                })
                .collect(),
            variants: self.grid.variants(),
            runs: self.runs(),
            shard: shard.map(|shard| ShardManifest {
                index: shard.index,
                count: shard.count,
            }),
            held: (0..self.runs())
                .filter(|&k| shard.is_none_or(|shard| shard.holds(k)))
                .collect(),
        }
    }
}

/// The name of run `id`'s record in a sweep's `runs/` folder.
pub fn run_file_name(id: RunId) -> String {
    format!("v{}-s{}.csv", id.variant, id.seed)
}

/// A CSV table of strings: a header and rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// The CSV bytes (quoted only where needed, `\n` line ends).
    pub fn to_csv(&self) -> Vec<u8> {
        let mut writer = csv::Writer::from_writer(Vec::new());
        let mut write = || -> csv::Result<()> {
            writer.write_record(&self.header)?;
            for row in &self.rows {
                writer.write_record(row)?;
            }
            writer.flush()?;
            Ok(())
        };
        write().expect("writing to memory cannot fail");
        writer.into_inner().expect("flushed")
    }

    /// Reads CSV bytes back; every row must have the header's width.
    pub fn parse(bytes: &[u8]) -> Result<Table, String> {
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .from_reader(bytes);
        let header: Vec<String> = reader
            .headers()
            .map_err(|error| error.to_string())?
            .iter()
            .map(str::to_string)
            .collect();
        if header.is_empty() || header == [""] {
            return Err("no header line".to_string());
        }
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|error| error.to_string())?;
            rows.push(record.iter().map(str::to_string).collect());
        }
        Ok(Table { header, rows })
    }
}

/// `sweep.csv`'s header for `paths` varied.
pub fn sweep_header(paths: &[&str]) -> Vec<String> {
    ["variant"]
        .into_iter()
        .chain(paths.iter().copied())
        .chain([
            "serviceName",
            "metric",
            "n",
            "mean",
            "ci95Low",
            "ci95High",
            "min",
            "max",
        ])
        .map(str::to_string)
        .collect()
}

/// `sweep.csv` from `runs.csv` (`n_paths` varied columns; the figures are the header's
/// columns after `serviceName`): per variant in order, per service in the order met, per
/// figure, the statistics over the seeds where it has a value. Means and bounds have six
/// decimals; `min` and `max` are cells as `runs.csv` wrote them; empty when no seed has a
/// value (the interval also when only one has).
pub fn sweep_csv(runs: &Table, n_paths: usize) -> Result<Vec<u8>, String> {
    let first_figure = 3 + n_paths;
    if runs.header.len() < first_figure
        || runs.header[0] != "variant"
        || runs.header[1] != "seed"
        || runs.header[first_figure - 1] != "serviceName"
    {
        return Err(
            "runs.csv's header is not variant, seed, the varied paths, serviceName, the figures"
                .to_string(),
        );
    }
    let paths: Vec<&str> = runs.header[2..2 + n_paths]
        .iter()
        .map(String::as_str)
        .collect();
    let figures = &runs.header[first_figure..];
    let mut out = Table {
        header: sweep_header(&paths),
        rows: Vec::new(),
    };
    let mut start = 0;
    while start < runs.rows.len() {
        let variant = &runs.rows[start][0];
        let end = runs.rows[start..]
            .iter()
            .position(|row| row[0] != *variant)
            .map_or(runs.rows.len(), |len| start + len);
        let block = &runs.rows[start..end];
        let mut services: Vec<&str> = Vec::new();
        for row in block {
            if !services.contains(&row[first_figure - 1].as_str()) {
                services.push(&row[first_figure - 1]);
            }
        }
        for service in services {
            let service_rows: Vec<&Vec<String>> = block
                .iter()
                .filter(|row| row[first_figure - 1] == service)
                .collect();
            for (column, figure) in figures.iter().enumerate() {
                // The cluster's row has the cluster's figures, a service's the others.
                if !crate::has_figure(service, figure) {
                    continue;
                }
                let cells: Vec<&str> = service_rows
                    .iter()
                    .map(|row| row[first_figure + column].as_str())
                    .filter(|cell| !cell.is_empty())
                    .collect();
                let values = cells
                    .iter()
                    .map(|cell| {
                        cell.parse::<f64>().map_err(|_| {
                            format!("runs.csv: {figure} of {service} in variant {variant} is {cell:?}, not a number")
                        })
                    })
                    .collect::<Result<Vec<f64>, String>>()?;
                let mut row = vec![variant.clone()];
                row.extend(block[0][2..2 + n_paths].iter().cloned());
                row.push(service.to_string());
                row.push(figure.clone());
                row.push(values.len().to_string());
                match summarize(&values) {
                    Some(summary) => {
                        row.push(fixed6(summary.mean));
                        match summary.ci95 {
                            Some((low, high)) => {
                                row.push(fixed6(low));
                                row.push(fixed6(high));
                            }
                            None => row.extend([String::new(), String::new()]),
                        }
                        // The first cell holding the extreme, as written.
                        let at = |target: f64| {
                            values
                                .iter()
                                .position(|&value| value == target)
                                .map_or_else(String::new, |idx| cells[idx].to_string())
                        };
                        row.push(at(summary.min));
                        row.push(at(summary.max));
                    }
                    None => row.extend(std::iter::repeat_n(String::new(), 5)),
                }
                out.rows.push(row);
            }
        }
        start = end;
    }
    Ok(out.to_csv())
}

/// `sweep.json`: which sweep a folder holds, and which of its runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Manifest {
    pub ecsim_version: String,
    /// The scenario file as given (paths may differ between machines: not compared).
    pub scenario: String,
    pub scenario_name: String,
    /// A fingerprint of every variant's resolved scenario.
    pub scenario_hash: String,
    pub seeds: Vec<u64>,
    pub set: Vec<String>,
    pub vary: Vec<VaryManifest>,
    pub variants: usize,
    pub runs: usize,
    /// `None` for a whole sweep (and a merged one).
    pub shard: Option<ShardManifest>,
    /// The run numbers this folder holds, ascending.
    pub held: Vec<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VaryManifest {
    pub path: String,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShardManifest {
    pub index: usize,
    pub count: usize,
}

impl Manifest {
    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).expect("a manifest serializes");
        bytes.push(b'\n');
        bytes
    }

    pub fn from_json(bytes: &[u8]) -> Result<Manifest, String> {
        serde_json::from_slice(bytes).map_err(|error| error.to_string())
    }

    /// `Ok` when `other` is a piece of the same sweep (same version, scenario, seeds,
    /// overrides and grid); else the first difference, in words.
    pub fn same_sweep(&self, other: &Manifest) -> Result<(), String> {
        let differences = [
            (
                self.ecsim_version != other.ecsim_version,
                "the ecsim version",
            ),
            (
                self.scenario_name != other.scenario_name,
                "the scenario's name",
            ),
            (
                self.scenario_hash != other.scenario_hash,
                "the scenario (its resolved text)",
            ),
            (self.seeds != other.seeds, "the seeds"),
            (self.set != other.set, "the --set overrides"),
            (self.vary != other.vary, "the --vary grid"),
            (
                self.variants != other.variants || self.runs != other.runs,
                "the number of runs",
            ),
        ];
        match differences.iter().find(|(differs, _)| *differs) {
            Some((_, what)) => Err(format!("{what} differ")),
            None => Ok(()),
        }
    }

    /// The sweep's spec, back from the manifest.
    pub fn spec(&self) -> Result<SweepSpec, String> {
        let grid = Grid::new(
            self.vary
                .iter()
                .map(|vary| crate::grid::Vary {
                    path: vary.path.clone(),
                    values: vary.values.clone(),
                })
                .collect(),
        )?;
        let spec = SweepSpec {
            scenario: self.scenario.clone(),
            seeds: self.seeds.clone(),
            set: self.set.clone(),
            grid,
        };
        if spec.seeds.is_empty()
            || spec.runs() != self.runs
            || spec.grid.variants() != self.variants
        {
            return Err("its seeds and grid do not make its number of runs".to_string());
        }
        if let Some(shard) = self.shard {
            if shard.count == 0 || shard.index >= shard.count {
                return Err(format!(
                    "shard {}/{} does not exist",
                    shard.index, shard.count
                ));
            }
        }
        let ascending = self.held.windows(2).all(|pair| pair[0] < pair[1]);
        if !ascending || self.held.last().is_some_and(|&k| k >= self.runs) {
            return Err("its held runs are not ascending run numbers of the sweep".to_string());
        }
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::{sweep_csv, RunId, SweepSpec, Table};
    use crate::grid::{Grid, Vary};
    use crate::shard::Shard;

    fn spec() -> SweepSpec {
        SweepSpec {
            scenario: "s.yaml".into(),
            seeds: vec![5, 6, 7],
            set: vec!["duration=1h".into()],
            grid: Grid::new(vec![Vary {
                path: "services[0].desiredCount".into(),
                values: vec!["2".into(), "4".into()],
            }])
            .unwrap(),
        }
    }

    #[test]
    fn runs_are_variant_major() {
        let spec = spec();
        assert_eq!(spec.runs(), 6);
        assert_eq!(
            spec.run(4),
            RunId {
                variant: 1,
                seed: 6
            }
        );
        assert_eq!(
            spec.run_number(RunId {
                variant: 1,
                seed: 6
            }),
            Some(4)
        );
        assert_eq!(
            spec.run_number(RunId {
                variant: 2,
                seed: 6
            }),
            None
        );
        assert_eq!(
            spec.run_number(RunId {
                variant: 0,
                seed: 9
            }),
            None
        );
        assert_eq!(
            spec.overrides(1),
            ["duration=1h", "services[0].desiredCount=4"]
        );
        let manifest = spec.manifest("s", "0123", Some(Shard { index: 1, count: 4 }));
        assert_eq!(manifest.held, [1, 5]);
        let back = super::Manifest::from_json(&manifest.to_json()).unwrap();
        assert_eq!(back, manifest);
        assert_eq!(back.spec().unwrap(), spec);
        let broken = super::Manifest {
            held: vec![5, 1],
            ..manifest.clone()
        };
        assert!(broken.spec().is_err());
        let broken = super::Manifest {
            held: vec![9],
            ..manifest.clone()
        };
        assert!(broken.spec().is_err());
        let broken = super::Manifest {
            shard: Some(super::ShardManifest { index: 0, count: 0 }),
            ..manifest.clone()
        };
        assert!(broken.spec().is_err());
        let whole = spec.manifest("s", "0123", None);
        assert!(whole.same_sweep(&manifest).is_ok());
        let other = SweepSpec {
            seeds: vec![5, 6],
            ..spec.clone()
        }
        .manifest("s", "0123", None);
        assert_eq!(
            whole.same_sweep(&other),
            Err("the seeds differ".to_string())
        );
    }

    #[test]
    fn sweep_statistics_per_variant_service_and_figure() {
        let header: Vec<String> = ["variant", "seed", "x", "serviceName", "a", "b"]
            .map(String::from)
            .to_vec();
        let rows = [
            ["0", "1", "2", "web", "1", ""],
            ["0", "2", "2", "web", "2", ""],
            ["0", "3", "2", "web", "3", "7.000"],
            ["0", "4", "2", "web", "4", ""],
            ["0", "5", "2", "web", "5", ""],
            ["1", "1", "4", "web", "6", ""],
        ]
        .iter()
        .map(|row| row.map(String::from).to_vec())
        .collect();
        let bytes = sweep_csv(&Table { header, rows }, 1).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "variant,x,serviceName,metric,n,mean,ci95Low,ci95High,min,max\n\
             0,2,web,a,5,3.000000,1.036757,4.963243,1,5\n\
             0,2,web,b,1,7.000000,,,7.000,7.000\n\
             1,4,web,a,1,6.000000,,,6,6\n\
             1,4,web,b,0,,,,,\n"
        );
    }

    #[test]
    fn tables_round_trip() {
        let table = Table {
            header: vec!["a".into(), "b".into()],
            rows: vec![vec!["[{x: 1, y: 2}]".into(), "".into()]],
        };
        let bytes = table.to_csv();
        assert_eq!(bytes, b"a,b\n\"[{x: 1, y: 2}]\",\n");
        assert_eq!(Table::parse(&bytes).unwrap(), table);
        assert!(Table::parse(b"").is_err());
    }
}
