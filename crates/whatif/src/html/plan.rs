//! `plan.html`: the planner's search at a glance. At the top the question (the path and its
//! range, the requirements, the seeds), the assumption and the answer; then, per
//! requirement, what each value tried gave on each seed (a dot per seed, green where the
//! requirement held, orange where not) against the requirement's bound (a dashed line), with
//! the answer marked; and the values tried, in the order tried, with their verdicts. Built
//! from the bytes of `plan.json` and `plan.csv`, reading only the fields it shows.

use std::fmt::Write as _;

use serde_json::Value;

use super::{escape, head, plot_open, shell_quote, tail, trim, without_overlaps, Scale};
use crate::sweep::Table;

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 900.0;
const TOP: f64 = 14.0;
const PLOT_HEIGHT: f64 = 200.0;
const PAD: f64 = 30.0;
const OK: &str = "#009E73";
const FAILS: &str = "#D55E00";

/// One row of `plan.csv`.
struct Observation {
    value: f64,
    seed: String,
    requirement: String,
    observed: Option<f64>,
    observed_text: String,
    ok: bool,
}

/// `plan.html` from the bytes of `plan.json` and `plan.csv`.
pub fn plan_page(plan_json: &[u8], plan_csv: &[u8]) -> Result<Vec<u8>, String> {
    let json: Value =
        serde_json::from_slice(plan_json).map_err(|why| format!("plan.json: {why}"))?;
    let text = |key: &str| json[key].as_str().unwrap_or_default().to_string();
    let strings = |key: &str| -> Vec<String> {
        json[key]
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|item| match item {
                        Value::String(text) => text.clone(),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let tried: Vec<&Value> = json["tried"]
        .as_array()
        .ok_or("plan.json has no list of values tried")?
        .iter()
        .collect();
    let table = Table::parse(plan_csv).map_err(|why| format!("plan.csv: {why}"))?;
    let column = |name: &str| {
        table
            .header
            .iter()
            .position(|column| column == name)
            .ok_or_else(|| format!("plan.csv has no column {name}"))
    };
    let (value, seed, requirement, observed, ok) = (
        column("value")?,
        column("seed")?,
        column("requirement")?,
        column("observed")?,
        column("ok")?,
    );
    let observations: Vec<Observation> = table
        .rows
        .iter()
        .map(|row| {
            Ok(Observation {
                value: row[value]
                    .parse()
                    .map_err(|_| format!("plan.csv: the value {:?} is not a number", row[value]))?,
                seed: row[seed].clone(),
                requirement: row[requirement].clone(),
                observed: row[observed].parse().ok(),
                observed_text: row[observed].clone(),
                ok: row[ok] == "true",
            })
        })
        .collect::<Result<_, String>>()?;
    let path = text("path");
    let answer = json["answer"].as_f64();
    let title = format!("ecsim plan: {}", text("scenario"));
    let mut page = head(&title);
    let seeds = strings("seeds");
    let seed_numbers: Vec<u64> = seeds.iter().filter_map(|seed| seed.parse().ok()).collect();
    let seeds_text = if seed_numbers.len() == seeds.len() && !seeds.is_empty() {
        crate::seeds::seeds_text(&seed_numbers)
    } else {
        seeds.join(",")
    };
    let mut command = format!(
        "ecsim plan {} --seeds {} \\\n    --vary {}",
        shell_quote(&text("scenario")),
        seeds_text,
        shell_quote(&format!("{path}={}..{}", json["low"], json["high"]))
    );
    for requirement in strings("requirements") {
        let _ = write!(
            command,
            " \\\n    --require {}",
            shell_quote(&requirement.replace(' ', ""))
        );
    }
    for set in strings("set") {
        let _ = write!(command, " \\\n    --set {}", shell_quote(&set));
    }
    let answer_text = match answer {
        Some(_) => format!("answer: {path}={}", json["answer"]),
        None => format!(
            "no answer: even {path}={} fails a requirement",
            json["high"]
        ),
    };
    let _ = write!(
        page,
        "<header>\n<h1>{}</h1>\n<p class=\"meta\">the smallest {} in {}..{} such that on every seed ({}) \
         every requirement holds · ecsim {}</p>\n<pre class=\"command\"><code>{}</code></pre>\n\
         <p class=\"answer {}\">{}</p>\n<p class=\"hint\">Assumption: {}. Each dot is one seed's \
         figure at a value tried: green where its requirement held, orange where not; the dashed line \
         is the requirement's bound{}. The numbers are those of plan.csv.</p>\n</header>\n",
        escape(&title),
        escape(&path),
        escape(&json["low"].to_string()),
        escape(&json["high"].to_string()),
        escape(&seeds_text),
        env!("CARGO_PKG_VERSION"),
        escape(&command),
        if answer.is_some() { "found" } else { "none" },
        escape(&answer_text),
        escape(json["assumption"].as_str().unwrap_or("none stated")),
        if answer.is_some() {
            ", the vertical line the answer"
        } else {
            ""
        }
    );
    let mut requirements: Vec<&str> = Vec::new();
    for observation in &observations {
        if !requirements.contains(&observation.requirement.as_str()) {
            requirements.push(&observation.requirement);
        }
    }
    let values: Vec<f64> = tried
        .iter()
        .filter_map(|trial| trial["value"].as_f64())
        .collect();
    let low = json["low"]
        .as_f64()
        .unwrap_or_else(|| values.iter().copied().fold(f64::INFINITY, f64::min));
    let high = json["high"]
        .as_f64()
        .unwrap_or_else(|| values.iter().copied().fold(f64::NEG_INFINITY, f64::max));
    let x = |value: f64| {
        if high > low {
            LEFT + PAD + (RIGHT - LEFT - 2.0 * PAD) * (value - low) / (high - low)
        } else {
            (LEFT + RIGHT) / 2.0
        }
    };
    page.push_str("<section id=\"requirements\">\n<h2>Requirements</h2>\n");
    for requirement in &requirements {
        let rows: Vec<&Observation> = observations
            .iter()
            .filter(|observation| observation.requirement == *requirement)
            .collect();
        let _ = write!(
            page,
            "<figure><figcaption>{}</figcaption>\n{}</figure>\n",
            escape(requirement),
            chart(requirement, &rows, &seeds, &values, answer, &path, &x)
        );
    }
    page.push_str("</section>\n<section id=\"tried\">\n<h2>Values tried, in the order tried</h2>\n\
        <div class=\"table-scroll whole\"><table class=\"numbers\"><thead><tr><th>order</th><th>value</th>\
        <th>verdict</th><th>seeds where every requirement held</th></tr></thead><tbody>\n");
    for (order, trial) in tried.iter().enumerate() {
        let ok = trial["ok"].as_bool().unwrap_or(false);
        let _ = writeln!(
            page,
            "<tr data-key=\"t{}\"><th>{}</th><td>{}</td><td class=\"verdict {}\">{}</td><td>{} of {}</td></tr>",
            escape(&trial["value"].to_string()),
            order + 1,
            escape(&trial["value"].to_string()),
            if ok { "other-better" } else { "base-better" },
            if ok { "ok" } else { "fails" },
            escape(&trial["seedsMet"].to_string()),
            escape(&trial["seeds"].to_string())
        );
    }
    page.push_str("</tbody></table></div>\n</section>\n");
    tail(&mut page);
    Ok(page.into_bytes())
}

/// The bound of a requirement written `SERVICE.FIGURE OP NUMBER`, if it reads so.
fn bound(requirement: &str) -> Option<(String, f64)> {
    let (rest, number) = requirement.rsplit_once(' ')?;
    let (_, op) = rest.rsplit_once(' ')?;
    Some((format!("{op} {number}"), number.parse().ok()?))
}

/// One requirement's chart: per value tried, a dot per seed.
fn chart(
    requirement: &str,
    rows: &[&Observation],
    seeds: &[String],
    values: &[f64],
    answer: Option<f64>,
    path: &str,
    x: &dyn Fn(f64) -> f64,
) -> String {
    let bottom = TOP + PLOT_HEIGHT;
    let height = bottom + 48.0;
    let bound = bound(requirement);
    let mut covered: Vec<f64> = rows.iter().filter_map(|row| row.observed).collect();
    covered.extend(bound.as_ref().map(|(_, number)| *number));
    let scale = Scale::covering(&covered, bottom, TOP);
    let mut svg = plot_open(
        [WIDTH, height, LEFT, RIGHT],
        &format!("{requirement}: the figure per value tried and seed"),
        &scale,
    );
    if let Some((words, number)) = &bound {
        let y = scale.at(*number);
        let _ = write!(
            svg,
            "<line class=\"bound\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"end-label\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            RIGHT + 6.0,
            y + 4.0,
            escape(words)
        );
    }
    if let Some(answer) = answer {
        let at = x(answer);
        let _ = write!(
            svg,
            "<line class=\"answer\" x1=\"{at:.1}\" x2=\"{at:.1}\" y1=\"{TOP}\" y2=\"{bottom:.1}\"/>"
        );
    }
    for row in rows {
        let Some(observed) = row.observed else {
            continue;
        };
        // Seeds side by side around the value, so equal figures stay countable.
        let index = seeds.iter().position(|seed| *seed == row.seed).unwrap_or(0) as f64;
        let offset = (index - (seeds.len() as f64 - 1.0) / 2.0) * 4.0;
        let offset = offset.clamp(-12.0, 12.0);
        let colour = if row.ok { OK } else { FAILS };
        let _ = write!(
            svg,
            "<g class=\"trial\" data-key=\"t{}\"><title>{}: seed {}, observed {} ({})</title>\
             <circle class=\"mean\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"4\" fill=\"{colour}\" fill-opacity=\"0.8\"/></g>",
            trim(&row.value.to_string()),
            escape(&format!("{path}={}", trim(&row.value.to_string()))),
            escape(&row.seed),
            escape(&row.observed_text),
            if row.ok { "met" } else { "not met" },
            x(row.value) + offset,
            scale.at(observed)
        );
    }
    let _ = write!(
        svg,
        "<line class=\"axis\" x1=\"{LEFT}\" x2=\"{RIGHT}\" y1=\"{bottom:.1}\" y2=\"{bottom:.1}\"/>"
    );
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let labels = sorted
        .into_iter()
        .map(|value| (x(value), vec![trim(&value.to_string())]))
        .collect();
    for (at, label) in without_overlaps(labels) {
        let _ = write!(
            svg,
            "<text class=\"tick\" x=\"{at:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            bottom + 16.0,
            escape(&label[0])
        );
    }
    let _ = write!(
        svg,
        "<text class=\"x-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{} (the values tried)</text></svg>",
        (LEFT + RIGHT) / 2.0,
        height - 6.0,
        escape(path)
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::{bound, plan_page};
    use crate::html::attributes;

    const JSON: &str = r#"{"scenario": "s<1>.yaml", "path": "a.b", "low": 3, "high": 7,
        "seeds": [1, 2], "set": [], "requirements": ["web.minRunning >= 4"],
        "assumption": "monotonic", "answer": 5,
        "tried": [{"value": 7, "ok": true, "seedsMet": 2, "seeds": 2},
                  {"value": 3, "ok": false, "seedsMet": 0, "seeds": 2},
                  {"value": 5, "ok": true, "seedsMet": 2, "seeds": 2},
                  {"value": 4, "ok": false, "seedsMet": 1, "seeds": 2}]}"#;

    const CSV: &str = "value,seed,requirement,observed,ok\n\
        7,1,web.minRunning >= 4,6,true\n7,2,web.minRunning >= 4,6,true\n\
        3,1,web.minRunning >= 4,2,false\n3,2,web.minRunning >= 4,2,false\n\
        5,1,web.minRunning >= 4,4,true\n5,2,web.minRunning >= 4,4,true\n\
        4,1,web.minRunning >= 4,4,true\n4,2,web.minRunning >= 4,,false\n";

    #[test]
    fn every_observation_is_a_dot_against_the_bound() {
        let page = String::from_utf8(plan_page(JSON.as_bytes(), CSV.as_bytes()).unwrap()).unwrap();
        assert!(page.contains("<title>ecsim plan: s&lt;1&gt;.yaml</title>"));
        assert!(page.contains(">answer: a.b=5</p>"));
        // Seven observations with a value; the one without is not drawn.
        assert_eq!(page.matches("<circle class=\"mean\"").count(), 7);
        assert_eq!(
            page.matches(&format!("fill=\"{}\"", super::FAILS)).count(),
            2
        );
        // The bound 4 and the dots at 4 are at the same height; the answer's line at 5, half-way.
        let chart = &page[page.find("<svg class=\"plot\"").unwrap()..];
        let bound_y = attributes(&chart[chart.find("class=\"bound\"").unwrap()..], "y1")[0];
        let ys = attributes(chart, "cy");
        assert_eq!(ys.iter().filter(|&&y| y == bound_y).count(), 3);
        let answer_x = attributes(&chart[chart.find("class=\"answer\"").unwrap()..], "x1")[0];
        assert_eq!(answer_x, 490.0);
        assert!(page.contains("--require &#39;web.minRunning&gt;=4&#39;"));
        // The values tried, in the order tried.
        let order: Vec<&str> = page
            .split("<tr data-key=\"t")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert_eq!(order, ["7", "3", "5", "4"]);
    }

    #[test]
    fn bounds_read_from_requirements() {
        assert_eq!(
            bound("web.secondsBelowDesired <= 120"),
            Some(("<= 120".to_string(), 120.0))
        );
        assert_eq!(bound("web.availability >= 0.99").unwrap().1, 0.99);
        assert_eq!(bound("nonsense"), None);
        assert!(plan_page(b"{}", CSV.as_bytes()).is_err());
        assert!(plan_page(JSON.as_bytes(), b"value,seed\n3,1\n").is_err());
    }
}
