//! `sweep.html`: a sweep at a glance. At the top the scenario, the seeds, the variants and the
//! command that makes the sweep; then, per service, one chart per figure with each variant's
//! mean over the seeds as a dot and its Student's t 95 % interval as a whisker (variants
//! along the x axis in grid order, labelled with their `--vary` values; when one numeric
//! path is varied the axis is that path's values and a line joins the means), and a table of
//! the same numbers. Built from the manifest and `sweep.csv` alone, so `ecsim merge` writes
//! the same page as the sweep run whole.

use std::fmt::Write as _;

use super::{
    better_words, escape, head, plot_open, shell_quote, tail, trim, without_overlaps, Scale,
};
use crate::sweep::{sweep_header, Manifest, Table};

/// Services drawn, in the order of `sweep.csv`; the rest are counted at the end.
pub const MAX_SERVICES: usize = 12;
/// Variants drawn and tabled, in grid order; the rest are counted at the top.
pub const MAX_VARIANTS: usize = 200;

/// The chart's viewBox width, and where its plot area is.
const WIDTH: f64 = 600.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 588.0;
const TOP: f64 = 12.0;
const PLOT_HEIGHT: f64 = 170.0;
/// The room between the outermost points of a numeric axis and the plot's edges.
const PAD: f64 = 26.0;
/// The height of one line of axis labels.
const LINE: f64 = 15.0;

/// One (variant, service, figure) row of `sweep.csv`.
#[derive(Clone, Debug, PartialEq)]
struct Cell {
    n: usize,
    /// The cells as written: mean, ci95Low, ci95High, min, max (empty when absent).
    mean: String,
    low: String,
    high: String,
    min: String,
    max: String,
}

impl Cell {
    fn value(text: &str) -> Option<f64> {
        text.parse().ok()
    }
    fn mean(&self) -> Option<f64> {
        Cell::value(&self.mean)
    }
    fn interval(&self) -> Option<(f64, f64)> {
        Cell::value(&self.low).zip(Cell::value(&self.high))
    }
}

/// `sweep.csv` by service and figure: for each, one cell per variant.
struct Figures {
    services: Vec<String>,
    figures: Vec<String>,
    /// `cells[service][figure][variant]`.
    cells: Vec<Vec<Vec<Option<Cell>>>>,
}

fn read_summary(manifest: &Manifest, summary: &[u8]) -> Result<Figures, String> {
    let table = Table::parse(summary)?;
    let paths: Vec<&str> = manifest
        .vary
        .iter()
        .map(|vary| vary.path.as_str())
        .collect();
    if table.header != sweep_header(&paths) {
        return Err("sweep.csv's columns are not this sweep's".to_string());
    }
    let service_column = 1 + paths.len();
    let shown = manifest.variants.min(MAX_VARIANTS);
    let mut figures = Figures {
        services: Vec::new(),
        figures: Vec::new(),
        cells: Vec::new(),
    };
    for row in &table.rows {
        let variant: usize = row[0]
            .parse()
            .ok()
            .filter(|&variant| variant < manifest.variants)
            .ok_or_else(|| {
                format!(
                    "sweep.csv names variant {:?}, not one of this sweep's",
                    row[0]
                )
            })?;
        if variant >= shown {
            continue;
        }
        let [service, figure, n, mean, low, high, min, max] = &row[service_column..] else {
            unreachable!("the header has these columns");
        };
        let n = n
            .parse()
            .map_err(|_| format!("sweep.csv: n is {n:?}, not a count"))?;
        let service = index_of(&mut figures.services, service);
        let figure = index_of(&mut figures.figures, figure);
        figures.cells.resize_with(figures.services.len(), Vec::new);
        let per_figure = &mut figures.cells[service];
        per_figure.resize_with(figures.figures.len(), || vec![None; shown]);
        per_figure[figure][variant] = Some(Cell {
            n,
            mean: mean.clone(),
            low: low.clone(),
            high: high.clone(),
            min: min.clone(),
            max: max.clone(),
        });
    }
    for per_figure in &mut figures.cells {
        per_figure.resize_with(figures.figures.len(), || vec![None; shown]);
    }
    Ok(figures)
}

