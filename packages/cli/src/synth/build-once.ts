import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Each Lambda bundle built once per process. SST 2.49.8 builds every function of every stage anew, one esbuild run
 * and one `npm install` in the bundle's folder each, even with nothing to install (sst/runtime/handlers/node.js
 * tests the list itself, and an empty list is true; empty-install.ts now skips that one): a three-stage synth made 23
 * bundles out of 7 distinct ones.
 * A bundle depends only on the handler's file, its nodejs options, runtime, architecture and the mode, so a second
 * function with the same ones gets a copy of the first one's folder, npm's files included, with the one line that
 * names the folder (package-lock.json's "name") made its own: the same bytes as a fresh build, hence the same asset
 * hash. A build that hands back a separate sourcemap file (a path in its own folder) is never reused.
 */

interface BuildInput {
  out: string;
  mode: string;
  props: { handler?: string; nodejs?: unknown; runtime?: string; architecture?: string };
}
type BuildResult = { type: string; sourcemap?: string };
interface RuntimeHandler {
  build(input: BuildInput): Promise<BuildResult>;
}

const wrapped = new WeakSet<RuntimeHandler>();

export async function buildEachBundleOnce(runtime: string): Promise<void> {
  const { useRuntimeHandlers } = await import("sst/runtime/handlers.js");
  const handler = useRuntimeHandlers().for(runtime) as unknown as RuntimeHandler;
  if (wrapped.has(handler)) return;
  wrapped.add(handler);
  const build = handler.build.bind(handler);
  const built = new Map<string, Promise<{ out: string; result: BuildResult }>>();
  handler.build = async (input) => {
    const { handler: file, nodejs, runtime: fnRuntime, architecture } = input.props;
    const key = JSON.stringify([file, nodejs, fnRuntime, architecture, input.mode]);
    const earlier = built.get(key);
    if (earlier) {
      const { out, result } = await earlier;
      if (result.type === "success" && !result.sourcemap && out !== input.out) {
        await cp(out, input.out, { recursive: true });
        await renameLockfile(input.out, path.basename(out));
        return result;
      }
    }
    const building = build(input).then((result) => ({ out: input.out, result }));
    built.set(key, building);
    return (await building).result;
  };
}

/** npm writes the folder's name into package-lock.json: the copy's is its own folder's, as npm would have written. */
async function renameLockfile(out: string, copiedFrom: string): Promise<void> {
  const file = path.join(out, "package-lock.json");
  const text = await readFile(file, "utf8").catch(() => null);
  if (text === null) return;
  const lock = JSON.parse(text) as { name?: string };
  if (lock.name !== copiedFrom) return;
  await writeFile(file, text.replace(JSON.stringify(copiedFrom), JSON.stringify(path.basename(out))));
}
