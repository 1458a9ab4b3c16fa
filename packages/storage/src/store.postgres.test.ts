// The store contract on a real PostgreSQL server that this file starts (Debian's postgresql package): several
// connections and processes at once, real locks and lock timeouts.
import { describeStoreContract } from "./store.contract.ts";
import { usePrivatePostgres } from "./testing/pg-server.ts";
import { pgServerTarget } from "./testing/pg-target.ts";

const url = usePrivatePostgres();
if (url) describeStoreContract(pgServerTarget(url));
