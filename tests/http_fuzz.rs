//! Bad input never kills anything: thousands of malformed HTTP requests (bad chunk sizes,
//! huge headers, truncated bodies, bad request lines, invalid UTF-8, random corruption of
//! good requests) and clients that stop mid-request, against the real binary's two HTTP
//! servers on loopback: the Runtime API of a running `lambda-ls invoke`, and `lambda-ls
//! serve`. Neither panics nor hangs (every connection ends, slow ones by the server's own
//! deadline), and a good request is answered afterwards. Deterministic: a fixed seed.

mod support;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{binary, copy_tree, repo_root, serve_address};

/// Malformed requests per server.
const REQUESTS: usize = 10_000;
/// Clients per server that send part of a request and then nothing.
const STALLED_CLIENTS: usize = 12;
/// The server drops a client stalled mid-request after 10 s (`runtime::http::STALL_TIMEOUT`).
const SERVER_STALL_LIMIT: Duration = Duration::from_secs(10);
/// Longer than any answer may take: waiting this long for the server is a hang.
const HANG: Duration = Duration::from_secs(30);

/// splitmix64: small, deterministic, good enough to pick cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// One malformed request for a server whose real paths include `paths`.
fn malformed(rng: &mut Rng, paths: &[&str]) -> Vec<u8> {
    let path = *rng.pick(paths);
    let method = *rng.pick(&["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH"]);
    let good = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{{}}"
    )
    .into_bytes();
    match rng.below(9) {
        // A bad chunk size.
        0 => {
            let size = *rng.pick(&[
                "FFFFFFFFFFFFFFFFF",
                "FFFFFFFFFFFFFFFF",
                "-1",
                "zz",
                "",
                " ",
                "0x10",
                "1;ext=\"unterminated",
                "18446744073709551616",
                "7fffffffffffffff",
                "3\r\nabcdef",
            ]);
            format!(
                "POST {path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n{size}\r\nabc\r\n0\r\n\r\n"
            )
            .into_bytes()
        }
        // A header line over 64 KiB, or a great many headers.
        1 => {
            let mut raw = format!("GET {path} HTTP/1.1\r\nHost: x\r\n").into_bytes();
            if rng.below(2) == 0 {
                raw.extend(b"X-Big: ");
                raw.extend(std::iter::repeat_n(b'a', 64 * 1024 + rng.below(16 * 1024)));
                raw.extend(b"\r\n");
            } else {
                for i in 0..(100 + rng.below(400)) {
                    raw.extend(format!("X-H{i}: {i}\r\n").as_bytes());
                }
            }
            raw.extend(b"\r\n");
            raw
        }
        // A body shorter than its Content-Length (the client then closes).
        2 => {
            let declared = 10 + rng.below(100_000);
            let mut raw =
                format!("POST {path} HTTP/1.1\r\nHost: x\r\nContent-Length: {declared}\r\n\r\n")
                    .into_bytes();
            let sent = rng.below(declared);
            raw.extend(std::iter::repeat_n(b'{', sent));
            raw
        }
        // A bad request line.
        3 => {
            let line = rng.pick(&[
                "GET",
                "GET /",
                "GET / HTTP/9.9",
                "GET / HTTP/1.1 extra",
                " / HTTP/1.1",
                "G\0ET / HTTP/1.1",
                "GET  HTTP/1.1",
                "GET http://[::1 HTTP/1.1",
                "\r\n\r\n\r\n",
                "PRI * HTTP/2.0",
            ]);
            format!("{line}\r\nHost: x\r\n\r\n").into_bytes()
        }
        // Invalid UTF-8 in the target, a header, or the body.
        4 => {
            let length = 1 + rng.below(40);
            let junk = rng.bytes(length);
            let mut raw = Vec::new();
            match rng.below(3) {
                0 => {
                    raw.extend(format!("{method} {path}").as_bytes());
                    raw.extend(&junk);
                    raw.extend(b" HTTP/1.1\r\nHost: x\r\n\r\n");
                }
                1 => {
                    raw.extend(format!("{method} {path} HTTP/1.1\r\nX-").as_bytes());
                    raw.extend(&junk);
                    raw.extend(b": ");
                    raw.extend(&junk);
                    raw.extend(b"\r\n\r\n");
                }
                _ => {
                    raw.extend(
                        format!(
                            "POST {path} HTTP/1.1\r\nContent-Length: {}\r\n\r\n",
                            junk.len()
                        )
                        .as_bytes(),
                    );
                    raw.extend(&junk);
                }
            }
            raw
        }
        // Contradictory or impossible framing.
        5 => {
            let framing = rng.pick(&[
                "Content-Length: 99999999999999999999999",
                "Content-Length: -5",
                "Content-Length: 2\r\nContent-Length: 3",
                "Content-Length: 2\r\nTransfer-Encoding: chunked",
                "Transfer-Encoding: gzip",
                "Transfer-Encoding: chunked, chunked",
                "Content-Length: 1e3",
                "Expect: 100-continue\r\nContent-Length: 50000000",
            ]);
            format!("POST {path} HTTP/1.1\r\nHost: x\r\n{framing}\r\n\r\n{{}}").into_bytes()
        }
        // A good request cut anywhere.
        6 => {
            let cut = rng.below(good.len());
            good[..cut].to_vec()
        }
        // A good request with bytes overwritten at random.
        7 => {
            let mut raw = good;
            for _ in 0..(1 + rng.below(6)) {
                let at = rng.below(raw.len());
                raw[at] = rng.next() as u8;
            }
            raw
        }
        // Random bytes.
        _ => {
            let n = 1 + rng.below(2000);
            rng.bytes(n)
        }
    }
}