/// The position of `name` in `names`, added at the end when new.
fn index_of(names: &mut Vec<String>, name: &str) -> usize {
    names
        .iter()
        .position(|known| known == name)
        .unwrap_or_else(|| {
            names.push(name.to_string());
            names.len() - 1
        })
}

/// The x axis shared by every chart: where each variant is, the labels, what they name.
struct XAxis {
    xs: Vec<f64>,
    /// Label lines at an x; overlapping labels are left out.
    labels: Vec<(f64, Vec<String>)>,
    caption: String,
    /// The variants in the order of their values, joined by a line; empty: no line.
    line: Vec<usize>,
    /// Whether the labels are (or begin with) the variants' numbers, which the table of
    /// variants at the top explains.
    numbered: bool,
}

/// The last part of a path: `desiredCapacity` for `cluster.autoScalingGroups[0].desiredCapacity`.
fn short(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

impl XAxis {
    fn new(manifest: &Manifest) -> XAxis {
        let variants = manifest.variants.min(MAX_VARIANTS);
        let numeric: Option<Vec<f64>> = match manifest.vary.as_slice() {
            [vary] if vary.values.len() > 1 => vary
                .values
                .iter()
                .take(variants)
                .map(|value| value.trim().parse::<f64>().ok().filter(|x| x.is_finite()))
                .collect(),
            _ => None,
        };
        let spread = numeric.map(|values| {
            let (min, max) = values
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(min, max), &x| {
                    (min.min(x), max.max(x))
                });
            (values, min, max)
        });
        if let Some((values, min, max)) = spread.filter(|(_, min, max)| min < max) {
            let vary = &manifest.vary[0];
            let xs: Vec<f64> = values
                .iter()
                .map(|&x| LEFT + PAD + (RIGHT - LEFT - 2.0 * PAD) * (x - min) / (max - min))
                .collect();
            let mut line: Vec<usize> = (0..variants).collect();
            line.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
            let labels = line
                .iter()
                .map(|&variant| (xs[variant], vec![vary.values[variant].clone()]))
                .collect();
            return XAxis {
                xs,
                labels: without_overlaps(labels),
                caption: vary.path.clone(),
                line,
                numbered: false,
            };
        }
        let slot = (RIGHT - LEFT) / variants as f64;
        let xs: Vec<f64> = (0..variants)
            .map(|variant| LEFT + slot * (variant as f64 + 0.5))
            .collect();
        let grid = grid(manifest);
        let values: Vec<Vec<String>> = (0..variants)
            .map(|variant| {
                grid.values(variant)
                    .into_iter()
                    .map(str::to_string)
                    .collect()
            })
            .collect();
        // A vary's values are written under the marks when they all fit, or cut short
        // (`[{type: spread,…`) when that still tells them apart; when some vary's cannot be,
        // the variant's number comes first and the table of variants says the rest.
        let room = ((slot - 8.0) / 7.0).floor().max(0.0) as usize;
        let lines: Vec<Option<Vec<String>>> = (0..manifest.vary.len())
            .map(|line| {
                let column: Vec<String> =
                    values.iter().map(|value| cut(&value[line], room)).collect();
                // Distinct values stay distinct when cut.
                let mut cuts: Vec<String> = manifest.vary[line]
                    .values
                    .iter()
                    .map(|value| cut(value, room))
                    .collect();
                cuts.sort_unstable();
                cuts.dedup();
                let distinct = cuts.len() == manifest.vary[line].values.len();
                (room >= 6 && distinct).then_some(column)
            })
            .collect();
        let numbered = lines.iter().any(Option::is_none);
        let labels: Vec<Vec<String>> = (0..variants)
            .map(|variant| {
                let mut label: Vec<String> = Vec::new();
                if numbered {
                    label.push(variant.to_string());
                }
                label.extend(lines.iter().flatten().map(|column| column[variant].clone()));
                if label.is_empty() {
                    label.push("the scenario".to_string());
                }
                label
            })
            .collect();
        let mut caption: Vec<&str> = Vec::new();
        if numbered {
            caption.push("variant (see Variants above)");
        }
        caption.extend(
            manifest
                .vary
                .iter()
                .zip(&lines)
                .filter(|(_, column)| column.is_some())
                .map(|(vary, _)| short(&vary.path)),
        );
        let caption = caption.join(" / ");
        XAxis {
            labels: without_overlaps(xs.iter().copied().zip(labels).collect()),
            xs,
            caption,
            line: Vec::new(),
            numbered,
        }
    }

    fn lines(&self) -> usize {
        self.labels
            .iter()
            .map(|(_, lines)| lines.len())
            .max()
            .unwrap_or(1)
    }
}

