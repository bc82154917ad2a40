import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { ConfigError } from "../../lease/errors.js";
import { awsClientBasics } from "../aws-client.js";
import type { BackendContext } from "../types.js";
import type { ServerClock } from "./clock.js";

/** The validated settings of one `[backend.NAME]` section of type dynamodb. */
export interface DynamoSettings {
  readonly table: string;
  readonly skewMarginMs: number;
  readonly createTable: boolean;
  readonly client: DynamoDBClientConfig;
}

/** DynamoDB table names: 3 to 255 of these characters. */
const TABLE_NAME = /^[A-Za-z0-9_.-]{3,255}$/;

/**
 * Turns options into DynamoDBClient settings (endpoint, credentials and request bounds as in
 * aws-client.ts).
 * @throws ConfigError for a bad table name, half a key pair, or profile plus keys.
 */
export function readSettings(ctx: BackendContext): DynamoSettings {
  const o = ctx.options;
  const str = (k: string) =>
    typeof o[k] === "string" && o[k] !== "" ? (o[k] as string) : undefined;
  const table = str("table") ?? "leasehold";
  if (!TABLE_NAME.test(table)) {
    throw new ConfigError(
      `[backend.${ctx.name}] table ${JSON.stringify(table)} is not a DynamoDB table name`,
      { hint: "use 3 to 255 characters from A-Z a-z 0-9 _ . -" },
    );
  }
  const client: DynamoDBClientConfig = awsClientBasics(ctx);
  return {
    table,
    skewMarginMs: (o.skew_margin as number | undefined) ?? 1000,
    createTable: o.create_table === true,
    client,
  };
}

/**
 * Creates the SDK client and feeds every HTTP response's `Date` header, with the monotonic
 * instants around that attempt, into `clock`: the only clock leasehold trusts for expiry.
 */
export function createClient(config: DynamoDBClientConfig, clock: ServerClock): DynamoDBClient {
  // The SDK's Node-version notice would be the only line a CLI user sees on stderr for every run.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const client = new DynamoDBClient(config);
  client.middlewareStack.add(
    (next) => async (args) => {
      // Deserialize step: runs once per attempt, inside the retry loop, around the HTTP call.
      const sent = performance.now();
      try {
        const result = await next(args);
        const headers = (result.response as { headers?: Record<string, string> }).headers;
        clock.observe(headers?.date, sent, performance.now());
        return result;
      } catch (e) {
        const headers = (e as { $response?: { headers?: Record<string, string> } }).$response
          ?.headers;
        clock.observe(headers?.date, sent, performance.now());
        throw e;
      }
    },
    { step: "deserialize", name: "leaseholdServerClock", priority: "high" },
  );
  return client;
}
