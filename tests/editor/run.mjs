// End-to-end test of the extension in a real VS Code (code-server) in a real browser
// (Debian's chromium, driven over CDP by playwright-core), as a person would use it:
// build the platform VSIX with the server inside, install it into a fresh code-server,
// open the fixture workspace, trust it, and check each feature as a separate named step.
//
//   node tests/editor/run.mjs            (tests/setup/editor.sh installs what it needs)
//
// Environment:
//   LAMBDA_LS_BIN           the server binary to bundle (default: target/debug/lambda-ls)
//   LAMBDA_LS_EDITOR_CACHE  where code-server is installed (default ~/.cache/lambda-ls/editor)
//   LAMBDA_LS_EDITOR_STEPS  comma-separated step names to run (default: all)
//   LAMBDA_LS_EDITOR_KEEP=1 keep the temporary folder (user data, logs) for a look
// Screenshots: tests/artifacts/editor/<nn>-<step>.png. Exit code 0 only when every step passed.

import { spawn, spawnSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { homedir, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const CODE_SERVER_VERSION = "4.99.4";
const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const artifacts = join(repo, "tests", "artifacts", "editor");
const cache = process.env.LAMBDA_LS_EDITOR_CACHE ?? join(homedir(), ".cache", "lambda-ls", "editor");
const codeServer = join(cache, `code-server-${CODE_SERVER_VERSION}`, "node_modules", ".bin", "code-server");
const chromiumPath = process.env.LAMBDA_LS_CHROMIUM ?? "/usr/bin/chromium";
const onlySteps = process.env.LAMBDA_LS_EDITOR_STEPS?.split(",").map((s) => s.trim()).filter(Boolean);
// The whole test, setup included, must finish in this time; past it everything is killed.
const DEADLINE_MS = 12 * 60 * 1000;

const started = Date.now();
const children = []; // { name, pid } of processes we spawned, killed by pid at the end
const results = []; // { name, status: "passed"|"failed"|"skipped", ms, detail, screenshot }
const screenshots = [];
let page; // the current playwright page
let shotIndex = 0;

function log(message) {
  const seconds = ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  console.log(`[editor ${seconds}s] ${message}`);
}

function killChildren() {
  for (const child of children.splice(0)) {
    try {
      // Each child leads its own process group (detached), so this ends its helpers too.
      process.kill(-child.pid, "SIGKILL");
      log(`killed ${child.name} (pid ${child.pid})`);
    } catch (error) {
      if (error.code !== "ESRCH") log(`killing ${child.name} (pid ${child.pid}): ${error.message}`);
    }
  }
}

process.on("exit", killChildren);
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}
const deadline = setTimeout(() => {
  log(`deadline of ${DEADLINE_MS / 1000}s reached: stopping`);
  killChildren();
  process.exit(1);
}, DEADLINE_MS);
deadline.unref();

function fail(message) {
  console.error(`editor test: ${message}`);
  killChildren();
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: "utf8", ...options });
  if (result.status !== 0) {
    fail(
      `${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout ?? ""}\n${result.stderr ?? ""}`,
    );
  }
  return result.stdout;
}

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

/** Spawn a long-running process in its own process group; its output goes to `logFile`. */
function startProcess(name, command, args, logFile, env = process.env) {
  const out = openSync(logFile, "a");
  const child = spawn(command, args, { detached: true, stdio: ["ignore", out, out], env });
  children.push({ name, pid: child.pid });
  child.on("exit", (code, signal) => log(`${name} exited (${signal ?? code})`));
  return child;
}

