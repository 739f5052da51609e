// File: query/path_resolver.cc

#include "query/path_resolver.h"

#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "query/catalog.h"
#include "query/error_context.h"
#include "util/status_macros.h"

namespace mlmdx::query {
namespace {

constexpr absl::string_view kValueFields =
    "int_value, double_value, string_value or bool_value";

class PathResolver {
 public:
  PathResolver(absl::string_view query, const AstNode& path, NodeKind kind,
               const FilterLimits& limits, std::vector<BoundAlias>* aliases)
      : q_(query),
        parts_(path.path),
        kind_(kind),
        limits_(limits),
        aliases_(*aliases) {}

  absl::StatusOr<BoundPtr> Run() {
    const PathPart& head = parts_[0];
    if (head.name == "properties" || head.name == "custom_properties") {
      return Property(head.name == "custom_properties");
    }
    if (std::optional<AliasKind> alias = AliasKindOf(head.name)) {
      return Neighbour(*alias);
    }
    const std::string lower = absl::AsciiStrToLower(head.name);
    const Field* attribute = FindAttribute(kind_, lower);
    if (parts_.size() == 1) {
      if (lower == "type") {
        MLMDX_ASSIGN_OR_RETURN(int alias,
                               AliasIndex(AliasKind::kType, "type", ""));
        return Column(alias, *FindField(AliasKind::kType, kind_, "name"));
      }
      if (attribute != nullptr) return Column(-1, *attribute);
      if (IsAnyEnumName(head.name)) {
        auto node = std::make_unique<BoundExpr>();
        node->kind = BoundKind::kEnumName;
        node->type = ValueType::kEnumName;
        node->pos = head.pos;
        node->name = head.name;
        return node;
      }
    } else if (attribute != nullptr || lower == "type") {
      return Error(parts_[1].pos,
                   absl::StrCat("Cannot access field ", parts_[1].name, " of ",
                                head.name, ", which is not a STRUCT"));
    }
    return Error(head.pos, absl::StrCat("Unrecognized name: ", head.name));
  }

 private:
  absl::Status Error(size_t pos, absl::string_view what) const {
    return FilterError(q_, pos, what);
  }

  std::string Written() const {
    return absl::StrJoin(parts_, ".", [](std::string* out, const PathPart& p) {
      out->append(p.name);
    });
  }

  absl::StatusOr<BoundPtr> Property(bool custom) {
    if (parts_.size() != 3) {
      const size_t pos = parts_.size() > 3 ? parts_[3].pos : parts_[0].pos;
      return Error(pos,
                   absl::StrCat("Expected ", parts_[0].name,
                                ".<name>.<field> with field ", kValueFields));
    }
    const AliasKind kind =
        custom ? AliasKind::kCustomProperty : AliasKind::kProperty;
    const Field* field = FindField(kind, kind_, parts_[2].name);
    if (field == nullptr) {
      return Error(
          parts_[2].pos,
          absl::StrCat("Field ", parts_[2].name,
                       " of a property is not filterable; use ", kValueFields));
    }
    MLMDX_ASSIGN_OR_RETURN(
        int alias,
        AliasIndex(kind, absl::StrCat(parts_[0].name, ".", parts_[1].name),
                   parts_[1].name));
    return Column(alias, *field);
  }

  absl::StatusOr<BoundPtr> Neighbour(AliasKind kind) {
    const PathPart& head = parts_[0];
    if (!AliasValidFor(kind, kind_)) {
      return Error(head.pos,
                   absl::StrCat("Unrecognized name: ", head.name, " (alias ",
                                "not available when listing ",
                                NodeKindName(kind_), "s)"));
    }
    if (parts_.size() == 1) {
      return Error(head.pos, absl::StrCat("Alias ", head.name,
                                          " must be followed by a field, "
                                          "e.g. ",
                                          head.name, ".id"));
    }
    const Field* field = FindField(kind, kind_, parts_[1].name);
    if (field == nullptr) {
      return Error(parts_[1].pos,
                   absl::StrCat("Field ", parts_[1].name,
                                " not found in alias ", head.name));
    }
    if (parts_.size() > 2) {
      return Error(parts_[2].pos,
                   absl::StrCat("Cannot access field ", parts_[2].name, " of ",
                                head.name, ".", parts_[1].name,
                                ", which is not a STRUCT"));
    }
    MLMDX_ASSIGN_OR_RETURN(int alias, AliasIndex(kind, head.name, ""));
    if (field->from_type) aliases_[alias].needs_type = true;
    return Column(alias, *field);
  }

  absl::StatusOr<int> AliasIndex(AliasKind kind, std::string key,
                                 std::string property_name) {
    for (size_t k = 0; k < aliases_.size(); ++k) {
      if (aliases_[k].key == key) return static_cast<int>(k);
    }
    if (aliases_.size() >= static_cast<size_t>(limits_.max_aliases)) {
      return Error(parts_[0].pos,
                   absl::StrCat("Too many aliases and property references "
                                "in one filter (limit ",
                                limits_.max_aliases, ")"));
    }
    BoundAlias alias;
    alias.kind = kind;
    alias.key = std::move(key);
    alias.property_name = std::move(property_name);
    aliases_.push_back(std::move(alias));
    return static_cast<int>(aliases_.size() - 1);
  }

  BoundPtr Column(int alias, const Field& field) const {
    auto node = std::make_unique<BoundExpr>();
    node->kind = BoundKind::kColumn;
    node->type = field.type;
    node->enum_set = field.enum_set;
    node->pos = parts_[0].pos;
    node->alias = alias;
    node->from_type = field.from_type;
    node->column = std::string(field.column);
    node->name = Written();
    return node;
  }

  absl::string_view q_;
  const std::vector<PathPart>& parts_;
  NodeKind kind_;
  const FilterLimits& limits_;
  std::vector<BoundAlias>& aliases_;
};

}  // namespace

absl::StatusOr<BoundPtr> ResolvePath(absl::string_view query,
                                     const AstNode& path, NodeKind kind,
                                     const FilterLimits& limits,
                                     std::vector<BoundAlias>* aliases) {
  return PathResolver(query, path, kind, limits, aliases).Run();
}

}  // namespace mlmdx::query
