#!/usr/bin/env node
// Runs a plan of grpc-web calls against an mlmdx server with npm's grpc-web
// runtime and the clients and message classes generated from mlmdx's .proto
// files (generate.sh), and prints one JSON line per answer. Each answer is
// decoded by the generated classes and reported twice: re-serialized by
// google-protobuf (base64), and as the values read back through the
// generated getters (view.js), so that the caller can compare both with
// what native gRPC answers to the same request.
//
// Usage: node run_plan.js --server http://127.0.0.1:PORT --plan FILE
//            [--generated DIR]
//
// A plan line is a JSON object:
//   name          label echoed in the answer
//   service       "ml_metadata.MetadataStoreService" or "mlmdx.LineageService"
//   method        "GetArtifacts"
//   request_type  "ml_metadata.GetArtifactsRequest"
//   request       the request, serialized, base64
//   metadata      optional object of request metadata (headers)
//   format        optional "binary" (application/grpc-web+proto, default)
//                 or "text" (application/grpc-web-text)
//   follow_pages  optional: call again with each answer's next_page_token
//                 (options.next_page_token) until it is empty
// An answer line: {name, page, ok, response, view} or {name, page, ok,
// code, message}.

'use strict';

const path = require('path');
const fs = require('fs');

// grpc-web's runtime sends through the browser's XMLHttpRequest.
global.XMLHttpRequest = require('xhr2');

const {responseView} = require('./view.js');

function parseArgs(argv) {
  const args = {generated: path.join(__dirname, 'generated')};
  for (let i = 2; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    if (i + 1 >= argv.length) throw new Error(`${argv[i]} needs a value`);
    args[key] = argv[i + 1];
  }
  for (const required of ['server', 'plan']) {
    if (!args[required]) throw new Error(`--${required} is required`);
  }
  return args;
}

// The generated modules: message classes and promise clients, by package.
function loadGenerated(dir) {
  const load = (file) => require(path.resolve(dir, file));
  const modules = [
    load('ml_metadata/proto/metadata_store.js'),
    load('ml_metadata/proto/metadata_store_service.js'),
    load('mlmdx/lineage_service.js'),
  ];
  const clients = {
    ...load('ml_metadata/proto/metadata_store_service_grpc_web_pb.js'),
    ...load('mlmdx/lineage_service_grpc_web_pb.js'),
  };
  const messageClass = (qualifiedName) => {
    const [pkg, ...rest] = qualifiedName.split('.');
    for (const module of modules) {
      let found = module[pkg];
      for (const part of rest) found = found && found[part];
      if (found) return found;
    }
    throw new Error(`no generated class for ${qualifiedName}`);
  };
  return {messageClass, clients};
}

function base64(bytes) {
  return Buffer.from(bytes).toString('base64');
}

async function run() {
  const args = parseArgs(process.argv);
  const {messageClass, clients} = loadGenerated(args.generated);
  const clientCache = new Map();
  const clientFor = (service, format) => {
    const key = `${service}/${format}`;
    if (!clientCache.has(key)) {
      const className = `${service.split('.').pop()}PromiseClient`;
      if (!clients[className]) throw new Error(`no client ${className}`);
      clientCache.set(key, new clients[className](args.server, {format}));
    }
    return clientCache.get(key);
  };

  const lines = fs.readFileSync(args.plan, 'utf8').split('\n');
  for (const line of lines) {
    if (line.trim() === '') continue;
    const call = JSON.parse(line);
    const RequestClass = messageClass(call.request_type);
    const request =
        RequestClass.deserializeBinary(Buffer.from(call.request, 'base64'));
    const client = clientFor(call.service, call.format || 'binary');
    const method = call.method.charAt(0).toLowerCase() + call.method.slice(1);
    for (let page = 0;; ++page) {
      const answer = {name: call.name, page};
      let response = null;
      try {
        response = await client[method](request, call.metadata || {});
        answer.ok = true;
        answer.response = base64(response.serializeBinary());
        answer.view = responseView(response);
      } catch (error) {
        if (error === null || typeof error.code !== 'number') throw error;
        answer.ok = false;
        answer.code = error.code;
        answer.message = error.message;
      }
      process.stdout.write(`${JSON.stringify(answer)}\n`);
      if (!call.follow_pages || !response || !response.next_page_token) break;
      request.options.next_page_token = response.next_page_token;
    }
  }
}

run().catch((error) => {
  process.stderr.write(`run_plan: ${error && error.stack || error}\n`);
  process.exit(1);
});
