// File: migrations/migrations.h
// -----------------------------------------------------------------------------
//
// The SQL scripts of migrations/, compiled into the binary. Each dialect has
// its own folder (`sqlite/`, `postgresql/`); inside it,
// `NNNN_mlmd_schema.up.sql` creates MLMD schema version NNNN in an empty
// database. `sqlite/steps/` holds MLMD's schema history one version at a
// time: `NNNN_<what>.up.sql` takes a database from version NNNN - 1 to NNNN
// and `NNNN_<what>.down.sql` takes it back. The subfolder `<dialect>/mlmdx/`
// is mlmdx's own track (objects named mlmdx_* only, numbered by its own
// version, recorded in the table mlmdx_schema). The store's migration runner
// (store/schema.h) picks the scripts it needs; this header only exposes
// their text.

#ifndef MLMDX_MIGRATIONS_MIGRATIONS_H_
#define MLMDX_MIGRATIONS_MIGRATIONS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlmdx::migrations {

struct SqlFile {
  // Path relative to migrations/, e.g. "sqlite/0010_mlmd_schema.up.sql".
  absl::string_view name;
  absl::string_view sql;
};

// Every embedded script, sorted by name.
const std::vector<SqlFile>& AllSqlFiles();

}  // namespace mlmdx::migrations

#endif  // MLMDX_MIGRATIONS_MIGRATIONS_H_