/// `text` in at most `room` characters: whole when it fits, else its start and `…`.
fn cut(text: &str, room: usize) -> String {
    if text.chars().count() <= room {
        text.to_string()
    } else {
        let mut start: String = text.chars().take(room.saturating_sub(1)).collect();
        start.push('…');
        start
    }
}

/// `sweep.html` for the sweep `manifest` describes, from its `sweep.csv` bytes.
pub fn sweep_page(manifest: &Manifest, summary: &[u8]) -> Result<Vec<u8>, String> {
    let figures = read_summary(manifest, summary)?;
    let axis = XAxis::new(manifest);
    let title = format!("ecsim sweep: {}", manifest.scenario_name);
    let mut page = head(&title);
    header(&mut page, manifest, &title, &figures, &axis);
    for (service, name) in figures.services.iter().enumerate().take(MAX_SERVICES) {
        service_section(&mut page, manifest, &figures, &axis, service, name);
    }
    if figures.services.len() > MAX_SERVICES {
        let _ = writeln!(
            page,
            "<p class=\"note\">{} more services are in sweep.csv; this page shows the first {MAX_SERVICES}.</p>",
            figures.services.len() - MAX_SERVICES
        );
    }
    tail(&mut page);
    Ok(page.into_bytes())
}

/// The command that makes this sweep.
fn command(manifest: &Manifest) -> String {
    let mut command = format!(
        "ecsim sweep {} --seeds {}",
        shell_quote(&manifest.scenario),
        crate::seeds::seeds_text(&manifest.seeds)
    );
    for vary in &manifest.vary {
        let _ = write!(
            command,
            " \\\n    --vary {}",
            shell_quote(&format!("{}=[{}]", vary.path, vary.values.join(", ")))
        );
    }
    for set in &manifest.set {
        let _ = write!(command, " \\\n    --set {}", shell_quote(set));
    }
    command
}

fn header(page: &mut String, manifest: &Manifest, title: &str, figures: &Figures, axis: &XAxis) {
    let plural = |n: usize, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">{} × {} = {} · seeds {} · scenario file {} · ecsim {}</p>\n\
         <pre class=\"command\"><code>{}</code></pre>\n<nav>",
        escape(title),
        plural(manifest.variants, "variant"),
        plural(manifest.seeds.len(), "seed"),
        plural(manifest.runs, "run"),
        escape(&crate::seeds::seeds_text(&manifest.seeds)),
        escape(&manifest.scenario),
        escape(&manifest.ecsim_version),
        escape(&command(manifest)),
    );
    for (service, name) in figures.services.iter().enumerate().take(MAX_SERVICES) {
        let _ = write!(
            page,
            "<a href=\"#service-{service}\">Service {}</a>",
            escape(name)
        );
    }
    page.push_str(
        "</nav>\n<p class=\"hint\">Each dot is a figure's mean over the seeds, its whisker Student's t 95 % \
         interval of that mean (a hollow dot: one seed with a value, no interval). Point at a variant to \
         pick it out in every chart and table. The numbers are those of sweep.csv.</p>\n",
    );
    if manifest.variants > MAX_VARIANTS {
        let _ = writeln!(
            page,
            "<p class=\"note\">The first {MAX_VARIANTS} of the {} variants are shown; sweep.csv has them all.</p>",
            manifest.variants
        );
    }
    // One path's values are on every chart's axis; several, or long ones, need the key.
    if manifest.vary.len() > 1 || axis.numbered {
        page.push_str("<h2 id=\"variants\">Variants</h2>\n<div class=\"table-scroll\"><table class=\"variants\"><thead><tr><th>variant</th>");
        for vary in &manifest.vary {
            let _ = write!(page, "<th>{}</th>", escape(&vary.path));
        }
        page.push_str("</tr></thead><tbody>\n");
        let grid = grid(manifest);
        for variant in 0..manifest.variants.min(MAX_VARIANTS) {
            variant_cells(page, &grid, variant);
            page.push_str("</tr>\n");
        }
        page.push_str("</tbody></table></div>\n");
    }
    page.push_str("</header>\n");
}

