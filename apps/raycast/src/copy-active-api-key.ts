import { Clipboard, showHUD } from "@raycast/api";
import { readActiveSecret } from "./data/actions.ts";
import { errorHint } from "./lib/hints.ts";

/** No view: the fastest path from Raycast into a terminal or a web form. The copy stays out of clipboard history. */
export default async function CopyActiveApiKey() {
  try {
    const { name, secret } = await readActiveSecret("default");
    await Clipboard.copy(secret, { concealed: true });
    await showHUD(`Copied ${name}`);
  } catch (err) {
    const hint = errorHint(err);
    await showHUD(`${hint.title.replace(/\.$/, "")}. ${hint.message}`);
  }
}
