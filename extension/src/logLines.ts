// How "Lambda: Show Logs" writes the server's `lambda.logs` answers into its output
// channel: a header whenever the invocation (or log stream) changes, then each line with
// its time, continuation lines indented, as `lambda-ls logs` prints them. Pure: no vscode
// import, so it is unit-tested with node's test runner.

import type { LogLine } from "./protocol";

/** Which invocation the last line written belonged to. */
export interface Placement {
  stream: string;
  requestId: string | null;
}

/** `lines` as text, with headers where the invocation changes after `last`. */
export function formatLogLines(
  lines: LogLine[],
  last: Placement | undefined,
): { text: string; last: Placement | undefined } {
  let text = "";
  for (const line of lines) {
    const requestId = line.requestId ?? null;
    if (!last || last.stream !== line.stream || last.requestId !== requestId) {
      const what = requestId ? `request ${requestId}` : "outside an invocation";
      text += `\n── ${line.time.slice(0, 19).replace("T", " ")} UTC · ${what} · ${line.stream}\n`;
      last = { stream: line.stream, requestId };
    }
    const clock = line.time.slice(11, 23);
    const indent = " ".repeat(2 + clock.length + 2);
    const mark = line.error ? "!" : " ";
    text += `${mark} ${clock}  ${line.message.replace(/\n/g, `\n${indent}`)}\n`;
  }
  return { text, last };
}