async function waitFor(what, check, timeoutMs, intervalMs = 250) {
  const until = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < until) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}${lastError ? `: ${lastError.message}` : ""}`);
}

async function screenshot(name) {
  if (!page) return undefined;
  shotIndex += 1;
  const file = join(artifacts, `${String(shotIndex).padStart(2, "0")}-${name}.png`);
  try {
    await page.screenshot({ path: file });
    screenshots.push(file);
    return file;
  } catch (error) {
    log(`screenshot ${name} failed: ${error.message}`);
    return undefined;
  }
}

/** Run one named check; a failure is recorded (with a screenshot) and the next step runs. */
async function step(name, body, { needs = [] } = {}) {
  if (onlySteps && !onlySteps.includes(name)) {
    results.push({ name, status: "skipped", ms: 0, detail: "not in LAMBDA_LS_EDITOR_STEPS" });
    return false;
  }
  const missing = needs.filter((dep) => results.find((r) => r.name === dep)?.status !== "passed");
  if (missing.length > 0) {
    results.push({ name, status: "skipped", ms: 0, detail: `needs ${missing.join(", ")}` });
    log(`SKIP ${name}: needs ${missing.join(", ")}`);
    return false;
  }
  const t0 = Date.now();
  log(`step ${name}`);
  try {
    const detail = await body();
    const shot = await screenshot(name);
    results.push({ name, status: "passed", ms: Date.now() - t0, detail: detail ?? "", screenshot: shot });
    log(`PASS ${name} (${Date.now() - t0} ms)${detail ? `: ${detail}` : ""}`);
    return true;
  } catch (error) {
    const shot = await screenshot(`${name}-FAILED`);
    // The page's DOM too, to see what a selector missed.
    await page
      ?.content()
      .then((html) => writeFileSync(shot ? shot.replace(/\.png$/, ".html") : join(artifacts, `${name}-FAILED.html`), html))
      .catch(() => {});
    const detail = error?.message?.split("\n").slice(0, 6).join("\n") ?? String(error);
    results.push({ name, status: "failed", ms: Date.now() - t0, detail, screenshot: shot });
    log(`FAIL ${name} (${Date.now() - t0} ms): ${detail}`);
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Workbench helpers: what a person does with the keyboard and mouse.

const mod = "Control";

async function dismissNotifications() {
  // "Clear All Notifications" keeps earlier toasts from covering what a step looks at.
  await runCommand("Notifications: Clear All Notifications").catch(() => {});
}

/** Run a command from the palette by its title, as a person would (F1, type, Enter). */
async function runCommand(title) {
  await page.keyboard.press("Escape");
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(`>${title}`);
  const row = page.locator(".quick-input-widget .monaco-list-row", { hasText: title }).first();
  await row.waitFor({ state: "visible", timeout: 10_000 });
  await input.press("Enter");
}

/** Open a workspace file with Quick Open (Ctrl+P) and wait for its editor tab. */
async function openFile(relativePath) {
  await page.keyboard.press("Escape");
  await page.keyboard.press(`${mod}+P`);
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(relativePath);
  // Every fixture is a lambda_function.py: wait until the focused result is in the right
  // folder (the list updates after typing), then open it and check the breadcrumbs.
  const [folder, fileName] = relativePath.split("/").slice(-2);
  await page
    .locator(".quick-input-widget .monaco-list-row.focused", { hasText: folder })
    .filter({ hasText: fileName })
    .waitFor({ state: "visible", timeout: 15_000 });
  await input.press("Enter");
  await page
    .locator(".editor-group-container.active .breadcrumbs-control", { hasText: folder })
    .waitFor({ state: "visible", timeout: 10_000 });
  await page.locator(".editor-group-container.active .monaco-editor .view-lines").first().click();
}

/** Put the cursor at line:column with Go to Line (Ctrl+G). */
async function goTo(line, column) {
  await page.keyboard.press("Escape");
  await page.keyboard.press(`${mod}+G`);
  const input = page.locator(".quick-input-widget input.input");
  await input.waitFor({ state: "visible", timeout: 10_000 });
  await input.fill(`:${line}:${column}`);
  await input.press("Enter");
}

/**
 * Ask for completion where the cursor is, as a person would: retype the character before
 * the cursor (a trigger character such as `.` or `"`), then Ctrl+Space if nothing shows.
 * Returns the suggest widget's labels once `expected` is among them.
 */
async function completionLabels(expected, triggerCharacter) {
  const widget = page.locator(".editor-widget.suggest-widget");
  const rows = widget.locator(".monaco-list-row");
  return waitFor(
    `completion listing ${expected}`,
    async () => {
      if (!(await rows.first().isVisible())) {
        await page.keyboard.press("Backspace");
        await page.keyboard.type(triggerCharacter);
        await page.waitForTimeout(1_000);
      }
      if (!(await rows.first().isVisible())) {
        await page.keyboard.press(`${mod}+Space`);
        await page.waitForTimeout(1_000);
      }
      const labels = await widget.locator(".monaco-list-row .label-name").allInnerTexts();
      if (labels.some((label) => label.trim() === expected)) return labels;
      // Results may arrive after the server warmed up: close and ask again.
      await page.keyboard.press("Escape");
      return undefined;
    },
    30_000,
    500,
  );
}

/** The Problems panel's entries, as their accessible labels (severity, message, code, place). */
async function problems() {
  const panel = page.locator(".markers-panel");
  if (!(await panel.isVisible())) {
    await page.keyboard.press(`${mod}+Shift+M`);
    await panel.waitFor({ state: "visible", timeout: 10_000 });
  }
  return panel.locator(".monaco-list-row").evaluateAll((rows) => rows.map((row) => row.getAttribute("aria-label") ?? ""));
}

/** Wait for a Problems entry matching `pattern` and return it. */
async function problemMatching(what, pattern) {
  return waitFor(
    what,
    async () => (await problems()).find((label) => pattern.test(label)),
    30_000,
    1_000,
  );
}

/** Open a folder in the page and wait for the workbench. */
async function openWorkbench(url, folder) {
  await page.goto(`${url}/?folder=${encodeURIComponent(folder)}`, { waitUntil: "domcontentloaded" });
  await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
  await page.locator(".explorer-folders-view, .welcome-view, .pane-body").first().waitFor({ timeout: 30_000 });
}

/** Answer the Workspace Trust dialog: trust (true) or Restricted Mode (false). */
async function answerTrust(trust) {
  const label = trust ? "Yes, I trust the authors" : "No, I don't trust the authors";
  const button = page.locator(".monaco-dialog-box .monaco-button", { hasText: label }).first();
  await button.waitFor({ state: "visible", timeout: 30_000 });
  await button.click();
  await page.locator(".monaco-dialog-box").waitFor({ state: "hidden", timeout: 10_000 });
}

