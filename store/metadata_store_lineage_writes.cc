// MetadataStore: the two compound writes, PutExecution and
// PutLineageSubgraph, which upsert nodes, events and context links in one
// transaction (spec/api.md §3.3, MLMD HEAD ordering).

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "store/internal/node_ops.h"
#include "store/internal/record_access.h"
#include "store/internal/type_ops.h"
#include "store/metadata_store.h"
#include "util/status_macros.h"

namespace mlmdx::store {

using internal::NodeWriteOptions;
using internal::RecordAccess;
using internal::TypeCache;
using ml_metadata::Artifact;
using ml_metadata::Context;
using ml_metadata::Event;
using ml_metadata::Execution;

namespace {

// Creates or updates an artifact; with `reuse_by_external_id`, an artifact
// without id whose external_id is stored updates the stored one instead.
absl::StatusOr<int64_t> UpsertArtifact(
    RecordAccess& access, TypeCache& types, const Artifact& artifact,
    bool reuse_by_external_id,
    internal::ReadAhead<Artifact>* read_ahead = nullptr) {
  NodeWriteOptions options;
  if (!artifact.has_id() && reuse_by_external_id &&
      !artifact.external_id().empty()) {
    MLMDX_ASSIGN_OR_RETURN(
        std::vector<int64_t> ids,
        access.FindNodeIdsByExternalIds<Artifact>({artifact.external_id()}));
    if (!ids.empty()) {
      Artifact existing = artifact;
      existing.set_id(ids.front());
      MLMDX_RETURN_IF_ERROR(internal::UpdateNode(
          access, types, existing, options, internal::NowMillis(), read_ahead));
      return ids.front();
    }
  }
  return internal::UpsertNode(access, types, artifact, options,
                              internal::NowMillis(), read_ahead);
}

// MLMD's context step of PutExecution / PutLineageSubgraph.
absl::StatusOr<int64_t> UpsertContext(
    RecordAccess& access, TypeCache& types, const Context& context,
    bool reuse_if_exists, internal::ReadAhead<Context>* read_ahead = nullptr) {
  if (!context.has_type_id()) {
    return absl::InvalidArgumentError(
        "context.type_id is required for every context of the request");
  }
  if (!context.has_name()) {
    return absl::InvalidArgumentError(
        "context.name is required for every context of the request");
  }
  if (reuse_if_exists && !context.has_id()) {
    MLMDX_ASSIGN_OR_RETURN(std::optional<int64_t> id,
                           access.FindNodeIdByTypeAndName<Context>(
                               context.type_id(), context.name()));
    // Reused as stored: the request's properties are dropped (MLMD Q7).
    // Names are unique across namespaces, so a context the caller cannot
    // see still takes the name; the request may not attach to it.
    if (id.has_value() && access.visible() != nullptr) {
      MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> visible,
                             access.VisibleNodeIds<Context>({*id}));
      if (visible.empty()) {
        return absl::NotFoundError(absl::StrCat(
            "context '", context.name(), "' of type_id ", context.type_id(),
            " cannot be reused: it is not visible to the caller"));
      }
    }
    if (id.has_value()) return *id;
  }
  absl::StatusOr<int64_t> id =
      internal::UpsertNode(access, types, context, NodeWriteOptions{},
                           internal::NowMillis(), read_ahead);
  if (reuse_if_exists && absl::IsAlreadyExists(id.status())) {
    return absl::AbortedError(absl::StrCat(
        "context '", context.name(),
        "' was created concurrently by another request; retry to reuse it"));
  }
  return id;
}

}  // namespace

