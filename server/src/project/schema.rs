//! The `lambda.toml` schema as data: every key with its type, documentation, default and
//! allowed values. Validation, completion and hover are generic walks over these tables, so
//! adding a key or a trigger type is adding a row here.

/// The TOML shape a key's value must have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    String,
    Integer,
    Boolean,
    StringArray,
    /// A `[table]` of user-named entries (`[environment]`).
    EnvironmentTable,
    /// `[[trigger]]` tables.
    TriggerArray,
    /// `true`/`false`, or a table of these keys (`cors = { origins = [...] }`).
    BooleanOrTable(&'static [KeySpec]),
}

impl ValueType {
    /// How the type is named in messages and completion details.
    pub fn describe(self) -> &'static str {
        match self {
            ValueType::String => "a string",
            ValueType::Integer => "an integer",
            ValueType::Boolean => "a boolean (true or false)",
            ValueType::StringArray => "an array of strings",
            ValueType::EnvironmentTable => "a table ([environment])",
            ValueType::TriggerArray => "an array of tables ([[trigger]])",
            ValueType::BooleanOrTable(_) => "a boolean or a table",
        }
    }
}

/// One value a key accepts, with what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllowedValue {
    pub value: &'static str,
    pub doc: &'static str,
}

/// What a value must satisfy beyond its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Constraint {
    None,
    /// Inclusive integer range, with the unit for messages.
    Range {
        min: i64,
        max: i64,
        unit: &'static str,
    },
    /// Exactly one of these strings.
    OneOf(&'static [AllowedValue]),
    /// Every array element is one of these patterns (`*` at the end matches any suffix).
    EachOneOf(&'static [AllowedValue]),
    /// A Lambda Python runtime identifier (see `runtimes`).
    Runtime,
    /// `module.function`.
    Handler,
    /// A Lambda function name.
    FunctionName,
    /// An IAM role ARN.
    RoleArn,
    /// An AWS region code.
    Region,
    /// An ARN of the given service (`sqs`, `sns`, `dynamodb`, `kinesis`, …).
    Arn(&'static str),
    /// Layer version ARNs, at most five, none twice.
    LayerArns,
    /// `rate(…)` or `cron(…)`.
    ScheduleExpression,
    /// One of the trigger types (`TRIGGERS`).
    TriggerType,
    /// An S3 bucket name.
    BucketName,
    /// An API Gateway resource path (`/sum`, `/items/{id}`, `/{proxy+}`).
    ResourcePath,
    /// An API Gateway REST API stage name.
    StageName,
}

/// One key of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub name: &'static str,
    pub ty: ValueType,
    /// Markdown documentation, one short paragraph.
    pub doc: &'static str,
    /// The effective value when the key is absent, as shown to the user.
    pub default: Option<&'static str>,
    pub constraint: Constraint,
    /// Whether the table is incomplete without it.
    pub required: bool,
}

const fn key(
    name: &'static str,
    ty: ValueType,
    doc: &'static str,
    default: Option<&'static str>,
    constraint: Constraint,
) -> KeySpec {
    KeySpec {
        name,
        ty,
        doc,
        default,
        constraint,
        required: false,
    }
}

const fn required(spec: KeySpec) -> KeySpec {
    KeySpec {
        required: true,
        ..spec
    }
}

use Constraint as C;
use ValueType as T;

const ARCHITECTURES: &[AllowedValue] = &[
    AllowedValue {
        value: "x86_64",
        doc: "64-bit x86 (Intel/AMD). Lambda's default.",
    },
    AllowedValue {
        value: "arm64",
        doc: "64-bit ARM (AWS Graviton2): about 20% cheaper per GB-second; native wheels must be built for aarch64.",
    },
];

/// Top-level keys of `lambda.toml`.
pub const ROOT_KEYS: &[KeySpec] = &[
    key(
        "name",
        T::String,
        "The Lambda function name: 1–64 letters, digits, hyphens or underscores.",
        Some("the folder name"),
        C::FunctionName,
    ),
    key(
        "handler",
        T::String,
        "The function Lambda calls, as `module.function`: `app.handler` calls `handler` in `app.py`; the module may be dotted (`pkg.mod.handler` → `pkg/mod.py`) or a path (`src/app.handler` → `src/app.py`).",
        Some("lambda_function.lambda_handler"),
        C::Handler,
    ),
    key(
        "runtime",
        T::String,
        "The Lambda Python runtime identifier.",
        Some("python3.13"),
        C::Runtime,
    ),
    key(
        "architecture",
        T::String,
        "The instruction set the function runs on.",
        Some("x86_64"),
        C::OneOf(ARCHITECTURES),
    ),
    key(
        "memory",
        T::Integer,
        "Memory in MB, 128–10240. CPU is allocated in proportion: 1769 MB is one full vCPU.",
        Some("128"),
        C::Range {
            min: 128,
            max: 10240,
            unit: "MB",
        },
    ),
    key(
        "timeout",
        T::Integer,
        "Maximum run time of one invocation in seconds, 1–900 (15 minutes). Local invoke enforces it too.",
        Some("3"),
        C::Range {
            min: 1,
            max: 900,
            unit: "seconds",
        },
    ),
    key(
        "role",
        T::String,
        "The execution role's ARN (`arn:aws:iam::123456789012:role/name`). Without it, deploy creates a basic execution role.",
        None,
        C::RoleArn,
    ),
    key(
        "region",
        T::String,
        "The AWS region to deploy to (`eu-west-1`). Without it, the AWS configuration's region (AWS_REGION, profile) is used.",
        None,
        C::Region,
    ),
    key(
        "environment",
        T::EnvironmentTable,
        "Environment variables: `NAME = \"value\"`, or `NAME = { from_env = \"VAR\" }` to read the value from your shell or the function folder's `.env` at invoke/deploy time, so secrets never sit in this file.",
        Some("no variables"),
        C::None,
    ),
    key(
        "requirements",
        T::String,
        "The requirements file to install into the package, relative to the function folder.",
        Some("requirements.txt when present"),
        C::None,
    ),
    key(
        "exclude",
        T::StringArray,
        "Extra glob patterns of files to leave out of the deployment package (`tests/**`, `*.md`).",
        Some("[]"),
        C::None,
    ),
    key(
        "s3_bucket",
        T::String,
        "An S3 bucket to upload packages through when they exceed the 50 MB direct-upload limit.",
        None,
        C::BucketName,
    ),
    key(
        "python",
        T::String,
        "The local Python interpreter for invoke and packaging (path or command), instead of a CPython of the runtime's version (`.venv/bin/python` to use your own environment).",
        Some("the runtime's Python: uv's, pyenv's, or python3.X on PATH"),
        C::None,
    ),
    key(
        "layers",
        T::StringArray,
        "Lambda layers, at most 5, as layer version ARNs (`arn:aws:lambda:REGION:ACCOUNT:layer:NAME:VERSION`), in the order Lambda applies them. `deploy` sets them on the function; local invoke downloads each once with your AWS credentials and puts its `python` folders on `sys.path` after the function's own code, as Lambda does with `/opt/python`.",
        Some("no layers (deploy leaves the deployed function's layers alone)"),
        C::LayerArns,
    ),
    key(
        "trigger",
        T::TriggerArray,
        "Event sources, one `[[trigger]]` table each with a `type` (`s3`, `sqs`, `schedule`, …). The type also selects the event shape used by completion and test events.",
        Some("no triggers"),
        C::None,
    ),
];

/// Keys of an `[environment]` value's inline table (`{ from_env = "VAR" }`).
pub const ENV_VALUE_KEYS: &[KeySpec] = &[required(key(
    "from_env",
    T::String,
    "The name of a variable in your shell's environment (or the function folder's `.env`) whose value is used at invoke and deploy time.",
    None,
    C::None,
))];

/// The `type` key every `[[trigger]]` has.
pub const TRIGGER_TYPE_KEY: KeySpec = required(key(
    "type",
    T::String,
    "The event source: one of the event sample folders (`s3`, `sqs`, `schedule`, `api`, …).",
    None,
    C::TriggerType,
));

const ENABLED: KeySpec = key(
    "enabled",
    T::Boolean,
    "Whether the event source mapping or rule is active.",
    Some("true"),
    C::None,
);

const BATCH_SIZE: KeySpec = key(
    "batch_size",
    T::Integer,
    "Maximum records per invocation (1–10000).",
    Some("100 (SQS: 10)"),
    C::Range {
        min: 1,
        max: 10000,
        unit: "records",
    },
);

const STREAM_POSITIONS: &[AllowedValue] = &[
    AllowedValue {
        value: "LATEST",
        doc: "Only records added after the mapping is created.",
    },
    AllowedValue {
        value: "TRIM_HORIZON",
        doc: "All records still in the stream, oldest first.",
    },
];

const STARTING_POSITION: KeySpec = key(
    "starting_position",
    T::String,
    "Where to start reading the stream.",
    Some("LATEST"),
    C::OneOf(STREAM_POSITIONS),
);

const S3_EVENTS: &[AllowedValue] = &[
    AllowedValue {
        value: "s3:ObjectCreated:*",
        doc: "Any object creation (Put, Post, Copy, CompleteMultipartUpload).",
    },
    AllowedValue {
        value: "s3:ObjectCreated:Put",
        doc: "Objects created by PUT.",
    },
    AllowedValue {
        value: "s3:ObjectCreated:Post",
        doc: "Objects created by POST.",
    },
    AllowedValue {
        value: "s3:ObjectCreated:Copy",
        doc: "Objects created by copy.",
    },
    AllowedValue {
        value: "s3:ObjectCreated:CompleteMultipartUpload",
        doc: "Objects created by multipart upload.",
    },
    AllowedValue {
        value: "s3:ObjectRemoved:*",
        doc: "Any object deletion.",
    },
    AllowedValue {
        value: "s3:ObjectRemoved:Delete",
        doc: "Objects deleted.",
    },
    AllowedValue {
        value: "s3:ObjectRemoved:DeleteMarkerCreated",
        doc: "Delete markers created in versioned buckets.",
    },
    AllowedValue {
        value: "s3:ObjectRestore:*",
        doc: "Glacier restores (post and completed).",
    },
    AllowedValue {
        value: "s3:LifecycleExpiration:*",
        doc: "Lifecycle expirations.",
    },
    AllowedValue {
        value: "s3:LifecycleTransition",
        doc: "Lifecycle storage-class transitions.",
    },
    AllowedValue {
        value: "s3:IntelligentTiering",
        doc: "Intelligent-Tiering archive moves.",
    },
    AllowedValue {
        value: "s3:ObjectTagging:*",
        doc: "Object tags added or removed.",
    },
    AllowedValue {
        value: "s3:ObjectAcl:Put",
        doc: "Object ACL changes.",
    },
    AllowedValue {
        value: "s3:Replication:*",
        doc: "Replication events.",
    },
    AllowedValue {
        value: "s3:ReducedRedundancyLostObject",
        doc: "RRS object lost.",
    },
];

const S3_KEYS: &[KeySpec] = &[
    required(key(
        "bucket",
        T::String,
        "The bucket whose notifications invoke the function.",
        None,
        C::BucketName,
    )),
    key(
        "events",
        T::StringArray,
        "The S3 event types that invoke the function.",
        Some("[\"s3:ObjectCreated:*\"]"),
        C::EachOneOf(S3_EVENTS),
    ),
    key(
        "prefix",
        T::String,
        "Only keys starting with this prefix (`uploads/`).",
        None,
        C::None,
    ),
    key(
        "suffix",
        T::String,
        "Only keys ending with this suffix (`.csv`).",
        None,
        C::None,
    ),
];

const SCHEDULE_KEYS: &[KeySpec] = &[
    required(key(
        "schedule",
        T::String,
        "When to run: `rate(5 minutes)` (value and unit: minute(s), hour(s), day(s)) or `cron(0 12 * * ? *)` (six fields: minutes hours day-of-month month day-of-week year, UTC).",
        None,
        C::ScheduleExpression,
    )),
    key(
        "input",
        T::String,
        "A constant JSON document sent as the event instead of the scheduled-event payload.",
        None,
        C::None,
    ),
    key(
        "description",
        T::String,
        "A description of the rule.",
        None,
        C::None,
    ),
    ENABLED,
];

const URL_AUTH: &[AllowedValue] = &[
    AllowedValue {
        value: "AWS_IAM",
        doc: "Only signed requests from IAM principals allowed by the function's policy.",
    },
    AllowedValue {
        value: "NONE",
        doc: "Public: anyone with the URL can invoke the function.",
    },
];

const FUNCTION_URL_KEYS: &[KeySpec] = &[
    key(
        "auth",
        T::String,
        "Who may call the function URL.",
        Some("AWS_IAM"),
        C::OneOf(URL_AUTH),
    ),
    key(
        "cors",
        T::Boolean,
        "Allow browser calls from any origin (CORS `*`).",
        Some("false"),
        C::None,
    ),
];

const SQS_KEYS: &[KeySpec] = &[
    required(key(
        "queue",
        T::String,
        "The queue's ARN (`arn:aws:sqs:eu-west-1:123456789012:my-queue`).",
        None,
        C::Arn("sqs"),
    )),
    BATCH_SIZE,
    key(
        "batching_window",
        T::Integer,
        "Seconds to wait gathering records before invoking (0–300).",
        Some("0"),
        C::Range {
            min: 0,
            max: 300,
            unit: "seconds",
        },
    ),
    key(
        "report_batch_item_failures",
        T::Boolean,
        "Let the handler return `batchItemFailures` so that only failed messages are retried.",
        Some("false"),
        C::None,
    ),
    ENABLED,
];

const SNS_KEYS: &[KeySpec] = &[
    required(key(
        "topic",
        T::String,
        "The topic's ARN (`arn:aws:sns:eu-west-1:123456789012:my-topic`).",
        None,
        C::Arn("sns"),
    )),
    key(
        "filter_policy",
        T::String,
        "A JSON subscription filter policy.",
        None,
        C::None,
    ),
];

const DYNAMODB_KEYS: &[KeySpec] = &[
    required(key(
        "stream",
        T::String,
        "The table stream's ARN (`arn:aws:dynamodb:…:table/name/stream/…`).",
        None,
        C::Arn("dynamodb"),
    )),
    BATCH_SIZE,
    STARTING_POSITION,
    ENABLED,
];

const KINESIS_KEYS: &[KeySpec] = &[
    required(key(
        "stream",
        T::String,
        "The stream's ARN (`arn:aws:kinesis:eu-west-1:123456789012:stream/name`).",
        None,
        C::Arn("kinesis"),
    )),
    BATCH_SIZE,
    STARTING_POSITION,
    ENABLED,
];

const HTTP_METHODS: &[AllowedValue] = &[
    AllowedValue {
        value: "ANY",
        doc: "Every method.",
    },
    AllowedValue {
        value: "GET",
        doc: "",
    },
    AllowedValue {
        value: "POST",
        doc: "",
    },
    AllowedValue {
        value: "PUT",
        doc: "",
    },
    AllowedValue {
        value: "PATCH",
        doc: "",
    },
    AllowedValue {
        value: "DELETE",
        doc: "",
    },
    AllowedValue {
        value: "HEAD",
        doc: "",
    },
    AllowedValue {
        value: "OPTIONS",
        doc: "",
    },
];

const API_METHOD: KeySpec = key(
    "method",
    T::String,
    "The HTTP method routed to the function.",
    Some("ANY"),
    C::OneOf(HTTP_METHODS),
);

const REST_API_KEYS: &[KeySpec] = &[
    key(
        "path",
        T::String,
        "The resource path (`/sum`, `/items/{id}`); `/{proxy+}` takes every path.",
        Some("/{proxy+}"),
        C::ResourcePath,
    ),
    API_METHOD,
    key(
        "stage",
        T::String,
        "The stage the API is deployed to: its URL is `https://{api-id}.execute-api.{region}.amazonaws.com/{stage}/…`. Letters, digits, hyphens and underscores.",
        Some("default"),
        C::StageName,
    ),
];

const CORS_KEYS: &[KeySpec] = &[
    key(
        "origins",
        T::StringArray,
        "The origins browsers may call from (`[\"https://example.com\"]`).",
        Some("[\"*\"] (any)"),
        C::None,
    ),
    key(
        "methods",
        T::StringArray,
        "The methods browsers may use (`[\"GET\", \"POST\"]`).",
        Some("[\"*\"] (any)"),
        C::None,
    ),
    key(
        "headers",
        T::StringArray,
        "The request headers browsers may send (`[\"content-type\"]`).",
        Some("[\"*\"] (any)"),
        C::None,
    ),
];

const HTTP_API_KEYS: &[KeySpec] = &[
    key(
        "path",
        T::String,
        "The route's path (`/sum`, `/items/{id}`); `/{proxy+}` takes every path.",
        Some("`/<function name>`, as the console's trigger does"),
        C::ResourcePath,
    ),
    API_METHOD,
    key(
        "cors",
        T::BooleanOrTable(CORS_KEYS),
        "Let browsers on other origins call the API: `true` allows any origin, method and header; a table (`{ origins = [\"https://example.com\"], methods = [\"GET\"], headers = [\"content-type\"] }`) allows only those.",
        Some("false"),
        C::None,
    ),
];

const EVENTBRIDGE_KEYS: &[KeySpec] = &[
    key(
        "pattern",
        T::String,
        "The rule's event pattern as JSON (`{\"source\": [\"aws.ec2\"]}`).",
        None,
        C::None,
    ),
    key(
        "bus",
        T::String,
        "The event bus name.",
        Some("default"),
        C::None,
    ),
    ENABLED,
];

/// One `[[trigger]] type` with the keys it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TriggerSpec {
    /// The `type` value: an event sample folder name.
    pub kind: &'static str,
    pub doc: &'static str,
    /// Keys besides `type`.
    pub keys: &'static [KeySpec],
    /// Whether keys not listed are accepted (sources whose settings are not modelled yet).
    pub open: bool,
}

