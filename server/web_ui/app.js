// The lineage page: finds artifacts by URI, shows one artifact or execution
// with where it came from, draws its lineage and, for a model, its audit.
// Every call is grpc-web to the server that served the page; messages are
// encoded and decoded by walking protobuf.js's reflection of the service's
// own .proto files (served under proto/). Data reaches the DOM only as text (textContent and
// attributes), never as markup.
'use strict';

const METADATA = 'ml_metadata.MetadataStoreService';
const PAGE_SIZE = 50;
const MAX_HOPS = 100;
// The CLI's rules (cli/audit.cc): which artifact types are models and
// datasets.
const isModelType = (name) => name.endsWith('Model');
const isDatasetType = (name) => name.endsWith('Dataset') || name === 'Examples';

// ---------------------------------------------------------------------------
// grpc-web

let protoRoot = null;

// The service's .proto files, served under proto/, each after those it
// imports; protobuf.js has Any, Struct and FieldMask built in.
const PROTO_FILES = [
  'google/protobuf/descriptor.proto',
  'ml_metadata/proto/metadata_store.proto',
  'ml_metadata/proto/metadata_store_service.proto',
  'mlmdx/lineage_service.proto',
];
const BUILT_IN_PROTOS = ['any', 'struct', 'field_mask'];

// Parsed here rather than by Root.load, which resolves every type as soon as
// it has read them (see registerPlainConstructors).
async function loadProtos() {
  const root = new protobuf.Root();
  for (const name of BUILT_IN_PROTOS) {
    root.addJSON(protobuf.common[`google/protobuf/${name}.proto`].nested);
  }
  const texts = await Promise.all(PROTO_FILES.map(async (name) => {
    const answer = await fetch(`proto/${name}`);
    if (!answer.ok) throw new Error(`proto/${name}: HTTP ${answer.status}`);
    return answer.text();
  }));
  for (const text of texts) protobuf.parse(text, root, {keepCase: true});
  registerPlainConstructors(root);
  root.resolveAll();
  return root;
}

// Resolving a message type makes protobuf.js compile a constructor for it
// with Function(), unless one is registered: a plain one is, since the
// codecs below build plain objects.
function registerPlainConstructors(namespace) {
  for (const nested of namespace.nestedArray) {
    if (nested instanceof protobuf.Type) nested.ctor = function Message() {};
    if (nested instanceof protobuf.Namespace) registerPlainConstructors(nested);
  }
}

// Message codecs. protobuf.js would compile one per type with Function(),
// which the page's Content-Security-Policy forbids; these walk its
// reflection of the .proto files instead, with its Reader and Writer.
// Messages are plain objects with the .proto's field names; 64-bit integers
// are numbers (ids and milliseconds fit), enums are names.

function encodeMessage(type, object, writer) {
  for (const field of type.fieldsArray) {
    const value = object[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) {
      for (const [key, item] of Object.entries(value)) {
        writer.uint32((field.id << 3) | 2).fork();
        writeField(field.keyType, null, 1,
                   field.keyType === 'string' ? key : Number(key), writer);
        writeField(field.type, field.resolvedType, 2, item, writer);
        writer.ldelim();
      }
    } else if (field.repeated && field.packed) {
      writer.uint32((field.id << 3) | 2).fork();
      for (const item of value) writeScalar(field.type, field.resolvedType, item, writer);
      writer.ldelim();
    } else if (field.repeated) {
      for (const item of value) writeField(field.type, field.resolvedType, field.id, item, writer);
    } else {
      writeField(field.type, field.resolvedType, field.id, value, writer);
    }
  }
  return writer;
}

function writeField(typeName, resolved, id, value, writer) {
  if (resolved instanceof protobuf.Type) {
    writer.uint32((id << 3) | 2).fork();
    encodeMessage(resolved, value, writer);
    writer.ldelim();
    return;
  }
  const wireType = resolved instanceof protobuf.Enum ? 0 : protobuf.types.basic[typeName];
  writer.uint32((id << 3) | wireType);
  writeScalar(typeName, resolved, value, writer);
}

function writeScalar(typeName, resolved, value, writer) {
  if (resolved instanceof protobuf.Enum) {
    writer.int32(typeof value === 'string' ? resolved.values[value] : value);
  } else {
    writer[typeName](value);
  }
}

