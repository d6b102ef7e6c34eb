//! One execution environment: a Python process in its own process group running a runtime
//! client against its own Runtime API server, its output captured as the function's log.
//! Dropping it kills the whole process group.

use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::net::unix::pipe;
use tokio::process::{Child, Command};
use tokio::task::JoinHandle;

use super::api::{NextInvocation, RuntimeApi, RuntimeEvent};
use super::debug::DebugOptions;
use super::log::BoundedLog;
use super::site::Prepared;
use super::{ClientKind, LogSink};

/// The embedded runtime client (stdlib only).
pub const EMBEDDED_CLIENT: &str = include_str!("client.py");

/// Started as the script: lays out `sys.path`, waits for a debugger when asked, and runs
/// the runtime client (imported as a module, so that Python caches its compiled form).
const LAUNCHER: &str = include_str!("launcher.py");

/// The embedded client installed in the user's cache folder (once per version) as
/// `lambda_ls_runtime/bootstrap.py`, so that tracebacks name runtime frames as
/// awslambdaric's do; returns the launcher script to run.
fn client_script() -> std::io::Result<PathBuf> {
    static SCRIPT: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    if let Some(path) = SCRIPT.get() {
        return Ok(path.clone());
    }
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    (EMBEDDED_CLIENT, LAUNCHER).hash(&mut hasher);
    let dir = crate::package::deps::cache_root().join(format!("runtime-{:016x}", hasher.finish()));
    let files = [
        (dir.join("lambda_ls_runtime/__init__.py"), ""),
        (dir.join("lambda_ls_runtime/bootstrap.py"), EMBEDDED_CLIENT),
        (dir.join("launcher.py"), LAUNCHER),
    ];
    for (path, content) in &files {
        if std::fs::read_to_string(path).ok().as_deref() == Some(*content) {
            continue;
        }
        let parent = path.parent().expect("a file in a folder");
        std::fs::create_dir_all(parent)?;
        // Written under a unique name and renamed, so concurrent starts never see half a file.
        let partial = parent.join(format!(".partial-{}", std::process::id()));
        std::fs::write(&partial, content)?;
        std::fs::rename(&partial, path)?;
    }
    Ok(SCRIPT.get_or_init(|| dir.join("launcher.py")).clone())
}

/// How long Lambda lets on-demand initialisation (module-level code) run.
pub const INIT_LIMIT: Duration = Duration::from_secs(10);

/// How long a debugger may hold an environment before it is ended (a day: in practice,
/// until the session ends).
pub const DEBUG_LIMIT: Duration = Duration::from_secs(24 * 60 * 60);

/// What to start.
pub struct Launch {
    pub prepared: Prepared,
    pub client: ClientKind,
    pub handler: String,
    pub task_root: PathBuf,
    pub variables: Vec<(String, String)>,
    pub debug: Option<DebugOptions>,
}

impl Launch {
    /// `python [-S] launcher.py CONFIG`: see launcher.py.
    fn command(&self) -> std::io::Result<Command> {
        let mut command = Command::new(&self.prepared.interpreter.path);
        if self.prepared.isolated {
            // No site-packages of the interpreter's own: Lambda's path is laid out instead.
            command.arg("-S");
        }
        if self.debug.is_some() {
            // Frozen standard-library modules would hide breakpoints set in them.
            command.arg("-Xfrozen_modules=off");
        }
        let config = serde_json::json!({
            "client": match self.client {
                ClientKind::Embedded => "embedded",
                ClientKind::Awslambdaric => "awslambdaric",
            },
            "handler": self.handler,
            "task_root": self.task_root,
            "front": self.prepared.front,
            "back": self.prepared.back,
            "debug_port": self.debug.as_ref().map(|d| d.port),
        });
        command.arg(client_script()?).arg(config.to_string());
        Ok(command)
    }
}

/// The function's output, shared between a reader task and the invoker (which drains what
/// is left in the pipe once a result arrives, so no line is attributed to the wrong
/// invocation). Both read under the buffer's lock.
struct LogPipe {
    receiver: Arc<pipe::Receiver>,
    buffer: Arc<Mutex<BoundedLog>>,
    sink: Arc<Mutex<Option<LogSink>>>,
    task: JoinHandle<()>,
}

impl LogPipe {
    fn drain(&self) -> BoundedLog {
        let mut buffer = self.buffer.lock().unwrap_or_else(|e| e.into_inner());
        read_available(&self.receiver, &mut buffer, &self.sink);
        std::mem::take(&mut *buffer)
    }
}

