//! Invoke the deployed function (`Invoke` with `LogType=Tail`): the response payload exactly
//! as Lambda returns it, `FunctionError`, and the last 4 KB of its log, decoded.

use aws_sdk_lambda::operation::RequestId;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{InvocationType, LogType};
use base64::Engine;

use super::errors::{describe, or_not_deployed, AwsError};
use super::Aws;

/// One invocation of the deployed function.
#[derive(Debug, Clone)]
pub struct RemoteInvocation {
    /// Lambda's request id for the invocation (from the response).
    pub request_id: Option<String>,
    /// `Handled` or `Unhandled` when the function failed.
    pub function_error: Option<String>,
    /// `errorType` from the error payload, on a function error.
    pub error_type: Option<String>,
    /// The response payload exactly as Lambda returned it.
    pub payload: Vec<u8>,
    /// The decoded log tail (Lambda returns at most the last 4 KB).
    pub log: String,
    pub executed_version: Option<String>,
    /// The REPORT line's figures, when the log tail holds one.
    pub report: Option<ReportLine>,
}

/// The figures of a `REPORT RequestId: …` log line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportLine {
    pub line: String,
    pub duration_ms: Option<f64>,
    pub billed_ms: Option<u64>,
    pub memory_mb: Option<u64>,
    pub max_memory_used_mb: Option<u64>,
    pub init_duration_ms: Option<f64>,
}

impl ReportLine {
    /// Find and read the REPORT line of a log.
    pub fn find(log: &str) -> Option<ReportLine> {
        let line = log.lines().rev().find(|l| l.starts_with("REPORT "))?;
        let mut report = ReportLine {
            line: line.to_string(),
            ..Default::default()
        };
        for field in line.split('\t') {
            let Some((key, value)) = field.split_once(": ") else {
                continue;
            };
            let number = value.split_whitespace().next().unwrap_or("");
            match key.trim() {
                "Duration" => report.duration_ms = number.parse().ok(),
                "Billed Duration" => report.billed_ms = number.parse().ok(),
                "Memory Size" => report.memory_mb = number.parse().ok(),
                "Max Memory Used" => report.max_memory_used_mb = number.parse().ok(),
                "Init Duration" => report.init_duration_ms = number.parse().ok(),
                _ => {}
            }
        }
        Some(report)
    }
}

/// Invoke `function` (a name or ARN) synchronously with `event`.
pub async fn invoke(
    aws: &Aws,
    function: &str,
    event: Vec<u8>,
) -> Result<RemoteInvocation, AwsError> {
    let output = aws
        .lambda
        .invoke()
        .function_name(function)
        .invocation_type(InvocationType::RequestResponse)
        .log_type(LogType::Tail)
        .payload(Blob::new(event))
        .send()
        .await
        .map_err(|e| {
            or_not_deployed(
                describe("Invoke", "lambda", &aws.region, &e),
                function,
                &aws.region,
            )
        })?;
    let payload = output
        .payload()
        .map(|b| b.as_ref().to_vec())
        .unwrap_or_default();
    let log = output
        .log_result()
        .and_then(|encoded| {
            base64::engine::general_purpose::STANDARD
                .decode(encoded)
                .ok()
        })
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .unwrap_or_default();
    let function_error = output.function_error().map(str::to_string);
    let error_type = function_error
        .as_ref()
        .and_then(|_| error_type_of(&payload));
    Ok(RemoteInvocation {
        request_id: output.request_id().map(str::to_string),
        function_error,
        error_type,
        payload,
        report: ReportLine::find(&log),
        log,
        executed_version: output.executed_version().map(str::to_string),
    })
}

/// `errorType` of Lambda's error payload (`{"errorMessage": …, "errorType": …}`).
fn error_type_of(payload: &[u8]) -> Option<String> {
    serde_json::from_slice::<serde_json::Value>(payload)
        .ok()?
        .get("errorType")?
        .as_str()
        .map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_types_come_from_the_error_payload() {
        let payload = br#"{"errorMessage": "boom", "errorType": "ValueError", "stackTrace": []}"#;
        assert_eq!(error_type_of(payload), Some("ValueError".to_string()));
        assert_eq!(error_type_of(b"\"just a string\""), None);
        assert_eq!(error_type_of(b"not json"), None);
    }

    #[test]
    fn report_lines_are_read() {
        let log = "START RequestId: 1 Version: $LATEST\nhello\nEND RequestId: 1\n\
                   REPORT RequestId: 1\tDuration: 12.34 ms\tBilled Duration: 13 ms\t\
                   Memory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 101.50 ms\t\n";
        let report = ReportLine::find(log).unwrap();
        assert_eq!(report.duration_ms, Some(12.34));
        assert_eq!(report.billed_ms, Some(13));
        assert_eq!(report.memory_mb, Some(128));
        assert_eq!(report.max_memory_used_mb, Some(40));
        assert_eq!(report.init_duration_ms, Some(101.5));
        assert!(report.line.starts_with("REPORT RequestId: 1"));
        assert_eq!(ReportLine::find("no report here"), None);
    }
}
