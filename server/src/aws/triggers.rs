//! The `[[trigger]]` tables of `lambda.toml`, brought in line with AWS: `schedule` (an
//! EventBridge rule, its target and the invoke permission), `s3` (the bucket notification and
//! the permission), `function-url`, and the API Gateway ones, `http-api` and `api` (their own
//! modules). Each is read first and changed only when it differs, so a second deploy
//! changes nothing. Resources lambda-ls creates are named after the
//! function (`<function>-schedule`, notification id `lambda-ls-<function>`, statement ids
//! `lambda-ls-…`), which is how it finds them again.

use std::collections::{BTreeSet, HashSet};

use aws_sdk_eventbridge::types::{RuleState, Target};
use aws_sdk_lambda::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_lambda::types::{Cors, FunctionUrlAuthType};
use aws_sdk_s3::operation::get_bucket_notification_configuration::GetBucketNotificationConfigurationOutput;
use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, LambdaFunctionConfiguration, NotificationConfiguration,
    NotificationConfigurationFilter, S3KeyFilter,
};
use serde_json::Value;

use super::deploy::{is_not_found, Change, DeployError};
use super::errors::describe;
use super::http_api::{self, HttpApiSpec};
use super::rest_api::{self, RestApiSpec};
use super::Aws;
use crate::project::{FunctionUrlTrigger, S3Trigger, ScheduleTrigger, Trigger, UrlAuth};

/// What syncing the triggers did.
#[derive(Debug, Default)]
pub struct TriggerOutcome {
    pub changes: Vec<Change>,
    pub notes: Vec<String>,
    pub function_url: Option<String>,
    /// The URLs of the API Gateway routes to the function.
    pub urls: Vec<String>,
}

/// The id of the EventBridge target lambda-ls manages on its rules.
const TARGET_ID: &str = "lambda-ls";
/// EventBridge's limit on rule names.
const RULE_NAME_MAX: usize = 64;

