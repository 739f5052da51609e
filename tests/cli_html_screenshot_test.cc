// The HTML audit report opened by a real browser: headless Chromium (Debian's
// `chromium`) takes a screenshot of the file, and the screenshot must show
// the lineage picture, i.e. the fill colours of its execution boxes and
// artifact ellipses cover a real area of the page. Skipped, saying so, only
// where chromium is not installed.

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/cli_fixture.h"
#include "tests/screenshot.h"

namespace mlmdx::testing {
namespace {

class HtmlScreenshotTest : public CliTest {};
INSTANTIATE_TEST_SUITE_P(Modes, HtmlScreenshotTest,
                         ::testing::Values(CliMode::kDirect), CliModeName);

TEST_P(HtmlScreenshotTest, AuditReportShowsTheLineagePicture) {
  const std::string chromium = FindChromium();
  if (chromium.empty()) {
    GTEST_SKIP() << "chromium is not installed (apt-get install chromium); "
                    "the HTML report was not opened in a browser";
  }
  const CliResult report =
      Cli({"audit", "model", "--uri", Runs().b.model_uri, "-o", "html"});
  ASSERT_EQ(report.exit_code, 0) << report.err;

  char dir_template[] = "/tmp/mlmdx_shot_XXXXXX";
  const std::string dir = mkdtemp(dir_template);
  const std::string html = dir + "/report.html";
  const std::string png = dir + "/shot.png";
  std::ofstream(html) << report.out;
  // The flags keep Chromium off the network and out of the user's
  // profile; as root it needs --no-sandbox.
  const std::string command = absl::StrCat(
      chromium,
      " --headless --no-sandbox --disable-gpu --disable-quic --no-first-run"
      " --disable-background-networking --disable-component-update"
      " --disable-sync --hide-scrollbars --user-data-dir=",
      dir, "/profile --window-size=1400,1000 --screenshot=", png, " file://",
      html, " >", dir, "/chromium.log 2>&1");
  ASSERT_EQ(std::system(command.c_str()), 0) << command;

  Pixels shot;
  ASSERT_TRUE(ReadPng(png, shot)) << "no PNG at " << png;
  EXPECT_EQ(shot.width, 1400);
  EXPECT_EQ(shot.height, 1000);
  // Execution boxes are filled #e8eefc, artifact ellipses #eef7e8: five
  // executions and four artifacts are drawn, each thousands of pixels even
  // scaled down to the page width.
  EXPECT_GT(shot.Count(0xe8eefc), 2000);
  EXPECT_GT(shot.Count(0xeef7e8), 2000);
  // The start node's red outline.
  EXPECT_GT(shot.Count(0xc0392b, 30), 50);
  std::system(absl::StrCat("rm -rf ", dir).c_str());
}

}  // namespace
}  // namespace mlmdx::testing
