use std::path::Path;

use super::*;
use crate::ide::Severity;
use crate::project::runtimes::Date;
use crate::project::{Architecture, EnvValue, Source};

const TODAY: Date = Date::new(2026, 11, 26);

fn touch(root: &Path, rel: &str, contents: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, contents).unwrap();
}

fn analyze_dir(root: &Path, text: &str) -> Template {
    let path = root.join("template.yaml");
    std::fs::write(&path, text).unwrap();
    analyze_on(&path, text, TODAY, &crate::project::Disk)
}

/// The text each diagnostic points at, with its code.
fn located(text: &str, template: &Template) -> Vec<(&'static str, String)> {
    template
        .diagnostics
        .iter()
        .map(|d| (d.code, text[d.range.clone()].to_string()))
        .collect()
}

fn function<'t>(template: &'t Template, id: &str) -> &'t SamFunction {
    template
        .functions
        .iter()
        .find(|f| f.logical_id == id)
        .unwrap_or_else(|| panic!("no {id} in {:?}", template.functions))
}

const GLOBALS: &str = r#"AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage:
    Type: String
    Default: dev
  TableName:
    Type: String
Globals:
  Function:
    Runtime: python3.12
    Timeout: 30
    MemorySize: 256
    Architectures: [arm64]
    Layers:
      - arn:aws:lambda:eu-west-1:123456789012:layer:shared:3
    Environment:
      Variables:
        STAGE: !Ref Stage
        LOG_LEVEL: INFO
Resources:
  Orders:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: orders.handler
      FunctionName: !Sub "orders-${Stage}"
      Timeout: 10
      Layers:
        - !Ref DepsLayer
      Environment:
        Variables:
          TABLE: !Ref TableName
          LOG_LEVEL: DEBUG
          QUEUE_URL: !GetAtt Queue.QueueUrl
          PREFIX: !Sub "${Stage}/orders/${AWS::Region}"
      Events:
        Work:
          Type: SQS
          Properties:
            Queue: !GetAtt Queue.Arn
            BatchSize: 5
  Payments:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: payments.handler
      Runtime: python3.13
  DepsLayer:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: layer/
  Queue:
    Type: AWS::SQS::Queue
"#;

#[test]
fn globals_intrinsics_and_a_shared_code_folder() {
    let dir = tempfile::tempdir().unwrap();
    touch(
        dir.path(),
        "src/orders.py",
        "def handler(event, context):\n    pass\n",
    );
    touch(
        dir.path(),
        "src/payments.py",
        "def handler(event, context):\n    pass\n",
    );
    let template = analyze_dir(dir.path(), GLOBALS);
    assert!(
        template.diagnostics.is_empty(),
        "{:?}",
        template.diagnostics
    );
    assert_eq!(template.functions.len(), 2);

    let orders = function(&template, "Orders");
    let c = &orders.function.config;
    assert_eq!(orders.function.dir, dir.path().join("src"));
    assert_eq!(c.name.value, "orders-dev");
    assert_eq!(
        (c.handler.value.as_str(), c.handler.source),
        ("orders.handler", Source::Template)
    );
    assert_eq!(
        (c.runtime.value.as_str(), c.runtime.source),
        ("python3.12", Source::TemplateGlobals)
    );
    assert_eq!((c.timeout.value, c.timeout.source), (10, Source::Template));
    assert_eq!(
        (c.memory.value, c.memory.source),
        (256, Source::TemplateGlobals)
    );
    assert_eq!(c.architecture.value, Architecture::Arm64);
    let env = |name: &str| c.environment.get(name).cloned();
    assert_eq!(env("STAGE"), Some(EnvValue::Literal("dev".into())));
    assert_eq!(env("LOG_LEVEL"), Some(EnvValue::Literal("DEBUG".into())));
    assert_eq!(
        env("TABLE"),
        Some(EnvValue::AtDeploy("!Ref TableName".into()))
    );
    assert_eq!(
        env("QUEUE_URL"),
        Some(EnvValue::AtDeploy("!GetAtt Queue.QueueUrl".into()))
    );
    assert_eq!(
        env("PREFIX"),
        Some(EnvValue::AtDeploy(
            "!Sub \"${Stage}/orders/${AWS::Region}\"".into()
        ))
    );
    assert!(c.has_environment_table);
    assert_eq!(
        orders.layers,
        [
            Resolved::Known("arn:aws:lambda:eu-west-1:123456789012:layer:shared:3".into()),
            Resolved::AtDeploy("!Ref DepsLayer".into())
        ]
    );
    assert_eq!(c.triggers.len(), 1);
    let crate::project::Trigger::Sqs(sqs) = &c.triggers[0] else {
        panic!("an SQS trigger: {:?}", c.triggers[0]);
    };
    assert_eq!(sqs.batch_size, Some(5));

    let payments = function(&template, "Payments");
    assert_eq!(payments.function.dir, orders.function.dir);
    assert_eq!(payments.function.config.name.value, "Payments");
    assert_eq!(payments.function.config.runtime.source, Source::Template);
    assert_eq!(payments.function.config.timeout.value, 30);
    assert!(payments.function.config.triggers.is_empty());
    assert_eq!(payments.function.source_label(), "template.yaml#Payments");
}