/// Bring `triggers` in line for the function `name`. `arn` is `None` only on a dry run for a
/// function that does not exist yet: then every trigger is reported as to be created.
pub async fn sync(
    aws: &Aws,
    name: &str,
    arn: Option<&str>,
    account: Option<&str>,
    triggers: &[Trigger],
    dry_run: bool,
    stop_if_cancelled: &(dyn Fn(&[Change]) -> Result<(), DeployError> + Sync),
) -> Result<TriggerOutcome, DeployError> {
    let mut outcome = TriggerOutcome::default();
    let mut statements = match arn {
        Some(_) => policy_statement_ids(aws, name).await?,
        None => HashSet::new(),
    };
    let mut schedules = 0;
    let mut notifications = 0;
    // All of a function's API triggers of one kind are routes of one API. Their specs are
    // made first, so triggers that disagree (two stages, two CORS settings) change nothing.
    // The lambda.toml position named in an error is that of the first trigger of the kind.
    let first = |kind: &str| triggers.iter().position(|t| t.kind() == kind).unwrap_or(0) + 1;
    let api_problem = |kind: &str, problem: String| DeployError::Trigger {
        index: first(kind),
        kind: kind.to_string(),
        problem,
    };
    let http_triggers: Vec<_> = triggers
        .iter()
        .filter_map(|t| match t {
            Trigger::HttpApi(api) => Some(api),
            _ => None,
        })
        .collect();
    let http_spec = match http_triggers.is_empty() {
        true => None,
        false => Some(
            HttpApiSpec::from_triggers(name, &http_triggers)
                .map_err(|problem| api_problem("http-api", problem))?,
        ),
    };
    let rest_triggers: Vec<_> = triggers
        .iter()
        .filter_map(|t| match t {
            Trigger::Api(api) => Some(api),
            _ => None,
        })
        .collect();
    let rest_spec = match rest_triggers.is_empty() {
        true => None,
        false => Some(
            RestApiSpec::from_triggers(&rest_triggers)
                .map_err(|problem| api_problem("api", problem))?,
        ),
    };
    let ctx = Context {
        aws,
        name,
        arn,
        account,
        dry_run,
    };
    // The statements the configured triggers use; other `lambda-ls-…` ones are left over
    // from triggers removed from lambda.toml.
    let mut in_use = HashSet::new();
    for (index, trigger) in triggers.iter().enumerate() {
        // Between triggers: each is whole or not begun.
        stop_if_cancelled(&outcome.changes)?;
        let problem = |problem: String| DeployError::Trigger {
            index: index + 1,
            kind: trigger.kind().to_string(),
            problem,
        };
        match trigger {
            Trigger::Schedule(spec) => {
                schedules += 1;
                let rule = rule_name(name, schedules);
                in_use.insert(format!("lambda-ls-{rule}"));
                schedule(&ctx, &rule, spec, &mut statements, &mut outcome).await?;
            }
            Trigger::S3(s3_trigger) => {
                notifications += 1;
                let spec = S3Spec::from(s3_trigger);
                in_use.insert(format!("lambda-ls-s3-{}", spec.bucket));
                let id = if notifications == 1 {
                    format!("lambda-ls-{name}")
                } else {
                    format!("lambda-ls-{name}-{notifications}")
                };
                s3(&ctx, &id, &spec, &mut statements, &mut outcome).await?;
            }
            Trigger::FunctionUrl(url) => {
                let spec = UrlSpec::from(url);
                function_url(&ctx, &spec, &mut statements, &mut outcome).await?;
            }
            // Set up after this loop, one API per kind.
            Trigger::HttpApi(_) | Trigger::Api(_) => {}
            // Deploy refuses a lambda.toml with errors, so this is reached only by callers
            // that skipped validation.
            Trigger::Incomplete { .. } => {
                return Err(problem(
                    "required settings are missing or invalid: `lambda-ls check` shows which"
                        .to_string(),
                ))
            }
            other => outcome.notes.push(format!(
                "trigger `{}` is not deployed by lambda-ls yet: connect it in the console \
                 or with your infrastructure tool (the editor still uses its event shape)",
                other.kind()
            )),
        }
    }
    // The APIs after the other triggers.
    if let Some(spec) = &http_spec {
        stop_if_cancelled(&outcome.changes)?;
        let used = http_api::sync(&ctx, spec, &mut statements, &mut outcome).await?;
        in_use.extend(used);
    }
    if let Some(spec) = &rest_spec {
        stop_if_cancelled(&outcome.changes)?;
        let used = rest_api::sync(&ctx, spec, &mut statements, &mut outcome).await?;
        in_use.extend(used);
    }
    if arn.is_some() {
        let mut left_over: Vec<&String> = statements.difference(&in_use).collect();
        left_over.sort();
        for statement in left_over {
            let Some(rest) = statement.strip_prefix("lambda-ls-") else {
                continue;
            };
            if is_rule_of(name, rest) {
                remove_schedule(&ctx, rest, statement, &mut outcome).await?;
            } else if let Some(bucket) = rest.strip_prefix("s3-") {
                remove_s3(&ctx, bucket, statement, &mut outcome).await?;
            } else if let Some(api_id) = statement.strip_prefix(http_api::STATEMENT_PREFIX) {
                http_api::remove(&ctx, api_id, statement, &mut outcome).await?;
            } else if let Some(api_id) = statement.strip_prefix(rest_api::STATEMENT_PREFIX) {
                rest_api::remove(&ctx, api_id, statement, &mut outcome).await?;
            }
        }
    }
    Ok(outcome)
}

/// Whether `rule` is one of the names [`rule_name`] gives `function`'s schedules.
fn is_rule_of(function: &str, rule: &str) -> bool {
    (1..=100).any(|nth| rule_name(function, nth) == rule)
}

