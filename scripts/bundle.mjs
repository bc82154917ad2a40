// Bundles the CLI into dist/bundle/ (run after tsc by `npm run build`). Start-up is most of an
// `is-held` call, and Node spends it resolving and reading files: one chunk per code path instead
// of hundreds of files cuts `is-held` by 15-35% depending on the backend (BENCHMARKS.md, the
// "unbundled" column). The library (dist/index.js) stays unbundled tsc output.
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { etcdServicesPlugin } from "./bundle/etcd-services-plugin.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "dist/bundle");
rmSync(out, { recursive: true, force: true });

await build({
  absWorkingDir: root,
  entryPoints: { leasehold: "src/cli/bin.ts" },
  outdir: out,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // The AWS SDK ships ES modules next to CommonJS: only those can be tree-shaken to the few
  // commands we send, instead of every S3 and DynamoDB operation.
  mainFields: ["module", "main"],
  chunkNames: "chunks/[name]-[hash]",
  // pg-native is an optional addon pg loads only on request. better-sqlite3's JavaScript is
  // bundled; its addon stays in node_modules and is named by path (sqlite/native-addon.ts).
  // proto-loader: etcd3's use of it is replaced at build time (etcd-services-plugin.mjs), and
  // grpc-js loads it only for channelz and ORCA, which we never serve.
  external: ["pg-native", "@grpc/proto-loader"],
  // CommonJS dependencies call require() and read __dirname; ESM chunks have neither.
  define: { __dirname: "__lh_dirname", __filename: "__lh_filename" },
  banner: {
    js: [
      'import { createRequire as __lhCreateRequire } from "node:module";',
      'import { fileURLToPath as __lhFileURLToPath } from "node:url";',
      "const require = __lhCreateRequire(import.meta.url);",
      "const __lh_filename = __lhFileURLToPath(import.meta.url);",
      'const __lh_dirname = __lh_filename.slice(0, __lh_filename.lastIndexOf("/"));',
    ].join(" "),
  },
  plugins: [etcdServicesPlugin(join(root, "node_modules/etcd3"))],
  logLevel: "warning",
});
