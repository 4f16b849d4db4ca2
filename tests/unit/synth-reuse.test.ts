import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { forgetSynth, REUSE_RECORD, recordSynth, reusableSynth, synthFingerprint, synthInputFiles } from "../infra/synth-reuse";

/** A checkout shaped like the repository's: committed files, an ignored node_modules with npm's record of it. */
function checkout(): string {
  const root = mkdtempSync(path.join(tmpdir(), "synth-reuse-"));
  const files: Record<string, string> = {
    ".gitignore": "node_modules/\n.synth/\nops.settings.json\n",
    "sst.config.ts": "export default {};\n",
    "package.json": "{}\n",
    "stacks/Service.ts": "export const cpu = 512;\n",
    "functions/rollback.ts": "export const handler = 1;\n",
    "docs/canary.md": "# Canary\n",
    "bench/synth.ts": "console.log(1);\n",
    "tests/unit/a.test.ts": "it('a', () => {});\n",
    "tests/infra/synth-all-stages.ts": "export const STAGES = ['prod'];\n",
    "node_modules/.package-lock.json": '{"packages":{"node_modules/sst":{"version":"2.49.8"}}}\n',
  };
  for (const [file, content] of Object.entries(files)) write(root, file, content);
  const git = (...args: string[]) => execFileSync("git", args, { cwd: root, stdio: "ignore" });
  git("init", "-q");
  git("add", ".");
  git("-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "init");
  return root;
}

function write(root: string, file: string, content: string) {
  mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  writeFileSync(path.join(root, file), content);
}

describe("the fingerprint of the infra tests' synth inputs", () => {
  it("counts the stacks, functions, config and the global setup; not docs, benches or other tests", () => {
    expect(synthInputFiles(checkout())).toEqual([
      ".gitignore",
      "functions/rollback.ts",
      "package.json",
      "sst.config.ts",
      "stacks/Service.ts",
      "tests/infra/synth-all-stages.ts",
    ]);
  });

  it("is the same for the same inputs, also after a change to what no synth reads", () => {
    const root = checkout();
    const first = synthFingerprint(root, {});
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(synthFingerprint(root, {})).toBe(first);
    write(root, "docs/canary.md", "# Canary, rewritten\n");
    write(root, "tests/unit/b.test.ts", "it('b', () => {});\n");
    write(root, "bench/new.ts", "console.log(2);\n");
    expect(synthFingerprint(root, {})).toBe(first);
  });

  it.each<[string, (root: string) => void]>([
    ["a stack edited, not committed", (root) => write(root, "stacks/Service.ts", "export const cpu = 1024;\n")],
    ["a new file nobody added to git", (root) => write(root, "stacks/Extra.ts", "export {};\n")],
    ["a tracked file deleted", (root) => rmSync(path.join(root, "functions/rollback.ts"))],
    ["the global setup's stages", (root) => write(root, "tests/infra/synth-all-stages.ts", "export const STAGES = ['dev'];\n")],
    [
      "another package installed",
      (root) => write(root, "node_modules/.package-lock.json", '{"packages":{"node_modules/sst":{"version":"2.49.9"}}}\n'),
    ],
    ["a settings file, ignored by git but read by the stacks", (root) => write(root, "ops.settings.json", '{"prod":{}}\n')],
  ])("changes with %s", (_, change) => {
    const root = checkout();
    const before = synthFingerprint(root, {});
    change(root);
    expect(synthFingerprint(root, {})).not.toBe(before);
  });

  it("changes with the settings file named by $OPS_SETTINGS_FILE and its content", () => {
    const root = checkout();
    const file = path.join(mkdtempSync(path.join(tmpdir(), "settings-")), "ops.settings.json");
    const none = synthFingerprint(root, {});
    writeFileSync(file, '{"dev":{}}');
    const named = synthFingerprint(root, { OPS_SETTINGS_FILE: file });
    writeFileSync(file, '{"dev":{"region":"eu-west-1"}}');
    expect(new Set([none, named, synthFingerprint(root, { OPS_SETTINGS_FILE: file })]).size).toBe(3);
  });

  it("is another one in another checkout of the same commit (the record names absolute paths)", () => {
    const root = checkout();
    const copy = mkdtempSync(path.join(tmpdir(), "synth-reuse-copy-"));
    cpSync(root, copy, { recursive: true });
    expect(synthFingerprint(copy, {})).not.toBe(synthFingerprint(root, {}));
  });

  it("cannot be told without git or without npm's record of node_modules", () => {
    const plain = mkdtempSync(path.join(tmpdir(), "not-a-checkout-"));
    write(plain, "node_modules/.package-lock.json", "{}");
    expect(synthFingerprint(plain, {})).toBeNull();
    const root = checkout();
    rmSync(path.join(root, "node_modules"), { recursive: true });
    expect(synthFingerprint(root, {})).toBeNull();
  });
});

describe("reusing a recorded synth", () => {
  type Synthesized = Record<string, { outdir: string; templates: string[] }>;
  const filesOf = (s: Synthesized) => Object.values(s).flatMap((stage) => [stage.outdir, ...stage.templates]);

  function synthesized(root: string): Synthesized {
    const outdir = path.join(root, ".synth", "test", "prod");
    write(root, ".synth/test/prod/prod-Service.template.json", "{}");
    return { prod: { outdir, templates: [path.join(outdir, "prod-Service.template.json")] } };
  }

  it("gives back what was recorded under the same fingerprint, and nothing under another one", () => {
    const root = checkout();
    const fingerprint = synthFingerprint(root, {}) as string;
    const stages = synthesized(root);
    expect(reusableSynth(root, fingerprint, filesOf)).toBeNull();
    recordSynth(root, fingerprint, stages, new Date("2026-12-02T10:00:00Z"));
    expect(reusableSynth(root, fingerprint, filesOf)).toEqual({ synthesized: stages, writtenAt: "2026-12-02T10:00:00.000Z" });
    write(root, "stacks/Service.ts", "export const cpu = 2048;\n");
    expect(reusableSynth(root, synthFingerprint(root, {}), filesOf)).toBeNull();
    expect(reusableSynth(root, null, filesOf)).toBeNull();
  });

  it("gives back nothing when a file it names is gone, the record is unreadable, or it was forgotten", () => {
    const root = checkout();
    const fingerprint = synthFingerprint(root, {}) as string;
    const stages = synthesized(root);
    recordSynth(root, fingerprint, stages);
    rmSync(stages.prod?.templates[0] as string);
    expect(reusableSynth(root, fingerprint, filesOf)).toBeNull();

    synthesized(root);
    writeFileSync(path.join(root, REUSE_RECORD), "{ cut short");
    expect(reusableSynth(root, fingerprint, filesOf)).toBeNull();

    recordSynth(root, fingerprint, stages);
    forgetSynth(root);
    expect(reusableSynth(root, fingerprint, filesOf)).toBeNull();
  });

  it("is not spoiled by its own record: writing it leaves the fingerprint as it was", () => {
    const root = checkout();
    const fingerprint = synthFingerprint(root, {}) as string;
    recordSynth(root, fingerprint, synthesized(root));
    expect(synthFingerprint(root, {})).toBe(fingerprint);
  });
});