/// Take away a schedule that is no longer in lambda.toml: its target, the rule (unless
/// something else also targets it) and the permission.
async fn remove_schedule(
    ctx: &Context<'_>,
    rule: &str,
    statement: &str,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    outcome.changes.push(Change::new(
        format!("schedule rule {rule}"),
        "deleted (no longer in lambda.toml)",
    ));
    if ctx.dry_run {
        return Ok(());
    }
    match aws
        .events
        .remove_targets()
        .rule(rule)
        .ids(TARGET_ID)
        .send()
        .await
    {
        Ok(_) => {}
        Err(e) if is_not_found(&e) => {}
        Err(e) => return Err(describe("RemoveTargets", "events", region, &e).into()),
    }
    match aws.events.delete_rule().name(rule).send().await {
        Ok(_) => {}
        Err(e) if is_not_found(&e) => {}
        Err(e) if e.code() == Some("ValidationException") => outcome.notes.push(format!(
            "schedule rule {rule} still has other targets, so it was kept (without the function)"
        )),
        Err(e) => return Err(describe("DeleteRule", "events", region, &e).into()),
    }
    remove_permission(ctx, statement).await
}

/// Take away an S3 notification that is no longer in lambda.toml, and the permission.
async fn remove_s3(
    ctx: &Context<'_>,
    bucket: &str,
    statement: &str,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let function_arn = ctx.arn.unwrap_or_default();
    outcome.changes.push(Change::new(
        format!("s3 notification {bucket}"),
        "deleted (no longer in lambda.toml)",
    ));
    if ctx.dry_run {
        return Ok(());
    }
    match bucket_notifications(aws, bucket).await {
        Ok(current) => {
            let ours = |c: &LambdaFunctionConfiguration| {
                c.lambda_function_arn() == function_arn
                    && c.id()
                        .is_some_and(|id| id.starts_with(&format!("lambda-ls-{}", ctx.name)))
            };
            let kept: Vec<LambdaFunctionConfiguration> = current
                .lambda_function_configurations()
                .iter()
                .filter(|c| !ours(c))
                .cloned()
                .collect();
            if kept.len() != current.lambda_function_configurations().len() {
                put_notifications(aws, bucket, &current, kept).await?;
            }
        }
        // The bucket is gone, and its notifications with it.
        Err(e) if e.code() == Some("NoSuchBucket") => {}
        Err(e) => return Err(e.into()),
    }
    remove_permission(ctx, statement).await
}

pub(crate) async fn remove_permission(
    ctx: &Context<'_>,
    statement: &str,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    match aws
        .lambda
        .remove_permission()
        .function_name(ctx.name)
        .statement_id(statement)
        .send()
        .await
    {
        Ok(_) => Ok(()),
        Err(e) if is_not_found(&e) => Ok(()),
        Err(e) => Err(describe("RemovePermission", "lambda", &aws.region, &e).into()),
    }
}

/// A bucket's notification configuration.
async fn bucket_notifications(
    aws: &Aws,
    bucket: &str,
) -> Result<GetBucketNotificationConfigurationOutput, super::AwsError> {
    match aws
        .s3
        .get_bucket_notification_configuration()
        .bucket(bucket)
        .send()
        .await
    {
        Ok(current) => Ok(current),
        // A bucket with no notifications, as some emulators answer it (an empty element
        // under another name): nothing to keep.
        Err(SdkError::ServiceError(e))
            if e.raw().status().is_success()
                && e.raw().body().bytes().is_some_and(is_empty_xml_document) =>
        {
            Ok(GetBucketNotificationConfigurationOutput::builder().build())
        }
        Err(e) => Err(describe(
            "GetBucketNotificationConfiguration",
            "s3",
            &aws.region,
            &e,
        )),
    }
}

