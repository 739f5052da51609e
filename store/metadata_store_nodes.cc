// MetadataStore: node, event and context-link RPCs.

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "store/internal/list_query.h"
#include "store/internal/node_ops.h"
#include "store/internal/record_access.h"
#include "store/internal/rpc_macros.h"
#include "store/internal/type_ops.h"
#include "store/metadata_store.h"
#include "util/status_macros.h"

namespace mlmdx::store {

using internal::ListScope;
using internal::NodeWriteOptions;
using internal::RecordAccess;
using internal::TypeCache;
using ml_metadata::Artifact;
using ml_metadata::Context;
using ml_metadata::Execution;

namespace {

template <typename Field>
std::vector<int64_t> ToVector(const Field& ids) {
  return std::vector<int64_t>(ids.begin(), ids.end());
}

// Whether node `id` exists and the caller may see it; true, without SQL,
// when no VisibleNamespacesScope is open (a read of an unknown id then
// finds nothing by itself).
template <typename Node>
absl::StatusOr<bool> Visible(RecordAccess& access, int64_t id) {
  if (access.visible() == nullptr) return true;
  MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                         access.VisibleNodeIds<Node>({id}));
  return !ids.empty();
}

template <typename Node, typename Request, typename Ids>
absl::Status PutNodes(RecordAccess& access, internal::TypeFacts* facts,
                      const Request& request,
                      const google::protobuf::RepeatedPtrField<Node>& nodes,
                      Ids* ids) {
  TypeCache types(facts);
  NodeWriteOptions options;
  options.update_mask = &request.update_mask();
  for (const Node& node : nodes) {
    MLMDX_ASSIGN_OR_RETURN(int64_t id,
                           internal::UpsertNode(access, types, node, options,
                                                internal::NowMillis()));
    ids->Add(id);
  }
  return absl::OkStatus();
}

}  // namespace

// ---- Node writes -----------------------------------------------------------

absl::Status MetadataStore::PutArtifacts(
    const ml_metadata::PutArtifactsRequest& request,
    ml_metadata::PutArtifactsResponse* response) {
  response->Clear();
  ml_metadata::PutArtifactsResponse result;
  MLMDX_RETURN_IF_ERROR(
      Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
        result.Clear();  // A retried attempt starts over.
        TypeCache types(type_facts_.get());
        NodeWriteOptions options;
        options.update_mask = &request.update_mask();
        for (const Artifact& artifact : request.artifacts()) {
          int64_t now = internal::NowMillis();
          if (artifact.has_id() &&
              request.options().abort_if_latest_updated_time_changed()) {
            MLMDX_ASSIGN_OR_RETURN(std::vector<Artifact> stored,
                                   access.GetNodes<Artifact>({artifact.id()}));
            if (!stored.empty()) {
              const int64_t stored_time =
                  stored[0].last_update_time_since_epoch();
              if (artifact.last_update_time_since_epoch() != stored_time) {
                return absl::FailedPreconditionError(
                    absl::StrCat("artifact ", artifact.id(),
                                 " was updated since it was read: request "
                                 "last_update_time_since_epoch ",
                                 artifact.last_update_time_since_epoch(),
                                 ", stored ", stored_time));
              }
              // The new update time must be strictly later than the one the
              // client compared against.
              now = std::max(now, stored_time + 1);
            }
          }
          MLMDX_ASSIGN_OR_RETURN(
              int64_t id,
              internal::UpsertNode(access, types, artifact, options, now));
          result.add_artifact_ids(id);
        }
        return absl::OkStatus();
      }));
  *response = std::move(result);
  return absl::OkStatus();
}

MLMDX_STORE_WRITE_RPC(PutExecutions, {
  return PutNodes(access, type_facts_.get(), request, request.executions(),
                  result.mutable_execution_ids());
})

MLMDX_STORE_WRITE_RPC(PutContexts, {
  return PutNodes(access, type_facts_.get(), request, request.contexts(),
                  result.mutable_context_ids());
})

