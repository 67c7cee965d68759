//! How the what-if commands fail and write: bad input (exit 2), IO trouble (exit 1), and
//! files written to `.NAME.partial` and renamed, so a file that looks complete is complete.

use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;

/// Why a command stopped.
pub enum Failure {
    /// Bad input: arguments, scenarios, files of another sweep. Exit code 2.
    Input(String),
    /// Reading or writing files failed. Exit code 1.
    Io(anyhow::Error),
}

impl Failure {
    /// Prints the failure and gives its exit code.
    pub fn exit(self) -> ExitCode {
        match self {
            Failure::Input(message) => {
                eprintln!("{message}");
                ExitCode::from(2)
            }
            Failure::Io(error) => {
                eprintln!("error: {error:#}");
                ExitCode::from(1)
            }
        }
    }
}

impl From<anyhow::Error> for Failure {
    fn from(error: anyhow::Error) -> Failure {
        Failure::Io(error)
    }
}

/// Bad input, with `error: ` before the message.
pub fn input(message: impl std::fmt::Display) -> Failure {
    Failure::Input(format!("error: {message}"))
}

/// Loads a scenario with `overrides`; its errors are bad input, `what` says which run of the
/// command needed it (empty for none). A scenario without services has no figures to
/// collect, so it is refused too.
pub fn load(path: &Path, overrides: &[String], what: &str) -> Result<scenario::Scenario, Failure> {
    let prefix = if what.is_empty() {
        String::new()
    } else {
        format!("{what}:\n")
    };
    let scenario = scenario::load(path, overrides)
        .map_err(|errors| Failure::Input(format!("{prefix}{errors}")))?;
    if scenario.services.is_empty() {
        return Err(Failure::Input(format!(
            "{prefix}{}: no services, so there are no figures to collect",
            path.display()
        )));
    }
    Ok(scenario)
}

/// The temporary name of `name` in `dir`.
pub fn partial(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!(".{name}.partial"))
}

/// Writes `bytes` to `dir/.NAME.partial`, flushes it to disk and renames it to `dir/NAME`.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<()> {
    let temporary = partial(dir, name);
    let mut file =
        File::create(&temporary).with_context(|| format!("creating {}", temporary.display()))?;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .with_context(|| format!("writing {}", temporary.display()))?;
    let target = dir.join(name);
    fs::rename(&temporary, &target).with_context(|| format!("renaming into {}", target.display()))
}

/// Creates `dir` and its parents.
pub fn create_dir(dir: &Path) -> anyhow::Result<()> {
    fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))
}

/// Reads a file, `None` if it does not exist.
pub fn read_optional(path: &Path) -> anyhow::Result<Option<Vec<u8>>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(error).with_context(|| format!("reading {}", path.display())),
    }
}

/// The default output folder `results/<scenario name>-<suffix>`.
pub fn default_out(scenario: &scenario::Scenario, suffix: &str) -> PathBuf {
    Path::new("results").join(format!(
        "{}-{suffix}",
        crate::output::folder_name(&scenario.name)
    ))
}

/// The most threads `--jobs` may ask for.
const MAX_JOBS: usize = 1024;

/// `--jobs N`: from 1 to `MAX_JOBS`; default every core.
pub fn jobs(jobs: Option<usize>) -> Result<usize, Failure> {
    match jobs {
        Some(0) => Err(input("--jobs must be at least 1")),
        Some(jobs) if jobs > MAX_JOBS => Err(input(format!("--jobs must be at most {MAX_JOBS}"))),
        Some(jobs) => Ok(jobs),
        None => Ok(whatif::default_jobs()),
    }
}
