//! Deploy a function folder: package it, create the function or update its code (only when
//! `CodeSha256` differs), wait for the update to finish, bring the configuration in line
//! with `lambda.toml`, then its triggers. A dry run reads and reports, and changes nothing.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use aws_sdk_lambda::config::http::HttpResponse;
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{
    Architecture, Environment, FunctionCode, FunctionConfiguration, LastUpdateStatus, Runtime,
    State,
};
use base64::Engine;
use serde::Serialize;

use super::errors::{describe, AwsError};
use super::{triggers, Aws};
use crate::package::human;
use crate::project::{EnvError, Function};

/// Lambda's limit for a .zip sent with the request; larger packages go through S3.
pub use crate::package::DIRECT_UPLOAD_LIMIT;
/// How long to wait for Lambda to finish creating or updating a function.
const UPDATE_DEADLINE: Duration = Duration::from_secs(600);
/// How long to keep retrying a call that conflicts with an update in progress.
const CONFLICT_DEADLINE: Duration = Duration::from_secs(300);
/// How long a role that Lambda cannot assume yet is given to become visible (IAM changes
/// take a few seconds to reach Lambda).
const ROLE_PROPAGATION: Duration = Duration::from_secs(15);

/// How to deploy.
#[derive(Default)]
pub struct DeployOptions<'a> {
    /// Publish a version once everything is in place.
    pub publish: bool,
    /// Read what is deployed and report what would change; change nothing.
    pub dry_run: bool,
    /// The process environment, for `[environment]` values marked `from_env`.
    pub process_env: HashMap<String, String>,
    /// Told about each step as it starts.
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
    /// Set to stop the deploy at the next step boundary. Creating or updating the code and
    /// bringing the configuration in line are one step: a deploy never stops between them.
    pub cancel: Option<&'a AtomicBool>,
}

impl DeployOptions<'_> {
    /// `Err(Cancelled)` when the user asked to stop, naming what is already done.
    fn stop_if_cancelled(&self, done: &[Change]) -> Result<(), DeployError> {
        match self.cancel {
            Some(flag) if flag.load(Ordering::SeqCst) => Err(DeployError::Cancelled {
                done: done.to_vec(),
            }),
            _ => Ok(()),
        }
    }
}

/// One thing a deploy changed (or, on a dry run, would change). Never holds a secret:
/// environment changes name the variables, not their values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    pub what: String,
    pub detail: String,
}

impl Change {
    pub(crate) fn new(what: impl Into<String>, detail: impl Into<String>) -> Self {
        Change {
            what: what.into(),
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.what, self.detail)
    }
}

/// What a deploy did.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeployReport {
    pub function_name: String,
    pub region: String,
    /// The account, when known (from the function's ARN, else STS on a dry run).
    pub account: Option<String>,
    /// The function's ARN (absent only on a dry run for a function that does not exist).
    pub arn: Option<String>,
    pub dry_run: bool,
    pub created: bool,
    pub changes: Vec<Change>,
    /// Bytes of code sent to Lambda or S3 (0 when the code was unchanged).
    pub uploaded_bytes: u64,
    pub code_sha256: String,
    pub package_bytes: u64,
    /// The published version, with `publish`.
    pub version: Option<String>,
    /// The function URL, when a `function-url` trigger is configured.
    pub function_url: Option<String>,
    /// The URL of each API Gateway route to the function (`http-api` and `api` triggers).
    pub api_urls: Vec<String>,
    /// Things the user should know that are not changes (triggers not deployed, …).
    pub notes: Vec<String>,
}

impl DeployReport {
    /// The report of a deploy of `package` as `function_name` that has done nothing yet.
    pub(super) fn new(
        function_name: String,
        region: String,
        dry_run: bool,
        package: &DeployPackage,
    ) -> Self {
        DeployReport {
            function_name,
            region,
            account: None,
            arn: None,
            dry_run,
            created: false,
            changes: Vec::new(),
            uploaded_bytes: 0,
            code_sha256: package.code_sha256.clone(),
            package_bytes: package.size,
            version: None,
            function_url: None,
            api_urls: Vec::new(),
            notes: Vec::new(),
        }
    }
}