const fn trigger(
    kind: &'static str,
    doc: &'static str,
    keys: &'static [KeySpec],
    open: bool,
) -> TriggerSpec {
    TriggerSpec {
        kind,
        doc,
        keys,
        open,
    }
}

/// Every trigger type: the folder names of the event samples (`events/`), one per source.
pub const TRIGGERS: &[TriggerSpec] = &[
    trigger("s3", "S3 bucket notifications.", S3_KEYS, false),
    trigger(
        "api",
        "API Gateway REST API, Lambda proxy integration (payload v1).",
        REST_API_KEYS,
        false,
    ),
    trigger(
        "http-api",
        "API Gateway HTTP API (payload v2).",
        HTTP_API_KEYS,
        false,
    ),
    trigger("api-websocket", "API Gateway WebSocket API.", &[], true),
    trigger(
        "api-authorizer",
        "API Gateway Lambda authorizer (token or request).",
        &[],
        true,
    ),
    trigger(
        "function-url",
        "A Lambda function URL (payload v2 shape).",
        FUNCTION_URL_KEYS,
        false,
    ),
    trigger("alb", "Application Load Balancer target.", &[], true),
    trigger(
        "schedule",
        "An EventBridge scheduled rule (`rate(…)` / `cron(…)`).",
        SCHEDULE_KEYS,
        false,
    ),
    trigger(
        "eventbridge",
        "EventBridge events from AWS services or your own.",
        EVENTBRIDGE_KEYS,
        false,
    ),
    trigger("sqs", "An SQS queue event source mapping.", SQS_KEYS, false),
    trigger("sns", "An SNS topic subscription.", SNS_KEYS, false),
    trigger(
        "dynamodb",
        "A DynamoDB stream event source mapping.",
        DYNAMODB_KEYS,
        false,
    ),
    trigger(
        "kinesis",
        "A Kinesis data stream event source mapping.",
        KINESIS_KEYS,
        false,
    ),
    trigger(
        "firehose",
        "Kinesis Data Firehose record transformation.",
        &[],
        true,
    ),
    trigger("kafka", "MSK or self-managed Apache Kafka.", &[], true),
    trigger("activemq", "Amazon MQ for ActiveMQ.", &[], true),
    trigger("rabbitmq", "Amazon MQ for RabbitMQ.", &[], true),
    trigger(
        "cloudwatch-logs",
        "CloudWatch Logs subscription filter.",
        &[],
        true,
    ),
    trigger(
        "cognito-user-pool",
        "Cognito user pool triggers.",
        &[],
        true,
    ),
    trigger("ses", "SES receipt rules.", &[], true),
    trigger("secretsmanager", "Secrets Manager rotation.", &[], true),
    trigger("config", "AWS Config custom rules.", &[], true),
    trigger("codecommit", "CodeCommit repository triggers.", &[], true),
    trigger("codepipeline", "CodePipeline job invocations.", &[], true),
    trigger(
        "cloudformation",
        "CloudFormation custom resources.",
        &[],
        true,
    ),
    trigger("s3-batch", "S3 Batch Operations jobs.", &[], true),
    trigger(
        "s3-object-lambda",
        "S3 Object Lambda access points.",
        &[],
        true,
    ),
    trigger("appsync", "AppSync resolvers.", &[], true),
    trigger("iot", "AWS IoT rules.", &[], true),
    trigger("connect", "Amazon Connect contact flows.", &[], true),
    trigger("lex", "Amazon Lex bots.", &[], true),
    trigger(
        "kinesis-analytics",
        "Kinesis Data Analytics preprocessing.",
        &[],
        true,
    ),
    trigger(
        "clientvpn",
        "Client VPN connection authorization.",
        &[],
        true,
    ),
];

