#include "tests/http_client.h"

#include <curl/curl.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace mlmdx::testing {
namespace {

size_t AppendBody(char* data, size_t size, size_t count, void* body) {
  static_cast<std::string*>(body)->append(data, size * count);
  return size * count;
}

size_t AddHeader(char* data, size_t size, size_t count, void* headers) {
  const absl::string_view line(data, size * count);
  const size_t colon = line.find(':');
  if (colon != absl::string_view::npos) {
    (*static_cast<std::map<std::string, std::string>*>(
        headers))[absl::AsciiStrToLower(line.substr(0, colon))] =
        std::string(absl::StripAsciiWhitespace(line.substr(colon + 1)));
  }
  return size * count;
}

}  // namespace

std::string HeaderOf(const HttpAnswer& answer, const std::string& name) {
  auto it = answer.headers.find(name);
  return it == answer.headers.end() ? "" : it->second;
}

HttpClient::HttpClient(int port) : port_(port), curl_(curl_easy_init()) {}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpAnswer HttpClient::Send(const std::string& method, const std::string& path,
                            const std::vector<std::string>& headers,
                            const std::string& body) {
  HttpAnswer answer;
  CURL* const curl = static_cast<CURL*>(curl_);
  if (curl == nullptr) return answer;
  curl_easy_reset(curl);
  const std::string url = absl::StrCat("http://127.0.0.1:", port_, path);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  // A proxy from the environment must not catch loopback requests.
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &AppendBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &AddHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &answer.headers);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(body.size()));
  } else if (method == "HEAD") {
    // A HEAD answer announces a length but sends no body; libcurl must not
    // wait for one.
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  }
  // No "Expect: 100-continue" round trip before a body.
  curl_slist* list = curl_slist_append(nullptr, "Expect:");
  for (const std::string& header : headers) {
    list = curl_slist_append(list, header.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer.status);
    long new_connections = -1;
    curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &new_connections);
    answer.reused_connection = new_connections == 0;
  }
  curl_slist_free_all(list);
  return answer;
}

HttpAnswer HttpGet(int port, const std::string& path) {
  HttpClient client(port);
  return client.Send("GET", path, {}, "");
}

namespace {

// The number after the first `line` in `log`; 0 when absent.
int LoggedPort(const std::string& log, const std::string& line) {
  const size_t at = log.find(line);
  if (at == std::string::npos) return 0;
  const size_t start = at + line.size();
  const size_t end = log.find_first_not_of("0123456789", start);
  int port = 0;
  if (!absl::SimpleAtoi(log.substr(start, end - start), &port)) return 0;
  return port;
}

}  // namespace

int LoggedMetricsPort(const std::string& log) {
  return LoggedPort(log, "metrics on port ");
}

int LoggedGrpcWebPort(const std::string& log) {
  return LoggedPort(log, "grpc-web on port ");
}

std::optional<double> PrometheusValue(const std::string& text,
                                      const std::string& series) {
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    const size_t space = line.rfind(' ');
    if (space == absl::string_view::npos || line.substr(0, space) != series) {
      continue;
    }
    double value = 0;
    if (absl::SimpleAtod(line.substr(space + 1), &value)) return value;
  }
  return std::nullopt;
}

}  // namespace mlmdx::testing
