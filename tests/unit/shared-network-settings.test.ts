import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OVERRIDES_FILE_VARIABLE, stageSettings } from "../../stacks/config";

const suiteSettings = process.env[OVERRIDES_FILE_VARIABLE];

function withSettingsFile(content: object) {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "ops-settings-")), "ops.settings.json");
  writeFileSync(file, JSON.stringify(content));
  process.env[OVERRIDES_FILE_VARIABLE] = file;
}
afterEach(() => {
  process.env[OVERRIDES_FILE_VARIABLE] = suiteSettings;
});

describe("network.shared: which stages run in another's network", () => {
  it("previews use dev's; prod, staging and dev keep their own", () => {
    expect(stageSettings("pr-123", {}).network.shared).toBe("dev");
    for (const stage of ["prod", "staging", "dev"]) expect(stageSettings(stage, {}).network.shared, stage).toBeNull();
  });

  it.each(["prod", "staging"])("refuses to let %s share a network", (stage) => {
    expect(() => stageSettings(stage, { network: { shared: "dev" } })).toThrow(
      /network\.shared: a (production|staging) stage keeps a network of its own/,
    );
  });

  it("refuses a preview of kind staging in dev's network, and a stage sharing its own", () => {
    expect(() => stageSettings("pr-5", { kind: "staging" })).toThrow(/network\.shared/);
    expect(() => stageSettings("dev", { network: { shared: "dev" } })).toThrow(/cannot share its own network/);
  });

  it("refuses an owner that is not a development stage with a network of its own, or in another region", () => {
    expect(() => stageSettings("pr-5", { network: { shared: "staging" } })).toThrow(/"staging" is a staging stage/);
    withSettingsFile({ sandbox: {} });
    expect(() => stageSettings("pr-5", { network: { shared: "sandbox" } })).toThrow(/"sandbox" uses the network of "dev"/);
    withSettingsFile({ dev: { region: "us-east-1" } });
    expect(() => stageSettings("pr-5", {})).toThrow(/"dev" is in us-east-1, this stage in eu-central-1/);
    expect(stageSettings("pr-5", { network: { shared: null } }).network.shared).toBeNull();
  });
});
