import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
  QueryCommand,
  UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import { Answers } from "../recording";

/**
 * The state table in memory: items as DynamoDB keeps them (attribute values), read and written by the product's
 * own adapters through a recording client. Conditions, key conditions and updates are evaluated as DynamoDB does
 * for the expressions the adapters (and Powertools idempotency) write, so a second claim fails, a stale version
 * loses, a duplicate delivery finds its completed record. One table is one story: a timeline's events share it.
 */

type Item = Record<string, AttributeValue>;
type Names = Record<string, string> | undefined;
type Values = Record<string, AttributeValue> | undefined;

export class Table {
  readonly items = new Map<string, Item>();

  static key(item: Item): string {
    return `${text(item.pk)}\u0000${text(item.sk)}`;
  }

  get(key: Item): Item | undefined {
    const found = this.items.get(Table.key(key));
    return found && structuredClone(found);
  }

  put(item: Item): void {
    this.items.set(Table.key(item), structuredClone(item));
  }

  /** The items whose pk starts with a prefix (e.g. the notifier's incidents). */
  withPk(prefix: string): Item[] {
    return [...this.items.values()].filter((item) => text(item.pk).startsWith(prefix));
  }
}

const text = (value: AttributeValue | undefined) =>
  value && "S" in value ? (value.S ?? "") : value && "N" in value ? (value.N ?? "") : "";

/**
 * An item's key as printed: its pk and sk. A button's ticket is named by what it is for, not by its id (a random
 * one each run, which the notifier's buttons carry and nobody reads).
 */
function shown(item: Item | undefined): string {
  if (!item) return "?";
  const ticket = item.ticket && "M" in item.ticket ? item.ticket.M : undefined;
  if (ticket && text(item.pk).startsWith("chatops#ticket#"))
    return `chatops#ticket#… ticket (${text(ticket.action)} on ${text(ticket.subject)})`;
  return `${text(item.pk)} ${text(item.sk)}`.trim();
}

/** An audit record's decision and outcome, as printed: what the trail will say. */
function decided(item: Item | undefined): string {
  const outcome = text(item?.outcome);
  if (!outcome) return "";
  const decision = item?.decision && "M" in item.decision ? item.decision.M : undefined;
  const action = text(decision?.action) || text(item?.action);
  return ` (${action ? `${action} → ` : ""}${outcome})`;
}