/**
 * The lines of the Lambda output channel that contain `needle`: the output view shows only
 * the lines in sight, so its Filter box narrows it to those first.
 */
async function lambdaOutputLines(needle) {
  await runCommand("Lambda: Show Output");
  const output = page.locator(".panel .output-view").first();
  await output.waitFor({ state: "visible", timeout: 10_000 });
  const filter = page.locator(".panel .viewpane-filter input").first();
  await filter.fill(needle);
  // The filter applies after a debounce; give it a moment to narrow the view.
  let lines = [];
  const until = Date.now() + 3_000;
  while (Date.now() < until) {
    const text = await output.locator(".view-lines").innerText();
    lines = text.split("\n").filter((line) => line.includes(needle));
    if (lines.length > 0) break;
    await page.waitForTimeout(250);
  }
  await filter.fill("");
  return lines;
}

/** A notification toast whose text matches `pattern`. */
async function notificationMatching(pattern, timeoutMs) {
  return waitFor(
    `a notification matching ${pattern}`,
    async () => {
      const texts = await page.locator(".notification-toast .notification-list-item-message").allInnerTexts();
      return texts.find((text) => pattern.test(text));
    },
    timeoutMs,
  );
}

/** The result webview's inner document (a frame inside the webview's iframe). */
function resultView() {
  return page.frameLocator("iframe.webview.ready").first().frameLocator("#active-frame");
}

// ---------------------------------------------------------------------------------------
// Setup.

if (!existsSync(codeServer)) fail(`${codeServer} is missing: run tests/setup/editor.sh first`);
if (!existsSync(chromiumPath)) fail(`${chromiumPath} is missing: run tests/setup/editor.sh first`);
const serverBinary =
  process.env.LAMBDA_LS_BIN ??
  join(process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, "target"), "debug", "lambda-ls");
if (!existsSync(serverBinary)) fail(`server binary ${serverBinary} is missing: run \`cargo build -p lambda-ls\` first`);

rmSync(artifacts, { recursive: true, force: true });
mkdirSync(artifacts, { recursive: true });
const work = mkdtempSync(join(tmpdir(), "lambda-ls-editor-"));
const userData = join(work, "user-data");
const extensions = join(work, "extensions");
const trustedWorkspace = join(work, "workspace-trusted");
const restrictedWorkspace = join(work, "workspace-restricted");
const codeServerLog = join(artifacts, "code-server.log");
cpSync(join(here, "workspace"), trustedWorkspace, { recursive: true });
cpSync(join(here, "workspace"), restrictedWorkspace, { recursive: true });
// The sum/ fixture's handler is the course's, as examples/sum has it.
cpSync(join(repo, "examples", "sum", "lambda_function.py"), join(trustedWorkspace, "sum", "lambda_function.py"));
cpSync(join(repo, "examples", "sum", "lambda_function.py"), join(restrictedWorkspace, "sum", "lambda_function.py"));
mkdirSync(join(userData, "User"), { recursive: true });
writeFileSync(
  join(userData, "User", "settings.json"),
  JSON.stringify(
    {
      "security.workspace.trust.enabled": true,
      "security.workspace.trust.startupPrompt": "always",
      "security.workspace.trust.untrustedFiles": "open",
      "workbench.startupEditor": "none",
      "workbench.tips.enabled": false,
      "workbench.enableExperiments": false,
      "telemetry.telemetryLevel": "off",
      "extensions.autoUpdate": false,
      "extensions.autoCheckUpdates": false,
      "extensions.ignoreRecommendations": true,
      "update.mode": "none",
      "editor.codeLens": true,
      "editor.quickSuggestions": { other: false, comments: false, strings: false },
      // Only the server's completions count: no words picked from the file.
      "editor.wordBasedSuggestions": "off",
      "editor.acceptSuggestionOnEnter": "off",
      "editor.autoClosingBrackets": "never",
      "editor.autoClosingQuotes": "never",
      "files.autoSave": "off",
      "window.restoreWindows": "none",
      "chat.commandCenter.enabled": false,
      "lambda.trace.server": "off",
    },
    null,
    2,
  ),
);

log("building the VSIX with the server inside");
const vsix = join(work, "lambda-ls.vsix");
const packageStart = Date.now();
run("node", [join(repo, "extension", "scripts", "package.mjs"), "--server", serverBinary, "--out", vsix], {
  cwd: join(repo, "extension"),
});
const vsixSize = statSync(vsix).size;
log(`VSIX ${(vsixSize / 1e6).toFixed(1)} MB in ${((Date.now() - packageStart) / 1000).toFixed(1)}s`);

log("installing the VSIX into code-server");
run(codeServer, ["--install-extension", vsix, "--extensions-dir", extensions, "--user-data-dir", userData], {
  env: { ...process.env, CS_DISABLE_GETTING_STARTED_OVERRIDE: "1" },
});
const installed = readdirSync(extensions).filter((name) => name.startsWith("lambda-ls."));
if (installed.length === 0) fail(`the VSIX did not install into ${extensions}`);

