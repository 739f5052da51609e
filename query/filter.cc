// File: query/filter.cc

#include "query/filter.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "query/ast.h"
#include "query/binder.h"
#include "query/error_context.h"
#include "query/parser.h"
#include "query/sql_emitter.h"
#include "util/status_macros.h"

namespace mlmdx::query {

absl::StatusOr<CompiledFilter> CompileFilter(
    absl::string_view filter, NodeKind kind, Dialect dialect,
    const FilterLimits& limits, const NeighbourCondition* neighbours) {
  if (filter.size() > limits.max_query_length) {
    // Points at the first byte past the limit.
    return FilterError(
        filter, limits.max_query_length,
        absl::StrCat("Filter is too long (", filter.size(), " bytes, limit ",
                     limits.max_query_length, ")"));
  }
  MLMDX_ASSIGN_OR_RETURN(AstPtr ast, ParseFilter(filter, limits));
  MLMDX_ASSIGN_OR_RETURN(BoundFilter bound,
                         BindFilter(filter, *ast, kind, limits));
  return EmitSql(bound, dialect, neighbours);
}

namespace {

bool IsIdPath(const AstNode& node) {
  return node.kind == AstKind::kPath && node.path.size() == 1 &&
         !node.path[0].quoted && node.path[0].name == "id";
}

// Appends the ids `node` selects; false if it is not an id-literal term.
bool CollectLiteralIds(const AstNode& node, std::vector<int64_t>* ids) {
  switch (node.kind) {
    case AstKind::kCompare:
      if (node.op != "=" || node.children.size() != 2) return false;
      if (IsIdPath(*node.children[0]) &&
          node.children[1]->kind == AstKind::kInteger) {
        ids->push_back(node.children[1]->int_value);
        return true;
      }
      if (IsIdPath(*node.children[1]) &&
          node.children[0]->kind == AstKind::kInteger) {
        ids->push_back(node.children[0]->int_value);
        return true;
      }
      return false;
    case AstKind::kIn:
      if (node.negated || node.children.empty() ||
          !IsIdPath(*node.children[0])) {
        return false;
      }
      for (size_t i = 1; i < node.children.size(); ++i) {
        if (node.children[i]->kind != AstKind::kInteger) return false;
        ids->push_back(node.children[i]->int_value);
      }
      return true;
    case AstKind::kOr:
      for (const AstPtr& child : node.children) {
        if (!CollectLiteralIds(*child, ids)) return false;
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

std::optional<std::vector<int64_t>> LiteralIdSet(absl::string_view filter,
                                                 const FilterLimits& limits) {
  if (filter.size() > limits.max_query_length) return std::nullopt;
  absl::StatusOr<AstPtr> ast = ParseFilter(filter, limits);
  if (!ast.ok()) return std::nullopt;
  std::vector<int64_t> ids;
  if (!CollectLiteralIds(**ast, &ids)) return std::nullopt;
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

}  // namespace mlmdx::query
