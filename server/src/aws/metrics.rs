//! The console's Monitor tab for a deployed function, from CloudWatch GetMetricData:
//! Invocations, Errors (and the success rate), Throttles, Duration (average, maximum, p99)
//! and ConcurrentExecutions, per period over a time window, with totals.

use aws_sdk_cloudwatch::primitives::DateTime;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use serde::ser::SerializeTuple;
use serde::Serialize;

use super::errors::{describe, or_not_deployed, AwsError};
use super::Aws;
use crate::runtime::ids::format_timestamp;

/// The most periods one report has: more make neither a readable table nor a chart.
pub const MAX_PERIODS: i64 = 1_440;

/// The window and resolution of a report. Times are milliseconds since the epoch, aligned
/// to the period as CloudWatch aligns its datapoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub start_ms: i64,
    pub end_ms: i64,
    pub period_s: i64,
}

impl Window {
    /// The periods of `period_s` seconds that cover `start_ms`..`end_ms`. The period is a
    /// multiple of a minute, as Lambda's metrics are per minute.
    pub fn new(start_ms: i64, end_ms: i64, period_s: i64) -> Result<Window, String> {
        if period_s < 60 || period_s % 60 != 0 {
            return Err(format!(
                "the period must be a whole number of minutes (Lambda's metrics are per \
                 minute), not {period_s} s: use --period 1m, 5m, 1h, …"
            ));
        }
        if start_ms >= end_ms {
            return Err("the window is empty: --since must be in the past".into());
        }
        let period_ms = period_s * 1000;
        let start_ms = start_ms.div_euclid(period_ms) * period_ms;
        let end_ms = (end_ms + period_ms - 1).div_euclid(period_ms) * period_ms;
        let periods = (end_ms - start_ms) / period_ms;
        if periods > MAX_PERIODS {
            return Err(format!(
                "{periods} periods of {} is too many (at most {MAX_PERIODS}): use a longer \
                 --period or a shorter --since",
                seconds_text(period_s)
            ));
        }
        Ok(Window {
            start_ms,
            end_ms,
            period_s,
        })
    }

    /// The start of each period, in order.
    pub fn period_starts(&self) -> impl Iterator<Item = i64> + '_ {
        (self.start_ms..self.end_ms).step_by((self.period_s * 1000) as usize)
    }
}

/// `300` → `5 min`.
fn seconds_text(seconds: i64) -> String {
    match seconds {
        s if s % 3600 == 0 => format!("{} h", s / 3600),
        s if s % 60 == 0 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// One datapoint: the start of its period and its value. In JSON: `[time, value]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Point {
    pub time_ms: i64,
    pub value: f64,
}

impl Serialize for Point {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut tuple = serializer.serialize_tuple(2)?;
        tuple.serialize_element(&format_timestamp(self.time_ms.max(0) as u64))?;
        tuple.serialize_element(&self.value)?;
        tuple.end()
    }
}

/// A count per period (invocations, throttles) and its total.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Count {
    pub sum: f64,
    pub points: Vec<Point>,
}

/// Errors per period, their total, and the share of invocations that did not fail.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Errors {
    pub sum: f64,
    /// Percent of invocations without an error; `None` when there were none.
    pub success_rate: Option<f64>,
    pub points: Vec<Point>,
}

/// Durations in milliseconds: over the window and per period.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Durations {
    pub avg: Option<f64>,
    pub max: Option<f64>,
    /// `None` where the endpoint does not compute percentiles (then a note says so).
    pub p99: Option<f64>,
    /// The average of each period.
    pub points: Vec<Point>,
    pub max_points: Vec<Point>,
    pub p99_points: Vec<Point>,
}

/// A peak per period and over the window.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Peak {
    pub max: Option<f64>,
    pub points: Vec<Point>,
}

/// The metrics, named as CloudWatch names them.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Metrics {
    #[serde(rename = "Invocations")]
    pub invocations: Count,
    #[serde(rename = "Errors")]
    pub errors: Errors,
    #[serde(rename = "Throttles")]
    pub throttles: Count,
    #[serde(rename = "Duration")]
    pub duration: Durations,
    #[serde(rename = "ConcurrentExecutions")]
    pub concurrent_executions: Peak,
}

/// What `lambda-ls metrics` shows.
#[derive(Debug, Clone, Serialize)]
pub struct MetricsReport {
    pub function: String,
    pub region: String,
    pub start: String,
    pub end: String,
    pub period_s: i64,
    pub metrics: Metrics,
    /// What the figures leave out, and why.
    pub notes: Vec<String>,
    #[serde(skip)]
    pub window: Window,
}

/// The metric and statistic behind each query id.
const QUERIES: &[(&str, &str, &str)] = &[
    ("invocations", "Invocations", "Sum"),
    ("errors", "Errors", "Sum"),
    ("throttles", "Throttles", "Sum"),
    ("duration_avg", "Duration", "Average"),
    ("duration_max", "Duration", "Maximum"),
    ("duration_count", "Duration", "SampleCount"),
    ("concurrency", "ConcurrentExecutions", "Maximum"),
];

