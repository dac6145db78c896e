// See rest_handle.h.
#include "twilio/rest_handle.h"

#include <algorithm>

namespace switchboard::twilio {

std::string recording_url(const std::string& api_base, const std::string& account_sid,
                          const std::string& recording_sid, const char* suffix) {
  return api_base + "/2010-04-01/Accounts/" + account_sid + "/Recordings/" + recording_sid + suffix;
}

CurlHandle rest_handle(const std::string& url, const std::string& account_sid, const std::string& auth_token,
                       int timeout_s) {
  CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return curl;
  const std::string credentials = account_sid + ":" + auth_token;
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_USERPWD, credentials.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 1L);  // Twilio redirects media to its storage
  curl_easy_setopt(curl.get(), CURLOPT_MAXREDIRS, 3L);
  // CURLOPT_TIMEOUT covers the whole transfer, connecting included: the notifier's lease relies on it.
  curl_easy_setopt(curl.get(), CURLOPT_CONNECTTIMEOUT, static_cast<long>(std::min(3, timeout_s)));
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(timeout_s));
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  return curl;
}

}  // namespace switchboard::twilio
