// What went wrong when a server command failed: its kind (typed in protocol.ts, generated
// from the server) and a message for the person. Pure, so it is unit-tested.

import type { ErrorData, ErrorKind } from "./protocol";
import { ERROR_CODES } from "./protocol";

/** A command the user cancelled (the language client answers those with no value). */
export class CommandCancelled extends Error {
  readonly data: ErrorData = { kind: "cancelled" };
  constructor(command: string) {
    super(`${command} was cancelled`);
  }
}

/**
 * Why a server command failed, from the error's `data.kind` (or its code, for errors the
 * language client makes itself, such as a cancellation). Undefined for other errors.
 */
export function errorKind(error: unknown): ErrorKind | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const data = (error as { data?: Partial<ErrorData> }).data;
  if (data && typeof data.kind === "string") return data.kind;
  const code = (error as { code?: unknown }).code;
  const byCode = (Object.keys(ERROR_CODES) as ErrorKind[]).find((kind) => ERROR_CODES[kind] === code);
  return byCode;
}

/** A readable message from anything thrown, including the client's ResponseError. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
}