function decodeMessage(type, reader, end) {
  const out = {};
  while (reader.pos < end) {
    const tag = reader.uint32();
    const wireType = tag & 7;
    const field = type.fieldsById[tag >>> 3];
    if (!field) {
      reader.skipType(wireType);
      continue;
    }
    if (field.map) {
      const entryEnd = reader.uint32() + reader.pos;
      let key = field.keyType === 'string' ? '' : 0;
      let value = field.resolvedType instanceof protobuf.Type ? {} : undefined;
      while (reader.pos < entryEnd) {
        const entryTag = reader.uint32();
        if (entryTag >>> 3 === 1) key = readField(field.keyType, null, reader);
        else if (entryTag >>> 3 === 2) value = readField(field.type, field.resolvedType, reader);
        else reader.skipType(entryTag & 7);
      }
      (out[field.name] = out[field.name] || {})[key] = value;
    } else if (field.repeated) {
      const list = out[field.name] = out[field.name] || [];
      const scalar = !(field.resolvedType instanceof protobuf.Type) &&
                     field.type !== 'string' && field.type !== 'bytes';
      if (scalar && wireType === 2) {
        // Packed: one length-delimited run of values.
        const listEnd = reader.uint32() + reader.pos;
        while (reader.pos < listEnd) list.push(readField(field.type, field.resolvedType, reader));
      } else {
        list.push(readField(field.type, field.resolvedType, reader));
      }
    } else {
      // Of a oneof, the member read last is the one set.
      if (field.partOf) for (const name of field.partOf.oneof) delete out[name];
      out[field.name] = readField(field.type, field.resolvedType, reader);
    }
  }
  return out;
}

function readField(typeName, resolved, reader) {
  if (resolved instanceof protobuf.Type) {
    const end = reader.uint32() + reader.pos;
    return decodeMessage(resolved, reader, end);
  }
  if (resolved instanceof protobuf.Enum) {
    const number = reader.int32();
    return resolved.valuesById[number] === undefined ? number : resolved.valuesById[number];
  }
  return reader[typeName]();
}

// grpc-message is percent-encoded; a malformed one is shown as sent.
function percentDecoded(text) {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    return text;
  }
}

class RpcError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

// One unary call: a data frame out (flag 0, 4-byte big-endian length,
// message), data frames and a trailer frame (flag 0x80, "name:value" lines)
// back. A non-zero grpc-status becomes an RpcError with its message.
async function call(service, method, request) {
  const rpc = protoRoot.lookupService(service).methods[method];
  const requestType = rpc.resolvedRequestType;
  const responseType = rpc.resolvedResponseType;
  const message = encodeMessage(requestType, request, protobuf.Writer.create()).finish();
  const frame = new Uint8Array(5 + message.length);
  new DataView(frame.buffer).setUint32(1, message.length);
  frame.set(message, 5);
  const answer = await fetch(`/${service}/${method}`, {
    method: 'POST',
    headers: {'content-type': 'application/grpc-web+proto', 'x-grpc-web': '1'},
    body: frame,
  });
  if (!answer.ok) throw new RpcError(-1, `${method}: HTTP ${answer.status}`);
  const body = new Uint8Array(await answer.arrayBuffer());
  let data = null;
  let status = null;
  let statusMessage = '';
  for (let at = 0; at + 5 <= body.length;) {
    const length = new DataView(body.buffer, at + 1, 4).getUint32(0);
    const payload = body.subarray(at + 5, at + 5 + length);
    if (body[at] & 0x80) {
      for (const line of new TextDecoder().decode(payload).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon < 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'grpc-status') status = Number(value);
        if (name === 'grpc-message') statusMessage = percentDecoded(value);
      }
    } else {
      data = payload;
    }
    at += 5 + length;
  }
  if (status === null) throw new RpcError(-1, `${method}: no grpc-status`);
  if (status !== 0) throw new RpcError(status, `${method}: ${statusMessage}`);
  const reader = protobuf.Reader.create(data || new Uint8Array());
  return withEmptyLists(responseType, decodeMessage(responseType, reader, reader.len));
}

