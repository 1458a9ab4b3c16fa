import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App, HTTPReceiver, type Logger, type Receiver, SocketModeReceiver } from "@slack/bolt";
import type { Policy } from "./authz/config-file.ts";
import type { Directory } from "./authz/decide.ts";
import { slackDirectory, slackErrorCode } from "./authz/slack-directory.ts";
import type { SlackConfig } from "./config.ts";
import type { CoreFor, CorePort } from "./core-port.ts";
import { socketDeliveryName } from "./delivery.ts";
import { checkPayloadsFirst, keyInTextGuard, type OnRefusal, workspaceGuard } from "./guards.ts";
import { guardHttpReceiver, verifiedDeliveryName } from "./http-intake.ts";
import type { BotDeps } from "./listeners/deps.ts";
import { registerListeners } from "./listeners/index.ts";
import { type ClaimOnce, DELIVERY_PROPERTY, memoryClaims, replayGuard } from "./replay.ts";
import { type Clock, type Loop, startLoop, systemClock } from "./scheduler/loop.ts";
import { reminderPass } from "./scheduler/reminders.ts";
import { usageSyncTick } from "./scheduler/usage-sync.ts";
import { MAY_WAIT, slackCall } from "./slack-calls.ts";
import { refreshBeforeClosing } from "./socket-refresh.ts";

export type { BotDeps } from "./listeners/deps.ts";

export interface BotOptions {
  config: SlackConfig;
  policy: Policy;
  logger: Logger;
  /** Shared across replicas when the store backs it; in-memory otherwise. */
  claims?: ClaimOnce;
  /** How respond() reaches response_url; tests route it to their stand-in. */
  fetch?: typeof fetch;
  /** Replaces the Slack-backed directory (tests, the demo). */
  directory?: Directory;
  onRefusal?: OnRefusal;
  /** Wall-clock for request timestamps (the future-timestamp check). */
  now?: () => number;
  /** The commands' clock (usage windows are the core's, on the core's clock; keep the two the same). */
  clock?: Clock;
  /** The core acting as a given person; without it only help, refusals and the Home tab's access summary work. */
  core?: CoreFor;
  /** The reminder loop: the core as the bot itself, and the clock (tests step it and call `runNow`). */
  reminders?: {
    core: CorePort;
    clock?: Clock;
    intervalMs?: number;
    autoStart?: boolean;
    /** Runs `usage sync` once per this many minutes across replicas (APIKEY_SLACK_USAGE_SYNC_MINUTES); off when unset. */
    usageSyncMinutes?: number | undefined;
  };
}

export interface Bot {
  app: App;
  mode: "http" | "socket";
  reminders: Loop | undefined;
  /** Starts listening (HTTP) or connects (Socket Mode). Resolves with the bound port in HTTP mode. */
  start(): Promise<{ port: number | undefined }>;
  stop(): Promise<void>;
}

const BODY_LIMIT = 256 * 1024;