/// Read the metrics of the deployed function `function` over `window`.
pub async fn read(aws: &Aws, function: &str, window: Window) -> Result<MetricsReport, AwsError> {
    // A function that is not deployed has no metrics: say so rather than show zeros.
    aws.lambda
        .get_function_configuration()
        .function_name(function)
        .send()
        .await
        .map_err(|e| {
            or_not_deployed(
                describe("GetFunctionConfiguration", "lambda", &aws.region, &e),
                function,
                &aws.region,
            )
        })?;
    let queries: Vec<MetricDataQuery> = QUERIES
        .iter()
        .map(|(id, metric, stat)| query(id, function, metric, stat, window.period_s))
        .collect();
    let series = get_metric_data(aws, queries, window).await?;
    let mut notes = Vec::new();
    // Percentiles in a call of their own: endpoints that do not compute them (emulators)
    // fail the whole call, and the other figures must not be lost with it.
    let whole_window_s = (window.end_ms - window.start_ms) / 1000;
    let percentiles = vec![
        query("p99", function, "Duration", "p99", window.period_s),
        query("p99_all", function, "Duration", "p99", whole_window_s),
    ];
    let p99 = match get_metric_data(aws, percentiles, window).await {
        Ok(p99) => p99,
        Err(error) => {
            notes.push(format!(
                "p99 is null: the endpoint did not compute percentiles ({})",
                match error.code() {
                    Some(code) => format!("AWS error code: {code}"),
                    None => error.to_string(),
                }
            ));
            Vec::new()
        }
    };
    let points = |id: &str| -> Vec<Point> {
        series
            .iter()
            .chain(&p99)
            .find(|(found, _)| found == id)
            .map(|(_, points)| points.clone())
            .unwrap_or_default()
    };
    let mut metrics = assemble(
        &points("invocations"),
        &points("errors"),
        &points("throttles"),
        &points("duration_avg"),
        &points("duration_max"),
        &points("duration_count"),
        &points("concurrency"),
    );
    metrics.duration.p99_points = points("p99");
    metrics.duration.p99 = points("p99_all").first().map(|p| p.value);
    if metrics.duration.p99.is_none() && metrics.duration.avg.is_some() && notes.is_empty() {
        notes.push("p99 is null: the endpoint returned no percentile for these durations".into());
    }
    notes.extend(retention_note(window));
    Ok(MetricsReport {
        function: function.to_string(),
        region: aws.region.clone(),
        start: format_timestamp(window.start_ms.max(0) as u64),
        end: format_timestamp(window.end_ms.max(0) as u64),
        period_s: window.period_s,
        metrics,
        notes,
        window,
    })
}

fn query(id: &str, function: &str, metric: &str, stat: &str, period_s: i64) -> MetricDataQuery {
    MetricDataQuery::builder()
        .id(id)
        .metric_stat(
            MetricStat::builder()
                .metric(
                    Metric::builder()
                        .namespace("AWS/Lambda")
                        .metric_name(metric)
                        .dimensions(
                            Dimension::builder()
                                .name("FunctionName")
                                .value(function)
                                .build(),
                        )
                        .build(),
                )
                .period(period_s as i32)
                .stat(stat)
                .build(),
        )
        .return_data(true)
        .build()
}

/// Each query's datapoints, oldest first, every page read.
async fn get_metric_data(
    aws: &Aws,
    queries: Vec<MetricDataQuery>,
    window: Window,
) -> Result<Vec<(String, Vec<Point>)>, AwsError> {
    let mut series: Vec<(String, Vec<Point>)> = Vec::new();
    let mut next_token: Option<String> = None;
    loop {
        let page = aws
            .cloudwatch
            .get_metric_data()
            .set_metric_data_queries(Some(queries.clone()))
            .start_time(DateTime::from_millis(window.start_ms))
            .end_time(DateTime::from_millis(window.end_ms))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next_token.take())
            .send()
            .await
            .map_err(|e| describe("GetMetricData", "monitoring", &aws.region, &e))?;
        for result in page.metric_data_results() {
            let id = result.id().unwrap_or_default().to_string();
            let points =
                result
                    .timestamps()
                    .iter()
                    .zip(result.values())
                    .filter_map(|(time, value)| {
                        let time_ms = time.to_millis().ok()?;
                        value.is_finite().then_some(Point {
                            time_ms,
                            value: *value,
                        })
                    });
            match series.iter_mut().find(|(found, _)| *found == id) {
                Some((_, existing)) => existing.extend(points),
                None => series.push((id, points.collect())),
            }
        }
        match page.next_token() {
            Some(token) if !token.is_empty() => next_token = Some(token.to_string()),
            _ => break,
        }
    }
    for (_, points) in &mut series {
        points.sort_by_key(|p| p.time_ms);
    }
    Ok(series)
}