#[test]
fn handler_problems_point_at_the_module_or_the_function_name() {
    let dir = tempfile::tempdir().unwrap();
    touch(
        dir.path(),
        "fn/app.py",
        "def lambda_handler(event, context):\n    pass\n",
    );
    let text = r#"Resources:
  Missing:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: ap.lambda_handler
      Runtime: python3.13
  Misnamed:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: "app.lambda_handlr"
      Runtime: python3.13
  Malformed:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: fn
      Handler: my-app.handler
      Runtime: python3.13
  NoFolder:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: nowhere/
      Handler: app.lambda_handler
      Runtime: python3.13
"#;
    let template = analyze_dir(dir.path(), text);
    assert_eq!(
        located(text, &template),
        [
            (codes::HANDLER_MODULE_MISSING, "ap".to_string()),
            (codes::HANDLER_FUNCTION_MISSING, "lambda_handlr".to_string()),
            (codes::MALFORMED_HANDLER, "my-app.handler".to_string()),
            (codes::CODE_FOLDER_MISSING, "nowhere/".to_string()),
        ]
    );
    let message = |i: usize| template.diagnostics[i].message.as_str();
    assert!(message(0).contains("Did you mean `app`?"), "{}", message(0));
    assert!(
        message(1).contains("Did you mean `lambda_handler`?"),
        "{}",
        message(1)
    );
}

#[test]
fn runtimes_memory_timeouts_architectures_and_events() {
    let dir = tempfile::tempdir().unwrap();
    touch(
        dir.path(),
        "app.py",
        "def handler(event, context):\n    pass\n",
    );
    let text = r#"Globals:
  Function:
    Runtime: python3.9
Resources:
  Old:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      MemorySize: 64
      Timeout: 901
  Blocked:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.8
      Architectures: [x86]
  Typo:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Runtime: python3.31
      Events:
        Q:
          Type: Sqs
        Alexa:
          Type: AlexaSkill
  Node:
    Type: AWS::Serverless::Function
    Properties:
      Handler: index.handler
      Runtime: nodejs22.x
"#;
    let template = analyze_dir(dir.path(), text);
    assert_eq!(
        located(text, &template),
        [
            (codes::DEPRECATED_RUNTIME, "python3.9".to_string()),
            (codes::OUT_OF_RANGE, "64".to_string()),
            (codes::OUT_OF_RANGE, "901".to_string()),
            (codes::BLOCKED_RUNTIME, "python3.8".to_string()),
            (codes::INVALID_VALUE, "x86".to_string()),
            (codes::UNKNOWN_RUNTIME, "python3.31".to_string()),
            (codes::UNKNOWN_EVENT_TYPE, "Sqs".to_string()),
            (codes::UNKNOWN_EVENT_TYPE, "AlexaSkill".to_string()),
        ]
    );
    let severities: Vec<_> = template.diagnostics.iter().map(|d| d.severity).collect();
    assert_eq!(severities[0], Severity::Warning);
    assert_eq!(severities[6], Severity::Hint);
    assert_eq!(template.diagnostics[4].fixes[0].edits[0].new_text, "x86_64");
    assert_eq!(template.diagnostics[6].fixes[0].edits[0].new_text, "SQS");
    // Node.js is not ours; the others are, with defaults where the value was refused.
    let ids: Vec<_> = template
        .functions
        .iter()
        .map(|f| f.logical_id.as_str())
        .collect();
    assert_eq!(ids, ["Old", "Blocked", "Typo"]);
    assert_eq!(template.functions[0].function.config.memory.value, 128);
    assert_eq!(template.functions[0].function.dir, dir.path());
}

