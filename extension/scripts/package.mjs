// Builds a platform VSIX with the lambda-ls server inside:
//   node scripts/package.mjs [--target linux-x64] [--server PATH] [--out FILE]
// Without --server it builds the release binary (`cargo build --release -p lambda-ls`).
// The VSIX is written to extension/lambda-ls-<target>-<version>.vsix (or --out).
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const repo = resolve(here, "..");

function option(name) {
  const index = process.argv.indexOf(name);
  if (index === -1) return undefined;
  const value = process.argv[index + 1];
  if (!value || value.startsWith("--")) fail(`${name} needs a value`);
  return value;
}

function fail(message) {
  console.error(`package: ${message}`);
  process.exit(2);
}

/** The VS Code target name of this machine (vsce's --target values). */
function hostTarget() {
  const arch = { x64: "x64", arm64: "arm64", arm: "armhf" }[process.arch];
  const platform = { linux: "linux", darwin: "darwin", win32: "win32" }[process.platform];
  if (!arch || !platform) fail(`no VS Code target for ${process.platform}-${process.arch}`);
  return `${platform}-${arch}`;
}

const target = option("--target") ?? hostTarget();
const version = JSON.parse(readFileSync(join(here, "package.json"), "utf8")).version;
const out = resolve(option("--out") ?? join(here, `lambda-ls-${target}-${version}.vsix`));
const binaryName = target.startsWith("win32") ? "lambda-ls.exe" : "lambda-ls";

let server = option("--server");
if (!server) {
  if (target !== hostTarget()) {
    fail(
      `building the server for ${target} on ${hostTarget()} is not set up: build lambda-ls ` +
        `for that platform yourself and pass --server PATH`,
    );
  }
  console.log("package: cargo build --release -p lambda-ls");
  execFileSync("cargo", ["build", "--release", "-p", "lambda-ls"], { cwd: repo, stdio: "inherit" });
  const targetDir = process.env.CARGO_TARGET_DIR ? resolve(repo, process.env.CARGO_TARGET_DIR) : join(repo, "target");
  server = join(targetDir, "release", binaryName);
}
if (!existsSync(server) || !statSync(server).isFile()) fail(`server binary ${server} not found`);

const bundled = join(here, "server", binaryName);
rmSync(join(here, "server"), { recursive: true, force: true });
mkdirSync(join(here, "server"), { recursive: true });
copyFileSync(server, bundled);
chmodSync(bundled, 0o755);
// A debug build (the editor test bundles one) carries hundreds of MB of debug info that
// nobody reads inside a VSIX and that vsce's secret scan cannot even load: drop it.
if (statSync(bundled).size > 100e6) {
  try {
    execFileSync("strip", ["--strip-debug", bundled]);
  } catch (error) {
    fail(`server binary ${server} is ${(statSync(bundled).size / 1e6).toFixed(0)} MB and strip failed: ${error}`);
  }
}
console.log(`package: bundled ${server} (${(statSync(bundled).size / 1e6).toFixed(1)} MB)`);

// vsce runs `vscode:prepublish` (the production esbuild bundle) before packing.
const vsce = join(here, "node_modules", ".bin", "vsce");
execFileSync(
  vsce,
  ["package", "--target", target, "--no-dependencies", "--allow-missing-repository", "--out", out],
  { cwd: here, stdio: "inherit" },
);
console.log(`package: ${out} (${(statSync(out).size / 1e6).toFixed(1)} MB)`);