/// Why a deploy stopped.
#[derive(Debug, thiserror::Error)]
pub enum DeployError {
    #[error(transparent)]
    Aws(#[from] AwsError),
    #[error(
        "function `{function}` does not exist yet, and creating it needs an execution role: add \
         `role = \"arn:aws:iam::<account>:role/<name>\"` to lambda.toml (a role that trusts \
         lambda.amazonaws.com, with AWSLambdaBasicExecutionRole for logs)"
    )]
    MissingRole { function: String },
    #[error(
        "the package is {size}, over Lambda's 50 MB limit for a direct upload: add \
         `s3_bucket = \"<bucket>\"` to lambda.toml so it goes through S3, or make it smaller"
    )]
    NeedsBucket { size: String },
    #[error(
        "lambda.toml has {count} error(s), so the function is not deployed; the first: {first} \
         (`lambda-ls check` lists them all)"
    )]
    Configuration { count: usize, first: String },
    #[error(transparent)]
    Environment(#[from] EnvError),
    #[error(transparent)]
    Packaging(#[from] crate::package::PackageError),
    #[error("could not package the function: {0}")]
    Package(String),
    #[error("Lambda could not finish updating `{function}`: {reason}")]
    UpdateFailed { function: String, reason: String },
    #[error(
        "`{function}` was still updating after {minutes} minutes: check its state in the \
         console, then deploy again"
    )]
    StillUpdating { function: String, minutes: u64 },
    #[error("{}", cancelled_message(done))]
    Cancelled { done: Vec<Change> },
    #[error("trigger {index} (`{kind}`) in lambda.toml: {problem}")]
    Trigger {
        index: usize,
        kind: String,
        problem: String,
    },
}

fn cancelled_message(done: &[Change]) -> String {
    if done.is_empty() {
        "the deploy was stopped before anything in AWS was changed".to_string()
    } else {
        let done: Vec<String> = done.iter().map(Change::to_string).collect();
        format!(
            "the deploy was stopped; done before stopping: {}. Deploy again to finish",
            done.join("; ")
        )
    }
}

/// A built package, ready to upload.
pub struct DeployPackage {
    pub zip_path: PathBuf,
    /// Base64 SHA-256 of the .zip, as Lambda's `CodeSha256`.
    pub code_sha256: String,
    pub size: u64,
    /// What packaging had to say (size warnings, dependencies left out).
    pub warnings: Vec<String>,
}

/// Package the function for deploy with the `package` module (the same .zip as
/// `lambda-ls package`), off the async threads: it may install dependencies.
pub async fn package_for_deploy(
    function: &Function,
    progress: Option<&(dyn Fn(&str) + Sync)>,
) -> Result<DeployPackage, DeployError> {
    let (sender, mut receiver) = tokio::sync::mpsc::unbounded_channel::<String>();
    let owned = function.clone();
    let build = tokio::task::spawn_blocking(move || {
        let tell = |stage: crate::package::Progress| {
            let step = match stage {
                crate::package::Progress::InstallingDependencies { installer } => {
                    format!("installing dependencies with {}", installer.as_str())
                }
                crate::package::Progress::CachedDependencies => "dependencies: cached".into(),
                crate::package::Progress::CollectingFiles => return,
                crate::package::Progress::Writing {
                    files,
                    unzipped_bytes,
                } => format!("compressing {files} files ({})", human(unzipped_bytes)),
            };
            let _ = sender.send(step);
        };
        let options = crate::package::Options {
            progress: Some(&tell),
            ..Default::default()
        };
        crate::package::build(&owned, &options)
    });
    tokio::pin!(build);
    let report = loop {
        tokio::select! {
            Some(step) = receiver.recv() => {
                if let Some(progress) = progress {
                    progress(&step);
                }
            }
            result = &mut build => {
                break result.map_err(|e| DeployError::Package(format!("packaging stopped: {e}")))??;
            }
        }
    };
    Ok(DeployPackage {
        zip_path: report.zip_path,
        code_sha256: report.code_sha256,
        size: report.zipped_bytes,
        warnings: report.warnings,
    })
}