// The response's repeated fields that did not come, as empty lists, so that
// callers can iterate any of them.
function withEmptyLists(type, message) {
  for (const field of type.fieldsArray) {
    if (field.repeated && !(field.name in message)) message[field.name] = [];
  }
  return message;
}

// ---------------------------------------------------------------------------
// DOM helpers: text only.

const $ = (id) => document.getElementById(id);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value);
  }
  for (const child of children) {
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    node.setAttribute(name, value);
  }
  if (text !== undefined) node.textContent = text;
  return node;
}

function showError(error) {
  const box = $('error');
  box.textContent = error ? String(error.message || error) : '';
  box.hidden = !error;
}

function timeText(ms) {
  return ms ? new Date(ms).toISOString().replace('T', ' ').replace('.000Z', 'Z')
            : '';
}

// A property value as one line of text.
function valueText(value) {
  if (!value) return '';
  if ('string_value' in value) return value.string_value;
  if ('int_value' in value) return String(value.int_value);
  if ('double_value' in value) return String(value.double_value);
  if ('bool_value' in value) return String(value.bool_value);
  if ('struct_value' in value) return JSON.stringify(structJson(value.struct_value));
  if ('proto_value' in value) return `(${value.proto_value.type_url || 'proto'})`;
  return '';
}

// google.protobuf.Struct / Value as protobuf.js decodes them, to plain JSON.
// protobuf.js defines these well-known types itself, with camel-case field
// names whatever keepCase says.
function structJson(struct) {
  const out = {};
  for (const [key, value] of Object.entries((struct && struct.fields) || {})) {
    out[key] = valueJson(value);
  }
  return out;
}

function valueJson(value) {
  if ('numberValue' in value) return value.numberValue;
  if ('stringValue' in value) return value.stringValue;
  if ('boolValue' in value) return value.boolValue;
  if ('structValue' in value) return structJson(value.structValue);
  if ('listValue' in value) return (value.listValue.values || []).map(valueJson);
  return null;
}

// [name, text] of properties then custom properties, each sorted.
function propertyRows(node) {
  const rows = [];
  for (const [bag, mark] of [[node.properties, ''], [node.custom_properties, ' *']]) {
    for (const name of Object.keys(bag || {}).sort()) {
      rows.push([name + mark, valueText(bag[name])]);
    }
  }
  return rows;
}

function fillTable(table, header, rows) {
  table.replaceChildren();
  if (header) table.append(el('tr', {}, ...header.map((h) => el('th', {}, h))));
  for (const row of rows) {
    table.append(el('tr', {}, ...row.map((cell) => el('td', {}, cell))));
  }
}

function display(node) {
  const custom = node.custom_properties || {};
  return node.name ||
         (custom.display_name && custom.display_name.string_value) || '';
}

// ---------------------------------------------------------------------------
// Types, by id, fetched once.

const typeNames = {artifact: new Map(), execution: new Map(), context: new Map()};

async function loadTypes() {
  const [a, e, c] = await Promise.all([
    call(METADATA, 'GetArtifactTypes', {}),
    call(METADATA, 'GetExecutionTypes', {}),
    call(METADATA, 'GetContextTypes', {}),
  ]);
  for (const t of a.artifact_types) typeNames.artifact.set(t.id, t.name);
  for (const t of e.execution_types) typeNames.execution.set(t.id, t.name);
  for (const t of c.context_types) typeNames.context.set(t.id, t.name);
}

async function typeName(kind, node) {
  if (node.type) return node.type;
  if (!typeNames[kind].has(node.type_id)) {
    await loadTypes();
    // A type still unknown is named by its id, and not asked for again.
    if (!typeNames[kind].has(node.type_id)) {
      typeNames[kind].set(node.type_id, `type ${node.type_id}`);
    }
  }
  return typeNames[kind].get(node.type_id);
}

function nodeLabel(kind, node) {
  const name = display(node);
  if (name) return name;
  if (kind === 'artifact' && node.uri) {
    return node.uri.split('/').filter(Boolean).pop() || node.uri;
  }
  return `${kind} ${node.id}`;
}

// ---------------------------------------------------------------------------
// Search

let searchState = null;

