#!/usr/bin/env node
import module from "node:module";

// Reuses compiled bytecode between runs where Node has it (22.1+): start-up is most of a CLI call.
// It only covers modules loaded after this line, hence the dynamic import.
(module as { enableCompileCache?: () => void }).enableCompileCache?.();
await import("./start.js");
