// The values of an mlmdx answer read through the generated getters of
// protoc-gen-ts's classes, as plain JSON. tests/grpc_web_node_test.cc builds
// the same view from native gRPC's answer: a field the JavaScript side
// dropped or decoded wrongly shows up as a difference. A field appears only
// when the message has it set (has_<field>); oneofs say which case is set.

'use strict';

function base64(bytes) {
  return Buffer.from(bytes).toString('base64');
}

// Optional scalar fields of `message` among `names`, when set.
function scalars(message, names) {
  const view = {};
  for (const name of names) {
    if (message[`has_${name}`]) view[name] = message[name];
  }
  return view;
}

// The member of a oneof that is set (`member`, the generated case getter's
// answer), as {member: value}, the value seen through `viewOf[member]` when
// given; {} when none is set.
function oneofView(message, member, viewOf) {
  if (!member || member === 'none') return {};
  const view = viewOf[member] || ((value) => value);
  return {[member]: view(message[member])};
}

// google.protobuf.Value (inside a Struct).
function structValueView(value) {
  return oneofView(value, value.kind, {
    struct_value: structView,
    list_value: (list) => list.values.map(structValueView),
  });
}

function structView(struct) {
  const fields = {};
  for (const [key, value] of struct.fields) fields[key] = structValueView(value);
  return fields;
}

// ml_metadata.Value.
function valueView(value) {
  return oneofView(value, value.value, {
    struct_value: structView,
    proto_value: (any) => ({type_url: any.type_url, value: base64(any.value)}),
  });
}

function propertiesView(map, valueOf) {
  const view = {};
  for (const [key, value] of map) view[key] = valueOf(value);
  return view;
}

const kNodeScalars = [
  'id', 'type_id', 'type', 'name', 'external_id', 'uri', 'state',
  'last_known_state', 'create_time_since_epoch',
  'last_update_time_since_epoch',
];

// Artifact, Execution or Context.
function nodeView(node) {
  const view = scalars(node, kNodeScalars);
  view.properties = propertiesView(node.properties, valueView);
  view.custom_properties = propertiesView(node.custom_properties, valueView);
  return view;
}

// ArtifactType, ExecutionType or ContextType.
function typeView(type) {
  const view = scalars(
      type, ['id', 'name', 'version', 'description', 'external_id',
             'base_type']);
  view.properties = propertiesView(type.properties, (kind) => kind);
  return view;
}

function eventView(event) {
  const view = scalars(
      event, ['artifact_id', 'execution_id', 'type',
              'milliseconds_since_epoch']);
  if (event.has_path) {
    view.path = event.path.steps.map(
        (step) => step.has_index ? {index: step.index} :
            step.has_key         ? {key: step.key} :
                                   {});
  }
  return view;
}

// Attribution, Association or ParentContext.
function linkView(link) {
  return scalars(
      link, ['artifact_id', 'execution_id', 'context_id', 'child_id',
             'parent_id']);
}

function lineageGraphView(graph) {
  return {
    artifact_types: graph.artifact_types.map(typeView),
    execution_types: graph.execution_types.map(typeView),
    context_types: graph.context_types.map(typeView),
    artifacts: graph.artifacts.map(nodeView),
    executions: graph.executions.map(nodeView),
    contexts: graph.contexts.map(nodeView),
    events: graph.events.map(eventView),
    attributions: graph.attributions.map(linkView),
    associations: graph.associations.map(linkView),
    parent_contexts: graph.parent_contexts.map(linkView),
  };
}

// The response fields the plan's answers carry, by name; repeated fields
// always (possibly empty), singular ones when set.
const kRepeated = {
  artifacts: nodeView,
  executions: nodeView,
  contexts: nodeView,
  events: eventView,
  artifact_types: typeView,
  execution_types: typeView,
  context_types: typeView,
  endpoint_artifact_ids: (id) => id,
  endpoint_execution_ids: (id) => id,
};
const kSingular = {
  next_page_token: (token) => token,
  subgraph: lineageGraphView,
  lineage_subgraph: lineageGraphView,
  truncated: (flag) => flag,
  hops_walked: (hops) => hops,
};

function responseView(response) {
  const view = {};
  for (const [field, viewOf] of Object.entries(kRepeated)) {
    if (field in response) view[field] = response[field].map(viewOf);
  }
  for (const [field, viewOf] of Object.entries(kSingular)) {
    if (field in response && response[`has_${field}`]) {
      view[field] = viewOf(response[field]);
    }
  }
  return view;
}

module.exports = {responseView};