/// The configuration `lambda.toml` asks for.
#[derive(Debug, Clone)]
struct Desired {
    handler: String,
    runtime: String,
    architecture: String,
    memory: i32,
    timeout: i32,
    role: Option<String>,
    /// `None` when lambda.toml has no `[environment]`: the deployed variables are left alone.
    environment: Option<BTreeMap<String, String>>,
    /// Layer version ARNs in order; `None` when lambda.toml has no `layers`: the deployed
    /// layers are left alone.
    layers: Option<Vec<String>>,
}

impl Desired {
    fn of(function: &Function, environment: Option<BTreeMap<String, String>>) -> Self {
        let config = &function.config;
        Desired {
            handler: config.handler.value.clone(),
            runtime: config.runtime.value.clone(),
            architecture: config.architecture.value.as_str().to_string(),
            memory: config.memory.value as i32,
            timeout: config.timeout.value as i32,
            role: config.role.clone(),
            environment,
            layers: config.layers.clone(),
        }
    }
}

fn architecture_of(current: &FunctionConfiguration) -> &str {
    current
        .architectures()
        .first()
        .map(|a| a.as_str())
        .unwrap_or("x86_64")
}

/// The configuration differences between the deployed function and `desired` (the
/// architecture travels with the code, so it is not one of them).
fn config_changes(current: &FunctionConfiguration, desired: &Desired) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut compare = |what: &str, now: String, wanted: String, unit: &str| {
        if now != wanted {
            let now = if now.is_empty() { "(none)".into() } else { now };
            changes.push(Change::new(what, format!("{now}{unit} → {wanted}{unit}")));
        }
    };
    compare(
        "handler",
        current.handler().unwrap_or_default().into(),
        desired.handler.clone(),
        "",
    );
    compare(
        "runtime",
        current
            .runtime()
            .map(|r| r.as_str())
            .unwrap_or_default()
            .into(),
        desired.runtime.clone(),
        "",
    );
    compare(
        "memory",
        current.memory_size().unwrap_or_default().to_string(),
        desired.memory.to_string(),
        " MB",
    );
    compare(
        "timeout",
        current.timeout().unwrap_or_default().to_string(),
        desired.timeout.to_string(),
        " s",
    );
    if let Some(role) = &desired.role {
        compare(
            "role",
            current.role().unwrap_or_default().into(),
            role.clone(),
            "",
        );
    }
    if let Some(wanted) = &desired.environment {
        let empty = HashMap::new();
        let now = current
            .environment()
            .and_then(|e| e.variables())
            .unwrap_or(&empty);
        if let Some(detail) = environment_change(now, wanted) {
            changes.push(Change::new("environment", detail));
        }
    }
    if let Some(wanted) = &desired.layers {
        let now: Vec<&str> = current.layers().iter().filter_map(|l| l.arn()).collect();
        if now != *wanted {
            let list = |arns: &[&str]| {
                if arns.is_empty() {
                    "(none)".to_string()
                } else {
                    arns.iter()
                        .map(|arn| layer_label(arn))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            };
            let wanted: Vec<&str> = wanted.iter().map(String::as_str).collect();
            changes.push(Change::new(
                "layers",
                format!("{} → {}", list(&now), list(&wanted)),
            ));
        }
    }
    changes
}

/// `NAME:VERSION` of a layer version ARN (the account and region are the function's own
/// in almost every case, and make the plan unreadable).
fn layer_label(arn: &str) -> String {
    let parts: Vec<&str> = arn.split(':').collect();
    match parts.as_slice() {
        [.., "layer", name, version] => format!("{name}:{version}"),
        _ => arn.to_string(),
    }
}

