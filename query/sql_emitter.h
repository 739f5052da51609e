// File: query/sql_emitter.h
// -----------------------------------------------------------------------------
//
// Prints a bound filter as one SQL SELECT for a dialect. The listed node is
// table_0; alias i becomes table_<i+1>, joined with INNER JOIN (a node with
// no row for some alias never matches), with helper tables table_<i+1>_link
// (Attribution, Association, ParentContext) and table_<i+1>_type (Type) when
// needed. Every value is a `?` placeholder; the only text in the SQL is ours.
//
// Example:
//
//   CompiledFilter out = EmitSql(bound, Dialect::kSqlite);
//   // SELECT DISTINCT table_0.id AS id FROM Artifact AS table_0
//   //   JOIN Type AS table_1 ON table_1.id = table_0.type_id
//   //   WHERE ((table_1.name = ?))

#ifndef MLMDX_QUERY_SQL_EMITTER_H_
#define MLMDX_QUERY_SQL_EMITTER_H_

#include "query/binder.h"
#include "query/filter.h"

namespace mlmdx::query {

// Returns the SQL and parameters for `filter`.
// REQUIRES: `filter` comes from BindFilter (no kEnumName nodes remain).
CompiledFilter EmitSql(const BoundFilter& filter, Dialect dialect);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_SQL_EMITTER_H_
