//! Code-only sync of a function that a CloudFormation stack owns (a SAM template's
//! function), like `sam sync --code`: find the function the stack created for the logical
//! id (DescribeStackResource), package the code folder exactly as `package` does, and
//! update its code, nothing else: no upload when `CodeSha256` already matches, and the
//! configuration stays the stack's. Differences between the template's configuration and
//! the deployed one are reported as notes, to be applied with `sam deploy`.

use super::deploy::{
    account_of_arn, code_source, get_function, package_for_deploy, update_code, upload_detail,
    wait_until_ready, Change, DeployError, DeployReport,
};
use super::errors::describe;
use super::Aws;
use crate::project::sam::samconfig;
use crate::project::{Function, TemplateRef};
use aws_sdk_lambda::error::ProvideErrorMetadata;
use aws_sdk_lambda::types::FunctionConfiguration;

/// The resource type SAM turns an `AWS::Serverless::Function` into.
const LAMBDA_FUNCTION: &str = "AWS::Lambda::Function";

/// The CloudFormation stack a template's function is deployed with, and what samconfig
/// says about deploying it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    pub name: String,
    /// samconfig's `region` (else the AWS configuration's).
    pub region: Option<String>,
    /// samconfig's `s3_bucket`, for packages over 50 MB.
    pub s3_bucket: Option<String>,
}

impl Stack {
    /// The stack of `template`'s function: `name` when given (`--stack`), else samconfig's
    /// `stack_name` beside the template. The error says how to name one.
    pub fn of(template: &TemplateRef, name: Option<String>) -> Result<Stack, String> {
        let folder = template
            .path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        let config = samconfig::read(folder)?.unwrap_or_default();
        let Some(name) = name.or(config.stack_name) else {
            return Err(format!(
                "`{}` is a function of {}, deployed by its CloudFormation stack, and no stack name is known: pass --stack NAME, or run `sam deploy --guided` once (it writes samconfig.toml)",
                template.logical_id,
                template.path.display()
            ));
        };
        Ok(Stack {
            name,
            region: config.region,
            s3_bucket: config.s3_bucket,
        })
    }
}

/// Connect to where `function` is deployed and say what Lambda calls it: a lambda.toml
/// function by its name, in its region; a template's function by the name its stack gave it
/// (the stack and region from samconfig, or `stack`).
pub async fn deployed(function: &Function, stack: Option<String>) -> anyhow::Result<(Aws, String)> {
    let Some(template) = &function.template else {
        let aws = Aws::connect(function.config.region.as_deref()).await?;
        return Ok((aws, function.config.name.value.clone()));
    };
    let stack = Stack::of(template, stack).map_err(anyhow::Error::msg)?;
    let aws = Aws::connect(stack.region.as_deref()).await?;
    let name = physical_function(&aws, &stack.name, &template.logical_id).await?;
    Ok((aws, name))
}

/// How to sync.
#[derive(Default)]
pub struct SyncOptions<'a> {
    /// Read what is deployed and report what would change; change nothing.
    pub dry_run: bool,
    /// A bucket for packages over Lambda's 50 MB direct-upload limit (samconfig's
    /// `s3_bucket`).
    pub s3_bucket: Option<String>,
    /// Told about each step as it starts.
    pub progress: Option<&'a (dyn Fn(&str) + Sync)>,
}

/// Why a code sync stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Deploy(#[from] DeployError),
    #[error(
        "stack `{stack}` does not exist in {region}: create it with `sam deploy` first, or pass \
         the stack's name with --stack (and its region with AWS_REGION or samconfig's `region`)"
    )]
    NoStack { stack: String, region: String },
    #[error(
        "stack `{stack}` has no resource `{logical_id}`: the function is in the template but \
         not deployed yet; deploy the template with `sam deploy`"
    )]
    NoResource { stack: String, logical_id: String },
    #[error("`{logical_id}` in stack `{stack}` is a {resource_type}, not a Lambda function")]
    NotAFunction {
        stack: String,
        logical_id: String,
        resource_type: String,
    },
    #[error(
        "stack `{stack}` lists `{function}` for `{logical_id}`, but Lambda has no such function \
         (deleted outside CloudFormation?): redeploy the stack with `sam deploy`"
    )]
    FunctionGone {
        stack: String,
        logical_id: String,
        function: String,
    },
    #[error(
        "the deployed `{function}` runs on {deployed} but the template says {template}: code \
         built for {template} would not run there; deploy the architecture change with `sam deploy`"
    )]
    ArchitectureDiffers {
        function: String,
        deployed: String,
        template: String,
    },
    #[error(
        "the package is {size}, over Lambda's 50 MB limit for a direct upload: set `s3_bucket` \
         under [default.deploy.parameters] in samconfig.toml so it goes through S3, or make it smaller"
    )]
    NeedsBucket { size: String },
}

