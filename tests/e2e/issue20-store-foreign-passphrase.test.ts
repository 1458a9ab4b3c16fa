import { describe } from "vitest";
import { foreignFileTests } from "../fixtures/foreign-stores.ts";
import { storeSafetyHome } from "../fixtures/store-safety.ts";

// Issue 20, item 10: a file that is not an apikey store is refused and left as it was — in a passphrase store. Split
// by item out of one file (tests/fixtures/store-safety.ts has what they share) so the suite's workers share the
// items out.

const t = storeSafetyHome();

describe("issue 20 item 10: a file that is not an apikey store is refused and left as it was", () => {
  foreignFileTests(["a passphrase store"], () => t.home);
});
