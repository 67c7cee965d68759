//! The page of `report.html`, put together from what `ReportHtml` kept: the header with
//! the run's main facts, the service figures, the overview of faults, zones and spells, a
//! closer look around the first zone outage (or the longest spell below desired), the
//! charts per service and per zone, and the timeline with its data as JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use cluster::cluster::Cluster;
use cluster::ids::{GroupId, ZoneId};
use des::SimTime;
use serde::Serialize;

use super::svg::{
    self, clock, colour, count, duration, escape, Axis, Band, Chart, Line, YUnit, X0, X1,
};
use super::{
    Detail, InstanceSpan, MarkKind, ReportHtml, Row, Series, MAX_TIMELINE_INSTANCES,
    MAX_TIMELINE_TASKS,
};
use crate::report::{Report, ServiceReport};

const STYLE: &str = crate::html::STYLE;
const SCRIPT: &str = include_str!("report.js");

/// Services drawn in the closer look.
const FOCUS_SERVICES: usize = 4;
/// Services told about one by one in the header.
const FACT_SERVICES: usize = 6;
/// Fault lines across the charts are drawn while there are at most this many.
const MAX_FAULT_LINES: usize = 50;

/// The page being put together.
pub(super) struct Page<'a> {
    pub(super) html: &'a ReportHtml,
    pub(super) cluster: &'a Cluster,
    /// The whole run.
    pub(super) whole: Axis,
    /// The figures; `None` when the run did not finish.
    pub(super) report: Option<&'a Report>,
}

