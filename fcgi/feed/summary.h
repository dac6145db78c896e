// The page header's numbers: today's calls by outcome, unheard voicemails, average talk time, and calls per hour
// stacked by outcome for the chart. Computed from the calls themselves with the same outcome_of() the list uses,
// so the header and the rows can never disagree.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/call_record.h"

namespace switchboard::feed {

struct Summary {
  std::int64_t calls = 0, answered = 0, missed = 0, voicemails = 0, abandoned = 0, in_progress = 0;
  std::int64_t unheard_voicemails = 0;
  std::optional<double> average_talk_s;
  // Hour start (Unix ms, UTC) → count per outcome.
  std::map<std::int64_t, std::map<std::string, std::int64_t>> by_hour;
};

Summary summarize(const std::vector<store::CallRow>& calls);
std::string summary_json(const Summary& summary, std::int64_t since_ms);

}  // namespace switchboard::feed