absl::Status MetadataStore::PutExecution(
    const ml_metadata::PutExecutionRequest& request,
    ml_metadata::PutExecutionResponse* response) {
  response->Clear();
  if (!request.has_execution()) {
    return absl::InvalidArgumentError(
        "No execution is found: PutExecutionRequest.execution is required");
  }
  const auto& options = request.options();
  ml_metadata::PutExecutionResponse result;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
        result.Clear();  // A retried attempt starts over.
        TypeCache types(type_facts_.get());
        const auto& pairs = request.artifact_event_pairs();
        // 1. Artifacts. Those passed back with their ids (a launcher's
        // inputs) are read in one round trip.
        std::vector<int64_t> stored_ids;
        for (const auto& pair : pairs) {
          if (pair.artifact().has_id()) {
            stored_ids.push_back(pair.artifact().id());
          }
        }
        internal::ReadAhead<Artifact> stored_artifacts;
        if (stored_ids.size() > 1) {
          MLMDX_ASSIGN_OR_RETURN(
              stored_artifacts,
              internal::ReadNodesAhead<Artifact>(access, stored_ids));
        }
        std::vector<std::optional<int64_t>> artifact_ids(pairs.size());
        for (int i = 0; i < pairs.size(); ++i) {
          if (!pairs[i].has_artifact()) continue;
          MLMDX_ASSIGN_OR_RETURN(
              artifact_ids[i],
              UpsertArtifact(
                  access, types, pairs[i].artifact(),
                  options.reuse_artifact_if_already_exist_by_external_id(),
                  &stored_artifacts));
        }
        // 2. The execution.
        NodeWriteOptions execution_options;
        execution_options.force_update_time = options.force_update_time();
        MLMDX_ASSIGN_OR_RETURN(
            int64_t execution_id,
            internal::UpsertNode(access, types, request.execution(),
                                 execution_options, internal::NowMillis()));
        result.set_execution_id(execution_id);
        // 3. Events, checked in order and inserted together.
        std::vector<Event> events;
        for (int i = 0; i < pairs.size(); ++i) {
          if (!pairs[i].has_event()) {
            result.add_artifact_ids(artifact_ids[i].value_or(-1));
            continue;
          }
          Event event = pairs[i].event();
          if (event.has_execution_id() &&
              event.execution_id() != execution_id) {
            return absl::InvalidArgumentError(absl::StrCat(
                "artifact_event_pairs[", i, "].event.execution_id ",
                event.execution_id(), " differs from the execution's id ",
                execution_id));
          }
          event.set_execution_id(execution_id);
          if (artifact_ids[i].has_value()) {
            if (event.has_artifact_id() &&
                event.artifact_id() != *artifact_ids[i]) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "artifact_event_pairs[", i, "].event.artifact_id ",
                  event.artifact_id(), " differs from the pair's artifact id ",
                  *artifact_ids[i]));
            }
            event.set_artifact_id(*artifact_ids[i]);
          } else {
            if (!event.has_artifact_id()) {
              return absl::InvalidArgumentError(absl::StrCat(
                  "artifact_event_pairs[", i,
                  "] has an event without artifact_id and no artifact"));
            }
            MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Artifact>(
                access, event.artifact_id(), "event.artifact_id"));
          }
          MLMDX_RETURN_IF_ERROR(internal::CheckEventFields(event));
          result.add_artifact_ids(event.artifact_id());
          events.push_back(std::move(event));
        }
        MLMDX_RETURN_IF_ERROR(internal::InsertCheckedEvents(access, events));
        // 4. Contexts, associations and attributions. Those passed back
        // with their ids are read in one round trip.
        std::vector<int64_t> stored_context_ids;
        for (const Context& context : request.contexts()) {
          if (context.has_id() && !options.force_reuse_context()) {
            stored_context_ids.push_back(context.id());
          }
        }
        internal::ReadAhead<Context> stored_contexts;
        if (stored_context_ids.size() > 1) {
          MLMDX_ASSIGN_OR_RETURN(
              stored_contexts,
              internal::ReadNodesAhead<Context>(access, stored_context_ids));
        }
        std::vector<std::pair<int64_t, int64_t>> associations, attributions;
        for (const Context& context : request.contexts()) {
          int64_t context_id = 0;
          if (options.force_reuse_context() && context.has_id()) {
            MLMDX_ASSIGN_OR_RETURN(
                std::vector<int64_t> found,
                access.visible() != nullptr
                    ? access.VisibleNodeIds<Context>({context.id()})
                    : access.FindNodeIds<Context>("id",
                                                  SqlValue::Int(context.id())));
            if (found.empty()) {
              return absl::NotFoundError(absl::StrCat(
                  "Context with ID ", context.id(), " was not found"));
            }
            context_id = context.id();
          } else {
            MLMDX_ASSIGN_OR_RETURN(
                context_id,
                UpsertContext(access, types, context,
                              options.reuse_context_if_already_exist(),
                              &stored_contexts));
          }
          result.add_context_ids(context_id);
          associations.emplace_back(context_id, execution_id);
          for (int64_t artifact_id : result.artifact_ids()) {
            if (artifact_id > 0) {
              attributions.emplace_back(context_id, artifact_id);
            }
          }
        }
        MLMDX_RETURN_IF_ERROR(access.InsertAssociationsIfMissing(associations));
        return access.InsertAttributionsIfMissing(attributions);
      }));
  *response = std::move(result);
  return absl::OkStatus();
}

namespace {

// Checks one side of an event edge; `index` and the event's own id may both
// name the node and must then agree.
template <typename Node>
absl::Status CheckEdgeSide(
    int edge, bool has_index, int32_t index, bool has_event_id,
    int64_t event_id, const google::protobuf::RepeatedPtrField<Node>& nodes,
    absl::string_view side) {
  if (!has_index && !has_event_id) {
    return absl::InvalidArgumentError(
        absl::StrCat("event_edges[", edge, "] names no ", side, ": set ", side,
                     "_index or event.", side, "_id"));
  }
  if (!has_index) return absl::OkStatus();
  if (index < 0 || index >= nodes.size()) {
    return absl::OutOfRangeError(absl::StrCat(
        "event_edges[", edge, "].", side, "_index ", index,
        " is outside the request's ", nodes.size(), " ", side, "s"));
  }
  if (has_event_id) {
    if (!nodes[index].has_id()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_edges[", edge, "] gives event.", side, "_id ",
                       event_id, " but the indexed ", side, " has no id"));
    }
    if (nodes[index].id() != event_id) {
      return absl::InvalidArgumentError(absl::StrCat(
          "event_edges[", edge, "].event.", side, "_id ", event_id,
          " differs from the indexed ", side, "'s id ", nodes[index].id()));
    }
  }
  return absl::OkStatus();
}

