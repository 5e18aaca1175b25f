// Bundles the CLI into dist/bin: hosts spawn `sms-mcp serve` on every launch, and one bundle
// starts far faster than resolving hundreds of module files. Dynamic imports stay separate
// chunks, so provider SDKs, the HTTP stack and the demo still load only when used.
// The provider SDKs and keytar stay in node_modules (large, native or lazily used).
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const LAZY_AJV = fileURLToPath(new URL("../src/server/lazyAjvProvider.ts", import.meta.url));
const PHONE_PATTERNS = fileURLToPath(new URL("../src/sms/phonePatterns.ts", import.meta.url));

/**
 * The SDK's Server and Client import its Ajv provider (and so Ajv) at load time, for a default
 * validator this server never uses. Inside the SDK, that import is pointed at a stand-in that
 * loads the real provider on first use. If the SDK moves the file, the filter simply stops
 * matching and the bundle is as before.
 */
const lazyAjv = {
  name: "lazy-ajv",
  setup(b) {
    b.onResolve({ filter: /\/validation\/ajv-provider\.js$/ }, (args) =>
      args.importer.includes("@modelcontextprotocol/sdk") ? { path: LAZY_AJV } : undefined,
    );
  },
};

/**
 * The tool's JSON Schemas come from zod at run time in src/; in the bundle, the module that
 * computes them is replaced by its result (from the tsc output, which `npm run build` writes
 * first), so a launch does not pay for the conversion.
 */
const precomputedSchemas = {
  name: "precomputed-tool-schemas",
  setup(b) {
    b.onResolve({ filter: /\/sendSmsSchemas\.js$/ }, () => ({
      path: "sendSmsSchemas",
      namespace: "precomputed",
    }));
    b.onLoad({ filter: /.*/, namespace: "precomputed" }, async () => {
      const { sendSmsJsonSchemas } = await import("../dist/server/sendSmsSchemas.js");
      return {
        contents: `export const sendSmsJsonSchemas = ${JSON.stringify(sendSmsJsonSchemas)};`,
        loader: "js",
      };
    });
  },
};

/**
 * zod re-exports its 40-odd translations of error messages as `z.locales`, which nothing here
 * uses (zod's English messages load separately). Like webpack's classic moment-locales
 * ignore, the bundle leaves them out: about 300 KB of source that every launch would parse.
 */
const zodWithoutLocales = {
  name: "zod-without-locales",
  setup(b) {
    b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer) ? { path: "zod-locales", namespace: "empty" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({
      contents: "export {};",
      loader: "js",
    }));
  },
};

/**
 * libphonenumber-js compiles a metadata pattern into a new RegExp on every match, several per
 * number; in a running server that was most of the check of each new recipient. Its
 * `matchesEntirely` helper is pointed at src/sms/phonePatterns.ts, which compiles each pattern
 * once. If the library renames the helper, the filter stops matching and the bundle is as before.
 */
const compiledPhonePatterns = {
  name: "compiled-phone-patterns",
  setup(b) {
    b.onResolve({ filter: /\/matchesEntirely\.js$/ }, (args) =>
      /[\\/]libphonenumber-js[\\/]/.test(args.importer) ? { path: PHONE_PATTERNS } : undefined,
    );
  },
};

/**
 * libphonenumber-js ships the same modules twice: es6/ (what its exports point at, compiled
 * for old browsers, with Babel helpers for every spread, class and for-of) and es6-modern/.
 * The modern copy checks a new recipient about 5-8 µs faster on a warm server, so the
 * bundle takes it. If a release stops shipping es6-modern/, the bundle keeps es6/.
 */
const modernPhoneNumbers = {
  name: "modern-phone-numbers",
  setup(b) {
    b.onResolve({ filter: /(^|\/)es6\// }, (args) => {
      if (!/[\\/]libphonenumber-js[\\/]/.test(args.importer)) return undefined;
      const modern = join(args.resolveDir, args.path.replace(/(^|\/)es6\//, "$1es6-modern/"));
      return existsSync(modern) ? { path: modern } : undefined;
    });
  },
};

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
  external: ["twilio", "plivo", "telnyx", "@github/keytar"],
  // CommonJS dependencies inside an ES module bundle still call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  plugins: [
    lazyAjv,
    precomputedSchemas,
    zodWithoutLocales,
    modernPhoneNumbers,
    compiledPhonePatterns,
  ],
  logLevel: "warning",
});
