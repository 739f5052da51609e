// File: query/filter.cc

#include "query/filter.h"

#include "absl/strings/str_cat.h"
#include "query/ast.h"
#include "query/binder.h"
#include "query/error_context.h"
#include "query/parser.h"
#include "query/sql_emitter.h"
#include "util/status_macros.h"

namespace mlmdx::query {

absl::StatusOr<CompiledFilter> CompileFilter(absl::string_view filter,
                                             NodeKind kind, Dialect dialect,
                                             const FilterLimits& limits) {
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
  return EmitSql(bound, dialect);
}

}  // namespace mlmdx::query
