// File: cli/report.h
// -----------------------------------------------------------------------------
//
// A small document model for the verbs' human-readable reports (audit,
// runs compare): headings, paragraphs, key/value lists and tables, written
// once and rendered as Markdown (which also reads well on a terminal) or
// as one self-contained HTML page. Table cells can be marked, e.g. as
// differing values, which Markdown shows in bold with a `*` and HTML
// highlights.
//
// Example:
//
//   Report report("Provenance of model 7");
//   report.Heading("Datasets");
//   Report::Table& t = report.AddTable({"id", "uri"});
//   t.rows.push_back({{"3"}, {"s3://data"}});
//   std::string md = report.Markdown();

#ifndef MLMDX_CLI_REPORT_H_
#define MLMDX_CLI_REPORT_H_

#include <string>
#include <utility>
#include <vector>

namespace mlmdx::cli {

class Report {
 public:
  struct Cell {
    std::string text;
    bool marked = false;
  };
  struct Table {
    std::vector<std::string> header;
    std::vector<std::vector<Cell>> rows;
  };

  explicit Report(std::string title) : title_(std::move(title)) {}

  const std::string& title() const { return title_; }

  // A section heading (level 2) or sub-heading (level 3).
  void Heading(std::string text, int level = 2);
  void Paragraph(std::string text);
  // "key: value" lines, as a two-column table without a header.
  void KeyValues(std::vector<std::pair<std::string, std::string>> pairs);
  Table& AddTable(std::vector<std::string> header);
  // HTML only (e.g. an inline SVG picture); Markdown leaves it out.
  void RawHtml(std::string html);

  std::string Markdown() const;
  // A whole HTML document (cli/lineage_view.h's HtmlPage).
  std::string Html() const;

 private:
  enum class Kind { kHeading, kParagraph, kKeyValues, kTable, kRawHtml };
  struct Block {
    Kind kind;
    int level = 2;
    std::string text;
    Table table;
  };

  std::string title_;
  std::vector<Block> blocks_;
};

}  // namespace mlmdx::cli

#endif  // MLMDX_CLI_REPORT_H_
