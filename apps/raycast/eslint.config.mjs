// Raycast's own lint rules, run directly: `ray lint` also checks the author and schema against raycast.com, which
// needs the network.
import raycast from "@raycast/eslint-config";

export default [{ ignores: ["dist/**", "raycast-env.d.ts"] }, ...raycast];
