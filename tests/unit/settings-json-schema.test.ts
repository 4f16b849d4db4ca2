import { readFileSync } from "node:fs";
import path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import { describe, expect, it } from "vitest";
import { SETTINGS_SCHEMA_FILE, settingsJsonSchemaText } from "../../packages/cli/src/settings-schema/json-schema";
import { CUSTOMIZED_SETTINGS, ECS_SETTINGS } from "../infra/synth-all-stages";

// ajv, an independent JSON Schema validator (draft 2020-12, the draft z.toJSONSchema writes), reads the committed
// file as an editor would.
const ROOT = path.resolve(import.meta.dirname, "../..");
const committed = readFileSync(path.join(ROOT, SETTINGS_SCHEMA_FILE), "utf8");
const validate = new Ajv2020({ strict: false, allErrors: true }).compile(JSON.parse(committed));
const errorsOf = (file: unknown) => (validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));

describe(`${SETTINGS_SCHEMA_FILE}, the JSON Schema of the settings file`, () => {
  it("is what the zod schemas give today (npm run settings:schema)", () => {
    expect(committed).toBe(settingsJsonSchemaText());
  });

  it("accepts the http-echo example and the settings the tests deploy", () => {
    const echo = JSON.parse(readFileSync(path.join(ROOT, "examples/http-echo/ops.settings.json"), "utf8"));
    expect(echo.$schema).toBe(`../../${SETTINGS_SCHEMA_FILE}`);
    for (const file of [echo, CUSTOMIZED_SETTINGS, ECS_SETTINGS, { "github-access": { repository: "acme/ops", stages: ["dev"] } }])
      expect(errorsOf(file)).toEqual([]);
  });

  it("accepts any single field of a stage, as the synth merges it over the defaults", () => {
    expect(errorsOf({ prod: { database: { instanceType: "m7g.xlarge" } }, "pr-9": { service: { maxTasks: 3 } } })).toEqual([]);
  });

  it.each([
    ["a port as text", { prod: { services: { web: { image: { uri: "nginx:1" }, port: "5678" } } } }, "/prod/services/web/port"],
    [
      "a service without its image",
      { prod: { services: { web: { port: 5678, public: true } } } },
      "/prod/services/web must have required property 'image'",
    ],
    ["a misspelt field", { prod: { databse: { enabled: false } } }, "must NOT have additional properties"],
    [
      "a smoke check missing its fields",
      { dev: { canary: { smoke: [{ name: "x" }] } } },
      "/dev/canary/smoke/0 must have required property",
    ],
    ["a stage name AWS names cannot hold", { Prod_1: {} }, "property name must be valid"],
  ])("refuses %s", (_what, file, message) => {
    expect(errorsOf(file).join("\n")).toContain(message);
  });
});