/// Read what the pipe holds now; false at end of file. New output also goes to the sink.
fn read_available(
    receiver: &pipe::Receiver,
    buffer: &mut BoundedLog,
    sink: &Mutex<Option<LogSink>>,
) -> bool {
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match receiver.try_read(&mut chunk) {
            Ok(0) => return false,
            Ok(n) => {
                buffer.push(&chunk[..n]);
                if let Some(sink) = sink.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
                    sink(&chunk[..n]);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return true,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

/// How an invocation ended, as the environment saw it.
#[derive(Debug)]
pub enum Outcome {
    Response(Vec<u8>),
    Error(Vec<u8>),
    InitError(Vec<u8>),
    ResponseTooLarge(Option<usize>),
    Timeout,
    Exited(String),
}

/// A live execution environment.
pub struct Environment {
    pub fingerprint: u64,
    child: Child,
    /// The process's pid, which is also its process group's id.
    pid: i32,
    /// Set once the process is reaped: its pid (and so the group id) may then be given to an
    /// unrelated process, and the group is never signalled again.
    reaped: bool,
    /// SIGCHLD, to learn of the process's exit without reaping it.
    child_exits: tokio::signal::unix::Signal,
    api: RuntimeApi,
    log: LogPipe,
    started: Instant,
    /// Set once the runtime client asked for its first event.
    pub init_duration: Option<Duration>,
    max_memory_kb: u64,
    /// What its preparation had to say (said on its first invocation).
    pub notes: Vec<String>,
    /// Set when it runs under a debugger: no time limit ends it then.
    debug: Option<DebugOptions>,
}

impl Drop for Environment {
    fn drop(&mut self) {
        self.kill();
        self.log.task.abort();
    }
}

impl Environment {
    /// Start the process and its Runtime API server (initialisation runs from here on).
    pub async fn start(
        launch: Launch,
        fingerprint: u64,
        api: RuntimeApi,
    ) -> std::io::Result<Environment> {
        let (sender, receiver) = pipe::pipe()?;
        let write_end = sender.into_blocking_fd()?;
        let stderr_end = write_end.try_clone()?;
        let mut command = launch.command()?;
        command
            .current_dir(&launch.task_root)
            .env_clear()
            .envs(launch.variables.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(write_end))
            .stderr(Stdio::from(stderr_end))
            .process_group(0)
            .kill_on_drop(true);
        let child_exits = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child())?;
        let started = Instant::now();
        let child = command.spawn()?;
        // Our copies of the pipe's write end go with `command`: EOF then means the
        // process (and anything it started) is gone.
        drop(command);
        let pid = child.id().map(|p| p as i32).unwrap_or(0);
        let receiver = Arc::new(receiver);
        let buffer = Arc::new(Mutex::new(BoundedLog::default()));
        let sink: Arc<Mutex<Option<LogSink>>> = Arc::new(Mutex::new(None));
        let task = {
            let receiver = receiver.clone();
            let buffer = buffer.clone();
            let sink = sink.clone();
            tokio::spawn(async move {
                loop {
                    if receiver.readable().await.is_err() {
                        return;
                    }
                    let mut buffer = buffer.lock().unwrap_or_else(|e| e.into_inner());
                    if !read_available(&receiver, &mut buffer, &sink) {
                        return;
                    }
                }
            })
        };
        Ok(Environment {
            fingerprint,
            child,
            pid,
            reaped: false,
            child_exits,
            api,
            log: LogPipe {
                receiver,
                buffer,
                sink,
                task,
            },
            started,
            init_duration: None,
            max_memory_kb: 0,
            notes: launch.prepared.notes,
            debug: launch.debug,
        })
    }

    /// Whether a debugger may hold it (then no time limit applies).
    pub fn debugged(&self) -> bool {
        self.debug.is_some()
    }

    /// Whether the process is still running (an exited one is left unreaped, so that its
    /// group can still be killed).
    pub fn is_alive(&mut self) -> bool {
        !self.reaped && !has_exited(self.pid)
    }

    /// Kill the whole process group (the function may have started processes of its own),
    /// as long as the process is unreaped: until then its pid, the group's id, is ours.
    pub fn kill(&mut self) {
        kill_group(self.pid, self.reaped);
        let _ = self.child.start_kill();
    }

    /// Where the function's output also goes as it arrives (`None`: only the log).
    pub fn set_log_sink(&self, sink: Option<LogSink>) {
        *self.log.sink.lock().unwrap_or_else(|e| e.into_inner()) = sink;
    }

    /// The function's output since the last call (bounded: its beginning and end).
    pub fn take_log(&self) -> BoundedLog {
        self.log.drain()
    }

    /// The process's peak resident memory so far, in MB (Lambda's "Max Memory Used").
    pub fn max_memory_used_mb(&mut self) -> u64 {
        self.sample_memory();
        self.max_memory_kb.div_ceil(1024)
    }

    fn sample_memory(&mut self) {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", self.pid)) else {
            return;
        };
        let peak = status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .ok()
            });
        if let Some(kb) = peak {
            self.max_memory_kb = self.max_memory_kb.max(kb);
        }
    }

    /// Wait for the runtime client to finish initialising (its first `/next`).
    pub async fn wait_ready(&mut self) -> Result<(), Outcome> {
        if self.init_duration.is_some() {
            return Ok(());
        }
        let init_limit = if self.debug.is_some() {
            DEBUG_LIMIT
        } else {
            INIT_LIMIT
        };
        let limit = tokio::time::sleep_until((self.started + init_limit).into());
        tokio::pin!(limit);
        loop {
            tokio::select! {
                biased;
                event = self.api.events.recv() => match event {
                    Some(RuntimeEvent::Ready) => {
                        self.init_duration = Some(self.started.elapsed());
                        self.sample_memory();
                        return Ok(());
                    }
                    Some(RuntimeEvent::DebuggerListening { address }) => {
                        if let Some(sink) = self.debug.as_ref().and_then(|d| d.on_listening.as_ref()) {
                            sink(address);
                        }
                    }
                    Some(RuntimeEvent::InitError { body }) => {
                        self.init_duration = Some(self.started.elapsed());
                        self.sample_memory();
                        // The client exits by itself; give it a moment, then make sure.
                        let exit = exit_of(&mut self.child, self.pid, &mut self.reaped, &mut self.child_exits);
                        let _ = tokio::time::timeout(Duration::from_millis(500), exit).await;
                        self.kill();
                        return Err(Outcome::InitError(body));
                    }
                    Some(_) => continue,
                    None => return Err(Outcome::Exited(exit_reason(None))),
                },
                status = exit_of(&mut self.child, self.pid, &mut self.reaped, &mut self.child_exits) => {
                    self.init_duration = Some(self.started.elapsed());
                    return Err(Outcome::Exited(exit_reason(status)));
                }
                _ = &mut limit => {
                    self.init_duration = Some(self.started.elapsed());
                    self.sample_memory();
                    self.kill();
                    return Err(Outcome::Timeout);
                }
            }
        }
    }

    /// Hand the invocation to the runtime client and wait for its result, the process's
    /// end, or the deadline.
    pub async fn run(&mut self, next: NextInvocation, deadline: Instant) -> Outcome {
        let deadline = if self.debug.is_some() {
            Instant::now() + DEBUG_LIMIT
        } else {
            deadline
        };
        let request_id = next.request_id.clone();
        if self.api.next.send(next).is_err() {
            return Outcome::Exited(exit_reason(None));
        }
        let limit = tokio::time::sleep_until(deadline.into());
        tokio::pin!(limit);
        loop {
            tokio::select! {
                biased;
                event = self.api.events.recv() => match event {
                    Some(RuntimeEvent::Response { request_id: id, body }) if id == request_id => {
                        self.sample_memory();
                        return Outcome::Response(body);
                    }
                    Some(RuntimeEvent::Error { request_id: id, body }) if id == request_id => {
                        self.sample_memory();
                        return Outcome::Error(body);
                    }
                    Some(RuntimeEvent::ResponseTooLarge { request_id: id, size }) if id == request_id => {
                        self.sample_memory();
                        return Outcome::ResponseTooLarge(size);
                    }
                    Some(_) => continue,
                    None => return Outcome::Exited(exit_reason(None)),
                },
                status = exit_of(&mut self.child, self.pid, &mut self.reaped, &mut self.child_exits) => {
                    return Outcome::Exited(exit_reason(status));
                }
                _ = &mut limit => {
                    self.sample_memory();
                    self.kill();
                    let _ = self.child.wait().await;
                    self.reaped = true;
                    return Outcome::Timeout;
                }
            }
        }
    }
}

