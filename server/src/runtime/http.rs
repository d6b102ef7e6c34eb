//! The HTTP/1.1 server side of the Runtime API and of `serve`, on hyper: hyper parses and
//! writes HTTP (keep-alive, chunked bodies, `Expect: 100-continue`, malformed heads answered
//! with a 4xx); this module adds what both servers need around it: whole bodies with a size
//! limit, heads of at most 64 KiB, and deadlines so that a client that stalls mid-request (or,
//! where the server asks for it, one that stays idle) is dropped instead of holding a task.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Body as _;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::time::Sleep;

/// One request, its body read whole.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (path and query).
    pub target: String,
    /// Header names in lower case (as hyper gives them), in the order sent.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// What a server is handed: a request, or the news that one's body was over the limit.
#[derive(Debug)]
pub enum Incoming {
    Request(Request),
    /// The body is larger than the limit (answer 413); its size when the client declared it.
    /// A declared body has been read and discarded, so the connection stays usable; an
    /// undeclared (chunked) one closes the connection after the answer.
    TooLarge {
        target: String,
        size: Option<usize>,
    },
}

/// A complete response with a `Content-Length` body.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".to_string(), "application/json".to_string())],
            body: body.into(),
        }
    }
}

/// How a server treats its connections.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body handed to the server.
    pub max_body: usize,
    /// How long a client may stop sending in the middle of a request before it is dropped
    /// ([`STALL_TIMEOUT`]).
    pub stall: Duration,
    /// How long a connection may sit between requests before it is closed; `None` keeps it
    /// (the Runtime API: between `/next`'s answer and the result, a handler runs or a debugger
    /// holds it for as long as it likes).
    pub idle: Option<Duration>,
}

/// The largest request head (request line and headers) accepted: 431 beyond.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;

/// How long a client may usually stop sending in the middle of a request.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(10);

/// Serve HTTP/1.1 on one accepted connection until the peer closes it, it breaks a rule, or
/// `handler` answers `None` (the connection is closed without an answer).
pub async fn serve_connection<H, F>(stream: TcpStream, limits: Limits, handler: Arc<H>)
where
    H: Fn(Incoming) -> F + Send + Sync + 'static,
    F: Future<Output = Option<Response>> + Send + 'static,
{
    let _ = stream.set_nodelay(true);
    let phase = Arc::new(AtomicU8::new(IDLE));
    let io = TokioIo::new(Deadlines {
        inner: stream,
        phase: phase.clone(),
        stall: limits.stall,
        idle: limits.idle,
        timer: None,
    });
    let service = hyper::service::service_fn(move |request| {
        let handler = handler.clone();
        let phase = phase.clone();
        async move {
            let incoming = read_whole(request, limits.max_body).await;
            phase.store(HANDLING, Ordering::Relaxed);
            let answer = match incoming {
                Ok((incoming, close)) => handler(incoming)
                    .await
                    .map(|response| into_hyper(response, close)),
                Err(response) => Some(into_hyper(response, true)),
            };
            phase.store(IDLE, Ordering::Relaxed);
            answer.ok_or(ConnectionClosed)
        }
    });
    let _ = hyper::server::conn::http1::Builder::new()
        .max_buf_size(MAX_HEAD_BYTES.max(8192))
        .max_header_size(MAX_HEAD_BYTES)
        // Deadlines are ours (`Deadlines`): hyper's header timeout would also count the time a
        // Runtime API connection legitimately waits for a handler's result.
        .header_read_timeout(None)
        .title_case_headers(true)
        .serve_connection(io, service)
        .await;
}

/// The handler chose to close the connection without an answer.
#[derive(Debug)]
struct ConnectionClosed;

impl std::fmt::Display for ConnectionClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection closed by the server")
    }
}

impl std::error::Error for ConnectionClosed {}

