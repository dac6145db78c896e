// IncomingPhoneNumbers over the REST client (see phone_numbers.h). JSON is parsed iteratively with encoding checks
// (stack-notes §4) and every field is type-checked before use: a null in Twilio's answer reads as "".
#include "phone_numbers.h"

#include <rapidjson/document.h>

namespace switchboard_twilio {

namespace {

constexpr char kRestPrefix[] = "/2010-04-01";  // the REST API's version, in every path
constexpr char kListKey[] = "incoming_phone_numbers";
constexpr char kPost[] = "POST";
constexpr char kVoicePath[] = "/twilio/voice";
constexpr char kCallStatusPath[] = "/twilio/call-status";

rapidjson::Document parse(const RestResponse& response) {
  rapidjson::Document document;
  document.Parse<rapidjson::kParseValidateEncodingFlag | rapidjson::kParseIterativeFlag>(response.body.data(),
                                                                                         response.body.size());
  if (document.HasParseError() || !document.IsObject()) {
    throw ApiError(0, "Twilio's answer (HTTP " + std::to_string(response.status) + ") is not a JSON object");
  }
  return document;
}

std::string text(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd() || !member->value.IsString()) return "";
  return std::string(member->value.GetString(), member->value.GetStringLength());
}

// Twilio's resource has a JSON boolean; a string "true" (as some proxies and older answers have it) reads alike.
bool flag(const rapidjson::Value& object, const char* name) {
  const auto member = object.FindMember(name);
  if (member == object.MemberEnd()) return false;
  if (member->value.IsBool()) return member->value.GetBool();
  return member->value.IsString() && std::string(member->value.GetString()) == "true";
}

const char* true_false(bool value) { return value ? "true" : "false"; }

// Twilio's error document: {"code": 20003, "message": "Authenticate", "more_info": …, "status": 401}.
[[noreturn]] void fail(const RestResponse& response, const std::string& action) {
  std::string detail;
  rapidjson::Document document;
  document.Parse<rapidjson::kParseIterativeFlag>(response.body.data(), response.body.size());
  if (!document.HasParseError() && document.IsObject()) {
    detail = text(document, "message");
    const auto code = document.FindMember("code");
    if (code != document.MemberEnd() && code->value.IsInt()) {
      detail = "code " + std::to_string(code->value.GetInt()) + (detail.empty() ? "" : ": " + detail);
    }
  }
  std::string message = "Twilio refused to " + action + " (HTTP " + std::to_string(response.status) +
                        (detail.empty() ? "" : ", " + detail) + ")";
  if (response.status == 401) {
    message +=
        ": check TWILIO_ACCOUNT_SID and the auth token (TWILIO_AUTH_TOKEN, TWILIO_AUTH_TOKEN_FILE or the "
        "credential twilio-auth-token)";
  }
  throw ApiError(response.status, message);
}

PhoneNumber phone_number_from(const rapidjson::Value& resource) {
  PhoneNumber number;
  number.sid = text(resource, "sid");
  number.phone_number = text(resource, "phone_number");
  number.friendly_name = text(resource, "friendly_name");
  number.voice_url = text(resource, "voice_url");
  number.voice_method = text(resource, "voice_method");
  number.voice_fallback_url = text(resource, "voice_fallback_url");
  number.voice_fallback_method = text(resource, "voice_fallback_method");
  number.status_callback = text(resource, "status_callback");
  number.status_callback_method = text(resource, "status_callback_method");
  number.voice_application_sid = text(resource, "voice_application_sid");
  number.trunk_sid = text(resource, "trunk_sid");
  number.voice_receive_mode = text(resource, "voice_receive_mode");
  number.api_version = text(resource, "api_version");
  number.voice_caller_id_lookup = flag(resource, "voice_caller_id_lookup");
  return number;
}

void compare(std::vector<std::string>& differences, const char* name, const std::string& actual,
             const std::string& expected) {
  if (actual != expected) {
    differences.push_back(std::string(name) + " is '" + actual + "', expected '" + expected + "'");
  }
}

}  // namespace

VoiceConfiguration VoiceConfiguration::for_server(const std::string& public_base_url,
                                                  std::optional<bool> caller_name_lookup,
                                                  const std::string& fallback_base_url, const std::string& overrides) {
  const std::string fragment = overrides.empty() ? "" : "#" + overrides;
  return VoiceConfiguration{public_base_url + kVoicePath + fragment,
                            (fallback_base_url.empty() ? public_base_url : fallback_base_url) + kVoicePath,
                            public_base_url + kCallStatusPath + fragment, caller_name_lookup};
}