/// Whether process `pid` (our child) has exited, without reaping it.
fn has_exited(pid: i32) -> bool {
    if pid <= 0 {
        return true;
    }
    // SAFETY: waitid writes into the zeroed siginfo it is given; WNOWAIT leaves the child
    // waitable (a zombie) for tokio to reap.
    unsafe {
        let mut info: libc::siginfo_t = std::mem::zeroed();
        let flags = libc::WEXITED | libc::WNOHANG | libc::WNOWAIT;
        let result = libc::waitid(libc::P_PID, pid as libc::id_t, &mut info, flags);
        // An error (ECHILD): not our child any more, so gone.
        result != 0 || info.si_pid() != 0
    }
}

/// SIGKILL the process group `pid`, unless its leader was reaped (the id may be reused).
fn kill_group(pid: i32, reaped: bool) {
    if pid > 0 && !reaped {
        // SAFETY: plain syscall on a process group this environment created, whose
        // leader is alive or a zombie, so the id still names that group.
        unsafe {
            libc::killpg(pid, libc::SIGKILL);
        }
    }
}

/// Wait for the process to exit; kill what is left of its group while the leader is a
/// zombie (its id still ours), then reap it.
async fn exit_of(
    child: &mut Child,
    pid: i32,
    reaped: &mut bool,
    child_exits: &mut tokio::signal::unix::Signal,
) -> Option<ExitStatus> {
    while !*reaped && !has_exited(pid) {
        child_exits.recv().await;
    }
    kill_group(pid, *reaped);
    let status = child.wait().await.ok();
    *reaped = true;
    status
}

