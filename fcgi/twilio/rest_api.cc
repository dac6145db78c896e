// The REST requests (libcurl) and the resources' JSON (RapidJSON).
#include "twilio/rest_api.h"

#include <curl/curl.h>
#include <rapidjson/document.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "twilio/rest_handle.h"

namespace switchboard::twilio {

namespace {

constexpr size_t kMaxBody = 1 << 20;

size_t collect(char* data, size_t size, size_t count, void* target) {
  auto* body = static_cast<std::string*>(target);
  const size_t bytes = size * count;
  if (body->size() < kMaxBody) body->append(data, std::min(bytes, kMaxBody - body->size()));
  return bytes;
}

std::string escaped(CURL* curl, const std::string& text) {
  std::unique_ptr<char, void (*)(void*)> out(curl_easy_escape(curl, text.c_str(), static_cast<int>(text.size())),
                                             curl_free);
  return out ? std::string(out.get()) : std::string();
}

std::optional<rapidjson::Document> parse_object(const std::string& json) {
  rapidjson::Document document;
  document.Parse(json.data(), json.size());
  if (document.HasParseError() || !document.IsObject()) return std::nullopt;
  return document;
}

std::string text_of(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  return member != object.MemberEnd() && member->value.IsString() ? member->value.GetString() : "";
}

// Twilio writes numbers as strings ("42") in most resources, and as JSON numbers in a few; null is "not known".
std::optional<std::string> optional_text(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd()) return std::nullopt;
  if (member->value.IsString() && member->value.GetStringLength() > 0) return std::string(member->value.GetString());
  if (member->value.IsInt64()) return std::to_string(member->value.GetInt64());
  return std::nullopt;
}

}  // namespace

std::string ApiAnswer::describe() const {
  if (error) return *error;
  return "HTTP " + std::to_string(status) + (body.empty() ? "" : ": " + body.substr(0, 200));
}

ApiAnswer RestApi::get(const std::string& path) const { return perform(path, nullptr); }

ApiAnswer RestApi::post_form(const std::string& path,
                             const std::vector<std::pair<std::string, std::string>>& form) const {
  return perform(path, &form);
}

ApiAnswer RestApi::perform(const std::string& path, const Form* form) const {
  ApiAnswer answer;
  CurlHandle curl = rest_handle(api_base_ + "/2010-04-01/Accounts/" + account_sid_ + "/" + path, account_sid_,
                                auth_token_, static_cast<int>(timeout_s_));
  if (!curl) {
    answer.error = "cannot initialise libcurl";
    return answer;
  }
  std::string body;
  if (form) {
    for (const auto& [name, value] : *form) {
      if (!body.empty()) body += '&';
      body += escaped(curl.get(), name) + "=" + escaped(curl.get(), value);
    }
    // CURLOPT_POSTFIELDS does not copy: `body` outlives the transfer. A POST is never followed elsewhere (a
    // redirect could send the same message twice).
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_FOLLOWLOCATION, 0L);
  }
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &answer.body);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    answer.error = std::string("Twilio's REST API unreachable: ") + curl_easy_strerror(code);
    return answer;
  }
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &answer.status);
  return answer;
}

std::optional<CallResource> parse_call(const std::string& json) {
  const auto document = parse_object(json);
  if (!document) return std::nullopt;
  CallResource call{text_of(*document, "sid"), text_of(*document, "status"), optional_text(*document, "duration"),
                    optional_text(*document, "start_time"), optional_text(*document, "end_time")};
  if (call.sid.empty() || call.status.empty()) return std::nullopt;
  return call;
}

std::optional<RecordingResource> parse_recording(const std::string& json) {
  const auto document = parse_object(json);
  if (!document) return std::nullopt;
  RecordingResource recording{text_of(*document, "sid"), text_of(*document, "call_sid"), text_of(*document, "status"),
                              optional_text(*document, "duration")};
  if (recording.sid.empty() || recording.status.empty()) return std::nullopt;
  return recording;
}

std::optional<MessageResource> parse_message(const std::string& json) {
  const auto document = parse_object(json);
  if (!document) return std::nullopt;
  MessageResource message{text_of(*document, "sid"), text_of(*document, "status")};
  if (message.sid.empty()) return std::nullopt;
  return message;
}

bool valid_sid(const std::string& sid, const char* prefix) {
  if (sid.size() != 34 || sid.compare(0, 2, prefix) != 0) return false;
  return std::all_of(sid.begin() + 2, sid.end(), [](unsigned char c) { return std::isxdigit(c) != 0; });
}

}  // namespace switchboard::twilio
