//! The plots under `bench/plots/`: SVG only (no fonts needed to build or to draw: the text is
//! left to whatever shows the SVG).

use std::path::Path;

use plotters::prelude::*;

use crate::stats::Summary;

const WIDTH: u32 = 900;
const PALETTE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

fn failed(path: &Path) -> impl Fn(String) -> String + '_ {
    move |e| format!("cannot draw {}: {e}", path.display())
}

/// An axis label: a plain number without needless zeros.
fn axis(v: f64) -> String {
    let text = format!("{v:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}

/// Horizontal bars: one per `(label, summary)`, the median with its spread as an error bar, the
/// label and the median written after it. `unit` follows the numbers (`ms`, `MiB/s`). When the
/// values span more than 30×, the axis is logarithmic (or the small ones would not show).
pub(crate) fn bars(path: &Path, title: &str, unit: &str, bars: &[(String, Summary)]) -> Result<(), String> {
    let err = failed(path);
    let height = 90 + 34 * bars.len().max(1) as u32;
    let root = SVGBackend::new(path, (WIDTH, height)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let top = bars.iter().map(|(_, s)| s.range().1.max(s.median)).fold(0.0_f64, f64::max);
    let bottom = bars.iter().map(|(_, s)| s.range().0.min(s.median)).filter(|v| *v > 0.0).fold(f64::INFINITY, f64::min);
    let log = bottom.is_finite() && top / bottom > 30.0;
    // On a log axis every value is drawn as its logarithm, and labelled back.
    let x = |v: f64| if log { v.max(bottom / 2.0).log10() } else { v };
    let (x_min, x_max) = if log {
        let lo = (bottom / 2.0).log10().floor();
        (lo, lo + (top.log10() - lo) * 1.35)
    } else {
        // Room on the right for the labels written after the bars.
        (0.0, if top > 0.0 { top * 1.8 } else { 1.0 })
    };
    let n = bars.len() as f64;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(10)
        .build_cartesian_2d(x_min..x_max, -0.6..(n - 0.4).max(0.4))
        .map_err(|e| err(e.to_string()))?;
    let desc = if log { format!("{unit} (logarithmic)") } else { unit.to_owned() };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(0)
        .x_desc(desc)
        // A log axis is labelled at powers of ten only.
        .x_label_formatter(&|v| match log {
            true if (v - v.round()).abs() < 1e-9 => axis(10f64.powf(v.round())),
            true => String::new(),
            false => axis(*v),
        })
        .draw()
        .map_err(|e| err(e.to_string()))?;
    for (i, (label, s)) in bars.iter().enumerate() {
        // The first bar on top.
        let y = n - 1.0 - i as f64;
        let colour = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(x_min, y - 0.3), (x(s.median), y + 0.3)],
                colour.mix(0.75).filled(),
            )))
            .map_err(|e| err(e.to_string()))?;
        let (lo, hi) = (x(s.range().0), x(s.range().1));
        let whisker = vec![
            PathElement::new(vec![(lo, y), (hi, y)], BLACK.stroke_width(1)),
            PathElement::new(vec![(lo, y - 0.15), (lo, y + 0.15)], BLACK.stroke_width(1)),
            PathElement::new(vec![(hi, y - 0.15), (hi, y + 0.15)], BLACK.stroke_width(1)),
        ];
        chart.draw_series(whisker).map_err(|e| err(e.to_string()))?;
        let text = format!("{label}: {} {unit}", crate::stats::num(s.median));
        let at = hi.max(x(s.median)) + (x_max - x_min) * 0.01;
        chart
            .draw_series(std::iter::once(Text::new(text, (at, y + 0.2), ("sans-serif", 14))))
            .map_err(|e| err(e.to_string()))?;
    }
    root.present().map_err(|e| err(e.to_string()))
}

/// Lines over `x`: each series a name and its points `(x, summary)`, the median joined by a
/// line, the spread as error bars.
pub(crate) fn lines(
    path: &Path,
    title: &str,
    x_desc: &str,
    y_desc: &str,
    series: &[(String, Vec<(f64, Summary)>)],
) -> Result<(), String> {
    let err = failed(path);
    let root = SVGBackend::new(path, (WIDTH, 480)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(e.to_string()))?;
    let points = series.iter().flat_map(|(_, p)| p.iter());
    let x_max = points.clone().map(|(x, _)| *x).fold(0.0_f64, f64::max).max(1.0) * 1.05;
    // Headroom above the data for the legend.
    let y_max = points.map(|(_, s)| s.range().1.max(s.median)).fold(0.0_f64, f64::max).max(1e-9) * 1.5;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max)
        .map_err(|e| err(e.to_string()))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(&|v| axis(*v))
        .y_label_formatter(&|v| axis(*v))
        .draw()
        .map_err(|e| err(e.to_string()))?;
    for (i, (name, points)) in series.iter().enumerate() {
        let colour = PALETTE[i % PALETTE.len()];
        chart
            .draw_series(LineSeries::new(points.iter().map(|(x, s)| (*x, s.median)), colour.stroke_width(2)))
            .map_err(|e| err(e.to_string()))?
            .label(name.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], colour.stroke_width(2)));
        let bars = points.iter().flat_map(|(x, s)| {
            let (lo, hi) = s.range();
            let cap = x_max * 0.006;
            [
                PathElement::new(vec![(*x, lo), (*x, hi)], colour.stroke_width(1)),
                PathElement::new(vec![(*x - cap, lo), (*x + cap, lo)], colour.stroke_width(1)),
                PathElement::new(vec![(*x - cap, hi), (*x + cap, hi)], colour.stroke_width(1)),
            ]
        });
        chart.draw_series(bars).map_err(|e| err(e.to_string()))?;
        chart
            .draw_series(points.iter().map(|(x, s)| Circle::new((*x, s.median), 3, colour.filled())))
            .map_err(|e| err(e.to_string()))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| err(e.to_string()))?;
    root.present().map_err(|e| err(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_kinds_of_plot_are_svg_with_their_labels() {
        let dir = tempfile::tempdir().unwrap();
        let s = Summary::of(&[1.0, 2.0, 4.0]).unwrap();
        let t = Summary::of(&[2.0, 4.0, 8.0]).unwrap();
        let path = dir.path().join("bars.svg");
        bars(&path, "respawn", "ms", &[("runsv".into(), s), ("visor".into(), t)]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("runsv: 2.00 ms") && svg.contains("visor: 4.00 ms"), "{svg}");
        let wide = Summary::of(&[2000.0]).unwrap();
        bars(&path, "respawn", "ms", &[("runsv".into(), s), ("supervisord".into(), wide)]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.contains("ms (logarithmic)") && svg.contains("supervisord: 2000 ms"), "{svg}");
        let path = dir.path().join("lines.svg");
        lines(&path, "scaling", "MiB", "ms", &[("visor".into(), vec![(16.0, s), (64.0, t)])]).unwrap();
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("visor") && svg.contains("<polyline"), "{svg}");
    }
}