/// Replace the bucket's notifications: `lambdas`, and everything else as it was.
async fn put_notifications(
    aws: &Aws,
    bucket: &str,
    current: &GetBucketNotificationConfigurationOutput,
    lambdas: Vec<LambdaFunctionConfiguration>,
) -> Result<(), DeployError> {
    let configuration = NotificationConfiguration::builder()
        .set_lambda_function_configurations(Some(lambdas))
        .set_topic_configurations(current.topic_configurations.clone())
        .set_queue_configurations(current.queue_configurations.clone())
        .set_event_bridge_configuration(current.event_bridge_configuration.clone())
        .build();
    aws.s3
        .put_bucket_notification_configuration()
        .bucket(bucket)
        .notification_configuration(configuration)
        .send()
        .await
        .map_err(|e| describe("PutBucketNotificationConfiguration", "s3", &aws.region, &e))?;
    Ok(())
}

/// What every trigger's sync needs to know.
pub(crate) struct Context<'a> {
    pub aws: &'a Aws,
    /// The function's name.
    pub name: &'a str,
    /// The function's ARN; `None` only on a dry run for a function that does not exist.
    pub arn: Option<&'a str>,
    pub account: Option<&'a str>,
    pub dry_run: bool,
}

/// `<function>-schedule`, `<function>-schedule-2`, … within EventBridge's 64 characters.
fn rule_name(function: &str, nth: usize) -> String {
    let suffix = if nth == 1 {
        "-schedule".to_string()
    } else {
        format!("-schedule-{nth}")
    };
    let keep = RULE_NAME_MAX
        .saturating_sub(suffix.len())
        .min(function.len());
    let mut cut = keep;
    while !function.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{suffix}", &function[..cut])
}

