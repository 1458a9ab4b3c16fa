import { isApikeyError, recogniseKey } from "@apikey/core";
import { ERROR_CODES } from "@apikey/core/errors";
import type { AllMiddlewareArgs, App, SlackViewMiddlewareArgs, webApi } from "@slack/bolt";
import { announce } from "../../commands/announce.ts";
import { Answer, requireAccess } from "../../commands/env.ts";
import { rotateView } from "../../commands/run.ts";
import { renderError } from "../../hints.ts";
import { bold } from "../../render/blocks.ts";
import {
  ADD_CALLBACK,
  addModal,
  DEFAULT_GRACE,
  GRACE_CHOICES,
  outcomeModal,
  ROTATE_CALLBACK,
  workingModal,
} from "../../render/modals.ts";
import { decodeOrigin, encodeOrigin, selectedValue, textValue } from "../../render/submission.ts";
import { MAY_WAIT, slackCall } from "../../slack-calls.ts";
import type { BotDeps } from "../deps.ts";
import { envFrom } from "../env.ts";
import { addedLines, rotatedLines, upstreamLine } from "./outcomes.ts";

// The add and rotate forms on submission. The key's shape is checked before the ack (core's rule, and instant), so
// a mistyped key gets an inline error at once. The rest (authorization again, validation with Anthropic, which can
// take ten seconds) runs after an ack that shows a "checking" view; the view is then updated with the outcome.

type ViewArgs = SlackViewMiddlewareArgs & AllMiddlewareArgs;

function shapeError(secret: string): string | undefined {
  try {
    recogniseKey(secret);
    return undefined;
  } catch (err) {
    return isApikeyError(err) ? err.message : "That is not an Anthropic key.";
  }
}

// The view stays open while the bot works, so a 429 from Slack is waited out once (slack-calls.ts).
const update = (client: webApi.WebClient, viewId: string, view: webApi.ViewsUpdateArguments["view"]) =>
  slackCall("views.update", () => client.views.update({ view_id: viewId, view }), MAY_WAIT);

export function register(app: App, deps: BotDeps): void {
  app.view(ADD_CALLBACK, async (args: ViewArgs) => {
    const { ack, view, client, logger } = args;
    const values = view.state.values;
    const origin = decodeOrigin(view.private_metadata);
    const name = textValue(values, "name");
    const profile = textValue(values, "profile") || origin?.profile || "default";
    const secret = textValue(values, "key");
    const bad = shapeError(secret);
    if (bad) {
      await ack({ response_action: "errors", errors: { key: bad } });
      return;
    }
    await ack({
      response_action: "update",
      view: workingModal("Add a key", "Checking the key with Anthropic…"),
    });
    const env = envFrom(args, deps, { channelId: origin?.channel });
    if (!env) return;
    const retry = (error: string) =>
      addModal({ profile, name, error }, encodeOrigin({ channel: origin?.channel, profile }));
    try {
      // Checked again here: the person's rights may have changed since the form opened.
      await requireAccess(env, profile, "operate", "add");
      // The config says who may operate a profile, so a profile it names may not exist in the store yet: its
      // operator's first key creates it (core's rule, in the key's own transaction).
      const { key, validation } = await env.core.keys.add({
        name,
        secret,
        profile,
        validate: true,
        createProfile: true,
      });
      await update(
        client,
        view.id,
        outcomeModal("Key added", addedLines(key.name, key.profile, key.masked, validation)),
      );
    } catch (err) {
      if (err instanceof Answer) {
        await update(client, view.id, outcomeModal("Not allowed", [String(err.reply.text)]));
        return;
      }
      const rendered = renderError(err);
      logger.warn(`add form failed: ${rendered.code}`);
      // Errors about what was typed go back into the form (empty key field: it is never put back).
      const inForm: string[] = [
        ERROR_CODES.KEY_INVALID,
        ERROR_CODES.NAME_INVALID,
        ERROR_CODES.NAME_TAKEN,
        ERROR_CODES.KEY_DUPLICATE,
        ERROR_CODES.PROFILE_NOT_FOUND,
      ];
      const view2 = inForm.includes(rendered.code)
        ? retry(`${rendered.text}${rendered.code === ERROR_CODES.KEY_INVALID ? " It was not stored." : ""}`)
        : outcomeModal("Not added", [rendered.text]);
      await update(client, view.id, view2).catch(() => undefined);
    }
  });

  app.view(ROTATE_CALLBACK, async (args: ViewArgs) => {
    const { ack, view, client, logger } = args;
    const values = view.state.values;
    const origin = decodeOrigin(view.private_metadata);
    const secret = textValue(values, "new_key");
    const bad = shapeError(secret);
    if (bad) {
      await ack({ response_action: "errors", errors: { new_key: bad } });
      return;
    }
    if (!origin?.profile || !origin.name) {
      await ack({
        response_action: "update",
        view: outcomeModal("Not rotated", ["This form is out of date: run `/apikey rotate NAME` again."]),
      });
      return;
    }
    const { profile, name } = origin;
    const grace = Number(selectedValue(values, "grace") ?? DEFAULT_GRACE);
    const graceMs = GRACE_CHOICES.some((c) => Number(c.value) === grace) ? grace : Number(DEFAULT_GRACE);
    const deactivateUpstream = selectedValue(values, "upstream") !== "keep";
    await ack({
      response_action: "update",
      view: workingModal("Rotate a key", "Checking the new key and rotating…"),
    });
    const env = envFrom(args, deps, { channelId: origin.channel });
    if (!env) return;
    try {
      await requireAccess(env, profile, "operate", "rotate");
      const result = await env.core.keys.rotate({
        name,
        profile,
        newSecret: secret,
        graceMs,
        validate: true,
        deactivateUpstream,
      });
      await update(client, view.id, outcomeModal("Key rotated", rotatedLines(result)));
      if (result.changed) {
        await announce(
          env,
          `<@${env.actor.userId}> rotated ${bold(profile)}/${bold(name)} to \`${result.new.masked}\`. ${upstreamLine(result)}`,
        );
      }
    } catch (err) {
      if (err instanceof Answer) {
        await update(client, view.id, outcomeModal("Not allowed", [String(err.reply.text)]));
        return;
      }
      const rendered = renderError(err);
      logger.warn(`rotate form failed: ${rendered.code}`);
      const inForm: string[] = [
        ERROR_CODES.KEY_INVALID,
        ERROR_CODES.ROTATE_SAME_KEY,
        ERROR_CODES.KEY_DUPLICATE,
      ];
      if (inForm.includes(rendered.code)) {
        const again = await rotateView(env, profile, name).catch(() => undefined);
        if (again) {
          const withError = {
            ...again,
            blocks: [
              {
                type: "section" as const,
                text: { type: "mrkdwn" as const, text: `:warning: ${rendered.text} Nothing was changed.` },
              },
              ...again.blocks,
            ],
          };
          await update(client, view.id, withError).catch(() => undefined);
          return;
        }
      }
      await update(
        client,
        view.id,
        outcomeModal("Not rotated", [rendered.text, "Nothing was changed."]),
      ).catch(() => undefined);
    }
  });
}
