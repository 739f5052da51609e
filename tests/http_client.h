// File: tests/http_client.h
// -----------------------------------------------------------------------------
//
// Plain HTTP over loopback for suites and benchmarks that read the server's
// HTTP side (/metrics, /healthz, grpc-web), through libcurl.
//
// Example:
//
//   const int port = LoggedMetricsPort(server.Log());
//   HttpAnswer answer = HttpGet(port, "/metrics");
//   // answer.status == 200, answer.body holds the Prometheus text

#ifndef MLMDX_TESTS_HTTP_CLIENT_H_
#define MLMDX_TESTS_HTTP_CLIENT_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mlmdx::testing {

struct HttpAnswer {
  long status = 0;  // 0: no answer
  // Lower-case names.
  std::map<std::string, std::string> headers;
  std::string body;
  // The request went on a connection the client had open already.
  bool reused_connection = false;
};

// The header `name` (lower case) of `answer`; empty when absent.
std::string HeaderOf(const HttpAnswer& answer, const std::string& name);

// One libcurl handle to http://127.0.0.1:`port`: its requests share a
// connection when the server keeps it open. 30 s limit per request; no
// proxy.
class HttpClient {
 public:
  explicit HttpClient(int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // `method` "POST" sends `body`; any other method sends none. `headers`
  // are whole lines ("name: value").
  HttpAnswer Send(const std::string& method, const std::string& path,
                  const std::vector<std::string>& headers,
                  const std::string& body);

 private:
  const int port_;
  void* const curl_;  // CURL*
};

// GET http://127.0.0.1:`port``path` on a connection of its own.
HttpAnswer HttpGet(int port, const std::string& path);

// The port of the server's "metrics on port N" log line; 0 when absent.
int LoggedMetricsPort(const std::string& log);

// The port of the server's "grpc-web on port N" log line; 0 when absent.
int LoggedGrpcWebPort(const std::string& log);

// The value of the sample `series` (its name, with its labels exactly as
// the server writes them, if any) in Prometheus text; nullopt when absent.
std::optional<double> PrometheusValue(const std::string& text,
                                      const std::string& series);

}  // namespace mlmdx::testing

#endif  // MLMDX_TESTS_HTTP_CLIENT_H_
