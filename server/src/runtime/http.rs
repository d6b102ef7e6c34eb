//! A small HTTP/1.1 server side over tokio: enough for the Runtime API (keep-alive long polls,
//! `Content-Length` and chunked bodies, `Expect: 100-continue`) and for `serve`'s local
//! endpoint. Hand-written because both peers are known and latency matters: no framework
//! layers between a socket read and the invocation.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// One parsed request.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The request target as sent (path and query).
    pub target: String,
    /// `HTTP/1.1` or `HTTP/1.0`.
    pub version: String,
    /// Header names as sent, in order.
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

    /// Whether the client wants the connection kept open after this exchange.
    pub fn keep_alive(&self) -> bool {
        match self.header("connection") {
            Some(value) if value.eq_ignore_ascii_case("close") => false,
            Some(value) if value.eq_ignore_ascii_case("keep-alive") => true,
            _ => self.version != "HTTP/1.0",
        }
    }
}

/// Why a request could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed the connection between requests.
    Closed,
    /// The body is larger than the limit (the status to answer is 413); its size when
    /// known. A `Content-Length` body is read and discarded so the connection stays usable.
    TooLarge { target: String, size: Option<usize> },
    /// Not HTTP, or an I/O error.
    Malformed(String),
}

impl From<std::io::Error> for ReadError {
    fn from(error: std::io::Error) -> Self {
        ReadError::Malformed(error.to_string())
    }
}

const MAX_HEAD_LINE: usize = 64 * 1024;

async fn read_line<R: AsyncBufRead + Unpin>(reader: &mut R) -> Result<String, ReadError> {
    let mut line = Vec::new();
    let read = (&mut *reader)
        .take(MAX_HEAD_LINE as u64)
        .read_until(b'\n', &mut line)
        .await?;
    if read == 0 {
        return Err(ReadError::Closed);
    }
    while line.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
        line.pop();
    }
    Ok(String::from_utf8_lossy(&line).into_owned())
}

/// Read one request; answers `100 Continue` itself when the client expects it.
pub async fn read_request<R, W>(
    reader: &mut R,
    writer: &mut W,
    max_body: usize,
) -> Result<Request, ReadError>
where
    R: AsyncBufRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut request_line = read_line(reader).await?;
    while request_line.is_empty() {
        // Tolerate stray CRLFs between pipelined requests (RFC 9112 §2.2).
        request_line = read_line(reader).await?;
    }
    let mut parts = request_line.split_whitespace();
    let (Some(method), Some(target), Some(version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(ReadError::Malformed(format!(
            "bad request line {request_line:?}"
        )));
    };
    let mut request = Request {
        method: method.to_string(),
        target: target.to_string(),
        version: version.to_string(),
        headers: Vec::new(),
        body: Vec::new(),
    };
    loop {
        let line = match read_line(reader).await {
            Ok(line) => line,
            Err(ReadError::Closed) => return Err(ReadError::Malformed("truncated head".into())),
            Err(other) => return Err(other),
        };
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            request
                .headers
                .push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    let chunked = request
        .header("transfer-encoding")
        .is_some_and(|v| v.to_ascii_lowercase().contains("chunked"));
    let length = match request.header("content-length") {
        Some(value) => Some(
            value
                .parse::<usize>()
                .map_err(|_| ReadError::Malformed(format!("bad Content-Length {value:?}")))?,
        ),
        None => None,
    };
    if let Some(length) = length.filter(|l| *l > max_body) {
        let mut rest = (&mut *reader).take(length as u64);
        tokio::io::copy(&mut rest, &mut tokio::io::sink()).await?;
        return Err(ReadError::TooLarge {
            target: request.target,
            size: Some(length),
        });
    }
    let has_body = chunked || length.is_some_and(|l| l > 0);
    if has_body
        && request
            .header("expect")
            .is_some_and(|v| v.eq_ignore_ascii_case("100-continue"))
    {
        writer.write_all(b"HTTP/1.1 100 Continue\r\n\r\n").await?;
        writer.flush().await?;
    }
    if chunked {
        loop {
            let size_line = read_line(reader).await?;
            let size_text = size_line.split(';').next().unwrap_or("").trim();
            let size = usize::from_str_radix(size_text, 16)
                .map_err(|_| ReadError::Malformed(format!("bad chunk size {size_line:?}")))?;
            if size == 0 {
                // Trailers until the empty line.
                while !read_line(reader).await?.is_empty() {}
                break;
            }
            if request.body.len() + size > max_body {
                return Err(ReadError::TooLarge {
                    target: request.target,
                    size: None,
                });
            }
            let start = request.body.len();
            request.body.resize(start + size, 0);
            reader.read_exact(&mut request.body[start..]).await?;
            read_line(reader).await?;
        }
    } else if let Some(length) = length {
        request.body.resize(length, 0);
        reader.read_exact(&mut request.body).await?;
    }
    Ok(request)
}

/// The reason phrase of the status codes this crate answers with.
pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        413 => "Payload Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Write a complete response with a `Content-Length` body in one write.
pub async fn write_response<W: AsyncWrite + Unpin>(
    writer: &mut W,
    status: u16,
    headers: &[(String, String)],
    body: &[u8],
    keep_alive: bool,
) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(256 + body.len());
    out.extend_from_slice(format!("HTTP/1.1 {status} {}\r\n", reason(status)).as_bytes());
    for (name, value) in headers {
        // Header values cannot carry line breaks; a function could return one.
        let value = value.replace(['\r', '\n'], " ");
        out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
    }
    out.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    if !keep_alive {
        out.extend_from_slice(b"Connection: close\r\n");
    }
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(body);
    writer.write_all(&out).await?;
    writer.flush().await
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

    async fn parse(raw: &[u8]) -> Result<Request, ReadError> {
        let mut reader = tokio::io::BufReader::new(raw);
        let mut sink = Vec::new();
        read_request(&mut reader, &mut sink, 1024).await
    }

    #[tokio::test]
    async fn reads_content_length_and_chunked_bodies() {
        let request = parse(b"POST /a?b=1 HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz")
            .await
            .unwrap();
        assert_eq!(request.method, "POST");
        assert_eq!(request.target, "/a?b=1");
        assert_eq!(request.body, b"xyz");
        let request = parse(
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
        )
        .await
        .unwrap();
        assert_eq!(request.body, b"abcde");
    }

    #[tokio::test]
    async fn rejects_bodies_over_the_limit() {
        let mut raw = b"POST / HTTP/1.1\r\nContent-Length: 5000\r\n\r\n".to_vec();
        raw.extend(std::iter::repeat_n(b'x', 5000));
        let result = parse(&raw).await;
        assert!(matches!(
            result,
            Err(ReadError::TooLarge {
                size: Some(5000),
                ..
            })
        ));
    }

    #[test]
    fn decodes_percent_escapes() {
        assert_eq!(percent_decode("a%20b+c", true), "a b c");
        assert_eq!(percent_decode("a%2", false), "a%2");
        assert_eq!(percent_decode("%C3%A9", false), "é");
    }
}