fn grid(manifest: &Manifest) -> crate::grid::Grid {
    crate::grid::Grid {
        varies: manifest
            .vary
            .iter()
            .map(|vary| crate::grid::Vary {
                path: vary.path.clone(),
                values: vary.values.clone(),
            })
            .collect(),
    }
}

/// A table row's start: the variant's number and its values, the row picked out with the
/// variant's marks.
fn variant_cells(page: &mut String, grid: &crate::grid::Grid, variant: usize) {
    let _ = write!(page, "<tr data-key=\"v{variant}\"><th>{variant}</th>");
    for value in grid.values(variant) {
        let _ = write!(page, "<td class=\"value\">{}</td>", escape(value));
    }
}

/// `variant 2 (desiredCapacity=6)`, for tooltips.
fn variant_name(manifest: &Manifest, variant: usize) -> String {
    let grid = grid(manifest);
    if grid.varies.is_empty() {
        "the scenario".to_string()
    } else {
        let values: Vec<String> = grid
            .varies
            .iter()
            .zip(grid.values(variant))
            .map(|(vary, value)| format!("{}={value}", short(&vary.path)))
            .collect();
        format!("variant {variant} ({})", values.join(", "))
    }
}

fn service_section(
    page: &mut String,
    manifest: &Manifest,
    figures: &Figures,
    axis: &XAxis,
    service: usize,
    name: &str,
) {
    let colour = sim::html::PALETTE[service % sim::html::PALETTE.len()];
    let _ = write!(
        page,
        "<section id=\"service-{service}\">\n<h2>Service {}</h2>\n<div class=\"charts\">\n",
        escape(name)
    );
    let mut empty = Vec::new();
    let mut shown = Vec::new();
    for (figure, figure_name) in figures.figures.iter().enumerate() {
        let cells = &figures.cells[service][figure];
        if cells.iter().flatten().all(|cell| cell.n == 0) {
            empty.push(figure_name.as_str());
            continue;
        }
        shown.push(figure);
        let _ = write!(
            page,
            "<figure><figcaption>{} <span class=\"better\">{}</span></figcaption>\n{}</figure>\n",
            escape(figure_name),
            better_words(figure_name),
            chart(manifest, axis, cells, figure_name, name, colour)
        );
    }
    page.push_str("</div>\n");
    if !empty.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"hint\">No value on any run: {}.</p>",
            escape(&empty.join(", "))
        );
    }
    table(page, manifest, figures, service, &shown);
    page.push_str("</section>\n");
}