// The filter for URIs starting with `prefix`. The filter language's strings
// take backslash escapes; its LIKE has no escape character, so a % or _ in
// the prefix matches more than it says, and search() drops those rows.
function uriPrefixFilter(prefix) {
  return `uri LIKE '${prefix.replace(/[\\']/g, (c) => '\\' + c)}%'`;
}

async function search(uri, match, pageToken) {
  showError(null);
  let artifacts;
  let next = '';
  if (match === 'exact') {
    artifacts = (await call(METADATA, 'GetArtifactsByURI', {uris: [uri]})).artifacts;
  } else {
    const options = {max_result_size: PAGE_SIZE,
                     order_by_field: {field: 'ID', is_asc: true}};
    if (uri) options.filter_query = uriPrefixFilter(uri);
    if (pageToken) options.next_page_token = pageToken;
    const answer = await call(METADATA, 'GetArtifacts', {options});
    artifacts = answer.artifacts.filter((a) => (a.uri || '').startsWith(uri));
    next = answer.next_page_token || '';
  }
  searchState = {uri, match, next};
  const list = $('result-list');
  if (!pageToken) list.replaceChildren();
  for (const a of artifacts) {
    const type = await typeName('artifact', a);
    list.append(el('li', {},
        el('a', {href: `#artifact=${a.id}`, 'data-id': a.id}, a.uri || `artifact ${a.id}`),
        el('span', {class: 'muted'}, ` ${type} · id ${a.id}`)));
  }
  if (!list.children.length) list.append(el('li', {class: 'muted'}, 'No artifact matches.'));
  $('next-page').hidden = !next;
  $('results').hidden = false;
  // Counts the searches shown (what a test waits for).
  document.body.dataset.searches = Number(document.body.dataset.searches || 0) + 1;
}

// ---------------------------------------------------------------------------
// One node

// The URL hash holds the view: #artifact=ID or #execution=ID, with
// &hops=N&direction=D.
function readHash() {
  const params = new URLSearchParams(location.hash.slice(1));
  const state = {kind: null, id: 0,
                 hops: Number(params.get('hops') || 2),
                 direction: params.get('direction') || 'BIDIRECTIONAL'};
  for (const kind of ['artifact', 'execution']) {
    if (params.has(kind)) {
      state.kind = kind;
      state.id = Number(params.get(kind));
    }
  }
  // showNode() says so when the id is not one.
  if (!Number.isSafeInteger(state.id)) state.id = NaN;
  if (!Number.isInteger(state.hops) || state.hops < 0) state.hops = 2;
  state.hops = Math.min(state.hops, MAX_HOPS);
  if (!['BIDIRECTIONAL', 'UPSTREAM', 'DOWNSTREAM'].includes(state.direction)) {
    state.direction = 'BIDIRECTIONAL';
  }
  return state;
}

function writeHash(state) {
  const hash = `#${state.kind}=${state.id}&hops=${state.hops}` +
               `&direction=${state.direction}`;
  if (location.hash !== hash) location.hash = hash;
}

async function fetchNode(kind, id) {
  if (kind === 'artifact') {
    return (await call(METADATA, 'GetArtifactsByID', {artifact_ids: [id]})).artifacts[0];
  }
  return (await call(METADATA, 'GetExecutionsByID', {execution_ids: [id]})).executions[0];
}

async function showNode(state) {
  if (Number.isNaN(state.id)) throw new Error(`#${state.kind}= needs a numeric id`);
  const node = await fetchNode(state.kind, state.id);
  if (!node) throw new Error(`no ${state.kind} with id ${state.id}`);
  const type = await typeName(state.kind, node);
  $('node-title').textContent =
      `${state.kind === 'artifact' ? 'Artifact' : 'Execution'} ${node.id}: ${nodeLabel(state.kind, node)}`;
  const facts = [['type', type], ['id', node.id]];
  if (state.kind === 'artifact') {
    facts.push(['uri', node.uri || ''], ['state', node.state || 'UNKNOWN']);
  } else {
    facts.push(['state', node.last_known_state || 'UNKNOWN']);
  }
  if (node.name) facts.push(['name', node.name]);
  facts.push(['created', timeText(node.create_time_since_epoch)],
             ['updated', timeText(node.last_update_time_since_epoch)]);
  const dl = $('node-facts');
  dl.replaceChildren();
  for (const [name, value] of facts) dl.append(el('dt', {}, name), el('dd', {}, value));
  fillTable($('node-properties'), null, propertyRows(node));

  const runs = await call(METADATA,
      state.kind === 'artifact' ? 'GetContextsByArtifact' : 'GetContextsByExecution',
      state.kind === 'artifact' ? {artifact_id: node.id} : {execution_id: node.id});
  const runList = $('runs');
  runList.replaceChildren();
  for (const c of runs.contexts) {
    runList.append(el('li', {}, c.name || `context ${c.id}`,
        el('span', {class: 'muted'}, ` ${await typeName('context', c)} · id ${c.id}`)));
  }
  if (!runs.contexts.length) runList.append(el('li', {class: 'muted'}, 'None.'));

  $('producer-section').hidden = state.kind !== 'artifact';
  $('events-section').hidden = state.kind !== 'execution';
  if (state.kind === 'artifact') await showProducer(node);
  else await showEvents(node);
  $('node').hidden = false;
  return {node, type};
}