async fn schedule(
    ctx: &Context<'_>,
    rule: &str,
    spec: &ScheduleTrigger,
    statements: &mut HashSet<String>,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    let state = if spec.enabled {
        RuleState::Enabled
    } else {
        RuleState::Disabled
    };
    let existing = match aws.events.describe_rule().name(rule).send().await {
        Ok(rule) => Some(rule),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(describe("DescribeRule", "events", region, &e).into()),
    };
    let rule_differs = match &existing {
        None => {
            outcome.changes.push(Change::new(
                format!("schedule rule {rule}"),
                format!("created ({})", spec.schedule),
            ));
            true
        }
        Some(current) => {
            let mut differences = Vec::new();
            if current.schedule_expression() != Some(spec.schedule.expression()) {
                differences.push(format!(
                    "{} → {}",
                    current.schedule_expression().unwrap_or("(none)"),
                    spec.schedule
                ));
            }
            if current.state() != Some(&state) {
                differences.push(format!(
                    "{} → {}",
                    state_name(current.state()),
                    state.as_str()
                ));
            }
            if spec.description.is_some() && current.description() != spec.description.as_deref() {
                differences.push("description changed".into());
            }
            if !differences.is_empty() {
                outcome.changes.push(Change::new(
                    format!("schedule rule {rule}"),
                    differences.join(", "),
                ));
            }
            !differences.is_empty()
        }
    };
    let mut rule_arn = existing.as_ref().and_then(|r| r.arn().map(str::to_string));
    if rule_differs && !ctx.dry_run {
        let put = aws
            .events
            .put_rule()
            .name(rule)
            .schedule_expression(spec.schedule.expression())
            .state(state)
            .set_description(
                spec.description
                    .clone()
                    .or_else(|| Some(format!("Runs the Lambda function {} (lambda-ls)", ctx.name))),
            )
            .send()
            .await
            .map_err(|e| describe("PutRule", "events", region, &e))?;
        rule_arn = put.rule_arn().map(str::to_string);
    }
    let Some(function_arn) = ctx.arn else {
        outcome.changes.push(Change::new(
            format!("schedule rule {rule}"),
            "target and invoke permission added",
        ));
        return Ok(());
    };

    // The target: the function, with the constant input when one is configured.
    let targets = if existing.is_some() {
        aws.events
            .list_targets_by_rule()
            .rule(rule)
            .send()
            .await
            .map_err(|e| describe("ListTargetsByRule", "events", region, &e))?
            .targets
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let target_ok = targets.iter().any(|t| {
        t.id() == TARGET_ID && t.arn() == function_arn && t.input() == spec.input.as_deref()
    });
    if !target_ok {
        outcome.changes.push(Change::new(
            format!("schedule rule {rule}"),
            "target set to the function",
        ));
        if !ctx.dry_run {
            let target = Target::builder()
                .id(TARGET_ID)
                .arn(function_arn)
                .set_input(spec.input.clone())
                .build()
                .map_err(|e| {
                    DeployError::Aws(super::AwsError::Other {
                        operation: "PutTargets".into(),
                        detail: e.to_string(),
                    })
                })?;
            let put = aws
                .events
                .put_targets()
                .rule(rule)
                .targets(target)
                .send()
                .await
                .map_err(|e| describe("PutTargets", "events", region, &e))?;
            if put.failed_entry_count() > 0 {
                let reason = put
                    .failed_entries()
                    .first()
                    .and_then(|f| f.error_message())
                    .unwrap_or("no reason given")
                    .to_string();
                return Err(super::AwsError::Other {
                    operation: "PutTargets".into(),
                    detail: format!("EventBridge did not add the target: {reason}"),
                }
                .into());
            }
        }
    }

    let statement = format!("lambda-ls-{rule}");
    if !statements.contains(&statement) {
        outcome.changes.push(Change::new(
            format!("schedule rule {rule}"),
            "EventBridge allowed to invoke the function",
        ));
        if !ctx.dry_run {
            let source = rule_arn.unwrap_or_else(|| {
                format!(
                    "arn:aws:events:{}:{}:rule/{rule}",
                    region,
                    ctx.account.unwrap_or_default()
                )
            });
            add_permission(ctx, &statement, "events.amazonaws.com", Some(&source)).await?;
            statements.insert(statement);
        }
    }
    Ok(())
}

fn state_name(state: Option<&RuleState>) -> &str {
    state.map(|s| s.as_str()).unwrap_or("(none)")
}

#[derive(Debug, PartialEq)]
struct S3Spec {
    bucket: String,
    events: BTreeSet<String>,
    prefix: Option<String>,
    suffix: Option<String>,
}

impl S3Spec {
    /// The notification as S3 reports it back: events as a set, empty filters as none.
    fn from(trigger: &S3Trigger) -> Self {
        S3Spec {
            bucket: trigger.bucket.clone(),
            events: trigger.events.iter().cloned().collect(),
            prefix: trigger.prefix.clone().filter(|p| !p.is_empty()),
            suffix: trigger.suffix.clone().filter(|s| !s.is_empty()),
        }
    }

    /// Whether a deployed notification is exactly this one for `function_arn`.
    fn matches(&self, current: &LambdaFunctionConfiguration, function_arn: &str) -> bool {
        let events: BTreeSet<String> = current
            .events()
            .iter()
            .map(|e| e.as_str().to_string())
            .collect();
        let rule = |wanted: &str| {
            current
                .filter()
                .and_then(|f| f.key())
                .map(|k| k.filter_rules())
                .unwrap_or_default()
                .iter()
                .find(|r| {
                    r.name()
                        .is_some_and(|n| n.as_str().eq_ignore_ascii_case(wanted))
                })
                .and_then(|r| r.value().map(str::to_string))
        };
        current.lambda_function_arn() == function_arn
            && events == self.events
            && rule("prefix") == self.prefix
            && rule("suffix") == self.suffix
    }

    fn configuration(&self, id: &str, function_arn: &str) -> LambdaFunctionConfiguration {
        let mut rules = Vec::new();
        if let Some(prefix) = &self.prefix {
            rules.push(
                FilterRule::builder()
                    .name(FilterRuleName::Prefix)
                    .value(prefix)
                    .build(),
            );
        }
        if let Some(suffix) = &self.suffix {
            rules.push(
                FilterRule::builder()
                    .name(FilterRuleName::Suffix)
                    .value(suffix)
                    .build(),
            );
        }
        let filter = (!rules.is_empty()).then(|| {
            NotificationConfigurationFilter::builder()
                .key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build())
                .build()
        });
        LambdaFunctionConfiguration::builder()
            .id(id)
            .lambda_function_arn(function_arn)
            .set_events(Some(
                self.events
                    .iter()
                    .map(|e| Event::from(e.as_str()))
                    .collect(),
            ))
            .set_filter(filter)
            .build()
            .expect("the function ARN and the events are set")
    }
}

