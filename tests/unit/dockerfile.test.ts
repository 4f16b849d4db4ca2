import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// hadolint is not available here: these are the rules of it that matter for this image, checked on the real file.
const SERVICE = path.resolve(import.meta.dirname, "../../service");
const dockerfile = readFileSync(path.join(SERVICE, "Dockerfile"), "utf8");
const instructions = dockerfile
  .replace(/\\\n/g, " ")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith("#"))
  .map((line) => {
    const [keyword = "", ...rest] = line.split(/\s+/);
    return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
  });
const stages = instructions.reduce<(typeof instructions)[]>((all, instruction) => {
  if (instruction.keyword === "FROM") all.push([]);
  all.at(-1)?.push(instruction);
  return all;
}, []);
const runtime = stages.at(-1) ?? [];
const inRuntime = (keyword: string) => runtime.filter((i) => i.keyword === keyword);

describe("service/Dockerfile", () => {
  it("is multi-stage, on a pinned Node 24 base from a registry CI can reach without Docker Hub limits", () => {
    const bases = instructions.filter((i) => i.keyword === "FROM").map((i) => i.args.split(" ")[0]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^public\.ecr\.aws\/docker\/library\/node:24-[a-z]+-slim$/);
  });

  it("installs from the lock file, and only production dependencies reach the runtime image", () => {
    const runs = instructions.filter((i) => i.keyword === "RUN").map((i) => i.args);
    expect(runs.some((r) => r.includes("npm install"))).toBe(false);
    expect(runs.filter((r) => r.includes("npm ci --omit=dev"))).toHaveLength(1);
    expect(inRuntime("RUN")).toEqual([]);
    expect(inRuntime("COPY").map((c) => c.args)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^--from=deps .*node_modules/), expect.stringMatching(/^--from=build .*dist/)]),
    );
  });

  it("runs as a non-root user with a health check and an exec-form command", () => {
    expect(inRuntime("USER").map((u) => u.args)).toEqual(["node"]);
    expect(inRuntime("HEALTHCHECK")[0]?.args).toMatch(/CMD \["node", "dist\/healthcheck.js"\]$/);
    expect(JSON.parse(inRuntime("CMD")[0]?.args ?? "null")).toEqual(["node", "dist/main.js"]);
    expect(inRuntime("EXPOSE").map((e) => e.args)).toEqual(["8080"]);
  });

  it("never ADDs, and bakes no credential into the image", () => {
    expect(instructions.filter((i) => i.keyword === "ADD")).toEqual([]);
    expect(
      instructions
        .filter((i) => i.keyword === "ENV" || i.keyword === "ARG")
        .map((i) => i.args)
        .join(" "),
    ).not.toMatch(/PASSWORD|SECRET|TOKEN|KEY/i);
  });

  it("builds the files its health check and command run, and keeps node_modules out of the context", () => {
    expect(existsSync(path.join(SERVICE, "src", "healthcheck.ts"))).toBe(true);
    expect(existsSync(path.join(SERVICE, "src", "main.ts"))).toBe(true);
    expect(readFileSync(path.join(SERVICE, ".dockerignore"), "utf8").split("\n")).toEqual(expect.arrayContaining(["node_modules", "dist"]));
  });
});