template <typename Node>
absl::Status CheckNodesTyped(
    RecordAccess& access, TypeCache& types,
    const google::protobuf::RepeatedPtrField<Node>& nodes) {
  for (const Node& node : nodes) {
    if (!node.has_type_id()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "Type id is missing. (every ", internal::NodeTraits<Node>::kKindName,
          " of PutLineageSubgraph needs type_id)"));
    }
    MLMDX_ASSIGN_OR_RETURN(
        const internal::TypeRecord* type,
        types.Get(access, internal::NodeTraits<Node>::kTypeKind,
                  node.type_id()));
    if (type == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("No ", internal::NodeTraits<Node>::kKindName,
                       " type with type_id ", node.type_id(), " exists"));
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status MetadataStore::PutLineageSubgraph(
    const ml_metadata::PutLineageSubgraphRequest& request,
    ml_metadata::PutLineageSubgraphResponse* response) {
  response->Clear();
  // 1. Edge validation, before anything is written.
  for (int i = 0; i < request.event_edges_size(); ++i) {
    const auto& edge = request.event_edges(i);
    if (!edge.has_event()) {
      return absl::InvalidArgumentError(
          absl::StrCat("event_edges[", i, "] has no event"));
    }
    MLMDX_RETURN_IF_ERROR(CheckEdgeSide(
        i, edge.has_execution_index(), edge.execution_index(),
        edge.event().has_execution_id(), edge.event().execution_id(),
        request.executions(), "execution"));
    MLMDX_RETURN_IF_ERROR(CheckEdgeSide(
        i, edge.has_artifact_index(), edge.artifact_index(),
        edge.event().has_artifact_id(), edge.event().artifact_id(),
        request.artifacts(), "artifact"));
  }
  const auto& options = request.options();
  ml_metadata::PutLineageSubgraphResponse result;
  MLMDX_RETURN_IF_ERROR(Transact(TransactionMode::kReadWrite, [&](RecordAccess&
                                                                      access) {
    result.Clear();  // A retried attempt starts over.
    TypeCache types(type_facts_.get());
    // 2. Every node must name a type of its kind.
    MLMDX_RETURN_IF_ERROR(CheckNodesTyped(access, types, request.artifacts()));
    MLMDX_RETURN_IF_ERROR(CheckNodesTyped(access, types, request.executions()));
    MLMDX_RETURN_IF_ERROR(CheckNodesTyped(access, types, request.contexts()));
    // 3. Contexts.
    for (const Context& context : request.contexts()) {
      MLMDX_ASSIGN_OR_RETURN(
          int64_t id, UpsertContext(access, types, context,
                                    options.reuse_context_if_already_exist()));
      result.add_context_ids(id);
    }
    // 4. Artifacts.
    for (const Artifact& artifact : request.artifacts()) {
      MLMDX_ASSIGN_OR_RETURN(
          int64_t id,
          UpsertArtifact(
              access, types, artifact,
              options.reuse_artifact_if_already_exist_by_external_id()));
      result.add_artifact_ids(id);
    }
    // 5. Executions.
    for (const Execution& execution : request.executions()) {
      MLMDX_ASSIGN_OR_RETURN(
          int64_t id,
          internal::UpsertNode(access, types, execution, NodeWriteOptions{},
                               internal::NowMillis()));
      result.add_execution_ids(id);
    }
    // 6. Every context links every node of the request.
    std::vector<std::pair<int64_t, int64_t>> associations, attributions;
    for (int64_t context_id : result.context_ids()) {
      for (int64_t execution_id : result.execution_ids()) {
        associations.emplace_back(context_id, execution_id);
      }
      for (int64_t artifact_id : result.artifact_ids()) {
        attributions.emplace_back(context_id, artifact_id);
      }
    }
    MLMDX_RETURN_IF_ERROR(access.InsertAssociationsIfMissing(associations));
    MLMDX_RETURN_IF_ERROR(access.InsertAttributionsIfMissing(attributions));
    // 7. Events, checked in order and inserted together.
    std::vector<Event> events;
    for (const auto& edge : request.event_edges()) {
      Event event = edge.event();
      if (!event.has_execution_id()) {
        event.set_execution_id(result.execution_ids(edge.execution_index()));
      } else if (!edge.has_execution_index()) {
        MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Execution>(
            access, event.execution_id(), "event.execution_id"));
      }
      if (!event.has_artifact_id()) {
        event.set_artifact_id(result.artifact_ids(edge.artifact_index()));
      } else if (!edge.has_artifact_index()) {
        MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Artifact>(
            access, event.artifact_id(), "event.artifact_id"));
      }
      MLMDX_RETURN_IF_ERROR(internal::CheckEventFields(event));
      events.push_back(std::move(event));
    }
    return internal::InsertCheckedEvents(access, events);
  }));
  *response = std::move(result);
  return absl::OkStatus();
}

}  // namespace mlmdx::store
