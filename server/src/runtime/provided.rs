//! What Lambda's Python runtimes provide besides the standard library: the AWS SDK (boto3,
//! botocore and what they need), importable after the function's own packages, so that a
//! function that ships its own boto3 gets it, as on Lambda.
//!
//! The versions, as data. AWS's developer guide listed them per runtime in its
//! "Runtime-included SDK versions" table until 2024; the last figures read there were boto3
//! and botocore 1.34.42 for python3.8 through python3.12. The guide now says that the version
//! "depends on the runtime version and your AWS Region" and shows a function that prints it
//! instead (`print(boto3.__version__, botocore.__version__)`). AWS published no figure for
//! python3.13 and python3.14: they use the last published one until someone reads theirs.
//! To update a row, deploy that function on the runtime, invoke it, and write what it prints
//! here with the date and region.
//!
//! boto3 and botocore are pinned; their dependencies (s3transfer, jmespath, python-dateutil,
//! urllib3, six) are resolved once within boto3's own bounds and cached, except that the
//! Amazon Linux 2 runtimes (python3.11 and older) keep urllib3 1.x: their OpenSSL 1.0 cannot
//! load urllib3 2.

/// One row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuntimeSdk {
    pub runtime: &'static str,
    pub boto3: &'static str,
    pub botocore: &'static str,
    /// When and where the figures were read.
    pub source: &'static str,
}

const DOCS_2024: &str =
    "AWS Lambda Developer Guide, Runtime-included SDK versions table, as last published (2024)";
const NOT_PUBLISHED: &str =
    "no figure published by AWS for this runtime; the last published one (2024) stands in";

/// The SDK of each Python runtime lambda-ls can run.
pub const RUNTIME_SDKS: &[RuntimeSdk] = &[
    RuntimeSdk {
        runtime: "python3.8",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: DOCS_2024,
    },
    RuntimeSdk {
        runtime: "python3.9",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: DOCS_2024,
    },
    RuntimeSdk {
        runtime: "python3.10",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: DOCS_2024,
    },
    RuntimeSdk {
        runtime: "python3.11",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: DOCS_2024,
    },
    RuntimeSdk {
        runtime: "python3.12",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: DOCS_2024,
    },
    RuntimeSdk {
        runtime: "python3.13",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: NOT_PUBLISHED,
    },
    RuntimeSdk {
        runtime: "python3.14",
        boto3: "1.34.42",
        botocore: "1.34.42",
        source: NOT_PUBLISHED,
    },
];

/// The row of `runtime`, if lambda-ls knows it.
pub fn runtime_sdk(runtime: &str) -> Option<&'static RuntimeSdk> {
    RUNTIME_SDKS.iter().find(|row| row.runtime == runtime)
}

/// The requirement lines that install what `runtime` provides (empty for an unknown runtime).
pub fn requirement_lines(runtime: &str) -> Vec<String> {
    let Some(row) = runtime_sdk(runtime) else {
        return Vec::new();
    };
    let mut lines = vec![
        format!("boto3=={}", row.boto3),
        format!("botocore=={}", row.botocore),
    ];
    let amazon_linux_2 = crate::project::runtimes::find(runtime)
        .is_some_and(|r| r.operating_system == "Amazon Linux 2");
    if amazon_linux_2 {
        lines.push("urllib3<2".to_string());
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_runtime_lambda_ls_knows_has_a_row() {
        for runtime in crate::project::runtimes::PYTHON_RUNTIMES {
            let id = runtime.id;
            if crate::runtime::interpreter::runtime_version(id).is_some_and(|(_, m)| m >= 8) {
                assert!(runtime_sdk(id).is_some(), "{id} has no SDK row");
            }
        }
        assert_eq!(
            requirement_lines("python3.11"),
            ["boto3==1.34.42", "botocore==1.34.42", "urllib3<2"]
        );
        assert_eq!(
            requirement_lines("python3.12"),
            ["boto3==1.34.42", "botocore==1.34.42"]
        );
        assert!(requirement_lines("python2.7").is_empty());
    }
}