/// The trigger type named `kind`.
pub fn trigger_spec(kind: &str) -> Option<&'static TriggerSpec> {
    TRIGGERS.iter().find(|t| t.kind == kind)
}

/// The key named `name` among `keys`.
pub fn find_key(keys: &'static [KeySpec], name: &str) -> Option<&'static KeySpec> {
    keys.iter().find(|k| k.name == name)
}

/// The key a trigger of type `kind` (when known) takes under `name`, `type` included.
pub fn trigger_key(kind: Option<&str>, name: &str) -> Option<&'static KeySpec> {
    if name == TRIGGER_TYPE_KEY.name {
        return Some(&TRIGGER_TYPE_KEY);
    }
    kind.and_then(trigger_spec)
        .and_then(|spec| find_key(spec.keys, name))
}

/// The closest of `candidates` to `typed`, when close enough to be a likely typo.
pub fn did_you_mean<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let typed_lower = typed.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::jaro_winkler(&typed_lower, &c.to_ascii_lowercase()),
                c,
            )
        })
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Environment variable names Lambda sets itself and refuses in a function's configuration.
pub const RESERVED_ENV_NAMES: &[&str] = &[
    "_HANDLER",
    "_X_AMZN_TRACE_ID",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_EXECUTION_ENV",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
    "AWS_LAMBDA_INITIALIZATION_TYPE",
    "AWS_LAMBDA_LOG_GROUP_NAME",
    "AWS_LAMBDA_LOG_STREAM_NAME",
    "AWS_ACCESS_KEY",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_LAMBDA_RUNTIME_API",
    "LAMBDA_TASK_ROOT",
    "LAMBDA_RUNTIME_DIR",
];