/// Which variables were added, changed or removed, by name only: values may be secrets.
fn environment_change(
    now: &HashMap<String, String>,
    wanted: &BTreeMap<String, String>,
) -> Option<String> {
    let added: Vec<&str> = wanted
        .keys()
        .filter(|k| !now.contains_key(*k))
        .map(String::as_str)
        .collect();
    let changed: Vec<&str> = wanted
        .iter()
        .filter(|(k, v)| now.get(*k).is_some_and(|n| n != *v))
        .map(|(k, _)| k.as_str())
        .collect();
    let mut removed: Vec<&str> = now
        .keys()
        .filter(|k| !wanted.contains_key(*k))
        .map(String::as_str)
        .collect();
    removed.sort_unstable();
    let mut parts = Vec::new();
    for (label, names) in [("added", added), ("changed", changed), ("removed", removed)] {
        if !names.is_empty() {
            parts.push(format!("{label} {}", names.join(", ")));
        }
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// Where the code comes from in a create or update request.
pub(super) enum CodeSource {
    Inline(Vec<u8>),
    S3 { bucket: String, key: String },
}

/// Deploy `function` with `aws`. See the module documentation.
pub async fn deploy(
    aws: &Aws,
    function: &Function,
    options: &DeployOptions<'_>,
) -> Result<DeployReport, DeployError> {
    let progress = |step: &str| {
        if let Some(progress) = options.progress {
            progress(step);
        }
    };
    let errors: Vec<_> = function
        .config_diagnostics
        .iter()
        .filter(|d| d.severity == crate::ide::Severity::Error)
        .collect();
    if let Some(first) = errors.first() {
        return Err(DeployError::Configuration {
            count: errors.len(),
            first: first.message.clone(),
        });
    }
    let name = function.config.name.value.clone();
    let dry_run = options.dry_run;
    progress("packaging");
    let package = package_for_deploy(function, options.progress).await?;
    let environment = if function.config.has_environment_table {
        Some(function.resolve_environment(&options.process_env)?)
    } else {
        None
    };
    let desired = Desired::of(function, environment);
    let mut report = DeployReport {
        notes: package.warnings.clone(),
        ..DeployReport::new(name.clone(), aws.region.clone(), dry_run, &package)
    };

    options.stop_if_cancelled(&[])?;
    progress("reading the deployed function");
    let current = get_function(aws, &name).await?;
    let mut code_changed = false;
    match &current {
        None => {
            let role = desired
                .role
                .clone()
                .ok_or_else(|| DeployError::MissingRole {
                    function: name.clone(),
                })?;
            report.created = true;
            code_changed = true;
            report.changes.push(Change::new(
                "function",
                format!(
                    "created ({}, {}, {} MB, {} s)",
                    desired.runtime, desired.architecture, desired.memory, desired.timeout
                ),
            ));
            let source = code_source(aws, function, &package, dry_run, &progress).await?;
            report
                .changes
                .push(Change::new("code", upload_detail(&package, &source)));
            if !dry_run {
                progress("creating the function");
                report.uploaded_bytes = package.size;
                report.arn = create_function(aws, &name, &role, &desired, source).await?;
                wait_until_ready(aws, &name).await?;
            }
        }
        Some(current) => {
            report.arn = current.function_arn().map(str::to_string);
            let sha_differs = current.code_sha256() != Some(package.code_sha256.as_str());
            let architecture_differs = architecture_of(current) != desired.architecture;
            if architecture_differs {
                report.changes.push(Change::new(
                    "architecture",
                    format!("{} → {}", architecture_of(current), desired.architecture),
                ));
            }
            if sha_differs || architecture_differs {
                code_changed = true;
                let source = code_source(aws, function, &package, dry_run, &progress).await?;
                let detail = if sha_differs {
                    upload_detail(&package, &source)
                } else {
                    format!(
                        "{} (same code, for the new architecture)",
                        upload_detail(&package, &source)
                    )
                };
                report.changes.push(Change::new("code", detail));
                if !dry_run {
                    progress("updating the code");
                    report.uploaded_bytes = package.size;
                    update_code(aws, &name, Some(&desired.architecture), source).await?;
                    wait_until_ready(aws, &name).await?;
                }
            }
            let changes = config_changes(current, &desired);
            if !changes.is_empty() {
                report.changes.extend(changes);
                if !dry_run {
                    progress("updating the configuration");
                    update_configuration(aws, &name, &desired).await?;
                    wait_until_ready(aws, &name).await?;
                }
            }
        }
    }
    if !code_changed {
        report
            .notes
            .push("code unchanged (same CodeSha256), nothing uploaded".to_string());
    }
    let deployed_variables = current
        .as_ref()
        .and_then(|c| c.environment())
        .and_then(|e| e.variables())
        .is_some_and(|v| !v.is_empty());
    if !function.config.has_environment_table && deployed_variables {
        report.notes.push(
            "lambda.toml has no [environment]: the deployed environment variables were left as \
             they are"
                .to_string(),
        );
    }

    report.account = match report.arn.as_deref().and_then(account_of_arn) {
        Some(account) => Some(account.to_string()),
        None if dry_run => aws.account().await.ok(),
        None => None,
    };

    // With no triggers configured this still looks for ones removed from lambda.toml.
    if report.arn.is_some() || !function.config.triggers.is_empty() {
        options.stop_if_cancelled(&report.changes)?;
        progress("bringing the triggers in line");
        let stop = |done: &[Change]| {
            let mut all = report.changes.clone();
            all.extend_from_slice(done);
            options.stop_if_cancelled(&all)
        };
        let outcome = triggers::sync(
            aws,
            &name,
            report.arn.as_deref(),
            report.account.as_deref(),
            &function.config.triggers,
            dry_run,
            &stop,
        )
        .await?;
        report.changes.extend(outcome.changes);
        report.notes.extend(outcome.notes);
        report.function_url = outcome.function_url;
        report.api_urls = outcome.urls;
    }

    if options.publish {
        options.stop_if_cancelled(&report.changes)?;
        if dry_run {
            report
                .changes
                .push(Change::new("version", "a new version would be published"));
        } else {
            progress("publishing a version");
            let published = retry_on_conflict("PublishVersion", &aws.region, || {
                aws.lambda
                    .publish_version()
                    .function_name(&name)
                    .code_sha256(&package.code_sha256)
                    .send()
            })
            .await?;
            let version = published.version().unwrap_or_default().to_string();
            report
                .changes
                .push(Change::new("version", format!("published {version}")));
            report.version = Some(version);
        }
    }
    Ok(report)
}

/// The account id inside an ARN (`arn:aws:lambda:eu-west-1:123456789012:function:x`).
pub fn account_of_arn(arn: &str) -> Option<&str> {
    arn.split(':').nth(4).filter(|a| !a.is_empty())
}

pub(super) fn upload_detail(package: &DeployPackage, source: &CodeSource) -> String {
    let size = human(package.size);
    let sha = &package.code_sha256;
    match source {
        CodeSource::Inline(_) => format!("upload {size} (CodeSha256 {sha})"),
        CodeSource::S3 { bucket, key } => {
            format!("upload {size} through s3://{bucket}/{key} (CodeSha256 {sha})")
        }
    }
}

pub(super) async fn get_function(
    aws: &Aws,
    name: &str,
) -> Result<Option<FunctionConfiguration>, AwsError> {
    match aws.lambda.get_function().function_name(name).send().await {
        Ok(output) => Ok(output.configuration),
        Err(e) if is_not_found(&e) => Ok(None),
        Err(e) => Err(describe("GetFunction", "lambda", &aws.region, &e)),
    }
}

pub(crate) fn is_not_found<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    matches!(
        error.code(),
        Some("ResourceNotFoundException" | "NoSuchEntity" | "NotFound")
    )
}

/// The code for a request: inline when it fits, else uploaded to the `s3_bucket` (once per
/// content: the key is the package's hash, and an object already there is not sent again).
pub(super) async fn code_source(
    aws: &Aws,
    function: &Function,
    package: &DeployPackage,
    dry_run: bool,
    progress: &impl Fn(&str),
) -> Result<CodeSource, DeployError> {
    if package.size <= DIRECT_UPLOAD_LIMIT {
        let bytes = if dry_run {
            Vec::new()
        } else {
            std::fs::read(&package.zip_path)
                .map_err(|e| DeployError::Package(format!("{}: {e}", package.zip_path.display())))?
        };
        return Ok(CodeSource::Inline(bytes));
    }
    let bucket = function
        .config
        .s3_bucket
        .clone()
        .ok_or_else(|| DeployError::NeedsBucket {
            size: human(package.size),
        })?;
    let digest = base64::engine::general_purpose::STANDARD
        .decode(&package.code_sha256)
        .unwrap_or_default();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    let key = format!("lambda-ls/{}/{hex}.zip", function.config.name.value);
    if dry_run {
        return Ok(CodeSource::S3 { bucket, key });
    }
    let already_there = aws
        .s3
        .head_object()
        .bucket(&bucket)
        .key(&key)
        .send()
        .await
        .ok()
        .and_then(|head| head.content_length())
        .is_some_and(|length| length as u64 == package.size);
    if !already_there {
        progress(&format!(
            "uploading {} to s3://{bucket}/{key}",
            human(package.size)
        ));
        let body = aws_sdk_s3::primitives::ByteStream::from_path(&package.zip_path)
            .await
            .map_err(|e| DeployError::Package(format!("{}: {e}", package.zip_path.display())))?;
        aws.s3
            .put_object()
            .bucket(&bucket)
            .key(&key)
            .body(body)
            .send()
            .await
            .map_err(|e| describe("PutObject", "s3", &aws.region, &e))?;
    }
    Ok(CodeSource::S3 { bucket, key })
}

fn environment_of(desired: &Desired) -> Option<Environment> {
    desired.environment.as_ref().map(|vars| {
        Environment::builder()
            .set_variables(Some(vars.clone().into_iter().collect()))
            .build()
    })
}

async fn create_function(
    aws: &Aws,
    name: &str,
    role: &str,
    desired: &Desired,
    source: CodeSource,
) -> Result<Option<String>, AwsError> {
    let code = match source {
        CodeSource::Inline(bytes) => FunctionCode::builder().zip_file(Blob::new(bytes)).build(),
        CodeSource::S3 { bucket, key } => FunctionCode::builder()
            .s3_bucket(bucket)
            .s3_key(key)
            .build(),
    };
    // A role created moments ago is not yet assumable by Lambda (IAM is eventually
    // consistent): AWS says so with InvalidParameterValueException; retry for a while.
    let started = Instant::now();
    let mut delay = Duration::from_secs(2);
    loop {
        let result = aws
            .lambda
            .create_function()
            .function_name(name)
            .role(role)
            .handler(&desired.handler)
            .runtime(Runtime::from(desired.runtime.as_str()))
            .architectures(Architecture::from(desired.architecture.as_str()))
            .memory_size(desired.memory)
            .timeout(desired.timeout)
            .set_environment(environment_of(desired))
            .set_layers(desired.layers.clone())
            .code(code.clone())
            .send()
            .await;
        match result {
            Ok(output) => return Ok(output.function_arn),
            Err(e)
                if e.code() == Some("InvalidParameterValueException")
                    && e.message().is_some_and(|m| m.contains("cannot be assumed"))
                    && started.elapsed() < ROLE_PROPAGATION =>
            {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(8));
            }
            Err(e) => return Err(describe("CreateFunction", "lambda", &aws.region, &e)),
        }
    }
}

