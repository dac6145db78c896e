// libcurl behind RestClient (see rest_client.h).
#include "rest_client.h"

#include <curl/curl.h>

namespace switchboard_twilio {

namespace {

constexpr size_t kMaxBody = 1 << 20;  // a page of numbers is a few kilobytes

size_t append_body(char* data, size_t size, size_t count, void* out) {
  auto* body = static_cast<std::string*>(out);
  if (body->size() + size * count > kMaxBody) return 0;  // curl reports a write error
  body->append(data, size * count);
  return size * count;
}

}  // namespace

RestClient::RestClient(std::string api_base, std::string account_sid, std::string auth_token)
    : api_base_(std::move(api_base)),
      account_sid_(std::move(account_sid)),
      auth_token_(std::move(auth_token)),
      curl_(curl_easy_init()) {
  if (curl_ == nullptr) throw TransportError("curl_easy_init failed");
}

RestClient::~RestClient() {
  curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string RestClient::escape(const std::string& text) {
  char* escaped = curl_easy_escape(nullptr, text.data(), static_cast<int>(text.size()));
  if (escaped == nullptr) throw TransportError("curl_easy_escape failed");
  std::string result(escaped);
  curl_free(escaped);
  return result;
}

std::string RestClient::form_encode(const Form& form) {
  std::string body;
  for (const auto& [name, value] : form) {
    if (!body.empty()) body += '&';
    body += escape(name) + "=" + escape(value);
  }
  return body;
}

RestResponse RestClient::get(const std::string& path) {
  return perform(path, nullptr);
}

RestResponse RestClient::post(const std::string& path, const Form& form) {
  const std::string body = form_encode(form);
  return perform(path, &body);
}

RestResponse RestClient::perform(const std::string& path, const std::string* form_body) {
  CURL* curl = static_cast<CURL*>(curl_);
  RestResponse response;
  const std::string url = api_base_ + path;
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "switchboard-twilio/1");
  curl_easy_setopt(curl, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
  curl_easy_setopt(curl, CURLOPT_USERNAME, account_sid_.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, auth_token_.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, append_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  if (form_body != nullptr) {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(form_body->size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form_body->c_str());
  }
  char error[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  const CURLcode code = curl_easy_perform(curl);
  if (code != CURLE_OK) {
    throw TransportError("cannot reach " + api_base_ + ": " + (error[0] != '\0' ? error : curl_easy_strerror(code)));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

}  // namespace switchboard_twilio
