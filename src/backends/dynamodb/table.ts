import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { BackendUnavailableError, LeaseholdError } from "../../lease/errors.js";
import { sleep } from "../poll.js";
import type { DoctorCheck } from "../types.js";
import { classifyDynamoError, type ErrorContext } from "./errors.js";
import { KEY } from "./item.js";

/**
 * The table leasehold needs: keyed on `resource` (string), on-demand capacity. DynamoDB TTL on
 * the `expires` attribute is optional housekeeping (UpdateTimeToLive, shown by `doctor`).
 */
export function tableSpec(table: string): CreateTableCommandInput {
  return {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: KEY, AttributeType: "S" }],
    KeySchema: [{ AttributeName: KEY, KeyType: "HASH" }],
    BillingMode: "PAY_PER_REQUEST",
  };
}

/** The AWS CLI commands that create the table and enable TTL housekeeping, for messages. */
export function createTableCommands(table: string): string {
  return (
    `aws dynamodb create-table --table-name ${table} --attribute-definitions AttributeName=${KEY},AttributeType=S ` +
    `--key-schema AttributeName=${KEY},KeyType=HASH --billing-mode PAY_PER_REQUEST && ` +
    `aws dynamodb update-time-to-live --table-name ${table} --time-to-live-specification Enabled=true,AttributeName=expires`
  );
}

/** The error for a missing table when leasehold may not create it. */
export function missingTableError(ctx: ErrorContext): BackendUnavailableError {
  return new BackendUnavailableError(
    `dynamodb backend "${ctx.backend}": table ${ctx.table} does not exist`,
    {
      hint: `create it (${createTableCommands(ctx.table)}), or set create_table = true in [backend.${ctx.backend}]`,
    },
  );
}

/**
 * Creates the table (once, racing creators are fine) and waits until it is ACTIVE.
 * @throws BackendUnavailableError when creation is refused or the deadline passes.
 */
export async function createTable(
  client: DynamoDBClient,
  ctx: ErrorContext,
  signal: AbortSignal,
): Promise<void> {
  try {
    await client.send(new CreateTableCommand(tableSpec(ctx.table)), { abortSignal: signal });
  } catch (e) {
    // Another client creating it at the same moment is the same outcome.
    if ((e as { name?: string }).name !== "ResourceInUseException") throw translate(e, ctx);
  }
  for (let pause = 50; !signal.aborted; pause = Math.min(pause * 2, 500)) {
    try {
      const out = await client.send(new DescribeTableCommand({ TableName: ctx.table }), {
        abortSignal: signal,
      });
      if (out.Table?.TableStatus === "ACTIVE") return;
    } catch (e) {
      const t = translate(e, ctx);
      if (t !== "no-table") throw t;
    }
    await sleep(pause, signal);
  }
  throw new BackendUnavailableError(
    `dynamodb backend "${ctx.backend}": table ${ctx.table} did not become ACTIVE within ${ctx.timeoutMs / 1000}s`,
    { hint: "run the command again in a moment" },
  );
}

/** `leasehold doctor` for DynamoDB: the table, its key schema, TTL housekeeping, the clock. */
export async function doctorChecks(
  client: DynamoDBClient,
  ctx: ErrorContext,
  signal: AbortSignal,
): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const sent = Date.now();
  try {
    const out = await client.send(new DescribeTableCommand({ TableName: ctx.table }), {
      abortSignal: signal,
    });
    const key = out.Table?.KeySchema ?? [];
    const keyOk = key.length === 1 && key[0]?.AttributeName === KEY && key[0]?.KeyType === "HASH";
    checks.push({
      name: "table",
      ok: keyOk && out.Table?.TableStatus === "ACTIVE",
      detail: `table ${ctx.table} is ${out.Table?.TableStatus ?? "?"}, keyed on ${key.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ")}`,
      ...(keyOk
        ? {}
        : {
            fix: `leasehold needs a table whose only key is ${KEY} (string): ${createTableCommands(ctx.table)}`,
          }),
    });
  } catch (e) {
    const t = translate(e, ctx);
    if (t !== "no-table") {
      return [
        {
          name: "table",
          ok: false,
          detail: t.message,
          fix: t.hint ?? `check [backend.${ctx.backend}]`,
        },
      ];
    }
    checks.push({
      name: "table",
      ok: false,
      detail: `table ${ctx.table} does not exist; CreateTable parameters: ${JSON.stringify(tableSpec(ctx.table))}`,
      fix: `${createTableCommands(ctx.table)} (or set create_table = true in [backend.${ctx.backend}])`,
    });
    return checks;
  }
  checks.push(await ttlCheck(client, ctx, signal));
  checks.push({
    name: "clock",
    ok: true,
    detail: `expiry is judged by DynamoDB's Date header and this machine's monotonic clock, never its wall clock (request took ${Date.now() - sent} ms)`,
  });
  return checks;
}

async function ttlCheck(client: DynamoDBClient, ctx: ErrorContext, signal: AbortSignal) {
  try {
    const out = await client.send(new DescribeTimeToLiveCommand({ TableName: ctx.table }), {
      abortSignal: signal,
    });
    const d = out.TimeToLiveDescription;
    const on = d?.TimeToLiveStatus === "ENABLED" && d.AttributeName === "expires";
    return {
      name: "ttl housekeeping",
      ok: true,
      detail: on
        ? "DynamoDB TTL deletes items 30 days after they lapse (attribute expires)"
        : `TTL is ${d?.TimeToLiveStatus ?? "not enabled"}: old items stay (harmless); to enable: aws dynamodb update-time-to-live --table-name ${ctx.table} --time-to-live-specification Enabled=true,AttributeName=expires`,
    };
  } catch {
    // DynamoDB Local and dynalite lack DescribeTimeToLive; housekeeping is optional anyway.
    return {
      name: "ttl housekeeping",
      ok: true,
      detail: "TTL status unavailable on this endpoint",
    };
  }
}

function translate(e: unknown, ctx: ErrorContext): LeaseholdError | "no-table" {
  if (e instanceof LeaseholdError) return e;
  const t = classifyDynamoError(e, ctx);
  if (t === "conflict") {
    return new BackendUnavailableError(
      `dynamodb backend "${ctx.backend}": unexpected condition failure`,
      { cause: e },
    );
  }
  return t;
}