/// Read the body whole, within the limit, and whether to close the connection after the
/// answer. An `Err` is the answer to send (and close).
async fn read_whole(
    request: hyper::Request<hyper::body::Incoming>,
    max_body: usize,
) -> Result<(Incoming, bool), Response> {
    let (parts, mut body) = request.into_parts();
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| parts.uri.to_string());
    let declared = body.size_hint().exact().map(|n| n as usize);
    if let Some(size) = declared.filter(|size| *size > max_body) {
        // Discard it so that the connection stays usable (the peer is on this machine); a
        // body that ends early closes it.
        let mut complete = true;
        while let Some(frame) = body.frame().await {
            if frame.is_err() {
                complete = false;
                break;
            }
        }
        let too_large = Incoming::TooLarge {
            target,
            size: Some(size),
        };
        return Ok((too_large, !complete));
    }
    let mut bytes = Vec::with_capacity(declared.unwrap_or(0));
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|error| bad_body(&error))?;
        if let Ok(data) = frame.into_data() {
            if bytes.len() + data.len() > max_body {
                return Ok((Incoming::TooLarge { target, size: None }, true));
            }
            bytes.extend_from_slice(&data);
        }
    }
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_string(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = Request {
        method: parts.method.as_str().to_string(),
        target,
        headers,
        body: bytes,
    };
    Ok((Incoming::Request(request), false))
}

/// The answer to a body that could not be read: a bad chunk, a stall, a truncated body.
fn bad_body(error: &hyper::Error) -> Response {
    let timed_out = std::error::Error::source(error)
        .and_then(|source| source.downcast_ref::<io::Error>())
        .is_some_and(|io| io.kind() == io::ErrorKind::TimedOut);
    if timed_out {
        Response::json(408, &br#"{"message":"Request Timeout"}"#[..])
    } else {
        Response::json(400, &br#"{"message":"Bad Request: unreadable body"}"#[..])
    }
}

fn into_hyper(response: Response, close: bool) -> hyper::Response<Full<Bytes>> {
    let mut answer = hyper::Response::new(Full::new(Bytes::from(response.body)));
    *answer.status_mut() = hyper::StatusCode::from_u16(response.status)
        .unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let headers = answer.headers_mut();
    for (name, value) in response.headers {
        // Header values cannot carry line breaks; a function could return one. Names and
        // values HTTP cannot carry at all are left out rather than failing the answer.
        let value = value.replace(['\r', '\n'], " ");
        if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.as_bytes()),
            hyper::header::HeaderValue::from_str(&value),
        ) {
            if name != hyper::header::CONTENT_LENGTH && name != hyper::header::TRANSFER_ENCODING {
                headers.append(name, value);
            }
        }
    }
    if close {
        headers.insert(
            hyper::header::CONNECTION,
            hyper::header::HeaderValue::from_static("close"),
        );
    }
    answer
}

// Where a connection is, for its deadlines.
const IDLE: u8 = 0;
const RECEIVING: u8 = 1;
const HANDLING: u8 = 2;

/// The connection's socket with deadlines on reads: a read that waits longer than
/// `stall` in the middle of a request, or longer than `idle` between requests,
/// fails with `TimedOut` (hyper then closes the connection). While the server handles a
/// request, reads wait as long as it takes.
struct Deadlines {
    inner: TcpStream,
    phase: Arc<AtomicU8>,
    stall: Duration,
    idle: Option<Duration>,
    timer: Option<Pin<Box<Sleep>>>,
}

