//! Opening the pages ecsim writes in headless Chromium (Debian's `chromium` package), shared
//! by the browser tests: where Chromium is (a missing one fails the test, saying how to
//! install it), the DOM after the page's scripts ran, and the script errors it logged.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecsim-browser-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temporary folder");
    dir
}

/// `chromium` or `chromium-browser` on the PATH, else a failure that says how to get it.
pub fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for dir in std::env::split_paths(&path) {
        for name in ["chromium", "chromium-browser"] {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "headless Chromium is needed to check the pages ecsim writes in a real browser, and neither \
         `chromium` nor `chromium-browser` is on the PATH. Install Debian's package with \
         `sudo apt-get install -y chromium` (.ci/run installs it when it is missing)."
    );
}

/// The page's DOM after its scripts ran, and what Chromium logged (the console included).
pub fn dump_dom(page: &Path, profile: &Path) -> (String, String) {
    let mut child = Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let mut waited = Duration::ZERO;
    loop {
        if child.try_wait().expect("chromium runs").is_some() {
            break;
        }
        if waited > Duration::from_secs(120) {
            let _ = child.kill();
            panic!(
                "chromium did not finish within two minutes on {}",
                page.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
        waited += Duration::from_millis(100);
    }
    (out.join().expect("reader"), err.join().expect("reader"))
}

/// Script errors as Chromium logs them on stderr (`Uncaught ...` from the console).
pub fn script_errors(log: &str) -> Vec<&str> {
    log.lines()
        .filter(|line| {
            line.contains("Uncaught") || line.contains("CONSOLE") && line.contains("rror")
        })
        .collect()
}

/// Opens `page` in Chromium and checks that it needs nothing remote, that no script error
/// was logged or caught by the page's `onerror` (which writes it as `data-error`), and that
/// its script ran to its end (`data-rendered="yes"` on the body); the DOM.
pub fn open_rendered(page: &Path, profile: &Path) -> String {
    let html = std::fs::read_to_string(page).expect("the page is written");
    for remote in ["http://", "https://", "//cdn", "@import", "url("] {
        assert!(
            !html.contains(remote),
            "{} must open offline, yet it has {remote:?}",
            page.display()
        );
    }
    let (dom, log) = dump_dom(page, profile);
    assert!(
        script_errors(&log).is_empty(),
        "script errors: {:?}",
        script_errors(&log)
    );
    assert!(
        !dom.contains("data-error="),
        "the page's error handler caught an error: {}",
        dom.lines()
            .find(|line| line.contains("data-error="))
            .unwrap_or_default()
    );
    assert!(
        dom.contains("<body data-rendered=\"yes\""),
        "the page's script did not run to its end; the DOM begins:\n{}",
        &dom[..dom.len().min(2000)]
    );
    dom
}

/// Opens `page`, whose script calls the undefined `noSuchFunction`, and checks that the error
/// is caught: written into the DOM by the page's `onerror`, the page not marked rendered, and
/// the error in Chromium's log.
pub fn assert_error_caught(page: &Path, profile: &Path) {
    let (dom, log) = dump_dom(page, profile);
    assert!(
        dom.contains("data-error=\"Uncaught ReferenceError: noSuchFunction is not defined"),
        "the error handler wrote the error into the DOM:\n{}",
        &dom[..dom.len().min(1000)]
    );
    assert!(dom.contains("<body data-rendered=\"no\""));
    assert!(
        !script_errors(&log).is_empty(),
        "the log has the error: {log}"
    );
}
