// Bundled in place of @grpc/proto-loader's loadSync in etcd3 (see etcd-services-plugin.mjs).
// proto-loader builds a descriptor for every message and file of etcd's API when etcd3 loads,
// for reflection we never use: about 30 ms of an `is-held` call. gRPC only needs each method's
// path and how to turn its messages into bytes and back, which is all this builds.
import protobuf from "protobufjs/light.js";

/**
 * The package definition grpc-js's loadPackageDefinition takes, for every service in `rootJson`
 * (a protobufjs root as JSON, made from etcd3's .proto files when the bundle is built). Messages
 * convert with `options` exactly as proto-loader's would (etcd3 passes keepCase, longs: String,
 * enums: String, defaults, oneofs).
 */
export function grpcServices(rootJson, options) {
  const root = protobuf.Root.fromJSON(rootJson);
  root.resolveAll();
  const definition = {};
  const visit = (namespace, prefix) => {
    for (const child of namespace.nestedArray) {
      const name = prefix ? `${prefix}.${child.name}` : child.name;
      if (child instanceof protobuf.Service) definition[name] = methods(child, name, options);
      else if (child.nestedArray) visit(child, name);
    }
  };
  visit(root, "");
  return definition;
}

function methods(service, serviceName, options) {
  const out = {};
  for (const method of service.methodsArray) {
    const request = method.resolvedRequestType;
    const response = method.resolvedResponseType;
    out[method.name] = {
      path: `/${serviceName}/${method.name}`,
      requestStream: Boolean(method.requestStream),
      responseStream: Boolean(method.responseStream),
      requestSerialize: serializer(request),
      requestDeserialize: deserializer(request, options),
      responseSerialize: serializer(response),
      responseDeserialize: deserializer(response, options),
      originalName: method.name.charAt(0).toLowerCase() + method.name.slice(1),
    };
  }
  return out;
}

function serializer(type) {
  return (value) => type.encode(type.fromObject(value)).finish();
}

function deserializer(type, options) {
  return (bytes) => type.toObject(type.decode(bytes), options);
}