impl AsyncRead for Deadlines {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before {
                    let _ = this.phase.compare_exchange(
                        IDLE,
                        RECEIVING,
                        Ordering::Relaxed,
                        Ordering::Relaxed,
                    );
                }
                this.timer = None;
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(error)) => Poll::Ready(Err(error)),
            Poll::Pending => {
                let limit = match this.phase.load(Ordering::Relaxed) {
                    RECEIVING => Some(this.stall),
                    IDLE => this.idle,
                    _ => None,
                };
                let Some(limit) = limit else {
                    this.timer = None;
                    return Poll::Pending;
                };
                let timer = this
                    .timer
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
                match timer.as_mut().poll(cx) {
                    Poll::Ready(()) => {
                        this.timer = None;
                        Poll::Ready(Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            "the client sent nothing in time",
                        )))
                    }
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl AsyncWrite for Deadlines {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// Decode `%XX` escapes (and `+` as space when `plus_is_space`); invalid escapes stay as is.
pub fn percent_decode(text: &str, plus_is_space: bool) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_is_space => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A server answering each request with its method, target and body length, as text.
    async fn echo_server(max_body: usize) -> std::net::SocketAddr {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
            .await
            .unwrap();
        let address = listener.local_addr().unwrap();
        let handler = Arc::new(|incoming: Incoming| async move {
            Some(match incoming {
                Incoming::Request(request) => Response {
                    status: 200,
                    headers: vec![("X-Line".into(), "a\r\nb".into())],
                    body: format!(
                        "{} {} {}",
                        request.method,
                        request.target,
                        String::from_utf8_lossy(&request.body)
                    )
                    .into_bytes(),
                },
                Incoming::TooLarge { size, .. } => Response::json(413, format!("{size:?}")),
            })
        });
        tokio::spawn(async move {
            loop {
                let (stream, _) = listener.accept().await.unwrap();
                let limits = Limits {
                    max_body,
                    stall: Duration::from_millis(300),
                    idle: Some(Duration::from_millis(600)),
                };
                tokio::spawn(serve_connection(stream, limits, handler.clone()));
            }
        });
        address
    }

    /// Send `raw`, half-close, and read everything the server answers.
    async fn exchange(address: std::net::SocketAddr, raw: &[u8]) -> String {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream.write_all(raw).await.unwrap();
        stream.shutdown().await.unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer).await;
        String::from_utf8_lossy(&answer).into_owned()
    }

    #[tokio::test]
    async fn reads_content_length_and_chunked_bodies_on_one_connection() {
        let address = echo_server(1024).await;
        let answer = exchange(
            address,
            b"POST /a?b=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz\
              POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .await;
        assert!(answer.contains("POST /a?b=1 xyz"), "{answer}");
        assert!(answer.contains("POST / abcde"), "{answer}");
        assert!(answer.contains("X-Line: a  b\r\n"), "{answer}");
    }

    #[tokio::test]
    async fn bodies_over_the_limit_get_413() {
        let address = echo_server(1024).await;
        let mut raw = b"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 5000));
        raw.extend(b"GET /after HTTP/1.1\r\n\r\n");
        let answer = exchange(address, &raw).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("Some(5000)"), "{answer}");
        assert!(answer.contains("GET /after"), "kept usable: {answer}");
    }

    #[tokio::test]
    async fn a_huge_chunk_size_is_a_bad_request() {
        let address = echo_server(1024).await;
        let answer = exchange(
            address,
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF\r\nx\r\n",
        )
        .await;
        assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
        assert!(exchange(address, b"GET /next HTTP/1.1\r\n\r\n")
            .await
            .contains("GET /next"));
    }

    #[tokio::test]
    async fn a_header_line_over_64_kib_is_refused_whole() {
        let address = echo_server(1024).await;
        let mut raw = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
        raw.extend(std::iter::repeat_n(b'a', 70 * 1024));
        raw.extend(b"\r\n\r\n");
        let answer = exchange(address, &raw).await;
        assert!(answer.starts_with("HTTP/1.1 431"), "{answer}");
    }

    #[tokio::test]
    async fn clients_that_stall_mid_request_or_idle_too_long_are_dropped() {
        let address = echo_server(1024).await;
        for partial in [
            &b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"[..],
            b"GET / HTTP/1.1\r\nX-Slow: ",
            b"",
        ] {
            let mut stream = TcpStream::connect(address).await.unwrap();
            stream.write_all(partial).await.unwrap();
            let started = std::time::Instant::now();
            let mut answer = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
            assert!(read.is_ok(), "the server dropped the client");
            assert!(started.elapsed() >= Duration::from_millis(250));
            if partial.ends_with(b"abc") {
                let answer = String::from_utf8_lossy(&answer);
                assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
            }
        }
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a%2", false), "a%2");
        assert_eq!(percent_decode("%C3%A9", false), "é");
    }
}
