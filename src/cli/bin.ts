#!/usr/bin/env node
import module from "node:module";

// Reuses compiled bytecode between runs where Node has it (22.1+): start-up is most of a CLI call.
(module as { enableCompileCache?: () => void }).enableCompileCache?.();

const { main } = await import("./main.js");
const code = await main(process.argv.slice(2));
// Exit now: a backend's lingering socket or timer must not keep a finished command alive.
process.exit(code);
