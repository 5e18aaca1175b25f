// Bundles the CLI into dist/bin: hosts spawn `sms-mcp serve` on every launch, and one bundle
// starts far faster than resolving hundreds of module files. Dynamic imports stay separate
// chunks, so provider SDKs, the HTTP stack and the demo still load only when used.
// The provider SDKs and the keychain module stay in node_modules (large, native or lazy).
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { NODE_ESM_BUNDLE } from "./nodeEsmBundle.mjs";

const SDK_SHIMS = fileURLToPath(new URL("../src/server/sdkShims.ts", import.meta.url));
/** The SDK's Ajv provider, bundled on its own beside the bin (see BUNDLE_SWAPS.lazyAjv). */
const AJV_PROVIDER = "ajv-provider.cjs";
const PHONE_PATTERNS = fileURLToPath(new URL("../src/sms/phonePatterns.ts", import.meta.url));

/**
 * The build-time performance switches: each swaps a module for a faster one with the same
 * answers. Set one to false to build (and bench) without it. A switch that is on but matched
 * nothing fails the build: the dependency moved, and the swap would silently stop working.
 * The run-time switches are in src/server/tuning.ts; the figures in docs/benchmarks.md.
 */
const BUNDLE_SWAPS = {
  /**
   * The server SDK imports its Node shims, and with them its bundled Ajv provider (some
   * 300 KB), at load time, for a default validator a send never uses. Inside the server SDK,
   * that import points at src/server/sdkShims.ts, whose validator loads the real provider on
   * first use, from a file of its own beside the bundle (dist/bin/ajv-provider.cjs), so
   * start-up does not even parse it. Consequence: the first schema validation (an elicitation
   * answer) loads Ajv then.
   */
  lazyAjv: true,
  /**
   * The tool's JSON Schemas are computed from zod by src/server/sendSmsSchemas.ts; the bundle
   * replaces that module with its result (from the tsc output, which `npm run build` writes
   * first). Consequence: a schema change needs a rebuild, which `npm test` always does.
   */
  precomputedToolSchemas: true,
  /**
   * zod re-exports 40-odd translations of its error messages as `z.locales`, which nothing
   * here uses (English loads separately). Like webpack's classic moment-locales ignore, they
   * are left out. Consequence: `z.locales` is empty in the bundle.
   */
  zodWithoutLocales: true,
  /**
   * libphonenumber-js compiles a metadata pattern into a new RegExp on every match, several
   * per number; its `matchesEntirely` helper points at src/sms/phonePatterns.ts, which
   * compiles each pattern once. Consequence: the compiled patterns stay in memory.
   */
  compiledPhonePatterns: true,
  /**
   * libphonenumber-js ships its modules twice: es6/ (its exports, compiled for old browsers
   * with Babel helpers for every spread, class and for-of) and es6-modern/. The bundle takes
   * the modern copy where it exists. Consequence: none on Node 20; es6/ stays the fallback.
   */
  modernPhoneNumbers: true,
};

const matched = Object.fromEntries(Object.keys(BUNDLE_SWAPS).map((name) => [name, 0]));
const hit = (name, result) => {
  if (result) matched[name] += 1;
  return result;
};