absl::Status MetadataStore::PutEvents(
    const ml_metadata::PutEventsRequest& request,
    ml_metadata::PutEventsResponse* response) {
  response->Clear();
  return Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
    for (const ml_metadata::Event& event : request.events()) {
      if (!event.has_artifact_id()) {
        return absl::InvalidArgumentError("event.artifact_id is missing");
      }
      if (!event.has_execution_id()) {
        return absl::InvalidArgumentError("event.execution_id is missing");
      }
      if (!event.has_type() || event.type() == ml_metadata::Event::UNKNOWN) {
        return absl::InvalidArgumentError("event.type is missing or UNKNOWN");
      }
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Artifact>(
          access, event.artifact_id(), "event.artifact_id"));
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Execution>(
          access, event.execution_id(), "event.execution_id"));
    }
    const std::vector<ml_metadata::Event> events(request.events().begin(),
                                                 request.events().end());
    return internal::InsertCheckedEvents(access, events);
  });
}

absl::Status MetadataStore::PutAttributionsAndAssociations(
    const ml_metadata::PutAttributionsAndAssociationsRequest& request,
    ml_metadata::PutAttributionsAndAssociationsResponse* response) {
  response->Clear();
  return Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
    for (const ml_metadata::Attribution& link : request.attributions()) {
      if (!link.has_context_id() || !link.has_artifact_id()) {
        return absl::InvalidArgumentError(
            "attribution.context_id and attribution.artifact_id are both "
            "required");
      }
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Context>(
          access, link.context_id(), "attribution.context_id"));
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Artifact>(
          access, link.artifact_id(), "attribution.artifact_id"));
      MLMDX_RETURN_IF_ERROR(access.InsertAttributionIfMissing(
          link.context_id(), link.artifact_id()));
    }
    for (const ml_metadata::Association& link : request.associations()) {
      if (!link.has_context_id() || !link.has_execution_id()) {
        return absl::InvalidArgumentError(
            "association.context_id and association.execution_id are both "
            "required");
      }
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Context>(
          access, link.context_id(), "association.context_id"));
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Execution>(
          access, link.execution_id(), "association.execution_id"));
      MLMDX_RETURN_IF_ERROR(access.InsertAssociationIfMissing(
          link.context_id(), link.execution_id()));
    }
    return absl::OkStatus();
  });
}

absl::Status MetadataStore::PutParentContexts(
    const ml_metadata::PutParentContextsRequest& request,
    ml_metadata::PutParentContextsResponse* response) {
  response->Clear();
  return Transact(TransactionMode::kReadWrite, [&](RecordAccess& access) {
    for (const ml_metadata::ParentContext& link : request.parent_contexts()) {
      if (!link.has_child_id() || !link.has_parent_id()) {
        return absl::InvalidArgumentError(
            "parent_context.child_id and parent_context.parent_id are both "
            "required");
      }
      if (link.child_id() == link.parent_id()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "context ", link.child_id(), " cannot be its own parent"));
      }
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Context>(
          access, link.child_id(), "parent_context.child_id"));
      MLMDX_RETURN_IF_ERROR(internal::CheckNodeExists<Context>(
          access, link.parent_id(), "parent_context.parent_id"));
      // Walk the ancestors of the parent; reaching the child means the new
      // link would close a cycle.
      std::vector<int64_t> frontier = {link.parent_id()};
      absl::flat_hash_set<int64_t> seen = {link.parent_id()};
      while (!frontier.empty()) {
        const int64_t current = frontier.back();
        frontier.pop_back();
        if (current == link.child_id()) {
          return absl::InvalidArgumentError(absl::StrCat(
              "There is a cycle detected of the given relationship: context ",
              link.child_id(), " is already an ancestor of context ",
              link.parent_id()));
        }
        MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> parents,
                               access.GetParentContextIds(current));
        for (int64_t parent : parents) {
          if (seen.insert(parent).second) frontier.push_back(parent);
        }
      }
      const absl::Status status =
          access.InsertParentContext(link.child_id(), link.parent_id());
      if (absl::IsAlreadyExists(status)) {
        return absl::AlreadyExistsError(
            absl::StrCat("context ", link.parent_id(),
                         " is already a parent of context ", link.child_id()));
      }
      MLMDX_RETURN_IF_ERROR(status);
    }
    return absl::OkStatus();
  });
}

// ---- Listing ---------------------------------------------------------------

