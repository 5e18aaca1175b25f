// Builds the MCPB bundle for Claude Desktop (drag and drop to install): `npm run bundle:mcpb`.
//
// The bundle is a folder packed by the official `mcpb` CLI: manifest.json, the built server
// (dist/bin) under server/, and the runtime modules the server imports at run time (the
// production dependencies, copied from this install so their versions are the lockfile's).
// Credentials come from the manifest's sensitive user_config, passed to the server as env
// mode's variables: the bundle needs no keychain, so @github/keytar is left out.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join, relative, sep } from "node:path";

const root = process.cwd();
const stage = join(root, "build", "mcpb");
const pkg = JSON.parse(readFileSync("package.json", "utf8"));
const manifest = JSON.parse(readFileSync("manifest.json", "utf8"));
const output = join(root, "dist", `sms-mcp-${pkg.version}.mcpb`);
const mcpb = join(root, "node_modules", ".bin", "mcpb");

function fail(message) {
  console.error(`bundle:mcpb: ${message}`);
  process.exit(1);
}

if (manifest.version !== pkg.version) {
  fail(
    `manifest.json says version ${manifest.version}, package.json ${pkg.version}: make them equal`,
  );
}
if (!existsSync("dist/bin/main.js")) fail("dist/bin/main.js is missing: run `npm run build` first");

rmSync(stage, { recursive: true, force: true });
mkdirSync(join(stage, "server"), { recursive: true });

for (const file of ["manifest.json", "LICENSE", "README.md"]) cpSync(file, join(stage, file));
for (const file of readdirSync("dist/bin")) {
  // The server and the license texts of what is bundled inside it; no source maps.
  if (!file.endsWith(".map")) cpSync(join("dist/bin", file), join(stage, "server", file));
}
// The server is ES modules: Node needs "type": "module" above server/ to load it.
writeFileSync(
  join(stage, "package.json"),
  `${JSON.stringify({ name: pkg.name, version: pkg.version, private: true, type: "module", license: pkg.license }, null, 2)}\n`,
);

// Every installed production dependency, at its place in node_modules (top-level packages;
// a package's own nested node_modules comes with it).
const listed = execFileSync(
  "npm",
  ["ls", "--all", "--parseable", "--omit=dev", "--omit=optional", "--omit=peer"],
  { encoding: "utf8" },
)
  .split("\n")
  .filter((path) => path.startsWith(join(root, "node_modules") + sep));
const topLevel = new Set(
  listed.map((path) => {
    const parts = relative(join(root, "node_modules"), path).split(sep);
    return parts[0]?.startsWith("@") ? join(parts[0], parts[1] ?? "") : (parts[0] ?? "");
  }),
);
for (const name of topLevel) {
  cpSync(join(root, "node_modules", name), join(stage, "node_modules", name), {
    recursive: true,
    dereference: true,
  });
}

const run = (args) => execFileSync(mcpb, args, { stdio: "inherit" });
run(["validate", join(stage, "manifest.json")]);
rmSync(output, { force: true });
run(["pack", stage, output]);
console.error(`bundle:mcpb: ${relative(root, output)} (${topLevel.size} runtime packages)`);