// The execution whose OUTPUT event names the artifact, with its
// parameters.
async function showProducer(artifact) {
  const box = $('producer');
  box.replaceChildren();
  const events = (await call(METADATA, 'GetEventsByArtifactIDs',
                             {artifact_ids: [artifact.id]})).events;
  const ids = events.filter((e) => e.type === 'OUTPUT' || e.type === 'DECLARED_OUTPUT')
                    .map((e) => e.execution_id);
  if (!ids.length) {
    box.append(el('p', {class: 'muted'}, 'No execution output this artifact.'));
    return;
  }
  const executions = (await call(METADATA, 'GetExecutionsByID', {execution_ids: ids})).executions;
  for (const e of executions) {
    box.append(el('p', {},
        el('a', {href: `#execution=${e.id}`}, nodeLabel('execution', e)),
        el('span', {class: 'muted'},
           ` ${await typeName('execution', e)} · ${e.last_known_state || 'UNKNOWN'} · id ${e.id}`)));
    const table = el('table', {class: 'properties producer-parameters'});
    fillTable(table, null, propertyRows(e));
    box.append(table);
  }
}

async function showEvents(execution) {
  const events = (await call(METADATA, 'GetEventsByExecutionIDs',
                             {execution_ids: [execution.id]})).events;
  const ids = [...new Set(events.map((e) => e.artifact_id))];
  const artifacts = ids.length
      ? (await call(METADATA, 'GetArtifactsByID', {artifact_ids: ids})).artifacts : [];
  const byId = new Map(artifacts.map((a) => [a.id, a]));
  const table = $('events');
  fillTable(table, ['event', 'artifact', 'uri'], []);
  for (const e of events) {
    const a = byId.get(e.artifact_id);
    table.append(el('tr', {}, el('td', {}, e.type || ''),
        el('td', {}, el('a', {href: `#artifact=${e.artifact_id}`},
                        a ? nodeLabel('artifact', a) : `artifact ${e.artifact_id}`)),
        el('td', {}, a ? a.uri || '' : '')));
  }
}

// ---------------------------------------------------------------------------
// Lineage

async function lineageGraph(kind, id, direction, hops) {
  const start = {filter_query: `id = ${Number(id)}`};
  const options = {max_num_hops: hops, direction};
  options[kind === 'artifact' ? 'starting_artifacts' : 'starting_executions'] = start;
  const answer = await call(METADATA, 'GetLineageSubgraph',
                            {lineage_subgraph_query_options: options});
  const graph = answer.lineage_subgraph || {};
  // The subgraph names its nodes by id only; their records come from the
  // same calls the rest of the page makes.
  const artifactIds = (graph.artifacts || []).map((a) => a.id);
  const executionIds = (graph.executions || []).map((e) => e.id);
  const [artifacts, executions] = await Promise.all([
    artifactIds.length
        ? call(METADATA, 'GetArtifactsByID', {artifact_ids: artifactIds})
        : {artifacts: []},
    executionIds.length
        ? call(METADATA, 'GetExecutionsByID', {execution_ids: executionIds})
        : {executions: []},
  ]);
  return {artifacts: artifacts.artifacts, executions: executions.executions,
          events: graph.events || []};
}

