// Bundles the extension into one CommonJS file (dist/extension.js) with its npm
// dependencies inlined, and copies the repository's snippets into the extension folder
// (a VSIX can only hold files under extension/).
import * as esbuild from "esbuild";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const production = process.argv.includes("--production");
const watch = process.argv.includes("--watch");

function copySnippets() {
  const source = join(here, "..", "snippets", "python.json");
  const target = join(here, "snippets", "python.json");
  mkdirSync(dirname(target), { recursive: true });
  if (existsSync(source)) {
    copyFileSync(source, target);
  } else {
    // The snippets live in the repository's snippets/ folder; without it the extension
    // still works, with no snippets to offer.
    console.warn(`warning: ${source} not found; packaging an empty snippet file`);
    writeFileSync(target, "{}\n");
  }
}

copySnippets();
const options = {
  entryPoints: [join(here, "src", "extension.ts")],
  outfile: join(here, "dist", "extension.js"),
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  external: ["vscode"],
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};
// The Monitor view's page script, with Chart.js inside: webviews load it from dist/.
const monitor = {
  entryPoints: [join(here, "webview", "monitor.ts")],
  outfile: join(here, "dist", "monitor.js"),
  bundle: true,
  platform: "browser",
  format: "iife",
  target: "es2020",
  sourcemap: !production,
  minify: production,
  logLevel: "info",
};
if (watch) {
  for (const build of [options, monitor]) await (await esbuild.context(build)).watch();
} else {
  await Promise.all([esbuild.build(options), esbuild.build(monitor)]);
}