/// Update the code of the template's `function` in `stack`. See the module documentation. The
/// report is a deploy's: its one possible change is the code, its first note says whose
/// function this is.
pub async fn sync_code(
    aws: &Aws,
    stack: &str,
    function: &Function,
    options: &SyncOptions<'_>,
) -> Result<DeployReport, SyncError> {
    let progress = |step: &str| {
        if let Some(progress) = options.progress {
            progress(step);
        }
    };
    let logical_id = &function.id().to_string();
    progress(&format!("finding `{logical_id}` in stack `{stack}`"));
    let name = physical_function(aws, stack, logical_id).await?;

    progress("packaging");
    let mut function = function.clone();
    function.config.s3_bucket = options.s3_bucket.clone();
    let package = package_for_deploy(&function, options.progress).await?;

    progress(&format!("reading the deployed function `{name}`"));
    let current = get_function(aws, &name)
        .await
        .map_err(DeployError::from)?
        .ok_or_else(|| SyncError::FunctionGone {
            stack: stack.to_string(),
            logical_id: logical_id.clone(),
            function: name.clone(),
        })?;
    let deployed_architecture = current
        .architectures()
        .first()
        .map(|a| a.as_str().to_string())
        .unwrap_or_else(|| "x86_64".to_string());
    let template_architecture = function.config.architecture.value.as_str();
    if deployed_architecture != template_architecture {
        return Err(SyncError::ArchitectureDiffers {
            function: name,
            deployed: deployed_architecture,
            template: template_architecture.to_string(),
        });
    }

    let arn = current.function_arn().map(str::to_string);
    let mut report = DeployReport {
        account: arn.as_deref().and_then(account_of_arn).map(str::to_string),
        arn,
        notes: vec![format!(
            "`{logical_id}` of stack `{stack}`, which owns its configuration: only the code is {}; apply configuration changes with `sam deploy`",
            if options.dry_run { "compared" } else { "synced" }
        )],
        ..DeployReport::new(name.clone(), aws.region.clone(), options.dry_run, &package)
    };

    report.notes.extend(package.warnings.iter().cloned());
    if current.code_sha256() == Some(package.code_sha256.as_str()) {
        report
            .notes
            .push("code unchanged (same CodeSha256), nothing uploaded".to_string());
    } else {
        let source = code_source(aws, &function, &package, options.dry_run, &progress)
            .await
            .map_err(|e| match e {
                DeployError::NeedsBucket { size } => SyncError::NeedsBucket { size },
                other => SyncError::Deploy(other),
            })?;
        report
            .changes
            .push(Change::new("code", upload_detail(&package, &source)));
        if !options.dry_run {
            progress("updating the code");
            // The code only: the architecture stays the stack's.
            update_code(aws, &name, None, source)
                .await
                .map_err(DeployError::from)?;
            wait_until_ready(aws, &name).await?;
            report.uploaded_bytes = package.size;
        }
    }
    report
        .notes
        .extend(configuration_notes(&current, &function));
    Ok(report)
}

/// The physical name of the function the stack created for `logical_id` (what Lambda's
/// API knows it by).
pub async fn physical_function(
    aws: &Aws,
    stack: &str,
    logical_id: &str,
) -> Result<String, SyncError> {
    let result = aws
        .cloudformation
        .describe_stack_resource()
        .stack_name(stack)
        .logical_resource_id(logical_id)
        .send()
        .await;
    let resource = match result {
        Ok(output) => output.stack_resource_detail,
        // CloudFormation says both "no such stack" and "no such resource" with a
        // ValidationError; its message tells which.
        Err(e) if e.code() == Some("ValidationError") => {
            let message = e.message().unwrap_or_default();
            return Err(
                if message.contains("Stack") && message.contains("does not exist") {
                    SyncError::NoStack {
                        stack: stack.to_string(),
                        region: aws.region.clone(),
                    }
                } else {
                    SyncError::NoResource {
                        stack: stack.to_string(),
                        logical_id: logical_id.to_string(),
                    }
                },
            );
        }
        Err(e) => {
            let error = describe("DescribeStackResource", "cloudformation", &aws.region, &e);
            return Err(DeployError::from(error).into());
        }
    };
    let resource = resource.ok_or_else(|| SyncError::NoResource {
        stack: stack.to_string(),
        logical_id: logical_id.to_string(),
    })?;
    let resource_type = resource.resource_type().unwrap_or_default();
    if resource_type != LAMBDA_FUNCTION {
        return Err(SyncError::NotAFunction {
            stack: stack.to_string(),
            logical_id: logical_id.to_string(),
            resource_type: resource_type.to_string(),
        });
    }
    match resource.physical_resource_id() {
        Some(id) if !id.is_empty() => Ok(id.to_string()),
        _ => Err(SyncError::NoResource {
            stack: stack.to_string(),
            logical_id: logical_id.to_string(),
        }),
    }
}

/// Where the template says something else than the deployed function: the stack was
/// deployed from another version of the template.
fn configuration_notes(current: &FunctionConfiguration, function: &Function) -> Vec<String> {
    let c = &function.config;
    let deployed = [
        ("Handler", current.handler().unwrap_or_default().to_string()),
        (
            "Runtime",
            current
                .runtime()
                .map(|r| r.as_str().to_string())
                .unwrap_or_default(),
        ),
        (
            "MemorySize",
            current.memory_size().unwrap_or_default().to_string(),
        ),
        ("Timeout", current.timeout().unwrap_or_default().to_string()),
    ];
    let template = [
        c.handler.value.clone(),
        c.runtime.value.clone(),
        c.memory.value.to_string(),
        c.timeout.value.to_string(),
    ];
    deployed
        .iter()
        .zip(template)
        .filter(|((_, now), wanted)| now != wanted)
        .map(|((what, now), wanted)| {
            format!(
                "the template's {what} is `{wanted}`, the deployed function's `{now}`: `sam deploy` applies it"
            )
        })
        .collect()
}