// AWS for the deploy, remote-invoke, logs and metrics steps: a moto server of this test's
// own on 127.0.0.1 (tests/setup/aws.sh installs it), killed by pid at the end. code-server,
// and so the extension's server, sees only its endpoint and dummy keys, nothing of this
// machine's AWS setup.
const motoPort = await freePort();
const motoEndpoint = `http://127.0.0.1:${motoPort}`;
const motoLog = join(artifacts, "moto.log");
startProcess(
  "moto",
  "python3",
  [join(repo, "tests", "aws_emulator", "moto_server.py"), "-H", "127.0.0.1", "-p", String(motoPort)],
  motoLog,
);
const emptyAwsFile = join(work, "aws-empty");
writeFileSync(emptyAwsFile, "");
const awsEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith("AWS_")));
Object.assign(awsEnv, {
  AWS_ENDPOINT_URL: motoEndpoint,
  AWS_ACCESS_KEY_ID: "AKIAEMULATOR",
  AWS_SECRET_ACCESS_KEY: "emulator-secret",
  AWS_CONFIG_FILE: emptyAwsFile,
  AWS_SHARED_CREDENTIALS_FILE: emptyAwsFile,
  AWS_EC2_METADATA_DISABLED: "true",
});
const motoReady = waitFor("moto's /moto-api/", async () => (await fetch(`${motoEndpoint}/moto-api/`)).ok, 60_000, 300)
  .then(() =>
    fetch(`${motoEndpoint}/moto-api/config`, {
      method: "POST",
      body: JSON.stringify({ lambda: { use_docker: false } }),
    }),
  )
  .then(() => true)
  .catch((error) => {
    log(`moto did not start (${error.message}); the AWS steps will fail; see ${motoLog}`);
    return false;
  });

/** One AWS call against moto with boto3 (tests/fixtures/deploy/aws_call.py), as JSON. */
function aws(service, operation, params) {
  const out = run("python3", [
    join(repo, "tests", "fixtures", "deploy", "aws_call.py"),
    motoEndpoint,
    "eu-west-1",
    service,
    operation,
    JSON.stringify(params),
  ]);
  const answer = JSON.parse(out);
  if (answer.Error) throw new Error(`${service}.${operation}: ${JSON.stringify(answer.Error)}`);
  return answer;
}

const port = await freePort();
const url = `http://127.0.0.1:${port}`;
log(`starting code-server on ${url}`);
startProcess(
  "code-server",
  codeServer,
  [
    "--bind-addr", `127.0.0.1:${port}`,
    "--auth", "none",
    "--user-data-dir", userData,
    "--extensions-dir", extensions,
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-getting-started-override",
    "--disable-file-downloads",
    "--ignore-last-opened",
  ],
  codeServerLog,
  { ...awsEnv, LAMBDA_LS_LOG: "info" },
);
await waitFor("code-server's /healthz", async () => (await fetch(`${url}/healthz`)).ok, 60_000, 300).catch((e) =>
  fail(`${e.message}; see ${codeServerLog}`),
);

log("starting chromium");
const chromiumProfile = join(work, "chromium-profile");
const chromiumLog = join(artifacts, "chromium.log");
startProcess(
  "chromium",
  chromiumPath,
  [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-dev-shm-usage",
    `--user-data-dir=${chromiumProfile}`,
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
    "--window-size=1440,900",
    "about:blank",
  ],
  chromiumLog,
);
const cdpEndpoint = await waitFor(
  "chromium's DevTools endpoint",
  async () => {
    const file = join(chromiumProfile, "DevToolsActivePort");
    if (!existsSync(file)) return undefined;
    const [cdpPort] = readFileSync(file, "utf8").split("\n");
    return cdpPort ? `http://127.0.0.1:${cdpPort}` : undefined;
  },
  30_000,
).catch((e) => fail(`${e.message}; see ${chromiumLog}`));
const browser = await chromium.connectOverCDP(cdpEndpoint);
const context = browser.contexts()[0] ?? (await browser.newContext());
page = await context.newPage();
await page.setViewportSize({ width: 1440, height: 900 });

// ---------------------------------------------------------------------------------------
// Steps. Each is named; a failed step does not stop the others unless they need it.

await step("workbench-opens", async () => {
  await openWorkbench(url, trustedWorkspace);
  return `VS Code ${await page.evaluate(() => document.title)}`;
});

await step(
  "workspace-trusted",
  async () => {
    await answerTrust(true);
    await waitFor("the explorer showing the fixture folders", () => page.locator(".explorer-folders-view", { hasText: "async_handler" }).isVisible(), 20_000);
  },
  { needs: ["workbench-opens"] },
);

