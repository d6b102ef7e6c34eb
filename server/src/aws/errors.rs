//! AWS failures as one sentence each: what happened, why, what to do, and AWS's error code.

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

/// Why talking to AWS failed. Every message names what to do; none contains a credential.
#[derive(Debug, thiserror::Error)]
pub enum AwsError {
    #[error(
        "no AWS region is set: add `region = \"eu-west-1\"` (for example) to lambda.toml, set \
         AWS_REGION, or give your profile a region (`aws configure set region …`)"
    )]
    NoRegion,
    #[error(
        "no AWS credentials were found ({0}): set AWS_PROFILE to a configured profile (run \
         `aws sso login` for an SSO profile), set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, \
         or run on an EC2 instance with an instance role"
    )]
    NoCredentials(String),
    #[error(
        "could not reach AWS at {endpoint} ({detail}): check the network, or the endpoint \
         override (AWS_ENDPOINT_URL) if you use a local emulator"
    )]
    Unreachable { endpoint: String, detail: String },
    /// AWS answered with an error; `sentence` explains it for a person.
    #[error("{sentence} (AWS error code: {code})")]
    Service {
        operation: String,
        code: String,
        sentence: String,
    },
    #[error("{operation} failed: {detail}")]
    Other { operation: String, detail: String },
}

impl AwsError {
    /// AWS's error code, when AWS answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            AwsError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// Turn an SDK error from `operation` on `service` (`lambda`, `s3`, `events`, `sts`) into
/// one sentence.
pub(crate) fn describe<E>(
    operation: &str,
    service: &str,
    region: &str,
    error: &SdkError<E, HttpResponse>,
) -> AwsError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match error {
        SdkError::DispatchFailure(failure) => {
            let detail = DisplayErrorContext(error).to_string();
            let detail = if failure.is_timeout() {
                "the connection timed out".to_string()
            } else if detail.contains("Connection refused") {
                "connection refused".to_string()
            } else if detail.contains("dns error") || detail.contains("failed to lookup") {
                "the host name does not resolve".to_string()
            } else {
                detail
            };
            AwsError::Unreachable {
                endpoint: super::endpoint_for(service, region),
                detail,
            }
        }
        SdkError::TimeoutError(_) => AwsError::Unreachable {
            endpoint: super::endpoint_for(service, region),
            detail: "no answer in time".into(),
        },
        SdkError::ServiceError(service_error) => {
            let err = service_error.err();
            let raw = service_error.raw();
            // An answer the SDK could not read (an emulator or proxy answering in another
            // protocol's format): find the code in the body, else name the HTTP status.
            let (code, message) = match err.code() {
                Some(code) => (code.to_string(), err.message().unwrap_or("").to_string()),
                None => raw
                    .body()
                    .bytes()
                    .and_then(code_in_body)
                    .unwrap_or_else(|| (format!("HTTP {}", raw.status().as_u16()), String::new())),
            };
            let message = message.trim().to_string();
            AwsError::Service {
                operation: operation.to_string(),
                sentence: sentence_for(operation, &code, &message),
                code,
            }
        }
        _ => {
            // Responses the SDK could not parse, requests it could not build: the chain of
            // causes is the most useful thing to show.
            if let Some(code) = error.code() {
                let message = error.message().unwrap_or("").to_string();
                return AwsError::Service {
                    operation: operation.to_string(),
                    sentence: sentence_for(operation, code, &message),
                    code: code.to_string(),
                };
            }
            AwsError::Other {
                operation: operation.to_string(),
                detail: DisplayErrorContext(error).to_string(),
            }
        }
    }
}

/// `error`, unless AWS said the function does not exist: then a sentence that says so.
pub(crate) fn or_not_deployed(error: AwsError, function: &str, region: &str) -> AwsError {
    match error {
        AwsError::Service {
            code, operation, ..
        } if code == "ResourceNotFoundException" => AwsError::Service {
            sentence: format!(
                "function `{function}` is not deployed in {region}: deploy it first \
                 (`lambda-ls deploy`), or check the region and account"
            ),
            code,
            operation,
        },
        other => other,
    }
}

/// The error code and message in an error body AWS's SDK did not expect: XML
/// (`<Code>…</Code><Message>…</Message>`) or JSON (`__type` / `code`, `message`).
fn code_in_body(body: &[u8]) -> Option<(String, String)> {
    let text = String::from_utf8_lossy(body);
    let between = |open: &str, close: &str| {
        let start = text.find(open)? + open.len();
        let end = text[start..].find(close)? + start;
        Some(text[start..end].trim().to_string())
    };
    if let Some(code) = between("<Code>", "</Code>") {
        return Some((code, between("<Message>", "</Message>").unwrap_or_default()));
    }
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let code = json
        .get("__type")
        .or_else(|| json.get("code"))
        .or_else(|| json.get("Code"))?
        .as_str()?;
    // `__type` may carry a namespace: `com.amazon.coral.service#ExpiredTokenException`.
    let code = code.rsplit('#').next().unwrap_or(code).to_string();
    let message = json
        .get("message")
        .or_else(|| json.get("Message"))
        .and_then(|m| m.as_str())
        .unwrap_or_default()
        .to_string();
    Some((code, message))
}

