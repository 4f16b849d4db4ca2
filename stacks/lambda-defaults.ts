import type { FunctionProps } from "sst/constructs";

/**
 * How every automation Lambda is built (issue #10; figures from
 * `npm run bench:lambda` in docs/lambdas.md). Memory and timeout stay with
 * each function, next to the reason for them.
 */
export const LAMBDA_DEFAULTS = {
  // Node 24, the active LTS (Node 22 leaves maintenance in April 2027; SST 2.49.8 supports nodejs24.x); Graviton is
  // ~20% cheaper per GB-second for the same work.
  runtime: "nodejs24.x",
  architecture: "arm_64",
  nodejs: {
    format: "esm",
    // Minified: about a third of the bytes to read and parse at every cold start.
    minify: true,
    // Each adapter is imported with import() on first use and becomes its own chunk: an event that needs no AWS client loads none.
    splitting: true,
    // The map ships beside the bundle, so a minified stack trace from the logs can be mapped back (docs/lambdas.md).
    sourcemap: true,
    // The licences of bundled packages go to a .LEGAL.txt beside each bundle instead of up to 157 KB of comments at its end.
    esbuild: { legalComments: "linked" },
  },
} satisfies FunctionProps;
