// Bundles the CLI into dist/bin: hosts spawn `sms-mcp serve` on every launch, and one bundle
// starts far faster than resolving hundreds of module files. Dynamic imports stay separate
// chunks, so provider SDKs, the HTTP stack and the demo still load only when used.
// The provider SDKs and keytar stay in node_modules (large, native or lazily used).
import { rmSync } from "node:fs";
import { build } from "esbuild";

// Chunk names are content hashes: clear the old ones so dist/bin holds only this build.
rmSync("dist/bin", { recursive: true, force: true });

await build({
  entryPoints: ["src/cli/main.ts"],
  outdir: "dist/bin",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  // Less to parse on every host launch; the source map keeps stack traces readable.
  minify: process.env.SMS_MCP_BUNDLE_MINIFY !== "0",
  external: ["twilio", "plivo", "telnyx", "keytar"],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  logLevel: "warning",
});
