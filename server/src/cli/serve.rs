//! `lambda-ls serve [DIR]`: a local HTTP endpoint in front of the function, as API Gateway
//! (REST or HTTP API) or a function URL would put it, invoking through warm environments.
//! With an `api` or `http-api` trigger only its route is answered (elsewhere: what API
//! Gateway answers); without one, every path goes to the function.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use tokio::net::TcpListener;

use super::invoke::{timeout_option, Client};
use super::target::Target;
use crate::runtime::gateway::{self, Gateway, HttpRequest, HttpResponse};
use crate::runtime::http::{self, Incoming, Response};
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

/// HTTP APIs accept 10 MB requests (the function still gets at most 6 MB); a browser's idle
/// keep-alive connection is closed after a minute.
const LIMITS: http::Limits = http::Limits {
    max_body: 10 * 1024 * 1024,
    stall: http::STALL_TIMEOUT,
    idle: Some(std::time::Duration::from_secs(60)),
};

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
        let routes = gateway::routes(&function, gateway);
        println!("Serving {} as {} on http://{address}", function.config.name.value, gateway.name());
        if !routes.is_empty() {
            // On stderr: stdout's one line is the address, which scripts read.
            eprintln!("Routes: {} (other paths get API Gateway's answer)", route_list(&routes));
        }
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
                    let handler = Arc::new(Handler {
                        invoker: invoker.clone(),
                        target: target.clone(),
                        options: options.clone(),
                        source_ip: peer.ip().to_string(),
                    });
                    let handler = Arc::new(move |incoming| handler.clone().handle(incoming));
                    tokio::spawn(http::serve_connection(stream, LIMITS, handler));
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

/// What answers the requests of one connection.
struct Handler {
    invoker: Invoker,
    target: Arc<Target>,
    options: InvokeOptions,
    source_ip: String,
}

impl Handler {
    async fn handle(self: Arc<Self>, incoming: Incoming) -> Option<Response> {
        let request = match incoming {
            Incoming::Request(request) => request,
            Incoming::TooLarge { .. } => {
                return Some(Response::json(
                    413,
                    &br#"{"message":"Request Entity Too Large"}"#[..],
                ))
            }
        };
        let head = request.method == "HEAD";
        let http_request = HttpRequest {
            method: request.method,
            target: request.target,
            headers: request.headers,
            body: request.body,
            source_ip: self.source_ip.clone(),
        };
        let mut response = answer(&self.invoker, &self.target, &self.options, &http_request).await;
        if head {
            response.body.clear();
        }
        Some(response)
    }
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
    let routes = gateway::routes(&function, gateway);
    let matched = match gateway::route(gateway, &routes, request) {
        Ok(matched) => matched,
        Err(refusal) => {
            eprintln!(
                "{} {} → {}: no route (routes: {})",
                request.method,
                request.target,
                refusal.status,
                route_list(&routes)
            );
            return refusal;
        }
    };
    let event = gateway::event(gateway, request, matched.as_ref());
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

fn route_list(routes: &[gateway::Route]) -> String {
    routes
        .iter()
        .map(gateway::Route::key)
        .collect::<Vec<_>>()
        .join(", ")
}

fn bad_gateway() -> HttpResponse {
    Response::json(502, &br#"{"message":"Internal Server Error"}"#[..])
}