impl Page<'_> {
    pub(super) fn render(&self) -> String {
        let title = match self.report {
            Some(report) => format!("{} (seed {})", report.scenario, report.seed),
            None => self.cluster.name().to_string(),
        };
        let focus = self.focus();
        let mut page = String::with_capacity(64 * 1024);
        page.push_str(&crate::html::head(&format!("ecsim report: {title}"), STYLE));
        self.header(&mut page, &title, focus.is_some());
        self.figures(&mut page);
        self.overview(&mut page);
        if let Some((axis, heading)) = &focus {
            self.focus_section(&mut page, axis, heading);
        }
        self.services(&mut page);
        self.capacity_providers(&mut page);
        self.zones(&mut page);
        self.cost(&mut page);
        self.timeline(&mut page);
        page.push_str("<script type=\"application/json\" id=\"ecsim-data\">");
        page.push_str(&self.data().replace("</", "<\\/"));
        page.push_str("</script>\n<script>\n");
        page.push_str(SCRIPT);
        page.push_str("</script>\n</body>\n</html>\n");
        page
    }

    fn zone_name(&self, zone: usize) -> &str {
        self.cluster.zone_name(ZoneId(zone as u16))
    }

    fn service_name(&self, index: usize) -> &str {
        &self.cluster.services()[index].service_name
    }

    fn header(&self, page: &mut String, title: &str, focus: bool) {
        let html = self.html;
        let _ = write!(page, "<header>\n<h1>ecsim report: {}</h1>\n", escape(title));
        if !html.description.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"description\">{}</p>",
                escape(&html.description)
            );
        }
        let _ = write!(
            page,
            "<p class=\"meta\">{} simulated",
            clock(self.whole.end_ms)
        );
        if let Some(report) = self.report {
            let _ = write!(page, " · {}", plural(report.events, "event"));
        }
        let _ = write!(
            page,
            " · {} · {} registered · {} created · ecsim {}</p>\n<nav><a href=\"#figures\">Service figures</a>\
             <a href=\"#overview\">Faults and spells</a>{}<a href=\"#services\">Tasks per service</a>\
             {}<a href=\"#zones\">Zones</a>{}<a href=\"#timeline\">Timeline</a></nav>\n",
            plural(html.service_count as u64, "service"),
            plural(html.instances_registered, "instance"),
            plural(html.tasks_created, "task"),
            env!("CARGO_PKG_VERSION"),
            if focus {
                "<a href=\"#focus\">Closer look</a>"
            } else {
                ""
            },
            if html.capacity.is_empty() {
                ""
            } else {
                "<a href=\"#capacity\">Capacity providers</a>"
            },
            if html.cost.is_known() {
                "<a href=\"#cost\">Cost</a>"
            } else {
                ""
            }
        );
        let facts = self.facts();
        if !facts.is_empty() {
            page.push_str("<ul class=\"facts\">");
            for fact in facts {
                let _ = write!(page, "<li>{fact}</li>");
            }
            page.push_str("</ul>\n");
        }
        page.push_str("</header>\n");
    }

    /// The run's story in a few sentences: outages and how their zones recovered, the
    /// instances lost, each charted service's spells below its desired count.
    fn facts(&self) -> Vec<String> {
        let html = self.html;
        let mut facts = Vec::new();
        for outage in html.outages.iter().take(5) {
            let instances = &html.zones[outage.zone][Series::Instances.offset()];
            let before = instances.value_at(outage.from.saturating_sub(1));
            let mut fact = format!(
                "Zone <b>{}</b> was out from {} to {}",
                escape(self.zone_name(outage.zone)),
                clock(outage.from),
                outage.to.map_or("the end".to_string(), clock)
            );
            if let Some(to) = outage.to {
                match instances.reaches(to, before) {
                    Some(back) if before > 0 => {
                        let _ = write!(
                            fact,
                            "; it had its {} again at {}",
                            plural(before, "instance"),
                            clock(back)
                        );
                    }
                    _ if before > 0 => {
                        let _ = write!(
                            fact,
                            "; it never had its {} again",
                            plural(before, "instance")
                        );
                    }
                    _ => {}
                }
            }
            fact.push('.');
            facts.push(fact);
        }
        if html.outages.len() > 5 {
            facts.push(format!(
                "{} zone outages in all.",
                count(html.outages.len() as u64)
            ));
        }
        let lost: u64 = html.losses.values().sum();
        if lost > 0 {
            let reasons: Vec<String> = html
                .losses
                .iter()
                .map(|(reason, n)| format!("{} to {reason}", count(*n)))
                .collect();
            facts.push(format!(
                "{} lost: {}.",
                plural(lost, "instance"),
                reasons.join(", ")
            ));
        }
        let mut quiet = 0;
        for (index, service) in html.services.iter().enumerate() {
            if index >= FACT_SERVICES {
                quiet += u64::from(service.spells > 0 || !service.reached);
                continue;
            }
            let name = escape(self.service_name(index));
            if !service.reached {
                facts.push(format!(
                    "Service <b>{name}</b> never reached its desired count."
                ));
            } else if let Some((length, from)) = service.longest {
                facts.push(format!(
                    "Service <b>{name}</b> fell below its desired count {} after first reaching it; \
                     the longest spell lasted {}, from {}.",
                    times(service.spells),
                    duration(length),
                    clock(from)
                ));
            } else {
                facts.push(format!(
                    "Service <b>{name}</b> stayed at its desired count once it reached it."
                ));
            }
        }
        let started = html
            .marks
            .iter()
            .filter(|mark| mark.kind == MarkKind::DeploymentStarted)
            .map(|mark| mark.count)
            .sum::<u64>();
        if started > 0 {
            let failed = html
                .marks
                .iter()
                .filter(|mark| mark.kind == MarkKind::DeploymentFailed)
                .map(|mark| mark.count)
                .sum::<u64>();
            let mut fact = format!(
                "{} after the services' creation",
                plural(started, "deployment")
            );
            if failed > 0 {
                let _ = write!(fact, "; {} failed", count(failed));
            }
            fact.push_str(" (marked in the services' rows; deployments.csv lists them).");
            facts.push(fact);
        }
        if quiet > 0 {
            facts.push(format!(
                "{} more charted {} fell below {} desired count; the charts show when.",
                count(quiet),
                if quiet == 1 { "service" } else { "services" },
                if quiet == 1 { "its" } else { "their" }
            ));
        }
        if let Some(report) = self.report {
            let failures: u64 = report
                .services
                .iter()
                .map(|service| service.placement_failures)
                .sum();
            if failures > 0 {
                facts.push(format!(
                    "{} of services could not be placed at first try (placement_failures.csv says why).",
                    plural(failures, "task")
                ));
            }
        }
        facts
    }

    fn figures(&self, page: &mut String) {
        page.push_str("<section id=\"figures\">\n<h2>Service figures</h2>\n");
        let Some(report) = self.report else {
            page.push_str(
                "<p class=\"note\">No figures: the run did not finish.</p>\n</section>\n",
            );
            return;
        };
        let _ = writeln!(
            page,
            "<p class=\"hint\">As in services.csv: measured from {} (metrics.warmup) to the end of \
             the run; episodes.csv lists each spell below the desired count in that window, with \
             what began it.</p>",
            clock(report.warmup.as_ms())
        );
        page.push_str(&cost_line(&report.cost));
        if report.services.is_empty() {
            page.push_str("<p class=\"note\">This scenario has no services.</p>\n</section>\n");
            return;
        }
        page.push_str(
            "<div class=\"table-scroll\"><table>\n<thead><tr><th scope=\"col\">service</th><th scope=\"col\">desired</th>\
             <th scope=\"col\">availability</th><th scope=\"col\">min running</th>\
             <th scope=\"col\">below desired</th><th scope=\"col\">mean time to recover</th>\
             <th scope=\"col\">tasks started</th><th scope=\"col\">tasks failed</th>\
             <th scope=\"col\">placement failures</th><th scope=\"col\">steady at</th>\
             <th scope=\"col\">healthy targets (mean / min)</th></tr></thead>\n<tbody>\n",
        );
        for service in &report.services {
            page.push_str(&figures_row(service));
        }
        page.push_str("</tbody>\n</table></div>\n</section>\n");
    }

    fn overview(&self, page: &mut String) {
        page.push_str(
            "<section id=\"overview\">\n<h2>Faults, zones and spells below the desired count</h2>\n\
             <p class=\"hint\">One row per zone and per service (with its deployments), on the time axis of every chart \
             below (time since the start of the run, as d hh:mm:ss). Hover a mark or a band for its details; click a chart to see that moment in \
             the timeline.</p>\n",
        );
        page.push_str(&self.lanes(&self.whole, "chart-overview"));
        page.push_str(LANES_LEGEND);
        if self.html.marks.merged() {
            page.push_str(
                "<p class=\"note\">Marks close in time are merged; hover one for how many it stands \
                 for. events.csv has every one.</p>\n",
            );
        }
        page.push_str("</section>\n");
    }

    /// The window of the closer look: around the first zone outage and its zone's
    /// recovery, else around the longest spell below desired, else around the first fault
    /// or instance lost; none when that would be most of the run.
    fn focus(&self) -> Option<(Axis, String)> {
        let end = self.whole.end_ms;
        let (from, to, heading) = if let Some(outage) = self.html.outages.first() {
            let to = outage.to.unwrap_or(end);
            let instances = &self.html.zones[outage.zone][Series::Instances.offset()];
            let before = instances.value_at(outage.from.saturating_sub(1));
            let back = instances.reaches(to, before).unwrap_or(to).max(to);
            let heading = format!(
                "Closer look: the outage of {} and its recovery",
                self.zone_name(outage.zone)
            );
            (outage.from, back, heading)
        } else if let Some((index, (length, from))) = self
            .html
            .services
            .iter()
            .enumerate()
            .filter_map(|(index, service)| service.longest.map(|longest| (index, longest)))
            .max_by_key(|&(index, (length, _))| (length, std::cmp::Reverse(index)))
        {
            let heading = format!(
                "Closer look: the longest spell of {} below its desired count",
                self.service_name(index)
            );
            (from, from + length, heading)
        } else {
            let first = self
                .html
                .marks
                .iter()
                .find(|mark| matches!(mark.kind, MarkKind::Fault | MarkKind::Loss(_)))?;
            let heading = format!("Closer look: the first fault, at {}", clock(first.at));
            (first.at, first.at, heading)
        };
        let pad = ((to - from) / 2).max(5 * 60_000);
        let axis = Axis {
            start_ms: from.saturating_sub(pad),
            end_ms: (to + pad).min(end),
        };
        (axis.end_ms - axis.start_ms < end / 2).then_some((axis, heading))
    }

    fn focus_section(&self, page: &mut String, axis: &Axis, heading: &str) {
        let _ = write!(
            page,
            "<section id=\"focus\">\n<h2>{}</h2>\n<p class=\"hint\">From {} to {}.</p>\n",
            escape(heading),
            clock(axis.start_ms),
            clock(axis.end_ms)
        );
        page.push_str(&self.lanes(axis, "chart-focus-overview"));
        page.push_str("<h3>Instances per zone</h3>\n");
        page.push_str(&self.zone_legend());
        page.push_str(&self.zone_chart(0, axis, "chart-focus-instances", 150.0));
        if !self.html.services.is_empty() {
            page.push_str(SERVICE_LEGEND);
        }
        for index in 0..self.html.services.len().min(FOCUS_SERVICES) {
            let _ = writeln!(
                page,
                "<h3>Tasks of {}</h3>\n{}",
                escape(self.service_name(index)),
                self.service_chart(index, axis, &format!("chart-focus-service-{index}"))
            );
        }
        page.push_str("</section>\n");
    }

    fn services(&self, page: &mut String) {
        let html = self.html;
        page.push_str("<section id=\"services\">\n<h2>Tasks per service</h2>\n");
        if html.services.is_empty() {
            page.push_str("<p class=\"note\">This scenario has no services.</p>\n");
        } else {
            page.push_str(SERVICE_LEGEND);
        }
        for index in 0..html.services.len() {
            let _ = writeln!(
                page,
                "<h3>{}</h3>\n{}",
                escape(self.service_name(index)),
                self.service_chart(index, &self.whole, &format!("chart-service-{index}"))
            );
            if let Some(charts) = self.load_charts(index, &self.whole) {
                page.push_str(&charts);
            }
        }
        if html.service_count > html.services.len() {
            let _ = writeln!(
                page,
                "<p class=\"note\">Only the first {} of {} services are drawn; timeseries.csv has every \
                 service's levels and the table above every service's figures.</p>",
                html.services.len(),
                count(html.service_count as u64)
            );
        }
        page.push_str("</section>\n");
    }

    fn zones(&self, page: &mut String) {
        page.push_str("<section id=\"zones\">\n<h2>Zones</h2>\n");
        page.push_str(&self.zone_legend());
        for (kind, heading, note) in [
            (0, "Instances per zone", ""),
            (
                1,
                "Reserved CPU per zone",
                "Solid: CPU units reserved by tasks; dashed: registered by the zone's instances.",
            ),
            (
                2,
                "Reserved memory per zone",
                "Solid: MiB reserved by tasks; dashed: registered by the zone's instances.",
            ),
        ] {
            let _ = writeln!(page, "<h3>{heading}</h3>");
            if !note.is_empty() {
                let _ = writeln!(page, "<p class=\"hint\">{note}</p>");
            }
            page.push_str(&self.zone_chart(
                kind,
                &self.whole,
                &format!("chart-zone-{kind}"),
                190.0,
            ));
        }
        page.push_str("</section>\n");
    }

    fn zone_legend(&self) -> String {
        let mut legend = String::from("<ul class=\"legend\">");
        for zone in 0..self.html.zones.len() {
            let _ = write!(
                legend,
                "<li><span class=\"key\" style=\"border-color:{}\"></span>{}</li>",
                colour(zone),
                escape(self.zone_name(zone))
            );
        }
        legend.push_str("<li><span class=\"swatch outage\"></span>zone outage</li></ul>\n");
        legend
    }

    fn timeline(&self, page: &mut String) {
        let html = self.html;
        page.push_str(
            "<section id=\"timeline\">\n<h2>Timeline</h2>\n<p class=\"hint\">Pick a moment to see each \
             zone's instances with their tasks: drag the slider, type a time such as 1d 00:30:00, \
             step from change to change, or click a chart. Instances lost in the ten minutes \
             before, or since their zone went out, are shown dashed.</p>\n\
             <div class=\"controls\"><button type=\"button\" id=\"t-prev\" title=\"the previous change\">&#9664; previous change</button>\
             <input type=\"range\" id=\"t-slider\" min=\"0\" step=\"1000\" aria-label=\"moment\">\
             <button type=\"button\" id=\"t-next\" title=\"the next change\">next change &#9654;</button>\
             <label>time <input type=\"text\" id=\"t-text\" size=\"14\" aria-label=\"moment as d hh:mm:ss\"></label></div>\n",
        );
        match html.detail {
            Detail::Tasks => {}
            Detail::Instances => {
                let _ = writeln!(
                    page,
                    "<p class=\"note\">This run created {} tasks, more than the {} the timeline shows \
                     one by one: it shows instances and counts only. tasks.csv has every task.</p>",
                    count(html.tasks_created),
                    count(MAX_TIMELINE_TASKS as u64)
                );
            }
            Detail::Counts => {
                let _ = writeln!(
                    page,
                    "<p class=\"note\">This run registered {} instances, more than the {} the timeline \
                     shows one by one: it shows counts per zone only. instances.csv and tasks.csv have \
                     them all.</p>",
                    count(html.instances_registered),
                    count(MAX_TIMELINE_INSTANCES as u64)
                );
            }
        }
        page.push_str(
            "<div id=\"moment\" aria-live=\"polite\"><noscript>The timeline needs JavaScript; \
             the charts above do not.</noscript></div>\n</section>\n",
        );
    }

    /// Bands for the zone outages in `axis`'s window, behind a chart's lines.
    pub(super) fn outage_bands(&self, axis: &Axis) -> Vec<Band> {
        self.html
            .outages
            .iter()
            .filter_map(|outage| {
                let to = outage.to.unwrap_or(self.whole.end_ms);
                (to > axis.start_ms && outage.from < axis.end_ms).then(|| Band {
                    from: outage.from,
                    to,
                    class: "outage",
                    title: format!(
                        "{} out from {} to {}",
                        self.zone_name(outage.zone),
                        clock(outage.from),
                        clock(to)
                    ),
                })
            })
            .collect()
    }

    /// Times of the faults and instance losses in `axis`'s window, as faint lines across
    /// the charts, when there are few.
    pub(super) fn fault_times(&self, axis: &Axis) -> Vec<u64> {
        let times: Vec<u64> = self
            .html
            .marks
            .iter()
            .filter(|mark| matches!(mark.kind, MarkKind::Fault | MarkKind::Loss(_)))
            .map(|mark| mark.at)
            .filter(|&at| at >= axis.start_ms && at <= axis.end_ms)
            .collect();
        if times.len() > MAX_FAULT_LINES {
            Vec::new()
        } else {
            times
        }
    }

    /// One service's running, healthy and desired tasks, with its spells below desired.
    fn service_chart(&self, index: usize, axis: &Axis, id: &str) -> String {
        let service = &self.html.services[index];
        let name = self.service_name(index);
        let mut bands = self.outage_bands(axis);
        bands.extend(
            drawn_spans(&service.below, axis)
                .into_iter()
                .map(|(from, to, spells)| Band {
                    from,
                    to,
                    class: "spell",
                    title: spell_title(name, from, to, spells),
                }),
        );
        let marks = self.fault_times(axis);
        Chart {
            id: id.to_string(),
            title: format!(
                "Service {name}: tasks running, healthy and desired from {} to {}",
                clock(axis.start_ms),
                clock(axis.end_ms)
            ),
            y_label: "tasks",
            height: 150.0,
            lines: vec![
                Line {
                    trace: &service.levels[Series::Healthy.offset()],
                    colour: HEALTHY,
                    dashed: false,
                    width: 1.5,
                    label: format!("{name}: healthy"),
                },
                Line {
                    trace: &service.levels[Series::Running.offset()],
                    colour: RUNNING,
                    dashed: false,
                    width: 2.5,
                    label: format!("{name}: running"),
                },
                Line {
                    trace: &service.levels[Series::Desired.offset()],
                    colour: DESIRED,
                    dashed: true,
                    width: 1.5,
                    label: format!("{name}: desired"),
                },
            ],
            bands,
            curves: Vec::new(),
            y_unit: YUnit::Count,
            marks: &marks,
        }
        .svg(axis)
    }

    /// A service with load or autoScaling: its offered load, and its CPU and memory
    /// utilisation (docs/autoscaling.md).
    fn load_charts(&self, index: usize, axis: &Axis) -> Option<String> {
        let traces = self.html.load_traces.get(index)?.as_ref()?;
        let name = self.service_name(index);
        let marks = self.fault_times(axis);
        let chart = |id: String, title: String, y_label, lines| {
            Chart {
                id,
                title,
                y_label,
                height: 120.0,
                lines,
                bands: self.outage_bands(axis),
                curves: Vec::new(),
                y_unit: YUnit::Count,
                marks: &marks,
            }
            .svg(axis)
        };
        let load = chart(
            format!("chart-load-{index}"),
            format!("Service {name}: offered load, requests per second"),
            "requests/s",
            vec![Line {
                trace: &traces[0],
                colour: RUNNING,
                dashed: false,
                width: 2.0,
                label: format!("{name}: load"),
            }],
        );
        let utilisation = chart(
            format!("chart-utilization-{index}"),
            format!("Service {name}: CPU and memory utilisation of its RUNNING tasks, percent"),
            "%",
            vec![
                Line {
                    trace: &traces[1],
                    colour: RUNNING,
                    dashed: false,
                    width: 2.0,
                    label: format!("{name}: CPU utilisation"),
                },
                Line {
                    trace: &traces[2],
                    colour: DESIRED,
                    dashed: true,
                    width: 1.5,
                    label: format!("{name}: memory utilisation"),
                },
            ],
        );
        Some(format!(
            "<p class=\"note\">{}: offered load (requests per second); CPU (solid) and memory \
             (dashed) utilisation of its RUNNING tasks, percent.</p>\n{load}\n{utilisation}\n",
            escape(name)
        ))
    }

    /// Per zone: instances (`kind` 0), or reserved and registered CPU (1) or memory (2).
    /// Lines of the first zones are wider, so zones at the same level stay visible as
    /// nested stripes.
    fn zone_chart(&self, kind: usize, axis: &Axis, id: &str, height: f64) -> String {
        let zones = self.html.zones.len();
        let width = |zone: usize| {
            if zones <= 4 {
                2.0 + 1.75 * (zones - 1 - zone) as f64
            } else {
                2.0
            }
        };
        let line = |zone: usize, series: Series, dashed: bool, what: &str| Line {
            trace: &self.html.zones[zone][series.offset()],
            colour: colour(zone),
            dashed,
            width: if dashed { 1.2 } else { width(zone) },
            label: format!("{}: {what}", self.zone_name(zone)),
        };
        let (title, y_label, lines): (&str, &str, Vec<Line<'_>>) = match kind {
            0 => (
                "Instances registered per zone",
                "instances",
                (0..zones)
                    .map(|zone| line(zone, Series::Instances, false, "instances"))
                    .collect(),
            ),
            1 => (
                "CPU units reserved by tasks (solid) and registered by instances (dashed) per zone",
                "CPU units",
                (0..zones)
                    .map(|zone| line(zone, Series::RegisteredCpu, true, "registered CPU units"))
                    .chain(
                        (0..zones).map(|zone| {
                            line(zone, Series::ReservedCpu, false, "reserved CPU units")
                        }),
                    )
                    .collect(),
            ),
            _ => (
                "Memory reserved by tasks (solid) and registered by instances (dashed) per zone",
                "MiB",
                (0..zones)
                    .map(|zone| line(zone, Series::RegisteredMemory, true, "registered MiB"))
                    .chain(
                        (0..zones)
                            .map(|zone| line(zone, Series::ReservedMemory, false, "reserved MiB")),
                    )
                    .collect(),
            ),
        };
        let marks = self.fault_times(axis);
        Chart {
            id: id.to_string(),
            title: format!(
                "{title} from {} to {}",
                clock(axis.start_ms),
                clock(axis.end_ms)
            ),
            y_label,
            height,
            lines,
            bands: self.outage_bands(axis),
            curves: Vec::new(),
            y_unit: YUnit::Count,
            marks: &marks,
        }
        .svg(axis)
    }

    /// Rows on `axis`: faults; per zone its outages, instances lost and registered; per
    /// charted service its spells below desired.
    fn lanes(&self, axis: &Axis, id: &str) -> String {
        let html = self.html;
        let row = 24.0;
        let top = 6.0;
        let zones = html.zones.len();
        let rows = 1 + zones + html.services.len();
        let bottom = top + row * rows as f64;
        let height = bottom + 30.0;
        let mut svg = String::new();
        let _ = write!(
            svg,
            "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {} {height}\" role=\"img\" \
             aria-labelledby=\"{id}-title\" data-x0=\"{X0}\" data-x1=\"{X1}\" data-start=\"{}\" \
             data-end=\"{}\"><title id=\"{id}-title\">Faults, zone outages, instances lost and \
             registered, and spells below the desired count from {} to {}</title><desc>Horizontal axis: \
             time since the start of the run (d hh:mm:ss); one row for faults, one per zone and one \
             per service.</desc><g class=\"grid\">{}</g>",
            svg::WIDTH,
            axis.start_ms,
            axis.end_ms,
            clock(axis.start_ms),
            clock(axis.end_ms),
            svg::time_ticks(axis, top, bottom, true)
        );
        for band in self.outage_bands(axis) {
            let (from, to) = (axis.x(band.from), axis.x(band.to));
            let _ = write!(
                svg,
                "<rect class=\"outage\" x=\"{from:.1}\" y=\"{top}\" width=\"{:.1}\" height=\"{:.1}\"><title>{}</title></rect>",
                (to - from).max(1.5),
                bottom - top,
                escape(&band.title)
            );
        }
        let label = |svg: &mut String, index: usize, text: &str| {
            let y = top + row * index as f64;
            let _ = write!(
                svg,
                "<line class=\"row-line\" x1=\"0\" x2=\"{X1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
                 <text class=\"row-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}<title>{}</title></text>",
                y + row,
                y + row,
                X0 - 8.0,
                y + row / 2.0 + 4.0,
                escape(&shorten(text, 20)),
                escape(text)
            );
        };
        label(&mut svg, 0, "faults");
        for zone in 0..zones {
            label(&mut svg, 1 + zone, self.zone_name(zone));
            let y = top + row * (1 + zone) as f64;
            for outage in html.outages.iter().filter(|outage| outage.zone == zone) {
                let to = outage.to.unwrap_or(self.whole.end_ms);
                if to <= axis.start_ms || outage.from >= axis.end_ms {
                    continue;
                }
                let (x0, x1) = (axis.x(outage.from), axis.x(to));
                let _ = write!(
                    svg,
                    "<rect class=\"outage-row\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\">\
                     <title>{} out from {} to {}</title></rect>",
                    y + 3.0,
                    (x1 - x0).max(2.0),
                    row - 6.0,
                    escape(self.zone_name(zone)),
                    clock(outage.from),
                    outage.to.map_or("the end".to_string(), clock)
                );
                if x1 - x0 > 80.0 {
                    let _ = write!(
                        svg,
                        "<text class=\"band-label\" x=\"{:.1}\" y=\"{:.1}\">zone out</text>",
                        x0 + 6.0,
                        y + row / 2.0 + 4.0
                    );
                }
            }
        }
        for (index, service) in html.services.iter().enumerate() {
            let name = self.service_name(index);
            label(&mut svg, 1 + zones + index, name);
            let y = top + row * (1 + zones + index) as f64;
            for (from, to, spells) in drawn_spans(&service.below, axis) {
                let (x0, x1) = (axis.x(from), axis.x(to));
                let _ = write!(
                    svg,
                    "<rect class=\"spell\" x=\"{x0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\">\
                     <title>{}</title></rect>",
                    y + 5.0,
                    (x1 - x0).max(2.0),
                    row - 10.0,
                    escape(&spell_title(name, from, to, spells))
                );
            }
        }
        for mark in html.marks.iter() {
            if mark.at < axis.start_ms || mark.at > axis.end_ms {
                continue;
            }
            let index = match mark.row {
                Row::Faults => 0,
                Row::Zone(zone) => 1 + zone,
                Row::Service(service) => 1 + zones + service,
            };
            let x = axis.x(mark.at);
            let y = top + row * index as f64 + row / 2.0;
            let (tag, shape) = match mark.kind {
                MarkKind::Fault => (
                    "path",
                    format!(
                        "class=\"mark fault\" d=\"M{x:.1},{:.1}l6,7l-6,7l-6,-7z\"",
                        y - 7.0
                    ),
                ),
                MarkKind::Loss(_) => (
                    "path",
                    format!(
                        "class=\"mark loss\" d=\"M{:.1},{:.1}h12l-6,11z\"",
                        x - 6.0,
                        y - 6.0
                    ),
                ),
                MarkKind::Registered => (
                    "path",
                    format!(
                        "class=\"mark registered\" d=\"M{:.1},{:.1}h10l-5,-9z\"",
                        x - 5.0,
                        y + 5.0
                    ),
                ),
                MarkKind::SpotNotice => (
                    "path",
                    format!(
                        "class=\"mark spot\" d=\"M{x:.1},{:.1}l5,6l-5,6l-5,-6z\"",
                        y - 6.0
                    ),
                ),
                MarkKind::AgentDisconnected => (
                    "circle",
                    format!("class=\"mark agent\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\""),
                ),
                MarkKind::DeploymentStarted => (
                    "path",
                    format!(
                        "class=\"mark deployment\" d=\"M{:.1},{:.1}l10,6l-10,6z\"",
                        x - 3.0,
                        y - 6.0
                    ),
                ),
                MarkKind::DeploymentFailed => (
                    "path",
                    format!(
                        "class=\"mark deployment-failed\" d=\"M{:.1},{:.1}l10,10m0,-10l-10,10\"",
                        x - 5.0,
                        y - 5.0
                    ),
                ),
            };
            let _ = write!(
                svg,
                "<{tag} {shape}><title>{}</title></{tag}>",
                escape(&mark.title())
            );
        }
        let _ = writeln!(
            svg,
            "<line class=\"cursor\" x1=\"{X0}\" x2=\"{X0}\" y1=\"{top}\" y2=\"{bottom}\" visibility=\"hidden\"/></svg>"
        );
        svg
    }

    /// The timeline's data, as compact JSON.
    fn data(&self) -> String {
        let html = self.html;
        let mut groups: BTreeMap<GroupId, usize> = BTreeMap::new();
        for task in &html.tasks {
            groups.insert(task.group, 0);
        }
        for (index, slot) in groups.values_mut().enumerate() {
            *slot = index;
        }
        let mut levels = Vec::new();
        for (index, service) in html.services.iter().enumerate() {
            for series in Series::SERVICE {
                levels.push(LevelData {
                    series: series.name(),
                    key: index,
                    points: service.levels[series.offset()].points(&self.whole),
                });
            }
        }
        for (zone, traces) in html.zones.iter().enumerate() {
            for series in Series::ZONE {
                levels.push(LevelData {
                    series: series.name(),
                    key: zone,
                    points: traces[series.offset()].points(&self.whole),
                });
            }
        }
        let data = Data {
            end: self.whole.end_ms,
            start: self.start_moment(),
            detail: match html.detail {
                Detail::Tasks => "tasks",
                Detail::Instances => "instances",
                Detail::Counts => "counts",
            },
            zones: (0..html.zones.len())
                .map(|zone| self.zone_name(zone))
                .collect(),
            services: (0..html.services.len())
                .map(|index| self.service_name(index))
                .collect(),
            groups: groups
                .keys()
                .map(|&group| self.cluster.group_name(group))
                .collect(),
            instances: &html.instances,
            tasks: html
                .tasks
                .iter()
                .map(|task| {
                    (
                        task.number,
                        task.instance,
                        groups[&task.group],
                        task.created,
                        task.running,
                        task.stopping,
                        task.stopped,
                    )
                })
                .collect(),
            outages: html
                .outages
                .iter()
                .map(|outage| (outage.zone, outage.from, outage.to))
                .collect(),
            levels,
        };
        serde_json::to_string(&data).expect("plain data serializes")
    }

    /// The moment the timeline opens at: the middle of the first zone outage, else the
    /// first fault or instance loss, else the end.
    fn start_moment(&self) -> u64 {
        if let Some(outage) = self.html.outages.first() {
            let to = outage.to.unwrap_or(self.whole.end_ms);
            return outage.from + (to - outage.from) / 2;
        }
        self.html
            .marks
            .iter()
            .find(|mark| matches!(mark.kind, MarkKind::Fault | MarkKind::Loss(_)))
            .map_or(self.whole.end_ms, |mark| mark.at)
    }
}

