// One simulated call's line to the server. Every request goes through here: it is signed as Twilio would sign it,
// sent to base_url, logged in the report as an Exchange and its answer checked. The legs (leg.h) decide what to
// request; this class knows nothing of TwiML verbs.
#pragma once

#include <pugixml.hpp>

#include <memory>
#include <string>

#include "callsim/options.h"
#include "callsim/report.h"
#include "callsim/transport.h"

namespace callsim {

constexpr int kMaxDocuments = 30;  // per call: a server that loops is stopped here

class Session {
 public:
  Session(const Options& options, const Scenario& scenario, Transport& transport, CallReport& report);

  const Options& options() const { return options_; }
  const Scenario& scenario() const { return scenario_; }
  CallReport& report() { return report_; }

  // The URL Twilio would call for one of our configured paths (the public, signed one).
  std::string webhook_url(const std::string& path) const;

  // Requests a TwiML document; null when Twilio could not run it (the reasons are in the report's errors).
  std::unique_ptr<pugi::xml_document> fetch_twiml(const std::string& leg, const std::string& method,
                                                  const std::string& url, const Params& params);

  // An asynchronous callback (status, recording, transcription): any 2xx will do; sent twice when the scenario
  // duplicates callbacks.
  void callback(const std::string& method, const std::string& url, const Params& params);

  void problem(const std::string& where, const std::string& message);

  static std::string new_sid(const char* prefix);  // prefix + 32 random lowercase hex digits
  static std::string now_rfc2822();                // "Fri, 20 Aug 2010 01:13:42 +0000"

 private:
  HttpResponse exchange(const std::string& leg, const std::string& method, const std::string& url,
                        const Params& params);
  std::string route(const std::string& url) const;

  const Options& options_;
  const Scenario& scenario_;
  Transport& transport_;
  CallReport& report_;
  std::string base_url_, signing_base_url_;
  int documents_ = 0;
};

}  // namespace callsim