const plugins = {
  lazyAjv: {
    name: "lazy-ajv",
    setup(b) {
      b.onResolve({ filter: /^@modelcontextprotocol\/server\/_shims$/ }, (args) =>
        hit(
          "lazyAjv",
          /[\\/]@modelcontextprotocol[\\/]server[\\/]/.test(args.importer)
            ? { path: SDK_SHIMS }
            : undefined,
        ),
      );
      // lazyAjvProvider.ts's require() of the provider: the file built below, at run time.
      b.onResolve({ filter: /^@modelcontextprotocol\/server\/validators\/ajv$/ }, (args) =>
        args.kind === "require-call" ? { path: `./${AJV_PROVIDER}`, external: true } : undefined,
      );
    },
  },
  precomputedToolSchemas: {
    name: "precomputed-tool-schemas",
    setup(b) {
      b.onResolve({ filter: /\/sendSmsSchemas\.js$/ }, () =>
        hit("precomputedToolSchemas", { path: "sendSmsSchemas", namespace: "precomputed" }),
      );
      b.onLoad({ filter: /.*/, namespace: "precomputed" }, async () => {
        const { sendSmsJsonSchemas } = await import("../dist/server/sendSmsSchemas.js");
        return {
          contents: `export const sendSmsJsonSchemas = ${JSON.stringify(sendSmsJsonSchemas)};`,
          loader: "js",
        };
      });
    },
  },
  zodWithoutLocales: {
    name: "zod-without-locales",
    setup(b) {
      b.onResolve({ filter: /\/locales\/index\.js$/ }, (args) =>
        hit(
          "zodWithoutLocales",
          /[\\/]zod[\\/]/.test(args.importer)
            ? { path: "zod-locales", namespace: "empty" }
            : undefined,
        ),
      );
      b.onLoad({ filter: /.*/, namespace: "empty" }, () => ({
        contents: "export {};",
        loader: "js",
      }));
    },
  },
  compiledPhonePatterns: {
    name: "compiled-phone-patterns",
    setup(b) {
      b.onResolve({ filter: /\/matchesEntirely\.js$/ }, (args) =>
        hit(
          "compiledPhonePatterns",
          /[\\/]libphonenumber-js[\\/]/.test(args.importer) ? { path: PHONE_PATTERNS } : undefined,
        ),
      );
    },
  },
  modernPhoneNumbers: {
    name: "modern-phone-numbers",
    setup(b) {
      b.onResolve({ filter: /(^|\/)es6\// }, (args) => {
        if (!/[\\/]libphonenumber-js[\\/]/.test(args.importer)) return undefined;
        const modern = join(args.resolveDir, args.path.replace(/(^|\/)es6\//, "$1es6-modern/"));
        return hit("modernPhoneNumbers", existsSync(modern) ? { path: modern } : undefined);
      });
    },
  },
};

// Chunk names are content hashes: clear the old ones so dist/bin holds only this build.
rmSync("dist/bin", { recursive: true, force: true });

const result = await build({
  metafile: true,
  entryPoints: { main: "src/cli/bin.ts" },
  outdir: "dist/bin",
  ...NODE_ESM_BUNDLE,
  splitting: true,
  sourcemap: true,
  // Less to parse on every host launch; the source map keeps stack traces readable.
  minify: process.env.SMS_MCP_BUNDLE_MINIFY !== "0",
  external: ["twilio", "plivo", "telnyx", "@github/keytar", "libphonenumber-geo-carrier"],
  plugins: Object.entries(plugins)
    .filter(([name]) => BUNDLE_SWAPS[name])
    .map(([, plugin]) => plugin),
  logLevel: "warning",
});

const ajvProvider = BUNDLE_SWAPS.lazyAjv
  ? await build({
      metafile: true,
      entryPoints: { "ajv-provider": "@modelcontextprotocol/server/validators/ajv" },
      outdir: "dist/bin",
      outExtension: { ".js": ".cjs" },
      bundle: true,
      format: "cjs",
      platform: "node",
      target: "node20",
      minify: process.env.SMS_MCP_BUNDLE_MINIFY !== "0",
      logLevel: "warning",
    })
  : undefined;

const stale = Object.keys(BUNDLE_SWAPS).filter((name) => BUNDLE_SWAPS[name] && !matched[name]);
if (stale.length > 0) {
  console.error(
    `bundle: the swap ${stale.join(", ")} matched nothing: its dependency changed. Update the swap in scripts/bundle.mjs or turn it off.`,
  );
  process.exit(1);
}

/**
 * The bundle carries other people's code, so it carries their license texts too:
 * dist/bin/THIRD_PARTY_LICENSES.md, one section per bundled package (its name, version and
 * LICENSE file), shipped beside the bin.
 */
function packageRootOf(input) {
  const match = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  return match?.[1];
}
const inputs = [result, ajvProvider].flatMap((r) => (r ? Object.keys(r.metafile.inputs) : []));
const bundled = [...new Set(inputs.map(packageRootOf))].filter((root) => root !== undefined).sort();
const sections = bundled.map((root) => {
  const { name, version, license } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const file = readdirSync(root).find((f) => /^(licen[cs]e|copying)([.-]|$)/i.test(f));
  const text = file ? readFileSync(join(root, file), "utf8").trim() : `License: ${license}`;
  return `## ${name} ${version}\n\n${text}\n`;
});
const unique = [...new Set(sections)];
writeFileSync(
  join(dirname(fileURLToPath(import.meta.url)), "..", "dist", "bin", "THIRD_PARTY_LICENSES.md"),
  `# Third-party licenses\n\nThe bundle in this folder includes these packages.\n\n${unique.join("\n")}`,
);