pub(super) const RUNNING: &str = "#0072B2";
pub(super) const HEALTHY: &str = "#009E73";
pub(super) const DESIRED: &str = "#000000";

const SERVICE_LEGEND: &str = "<ul class=\"legend\">\
    <li><span class=\"key\" style=\"border-color:#0072B2\"></span>running</li>\
    <li><span class=\"key\" style=\"border-color:#009E73\"></span>healthy (counted for minimumHealthyPercent)</li>\
    <li><span class=\"key dashed\" style=\"border-color:#000000\"></span>desired</li>\
    <li><span class=\"swatch spell\"></span>below the desired count</li>\
    <li><span class=\"swatch outage\"></span>zone outage</li>\
    <li><span class=\"key dotted\"></span>fault or instance lost</li></ul>\n";

const LANES_LEGEND: &str = "<ul class=\"legend\">\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"mark fault\" d=\"M7,0l6,7l-6,7l-6,-7z\"/></svg>a fault struck</li>\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"mark loss\" d=\"M1,2h12l-6,11z\"/></svg>instance lost</li>\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"mark registered\" d=\"M2,12h10l-5,-9z\"/></svg>instance registered</li>\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"mark spot\" d=\"M7,1l5,6l-5,6l-5,-6z\"/></svg>Spot interruption notice</li>\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><circle class=\"mark agent\" cx=\"7\" cy=\"7\" r=\"5\"/></svg>agent disconnected</li>\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"mark deployment\" d=\"M4,1l10,6l-10,6z\"/></svg>deployment started</li>\
    <li><svg viewBox=\"0 0 14 14\" aria-hidden=\"true\"><path class=\"mark deployment-failed\" d=\"M2,2l10,10m0,-10l-10,10\"/></svg>deployment failed</li>\
    <li><span class=\"swatch outage-row\"></span>zone outage</li>\
    <li><span class=\"swatch spell\"></span>below the desired count</li></ul>\n";

