// libcurl behind the Transport seam, configured like Twilio's HTTP client: HTTP/1.1, a 15 s total limit, up to
// 10 redirects followed, user agent TwilioProxy/1.1. The handle is reset before each request, which keeps its
// live connections, so a call's webhooks reuse one keep-alive connection.
#include "callsim/curl_transport.h"

#include <curl/curl.h>

#include <cctype>
#include <chrono>
#include <mutex>
#include <stdexcept>

#include "callsim/url.h"

namespace callsim {
namespace {

// curl_global_init is not thread-safe; burst mode builds transports on several threads.
void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t append_body(char* data, size_t size, size_t count, void* out) {
  static_cast<HttpResponse*>(out)->body.append(data, size * count);
  return size * count;
}

// Only Transfer-Encoding matters here; a new status line (after a redirect) starts a new response.
size_t read_header(char* data, size_t size, size_t count, void* out) {
  auto* response = static_cast<HttpResponse*>(out);
  std::string line(data, size * count);
  for (char& c : line) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (line.compare(0, 5, "http/") == 0) {
    response->chunked = false;
    response->headers.clear();  // a redirect's headers are not the answer's
  }
  const size_t colon = line.find(':');
  if (colon != std::string::npos && line.compare(0, 5, "http/") != 0) {
    std::string value(data + colon + 1, size * count - colon - 1);
    const size_t begin = value.find_first_not_of(" \t");
    const size_t end = value.find_last_not_of(" \t\r\n");
    response->headers[line.substr(0, colon)] = begin == std::string::npos ? "" : value.substr(begin, end - begin + 1);
  }
  if (line.compare(0, 18, "transfer-encoding:") == 0 && line.find("chunked") != std::string::npos) {
    response->chunked = true;
  }
  return size * count;
}

}  // namespace

CurlTransport::CurlTransport(const Options& options)
    : curl_(nullptr),
      insecure_tls_(options.insecure_tls),
      ca_file_(options.ca_file),
      timeout_ms_(static_cast<long>(options.webhook_timeout_s * 1000)) {
  init_curl_once();
  curl_ = curl_easy_init();
  if (curl_ == nullptr) throw std::runtime_error("curl_easy_init failed");
}

CurlTransport::~CurlTransport() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

HttpResponse CurlTransport::send(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(curl_);
  HttpResponse response;
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms_);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);  // Twilio's default "ct"
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "TwilioProxy/1.1");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, read_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (insecure_tls_) {
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!ca_file_.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, ca_file_.c_str());

  const std::string body = request.method == "POST" ? form_encode(request.params) : std::string();
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
  } else {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");  // no 100-continue round trip
  if (request.method == "POST") {
    headers = curl_slist_append(headers, "Content-Type: application/x-www-form-urlencoded");
  }
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const auto start = std::chrono::steady_clock::now();
  const CURLcode code = curl_easy_perform(curl);
  response.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  curl_slist_free_all(headers);

  if (code != CURLE_OK) {
    response.error = curl_easy_strerror(code);
    return response;
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  const char* content_type = nullptr;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_TYPE, &content_type);
  if (content_type != nullptr) response.content_type = content_type;
  return response;
}

}  // namespace callsim