/// The sentence for an AWS error code; AWS's own message is kept where it says more.
fn sentence_for(operation: &str, code: &str, message: &str) -> String {
    let said = if message.is_empty() {
        String::new()
    } else {
        format!(" AWS said: {}", message.trim_end_matches('.'))
    };
    match code {
        "AccessDeniedException" | "AccessDenied" | "UnauthorizedOperation" => format!(
            "{operation} was denied: your credentials are not allowed to do this; ask for the \
             permission in your IAM policy, or use a profile that has it.{said}"
        ),
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidAccessKeyId"
        | "SignatureDoesNotMatch"
        | "InvalidSignatureException" => format!(
            "AWS rejected the credentials in {operation}: the access key is unknown or the \
             secret is wrong; check AWS_PROFILE / AWS_ACCESS_KEY_ID, or log in again.{said}"
        ),
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => format!(
            "the AWS session expired during {operation}: log in again (`aws sso login`) or \
             refresh the credentials.{said}"
        ),
        "ResourceNotFoundException" | "NoSuchBucket" | "NoSuchKey" => format!(
            "{operation}: something it needs does not exist in this account and region; check \
             the name, the account and the region.{said}"
        ),
        "InvalidParameterValueException" | "ValidationException" | "InvalidArgument" => {
            let hint = if message.contains("role") {
                " Check `role` in lambda.toml: the role must exist and trust lambda.amazonaws.com."
            } else {
                " Check the values in lambda.toml."
            };
            format!("AWS rejected a value in {operation}.{hint}{said}")
        }
        "TooManyRequestsException" | "ThrottlingException" | "Throttling" | "SlowDown" => {
            format!(
                "AWS is throttling requests ({operation}) even after retries: wait a minute and \
                 deploy again.{said}"
            )
        }
        "ResourceConflictException" => format!(
            "{operation}: the function is busy with another update that did not finish in \
             time; wait and try again.{said}"
        ),
        "CodeStorageExceededException" => format!(
            "{operation}: the account's Lambda code storage is full; delete old function \
             versions.{said}"
        ),
        "RequestEntityTooLargeException" => format!(
            "{operation}: the package is too large to send with the request; set `s3_bucket` in \
             lambda.toml so it goes through S3.{said}"
        ),
        "HTTP 401" | "HTTP 403" => format!(
            "AWS refused {operation}: the credentials are invalid or expired, or not allowed \
             to do this; check AWS_PROFILE / AWS_ACCESS_KEY_ID, log in again, or ask for the \
             permission.{said}"
        ),
        _ => format!("{operation} failed.{said}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_code_reads_as_a_sentence_with_the_advice() {
        let denied = sentence_for("CreateFunction", "AccessDeniedException", "not authorized");
        assert!(denied.starts_with("CreateFunction was denied"), "{denied}");
        assert!(denied.contains("AWS said: not authorized"), "{denied}");
        let role = sentence_for(
            "CreateFunction",
            "InvalidParameterValueException",
            "The role defined for the function cannot be assumed by Lambda.",
        );
        assert!(role.contains("Check `role` in lambda.toml"), "{role}");
        let throttled = sentence_for("UpdateFunctionCode", "TooManyRequestsException", "");
        assert!(throttled.contains("wait a minute"), "{throttled}");
        assert!(!throttled.contains("AWS said"), "{throttled}");
    }

    #[test]
    fn codes_are_found_in_bodies_the_sdk_did_not_expect() {
        let xml = b"<ErrorResponse><Errors><Error><Code>InvalidClientTokenId</Code>\
                    <Message>The security token included in the request is invalid.</Message>\
                    </Error></Errors></ErrorResponse>";
        assert_eq!(
            code_in_body(xml),
            Some((
                "InvalidClientTokenId".to_string(),
                "The security token included in the request is invalid.".to_string()
            ))
        );
        let json = br#"{"__type": "com.amazon.coral.service#ExpiredTokenException", "message": "expired"}"#;
        assert_eq!(
            code_in_body(json),
            Some(("ExpiredTokenException".to_string(), "expired".to_string()))
        );
        assert_eq!(code_in_body(b"<html>bad gateway</html>"), None);
        let refused = sentence_for("GetFunction", "HTTP 403", "");
        assert!(refused.starts_with("AWS refused GetFunction"), "{refused}");
    }

    #[test]
    fn the_code_is_part_of_the_message() {
        let error = AwsError::Service {
            operation: "GetFunction".into(),
            code: "ResourceNotFoundException".into(),
            sentence: sentence_for(
                "GetFunction",
                "ResourceNotFoundException",
                "Function not found",
            ),
        };
        let text = error.to_string();
        assert!(
            text.ends_with("(AWS error code: ResourceNotFoundException)"),
            "{text}"
        );
        assert_eq!(error.code(), Some("ResourceNotFoundException"));
    }
}
