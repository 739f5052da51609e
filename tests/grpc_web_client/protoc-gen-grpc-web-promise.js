#!/usr/bin/env node
// A protoc plugin that writes, for every service of the files it is asked to
// generate, a grpc-web promise client in TypeScript: one class
// `<Service>PromiseClient` on grpc-web's GrpcWebClientBase with one
// MethodDescriptor per unary RPC, called as
// `client.getArtifactTypes(request, metadata)`, the shape protoc-gen-grpc-web
// gives the Kubeflow Pipelines UI. The message classes come from
// protoc-gen-ts (run with no_grpc): the client imports them from the module
// generated for the .proto file that defines each type.
//
// Output: `<file>_grpc_web_pb.ts` beside protoc-gen-ts's `<file>.ts`.

'use strict';

const path = require('path');
const plugin =
    require('google-protobuf/google/protobuf/compiler/plugin_pb.js');

function readStdin() {
  const chunks = [];
  const fs = require('fs');
  const buffer = Buffer.alloc(1 << 16);
  for (;;) {
    let read = 0;
    try {
      read = fs.readSync(0, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === 'EAGAIN') continue;
      if (error.code === 'EOF') break;
      throw error;
    }
    if (read === 0) break;
    chunks.push(Buffer.from(buffer.subarray(0, read)));
  }
  return Buffer.concat(chunks);
}

function lowerFirst(name) {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

// The module path protoc-gen-ts writes for `protoFile`, without extension.
function moduleOf(protoFile) {
  return protoFile.replace(/\.proto$/, '');
}

// Fully qualified message name (".pkg.Outer.Inner") -> {file, path} where
// path is what follows the module in TypeScript ("pkg.Outer.Inner").
function indexMessages(request) {
  const index = new Map();
  for (const file of request.getProtoFileList()) {
    const pkg = file.getPackage();
    const visit = (messages, prefix) => {
      for (const message of messages) {
        const typePath = prefix ? `${prefix}.${message.getName()}` :
                                  message.getName();
        index.set(`.${typePath}`, {file: file.getName(), path: typePath});
        visit(message.getNestedTypeList(), typePath);
      }
    };
    visit(file.getMessageTypeList(), pkg);
  }
  return index;
}

function generate(file, messages) {
  const imports = new Map();  // proto file -> import alias
  const typeOf = (fullName) => {
    const found = messages.get(fullName);
    if (!found) throw new Error(`unknown message type ${fullName}`);
    if (!imports.has(found.file)) {
      imports.set(found.file, `messages_${imports.size}`);
    }
    return `${imports.get(found.file)}.${found.path}`;
  };

  const classes = [];
  const prefix = file.getPackage() ? `${file.getPackage()}.` : '';
  for (const service of file.getServiceList()) {
    const name = service.getName();
    const lines = [];
    lines.push(`export class ${name}PromiseClient {`);
    lines.push('  private readonly client: grpcWeb.GrpcWebClientBase;');
    lines.push('  private readonly hostname: string;');
    lines.push(
        '  constructor(hostname: string, options?: ' +
        'grpcWeb.GrpcWebClientBaseOptions) {');
    lines.push('    this.hostname = hostname;');
    lines.push(
        '    this.client = new grpcWeb.GrpcWebClientBase(' +
        '{format: "binary", ...options});');
    lines.push('  }');
    for (const method of service.getMethodList()) {
      if (method.getClientStreaming() || method.getServerStreaming()) {
        continue;  // grpc-web has no client streaming; none is served.
      }
      const input = typeOf(method.getInputType());
      const output = typeOf(method.getOutputType());
      const rpcPath = `/${prefix}${name}/${method.getName()}`;
      const descriptor = `methodDescriptor${method.getName()}`;
      lines.push(
          `  private static readonly ${descriptor} = ` +
          `new grpcWeb.MethodDescriptor<${input}, ${output}>(`);
      lines.push(`      "${rpcPath}", grpcWeb.MethodType.UNARY,`);
      lines.push(`      ${input}, ${output},`);
      lines.push(`      (request: ${input}) => request.serializeBinary(),`);
      lines.push(`      (bytes: Uint8Array) => ${output}.deserializeBinary(bytes));`);
      lines.push(
          `  ${lowerFirst(method.getName())}(request: ${input}, ` +
          `metadata?: grpcWeb.Metadata): Promise<${output}> {`);
      lines.push(
          `    return this.client.thenableCall(this.hostname + "${rpcPath}", ` +
          `request, metadata || {}, ${name}PromiseClient.${descriptor});`);
      lines.push('  }');
    }
    lines.push('}');
    classes.push(lines.join('\n'));
  }

  const here = path.posix.dirname(file.getName());
  const header = [
    `// Generated from ${file.getName()} by protoc-gen-grpc-web-promise.js.`,
    'import * as grpcWeb from "grpc-web";',
  ];
  for (const [protoFile, alias] of imports) {
    let relative = path.posix.relative(here, moduleOf(protoFile));
    if (!relative.startsWith('.')) relative = `./${relative}`;
    header.push(`import * as ${alias} from "${relative}";`);
  }
  return `${header.join('\n')}\n\n${classes.join('\n\n')}\n`;
}

function main() {
  const request = plugin.CodeGeneratorRequest.deserializeBinary(
      new Uint8Array(readStdin()));
  const response = new plugin.CodeGeneratorResponse();
  try {
    const messages = indexMessages(request);
    const wanted = new Set(request.getFileToGenerateList());
    for (const file of request.getProtoFileList()) {
      if (!wanted.has(file.getName()) || file.getServiceList().length === 0) {
        continue;
      }
      const out = new plugin.CodeGeneratorResponse.File();
      out.setName(`${moduleOf(file.getName())}_grpc_web_pb.ts`);
      out.setContent(generate(file, messages));
      response.addFile(out);
    }
  } catch (error) {
    response.setError(String(error && error.stack || error));
  }
  process.stdout.write(Buffer.from(response.serializeBinary()));
}

main();
