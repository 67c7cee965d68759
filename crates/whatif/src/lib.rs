//! What-if questions over many runs: sweeps over seeds and `--set` values (`sweep`), paired
//! comparisons of two scenarios on the same seeds (`compare`), the smallest value that meets
//! every requirement (`plan`), and requirements on one run (`check`), with the statistics
//! they share (`stats`), and the pages that show sweeps and comparisons (`html`). Everything
//! here is computed from each run's figures, the columns of `services.csv`, and turned into
//! the bytes of the files; the binary does the IO.
//!
//! Runs go on as many threads as asked (`run_parallel`); results are put back in run order,
//! so every file is byte-identical for any number of threads.

pub mod check;
pub mod compare;
pub mod grid;
pub mod html;
pub mod plan;
pub mod seeds;
pub mod shard;
pub mod stats;
pub mod sweep;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

use scenario::Scenario;
use sim::Report;

/// The figures of `services.csv`, after `serviceName`, in its order.
pub fn figure_names() -> &'static [&'static str] {
    &sim::SERVICES_HEADER[1..]
}

/// The column of `figure` among `figure_names()`.
pub fn figure_index(figure: &str) -> Option<usize> {
    figure_names().iter().position(|name| *name == figure)
}

/// One service's figures from one run: its name and the cells of its `services.csv` row
/// after the name, formatted as that file formats them (empty when a figure has no value).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServiceRow {
    pub service: String,
    pub cells: Vec<String>,
}

impl ServiceRow {
    /// The cell of `figure`, `None` when the figure is unknown or empty.
    pub fn cell(&self, figure: &str) -> Option<&str> {
        figure_index(figure)
            .map(|idx| self.cells[idx].as_str())
            .filter(|cell| !cell.is_empty())
    }
}

/// The report's services as `services.csv` writes them, so every figure, and any added
/// later, comes through with the same formatting.
pub fn service_rows(report: &Report) -> Vec<ServiceRow> {
    let mut bytes = Vec::new();
    report
        .write_services_csv(&mut bytes)
        .expect("writing to memory cannot fail");
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().expect("services.csv has a header");
    assert!(
        header.iter().eq(sim::SERVICES_HEADER.iter().copied()),
        "services.csv's header is SERVICES_HEADER"
    );
    reader
        .records()
        .map(|record| {
            let record = record.expect("services.csv is well-formed");
            let mut cells: Vec<String> = record.iter().map(str::to_string).collect();
            let service = cells.remove(0);
            ServiceRow { service, cells }
        })
        .collect()
}

/// Runs `scenario` with `seed` for its figures only (no per-row files are produced).
pub fn run_figures(scenario: &Scenario, seed: u64) -> Vec<ServiceRow> {
    let report = sim::run(scenario, seed, Vec::new()).expect("a run without files cannot fail");
    service_rows(&report)
}

/// The number of threads to use by default: every core.
pub fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Computes `work(0)`, ..., `work(count - 1)` on up to `jobs` threads, handing each result to
/// `done` on the calling thread as it arrives (in any order: the caller puts them back in
/// place). The first error from `done` stops the workers from starting more and is returned.
pub fn run_parallel<T: Send, E>(
    jobs: usize,
    count: usize,
    work: impl Fn(usize) -> T + Sync,
    mut done: impl FnMut(usize, T) -> Result<(), E>,
) -> Result<(), E> {
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (work, next_ref, stop_ref) = (&work, &next, &stop);
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..jobs.clamp(1, count.max(1)) {
            let sender = sender.clone();
            scope.spawn(move || loop {
                if stop_ref.load(Ordering::Relaxed) {
                    break;
                }
                let idx = next_ref.fetch_add(1, Ordering::Relaxed);
                if idx >= count || sender.send((idx, work(idx))).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let mut result = Ok(());
        for (idx, value) in receiver {
            if result.is_ok() {
                if let Err(error) = done(idx, value) {
                    stop.store(true, Ordering::Relaxed);
                    result = Err(error);
                }
            }
        }
        result
    })
}

/// Every `work(i)` for `i < count`, in order, computed on up to `jobs` threads.
pub fn map_parallel<T: Send>(
    jobs: usize,
    count: usize,
    work: impl Fn(usize) -> T + Sync,
) -> Vec<T> {
    let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
    let stored: Result<(), std::convert::Infallible> =
        run_parallel(jobs, count, work, |idx, value| {
            slots[idx] = Some(value);
            Ok(())
        });
    let Ok(()) = stored;
    slots
        .into_iter()
        .map(|slot| slot.expect("every index computed"))
        .collect()
}

/// FNV-1a (64 bits) of `bytes`, in hex: a fingerprint for checking that two sweeps ran the
/// same scenario, not a security hash.
pub fn fingerprint<'a>(parts: impl IntoIterator<Item = &'a [u8]>) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &byte in part {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
        // A separator, so ["ab", "c"] and ["a", "bc"] differ.
        hash ^= 0xff;
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::{figure_names, fingerprint, map_parallel};

    #[test]
    fn requirement_figures_are_the_services_csv_figures() {
        assert_eq!(scenario::REQUIREMENT_FIGURES, figure_names());
    }

    #[test]
    fn parallel_maps_keep_their_order() {
        for jobs in [1, 2, 7] {
            let squares = map_parallel(jobs, 20, |idx| idx * idx);
            assert_eq!(squares, (0..20).map(|idx| idx * idx).collect::<Vec<_>>());
        }
        assert!(map_parallel(3, 0, |idx| idx).is_empty());
    }

    #[test]
    fn fingerprints_separate_their_parts() {
        assert_ne!(
            fingerprint([b"ab".as_slice(), b"c"]),
            fingerprint([b"a".as_slice(), b"bc"])
        );
        assert_eq!(fingerprint([b"x".as_slice()]).len(), 16);
    }
}