/// The report's figures from each series: totals, the success rate, the average duration
/// weighted by the number of invocations of each period, peaks.
fn assemble(
    invocations: &[Point],
    errors: &[Point],
    throttles: &[Point],
    duration_avg: &[Point],
    duration_max: &[Point],
    duration_count: &[Point],
    concurrency: &[Point],
) -> Metrics {
    let sum = |points: &[Point]| points.iter().map(|p| p.value).sum::<f64>();
    let max = |points: &[Point]| points.iter().map(|p| p.value).reduce(f64::max);
    let invoked = sum(invocations);
    let failed = sum(errors);
    let success_rate = (invoked > 0.0)
        .then(|| ((invoked - failed.min(invoked)) / invoked * 1000.0).round() / 10.0);
    // Σ(average × count) / Σcount over the periods that have both.
    let (weighted, counted) = duration_avg.iter().fold((0.0, 0.0), |(w, c), avg| {
        let count = duration_count
            .iter()
            .find(|n| n.time_ms == avg.time_ms)
            .map_or(0.0, |n| n.value);
        (w + avg.value * count, c + count)
    });
    let avg = if counted > 0.0 {
        Some(weighted / counted)
    } else if duration_avg.is_empty() {
        None
    } else {
        Some(sum(duration_avg) / duration_avg.len() as f64)
    };
    Metrics {
        invocations: Count {
            sum: invoked,
            points: invocations.to_vec(),
        },
        errors: Errors {
            sum: failed,
            success_rate,
            points: errors.to_vec(),
        },
        throttles: Count {
            sum: sum(throttles),
            points: throttles.to_vec(),
        },
        duration: Durations {
            avg,
            max: max(duration_max),
            p99: None,
            points: duration_avg.to_vec(),
            max_points: duration_max.to_vec(),
            p99_points: Vec::new(),
        },
        concurrent_executions: Peak {
            max: max(concurrency),
            points: concurrency.to_vec(),
        },
    }
}

/// CloudWatch keeps 1-minute datapoints for 15 days and 5-minute ones for 63: finer
/// periods further back come back empty.
fn retention_note(window: Window) -> Option<String> {
    const DAY_MS: i64 = 86_400_000;
    let age_ms = now_ms() - window.start_ms;
    if window.period_s < 300 && age_ms > 15 * DAY_MS {
        Some(
            "CloudWatch keeps 1-minute datapoints for 15 days: use --period 5m or more to \
             see further back"
                .into(),
        )
    } else if window.period_s < 3600 && age_ms > 63 * DAY_MS {
        Some(
            "CloudWatch keeps 5-minute datapoints for 63 days: use --period 1h to see \
             further back"
                .into(),
        )
    } else {
        None
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(values: &[(i64, f64)]) -> Vec<Point> {
        values
            .iter()
            .map(|&(time_ms, value)| Point { time_ms, value })
            .collect()
    }

    #[test]
    fn windows_align_to_the_period_and_stay_readable() {
        let window = Window::new(1_000_123, 2_000_000, 300).unwrap();
        assert_eq!(window.start_ms, 900_000);
        assert_eq!(window.end_ms, 2_100_000);
        assert_eq!(window.period_starts().count(), 4);
        assert!(Window::new(0, 1_000, 30)
            .unwrap_err()
            .contains("whole number of minutes"));
        assert!(Window::new(0, 86_400_000 * 2, 60)
            .unwrap_err()
            .contains("too many"));
        assert!(Window::new(5_000, 5_000, 60).is_err());
    }

    #[test]
    fn totals_rates_and_weighted_averages() {
        let metrics = assemble(
            &points(&[(0, 3.0), (60_000, 1.0)]),
            &points(&[(0, 1.0)]),
            &[],
            // 3 invocations of 10 ms on average, then 1 of 50 ms: 20 ms overall, not 30.
            &points(&[(0, 10.0), (60_000, 50.0)]),
            &points(&[(0, 15.0), (60_000, 50.0)]),
            &points(&[(0, 3.0), (60_000, 1.0)]),
            &points(&[(0, 2.0), (60_000, 1.0)]),
        );
        assert_eq!(metrics.invocations.sum, 4.0);
        assert_eq!(metrics.errors.sum, 1.0);
        assert_eq!(metrics.errors.success_rate, Some(75.0));
        assert_eq!(metrics.throttles.sum, 0.0);
        assert_eq!(metrics.duration.avg, Some(20.0));
        assert_eq!(metrics.duration.max, Some(50.0));
        assert_eq!(metrics.concurrent_executions.max, Some(2.0));
    }

    #[test]
    fn no_invocations_is_zero_and_null_not_a_failure() {
        let metrics = assemble(&[], &[], &[], &[], &[], &[], &[]);
        let json = serde_json::to_value(&metrics).unwrap();
        assert_eq!(json["Invocations"]["sum"], 0.0);
        assert_eq!(json["Errors"]["success_rate"], serde_json::Value::Null);
        assert_eq!(json["Duration"]["avg"], serde_json::Value::Null);
        assert_eq!(json["Duration"]["p99"], serde_json::Value::Null);
        assert_eq!(json["ConcurrentExecutions"]["max"], serde_json::Value::Null);
    }

    #[test]
    fn points_are_time_value_pairs() {
        let json = serde_json::to_value(Point {
            time_ms: 1_709_251_140_000,
            value: 2.5,
        })
        .unwrap();
        assert_eq!(json, serde_json::json!(["2024-02-29T23:59:00.000Z", 2.5]));
    }
}
