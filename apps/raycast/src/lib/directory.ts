import { homedir } from "node:os";
import { isAbsolute, join, resolve } from "node:path";

// The Store Directory preference is text typed into Raycast, not a shell word: nothing expands `~` or `$HOME` in it,
// and Raycast's working directory is not the person's. Without this, the preference's own placeholder
// (`~/.local/share/apikey`) resolved to `<cwd>/~/.local/share/apikey` and every command said "No apikey store".

/**
 * The directory a person meant: `~`, `~/…` (or `~\…`), `$HOME/…` and `${HOME}/…` start at the home directory; any
 * other relative path is taken from the home directory too; surrounding whitespace and quotes are dropped. Empty
 * means "not set" (undefined). `~user/…` is not expanded (Raycast cannot look other users up): it stays relative to
 * home, and the "No apikey store in …" view shows the full path it tried.
 */
export function expandDirectory(text: string | undefined, home: string = homedir()): string | undefined {
  let path = text?.trim() ?? "";
  if (/^(["']).*\1$/.test(path)) path = path.slice(1, -1).trim();
  if (path === "") return undefined;
  const homePrefix = /^(~|\$HOME|\$\{HOME\})(?=$|[\\/])/.exec(path);
  if (homePrefix) return resolve(join(home, path.slice(homePrefix[0].length)));
  return isAbsolute(path) ? resolve(path) : resolve(home, path);
}
