import { AWS_REQUEST_OPTIONS } from "../aws-client.js";
import { AWS_CREDENTIAL_OPTIONS } from "../aws-credentials.js";
import type { Backend, BackendContext, OptionSpec } from "../types.js";
import { DynamoBackend } from "./backend.js";
import { createClient, readSettings } from "./client.js";
import { ServerClock } from "./clock.js";
import { LeaseTable } from "./store.js";

/**
 * Options of a dynamodb backend (`[backend.dynamodb]`, or any section with `type = dynamodb`).
 * Credentials come from the AWS SDK's default chain (environment, shared profile, SSO,
 * instance/container roles) unless `profile` or a key pair is given here.
 */
export const options: readonly OptionSpec[] = [
  {
    name: "table",
    type: "string",
    description: "table holding one item per resource, keyed on resource (string)",
    default: "leasehold",
    env: "LEASEHOLD_DYNAMODB_TABLE",
  },
  {
    name: "region",
    type: "string",
    description:
      "AWS region; defaults to the SDK chain (AWS_REGION, profile), or us-east-1 with a custom endpoint",
  },
  {
    name: "endpoint",
    type: "string",
    description: "URL of DynamoDB Local, dynalite or a VPC endpoint; omit for AWS DynamoDB",
  },
  ...AWS_CREDENTIAL_OPTIONS,
  {
    name: "create_table",
    type: "boolean",
    description: "create the table (on-demand capacity) on first use if it is missing",
    default: "false",
  },
  {
    name: "skew_margin",
    type: "duration",
    description:
      "extra time past a lease's expiry before another client may take it over: bounds disagreement between DynamoDB's front-end clocks and clock-rate error",
    default: "1s",
  },
  ...AWS_REQUEST_OPTIONS,
];

/**
 * Creates a DynamoDB backend. Nothing is sent until the first operation.
 * @throws ConfigError for a bad table name or inconsistent credential options.
 * @example
 * const backend = await create({ name: "dynamodb", timeoutMs: 10_000, options: { table: "leasehold", region: "eu-west-1" } });
 */
export async function create(ctx: BackendContext): Promise<Backend> {
  const settings = readSettings(ctx);
  const clock = new ServerClock();
  const table = new LeaseTable(
    createClient(settings.client, clock),
    clock,
    { backend: ctx.name, table: settings.table, timeoutMs: ctx.timeoutMs },
    settings.createTable,
  );
  return new DynamoBackend(table, settings.skewMarginMs, ctx.timeoutMs);
}