#[derive(Serialize)]
struct Data<'a> {
    end: u64,
    start: u64,
    detail: &'static str,
    zones: Vec<&'a str>,
    services: Vec<&'a str>,
    groups: Vec<&'a str>,
    instances: &'a [InstanceSpan],
    tasks: Vec<TaskData>,
    outages: Vec<(usize, u64, Option<u64>)>,
    levels: Vec<LevelData>,
}

/// A task for the timeline: number, instance (index in the instances), group (index in
/// the groups), and when it was created, RUNNING, left RUNNING and STOPPED.
type TaskData = (
    u64,
    usize,
    usize,
    u64,
    Option<u64>,
    Option<u64>,
    Option<u64>,
);

#[derive(Serialize)]
struct LevelData {
    series: &'static str,
    key: usize,
    points: Vec<u64>,
}

/// Spells below desired as drawn: those less than two pixels apart merged, with how many
/// each stands for, so a run with thousands of spells draws at most one band per pixel.
fn drawn_spans(trace: &svg::Trace, axis: &Axis) -> Vec<(u64, u64, u64)> {
    let mut drawn: Vec<(u64, u64, u64)> = Vec::new();
    for (from, to) in trace.spans(axis) {
        match drawn.last_mut() {
            Some(last) if axis.x(from) - axis.x(last.1) < 2.0 => {
                last.1 = to;
                last.2 += 1;
            }
            _ => drawn.push((from, to, 1)),
        }
    }
    drawn
}

