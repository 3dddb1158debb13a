//! Charts drawn on the server as inline SVG, so that a page needs no script and loads nothing: pure functions
//! from figures and already-translated words to markup. Every text placed in the markup is escaped here, the
//! charts carry a `<title>` and an `aria-label` for screen readers, and they scale to their container through
//! `viewBox` alone. Only presentation attributes are used (no `style=`), which the pages' CSP admits. A value
//! may be withheld (`None`, a figure resting on too few organisations): it is drawn as the words for it (`<5`)
//! with no length or height, and the scales are taken from the values shown, so nothing drawn lets a
//! withheld value be measured.

use std::fmt::Write;

/// The width of every chart's coordinate system; the browser scales it to the page.
const WIDTH: f64 = 480.0;
/// Left margin of the line chart, room for the largest value's label.
const LEFT: f64 = 64.0;
/// Right margin: room for half of the last month's label.
const RIGHT: f64 = 24.0;
/// Above the plot: the legend.
const TOP: f64 = 36.0;
/// Below the plot: the months.
const BOTTOM: f64 = 28.0;
const PLOT_HEIGHT: f64 = 180.0;
/// At most this many gridlines above zero, whatever the size of the numbers.
const MAX_TICKS: u64 = 5;
/// Large enough to read on a phone, where the chart is drawn at about three quarters of its size.
const FONT: &str = "15";

/// One line of a line chart: its name in the legend, its values (`None` withheld), how it is drawn.
pub struct Series<'a> {
    pub name: String,
    pub values: &'a [Option<u64>],
    /// A stroke colour; the second series is also dashed so that it reads in black and white print.
    pub colour: &'static str,
    pub dashed: bool,
}

/// One bar: its label and its value (`None` withheld).
pub struct Bar {
    pub label: String,
    pub value: Option<u64>,
}

/// Words a chart prints besides its data: its title, what it says when there is nothing to draw, and what it
/// prints for a withheld value (`<5`).
pub struct Words<'a> {
    pub title: &'a str,
    pub empty: &'a str,
    pub withheld: &'a str,
}

/// A value as printed: grouped, or the words for a withheld one.
fn shown(value: Option<u64>, words: &Words) -> String {
    value.map_or_else(|| words.withheld.to_string(), grouped)
}

/// `text` safe inside an element or a double- or single-quoted attribute.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A count with its thousands grouped (1,234,567), as both languages write figures in tables.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The step between gridlines: 1, 2 or 5 times a power of ten, so that at most `MAX_TICKS` fit under `top`.
fn tick_step(top: u64) -> u64 {
    let mut power: u64 = 1;
    loop {
        for factor in [1, 2, 5] {
            let step = power.saturating_mul(factor);
            if top / step <= MAX_TICKS {
                return step;
            }
        }
        power = power.saturating_mul(10);
    }
}

/// The value at the top of a plot: the largest value, so it reaches the top; 1 when all are zero, so that
/// nothing divides by zero and an empty year draws flat lines on the axis.
fn scale_top(values: impl Iterator<Item = u64>) -> u64 {
    values.max().unwrap_or(0).max(1)
}

/// Where `value` lies along `length` when `top` fills it.
fn along(value: u64, top: u64, length: f64) -> f64 {
    value as f64 / top as f64 * length
}

fn open_svg(out: &mut String, id: &str, title: &str, height: f64) {
    let title = escape(title);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height}\" role=\"img\" \
         aria-label=\"{title}\" aria-labelledby=\"{id}-title\" font-size=\"{FONT}\" class=\"chart\" id=\"{id}\">\
         <title id=\"{id}-title\">{title}</title>"
    );
}

fn text(out: &mut String, x: f64, y: f64, anchor: &str, words: &str) {
    let _ = write!(
        out,
        "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" fill=\"#222\">{}</text>",
        escape(words)
    );
}

