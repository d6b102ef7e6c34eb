//! The time arguments of `logs` and `metrics`: durations (`30s`, `10m`, `3h`, `2d`, `1w`,
//! `1h30m`) and points in time (`--since 2026-05-01T12:00:00Z`).

use aws_sdk_cloudwatch::primitives::{DateTime, DateTimeFormat};

/// Seconds in a duration such as `10m` or `1h30m`.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let bad = || {
        format!("`{text}` is not a duration: use a number and a unit, such as 30s, 10m, 3h, 2d or 1h30m")
    };
    let text = text.trim();
    if text.is_empty() {
        return Err(bad());
    }
    let mut total: i64 = 0;
    let mut number = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(bad()),
        };
        let value: i64 = number.parse().map_err(|_| bad())?;
        total = value
            .checked_mul(unit)
            .and_then(|s| total.checked_add(s))
            .ok_or_else(bad)?;
        number.clear();
    }
    if !number.is_empty() || total == 0 {
        return Err(bad());
    }
    Ok(total)
}

/// The start of a window, in milliseconds since the epoch: `now_ms` minus a duration, or a
/// point in time (RFC 3339, `2026-05-01T12:00:00Z`).
pub fn parse_since(text: &str, now_ms: i64) -> Result<i64, String> {
    if let Ok(seconds) = parse_duration(text) {
        return Ok(now_ms - seconds * 1000);
    }
    match DateTime::from_str(text.trim(), DateTimeFormat::DateTime) {
        Ok(time) => time.to_millis().map_err(|e| e.to_string()),
        Err(_) => Err(format!(
            "`{text}` is neither a duration (30s, 10m, 3h, 2d) nor a time such as \
             2026-05-01T12:00:00Z"
        )),
    }
}

/// Milliseconds since the epoch, now.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `2026-05-01 12:00:00 UTC`, for messages.
pub fn human_time(ms: i64) -> String {
    let text = crate::runtime::ids::format_timestamp(ms.max(0) as u64);
    format!("{} UTC", text[..19].replace('T', " "))
}

/// `2026-05-01 12:00:00.123 UTC`.
pub fn human_time_millis(ms: i64) -> String {
    let text = crate::runtime::ids::format_timestamp(ms.max(0) as u64);
    format!("{} UTC", text[..23].replace('T', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30s"), Ok(30));
        assert_eq!(parse_duration("10m"), Ok(600));
        assert_eq!(parse_duration("3h"), Ok(10_800));
        assert_eq!(parse_duration("2d"), Ok(172_800));
        assert_eq!(parse_duration("1h30m"), Ok(5_400));
        for bad in ["", "10", "m", "10x", "-5m", "0m", "99999999999999999w"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_duration("10").unwrap_err().contains("30s, 10m"));
    }

    #[test]
    fn since_is_a_duration_back_or_a_time() {
        assert_eq!(parse_since("10m", 1_000_000), Ok(400_000));
        assert_eq!(
            parse_since("2024-02-29T23:59:59Z", 0),
            Ok(1_709_251_199_000)
        );
        assert!(parse_since("yesterday", 0)
            .unwrap_err()
            .contains("2026-05-01T12:00:00Z"));
    }

    #[test]
    fn times_for_people() {
        assert_eq!(human_time(1_709_251_199_123), "2024-02-29 23:59:59 UTC");
        assert_eq!(
            human_time_millis(1_709_251_199_123),
            "2024-02-29 23:59:59.123 UTC"
        );
    }
}
