//! Lambda's Python runtimes and their deprecation schedule, as data.
//!
//! Dates follow Lambda's "Supported runtimes" / "Deprecated runtimes" tables as of November
//! 2026. The python3.10 dates (Oct 31, 2026 / Feb 1, 2027 / Mar 3, 2027) and python3.11 dates
//! (Jun 30, 2027 / Jul 31, 2027 / Aug 31, 2027) were checked against AWS's published deprecation
//! notices; the python3.9 block dates were reported as moved to Feb 1 / Mar 3, 2027 and are less
//! certain; the dates of runtimes long past their block dates (python3.8 and older) are from
//! memory of the deprecated-runtimes table and only matter as "already past". Update this table
//! when AWS changes it: every check, completion and hover reads it.

use std::fmt;

/// A calendar date (UTC), enough to compare against deprecation dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl Date {
    pub const fn new(year: i32, month: u32, day: u32) -> Self {
        Date { year, month, day }
    }

    /// Today's date in UTC, from the system clock.
    pub fn today() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() as i64)
            .unwrap_or(0);
        Self::from_unix_days(secs.div_euclid(86_400))
    }

    /// The civil date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
    fn from_unix_days(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + if month <= 2 { 1 } else { 0 }) as i32;
        Date { year, month, day }
    }
}

impl fmt::Display for Date {
    /// The format of Lambda's runtime tables: `Oct 31, 2026`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS
            .get(self.month.saturating_sub(1) as usize)
            .unwrap_or(&"???");
        write!(f, "{month} {}, {}", self.day, self.year)
    }
}

/// One managed Python runtime of Lambda.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PythonRuntime {
    /// The runtime identifier used in `lambda.toml` and the Lambda API (`python3.13`).
    pub id: &'static str,
    /// The Python version it runs (`3.13`).
    pub python_version: &'static str,
    pub operating_system: &'static str,
    /// No more security patches or support from this date.
    pub deprecation: Date,
    /// Lambda refuses to create functions with it from this date.
    pub block_create: Date,
    /// Lambda refuses to update functions with it from this date.
    pub block_update: Date,
}

/// Where a runtime stands on a given day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RuntimeStatus {
    Supported,
    /// Past its deprecation date: still usable, unpatched.
    Deprecated,
    /// Past its block-create date: existing functions can still be updated.
    CreateBlocked,
    /// Past its block-update date: no create, no update.
    UpdateBlocked,
}

impl RuntimeStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RuntimeStatus::Supported => "supported",
            RuntimeStatus::Deprecated => "deprecated",
            RuntimeStatus::CreateBlocked => "deprecated, function create blocked",
            RuntimeStatus::UpdateBlocked => "deprecated, function create and update blocked",
        }
    }
}

impl PythonRuntime {
    /// The runtime's status on `today`.
    pub fn status_on(&self, today: Date) -> RuntimeStatus {
        if today >= self.block_update {
            RuntimeStatus::UpdateBlocked
        } else if today >= self.block_create {
            RuntimeStatus::CreateBlocked
        } else if today >= self.deprecation {
            RuntimeStatus::Deprecated
        } else {
            RuntimeStatus::Supported
        }
    }

    /// Markdown lines describing the runtime's lifecycle on `today`.
    pub fn describe(&self, today: Date) -> String {
        let status = self.status_on(today);
        format!(
            "`{}`: Python {} on {}, **{}**.\n\nDeprecation: {} · block function create: {} · block function update: {}",
            self.id,
            self.python_version,
            self.operating_system,
            status.as_str(),
            self.deprecation,
            self.block_create,
            self.block_update
        )
    }
}

const fn rt(
    id: &'static str,
    python_version: &'static str,
    operating_system: &'static str,
    deprecation: Date,
    block_create: Date,
    block_update: Date,
) -> PythonRuntime {
    PythonRuntime {
        id,
        python_version,
        operating_system,
        deprecation,
        block_create,
        block_update,
    }
}

const AL2023: &str = "Amazon Linux 2023";
const AL2: &str = "Amazon Linux 2";
const AL1: &str = "Amazon Linux";

