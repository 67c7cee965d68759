//! `compare.html`: a paired comparison at a glance. At the top the two sides, the seeds and
//! the command; then, per service, one row per figure with the paired difference other −
//! base as a dot and its Student's t 95 % interval as a whisker, on the row's own scale around
//! a zero line shared by every row (an interval that does not cross the line settles the
//! difference), coloured by the side it favours, knowing which way the figure is better; and
//! a table with both means, the difference, its interval and the seeds each way.

use std::fmt::Write as _;

use super::{better_words, escape, head, plain, shell_quote, tail, Scale};
use crate::compare::{
    better, figures_won, services, verdict, winner, Better, CompareRow, Comparison, Winner,
};

/// What was compared, as the command line gave it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompareSpec {
    /// BASE.yaml, and OTHER.yaml when given, as written.
    pub base: String,
    pub other: Option<String>,
    /// The scenarios' names.
    pub base_name: String,
    pub other_name: String,
    pub seeds: Vec<u64>,
    pub set: Vec<String>,
    pub set_other: Vec<String>,
}

impl CompareSpec {
    /// The command that makes this comparison.
    pub fn command(&self) -> String {
        let mut command = format!("ecsim compare {}", shell_quote(&self.base));
        if let Some(other) = &self.other {
            let _ = write!(command, " {}", shell_quote(other));
        }
        let _ = write!(
            command,
            " --seeds {}",
            crate::seeds::seeds_text(&self.seeds)
        );
        for set in &self.set {
            let _ = write!(command, " \\\n    --set {}", shell_quote(set));
        }
        for set in &self.set_other {
            let _ = write!(command, " \\\n    --set-other {}", shell_quote(set));
        }
        command
    }

    /// One side: its file and every override it gets.
    fn side(&self, other: bool) -> String {
        let mut text = if other {
            self.other.as_deref().unwrap_or(&self.base).to_string()
        } else {
            self.base.clone()
        };
        let extra: &[String] = if other { &self.set_other } else { &[] };
        for set in self.set.iter().chain(extra) {
            let _ = write!(text, " --set {}", shell_quote(set));
        }
        text
    }
}

/// The chart's viewBox width and its columns: figure names, the plot, the verdicts.
const WIDTH: f64 = 1000.0;
const NAME_RIGHT: f64 = 200.0;
const PLOT_LEFT: f64 = 230.0;
const PLOT_RIGHT: f64 = 730.0;
const VERDICT_LEFT: f64 = 752.0;
const HEAD: f64 = 28.0;
const ROW: f64 = 46.0;

/// How a row reads: its colour, its class in the table and its words.
fn reading(row: &CompareRow) -> (&'static str, &'static str, &'static str) {
    match winner(row) {
        Winner::Other => ("#009E73", "other-better", "other is better"),
        Winner::Base => ("#D55E00", "base-better", "base is better"),
        Winner::Unsettled => {
            // Which side the mean leans to, knowing which way the figure is better.
            let mean = row.diff.as_ref().map_or(0.0, |diff| diff.mean);
            let other_leans = match better(&row.metric) {
                Better::Higher => mean > 0.0,
                Better::Lower => mean < 0.0,
                Better::Neither => false,
            };
            let words = if mean == 0.0 {
                "no difference on average"
            } else if other_leans {
                "other looks better; not settled"
            } else {
                "base looks better; not settled"
            };
            ("#7F7F7F", "unsettled", words)
        }
        Winner::Neutral => ("#0072B2", "neutral", "no verdict"),
        Winner::Same => ("#7F7F7F", "same", "the same on every seed"),
    }
}

