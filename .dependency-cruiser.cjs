/**
 * The import graph's one rule that Biome cannot check: no circles (docs/architecture.md). The other import rules
 * are Biome's noRestrictedImports (biome.json), which `npm run lint` enforces file by file.
 * https://github.com/sverweij/dependency-cruiser/blob/main/doc/rules-reference.md
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "Files that import each other in a loop: move the shared words to the area's model or ports.ts.",
      from: {},
      to: { circular: true },
    },
    {
      name: "declared-dependencies",
      severity: "error",
      comment: "A workspace package imports only what its own package.json declares (its closest manifest).",
      from: { path: "^packages/[^/]+/src/" },
      to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)(\\.sst|\\.synth|dist)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      extensions: [".ts", ".mts", ".js", ".mjs", ".json"],
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default"],
    },
    preserveSymlinks: false,
  },
};
