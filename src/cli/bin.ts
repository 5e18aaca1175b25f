#!/usr/bin/env node
import module from "node:module";

// Hosts launch `sms-mcp serve` again and again: on Node.js 22.1 and later the compiled code
// is kept between launches (in the OS temp folder, or NODE_COMPILE_CACHE; NODE_DISABLE_COMPILE_CACHE=1
// turns it off). It must be on before the program's modules load, hence this first module.
// Node 20 has no such cache: the call is skipped there.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();
await import("./main.js");
