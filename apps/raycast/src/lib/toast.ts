import { showToast, Toast } from "@raycast/api";
import { errorHint } from "./hints.ts";

/** A failure toast in the extension's words. No "Report Error" action: reports would carry the error's stack. */
export async function showFailure(err: unknown): Promise<void> {
  const hint = errorHint(err);
  await showToast({ style: Toast.Style.Failure, title: hint.title, message: hint.message });
}

/**
 * Runs a step behind an animated toast that ends in success or failure. On failure the toast has said why, so callers
 * only handle the happy path.
 */
export async function withToast<T>(
  progress: string,
  run: () => Promise<T>,
  success: (result: T) => { title: string; message?: string },
): Promise<{ ok: true; value: T } | { ok: false }> {
  const toast = await showToast({ style: Toast.Style.Animated, title: progress });
  try {
    const result = await run();
    const done = success(result);
    toast.style = Toast.Style.Success;
    toast.title = done.title;
    toast.message = done.message;
    return { ok: true, value: result };
  } catch (err) {
    const hint = errorHint(err);
    toast.style = Toast.Style.Failure;
    toast.title = hint.title;
    toast.message = hint.message;
    return { ok: false };
  }
}