/// `compare.html` for `comparison`, made as `spec` says.
pub fn compare_page(spec: &CompareSpec, comparison: &Comparison) -> Vec<u8> {
    let title = if spec.base_name == spec.other_name {
        format!("ecsim compare: {}", spec.base_name)
    } else {
        format!("ecsim compare: {} and {}", spec.base_name, spec.other_name)
    };
    let mut page = head(&title);
    let services = services(comparison);
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} seed{} ({}), paired: both runs of a seed see the same \
         failures and workload draws · ecsim {}</p>\n<ul class=\"facts\"><li>base: <code>{}</code></li>\
         <li>other: <code>{}</code></li></ul>\n<pre class=\"command\"><code>{}</code></pre>\n<nav>",
        escape(&title),
        spec.seeds.len(),
        if spec.seeds.len() == 1 { "" } else { "s" },
        escape(&crate::seeds::seeds_text(&spec.seeds)),
        env!("CARGO_PKG_VERSION"),
        escape(&spec.side(false)),
        escape(&spec.side(true)),
        escape(&spec.command())
    );
    for (index, service) in services.iter().enumerate() {
        let _ = write!(
            page,
            "<a href=\"#service-{index}\">Service {}</a>",
            escape(service)
        );
    }
    page.push_str(
        "</nav>\n<p class=\"hint\">Each row is one figure: the dot is the mean of the paired differences \
         other − base over the seeds, the whisker its Student's t 95 % interval, on the row's own scale \
         (its ends are written below it); the vertical line is zero. An interval that does not cross zero \
         settles the difference: green when other is better, orange when base is, knowing which way the \
         figure is better; grey when the seeds do not settle it, blue for figures where neither way is \
         better. The numbers are those of compare.csv.</p>\n",
    );
    for name in &comparison.only_base {
        let _ = writeln!(
            page,
            "<p class=\"note\">Service {} is only in base: not compared.</p>",
            escape(name)
        );
    }
    for name in &comparison.only_other {
        let _ = writeln!(
            page,
            "<p class=\"note\">Service {} is only in other: not compared.</p>",
            escape(name)
        );
    }
    page.push_str("</header>\n");
    for (index, service) in services.iter().enumerate() {
        let rows: Vec<(usize, &CompareRow)> = comparison
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| row.service == *service)
            .collect();
        let _ = write!(
            page,
            "<section id=\"service-{index}\">\n<h2>Service {} (other − base)</h2>\n",
            escape(service)
        );
        let list = |winner: Winner| {
            let names = figures_won(comparison, service, winner);
            if names.is_empty() {
                "none".to_string()
            } else {
                escape(&names.join(", "))
            }
        };
        let _ = writeln!(
            page,
            "<p>Other is better on <b>{}</b>; base is better on <b>{}</b>; not settled by these seeds: {}.</p>",
            list(Winner::Other),
            list(Winner::Base),
            list(Winner::Unsettled)
        );
        page.push_str(&chart(service, &rows));
        let empty: Vec<&str> = rows
            .iter()
            .filter(|(_, row)| row.n == 0)
            .map(|(_, row)| row.metric.as_str())
            .collect();
        if !empty.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"hint\">No value on any seed: {}.</p>",
                escape(&empty.join(", "))
            );
        }
        table(&mut page, &rows);
        page.push_str("</section>\n");
    }
    tail(&mut page);
    page.into_bytes()
}

