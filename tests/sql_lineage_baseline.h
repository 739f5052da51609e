// File: tests/sql_lineage_baseline.h
// -----------------------------------------------------------------------------
//
// A deliberately plain SQL-per-hop implementation of GetLineageSubgraph's
// traversal (spec/lineage.md §2.4), run directly on an MLMD SQLite file with
// the sqlite3 C API. It is the oracle of the randomized lineage tests and the
// baseline of bench/lineage_benchmark.cc: like MLMD (§2.8) it issues one
// `SELECT ... FROM Event WHERE artifact_id IN (...)` (or `execution_id IN`)
// per hop, with the ids written into the statement, no ORDER BY (SQLite's
// fetch order is MLMD's order), and optionally the per-hop EventPath query
// MLMD makes to hydrate the events.
//
// Starting ids and ending sets are given, not filters: the caller evaluates
// the filters (e.g. with an equivalent SQL condition and SelectIds).
//
// Example:
//
//   auto baseline = SqlLineageBaseline::Open("/tmp/x/mlmd.sqlite");
//   BaselineQuery q;
//   q.start_ids = {4};
//   q.max_num_hops = 2;
//   absl::StatusOr<BaselineResult> r = (*baseline)->Run(q);
//
// Thread-compatible (one connection; use one instance per thread).

#ifndef MLMDX_TESTS_SQL_LINEAGE_BASELINE_H_
#define MLMDX_TESTS_SQL_LINEAGE_BASELINE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

struct sqlite3;

namespace mlmdx::testing {

enum class BaselineKind { kArtifact = 0, kExecution = 1 };
enum class BaselineDirection { kBidirectional, kUpstream, kDownstream };

struct BaselineEvent {
  int64_t artifact_id = 0;
  int64_t execution_id = 0;
  int type = 0;

  friend bool operator==(const BaselineEvent& a, const BaselineEvent& b) {
    return a.artifact_id == b.artifact_id && a.execution_id == b.execution_id &&
           a.type == b.type;
  }
  friend bool operator!=(const BaselineEvent& a, const BaselineEvent& b) {
    return !(a == b);
  }
};

struct BaselineQuery {
  BaselineKind start_kind = BaselineKind::kArtifact;
  // Ids matching the starting filter; the first 101 (ascending) are used.
  std::vector<int64_t> start_ids;
  // Already validated: 0..100 (the caller applies MLMD's default and cap).
  int64_t max_num_hops = 100;
  BaselineDirection direction = BaselineDirection::kBidirectional;
  // Indexed by kind: present iff that ending filter_query is present; holds
  // every id of that kind that matches it.
  std::optional<std::set<int64_t>> ending[2];
  bool include_ending[2] = {false, false};
};

struct BaselineResult {
  std::vector<int64_t> artifact_ids;   // ascending
  std::vector<int64_t> execution_ids;  // ascending
  std::vector<BaselineEvent> events;   // emission order
  // SQL statements run (the §2.8 round trips of the traversal).
  int statements = 0;
};

class SqlLineageBaseline {
 public:
  // Opens `db_path` read-only. With `fetch_event_paths`, every hop also
  // reads the EventPath rows of its events, as MLMD does.
  static absl::StatusOr<std::unique_ptr<SqlLineageBaseline>> Open(
      const std::string& db_path, bool fetch_event_paths = false);
  SqlLineageBaseline(const SqlLineageBaseline&) = delete;
  SqlLineageBaseline& operator=(const SqlLineageBaseline&) = delete;
  ~SqlLineageBaseline();

  // The first column of every row of `sql` (one statement), as integers.
  absl::StatusOr<std::vector<int64_t>> SelectIds(const std::string& sql);

  // The §2.4 traversal. NOT_FOUND if start_ids is empty.
  absl::StatusOr<BaselineResult> Run(const BaselineQuery& query);

 private:
  SqlLineageBaseline(sqlite3* db, bool fetch_event_paths)
      : db_(db), fetch_event_paths_(fetch_event_paths) {}

  sqlite3* db_;
  const bool fetch_event_paths_;
};

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_SQL_LINEAGE_BASELINE_H_