/// Send one request, end the sending side, and read until the server closes. `Err` only
/// when the server neither answered nor closed within `HANG`.
fn exchange(address: &str, raw: &[u8]) -> Result<Option<u16>, String> {
    let mut stream = TcpStream::connect(address).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(HANG)).unwrap();
    // The server may refuse before reading everything: a failed write is an answer too.
    let _ = stream.write_all(raw);
    let _ = stream.shutdown(Shutdown::Write);
    let mut answer = Vec::new();
    match stream.read_to_end(&mut answer) {
        Ok(_) => {}
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Err(e) => return Err(format!("no answer and no close within {HANG:?}: {e}")),
    }
    Ok(std::str::from_utf8(answer.get(9..12).unwrap_or_default())
        .ok()
        .and_then(|s| s.parse().ok()))
}

/// Open clients that send part of a request and then stop, without closing.
fn stall_clients(address: &str, rng: &mut Rng) -> Vec<(TcpStream, Instant)> {
    (0..STALLED_CLIENTS)
        .map(|i| {
            let mut stream = TcpStream::connect(address).unwrap();
            let partial: &[u8] = match i % 3 {
                0 => b"GET /2018-06-01/runtime/invocation/next HTTP/1.1\r\nHost: x\r\nX-Slow: ",
                1 => b"POST /sum HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"partial\": ",
                _ => b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc",
            };
            let cut = partial.len() - rng.below(10);
            stream.write_all(&partial[..cut]).unwrap();
            (stream, Instant::now())
        })
        .collect()
}

/// Each stalled client is dropped by the server within its deadline (plus slack).
fn assert_stalled_clients_dropped(clients: Vec<(TcpStream, Instant)>) {
    for (mut stream, since) in clients {
        stream.set_read_timeout(Some(HANG)).unwrap();
        let mut rest = Vec::new();
        let result = stream.read_to_end(&mut rest);
        let waited = since.elapsed();
        assert!(
            result.is_ok()
                || result
                    .as_ref()
                    .is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionReset),
            "a stalled client was not dropped: {result:?}"
        );
        assert!(
            waited < SERVER_STALL_LIMIT + Duration::from_secs(10),
            "a stalled client was dropped only after {waited:?}"
        );
    }
}

/// Fire `REQUESTS` malformed requests at `address` from 4 threads; returns the count of
/// each answer's status class, for the log.
fn fuzz(address: &str, paths: &'static [&'static str], seed: u64) -> [usize; 6] {
    let threads: Vec<_> = (0..4u64)
        .map(|t| {
            let address = address.to_string();
            std::thread::spawn(move || {
                let mut rng = Rng(seed.wrapping_mul(31).wrapping_add(t));
                let mut classes = [0usize; 6];
                for _ in 0..REQUESTS / 4 {
                    let raw = malformed(&mut rng, paths);
                    match exchange(&address, &raw) {
                        Ok(Some(status)) => classes[(status / 100).min(5) as usize] += 1,
                        Ok(None) => classes[0] += 1,
                        Err(hang) => panic!("{hang}; request: {:?}", String::from_utf8_lossy(&raw)),
                    }
                }
                classes
            })
        })
        .collect();
    let mut total = [0usize; 6];
    for thread in threads {
        let classes = thread.join().expect("a fuzz thread failed");
        for (sum, n) in total.iter_mut().zip(classes) {
            *sum += n;
        }
    }
    total
}

fn report(server: &str, classes: [usize; 6], started: Instant) {
    eprintln!(
        "{server}: {} malformed requests in {:.1} s: closed without an answer {}, 1xx {}, 2xx {}, 3xx {}, 4xx {}, 5xx {}",
        classes.iter().sum::<usize>(),
        started.elapsed().as_secs_f64(),
        classes[0], classes[1], classes[2], classes[3], classes[4], classes[5]
    );
}

