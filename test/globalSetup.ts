// The end-to-end tests run the built server (dist/), as a user's host does. `npm test` builds
// first; a bare `npx vitest` would test whatever dist/ an earlier build left. So before any
// test runs, a dist/ older than the source it is built from is rebuilt, and said so.
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const BUILT = join(ROOT, "dist", "bin", "main.js");
const SOURCES = ["src", "scripts", "package.json", "tsconfig.build.json"];

function newestChange(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestChange(join(path, entry)));
  return newest;
}

function builtAt(): number {
  try {
    return statSync(BUILT).mtimeMs;
  } catch {
    return 0;
  }
}

export default function rebuildIfStale(): void {
  const source = Math.max(...SOURCES.map((path) => newestChange(join(ROOT, path))));
  if (builtAt() >= source) return;
  process.stderr.write(
    "dist/ is older than the source (or missing): building it first (`npm test` does this too)\n",
  );
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
}