namespace {

// Fills `nodes` with one listing. Without options: every node of the scope,
// ascending id. With options: one page. `has_token_field` is MLMD's *ByType
// quirk: the token field is set (possibly "") whenever options were given
// and the scope has nodes.
template <typename Node, typename Response>
absl::Status List(RecordAccess& access, bool has_options,
                  const ml_metadata::ListOperationOptions& options,
                  const ListScope& scope, bool validate_when_empty,
                  bool always_set_token,
                  google::protobuf::RepeatedPtrField<Node>* nodes,
                  Response* response) {
  if (!has_options) {
    std::vector<int64_t> ids;
    MLMDX_ASSIGN_OR_RETURN(
        RecordSet rows,
        access.connection().Query(
            absl::StrCat(
                "SELECT id FROM ", internal::NodeTraits<Node>::kTable,
                scope.kind == ListScope::Kind::kAll ? "" : " WHERE ",
                scope.kind == ListScope::Kind::kType ? "type_id = ?" : "",
                scope.kind == ListScope::Kind::kContext
                    ? (std::is_same_v<Node, Artifact>
                           ? "id IN (SELECT artifact_id FROM Attribution "
                             "WHERE context_id = ?)"
                           : "id IN (SELECT execution_id FROM Association "
                             "WHERE context_id = ?)")
                    : "",
                " ORDER BY id"),
            scope.kind == ListScope::Kind::kAll
                ? std::vector<SqlValue>{}
                : std::vector<SqlValue>{SqlValue::Int(scope.id)}));
    for (const auto& row : rows.rows) ids.push_back(row[0].AsInt());
    MLMDX_ASSIGN_OR_RETURN(std::vector<Node> found, access.GetNodes<Node>(ids));
    for (Node& node : found) *nodes->Add() = std::move(node);
    return absl::OkStatus();
  }
  if (!validate_when_empty) {
    MLMDX_ASSIGN_OR_RETURN(bool any,
                           internal::ScopeHasNodes<Node>(access, scope));
    if (!any) return absl::OkStatus();
  }
  MLMDX_ASSIGN_OR_RETURN(internal::ListPage page,
                         internal::ListNodeIds<Node>(access, options, scope));
  MLMDX_ASSIGN_OR_RETURN(std::vector<Node> found,
                         access.GetNodes<Node>(page.ids));
  // GetNodes returns ascending ids; restore the listing's order.
  absl::flat_hash_map<int64_t, Node*> by_id;
  for (Node& node : found) by_id[node.id()] = &node;
  for (int64_t id : page.ids) {
    auto it = by_id.find(id);
    if (it != by_id.end()) *nodes->Add() = std::move(*it->second);
  }
  if (page.next_page_token.has_value()) {
    response->set_next_page_token(*page.next_page_token);
  } else if (always_set_token) {
    response->set_next_page_token("");
  }
  return absl::OkStatus();
}

template <typename Node>
absl::StatusOr<std::optional<int64_t>> ScopeTypeId(
    RecordAccess& access, const std::string& type_name,
    const std::string& type_version, bool has_version) {
  std::optional<std::string> version;
  if (has_version) version = type_version;
  return access.FindTypeId(internal::NodeTraits<Node>::kTypeKind, type_name,
                           version);
}

}  // namespace

MLMDX_STORE_READ_RPC(GetArtifacts, {
  return List<Artifact>(access, request.has_options(), request.options(), {},
                        true, false, result.mutable_artifacts(), &result);
})
MLMDX_STORE_READ_RPC(GetExecutions, {
  return List<Execution>(access, request.has_options(), request.options(), {},
                         true, false, result.mutable_executions(), &result);
})
MLMDX_STORE_READ_RPC(GetContexts, {
  return List<Context>(access, request.has_options(), request.options(), {},
                       true, false, result.mutable_contexts(), &result);
})

