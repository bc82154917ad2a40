import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  ScanCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { BackendUnavailableError, LeaseholdError } from "../../lease/errors.js";
import type { ServerClock } from "./clock.js";
import { classifyDynamoError, type ErrorContext } from "./errors.js";
import { decodeItem, keyOf, type LeaseItem, NAMES } from "./item.js";
import { createTable, missingTableError } from "./table.js";

/** One conditional UpdateItem: expressions using `#x` names from NAMES and `:v` values. */
export interface ConditionalUpdate {
  readonly update: string;
  readonly condition: string;
  readonly values: Record<string, AttributeValue>;
}

/**
 * The three DynamoDB requests leasehold makes (strongly consistent GetItem, conditional
 * UpdateItem, consistent Scan), each one round trip bounded by `signal`, each error passed
 * through `classifyDynamoError`. A lost condition comes back as "conflict", not a throw. A
 * missing table is created once (option `create_table`) and the request sent again.
 */
export class LeaseTable {
  constructor(
    readonly client: DynamoDBClient,
    readonly clock: ServerClock,
    readonly ctx: ErrorContext,
    readonly mayCreate: boolean,
  ) {}

  get where(): string {
    return `dynamodb backend "${this.ctx.backend}" (table ${this.ctx.table})`;
  }

  /** Reads a resource's item with a strongly consistent GetItem. */
  async get(resource: string, signal: AbortSignal): Promise<LeaseItem | undefined> {
    const out = await this.#send(signal, () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.ctx.table,
          Key: keyOf(resource),
          ConsistentRead: true,
        }),
        { abortSignal: signal },
      ),
    );
    if (out === "conflict") throw this.#unexpected();
    return decodeItem(out.Item, this.where);
  }

  /** Applies one conditional UpdateItem; the item as written, or "conflict" when the condition failed. */
  async update(
    resource: string,
    req: ConditionalUpdate,
    signal: AbortSignal,
  ): Promise<LeaseItem | "conflict"> {
    const expr = `${req.update} ${req.condition}`;
    const names = Object.fromEntries(Object.entries(NAMES).filter(([k]) => expr.includes(k)));
    const out = await this.#send(signal, () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.ctx.table,
          Key: keyOf(resource),
          UpdateExpression: req.update,
          ConditionExpression: req.condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: req.values,
          ReturnValues: "ALL_NEW",
        }),
        { abortSignal: signal },
      ),
    );
    if (out === "conflict") return out;
    const item = decodeItem(out.Attributes, this.where);
    if (!item) throw this.#unexpected();
    return item;
  }

  /** One page of held items whose resource starts with `prefix` (Scan: reads the whole table). */
  async scan(
    prefix: string,
    start: Record<string, AttributeValue> | undefined,
    signal: AbortSignal,
  ): Promise<{ items: LeaseItem[]; next: Record<string, AttributeValue> | undefined }> {
    const out = await this.#send(signal, () =>
      this.client.send(
        new ScanCommand({
          TableName: this.ctx.table,
          ConsistentRead: true,
          FilterExpression: prefix ? "#st = :held AND begins_with(#r, :p)" : "#st = :held",
          ExpressionAttributeNames: prefix
            ? { "#st": "state", "#r": NAMES["#r"] }
            : { "#st": "state" },
          ExpressionAttributeValues: {
            ":held": { S: "held" },
            ...(prefix ? { ":p": { S: prefix } } : {}),
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
        { abortSignal: signal },
      ),
    );
    if (out === "conflict") throw this.#unexpected();
    const items = (out.Items ?? []).flatMap((i) => {
      const item = decodeItem(i, this.where);
      return item ? [item] : [];
    });
    return { items, next: out.LastEvaluatedKey };
  }

  /** Sends, classifying errors; creates a missing table once when allowed. */
  async #send<T>(signal: AbortSignal, request: () => Promise<T>): Promise<T | "conflict"> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await request();
      } catch (e) {
        if (e instanceof LeaseholdError) throw e;
        const outcome = classifyDynamoError(e, this.ctx);
        if (outcome === "conflict") return outcome;
        if (outcome !== "no-table") throw outcome;
        if (!this.mayCreate || attempt > 0) throw missingTableError(this.ctx);
        await createTable(this.client, this.ctx, signal);
      }
    }
  }

  #unexpected(): BackendUnavailableError {
    return new BackendUnavailableError(`${this.where}: unexpected answer from DynamoDB`, {
      hint: "run leasehold doctor",
    });
  }
}
