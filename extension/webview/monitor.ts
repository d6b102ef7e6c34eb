// The Monitor view's page script: draws the server's `lambda.metrics` answer with Chart.js
// (bundled into dist/monitor.js by esbuild.mjs; no CDN) and sends the time-range picker's
// choice back to the extension. Type-checked with tsconfig.webview.json (DOM types).

import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import type { MetricChart, MetricsResult } from "../src/protocol";

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip, Filler);

declare function acquireVsCodeApi(): { postMessage(message: unknown): void };

const vscode = acquireVsCodeApi();
const charts = new Map<string, Chart>();
const COLORS = ["#3794ff", "#f14c4c", "#cca700", "#89d185"];

const byId = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

byId<HTMLSelectElement>("range").addEventListener("change", (event) => {
  vscode.postMessage({ type: "range", since: (event.target as HTMLSelectElement).value });
});
byId<HTMLButtonElement>("refresh").addEventListener("click", () => vscode.postMessage({ type: "refresh" }));

/** `HH:MM` (or `MM-DD HH:MM` over more than a day) of a period's start, in local time. */
function label(ms: number, long: boolean): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  return long ? `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}` : time;
}

function draw(result: MetricsResult): void {
  byId("title").textContent = `${result.function} · ${result.region}`;
  const notes = byId("notes");
  notes.textContent = result.notes.join(" ");
  const container = byId("charts");
  const long = result.endMs - result.startMs > 86_400_000;
  // Every period of the window, so that a period without data shows as 0 (counts) or a gap.
  const starts: number[] = [];
  for (let t = result.startMs; t < result.endMs; t += result.periodS * 1000) starts.push(t);
  const labels = starts.map((t) => label(t, long));
  for (const metric of result.charts) {
    let box = container.querySelector<HTMLElement>(`[data-metric="${metric.metric}"]`);
    if (!box) {
      box = document.createElement("section");
      box.className = "chart";
      box.dataset.metric = metric.metric;
      box.innerHTML = `<h2></h2><div class="summary"></div><canvas></canvas>`;
      container.appendChild(box);
    }
    box.querySelector("h2")!.textContent = metric.unit === "ms" ? `${metric.metric} (ms)` : metric.metric;
    box.querySelector(".summary")!.textContent = metric.summary;
    const datasets = metric.lines.map((line, index) => ({
      label: line.label,
      data: values(metric, line.points, starts),
      borderColor: COLORS[index % COLORS.length],
      backgroundColor: COLORS[index % COLORS.length] + "33",
      spanGaps: false,
      pointRadius: 2,
      tension: 0.2,
      fill: metric.lines.length === 1,
    }));
    const existing = charts.get(metric.metric);
    if (existing) {
      existing.data.labels = labels;
      existing.data.datasets = datasets;
      existing.update();
    } else {
      charts.set(
        metric.metric,
        new Chart(box.querySelector("canvas")!, {
          type: "line",
          data: { labels, datasets },
          options: {
            animation: false,
            responsive: true,
            maintainAspectRatio: false,
            scales: { y: { beginAtZero: true } },
            plugins: { legend: { display: metric.lines.length > 1 } },
          },
        }),
      );
    }
    box.dataset.points = String(metric.lines.reduce((n, line) => n + line.points.length, 0));
    box.dataset.drawn = "true";
  }
}

/** One value per period start: counts are 0 where CloudWatch has no point, others a gap. */
function values(metric: MetricChart, points: [number, number][], starts: number[]): (number | null)[] {
  const byTime = new Map(points.map(([t, v]) => [t, v]));
  return starts.map((t) => byTime.get(t) ?? (metric.unit === "count" && metric.metric !== "ConcurrentExecutions" ? 0 : null));
}

window.addEventListener("message", (event: MessageEvent) => {
  const message = event.data as { type: string; result?: MetricsResult; message?: string; since?: string };
  const status = byId("status");
  if (message.since) byId<HTMLSelectElement>("range").value = message.since;
  if (message.type === "loading") {
    status.textContent = "Reading the metrics…";
  } else if (message.type === "metrics" && message.result) {
    draw(message.result);
    status.textContent = `Updated ${new Date().toLocaleTimeString()} · ${message.result.periodS / 60} min periods · refreshes every minute`;
  } else if (message.type === "error") {
    status.textContent = message.message ?? "Reading the metrics failed.";
  }
});

vscode.postMessage({ type: "ready" });