/// One figure's chart: per variant, the mean and its interval.
fn chart(
    manifest: &Manifest,
    axis: &XAxis,
    cells: &[Option<Cell>],
    figure: &str,
    service: &str,
    colour: &str,
) -> String {
    let bottom = TOP + PLOT_HEIGHT;
    let height = bottom + 10.0 + LINE * axis.lines() as f64 + 24.0;
    let values: Vec<f64> = cells
        .iter()
        .flatten()
        .flat_map(|cell| {
            let (low, high) = cell.interval().unzip();
            [cell.mean(), low, high]
        })
        .flatten()
        .collect();
    let scale = Scale::covering(&values, bottom, TOP);
    let mut svg = plot_open(
        [WIDTH, height, LEFT, RIGHT],
        &format!(
            "{figure} of service {service}: mean over the seeds and 95 % interval per variant"
        ),
        &scale,
    );
    if axis.line.len() > 1 {
        let points: Vec<String> = axis
            .line
            .iter()
            .filter_map(|&variant| {
                let mean = cells[variant].as_ref()?.mean()?;
                Some(format!("{:.1},{:.1}", axis.xs[variant], scale.at(mean)))
            })
            .collect();
        if points.len() > 1 {
            let _ = write!(
                svg,
                "<polyline class=\"trend\" stroke=\"{colour}\" points=\"{}\"/>",
                points.join(" ")
            );
        }
    }
    for (variant, cell) in cells.iter().enumerate() {
        let x = axis.xs[variant];
        let name = variant_name(manifest, variant);
        let _ = write!(svg, "<g class=\"variant\" data-key=\"v{variant}\">");
        match cell.as_ref().and_then(|cell| Some((cell, cell.mean()?))) {
            None => {
                let _ = write!(
                    svg,
                    "<title>{}: no value on any seed</title><text class=\"na\" x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"middle\">none</text>",
                    escape(&name),
                    bottom - 6.0
                );
            }
            Some((cell, mean)) => {
                let y = scale.at(mean);
                let interval = match cell.interval() {
                    Some(_) => {
                        format!(
                            "95 % interval [{}, {}]",
                            escape(&trim(&cell.low)),
                            escape(&trim(&cell.high))
                        )
                    }
                    None => "no interval (one seed)".to_string(),
                };
                let _ = write!(
                    svg,
                    "<title>{}: mean {}, {interval}; min {}, max {}; {} seed{}</title>",
                    escape(&name),
                    escape(&trim(&cell.mean)),
                    escape(&cell.min),
                    escape(&cell.max),
                    cell.n,
                    if cell.n == 1 { "" } else { "s" }
                );
                if let Some((low, high)) = cell.interval() {
                    let (y_low, y_high) = (scale.at(low), scale.at(high));
                    let _ = write!(
                        svg,
                        "<line class=\"ci\" stroke=\"{colour}\" x1=\"{x:.1}\" x2=\"{x:.1}\" y1=\"{y_low:.1}\" y2=\"{y_high:.1}\"/>\
                         <line class=\"cap\" stroke=\"{colour}\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y_low:.1}\" y2=\"{y_low:.1}\"/>\
                         <line class=\"cap\" stroke=\"{colour}\" x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y_high:.1}\" y2=\"{y_high:.1}\"/>",
                        x - 6.0,
                        x + 6.0,
                        x - 6.0,
                        x + 6.0
                    );
                }
                let fill = if cell.interval().is_some() {
                    colour
                } else {
                    "#fff"
                };
                let _ = write!(
                    svg,
                    "<circle class=\"mean\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"4.5\" fill=\"{fill}\" stroke=\"{colour}\"/>"
                );
            }
        }
        svg.push_str("</g>");
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{bottom:.1}\" y2=\"{bottom:.1}\"/>"
    );
    for (x, lines) in &axis.labels {
        let _ = write!(svg, "<text class=\"tick\" text-anchor=\"middle\">");
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                svg,
                "<tspan x=\"{x:.1}\" y=\"{:.1}\">{}</tspan>",
                bottom + 16.0 + LINE * i as f64,
                escape(line)
            );
        }
        svg.push_str("</text>");
    }
    let _ = write!(
        svg,
        "<text class=\"x-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text></svg>",
        (LEFT + RIGHT) / 2.0,
        height - 6.0,
        escape(&axis.caption)
    );
    svg
}

