// The callsim command line, parsed once into plain settings; a bad value is a usage error naming the flag.
// To add a flag: a field here, a line in kUsage and a branch in parse_args (args.cc).
#pragma once

#include <string>

#include "callsim/options.h"

namespace callsim::cli {

struct Args {
  Options options;
  Scenario scenario;
  int calls = 1;        // more than 1 = burst mode
  int concurrency = 1;  // burst threads, each with its own connection
  bool json = false, quiet = false, help = false;
};

// False on a usage error, described in error. The token and account default from TWILIO_AUTH_TOKEN and
// TWILIO_ACCOUNT_SID.
bool parse_args(int argc, char** argv, Args& args, std::string& error);

extern const char* const kUsage;

}  // namespace callsim::cli
