// An esbuild plugin for the CLI bundle: etcd3 loads its gRPC API with @grpc/proto-loader, which
// parses .proto text and builds reflection descriptors on every start. Here the .proto files are
// parsed once, at build time, and the bundle builds only what gRPC calls need from that
// (etcd-grpc-services.mjs). If etcd3 changes how it loads its API, the build stops and says so.
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const POOL = /[\\/]etcd3[\\/]lib[\\/]connection-pool\.js$/;
const LOAD_SYNC =
  /const packageDefinition = \(0, proto_loader_1\.loadSync\)\(`\$\{__dirname\}\/\.\.\/proto\/rpc\.proto`, (\{[^}]*\})\);/;
// The options proto-loader gets; the build-time parse below and the bundled conversion match them.
const EXPECTED_OPTIONS = "{keepCase:true,longs:String,enums:String,defaults:true,oneofs:true,}";

/** The plugin; `etcd3Dir` is etcd3's package folder. */
export function etcdServicesPlugin(etcd3Dir) {
  return {
    name: "leasehold-etcd-services",
    setup(build) {
      build.onLoad({ filter: POOL }, async (args) => {
        const source = await readFile(args.path, "utf8");
        const call = LOAD_SYNC.exec(source);
        if (!call || call[1].replace(/\s+/g, "") !== EXPECTED_OPTIONS) {
          throw new Error(
            `${args.path} no longer loads etcd's API the way scripts/bundle/etcd-services-plugin.mjs expects; update the plugin (or drop it from scripts/bundle.mjs)`,
          );
        }
        const services = JSON.stringify(join(here, "etcd-grpc-services.mjs"));
        const replacement = `const packageDefinition = require(${services}).grpcServices(require("leasehold:etcd-rpc.json"), ${call[1]});`;
        // Without its one use, proto-loader (and the full protobufjs with its parser) stays out.
        const contents = source
          .replace(call[0], replacement)
          .replace('const proto_loader_1 = require("@grpc/proto-loader");\n', "");
        if (contents.includes("proto_loader_1")) {
          throw new Error(
            `${args.path} uses proto-loader beyond loadSync; update ${import.meta.url}`,
          );
        }
        return { contents, loader: "js" };
      });
      build.onResolve({ filter: /^leasehold:etcd-rpc\.json$/ }, (args) => ({
        path: args.path,
        namespace: "leasehold",
      }));
      build.onLoad({ filter: /.*/, namespace: "leasehold" }, () => ({
        contents: JSON.stringify(parsedApi(etcd3Dir)),
        loader: "json",
      }));
    },
  };
}

/** etcd's API as a protobufjs root in JSON, parsed the way proto-loader parses it for etcd3. */
function parsedApi(etcd3Dir) {
  // The protobufjs that proto-loader itself uses, so the parse is the one etcd3 would get.
  const protobuf = createRequire(
    createRequire(join(etcd3Dir, "package.json")).resolve("@grpc/proto-loader"),
  )("protobufjs");
  const root = new protobuf.Root();
  root.loadSync(join(etcd3Dir, "proto/rpc.proto"), { keepCase: true });
  root.resolveAll();
  return root.toJSON();
}