// Lays the graph out left (inputs) to right (outputs) with dagre and draws
// it: artifacts as ellipses, executions as boxes, the node on view outlined.
async function drawLineage(state) {
  const graph = await lineageGraph(state.kind, state.id, state.direction, state.hops);
  const layout = new dagre.graphlib.Graph();
  layout.setGraph({rankdir: 'LR', nodesep: 22, ranksep: 55, marginx: 12, marginy: 12});
  layout.setDefaultEdgeLabel(() => ({}));
  const nodes = [];
  for (const [kind, list] of [['artifact', graph.artifacts], ['execution', graph.executions]]) {
    for (const node of list) {
      const label = nodeLabel(kind, node);
      const type = await typeName(kind, node);
      const width = Math.max(label.length, type.length) * 7 + 34;
      const key = `${kind}:${node.id}`;
      layout.setNode(key, {width, height: 44});
      nodes.push({key, kind, id: node.id, label, type});
    }
  }
  for (const e of graph.events) {
    const artifact = `artifact:${e.artifact_id}`;
    const execution = `execution:${e.execution_id}`;
    if (!layout.hasNode(artifact) || !layout.hasNode(execution)) continue;
    const input = e.type === 'INPUT' || e.type === 'DECLARED_INPUT' || e.type === 'INTERNAL_INPUT';
    if (input) layout.setEdge(artifact, execution);
    else layout.setEdge(execution, artifact);
  }
  dagre.layout(layout);

  const picture = $('graph');
  picture.replaceChildren();
  const size = layout.graph();
  picture.setAttribute('width', Math.ceil(size.width || 0));
  picture.setAttribute('height', Math.ceil(size.height || 0));
  const defs = svg('defs');
  const marker = svg('marker', {id: 'arrow', viewBox: '0 0 10 10', refX: 10, refY: 5,
                                markerWidth: 7, markerHeight: 7, orient: 'auto'});
  marker.append(svg('path', {d: 'M0,0 L10,5 L0,10 z', fill: '#8793a1'}));
  defs.append(marker);
  picture.append(defs);
  for (const edge of layout.edges()) {
    const points = layout.edge(edge).points;
    const d = points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ');
    picture.append(svg('path', {class: 'edge', d, 'marker-end': 'url(#arrow)'}));
  }
  const startKey = `${state.kind}:${state.id}`;
  for (const n of nodes) {
    const box = layout.node(n.key);
    const group = svg('g', {class: `node ${n.kind}`, 'data-kind': n.kind, 'data-id': n.id,
                            tabindex: 0, role: 'link'});
    const outline = n.key === startKey ? '#c0392b' : (n.kind === 'artifact' ? '#5f8f4e' : '#4a68b5');
    const strokeWidth = n.key === startKey ? 3 : 1.3;
    if (n.kind === 'artifact') {
      group.append(svg('ellipse', {cx: box.x, cy: box.y, rx: box.width / 2, ry: box.height / 2,
                                   fill: '#eef7e8', stroke: outline, 'stroke-width': strokeWidth}));
    } else {
      group.append(svg('rect', {x: box.x - box.width / 2, y: box.y - box.height / 2,
                                width: box.width, height: box.height, rx: 4,
                                fill: '#e8eefc', stroke: outline, 'stroke-width': strokeWidth}));
    }
    group.append(svg('title', {}, `${n.type} ${n.id}`));
    group.append(svg('text', {x: box.x, y: box.y - 3, 'text-anchor': 'middle', class: 'label'}, n.label));
    group.append(svg('text', {x: box.x, y: box.y + 12, 'text-anchor': 'middle', class: 'type muted'},
                     n.type));
    const open = () => writeHash({...state, kind: n.kind, id: n.id});
    group.addEventListener('click', open);
    group.addEventListener('keydown', (event) => { if (event.key === 'Enter') open(); });
    picture.append(group);
  }
  $('lineage-summary').textContent =
      `${graph.artifacts.length} artifacts, ${graph.executions.length} executions ` +
      `within ${state.hops} hops (${state.direction.toLowerCase()}).`;
  $('lineage-hops').value = state.hops;
  $('lineage-direction').value = state.direction;
  $('lineage').hidden = false;
}

// ---------------------------------------------------------------------------
// Audit of a model: what `mlmdx audit model` reports, from the same RPCs.

