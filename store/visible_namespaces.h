// File: store/visible_namespaces.h
// -----------------------------------------------------------------------------
//
// Namespace isolation: which nodes a caller may see and change.
//
// A node belongs to the namespaces named by the `namespace` custom property
// (a non-empty string) of the contexts it is attributed to (artifacts) or
// associated with (executions); a context belongs to the namespace its own
// `namespace` property names. Kubeflow Pipelines sets that property on its
// run contexts. A node may so be in several namespaces. It is visible to a
// caller when one of its namespaces is the caller's, and to everyone when it
// is in none. Types are global.
//
// The server states the caller's namespaces for the length of a call by
// opening a VisibleNamespacesScope on the thread that handles it; the store
// and the lineage reads made on that thread honour it. With no scope open
// (authentication off, or a caller granted `*`) everything is visible, and
// nothing is checked or added to any query.
//
// Thread-safety: a scope belongs to the thread that opened it. Code that
// hands work to another thread (the group committer) reads Current() first
// and carries the value along.
//
// Example:
//
//   VisibleNamespaces visible({"team-a"});
//   VisibleNamespacesScope scope(&visible);
//   store->GetArtifactsByID(request, &response);  // team-a's and shared ones

#ifndef MLMDX_STORE_VISIBLE_NAMESPACES_H_
#define MLMDX_STORE_VISIBLE_NAMESPACES_H_

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"

namespace mlmdx::store {

// The custom property of a context that names its namespace.
inline constexpr absl::string_view kNamespaceProperty = "namespace";

class VisibleNamespaces {
 public:
  // The namespaces whose nodes are visible, besides nodes in none; empty:
  // only nodes in no namespace.
  explicit VisibleNamespaces(std::vector<std::string> names)
      : names_(std::move(names)) {
    std::sort(names_.begin(), names_.end());
    names_.erase(std::unique(names_.begin(), names_.end()), names_.end());
  }

  // Sorted, each once.
  const std::vector<std::string>& names() const { return names_; }

  bool Contains(absl::string_view ns) const {
    return std::binary_search(names_.begin(), names_.end(), ns);
  }

 private:
  std::vector<std::string> names_;
};

class VisibleNamespacesScope {
 public:
  // `visible` must outlive the scope. Scopes nest; the innermost applies.
  explicit VisibleNamespacesScope(const VisibleNamespaces* visible)
      : enclosing_(current_), visible_(visible) {
    current_ = this;
  }
  ~VisibleNamespacesScope() { current_ = enclosing_; }
  VisibleNamespacesScope(const VisibleNamespacesScope&) = delete;
  VisibleNamespacesScope& operator=(const VisibleNamespacesScope&) = delete;

  // What the innermost scope of this thread makes visible; null when no
  // scope is open: everything.
  static const VisibleNamespaces* Current() {
    return current_ == nullptr ? nullptr : current_->visible_;
  }

 private:
  static inline thread_local VisibleNamespacesScope* current_ = nullptr;
  VisibleNamespacesScope* const enclosing_;
  const VisibleNamespaces* const visible_;
};

}  // namespace mlmdx::store

#endif  // MLMDX_STORE_VISIBLE_NAMESPACES_H_