async fn s3(
    ctx: &Context<'_>,
    id: &str,
    spec: &S3Spec,
    statements: &mut HashSet<String>,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let what = format!("s3 notification {}", spec.bucket);
    let events = spec.events.iter().cloned().collect::<Vec<_>>().join(", ");
    let Some(function_arn) = ctx.arn else {
        outcome
            .changes
            .push(Change::new(what, format!("created ({events})")));
        return Ok(());
    };
    // S3 must be allowed to invoke the function before it accepts the notification.
    let statement = format!("lambda-ls-s3-{}", spec.bucket);
    if !statements.contains(&statement) {
        outcome.changes.push(Change::new(
            what.clone(),
            format!("S3 bucket {} allowed to invoke the function", spec.bucket),
        ));
        if !ctx.dry_run {
            let source = format!("arn:aws:s3:::{}", spec.bucket);
            add_permission(ctx, &statement, "s3.amazonaws.com", Some(&source)).await?;
            statements.insert(statement);
        }
    }
    let current = bucket_notifications(aws, &spec.bucket).await?;
    let ours = current
        .lambda_function_configurations()
        .iter()
        .find(|c| c.id() == Some(id));
    if ours.is_some_and(|c| spec.matches(c, function_arn)) {
        return Ok(());
    }
    outcome.changes.push(Change::new(
        what,
        if ours.is_some() {
            format!("updated ({events})")
        } else {
            format!("created ({events})")
        },
    ));
    if ctx.dry_run {
        return Ok(());
    }
    // The call replaces the bucket's whole configuration: keep everything that is not ours.
    let mut lambdas: Vec<LambdaFunctionConfiguration> = current
        .lambda_function_configurations()
        .iter()
        .filter(|c| c.id() != Some(id))
        .cloned()
        .collect();
    lambdas.push(spec.configuration(id, function_arn));
    put_notifications(aws, &spec.bucket, &current, lambdas).await
}

#[derive(Debug, PartialEq)]
struct UrlSpec {
    auth: FunctionUrlAuthType,
    cors: bool,
}

impl UrlSpec {
    fn from(trigger: &FunctionUrlTrigger) -> Self {
        UrlSpec {
            auth: match trigger.auth {
                UrlAuth::AwsIam => FunctionUrlAuthType::AwsIam,
                UrlAuth::None => FunctionUrlAuthType::None,
            },
            cors: trigger.cors,
        }
    }

    fn cors(&self) -> Option<Cors> {
        self.cors.then(|| {
            Cors::builder()
                .allow_origins("*")
                .allow_methods("*")
                .allow_headers("*")
                .build()
        })
    }
}

