#include "tests/sql_lineage_baseline.h"

#include <sqlite3.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace mlmdx::testing {
namespace {

bool IsInputLike(int type) { return type == 2 || type == 3 || type == 5; }
bool IsOutputLike(int type) {
  return type == 1 || type == 4 || type == 6 || type == 7;
}

// The direction table of spec/lineage.md §1.
bool Keeps(BaselineDirection direction, BaselineKind from, int type) {
  switch (direction) {
    case BaselineDirection::kBidirectional:
      return true;
    case BaselineDirection::kUpstream:
      return from == BaselineKind::kArtifact ? IsOutputLike(type)
                                             : IsInputLike(type);
    case BaselineDirection::kDownstream:
      return from == BaselineKind::kArtifact ? IsInputLike(type)
                                             : IsOutputLike(type);
  }
  return false;
}

struct Row {
  int64_t event_id;
  BaselineEvent event;
};

}  // namespace

absl::StatusOr<std::unique_ptr<SqlLineageBaseline>> SqlLineageBaseline::Open(
    const std::string& db_path, bool fetch_event_paths) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    std::string message = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return absl::UnavailableError(
        absl::StrCat("cannot open ", db_path, ": ", message));
  }
  sqlite3_busy_timeout(db, 10000);
  return std::unique_ptr<SqlLineageBaseline>(
      new SqlLineageBaseline(db, fetch_event_paths));
}

SqlLineageBaseline::~SqlLineageBaseline() { sqlite3_close(db_); }

absl::StatusOr<std::vector<int64_t>> SqlLineageBaseline::SelectIds(
    const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
    return absl::InternalError(
        absl::StrCat(sqlite3_errmsg(db_), " in: ", sql.substr(0, 200)));
  }
  std::vector<int64_t> ids;
  int rc;
  while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    ids.push_back(sqlite3_column_int64(stmt, 0));
  }
  sqlite3_finalize(stmt);
  if (rc != SQLITE_DONE) {
    return absl::InternalError(
        absl::StrCat(sqlite3_errmsg(db_), " in: ", sql.substr(0, 200)));
  }
  return ids;
}

absl::StatusOr<BaselineResult> SqlLineageBaseline::Run(
    const BaselineQuery& query) {
  std::vector<int64_t> start = query.start_ids;
  std::sort(start.begin(), start.end());
  start.erase(std::unique(start.begin(), start.end()), start.end());
  if (start.size() > 101) start.resize(101);
  if (start.empty()) return absl::NotFoundError("no starting nodes");

  const int s = static_cast<int>(query.start_kind);
  absl::flat_hash_set<int64_t> visited[2];
  absl::flat_hash_set<int64_t> ending[2];
  std::vector<int64_t> frontier;
  for (int64_t id : start) {
    if (query.ending[s] && query.ending[s]->count(id) > 0) {
      ending[s].insert(id);
    } else {
      visited[s].insert(id);
      frontier.push_back(id);
    }
  }

  BaselineResult result;
  // One read transaction for the whole traversal, as MLMD.
  sqlite3_exec(db_, "BEGIN", nullptr, nullptr, nullptr);
  absl::Status status;
  for (int64_t hop = 0; hop < query.max_num_hops && !frontier.empty(); ++hop) {
    const int k = (hop % 2 == 0) ? s : 1 - s;
    const int t = 1 - k;
    const BaselineKind from = static_cast<BaselineKind>(k);
    const std::string sql = absl::StrCat(
        "SELECT id, artifact_id, execution_id, type FROM Event WHERE ",
        from == BaselineKind::kArtifact ? "artifact_id" : "execution_id",
        " IN (", absl::StrJoin(frontier, ","), ")");
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      status = absl::InternalError(sqlite3_errmsg(db_));
      break;
    }
    ++result.statements;
    std::vector<Row> rows;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      rows.push_back(
          {sqlite3_column_int64(stmt, 0),
           {sqlite3_column_int64(stmt, 1), sqlite3_column_int64(stmt, 2),
            sqlite3_column_int(stmt, 3)}});
    }
    sqlite3_finalize(stmt);
    if (rc != SQLITE_DONE) {
      status = absl::InternalError(sqlite3_errmsg(db_));
      break;
    }
    if (rows.empty()) break;
    if (fetch_event_paths_) {
      std::vector<int64_t> event_ids;
      for (const Row& row : rows) event_ids.push_back(row.event_id);
      auto paths = SelectIds(
          absl::StrCat("SELECT event_id, is_index_step, step_index, step_key "
                       "FROM EventPath WHERE event_id IN (",
                       absl::StrJoin(event_ids, ","), ")"));
      if (!paths.ok()) {
        status = paths.status();
        break;
      }
      ++result.statements;
    }

    const auto other = [t](const BaselineEvent& e) {
      return t == 0 ? e.artifact_id : e.execution_id;
    };
    std::vector<BaselineEvent> kept;
    for (const Row& row : rows) {
      if (Keeps(query.direction, from, row.event.type)) {
        kept.push_back(row.event);
      }
    }
    std::set<int64_t> cand;
    for (const BaselineEvent& e : kept) {
      const int64_t id = other(e);
      if (visited[t].count(id) == 0 && ending[t].count(id) == 0) {
        cand.insert(id);
      }
    }
    if (query.ending[t]) {
      for (int64_t id : cand) {
        if (query.ending[t]->count(id) > 0) ending[t].insert(id);
      }
    }
    for (int64_t id : ending[t]) cand.erase(id);
    for (const BaselineEvent& e : kept) {
      const int64_t id = other(e);
      if (visited[t].count(id) == 0 && ending[t].count(id) == 0) {
        result.events.push_back(e);
      } else if (ending[t].count(id) > 0) {
        if (query.include_ending[t]) result.events.push_back(e);
      } else if (query.direction != BaselineDirection::kBidirectional) {
        result.events.push_back(e);
      }
    }
    visited[t].insert(cand.begin(), cand.end());
    frontier.assign(cand.begin(), cand.end());
  }
  sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (!status.ok()) return status;

  for (int kind = 0; kind < 2; ++kind) {
    std::set<int64_t> ids(visited[kind].begin(), visited[kind].end());
    if (query.include_ending[kind]) {
      ids.insert(ending[kind].begin(), ending[kind].end());
    }
    (kind == 0 ? result.artifact_ids : result.execution_ids)
        .assign(ids.begin(), ids.end());
  }
  return result;
}

}  // namespace mlmdx::testing
