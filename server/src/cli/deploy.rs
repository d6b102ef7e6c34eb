//! `lambda-ls deploy [DIR] [--publish] [--dry-run]`: package the function and bring AWS in
//! line with it: create it or update its code (nothing is uploaded when `CodeSha256` already
//! matches), its configuration and its triggers. Prints the ARN and what changed on stdout,
//! the steps on stderr. Credentials and `from_env` values are never printed.
//!
//! A function of a SAM template belongs to its CloudFormation stack: for it, deploy only
//! updates the code of the function the stack created (like `sam sync --code`).

use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{bail, Context};

use crate::aws::deploy::{deploy, DeployOptions, DeployReport};
use crate::aws::stack_sync::{sync_code, Stack, SyncOptions};
use crate::aws::Aws;
use crate::package::human;
use crate::project::{Function, TemplateRef};

/// Arguments of `lambda-ls deploy`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: super::target::Target,
    /// Publish a new version once the code and configuration are in place.
    #[arg(long)]
    publish: bool,
    /// Show what would change, and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// No progress on stderr.
    #[arg(long, short)]
    quiet: bool,
    /// The CloudFormation stack of a SAM template function (default: samconfig's
    /// `stack_name`).
    #[arg(long, value_name = "NAME")]
    stack: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let function = args.target.load()?;
    let quiet = args.quiet;
    let progress = move |step: &str| {
        if !quiet {
            eprintln!("… {step}");
        }
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    if let Some(template) = &function.template {
        if args.publish {
            bail!("--publish applies to lambda.toml functions: the versions of a stack's function come from `AutoPublishAlias` in its template");
        }
        let report =
            runtime.block_on(sync_stack_function(&args, template, &function, &progress))?;
        print_report(&report);
        if !quiet {
            eprintln!("done in {:.2} s", started.elapsed().as_secs_f64());
        }
        return Ok(ExitCode::SUCCESS);
    }
    if args.stack.is_some() {
        bail!(
            "--stack applies to functions of a SAM template, and {} is configured by {}",
            function.dir.display(),
            function.source_label()
        );
    }
    let cancel = Arc::new(AtomicBool::new(false));
    let options = DeployOptions {
        publish: args.publish,
        dry_run: args.dry_run,
        process_env: std::env::vars().collect(),
        progress: Some(&progress),
        cancel: Some(&cancel),
    };
    let report = runtime.block_on(async {
        // Ctrl-C stops at the next step boundary, so that code and configuration are never
        // left half-updated; a second Ctrl-C quits at once.
        let flag = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::SeqCst);
                eprintln!("… stopping after the current step (Ctrl-C again to quit now)");
                if tokio::signal::ctrl_c().await.is_ok() {
                    std::process::exit(130);
                }
            }
        });
        let aws = Aws::connect(function.config.region.as_deref()).await?;
        anyhow::Ok(deploy(&aws, &function, &options).await?)
    })?;
    print_report(&report);
    if !quiet {
        eprintln!("done in {:.2} s", started.elapsed().as_secs_f64());
    }
    Ok(ExitCode::SUCCESS)
}

/// The stack (`--stack`, else samconfig's `stack_name`), region and bucket, then the sync.
async fn sync_stack_function(
    args: &Args,
    template: &TemplateRef,
    function: &Function,
    progress: &(dyn Fn(&str) + Sync),
) -> anyhow::Result<DeployReport> {
    let stack = Stack::of(template, args.stack.clone()).map_err(anyhow::Error::msg)?;
    let aws = Aws::connect(stack.region.as_deref()).await?;
    let options = SyncOptions {
        dry_run: args.dry_run,
        s3_bucket: stack.s3_bucket,
        progress: Some(progress),
    };
    Ok(sync_code(&aws, &stack.name, function, &options).await?)
}

fn print_report(report: &DeployReport) {
    let name = &report.function_name;
    let account = report
        .account
        .as_deref()
        .map(|a| format!(", account {a}"))
        .unwrap_or_default();
    let place = format!("{} in {}{account}", name, report.region);
    if report.dry_run {
        if report.changes.is_empty() {
            println!("Plan for {place}: nothing to change");
        } else {
            println!("Plan for {place}: {} change(s)", report.changes.len());
        }
    } else if report.changes.is_empty() {
        println!("{place} is up to date: nothing changed");
    } else if report.created {
        println!("Created {place}: {} change(s)", report.changes.len());
    } else {
        println!("Updated {place}: {} change(s)", report.changes.len());
    }
    for change in &report.changes {
        println!("  {change}");
    }
    for note in &report.notes {
        println!("  note: {note}");
    }
    if let Some(arn) = &report.arn {
        println!("arn: {arn}");
    }
    if let Some(url) = &report.function_url {
        println!("url: {url}");
    }
    for url in &report.api_urls {
        println!("url: {url}");
    }
    if let Some(version) = &report.version {
        println!("version: {version}");
    }
    println!(
        "package: {} (CodeSha256 {})",
        human(report.package_bytes),
        report.code_sha256
    );
    if report.dry_run {
        println!("dry run: nothing was changed");
    } else {
        println!("uploaded: {} bytes", report.uploaded_bytes);
    }
}