/// UpdateFunctionCode; `architecture` travels with the code (`None`: the function keeps its
/// own).
pub(super) async fn update_code(
    aws: &Aws,
    name: &str,
    architecture: Option<&str>,
    source: CodeSource,
) -> Result<(), AwsError> {
    let (zip, bucket, key) = match source {
        CodeSource::Inline(bytes) => (Some(Blob::new(bytes)), None, None),
        CodeSource::S3 { bucket, key } => (None, Some(bucket), Some(key)),
    };
    let architectures = architecture.map(|a| vec![Architecture::from(a)]);
    retry_on_conflict("UpdateFunctionCode", &aws.region, || {
        aws.lambda
            .update_function_code()
            .function_name(name)
            .set_zip_file(zip.clone())
            .set_s3_bucket(bucket.clone())
            .set_s3_key(key.clone())
            .set_architectures(architectures.clone())
            .send()
    })
    .await
    .map(|_| ())
}

async fn update_configuration(aws: &Aws, name: &str, desired: &Desired) -> Result<(), AwsError> {
    retry_on_conflict("UpdateFunctionConfiguration", &aws.region, || {
        aws.lambda
            .update_function_configuration()
            .function_name(name)
            .handler(&desired.handler)
            .runtime(Runtime::from(desired.runtime.as_str()))
            .memory_size(desired.memory)
            .timeout(desired.timeout)
            .set_role(desired.role.clone())
            .set_environment(environment_of(desired))
            .set_layers(desired.layers.clone())
            .send()
    })
    .await
    .map(|_| ())
}

