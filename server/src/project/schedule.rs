//! EventBridge schedule expressions, parsed once: `lambda.toml` validation, the hover on a
//! `schedule` trigger (the next five times, in UTC) and deploy all use [`Schedule::parse`].
//!
//! Cron fields: minutes hours day-of-month month day-of-week year, with `*`, `?`, ranges,
//! lists, steps, month and day names, and `L`, `W`, `#` (day-of-week 1–7 is SUN–SAT).

/// A valid `rate(…)` or `cron(…)` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// The expression as written (trimmed): what EventBridge receives.
    expression: String,
    kind: ScheduleKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum ScheduleKind {
    /// Every `seconds` seconds, counted from the rule's creation.
    Rate {
        seconds: i64,
    },
    Cron(Cron),
}

/// The longest rate worth representing: past it the arithmetic of fire times would leave
/// the calendar (EventBridge itself caps what it accepts far below).
const MAX_RATE_SECONDS: i64 = 100 * 366 * 86_400;

impl Schedule {
    /// Parse `rate(<value> <unit>)` or `cron(<6 fields>)`; the error says what is wrong in
    /// words a person can act on.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let expression = text.trim();
        let kind = if let Some(inner) = inside(expression, "rate(") {
            ScheduleKind::Rate {
                seconds: parse_rate(inner)?,
            }
        } else if let Some(inner) = inside(expression, "cron(") {
            ScheduleKind::Cron(Cron::parse(inner)?)
        } else {
            return Err("a schedule must be `rate(…)` or `cron(…)`".to_string());
        };
        Ok(Schedule {
            expression: expression.to_string(),
            kind,
        })
    }

    /// The expression as EventBridge takes it.
    pub fn expression(&self) -> &str {
        &self.expression
    }

    pub fn is_rate(&self) -> bool {
        matches!(self.kind, ScheduleKind::Rate { .. })
    }

    /// Epoch seconds of the next `count` fire times strictly after `after` (epoch seconds).
    /// For `rate(…)`, counted from `after` as if the rule were created then.
    pub fn next_fire_times(&self, after: i64, count: usize) -> Vec<i64> {
        match &self.kind {
            ScheduleKind::Rate { seconds } => (1..=count as i64)
                .map_while(|k| k.checked_mul(*seconds).and_then(|d| after.checked_add(d)))
                .collect(),
            ScheduleKind::Cron(cron) => cron.after(after, count),
        }
    }
}

impl std::fmt::Display for Schedule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.expression)
    }
}

/// The text between `prefix` and a closing `)`.
fn inside<'a>(expression: &'a str, prefix: &str) -> Option<&'a str> {
    expression.strip_prefix(prefix)?.strip_suffix(')')
}

/// `5 minutes` → 300. EventBridge wants the singular unit with 1 and the plural above.
fn parse_rate(inner: &str) -> Result<i64, String> {
    let mut words = inner.split_whitespace();
    let (Some(value), Some(unit), None) = (words.next(), words.next(), words.next()) else {
        return Err("a rate is `rate(<value> <unit>)`".to_string());
    };
    let Ok(n) = value.parse::<u64>() else {
        return Err(format!("`{value}` is not a positive whole number"));
    };
    if n == 0 {
        return Err("the rate value must be at least 1".to_string());
    }
    const SINGULAR: [&str; 3] = ["minute", "hour", "day"];
    const PLURAL: [&str; 3] = ["minutes", "hours", "days"];
    if n == 1 && !SINGULAR.contains(&unit) {
        return Err(if PLURAL.contains(&unit) {
            format!(
                "with a value of 1 the unit is singular (`{}`)",
                unit.trim_end_matches('s')
            )
        } else {
            format!("`{unit}` is not a unit: use minute, hour or day")
        });
    }
    if n > 1 && !PLURAL.contains(&unit) {
        return Err(if SINGULAR.contains(&unit) {
            format!("with a value above 1 the unit is plural (`{unit}s`)")
        } else {
            format!("`{unit}` is not a unit: use minutes, hours or days")
        });
    }
    let unit_seconds: i64 = match unit.trim_end_matches('s') {
        "minute" => 60,
        "hour" => 3600,
        _ => 86_400,
    };
    i64::try_from(n)
        .ok()
        .and_then(|n| n.checked_mul(unit_seconds))
        .filter(|seconds| *seconds <= MAX_RATE_SECONDS)
        .ok_or_else(|| {
            format!(
                "`{value} {unit}` is longer than a century: use a cron expression for rare runs"
            )
        })
}