/** A condition as printed: its attribute names resolved, a long one cut short. */
function condition(expression: string | undefined, names: Names): string {
  if (!expression) return "";
  const resolved = expression.replace(/#\w+/g, (name) => names?.[name] ?? name);
  return ` if ${resolved.length > 60 ? `${resolved.slice(0, 57)}…` : resolved}`;
}

/** What a conditional write says of its condition: PutItem's fields, which UpdateItem shares. */
type Conditional = Pick<
  PutItemCommandInput,
  "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues" | "ReturnValuesOnConditionCheckFailure"
>;

/**
 * A write's condition evaluated against the item it would replace (undefined: there is none), as DynamoDB does: when it
 * does not hold, ConditionalCheckFailedException, carrying the old item if the write asked for it (ALL_OLD).
 */
function checkCondition(input: Conditional, old: Item | undefined): void {
  const expression = input.ConditionExpression;
  if (expression && !holds(expression, old, input.ExpressionAttributeNames, input.ExpressionAttributeValues))
    throw new ConditionalCheckFailedException({
      message: "The conditional request failed",
      $metadata: { httpStatusCode: 400 },
      ...(input.ReturnValuesOnConditionCheckFailure === "ALL_OLD" && old ? { Item: old } : {}),
    });
}

export function dynamoDbAnswers(table: Table): Answers {
  return new Answers()
    .set(
      GetItemCommand,
      (input, call) => {
        const item = table.get(input.Key ?? {});
        call.detail += item ? "" : " (none)";
        return item ? { Item: item } : {};
      },
      (input) => shown(input.Key),
    )
    .set(
      PutItemCommand,
      (input) => {
        const item = input.Item ?? {};
        checkCondition(input, table.get(item));
        table.put(item);
        return {};
      },
      (input) => `${shown(input.Item)}${decided(input.Item)}${condition(input.ConditionExpression, input.ExpressionAttributeNames)}`,
    )
    .set(
      UpdateItemCommand,
      (input) => {
        const key = input.Key ?? {};
        const old = table.get(key);
        checkCondition(input, old);
        table.put(
          update({ ...key, ...old }, input.UpdateExpression ?? "", input.ExpressionAttributeNames, input.ExpressionAttributeValues),
        );
        return {};
      },
      (input) =>
        `${shown(input.Key)} ${(input.UpdateExpression ?? "").replace(/#\w+/g, (name) => input.ExpressionAttributeNames?.[name] ?? name)}${condition(input.ConditionExpression, input.ExpressionAttributeNames)}`,
    )
    .set(
      DeleteItemCommand,
      (input) => {
        table.items.delete(Table.key(input.Key ?? {}));
        return {};
      },
      (input) => shown(input.Key),
    )
    .set(
      QueryCommand,
      (input, call) => {
        const condition = input.KeyConditionExpression ?? "";
        const found = [...table.items.values()]
          .filter((item) => holds(condition, item, input.ExpressionAttributeNames, input.ExpressionAttributeValues))
          .sort((a, b) => compare(a.sk, b.sk) * (input.ScanIndexForward === false ? -1 : 1))
          .slice(0, input.Limit ?? Number.POSITIVE_INFINITY)
          .map((item) => structuredClone(item));
        call.detail += `: ${found.length} item${found.length === 1 ? "" : "s"}`;
        return { Items: found, Count: found.length };
      },
      (input) =>
        `${text(input.ExpressionAttributeValues?.[":pk"])}${input.KeyConditionExpression?.includes("sk") ? ` (${input.KeyConditionExpression})` : ""}`,
    );
}

// ── Expressions ─────────────────────────────────────────────────────────────────────────────────────────────

const TOKEN = /\s*(<>|<=|>=|=|<|>|\(|\)|,|[#:]?[A-Za-z_][\w.#[\]-]*)/y;

function tokens(expression: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < expression.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(expression);
    if (!match) {
      if (expression.slice(at).trim() === "") break;
      throw new Error(`The replay's table cannot read the expression "${expression}" at ${at}`);
    }
    out.push(match[1] as string);
  }
  return out;
}

/** An attribute's path, names resolved: "used.#by" → ["used", "by"]. */
const pathOf = (token: string, names: Names) => token.split(".").map((part) => (part.startsWith("#") ? (names?.[part] ?? part) : part));

function valueAt(item: Item | undefined, path: string[]): AttributeValue | undefined {
  let value: AttributeValue | undefined = item ? { M: item } : undefined;
  for (const part of path) value = value && "M" in value ? value.M?.[part] : undefined;
  return value;
}

function compare(a: AttributeValue | undefined, b: AttributeValue | undefined): number {
  if (a && b && "N" in a && "N" in b) return Number(a.N) - Number(b.N);
  const x = text(a);
  const y = text(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

const same = (a: AttributeValue | undefined, b: AttributeValue | undefined) =>
  a !== undefined && b !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** Whether a condition (or key condition) holds for an item (undefined: there is none). */
export function holds(expression: string, item: Item | undefined, names: Names, values: Values): boolean {
  const list = tokens(expression);
  let i = 0;
  const peek = () => list[i];
  const take = () => list[i++] as string;
  const operand = (): AttributeValue | undefined => {
    const token = take();
    return token.startsWith(":") ? values?.[token] : valueAt(item, pathOf(token, names));
  };
  const primary = (): boolean => {
    if (peek() === "(") {
      take();
      const inner = or();
      take(); // ")"
      return inner;
    }
    if (peek()?.toUpperCase() === "NOT") {
      take();
      return !primary();
    }
    const head = peek() as string;
    if (head === "attribute_exists" || head === "attribute_not_exists") {
      take();
      take(); // "("
      const present = valueAt(item, pathOf(take(), names)) !== undefined;
      take(); // ")"
      return head === "attribute_exists" ? present : !present;
    }
    if (head === "begins_with") {
      take();
      take();
      const a = operand();
      take(); // ","
      const b = operand();
      take();
      return text(a).startsWith(text(b));
    }
    const left = operand();
    const op = take();
    const right = operand();
    // Any comparison with a missing attribute is false (NULL values aside: the adapters compare with null only by =).
    if (op === "=") return same(left, right);
    if (op === "<>") return !same(left, right);
    if (left === undefined || right === undefined) return false;
    const order = compare(left, right);
    return op === "<" ? order < 0 : op === "<=" ? order <= 0 : op === ">" ? order > 0 : order >= 0;
  };
  const and = (): boolean => {
    let result = primary();
    while (peek()?.toUpperCase() === "AND") {
      take();
      result = primary() && result;
    }
    return result;
  };
  const or = (): boolean => {
    let result = and();
    while (peek()?.toUpperCase() === "OR") {
      take();
      result = and() || result;
    }
    return result;
  };
  return or();
}

/** SET a = :v, b = :w and REMOVE a, b: the updates the adapters write. */
function update(item: Item, expression: string, names: Names, values: Values): Item {
  const result = structuredClone(item);
  for (const clause of expression.split(/\b(?=SET\b|REMOVE\b)/)) {
    const [verb, ...rest] = clause.trim().split(/\s+/);
    const body = rest.join(" ");
    for (const part of body
      .split(",")
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (verb === "SET") {
        const [target, source] = part.split("=").map((p) => p.trim()) as [string, string];
        const value = values?.[source];
        if (value === undefined) throw new Error(`The replay's table has no value ${source} for "${expression}"`);
        setAt(result, pathOf(target, names), value);
      } else if (verb === "REMOVE") removeAt(result, pathOf(part, names));
      else throw new Error(`The replay's table cannot apply "${expression}"`);
    }
  }
  return result;
}

function setAt(item: Item, path: string[], value: AttributeValue) {
  const last = path.at(-1) as string;
  let map = item;
  for (const part of path.slice(0, -1)) map = (map[part] as { M: Item }).M;
  map[last] = value;
}

function removeAt(item: Item, path: string[]) {
  const last = path.at(-1) as string;
  let map: Item | undefined = item;
  for (const part of path.slice(0, -1)) map = (map?.[part] as { M?: Item } | undefined)?.M;
  if (map) delete map[last];
}

/** The state table as a scenario has it: the rollbacks the ledger remembers, the schedule's sleep record. */
export function seededTable(
  scenario: { rollbacks: { badDeploymentId: string; at: string }[]; asleep: object | null },
  stage: string,
): Table {
  const table = new Table();
  for (const r of scenario.rollbacks)
    table.put(
      marshall({
        pk: `rollback#${stage}#actions`,
        sk: `${r.at}#${r.badDeploymentId}`,
        at: r.at,
        badDeploymentId: r.badDeploymentId,
        rollbackDeploymentId: "d-EARLIER",
      }),
    );
  if (scenario.asleep) table.put(marshall({ pk: `schedule#${stage}`, sk: "asleep", ...scenario.asleep }, { removeUndefinedValues: true }));
  return table;
}
