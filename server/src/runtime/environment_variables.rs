//! The environment a function's process gets: the variables Lambda sets, the function's
//! `[environment]` from `lambda.toml` (with `from_env` values resolved from the developer's
//! shell or the function's `.env` file), and the few host variables an interpreter needs.

use std::collections::BTreeMap;

use crate::project::Function;

/// Host variables passed through so that the interpreter (pyenv shims, venvs, CA bundles,
/// locale) works as in the developer's shell. Everything else is left out, as on Lambda.
const HOST_VARIABLES: &[&str] = &[
    "PATH",
    "HOME",
    "USER",
    "LOGNAME",
    "SHELL",
    "TMPDIR",
    "LD_LIBRARY_PATH",
    "PYENV_ROOT",
    "PYENV_VERSION",
    "PYENV_DIR",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "AWS_ENDPOINT_URL",
];

/// The developer's AWS credentials, passed only on request (`--aws-credentials`): locally
/// they stand in for the execution role.
const CREDENTIAL_VARIABLES: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_PROFILE",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
];

/// The region a local invoke reports: the function's, else the shell's, else us-east-1.
pub fn region(function: &Function) -> String {
    function
        .config
        .region
        .clone()
        .or_else(|| std::env::var("AWS_REGION").ok())
        .or_else(|| std::env::var("AWS_DEFAULT_REGION").ok())
        .filter(|r| !r.is_empty())
        .unwrap_or_else(|| "us-east-1".to_string())
}

/// What an execution environment needs to know to build its variables.
pub struct EnvironmentSpec<'a> {
    pub function: &'a Function,
    pub user_variables: &'a BTreeMap<String, String>,
    pub runtime_api: &'a str,
    pub log_stream_name: &'a str,
    pub handler: &'a str,
    pub pass_aws_credentials: bool,
}

/// Every variable of the function's process, in the order Lambda's documentation lists them.
pub fn process_environment(spec: &EnvironmentSpec) -> Vec<(String, String)> {
    let config = &spec.function.config;
    let region = region(spec.function);
    let task_root = spec
        .function
        .dir
        .canonicalize()
        .unwrap_or_else(|_| spec.function.dir.clone());
    let mut vars: Vec<(String, String)> = Vec::new();
    for name in HOST_VARIABLES {
        if let Ok(value) = std::env::var(name) {
            vars.push((name.to_string(), value));
        }
    }
    if spec.pass_aws_credentials {
        for name in CREDENTIAL_VARIABLES {
            if let Ok(value) = std::env::var(name) {
                vars.push((name.to_string(), value));
            }
        }
    }
    for (key, value) in spec.user_variables {
        if !crate::project::schema::RESERVED_ENV_NAMES.contains(&key.as_str()) {
            vars.push((key.clone(), value.clone()));
        }
    }
    let name = &config.name.value;
    let lambda = [
        ("AWS_LAMBDA_FUNCTION_NAME", name.clone()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".to_string()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
            config.memory.value.to_string(),
        ),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            spec.log_stream_name.to_string(),
        ),
        ("AWS_REGION", region.clone()),
        ("AWS_DEFAULT_REGION", region),
        (
            "AWS_EXECUTION_ENV",
            format!("AWS_Lambda_{}", config.runtime.value),
        ),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand".to_string()),
        ("LAMBDA_TASK_ROOT", task_root.display().to_string()),
        ("LAMBDA_RUNTIME_DIR", task_root.display().to_string()),
        ("_HANDLER", spec.handler.to_string()),
        ("AWS_LAMBDA_RUNTIME_API", spec.runtime_api.to_string()),
        ("TZ", ":UTC".to_string()),
        ("LANG", "en_US.UTF-8".to_string()),
        ("PYTHONIOENCODING", "utf-8".to_string()),
    ];
    for (key, value) in lambda {
        vars.retain(|(k, _)| k != key);
        vars.push((key.to_string(), value));
    }
    vars
}

/// Add `dirs` at the end of the path-list variable `name` (`PATH`, `LD_LIBRARY_PATH`), as
/// Lambda puts a layer's `/opt/bin` and `/opt/lib` after its own folders.
pub fn append_dirs(vars: &mut Vec<(String, String)>, name: &str, dirs: &[std::path::PathBuf]) {
    if dirs.is_empty() {
        return;
    }
    let added: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    match vars.iter_mut().find(|(key, _)| key == name) {
        Some((_, value)) if !value.is_empty() => {
            value.push(':');
            value.push_str(&added.join(":"));
        }
        Some((_, value)) => *value = added.join(":"),
        None => vars.push((name.to_string(), added.join(":"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layer_folders_go_at_the_end_of_path_lists() {
        let mut vars = vec![("PATH".to_string(), "/usr/bin".to_string())];
        append_dirs(&mut vars, "PATH", &["/l/bin".into()]);
        append_dirs(
            &mut vars,
            "LD_LIBRARY_PATH",
            &["/l/lib".into(), "/k/lib".into()],
        );
        append_dirs(&mut vars, "PATH", &[]);
        assert_eq!(
            vars,
            [
                ("PATH".to_string(), "/usr/bin:/l/bin".to_string()),
                ("LD_LIBRARY_PATH".to_string(), "/l/lib:/k/lib".to_string())
            ]
        );
    }
}