/// A child killed by pid when dropped (unless waited for).
struct Running(Option<Child>);

impl Running {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().expect("still running")
    }

    fn wait_with_output(mut self) -> std::process::Output {
        self.0.take().unwrap().wait_with_output().unwrap()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn no_panic_in(stderr: &Path) {
    let text = std::fs::read_to_string(stderr).unwrap_or_default();
    assert!(!text.contains("panicked"), "the server panicked:\n{text}");
}

#[test]
fn serve_survives_malformed_requests_and_stalled_clients() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("sum");
    copy_tree(&repo_root().join("examples/sum"), &dir);
    let stderr = temp.path().join("stderr");
    let mut child = Running(Some(
        Command::new(binary())
            .arg("serve")
            .arg(&dir)
            .args(["--port", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap(),
    ));
    let address = serve_address(child.child());

    let mut rng = Rng(0x5EED_0001);
    let stalled = stall_clients(&address, &mut rng);
    let started = Instant::now();
    static PATHS: &[&str] = &["/sum", "/sum?a=1&b=2", "/", "/other", "/sum/x"];
    let classes = fuzz(&address, PATHS, 0x5EED_0002);
    report("serve", classes, started);
    assert_stalled_clients_dropped(stalled);

    assert!(child.child().try_wait().unwrap().is_none(), "serve exited");
    let (status, body) = good_get(&address, "/sum?a=40&b=2");
    assert_eq!((status, body.as_str()), (200, r#"{"sum": 42}"#));
    no_panic_in(&stderr);
}

/// A plain GET on a new connection: its status and body.
fn good_get(address: &str, target: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).unwrap();
    stream.set_read_timeout(Some(HANG)).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer[9..12].parse().unwrap();
    let body = answer.split_once("\r\n\r\n").unwrap().1.to_string();
    (status, body)
}

#[test]
fn the_runtime_api_survives_malformed_requests_and_stalled_clients() {
    // A handler that says where its Runtime API is and waits: the test talks to that API
    // while `lambda-ls invoke` waits for the result, then posts the result itself.
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("waiting");
    std::fs::create_dir_all(&dir).unwrap();
    let told = temp.path().join("told");
    std::fs::write(
        dir.join("lambda_function.py"),
        format!(
            "import os, time\n\
             def lambda_handler(event, context):\n\
             \x20   with open({told:?} + '.partial', 'w') as f:\n\
             \x20       f.write(os.environ['AWS_LAMBDA_RUNTIME_API'] + ' ' + context.aws_request_id)\n\
             \x20   os.rename({told:?} + '.partial', {told:?})\n\
             \x20   time.sleep(300)\n"
        ),
    )
    .unwrap();
    let stderr = temp.path().join("stderr");
    let child = Running(Some(
        Command::new(binary())
            .arg("invoke")
            .arg(&dir)
            .args(["--timeout", "280"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(std::fs::File::create(&stderr).unwrap())
            .spawn()
            .unwrap(),
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        if let Ok(text) = std::fs::read_to_string(&told) {
            break text;
        }
        assert!(Instant::now() < deadline, "the handler never started");
        std::thread::sleep(Duration::from_millis(50));
    };
    let (address, request_id) = text.split_once(' ').unwrap();

    let mut rng = Rng(0x5EED_0003);
    let stalled = stall_clients(address, &mut rng);
    let started = Instant::now();
    // Real paths, except `/next` (a well-formed GET of it waits for an event by design).
    static PATHS: &[&str] = &[
        "/2018-06-01/runtime/invocation/some-id/response",
        "/2018-06-01/runtime/invocation/some-id/error",
        "/2018-06-01/runtime/init/error",
        "/2018-06-01/runtime/lambda-ls/debugger",
        "/2018-06-01/runtime/unknown",
        "/",
    ];
    let classes = fuzz(address, PATHS, 0x5EED_0004);
    report("Runtime API", classes, started);
    assert_stalled_clients_dropped(stalled);

    // The good request: the invocation's result, which `lambda-ls invoke` then prints.
    let body = r#"{"answered": "after the fuzz"}"#;
    let mut stream = TcpStream::connect(address).unwrap();
    write!(
        stream,
        "POST /2018-06-01/runtime/invocation/{request_id}/response HTTP/1.1\r\nHost: {address}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 202"), "{answer}");
    let output = child.wait_with_output();
    assert!(output.status.success(), "{output:?}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), body);
    no_panic_in(&stderr);
}
