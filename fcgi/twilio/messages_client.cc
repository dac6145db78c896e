// The Messages API call.
#include "twilio/messages_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <memory>

namespace switchboard::twilio {

namespace {

size_t collect(char* data, size_t size, size_t count, void* target) {
  static_cast<std::string*>(target)->append(data, size * count);
  return size * count;
}

std::string escaped(CURL* curl, const std::string& text) {
  std::unique_ptr<char, void (*)(void*)> out(curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size())),
                                             curl_free);
  return out ? std::string(out.get()) : std::string();
}

}  // namespace

std::optional<std::string> MessagesClient::send(const std::string& to, const std::string& from,
                                                const std::string& body) const {
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return "cannot initialise libcurl";
  const std::string url = api_base_ + "/2010-04-01/Accounts/" + account_sid_ + "/Messages.json";
  const std::string form = "To=" + escaped(curl.get(), to) + "&From=" + escaped(curl.get(), from) +
                           "&Body=" + escaped(curl.get(), body);
  const std::string credentials = account_sid_ + ":" + auth_token_;
  std::string answer;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, form.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  // CURLOPT_TIMEOUT covers the whole transfer (name lookup and connecting too): nothing outlives it.
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, std::min(5L, timeout_s_));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, timeout_s_);
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) return std::string("Twilio Messages API unreachable: ") + curl_easy_strerror(code);
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 200 || status == 201) return std::nullopt;
  return "Twilio Messages API answered HTTP " + std::to_string(status) + ": " + answer.substr(0, 200);
}

}  // namespace switchboard::twilio
