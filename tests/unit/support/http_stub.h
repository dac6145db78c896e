// A one-answer HTTP server on a free loopback port, for the libcurl clients' unit tests: every request gets the same
// status and body (Connection: close), and its request line is kept so a test can assert what was asked and how
// often. Serves one connection at a time on its own thread; stops (and joins) when it goes out of scope.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::test {

class HttpStub {
 public:
  HttpStub(int status, std::string body) : status_(status), body_(std::move(body)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    BOOST_REQUIRE(listener_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    BOOST_REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&address), length) == 0);
    BOOST_REQUIRE(::listen(listener_, 8) == 0);
    BOOST_REQUIRE(::getsockname(listener_, reinterpret_cast<sockaddr*>(&address), &length) == 0);
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~HttpStub() {
    ::shutdown(listener_, SHUT_RDWR);  // wakes the accept() below
    thread_.join();
    ::close(listener_);
  }
  HttpStub(const HttpStub&) = delete;
  HttpStub& operator=(const HttpStub&) = delete;

  std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

  // "GET /path HTTP/1.1" of every request so far.
  std::vector<std::string> requests() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return requests_;
  }

 private:
  void serve() {
    for (;;) {
      const int connection = ::accept(listener_, nullptr, nullptr);
      if (connection < 0) return;
      std::string request;
      char buffer[4096];
      while (request.find("\r\n\r\n") == std::string::npos) {
        const ssize_t n = ::read(connection, buffer, sizeof buffer);
        if (n <= 0) break;
        request.append(buffer, static_cast<size_t>(n));
      }
      {
        std::lock_guard<std::mutex> lock(mutex_);
        requests_.push_back(request.substr(0, request.find("\r\n")));
      }
      const std::string answer = "HTTP/1.1 " + std::to_string(status_) + " Stub\r\nContent-Length: " +
                                 std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
      size_t sent = 0;
      while (sent < answer.size()) {
        const ssize_t n = ::write(connection, answer.data() + sent, answer.size() - sent);
        if (n <= 0) break;
        sent += static_cast<size_t>(n);
      }
      ::close(connection);
    }
  }

  int status_;
  std::string body_;
  int listener_ = -1;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

}  // namespace switchboard::test