/// Lambda's wording for a runtime that exited (Go's `ExitError` strings).
fn exit_reason(status: Option<ExitStatus>) -> String {
    let Some(status) = status else {
        return "Runtime exited without providing a reason".to_string();
    };
    if let Some(code) = status.code() {
        if code == 0 {
            return "Runtime exited without providing a reason".to_string();
        }
        return format!("Runtime exited with error: exit status {code}");
    }
    if let Some(signal) = status.signal() {
        return format!("Runtime exited with error: signal: {}", signal_name(signal));
    }
    "Runtime exited without providing a reason".to_string()
}

fn signal_name(signal: i32) -> String {
    match signal {
        libc::SIGHUP => "hangup".into(),
        libc::SIGINT => "interrupt".into(),
        libc::SIGQUIT => "quit".into(),
        libc::SIGILL => "illegal instruction".into(),
        libc::SIGTRAP => "trace/breakpoint trap".into(),
        libc::SIGABRT => "aborted".into(),
        libc::SIGBUS => "bus error".into(),
        libc::SIGFPE => "floating point exception".into(),
        libc::SIGKILL => "killed".into(),
        libc::SIGSEGV => "segmentation fault".into(),
        libc::SIGPIPE => "broken pipe".into(),
        libc::SIGALRM => "alarm clock".into(),
        libc::SIGTERM => "terminated".into(),
        other => format!("signal {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_group_is_killed_while_its_leader_is_a_zombie_then_reaped() {
        let mut child_exits =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::child()).unwrap();
        let mut child = Command::new("sh")
            .args(["-c", "sleep 30 & exit 3"])
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = child.id().unwrap() as i32;
        let mut reaped = false;
        let status = exit_of(&mut child, pid, &mut reaped, &mut child_exits).await;
        assert_eq!(status.and_then(|s| s.code()), Some(3));
        assert!(reaped);
        // The group's other member (the sleep) was killed before the leader was reaped: no
        // process is left in the group, whose id is free for reuse now. A killed process
        // takes a moment to die (the signal is delivered asynchronously): wait a little for
        // it, where a sleep nobody killed would live on for 30 s.
        let members = || {
            std::fs::read_dir("/proc")
                .unwrap()
                .flatten()
                .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
                .filter(|stat| {
                    let fields: Vec<&str> = stat
                        .rsplit(')')
                        .next()
                        .unwrap_or("")
                        .split_whitespace()
                        .collect();
                    fields.get(2) == Some(&pid.to_string().as_str()) && fields.first() != Some(&"Z")
                })
                .count()
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        while members() > 0 && std::time::Instant::now() < deadline {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(members(), 0);
        assert!(has_exited(pid));
    }

    #[test]
    fn describes_exits_as_lambda_does() {
        assert_eq!(
            exit_reason(Some(ExitStatus::from_raw(3 << 8))),
            "Runtime exited with error: exit status 3"
        );
        assert_eq!(
            exit_reason(Some(ExitStatus::from_raw(libc::SIGSEGV))),
            "Runtime exited with error: signal: segmentation fault"
        );
        assert_eq!(
            exit_reason(Some(ExitStatus::from_raw(0))),
            "Runtime exited without providing a reason"
        );
    }
}
