// See recording_remover.h.
#include "twilio/recording_remover.h"

#include "twilio/recording_fetcher.h"
#include "twilio/rest_handle.h"

namespace switchboard::twilio {

namespace {

size_t discard(char*, size_t size, size_t count, void*) { return size * count; }

}  // namespace

RecordingRemover::RecordingRemover(std::string api_base, std::string account_sid, std::string auth_token,
                                   int timeout_s)
    : api_base_(std::move(api_base)),
      account_sid_(std::move(account_sid)),
      auth_token_(std::move(auth_token)),
      timeout_s_(timeout_s) {}

RemoteAnswer RecordingRemover::media_size(const std::string& recording_sid) const {
  if (!RecordingFetcher::valid_sid(recording_sid)) return {RemoteAnswer::Kind::kFailed, -1, "not a recording SID"};
  CurlHandle curl = rest_handle(recording_url(api_base_, account_sid_, recording_sid, ".mp3"), account_sid_,
                                auth_token_, timeout_s_);
  if (!curl) return {RemoteAnswer::Kind::kFailed, -1, "cannot initialise libcurl"};
  curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);  // HEAD
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return {RemoteAnswer::Kind::kFailed, -1, std::string("HEAD failed: ") + curl_easy_strerror(code)};
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 404) return {RemoteAnswer::Kind::kGone, -1, "Twilio answered 404"};
  if (status != 200) return {RemoteAnswer::Kind::kFailed, -1, "Twilio answered HTTP " + std::to_string(status)};
  curl_off_t length = -1;
  curl_easy_getinfo(curl.get(), CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length);
  if (length < 0) return {RemoteAnswer::Kind::kFailed, -1, "Twilio did not say the media's length"};
  return {RemoteAnswer::Kind::kDone, static_cast<std::int64_t>(length), ""};
}

RemoteAnswer RecordingRemover::remove(const std::string& recording_sid) const {
  if (!RecordingFetcher::valid_sid(recording_sid)) return {RemoteAnswer::Kind::kFailed, -1, "not a recording SID"};
  CurlHandle curl = rest_handle(recording_url(api_base_, account_sid_, recording_sid, ".json"), account_sid_,
                                auth_token_, timeout_s_);
  if (!curl) return {RemoteAnswer::Kind::kFailed, -1, "cannot initialise libcurl"};
  curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, "DELETE");
  // A DELETE is never redirected to storage; following one could repeat it somewhere else.
  curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, discard);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return {RemoteAnswer::Kind::kFailed, -1, std::string("DELETE failed: ") + curl_easy_strerror(code)};
  }
  long status = 0;
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &status);
  if (status == 204 || status == 200) return {RemoteAnswer::Kind::kDone, -1, ""};
  if (status == 404) return {RemoteAnswer::Kind::kGone, -1, "Twilio answered 404"};
  return {RemoteAnswer::Kind::kFailed, -1, "Twilio answered HTTP " + std::to_string(status)};
}

}  // namespace switchboard::twilio
