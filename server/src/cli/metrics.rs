//! `lambda-ls metrics [DIR] [--since 3h] [--period 5m] [--format text|json]`: the console's
//! Monitor tab on the command line: a table with a sparkline per metric, or the figures as
//! one JSON document.

use std::process::ExitCode;

use anyhow::Context;

use super::since::{human_time, now_ms, parse_duration, parse_since};
use super::Format;
use crate::aws::metrics::{self, MetricsReport, Point, Window};
use crate::aws::Aws;

/// Arguments of `lambda-ls metrics`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: super::target::Target,
    /// How far back: a duration (30m, 3h, 2d) or a time (2026-05-01T12:00:00Z).
    #[arg(long, value_name = "DURATION|TIME", default_value = "3h")]
    since: String,
    /// The length of each period (whole minutes: 1m, 5m, 1h).
    #[arg(long, value_name = "DURATION", default_value = "5m")]
    period: String,
    /// `text`: a table with sparklines; `json`: every figure and datapoint.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Sparklines wider than this are drawn with several periods per column.
const SPARKLINE_WIDTH: usize = 60;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let function = args.target.load()?;
    let name = function.config.name.value.clone();
    let now = now_ms();
    let start_ms = parse_since(&args.since, now).map_err(anyhow::Error::msg)?;
    let period_s = parse_duration(&args.period).map_err(anyhow::Error::msg)?;
    let window = Window::new(start_ms, now, period_s).map_err(anyhow::Error::msg)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    let report = runtime.block_on(async {
        let aws = Aws::connect(function.config.region.as_deref()).await?;
        anyhow::Ok(metrics::read(&aws, &name, window).await?)
    })?;
    match args.format {
        Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        Format::Text => print!("{}", table(&report)),
    }
    Ok(ExitCode::SUCCESS)
}

/// The report as a table, one metric a row: its figures and a sparkline of its periods.
fn table(report: &MetricsReport) -> String {
    let m = &report.metrics;
    let window = report.window;
    let minutes = window.period_s / 60;
    let period = if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else {
        format!("{minutes} min")
    };
    let mut out = format!(
        "{} in {}: {} → {}, {period} periods\n\n",
        report.function,
        report.region,
        human_time(window.start_ms),
        human_time(window.end_ms)
    );
    let success = match m.errors.success_rate {
        Some(rate) => format!(" ({rate}% success)"),
        None => String::new(),
    };
    let ms = |value: Option<f64>| match value {
        Some(v) => format!("{} ms", round(v)),
        None => "–".to_string(),
    };
    let rows = [
        (
            "Invocations",
            round(m.invocations.sum),
            sparkline(&m.invocations.points, window, true),
        ),
        (
            "Errors",
            format!("{}{success}", round(m.errors.sum)),
            sparkline(&m.errors.points, window, true),
        ),
        (
            "Throttles",
            round(m.throttles.sum),
            sparkline(&m.throttles.points, window, true),
        ),
        (
            "Duration",
            format!(
                "avg {} · max {} · p99 {}",
                ms(m.duration.avg),
                ms(m.duration.max),
                ms(m.duration.p99)
            ),
            sparkline(&m.duration.points, window, false),
        ),
        (
            "ConcurrentExecutions",
            format!(
                "max {}",
                m.concurrent_executions.max.map_or("–".to_string(), round)
            ),
            sparkline(&m.concurrent_executions.points, window, false),
        ),
    ];
    let figures_width = rows
        .iter()
        .map(|(_, f, _)| f.chars().count())
        .max()
        .unwrap_or(0);
    for (metric, figures, line) in rows {
        out.push_str(&format!("{metric:<22}{figures:<figures_width$}  {line}\n"));
    }
    if m.invocations.sum == 0.0 {
        out.push_str(&format!(
            "\nNo invocations in this window: {} has not run since {}.\n",
            report.function,
            human_time(window.start_ms)
        ));
    }
    for note in &report.notes {
        out.push_str(&format!("note: {note}\n"));
    }
    out
}

/// A number without needless decimals: `3`, `12.35`.
fn round(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded}")
    }
}

/// One character per period (or per group of periods, past [`SPARKLINE_WIDTH`]), from `▁`
/// for the smallest value to `█` for the largest. Periods without a datapoint are 0 for
/// counts and blank for the rest (there was nothing to measure).
fn sparkline(points: &[Point], window: Window, count: bool) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let periods: Vec<Option<f64>> = window
        .period_starts()
        .map(|start| {
            let value = points.iter().find(|p| p.time_ms == start).map(|p| p.value);
            if count {
                Some(value.unwrap_or(0.0))
            } else {
                value
            }
        })
        .collect();
    let per_column = periods.len().div_ceil(SPARKLINE_WIDTH).max(1);
    let columns: Vec<Option<f64>> = periods
        .chunks(per_column)
        .map(|chunk| {
            let values = chunk.iter().flatten().copied();
            if count {
                Some(values.sum())
            } else {
                values.reduce(f64::max)
            }
        })
        .collect();
    let top = columns.iter().flatten().copied().fold(0.0, f64::max);
    columns
        .iter()
        .map(|column| match column {
            None => ' ',
            Some(_) if top <= 0.0 => BARS[0],
            Some(value) => {
                let step = (value / top * (BARS.len() - 1) as f64).round() as usize;
                BARS[step.min(BARS.len() - 1)]
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(periods: i64) -> Window {
        Window::new(0, periods * 60_000, 60).unwrap()
    }

    fn at(minute: i64, value: f64) -> Point {
        Point {
            time_ms: minute * 60_000,
            value,
        }
    }

    #[test]
    fn sparklines_scale_to_the_largest_period() {
        let points = [at(0, 0.0), at(1, 7.0), at(3, 14.0)];
        assert_eq!(sparkline(&points, window(4), true), "▁▅▁█");
        // A duration with no datapoint is not a zero.
        assert_eq!(sparkline(&points, window(4), false), "▁▅ █");
        assert_eq!(sparkline(&[], window(3), true), "▁▁▁");
        assert_eq!(sparkline(&[], window(3), false), "   ");
    }

    #[test]
    fn long_windows_fold_periods_into_columns() {
        let points: Vec<Point> = (0..120).map(|m| at(m, 1.0)).collect();
        let line = sparkline(&points, window(120), true);
        assert_eq!(line.chars().count(), 60);
        assert!(line.chars().all(|c| c == '█'), "{line}");
    }

    #[test]
    fn numbers_lose_needless_decimals() {
        assert_eq!(round(3.0), "3");
        assert_eq!(round(12.3456), "12.35");
    }
}