#define MLMDX_BY_TYPE_BODY(Node, field)                                        \
  {                                                                            \
    MLMDX_ASSIGN_OR_RETURN(                                                    \
        std::optional<int64_t> type_id,                                        \
        ScopeTypeId<Node>(access, request.type_name(), request.type_version(), \
                          request.has_type_version()));                        \
    if (!type_id.has_value()) return absl::OkStatus();                         \
    ListScope scope{ListScope::Kind::kType, *type_id};                         \
    return List<Node>(access, request.has_options(), request.options(), scope, \
                      false, true, result.mutable_##field(), &result);         \
  }

MLMDX_STORE_READ_RPC(GetArtifactsByType,
                     MLMDX_BY_TYPE_BODY(Artifact, artifacts))
MLMDX_STORE_READ_RPC(GetExecutionsByType,
                     MLMDX_BY_TYPE_BODY(Execution, executions))
MLMDX_STORE_READ_RPC(GetContextsByType, MLMDX_BY_TYPE_BODY(Context, contexts))
#undef MLMDX_BY_TYPE_BODY

// A context the caller cannot see lists nothing, as an unknown one: its
// shared members are visible, but not that they are its members.
MLMDX_STORE_READ_RPC(GetArtifactsByContext, {
  MLMDX_ASSIGN_OR_RETURN(bool visible,
                         Visible<Context>(access, request.context_id()));
  if (!visible) return absl::OkStatus();
  ListScope scope{ListScope::Kind::kContext, request.context_id()};
  return List<Artifact>(access, request.has_options(), request.options(), scope,
                        false, false, result.mutable_artifacts(), &result);
})
MLMDX_STORE_READ_RPC(GetExecutionsByContext, {
  MLMDX_ASSIGN_OR_RETURN(bool visible,
                         Visible<Context>(access, request.context_id()));
  if (!visible) return absl::OkStatus();
  ListScope scope{ListScope::Kind::kContext, request.context_id()};
  return List<Execution>(access, request.has_options(), request.options(),
                         scope, false, false, result.mutable_executions(),
                         &result);
})

// ---- Point reads -----------------------------------------------------------

MLMDX_STORE_READ_RPC(GetArtifactsByID, {
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<Artifact> artifacts,
      access.GetNodes<Artifact>(ToVector(request.artifact_ids())));
  std::vector<int64_t> type_ids;
  for (Artifact& artifact : artifacts) {
    type_ids.push_back(artifact.type_id());
    *result.add_artifacts() = std::move(artifact);
  }
  if (request.populate_artifact_types() && !type_ids.empty()) {
    MLMDX_ASSIGN_OR_RETURN(
        std::vector<internal::TypeRecord> types,
        access.GetTypesById(internal::TypeKind::kArtifact, type_ids));
    for (const auto& type : types) {
      *result.add_artifact_types() =
          internal::ToTypeProto<ml_metadata::ArtifactType>(
              type, internal::TypeView::kPopulated);
    }
  }
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetExecutionsByID, {
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<Execution> executions,
      access.GetNodes<Execution>(ToVector(request.execution_ids())));
  for (Execution& e : executions) *result.add_executions() = std::move(e);
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetContextsByID, {
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<Context> contexts,
      access.GetNodes<Context>(ToVector(request.context_ids())));
  for (Context& c : contexts) *result.add_contexts() = std::move(c);
  return absl::OkStatus();
})

#define MLMDX_BY_TYPE_AND_NAME_BODY(Node, name_field, out_field)               \
  {                                                                            \
    MLMDX_ASSIGN_OR_RETURN(                                                    \
        std::optional<int64_t> type_id,                                        \
        ScopeTypeId<Node>(access, request.type_name(), request.type_version(), \
                          request.has_type_version()));                        \
    if (!type_id.has_value()) return absl::OkStatus();                         \
    MLMDX_ASSIGN_OR_RETURN(                                                    \
        std::optional<int64_t> id,                                             \
        access.FindNodeIdByTypeAndName<Node>(*type_id, request.name_field())); \
    if (!id.has_value()) return absl::OkStatus();                              \
    MLMDX_ASSIGN_OR_RETURN(std::vector<Node> found,                            \
                           access.GetNodes<Node>({*id}));                      \
    if (!found.empty()) *result.mutable_##out_field() = std::move(found[0]);   \
    return absl::OkStatus();                                                   \
  }

MLMDX_STORE_READ_RPC(GetArtifactByTypeAndName,
                     MLMDX_BY_TYPE_AND_NAME_BODY(Artifact, artifact_name,
                                                 artifact))
MLMDX_STORE_READ_RPC(GetExecutionByTypeAndName,
                     MLMDX_BY_TYPE_AND_NAME_BODY(Execution, execution_name,
                                                 execution))
MLMDX_STORE_READ_RPC(GetContextByTypeAndName,
                     MLMDX_BY_TYPE_AND_NAME_BODY(Context, context_name,
                                                 context))
#undef MLMDX_BY_TYPE_AND_NAME_BODY

