// Cuts Twilio's OpenAPI description (twilio/twilio-oai, MIT) down to what the contract test
// uses: the paths below and every component they reference, so the test needs no file from
// outside the repository. Run: node scripts/vendor-twilio-openapi.mjs <twilio_api_v2010.json>
import { readFileSync, writeFileSync } from "node:fs";

const PATHS = [
  "/2010-04-01/Accounts/{AccountSid}/Messages.json",
  "/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json",
  "/2010-04-01/Accounts/{AccountSid}/IncomingPhoneNumbers.json",
  "/2010-04-01/Accounts/{Sid}.json",
];
const OUT = new URL("../test/fixtures/twilio/twilio_api_v2010.subset.json", import.meta.url);

const source = process.argv[2];
if (!source)
  throw new Error("usage: node scripts/vendor-twilio-openapi.mjs <twilio_api_v2010.json>");
const spec = JSON.parse(readFileSync(source, "utf8"));

const components = {};
const seen = new Set();
function collect(node) {
  if (Array.isArray(node)) return node.forEach(collect);
  if (typeof node !== "object" || node === null) return;
  const ref = node.$ref;
  if (typeof ref === "string" && ref.startsWith("#/components/") && !seen.has(ref)) {
    seen.add(ref);
    const [, , kind, name] = ref.split("/");
    const target = spec.components[kind][name];
    components[kind] ??= {};
    components[kind][name] = target;
    collect(target);
  }
  for (const value of Object.values(node)) collect(value);
}

const paths = {};
for (const path of PATHS) {
  if (!spec.paths[path]) throw new Error(`the spec has no path ${path}`);
  paths[path] = spec.paths[path];
  collect(spec.paths[path]);
}
const { info, openapi, servers, security } = spec;
if (spec.components.securitySchemes) components.securitySchemes = spec.components.securitySchemes;
writeFileSync(
  OUT,
  `${JSON.stringify({ openapi, info, servers, security, paths, components }, null, 1)}\n`,
);
console.log(`wrote ${PATHS.length} paths and ${seen.size} components to ${OUT.pathname}`);
