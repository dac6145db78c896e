// The feed's accounts over HTTP: who a request is (session cookie or bearer token), sign-in and sign-out
// (/api/session), and the admin endpoints (/api/audit, /api/users). The rules themselves live in auth/accounts.h.
//
// The session cookie is HttpOnly (scripts cannot read it), Secure, SameSite=Strict (never sent on a cross-site
// request) and expires with the session's absolute limit. Every state change also needs the CSRF guard the
// voicemail endpoints use: a JSON body and an X-Requested-With header, which a cross-site form cannot send.
#pragma once

#include <optional>
#include <string>

#include "auth/accounts.h"
#include "http/request.h"
#include "http/response.h"

namespace switchboard::feed {

inline constexpr char kSessionCookie[] = "sb_session";

// The value of cookie `name` in a Cookie header, nullopt when absent.
std::optional<std::string> cookie_value(const std::string& header, const std::string& name);
// The token of "Authorization: Bearer …", nullopt for any other scheme or none.
std::optional<std::string> bearer_token(const std::string& header);

// 415 unless the request carries the CSRF guard (JSON content type when it has a body, and X-Requested-With).
std::optional<http::Response> require_csrf_guard(const http::Request& request);

class AccountApi {
 public:
  AccountApi(auth::Accounts& accounts, auth::SessionPolicy policy) : accounts_(accounts), policy_(policy) {}

  // The request's user from its bearer token or session cookie, filled into remote_user/user_role; nothing when
  // it carries neither or they are not valid. Throws store::Unavailable when the database is down.
  void authenticate(http::Request& request);

  http::Response sign_in(const http::Request& request);   // POST /api/session
  http::Response whoami(const http::Request& request);    // GET /api/session
  http::Response sign_out(const http::Request& request);  // DELETE /api/session
  http::Response audit_log(const http::Request& request);  // GET /api/audit
  http::Response list_users(const http::Request& request);  // GET /api/users
  http::Response add_user(const http::Request& request);    // POST /api/users
  http::Response remove_user(const http::Request& request, const std::string& name);  // DELETE /api/users/{name}

  // An audit entry for what the request's user did (voicemail plays and heard marks).
  void audit(const http::Request& request, const std::string& action, const std::string& target);

 private:
  std::optional<store::Principal> principal_of(const http::Request& request);

  auth::Accounts& accounts_;
  auth::SessionPolicy policy_;
};

}  // namespace switchboard::feed
