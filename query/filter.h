// File: query/filter.h
// -----------------------------------------------------------------------------
//
// Compiles an MLMD `filter_query` (ListOperationOptions.filter_query, a
// boolean expression in a subset of ZetaSQL, see spec/listing.md §5) into one
// SQL SELECT statement that returns the ids of the matching nodes. User text
// never reaches the SQL: every literal and property name is a bound `?`
// parameter, and every identifier in the SQL comes from our own tables.
//
// The pipeline is staged like DuckDB's: lexer -> parser (AST with source
// positions) -> binder (names, aliases, types) -> sql_emitter (per dialect).
// This header is the only public entry point of query/.
//
// Example:
//
//   MLMDX_ASSIGN_OR_RETURN(
//       CompiledFilter filter,
//       CompileFilter("contexts_a.name = 'run1' AND state = LIVE",
//                     NodeKind::kArtifact));
//   // SELECT ... FROM Artifact WHERE id IN (<filter.sql>), binding
//   // filter.params in order.
//
// Thread-safety: CompileFilter is a pure function and may be called from any
// number of threads at once.

#ifndef MLMDX_QUERY_FILTER_H_
#define MLMDX_QUERY_FILTER_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mlmdx::query {

// The kind of node being listed: decides the table, the attributes and the
// neighbour aliases a filter may use.
enum class NodeKind { kArtifact, kExecution, kContext };

// The SQL dialect to emit. kPostgres is for MLMD's PostgreSQL schema, with
// parameters sent untyped in text format (`?` renumbered to $1, $2, ...):
// every placeholder carries a CAST to its type, and the SQL returns the same
// ids as on SQLite for the same rows (see sql_emitter.h for the differences).
enum class Dialect { kSqlite, kPostgres };

// A bound SQL parameter. Booleans are bound as int64 0/1 (PostgreSQL's
// boolean input accepts "0" and "1").
using SqlParam = std::variant<int64_t, double, std::string>;

// The result of CompileFilter.
struct CompiledFilter {
  // A complete SELECT returning the ids (one column, named id, DISTINCT) of
  // the nodes of `kind` that match, e.g.
  //   SELECT DISTINCT table_0.id AS id FROM Artifact AS table_0 JOIN ... WHERE
  //   (...)
  // The store embeds it as `id IN (<sql>)`. Placeholders are `?`, in order.
  std::string sql;
  // `sql` without its select list: " FROM <table> AS table_0 <joins> WHERE
  // (<condition>)", with the same placeholders. Lets the store test one
  // node at a time (`EXISTS (SELECT 1<from_where> AND table_0.id = x.id)`)
  // instead of computing every match, when it pages through a broad filter.
  std::string from_where;
  // The values for the placeholders of `sql`, in order.
  std::vector<SqlParam> params;
};

// Resource limits, checked before any work that they bound.
struct FilterLimits {
  // Longest accepted filter, in bytes.
  size_t max_query_length = 16384;
  // Deepest accepted nesting of parentheses and operators.
  int max_depth = 64;
  // Most distinct aliases (`type`, neighbours, property references), i.e.
  // joins, in one filter.
  int max_aliases = 16;
  // Most elements in one IN list.
  size_t max_in_list = 1000;
};

// A condition on the nodes a filter reaches besides the listed one: the
// neighbours it joins (contexts_a, parent_contexts_a, child_contexts_a,
// artifacts_a, executions_a) and the node at the other end of each event it
// joins (events_a). Given the kind of such a node and the SQL expression of
// its id, returns a condition on it, appending the values of its `?`
// placeholders to `params`. The compiled filter then joins only nodes that
// meet it, as if the others did not exist: a caller that may see only some
// nodes learns nothing of the others through a filter.
using NeighbourCondition = std::function<std::string(
    NodeKind kind, const std::string& id_sql, std::vector<SqlParam>& params)>;

// Compiles `filter` for nodes of `kind`.
//
// Returns INVALID_ARGUMENT for every problem with the filter (syntax, unknown
// name, alias not valid for `kind`, type error, enum name, limit exceeded),
// with a message "Invalid `filter_query`: <what> at line L, column C" followed
// by a newline, the query line and a caret line pointing at the position.
// Never returns another code for bad input.
//
// `neighbours`, when given, restricts the joined nodes (see
// NeighbourCondition).
absl::StatusOr<CompiledFilter> CompileFilter(
    absl::string_view filter, NodeKind kind, Dialect dialect = Dialect::kSqlite,
    const FilterLimits& limits = {},
    const NeighbourCondition* neighbours = nullptr);

// If `filter` is a valid filter that only selects literal ids (`id = 5`,
// `id IN (1, 2)`, or an OR of such terms), returns those ids, ascending and
// distinct; otherwise nullopt (including for an invalid filter, whose error
// CompileFilter reports). Lets a caller that already knows which nodes exist
// answer such filters without running SQL.
std::optional<std::vector<int64_t>> LiteralIdSet(
    absl::string_view filter, const FilterLimits& limits = {});

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_FILTER_H_