#[test]
fn a_yaml_error_is_one_located_diagnostic() {
    let text = "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n   Properties: [\n";
    let template = read_on(Path::new("template.yaml"), text, TODAY);
    assert!(template.functions.is_empty());
    assert_eq!(template.diagnostics.len(), 1);
    let d = &template.diagnostics[0];
    assert_eq!(d.code, codes::YAML_SYNTAX);
    assert_eq!(&text[d.range.clone()], "P");
    assert!(d.message.contains("not valid YAML"), "{}", d.message);
}

#[test]
fn other_yaml_files_and_remote_code_are_not_functions() {
    let not_cloudformation = read_on(
        Path::new("template.yaml"),
        "name: my site\nlayout: x\n",
        TODAY,
    );
    assert!(not_cloudformation.functions.is_empty());
    assert!(not_cloudformation.diagnostics.is_empty());
    let text = r#"Resources:
  Image:
    Type: AWS::Serverless::Function
    Properties:
      PackageType: Image
  Remote:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/code.zip
      Handler: app.handler
      Runtime: python3.13
  Inline:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: "def handler(e, c): pass"
      Handler: index.handler
      Runtime: python3.13
  Plain:
    Type: AWS::Lambda::Function
    Properties:
      Code: build/plain
      Handler: main.run
      Runtime: python3.13
      MemorySize: 1024
  PlainInline:
    Type: AWS::Lambda::Function
    Properties:
      Code:
        ZipFile: "def run(e, c): pass"
      Handler: index.run
      Runtime: python3.13
"#;
    let template = read_on(Path::new("/p/template.yaml"), text, TODAY);
    let ids: Vec<_> = template
        .functions
        .iter()
        .map(|f| f.logical_id.as_str())
        .collect();
    assert_eq!(ids, ["Plain"]);
    assert_eq!(
        template.functions[0].function.dir,
        Path::new("/p/build/plain")
    );
    assert_eq!(template.functions[0].function.config.memory.value, 1024);
}

#[test]
fn function_urls_and_missing_properties() {
    let text = r#"Resources:
  Web:
    Type: AWS::Serverless::Function
    Properties:
      FunctionUrlConfig:
        AuthType: NONE
        Cors:
          AllowOrigins: ["*"]
"#;
    let template = read_on(Path::new("template.yaml"), text, TODAY);
    let web = function(&template, "Web");
    assert_eq!(
        web.function.config.triggers[0],
        crate::project::Trigger::FunctionUrl(crate::project::FunctionUrlTrigger {
            auth: crate::project::UrlAuth::None,
            cors: true
        })
    );
    let codes: Vec<_> = template.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [codes::MISSING_PROPERTY, codes::MISSING_PROPERTY]);
    assert_eq!(&text[template.diagnostics[0].range.clone()], "Web");
}