MLMDX_STORE_READ_RPC(GetArtifactsByURI, {
  // Field 1 was the singular `uri`, removed from the API; a client that
  // still sends it would silently get the wrong answer. MLMD's own tests
  // match the start of this message word for word.
  const auto& unknown = request.GetReflection()->GetUnknownFields(request);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (unknown.field(i).number() == 1) {
      return absl::InvalidArgumentError(
          "The request contains deprecated field `uri` (field 1); send "
          "the uris in `uris` (field 2) instead");
    }
  }
  absl::flat_hash_set<std::string> seen;
  for (const std::string& uri : request.uris()) {
    if (!seen.insert(uri).second) continue;
    MLMDX_ASSIGN_OR_RETURN(
        std::vector<int64_t> ids,
        access.FindNodeIds<Artifact>("uri", SqlValue::Text(uri)));
    MLMDX_ASSIGN_OR_RETURN(std::vector<Artifact> found,
                           access.GetNodes<Artifact>(ids));
    for (Artifact& a : found) *result.add_artifacts() = std::move(a);
  }
  return absl::OkStatus();
})

namespace {

template <typename Node, typename Field>
absl::Status ReadByExternalIds(RecordAccess& access, const Field& external_ids,
                               google::protobuf::RepeatedPtrField<Node>* out) {
  if (external_ids.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const std::string& id : external_ids) {
    if (id.empty()) {
      return absl::InvalidArgumentError(
          "external_ids must not contain an empty string");
    }
    ids.push_back(id);
  }
  MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> node_ids,
                         access.FindNodeIdsByExternalIds<Node>(ids));
  // Nodes the caller cannot see are left out by GetNodes: none left is
  // none found.
  MLMDX_ASSIGN_OR_RETURN(std::vector<Node> found,
                         access.GetNodes<Node>(node_ids));
  if (found.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "No ", internal::NodeTraits<Node>::kKindName,
        " found for the given external_ids (", ids.size(), " given)"));
  }
  for (Node& node : found) *out->Add() = std::move(node);
  return absl::OkStatus();
}

}  // namespace

MLMDX_STORE_READ_RPC(GetArtifactsByExternalIds, {
  return ReadByExternalIds(access, request.external_ids(),
                           result.mutable_artifacts());
})
MLMDX_STORE_READ_RPC(GetExecutionsByExternalIds, {
  return ReadByExternalIds(access, request.external_ids(),
                           result.mutable_executions());
})
MLMDX_STORE_READ_RPC(GetContextsByExternalIds, {
  return ReadByExternalIds(access, request.external_ids(),
                           result.mutable_contexts());
})

MLMDX_STORE_READ_RPC(GetEventsByExecutionIDs, {
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<ml_metadata::Event> events,
      access.GetEventsByExecutionIds(ToVector(request.execution_ids())));
  MLMDX_RETURN_IF_ERROR(access.KeepVisibleEvents(
      events, [](const ml_metadata::Event& e) -> const auto& { return e; }));
  for (auto& e : events) *result.add_events() = std::move(e);
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetEventsByArtifactIDs, {
  MLMDX_ASSIGN_OR_RETURN(
      std::vector<ml_metadata::Event> events,
      access.GetEventsByArtifactIds(ToVector(request.artifact_ids())));
  MLMDX_RETURN_IF_ERROR(access.KeepVisibleEvents(
      events, [](const ml_metadata::Event& e) -> const auto& { return e; }));
  for (auto& e : events) *result.add_events() = std::move(e);
  return absl::OkStatus();
})

// ---- Context relations -----------------------------------------------------