async fn function_url(
    ctx: &Context<'_>,
    spec: &UrlSpec,
    statements: &mut HashSet<String>,
    outcome: &mut TriggerOutcome,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let region = &aws.region;
    let what = "function URL";
    if ctx.arn.is_none() {
        outcome.changes.push(Change::new(
            what,
            format!("created (auth {})", spec.auth.as_str()),
        ));
        return Ok(());
    }
    let current = match aws
        .lambda
        .get_function_url_config()
        .function_name(ctx.name)
        .send()
        .await
    {
        Ok(config) => Some(config),
        Err(e) if is_not_found(&e) => None,
        Err(e) => return Err(describe("GetFunctionUrlConfig", "lambda", region, &e).into()),
    };
    match current {
        None => {
            outcome.changes.push(Change::new(
                what,
                format!("created (auth {})", spec.auth.as_str()),
            ));
            if !ctx.dry_run {
                let created = aws
                    .lambda
                    .create_function_url_config()
                    .function_name(ctx.name)
                    .auth_type(spec.auth.clone())
                    .set_cors(spec.cors())
                    .send()
                    .await
                    .map_err(|e| describe("CreateFunctionUrlConfig", "lambda", region, &e))?;
                outcome.function_url = Some(created.function_url().to_string());
            }
        }
        Some(current) => {
            outcome.function_url = Some(current.function_url().to_string());
            let cors_now = current
                .cors()
                .is_some_and(|c| c.allow_origins().iter().any(|o| o == "*"));
            let mut differences = Vec::new();
            if current.auth_type() != &spec.auth {
                differences.push(format!(
                    "auth {} → {}",
                    current.auth_type().as_str(),
                    spec.auth.as_str()
                ));
            }
            if cors_now != spec.cors {
                differences.push(format!("cors {cors_now} → {}", spec.cors));
            }
            if !differences.is_empty() {
                outcome
                    .changes
                    .push(Change::new(what, differences.join(", ")));
                if !ctx.dry_run {
                    aws.lambda
                        .update_function_url_config()
                        .function_name(ctx.name)
                        .auth_type(spec.auth.clone())
                        .cors(spec.cors().unwrap_or_else(|| Cors::builder().build()))
                        .send()
                        .await
                        .map_err(|e| describe("UpdateFunctionUrlConfig", "lambda", region, &e))?;
                }
            }
        }
    }
    // A public URL also needs the function's policy to let anyone call it through the URL.
    if spec.auth == FunctionUrlAuthType::None {
        let statement = "lambda-ls-url-public".to_string();
        if !statements.contains(&statement) {
            outcome
                .changes
                .push(Change::new(what, "public access allowed (auth NONE)"));
            if !ctx.dry_run {
                let region = &aws.region;
                aws.lambda
                    .add_permission()
                    .function_name(ctx.name)
                    .statement_id(&statement)
                    .action("lambda:InvokeFunctionUrl")
                    .principal("*")
                    .function_url_auth_type(FunctionUrlAuthType::None)
                    .send()
                    .await
                    .map_err(|e| describe("AddPermission", "lambda", region, &e))?;
                statements.insert(statement);
            }
        }
    }
    Ok(())
}

/// Whether an XML document is one element with nothing inside (`<X/>` or `<X></X>`).
fn is_empty_xml_document(body: &[u8]) -> bool {
    let text = String::from_utf8_lossy(body);
    let mut text = text.trim();
    if let Some(rest) = text.strip_prefix("<?xml") {
        match rest.split_once("?>") {
            Some((_, after)) => text = after.trim(),
            None => return false,
        }
    }
    let tags = text.matches('<').count();
    (tags == 1 && text.ends_with("/>")) || (tags == 2 && text.contains("></"))
}

/// The statement ids in the function's resource policy (none when it has no policy).
async fn policy_statement_ids(aws: &Aws, name: &str) -> Result<HashSet<String>, DeployError> {
    let policy = match aws.lambda.get_policy().function_name(name).send().await {
        Ok(output) => output.policy.unwrap_or_default(),
        Err(e) if is_not_found(&e) => return Ok(HashSet::new()),
        Err(e) => return Err(describe("GetPolicy", "lambda", &aws.region, &e).into()),
    };
    Ok(statement_ids(&policy))
}

fn statement_ids(policy: &str) -> HashSet<String> {
    let parsed: Value = serde_json::from_str(policy).unwrap_or(Value::Null);
    let statements = match parsed.get("Statement") {
        Some(Value::Array(items)) => items.clone(),
        Some(single @ Value::Object(_)) => vec![single.clone()],
        _ => Vec::new(),
    };
    statements
        .iter()
        .filter_map(|s| s.get("Sid").and_then(Value::as_str).map(str::to_string))
        .collect()
}