/// Two or more series over the same labelled points (this year's months and last year's), with gridlines,
/// the values on the vertical axis and a legend above the plot.
pub fn line_chart(id: &str, words: &Words, x_labels: &[String], series: &[Series]) -> String {
    let height = TOP + PLOT_HEIGHT + BOTTOM;
    let plot_width = WIDTH - LEFT - RIGHT;
    let top = scale_top(
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten().copied()),
    );
    let mut out = String::new();
    open_svg(&mut out, id, words.title, height);
    let y_of = |v: u64| TOP + PLOT_HEIGHT - along(v, top, PLOT_HEIGHT);
    let step = tick_step(top);
    for tick in (0..=top).step_by(usize::try_from(step).unwrap_or(usize::MAX)) {
        let y = y_of(tick);
        let _ = write!(
            out,
            "<line x1=\"{LEFT}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#ccc\"/>",
            WIDTH - RIGHT
        );
        text(&mut out, LEFT - 6.0, y + 4.0, "end", &grouped(tick));
    }
    let gaps = x_labels.len().saturating_sub(1).max(1) as f64;
    let x_of = |i: usize| LEFT + i as f64 * plot_width / gaps;
    // Twelve labels share the width: a size smaller than the chart's keeps "10月11月12月" apart.
    out.push_str("<g font-size=\"12\">");
    for (i, label) in x_labels.iter().enumerate() {
        text(&mut out, x_of(i), TOP + PLOT_HEIGHT + 18.0, "middle", label);
    }
    out.push_str("</g>");
    let mut legend_x = LEFT;
    for (series_index, s) in series.iter().enumerate() {
        let dash = if s.dashed {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        // A withheld point breaks the line: one polyline for each run of shown points.
        let mut runs: Vec<Vec<String>> = Vec::new();
        let mut run: Vec<String> = Vec::new();
        for (i, v) in s.values.iter().enumerate() {
            match v {
                Some(v) => run.push(format!("{:.1},{:.1}", x_of(i), y_of(*v))),
                None => runs.push(std::mem::take(&mut run)),
            }
        }
        runs.push(run);
        for run in runs.iter().filter(|run| !run.is_empty()) {
            let _ = write!(
                out,
                "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2.5\"{dash}/>",
                run.join(" "),
                s.colour
            );
        }
        for (i, v) in s.values.iter().enumerate() {
            let point = format!(
                "{} {}: {}",
                s.name,
                x_labels.get(i).map_or("", String::as_str),
                shown(*v, words)
            );
            match v {
                Some(v) => {
                    let _ = write!(
                        out,
                        "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\" fill=\"{}\"><title>{}</title></circle>",
                        x_of(i),
                        y_of(*v),
                        s.colour,
                        escape(&point)
                    );
                }
                // Withheld: its words on the axis, in the line's colour, one series a line above the other.
                None => {
                    let y = TOP + PLOT_HEIGHT - 4.0 - 12.0 * series_index as f64;
                    let _ = write!(
                        out,
                        "<text x=\"{:.1}\" y=\"{y:.1}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{}\">\
                         <title>{}</title>{}</text>",
                        x_of(i),
                        s.colour,
                        escape(&point),
                        escape(words.withheld)
                    );
                }
            }
        }
        let _ = write!(
            out,
            "<line x1=\"{legend_x}\" x2=\"{:.1}\" y1=\"14\" y2=\"14\" stroke=\"{}\" stroke-width=\"2.5\"{dash}/>",
            legend_x + 24.0,
            s.colour
        );
        text(&mut out, legend_x + 30.0, 18.0, "start", &s.name);
        legend_x += 44.0 + 16.0 * s.name.chars().count() as f64;
    }
    out.push_str("</svg>");
    out
}

/// Horizontal bars, one a row, each with its label above it and its value at its end, so that long labels
/// in either language fit a phone's width; bar `i` is drawn in `colours[i]` (cycling). No shares are printed:
/// a share of the whole would give the whole, and with it a withheld bar, away.
pub fn bar_chart(id: &str, words: &Words, bars: &[Bar], colours: &[&str]) -> String {
    const ROW: f64 = 40.0;
    const VALUE_ROOM: f64 = 72.0;
    let height = (bars.len().max(1) as f64) * ROW + 8.0;
    let top = scale_top(bars.iter().filter_map(|b| b.value));
    let length = WIDTH - VALUE_ROOM;
    let mut out = String::new();
    open_svg(&mut out, id, words.title, height);
    if bars.is_empty() {
        text(&mut out, 0.0, 24.0, "start", words.empty);
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = i as f64 * ROW;
        text(&mut out, 0.0, y + 14.0, "start", &bar.label);
        let value = shown(bar.value, words);
        let said = escape(&format!("{}: {value}", bar.label));
        let Some(n) = bar.value else {
            // Withheld: no bar, only its words where the bar would begin.
            let _ = write!(
                out,
                "<text x=\"0\" y=\"{:.1}\" text-anchor=\"start\" fill=\"#222\"><title>{said}</title>{}</text>",
                y + 33.0,
                escape(&value)
            );
            continue;
        };
        let colour = colours
            .get(i % colours.len().max(1))
            .copied()
            .unwrap_or("#555");
        let width = along(n, top, length);
        let _ = write!(
            out,
            "<rect x=\"0\" y=\"{:.1}\" width=\"{width:.1}\" height=\"16\" fill=\"{colour}\"><title>{said}</title></rect>",
            y + 20.0
        );
        text(&mut out, width + 6.0, y + 33.0, "start", &value);
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests;