// VoiceReceiveMode and ApiVersion are set on every update rather than a wrong value refused. Both only decide how
// Twilio treats calls to this number's voice URLs — fax mode ignores them; ApiVersion picks the parameter set and
// TwiML dialect of the calls' webhooks (twilio-contract.md §13) — and those URLs are the ones this update hands to
// Switchboard, which reads only 2010-04-01's parameters. Nothing else depends on the number's values (the REST
// API's version is in each URL), so a refusal would only send the operator to the console to make the same change.
// A SIP trunk is different: it is someone else's configuration, so configure refuses it (main.cc).

Form VoiceConfiguration::form(const PhoneNumber& current) const {
  Form form = {
      {"VoiceUrl", voice_url},
      {"VoiceMethod", kPost},
      {"VoiceFallbackUrl", voice_fallback_url},
      {"VoiceFallbackMethod", kPost},
      {"StatusCallback", status_callback},
      {"StatusCallbackMethod", kPost},
  };
  form.emplace_back("VoiceReceiveMode", kReceiveMode);
  form.emplace_back("ApiVersion", kApiVersion);
  if (caller_name_lookup) form.emplace_back("VoiceCallerIdLookup", true_false(*caller_name_lookup));
  if (!current.voice_application_sid.empty()) form.emplace_back("VoiceApplicationSid", "");
  return form;
}

std::vector<std::string> VoiceConfiguration::differences(const PhoneNumber& number) const {
  std::vector<std::string> differences;
  compare(differences, "VoiceUrl", number.voice_url, voice_url);
  compare(differences, "VoiceMethod", number.voice_method, kPost);
  compare(differences, "VoiceFallbackUrl", number.voice_fallback_url, voice_fallback_url);
  compare(differences, "VoiceFallbackMethod", number.voice_fallback_method, kPost);
  compare(differences, "StatusCallback", number.status_callback, status_callback);
  compare(differences, "StatusCallbackMethod", number.status_callback_method, kPost);
  compare(differences, "VoiceApplicationSid", number.voice_application_sid, "");
  compare(differences, "TrunkSid", number.trunk_sid, "");
  compare(differences, "VoiceReceiveMode", number.voice_receive_mode, kReceiveMode);
  compare(differences, "ApiVersion", number.api_version, kApiVersion);
  if (caller_name_lookup) {
    compare(differences, "VoiceCallerIdLookup", true_false(number.voice_caller_id_lookup),
            true_false(*caller_name_lookup));
  }
  return differences;
}

std::string PhoneNumbers::collection_path() const {
  return std::string(kRestPrefix) + "/Accounts/" + account_sid_ + "/IncomingPhoneNumbers";
}

PhoneNumber PhoneNumbers::find(const std::string& e164) {
  // Twilio pages lists; the filter leaves a page or two at most, but follow next_page_uri all the same.
  std::string path = collection_path() + ".json?PhoneNumber=" + RestClient::escape(e164) + "&PageSize=50";
  for (int page = 0; page < 20 && !path.empty(); ++page) {
    const RestResponse response = client_.get(path);
    if (response.status != 200) fail(response, "list the account's phone numbers");
    const rapidjson::Document document = parse(response);
    const auto list = document.FindMember(kListKey);
    if (list == document.MemberEnd() || !list->value.IsArray()) {
      throw ApiError(0, std::string("Twilio's answer has no ") + kListKey + " list");
    }
    for (const auto& resource : list->value.GetArray()) {
      if (resource.IsObject() && text(resource, "phone_number") == e164) return phone_number_from(resource);
    }
    path = text(document, "next_page_uri");
  }
  throw ApiError(404, e164 + " is not a phone number of account " + account_sid_ +
                          " (see the console's Phone Numbers › Active numbers)");
}

PhoneNumber PhoneNumbers::update(const std::string& sid, const Form& form) {
  const RestResponse response = client_.post(collection_path() + "/" + sid + ".json", form);
  if (response.status != 200) fail(response, "update " + sid);
  return phone_number_from(parse(response));
}

}  // namespace switchboard_twilio