/// The numbers of the charts: per variant, each figure's mean and interval.
fn table(
    page: &mut String,
    manifest: &Manifest,
    figures: &Figures,
    service: usize,
    shown: &[usize],
) {
    page.push_str(
        "<div class=\"table-scroll\"><table class=\"numbers\"><thead><tr><th>variant</th>",
    );
    for vary in &manifest.vary {
        let _ = write!(
            page,
            "<th title=\"{}\">{}</th>",
            escape(&vary.path),
            escape(short(&vary.path))
        );
    }
    for &figure in shown {
        let _ = write!(page, "<th>{}</th>", escape(&figures.figures[figure]));
    }
    page.push_str("</tr></thead><tbody>\n");
    let grid = grid(manifest);
    for variant in 0..manifest.variants.min(MAX_VARIANTS) {
        variant_cells(page, &grid, variant);
        for &figure in shown {
            match &figures.cells[service][figure][variant] {
                Some(cell) if cell.n > 0 => {
                    let _ = write!(page, "<td>{}", escape(&trim(&cell.mean)));
                    if !cell.low.is_empty() {
                        let _ = write!(
                            page,
                            "<br><small>[{}, {}]</small>",
                            escape(&trim(&cell.low)),
                            escape(&trim(&cell.high))
                        );
                    }
                    if cell.n < manifest.seeds.len() {
                        let _ = write!(
                            page,
                            "<br><small>{} of {} seeds</small>",
                            cell.n,
                            manifest.seeds.len()
                        );
                    }
                    page.push_str("</td>");
                }
                _ => page.push_str("<td class=\"na\">–</td>"),
            }
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody></table></div>\n");
}

#[cfg(test)]
mod tests {
    use super::sweep_page;
    use crate::grid::{Grid, Vary};
    use crate::html::attributes;
    use crate::sweep::{sweep_csv, SweepSpec, Table};

    fn manifest(values: &[&str]) -> crate::sweep::Manifest {
        SweepSpec {
            scenario: "scenarios/a&b.yaml".into(),
            seeds: vec![1, 2, 3],
            set: vec!["duration=2h".into()],
            grid: Grid::new(vec![Vary {
                path: "services[0].desiredCount".into(),
                values: values.iter().map(|value| value.to_string()).collect(),
            }])
            .unwrap(),
        }
        .manifest("<web> & co", "0123", None)
    }

    /// `sweep.csv` of a sweep over `values`, with `rows[variant]` the figure `a` per seed.
    fn summary(values: &[&str], rows: &[[&str; 3]]) -> Vec<u8> {
        let header = [
            "variant",
            "seed",
            "services[0].desiredCount",
            "serviceName",
            "availability",
            "steadyAt",
        ]
        .map(String::from)
        .to_vec();
        let mut table = Table {
            header,
            rows: Vec::new(),
        };
        for (variant, seeds) in rows.iter().enumerate() {
            for (seed, cell) in seeds.iter().enumerate() {
                table.rows.push(
                    [
                        variant.to_string(),
                        (seed + 1).to_string(),
                        values[variant].to_string(),
                        "w<eb>".to_string(),
                        cell.to_string(),
                        String::new(),
                    ]
                    .to_vec(),
                );
            }
        }
        sweep_csv(&table, 1).unwrap()
    }

    /// The page of a sweep over `values` with `rows[variant]` the availability per seed.
    fn page(values: &[&str], rows: &[[&str; 3]]) -> String {
        let page = sweep_page(&manifest(values), &summary(values, rows)).unwrap();
        String::from_utf8(page).unwrap()
    }

    #[test]
    fn text_is_escaped() {
        let values = ["2", "4"];
        let page = page(&values, &[["0.5", "0.6", "0.7"], ["0.8", "0.8", "0.8"]]);
        assert!(page.contains("<title>ecsim sweep: &lt;web&gt; &amp; co</title>"));
        assert!(page.contains("Service w&lt;eb&gt;"));
        assert!(page.contains("scenario file scenarios/a&amp;b.yaml"));
        assert!(page.contains("ecsim sweep &#39;scenarios/a&amp;b.yaml&#39; --seeds 1..3"));
        assert!(!page.contains("<web>") && !page.contains("w<eb>"));
        assert!(!page.contains("http://") && !page.contains("https://"));
    }

    #[test]
    fn intervals_are_drawn_at_their_values() {
        // One numeric path: the axis is its values, the means joined by a line. Variant 0:
        // 0.5, 0.6, 0.7, mean 0.6, interval 0.6 ± 4.302653 · 0.1 / √3 = [0.351586, 0.848414];
        // variant 1: 0.8 on every seed, a point interval; variant 2: one seed only.
        let values = ["10", "2", "6"];
        let page = page(
            &values,
            &[
                ["0.5", "0.6", "0.7"],
                ["0.8", "0.8", "0.8"],
                ["0.4", "", ""],
            ],
        );
        let chart = &page[page.find("<svg class=\"plot\"").unwrap()..];
        let chart = &chart[..chart.find("</svg>").unwrap()];
        // The scale: 0.3..0.9 in ticks of 0.1, covering 0.351586..0.848414, 0.3 at the
        // bottom of the plot and 0.9 at its top.
        let (top, bottom) = (super::TOP, super::TOP + super::PLOT_HEIGHT);
        let y = |value: f64| bottom + (top - bottom) * (value - 0.3) / 0.6;
        assert!(chart.contains(">0.3</text>") && chart.contains(">0.9</text>"));
        let means: Vec<f64> = attributes(chart, "cy");
        assert_eq!(means.len(), 3, "one dot per variant with a value");
        for (drawn, value) in means.iter().zip([0.6, 0.8, 0.4]) {
            assert!((drawn - y(value)).abs() < 0.06, "{drawn} for {value}");
        }
        let ci: Vec<&str> = chart.split("<line class=\"ci\"").skip(1).collect();
        assert_eq!(ci.len(), 2, "no whisker for the variant with one seed");
        let ends = attributes(ci[0], "y1")[0];
        assert!((ends - y(0.351586)).abs() < 0.06, "{ends}");
        let ends = attributes(ci[0], "y2")[0];
        assert!((ends - y(0.848414)).abs() < 0.06, "{ends}");
        // x follows the values: 2 at the left edge, 10 at the right, 6 half-way.
        let xs = attributes(chart, "cx");
        let (left, right) = (super::LEFT + super::PAD, super::RIGHT - super::PAD);
        assert_eq!(
            xs,
            [right, left, (left + right) / 2.0].map(|x| (x * 10.0).round() / 10.0)
        );
        assert!(chart.contains("<polyline class=\"trend\""));
        assert!(
            !page.contains("id=\"variants\""),
            "the values are on the axis"
        );
        assert!(chart.contains("fill=\"#fff\""), "one seed: a hollow dot");
        // steadyAt has no value anywhere: no chart, said in words.
        assert_eq!(page.matches("<svg class=\"plot\"").count(), 1);
        assert!(page.contains("No value on any run: steadyAt."));
    }

    #[test]
    fn long_values_are_cut_or_become_variant_numbers() {
        // Cut to what fits (35 characters for two variants), these stay apart...
        let values = [
            "[{type: spread, field: instanceId}, {type: spread, field: attribute:ecs.availability-zone}]",
            "[{type: binpack, field: memory}]",
        ];
        let cut = page(&values, &[["1", "2", "3"], ["4", "5", "6"]]);
        assert!(cut.contains(">[{type: spread, field: instanceId}…</tspan>"));
        assert!(cut.contains(">[{type: binpack, field: memory}]</tspan>"));
        assert!(!cut.contains("id=\"variants\""));
        assert!(
            !cut.contains("<polyline"),
            "no line across values that are not numbers"
        );
        // ... these do not: the axis numbers the variants, the table at the top says which.
        let values = [
            "[{type: spread, field: attribute:ecs.availability-zone}, {type: spread, field: instanceId}]",
            "[{type: spread, field: attribute:ecs.availability-zone}, {type: binpack, field: memory}]",
        ];
        let page = page(&values, &[["1", "2", "3"], ["4", "5", "6"]]);
        assert!(page.contains("variant (see Variants above)"));
        assert!(page.contains(">1</tspan>"));
        assert!(
            page.contains("<h2 id=\"variants\">Variants</h2>"),
            "the key to the numbers"
        );
        assert!(page.contains(
            "<td class=\"value\">[{type: spread, field: attribute:ecs.availability-zone}, {type: binpack, field: memory}]</td>"
        ));
    }

    #[test]
    fn the_first_variants_of_a_huge_grid_are_shown() {
        let values: Vec<String> = (0..super::MAX_VARIANTS + 5)
            .map(|v| v.to_string())
            .collect();
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        let rows: Vec<[&str; 3]> = values.iter().map(|_| ["1", "2", "3"]).collect();
        let page = page(&values, &rows);
        assert!(page.contains("The first 200 of the 205 variants are shown"));
        assert_eq!(
            page.matches("<circle class=\"mean\"").count(),
            super::MAX_VARIANTS
        );
    }

    #[test]
    fn a_grid_is_labelled_value_by_value_in_grid_order() {
        let grid = Grid::new(vec![
            Vary {
                path: "cluster.autoScalingGroups[0].desiredCapacity".into(),
                values: vec!["3".into(), "6".into()],
            },
            Vary {
                path: "services[0].placementStrategy".into(),
                values: vec!["[{type: random}]".into(), "[]".into()],
            },
        ])
        .unwrap();
        let spec = SweepSpec {
            scenario: "q.yaml".into(),
            seeds: vec![1, 2],
            set: vec![],
            grid,
        };
        let mut runs = Table {
            header: spec.header(),
            rows: Vec::new(),
        };
        let cells = |value: &str| {
            crate::figure_names()
                .iter()
                .map(|figure| {
                    if *figure == "availability" {
                        value.to_string()
                    } else {
                        String::new()
                    }
                })
                .collect()
        };
        for k in 0..spec.runs() {
            let service = crate::ServiceRow {
                service: "web".into(),
                cells: cells(&format!("0.9{k}")),
            };
            runs.rows.extend(spec.rows(k, &[service]));
        }
        let summary = sweep_csv(&runs, 2).unwrap();
        let page = sweep_page(&spec.manifest("q", "0", None), &summary).unwrap();
        let page = String::from_utf8(page).unwrap();
        // The last --vary changes fastest: variant 1 is (3, []), variant 2 (6, [{type: random}]).
        let labels: Vec<&str> = page
            .split("<text class=\"tick\" text-anchor=\"middle\">")
            .skip(1)
            .map(|rest| &rest[..rest.find("</text>").unwrap()])
            .collect();
        assert_eq!(labels.len(), 4);
        assert!(
            labels[1].contains(">3</tspan>") && labels[1].contains(">[]</tspan>"),
            "{}",
            labels[1]
        );
        assert!(
            labels[2].contains(">6</tspan>") && labels[2].contains(">[{type: random}]</tspan>")
        );
        assert!(page.contains(">desiredCapacity / placementStrategy</text>"));
        assert!(page.contains("<h2 id=\"variants\">Variants</h2>"));
        assert_eq!(page.matches("<circle class=\"mean\"").count(), 4);
    }

    #[test]
    fn a_summary_of_another_sweep_is_refused() {
        let values = ["2", "4"];
        let other = manifest(&["2", "4", "8"]);
        let bytes = summary(&values, &[["1", "2", "3"], ["4", "5", "6"]]);
        assert!(sweep_page(&other, &bytes).is_ok());
        let mut renamed = other.clone();
        renamed.vary[0].path = "x".into();
        assert!(sweep_page(&renamed, &bytes)
            .unwrap_err()
            .contains("columns"));
        let fewer = crate::sweep::Manifest {
            variants: 1,
            ..manifest(&["2"])
        };
        assert!(sweep_page(&fewer, &bytes)
            .unwrap_err()
            .contains("variant \"1\""));
    }
}
