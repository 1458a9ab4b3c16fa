import type { Server } from "node:http";
import { ApikeyError, ERROR_CODES } from "@apikey/core";

// Where the gateway may listen, and what a failed bind means, as coded errors the fronts render.

/** Listens on host:port; a failure becomes E_PROXY_BIND with the reason. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(bindError(err, host, port));
    server.once("error", onError);
    server.listen(port, host, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

export function bindError(err: NodeJS.ErrnoException, host: string, port: number): ApikeyError {
  const reason =
    err.code === "EADDRINUSE" ? "port_in_use" : err.code === "EACCES" ? "privileged_port" : "bind_failed";
  const message =
    err.code === "EADDRINUSE"
      ? `Port ${port} on ${host} is already in use.`
      : err.code === "EACCES"
        ? `Could not listen on ${host}:${port}: ports below 1024 need privileges.`
        : `Could not listen on ${host}:${port} (${err.code ?? "error"}).`;
  return new ApikeyError(ERROR_CODES.PROXY_BIND, message, { cause: err, details: { host, port, reason } });
}
