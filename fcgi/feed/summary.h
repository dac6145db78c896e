// The page header's numbers: today's calls by outcome, unheard voicemails, average talk time, and calls per hour
// stacked by outcome for the chart. Added up from the store's per-hour, per-outcome counts (the database's
// calls.outcome, the twin of the outcome_of() each listed call carries), so the header and the rows agree and no
// call is loaded to count it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "store/call_store.h"

namespace switchboard::feed {

struct Summary {
  std::int64_t calls = 0, answered = 0, missed = 0, voicemails = 0, abandoned = 0, in_progress = 0, blocked = 0;
  std::int64_t unheard_voicemails = 0;
  std::optional<double> average_talk_s;
  // Hour start (Unix ms, UTC) → count per outcome.
  std::map<std::int64_t, std::map<std::string, std::int64_t>> by_hour;
};

// Unheard voicemails are the voicemail outcome's unheard calls; the average talk time is over answered calls with
// a known talk time.
Summary summarize(const std::vector<store::HourTally>& tallies);
std::string summary_json(const Summary& summary, std::int64_t since_ms);

}  // namespace switchboard::feed