/// Markdown listing the next five fire times after now, for the hover on a schedule.
pub fn next_five_markdown(expression: &str) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let schedule = match Schedule::parse(expression) {
        Ok(schedule) => schedule,
        Err(error) => return format!("Not a valid schedule: {error}."),
    };
    let times = schedule.next_fire_times(now, 5);
    if times.is_empty() {
        return "This schedule never fires again.".to_string();
    }
    let mut markdown = String::from(if schedule.is_rate() {
        "Next five runs if the rule were created now (a rate counts from its creation):\n"
    } else {
        "Next five runs (EventBridge evaluates cron in UTC):\n"
    });
    for time in times {
        markdown.push_str(&format!("- {}\n", format_utc(time)));
    }
    markdown
}

/// `2026-11-27 09:00 UTC (Fri)`.
pub fn format_utc(epoch: i64) -> String {
    let days = epoch.div_euclid(86_400);
    let seconds = epoch.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    const NAMES: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC ({})",
        seconds / 3600,
        seconds % 3600 / 60,
        NAMES[weekday(days) as usize]
    )
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Cron {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    months: Vec<bool>,
    years: Vec<bool>,
    days_of_month: Option<Vec<DayOfMonth>>,
    days_of_week: Option<Vec<DayOfWeek>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfMonth {
    Set(Vec<bool>),
    Last,
    LastWeekday,
    NearestWeekday(u32),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum DayOfWeek {
    /// Indexed 1–7, SUN–SAT.
    Set(Vec<bool>),
    /// The last given weekday of the month (`6L`).
    Last(u32),
    /// The n-th given weekday of the month (`3#2`).
    Nth(u32, u32),
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const FIRST_YEAR: u32 = 1970;
const LAST_YEAR: u32 = 2199;

impl Cron {
    fn parse(inner: &str) -> Result<Cron, String> {
        let fields: Vec<&str> = inner.split_whitespace().collect();
        let [minutes, hours, dom, month, dow, year] = fields[..] else {
            return Err(format!(
                "a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), this one has {}",
                fields.len()
            ));
        };
        if (dom == "?") == (dow == "?") {
            return Err(
                "exactly one of day-of-month (3rd field) and day-of-week (5th field) must be `?`"
                    .to_string(),
            );
        }
        let allowed = |f: &str| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || ",-*/?LW#".contains(c))
        };
        if let Some(bad) = fields.iter().find(|f| !allowed(f)) {
            return Err(format!("`{bad}` has characters cron does not allow"));
        }
        let days_of_month = match dom {
            "?" => None,
            _ => Some(
                dom.split(',')
                    .map(|part| match part {
                        "L" => Ok(DayOfMonth::Last),
                        "LW" => Ok(DayOfMonth::LastWeekday),
                        _ if part.ends_with('W') => part[..part.len() - 1]
                            .parse()
                            .ok()
                            .filter(|d| (1..=31).contains(d))
                            .map(DayOfMonth::NearestWeekday)
                            .ok_or(format!("`{part}` is not a day of the month")),
                        _ => set(part, 1, 31, &[]).map(DayOfMonth::Set),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        let days_of_week = match dow {
            "?" => None,
            _ => Some(
                dow.split(',')
                    .map(|part| {
                        if let Some(day) = part.strip_suffix('L') {
                            return value(day, 1, 7, &WEEKDAYS).map(DayOfWeek::Last);
                        }
                        if let Some((day, nth)) = part.split_once('#') {
                            let nth = nth
                                .parse()
                                .ok()
                                .filter(|n| (1..=5).contains(n))
                                .ok_or(format!("`{part}`: the week number is 1 to 5"))?;
                            return Ok(DayOfWeek::Nth(value(day, 1, 7, &WEEKDAYS)?, nth));
                        }
                        set(part, 1, 7, &WEEKDAYS).map(DayOfWeek::Set)
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        Ok(Cron {
            minutes: set(minutes, 0, 59, &[])?,
            hours: set(hours, 0, 23, &[])?,
            months: set(month, 1, 12, &MONTHS)?,
            years: set(year, FIRST_YEAR, LAST_YEAR, &[])?,
            days_of_month,
            days_of_week,
        })
    }

    fn day_matches(&self, days: i64, y: u32, m: u32, d: u32) -> bool {
        let last = days_in_month(y, m);
        let dow = weekday(days) + 1; // 1 = SUN
        if let Some(items) = &self.days_of_month {
            return items.iter().any(|item| match item {
                DayOfMonth::Set(allowed) => allowed[d as usize],
                DayOfMonth::Last => d == last,
                DayOfMonth::LastWeekday => d == nearest_weekday(y, m, last),
                DayOfMonth::NearestWeekday(n) => *n <= last && d == nearest_weekday(y, m, *n),
            });
        }
        let items = self.days_of_week.as_deref().unwrap_or(&[]);
        items.iter().any(|item| match item {
            DayOfWeek::Set(allowed) => allowed[dow as usize],
            DayOfWeek::Last(day) => dow == *day && d + 7 > last,
            DayOfWeek::Nth(day, nth) => dow == *day && (d - 1) / 7 + 1 == *nth,
        })
    }

    fn after(&self, after: i64, count: usize) -> Vec<i64> {
        let mut found = Vec::new();
        let first_day = after.div_euclid(86_400);
        // Five years of days covers every expression that fires at all in practice
        // (a 29 February rule fires within four).
        for days in first_day..first_day + 5 * 366 {
            let (y, m, d) = civil_from_days(days);
            if y > LAST_YEAR
                || !self.years[y as usize]
                || !self.months[m as usize]
                || !self.day_matches(days, y, m, d)
            {
                continue;
            }
            for hour in (0..24).filter(|h| self.hours[*h]) {
                for minute in (0..60).filter(|m| self.minutes[*m]) {
                    let at = days * 86_400 + hour as i64 * 3600 + minute as i64 * 60;
                    if at > after {
                        found.push(at);
                        if found.len() == count {
                            return found;
                        }
                    }
                }
            }
        }
        found
    }
}

/// A number or a name (`MON`, `JAN`) within `min..=max`.
fn value(text: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    let parsed = match names.iter().position(|n| *n == upper) {
        Some(index) => Some(index as u32 + min),
        None => text.parse().ok(),
    };
    parsed
        .filter(|v| (min..=max).contains(v))
        .ok_or(format!("`{text}` is not between {min} and {max}"))
}

/// The values a field allows, as flags indexed by value (`0..=max`).
fn set(field: &str, min: u32, max: u32, names: &[&str]) -> Result<Vec<bool>, String> {
    let mut allowed = vec![false; max as usize + 1];
    for part in field.split(',') {
        let (range, step) = match part.split_once('/') {
            Some((range, step)) => (
                range,
                step.parse::<u32>()
                    .ok()
                    .filter(|s| *s > 0)
                    .ok_or(format!("`{part}`: the step must be a positive number"))?,
            ),
            None => (part, 1),
        };
        let (start, end) = match range {
            "*" | "?" => (min, max),
            _ => match range.split_once('-') {
                Some((a, b)) => (value(a, min, max, names)?, value(b, min, max, names)?),
                // `5/15` means from 5 to the end, every 15.
                None if part.contains('/') => (value(range, min, max, names)?, max),
                None => {
                    let v = value(range, min, max, names)?;
                    (v, v)
                }
            },
        };
        if start > end {
            return Err(format!("`{part}`: the range runs backwards"));
        }
        for v in (start..=end).step_by(step as usize) {
            allowed[v as usize] = true;
        }
    }
    Ok(allowed)
}

fn nearest_weekday(y: u32, m: u32, d: u32) -> u32 {
    let last = days_in_month(y, m);
    let dow = weekday(days_from_civil(y, m, d));
    match dow {
        6 if d == 1 => 3,        // Saturday the 1st: Monday the 3rd
        6 => d - 1,              // Saturday: Friday
        0 if d == last => d - 2, // Sunday the last: Friday
        0 => d + 1,              // Sunday: Monday
        _ => d,
    }
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// 0 = Sunday.
fn weekday(days: i64) -> u32 {
    (days + 4).rem_euclid(7) as u32
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
fn days_from_civil(y: u32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y as i64 - 1 } else { y as i64 };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (u32, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as u32;
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-26 04:17:00 UTC, a Thursday.
    const NOW: i64 = 1_795_666_620;

    fn times(expression: &str) -> Vec<String> {
        Schedule::parse(expression)
            .unwrap()
            .next_fire_times(NOW, 5)
            .into_iter()
            .map(format_utc)
            .collect()
    }

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(format_utc(NOW), "2026-11-26 04:17 UTC (Thu)");
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC (Thu)");
        for days in [-1000, 0, 59, 60, 10_000, 20_000, 60_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
    }

    #[test]
    fn rates_count_from_now() {
        assert_eq!(times("rate(1 minute)")[0], "2026-11-26 04:18 UTC (Thu)");
        assert_eq!(times("rate(2 hours)")[1], "2026-11-26 08:17 UTC (Thu)");
    }

    #[test]
    fn cron_expressions() {
        assert_eq!(
            times("cron(0 9 * * ? *)"),
            [
                "2026-11-26 09:00 UTC (Thu)",
                "2026-11-27 09:00 UTC (Fri)",
                "2026-11-28 09:00 UTC (Sat)",
                "2026-11-29 09:00 UTC (Sun)",
                "2026-11-30 09:00 UTC (Mon)"
            ]
        );
        // Weekdays at 18:30, every 15 minutes, the first Monday, the last Friday, month ends.
        assert_eq!(
            times("cron(30 18 ? * MON-FRI *)")[2],
            "2026-11-30 18:30 UTC (Mon)"
        );
        assert_eq!(
            times("cron(0/15 * * * ? *)")[0],
            "2026-11-26 04:30 UTC (Thu)"
        );
        assert_eq!(
            times("cron(0 12 ? * 2#1 *)")[0],
            "2026-12-07 12:00 UTC (Mon)"
        );
        assert_eq!(
            times("cron(0 12 ? * 6L *)")[0],
            "2026-11-27 12:00 UTC (Fri)"
        );
        assert_eq!(times("cron(0 0 L * ? *)")[0], "2026-11-30 00:00 UTC (Mon)");
        assert_eq!(times("cron(0 0 LW * ? *)")[1], "2026-12-31 00:00 UTC (Thu)");
        assert_eq!(times("cron(0 0 1W * ? *)")[0], "2026-12-01 00:00 UTC (Tue)");
        assert_eq!(
            times("cron(0 8 1 JAN ? 2027-2028)")[1],
            "2028-01-01 08:00 UTC (Sat)"
        );
        assert_eq!(times("cron(0 0 29 2 ? *)")[0], "2028-02-29 00:00 UTC (Tue)");
        // Never again: no times, not an error.
        assert!(times("cron(0 0 1 1 ? 2020)").is_empty());
    }

    #[test]
    fn hover_text_lists_five_times() {
        let markdown = next_five_markdown("cron(0 9 * * ? *)");
        assert_eq!(markdown.matches(" UTC (").count(), 5, "{markdown}");
        assert!(next_five_markdown("cron(0 0 1 1 ? 2020)").contains("never fires"));
        assert!(Schedule::parse("cron(0 25 * * ? *)")
            .unwrap_err()
            .contains("between 0 and 23"));
        assert!(Schedule::parse("rate(5 minutes)").is_ok());
    }

    #[test]
    fn bad_expressions_are_explained() {
        let error = |text| Schedule::parse(text).unwrap_err();
        assert!(error("cron(0 9 * * * *)").contains("`?`"));
        assert!(error("cron(61 9 * * ? *)").contains("between 0 and 59"));
        assert!(error("cron(0 9 ? * 8 *)").contains("between 1 and 7"));
        assert!(error("cron(0 9 * *)").contains("this one has 4"));
        assert!(error("every day").contains("`rate(…)` or `cron(…)`"));
        assert!(error("rate(1 minutes)").contains("singular"));
        assert!(error("rate(5 minute)").contains("plural"));
        assert!(error("rate(0 minutes)").contains("at least 1"));
        assert!(error("rate(5 weeks)").contains("not a unit"));
    }

    /// A huge rate used to overflow the fire-time arithmetic (a panic in the hover).
    #[test]
    fn huge_rates_are_refused_not_overflowed() {
        let huge = format!("rate({} days)", u64::MAX);
        assert!(error_of(&huge).contains("longer than a century"));
        assert!(error_of("rate(9223372036854775807 minutes)").contains("longer than a century"));
        assert!(next_five_markdown(&huge).starts_with("Not a valid schedule"));
        // The longest accepted rate still lists its times without overflowing.
        let century = Schedule::parse("rate(36600 days)").unwrap();
        assert_eq!(century.next_fire_times(i64::MAX - 10, 5), Vec::<i64>::new());
        assert_eq!(century.next_fire_times(NOW, 2).len(), 2);
    }

    fn error_of(text: &str) -> String {
        Schedule::parse(text).unwrap_err()
    }
}