export function createBot(options: BotOptions): Bot {
  const { config, logger } = options;
  const now = options.now ?? Date.now;
  const clientOptions = {
    ...(config.slackApiUrl ? { slackApiUrl: config.slackApiUrl } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
  const { receiver, httpReceiver } = createReceiver(config, logger, clientOptions);
  const app = new App({
    token: config.botToken,
    receiver,
    logger,
    // The bot's own client gets a 429 back at once (with Retry-After) instead of waiting it out unseen: each call
    // site decides whether it may wait (slack-calls.ts). The Socket Mode connection's client keeps its own retries.
    clientOptions: { ...clientOptions, rejectRateLimitedCalls: true },
    developerMode: false,
  });
  app.error(async (error) => {
    // The error's code and message only: Bolt wraps listener errors whose text can quote a request.
    logger.error(`listener failed: ${error.code ?? "unknown"} ${slackErrorCode(error.original ?? error)}`);
  });

  const onRefusal = loggedRefusals(logger, options.onRefusal);
  const deps: BotDeps = {
    core: options.core,
    clock: options.clock ?? systemClock,
    policy: options.policy,
    directory: options.directory ?? slackDirectory(app.client, { logger }),
    logger,
    onRefusal,
  };
  installGuards(app, httpReceiver, { options, now, onRefusal });
  registerListeners(app, deps);

  let reminders: Loop | undefined;
  return {
    app,
    mode: config.appToken ? "socket" : "http",
    get reminders() {
      return reminders;
    },
    async start() {
      let port: number | undefined;
      if (!httpReceiver) await app.start();
      else {
        const server = (await app.start({ port: config.port, host: config.host })) as Server;
        port = (server.address() as AddressInfo).port;
      }
      reminders = startReminders(app, options);
      return { port };
    },
    async stop() {
      await reminders?.stop();
      await app.stop();
    },
  };
}

/** Socket Mode when there is an app token; otherwise HTTP, behind the front door that verifies each request. */
function createReceiver(
  config: SlackConfig,
  logger: Logger,
  clientOptions: { slackApiUrl?: string; fetch?: typeof fetch },
): { receiver: Receiver; httpReceiver: HTTPReceiver | undefined } {
  if (config.appToken) {
    const socketReceiver = new SocketModeReceiver({
      appToken: config.appToken,
      logger,
      installerOptions: { clientOptions },
      customPropertiesExtractor: (args: { envelope_id?: unknown }) => ({
        [DELIVERY_PROPERTY]: socketDeliveryName(args.envelope_id),
      }),
    });
    refreshBeforeClosing(socketReceiver, logger);
    return { receiver: socketReceiver, httpReceiver: undefined };
  }
  if (!config.signingSecret) throw new Error("HTTP mode needs a signing secret");
  const httpReceiver = new HTTPReceiver({
    signingSecret: config.signingSecret,
    logger,
    bodyLimit: BODY_LIMIT,
    // Named by the front door from what it verified; a request it did not admit never gets here.
    customPropertiesExtractor: (req) => ({ [DELIVERY_PROPERTY]: verifiedDeliveryName(req) }),
  });
  return { receiver: httpReceiver, httpReceiver };
}

/** Every refusal is logged (who, where, why; never the request), then passed to the caller's hook. */
function loggedRefusals(logger: Logger, hook: OnRefusal | undefined): OnRefusal {
  return async (refusal) => {
    logger.warn(
      `refused ${refusal.where} from ${refusal.actor.teamId}/${refusal.actor.userId}: ${refusal.reason}`,
    );
    await hook?.(refusal);
  };
}

/** The checks every request passes before a listener, in this order: verified, well-formed, new, no key, our team. */
function installGuards(
  app: App,
  httpReceiver: HTTPReceiver | undefined,
  { options, now, onRefusal }: { options: BotOptions; now: () => number; onRefusal: OnRefusal },
): void {
  const { config, logger } = options;
  if (httpReceiver && config.signingSecret) {
    guardHttpReceiver(httpReceiver, {
      signingSecret: config.signingSecret,
      bodyLimit: BODY_LIMIT,
      now,
      logger,
      onRefusal,
    });
  }
  checkPayloadsFirst(app, logger, onRefusal);
  app.use(replayGuard(options.claims ?? memoryClaims({ now })));
  app.use(keyInTextGuard(onRefusal));
  app.use(workspaceGuard(options.policy, onRefusal));
}

/** The reminder loop, when asked for: it posts to the announcement channel, if the policy names one. */
function startReminders(app: App, options: BotOptions): Loop | undefined {
  const { reminders, logger } = options;
  if (!reminders) return undefined;
  const channel = options.policy.announcementChannel;
  const post = channel
    ? async (text: string) => {
        await slackCall(
          "chat.postMessage",
          () => app.client.chat.postMessage({ channel, text, mrkdwn: true }),
          MAY_WAIT,
        );
      }
    : undefined;
  return startLoop(
    {
      pass: async (now) => {
        const everyMinutes = reminders.usageSyncMinutes;
        if (everyMinutes) await usageSyncTick(now, { core: reminders.core, everyMinutes, logger });
        await reminderPass(now, { core: reminders.core, post, logger });
      },
      logger,
      ...(reminders.clock ? { clock: reminders.clock } : {}),
      ...(reminders.intervalMs ? { intervalMs: reminders.intervalMs } : {}),
    },
    reminders.autoStart ?? true,
  );
}
