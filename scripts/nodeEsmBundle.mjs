/**
 * The esbuild options every Node ES-module bundle here shares (the bin, and the bench's bundled
 * bare server, which must be built the same way to be a fair floor).
 */
export const NODE_ESM_BUNDLE = {
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
};
