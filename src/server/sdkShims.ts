// The bundle's replacement for the server SDK's Node shims (`@modelcontextprotocol/server/_shims`):
// the same two exports, with the default JSON Schema validator loaded on first use (see
// lazyAjvProvider.ts). Only scripts/bundle.mjs points at this module.
export { default as process } from "node:process";
export { AjvJsonSchemaValidator as DefaultJsonSchemaValidator } from "./lazyAjvProvider.js";
