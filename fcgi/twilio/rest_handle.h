// The libcurl set-up every request to Twilio's REST API shares (twilio::RecordingFetcher's download,
// twilio::RecordingRemover's size check and delete, twilio::RestApi's lookups and messages): Twilio's HTTP basic auth with the account SID and auth token,
// redirects followed (Twilio sends media to its storage), one bound on the whole request, connecting included, and
// no signals (the workers and the notifier handle their own). To add a request: take a handle here, set its method
// and body handling, perform it.
#pragma once

#include <curl/curl.h>

#include <memory>
#include <string>

namespace switchboard::twilio {

using CurlHandle = std::unique_ptr<CURL, void (*)(CURL*)>;

// The URL of recording `recording_sid` with `suffix` (".mp3" for the media, ".json" for the resource).
std::string recording_url(const std::string& api_base, const std::string& account_sid,
                          const std::string& recording_sid, const char* suffix);

// A handle for `url` authenticated as `account_sid`:`auth_token`, bounded by `timeout_s`; empty when libcurl cannot
// make one. libcurl copies the strings it is given.
CurlHandle rest_handle(const std::string& url, const std::string& account_sid, const std::string& auth_token,
                       int timeout_s);

}  // namespace switchboard::twilio