async function showAudit(model) {
  const upstream = await lineageGraph('artifact', model.id, 'UPSTREAM', MAX_HOPS);
  const datasets = [];
  for (const a of upstream.artifacts) {
    if (a.id !== model.id && isDatasetType(await typeName('artifact', a))) datasets.push(a);
  }
  $('audit-datasets-title').textContent = `Datasets (${datasets.length})`;
  fillTable($('audit-datasets'), ['id', 'type', 'uri', 'state', 'created'], []);
  for (const a of datasets) {
    $('audit-datasets').append(el('tr', {},
        el('td', {}, el('a', {href: `#artifact=${a.id}`}, a.id)),
        el('td', {}, await typeName('artifact', a)), el('td', {}, a.uri || ''),
        el('td', {}, a.state || 'UNKNOWN'), el('td', {}, timeText(a.create_time_since_epoch))));
  }
  const executions = [...upstream.executions].sort((x, y) => x.id - y.id);
  $('audit-executions-title').textContent = `Executions upstream (${executions.length})`;
  const table = $('audit-executions');
  fillTable(table, ['execution', 'type', 'state', 'started', 'ended', 'parameters'], []);
  const contextLists = await Promise.all(executions.map(
      (e) => call(METADATA, 'GetContextsByExecution', {execution_id: e.id})));
  const runs = new Map();
  for (const {contexts} of contextLists) {
    for (const c of contexts) runs.set(c.id, c);
  }
  for (const e of executions) {
    const parameters = el('table', {class: 'properties'});
    fillTable(parameters, null, propertyRows(e));
    table.append(el('tr', {class: 'audit-execution'},
        el('td', {}, el('a', {href: `#execution=${e.id}`}, nodeLabel('execution', e))),
        el('td', {}, await typeName('execution', e)),
        el('td', {}, e.last_known_state || 'UNKNOWN'),
        el('td', {}, timeText(e.create_time_since_epoch)),
        el('td', {}, timeText(e.last_update_time_since_epoch)),
        el('td', {}, parameters)));
  }
  const runList = $('audit-runs');
  runList.replaceChildren();
  for (const c of [...runs.values()].sort((x, y) => x.id - y.id)) {
    runList.append(el('li', {}, c.name || `context ${c.id}`,
        el('span', {class: 'muted'}, ` ${await typeName('context', c)} · id ${c.id}`)));
  }
  $('audit-runs-title').textContent = `Runs (${runs.size})`;
  $('audit').hidden = false;
}

// ---------------------------------------------------------------------------
// The view follows the hash.

let renderCount = 0;

// Renders the view the hash names; when done, body's data-rendered holds
// that hash (what a test waits for).
async function render() {
  const state = readHash();
  const hash = location.hash;
  const mine = ++renderCount;
  delete document.body.dataset.rendered;
  showError(null);
  try {
    if (!state.kind) {
      for (const id of ['node', 'lineage', 'audit']) $(id).hidden = true;
      return;
    }
    const {node, type} = await showNode(state);
    if (mine !== renderCount) return;
    await drawLineage(state);
    const model = state.kind === 'artifact' && isModelType(type);
    $('audit').hidden = !model;
    if (model) await showAudit(node);
  } catch (error) {
    showError(error);
  } finally {
    if (mine === renderCount) document.body.dataset.rendered = hash;
  }
}

async function main() {
  try {
    protoRoot = await loadProtos();
  } catch (error) {
    showError(new Error(`cannot load the service's .proto files: ${error.message}`));
    return;
  }
  $('search-form').addEventListener('submit', (event) => {
    event.preventDefault();
    search($('search-uri').value.trim(), $('search-match').value).catch(showError);
  });
  $('next-page').addEventListener('click', () => {
    if (searchState) search(searchState.uri, searchState.match, searchState.next).catch(showError);
  });
  $('lineage-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const state = readHash();
    const hops = Number($('lineage-hops').value);
    writeHash({...state,
               hops: Number.isInteger(hops) && hops >= 0 ? Math.min(hops, MAX_HOPS) : 2,
               direction: $('lineage-direction').value});
  });
  window.addEventListener('hashchange', render);
  await render();
}

document.addEventListener('DOMContentLoaded', main);
