import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { missingPeersReport, PEERS } from "../peers/required";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("the test suite's peers", () => {
  it("names each missing peer with what needs it and one install line for all of them", () => {
    const missing = PEERS.map((peer) => ({ ...peer, locate: () => undefined }));
    const report = missingPeersReport(missing, false) ?? "";
    for (const peer of PEERS) expect(report).toContain(`- ${peer.name}: ${peer.usedBy}`);
    expect(report).toContain("sudo apt-get update && sudo apt-get install -y postgresql nginx chromium openssl pipx");
    expect(report).toContain('pipx install cfn-lint && pipx install "moto[server]"');
  });

  it("leaves sudo out for a root shell, which may not have it", () => {
    const report =
      missingPeersReport(
        PEERS.map((peer) => ({ ...peer, locate: () => undefined })),
        true,
      ) ?? "";
    expect(report).toContain("\n  apt-get update && apt-get install -y postgresql nginx chromium openssl pipx");
    expect(report).not.toContain("sudo");
  });

  it("says nothing when every peer is there", () => {
    expect(missingPeersReport(PEERS.map((peer) => ({ ...peer, locate: () => "/found" })))).toBeUndefined();
  });

  it("stops `npm test` at its first step, before any test, on a machine whose PATH lacks the Python tools", () => {
    const run = spawnSync(process.execPath, ["--import", "tsx", "tests/peers/check.ts"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { PATH: path.dirname(process.execPath), TEST_DATABASE_URL: "postgres://unused" },
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("pipx install cfn-lint");
    expect(run.stderr).toContain('pipx install "moto[server]"');
  });
});
