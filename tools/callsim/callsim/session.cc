// See session.h. Signing happens on the URL Twilio would have requested (signing_base_url), routing then swaps in
// base_url, so a test on loopback checks the server's public-URL reconstruction exactly as production would.
#include "callsim/session.h"

#include <algorithm>
#include <ctime>
#include <random>
#include <utility>
#include <vector>

#include "callsim/signature.h"
#include "callsim/twiml.h"
#include "callsim/url.h"

namespace callsim {
namespace {

std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

}  // namespace

Session::Session(const Options& options, const Scenario& scenario, Transport& transport, CallReport& report)
    : options_(options),
      scenario_(scenario),
      transport_(transport),
      report_(report),
      base_url_(without_trailing_slash(options.base_url)),
      signing_base_url_(without_trailing_slash(options.signing_base_url.empty() ? options.base_url
                                                                                 : options.signing_base_url)) {}

std::string Session::webhook_url(const std::string& path) const { return signing_base_url_ + path; }

std::string Session::route(const std::string& url) const {
  const size_t length = signing_base_url_.size();
  const bool under_base = url.compare(0, length, signing_base_url_) == 0 &&
                          (url.size() == length || url[length] == '/' || url[length] == '?');
  return under_base ? base_url_ + url.substr(length) : url;
}

HttpResponse Session::exchange(const std::string& leg, const std::string& method, const std::string& url,
                               const Params& params) {
  // A fragment (#ct=…&rc=…: Twilio's connection overrides) is for Twilio alone: never sent, never signed.
  const std::string target = url.substr(0, url.find('#'));
  // A GET carries its params in the URL, which alone is signed; a POST signs the URL plus the sorted params.
  const bool post = method == "POST";
  const std::string requested = post ? target : with_query(target, params);
  const std::vector<std::pair<std::string, std::string>> signed_params =
      post ? std::vector<std::pair<std::string, std::string>>(params.begin(), params.end())
           : std::vector<std::pair<std::string, std::string>>();

  HttpRequest request;
  request.method = method;
  request.url = route(requested);
  request.params = params;
  request.headers = {{"X-Twilio-Signature", sign(options_.auth_token, requested, signed_params)},
                     {"X-Home-Region", "us1"}};
  HttpResponse response = transport_.send(request);

  report_.exchanges.push_back(Exchange{method, request.url, leg, params, response.status, response.content_type,
                                       response.body, response.seconds, response.headers});
  report_.slowest_webhook_s = std::max(report_.slowest_webhook_s, response.seconds);
  return response;
}

std::unique_ptr<pugi::xml_document> Session::fetch_twiml(const std::string& leg, const std::string& method,
                                                         const std::string& url, const Params& params) {
  const std::string where = method + " " + url_path(url);
  if (++documents_ > kMaxDocuments) {
    problem(where, "more than " + std::to_string(kMaxDocuments) + " TwiML documents in one call (a loop?)");
    return nullptr;
  }
  const HttpResponse response = exchange(leg, method, url, params);
  std::vector<std::string> problems = http_problems(response, options_.webhook_timeout_s);
  std::unique_ptr<pugi::xml_document> document;
  if (problems.empty()) document = read_twiml(response, problems);
  for (const auto& message : problems) problem(where, message);
  return document;
}

void Session::callback(const std::string& method, const std::string& url, const Params& params) {
  for (int copy = 0; copy < (scenario_.duplicate_callbacks ? 2 : 1); ++copy) {
    const HttpResponse response = exchange("callback", method, url, params);
    for (const auto& message : http_problems(response, options_.webhook_timeout_s)) {
      problem(method + " " + url_path(url), message);
    }
  }
}

void Session::problem(const std::string& where, const std::string& message) {
  report_.errors.push_back(where + ": " + message);
}

std::string Session::new_sid(const char* prefix) {
  // One generator per thread: burst mode runs calls in parallel.
  thread_local std::mt19937_64 generator{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string sid = prefix;
  for (int i = 0; i < 32; ++i) sid += kHex[generator() & 15];
  return sid;
}

std::string Session::now_rfc2822() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S +0000", &utc);
  return text;
}

}  // namespace callsim