#[test]
fn listing_merges_folders_and_templates() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    touch(
        root,
        "template.yaml",
        r#"Resources:
  Console:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: console
      Handler: app.main
      Runtime: python3.13
  Owned:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: owned
      Handler: app.main
      Runtime: python3.13
"#,
    );
    // A console-style folder the template describes (its handler is `app.main`, not the
    // console's `lambda_function.lambda_handler`), and a folder with its own lambda.toml.
    touch(root, "console/lambda_function.py", "");
    touch(
        root,
        "console/app.py",
        "def main(event, context):\n    pass\n",
    );
    touch(
        root,
        "owned/lambda.toml",
        "name = \"owned-by-toml\"\nhandler = \"app.main\"\n",
    );
    touch(
        root,
        "owned/app.py",
        "def main(event, context):\n    pass\n",
    );
    touch(
        root,
        "other/lambda_function.py",
        "def lambda_handler(event, context):\n    pass\n",
    );
    let found = functions_under(&mut Functions::default(), root).functions;
    let listed: Vec<_> = found
        .iter()
        .map(|f| (f.config.name.value.as_str(), f.source_label()))
        .collect();
    assert_eq!(
        listed,
        [
            ("Console", "template.yaml#Console".to_string()),
            ("other", "defaults".to_string()),
            ("owned-by-toml", "lambda.toml".to_string()),
        ]
    );
    assert_eq!(found[0].config.handler.value, "app.main");

    // From inside a code folder, the template above is found.
    let inside = functions_under(&mut Functions::default(), &root.join("console")).functions;
    assert_eq!(inside.len(), 1);
    assert_eq!(inside[0].source_label(), "template.yaml#Console");

    // The template notes that the lambda.toml wins.
    let text = std::fs::read_to_string(root.join("template.yaml")).unwrap();
    let template = analyze_dir(root, &text);
    assert_eq!(
        located(&text, &template),
        [(codes::LAMBDA_TOML_WINS, "Owned".to_string())]
    );
}

fn fixture(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/fixtures/sam")
        .join(name)
}

fn analyze_fixture(name: &str) -> Template {
    let path = fixture(name).join("template.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    analyze_on(&path, &text, TODAY, &crate::project::Disk)
}

#[test]
fn the_sam_init_projects_and_the_shop_are_clean() {
    for name in [
        "sam-init/hello-world",
        "sam-init/eventbridge-hello",
        "sam-init/stock-trader",
        "sam-init/quick-start-web",
        "sam-init/hello-powertools",
        "shop",
    ] {
        let template = analyze_fixture(name);
        assert!(!template.functions.is_empty(), "{name}");
        assert!(
            template.diagnostics.is_empty(),
            "{name}: {:?}",
            template.diagnostics
        );
    }
}

#[test]
fn the_problems_fixture_shows_each_problem_where_it_is_written() {
    let template = analyze_fixture("problems");
    let text = &template.text;
    let line_of = |offset: usize| text[..offset].matches('\n').count() + 1;
    let found: Vec<(usize, &str, &str)> = template
        .diagnostics
        .iter()
        .map(|d| (line_of(d.range.start), d.code, &text[d.range.clone()]))
        .collect();
    assert_eq!(
        found,
        [
            (11, codes::BLOCKED_RUNTIME, "python3.8"),
            (12, codes::OUT_OF_RANGE, "20000"),
            (13, codes::OUT_OF_RANGE, "0"),
            (19, codes::HANDLER_MODULE_MISSING, "ap"),
            (26, codes::HANDLER_FUNCTION_MISSING, "handle"),
            (30, codes::UNKNOWN_EVENT_TYPE, "S3Event"),
            (35, codes::CODE_FOLDER_MISSING, "nowhere/"),
            (39, codes::LAMBDA_TOML_WINS, "OwnedFunction"),
        ]
    );
    let broken = analyze_fixture("broken");
    assert_eq!(broken.diagnostics.len(), 1);
    assert_eq!(broken.diagnostics[0].code, codes::YAML_SYNTAX);
}
