// How the CLI shows one call: a readable report for people, JSON for scripts. Never shows the auth token (the
// report does not hold it).
#pragma once

#include <ostream>

#include "callsim/report.h"

namespace callsim::cli {

void print_text(std::ostream& out, const CallReport& report, bool quiet);
void print_json(std::ostream& out, const CallReport& report);

}  // namespace callsim::cli