pub(crate) async fn add_permission(
    ctx: &Context<'_>,
    statement: &str,
    principal: &str,
    source_arn: Option<&str>,
) -> Result<(), DeployError> {
    let aws = ctx.aws;
    let result = aws
        .lambda
        .add_permission()
        .function_name(ctx.name)
        .statement_id(statement)
        .action("lambda:InvokeFunction")
        .principal(principal)
        .set_source_arn(source_arn.map(str::to_string))
        .set_source_account(
            (principal == "s3.amazonaws.com")
                .then(|| ctx.account.map(str::to_string))
                .flatten(),
        )
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        // Added by an earlier deploy that stopped before reading the policy again.
        Err(e) if e.code() == Some("ResourceConflictException") => Ok(()),
        Err(e) => Err(describe("AddPermission", "lambda", &aws.region, &e).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s3_trigger(bucket: &str, prefix: Option<&str>, suffix: Option<&str>) -> S3Trigger {
        S3Trigger {
            bucket: bucket.into(),
            events: vec!["s3:ObjectCreated:*".into()],
            prefix: prefix.map(str::to_string),
            suffix: suffix.map(str::to_string),
        }
    }

    #[test]
    fn left_over_rules_are_recognised_by_name() {
        assert!(is_rule_of("prices", "prices-schedule"));
        assert!(is_rule_of("prices", "prices-schedule-3"));
        assert!(!is_rule_of("prices", "prices-schedule-x"));
        assert!(!is_rule_of("prices", "other-schedule"));
        assert!(!is_rule_of("prices-schedule", "prices-schedule"));
    }

    #[test]
    fn rule_names_fit_eventbridge() {
        assert_eq!(rule_name("prices", 1), "prices-schedule");
        assert_eq!(rule_name("prices", 2), "prices-schedule-2");
        let long = "f".repeat(80);
        assert_eq!(rule_name(&long, 3).len(), RULE_NAME_MAX);
    }

    #[test]
    fn s3_notifications_compare_events_and_filters() {
        let spec = S3Spec::from(&s3_trigger("in", Some("uploads/"), Some(".csv")));
        let arn = "arn:aws:lambda:eu-west-1:123456789012:function:f";
        let deployed = spec.configuration("lambda-ls-f", arn);
        assert!(spec.matches(&deployed, arn));
        assert!(!spec.matches(
            &deployed,
            "arn:aws:lambda:eu-west-1:123456789012:function:g"
        ));
        let other = S3Spec::from(&s3_trigger("in", Some("uploads/"), None));
        assert!(!other.matches(&deployed, arn));
        // An empty filter is no filter, as S3 reports it back.
        let empty = S3Spec::from(&s3_trigger("in", Some(""), None));
        assert_eq!(empty, S3Spec::from(&s3_trigger("in", None, None)));
        assert!(!other.matches(&deployed, arn));
    }

    #[test]
    fn empty_documents_are_recognised() {
        assert!(is_empty_xml_document(
            br#"<?xml version="1.0" encoding="utf-8"?>
<GetBucketNotificationResponse xmlns="http://s3.amazonaws.com/doc/2006-03-01/"/>"#
        ));
        assert!(is_empty_xml_document(
            b"<NotificationConfiguration></NotificationConfiguration>"
        ));
        assert!(!is_empty_xml_document(
            b"<NotificationConfiguration><TopicConfiguration/></NotificationConfiguration>"
        ));
    }

    #[test]
    fn statement_ids_are_read_from_the_policy() {
        let policy = r#"{"Version":"2012-10-17","Statement":[{"Sid":"a"},{"Sid":"b"}]}"#;
        assert_eq!(
            statement_ids(policy),
            HashSet::from(["a".to_string(), "b".to_string()])
        );
        assert!(statement_ids("not json").is_empty());
    }
}
