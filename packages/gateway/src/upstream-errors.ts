// Which of undici's errors are our timeouts: its connect timeout covers TCP connect plus the TLS handshake, its
// headers and body timeouts are the upstream's silence (undici does not count time while we paused reading).

export type TimeoutPhase = "connect" | "silence";

export function timeoutPhase(err: Error): TimeoutPhase | null {
  switch ((err as NodeJS.ErrnoException).code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return "connect";
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
      return "silence";
    default:
      return null;
  }
}

/** A short code for the log and the refusal: the system's (ECONNREFUSED) or undici's (UND_ERR_SOCKET). */
export function failureCode(err: Error): string {
  return (err as NodeJS.ErrnoException).code ?? "error";
}
