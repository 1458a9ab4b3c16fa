// `store copy` for fronts: a whole store into another, SQLite or PostgreSQL either way, ciphertext as stored.
export { type CopyOptions, type CopyReport, copyStore } from "./copy-store.ts";
export { describeEndpoint, type Endpoint, endpointFrom } from "./sides.ts";