// The contexts of a node the caller cannot see are not asked for; of a
// visible node, GetNodes leaves out the contexts it cannot see.
MLMDX_STORE_READ_RPC(GetContextsByArtifact, {
  MLMDX_ASSIGN_OR_RETURN(bool visible,
                         Visible<Artifact>(access, request.artifact_id()));
  std::vector<int64_t> ids;
  if (visible) {
    MLMDX_ASSIGN_OR_RETURN(
        ids, access.GetContextIdsByArtifact(request.artifact_id()));
  }
  MLMDX_ASSIGN_OR_RETURN(std::vector<Context> found,
                         access.GetNodes<Context>(ids));
  if (found.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "No contexts found for artifact_id ", request.artifact_id()));
  }
  for (Context& c : found) *result.add_contexts() = std::move(c);
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetContextsByExecution, {
  MLMDX_ASSIGN_OR_RETURN(bool visible,
                         Visible<Execution>(access, request.execution_id()));
  std::vector<int64_t> ids;
  if (visible) {
    MLMDX_ASSIGN_OR_RETURN(
        ids, access.GetContextIdsByExecution(request.execution_id()));
  }
  MLMDX_ASSIGN_OR_RETURN(std::vector<Context> found,
                         access.GetNodes<Context>(ids));
  if (found.empty()) {
    return absl::NotFoundError(absl::StrCat(
        "No contexts found for execution_id ", request.execution_id()));
  }
  for (Context& c : found) *result.add_contexts() = std::move(c);
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetParentContextsByContext, {
  MLMDX_ASSIGN_OR_RETURN(bool visible,
                         Visible<Context>(access, request.context_id()));
  if (!visible) return absl::OkStatus();
  MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                         access.GetParentContextIds(request.context_id()));
  MLMDX_ASSIGN_OR_RETURN(std::vector<Context> found,
                         access.GetNodes<Context>(ids));
  for (Context& c : found) *result.add_contexts() = std::move(c);
  return absl::OkStatus();
})
MLMDX_STORE_READ_RPC(GetChildrenContextsByContext, {
  MLMDX_ASSIGN_OR_RETURN(bool visible,
                         Visible<Context>(access, request.context_id()));
  if (!visible) return absl::OkStatus();
  MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> ids,
                         access.GetChildContextIds(request.context_id()));
  MLMDX_ASSIGN_OR_RETURN(std::vector<Context> found,
                         access.GetNodes<Context>(ids));
  for (Context& c : found) *result.add_contexts() = std::move(c);
  return absl::OkStatus();
})

namespace {

// Batch relation reads are bounded by their input: one request names at
// most this many contexts.
constexpr int kMaxContextIdsPerRequest = 10000;

absl::Status CheckContextIdList(int size) {
  if (size == 0) {
    return absl::InvalidArgumentError("context_ids must not be empty");
  }
  if (size > kMaxContextIdsPerRequest) {
    return absl::InvalidArgumentError(
        absl::StrCat("context_ids names ", size, " contexts; at most ",
                     kMaxContextIdsPerRequest, " are allowed per request"));
  }
  return absl::OkStatus();
}

// For each id of `context_ids` with at least one linked context (parents
// when `to_parents`, else children), the linked contexts in ascending id.
absl::StatusOr<std::vector<std::pair<int64_t, std::vector<Context>>>>
LinkedContexts(RecordAccess& access,
               const google::protobuf::RepeatedField<int64_t>& context_ids,
               bool to_parents) {
  std::vector<std::pair<int64_t, std::vector<Context>>> result;
  absl::flat_hash_set<int64_t> seen;
  for (int64_t id : context_ids) {
    if (!seen.insert(id).second) continue;
    MLMDX_ASSIGN_OR_RETURN(bool visible, Visible<Context>(access, id));
    if (!visible) continue;
    MLMDX_ASSIGN_OR_RETURN(std::vector<int64_t> linked,
                           to_parents ? access.GetParentContextIds(id)
                                      : access.GetChildContextIds(id));
    if (linked.empty()) continue;
    MLMDX_ASSIGN_OR_RETURN(std::vector<Context> contexts,
                           access.GetNodes<Context>(linked));
    // Linked to none the caller can see.
    if (contexts.empty() && access.visible() != nullptr) continue;
    result.emplace_back(id, std::move(contexts));
  }
  return result;
}

}  // namespace

MLMDX_STORE_READ_RPC(GetParentContextsByContexts, {
  MLMDX_RETURN_IF_ERROR(CheckContextIdList(request.context_ids_size()));
  MLMDX_ASSIGN_OR_RETURN(auto linked,
                         LinkedContexts(access, request.context_ids(), true));
  for (auto& [child, parents] : linked) {
    auto& entry = (*result.mutable_contexts())[child];
    for (Context& parent : parents) {
      *entry.add_parent_contexts() = std::move(parent);
    }
  }
  return absl::OkStatus();
})

MLMDX_STORE_READ_RPC(GetChildrenContextsByContexts, {
  MLMDX_RETURN_IF_ERROR(CheckContextIdList(request.context_ids_size()));
  MLMDX_ASSIGN_OR_RETURN(auto linked,
                         LinkedContexts(access, request.context_ids(), false));
  for (auto& [parent, children] : linked) {
    auto& entry = (*result.mutable_contexts())[parent];
    for (Context& child : children) {
      *entry.add_children_contexts() = std::move(child);
    }
  }
  return absl::OkStatus();
})

}  // namespace mlmdx::store