/// The forest of one service's differences: one row per figure with a value.
fn chart(service: &str, rows: &[(usize, &CompareRow)]) -> String {
    let drawn: Vec<&(usize, &CompareRow)> = rows.iter().filter(|(_, row)| row.n > 0).collect();
    let height = HEAD + ROW * drawn.len() as f64 + 6.0;
    let zero = (PLOT_LEFT + PLOT_RIGHT) / 2.0;
    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"plot\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" aria-label=\"{}\">\
         <text class=\"end-label\" x=\"{PLOT_LEFT}\" y=\"16\">← other lower</text>\
         <text class=\"end-label\" x=\"{zero}\" y=\"16\" text-anchor=\"middle\">0</text>\
         <text class=\"end-label\" x=\"{PLOT_RIGHT}\" y=\"16\" text-anchor=\"end\">other higher →</text>",
        escape(&format!(
            "Service {service}: the paired difference other − base of each figure with its 95 % interval"
        ))
    );
    for (i, (index, row)) in drawn.iter().enumerate() {
        let top = HEAD + ROW * i as f64;
        let middle = top + 18.0;
        let diff = row.diff.as_ref().expect("a row with seeds has differences");
        let (low, high) = diff.ci95.unwrap_or((diff.mean, diff.mean));
        let scale = Scale::around_zero(&[low, high, diff.mean], PLOT_LEFT, PLOT_RIGHT);
        let (colour, _, words) = reading(row);
        let _ = write!(
            svg,
            "<g class=\"figure\" data-key=\"r{index}\"><title>{}: {}</title>\
             <rect class=\"row-band\" x=\"0\" y=\"{top:.1}\" width=\"{WIDTH}\" height=\"{:.1}\"/>\
             <text class=\"row-label\" x=\"{NAME_RIGHT}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <text class=\"row-hint\" x=\"{NAME_RIGHT}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            escape(&row.metric),
            escape(&verdict(row)),
            ROW - 4.0,
            middle + 4.0,
            escape(&row.metric),
            middle + 19.0,
            better_words(&row.metric)
        );
        let (x_low, x_high, x_mean) = (scale.at(low), scale.at(high), scale.at(diff.mean));
        let _ = write!(
            svg,
            "<line class=\"zero\" x1=\"{zero}\" x2=\"{zero}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
            top + 2.0,
            top + ROW - 6.0
        );
        if diff.ci95.is_some() {
            let _ = write!(
                svg,
                "<line class=\"ci\" stroke=\"{colour}\" x1=\"{x_low:.1}\" x2=\"{x_high:.1}\" y1=\"{middle:.1}\" y2=\"{middle:.1}\"/>\
                 <line class=\"cap\" stroke=\"{colour}\" x1=\"{x_low:.1}\" x2=\"{x_low:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
                 <line class=\"cap\" stroke=\"{colour}\" x1=\"{x_high:.1}\" x2=\"{x_high:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>",
                middle - 6.0,
                middle + 6.0,
                middle - 6.0,
                middle + 6.0
            );
        }
        let fill = if diff.ci95.is_some() { colour } else { "#fff" };
        let _ = write!(
            svg,
            "<circle class=\"mean\" cx=\"{x_mean:.1}\" cy=\"{middle:.1}\" r=\"5\" fill=\"{fill}\" stroke=\"{colour}\"/>"
        );
        // The scale's ends, unless the difference is zero on every seed (no scale to read).
        if row.other_higher + row.other_lower > 0 {
            let _ = write!(
                svg,
                "<text class=\"end-label\" x=\"{PLOT_LEFT}\" y=\"{:.1}\">{}</text>\
                 <text class=\"end-label\" x=\"{PLOT_RIGHT}\" y=\"{:.1}\" text-anchor=\"end\">+{}</text>",
                middle + 19.0,
                scale.label(scale.low),
                middle + 19.0,
                scale.label(scale.high),
            );
        }
        let _ = write!(
            svg,
            "<text class=\"verdict\" x=\"{VERDICT_LEFT}\" y=\"{:.1}\" fill=\"{colour}\">{}</text>\
             <text class=\"row-hint\" x=\"{VERDICT_LEFT}\" y=\"{:.1}\">{}</text></g>",
            middle + 4.0,
            escape(words),
            middle + 19.0,
            escape(&interval_words(row)),
        );
    }
    svg.push_str("</svg>\n");
    svg
}

/// `-52.555867 [-66.888899, -38.222835]`, the difference and its interval.
fn interval_words(row: &CompareRow) -> String {
    match &row.diff {
        None => String::new(),
        Some(diff) => match diff.ci95 {
            Some((low, high)) => format!(
                "{} [{}, {}]",
                crate::compare::signed(diff.mean),
                crate::compare::signed(low),
                crate::compare::signed(high)
            ),
            None => format!(
                "{} (one seed: no interval)",
                crate::compare::signed(diff.mean)
            ),
        },
    }
}

