// File: query/sql_emitter.h
// -----------------------------------------------------------------------------
//
// Prints a bound filter as one SQL SELECT for a dialect. The listed node is
// table_0; alias i becomes table_<i+1>, joined with INNER JOIN (a node with
// no row for some alias never matches), with helper tables table_<i+1>_link
// (Attribution, Association, ParentContext) and table_<i+1>_type (Type) when
// needed. Every value is a `?` placeholder; the only text in the SQL is ours.
//
// Dialect::kPostgres targets MLMD's PostgreSQL schema (BOOLEAN flags) and a
// driver that sends every parameter untyped, in text format, and returns the
// same ids as the SQLite SQL for the same rows. It differs from kSqlite in:
//  - every placeholder is cast to its value's type: CAST(? AS BIGINT),
//    DOUBLE PRECISION, TEXT, or BOOLEAN (for a bool bound as 0/1);
//  - is_custom_property = TRUE/FALSE instead of 1/0;
//  - CAST(x AS DOUBLE PRECISION) instead of CAST(x AS REAL), single
//    precision on PostgreSQL;
//  - a / NULLIF(b, 0): NULL for a division by zero, as on SQLite;
//  - integer +, -, * and unary - run in NUMERIC (CAST(a AS NUMERIC) + b),
//    so that an int64 overflow does not raise an error;
//  - a NULL operand of arithmetic is typed: CAST(NULL AS NUMERIC) or
//    CAST(NULL AS DOUBLE PRECISION);
//  - text <, <=, >, >= and BETWEEN compare under COLLATE "C" (bytes);
//  - LIKE is `a COLLATE "C" ILIKE b ESCAPE ''`: ASCII-only case folding and
//    no escape character, as SQLite's LIKE.
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

// Returns the SQL and parameters for `filter`. `neighbours`, when given,
// adds its condition to the ON clause of each neighbour's join (and, for an
// event, on the event's other end).
// REQUIRES: `filter` comes from BindFilter (no kEnumName nodes remain).
CompiledFilter EmitSql(const BoundFilter& filter, Dialect dialect,
                       const NeighbourCondition* neighbours = nullptr);

}  // namespace mlmdx::query

#endif  // MLMDX_QUERY_SQL_EMITTER_H_