await step(
  "extension-starts-server",
  async () => {
    await openFile("hello/lambda_function.py");
    const found = await waitFor(
      "the Lambda output channel naming the bundled server",
      async () => {
        const lines = await lambdaOutputLines("(bundled)");
        return lines.find((line) => line.includes("(bundled)"));
      },
      30_000,
      1_000,
    );
    // The status bar item says whether the server is up (running) or gave up (stopped).
    const state = await waitFor(
      "the lambda-ls status bar item to say running or stopped",
      async () => {
        const labels = await page.locator(".statusbar-item [aria-label^='lambda-ls server']").evaluateAll((nodes) =>
          nodes.map((node) => node.getAttribute("aria-label")),
        );
        return labels.find((label) => /running|stopped/.test(label ?? ""));
      },
      30_000,
    );
    if (!state.includes("running")) throw new Error(`the server did not start (status bar: ${state}); see the Lambda output`);
    return found.trim();
  },
  { needs: ["workspace-trusted"] },
);

await step(
  "diagnostic-async-handler",
  async () => {
    await openFile("async_handler/lambda_function.py");
    // The server's async-handler diagnostic: a coroutine is never awaited by the runtime.
    return problemMatching("the async-handler diagnostic in the Problems panel", /\basync\b/i);
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "diagnostic-handler-arity",
  async () => {
    await openFile("one_param/lambda_function.py");
    // The server's arity error: Lambda passes (event, context), and this handler takes one.
    return problemMatching("the handler-arity error in the Problems panel", /^(?!.*\basync\b).*parameter/is);
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "completion-context",
  async () => {
    await openFile("context_completion/lambda_function.py");
    await goTo(2, 26); // after "    request_id = context."
    // The list stays open for the screenshot; the next step's Escape closes it.
    const labels = await completionLabels("aws_request_id", ".");
    return `${labels.length} items: ${labels.slice(0, 6).join(", ")}`;
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "completion-s3-event",
  async () => {
    await openFile("s3_completion/lambda_function.py");
    await goTo(2, 41); // between the quotes of event["Records"][0]["s3"][""]
    // The list stays open for the screenshot; the next step's Escape closes it.
    const labels = await completionLabels("bucket", '"');
    return `${labels.length} items: ${labels.slice(0, 6).join(", ")}`;
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "invoke-lens-shows-result",
  async () => {
    await dismissNotifications();
    await openFile("hello/lambda_function.py");
    // The "▶ Invoke" lens (not "Invoke with Event…", which opens a picker).
    const lens = page
      .locator(".codelens-decoration a")
      .filter({ hasText: /^\W*Invoke\s*$/ })
      .first();
    await lens.waitFor({ state: "visible", timeout: 30_000 });
    await lens.click();
    const view = resultView();
    const report = view.locator("#report");
    await report.waitFor({ state: "visible", timeout: 60_000 });
    await waitFor("the REPORT line in the result view", async () => /REPORT RequestId: \S+/.test(await report.innerText()), 60_000);
    const response = await view.locator("#response").innerText();
    if (!response.includes("hello world")) throw new Error(`the response does not show the handler's return value:\n${response}`);
    const status = await view.locator("#status").innerText();
    if (status.trim() !== "Success") throw new Error(`status is ${status}`);
    const logText = await view.locator("#log").innerText();
    if (!logText.includes("greeting world")) throw new Error(`the log does not show the function's print:\n${logText}`);
    return (await report.innerText()).trim();
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "invoke-again-button",
  async () => {
    const view = resultView();
    const before = await view.locator("#request-id").innerText();
    await view.locator("#invoke-again").click();
    await waitFor(
      "a new request id after Invoke again",
      async () => {
        const id = await resultView().locator("#request-id").innerText().catch(() => before);
        return id !== before && id !== "none" ? id : undefined;
      },
      60_000,
      500,
    );
    return `request ${await resultView().locator("#request-id").innerText()} after ${before}`;
  },
  { needs: ["invoke-lens-shows-result"] },
);

// SAM projects (issue 12): a template's functions appear in the explorer's "Lambda
// Functions" view and run from it; a module shared by three functions has a lens row for
// each. The project is copied in while the workbench is open, as a `sam init` would add it.
const samProject = join(trustedWorkspace, "sam_twins");

/** The "Lambda Functions" view's pane, opened and expanded, with the room for all rows. */
async function functionsView() {
  await runCommand("Focus on Lambda Functions View");
  // The folders' tree above it takes the room: collapsed, so that every function shows.
  const folders = page.locator(".pane-header", { hasText: "workspace-trusted" }).first();
  if ((await folders.getAttribute("aria-expanded").catch(() => null)) === "true") await folders.click();
  const pane = page.locator(".pane", { has: page.locator(".pane-header", { hasText: "Lambda Functions" }) });
  await pane.waitFor({ state: "visible", timeout: 10_000 });
  const header = pane.locator(".pane-header").first();
  if ((await header.getAttribute("aria-expanded")) === "false") await header.click();
  return pane;
}

await step(
  "sam-functions-view",
  async () => {
    cpSync(join(repo, "tests", "fixtures", "sam", "twins"), samProject, { recursive: true });
    const pane = await functionsView();
    const rows = pane.locator(".monaco-list-row");
    const labels = await waitFor(
      "the template's three functions in the Lambda Functions view",
      async () => {
        const texts = await rows.allInnerTexts();
        if (["FirstFunction", "SecondFunction", "LoudFunction"].every((name) => texts.some((t) => t.includes(name)))) {
          return texts;
        }
        // The view refreshes on the new template; ask again if the watcher was slow.
        await pane.locator(".pane-header").hover();
        await pane.locator(".pane-header .action-label[aria-label^='Refresh Functions']").click().catch(() => {});
        return undefined;
      },
      30_000,
      1_000,
    );
    const second = labels.find((t) => t.includes("SecondFunction")) ?? "";
    if (!second.includes("python3.12 · 128 MB · 10 s · sqs")) throw new Error(`SecondFunction's row: ${second}`);
    return `${labels.length} functions; ${second.replace(/\s+/g, " ")}`;
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "sam-functions-view-invoke",
  async () => {
    await dismissNotifications();
    const pane = await functionsView();
    const row = pane.locator(".monaco-list-row", { hasText: "SecondFunction" }).first();
    await row.hover();
    await row.locator(".action-label[aria-label^='Invoke']").first().click();
    const view = resultView();
    const response = view.locator("#response");
    await waitFor(
      "SecondFunction's answer to its SQS event in the result view",
      async () => /"who": "second"/.test(await response.innerText().catch(() => "")),
      60_000,
      500,
    );
    const status = await view.locator("#status").innerText();
    if (status.trim() !== "Success") throw new Error(`status is ${status}`);
    return (await response.innerText()).trim().slice(0, 120);
  },
  { needs: ["sam-functions-view"] },
);

await step(
  "sam-lens-per-function",
  async () => {
    await openFile("sam_twins/src/app.py");
    // Two handlers, three functions: `first` has a lens row for FirstFunction and one for
    // LoudFunction, `second` one for SecondFunction.
    const names = ["λ FirstFunction", "λ LoudFunction", "λ SecondFunction"];
    const lines = await waitFor(
      "a lens row for each of the three functions",
      async () => {
        const texts = await page.locator(".codelens-decoration").allInnerTexts();
        const all = texts.join(" | ");
        return names.every((name) => all.includes(name)) ? texts : undefined;
      },
      30_000,
      1_000,
    );
    return lines.map((t) => t.replace(/\s+/g, " ").trim()).join(" || ");
  },
  { needs: ["sam-functions-view"] },
);

// Debugging: a breakpoint, the Debug lens, the debugger stops there with `event` in the
// Variables view, continue, and the result view shows the response.
let requestBeforeDebug = "none";
await step(
  "debug-lens-stops-at-breakpoint",
  async () => {
    await dismissNotifications();
    requestBeforeDebug = await resultView().locator("#request-id").innerText().catch(() => "none");
    await openFile("hello/lambda_function.py");
    await goTo(6, 5); // print(f"greeting {name}")
    await page.keyboard.press("F9");
    await page.locator(".codicon-debug-breakpoint").first().waitFor({ state: "visible", timeout: 10_000 });
    const lens = page
      .locator(".codelens-decoration a")
      .filter({ hasText: /^\s*Debug\s*$/ })
      .first();
    await lens.waitFor({ state: "visible", timeout: 30_000 });
    await lens.click();
    // Stopped on that line: the call stack's top frame, and `event` among the locals.
    const frame = await waitFor(
      "the call stack stopped in lambda_handler at line 6",
      async () => {
        const rows = await page.locator(".debug-call-stack .monaco-list-row").allInnerTexts().catch(() => []);
        return rows.find((row) => row.includes("lambda_handler") && /\b6:\d+/.test(row));
      },
      120_000,
      500,
    );
    const variable = await waitFor(
      "`event` in the Variables view",
      async () => {
        const rows = await page.locator(".debug-variables .monaco-list-row").allInnerTexts().catch(() => []);
        return rows.find((row) => /^\s*event\b/.test(row));
      },
      30_000,
      500,
    );
    await page.locator(".debug-top-stack-frame-line").first().waitFor({ state: "visible", timeout: 10_000 });
    return `${frame.replace(/\s+/g, " ").trim()} | ${variable.replace(/\s+/g, " ").trim()}`;
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "debug-continue-shows-result",
  async () => {
    await page.keyboard.press("F5"); // Continue
    const id = await waitFor(
      "a new request id in the result view after the debugged invoke",
      async () => {
        const shown = await resultView().locator("#request-id").innerText().catch(() => requestBeforeDebug);
        return shown !== requestBeforeDebug && shown !== "none" ? shown : undefined;
      },
      60_000,
      500,
    );
    const view = resultView();
    const response = await view.locator("#response").innerText();
    if (!response.includes("hello world")) throw new Error(`the response does not show the handler's return value:\n${response}`);
    const status = await view.locator("#status").innerText();
    if (status.trim() !== "Success") throw new Error(`status is ${status}`);
    // Remove the breakpoint again for any later step.
    await openFile("hello/lambda_function.py");
    await goTo(6, 5);
    await page.keyboard.press("F9");
    return `request ${id}: ${status.trim()}`;
  },
  { needs: ["debug-lens-stops-at-breakpoint"] },
);

// ---------------------------------------------------------------------------------------
// AWS, against the test's moto: Deploy with its confirmation, Invoke Remote, Show Logs,
// Show Metrics (the sum/ fixture, the course's last exercise).

/** The frame (of any webview) that holds `selector`. */
async function webviewFrameWith(selector, timeoutMs) {
  return waitFor(
    `a webview showing ${selector}`,
    async () => {
      for (const frame of page.frames()) {
        if (await frame.locator(selector).count().catch(() => 0)) return frame;
      }
      return undefined;
    },
    timeoutMs,
    500,
  );
}

await step(
  "aws-deploy-with-confirmation",
  async () => {
    if (!(await motoReady)) throw new Error(`moto is not running; see ${motoLog}`);
    aws("iam", "create_role", {
      RoleName: "lambda-basic",
      AssumeRolePolicyDocument: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    });
    await dismissNotifications();
    await openFile("sum/lambda_function.py");
    await runCommand("Lambda: Deploy");
    // The confirmation names the account and region and lists what would change.
    const dialog = page.locator(".monaco-dialog-box");
    await dialog.waitFor({ state: "visible", timeout: 90_000 });
    const asked = await dialog.innerText();
    if (!/Deploy "sum" to AWS account 123456789012 in eu-west-1/.test(asked)) throw new Error(`the confirmation says:\n${asked}`);
    if (!/function: created/.test(asked) || !/http api sum-API: created/.test(asked)) {
      throw new Error(`the confirmation does not list the changes:\n${asked}`);
    }
    await screenshot("aws-deploy-confirmation");
    await dialog.locator(".monaco-button", { hasText: /^Deploy$/ }).click();
    const done = await notificationMatching(/Created sum/, 120_000);
    const functions = aws("lambda", "list_functions", {}).Functions.map((f) => f.FunctionName);
    if (!functions.includes("sum")) throw new Error(`moto has no function sum: ${functions}`);
    return done.split("\n")[0].slice(0, 160);
  },
  { needs: ["extension-starts-server"] },
);

await step(
  "aws-invoke-remote",
  async () => {
    await dismissNotifications();
    await openFile("sum/lambda_function.py");
    await runCommand("Lambda: Invoke Remote");
    const input = page.locator(".quick-input-widget input.input");
    await input.waitFor({ state: "visible", timeout: 10_000 });
    await page.locator(".quick-input-widget .monaco-list-row", { hasText: "Default event" }).first().waitFor({ timeout: 20_000 });
    await input.fill("Default event");
    await input.press("Enter");
    const frame = await webviewFrameWith("#show-logs", 90_000);
    const status = await frame.locator("#status").innerText();
    if (status.trim() !== "Success") throw new Error(`status is ${status}`);
    const meta = await frame.locator(".meta").first().innerText();
    if (!/Remote invoke/.test(meta)) throw new Error(`not a remote invoke: ${meta}`);
    return `${status.trim()}, request ${await frame.locator("#request-id").innerText()}`;
  },
  { needs: ["aws-deploy-with-confirmation"] },
);

await step(
  "aws-show-logs",
  async () => {
    // What Lambda would have written for an invocation: moto's invoke writes no logs.
    const group = "/aws/lambda/sum";
    const stream = "2026/05/01/[$LATEST]editor";
    try {
      aws("logs", "create_log_group", { logGroupName: group });
    } catch {
      // The invoke may have made it.
    }
    aws("logs", "create_log_stream", { logGroupName: group, logStreamName: stream });
    const now = Date.now();
    aws("logs", "put_log_events", {
      logGroupName: group,
      logStreamName: stream,
      logEvents: [
        { timestamp: now - 3000, message: "START RequestId: 11111111-aaaa Version: $LATEST\n" },
        { timestamp: now - 2990, message: "sum of 1 and 2 is 3\n" },
        { timestamp: now - 2980, message: "REPORT RequestId: 11111111-aaaa\tDuration: 1.50 ms\n" },
      ],
    });
    // The result view's link (a remote invoke's) opens the logs.
    const frame = await webviewFrameWith("#show-logs", 10_000);
    await frame.locator("#show-logs").click();
    const output = page.locator(".panel .output-view").first();
    await output.waitFor({ state: "visible", timeout: 20_000 });
    // The editor renders spaces as no-break spaces.
    const shownText = async () => (await output.locator(".view-lines").innerText()).replace(/\u00a0/g, " ");
    const text = await waitFor(
      "the seeded log lines in the Lambda Logs output",
      async () => {
        const shown = await shownText();
        return shown.includes("sum of 1 and 2 is 3") ? shown : undefined;
      },
      60_000,
      1_000,
    );
    if (!/request 11111111-aaaa/.test(text)) throw new Error(`no invocation header:\n${text}`);
    // Following: a line appended now shows up without asking again.
    aws("logs", "put_log_events", {
      logGroupName: group,
      logStreamName: stream,
      logEvents: [{ timestamp: Date.now(), message: "a line written while following\n" }],
    });
    await waitFor(
      "the appended line while following",
      async () => (await shownText()).includes("a line written while following"),
      30_000,
      1_000,
    );
    const following = await page.locator(".statusbar-item [aria-label^='Following the logs of']").count();
    if (following === 0) throw new Error("no 'following' status bar item");
    return "lines visible, appended line followed";
  },
  { needs: ["aws-invoke-remote"] },
);

await step(
  "aws-show-metrics",
  async () => {
    await runCommand("Lambda: Stop Following Logs");
    const now = Date.now();
    const dims = [{ Name: "FunctionName", Value: "sum" }];
    const data = [];
    for (let minutes = 170; minutes > 0; minutes -= 20) {
      const Timestamp = Math.floor((now - minutes * 60_000) / 1000);
      data.push({ MetricName: "Invocations", Dimensions: dims, Timestamp, Value: 1 + (minutes % 7), Unit: "Count" });
      data.push({ MetricName: "Duration", Dimensions: dims, Timestamp, Value: 20 + minutes / 10, Unit: "Milliseconds" });
    }
    aws("cloudwatch", "put_metric_data", { Namespace: "AWS/Lambda", MetricData: data });
    await openFile("sum/lambda_function.py");
    await runCommand("Lambda: Show Metrics");
    const frame = await webviewFrameWith("#charts", 30_000);
    await waitFor(
      "five charts drawn",
      async () => (await frame.locator("section.chart[data-drawn='true'] canvas").count()) === 5,
      60_000,
      500,
    );
    const invocations = frame.locator("section.chart[data-metric='Invocations']");
    const summary = await invocations.locator(".summary").innerText();
    const points = Number(await invocations.getAttribute("data-points"));
    if (points < 5) throw new Error(`the Invocations chart has ${points} points`);
    // The canvas holds a drawing: some pixels are not blank.
    const inked = await invocations.locator("canvas").evaluate((canvas) => {
      const { data: pixels } = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height);
      let count = 0;
      for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) count += 1;
      return count;
    });
    if (inked < 500) throw new Error(`the Invocations canvas is nearly blank (${inked} pixels)`);
    // The time-range picker reads the metrics again for the new range.
    await frame.locator("#range").selectOption("1d");
    await waitFor("the status after the 1d range", async () => /60 min periods/.test(await frame.locator("#status").innerText()), 60_000, 500);
    return `Invocations: ${summary}; ${points} points; ${inked} inked pixels`;
  },
  { needs: ["aws-deploy-with-confirmation"] },
);

// Restricted Mode: the same fixtures in a folder that the person declines to trust.
await step(
  "restricted-mode-opens",
  async () => {
    await page.close();
    page = await context.newPage();
    await page.setViewportSize({ width: 1440, height: 900 });
    await openWorkbench(url, restrictedWorkspace);
    await answerTrust(false);
    await page.locator(".statusbar, .monaco-workbench").first().waitFor();
    await waitFor(
      "the Restricted Mode indicator",
      async () => (await page.locator("body").innerText()).includes("Restricted Mode"),
      20_000,
    );
  },
  { needs: ["workbench-opens"] },
);

await step(
  "restricted-mode-checks-still-run",
  async () => {
    await openFile("async_handler/lambda_function.py");
    return problemMatching("the async-handler diagnostic in Restricted Mode", /\basync\b/i);
  },
  { needs: ["restricted-mode-opens", "diagnostic-async-handler"] },
);

await step(
  "restricted-mode-refuses-invoke",
  async () => {
    await openFile("hello/lambda_function.py");
    await runCommand("Lambda: Invoke");
    const message = await notificationMatching(/Restricted Mode/, 20_000);
    const panels = await page.locator("iframe.webview").count();
    if (panels > 0) throw new Error("a result view opened although the invoke was refused");
    return message.trim();
  },
  { needs: ["restricted-mode-opens"] },
);

// ---------------------------------------------------------------------------------------
// Report.

await browser.close().catch(() => {});
killChildren();
if (process.env.LAMBDA_LS_EDITOR_KEEP === "1") {
  log(`kept ${work}`);
} else {
  rmSync(work, { recursive: true, force: true });
}

const passed = results.filter((r) => r.status === "passed").length;
const failed = results.filter((r) => r.status === "failed").length;
const skipped = results.filter((r) => r.status === "skipped").length;
console.log("\nEditor end-to-end steps:");
for (const r of results) {
  const mark = { passed: "PASS", failed: "FAIL", skipped: "SKIP" }[r.status];
  console.log(`  ${mark}  ${r.name.padEnd(34)} ${String(r.ms).padStart(6)} ms  ${(r.detail ?? "").split("\n")[0]}`);
}
console.log(`\nVSIX: ${(vsixSize / 1e6).toFixed(1)} MB; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`Screenshots and logs in ${artifacts}:`);
for (const file of readdirSync(artifacts).sort()) console.log(`  ${join(artifacts, file)}`);
console.log(`\neditor: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 ? 1 : 0);