/// Every Python runtime Lambda has had, newest first.
pub const PYTHON_RUNTIMES: &[PythonRuntime] = &[
    rt(
        "python3.14",
        "3.14",
        AL2023,
        Date::new(2029, 6, 30),
        Date::new(2029, 7, 31),
        Date::new(2029, 8, 31),
    ),
    rt(
        "python3.13",
        "3.13",
        AL2023,
        Date::new(2029, 6, 30),
        Date::new(2029, 7, 31),
        Date::new(2029, 8, 31),
    ),
    rt(
        "python3.12",
        "3.12",
        AL2023,
        Date::new(2028, 10, 31),
        Date::new(2028, 11, 30),
        Date::new(2029, 1, 10),
    ),
    rt(
        "python3.11",
        "3.11",
        AL2,
        Date::new(2027, 6, 30),
        Date::new(2027, 7, 31),
        Date::new(2027, 8, 31),
    ),
    rt(
        "python3.10",
        "3.10",
        AL2,
        Date::new(2026, 10, 31),
        Date::new(2027, 2, 1),
        Date::new(2027, 3, 3),
    ),
    rt(
        "python3.9",
        "3.9",
        AL2,
        Date::new(2025, 12, 15),
        Date::new(2027, 2, 1),
        Date::new(2027, 3, 3),
    ),
    rt(
        "python3.8",
        "3.8",
        AL2,
        Date::new(2024, 10, 14),
        Date::new(2025, 2, 28),
        Date::new(2025, 3, 31),
    ),
    rt(
        "python3.7",
        "3.7",
        AL1,
        Date::new(2023, 12, 4),
        Date::new(2024, 1, 9),
        Date::new(2024, 2, 28),
    ),
    rt(
        "python3.6",
        "3.6",
        AL1,
        Date::new(2022, 7, 18),
        Date::new(2022, 7, 18),
        Date::new(2022, 8, 29),
    ),
    rt(
        "python2.7",
        "2.7",
        AL1,
        Date::new(2021, 7, 15),
        Date::new(2021, 7, 15),
        Date::new(2022, 5, 30),
    ),
];

/// The runtime with identifier `id`.
pub fn find(id: &str) -> Option<&'static PythonRuntime> {
    PYTHON_RUNTIMES.iter().find(|r| r.id == id)
}

/// The newest runtime: the upgrade to suggest.
pub fn newest() -> &'static PythonRuntime {
    &PYTHON_RUNTIMES[0]
}

/// Runtimes Lambda still accepts for new functions on `today`, newest first.
pub fn creatable_on(today: Date) -> impl Iterator<Item = &'static PythonRuntime> {
    PYTHON_RUNTIMES
        .iter()
        .filter(move |r| r.status_on(today) < RuntimeStatus::CreateBlocked)
}

/// The language family of a non-Python Lambda runtime identifier, for a clear message.
pub fn other_language(id: &str) -> Option<&'static str> {
    const FAMILIES: &[(&str, &str)] = &[
        ("nodejs", "Node.js"),
        ("java", "Java"),
        ("dotnet", ".NET"),
        ("ruby", "Ruby"),
        ("go1", "Go"),
        ("provided", "an OS-only (custom) runtime"),
    ];
    FAMILIES
        .iter()
        .find(|(prefix, _)| id.starts_with(prefix))
        .map(|(_, name)| *name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_from_day_counts() {
        assert_eq!(Date::from_unix_days(0), Date::new(1970, 1, 1));
        assert_eq!(Date::from_unix_days(20_418), Date::new(2025, 11, 26));
        assert_eq!(Date::from_unix_days(19_782), Date::new(2024, 2, 29));
    }

    #[test]
    fn statuses_follow_the_dates() {
        let py310 = find("python3.10").unwrap();
        assert_eq!(
            py310.status_on(Date::new(2026, 10, 30)),
            RuntimeStatus::Supported
        );
        assert_eq!(
            py310.status_on(Date::new(2026, 10, 31)),
            RuntimeStatus::Deprecated
        );
        assert_eq!(
            py310.status_on(Date::new(2027, 2, 1)),
            RuntimeStatus::CreateBlocked
        );
        assert_eq!(
            py310.status_on(Date::new(2027, 3, 3)),
            RuntimeStatus::UpdateBlocked
        );
    }

    #[test]
    fn dates_print_like_the_aws_table() {
        assert_eq!(Date::new(2026, 10, 31).to_string(), "Oct 31, 2026");
    }

    #[test]
    fn newest_is_creatable_and_others_are_ordered() {
        let today = Date::new(2026, 11, 26);
        let ids: Vec<_> = creatable_on(today).map(|r| r.id).collect();
        assert_eq!(ids[0], "python3.14");
        assert!(ids.contains(&"python3.10"));
        assert!(!ids.contains(&"python3.8"));
        assert_eq!(other_language("nodejs22.x"), Some("Node.js"));
        assert_eq!(other_language("pithon3.12"), None);
    }
}