/// Call `call` until it does not fail with `ResourceConflictException` (an update still in
/// progress), backing off, for at most [`CONFLICT_DEADLINE`].
pub(crate) async fn retry_on_conflict<T, E, F, Fut>(
    operation: &str,
    region: &str,
    mut call: F,
) -> Result<T, AwsError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let started = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        match call().await {
            Ok(value) => return Ok(value),
            Err(e)
                if e.code() == Some("ResourceConflictException")
                    && started.elapsed() < CONFLICT_DEADLINE =>
            {
                tracing::debug!("{operation}: update in progress, retrying in {delay:?}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(describe(operation, "lambda", region, &e)),
        }
    }
}

/// Wait until the function is no longer `Pending` and its last update is not `InProgress`.
pub(super) async fn wait_until_ready(aws: &Aws, name: &str) -> Result<(), DeployError> {
    let started = Instant::now();
    let mut delay = Duration::from_millis(100);
    loop {
        let config = aws
            .lambda
            .get_function_configuration()
            .function_name(name)
            .send()
            .await
            .map_err(|e| describe("GetFunctionConfiguration", "lambda", &aws.region, &e))?;
        let pending = config.state() == Some(&State::Pending)
            || config.last_update_status() == Some(&LastUpdateStatus::InProgress);
        if config.state() == Some(&State::Failed)
            || config.last_update_status() == Some(&LastUpdateStatus::Failed)
        {
            let reason = config
                .last_update_status_reason()
                .or(config.state_reason())
                .unwrap_or("no reason given")
                .to_string();
            return Err(DeployError::UpdateFailed {
                function: name.to_string(),
                reason,
            });
        }
        if !pending {
            return Ok(());
        }
        if started.elapsed() > UPDATE_DEADLINE {
            return Err(DeployError::StillUpdating {
                function: name.to_string(),
                minutes: UPDATE_DEADLINE.as_secs() / 60,
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(2));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_lambda::types::EnvironmentResponse;

    fn desired() -> Desired {
        Desired {
            handler: "app.handler".into(),
            runtime: "python3.13".into(),
            architecture: "arm64".into(),
            memory: 256,
            timeout: 30,
            role: None,
            layers: None,
            environment: Some(BTreeMap::from([
                ("KEEP".to_string(), "same".to_string()),
                ("SECRET".to_string(), "new-secret".to_string()),
                ("NEW".to_string(), "x".to_string()),
            ])),
        }
    }

    fn deployed() -> FunctionConfiguration {
        FunctionConfiguration::builder()
            .handler("app.handler")
            .runtime(Runtime::from("python3.12"))
            .memory_size(128)
            .timeout(30)
            .environment(
                EnvironmentResponse::builder()
                    .variables("KEEP", "same")
                    .variables("SECRET", "old-secret")
                    .variables("GONE", "y")
                    .build(),
            )
            .build()
    }

    #[test]
    fn only_what_differs_is_a_change_and_no_value_is_shown() {
        let changes = config_changes(&deployed(), &desired());
        let text: Vec<String> = changes.iter().map(|c| c.to_string()).collect();
        assert_eq!(
            text,
            [
                "runtime: python3.12 → python3.13",
                "memory: 128 MB → 256 MB",
                "environment: added NEW; changed SECRET; removed GONE",
            ]
        );
        assert!(!text.join("\n").contains("secret"));
    }

    #[test]
    fn no_environment_table_leaves_the_deployed_variables_alone() {
        let mut wanted = desired();
        wanted.environment = None;
        let changes = config_changes(&deployed(), &wanted);
        assert!(
            changes.iter().all(|c| c.what != "environment"),
            "{changes:?}"
        );
    }

    #[test]
    fn layers_are_synced_in_order_and_left_alone_when_not_configured() {
        const PANDAS: &str = "arn:aws:lambda:eu-west-1:123456789012:layer:pandas:3";
        const TOOLS: &str = "arn:aws:lambda:eu-west-1:017000801446:layer:AWSLambdaPowertoolsPythonV3-python313-x86_64:7";
        let with_layers = |arns: &[&str]| {
            let mut current = deployed();
            current.layers = Some(
                arns.iter()
                    .map(|arn| aws_sdk_lambda::types::Layer::builder().arn(*arn).build())
                    .collect(),
            );
            current
        };
        let layer_changes = |current: &FunctionConfiguration, wanted: Option<&[&str]>| {
            let mut desired = desired();
            desired.layers = wanted.map(|w| w.iter().map(|s| s.to_string()).collect());
            config_changes(current, &desired)
                .into_iter()
                .filter(|c| c.what == "layers")
                .map(|c| c.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            layer_changes(&deployed(), Some(&[PANDAS])),
            ["layers: (none) → pandas:3"]
        );
        assert_eq!(
            layer_changes(&with_layers(&[PANDAS, TOOLS]), Some(&[TOOLS, PANDAS])),
            ["layers: pandas:3, AWSLambdaPowertoolsPythonV3-python313-x86_64:7 → AWSLambdaPowertoolsPythonV3-python313-x86_64:7, pandas:3"],
            "the order is Lambda's order of application"
        );
        assert_eq!(
            layer_changes(&with_layers(&[PANDAS]), Some(&[])),
            ["layers: pandas:3 → (none)"]
        );
        assert!(layer_changes(&with_layers(&[PANDAS]), Some(&[PANDAS])).is_empty());
        assert!(layer_changes(&with_layers(&[PANDAS]), None).is_empty());
    }

    #[test]
    fn equal_configuration_is_no_change() {
        let mut wanted = desired();
        wanted.runtime = "python3.12".into();
        wanted.memory = 128;
        wanted.environment = Some(BTreeMap::from([
            ("KEEP".to_string(), "same".to_string()),
            ("SECRET".to_string(), "old-secret".to_string()),
            ("GONE".to_string(), "y".to_string()),
        ]));
        assert_eq!(config_changes(&deployed(), &wanted), []);
    }

    #[tokio::test]
    async fn conflicts_are_retried_until_the_update_is_done_and_nothing_else_is() {
        use aws_sdk_lambda::error::ErrorMetadata;
        use aws_sdk_lambda::operation::update_function_code::UpdateFunctionCodeError;
        use aws_sdk_lambda::primitives::SdkBody;
        use aws_sdk_lambda::types::error::ResourceConflictException;
        use std::sync::atomic::{AtomicUsize, Ordering};

        let failure = |status: u16, error: UpdateFunctionCodeError| {
            SdkError::service_error(
                error,
                HttpResponse::new(status.try_into().unwrap(), SdkBody::empty()),
            )
        };
        let conflict = || {
            let meta = ErrorMetadata::builder()
                .code("ResourceConflictException")
                .message("An update is in progress")
                .build();
            failure(
                409,
                UpdateFunctionCodeError::ResourceConflictException(
                    ResourceConflictException::builder().meta(meta).build(),
                ),
            )
        };
        let calls = AtomicUsize::new(0);
        let result = retry_on_conflict("UpdateFunctionCode", "eu-west-1", || {
            let call = calls.fetch_add(1, Ordering::SeqCst);
            async move {
                if call < 2 {
                    Err(conflict())
                } else {
                    Ok(call)
                }
            }
        })
        .await;
        assert_eq!(result.unwrap(), 2);

        let calls = AtomicUsize::new(0);
        let result = retry_on_conflict("UpdateFunctionCode", "eu-west-1", || {
            calls.fetch_add(1, Ordering::SeqCst);
            async {
                let meta = ErrorMetadata::builder()
                    .code("InvalidParameterValueException")
                    .message("Unzipped size must be smaller than 262144000 bytes")
                    .build();
                Err::<(), _>(failure(400, UpdateFunctionCodeError::generic(meta)))
            }
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let error = result.unwrap_err();
        assert_eq!(error.code(), Some("InvalidParameterValueException"));
        assert!(error.to_string().contains("Unzipped size"), "{error}");
    }

    #[test]
    fn accounts_come_from_arns() {
        assert_eq!(
            account_of_arn("arn:aws:lambda:eu-west-1:123456789012:function:f"),
            Some("123456789012")
        );
        assert_eq!(account_of_arn("nonsense"), None);
    }
}