/// Whether Lambda reserves `name` (the list above, or any `AWS_LAMBDA_` name).
pub fn is_reserved_env_name(name: &str) -> bool {
    RESERVED_ENV_NAMES.contains(&name) || name.starts_with("AWS_LAMBDA_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_only() {
        assert_eq!(
            did_you_mean("timout", ROOT_KEYS.iter().map(|k| k.name)),
            Some("timeout")
        );
        assert_eq!(
            did_you_mean("schedul", TRIGGERS.iter().map(|t| t.kind)),
            Some("schedule")
        );
        assert_eq!(
            did_you_mean("zzzzzz", ROOT_KEYS.iter().map(|k| k.name)),
            None
        );
    }

    #[test]
    fn reserved_names() {
        assert!(is_reserved_env_name("AWS_REGION"));
        assert!(is_reserved_env_name("AWS_LAMBDA_ANYTHING"));
        assert!(is_reserved_env_name("_HANDLER"));
        assert!(!is_reserved_env_name("MY_AWS_REGION"));
    }

    #[test]
    fn trigger_types_match_the_event_sample_folders_when_present() {
        // The repository's `events/` folder names are the contract; when it is checked out
        // next to this crate, both lists must agree.
        let events = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../events");
        let Ok(entries) = std::fs::read_dir(&events) else {
            eprintln!("no {} here; skipping", events.display());
            return;
        };
        let mut folders: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().map(|t| t.is_dir()).unwrap_or(false))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        folders.sort();
        let mut kinds: Vec<String> = TRIGGERS.iter().map(|t| t.kind.to_string()).collect();
        kinds.sort();
        assert_eq!(folders, kinds);
    }

    #[test]
    fn trigger_kinds_are_unique() {
        let mut kinds: Vec<_> = TRIGGERS.iter().map(|t| t.kind).collect();
        let before = kinds.len();
        kinds.sort();
        kinds.dedup();
        assert_eq!(before, kinds.len());
    }
}
