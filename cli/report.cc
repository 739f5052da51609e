#include "cli/report.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "cli/lineage_view.h"

namespace mlmdx::cli {
namespace {

// A table cell in Markdown: pipes escaped, newlines as <br>.
std::string MdCell(const Report::Cell& cell) {
  std::string text =
      absl::StrReplaceAll(cell.text, {{"|", "\\|"}, {"\n", "<br>"}});
  if (text.empty()) text = " ";
  return cell.marked ? absl::StrCat("**", text, "**") : text;
}

std::string MdTable(const Report::Table& table) {
  std::string out =
      absl::StrCat("| ", absl::StrJoin(table.header, " | "), " |\n|");
  for (size_t i = 0; i < table.header.size(); ++i) out += "---|";
  out += "\n";
  for (const auto& row : table.rows) {
    std::vector<std::string> cells;
    for (const auto& cell : row) cells.push_back(MdCell(cell));
    absl::StrAppend(&out, "| ", absl::StrJoin(cells, " | "), " |\n");
  }
  return out;
}

std::string HtmlTable(const Report::Table& table, bool header) {
  std::string out = "<table>\n";
  if (header) {
    out += "<tr>";
    for (const auto& h : table.header) {
      absl::StrAppend(&out, "<th>", HtmlEscape(h), "</th>");
    }
    out += "</tr>\n";
  }
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (size_t i = 0; i < row.size(); ++i) {
      const bool key = !header && i == 0;
      absl::StrAppend(
          &out, key ? "<th>" : (row[i].marked ? "<td class=\"diff\">" : "<td>"),
          absl::StrReplaceAll(HtmlEscape(row[i].text), {{"\n", "<br>"}}),
          key ? "</th>" : "</td>");
    }
    out += "</tr>\n";
  }
  return out + "</table>\n";
}

}  // namespace

void Report::Heading(std::string text, int level) {
  blocks_.push_back({Kind::kHeading, level, std::move(text), {}});
}

void Report::Paragraph(std::string text) {
  blocks_.push_back({Kind::kParagraph, 0, std::move(text), {}});
}

void Report::KeyValues(std::vector<std::pair<std::string, std::string>> pairs) {
  Table table;
  table.header = {"", ""};
  for (auto& [key, value] : pairs) {
    table.rows.push_back({{std::move(key)}, {std::move(value)}});
  }
  blocks_.push_back({Kind::kKeyValues, 0, "", std::move(table)});
}

Report::Table& Report::AddTable(std::vector<std::string> header) {
  blocks_.push_back({Kind::kTable, 0, "", {std::move(header), {}}});
  return blocks_.back().table;
}

void Report::RawHtml(std::string html) {
  blocks_.push_back({Kind::kRawHtml, 0, std::move(html), {}});
}

std::string Report::Markdown() const {
  std::string out = absl::StrCat("# ", title_, "\n");
  for (const Block& block : blocks_) {
    switch (block.kind) {
      case Kind::kHeading:
        absl::StrAppend(&out, "\n", std::string(block.level, '#'), " ",
                        block.text, "\n");
        break;
      case Kind::kParagraph:
        absl::StrAppend(&out, "\n", block.text, "\n");
        break;
      case Kind::kKeyValues:
        out += "\n";
        for (const auto& row : block.table.rows) {
          absl::StrAppend(&out, "- ", row[0].text, ": ", row[1].text, "\n");
        }
        break;
      case Kind::kTable:
        absl::StrAppend(&out, "\n", MdTable(block.table));
        break;
      case Kind::kRawHtml:
        break;
    }
  }
  return out;
}

std::string Report::Html() const {
  std::string body = absl::StrCat("<h1>", HtmlEscape(title_), "</h1>\n");
  for (const Block& block : blocks_) {
    switch (block.kind) {
      case Kind::kHeading:
        absl::StrAppend(&body, "<h", block.level, ">", HtmlEscape(block.text),
                        "</h", block.level, ">\n");
        break;
      case Kind::kParagraph:
        absl::StrAppend(&body, "<p>", HtmlEscape(block.text), "</p>\n");
        break;
      case Kind::kKeyValues:
        body += HtmlTable(block.table, /*header=*/false);
        break;
      case Kind::kTable:
        body += HtmlTable(block.table, /*header=*/true);
        break;
      case Kind::kRawHtml:
        body += block.text;
        break;
    }
  }
  return HtmlPage(title_, body);
}

}  // namespace mlmdx::cli
