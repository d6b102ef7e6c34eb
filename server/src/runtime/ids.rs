//! Request ids, trace ids, log stream names and timestamps in Lambda's formats, without a
//! random-number or date crate: std's per-process random hash keys are random enough for
//! ids that only need to be unique on one machine.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// 64 random bits.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    hasher.write_u128(now_nanos());
    hasher.finish()
}

fn now_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// `n` random lowercase hex digits.
pub fn random_hex(n: usize) -> String {
    let mut out = String::with_capacity(n + 16);
    while out.len() < n {
        out.push_str(&format!("{:016x}", random_u64()));
    }
    out.truncate(n);
    out
}

/// A version-4 UUID, as Lambda's request ids are.
pub fn request_id() -> String {
    let hex = random_hex(32);
    let variant = ["8", "9", "a", "b"][(random_u64() % 4) as usize];
    format!(
        "{}-{}-4{}-{}{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        variant,
        &hex[17..20],
        &hex[20..32]
    )
}

/// An X-Ray trace header as Lambda passes it (`Root=1-<epoch hex>-<24 hex>;Parent=…;Sampled=0`).
pub fn trace_id() -> String {
    format!(
        "Root=1-{:08x}-{};Parent={};Sampled=0;Lineage=1:{}:0",
        epoch_millis() / 1000,
        random_hex(24),
        random_hex(16),
        random_hex(8)
    )
}

/// Milliseconds since the Unix epoch.
pub fn epoch_millis() -> u64 {
    (now_nanos() / 1_000_000) as u64
}

/// A log stream name for a new execution environment: `YYYY/MM/DD/[$LATEST]<32 hex>`.
pub fn log_stream_name() -> String {
    let (year, month, day, ..) = civil(epoch_millis());
    format!("{year:04}/{month:02}/{day:02}/[$LATEST]{}", random_hex(32))
}

/// The current time as CloudWatch prints it: `2024-05-01T12:34:56.789Z`.
pub fn timestamp() -> String {
    format_timestamp(epoch_millis())
}

/// `millis` since the epoch as `2024-05-01T12:34:56.789Z`.
pub fn format_timestamp(millis: u64) -> String {
    let (year, month, day, hour, minute, second) = civil(millis);
    format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{:03}Z",
        millis % 1000
    )
}

/// API Gateway's `requestContext.time`: `26/Nov/2026:04:24:10 +0000`.
pub fn gateway_time(millis: u64) -> String {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let (year, month, day, hour, minute, second) = civil(millis);
    format!(
        "{day:02}/{}/{year:04}:{hour:02}:{minute:02}:{second:02} +0000",
        MONTHS[(month - 1) as usize]
    )
}

/// UTC calendar fields of an epoch time (Howard Hinnant's days-to-civil algorithm).
fn civil(millis: u64) -> (i64, u32, u32, u32, u32, u32) {
    let seconds = (millis / 1000) as i64;
    let days = seconds.div_euclid(86_400);
    let of_day = seconds.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        year,
        month,
        day,
        (of_day / 3600) as u32,
        (of_day % 3600 / 60) as u32,
        (of_day % 60) as u32,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_times_like_cloudwatch() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(
            format_timestamp(1_709_251_199_123),
            "2024-02-29T23:59:59.123Z"
        );
        assert_eq!(
            gateway_time(1_709_251_199_123),
            "29/Feb/2024:23:59:59 +0000"
        );
    }

    #[test]
    fn request_ids_are_uuid_v4() {
        let id = request_id();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert_ne!(id, request_id());
    }
}
