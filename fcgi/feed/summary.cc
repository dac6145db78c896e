// Summary arithmetic and its JSON.
#include "feed/summary.h"

#include <cmath>

#include "feed/call_json.h"

namespace switchboard::feed {

Summary summarize(const std::vector<store::HourTally>& tallies) {
  Summary summary;
  std::int64_t talk_total = 0;
  std::int64_t talk_count = 0;
  for (const store::HourTally& tally : tallies) {
    const std::string& outcome = tally.outcome;
    summary.calls += tally.calls;
    if (outcome == store::kOutcomeAnswered) {
      summary.answered += tally.calls;
      talk_total += tally.talk_s_total;
      talk_count += tally.talk_s_count;
    } else if (outcome == store::kOutcomeMissed) {
      summary.missed += tally.calls;
    } else if (outcome == store::kOutcomeVoicemail) {
      summary.voicemails += tally.calls;
      summary.unheard_voicemails += tally.unheard;
    } else if (outcome == store::kOutcomeAbandoned) {
      summary.abandoned += tally.calls;
    } else if (outcome == store::kOutcomeBlocked) {
      summary.blocked += tally.calls;
    } else {
      summary.in_progress += tally.calls;
    }
    summary.by_hour[tally.hour_start_ms][outcome] += tally.calls;
  }
  if (talk_count > 0) summary.average_talk_s = static_cast<double>(talk_total) / static_cast<double>(talk_count);
  return summary;
}

std::string summary_json(const Summary& summary, std::int64_t since_ms) {
  rapidjson::StringBuffer buffer;
  JsonWriter writer(buffer);
  writer.StartObject();
  writer.Key("since");
  const std::string since = iso8601(since_ms);
  writer.String(since.c_str());
  const std::pair<const char*, std::int64_t> counts[] = {
      {"calls", summary.calls},          {"answered", summary.answered},   {"missed", summary.missed},
      {"voicemails", summary.voicemails}, {"abandoned", summary.abandoned}, {"in_progress", summary.in_progress},
      {"blocked", summary.blocked},       {"unheard_voicemails", summary.unheard_voicemails}};
  for (const auto& [key, value] : counts) {
    writer.Key(key);
    writer.Int64(value);
  }
  writer.Key("average_talk_s");
  if (summary.average_talk_s && std::isfinite(*summary.average_talk_s)) {
    writer.Double(std::round(*summary.average_talk_s * 10) / 10);
  } else {
    writer.Null();
  }
  writer.Key("by_hour");
  writer.StartArray();
  for (const auto& [hour_start, outcomes] : summary.by_hour) {
    writer.StartObject();
    writer.Key("hour_start");
    const std::string hour = iso8601(hour_start);
    writer.String(hour.c_str());
    for (const char* outcome : store::kOutcomes) {
      // JSON keys use underscores ("in_progress") where the outcome word has a dash.
      const std::string key = std::string(outcome) == store::kOutcomeInProgress ? "in_progress" : outcome;
      const auto found = outcomes.find(outcome);
      writer.Key(key.c_str());
      writer.Int64(found == outcomes.end() ? 0 : found->second);
    }
    writer.EndObject();
  }
  writer.EndArray();
  writer.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace switchboard::feed
