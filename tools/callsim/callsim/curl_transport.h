// Transport over libcurl. One object = one easy handle = one keep-alive connection cache: use one per thread.
#pragma once

#include "callsim/options.h"
#include "callsim/transport.h"

namespace callsim {

class CurlTransport : public Transport {
 public:
  explicit CurlTransport(const Options& options);
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  HttpResponse send(const HttpRequest& request) override;

 private:
  void* curl_;  // CURL*, kept opaque so users need not include curl.h
  bool insecure_tls_;
  std::string ca_file_;
  long timeout_ms_;
};

}  // namespace callsim
