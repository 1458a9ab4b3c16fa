// Raycast's own lint rules, run directly: `ray lint` also checks the author and schema against raycast.com, which
// needs the network. vendor/ is a generated copy of the apikey packages (scripts/vendor.mjs), linted where it is
// written.
import raycast from "@raycast/eslint-config";

export default [{ ignores: ["dist/**", "raycast-env.d.ts", "vendor/**"] }, ...raycast];
