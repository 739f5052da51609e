// File: store/internal/list_query.h
// -----------------------------------------------------------------------------
//
// One page of a node listing under ListOperationOptions (spec/listing.md
// §2-4): page size default 20 and a cap of 101 rows without a token, ORDER
// BY the field with ties broken by id in the same direction, and MLMD's
// next_page_token format (web-safe base64 of ListOperationNextPageToken).
//
// Paging is by key: the token holds the last row's (field, id), and the
// next page is the rows after it in that order, so rows added between pages
// are neither skipped nor repeated and a page never depends on the pages
// before it. MLMD's own tokens are accepted (a LAST_UPDATE_TIME token
// without id_offset resumes with MLMD's listed_ids predicate).
//
// A filtered page is answered one of two ways. A broad filter (at least
// kWindowFactor times the page in matches) is tested row by row along the
// order's index over a bounded window after the position, so the page costs
// in proportion to its size; a narrow filter, or a window too sparse to fill
// the page, computes the whole match list and picks the page from it.

#ifndef MLMDX_STORE_INTERNAL_LIST_QUERY_H_
#define MLMDX_STORE_INTERNAL_LIST_QUERY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ml_metadata/proto/metadata_store.pb.h"
#include "store/internal/record_access.h"

namespace mlmdx::store::internal {

// Which nodes are candidates before the page predicate applies.
struct ListScope {
  enum class Kind { kAll, kType, kContext };
  Kind kind = Kind::kAll;
  // The type id (kType) or context id (kContext).
  int64_t id = 0;
};

struct ListPage {
  std::vector<int64_t> ids;
  // Set only when another page exists.
  std::optional<std::string> next_page_token;
};

// The one SELECT that ListNodeIds runs for a page, with its bound values in
// order. It selects (id, order column) rows, at most page size + 1 of them.
struct ListQuery {
  std::string sql;
  std::vector<SqlValue> params;
};

// Builds the complete-match-list statement ListNodeIds runs for `options`
// and `scope` in `dialect` (for a broad filter it first tries the windowed
// form), without running it. Also a debug hook: the listing benchmark
// prints `EXPLAIN QUERY PLAN` of exactly this SQL. Same errors as ListNodeIds.
// `visible`: as RecordAccess::visible().
template <typename Node>
absl::StatusOr<ListQuery> BuildListQuery(
    const ml_metadata::ListOperationOptions& options, const ListScope& scope,
    Dialect dialect, const VisibleNamespaces* visible = nullptr);

// Pages and tokens count only the nodes access.visible() lets the caller
// see: the restriction is one more condition of the page's statement.
// INVALID_ARGUMENT for bad options (page size <= 0, FIELD_UNSPECIFIED,
// undecodable or mismatched token, a filter_query that does not compile,
// with the position of the mistake).
template <typename Node>
absl::StatusOr<ListPage> ListNodeIds(
    RecordAccess& access, const ml_metadata::ListOperationOptions& options,
    const ListScope& scope);

// Whether any node (visible to the caller) is in `scope` (MLMD answers an
// empty, token-less page before validating options when there is none).
template <typename Node>
absl::StatusOr<bool> ScopeHasNodes(RecordAccess& access,
                                   const ListScope& scope);

}  // namespace mlmdx::store::internal

#endif  // MLMDX_STORE_INTERNAL_LIST_QUERY_H_
