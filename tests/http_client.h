// File: tests/http_client.h
// -----------------------------------------------------------------------------
//
// Plain HTTP over loopback for suites and benchmarks that read the server's
// HTTP side (/metrics, /healthz), through libcurl.
//
// Example:
//
//   const int port = LoggedMetricsPort(server.Log());
//   HttpAnswer answer = HttpGet(port, "/metrics");
//   // answer.status == 200, answer.body holds the Prometheus text

#ifndef MLMDX_TESTS_HTTP_CLIENT_H_
#define MLMDX_TESTS_HTTP_CLIENT_H_

#include <optional>
#include <string>

namespace mlmdx::testing {

struct HttpAnswer {
  long status = 0;  // 0: no answer
  std::string body;
};

// GET http://127.0.0.1:`port``path`, with a 30 s time limit.
HttpAnswer HttpGet(int port, const std::string& path);

// The port of the server's "metrics on port N" log line; 0 when absent.
int LoggedMetricsPort(const std::string& log);

// The value of the sample `series` (its name, with its labels exactly as
// the server writes them, if any) in Prometheus text; nullopt when absent.
std::optional<double> PrometheusValue(const std::string& text,
                                      const std::string& series);

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_HTTP_CLIENT_H_
