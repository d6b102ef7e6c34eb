//! AWS: deploying a function, its triggers and remote invoke, reading its CloudWatch logs
//! and metrics, through the AWS SDK and
//! aws-config's default chain (environment, profiles with SSO, the EC2 instance role), with
//! the standard endpoint overrides (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_LAMBDA`, …) so that
//! LocalStack or moto can stand in for AWS.

pub mod api_gateway;
pub mod deploy;
mod errors;
pub mod http_api;
pub mod log_lines;
pub mod logs;
pub mod metrics;
pub mod remote_invoke;
pub mod rest_api;
pub mod stack_sync;
pub mod triggers;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_lambda::config::ProvideCredentials;

pub(crate) use errors::describe as describe_error;
pub use errors::AwsError;

/// Clients for the services lambda-ls talks to, all from one resolved configuration.
#[derive(Clone)]
pub struct Aws {
    pub lambda: aws_sdk_lambda::Client,
    pub s3: aws_sdk_s3::Client,
    pub events: aws_sdk_eventbridge::Client,
    pub sts: aws_sdk_sts::Client,
    pub logs: aws_sdk_cloudwatchlogs::Client,
    pub cloudwatch: aws_sdk_cloudwatch::Client,
    pub apigateway: aws_sdk_apigateway::Client,
    pub apigatewayv2: aws_sdk_apigatewayv2::Client,
    pub cloudformation: aws_sdk_cloudformation::Client,
    /// The region every client talks to.
    pub region: String,
}

impl Aws {
    /// Resolve credentials and region the way the AWS CLI does; `region` (from `lambda.toml`)
    /// wins over the environment and the profile. Fails early, in one sentence, when there
    /// is no region or no credentials.
    pub async fn connect(region: Option<&str>) -> Result<Aws, AwsError> {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(region) = region {
            loader = loader.region(Region::new(region.to_string()));
        }
        let config = loader.load().await;
        let region = config
            .region()
            .map(|r| r.as_ref().to_string())
            .ok_or(AwsError::NoRegion)?;
        check_credentials(&config).await?;
        Ok(Aws::from_config(&config, region))
    }

    fn from_config(config: &SdkConfig, region: String) -> Aws {
        // Emulators are reached by IP or `localhost`, where bucket-named virtual hosts do not
        // resolve: address buckets in the path whenever an endpoint is overridden.
        let s3_overridden =
            config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
        let s3_config = aws_sdk_s3::config::Builder::from(config)
            .force_path_style(s3_overridden)
            .build();
        Aws {
            lambda: aws_sdk_lambda::Client::new(config),
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            events: aws_sdk_eventbridge::Client::new(config),
            sts: aws_sdk_sts::Client::new(config),
            logs: aws_sdk_cloudwatchlogs::Client::new(config),
            cloudwatch: aws_sdk_cloudwatch::Client::new(config),
            apigateway: aws_sdk_apigateway::Client::new(config),
            apigatewayv2: aws_sdk_apigatewayv2::Client::new(config),
            cloudformation: aws_sdk_cloudformation::Client::new(config),
            region,
        }
    }

    /// The account the credentials belong to (STS GetCallerIdentity).
    pub async fn account(&self) -> Result<String, AwsError> {
        let identity = self
            .sts
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| errors::describe("GetCallerIdentity", "sts", &self.region, &e))?;
        Ok(identity.account().unwrap_or_default().to_string())
    }
}

async fn check_credentials(config: &SdkConfig) -> Result<(), AwsError> {
    let provider = config
        .credentials_provider()
        .ok_or_else(|| AwsError::NoCredentials("no credential provider is configured".into()))?;
    provider
        .provide_credentials()
        .await
        .map(|_| ())
        .map_err(|e| {
            AwsError::NoCredentials(aws_sdk_lambda::error::DisplayErrorContext(&e).to_string())
        })
}

/// The endpoint a service (`lambda`, `s3`, `events`, `sts`, `logs`, `monitoring`,
/// `apigateway`, `apigatewayv2`) is reached at, for messages: the override when one is set
/// (`AWS_ENDPOINT_URL_<SERVICE ID>`, else `AWS_ENDPOINT_URL`).
pub(crate) fn endpoint_for(service: &str, region: &str) -> String {
    // The variables are named after the SDK's service id, not the host name.
    let (service_id, host) = match service {
        "events" => ("EVENTBRIDGE".to_string(), service),
        "logs" => ("CLOUDWATCH_LOGS".to_string(), service),
        "monitoring" => ("CLOUDWATCH".to_string(), service),
        "apigateway" => ("API_GATEWAY".to_string(), service),
        "apigatewayv2" => ("APIGATEWAYV2".to_string(), "apigateway"),
        other => (other.to_uppercase(), other),
    };
    std::env::var(format!("AWS_ENDPOINT_URL_{service_id}"))
        .or_else(|_| std::env::var("AWS_ENDPOINT_URL"))
        .unwrap_or_else(|_| format!("https://{host}.{region}.amazonaws.com"))
}
