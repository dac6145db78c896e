// Lookups in the step table and absolute webhook URLs.
#include "ivr/routes.h"

namespace switchboard::ivr::route {

const Step* find(std::string_view path) {
  for (const Step* step : kSteps) {
    if (path == step->path) return step;
  }
  return nullptr;
}

const char* label_of_kind(std::string_view kind) {
  for (const Step* step : kSteps) {
    if (kind == step->kind) return step->label;
  }
  if (kind == kNotificationKind) return "Notification";
  if (kind == kReconciledKind) return "Checked with Twilio";
  return nullptr;
}

const char* fallback_name(Fallback fallback) {
  switch (fallback) {
    case Fallback::kForwardThenVoicemail: return "forward-then-voicemail";
    case Fallback::kScreenAnyKey: return "screen-any-key";
    case Fallback::kBridge: return "bridge";
    case Fallback::kVoicemailNoRedial: return "voicemail-no-redial";
    case Fallback::kThanksGoodbye: return "thanks-goodbye";
    case Fallback::kAcknowledge: return "acknowledge";
  }
  return "acknowledge";
}

std::string url(const std::string& public_base_url, const char* path, const std::string& query) {
  std::string result = public_base_url + path;
  if (!query.empty()) result += "?" + query;
  return result;
}

}  // namespace switchboard::ivr::route