fn table(page: &mut String, rows: &[(usize, &CompareRow)]) {
    page.push_str(
        "<div class=\"table-scroll whole\"><table class=\"numbers\"><thead><tr><th>figure</th><th>seeds</th>\
         <th>base</th><th>other</th><th>other − base</th><th>95 % interval</th>\
         <th>other higher / lower / tied</th><th>verdict</th></tr></thead><tbody>\n",
    );
    for (index, row) in rows {
        let number = |x: Option<f64>| x.map_or_else(|| "–".to_string(), plain);
        let diff = row.diff.as_ref();
        let interval = diff.and_then(|diff| diff.ci95).map_or_else(
            || "–".to_string(),
            |(low, high)| format!("[{}, {}]", plain(low), plain(high)),
        );
        let (_, class, words) = if row.n == 0 {
            ("", "na", "no value")
        } else {
            reading(row)
        };
        let _ = writeln!(
            page,
            "<tr data-key=\"r{index}\" title=\"{}\"><th>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{} / {} / {}</td><td class=\"verdict {class}\">{}</td></tr>",
            escape(&verdict(row)),
            escape(&row.metric),
            row.n,
            number(row.base),
            number(row.other),
            number(diff.map(|diff| diff.mean)),
            interval,
            row.other_higher,
            row.other_lower,
            row.ties,
            escape(words)
        );
    }
    page.push_str("</tbody></table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::{compare_page, CompareSpec};
    use crate::compare::compare;
    use crate::html::attributes;
    use crate::ServiceRow;

    /// A run of service `w&b`: `compare::tests::run` under a name to escape.
    fn run(availability: &str, below: &str) -> Vec<ServiceRow> {
        let mut rows = crate::compare::tests::run(availability, below);
        rows[0].service = "w&b".into();
        rows
    }

    fn spec() -> CompareSpec {
        CompareSpec {
            base: "a.yaml".into(),
            other: None,
            base_name: "q<1>".into(),
            other_name: "q<1>".into(),
            seeds: vec![1, 2],
            set: vec![],
            set_other: vec![
                "services[0].placementStrategy=[{type: binpack, field: memory}]".into(),
            ],
        }
    }

    #[test]
    fn differences_are_drawn_around_zero_in_the_favoured_colour() {
        // Seconds below desired: differences -90 and -98, mean -94, interval
        // -94 ± 12.706205 · 5.656854 / √2 = [-144.82, -43.18]: other is better, the whole
        // interval left of zero. Availability: -0.1 and -0.09: base is better.
        let base = [run("0.9", "100.000"), run("0.9", "110.000")];
        let other = [run("0.8", "10.000"), run("0.81", "12.000")];
        let page = String::from_utf8(compare_page(&spec(), &compare(&base, &other))).unwrap();
        assert!(page.contains("<title>ecsim compare: q&lt;1&gt;</title>"));
        assert!(page.contains("Service w&amp;b (other − base)"));
        assert!(page.contains(
            "--set-other &#39;services[0].placementStrategy=[{type: binpack, field: memory}]&#39;"
        ));
        let chart = &page[page.find("<svg class=\"plot\"").unwrap()..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        // Three figures have values (desiredCount, availability, secondsBelowDesired).
        assert_eq!(chart.matches("<circle class=\"mean\"").count(), 3);
        let row = |metric: &str| {
            let start = chart.find(&format!("<title>{metric}:")).unwrap();
            &chart[start..start + chart[start..].find("</g>").unwrap()]
        };
        let zero = (super::PLOT_LEFT + super::PLOT_RIGHT) / 2.0;
        let below = row("secondsBelowDesired");
        assert!(below.contains("fill=\"#009E73\""), "{below}");
        assert!(below.contains(">other is better<"));
        let (x1, x2) = (attributes(below, "x1"), attributes(below, "x2"));
        // The interval [-144.82, -43.18] on a scale of ±150 (144.82 rounded up in steps of
        // 50): both ends left of zero, where they belong.
        let ci = (x1[1], x2[1]);
        let at = |value: f64| zero + (super::PLOT_RIGHT - zero) * value / 150.0;
        assert!(
            (ci.0 - at(-144.823)).abs() < 0.1 && (ci.1 - at(-43.177)).abs() < 0.1,
            "{ci:?}"
        );
        assert!((attributes(below, "cx")[0] - at(-94.0)).abs() < 0.06);
        assert!(below.contains(">-150<") && below.contains(">+150<"));
        let availability = row("availability");
        assert!(availability.contains(">base is better<"));
        assert!(availability.contains("fill=\"#D55E00\""));
        let same = row("desiredCount");
        assert!(same.contains(">the same on every seed<"));
        assert!(!same.contains("end-label"), "no scale to read: {same}");
        assert_eq!(attributes(same, "cx"), [zero]);
        assert!(page.contains(
            "Other is better on <b>secondsBelowDesired</b>; base is better on <b>availability</b>"
        ));
        assert!(page.contains("No value on any seed: minRunning, meanTimeToRecover"));
    }

    #[test]
    fn the_command_names_both_sides() {
        let spec = CompareSpec {
            other: Some("b c.yaml".into()),
            set: vec!["duration=1h".into()],
            ..spec()
        };
        assert_eq!(
            spec.command(),
            "ecsim compare a.yaml 'b c.yaml' --seeds 1,2 \\\n    --set duration=1h \\\n    --set-other 'services[0].placementStrategy=[{type: binpack, field: memory}]'"
        );
        assert_eq!(spec.side(true), "b c.yaml --set duration=1h --set 'services[0].placementStrategy=[{type: binpack, field: memory}]'");
    }
}
