import { request } from "node:http";

// A signed POST whose headers are written exactly as given (strings, or arrays for a header sent twice): fetch
// normalises what these tests need to send spelled wrong.

export interface RawAnswer {
  status: number;
  text: string;
}

export function postRaw(
  url: string,
  body: string | Buffer,
  headers: Record<string, string | string[]>,
): Promise<RawAnswer> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: "POST",
        headers: { "content-length": String(Buffer.byteLength(body)), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}