fn spell_title(service: &str, from: u64, to: u64, spells: u64) -> String {
    if spells == 1 {
        format!(
            "{service} below its desired count from {} to {} ({})",
            clock(from),
            clock(to),
            duration(to - from)
        )
    } else {
        format!(
            "{service} below its desired count {} between {} and {}",
            times(spells),
            clock(from),
            clock(to)
        )
    }
}

/// `1 instance`, `5 instances`, with separators.
pub(super) fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{} {noun}s", count(n))
    }
}

/// `once`, `twice`, `4 times`.
fn times(n: u64) -> String {
    match n {
        1 => "once".to_string(),
        2 => "twice".to_string(),
        _ => format!("{} times", count(n)),
    }
}

/// At most `max` characters, with an ellipsis when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max - 1).collect();
        short.push('…');
        short
    }
}

/// One sentence on what the instances cost over the window (`summary.json`'s figures).
fn cost_line(cost: &crate::cost::CostReport) -> String {
    let dollars = |usd: crate::cost::Usd| format!("${:.2}", usd.micro() as f64 / 1e6);
    match (cost.cost_usd, cost.cost_usd_per_month, cost.idle_cost_usd) {
        (Some(total), Some(month), Some(idle)) => format!(
            "<p class=\"hint\">The instances cost <strong>{}</strong> over the window ({} a month \
             at this rate, in {}); {} of it idle, capacity no task reserved (summary.json: costUsd).</p>\n",
            dollars(total),
            dollars(month),
            escape(&cost.region),
            dollars(idle)
        ),
        _ => "<p class=\"hint\">Cost unknown: an instance type has no price (give it a pricing).</p>\n"
            .to_string(),
    }
}

fn figures_row(service: &ServiceReport) -> String {
    let optional = |time: Option<SimTime>| time.map_or("–".to_string(), |t| duration(t.as_ms()));
    let targets = match (service.mean_healthy_targets, service.min_healthy_targets) {
        (Some(mean), Some(min)) => format!("{mean:.2} / {min}"),
        _ => "–".to_string(),
    };
    format!(
        "<tr><th scope=\"row\">{}</th><td>{}</td><td>{:.4} %</td><td>{}</td><td>{}</td><td>{}</td>\
         <td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
        escape(&service.service_name),
        count(u64::from(service.desired_count)),
        service.availability * 100.0,
        count(u64::from(service.min_running)),
        duration(service.seconds_below_desired.as_ms()),
        optional(service.mean_time_to_recover),
        count(service.tasks_started),
        count(service.tasks_failed),
        count(service.placement_failures),
        service
            .steady_at
            .map_or("never".to_string(), |t| clock(t.as_ms())),
        targets
    )
}
