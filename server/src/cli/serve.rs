//! `lambda-ls serve [DIR]`: a local HTTP endpoint in front of the function, as API Gateway
//! (REST or HTTP API) or a function URL would put it, invoking through warm environments.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use tokio::io::BufReader;
use tokio::net::{TcpListener, TcpStream};

use super::invoke::{timeout_option, Client};
use super::target::Target;
use crate::runtime::gateway::{self, Gateway, HttpRequest, HttpResponse};
use crate::runtime::http::{self, ReadError};
use crate::runtime::{InvokeOptions, Invoker, InvokerSettings};

/// Arguments of `lambda-ls serve`.
#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    target: super::target::Target,
    /// Port on 127.0.0.1 (0 picks a free one).
    #[arg(long, default_value_t = 3000)]
    port: u16,
    /// The runtime client inside the environments.
    #[arg(long, value_enum, default_value = "embedded")]
    client: Client,
    /// Timeout in seconds, instead of the function's configured one.
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<f64>,
    /// Requests handled at once (each in its own environment); more wait in line.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// Pass your AWS credential variables to the function.
    #[arg(long)]
    aws_credentials: bool,
}

/// HTTP APIs accept 10 MB requests; the function still gets at most 6 MB.
const MAX_HTTP_BODY: usize = 10 * 1024 * 1024;

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let function = args.target.load()?;
    let target = Arc::new(args.target.clone());
    let options = InvokeOptions {
        timeout: timeout_option(args.timeout)?,
        client: args.client.into(),
        pass_aws_credentials: args.aws_credentials,
        ..InvokeOptions::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("could not start the async runtime")?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", args.port))
            .await
            .with_context(|| format!("could not listen on 127.0.0.1:{}: is another server using it? pick another with --port", args.port))?;
        let address = listener.local_addr()?;
        let gateway = Gateway::for_function(&function);
        println!("Serving {} as {} on http://{address}", function.config.name.value, gateway.name());
        std::io::stdout().flush()?;
        let invoker = Invoker::new(InvokerSettings {
            max_concurrency: args.concurrency.max(1),
        });
        let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("could not watch for SIGTERM")?;
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let Ok((stream, peer)) = accepted else { continue };
                    let _ = stream.set_nodelay(true);
                    let invoker = invoker.clone();
                    let target = target.clone();
                    let options = options.clone();
                    tokio::spawn(async move {
                        serve_connection(stream, peer.ip().to_string(), invoker, target, options).await;
                    });
                }
                _ = terminate.recv() => {
                    invoker.shutdown();
                    return anyhow::Ok(ExitCode::SUCCESS);
                }
                _ = tokio::signal::ctrl_c() => {
                    invoker.shutdown();
                    return anyhow::Ok(ExitCode::SUCCESS);
                }
            }
        }
    })
}

async fn serve_connection(
    stream: TcpStream,
    source_ip: String,
    invoker: Invoker,
    target: Arc<Target>,
    options: InvokeOptions,
) {
    let (read_half, mut write_half) = stream.into_split();
    let mut reader = BufReader::new(read_half);
    loop {
        let request = match http::read_request(&mut reader, &mut write_half, MAX_HTTP_BODY).await {
            Ok(request) => request,
            Err(ReadError::TooLarge { .. }) => {
                let body = br#"{"message":"Request Entity Too Large"}"#;
                let _ = http::write_response(&mut write_half, 413, &json(), body, false).await;
                return;
            }
            Err(_) => return,
        };
        let keep_alive = request.keep_alive();
        let head = request.method == "HEAD";
        let http_request = HttpRequest {
            method: request.method,
            target: request.target,
            headers: request.headers,
            body: request.body,
            source_ip: source_ip.clone(),
        };
        let mut response = answer(&invoker, &target, &options, &http_request).await;
        if head {
            response.body.clear();
        }
        if http::write_response(
            &mut write_half,
            response.status,
            &response.headers,
            &response.body,
            keep_alive,
        )
        .await
        .is_err()
            || !keep_alive
        {
            return;
        }
    }
}

fn json() -> Vec<(String, String)> {
    vec![("Content-Type".to_string(), "application/json".to_string())]
}

/// Invoke the function (reloaded, so edits apply) for one HTTP request.
async fn answer(
    invoker: &Invoker,
    target: &Target,
    options: &InvokeOptions,
    request: &HttpRequest,
) -> HttpResponse {
    let function = match target.load() {
        Ok(function) => function,
        Err(error) => {
            eprintln!("lambda-ls: {error}");
            return bad_gateway();
        }
    };
    let gateway = Gateway::for_function(&function);
    let event = gateway::event(gateway, request);
    eprintln!("{} {}", request.method, request.target);
    match invoker
        .invoke(&function, event.to_string().into_bytes(), options)
        .await
    {
        Ok(invocation) => {
            eprint!("{}", invocation.log);
            gateway::response(gateway, &invocation)
        }
        Err(error) => {
            eprintln!("lambda-ls: {error}");
            bad_gateway()
        }
    }
}

fn bad_gateway() -> HttpResponse {
    HttpResponse {
        status: 502,
        headers: json(),
        body: br#"{"message":"Internal Server Error"}"#.to_vec(),
    }
}
